// A sync stream's last_error as the worker records it — "mirror: advertiser
// N stream S: oceanengine: ENDPOINT: code C: MESSAGE (request_id R)" — said
// as the operator needs it: what the platform answered, with its code,
// instead of the whole chain of the worker's internals.

/** The parts of vue-i18n's composer syncErrorText needs. */
export interface Translate {
  (key: string, params?: Record<string, unknown>): string
}

export interface PlatformError {
  code: number
  message: string
  requestId: string
}

const mirrorPrefix = /^mirror: advertiser \d+ stream \w+: /
const apiError = /oceanengine: [^:]+: code (\d+): ([\s\S]*?)(?: \(request_id ([^)]*)\))?$/

/** platformError is the platform's code and message in a recorded error, or null when the platform did not answer one. */
export function platformError(raw: string): PlatformError | null {
  const m = apiError.exec(raw)
  if (!m) return null
  return { code: Number(m[1]), message: m[2] ?? '', requestId: m[3] ?? '' }
}

/** A refusal: no permission (40002) or a disabled account (40300–40305). */
function refused(code: number): boolean {
  return code === 40002 || (code >= 40300 && code <= 40305)
}

/** syncRefused reports a recorded error that is the platform refusing the account: retrying cannot help until its permission is back. */
export function syncRefused(raw: string): boolean {
  const p = platformError(raw)
  return p !== null && refused(p.code)
}

/** syncErrorText says a recorded sync error: the platform's answer when it gave one, else the error without the worker's prefix. */
export function syncErrorText(raw: string, t: Translate): string {
  const p = platformError(raw)
  if (!p) return raw.replace(mirrorPrefix, '')
  return t(refused(p.code) ? 'serverReasons.upstream_forbidden' : 'serverReasons.upstream_error', { message: p.message, code: p.code })
}
