// Debian's Chromium driven by playwright-core: no browser download. The
// flags keep it off the network (the machines have none) and quiet.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { resultsDir } from './stack.mjs'

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const shotsDir = join(resultsDir, 'screenshots')

export async function launch() {
  mkdirSync(shotsDir, { recursive: true })
  // playwright-core gives each launch a fresh, empty user data dir.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * newPage opens a 1280×800 page in a fresh context. Its time zone is UTC, so
 * the console must convert to Beijing time itself. CSP violations and
 * uncaught errors are collected in page.problems, token refreshes counted in
 * page.refreshes.
 */
export async function newPage(browser, locale = 'zh-CN') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, timezoneId: 'UTC' })
  const page = await context.newPage()
  page.problems = []
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) page.problems.push(`CSP: ${m.text()}`)
  })
  page.on('pageerror', (e) => page.problems.push(`uncaught: ${e}`))
  page.refreshes = 0
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/auth/refresh')) page.refreshes += 1
  })
  page.setDefaultTimeout(20_000)
  return page
}

let shotNo = 0
/**
 * shot saves a full-page screenshot under test-results/screenshots; with
 * { fullPage: false } only the window, as the operator sees a drawer over a
 * page taller than the window (a full-page capture draws the fixed drawer
 * and its mask where the window was scrolled to).
 */
export async function shot(page, name, { fullPage = true } = {}) {
  shotNo += 1
  const path = join(shotsDir, `${String(shotNo).padStart(2, '0')}-${name}.png`)
  await page.waitForLoadState('networkidle').catch(() => {})
  // Finished CSS transitions: dialogs fully open, progress bars at their value.
  await page.screenshot({ path, fullPage, animations: 'disabled' })
  return path
}

/** choose opens an Arco select and clicks its option with that text (in the open dropdown: a page may keep another select's closed one). */
export async function choose(page, select, text) {
  await select.click()
  await page.locator('.arco-select-option:visible', { hasText: text }).click()
}
