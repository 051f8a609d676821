// Small helpers to read the API and the sandbox from the tests (setting up
// users, checking the platform's state); the console itself is driven only
// through the browser.

export async function login(base, username, password) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const body = await r.json()
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(body)}`)
  return body.data.access_token
}

/**
 * session signs in once and signs in again when the (short-lived, see
 * stack.mjs) access token has expired; token() gives a valid one.
 */
export function session(base, username, password) {
  let tok = ''
  let at = 0
  return {
    async token() {
      if (!tok || Date.now() - at > 45_000) {
        tok = await login(base, username, password)
        at = Date.now()
      }
      return tok
    },
  }
}

export async function apiGet(base, auth, path) {
  const token = await auth.token()
  const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } })
  const body = await r.json()
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(body)}`)
  return body.data
}

export async function apiPost(base, auth, path, payload, headers = {}) {
  return apiSend('POST', base, auth, path, payload, headers)
}

export async function apiPut(base, auth, path, payload) {
  return apiSend('PUT', base, auth, path, payload)
}

/** apiSend sends any write (headers: an Idempotency-Key, for one). */
export async function apiSend(method, base, auth, path, payload, headers = {}) {
  const token = await auth.token()
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  })
  const body = await r.json()
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(body)}`)
  return body.data
}

export async function simGet(sim, path) {
  const r = await fetch(`${sim}${path}`)
  if (!r.ok) throw new Error(`sandbox GET ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

export async function simPost(sim, path, payload) {
  const r = await fetch(`${sim}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
  if (!r.ok) throw new Error(`sandbox POST ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

export async function simDelete(sim, path) {
  const r = await fetch(`${sim}${path}`, { method: 'DELETE' })
  if (!r.ok) throw new Error(`sandbox DELETE ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

/** simEntity is one entity as the sandbox has it now. */
export async function simEntity(sim, advertiserId, kind, id) {
  const w = await simGet(sim, `/_sim/world?advertiser_id=${advertiserId}`)
  return (w[kind] ?? []).find((e) => e.id === id)
}

/** poll calls fn until it returns a truthy value, or fails after ms. */
export async function poll(fn, what, ms = 120_000, every = 1000) {
  const until = Date.now() + ms
  let last
  while (Date.now() < until) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    await new Promise((r) => setTimeout(r, every))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`)
}
