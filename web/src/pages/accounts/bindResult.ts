// The OAuth callback sends the browser back to the accounts page with the
// outcome in the query (status=success&accounts&advertisers, or
// status=error&error&request_id). These read it and name the keys to drop.
import type { LocationQuery } from 'vue-router'

export type BindOutcome =
  | { ok: true; accounts: number; advertisers: number }
  | { ok: false; error: string; requestId: string }

export const bindQueryKeys = ['status', 'authorization_id', 'accounts', 'advertisers', 'error', 'request_id'] as const

function str(v: LocationQuery[string] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

export function readBindOutcome(q: LocationQuery): BindOutcome | null {
  const status = str(q.status)
  if (status === 'success') {
    return { ok: true, accounts: Number(str(q.accounts)) || 0, advertisers: Number(str(q.advertisers)) || 0 }
  }
  if (status === 'error') return { ok: false, error: str(q.error) || 'error', requestId: str(q.request_id) }
  return null
}

/** withoutBindKeys returns the query without the callback's keys. */
export function withoutBindKeys(q: LocationQuery): LocationQuery {
  const out: LocationQuery = { ...q }
  for (const k of bindQueryKeys) delete out[k]
  return out
}
