// A stream's failed run as the operator needs it: what OceanEngine answered
// (its code and message, from the API's platform_error), or, when the run did
// not fail on a platform answer (a timeout, a dropped connection, our own
// store), the recorded error without the worker's "mirror: advertiser N
// stream S: " prefix, which the page already says around it.

/** The parts of vue-i18n's composer syncErrorText needs. */
export interface Translate {
  (key: string, params?: Record<string, unknown>): string
}

/** What the API says of a stream's last failure. */
export interface SyncFailure {
  last_error?: string
  platform_error?: { code?: number; message?: string; request_id?: string; refused?: boolean } | null
}

const mirrorPrefix = /^mirror: advertiser \d+ stream \w+: /

/** syncRefused reports a failure that is the platform refusing the account (as the API classes it): retrying cannot help until its permission is back. */
export function syncRefused(f: SyncFailure): boolean {
  return f.platform_error?.refused === true
}

/** syncErrorText says a stream's last failure: the platform's answer when it gave one, else the recorded error without the worker's prefix. */
export function syncErrorText(f: SyncFailure, t: Translate): string {
  const p = f.platform_error
  if (!p?.code) return (f.last_error ?? '').replace(mirrorPrefix, '')
  return t(p.refused ? 'serverReasons.upstream_forbidden' : 'serverReasons.upstream_error', { message: p.message ?? '', code: p.code })
}
