// End-to-end tests of the console against the real server, worker and
// sandbox (one stack, shared by the tests in order), in Debian's Chromium.
// Each test saves full-page screenshots of what it visits under
// web/test-results/screenshots.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { startStack, beijingToday, resultsDir } from './stack.mjs'
import { choose, launch, newPage, shot } from './browser.mjs'
import { apiGet, apiPost, apiPut, apiSend, login, poll, session, simDelete, simEntity, simGet, simPost } from './api.mjs'
import { nextStep, timeStep, totp } from './totp.mjs'

const started = Date.now()
// Leaf advertisers in the sandbox: enough ads for the batch test to find
// one the platform refuses, whatever the day's synthetic figures.
const advertisers = 6
let stack
let browser
let page // the admin's page, signed in by the first tests
let token // the admin's API session, for checks and set-up
const viewer = { username: 'vera', password: 'Violet-Compass-905' }
let paused // the ad paused from its table: { id, advertiser_id, name }
let budgeted // an advertiser given a daily budget of its own in the platform's console before binding: its id
let later // the budget change scheduled from the ads table: { id, ad, budget, at } (at: when it was scheduled)
let doomed // a budget change at the same time that a change by hand makes too small a move by then: { id, ad, current }
const scoped = { username: 'olivia', password: 'Orchid-Lantern-Harbor-58', id: 0 } // created in the console with two accounts

/** addDays moves a YYYY-MM-DD date by n days. */
function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}

async function signIn(p, username, password) {
  await p.goto(`${stack.api}/login`)
  await p.locator('[data-test=username] input').fill(username)
  await p.locator('[data-test=password] input').fill(password)
  await p.locator('[data-test=login-submit]').click()
}

/** checkTotals compares the report table's totals row with the API's summary of the same query. */
async function checkTotals(want) {
  const total = (m) => page.locator(`[data-test=report-table] [data-test=total-${m}]`)
  await poll(async () => (await total('cost').innerText()).replaceAll(',', '') === want.summary.cost, `table total cost ${want.summary.cost}`, 20_000, 300)
  for (const m of ['show', 'click', 'convert']) assert.equal((await total(m).innerText()).replaceAll(',', ''), String(want.summary[m]), m)
  assert.equal(await total('ctr').innerText(), want.summary.ctr === null ? '—' : `${want.summary.ctr}%`, 'ctr')
  assert.equal((await total('cpa').innerText()).replaceAll(',', ''), want.summary.cpa ?? '—', 'cpa')
  assert.equal((await page.locator('[data-test=report-total]').innerText()).replaceAll(',', ''), `共 ${want.total} 行`)
}

/** viewOf is what a report page shows: controls, totals and the first rows. */
async function viewOf(p) {
  return {
    level: await p.locator('[data-test=level] .arco-radio-checked').innerText(),
    granularity: await p.locator('[data-test=granularity] .arco-radio-checked').innerText(),
    range: await p.locator('[data-test=date-range] input').evaluateAll((els) => els.map((e) => e.value)),
    totals: await p.locator('[data-test=report-table] .arco-table-tfoot, [data-test=report-table] tfoot').first().innerText().catch(() => ''),
    rows: (await p.locator('[data-test=report-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').allInnerTexts()).slice(0, 5),
  }
}

/** createDialog opens a list's create dialog (channel, subscription) and names the new item. */
async function createDialog(kind, name) {
  await page.locator(`[data-test=${kind}-create]`).click()
  const dlg = page.locator(`[data-test=${kind}-dialog]`)
  await dlg.locator(`[data-test=${kind}-name] input`).fill(name)
  return dlg
}

/**
 * openMyMfa opens the header's two-step verification drawer. Playwright's
 * click on the menu item scrolls the page under it (a click by hand does
 * not): back to the top, so the screenshots show the page as it stands.
 */
async function openMyMfa(p) {
  await p.locator('[data-test=current-user]').click()
  await p.locator('[data-test=my-mfa]').click()
  await p.evaluate(() => window.scrollTo(0, 0))
}

/** beijingMinuteAfter is the Beijing wall time ("2026-12-06 14:05") of the first whole minute at least ms from now. */
function beijingMinuteAfter(ms) {
  return new Date(Math.ceil((Date.now() + ms) / 60_000) * 60_000 + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** scheduledRow is the row of a scheduled change on the 定时操作 page. */
function scheduledRow(p, id) {
  return p.locator('[data-test=scheduled-table] tbody tr.arco-table-tr', { has: p.locator(`[data-test=scheduled-detail-${id}]`) })
}

/** rowOf is the table row that shows an id. */
function rowOf(p, id) {
  return p.locator('tr.arco-table-tr', { hasText: String(id) }).first()
}

describe('console', () => {
  before(async () => {
    stack = await startStack({ advertisers })
    browser = await launch()
    page = await newPage(browser)
    token = session(stack.api, stack.admin.username, stack.admin.password)
  })

  after(async () => {
    await browser?.close()
    await stack?.stop()
    console.log(`e2e: console tests took ${((Date.now() - started) / 1000).toFixed(1)} s (stack start included)`)
  })

  test('a wrong password shows the message', async () => {
    const p = await newPage(browser)
    await signIn(p, stack.admin.username, 'not-the-password')
    const msg = p.locator('[data-test=login-error]')
    await msg.waitFor()
    assert.match(await msg.innerText(), /用户名或密码错误/)
    assert.match(p.url(), /\/login/)
    await shot(p, 'login-wrong-password')
    await p.context().close()
  })

  test('the admin signs in and sees the dashboard', async () => {
    await signIn(page, stack.admin.username, stack.admin.password)
    await page.waitForURL(/\/dashboard/)
    await page.locator('[data-test=dashboard]').waitFor()
    assert.match(await page.locator('[data-test=current-user]').innerText(), /admin/)
    await shot(page, 'dashboard-before-binding')
  })

  test('binding accounts runs the consent page and returns with a summary', async () => {
    // One account has a daily budget of its own (set in the platform's console): twice what it spent today, and
    // at least 1,000 yuan, as the platform takes one.
    budgeted = (await simGet(stack.sim, '/_sim/world')).advertisers[0]
    const spentFen = (await simGet(stack.sim, `/_sim/truth?advertiser_id=${budgeted}&level=advertiser`)).total.cost_fen
    await simPost(stack.sim, '/_sim/budget', { advertiser_id: budgeted, budget: (Math.max(100_000, 2 * spentFen + 100_000) / 100).toFixed(2) })
    await page.goto(`${stack.api}/accounts`)
    await page.locator('[data-test=bind]').click()
    await page.waitForURL(/\/audit\/oauth\.html/)
    await shot(page, 'sandbox-consent')
    await page.getByRole('button', { name: '同意授权' }).click()
    await page.waitForURL(/\/accounts/)
    const result = page.locator('[data-test=bind-result]')
    await result.waitFor()
    assert.match(await result.innerText(), new RegExp(`授权成功：绑定 \\d+ 个账户，其中 ${advertisers} 个广告主开始同步数据`))
    assert.doesNotMatch(page.url(), /status=success/, 'the callback keys are dropped from the URL')
    await shot(page, 'accounts-bound')
  })

  test('balances and the first sync show on the accounts page', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    assert.equal(leaves.length, advertisers)
    await poll(async () => {
      await page.reload()
      await page.locator('[data-test=accounts-table]').waitFor()
      for (const a of leaves) {
        const row = rowOf(page, a.id)
        if ((await row.count()) === 0) return false
        const balance = (await row.locator('[data-test=balance]').innerText()).trim()
        const state = await row.locator('[data-test=sync-state]').innerText().catch(() => '')
        const m = /(\d+)\/(\d+) 已同步/.exec(state)
        if (!/^\d{1,3}(,\d{3})*\.\d{2}$/.test(balance) || !m || m[1] !== m[2] || /首次同步中|失败/.test(state)) return false
      }
      return true
    }, 'balances and a complete first sync of every advertiser', 240_000, 3000)
    // The balance shown is the platform's, to the fen.
    const a = leaves[0]
    const detail = await apiGet(stack.api, token, `/api/v1/advertisers/${a.id}`)
    const shown = (await rowOf(page, a.id).locator('[data-test=balance]').innerText()).replaceAll(',', '')
    assert.equal(shown, detail.balance, 'the console shows the API balance')
    await shot(page, 'accounts-synced')
    await rowOf(page, a.id).locator('.arco-link').first().click()
    await page.locator('[data-test=stream-table]').waitFor()
    await shot(page, 'account-detail')
    await page.keyboard.press('Escape')
  })

  test('a backfill of streams picked by their names shows its progress until it is done', async () => {
    await page.goto(`${stack.api}/accounts`)
    await page.locator('[data-test=backfill]').first().click()
    // The streams are offered in words; picking the daily reports by their
    // names starts a backfill of those streams' identifiers.
    const daily = { 广告主: 'advertiser', 广告组: 'campaign', 广告计划: 'ad', 项目: 'project', 广告: 'promotion' }
    await page.locator('[data-test=backfill-streams]').click()
    for (const level of Object.keys(daily)) {
      await page.locator('.arco-select-option').filter({ hasText: new RegExp(`^${level} · 日报$`) }).click()
    }
    await page.locator('.arco-modal-title').click()
    assert.match(await page.locator('[data-test=backfill-streams]').innerText(), /广告主 · 日报[\s\S]*广告 · 日报/)
    await shot(page, 'account-backfill-streams')
    const [started] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/backfill')),
      page.locator('[data-test=backfill-start]').click(),
    ])
    const job = (await started.json()).data
    assert.deepEqual([...job.params.streams].sort(), Object.values(daily).map((l) => `report_${l}_daily`).sort())
    await page.locator('[data-test=backfill-progress]').waitFor()
    await poll(async () => /已完成/.test(await page.locator('[data-test=backfill-status]').innerText()), 'the backfill to finish', 120_000, 500)
    assert.match(await page.locator('[data-test=backfill-dialog]').innerText(), /100%[\s\S]*已写入 [\d,]+ 行/)
    await shot(page, 'account-backfill')
    await page.getByRole('button', { name: '关闭' }).click()
  })

  test('the dashboard shows today against yesterday, the trend and top ads', async () => {
    await page.goto(`${stack.api}/dashboard`)
    const money = /^\d{1,3}(,\d{3})*\.\d{2}$/
    // The accounts synced before this test: today's spend is there, not a
    // zero kept from the dashboard seen before binding.
    // Between 00:00 and 01:00 Beijing today has no complete hour yet: the
    // dashboard compares nothing and says so.
    const spend = page.locator('[data-test=kpi-value]').first()
    await poll(async () => {
      const v = await spend.innerText()
      if (money.test(v) && v !== '0.00') return true
      const firstHour = new Date(Date.now() + 8 * 3600_000).getUTCHours() === 0
      if (firstHour && v === '0.00' && /今日尚无完整小时/.test(await page.locator('[data-test=dashboard-span]').innerText())) return true
      await page.getByRole('button', { name: '刷新' }).click()
      return false
    }, "today's spend", 30_000, 1000)
    // The platform's figures end on the sandbox's day, fixed when the stack
    // started: a run that passed Beijing midnight (16:00 UTC) since finds the
    // console on a day the platform has no figures for, and no top ads.
    const platformDay = (await simGet(stack.sim, '/_sim/clock')).beijing.slice(0, 10)
    const topAds = page.locator('[data-test=dashboard] tbody tr.arco-table-tr:not(.arco-table-tr-empty)')
    await poll(async () => {
      if ((await topAds.count()) > 0) return true
      if ((await apiGet(stack.api, token, '/api/v1/dashboard/overview')).today > platformDay) return true
      await page.getByRole('button', { name: '刷新' }).click()
      return false
    }, 'top ads', 30_000, 500)
    // The chart's tooltip, drawn on hover, must work under the CSP too.
    await page.locator('[data-test=dashboard] canvas').first().hover({ position: { x: 300, y: 150 } })
    await shot(page, 'dashboard')
  })

  test("the accounts page says what each account spent today, how much of its own daily budget, and how many days its balance lasts, as the reports API has it", async () => {
    // The console's today is the runner's Beijing date (the sandbox's may be a day behind past midnight: its
    // today is then not synced, and says —); the average is over the days of the last three the mirror synced,
    // the valid balance divided by it as the low-balance alert does.
    const day = beijingToday()
    const plus = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
    const yuan = (v) => Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    const fen = (v) => Math.round(Number(v ?? 0) * 100)
    const synced = (report, id, from, to) => {
      const c = report.coverage.advertisers.find((a) => a.advertiser_id === id)
      if (!c?.synced_from) return 0
      let n = 0
      for (let d = from; d <= to; d = plus(d, 1)) if (d >= c.synced_from && d <= c.synced_to && !(c.gaps ?? []).some((g) => g.from <= d && d <= g.to)) n++
      return n
    }
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items.filter((a) => a.balance)
    assert.ok(leaves.length >= 3, 'accounts with balances')
    const expected = async (a) => {
      const q = `/api/v1/reports?level=advertiser&group_by=advertiser&advertiser_ids=${a.id}`
      const today = await apiGet(stack.api, token, `${q}&from=${day}&to=${day}`)
      const week = await apiGet(stack.api, token, `${q}&from=${plus(day, -3)}&to=${plus(day, -1)}`)
      const n = synced(week, a.id, plus(day, -3), plus(day, -1))
      const avg = n ? Math.round(fen(week.items[0]?.cost) / n) : 0
      const left = avg ? fen(a.valid_balance ?? a.balance) / avg : null
      const cost = synced(today, a.id, day, day) ? (today.items[0]?.cost ?? '0') : null
      return {
        today: cost === null ? '—' : yuan(cost),
        days: left === null ? '—' : left < 1 ? '不足 1 天' : `约 ${Math.floor(left).toLocaleString('en-US')} 天`,
        // the account's own daily budget, and the share of it spent today
        budget: a.budget_mode !== 'BUDGET_MODE_DAY' ? '日预算不限' : cost === null ? '有日预算' : `日预算已用 ${Math.floor((fen(cost) * 100) / fen(a.budget))}%`,
      }
    }
    const withBudget = leaves.find((a) => a.id === budgeted)
    assert.ok(withBudget?.budget_mode === 'BUDGET_MODE_DAY' && Number(withBudget.budget) >= 1000, `the budget set before binding read with the balance: ${JSON.stringify(withBudget)}`)
    const shownLeaves = [withBudget, ...leaves.filter((a) => a.id !== budgeted).slice(0, 2)]
    await page.goto(`${stack.api}/accounts`)
    await page.locator('[data-test=days-left]').first().waitFor()
    // Today's figures move with each sync: compare again after a reload until page and API agree.
    await poll(async () => {
      for (const a of shownLeaves) {
        const row = rowOf(page, a.id)
        const shown = { today: (await row.locator('[data-test=today-cost]').innerText()).trim(), days: (await row.locator('[data-test=days-left]').innerText()).trim(),
          budget: (await row.locator('[data-test=account-budget]').innerText()).trim() }
        const want = await expected(a)
        if (shown.today !== want.today || shown.days !== want.days || shown.budget !== want.budget) {
          console.log(`e2e: account ${a.id} shows ${JSON.stringify(shown)}, the API ${JSON.stringify(want)}; reloading`)
          await page.reload()
          await page.locator('[data-test=days-left]').first().waitFor()
          return false
        }
      }
      return true
    }, "the accounts' spend as the reports API has it", 90_000, 1000)
    await shot(page, 'accounts-spend', { fullPage: false })
  })

  test("an account's own daily budget raised from the accounts page: previewed, made and read back, in the change log", async () => {
    const [a] = (await apiGet(stack.api, token, `/api/v1/advertisers?ids=${budgeted}`)).items
    const spentFen = (await simGet(stack.sim, `/_sim/truth?advertiser_id=${budgeted}&level=advertiser`)).total.cost_fen
    // Above today's spend by the platform's margin, and a move of more than 100 yuan.
    const to = Math.max(Math.round(Number(a.budget)) + 1000, Math.ceil((spentFen * 1.05) / 100) + 1000).toFixed(2)
    const shown = Number(to).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    await page.goto(`${stack.api}/accounts`)
    const row = rowOf(page, budgeted)
    await row.locator('[data-test=account-budget]').waitFor()
    await row.locator('[data-test=edit-amount]').click()
    await page.locator('[data-test=amount-input] input').fill(to)
    await page.locator('[data-test=amount-preview]').click()
    const change = page.locator('[data-test=change-dialog]')
    await change.waitFor()
    const item = change.locator('[data-test=change-items] tbody tr').first()
    assert.match(await item.innerText(), new RegExp(`${a.name}[\\s\\S]*预算[\\s\\S]*${shown.replaceAll('.', '\\.')}[\\s\\S]*可执行`), 'the preview names the account and the new budget')
    await shot(page, 'accounts-budget-preview', { fullPage: false })
    await page.locator('[data-test=change-confirm]').click()
    await change.locator('[data-test=change-summary]', { hasText: '成功 1，失败 0，未知 0' }).waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: '关闭' }).click()
    // Read back from the platform and stored: the list has it, the change log holds it as the account's.
    const [c] = (await apiGet(stack.api, token, `/api/v1/changes?kind=advertiser&entity_id=${budgeted}`)).items
    assert.equal(c.result, 'succeeded')
    assert.equal(c.verified, true)
    assert.equal(c.after, to)
    assert.equal(c.entity_name, a.name)
    assert.equal((await apiGet(stack.api, token, `/api/v1/advertisers?ids=${budgeted}`)).items[0].budget, to)
    await rowOf(page, budgeted).locator('[data-test=account-budget]').hover()
    await page.locator('.arco-tooltip-content', { hasText: `账户日预算 ${shown} 元` }).waitFor()

    // Another raise scheduled from the same editor (定时执行, at the next full hour offered): a clock beside the
    // account's name says what waits; then cancelled.
    const next = (Number(to) + 1000).toFixed(2)
    await rowOf(page, budgeted).locator('[data-test=edit-amount]').click()
    await page.locator('[data-test=amount-input] input').fill(next)
    await page.locator('[data-test=amount-preview]').click()
    await change.waitFor()
    await change.locator('[data-test=when-later]').click()
    await page.locator('[data-test=change-confirm]').click()
    await change.locator('[data-test=scheduled-created]').waitFor()
    await page.getByRole('button', { name: '关闭' }).click()
    const [sc] = (await apiGet(stack.api, token, `/api/v1/scheduled-changes?kind=advertiser&entity_id=${budgeted}&status=scheduled`)).items
    assert.deepEqual(sc.items.map((i) => [i.id, i.value]), [[budgeted, next]])
    const mark = rowOf(page, budgeted).locator(`[data-test=scheduled-mark-${budgeted}]`)
    await mark.hover()
    const tip = page.locator('[data-test=scheduled-mark-tip]')
    await tip.waitFor()
    assert.match(await tip.innerText(), new RegExp(`#${sc.id}[\\s\\S]*预算[\\s\\S]*${Number(next).toLocaleString('en-US', { minimumFractionDigits: 2 }).replaceAll('.', '\\.')}`))
    await shot(page, 'accounts-budget-scheduled')
    await apiPost(stack.api, token, `/api/v1/scheduled-changes/${sc.id}/cancel`, {})
  })

  test("accounts' daily budgets raised 10% together: a manager account left out and said so, an unlimited one left as it is, the budgeted one raised to the fen through the batch route", async () => {
    const all = (await apiGet(stack.api, token, '/api/v1/advertisers?page_size=200')).items
    const a = all.find((x) => x.id === budgeted)
    const free = all.find((x) => x.account_role === 'ADVERTISER' && x.auth_status === 'active' && x.budget_mode === 'BUDGET_MODE_INFINITE')
    const manager = all.find((x) => x.account_role !== 'ADVERTISER')
    assert.ok(a && free && manager, 'the budgeted account, an unlimited one and a manager account')
    const fen = Math.round(Number(a.budget) * 100)
    const want = Math.floor((fen * 11_000 * 2 + 10_000) / 20_000) // × 1.1, half up to the fen
    const yuan = (f) => (f / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    await page.goto(`${stack.api}/accounts`)
    await rowOf(page, budgeted).locator('[data-test=account-budget]').waitFor()
    for (const id of [budgeted, free.id, manager.id]) await rowOf(page, id).locator('.arco-checkbox').first().click()
    await page.locator('[data-test=accounts-selection]', { hasText: '已选 3' }).waitFor()
    await page.locator('[data-test=accounts-batch-budget]').click()
    const dlg = page.locator('[data-test=batch-dialog]')
    assert.match(await dlg.locator('[data-test=batch-note]').innerText(), /另有 1 个账户没有可改的日预算/)
    await dlg.locator('[data-test=batch-how]').getByText('上调', { exact: true }).click()
    await dlg.locator('[data-test=batch-value] input').fill('10')
    const summary = await dlg.locator('[data-test=batch-adjust-summary]').innerText()
    assert.match(summary, /将调整 2 项中的 1 项/)
    assert.match(summary, /1 项预算不限，不调整/)
    await shot(page, 'accounts-batch-budget', { fullPage: false })
    await page.locator('[data-test=batch-preview]').click()
    const change = page.locator('[data-test=change-dialog]')
    await change.waitFor()
    const items = change.locator('[data-test=change-items] tbody tr')
    assert.equal(await items.count(), 1, 'the unlimited one is not sent')
    assert.equal((await items.first().locator('[data-test=after]').innerText()).trim(), yuan(want))
    assert.match(await items.first().innerText(), new RegExp(`${a.name}[\\s\\S]*可执行`))
    await page.locator('[data-test=change-confirm]').click()
    await change.locator('[data-test=change-summary]', { hasText: '成功 1，失败 0，未知 0' }).waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: '关闭' }).click()
    const [c] = (await apiGet(stack.api, token, `/api/v1/changes?kind=advertiser&entity_id=${budgeted}`)).items
    assert.deepEqual([c.result, c.verified, c.after], ['succeeded', true, (want / 100).toFixed(2)])
    assert.equal((await apiGet(stack.api, token, `/api/v1/advertisers?ids=${free.id}`)).items[0].budget_mode, 'BUDGET_MODE_INFINITE', 'the unlimited one untouched')
    await rowOf(page, budgeted).locator('[data-test=account-budget]').hover()
    await page.locator('.arco-tooltip-content', { hasText: `账户日预算 ${yuan(want)} 元` }).waitFor()
    assert.deepEqual(page.problems, [])
  })

  test('pausing an ad from its table changes it on the platform, once', async () => {
    const [ad] = (await apiGet(stack.api, token, '/api/v1/ads?status=AD_STATUS_DELIVERY_OK&order_by=-cost&page_size=1')).items
    assert.ok(ad, 'a delivering ad')
    paused = ad
    await page.goto(`${stack.api}/ads?keyword=${ad.id}`)
    const row = rowOf(page, ad.id)
    await row.waitFor()
    await shot(page, 'ads-table')
    await row.locator(`[data-test=switch-${ad.id}]`).click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    const preview = await dialog.locator('[data-test=change-items] tbody tr').first().innerText()
    assert.match(preview, /状态[\s\S]*开启[\s\S]*暂停[\s\S]*可执行/, 'the preview shows before and after')
    await shot(page, 'ads-pause-preview')
    // A double click sends the change once (one Idempotency-Key per dialog).
    await page.locator('[data-test=change-confirm]').dblclick()
    const summary = page.locator('[data-test=change-summary]')
    await summary.waitFor()
    assert.match(await summary.innerText(), /成功 1，失败 0，未知 0/)
    await shot(page, 'ads-pause-result')
    await page.getByRole('button', { name: '关闭' }).click()

    const onPlatform = await simEntity(stack.sim, ad.advertiser_id, 'ads', ad.id)
    assert.equal(onPlatform.opt_status, 'AD_STATUS_DISABLE', 'the sandbox has the ad paused')
    const log = await apiGet(stack.api, token, `/api/v1/changes?entity_id=${ad.id}&field=status`)
    assert.equal(log.total, 1, 'one change in the log despite the double click')
    await poll(async () => /已暂停/.test(await rowOf(page, ad.id).locator('[data-test=status]').innerText()), 'the table to show the paused status', 15_000)
  })

  test("an inline budget edit shows the API's message on the field", async () => {
    await page.goto(`${stack.api}/ads?keyword=${paused.id}`)
    const row = rowOf(page, paused.id)
    await row.locator('[data-test=edit-amount]').first().click()
    await page.locator('[data-test=amount-input] input').fill('100')
    await page.locator('[data-test=amount-preview]').click()
    const err = page.locator('[data-test=field-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /不能低于 300\.00 元（平台的最低日预算）/, 'the minimum daily budget is named on the field, in the console’s language')
    assert.equal(await page.locator('[data-test=change-dialog]').count(), 0, 'no preview for a refused value')
    await shot(page, 'ads-inline-budget-error')
    await page.keyboard.press('Escape')
  })

  test('a batch budget change reports per item, with one item refused by the platform', async () => {
    // Move the sandbox three hours on: the platform's spend grows, the
    // mirror's stays as last synced. A budget between 105% of the mirrored
    // spend and 105% of the real spend passes our checks and is refused by
    // the platform's rule: the case the per-item results are for.
    // The platform's day is the sandbox's, not the runner's: past Beijing
    // midnight (16:00 UTC) the runner is a day ahead of the sandbox, which
    // has no spend for that day.
    const clock = await simPost(stack.sim, '/_sim/clock', { advance: '3h' })
    const plan = await findBatch(clock.beijing.slice(0, 10))
    await page.goto(`${stack.api}/ads?advertiser_ids=${plan.advertiserId}&page_size=50`)
    for (const id of plan.ids) {
      await rowOf(page, id).locator('.arco-checkbox').click()
    }
    await page.locator('[data-test=batch-bar]').waitFor()
    await page.locator('[data-test=batch-budget]').click()
    await page.locator('[data-test=batch-value] input').fill(String(plan.value))
    await page.locator('[data-test=batch-preview]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    assert.equal(await dialog.locator('[data-test=item-result]').count(), 3)
    await shot(page, 'ads-batch-preview')
    await page.locator('[data-test=change-confirm]').click()
    const summary = page.locator('[data-test=change-summary]')
    await summary.waitFor()
    assert.match(await summary.innerText(), /成功 2，失败 1，未知 0/)
    const refused = dialog.locator('[data-test=change-items] tbody tr', { hasText: String(plan.spender) })
    assert.match(await refused.innerText(), /失败[\s\S]*105%/, 'the refused item names the platform rule')
    await shot(page, 'ads-batch-result')
    await page.getByRole('button', { name: '关闭' }).click()

    for (const id of plan.ids) {
      const e = await simEntity(stack.sim, plan.advertiserId, 'ads', id)
      const want = id === plan.spender ? plan.spenderBudgetFen : plan.value * 100
      assert.equal(e.budget_fen, want, `ad ${id} budget on the platform`)
    }
  })

  test('budgets imported from an Excel workbook and a CSV file: each ad gets its own value; a bad amount, an unknown id and a budget the dry run refuses are named by line and left out', async () => {
    // Three ads with daily budgets that no other test changes: not delivering (the others take delivering
    // ones), not deleted, ended or stopped by a budget, and not changed yet (the batch above). Two are
    // raised to their own values, over the bid and 105% of today's spend on the platform, whose clock the
    // batch test moved on; the third is given 100, under the least daily budget, which the dry run refuses.
    const today = (await simGet(stack.sim, '/_sim/clock')).beijing.slice(0, 10)
    const fen = (s) => (s ? Math.round(Number(s) * 100) : 0)
    const candidates = (await apiGet(stack.api, token, '/api/v1/ads?page_size=200')).items
      .filter((a) => a.budget_mode === 'BUDGET_MODE_DAY' && !/DELIVERY_OK|DELETE|DONE|EXCEED/.test(a.status) && a.id !== paused.id)
    const three = []
    for (const a of candidates) {
      if ((await apiGet(stack.api, token, `/api/v1/changes?entity_id=${a.id}&page_size=1`)).total === 0) three.push(a)
      if (three.length === 3) break
    }
    assert.equal(three.length, 3, 'three ads with daily budgets that nothing changed')
    const planned = []
    for (const [i, a] of three.slice(0, 2).entries()) {
      const truth = await simGet(stack.sim, `/_sim/truth?advertiser_id=${a.advertiser_id}&level=ad&start_date=${today}&end_date=${today}&granularity=total`)
      const spent = truth.rows.find((r) => r.id === a.id)?.cost_fen ?? 0
      const floor = Math.max(fen(a.budget) + 100_000, spent * 1.1, fen(a.today?.cost) * 1.1, fen(a.bid), fen(a.cpa_bid), 30_000)
      const yuan = Math.ceil(floor / 10_000) * 100 + i * 350
      planned.push({ ad: a, value: i ? `${yuan}.50` : String(yuan), fen: yuan * 100 + (i ? 50 : 0) })
    }
    const [a, b] = planned
    const low = three[2]
    const csv = ['广告计划ID,新预算(元)', `${a.ad.id},${a.value}`, '1790000000000009,12.345', `"${b.ad.id}","${b.value}"`, '1790000000000008,800', `${low.id},100`, ''].join('\r\n')

    await page.goto(`${stack.api}/ads`)
    await page.locator('[data-test=entity-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await page.locator('[data-test=import-open]').click()
    const dialog = page.locator('[data-test=import-dialog]')
    await dialog.waitFor()
    assert.match(await dialog.locator('[data-test=import-field]').innerText(), /预算[\s\S]*出价[\s\S]*目标转化出价/, 'ads offer budgets, bids and target CPAs')
    // The template: a header and two example lines, as UTF-8 for Excel.
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.locator('[data-test=import-template]').click()])
    assert.equal(download.suggestedFilename(), 'oceanops-import-ads-budget.csv')
    const template = join(resultsDir, download.suggestedFilename())
    await download.saveAs(template)
    assert.equal(await readFile(template, 'utf8'), '\uFEFFID,新预算(元)\r\n1790000000000001,500\r\n1790000000000002,1200.50\r\n')

    // An Excel workbook is read too (its first sheet, by the API): its rows are the lines; the amount cell
    // is a number formatted as money, and an id typed as a number, which Excel cannot keep, is named.
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('预算')
    ws.addRows([['广告计划ID', '新预算(元)'], [String(b.ad.id), Number(b.value)], [1708359612473935, 500]])
    ws.getCell('B2').numFmt = '¥#,##0.00'
    wb.addWorksheet('备注').addRow(['not read'])
    await dialog.locator('[data-test=import-file]').setInputFiles({ name: '预算计划.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()) })
    const summary = dialog.locator('[data-test=import-summary]')
    await summary.locator('text=共 2 行：1 行可导入，1 行有问题，不导入').waitFor()
    assert.deepEqual(await dialog.locator('[data-test=import-problem]').allInnerTexts(), [
      '第 3 行：ID「1.70835961247394E+15」是科学计数法，已不准确：请在 Excel 中把 ID 列设为文本后重新保存',
    ])
    const sheetRow = await dialog.locator('[data-test=import-row]').first().innerText()
    assert.ok(sheetRow.includes(b.ad.name) && sheetRow.includes(Number(b.value).toLocaleString('en-US', { minimumFractionDigits: 2 })), sheetRow)
    await shot(page, 'ads-import-xlsx', { fullPage: false })

    await dialog.locator('[data-test=import-file]').setInputFiles({ name: '预算计划.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`, 'utf8') })
    await summary.locator('text=共 5 行：3 行可导入，2 行有问题，不导入').waitFor()
    assert.deepEqual(await dialog.locator('[data-test=import-problem]').allInnerTexts(), [
      '第 3 行：「12.345」不是金额：只写数字，最多两位小数，如 500 或 1200.50',
      '第 5 行：不存在或无权限',
    ])
    const rows = dialog.locator('[data-test=import-row]')
    assert.equal(await rows.count(), 5)
    for (const [n, p] of [[0, a], [2, b]]) {
      const text = await rows.nth(n).innerText()
      assert.ok(text.includes(p.ad.name), `line ${n + 2} names the ad: ${text}`)
      assert.ok(text.includes(Number(p.value).toLocaleString('en-US', { minimumFractionDigits: 2 })), `line ${n + 2} has its new budget: ${text}`)
    }
    await shot(page, 'ads-import-preview', { fullPage: false })

    // 预览变更: the page's batch change, each ad with its own value, checked by the API's dry run. It refuses
    // the 100 as a whole: the line is named with the API's reason and left out, and the rest previewed again.
    await page.locator('[data-test=import-preview]', { hasText: '预览变更（3 项）' }).click()
    await summary.locator('text=共 5 行：2 行可导入，3 行有问题，不导入').waitFor()
    assert.match((await dialog.locator('[data-test=import-problem]').allInnerTexts())[2], /^第 6 行：不能低于 300\.00 元（平台的最低日预算）/)
    assert.match(await rows.nth(4).innerText(), new RegExp(`${low.id}[\\s\\S]*100\\.00[\\s\\S]*不能低于 300\\.00 元`))
    await shot(page, 'ads-import-refused', { fullPage: false })
    await page.locator('[data-test=import-preview]', { hasText: '预览变更（2 项）' }).click()
    const change = page.locator('[data-test=change-dialog]')
    await change.waitFor()
    await dialog.waitFor({ state: 'detached' })
    const items = change.locator('[data-test=change-items] tbody tr')
    assert.equal(await items.count(), 2)
    for (const p of [a, b]) {
      assert.match(await items.filter({ hasText: String(p.ad.id) }).innerText(),
        new RegExp(`预算[\\s\\S]*${Number(p.value).toLocaleString('en-US', { minimumFractionDigits: 2 })}[\\s\\S]*可执行`), 'the dry run of its own value')
    }
    await shot(page, 'ads-import-dry-run', { fullPage: false })
    await page.locator('[data-test=change-confirm]').click()
    await change.locator('[data-test=change-summary]', { hasText: '成功 2，失败 0，未知 0' }).waitFor({ timeout: 30_000 })
    assert.equal(await change.locator('[data-test=item-result]', { hasText: '成功' }).count(), 2)
    await shot(page, 'ads-import-result', { fullPage: false })
    await page.getByRole('button', { name: '关闭' }).click()

    // On the platform each ad has its own budget, made in one request.
    const requests = new Set()
    for (const p of planned) {
      const w = await simGet(stack.sim, `/_sim/world?advertiser_id=${p.ad.advertiser_id}`)
      assert.equal(w.ads.find((e) => e.id === p.ad.id)?.budget_fen, p.fen, `ad ${p.ad.id} budget on the platform`)
      const [c] = (await apiGet(stack.api, token, `/api/v1/changes?entity_id=${p.ad.id}&field=budget`)).items
      assert.equal(c.result, 'succeeded')
      requests.add(c.request_id)
    }
    assert.equal(requests.size, 1, 'one batch')
  })

  test('the current budgets downloaded as a workbook (下载当前值) and imported back: every line valid, one raised, the rest 已是该值; dry run only', async () => {
    // An advertiser whose ads all have a budget in yuan (an ad's budget cannot be made unlimited), and one of them
    // that nothing changed, not stopped by its budget, raised by 100.
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    let ads, raised
    for (const adv of leaves) {
      ads = (await apiGet(stack.api, token, `/api/v1/ads?advertiser_ids=${adv.id}&page_size=200`)).items
      if (ads.length < 3 || ads.some((a) => a.budget_mode === 'BUDGET_MODE_INFINITE')) continue
      for (const a of ads.filter((a) => !/EXCEED|DONE/.test(a.status) && Number(a.today?.cost ?? 0) * 1.1 < Number(a.budget))) {
        if ((await apiGet(stack.api, token, `/api/v1/changes?entity_id=${a.id}&page_size=1`)).total === 0) raised = a
        if (raised) break
      }
      if (raised) break
    }
    assert.ok(raised, 'an advertiser with an ad to raise')
    await page.goto(`${stack.api}/ads?advertiser_ids=${raised.advertiser_id}`)
    await page.locator('[data-test=entity-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await page.locator('[data-test=import-open]').click()
    const dialog = page.locator('[data-test=import-dialog]')
    await dialog.waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.locator('[data-test=import-values]').click()])
    assert.match(download.suggestedFilename(), /^oceanops-ads-budget-\d{8}\.xlsx$/)
    const file = join(resultsDir, download.suggestedFilename())
    await download.saveAs(file)

    // The advertiser's ads as the list has them, newest first: the id as text (all its digits), the budget a number.
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(file)
    const ws = wb.worksheets[0]
    assert.deepEqual(ws.getRow(1).values.slice(1), ['id', 'budget', 'name', 'advertiser_id', 'advertiser_name', 'campaign_id', 'campaign_name'])
    assert.equal(ws.rowCount, ads.length + 1)
    ads.forEach((a, i) => {
      const row = ws.getRow(i + 2).values.slice(1)
      assert.deepEqual([row[0], row[1], row[2], row[3]], [String(a.id), Number(a.budget), a.name, String(a.advertiser_id)], `line ${i + 2}`)
    })

    // Edited (one budget raised by 100) and imported: every line valid; the dry run sends the one raised.
    const line = ads.findIndex((a) => a.id === raised.id) + 2
    const to = Number(raised.budget) + 100
    ws.getCell(`B${line}`).value = to
    await dialog.locator('[data-test=import-file]').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await wb.xlsx.writeBuffer()) })
    await dialog.locator('[data-test=import-summary]', { hasText: `共 ${ads.length} 行，均可导入` }).waitFor()
    // The line edited stands out: its new value is not its current one.
    const edited = dialog.locator('[data-test=import-next].changed')
    assert.equal(await edited.count(), 1)
    assert.equal(await dialog.locator('[data-test=import-same]').innerText(), `其中 ${ads.length - 1} 行的新值与当前值相同，不会修改`)
    assert.equal(await edited.innerText(), to.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }))
    await page.mouse.move(0, 0)
    await shot(page, 'ads-import-current-values', { fullPage: false })
    await page.locator('[data-test=import-preview]', { hasText: `预览变更（${ads.length} 项）` }).click()
    const change = page.locator('[data-test=change-dialog]')
    await change.waitFor()
    assert.equal(await change.locator('[data-test=change-unchanged]').innerText(), `${ads.length - 1} 个对象已是该值，确认后不会提交修改，也不记入变更记录`)
    const item = change.locator('[data-test=change-items] tbody tr', { hasText: String(raised.id) })
    assert.equal((await item.locator('[data-test=after]').innerText()).trim(), to.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }))
    assert.match(await item.locator('[data-test=item-result]').innerText(), /可执行/)
    assert.equal(await change.locator('[data-test=item-result]', { hasText: '已是该值' }).count(), ads.length - 1)
    await dialog.waitFor({ state: 'detached' })
    await page.locator('.arco-modal').getByRole('button', { name: '取消', exact: true }).click()
    await change.waitFor({ state: 'detached' })

    // With rows ticked, 下载当前值 writes theirs only.
    const ticked = [ads[0], ads[2]]
    for (const a of ticked) await rowOf(page, a.id).locator('.arco-checkbox').click()
    await page.locator('[data-test=import-open]').click()
    await dialog.waitFor()
    const link = dialog.locator('[data-test=import-values]')
    assert.equal((await link.innerText()).trim(), '下载所选 2 项的当前值')
    const [picked] = await Promise.all([page.waitForEvent('download'), link.click()])
    const pickedFile = join(resultsDir, `ticked-${picked.suggestedFilename()}`)
    await picked.saveAs(pickedFile)
    const wb2 = new ExcelJS.Workbook()
    await wb2.xlsx.readFile(pickedFile)
    const ws2 = wb2.worksheets[0]
    assert.equal(ws2.rowCount, 3)
    assert.deepEqual([2, 3].map((r) => ws2.getRow(r).values.slice(1, 3)), ticked.map((a) => [String(a.id), Number(a.budget)]))
    await page.getByRole('button', { name: '取消', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
  })

  test('a change whose answer is lost on the way: 确认 again waits for it under its key, and it is made once', async () => {
    const ads = (await apiGet(stack.api, token, '/api/v1/ads?status=AD_STATUS_DELIVERY_OK&order_by=cost&page_size=50')).items
    const ad = ads.filter((a) => a.id !== paused.id && a.budget_mode === 'BUDGET_MODE_DAY' && Number(a.budget) > 0)[10]
    assert.ok(ad, 'a delivering ad with a daily budget')
    const budget = (Math.round(Number(ad.budget)) + 1000).toFixed(2)
    // The platform takes 6 s over the write; the page never sees the answer of the first request (the
    // server does get it), as when a long batch outlives the server's write timeout.
    await simPost(stack.sim, '/_sim/faults', { endpoint: '2/ad/update/budget', fault: { latency: '6s', count: 1 } })
    let lost
    await page.route(`**/api/v1/ads/${ad.id}/budget`, async (route) => {
      if (lost || route.request().method() !== 'PATCH' || route.request().url().includes('dry_run=true')) return route.continue()
      lost = route.fetch().catch(() => null)
      await route.abort('failed')
    })
    await page.goto(`${stack.api}/ads?keyword=${ad.id}`)
    await rowOf(page, ad.id).locator('[data-test=edit-amount]').first().click()
    await page.locator('[data-test=amount-input] input').fill(budget)
    await page.locator('[data-test=amount-preview]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    await page.locator('[data-test=change-confirm]').click()
    await dialog.locator('[data-test=change-error]', { hasText: '没有收到服务器的回复，操作可能仍在执行' }).waitFor()
    // The server is making it (its change recorded, pending): 确认 again waits for that one.
    await poll(async () => (await apiGet(stack.api, token, `/api/v1/changes?entity_id=${ad.id}&field=budget`)).items.some((c) => c.result === 'pending'),
      'the first request to be at the platform', 10_000, 100)
    await page.locator('[data-test=change-confirm]').click()
    await page.locator('.arco-message', { hasText: '该操作仍在执行中，正在等待结果' }).waitFor()
    await shot(page, 'change-answer-lost', { fullPage: false })
    await dialog.locator('[data-test=change-summary]', { hasText: /成功 1，失败 0，未知 0/ }).waitFor({ timeout: 30_000 })
    await page.unroute(`**/api/v1/ads/${ad.id}/budget`)
    await lost
    const log = (await apiGet(stack.api, token, `/api/v1/changes?entity_id=${ad.id}&field=budget`)).items
    assert.equal(log.length, 1, 'one change in the log')
    assert.equal(log[0].result, 'succeeded')
    assert.equal((await simEntity(stack.sim, ad.advertiser_id, 'ads', ad.id)).budget_fen, Math.round(Number(budget) * 100), 'the budget on the platform')
    await page.getByRole('button', { name: '关闭' }).click()
  })

  test('rolling the pause back restores the ad on the platform', async () => {
    const [change] = (await apiGet(stack.api, token, `/api/v1/changes?entity_id=${paused.id}&field=status`)).items
    await page.goto(`${stack.api}/changes?entity_id=${paused.id}`)
    await page.locator(`[data-test=rollback-${change.id}]`).click()
    await page.locator('.arco-modal').getByRole('button', { name: '回滚' }).click()
    await page.locator('.arco-message', { hasText: '变更已生效' }).waitFor()
    await poll(async () => {
      await page.reload()
      const row = page.locator(`tr:has([data-test="change-id-${change.id}"])`)
      return (await row.locator('[data-test=rolled-back]').count()) === 1
    }, 'the change to show as rolled back', 20_000, 1000)
    const e = await simEntity(stack.sim, paused.advertiser_id, 'ads', paused.id)
    assert.equal(e.opt_status, 'AD_STATUS_ENABLE', 'the sandbox has the ad enabled again')
    // the change names its ad as the mirror does, not only by id
    const entity = page.locator(`tr:has([data-test="change-id-${change.id}"]) [data-test=change-entity]`)
    assert.ok(paused.name, "the ad has a name")
    assert.equal((await entity.innerText()).trim(), `广告计划 ${paused.name}`)
    await shot(page, 'change-log-after-rollback')
    // 导出 CSV: the ad's two changes as the page filters them, newest (the rollback) first, in yuan and words of the API.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=changes-export]').click()])
    assert.match(download.suggestedFilename(), /^changes_\d{8}\.csv$/)
    const file = join(resultsDir, download.suggestedFilename())
    await download.saveAs(file)
    const [header, ...lines] = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').trim().split('\n').map((l) => l.split(','))
    const cell = (line, name) => line[header.indexOf(name)]
    assert.equal(lines.length, 2, 'the pause and its rollback')
    assert.equal(cell(lines[1], 'id'), String(change.id))
    assert.deepEqual([cell(lines[1], 'requested'), cell(lines[0], 'requested'), cell(lines[0], 'rollback_of')], ['disable', 'enable', String(change.id)])
    assert.equal(cell(lines[0], 'entity'), paused.name)
    // Filtered by the ad's account: that account's changes only, the account named in the picker.
    const acct = await apiGet(stack.api, token, `/api/v1/advertisers/${paused.advertiser_id}`)
    await page.goto(`${stack.api}/changes?advertiser_ids=${paused.advertiser_id}`)
    await page.locator('[data-test=changes-accounts]', { hasText: acct.name }).waitFor()
    const ofAccount = (await apiGet(stack.api, token, `/api/v1/changes?advertiser_ids=${paused.advertiser_id}&page_size=50`)).items
    await poll(async () => (await page.locator('[data-test=changes-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').count()) === ofAccount.length,
      "the account's changes", 10_000, 200)
    assert.ok(ofAccount.every((c) => c.advertiser_id === paused.advertiser_id))
    await page.goto(`${stack.api}/changes`)
    await page.locator('[data-test=changes-table] tbody tr').first().waitFor()
    await shot(page, 'change-log')
  })

  test('three ads paused in one batch are rolled back at once from the change log; the one changed since is not, with its reason', async () => {
    // Three delivering ads the other tests leave alone (without a daily
    // budget: the scheduled change takes the least spending one with),
    // paused in one request: its changes share a request id.
    // (Else three of the most spending but the top one, which the rule takes.)
    const all = (await apiGet(stack.api, token, '/api/v1/ads?status=AD_STATUS_DELIVERY_OK&order_by=cost&page_size=200')).items.filter((a) => a.id !== paused.id)
    const ads = all.filter((a) => a.budget_mode !== 'BUDGET_MODE_DAY')
    const trio = ads.length >= 3 ? ads.slice(0, 3) : all.slice(-4, -1)
    assert.equal(trio.length, 3, 'three delivering ads')
    await apiPost(stack.api, token, '/api/v1/ads/batch/status', { ids: trio.map((a) => a.id), status: 'disable' }, { 'Idempotency-Key': `e2e-batch-pause-${Date.now()}` })
    const changes = []
    for (const a of trio) changes.push((await apiGet(stack.api, token, `/api/v1/changes?entity_id=${a.id}&field=status`)).items[0])
    assert.ok(changes.every((c) => c.request_id === changes[0].request_id), 'one request')
    // The third ad is switched on again meanwhile: its pause is no longer its latest change.
    const [, , changed] = trio
    await apiSend('PATCH', stack.api, token, `/api/v1/ads/${changed.id}/status`, { status: 'enable' }, { 'Idempotency-Key': `e2e-enable-${Date.now()}` })
    const [newer] = (await apiGet(stack.api, token, `/api/v1/changes?entity_id=${changed.id}&field=status`)).items

    // The row of a change leads to its batch; its three rows are selected and rolled back at once.
    await page.goto(`${stack.api}/changes?entity_id=${trio[0].id}`)
    await page.locator(`tr:has([data-test="change-id-${changes[0].id}"]) [data-test=same-request]`).click()
    await page.waitForURL((u) => u.searchParams.get('request_id') === changes[0].request_id && !u.searchParams.get('entity_id'))
    await page.locator('[data-test=request-filter]').waitFor()
    for (const c of changes) await page.locator(`tr:has([data-test="change-id-${c.id}"]) .arco-checkbox`).click()
    const bar = page.locator('[data-test=batch-bar]')
    await bar.waitFor()
    await shot(page, 'change-log-batch-selected')
    await bar.locator('[data-test=batch-rollback]', { hasText: '批量回滚（3）' }).click()
    const list = page.locator('[data-test=batch-rollback-list]')
    await list.waitFor()
    const lines = await list.locator('li').allInnerTexts()
    assert.equal(lines.length, 3)
    for (const l of lines) assert.match(l, /广告计划 .+：状态 暂停 → 开启/, 'each line says what is restored, in words')
    await shot(page, 'change-log-batch-rollback-confirm', { fullPage: false })
    // A double click sends the rollback once (one Idempotency-Key per dialog).
    await page.locator('.arco-modal').getByRole('button', { name: '批量回滚（3）' }).dblclick()
    const outcome = page.locator('[data-test=batch-rollback-outcome]')
    await outcome.waitFor()
    const said = await outcome.innerText()
    assert.match(said, /成功 2 \/ 未执行 1/)
    // naming the ad as its row does, by name
    assert.ok(said.includes(`#${changes[2].id}：广告计划 ${changed.name} 的状态之后又被变更 #${newer.id} 修改；请先回滚那一条`), `the refusal in words: ${said}`)
    await shot(page, 'change-log-batch-rollback-result', { fullPage: false })
    await page.locator('.arco-modal').getByRole('button', { name: /确定|OK/ }).click()
    await poll(async () => {
      await page.reload()
      return (await page.locator('[data-test=changes-table] [data-test=rolled-back]').count()) === 2
    }, 'two changes to show as rolled back', 20_000, 1000)
    await shot(page, 'change-log-batch-rolled-back')
    for (const a of trio) {
      const e = await simEntity(stack.sim, a.advertiser_id, 'ads', a.id)
      assert.equal(e.opt_status, 'AD_STATUS_ENABLE', `the sandbox has ad ${a.id} enabled`)
    }
    const rollbacks = (await apiGet(stack.api, token, `/api/v1/changes?rollbacks=true&entity_id=${trio[0].id}`)).items
    assert.equal(rollbacks.length, 1, 'one rollback despite the double click')
    // The shortcut takes what is left of the batch: the change refused.
    await page.locator('[data-test=rollback-request]', { hasText: '回滚这批修改' }).click()
    await list.waitFor()
    assert.equal(await list.locator('li').count(), 1)
    assert.match(await list.innerText(), new RegExp(`#${changes[2].id} `))
    await page.locator('.arco-modal').getByRole('button', { name: '取消' }).click()
  })

  test('the campaign, project and promotion tables list the mirror', async () => {
    for (const kind of ['campaigns', 'projects', 'promotions']) {
      await page.goto(`${stack.api}/${kind}`)
      await page.locator(`[data-test=entities-${kind}] tbody tr.arco-table-tr:not(.arco-table-tr-empty)`).first().waitFor()
      await shot(page, `${kind}-table`)
    }
  })

  test('budgets raised 10% in a batch: each from its own value, exact to the fen, the unlimited one left as it is; dry run only', async () => {
    const campaigns = (await apiGet(stack.api, token, '/api/v1/campaigns?page_size=200')).items
    const byAdv = new Map()
    for (const c of campaigns) byAdv.set(c.advertiser_id, [...(byAdv.get(c.advertiser_id) ?? []), c])
    const [adv, theirs] = [...byAdv].find(([, cs]) => cs.filter((c) => c.budget_mode === 'BUDGET_MODE_DAY').length >= 2 && cs.some((c) => c.budget_mode === 'BUDGET_MODE_INFINITE'))
    const limited = theirs.filter((c) => c.budget_mode === 'BUDGET_MODE_DAY').slice(0, 2)
    const unlimited = theirs.find((c) => c.budget_mode === 'BUDGET_MODE_INFINITE')
    await page.goto(`${stack.api}/campaigns?advertiser_ids=${adv}&page_size=50`)
    for (const c of [...limited, unlimited]) await rowOf(page, c.id).locator('.arco-checkbox').click()
    await page.locator('[data-test=batch-bar]', { hasText: '已选 3 项' }).waitFor()
    await page.locator('[data-test=batch-budget]').click()
    const dlg = page.locator('[data-test=batch-dialog]')
    await dlg.locator('[data-test=batch-how]').getByText('上调', { exact: true }).click()
    await dlg.locator('[data-test=batch-value] input').fill('10')
    const summary = await dlg.locator('[data-test=batch-adjust-summary]').innerText()
    assert.match(summary, /将调整 3 项中的 2 项/)
    assert.match(summary, /1 项预算不限，不调整/)
    await shot(page, 'campaigns-batch-raise', { fullPage: false })
    await page.locator('[data-test=batch-preview]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    assert.equal(await dialog.locator('[data-test=change-items] tbody tr').count(), 2, 'the unlimited one is not sent')
    const yuan = (fen) => (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    for (const c of limited) {
      const fen = Math.round(Number(c.budget) * 100)
      const want = Math.floor((fen * 11_000 * 2 + 10_000) / 20_000) // × 1.1, half up to the fen
      const row = dialog.locator('[data-test=change-items] tbody tr', { hasText: String(c.id) })
      assert.equal((await row.locator('[data-test=after]').innerText()).trim(), yuan(want), `campaign ${c.id}: ${c.budget} raised 10%`)
      assert.match(await row.locator('[data-test=item-result]').innerText(), /可执行/)
    }
    await shot(page, 'campaigns-batch-raise-preview', { fullPage: false })
    await page.locator('.arco-modal').getByRole('button', { name: '取消', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })
    assert.equal((await apiGet(stack.api, token, `/api/v1/changes?entity_id=${limited[0].id}&page_size=1`)).total, 0, 'a dry run changes nothing')
  })

  test('a budget change scheduled from the ads table is listed as 待执行; another is moved to a later time, then cancelled, and one that ran meanwhile says so', async () => {
    // A delivering ad with a daily budget that the other tests leave alone
    // (the rule test takes the top spender), raised by 1,000: no rule of the
    // moment (today's spend, the least move, the bid) can refuse it when it runs.
    const ads = (await apiGet(stack.api, token, '/api/v1/ads?status=AD_STATUS_DELIVERY_OK&order_by=cost&page_size=50')).items
    const ad = ads.find((a) => a.id !== paused.id && a.budget_mode === 'BUDGET_MODE_DAY' && Number(a.budget) > 0)
    assert.ok(ad, 'a delivering ad with a daily budget')
    const budget = (Math.round(Number(ad.budget)) + 1000).toFixed(2)
    await page.goto(`${stack.api}/ads?keyword=${ad.id}`)
    const row = rowOf(page, ad.id)
    await row.locator('[data-test=edit-amount]').first().click()
    await page.locator('[data-test=amount-input] input').fill(budget)
    await page.locator('[data-test=amount-preview]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    await dialog.locator('[data-test=when-later]').click()
    // Beijing time whatever the browser's zone (UTC here): the next full hour to start with, a time about 70 s on typed.
    const runAt = dialog.locator('[data-test=run-at] input')
    assert.match(await runAt.inputValue(), /^\d{4}-\d{2}-\d{2} \d{2}:00$/, 'the picker starts at a full hour')
    const wall = beijingMinuteAfter(70_000)
    // typed into the open picker, Enter takes it
    await runAt.click()
    await runAt.fill(wall)
    await runAt.press('Enter')
    assert.equal(await runAt.inputValue(), wall)
    await dialog.locator('[data-test=schedule-note] input').fill('e2e：预算上调')
    assert.match(await dialog.innerText(), /到执行时间会按当时的数据再检查一次/)
    await shot(page, 'scheduled-dialog-form', { fullPage: false })
    const at = Date.now()
    await page.locator('[data-test=change-confirm]').dblclick()
    const created = dialog.locator('[data-test=scheduled-created]')
    await created.waitFor()
    const money = Number(budget).toLocaleString('en-US', { minimumFractionDigits: 2 })
    assert.match(await created.innerText(), new RegExp(`已创建定时操作 #\\d+：预算 → ${money} 元，北京时间 ${wall}（[12] 分钟后）执行`))
    await shot(page, 'scheduled-dialog', { fullPage: false })
    const mine = (await apiGet(stack.api, token, `/api/v1/scheduled-changes?entity_id=${ad.id}`)).items
    assert.equal(mine.length, 1, 'scheduled once despite the double click')
    const [sc] = mine
    assert.equal(sc.status, 'scheduled')
    assert.equal(sc.run_at.slice(0, 16), new Date(Date.parse(`${wall.replace(' ', 'T')}:00+08:00`)).toISOString().slice(0, 16))
    assert.deepEqual(sc.items.map((i) => [i.id, Number(i.value)]), [[ad.id, Number(budget)]])
    later = { id: sc.id, ad, budget, at }
    await page.getByRole('button', { name: '关闭' }).click()

    // Another ad (a small spender) raised by 1,000 at the same time; set by hand meanwhile to 50 below that, the
    // change is refused when it runs (a move of less than 100), and says so in words.
    const other = ads.filter((a) => ![paused.id, ad.id].includes(a.id) && a.advertiser_id !== ad.advertiser_id && a.budget_mode === 'BUDGET_MODE_DAY' && Number(a.budget) > 0).at(-1)
    assert.ok(other, 'a second delivering ad with a daily budget')
    const raised = Math.round(Number(other.budget)) + 1000
    const doomedSc = await apiPost(stack.api, token, '/api/v1/scheduled-changes', { kind: 'ad', op: 'budget', run_at: sc.run_at, ids: [other.id], budget: raised.toFixed(2), note: 'e2e：将被拒绝' })
    const current = (raised - 50).toFixed(2)
    await apiSend('PATCH', stack.api, token, `/api/v1/ads/${other.id}/budget`, { budget: current }, { 'Idempotency-Key': `e2e-doomed-${Date.now()}` })
    doomed = { id: doomedSc.id, ad: other, current }

    // A move of 50 is refused now (less than 100 from the current budget): a rule of the moment, so
    // the dialog offers 定时执行 alone, says why, and the answer lists it as a warning.
    await row.locator('[data-test=edit-amount]').first().click()
    await page.locator('[data-test=amount-input] input').fill((Number(ad.budget) + 50).toFixed(2))
    await page.locator('[data-test=amount-preview]').click()
    await dialog.waitFor()
    const refused = dialog.locator('[data-test=refused-now]')
    await refused.waitFor()
    assert.match(await refused.innerText(), /按当前数据不能立即执行[\s\S]*至少相差 100\.00 元/)
    assert.ok(await dialog.locator('[data-test=when-now] input').isDisabled(), '立即执行 is not offered')
    await shot(page, 'scheduled-refused-now', { fullPage: false })
    await page.locator('[data-test=change-confirm]').click()
    await dialog.locator('[data-test=scheduled-created]').waitFor()
    assert.match(await dialog.locator('[data-test=scheduled-warnings]').innerText(), /执行时会再次检查[\s\S]*至少相差 100\.00 元/)
    await shot(page, 'scheduled-warnings', { fullPage: false })
    const [warned] = (await apiGet(stack.api, token, `/api/v1/scheduled-changes?entity_id=${ad.id}`)).items.filter((c) => c.id !== later.id)
    assert.ok(warned, 'the second change was scheduled')
    await apiPost(stack.api, token, `/api/v1/scheduled-changes/${warned.id}/cancel`, {})
    await dialog.locator('[data-test=scheduled-view]').click()
    await page.waitForURL(/\/scheduled/)

    // Two more for tomorrow, through the API: one cancelled from the page, one cancelled behind its back.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString()
    const body = { kind: 'ad', op: 'status', run_at: tomorrow, ids: [ad.id], status: 'disable' }
    const toCancel = await apiPost(stack.api, token, '/api/v1/scheduled-changes', { ...body, note: 'e2e：页面取消' })
    const ranOff = await apiPost(stack.api, token, '/api/v1/scheduled-changes', { ...body, note: 'e2e：已被取消' })
    await page.reload()
    // 待执行 by default, earliest first: what comes next on top.
    const first = scheduledRow(page, later.id)
    await first.waitFor()
    const text = await first.innerText()
    assert.ok(text.includes(ad.name), 'the row names the ad')
    assert.match(text, new RegExp(`${wall}[\\s\\S]*广告计划 × 1[\\s\\S]*预算 → ${money} 元[\\s\\S]*待执行[\\s\\S]*admin[\\s\\S]*e2e：预算上调`))
    assert.match(await scheduledRow(page, toCancel.id).innerText(), /状态 → 暂停[\s\S]*待执行/)
    const order = await page.locator('[data-test=scheduled-table] [data-test^=scheduled-detail-]').evaluateAll((els) => els.map((e) => e.dataset.test))
    assert.deepEqual(order, [later.id, doomed.id, toCancel.id, ranOff.id].map((id) => `scheduled-detail-${id}`))
    await shot(page, 'scheduled')

    // 改时间: the picker starts at its time (Beijing); moved two hours on, the row shows the new time.
    const wallOf = (at) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
    await page.locator(`[data-test=scheduled-move-${toCancel.id}]`).click()
    const moveDialog = page.locator('.arco-modal', { has: page.locator('[data-test=move-dialog]') })
    const moveAt = moveDialog.locator('[data-test=move-run-at] input')
    assert.equal(await moveAt.inputValue(), wallOf(toCancel.run_at), 'the picker starts at the change\'s time')
    assert.match(await moveDialog.innerText(), new RegExp(`状态 → 暂停（广告计划 × 1），原定北京时间 ${wallOf(toCancel.run_at)} 执行`))
    const movedWall = wallOf(new Date(Date.parse(toCancel.run_at) + 2 * 3_600_000).toISOString())
    await moveAt.click()
    await moveAt.fill(movedWall)
    await moveAt.press('Enter')
    await moveDialog.locator('.arco-modal-title').click() // the picker's panel closed, the note in view
    await page.evaluate(() => window.scrollTo(0, 0)) // where the clicks scrolled the page under the dialog
    assert.equal(await moveAt.inputValue(), movedWall)
    await shot(page, 'scheduled-move', { fullPage: false })
    await moveDialog.getByRole('button', { name: '保存' }).click()
    await page.locator('.arco-message', { hasText: new RegExp(`定时操作 #${toCancel.id} 改为北京时间 ${movedWall}（\\d+ 小时后）执行`) }).waitFor()
    await poll(async () => (await scheduledRow(page, toCancel.id).innerText()).includes(movedWall), 'the new time in the row', 10_000, 300)
    assert.equal(wallOf((await apiGet(stack.api, token, `/api/v1/scheduled-changes/${toCancel.id}`)).run_at), movedWall)
    await shot(page, 'scheduled-moved', { fullPage: false })

    await page.locator(`[data-test=scheduled-cancel-${toCancel.id}]`).click()
    const confirmBox = page.locator('.arco-modal', { hasText: `取消定时操作 #${toCancel.id}` })
    assert.match(await confirmBox.innerText(), /状态 → 暂停（广告计划 × 1）将不会在北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 执行/)
    await confirmBox.getByRole('button', { name: '取消定时操作' }).click()
    await page.locator('.arco-message', { hasText: '定时操作已取消' }).waitFor()
    await poll(async () => (await scheduledRow(page, toCancel.id).count()) === 0, 'the cancelled change to leave 待执行', 10_000, 300)

    // Cancelled elsewhere after the page was read: the page says it no longer waits and reads the list again.
    await apiPost(stack.api, token, `/api/v1/scheduled-changes/${ranOff.id}/cancel`, {})
    await page.locator(`[data-test=scheduled-cancel-${ranOff.id}]`).click()
    await page.locator('.arco-modal', { hasText: `取消定时操作 #${ranOff.id}` }).getByRole('button', { name: '取消定时操作' }).click()
    await page.locator('.arco-message', { hasText: '该定时操作已开始执行或已被取消' }).waitFor()
    await poll(async () => (await scheduledRow(page, ranOff.id).count()) === 0, 'the list to be read again', 10_000, 300)

    await page.locator('[data-test=scheduled-status]').getByText('已取消').click()
    await page.waitForURL(/status=canceled/)
    for (const id of [toCancel.id, ranOff.id]) {
      await scheduledRow(page, id).waitFor()
      assert.match(await scheduledRow(page, id).locator('[data-test=scheduled-state]').innerText(), /已取消/)
      assert.equal(await page.locator(`[data-test=scheduled-cancel-${id}]`).count(), 0, 'no cancel on a cancelled change')
    }
    await page.locator(`[data-test=scheduled-detail-${toCancel.id}]`).click()
    const detail = page.locator('[data-test=scheduled-detail]')
    await detail.locator('[data-test=scheduled-items]').waitFor()
    assert.match(await detail.innerText(), /已取消[\s\S]*取消人[\s\S]*admin[\s\S]*e2e：页面取消/)
    await shot(page, 'scheduled-canceled-detail', { fullPage: false })
    await page.keyboard.press('Escape')
  })

  test('the report explorer: a 7-day ad report whose totals are the API\'s, hourly chart, the same view from its URL', async () => {
    await page.goto(`${stack.api}/reports`)
    await page.locator('[data-test=report-table]').waitFor()
    await page.locator('[data-test=level]').getByText('广告计划', { exact: true }).click()
    await page.locator('[data-test=date-range]').click()
    // The preset is the 7 days before the Beijing date of the click. A run
    // passing Beijing midnight (16:00 UTC) here reads another date after it,
    // and the level's URL holds the range of the page's load: wait for the
    // range of the date just before or just after the click.
    const clickedOn = [beijingToday()]
    await page.getByText('过去 7 天', { exact: true }).click()
    clickedOn.push(beijingToday())
    await page.waitForURL(/level=ad&/)
    const last7 = (u) => clickedOn.some((d) => u.searchParams.get('from') === addDays(d, -7) && u.searchParams.get('to') === addDays(d, -1))
    await page.waitForURL(last7)
    const [from, to] = ['from', 'to'].map((k) => new URL(page.url()).searchParams.get(k))
    const want = await apiGet(stack.api, token, `/api/v1/reports?level=ad&from=${from}&to=${to}&group_by=entity&page_size=1`)
    assert.ok(want.total > 0 && Number(want.summary.cost) > 0, 'the sandbox has spend in the last 7 days')
    await checkTotals(want)
    await shot(page, 'reports-ad-7-days')

    // Hourly: the chart asks for every hour and draws it.
    const hourly = page.waitForResponse((r) => r.url().includes('/api/v1/reports?') && r.url().includes('granularity=hour') && /group_by=date&group_by=hour|group_by=date%2Chour/.test(r.url()))
    await page.locator('[data-test=granularity]').getByText('按小时').click()
    const points = (await (await hourly).json()).data.items
    assert.ok(points.length >= 24 && points.every((p) => p.hour >= 0 && p.hour <= 23), `hourly points: ${points.length}`)
    await page.locator('[data-test=report-chart] canvas').waitFor()
    await page.waitForURL(/granularity=hour/)
    await checkTotals(await apiGet(stack.api, token, `/api/v1/reports?level=ad&from=${from}&to=${to}&granularity=hour&group_by=entity&page_size=1`))
    await page.locator('[data-test=compare]').click()
    await page.waitForURL(/compare=previous/)
    await page.locator('[data-test=report-table] .change').first().waitFor()
    await page.locator('[data-test=report-chart] canvas').first().hover({ position: { x: 400, y: 120 } })
    await shot(page, 'reports-hourly-compared')

    // The same view from its URL alone, in a fresh page.
    const url = page.url()
    const before = await viewOf(page)
    const p = await newPage(browser)
    await signIn(p, stack.admin.username, stack.admin.password)
    await p.waitForURL(/\/dashboard/)
    await p.goto(url)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await poll(async () => JSON.stringify(await viewOf(p)) === JSON.stringify(before), 'the same view after loading the URL', 20_000, 500)
    assert.equal(p.url(), url)
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()
  })

  test('常用报表: the view saved by name with its range rolling, opened from the list on the default report, renamed and unshared, then deleted', async () => {
    // In a page of its own: the next tests go on from the main page's view.
    const url = page.url()
    const p = await newPage(browser)
    await signIn(p, stack.admin.username, stack.admin.password)
    await p.waitForURL(/\/dashboard/)
    await p.goto(url)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    const before = await viewOf(p)
    await p.locator('[data-test=view-save]').click()
    const dlg = p.locator('[data-test=view-dialog]')
    await dlg.waitFor()
    assert.match(await dlg.locator('[data-test=view-rolling]').innerText(), /按「截至昨天的近 7 天」保存/)
    await dlg.locator('[data-test=view-name] input').fill('计划近 7 天 · 按小时对比')
    await dlg.locator('[data-test=view-shared]').click()
    await p.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await p.locator('.arco-message', { hasText: '已保存常用报表「计划近 7 天 · 按小时对比」' }).waitFor()
    const [saved] = await apiGet(stack.api, token, '/api/v1/report-views')
    assert.ok(saved && saved.shared && saved.own, JSON.stringify(saved))
    const kept = new URLSearchParams(saved.query)
    assert.deepEqual([kept.get('level'), kept.get('granularity'), kept.get('compare'), kept.get('span'), kept.get('end'), kept.get('from')], ['ad', 'hour', 'previous', '7', '1', null])

    // From the default report, the view opens as saved: the same dates today.
    await p.goto(`${stack.api}/reports`)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await p.locator('[data-test=views]').click()
    const item = p.locator(`[data-test=view-${saved.id}]`)
    assert.match(await item.innerText(), /计划近 7 天 · 按小时对比 · 日期滚动 · 已共享/)
    await shot(p, 'reports-saved-views', { fullPage: false })
    await item.locator('.name').click()
    await p.waitForURL((u) => u.searchParams.get('level') === 'ad' && u.searchParams.get('granularity') === 'hour')
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await poll(async () => JSON.stringify(await viewOf(p)) === JSON.stringify(before), 'the saved view opened as it was saved', 20_000, 500)

    // Renamed and no longer shared, the view keeps its report.
    await p.locator('[data-test=views]').click()
    await p.locator(`[data-test=view-edit-${saved.id}]`).click()
    await dlg.waitFor()
    assert.match(await dlg.locator('[data-test=view-kept]').innerText(), /截至昨天的近 7 天，日期随打开时滚动/)
    await dlg.locator('[data-test=view-name] input').fill('计划近 7 天 · 按小时')
    await dlg.locator('[data-test=view-shared]').click()
    await shot(p, 'reports-saved-view-edit', { fullPage: false })
    await p.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await p.locator('.arco-message', { hasText: '已更新常用报表「计划近 7 天 · 按小时」' }).waitFor()
    const [edited] = await apiGet(stack.api, token, '/api/v1/report-views')
    assert.deepEqual([edited.id, edited.name, edited.shared, edited.query], [saved.id, '计划近 7 天 · 按小时', false, saved.query])

    await p.locator('[data-test=views]').click()
    const listed = p.locator(`[data-test=view-${saved.id}]`)
    await poll(async () => /^计划近 7 天 · 按小时 · 日期滚动编辑删除$/.test(await listed.innerText()), 'the list naming the view anew, not shared', 10_000, 200)
    await p.locator(`[data-test=view-delete-${saved.id}]`).click()
    await p.locator('.arco-modal').getByRole('button', { name: '删除' }).click()
    await p.locator('.arco-message', { hasText: '已删除' }).waitFor()
    assert.deepEqual(await apiGet(stack.api, token, '/api/v1/report-views'), [])
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()
  })

  test('a page of 500 hourly rows renders virtualised, with the totals', async () => {
    const q = new URL(page.url()).searchParams
    const big = `${stack.api}/reports?level=ad&from=${q.get('from')}&to=${q.get('to')}&granularity=hour&group_by=date,hour,entity&page_size=500`
    const want = await apiGet(stack.api, token, `/api/v1/reports?level=ad&from=${q.get('from')}&to=${q.get('to')}&granularity=hour&group_by=date,hour,entity&page_size=500`)
    assert.equal(want.items.length, 500, 'the sandbox has more than 500 hourly ad rows in the range')
    const t0 = Date.now()
    await page.goto(big)
    await page.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await poll(async () => (await page.locator('[data-test=report-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').count()) > 0, 'rows', 20_000, 100)
    console.log(`e2e: 500-row report page shown in ${Date.now() - t0} ms (navigation, both queries and rendering)`)
    const rendered = await page.locator('[data-test=report-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').count()
    assert.ok(rendered < 100, `only the visible rows are in the DOM (${rendered} of 500)`)
    assert.equal((await page.locator('[data-test=report-table] [data-test=total-cost]').innerText()).replaceAll(',', ''), want.summary.cost)
    // Scrolling reaches the last row of the page.
    await page.locator('[data-test=report-table] .arco-scrollbar-container, [data-test=report-table] .arco-virtual-list').last().evaluate((el) => el.scrollTo(0, el.scrollHeight))
    const last = want.items[499]
    await page.locator('[data-test=report-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: String(last.entity_id) }).last().waitFor()
    await shot(page, 'reports-500-rows')
  })

  test('an XLSX export of the view reaches 100% and its total line is the API\'s', async () => {
    await page.goBack()
    await page.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    const q = new URL(page.url()).searchParams
    assert.equal(q.get('granularity'), 'hour')
    await page.locator('[data-test=export]').click()
    await page.locator('[data-test=export-xlsx]').click()
    const dialog = page.locator('[data-test=export-dialog]')
    await dialog.waitFor()
    await poll(async () => /100%/.test(await dialog.locator('[data-test=job-percent]').innerText()) && (await dialog.locator('[data-test=export-download]').count()) > 0, 'the export to reach 100%', 60_000, 300)
    await shot(page, 'reports-export-done')
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.locator('[data-test=export-download]').click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const file = join(resultsDir, download.suggestedFilename())
    await download.saveAs(file)
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(file)
    const sheet = book.worksheets[0]
    const header = sheet.getRow(1).values.slice(1)
    const last = sheet.getRow(sheet.actualRowCount).values.slice(1)
    assert.equal(last[0], 'total', 'the last line is the total')
    const want = await apiGet(stack.api, token, `/api/v1/reports?level=ad&from=${q.get('from')}&to=${q.get('to')}&granularity=hour&group_by=entity&page_size=1`)
    const col = (name) => last[header.indexOf(name)]
    assert.equal(Number(col('cost')).toFixed(2), want.summary.cost)
    for (const m of ['show', 'click', 'convert']) assert.equal(Number(col(m)), want.summary[m], m)
    assert.equal(sheet.actualRowCount, want.total + 2, 'a header, every row and the total')
    await page.getByRole('button', { name: '关闭' }).click()
    await page.goto(`${stack.api}/exports`)
    await page.locator('[data-test=exports-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    assert.match(await page.locator('[data-test=exports-table] tbody tr').first().innerText(), /广告计划[\s\S]*按小时[\s\S]*XLSX[\s\S]*过期/)
    await shot(page, 'exports')

    // A report opened from a link on an ad far down the list: the picker names the ad, not only its id.
    const [quiet] = (await apiGet(stack.api, token, '/api/v1/ads?order_by=cost&page_size=1')).items
    await page.goto(`${stack.api}/reports?level=ad&entity_ids=${quiet.id}`)
    await page.locator('[data-test=entity-picker]', { hasText: `${quiet.name} · ${quiet.id}` }).waitFor()
  })

  test('an admin creates a user with two accounts; the user first replaces the password the admin chose, then sees only those accounts, and no admin page', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const two = leaves.slice(0, 2)
    await page.goto(`${stack.api}/users`)
    await page.locator('[data-test=users-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await page.locator('[data-test=user-create]').click()
    const form = page.locator('[data-test=user-form]')
    await form.waitFor()
    await form.locator('[data-test=user-username] input').fill(scoped.username)
    await form.locator('[data-test=user-password] input').fill(scoped.password)
    assert.ok(await form.locator('[data-test=user-must-change] input').isChecked(), 'a new user must choose their own password by default')
    for (const a of two) {
      await form.locator('[data-test=account-picker]').click()
      await page.keyboard.type(String(a.id))
      await page.locator('.arco-tree-node', { hasText: String(a.id) }).locator('.arco-checkbox').click()
    }
    await page.locator('.arco-drawer-title').click() // closes the picker, not the drawer
    await shot(page, 'users-create')
    await page.locator('[data-test=user-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await rowOf(page, scoped.username).waitFor()
    const created = (await apiGet(stack.api, token, `/api/v1/users?q=${scoped.username}`)).items[0]
    scoped.id = created.id
    const scope = await apiGet(stack.api, token, `/api/v1/users/${created.id}/advertisers`)
    assert.deepEqual(scope.advertiser_ids.sort(), two.map((a) => a.id).sort(), 'the scope is the two accounts picked')
    assert.equal(created.must_change_password, true)
    await rowOf(page, scoped.username).locator('[data-test=user-password-due]', { hasText: '待设置新密码' }).waitFor()
    await shot(page, 'users')

    // The first sign-in asks for a password of her own before anything else; the API refuses the rest meanwhile.
    const p = await newPage(browser)
    await signIn(p, scoped.username, scoped.password)
    await p.waitForURL(/\/dashboard/)
    const required = p.locator('[data-test=own-password]')
    await required.locator('[data-test=own-password-required]', { hasText: '你的密码由管理员设置' }).waitFor()
    assert.equal(await p.locator('.arco-modal .arco-modal-close-btn').count(), 0, 'the dialog cannot be closed')
    assert.equal(await p.locator('[data-test=dashboard-span]').count(), 0, 'no page behind the dialog')
    const early = await fetch(`${stack.api}/api/v1/advertisers`, { headers: { Authorization: `Bearer ${await login(stack.api, scoped.username, scoped.password)}` } })
    assert.equal(early.status, 403)
    assert.equal((await early.json()).reason, 'password_change_required')
    await shot(p, 'password-required')
    const chosen = 'Juniper-Atlas-Quill-36'
    await required.locator('[data-test=own-password-current] input').fill(scoped.password)
    await required.locator('[data-test=own-password-new] input').fill(chosen)
    await required.locator('[data-test=own-password-repeat] input').fill(chosen)
    await p.locator('.arco-modal').getByRole('button', { name: '修改密码' }).click()
    await required.waitFor({ state: 'detached' })
    scoped.password = chosen
    await p.locator('[data-test=dashboard-span]').waitFor()
    assert.equal((await apiGet(stack.api, token, `/api/v1/users/${created.id}`)).must_change_password, false, 'the flag is cleared')
    await p.goto(`${stack.api}/accounts`)
    await p.locator('[data-test=accounts-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    const shown = await p.locator('[data-test=accounts-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').allInnerTexts()
    assert.equal(shown.length, 2, `rows: ${shown.join(' | ')}`)
    for (const a of two) assert.ok(shown.some((r) => r.includes(String(a.id))), `account ${a.id} is listed`)
    await shot(p, 'scoped-user-accounts')
    await p.goto(`${stack.api}/reports?level=advertiser&from=${addDays(beijingToday(), -7)}&to=${beijingToday()}`)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await poll(async () => (await p.locator('[data-test=report-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').count()) === 2, 'two advertisers in the report', 20_000, 500)
    assert.equal(await p.locator('[data-test=nav-users]').count(), 0, 'no admin menu')
    for (const admin of ['users', 'audit', 'guardrails']) {
      await p.goto(`${stack.api}/${admin}`)
      await p.waitForURL(/\/accounts/)
    }
    await p.locator('.arco-message', { hasText: '没有权限访问该页面' }).first().waitFor()
    await shot(p, 'scoped-user-denied')
    const own = session(stack.api, scoped.username, scoped.password)
    for (const path of ['/api/v1/users', '/api/v1/audit', '/api/v1/guardrails', '/api/v1/system/quota']) {
      const r = await fetch(`${stack.api}${path}`, { headers: { Authorization: `Bearer ${await own.token()}` } })
      assert.equal(r.status, 403, `${path} answers ${r.status}`)
    }
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()

    // The admin sees the user's session and ends it.
    await page.locator(`[data-test=user-sessions-${scoped.username}]`).click()
    await page.locator('[data-test=sessions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await shot(page, 'users-sessions')
    await page.keyboard.press('Escape')
  })

  test('the audit log shows who created the user', async () => {
    await page.goto(`${stack.api}/audit?action=user.create`)
    // The user's id is a small number: found as the whole target, not as a digit of a time or an address.
    const target = page.locator('[data-test=audit-target]', { hasText: new RegExp(`^${scoped.id}$`) })
    const row = page.locator('[data-test=audit-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { has: target }).first()
    await row.waitFor()
    assert.match(await row.innerText(), new RegExp(`admin[\\s\\S]*新建用户[\\s\\S]*user\\.create[\\s\\S]*user ${scoped.id}[\\s\\S]*成功`))
    await row.click()
    const detail = page.locator('[data-test=audit-detail]')
    await detail.waitFor()
    assert.match(await detail.innerText(), new RegExp(`"username": "${scoped.username}"`))
    await shot(page, 'audit-entry')
    await page.keyboard.press('Escape')
    // 导出 CSV: the user.create entries as filtered, the user's among them, as many as the API counts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=audit-export]').click()])
    assert.match(download.suggestedFilename(), /^audit_\d{8}\.csv$/)
    const file = join(resultsDir, download.suggestedFilename())
    await download.saveAs(file)
    const [header, ...lines] = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '').trim().split('\n')
    assert.ok(header.startsWith('id,occurred_at_beijing,'), header)
    assert.equal(lines.length, (await apiGet(stack.api, token, '/api/v1/audit?action=user.create&page_size=1')).total)
    assert.ok(lines.some((l) => l.includes(',user.create,user,' + scoped.id + ',success,')), 'the user\'s entry')
    await page.goto(`${stack.api}/audit`)
    await page.locator('[data-test=audit-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await shot(page, 'audit')

    // Every action the API records is offered in words, its identifier beside them.
    const actions = await apiGet(stack.api, token, '/api/v1/audit/actions')
    await page.locator('[data-test=audit-action]').click()
    // (the page's other selects keep their closed dropdowns in the page, hidden)
    const options = page.locator('.arco-select-option', { has: page.locator('[data-test=audit-action-label]') })
    await options.first().waitFor()
    const offered = new Map(await options.evaluateAll((els) => els.map((el) => [
      el.querySelector('.ident')?.textContent?.trim(), el.querySelector('[data-test=audit-action-label]')?.textContent?.trim(),
    ])))
    assert.ok(actions.length > 40, `the API lists ${actions.length} actions`)
    assert.deepEqual(actions.filter((a) => !offered.get(a) || offered.get(a) === a), [], 'actions offered without words')
    await shot(page, 'audit-labels')
    await page.keyboard.press('Escape')

    // An ad operation's entry leads to the change log of the ad it changed.
    await page.goto(`${stack.api}/audit?action=ad.update_status&target_id=${paused.id}`)
    const pause = page.locator('[data-test=audit-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first()
    await pause.waitFor()
    await pause.click()
    const related = page.locator('[data-test=audit-related]')
    await related.waitFor()
    await shot(page, 'audit-entry-related')
    await related.getByRole('link', { name: '该对象的变更记录' }).click()
    await page.waitForURL((u) => u.pathname === '/changes' && u.searchParams.get('kind') === 'ad' && u.searchParams.get('entity_id') === String(paused.id))
    const entity = page.locator('[data-test=changes-table] [data-test=change-entity]').first()
    await entity.waitFor()
    assert.ok((await entity.innerText()).includes(paused.name), 'the change log lists the ad the entry changed')
  })

  test('guard rails explain their effect; the system page shows health, sync, jobs and quota', async () => {
    await page.goto(`${stack.api}/guardrails`)
    await page.locator('[data-test=guardrail-create]').click()
    await page.locator('[data-test=rail-max-budget] input').fill('20000')
    // An account's own daily budget has a limit of its own, far above an ad's.
    await page.locator('[data-test=rail-max-account-budget] input').fill('500000')
    await page.locator('.arco-modal-footer').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-modal', { hasText: '新建限额' }).last().getByRole('button', { name: '确认' }).click()
    await poll(async () => /角色：优化师[\s\S]*20,000\.00[\s\S]*500,000\.00[\s\S]*预算不超过 ¥20,000\.00\s+账户日预算不超过 ¥500,000\.00/.test(await page.locator('[data-test=guardrails-table]').innerText()), 'the new rail in the table', 20_000, 300)
    const [rail] = (await apiGet(stack.api, token, '/api/v1/guardrails')).filter((g) => g.subject === 'operator')
    assert.deepEqual([rail.max_budget, rail.max_account_budget], ['20000.00', '500000.00'])
    await choose(page, page.locator('[data-test=guardrail-effect] .arco-select'), scoped.username)
    await page.locator('[data-test=guardrail-effect]', { hasText: '来自：全员' }).or(page.locator('[data-test=guardrail-effect]', { hasText: '角色：优化师' })).waitFor()
    await shot(page, 'guardrails')

    await page.goto(`${stack.api}/system?jobs=all`)
    await page.locator('[data-test=system-health] tbody tr').first().waitFor()
    await page.locator('[data-test=jobs-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    await page.locator('[data-test=quota-chart] canvas').waitFor()
    assert.match(await page.locator('[data-test=system-health]').innerText(), /mysql[\s\S]*正常/)
    assert.match(await page.locator('[data-test=jobs-table]').innerText(), /报表导出[\s\S]*已完成/)
    const quota = await apiGet(stack.api, token, '/api/v1/system/quota')
    assert.ok(quota.groups.some((g) => g.window.sent > 0), 'the sync used some quota in the last hour')
    assert.match(await page.locator('[data-test=system-quota]').innerText(), /报表[\s\S]*QPS/)
    // Each sync stream in words, its identifier beside it for support.
    const inWords = [/广告组\s*campaigns/, /广告主 · 日报\s*report_advertiser_daily/, /广告计划 · 分时\s*report_ad_hourly/]
    await poll(async () => {
      const text = await page.locator('[data-test=system-sync]').innerText()
      return inWords.every((re) => re.test(text))
    }, 'the streams in words', 10_000, 300)
    await shot(page, 'system')
  })

  test('alerts: a channel to the sandbox inbox tested, a subscription, a rejected ad alerted with its reason, acknowledged', async () => {
    const inbox = `${stack.sim}/_sim/inbox/e2e`
    await page.goto(`${stack.api}/alerts/channels`)
    const dlg = await createDialog('channel', '运营群 webhook')
    await choose(page, dlg.locator('[data-test=channel-type]'), 'Webhook')
    await dlg.locator('[data-test=channel-url] input').fill(inbox)
    await dlg.locator('[data-test=channel-secret] input').fill('e2e-webhook-secret-0123')
    await shot(page, 'alert-channel-dialog')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已保存' }).waitFor()
    const row = page.locator('[data-test=channels-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '运营群 webhook' })
    await row.waitFor()
    assert.doesNotMatch(await row.innerText(), /e2e-webhook-secret/, 'the secret is never shown')
    await row.getByRole('button', { name: '测试' }).click()
    await page.locator('.arco-message', { hasText: '测试消息已发送' }).waitFor()
    const tested = await simGet(stack.sim, '/_sim/inbox?name=e2e')
    assert.equal(tested.at(-1)?.body?.title, 'OceanOps 测试消息')
    assert.ok(tested.at(-1)?.headers?.['X-Oceanops-Signature']?.startsWith('sha256='), 'the webhook is signed')
    await shot(page, 'alert-channels')

    await page.goto(`${stack.api}/alerts/subscriptions`)
    const sub = await createDialog('subscription', '全部告警')
    await choose(page, sub.locator('[data-test=subscription-channels]'), '运营群 webhook')
    await page.keyboard.press('Escape')
    await shot(page, 'alert-subscription-dialog')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已保存' }).waitFor()
    const subRow = page.locator('[data-test=subscriptions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '全部告警' })
    await subRow.waitFor()
    // the subscriber by name, not by id
    assert.equal((await subRow.locator('[data-test=subscriber]').innerText()).trim(), '用户 admin')
    await shot(page, 'alert-subscriptions')

    // The platform's review rejects a delivering ad; a sync mirrors it.
    const ad = (await apiGet(stack.api, token, '/api/v1/ads?page_size=200')).items.find((a) => a.status === 'AD_STATUS_DELIVERY_OK' && a.id !== paused.id)
    await simPost(stack.sim, '/_sim/review', { advertiser_id: ad.advertiser_id, id: ad.id, action: 'reject', reasons: ['落地页无法访问'], suggestions: ['修复落地页后重新提交'] })
    await apiPost(stack.api, token, `/api/v1/advertisers/${ad.advertiser_id}/sync`, {})
    await page.goto(`${stack.api}/alerts?kind=review_rejected`)
    const entity = page.locator(`[data-test=alert-entity-${ad.id}]`)
    await poll(async () => {
      await page.reload()
      await page.locator('[data-test=alerts-table] tbody tr').first().waitFor()
      return (await entity.count()) === 1
    }, 'the rejected ad to be alerted', 90_000, 2000)
    const alertRow = page.locator('[data-test=alerts-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { has: entity })
    assert.match(await alertRow.innerText(), /落地页无法访问（建议：修复落地页后重新提交）/)
    await shot(page, 'alerts')
    // It reached the channel, in a grouped message.
    const msgs = await poll(async () => {
      const all = await simGet(stack.sim, '/_sim/inbox?name=e2e')
      return all.find((m) => (m.body.events ?? []).some((e) => e.alert.entity_id === ad.id)) && all
    }, 'the alert in the inbox', 60_000, 1000)
    assert.equal(msgs.filter((m) => (m.body.events ?? []).some((e) => e.alert.entity_id === ad.id && e.type === 'fired')).length, 1, 'announced once')

    await alertRow.locator('a').first().click()
    const detail = page.locator('[data-test=alert-detail]')
    await detail.locator('[data-test=alert-events]').waitFor()
    await poll(async () => /已发送/.test(await detail.locator('[data-test=alert-deliveries]').innerText()), 'the delivery to show as sent', 20_000, 500)
    // the alert's data in words: the ad's status and the platform's reasons, no identifiers
    const data = await detail.locator('[data-test=alert-details]').innerText()
    assert.match(data, /状态\s+审核不通过/)
    assert.match(data, /拒绝理由\s+落地页无法访问/)
    assert.doesNotMatch(data, /AD_STATUS_|reasons/)
    assert.match(await detail.innerText(), /来源\s+告警评估/)
    await shot(page, 'alert-detail')
    await detail.locator('[data-test=detail-ack]').click()
    await page.locator('[data-test=ack-note] input').fill('素材组处理中')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已确认' }).waitFor()
    await poll(async () => /素材组处理中/.test(await detail.innerText()), 'the acknowledgement in the detail', 10_000, 500)
    await page.keyboard.press('Escape')
    await poll(async () => (await alertRow.locator('[data-test=alert-acked]').count()) === 1, 'the row to show it acknowledged', 10_000, 500)
  })

  test("the daily digest: a digest-only subscription at a set time, its preview of yesterday is the reports API's, sent now to the inbox; a weekly one's week and a monthly one's month are the reports API's too", async () => {
    // Six hours from now (Beijing): not due while the test runs, whenever it runs.
    const at = `${String((new Date().getUTCHours() + 8 + 6) % 24).padStart(2, '0')}:00`
    await page.goto(`${stack.api}/alerts/subscriptions`)
    const dlg = await createDialog('subscription', '每日早报')
    await choose(page, dlg.locator('[data-test=subscription-channels]'), '运营群 webhook')
    await page.keyboard.press('Escape')
    await dlg.locator('[data-test=subscription-alerts]').click()
    await dlg.locator('[data-test=subscription-digest]').click()
    await dlg.locator('[data-test=subscription-digest-at] input').fill(at)
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已保存' }).waitFor()
    const row = page.locator('[data-test=subscriptions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '每日早报' })
    await row.waitFor()
    assert.equal((await row.locator('[data-test=digest-only]').innerText()).trim(), '仅日报')
    assert.match(await row.locator('[data-test=subscription-digest-cell]').innerText(), new RegExp(`每天 ${at}`))
    const saved = (await apiGet(stack.api, token, '/api/v1/alerts/subscriptions')).find((x) => x.name === '每日早报')
    assert.equal(saved.alerts, false)
    assert.equal(saved.digest_at, at)

    // The preview: yesterday's figures, as the reports API sums them for the same accounts.
    await page.locator('.arco-message').waitFor({ state: 'detached' })
    await row.locator(`[data-test=digest-preview-${saved.id}]`).click()
    const view = page.locator('[data-test=digest-dialog]')
    await view.locator('[data-test=digest-accounts]').waitFor()
    const digest = await apiGet(stack.api, token, `/api/v1/alerts/subscriptions/${saved.id}/digest`)
    const report = await apiGet(stack.api, token, `/api/v1/reports?level=advertiser&granularity=day&from=${digest.day}&to=${digest.day}&page_size=1000`)
    assert.equal(digest.totals.cost, report.summary.cost, "the digest's cost is the report's")
    assert.ok(Number(digest.totals.cost) > 0, 'yesterday had spend')
    const shownCost = (await view.locator('[data-test=digest-total-cost] [data-test=kpi-value]').innerText()).replace(/[^\d.]/g, '')
    assert.equal(shownCost, digest.totals.cost)
    // The sandbox's accounts are bound through two majordomo accounts: their sums come first.
    assert.ok(digest.managers.length >= 2, `${digest.managers.length} manager groups`)
    assert.equal(await view.locator('[data-test=digest-managers] tbody tr').count(), digest.managers.length)
    assert.match(await view.locator('[data-test=digest-managers] tbody tr').first().innerText(), new RegExp(String(digest.managers[0].manager_id || '直接授权的账户')))
    const first = digest.accounts[0]
    assert.match(await view.locator('[data-test=digest-accounts] tbody tr').first().innerText(), new RegExp(String(first.advertiser_id)))
    await shot(page, 'alert-digest')

    await view.locator('[data-test=digest-send]').click()
    await page.locator('.arco-modal').last().getByRole('button', { name: '立即发送' }).click()
    await view.locator('[data-test=digest-results]').waitFor()
    assert.match(await view.locator('[data-test=digest-result]').first().innerText(), /成功/)
    const inbox = await simGet(stack.sim, '/_sim/inbox?name=e2e')
    const got = inbox.filter((m) => m.headers?.['X-Oceanops-Event'] === 'digest')
    assert.equal(got.length, 1, 'one digest in the inbox')
    assert.equal(got[0].body.digest.day, digest.day)
    assert.equal(got[0].body.digest.totals.cost, digest.totals.cost)
    assert.match(got[0].body.title, /^数据日报 · /)
    await shot(page, 'alert-digest-sent')
    await page.keyboard.press('Escape')
    await view.waitFor({ state: 'detached' })

    // A weekly one from the same dialog, 每周一, and a monthly one, 每月 on the 5th: the preview of each is its period to
    // yesterday (the seven days; the last calendar month whole) against the period before, each sum the reports API's.
    const periodic = async (name, choice, prior, monthDay) => {
      const periodDlg = await createDialog('subscription', name)
      await choose(page, periodDlg.locator('[data-test=subscription-channels]'), '运营群 webhook')
      await page.keyboard.press('Escape')
      await periodDlg.locator('[data-test=subscription-alerts]').click()
      await periodDlg.locator('[data-test=subscription-digest]').click()
      await choose(page, periodDlg.locator('[data-test=subscription-digest-weekday]'), choice)
      await periodDlg.locator('[data-test=subscription-digest-at] input').fill(at)
      if (monthDay) {
        await choose(page, periodDlg.locator('[data-test=subscription-digest-month-day]'), new RegExp(`^${monthDay} 日$`))
        await shot(page, 'alert-subscription-monthly', { fullPage: false })
      }
      await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
      await page.locator('.arco-message', { hasText: '已保存' }).waitFor()
      const periodRow = page.locator('[data-test=subscriptions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: name })
      await periodRow.waitFor()
      assert.match(await periodRow.locator('[data-test=subscription-digest-cell]').innerText(), new RegExp(`${choice} ${monthDay ? `${monthDay} 日 ` : ''}${at}`))
      const sub = (await apiGet(stack.api, token, '/api/v1/alerts/subscriptions')).find((x) => x.name === name)
      await page.locator('.arco-message').waitFor({ state: 'detached' })
      await periodRow.locator(`[data-test=digest-preview-${sub.id}]`).click()
      await view.locator('[data-test=digest-accounts]').waitFor()
      const pd = await apiGet(stack.api, token, `/api/v1/alerts/subscriptions/${sub.id}/digest`)
      for (const [from, to, sum] of [[pd.from, pd.day, pd.totals.cost], [pd.previous_from, pd.previous_day, pd.previous.cost]]) {
        const r = await apiGet(stack.api, token, `/api/v1/reports?level=advertiser&granularity=day&from=${from}&to=${to}&page_size=1000`)
        assert.equal(sum, r.summary.cost, `the digest's cost of ${from}…${to} is the report's`)
      }
      assert.equal(await view.locator('[data-test=digest-compared]').innerText(),
        `${pd.advertisers} 个账户 · ${pd.from}～${pd.day} 与 ${pd.previous_from}～${pd.previous_day} 对比`)
      assert.match(await view.locator('[data-test=digest-total-cost]').innerText(), new RegExp(`${prior} `))
      return { sub, pd }
    }
    const weekly = await periodic('每周周报', '每周一', '上周')
    assert.equal(weekly.sub.digest_weekday, 1)
    assert.equal(weekly.pd.days, 7)
    assert.equal(weekly.pd.day, digest.day, 'the week ends yesterday')
    await shot(page, 'alert-digest-weekly')
    await page.keyboard.press('Escape')
    await view.waitFor({ state: 'detached' })

    const monthly = await periodic('客户月报', '每月', '上月', 5)
    assert.equal(monthly.sub.digest_monthly, true)
    assert.equal(monthly.sub.digest_month_day, 5)
    assert.equal(monthly.sub.digest_weekday, null)
    // yesterday's month when yesterday ended it, else the month before
    const ended = new Date(Date.parse(digest.day) + 86_400_000).getUTCDate() === 1
    const monthEnd = new Date(Date.UTC(Number(digest.day.slice(0, 4)), Number(digest.day.slice(5, 7)) - (ended ? 0 : 1), 0)).toISOString().slice(0, 10)
    assert.equal(monthly.pd.period, 'month')
    assert.equal(monthly.pd.day, monthEnd, 'the last month whole by yesterday')
    assert.equal(monthly.pd.from, `${monthEnd.slice(0, 7)}-01`)
    assert.equal(monthly.pd.days, Number(monthEnd.slice(8, 10)))
    await page.locator('.arco-modal-title', { hasText: '数据月报预览 · 客户月报' }).waitFor()
    await shot(page, 'alert-digest-monthly', { fullPage: false })
    await page.keyboard.press('Escape')
  })

  test('alert thresholds: adjusted for every account beside the default, a value out of range named on its field, one account adjusted and switched off, then restored', async () => {
    const kinds = page.locator('[data-test=threshold-kinds]')
    const runway = kinds.locator('[data-test=in-force-low_balance-runway_days]')
    await page.goto(`${stack.api}/alerts/thresholds`)
    await poll(async () => (await runway.innerText()).includes('余额可用天数少于 3 天'), 'the default runway', 20_000, 300)
    const dialog = page.locator('[data-test=threshold-dialog]')
    const ok = page.locator('.arco-modal').getByRole('button', { name: '确认' })
    await page.locator('[data-test=threshold-adjust-low_balance]').click()
    await dialog.locator('[data-test=threshold-runway_days] input').fill('5')
    await ok.click()
    await page.locator('.arco-message', { hasText: '阈值已保存' }).waitFor()
    await poll(async () => /余额可用天数少于 5 天.*默认 3 天/.test(await runway.innerText()), 'the adjusted runway beside its default', 20_000, 300)
    const lowBalance = (await apiGet(stack.api, token, '/api/v1/alerts/kinds')).find((k) => k.kind === 'low_balance')
    assert.equal(lowBalance.effective.runway_days, 5)

    const leaf = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=1')).items[0]
    await page.locator('[data-test=threshold-for-account]').click()
    await dialog.waitFor()
    await shot(page, 'alert-threshold-new')
    // Low balance, the first kind: blank, standing for every account's adjusted 5 days.
    const newRunway = dialog.locator('[data-test=threshold-runway_days]')
    assert.equal(await newRunway.locator('input').inputValue(), '')
    assert.match(await newRunway.innerText(), /留空沿用 5 天（全部账户的值）/)
    await choose(page, dialog.locator('[data-test=threshold-kind]'), '同步异常')
    await choose(page, dialog.locator('[data-test=threshold-account]'), String(leaf.id))
    const lag = dialog.locator('[data-test=threshold-lag_minutes]')
    assert.match(await lag.innerText(), /留空沿用 180 分钟（全部账户的值）/)
    await lag.locator('input').fill('5')
    await ok.click()
    await lag.locator('.arco-form-item-message', { hasText: '10' }).waitFor()
    await shot(page, 'alert-threshold-refused')
    await lag.locator('input').fill('60')
    await dialog.locator('[data-test=threshold-enabled]').click()
    await ok.click()
    await dialog.waitFor({ state: 'detached' })
    const row = page.locator('[data-test=threshold-overrides] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: String(leaf.id) })
    await poll(async () => /同步异常[\s\S]*已关闭[\s\S]*同步超过此时长未成功 60 分钟/.test(await row.innerText()), 'the account\'s adjustment listed', 20_000, 300)
    const stored = (await apiGet(stack.api, token, '/api/v1/alerts/thresholds')).find((o) => o.advertiser_id === leaf.id)
    assert.deepEqual({ kind: stored.kind, enabled: stored.enabled, params: stored.params }, { kind: 'sync', enabled: false, params: { lag_minutes: 60 } })
    await page.locator('.arco-message').first().waitFor({ state: 'detached' }) // the page as it stays, for the screenshot
    await shot(page, 'alert-thresholds')

    await kinds.getByRole('button', { name: '恢复默认' }).click()
    await page.locator('.arco-modal').getByRole('button', { name: '恢复默认' }).click()
    await poll(async () => (await runway.innerText()).trim() === '余额可用天数少于 3 天', 'the default runway again', 20_000, 300)
    await row.getByRole('button', { name: '删除' }).click()
    await page.locator('.arco-modal').getByRole('button', { name: '删除' }).click()
    await page.locator('[data-test=threshold-overrides]', { hasText: '没有为单个账户调整的阈值' }).waitFor()
    assert.deepEqual(await apiGet(stack.api, token, '/api/v1/alerts/thresholds'), [])
  })

  test('alert teams: a team of two members is subscribed to a channel and named on its subscription; deleting it removes the subscription', async () => {
    await page.goto(`${stack.api}/alerts/teams`)
    await page.locator('[data-test=teams-table]', { hasText: '还没有团队' }).waitFor()
    const dlg = await createDialog('team', '投放一组')
    await dlg.locator('[data-test=team-members]').click()
    for (const name of [stack.admin.username, scoped.username]) await page.locator('.arco-select-option', { hasText: name }).click()
    await page.keyboard.press('Escape')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    const teamRow = page.locator('[data-test=teams-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '投放一组' })
    await poll(async () => { const v = await teamRow.innerText(); return v.includes(scoped.username) && v.includes(stack.admin.username) }, 'the team with its members', 20_000, 300)
    const team = (await apiGet(stack.api, token, '/api/v1/alerts/teams')).find((x) => x.name === '投放一组')
    const admin = (await apiGet(stack.api, token, `/api/v1/users?q=${stack.admin.username}`)).items.find((u) => u.username === stack.admin.username)
    assert.deepEqual([...team.member_ids].sort((a, b) => a - b), [scoped.id, admin.id].sort((a, b) => a - b))
    await shot(page, 'alert-teams')

    await page.goto(`${stack.api}/alerts/subscriptions`)
    const sub = await createDialog('subscription', '团队告警')
    await sub.locator('[data-test=subscription-for]').getByText('团队').click()
    await choose(page, sub.locator('[data-test=subscription-team]'), '投放一组')
    await choose(page, sub.locator('[data-test=subscription-channels]'), '运营群 webhook')
    await page.keyboard.press('Escape')
    await shot(page, 'alert-subscription-team')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    const subRow = page.locator('[data-test=subscriptions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '团队告警' })
    await subRow.waitFor()
    assert.equal((await subRow.locator('[data-test=subscriber]').innerText()).trim(), '团队 投放一组')
    assert.ok((await apiGet(stack.api, token, '/api/v1/alerts/subscriptions')).some((x) => x.team_id === team.id), 'the subscription is the team\'s')

    await page.goto(`${stack.api}/alerts/teams`)
    await teamRow.getByRole('button', { name: '删除' }).click()
    await page.locator('.arco-modal').getByRole('button', { name: '删除' }).click()
    await page.locator('[data-test=teams-table]', { hasText: '还没有团队' }).waitFor()
    assert.ok(!(await apiGet(stack.api, token, '/api/v1/alerts/subscriptions')).some((x) => x.team_id === team.id), 'the team\'s subscription went with it')
  })

  test("one account's reports refused by the platform: the dashboard lists it with the failing stream, the accounts page shows its sync failing", async () => {
    // The report_advertiser_* streams read 2/report/advertiser/get; the
    // platform refuses it for one account only (40002), as when that
    // account's report permission is withdrawn.
    const endpoint = '2/report/advertiser/get'
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const broken = leaves.at(-1)
    const failingStreams = async (id) =>
      ((await apiGet(stack.api, token, `/api/v1/sync/status?advertiser_id=${id}`)).advertisers.items[0]?.streams ?? [])
        .filter((s) => s.consecutive_failures > 0)
        .map((s) => s.stream)
    await simPost(stack.sim, '/_sim/faults', { endpoint, fault: { error_rate: 1, code: 40002, advertiser_ids: [broken.id] } })
    try {
      await page.goto(`${stack.api}/accounts?keyword=${broken.id}`)
      await rowOf(page, broken.id).getByRole('button', { name: '同步', exact: true }).click()
      await page.locator('.arco-message', { hasText: /已加入同步队列|同步已在队列中/ }).waitFor()
      await poll(async () => (await failingStreams(broken.id)).includes('report_advertiser_hourly'), "the account's hourly report stream to fail", 120_000, 1000)
      for (const other of leaves.filter((a) => a.id !== broken.id)) {
        assert.deepEqual(await failingStreams(other.id), [], `advertiser ${other.id} is not affected`)
      }

      await page.goto(`${stack.api}/dashboard`)
      const item = page.locator('[data-test=attention] .att-row', { hasText: broken.name })
      await poll(async () => {
        if ((await item.count()) > 0) return true
        await page.getByRole('button', { name: '刷新' }).click()
        return false
      }, 'the account in 需要关注', 30_000, 1000)
      const text = await item.innerText()
      assert.match(text, /同步失败/)
      // Which data, and what the platform answered, in words.
      assert.match(text, /广告主 · (分时|日报)：巨量引擎拒绝了该操作：.*no permission.*（错误码 40002）\s*请在巨量引擎恢复该账户的权限/)
      await shot(page, 'dashboard-sync-failing')

      await page.goto(`${stack.api}/accounts`)
      const state = rowOf(page, broken.id).locator('[data-test=sync-state]')
      await state.waitFor()
      // Both report_advertiser_* streams fail; the others still sync.
      assert.match(await state.innerText(), /2 项失败/)
      const [, ok, all] = /(\d+)\/(\d+) 已同步/.exec(await state.innerText())
      assert.equal(Number(ok), Number(all) - 2, 'the failing streams are not counted as synced')
      // The tag's tooltip names them in words, in the order a sync runs them.
      assert.equal(await state.locator('.arco-tag', { hasText: '项失败' }).getAttribute('title'), '广告主 · 日报, 广告主 · 分时')
      for (const other of leaves.filter((a) => a.id !== broken.id)) {
        assert.doesNotMatch(await rowOf(page, other.id).locator('[data-test=sync-state]').innerText(), /失败/, `advertiser ${other.id}`)
      }
      await shot(page, 'accounts-sync-failing')
      await rowOf(page, broken.id).locator('.arco-link').first().click()
      await page.locator('[data-test=stream-table]').waitFor()
      assert.match(await page.locator('[data-test=stream-table]').innerText(), /广告主 · 分时[\s\S]*\d+× 巨量引擎拒绝了该操作/)
      await shot(page, 'account-sync-failing-detail')
      await page.keyboard.press('Escape')
    } finally {
      await simDelete(stack.sim, `/_sim/faults?endpoint=${endpoint}`)
    }
    // The platform answers again: a sync of the failing streams clears the
    // failure (a request naming them is not the one made a moment ago, so
    // it is not held back as a repeat), and the checks after this one see
    // every account healthy.
    await poll(async () => {
      const failing = await failingStreams(broken.id)
      if (failing.length === 0) return true
      await apiPost(stack.api, token, `/api/v1/advertisers/${broken.id}/sync`, { streams: failing })
      return false
    }, 'the account to sync again', 120_000, 3000)
  })

  test('no page broke the Content-Security-Policy or threw, and the session refreshed itself', async () => {
    assert.deepEqual(page.problems, [])
    // Access tokens live 75 s here: the console refreshed at least once and
    // never sent the admin back to the sign-in page.
    assert.ok(page.refreshes >= 1, `silent token refreshes: ${page.refreshes}`)
    assert.doesNotMatch(page.url(), /\/login/)
  })

  test('a viewer sees no edit controls', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    await apiPost(stack.api, token, '/api/v1/users', { ...viewer, roles: ['viewer'], advertiser_ids: leaves.map((a) => a.id) })
    const p = await newPage(browser)
    await signIn(p, viewer.username, viewer.password)
    await p.waitForURL(/\/dashboard/)
    await p.goto(`${stack.api}/ads`)
    await p.locator('[data-test=entity-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    assert.equal(await p.locator('.arco-switch').count(), 0, 'no status switches')
    assert.equal(await p.locator('[data-test=edit-amount]').count(), 0, 'no budget or bid edits')
    assert.equal(await p.locator('[data-test=entity-table] .arco-checkbox').count(), 0, 'no selection for batch actions')
    assert.equal(await p.locator('[data-test=import-open]').count(), 0, 'no import from a file')
    await shot(p, 'viewer-ads')
    await p.goto(`${stack.api}/accounts`)
    await p.locator('[data-test=accounts-table] tbody tr').first().waitFor()
    assert.equal(await p.locator('[data-test=bind]').count(), 0, 'no bind button')
    assert.equal(await p.getByRole('button', { name: '解绑' }).count(), 0, 'no unbind')
    await shot(p, 'viewer-accounts')
    await p.goto(`${stack.api}/changes`)
    await p.locator('[data-test=changes-table] tbody tr').first().waitFor()
    assert.equal(await p.locator('[data-test^=rollback-]').count(), 0, 'no rollback')
    await p.goto(`${stack.api}/alerts/thresholds`)
    await p.locator('[data-test=in-force-low_balance-runway_days]').waitFor()
    assert.equal(await p.locator('[data-test^=threshold-adjust-], [data-test=threshold-for-account]').count(), 0, 'thresholds read-only')
    assert.equal(await p.locator('[data-test=nav-alert-teams]').count(), 0, 'no teams page')
    await p.goto(`${stack.api}/reports?level=advertiser&from=${addDays(beijingToday(), -7)}&to=${beijingToday()}`)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    assert.equal(await p.locator('[data-test=export]').count(), 0, 'no export for a viewer')
    await p.context().close()
  })

  test('an analyst exports the reports of their accounts and changes nothing', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const analyst = { username: 'ana', password: 'Amber-Lattice-Fjord-73' }
    await apiPost(stack.api, token, '/api/v1/users', { ...analyst, roles: ['analyst'], advertiser_ids: leaves.map((a) => a.id) })
    const p = await newPage(browser)
    await signIn(p, analyst.username, analyst.password)
    await p.waitForURL(/\/dashboard/)
    await p.goto(`${stack.api}/reports?level=advertiser&from=${addDays(beijingToday(), -7)}&to=${beijingToday()}`)
    await p.locator('[data-test=report-table] [data-test=total-cost]').waitFor()
    await p.locator('[data-test=export]').click()
    await p.locator('[data-test=export-csv]').click()
    const dialog = p.locator('[data-test=export-dialog]')
    await poll(async () => (await dialog.locator('[data-test=export-download]').count()) > 0, 'the analyst\'s export to finish', 60_000, 300)
    await shot(p, 'analyst-export', { fullPage: false })
    await p.getByRole('button', { name: '关闭' }).click()
    await p.goto(`${stack.api}/ads`)
    await p.locator('[data-test=entity-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    assert.equal(await p.locator('.arco-switch, [data-test=edit-amount], [data-test=entity-table] .arco-checkbox').count(), 0, 'no edit controls')
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()
  })

  test('a user changes their own password from the header: a wrong current one is named on its field; their other sessions end, this page stays signed in; their sessions listed, the others ended', async () => {
    const elsewhere = await login(stack.api, viewer.username, viewer.password) // another device
    const me = (tok) => fetch(`${stack.api}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${tok}` } })
    assert.equal((await me(elsewhere)).status, 200)
    const p = await newPage(browser)
    await signIn(p, viewer.username, viewer.password)
    await p.waitForURL(/\/dashboard/)
    await p.locator('[data-test=current-user]').click()
    await p.locator('[data-test=change-password]').click()
    const dialog = p.locator('[data-test=own-password]')
    await dialog.waitFor()
    const next = 'Velvet-Meadow-Signal-73'
    const fill = async (current, repeat) => {
      await dialog.locator('[data-test=own-password-current] input').fill(current)
      await dialog.locator('[data-test=own-password-new] input').fill(next)
      await dialog.locator('[data-test=own-password-repeat] input').fill(repeat)
      await p.locator('.arco-modal').getByRole('button', { name: '修改密码' }).click()
    }
    await fill(viewer.password, next.toLowerCase())
    await dialog.locator('[data-test=own-password-repeat]', { hasText: '两次输入的密码不一致' }).waitFor()
    await fill('Not-My-Password-11', next)
    await dialog.locator('[data-test=own-password-current]', { hasText: '当前密码不正确' }).waitFor()
    assert.equal(await dialog.locator('[data-test=own-password-repeat]', { hasText: '两次输入的密码不一致' }).count(), 0, 'the mismatch is gone')
    await shot(p, 'own-password-wrong')
    await fill(viewer.password, next)
    await p.locator('.arco-message', { hasText: '密码已修改' }).waitFor()
    await dialog.waitFor({ state: 'detached' })
    viewer.password = next
    assert.equal((await me(elsewhere)).status, 401, 'the session on the other device ended')
    // This page is still signed in: it reads the API and stays off the sign-in page.
    await p.goto(`${stack.api}/accounts`)
    await p.locator('[data-test=accounts-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    assert.doesNotMatch(p.url(), /\/login/)
    const phone = await login(stack.api, viewer.username, next)
    assert.equal((await me(phone)).status, 200, 'the new password signs in')

    // Her sessions, from the header: this one and the new sign-in; signing out everywhere else ends the latter.
    await p.locator('[data-test=current-user]').click()
    await p.locator('[data-test=my-sessions]').click()
    const rows = p.locator('[data-test=sessions-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)')
    await poll(async () => (await rows.count()) === 2, 'two sessions listed', 10_000, 200)
    const current = rows.filter({ has: p.locator('[data-test=session-current]') })
    assert.equal(await current.count(), 1, 'one session is this one')
    assert.match(await current.locator('[data-test=session-device]').innerText(), /^Chrome \d+ · Linux$/)
    assert.equal(await current.locator('[data-test=session-revoke]').count(), 0, 'this session has no end button: that is signing out')
    await shot(p, 'my-sessions')
    await p.locator('[data-test=sessions-end-others]').click()
    await p.locator('.arco-modal', { hasText: '你在其他 1 处的登录立即结束' }).getByRole('button', { name: '退出其他所有设备' }).click()
    await poll(async () => (await rows.count()) === 1, 'only this session left', 10_000, 200)
    assert.equal((await me(phone)).status, 401, 'the other sign-in ended')
    assert.equal((await me(await login(stack.api, viewer.username, next))).status, 200, 'signing in again works')
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()
  })

  test('two-step verification: turned on from the header with the key shown, recovery codes saved; a sign-in with a code, one with a recovery code; new codes; turned off', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const mia = { username: 'mia', password: 'Maple-Quarry-Signal-64' }
    const created = await apiPost(stack.api, token, '/api/v1/users', { ...mia, roles: ['viewer'], advertiser_ids: leaves.map((a) => a.id) })
    assert.equal(created.mfa_enabled, false)
    const p = await newPage(browser)
    await signIn(p, mia.username, mia.password)
    await p.waitForURL(/\/dashboard/)

    // Off: turned on with the password, the key read off the page, a code from it.
    await openMyMfa(p)
    const drawer = p.locator('.arco-drawer')
    await drawer.locator('[data-test=mfa-state]', { hasText: '未开启' }).waitFor()
    await drawer.locator('[data-test=mfa-enable]').click()
    const pw = drawer.locator('[data-test=mfa-password] input')
    await poll(() => pw.evaluate((el) => el === document.activeElement), 'the password input focused', 5_000, 100)
    await pw.fill('Not-Her-Password-1')
    await drawer.locator('[data-test=mfa-password-next]').click()
    await drawer.locator('[data-test=mfa-password]', { hasText: '当前密码不正确' }).waitFor()
    await drawer.locator('[data-test=mfa-password] input').fill(mia.password)
    await drawer.locator('[data-test=mfa-password-next]').click()
    const qr = drawer.locator('[data-test=mfa-qr]')
    await qr.waitFor()
    await poll(() => qr.evaluate((img) => img.complete && img.naturalWidth === 240), 'the QR code drawn', 5_000, 100)
    const shown = await drawer.locator('[data-test=mfa-secret]').innerText()
    assert.match(shown, /^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/, 'the key in groups of four')
    const secret = shown.replace(/\s/g, '')
    await shot(p, 'mfa-setup', { fullPage: false })
    await drawer.locator('[data-test=mfa-code] input').fill('000000' === totp(secret) ? '111111' : '000000')
    await drawer.locator('[data-test=mfa-confirm]').click()
    await drawer.locator('[data-test=mfa-code]', { hasText: '验证码不正确' }).waitFor()
    // The step a code is accepted for is used up: the sign-in below waits for the next one.
    const now = Date.now()
    const step = timeStep(now)
    await drawer.locator('[data-test=mfa-code] input').fill(totp(secret, now))
    await drawer.locator('[data-test=mfa-confirm]').click()

    // The recovery codes, once: downloaded as text, then saved.
    const listed = drawer.locator('[data-test=mfa-recovery-code]')
    await listed.first().waitFor()
    const codes = await listed.allInnerTexts()
    assert.equal(codes.length, 10)
    for (const c of codes) assert.match(c, /^[a-z0-9]{5}-[a-z0-9]{5}$/)
    assert.equal(await p.locator('.arco-drawer-close-btn').count(), 0, 'no closing while the codes are shown')
    const [download] = await Promise.all([p.waitForEvent('download'), drawer.locator('[data-test=mfa-codes-download]').click()])
    assert.equal(download.suggestedFilename(), 'oceanops-recovery-codes-mia.txt')
    const file = await readFile(await download.path(), 'utf8')
    for (const c of codes) assert.ok(file.includes(c), `${c} in the file`)
    assert.match(file, /账户：mia/)
    await shot(p, 'mfa-recovery-codes', { fullPage: false })
    await drawer.locator('[data-test=mfa-codes-saved]').click()
    await drawer.locator('[data-test=mfa-state]', { hasText: '已开启' }).waitFor()
    assert.equal(await drawer.locator('[data-test=mfa-codes-left]').innerText(), '10 个')
    await shot(p, 'mfa-on', { fullPage: false })
    await p.keyboard.press('Escape')
    const noToken = await fetch(`${stack.api}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(mia) })
    const challenge = await noToken.json()
    assert.equal(noToken.status, 401)
    assert.equal(challenge.reason, 'mfa_required', 'a right password alone no longer signs in')
    assert.ok(challenge.data?.detail?.mfa_token, 'the code step has its token')

    // Signed out, then in with the password and a code: a wrong one named, then the next step's code (a code works once).
    await p.locator('[data-test=sign-out]').click()
    await p.waitForURL(/\/login/)
    await signIn(p, mia.username, mia.password)
    const code = p.locator('[data-test=login-mfa-code] input')
    await code.waitFor()
    assert.ok(await code.evaluate((el) => el === document.activeElement), 'the code input has the focus')
    assert.equal(await code.getAttribute('autocomplete'), 'one-time-code')
    assert.equal(await code.getAttribute('inputmode'), 'numeric')
    await code.fill('000000' === totp(secret) ? '111111' : '000000')
    await code.press('Enter')
    await p.locator('[data-test=login-error]', { hasText: '验证码错误或已使用过' }).waitFor()
    await nextStep(step)
    await code.fill(totp(secret).replace(/^(\d{3})/, '$1 ')) // as apps show it: "123 456"
    await shot(p, 'login-mfa')
    await code.press('Enter')
    await p.waitForURL(/\/dashboard/)
    await p.locator('[data-test=sign-out]').click()
    await p.waitForURL(/\/login/)

    // And with a recovery code, typed in capitals without its dash; then "返回" leads back to the password.
    await signIn(p, mia.username, mia.password)
    await p.locator('[data-test=login-mfa-recovery]').click()
    const typed = p.locator('[data-test=login-mfa-code] input')
    assert.equal(await typed.getAttribute('autocomplete'), 'off')
    await typed.fill(codes[0].replace('-', '').toUpperCase())
    await shot(p, 'login-mfa-recovery')
    await p.locator('[data-test=login-mfa-submit]').click()
    await p.waitForURL(/\/dashboard/)
    await openMyMfa(p)
    await poll(async () => (await p.locator('[data-test=mfa-codes-left]').innerText().catch(() => '')) === '9 个', 'nine recovery codes left', 10_000, 200)

    // Ten new recovery codes for the password, shown once like the first; the old ones stop working.
    await p.locator('[data-test=mfa-regenerate]').click()
    await p.locator('[data-test=mfa-password] input').fill(mia.password)
    await p.locator('[data-test=mfa-regenerate-confirm]').click()
    await p.locator('[data-test=mfa-recovery-code]').first().waitFor()
    const fresh = await p.locator('[data-test=mfa-recovery-code]').allInnerTexts()
    assert.equal(fresh.length, 10)
    assert.ok(fresh.every((c) => !codes.includes(c)), 'ten new codes')
    await p.locator('[data-test=mfa-codes-saved]').click()
    await poll(async () => (await p.locator('[data-test=mfa-codes-left]').innerText().catch(() => '')) === '10 个', 'ten recovery codes left', 10_000, 200)
    await p.keyboard.press('Escape')
    await p.locator('[data-test=sign-out]').click()
    await p.waitForURL(/\/login/)
    await signIn(p, mia.username, mia.password)
    await p.locator('[data-test=login-mfa-recovery]').click()
    await p.locator('[data-test=login-mfa-code] input').fill(codes[1])
    await p.locator('[data-test=login-mfa-submit]').click()
    await p.locator('[data-test=login-error]', { hasText: '恢复码错误或已使用过' }).waitFor()
    await p.locator('[data-test=login-mfa-back]').click()
    await p.locator('[data-test=password] input').waitFor()
    assert.equal(await p.locator('[data-test=username] input').inputValue(), mia.username, 'the username stays')
    await p.locator('[data-test=password] input').fill(mia.password)
    await p.locator('[data-test=login-submit]').click()
    await p.locator('[data-test=login-mfa-recovery]').click()
    await p.locator('[data-test=login-mfa-code] input').fill(fresh[0])
    await p.locator('[data-test=login-mfa-submit]').click()
    await p.waitForURL(/\/dashboard/)

    // Turned off with the password and a code: a wrong one named on its field, then a recovery code.
    await openMyMfa(p)
    await p.locator('[data-test=mfa-disable]').click()
    await p.locator('[data-test=mfa-password] input').fill(mia.password)
    await p.locator('[data-test=mfa-code] input').fill(fresh.includes('aaaaa-bbbbb') ? 'bbbbb-aaaaa' : 'aaaaa-bbbbb')
    await p.locator('[data-test=mfa-disable-confirm]').click()
    await p.locator('[data-test=mfa-code]', { hasText: '验证码不正确或已使用过' }).waitFor()
    await shot(p, 'mfa-disable-wrong', { fullPage: false })
    await p.locator('[data-test=mfa-code] input').fill(fresh[1])
    await p.locator('[data-test=mfa-disable-confirm]').click()
    await p.locator('.arco-message', { hasText: '两步验证已停用' }).waitFor()
    await p.locator('[data-test=mfa-state]', { hasText: '未开启' }).waitFor()
    await p.locator('[data-test=mfa-enable]').waitFor()
    assert.equal((await apiGet(stack.api, token, `/api/v1/users/${created.id}`)).mfa_enabled, false)
    assert.ok(await login(stack.api, mia.username, mia.password), 'the password alone signs in')
    assert.deepEqual(p.problems, [], 'no CSP violation (the QR code is a data: image) and no error')
    await p.context().close()
  })

  test('a role that requires two-step verification: after signing in the set-up is all there is, until it is on; an admin resets it and the open console asks again', async () => {
    // A server that requires it of viewers, on the same database: the rest of the stack requires it of no one.
    const strict = await stack.server({ SECURITY_MFA_REQUIRED_ROLES: 'viewer' })
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const noah = { username: 'noah', password: 'Nutmeg-Harbor-Prism-27' }
    await apiPost(stack.api, token, '/api/v1/users', { ...noah, roles: ['viewer'], advertiser_ids: leaves.map((a) => a.id) })
    const p = await newPage(browser)
    await p.goto(`${strict}/login`)
    await p.locator('[data-test=username] input').fill(noah.username)
    await p.locator('[data-test=password] input').fill(noah.password)
    await p.locator('[data-test=login-submit]').click()
    await p.waitForURL(/\/dashboard/)
    await p.locator('[data-test=mfa-required-body]', { hasText: '你的角色要求开启两步验证' }).waitFor()
    assert.equal(await p.locator('.arco-modal .arco-modal-close-btn').count(), 0, 'the dialog cannot be closed')
    assert.equal(await p.locator('[data-test=dashboard-span]').count(), 0, 'no page behind the dialog')
    const early = await fetch(`${strict}/api/v1/advertisers`, { headers: { Authorization: `Bearer ${await login(strict, noah.username, noah.password)}` } })
    assert.equal(early.status, 403)
    assert.equal((await early.json()).reason, 'mfa_enrollment_required')
    await shot(p, 'mfa-required')
    const dialog = p.locator('.arco-modal', { has: p.locator('[data-test=mfa-setup]') })
    await dialog.locator('[data-test=mfa-password] input').fill(noah.password)
    await dialog.locator('[data-test=mfa-password] input').press('Enter')
    const secret = (await dialog.locator('[data-test=mfa-secret]').innerText()).replace(/\s/g, '')
    await dialog.locator('[data-test=mfa-code] input').fill(totp(secret))
    await dialog.locator('[data-test=mfa-confirm]').click()
    await dialog.locator('[data-test=mfa-recovery-code]').first().waitFor()
    assert.equal(await p.locator('[data-test=dashboard-span]').count(), 0, 'still no page while the codes are shown')
    await dialog.locator('[data-test=mfa-codes-saved]').click()
    await dialog.waitFor({ state: 'detached' })
    await p.locator('[data-test=dashboard-span]').waitFor()
    // On now, and required: the drawer offers new recovery codes but no turning off.
    await openMyMfa(p)
    await p.locator('[data-test=mfa-state]', { hasText: '已开启' }).waitFor()
    assert.equal(await p.locator('[data-test=mfa-disable]').count(), 0, 'no turning off what a role requires')
    assert.equal(await p.locator('[data-test=mfa-regenerate]').count(), 1)
    await shot(p, 'mfa-required-on', { fullPage: false })
    await p.keyboard.press('Escape')

    // The admin sees who has it on and resets it for one who lost their phone (not their own, nor where it is off).
    await page.goto(`${stack.api}/users`)
    await rowOf(page, noah.username).locator('[data-test=user-mfa]', { hasText: '已开启' }).waitFor()
    assert.match(await rowOf(page, 'mia').locator('[data-test=user-mfa]').innerText(), /未开启/)
    assert.equal(await rowOf(page, stack.admin.username).locator('[data-test=user-reset-mfa]').count(), 0, 'no reset on one\'s own row')
    assert.equal(await rowOf(page, 'mia').locator('[data-test=user-reset-mfa]').count(), 0, 'no reset where it is off')
    await shot(page, 'users-mfa')
    await rowOf(page, noah.username).locator('[data-test=user-reset-mfa]').click()
    await page.locator('.arco-modal', { hasText: `重置 ${noah.username} 的两步验证` }).getByRole('button', { name: '重置两步验证' }).click()
    await page.locator('.arco-message', { hasText: '两步验证已重置' }).waitFor()
    await rowOf(page, noah.username).locator('[data-test=user-mfa]', { hasText: '未开启' }).waitFor()
    await page.goto(`${stack.api}/audit?action=user.reset_mfa`)
    await page.locator('[data-test=audit-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: 'user.reset_mfa' }).first().waitFor()

    // His open console meets the API's refusal at its next page and asks for the set-up again.
    await p.goto(`${strict}/accounts`)
    await p.locator('[data-test=mfa-required-body]').waitFor()
    assert.equal(await p.locator('[data-test=accounts-table]').count(), 0, 'no page behind the dialog')
    assert.deepEqual(p.problems, [])
    await p.context().close()
  })

  test('automated rules: one from a template, previewed with its values, backtested, switched on and off, a refused edit named by field, a stale one by the version now current', async () => {
    await page.goto(`${stack.api}/rules`)
    await page.locator('[data-test=rules-global]', { hasText: '自动规则正在运行' }).waitFor()
    await page.locator('[data-test=rules-table]', { hasText: '还没有自动规则' }).waitFor()
    await shot(page, 'rules-empty')

    await page.locator('[data-test=rule-from-template]').click()
    const dlg = page.locator('[data-test=rule-template-dialog]')
    await dlg.getByText('消耗无转化自动暂停').click()
    await dlg.locator('[data-test=rule-template-name] input').fill('消耗无转化暂停（e2e）')
    // A parameter the server refuses: its message under the parameter, the dialog stays open.
    await dlg.locator('[data-test=rule-param-target_cpa] input').fill('abc')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await dlg.locator('.arco-form-item-status-error', { has: page.locator('[data-test=rule-param-target_cpa]') }).getByText('必须是正数').waitFor()
    await shot(page, 'rule-template-refused')
    await dlg.locator('[data-test=rule-param-target_cpa] input').fill('5')
    await dlg.locator('[data-test=rule-param-multiple] input').fill('1')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/rules\/\d+$/)
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    const detail = page.locator('[data-test=rule-detail]')
    assert.match(await detail.locator('[data-test=rule-summary]').innerText(), /广告计划[\s\S]*消耗（今天） > ¥5\.00[\s\S]*暂停；发送通知[\s\S]*每 60 分钟/)
    assert.equal((await apiGet(stack.api, token, `/api/v1/rules/${id}`)).enabled, false, 'created off')

    // Preview with every object: each row carries its evaluated values.
    await detail.locator('[data-test=rule-preview] .arco-checkbox').click()
    await detail.locator('[data-test=rule-preview-run]').click()
    const summary = detail.locator('[data-test=rule-preview-summary]')
    await summary.waitFor()
    assert.match(await summary.innerText(), /评估 \d+ 个对象：命中 \d+ 个，将执行 \d+ 个/)
    const rows = detail.locator('[data-test=rule-preview] [data-test=rule-decisions] tbody tr.arco-table-tr:not(.arco-table-tr-empty)')
    assert.ok((await rows.count()) > 0, 'preview rows')
    assert.match(await rows.first().innerText(), /消耗（今天）\s+¥[\d,]+\.\d\d/)
    await shot(page, 'rule-preview')

    await detail.locator('[data-test=rule-backtest-days] input').fill('3')
    await detail.locator('[data-test=rule-backtest-run]').click()
    const bt = detail.locator('[data-test=rule-backtest-summary]')
    await bt.waitFor()
    assert.match(await bt.innerText(), /至[\s\S]*\d+ 个对象，共 \d+ 次操作/)
    assert.match(await detail.locator('[data-test=rule-backtest-caveat]').innerText(), /不模拟规则自身改动/)
    await detail.locator('[data-test=rule-backtest]').scrollIntoViewIfNeeded()
    await shot(page, 'rule-backtest')

    // An edit the server refuses: the field it names and the editor line.
    await detail.locator('[data-test=rule-edit]').click()
    await page.waitForURL(/\/rules\/\d+\/edit$/)
    // The editor opens on the form; this edit is written as JSON.
    await poll(async () => (await page.locator('[data-test=rule-form-name] input').inputValue()) === '消耗无转化暂停（e2e）', 'the rule in the form', 10_000, 200)
    await page.locator('[data-test=rule-view-json]').click()
    const json = page.locator('[data-test=rule-json] textarea')
    // The editor fills in once the rule is loaded.
    await poll(async () => (await json.inputValue()).trim().startsWith('{'), 'the rule in the editor', 10_000, 200)
    const spec = JSON.parse(await json.inputValue())
    // saveEdit saves the spec with the condition's window, confirmed.
    const saveEdit = async (window) => {
      spec.conditions[0].window = window
      await json.fill(JSON.stringify(spec, null, 2))
      await page.locator('[data-test=rule-save]').click()
      await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    }
    await saveEdit({ kind: 'last_days', n: 99 })
    const errors = page.locator('[data-test=rule-field-errors]')
    await errors.waitFor()
    assert.match(await errors.innerText(), /conditions\[0\]\.window\.n（第 \d+ 行）：必须在 1 到 30 天之间/)
    await shot(page, 'rule-edit-refused')
    const v1 = await apiGet(stack.api, token, `/api/v1/rules/${id}`)
    assert.equal(v1.version, 1, 'nothing saved')

    // Someone else saves meanwhile: the corrected edit, still of version 1, is
    // refused in Chinese with the version now current (the 409's params), not
    // the API's English message.
    await apiPut(stack.api, token, `/api/v1/rules/${id}`, { ...v1.spec, if_version: 1 })
    await saveEdit({ kind: 'last_days', n: 7 })
    const conflict = page.locator('[data-test=rule-conflict]')
    await conflict.waitFor()
    assert.match(await conflict.innerText(), /规则已被他人修改（当前为第 2 版）/)
    assert.doesNotMatch(await conflict.innerText(), /version|reload/)
    await shot(page, 'rule-edit-conflict')
    assert.equal((await apiGet(stack.api, token, `/api/v1/rules/${id}`)).version, 2, 'the stale edit not saved')
    await conflict.getByRole('button', { name: '重新加载' }).click()
    await conflict.waitFor({ state: 'detached' })

    // A rule that is not there: the page says so in Chinese.
    await page.goto(`${stack.api}/rules/999999`)
    const missing = page.locator('[data-test=error-state]')
    await missing.waitFor()
    assert.match(await missing.innerText(), /规则不存在，或不在你的数据范围内/)
    assert.doesNotMatch(await missing.innerText(), /not found/)
    await shot(page, 'rule-not-found')

    // Switched on from the list, with what it will do; then off again.
    await page.goto(`${stack.api}/rules`)
    const row = page.locator('[data-test=rules-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '消耗无转化暂停（e2e）' })
    await row.waitFor()
    await row.locator(`[data-test=rule-switch-${id}]`).click()
    const confirmOn = page.locator('.arco-modal', { hasText: '启用规则' })
    assert.match(await confirmOn.innerText(), /每 60 分钟[\s\S]*暂停、发送通知/)
    await shot(page, 'rule-enable-confirm')
    await confirmOn.getByRole('button', { name: '确认' }).click()
    await poll(async () => (await apiGet(stack.api, token, `/api/v1/rules/${id}`)).enabled, 'the rule to be on', 10_000, 300)
    await poll(async () => (await row.locator('.arco-switch-checked').count()) === 1, 'the switch to show on', 10_000, 300)
    await shot(page, 'rules')
    await row.locator(`[data-test=rule-switch-${id}]`).click()
    await page.locator('.arco-modal', { hasText: '停用规则' }).getByRole('button', { name: '确认' }).click()
    await poll(async () => !(await apiGet(stack.api, token, `/api/v1/rules/${id}`)).enabled, 'the rule to be off', 10_000, 300)

    // The global kill switch says what it does before it pauses every rule.
    await page.locator('[data-test=rules-global-flip]').click()
    const confirmAll = page.locator('.arco-modal', { hasText: '暂停全部自动规则' })
    assert.match(await confirmAll.innerText(), /所有人的所有规则立即停止执行/)
    await confirmAll.getByRole('button', { name: '暂停全部规则' }).click()
    await page.locator('[data-test=rules-global]', { hasText: '已暂停全部自动规则' }).waitFor()
    assert.equal((await apiGet(stack.api, token, '/api/v1/rules/switch')).paused, true)
    await shot(page, 'rules-paused')
    await page.locator('[data-test=rules-global-flip]').click()
    await page.locator('.arco-modal', { hasText: '恢复全部自动规则' }).getByRole('button', { name: '恢复全部规则' }).click()
    await page.locator('[data-test=rules-global]', { hasText: '自动规则正在运行' }).waitFor()
    assert.deepEqual(page.problems, [])

    // The versions say who saved them.
    await page.goto(`${stack.api}/rules/${id}`)
    await page.locator('.arco-tabs-tab', { hasText: '版本历史' }).click()
    await page.locator('[data-test=rule-version-by]', { hasText: stack.admin.username }).first().waitFor()

    // A viewer whose data scope holds the rule's advertisers reads it, read-only:
    // listed with its owner and state, no control that writes; its detail says
    // whose it is and still previews.
    const admin = stack.admin.username
    const p = await newPage(browser)
    await signIn(p, viewer.username, viewer.password)
    await p.waitForURL(/\/dashboard/)
    await p.locator('[data-test=nav-rules]').click()
    await p.locator('[data-test=rules-global]', { hasText: '仅管理员可切换' }).waitFor()
    assert.equal(await p.locator('[data-test=rule-from-template], [data-test=rule-blank], [data-test=rules-global-flip]').count(), 0, 'no create or global switch')
    const theirs = p.locator('[data-test=rules-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '消耗无转化暂停（e2e）' })
    await theirs.waitFor()
    assert.match(await theirs.innerText(), new RegExp(`${admin}\\s*只读`), 'the owner and read-only')
    await theirs.locator(`[data-test=rule-state-${id}]`, { hasText: '停用' }).waitFor()
    assert.equal(await theirs.locator('.arco-switch, [data-test^=rule-edit-]').count(), 0, 'no switch nor edit')
    assert.equal(await theirs.getByRole('button', { name: '删除' }).count(), 0, 'no delete')
    await shot(p, 'rules-viewer')
    await theirs.locator(`[data-test=rule-link-${id}]`).click()
    const vd = p.locator('[data-test=rule-detail]')
    await vd.locator('[data-test=rule-readonly]', { hasText: `这条规则属于 ${admin}` }).waitFor()
    assert.equal(await vd.locator('[data-test=rule-edit], [data-test=rule-delete], [data-test=rule-enabled]').count(), 0, 'a read-only detail')
    assert.match(await vd.locator('[data-test=rule-summary]').innerText(), new RegExp(`广告计划 · ${admin} 的全部账户`))
    await vd.locator('[data-test=rule-preview-run]').click()
    await vd.locator('[data-test=rule-preview-summary]').waitFor()
    await shot(p, 'rule-viewer')
    p.problems.length && page.problems.push(...p.problems)
    await p.context().close()

    // A rule written through the form: a metric picked, its window and
    // threshold, an action added; the saved spec is what was entered.
    await page.goto(`${stack.api}/rules/new`)
    const form = page.locator('[data-test=rule-form]')
    // The form's selects share option texts (a window in each row): pick in the one open.
    const pick = async (select, text) => {
      await select.click()
      await page.locator('.arco-select-dropdown .arco-select-option:visible', { hasText: text }).click()
    }
    await form.locator('[data-test=rule-form-name] input').fill('表单规则（e2e）')
    const advertiserId = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items[0].id
    await pick(form.locator('[data-test=rule-form-advertisers]'), `(${advertiserId})`)
    await page.keyboard.press('Escape')
    await pick(form.locator('[data-test=rule-form-cond-0-metric]'), '转化成本')
    await pick(form.locator('[data-test=rule-form-cond-0-window]'), '近 N 天')
    await form.locator('[data-test=rule-form-cond-0-n] input').fill('3')
    await pick(form.locator('[data-test=rule-form-cond-0-op]'), '≥')
    await form.locator('[data-test=rule-form-cond-0-value] input').fill('35.50')
    await form.locator('[data-test=rule-form-add-action]').click()
    await pick(form.locator('[data-test=rule-form-action-1-type]'), '预算降低')
    await form.locator('[data-test=rule-form-action-1-value] input.arco-input').fill('10')
    await pick(form.locator('[data-test=rule-form-action-1-by]'), '%')
    await form.locator('[data-test=rule-form-action-1-floor] input').fill('300.00')
    // The hours of day: dragged across the strip from 9 to 17.
    const hour = (h) => form.locator(`[data-test=rule-form-hour-${h}]`)
    const [from, to] = [await hour(9).boundingBox(), await hour(17).boundingBox()]
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
    await page.mouse.down()
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 })
    await page.mouse.up()
    await page.mouse.move(0, 0)
    // The summary reads the form as it is filled in.
    const edited = await page.locator('[data-test=rule-edit-page]').innerText()
    assert.match(edited, /转化成本（近 3 天） ≥ ¥35\.50[\s\S]*预算降低 10%（下限 ¥300\.00）/)
    assert.match(edited, /每 60 分钟，09:00–18:00/)
    await shot(page, 'rule-form')
    await page.locator('[data-test=rule-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/rules\/\d+$/)
    const formId = Number(new URL(page.url()).pathname.split('/').pop())
    // The saved rule's scope names its account as the picker did.
    const picked = await apiGet(stack.api, token, `/api/v1/advertisers/${advertiserId}`)
    await page.locator('[data-test=rule-scope-names]', { hasText: `${picked.name} · ${advertiserId}` }).waitFor()
    await shot(page, 'rule-saved')
    const saved = (await apiGet(stack.api, token, `/api/v1/rules/${formId}`)).spec
    assert.equal(saved.name, '表单规则（e2e）')
    assert.equal(saved.scope.level, 'ad')
    assert.deepEqual(saved.scope.advertiser_ids, [advertiserId])
    assert.deepEqual(saved.conditions, [{ metric: 'cpa', window: { kind: 'last_days', n: 3 }, op: 'gte', value: '35.5' }])
    assert.deepEqual(saved.actions, [{ type: 'notify' }, { type: 'lower_budget', percent: '10', floor: '300' }])
    assert.deepEqual(saved.schedule, { every_minutes: 60, day_parts: [{ from: '09:00', to: '18:00' }] })

    // A value the server refuses: its message, in Chinese, under the input.
    await page.goto(`${stack.api}/rules/${formId}/edit`)
    await poll(async () => (await form.locator('[data-test=rule-form-name] input').inputValue()) === '表单规则（e2e）', 'the rule in the form', 10_000, 200)
    // The server keeps 35.5 and 300; money reads back in yuan with two decimals, the hours as picked.
    assert.equal(await form.locator('[data-test=rule-form-cond-0-value] input').inputValue(), '35.50')
    assert.equal(await form.locator('[data-test=rule-form-action-1-floor] input').inputValue(), '300.00')
    assert.deepEqual(await form.locator('[data-test=rule-form-hours] [aria-pressed=true]').allInnerTexts(), ['9', '10', '11', '12', '13', '14', '15', '16', '17'])
    // Fixed times instead: one picker to start with (the hours go), a second added and set to the same time.
    await form.locator('[data-test=rule-form-schedule-mode]').getByText('每天定时执行').click()
    assert.equal(await form.locator('[data-test=rule-form-time-0] input').inputValue(), '10:00')
    assert.equal(await form.locator('[data-test=rule-form-hours]').count(), 0, 'no hours of day with fixed times')
    await form.locator('[data-test=rule-form-add-time]').click()
    assert.equal(await form.locator('[data-test=rule-form-time-1] input').inputValue(), '11:00')
    await form.locator('[data-test=rule-form-time-1] input').click()
    await form.locator('[data-test=rule-form-time-1] input').fill('10:00')
    await page.keyboard.press('Enter')
    await form.locator('[data-test=rule-form-cond-0-n] input').fill('99')
    await page.locator('[data-test=rule-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await form.locator('.arco-form-item-status-error', { has: page.locator('[data-test=rule-form-cond-0-n]') }).getByText('必须在 1 到 30 天之间').waitFor()
    // The repeated time's message is under its own picker, not the first one.
    await form.locator('[data-test=rule-form-time-1]').getByText('10:00 重复出现').waitFor()
    assert.equal(await form.locator('[data-test=rule-form-time-0] .arco-form-item-message').count(), 0, 'the first time is not refused')
    await page.locator('[data-test=rule-field-errors]', { hasText: '请按表单中标红的提示修改' }).waitFor()
    await shot(page, 'rule-form-refused')
    assert.equal((await apiGet(stack.api, token, `/api/v1/rules/${formId}`)).version, 1, 'the refused edit not saved')

    // An operator with two accounts (who writes rules of their own) reads it
    // read-only too, and previews only objects of those two, with their
    // values read from the checks' parts.
    const two = (await apiGet(stack.api, token, `/api/v1/users/${scoped.id}/advertisers`)).advertiser_ids.map(String)
    const o = await newPage(browser)
    await signIn(o, scoped.username, scoped.password)
    await o.waitForURL(/\/dashboard/)
    await o.goto(`${stack.api}/rules`)
    const orow = o.locator('[data-test=rules-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)', { hasText: '消耗无转化暂停（e2e）' })
    await orow.locator(`[data-test=rule-readonly-${id}]`).waitFor()
    await o.locator('[data-test=rule-from-template]').waitFor() // they may create their own
    assert.equal(await orow.locator('.arco-switch, [data-test^=rule-edit-]').count(), 0, 'no switch nor edit on the admin\'s rule')
    await orow.locator(`[data-test=rule-link-${id}]`).click()
    const od = o.locator('[data-test=rule-detail]')
    await od.locator('[data-test=rule-readonly]').waitFor()
    assert.equal(await od.locator('[data-test=rule-edit], [data-test=rule-delete], [data-test=rule-enabled]').count(), 0, 'a read-only detail')
    await od.locator('[data-test=rule-preview] .arco-checkbox').click()
    await od.locator('[data-test=rule-preview-run]').click()
    await od.locator('[data-test=rule-preview-summary]').waitFor()
    const orows = await od.locator('[data-test=rule-preview] [data-test=rule-decisions] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').allInnerTexts()
    assert.ok(orows.length > 0, 'preview rows')
    for (const r of orows) {
      assert.ok(two.includes(/广告主 (?:.+ · )?(\d+)/.exec(r)?.[1] ?? ''), `a previewed object outside the operator's two accounts: ${r}`)
      assert.match(r, /消耗（今天）\s*¥[\d,]+\.\d\d\s*>\s*¥5\.00/)
    }
    await shot(o, 'rule-colleague-preview')
    o.problems.length && page.problems.push(...o.problems)
    await o.context().close()
    assert.deepEqual(page.problems, [])
  })

  test('a rule on the total of its ads: 合计 in the form and its summary; the preview judges every ad by one figure, which an operator who sees two accounts is not shown', async () => {
    await page.goto(`${stack.api}/rules/new`)
    const form = page.locator('[data-test=rule-form]')
    await form.locator('[data-test=rule-form-name] input').fill('合计封顶（e2e）')
    // A new condition is cost, greater than: over the last 7 days (they have spend whatever the hour), the threshold typed, 合计 ticked.
    await choose(page, form.locator('[data-test=rule-form-cond-0-window]'), '近 N 天')
    await form.locator('[data-test=rule-form-cond-0-n] input').fill('7')
    await form.locator('[data-test=rule-form-cond-0-value] input').fill('1.00')
    await form.locator('[data-test=rule-form-cond-0-total]').click()
    // No minimum volume per ad: the total is what counts.
    await form.locator('[data-test=rule-form-guard-0]').getByRole('button', { name: '删除' }).click()
    await page.mouse.move(0, 0)
    const summary = await page.locator('[data-test=rule-edit-page]').innerText()
    assert.match(summary, /消耗（近 7 天）合计 > ¥1\.00/)
    assert.equal(await form.locator('[data-test^=rule-form-guard-]').count(), 0, 'no guard row')
    await shot(page, 'rule-form-total')
    await page.locator('[data-test=rule-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/rules\/\d+$/)
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    const saved = (await apiGet(stack.api, token, `/api/v1/rules/${id}`)).spec
    assert.deepEqual(saved.conditions, [{ metric: 'cost', window: { kind: 'last_days', n: 7 }, op: 'gt', value: '1', total: true }])
    assert.equal(saved.guards, undefined)

    // Every ad's check is the same total.
    const detail = page.locator('[data-test=rule-detail]')
    await detail.locator('[data-test=rule-preview] .arco-checkbox').click()
    await detail.locator('[data-test=rule-preview-run]').click()
    await detail.locator('[data-test=rule-preview-summary]').waitFor()
    const checks = await detail.locator('[data-test=rule-preview] [data-test=rule-check]').allInnerTexts()
    assert.ok(checks.length > 1, 'preview checks')
    const totals = new Set(checks.map((c) => /消耗（近 7 天）合计\s*(¥[\d,]+\.\d\d)\s*>\s*¥1\.00/.exec(c)?.[1]))
    assert.equal(totals.size, 1, `one total for every ad: ${[...totals]}`)
    assert.ok([...totals][0], 'the total shown')
    // Past the cap of 20 a run, in the console's words.
    await detail.locator('[data-test=rule-skip-detail]', { hasText: '本次已执行 20 个对象' }).first().waitFor()
    await shot(page, 'rule-total-preview')

    // The operator with two accounts reads the admin's rule: whether the total held, not its figure.
    const o = await newPage(browser)
    await signIn(o, scoped.username, scoped.password)
    await o.waitForURL(/\/dashboard/)
    await o.goto(`${stack.api}/rules/${id}`)
    const od = o.locator('[data-test=rule-detail]')
    await od.locator('[data-test=rule-readonly]').waitFor()
    await od.locator('[data-test=rule-preview] .arco-checkbox').click()
    await od.locator('[data-test=rule-preview-run]').click()
    await od.locator('[data-test=rule-preview-summary]').waitFor()
    const theirs = await od.locator('[data-test=rule-preview] [data-test=rule-check]').allInnerTexts()
    assert.ok(theirs.length > 0, 'the operator\'s preview checks')
    for (const c of theirs) assert.match(c, /消耗（近 7 天）合计\s*—\s*>\s*¥1\.00\s*（合计含你范围外的账户，数值不显示）/)
    await shot(o, 'rule-total-colleague')
    o.problems.length && page.problems.push(...o.problems)
    await o.context().close()
    await apiSend('DELETE', stack.api, token, `/api/v1/rules/${id}`)
    assert.deepEqual(page.problems, [])
  })

  test("a rule on the accounts' own daily budget: the form offers an account its budget and notify only; the preview would raise the budgeted account by 20%, to the fen, and measures no share of an unlimited one", async () => {
    const [acct] = (await apiGet(stack.api, token, `/api/v1/advertisers?ids=${budgeted}`)).items
    assert.equal(acct.budget_mode, 'BUDGET_MODE_DAY', 'the budgeted account as read')
    const fen = Math.round(Number(acct.budget) * 100)
    const money = (f) => `¥${(f / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    await page.goto(`${stack.api}/rules/new`)
    const form = page.locator('[data-test=rule-form]')
    await form.locator('[data-test=rule-form-name] input').fill('账户日预算加 20%（e2e）')
    await choose(page, form.locator('[data-test=rule-form-level]'), '广告主')
    // Every account with a daily budget has used 0% of it or more.
    await choose(page, form.locator('[data-test=rule-form-cond-0-metric]'), '预算消耗比例')
    await choose(page, form.locator('[data-test=rule-form-cond-0-op]'), '≥')
    await form.locator('[data-test=rule-form-cond-0-value] input').fill('0')
    await form.locator('[data-test=rule-form-guard-0]').getByRole('button', { name: '删除' }).click()
    // An account's rule changes its budget or notifies: pausing and bids are offered greyed.
    await form.locator('[data-test=rule-form-action-0-type]').click()
    const greyed = (await page.locator('.arco-select-option-disabled:visible').allInnerTexts()).map((x) => x.trim())
    assert.deepEqual(greyed, ['暂停', '启用', '出价设为', '出价提高', '出价降低'])
    await page.locator('.arco-select-option:visible', { hasText: '预算提高' }).click()
    await form.locator('[data-test=rule-form-action-0-value] input.arco-input').fill('20')
    await choose(page, form.locator('[data-test=rule-form-action-0-by]'), '%')
    await form.locator('[data-test=rule-form-action-0-ceiling] input').fill(((2 * fen) / 100).toFixed(2))
    await page.mouse.move(0, 0)
    await shot(page, 'rule-form-account-budget')
    await page.locator('[data-test=rule-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/rules\/\d+$/)
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    const saved = (await apiGet(stack.api, token, `/api/v1/rules/${id}`)).spec
    assert.equal(saved.scope.level, 'advertiser')
    assert.deepEqual(saved.actions, [{ type: 'raise_budget', percent: '20', ceiling: String((2 * fen) / 100) }])

    const detail = page.locator('[data-test=rule-detail]')
    await detail.locator('[data-test=rule-preview] .arco-checkbox').click()
    await detail.locator('[data-test=rule-preview-run]').click()
    const summary = detail.locator('[data-test=rule-preview-summary]')
    await summary.waitFor()
    assert.match(await summary.innerText(), /评估 \d+ 个对象：命中 1 个，将执行 1 个/)
    const rows = detail.locator('[data-test=rule-preview] [data-test=rule-decisions] tbody tr.arco-table-tr')
    const mine = rows.filter({ hasText: `#${budgeted}` })
    assert.match(await mine.innerText(), /✓预算消耗比例（今天）\s+[\d,.]+%\s*≥ 0%/)
    assert.equal(await mine.locator('[data-test=rule-step]').innerText(), `预算 ${money(fen)} → ${money(Math.floor((fen * 6) / 5))}`)
    const other = rows.filter({ hasNotText: `#${budgeted}` }).first()
    assert.match(await other.innerText(), /没有日预算[\s\S]*未命中/)
    await detail.locator('[data-test=rule-preview]').scrollIntoViewIfNeeded()
    await shot(page, 'rule-account-budget-preview')
    await apiSend('DELETE', stack.api, token, `/api/v1/rules/${id}`)
    assert.deepEqual(page.problems, [])
  })

  test('a rule switched on acts by itself at its slot: the ad paused on the platform, the run and its change shown on the rule', async () => {
    const [ad] = (await apiGet(stack.api, token, '/api/v1/ads?status=AD_STATUS_DELIVERY_OK&order_by=-cost&page_size=1')).items
    assert.ok(ad, 'a delivering ad')
    // Its daily reports read again now, so the rule finds them fresh whatever the hour.
    const asked = Date.now()
    const synced = async () => {
      const a = (await apiGet(stack.api, token, `/api/v1/sync/status?advertiser_id=${ad.advertiser_id}`)).advertisers.items[0]
      return Date.parse(a?.streams.find((st) => st.stream === 'report_ad_daily')?.last_success_at ?? '') > asked
    }
    await apiPost(stack.api, token, `/api/v1/advertisers/${ad.advertiser_id}/sync`, { streams: ['report_ad_daily'] })
    await poll(synced, "the ad's daily reports to be read again", 60_000, 500)

    // One run a day, at the current Beijing minute: the worker runs it within its tick.
    const minute = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(11, 16)
    const rule = await apiPost(stack.api, token, '/api/v1/rules', {
      name: '指定广告定时暂停（e2e）', enabled: true, match: 'all',
      scope: { level: 'ad', ids: [ad.id] },
      conditions: [{ metric: 'show', window: { kind: 'last_days', n: 7 }, op: 'gte', value: 1 }],
      schedule: { times: [minute] },
      actions: [{ type: 'pause' }],
      safety: { cooldown_minutes: 60, max_actions_per_run: 1, max_actions_per_day: 1 },
    })
    let history
    await poll(async () => {
      history = await apiGet(stack.api, token, `/api/v1/rules/${rule.id}/history`)
      return history.evaluations.some((e) => e.status === 'done')
    }, 'the rule to run', 90_000, 1000)
    const [run] = history.evaluations
    assert.equal(run.acted, 1, `the run acted on the ad: ${JSON.stringify(run)}`)
    const [act] = history.actions
    assert.equal(act.object_id, ad.id)
    assert.equal(act.status, 'succeeded', JSON.stringify(act))
    assert.ok(act.change_id > 0, 'the action made a change')
    assert.equal((await simEntity(stack.sim, ad.advertiser_id, 'ads', ad.id)).opt_status, 'AD_STATUS_DISABLE', 'the sandbox has the ad paused')

    // The rule's page shows the run and the action, which leads to the change it made.
    await page.goto(`${stack.api}/rules/${rule.id}`)
    const detail = page.locator('[data-test=rule-detail]')
    await detail.locator('[data-test=rule-history] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first().waitFor()
    assert.match(await detail.locator('[data-test=rule-history]').innerText(), /完成[\s\S]*1 个对象/)
    // The scope names the ad it lists (the ad is paused meanwhile: named all the same).
    await detail.locator('[data-test=rule-scope-names]', { hasText: `${ad.name} · ${ad.id}` }).waitFor()
    await detail.locator('.arco-tabs-tab', { hasText: '执行记录' }).click()
    const action = detail.locator('[data-test=rule-actions] tbody tr.arco-table-tr', { hasText: String(ad.id) })
    await action.waitFor()
    assert.match(await action.innerText(), /暂停[\s\S]*成功/)
    await shot(page, 'rule-acted')
    await action.locator(`[data-test=rule-change-${act.change_id}]`).click()
    await page.waitForURL(/\/changes/)
    const change = page.locator(`tr:has([data-test="change-id-${act.change_id}"])`)
    await change.waitFor()
    assert.match(await change.innerText(), /指定广告定时暂停（e2e）/, 'the change names the rule as its actor')
    await shot(page, 'rule-change')

    // The run's own link lists what it changed, ready to be rolled back together.
    assert.ok(run.request_id, 'the run names its changes')
    await page.goto(`${stack.api}/rules/${rule.id}`)
    await detail.locator(`[data-test=rule-run-changes-${run.id}]`, { hasText: '本次 1 项修改' }).click()
    await page.waitForURL((u) => u.searchParams.get('request_id') === run.request_id)
    await page.locator(`tr:has([data-test="change-id-${act.change_id}"])`).waitFor()
    assert.equal(await page.locator('[data-test=changes-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').count(), 1, "the run's one change only")
    await page.locator('[data-test=rollback-request]').waitFor()
    await shot(page, 'rule-run-changes')
    await apiPost(stack.api, token, `/api/v1/rules/${rule.id}/disable`, {})
  })

  test('the scheduled budget change is made by the worker at its time: 已成功, its item linked to the change log; two more waiting mark the ad in its table', async () => {
    assert.ok(later, 'a change was scheduled')
    // ~70 s ahead, and the worker looks for due changes every 30 s.
    let sc
    await poll(async () => {
      sc = await apiGet(stack.api, token, `/api/v1/scheduled-changes/${later.id}`)
      return !['scheduled', 'running'].includes(sc.status)
    }, 'the scheduled change to be made', Math.max(10_000, later.at + 150_000 - Date.now()), 1000)
    assert.equal(sc.status, 'succeeded', JSON.stringify(sc))
    const [item] = sc.items
    assert.equal(item.result, 'succeeded')
    assert.ok(item.change_id > 0, 'the item made a change')
    assert.equal((await simEntity(stack.sim, later.ad.advertiser_id, 'ads', later.ad.id)).budget_fen, Math.round(Number(later.budget) * 100), 'the sandbox has the new budget')

    await page.goto(`${stack.api}/scheduled?status=succeeded`)
    const row = scheduledRow(page, later.id)
    await row.waitFor()
    assert.match(await row.innerText(), /已成功[\s\S]*成功 1，失败 0/)
    await page.locator(`[data-test=scheduled-detail-${later.id}]`).click()
    const detail = page.locator('[data-test=scheduled-detail]')
    const link = detail.locator(`[data-test=item-change-${item.change_id}]`)
    await link.waitFor()
    assert.match(await detail.locator('[data-test=scheduled-items]').innerText(), new RegExp(`${later.ad.id}[\\s\\S]*成功[\\s\\S]*变更 #${item.change_id}`))
    await shot(page, 'scheduled-detail', { fullPage: false })
    // What the run made, together, on the change log: its request, where 回滚这批修改 would undo it.
    assert.equal(await detail.locator('[data-test=scheduled-run-changes]').innerText(), '本次执行的 1 项修改')
    await detail.locator('[data-test=scheduled-run-changes]').click()
    await page.waitForURL((u) => u.pathname === '/changes' && u.searchParams.get('request_id') === `scheduled-${later.id}`)
    await page.locator(`tr:has([data-test="change-id-${item.change_id}"])`).waitFor()
    await page.locator('[data-test=rollback-request]', { hasText: '回滚这批修改' }).waitFor()
    await page.goBack()
    await page.locator(`[data-test=scheduled-detail-${later.id}]`).click()
    await link.waitFor()
    await link.click()
    await page.waitForURL((u) => u.pathname === '/changes' && u.searchParams.get('entity_id') === String(later.ad.id))
    const change = page.locator(`tr:has([data-test="change-id-${item.change_id}"])`)
    await change.waitFor()
    assert.match(await change.innerText(), /admin[\s\S]*预算[\s\S]*成功/, 'the change is the user\'s, in the change log')
    await shot(page, 'scheduled-change')
    // and leads back to the scheduled changes of its ad
    await change.locator(`[data-test=change-scheduled-${later.id}]`).click()
    await page.waitForURL((u) => u.pathname === '/scheduled' && u.searchParams.get('entity_id') === String(later.ad.id))
    await scheduledRow(page, later.id).waitFor()
    await page.goto(`${stack.api}/scheduled?status=all`)
    await scheduledRow(page, later.id).waitFor()
    await shot(page, 'scheduled-after-run')

    // The one refused when it ran says why in words, in its row and its drawer, and in its alert.
    let refused
    await poll(async () => {
      refused = await apiGet(stack.api, token, `/api/v1/scheduled-changes/${doomed.id}`)
      return !['scheduled', 'running'].includes(refused.status)
    }, 'the doomed change to end', 60_000, 1000)
    assert.equal(refused.status, 'failed', JSON.stringify(refused))
    assert.equal(refused.refusal?.reason, 'min_budget_change', JSON.stringify(refused.refusal))
    const why = `执行时被拒绝：与当前预算 ${Number(doomed.current).toLocaleString('en-US', { minimumFractionDigits: 2 })} 元至少相差 100.00 元`
    await page.goto(`${stack.api}/scheduled?status=failed`)
    const failedRow = scheduledRow(page, doomed.id)
    await failedRow.waitFor()
    assert.equal(await failedRow.locator('[data-test=scheduled-why]').innerText(), why)
    await page.locator(`[data-test=scheduled-detail-${doomed.id}]`).click()
    const failedDetail = page.locator('[data-test=scheduled-detail]')
    await failedDetail.locator('[data-test=detail-error]').waitFor()
    assert.equal(await failedDetail.locator('[data-test=detail-error]').innerText(), why)
    await shot(page, 'scheduled-refused-at-run', { fullPage: false })
    await page.keyboard.press('Escape')
    await poll(async () => (await apiGet(stack.api, token, `/api/v1/alerts?kind=scheduled_change&advertiser_id=${doomed.ad.advertiser_id}`)).items.some((a) => a.summary?.includes(why)), 'the refusal in its alert', 20_000, 500)

    // Announced to the subscribers of its advertiser as an alert of kind 定时操作, naming its source.
    await poll(async () => (await apiGet(stack.api, token, `/api/v1/alerts?kind=scheduled_change&advertiser_id=${later.ad.advertiser_id}`)).items.length > 0, 'the alert of the scheduled change', 20_000, 500)
    await page.goto(`${stack.api}/alerts?kind=scheduled_change&status=all&advertiser_id=${later.ad.advertiser_id}`)
    const alertRow = page.locator('[data-test=alerts-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)').first()
    await alertRow.waitFor()
    assert.match(await alertRow.innerText(), new RegExp(`定时操作[\\s\\S]*定时操作 #${later.id}`))
    await alertRow.locator('.title').click()
    const alertDetail = page.locator('[data-test=alert-detail]')
    await alertDetail.locator('[data-test=alert-details]').waitFor()
    assert.match(await alertDetail.innerText(), new RegExp(`来源[\\s\\S]*定时操作 #${later.id}`))
    assert.match(await alertDetail.locator('[data-test=alert-details]').innerText(), new RegExp(`定时操作 ID\\s+${later.id}[\\s\\S]*状态\\s+已成功`))
    await shot(page, 'scheduled-alert', { fullPage: false })
    await page.keyboard.press('Escape')

    // Two more wait for the ad (tomorrow, through the API), a pause and an hour later a budget: its row in the ads
    // table is marked with both in words and how many wait, a budget change made now is warned that the budget's
    // (not the earliest) will overwrite it, and the mark leads to the ad's waiting changes.
    const ad = later.ad
    const tomorrow = Date.now() + 86_400_000
    const raise = (Number(later.budget) + 500).toFixed(2)
    const pause = await apiPost(stack.api, token, '/api/v1/scheduled-changes', { kind: 'ad', op: 'status', run_at: new Date(tomorrow).toISOString(), ids: [ad.id], status: 'disable', note: 'e2e：明日暂停' })
    const next = await apiPost(stack.api, token, '/api/v1/scheduled-changes', { kind: 'ad', op: 'budget', run_at: new Date(tomorrow + 3_600_000).toISOString(), ids: [ad.id], budget: raise, note: 'e2e：明日预算' })
    const beijing = (at) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ')
    const when = beijing(next.run_at)
    const words = `定时操作 #${next.id} 将于北京时间 ${when}`
    const money = Number(raise).toLocaleString('en-US', { minimumFractionDigits: 2 })
    await page.goto(`${stack.api}/ads?keyword=${ad.id}`)
    const adRow = rowOf(page, ad.id)
    const mark = adRow.locator(`[data-test=scheduled-mark-${ad.id}]`)
    await mark.waitFor()
    await mark.hover()
    const tip = page.locator('[data-test=scheduled-mark-tip]')
    await tip.waitFor()
    assert.match(await tip.innerText(), new RegExp(`^定时操作 #${pause.id}：北京时间 ${beijing(pause.run_at)}（2[34] 小时后）将状态改为 暂停\\s+` +
      `定时操作 #${next.id}：北京时间 ${when}（2[45] 小时后）将预算改为 ${money} 元\\s+共 2 个待执行$`))
    await shot(page, 'ads-scheduled-mark', { fullPage: false })

    await adRow.locator('[data-test=edit-amount]').first().click()
    await page.locator('[data-test=amount-input] input').fill((Number(later.budget) + 300).toFixed(2))
    await page.locator('[data-test=amount-preview]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    const warning = dialog.locator('[data-test=change-overridden]')
    await warning.waitFor()
    assert.match(await warning.innerText(), new RegExp(`^该广告计划有${words}（2[45] 小时后）把预算改为 ${money} 元，会覆盖此次修改$`))
    await shot(page, 'change-dialog-overridden', { fullPage: false })
    await page.locator('.arco-modal-footer').getByRole('button', { name: '取消', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })

    await mark.click()
    await page.waitForURL((u) => u.pathname === '/scheduled' && u.searchParams.get('kind') === 'ad' && u.searchParams.get('entity_id') === String(ad.id))
    await scheduledRow(page, next.id).waitFor()
    const listed = await page.locator('[data-test=scheduled-table] [data-test^=scheduled-detail-]').evaluateAll((els) => els.map((e) => e.dataset.test))
    assert.deepEqual(listed, [pause.id, next.id].map((id) => `scheduled-detail-${id}`))

    // Both put off two hours together (改时间（2）, 整体平移 as they are at different times, 推迟 1 小时 pressed twice):
    // each keeps its hour apart.
    for (const c of [pause, next]) await page.locator('[data-test=scheduled-table] tbody tr', { hasText: new RegExp(`#${c.id}\\b`) }).locator('.arco-checkbox').click()
    await page.locator('[data-test=move-many]', { hasText: '改时间（2）' }).click()
    const shiftDialog = page.locator('.arco-modal', { has: page.locator('[data-test=move-dialog]') })
    await shiftDialog.locator('[data-test=move-mode] .arco-radio-checked', { hasText: '整体平移' }).waitFor()
    const fullWall = (at) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
    const shiftAt = shiftDialog.locator('[data-test=move-run-at] input')
    assert.equal(await shiftAt.inputValue(), fullWall(pause.run_at), 'the picker starts at the earliest\'s time')
    const twoHoursOn = (at) => fullWall(new Date(Date.parse(at) + 2 * 3_600_000).toISOString())
    for (let i = 0; i < 2; i++) await shiftDialog.locator('[data-test=move-step-1h]', { hasText: '推迟 1 小时' }).click()
    assert.equal(await shiftAt.inputValue(), twoHoursOn(pause.run_at))
    await shiftDialog.getByText('所选定时操作都将推迟 2 小时').waitFor()
    assert.deepEqual(await shiftDialog.locator('[data-test=move-many-list] li').allInnerTexts(), [
      `#${pause.id} 状态 → 暂停（广告计划 × 1）：北京时间 ${fullWall(pause.run_at)} → ${twoHoursOn(pause.run_at)}`,
      `#${next.id} 预算 → ${money} 元（广告计划 × 1）：北京时间 ${fullWall(next.run_at)} → ${twoHoursOn(next.run_at)}`,
    ])
    await shot(page, 'scheduled-shift-many', { fullPage: false })
    await shiftDialog.getByRole('button', { name: '保存' }).click()
    await page.locator('.arco-message', { hasText: '已将 2 个定时操作整体推迟 2 小时' }).waitFor()
    for (const c of [pause, next]) assert.equal(fullWall((await apiGet(stack.api, token, `/api/v1/scheduled-changes/${c.id}`)).run_at), twoHoursOn(c.run_at))
    for (const c of [pause, next]) await apiPost(stack.api, token, `/api/v1/scheduled-changes/${c.id}/cancel`, {})
  })

  // Last: the account stays out of its grant until the next hourly account run.
  test('clients: one created, two accounts checked and set to it, the accounts filtered by it, the report summed by it equal to its accounts\' sum, a rule on its accounts; deleted once empty', async () => {
    await page.goto(`${stack.api}/clients`)
    const dlg = await createDialog('client', '星河传媒')
    await dlg.locator('[data-test=client-note] input').fill('华东区 · 双十二')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    const clientRow = page.locator('[data-test=clients-table] tbody tr.arco-table-tr', { hasText: '星河传媒' })
    await clientRow.waitFor()
    const client = (await apiGet(stack.api, token, '/api/v1/clients')).find((c) => c.name === '星河传媒')
    assert.ok(client && client.note === '华东区 · 双十二' && client.advertisers === 0, JSON.stringify(client))

    // Two leaf accounts checked on the accounts page and set to the client.
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&auth_status=active&page_size=200')).items
    const picked = leaves.slice(0, 2)
    assert.equal(picked.length, 2)
    await page.goto(`${stack.api}/accounts`)
    for (const a of picked) await rowOf(page, a.id).locator('.arco-checkbox').click()
    assert.match(await page.locator('[data-test=accounts-selection]').innerText(), /已选 2 个账户/)
    await page.locator('[data-test=set-client]').click()
    const setDlg = page.locator('[data-test=set-client-dialog]')
    await choose(page, setDlg.locator('[data-test=client-select]'), '星河传媒')
    await shot(page, 'accounts-set-client')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已设置 2 个账户的客户' }).waitFor()
    for (const a of picked) await rowOf(page, a.id).locator('[data-test=account-client]', { hasText: '星河传媒' }).waitFor()
    assert.equal(await page.locator('[data-test=accounts-selection]').count(), 0, 'the selection cleared')

    // Filtered by the client: those two only.
    await choose(page, page.locator('.toolbar [data-test=client-select]'), '星河传媒')
    await page.waitForURL(/client_id=/)
    const listed = page.locator('[data-test=accounts-table] tbody tr.arco-table-tr')
    await poll(async () => (await listed.count()) === 2, 'the two accounts of the client alone', 20_000, 300)
    const shown = await listed.allInnerTexts()
    for (const a of picked) assert.ok(shown.some((r) => r.includes(String(a.id))), `${a.id} listed`)

    // The ads of the client: those of its two accounts.
    const ads = await apiGet(stack.api, token, `/api/v1/ads?advertiser_ids=${picked.map((a) => a.id).join(',')}&page_size=1`)
    await page.goto(`${stack.api}/ads`)
    await choose(page, page.locator('.toolbar [data-test=client-select]'), '星河传媒')
    await page.waitForURL(/client_ids=/)
    await poll(async () => (await page.locator('.pager').first().innerText()).includes(`共 ${ads.total} 条`), `the ${ads.total} ads of the client`, 20_000, 300)
    const all = await apiGet(stack.api, token, '/api/v1/ads?page_size=1')
    assert.ok(ads.total > 0 && ads.total < all.total, `the client's ${ads.total} of ${all.total} ads`)

    // The report by client: the client's row is the exact sum of its two accounts.
    const to = (await simGet(stack.sim, '/_sim/clock')).beijing.slice(0, 10)
    const from = addDays(to, -6)
    const want = await apiGet(stack.api, token, `/api/v1/reports?level=advertiser&from=${from}&to=${to}&group_by=advertiser&advertiser_ids=${picked.map((a) => a.id).join(',')}`)
    await page.goto(`${stack.api}/reports?level=advertiser&from=${from}&to=${to}&group_by=client`)
    const clientLine = page.locator('[data-test=report-table] tbody tr.arco-table-tr', { hasText: '星河传媒' })
    await clientLine.waitFor()
    const line = (await clientLine.innerText()).replaceAll(',', '')
    assert.ok(line.includes(want.summary.cost), `${line} holds ${want.summary.cost}`)
    assert.ok(await page.locator('[data-test=report-table] tbody tr.arco-table-tr', { hasText: '未分组' }).count() === 1, 'the accounts of no client in one row')
    await shot(page, 'reports-by-client')
    // Filtered to the client from its page: the totals are the two accounts'.
    await page.goto(`${stack.api}/clients`)
    assert.equal((await clientRow.locator('[data-test=client-accounts]').innerText()).trim(), '2')
    // Its spend yesterday is its two accounts' (the browser's Beijing yesterday, as the page reads it).
    const yesterday = addDays(beijingToday(), -1)
    const spent = await apiGet(stack.api, token, `/api/v1/reports?level=advertiser&from=${yesterday}&to=${yesterday}&group_by=advertiser&advertiser_ids=${picked.map((a) => a.id).join(',')}`)
    await poll(async () => (await clientRow.locator('[data-test=client-cost-yesterday]').innerText()).replaceAll(',', '') === spent.summary.cost,
      `the client's spend yesterday ${spent.summary.cost}`, 20_000, 300)
    await shot(page, 'clients')
    await clientRow.getByRole('link', { name: '查看报表' }).click()
    // The explorer writes its whole view (the dates too) back into the link.
    await page.waitForURL((u) => u.searchParams.has('client_ids') && u.searchParams.has('from'))
    const q = new URL(page.url()).searchParams
    const filtered = await apiGet(stack.api, token, `/api/v1/reports?level=advertiser&from=${q.get('from')}&to=${q.get('to')}&group_by=advertiser&advertiser_ids=${picked.map((a) => a.id).join(',')}`)
    await checkTotals(filtered)

    // The client's dashboard: its balance card is the two accounts' balances, to the fen.
    await page.goto(`${stack.api}/dashboard`)
    await choose(page, page.locator('[data-test=client-select]'), '星河传媒')
    await page.waitForURL(/client_id=/)
    // Balances move whenever the account job reads them again: the card's and the accounts' are compared as the API
    // has them at one moment (until they agree; a sum that never does fails).
    let balances
    await poll(async () => {
      const [b, now] = await Promise.all([apiGet(stack.api, token, `/api/v1/dashboard/balances?client_id=${client.id}`),
        apiGet(stack.api, token, `/api/v1/advertisers?ids=${picked.map((a) => a.id).join(',')}`)])
      balances = b
      const sum = now.items.reduce((n, a) => n + Math.round(Number(a.balance ?? 0) * 100), 0)
      return b.advertisers === 2 && now.items.length === 2 && Math.round(Number(b.total) * 100) === sum
    }, 'the balance card to be the two accounts\' balances, to the fen', 30_000, 500)
    await poll(async () => (await page.locator('[data-test=kpi-value]').last().innerText()).replaceAll(',', '') === balances.total,
      'the balance card of the client', 20_000, 300)
    await shot(page, 'dashboard-client')

    // A subscription for the client's group chat: it picks the client, not its accounts.
    await page.goto(`${stack.api}/alerts/subscriptions`)
    const sub = await createDialog('subscription', '星河传媒群')
    await choose(page, sub.locator('[data-test=subscription-clients]'), '星河传媒')
    await page.keyboard.press('Escape')
    await choose(page, sub.locator('[data-test=subscription-channels]'), '运营群 webhook')
    await page.keyboard.press('Escape')
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    const subRow = page.locator('[data-test=subscriptions-table] tbody tr.arco-table-tr', { hasText: '星河传媒群' })
    await subRow.locator('[data-test=subscription-clients-count]', { hasText: '1 个客户' }).waitFor()
    const stored = (await apiGet(stack.api, token, '/api/v1/alerts/subscriptions')).find((x) => x.name === '星河传媒群')
    assert.deepEqual([stored.client_ids, stored.advertiser_ids], [[client.id], []])

    // A rule on the client's accounts, picked in the form: saved with the client, named on its page; its preview
    // looks at the ads of the client's two accounts and no other.
    await page.goto(`${stack.api}/rules/new`)
    const ruleForm = page.locator('[data-test=rule-form]')
    await ruleForm.locator('[data-test=rule-form-name] input').fill('星河传媒 消耗提醒')
    await choose(page, ruleForm.locator('[data-test=rule-form-clients]'), '星河传媒')
    await page.keyboard.press('Escape')
    await ruleForm.getByText('运行时属于所选客户的账户').waitFor()
    // The picker closed (a click outside it) to show the form as it is left.
    await ruleForm.locator('[data-test=rule-form-name] input').click()
    await page.locator('.arco-select-dropdown:visible').waitFor({ state: 'hidden' })
    assert.match(await page.locator('[data-test=rule-edit-page]').innerText(), /广告计划 · 1 个客户的账户/)
    await shot(page, 'rule-form-client')
    await page.locator('[data-test=rule-save]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/rules\/\d+$/)
    const ruleId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test=rule-scope-names]', { hasText: `星河传媒 · ${client.id}` }).waitFor()
    const scope = (await apiGet(stack.api, token, `/api/v1/rules/${ruleId}`)).spec.scope
    assert.deepEqual([scope.level, scope.client_ids, scope.advertiser_ids], ['ad', [client.id], undefined])
    const pv = await apiPost(stack.api, token, `/api/v1/rules/${ruleId}/preview?all=true`, {})
    assert.equal(pv.objects, ads.total, `the rule looks at the client's ${ads.total} ads`)
    assert.ok(pv.decisions.every((d) => picked.some((a) => a.id === d.object.advertiser_id)), 'only ads of the two accounts')
    // The client's rules, from its row: that rule alone of all the rules.
    await page.goto(`${stack.api}/clients`)
    await clientRow.locator('[data-test=client-rules]').click()
    await page.waitForURL(/\/rules\?client_id=/)
    const ruleRows = page.locator('[data-test=rules-table] tbody tr.arco-table-tr')
    await poll(async () => (await ruleRows.count()) === 1 && (await ruleRows.first().innerText()).includes('星河传媒 消耗提醒'), "the client's rule alone", 20_000, 300)
    assert.equal((await page.locator(`[data-test=rule-scope-${ruleId}]`).innerText()).trim(), '广告计划 · 1 个客户的账户', 'the list says what the rule looks at')
    const everyRule = await apiGet(stack.api, token, '/api/v1/rules?page_size=200')
    assert.ok(everyRule.total > 1, `${everyRule.total} rules in all`)
    await shot(page, 'rules-of-client')

    // An operator given the client in the users drawer: the client's two accounts are their scope, and leave it when
    // they leave the client (below).
    const kai = { username: 'kai', password: 'Lotus-Harbor-Crane-58' }
    const kaiUser = await apiPost(stack.api, token, '/api/v1/users', { ...kai, roles: ['operator'] })
    await page.goto(`${stack.api}/users`)
    await page.locator(`[data-test=user-edit-${kai.username}]`).click()
    const userForm = page.locator('[data-test=user-form]')
    await choose(page, userForm.locator('[data-test=user-clients]'), '星河传媒')
    await page.locator('.arco-drawer-title').click() // closes the picker, not the drawer
    await page.locator('.arco-select-dropdown:visible').waitFor({ state: 'hidden' })
    await shot(page, 'user-client')
    await page.locator('[data-test=user-save]').click()
    const confirmUser = page.locator('.arco-modal', { hasText: '保存用户' })
    assert.match(await confirmUser.innerText(), /0 个账户，以及 1 个客户的全部账户/)
    await confirmUser.getByRole('button', { name: '确认' }).click()
    await page.locator('.arco-message', { hasText: '已保存' }).first().waitFor()
    await page.locator('tr.arco-table-tr', { hasText: kai.username }).locator('[data-test=user-scope]', { hasText: '2 个账户 · 1 个客户' }).waitFor()
    const kaiGrants = await apiGet(stack.api, token, `/api/v1/users/${kaiUser.id}/advertisers`)
    assert.deepEqual([kaiGrants.client_ids, kaiGrants.advertiser_ids, kaiGrants.advertisers], [[client.id], [], 2])
    // The client says whom it is given to, one link away from them.
    await page.goto(`${stack.api}/clients`)
    await clientRow.locator('[data-test=client-users]', { hasText: '1 人' }).click()
    await page.waitForURL(/\/users\?client_id=/)
    const givenTo = page.locator('[data-test=users-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)')
    await poll(async () => (await givenTo.count()) === 1 && (await givenTo.first().innerText()).includes(kai.username), 'the client\'s one user', 20_000, 300)
    await shot(page, 'users-of-client')
    const kaiSession = session(stack.api, kai.username, kai.password)
    const kaiSees = async () => (await apiGet(stack.api, kaiSession, '/api/v1/advertisers?page_size=200')).items.map((a) => a.id).sort()
    assert.deepEqual(await kaiSees(), picked.map((a) => a.id).sort(), "the client's two accounts")

    // Deleting it is refused while it has accounts, then while a subscription picks it, then while a rule does, in
    // words; then it goes.
    await page.goto(`${stack.api}/clients`)
    const refusedWith = async (text) => {
      await clientRow.locator('[data-test=client-delete]').click()
      await page.locator('.arco-modal').getByRole('button', { name: '删除' }).click()
      await page.locator('.arco-message', { hasText: text }).waitFor()
      await page.locator('.arco-modal').getByRole('button', { name: '取消' }).click()
    }
    await refusedWith('还有 2 个账户属于该客户')
    await apiPost(stack.api, token, '/api/v1/advertisers/client', { advertiser_ids: picked.map((a) => a.id), client_id: 0 })
    assert.deepEqual(await kaiSees(), [], 'moved out of the client, out of its operator\'s scope')
    await refusedWith('有 1 个告警订阅选择了该客户')
    await apiSend('DELETE', stack.api, token, `/api/v1/alerts/subscriptions/${stored.id}`)
    await refusedWith('有 1 条自动规则的范围选择了该客户')
    await apiSend('DELETE', stack.api, token, `/api/v1/rules/${ruleId}`)
    await page.reload()
    await clientRow.locator('[data-test=client-delete]').click()
    await page.locator('.arco-modal').getByRole('button', { name: '删除' }).click()
    await page.locator('.arco-message', { hasText: '已删除客户' }).waitFor()
    assert.deepEqual(await apiGet(stack.api, token, '/api/v1/clients'), [])
    const audit = (await apiGet(stack.api, token, '/api/v1/audit?action=advertiser.set_client')).items
    assert.deepEqual(audit.map((e) => e.target_id), ['', String(client.id)], 'moved in, then out')
    assert.deepEqual(page.problems, [])
  })

  test('more ads than one request takes: a file of 1000 lines read 200 ids at a time; all of a page of 200 paused (those paused already told apart and left alone), previewed and made in parts of 100 as one request, rolled back from the change log in parts, scheduled as one change a part, those moved and cancelled together', async () => {
    // All but three of the ads paused already are switched on first, so that more than a part's 100 change below.
    const listed = (await apiGet(stack.api, token, '/api/v1/ads?page_size=200')).items.map((a) => a.id)
    const pausedAhead = []
    for (let i = 0; i < listed.length; i += 100) {
      const dry = await apiPost(stack.api, token, '/api/v1/ads/batch/status?dry_run=true', { ids: listed.slice(i, i + 100), status: 'disable' })
      pausedAhead.push(...dry.items.filter((it) => it.result === 'unchanged').map((it) => it.id))
    }
    assert.ok(pausedAhead.length > 3, `ads paused already: ${pausedAhead.length}`)
    const switchedOn = await apiPost(stack.api, token, '/api/v1/ads/batch/status', { ids: pausedAhead.slice(3), status: 'enable' },
      { 'Idempotency-Key': `e2e-switch-on-${Date.now()}` })
    assert.equal(switchedOn.succeeded, pausedAhead.length - 3, JSON.stringify(switchedOn))
    await page.goto(`${stack.api}/ads?page_size=200`)
    const rows = page.locator('[data-test=entity-table] tbody tr.arco-table-tr:not(.arco-table-tr-empty)')
    await rows.first().waitFor()

    // 从文件导入 takes 1000 lines (their ids read 200 at a time; none of these exists), its table virtualised; 1001 are refused.
    const lines = (k) => ['ID,新预算(元)', ...Array.from({ length: k }, (_, i) => `${1790000000100000 + i},500`)].join('\n')
    await page.locator('[data-test=import-open]').click()
    const importing = page.locator('[data-test=import-dialog]')
    await importing.locator('[data-test=import-file]').setInputFiles({ name: 'budgets.csv', mimeType: 'text/csv', buffer: Buffer.from(lines(1000)) })
    await importing.locator('[data-test=import-summary]', { hasText: '共 1000 行：0 行可导入，1000 行有问题，不导入' }).waitFor()
    assert.equal(await importing.locator('[data-test=import-problem]').count(), 1000)
    assert.equal(await importing.locator('[data-test=import-problem]').last().innerText(), '第 1001 行：不存在或无权限')
    const shown = await importing.locator('[data-test=import-row]').count()
    assert.ok(shown > 0 && shown < 1000, `only the visible rows are in the page: ${shown}`)
    assert.ok(await page.locator('[data-test=import-preview]').isDisabled())
    await shot(page, 'ads-import-1000', { fullPage: false })
    await importing.locator('[data-test=import-file]').setInputFiles({ name: 'budgets.csv', mimeType: 'text/csv', buffer: Buffer.from(lines(1001)) })
    assert.equal(await importing.locator('[data-test=import-file-error]').innerText(), '文件有 1001 行数据，超过一次最多 1000 行：请拆分成多个文件，分批导入')
    // So is a workbook: 1000 lines with a blank row before every 300th are all read (the blank rows not counted); 1001 are refused.
    const sheetOf = async (k) => {
      const book = new ExcelJS.Workbook()
      const sheet = book.addWorksheet('预算')
      sheet.getRow(1).values = ['ID', '新预算(元)']
      for (let i = 0, r = 1; i < k; i++) {
        r += i > 0 && i % 300 === 0 ? 2 : 1
        sheet.getRow(r).values = [String(1790000000100000 + i), 500]
      }
      return { name: 'budgets.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from(await book.xlsx.writeBuffer()) }
    }
    await importing.locator('[data-test=import-file]').setInputFiles(await sheetOf(1000))
    await importing.locator('[data-test=import-summary]', { hasText: '共 1000 行：0 行可导入，1000 行有问题，不导入' }).waitFor()
    assert.equal(await importing.locator('[data-test=import-problem]').last().innerText(), '第 1004 行：不存在或无权限')
    await importing.locator('[data-test=import-file]').setInputFiles(await sheetOf(1001))
    await importing.locator('[data-test=import-file-error]', { hasText: '文件有 1001 行数据，超过一次最多 1000 行' }).waitFor()
    await page.getByRole('button', { name: '取消' }).click()
    await importing.waitFor({ state: 'detached' })
    const n = await rows.count()
    assert.ok(n > 100 && n <= 200, `more than 100 ads on the page: ${n}`)
    const ids = (await apiGet(stack.api, token, '/api/v1/ads?page_size=200')).items.map((a) => a.id)
    assert.equal(ids.length, n)
    await page.locator('[data-test=entity-table] thead .arco-checkbox').click()
    await page.locator('[data-test=batch-bar]').waitFor()
    await page.locator('[data-test=batch-disable]').click()
    const dialog = page.locator('[data-test=change-dialog]')
    await dialog.waitFor()
    assert.equal(await dialog.locator('[data-test=change-items] tbody tr').count(), n, 'the dry run of every part is previewed')
    // The ads paused already are told apart: nothing will be sent for them.
    const valid = await dialog.locator('[data-test=item-result]', { hasText: '可执行' }).count()
    const already = await dialog.locator('[data-test=item-result]', { hasText: '已是该值' }).count()
    assert.equal(valid + already, n, 'every ad valid or already paused')
    assert.equal(already, 3, 'the three ads left paused')
    assert.equal(await dialog.locator('[data-test=change-unchanged]').innerText(), `${already} 个对象已是该值，确认后不会提交修改，也不记入变更记录`)
    await shot(page, 'ads-batch-preview-already-paused', { fullPage: false })
    await page.locator('[data-test=change-confirm]').click()
    const summary = dialog.locator('[data-test=change-summary]')
    await summary.waitFor({ timeout: 120_000 })
    const [, ok, failed, unknown, unchanged] = /成功 (\d+)，失败 (\d+)，未知 (\d+)；(\d+) 个已是该值，未修改/.exec(await summary.innerText()).map(Number)
    assert.equal(ok + failed + unknown + unchanged, n, 'an outcome for every ad')
    assert.equal(unchanged, already, 'the ads paused already are unchanged')
    assert.ok(ok > 100, `more than a part made: ${ok}`)
    await shot(page, 'ads-batch-in-parts', { fullPage: false })
    await page.getByRole('button', { name: '关闭' }).click()

    // Paused again at once: every ad already so, nothing to make (定时执行 stays open).
    await rows.first().waitFor()
    await page.locator('[data-test=entity-table] thead .arco-checkbox').click()
    await page.locator('[data-test=batch-bar]', { hasText: `已选 ${n} 项` }).waitFor()
    await page.locator('[data-test=batch-disable]').click()
    await dialog.locator('[data-test=change-unchanged]', { hasText: '所选对象都已是该值，无需修改' }).waitFor({ timeout: 60_000 })
    assert.equal(await dialog.locator('[data-test=item-result]', { hasText: '已是该值' }).count(), n)
    assert.ok(await page.locator('[data-test=change-confirm]').isDisabled(), 'nothing to confirm')
    await shot(page, 'ads-batch-all-already-paused', { fullPage: false })
    await page.locator('.arco-modal').getByRole('button', { name: '取消', exact: true }).click()
    await dialog.waitFor({ state: 'detached' })

    // The parts share one request id: the change log lists the batch as one, every ad changed once and no ad that
    // was paused already; each ad made is paused.
    const log = (await apiGet(stack.api, token, `/api/v1/changes?field=status&page_size=${n}`)).items
    const request = log[0].request_id
    assert.match(request, /^batch-/)
    const batch = log.filter((c) => c.request_id === request)
    assert.equal(new Set(batch.map((c) => c.entity_id)).size, n - unchanged, 'one request, each ad changed once')
    assert.ok(batch.every((c) => ids.includes(c.entity_id) && c.before === 'enable'), 'only ads that were on are in the change log')
    const made = batch.filter((c) => c.result === 'succeeded')
    assert.equal(made.length, ok)
    for (const c of made.slice(0, 5)) {
      assert.equal((await simEntity(stack.sim, c.advertiser_id, 'ads', c.entity_id)).opt_status, 'AD_STATUS_DISABLE', `ad ${c.entity_id} paused on the platform`)
    }

    // 回滚这批修改 takes the whole batch, beyond one request and one page, and rolls it back in parts too.
    await page.goto(`${stack.api}/changes?request_id=${request}`)
    await page.locator('[data-test=request-filter]').waitFor()
    await page.locator('[data-test=rollback-request]', { hasText: '回滚这批修改' }).click()
    const list = page.locator('[data-test=batch-rollback-list]')
    await list.waitFor()
    assert.equal(await list.locator('li').count(), ok)
    // The second part is held until the dialog has said how far the first went.
    let parts = 0
    let release
    const held = new Promise((resolve) => (release = resolve))
    const rollbackPosts = (url) => url.pathname === '/api/v1/changes/rollback' && !url.searchParams.has('dry_run')
    await page.route(rollbackPosts, async (route) => {
      if (route.request().method() === 'POST' && ++parts === 2) await held
      await route.continue()
    })
    await page.locator('.arco-modal').getByRole('button', { name: `批量回滚（${ok}）` }).click()
    await list.locator('[data-test=batch-rollback-progress]', { hasText: `正在分批回滚：已完成 100 / ${ok} 条` }).waitFor({ timeout: 120_000 })
    release()
    const outcome = page.locator('[data-test=batch-rollback-outcome]')
    await outcome.waitFor({ timeout: 120_000 })
    await page.unroute(rollbackPosts)
    assert.equal(parts, 2, 'two parts: 100 and the rest')
    assert.match(await outcome.innerText(), new RegExp(`成功 ${ok} / 未执行 0`))
    await shot(page, 'change-log-batch-in-parts-rolled-back', { fullPage: false })
    await page.locator('.arco-modal').getByRole('button', { name: /确定|OK/ }).click()
    const rollbacks = (await apiGet(stack.api, token, `/api/v1/changes?rollbacks=true&field=status&page_size=${ok}`)).items
    assert.equal(new Set(rollbacks.map((c) => c.request_id)).size, 1, 'the rollbacks share a request too')
    assert.deepEqual(rollbacks.map((c) => c.rollback_of).sort(), made.map((c) => c.id).sort(), 'each change rolled back once')
    const wasOn = made.filter((c) => c.before === 'enable')
    assert.ok(wasOn.length > 0, 'ads that were on before the batch')
    for (const c of wasOn.slice(0, 5)) {
      assert.equal((await simEntity(stack.sim, c.advertiser_id, 'ads', c.entity_id)).opt_status, 'AD_STATUS_ENABLE', `ad ${c.entity_id} on again`)
    }

    // 定时执行 of all of them: one scheduled change a part of 100, at one time (then canceled).
    await page.goto(`${stack.api}/ads?page_size=200`)
    await rows.first().waitFor()
    await page.locator('[data-test=entity-table] thead .arco-checkbox').click()
    await page.locator('[data-test=batch-disable]').click()
    await dialog.waitFor()
    await dialog.locator('[data-test=when-later]').click()
    await dialog.locator('[data-test=schedule-note] input').fill('e2e：分批定时')
    await page.locator('[data-test=change-confirm]').click()
    const scheduledMsg = dialog.locator('[data-test=scheduled-created]')
    await scheduledMsg.waitFor({ timeout: 60_000 })
    const madeIds = /已创建 2 个定时操作 #(\d+)、#(\d+)（每个最多 100 个对象）：状态 → 暂停，北京时间/.exec(await scheduledMsg.innerText())
    assert.ok(madeIds, await scheduledMsg.innerText())
    await shot(page, 'ads-scheduled-in-parts', { fullPage: false })
    await page.getByRole('button', { name: '关闭' }).click()
    const inParts = (await apiGet(stack.api, token, '/api/v1/scheduled-changes?status=scheduled&kind=ad&page_size=100')).items
      .filter((c) => c.note === 'e2e：分批定时')
      .sort((a, b) => a.id - b.id)
    assert.deepEqual(inParts.map((c) => String(c.id)), [madeIds[1], madeIds[2]])
    assert.deepEqual(inParts.map((c) => c.items.length), [100, n - 100])
    assert.deepEqual(inParts.flatMap((c) => c.items.map((i) => i.id)).sort(), [...ids].sort(), 'every ad of the page once')
    assert.equal(inParts[0].run_at, inParts[1].run_at)

    // Both moved an hour on at once in 定时操作 (tick them, 改时间（2）), then cancelled at once (取消所选（2）).
    await page.goto(`${stack.api}/scheduled?status=scheduled&kind=ad`)
    const scheduledTable = page.locator('[data-test=scheduled-table]')
    const tickParts = async () => {
      for (const c of inParts) await scheduledTable.locator('tbody tr', { hasText: new RegExp(`#${c.id}\\b`) }).locator('.arco-checkbox').click()
    }
    await tickParts()
    await page.locator('[data-test=move-many]', { hasText: '改时间（2）' }).click()
    const moveMany = page.locator('.arco-modal', { has: page.locator('[data-test=move-dialog]') })
    assert.equal(await moveMany.locator('[data-test=move-many-list] li').count(), 2)
    assert.match(await moveMany.innerText(), /修改 2 个定时操作的执行时间[\s\S]*#\d+ 状态 → 暂停（广告计划 × 100），原定北京时间/)
    const bjWall = (at) => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')
    const manyAt = moveMany.locator('[data-test=move-run-at] input')
    assert.equal(await manyAt.inputValue(), bjWall(inParts[0].run_at), 'the picker starts at their time')
    const hourOn = bjWall(new Date(Date.parse(inParts[0].run_at) + 3_600_000).toISOString())
    await manyAt.click()
    await manyAt.fill(hourOn)
    await manyAt.press('Enter')
    await moveMany.locator('.arco-modal-title').click() // the picker's panel closed
    await page.evaluate(() => window.scrollTo(0, 0))
    await shot(page, 'scheduled-move-many', { fullPage: false })
    await moveMany.getByRole('button', { name: '保存' }).click()
    await page.locator('.arco-message', { hasText: new RegExp(`已将 2 个定时操作改为北京时间 ${hourOn}（`) }).waitFor()
    for (const c of inParts) assert.equal(bjWall((await apiGet(stack.api, token, `/api/v1/scheduled-changes/${c.id}`)).run_at), hourOn)
    await poll(async () => (await page.locator('[data-test=batch-bar]').count()) === 0, 'the moved rows no longer ticked', 10_000, 300)
    await tickParts()
    await page.locator('[data-test=cancel-many]', { hasText: '取消所选（2）' }).click()
    const cancelList = page.locator('[data-test=cancel-many-list]')
    await cancelList.waitFor()
    assert.deepEqual((await cancelList.locator('li').allInnerTexts()).map((l) => l.split(' ')[0]).sort(), inParts.map((c) => `#${c.id}`).sort())
    assert.match(await cancelList.innerText(), /状态 → 暂停（广告计划 × 100/)
    await shot(page, 'scheduled-cancel-many', { fullPage: false })
    await page.locator('.arco-modal').getByRole('button', { name: '取消这 2 个定时操作' }).click()
    await page.locator('.arco-message', { hasText: '已取消 2 个定时操作' }).waitFor()
    for (const c of inParts) {
      const after = await apiGet(stack.api, token, `/api/v1/scheduled-changes/${c.id}`)
      assert.equal(after.status, 'canceled')
      assert.equal(after.canceled_by_name, 'admin')
    }
    assert.deepEqual(page.problems, [])
  })

  test('a client leaves its majordomo: its refused sync gets the account checked, it is shown as 已离开授权 with no sync, on the dashboard, alerted and audited', async () => {
    const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
    const child = leaves.find((a) => a.parent_id)
    assert.ok(child, 'an advertiser under a majordomo or agent account')
    await simPost(stack.sim, '/_sim/detach', { advertiser_id: child.id })
    try {
      await page.goto(`${stack.api}/accounts?keyword=${child.id}`)
      await rowOf(page, child.id).getByRole('button', { name: '同步', exact: true }).click()
      await page.locator('.arco-message', { hasText: /已加入同步队列|同步已在队列中/ }).waitFor()
      // The platform refuses the sync (40002): the worker asks the platform
      // whether the grant still reaches the account, and marks it.
      let v
      await poll(async () => {
        v = await apiGet(stack.api, token, `/api/v1/advertisers/${child.id}`)
        return v.auth_status === 'left_grant'
      }, 'the account to be found out of its grant', 120_000, 1000)
      assert.ok(v.left_grant_at && v.authorization_id, JSON.stringify(v))
      const others = (await apiGet(stack.api, token, '/api/v1/advertisers?auth_status=left_grant')).items.map((a) => a.id)
      assert.deepEqual(others, [child.id], 'only the account that left')

      await page.reload()
      const row = rowOf(page, child.id)
      const tag = row.locator('[data-test=auth-status]')
      assert.equal((await tag.innerText()).trim(), '已离开授权')
      assert.equal(await row.getByRole('button', { name: '同步', exact: true }).count(), 0, 'no sync for an account out of its grant')
      assert.equal(await row.getByRole('button', { name: '重新授权' }).count(), 1)
      // Its refused streams are history: it is not synced any more.
      assert.match(await row.locator('[data-test=sync-state]').innerText(), /^未同步/)
      await tag.hover()
      await page.locator('.arco-tooltip-content', { hasText: '已离开授权所属的管家或代理商账户' }).waitFor()
      await shot(page, 'accounts-left-grant')
      await row.locator('.arco-link').first().click()
      assert.match(await page.locator('[data-test=left-grant]').innerText(), /起授权已不再覆盖该账户.*已停止同步/)
      await page.keyboard.press('Escape')

      // Asked of the API directly, a sync is refused in words.
      const refused = await fetch(`${stack.api}/api/v1/advertisers/${child.id}/sync`, {
        method: 'POST', headers: { Authorization: `Bearer ${await token.token()}`, 'Content-Type': 'application/json' }, body: '{}' })
      assert.equal(refused.status, 409)
      assert.equal((await refused.json()).reason, 'advertiser_left_grant')

      await page.goto(`${stack.api}/dashboard`)
      const item = page.locator('[data-test=attention] .att-row', { hasText: child.name })
      await item.waitFor()
      assert.match(await item.innerText(), /已离开授权/)

      await poll(async () => (await apiGet(stack.api, token, `/api/v1/alerts?kind=authorization&advertiser_id=${child.id}`)).items
        .some((a) => a.status === 'firing' && a.title === `账户已不在授权内：${child.name}`), 'the authorisation alert', 30_000, 1000)
      const audit = await apiGet(stack.api, token, '/api/v1/audit?action=advertiser.left_grant')
      assert.deepEqual(audit.items.map((e) => [e.target_id, e.actor_type]), [[String(child.id), 'system']])
      assert.deepEqual(page.problems, [])
    } finally {
      await simPost(stack.sim, '/_sim/attach', { advertiser_id: child.id })
    }
  })
})

/**
 * findBatch picks three daily-budget ads of one advertiser and one budget V
 * for all of them: V is valid by the mirror for every ad, and the platform
 * accepts it for two and refuses it for the "spender", whose real spend
 * today makes V less than 105% of it.
 */
async function findBatch(today) {
  const leaves = (await apiGet(stack.api, token, '/api/v1/advertisers?account_role=ADVERTISER&page_size=200')).items
  const fen = (s) => (s ? Math.round(Number(s) * 100) : 0)
  for (const adv of leaves) {
    const truth = await simGet(stack.sim, `/_sim/truth?advertiser_id=${adv.id}&level=ad&start_date=${today}&end_date=${today}&granularity=total`)
    const platform = new Map(truth.rows.map((r) => [r.id, r.cost_fen]))
    const ads = (await apiGet(stack.api, token, `/api/v1/ads?advertiser_ids=${adv.id}&page_size=200`)).items
      .filter((a) => a.id !== paused.id && a.budget_mode === 'BUDGET_MODE_DAY' && !/DELETE/.test(a.status))
      .map((a) => ({
        id: a.id,
        budget: fen(a.budget),
        bid: fen((a.pricing ?? '').startsWith('PRICING_OC') ? a.cpa_bid : a.bid),
        mirror: fen(a.today?.cost),
        platform: platform.get(a.id) ?? 0,
      }))
    const fits = (a, v) => v >= 30000 && Math.abs(a.budget - v) >= 10000 && v >= a.bid
    for (const s of ads) {
      for (let v = Math.ceil((s.mirror * 1.05) / 100 + 1) * 100; v * 100 < s.platform * 105 - 100; v += 100) {
        if (!fits(s, v)) continue
        const others = ads.filter((o) => o.id !== s.id && fits(o, v) && v * 100 >= o.platform * 106 && v * 100 >= o.mirror * 106)
        if (others.length >= 2) {
          return { advertiserId: adv.id, spender: s.id, spenderBudgetFen: s.budget, ids: [others[0].id, s.id, others[1].id], value: v / 100 }
        }
      }
    }
  }
  throw new Error('no advertiser has ads for a batch with one platform refusal')
}
