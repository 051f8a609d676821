// Prints the gzip size of the console's initial JavaScript (the entry script
// and the modules index.html preloads) and of its CSS, and fails the build
// when the JavaScript is over the budget. Lazy route chunks are not counted:
// they load when their page is first visited.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const dir = new URL('../dist/app/', import.meta.url).pathname
const budgetKB = 500
const html = readFileSync(join(dir, 'index.html'), 'utf8')
const attr = (re) => [...html.matchAll(re)].map((m) => m[1])
const js = [...attr(/<script[^>]+src="\/([^"]+\.js)"/g), ...attr(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)]
const css = attr(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g)
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error('bundle-size: index.html has an inline script; the Content-Security-Policy forbids it')
  process.exit(1)
}
const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f))).length, 0)
const jsKB = gz(js) / 1024
const cssKB = gz(css) / 1024
console.log(`console initial JavaScript: ${jsKB.toFixed(1)} KB gzip in ${js.length} files (budget ${budgetKB} KB); CSS ${cssKB.toFixed(1)} KB gzip`)
if (jsKB > budgetKB) {
  console.error(`bundle-size: initial JavaScript is over the ${budgetKB} KB budget`)
  process.exit(1)
}
