// Starts the system as `make run` does — the OceanEngine sandbox, the API
// server (serving the built console) and the worker — on free ports, with a
// private redis-server and a fresh MariaDB database, for the end-to-end tests.
import { spawn, execFileSync } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../../', import.meta.url).pathname
export const resultsDir = new URL('../test-results/', import.meta.url).pathname

function listens(port) {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => {
      const bound = s.address().port
      s.close(() => resolve(bound))
    })
  })
}

/**
 * A loopback port free now, below the kernel's ephemeral range (32768 and
 * up on Linux): a port the kernel handed out and took back could be taken
 * by any outgoing connection before the child binds it; these only by an
 * explicit bind. After 64 draws that are taken or already given, the
 * kernel picks.
 */
async function freePort(given = []) {
  for (let i = 0; i < 64; i++) {
    const port = 20000 + Math.floor(Math.random() * 12768)
    if (given.includes(port)) continue
    try {
      return await listens(port)
    } catch {
      // taken: draw again
    }
  }
  return listens(0)
}

async function freePorts(n) {
  const given = []
  while (given.length < n) given.push(await freePort(given))
  return given
}

async function waitFor(url, what, ms = 60_000) {
  const until = Date.now() + ms
  let last = ''
  while (Date.now() < until) {
    try {
      const r = await fetch(url)
      if (r.ok) return
      last = `HTTP ${r.status}`
    } catch (e) {
      last = String(e)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${what} did not come up at ${url}: ${last}`)
}

export function beijingToday(now = Date.now()) {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10)
}

/**
 * The sandbox starts frozen today (Beijing) at the current time of day, kept
 * between 14:30 and 20:30: every run sees a day with spend, the dashboard's
 * curve (drawn up to the API's own clock) has data up to the hour shown in
 * most runs, and a test that moves the sandbox three hours on stays in the
 * same day.
 */
export function sandboxStart(now = Date.now()) {
  const minutes = Math.floor((now + 8 * 3600_000) / 60_000) % (24 * 60)
  const at = Math.min(Math.max(minutes, 14 * 60 + 30), 20 * 60 + 30)
  const hh = String(Math.floor(at / 60)).padStart(2, '0')
  const mm = String(at % 60).padStart(2, '0')
  return `${beijingToday(now)}T${hh}:${mm}:00+08:00`
}

export async function startStack({ advertisers = 4 } = {}) {
  const logs = join(resultsDir, 'logs')
  mkdirSync(logs, { recursive: true })
  const [apiPort, workerPort, simPort, redisPort] = await freePorts(4)
  const db = `oceanops_e2e_${process.pid}_${Date.now() % 100000}`
  const children = []
  const run = (name, cmd, args, env = {}) => {
    const out = openSync(join(logs, `${name}.log`), 'w')
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', out, out] })
    children.push({ name, p })
    p.on('exit', (code, sig) => {
      if (!stopping) console.error(`e2e: ${name} exited early (${code ?? sig}); see ${logs}/${name}.log`)
    })
    return p
  }
  let stopping = false
  const api = `http://127.0.0.1:${apiPort}`
  const sim = `http://127.0.0.1:${simPort}`
  const env = {
    CONFIG_PATH: 'config/config.dev.yaml',
    SERVER_PORT: String(apiPort),
    SERVER_PUBLIC_URL: api,
    SERVER_FRONTEND_URL: `${api}/accounts`,
    WORKER_PORT: String(workerPort),
    REDIS_ADDR: `127.0.0.1:${redisPort}`,
    DATABASE_DATABASE: db,
    OCEANENGINE_BASE_URL: `${sim}/open_api`,
    OCEANENGINE_AUTHORIZE_URL: `${sim}/audit/oauth.html`,
    SECURITY_BOOTSTRAP_ADMIN: 'admin',
    SECURITY_BOOTSTRAP_ADMIN_PASSWORD: 'Quartz-Harbor-Lantern-42',
    LOGGER_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
    GIN_MODE: 'release',
    // Short access tokens: the console must refresh them silently during the run.
    JWT_ACCESS_EXPIRE: '75s',
    // Alerts are evaluated every 10 seconds (the dev config lets channels reach the sandbox's inbox).
    ALERTS_INTERVAL: '10s',
    // Reports are read when a test asks (the bind, a manual sync), never by
    // the 15-minute schedule of the dev config: a scheduled re-read landing
    // inside a test would move the mirror under it (the spend the batch test
    // plans with, totals and exports compared with the API's a moment later).
    SYNC_REPORT_INTERVAL: '24h',
    // The worker looks for due rule slots every 10 seconds, so a rule whose
    // slot is the current minute runs within the test that switches it on.
    RULES_TICK: '10s',
  }
  const stop = async () => {
    stopping = true
    // Worker and server first, Redis and the sandbox last, so the
    // processes shut down cleanly against their dependencies.
    for (const { p } of [...children].reverse()) {
      if (p.exitCode !== null || p.signalCode !== null) continue
      const exited = new Promise((r) => p.once('exit', r))
      p.kill('SIGTERM')
      await exited
    }
    try {
      execFileSync('mysql', ['-h127.0.0.1', '-uroot', '-e', `DROP DATABASE IF EXISTS \`${db}\``], { stdio: 'ignore' })
    } catch {
      console.error(`e2e: could not drop database ${db}`)
    }
  }
  try {
    run('redis', 'redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no'])
    const start = sandboxStart()
    run('oesim', 'bin/oesim', ['-addr', `127.0.0.1:${simPort}`, '-advertisers', String(advertisers), '-speed', '0', '-start', start, '-qps', '-1', '-developer-qps', '-1'])
    await waitFor(`${sim}/_sim/clock`, 'sandbox')
    // The server migrates on start (config.dev.yaml); the worker waits for it.
    run('server', 'bin/server', ['-c', env.CONFIG_PATH], env)
    await waitFor(`${api}/health`, 'API server')
    run('worker', 'bin/worker', ['-c', env.CONFIG_PATH], env)
    await waitFor(`http://127.0.0.1:${workerPort}/health`, 'worker')
  } catch (e) {
    await stop()
    throw e
  }
  /**
   * server starts one more API server (serving the console) on the same
   * database and Redis with some settings changed, as a replica configured
   * otherwise would run, and returns its address; stop ends it with the rest.
   */
  const server = async (overrides) => {
    const port = await freePort([apiPort, workerPort, simPort, redisPort])
    const url = `http://127.0.0.1:${port}`
    run(`server-${port}`, 'bin/server', ['-c', env.CONFIG_PATH], { ...env, SERVER_PORT: String(port), SERVER_PUBLIC_URL: url, SERVER_FRONTEND_URL: `${url}/accounts`, ...overrides })
    await waitFor(`${url}/health`, `API server on ${port}`)
    return url
  }
  return { api, sim, db, admin: { username: env.SECURITY_BOOTSTRAP_ADMIN, password: env.SECURITY_BOOTSTRAP_ADMIN_PASSWORD }, stop, server }
}
