import type { ApiError } from '../../api/client'

type T = (key: string, named?: Record<string, unknown>) => string

/**
 * loginErrorMessage turns a failed sign-in into the message an operator
 * reads: wrong credentials, a password an admin set that expired unused,
 * a lockout with its remaining minutes, or the API's own message.
 */
export function loginErrorMessage(err: ApiError, t: T): string {
  if (err.status === 401) return t(err.reason === 'temporary_password_expired' ? 'login.temporaryExpired' : 'login.wrong')
  if (err.status === 429) {
    const d = err.data as { detail?: { retry_after_seconds?: unknown } } | null
    const secs = typeof d?.detail?.retry_after_seconds === 'number' ? d.detail.retry_after_seconds : 60
    return t('login.locked', { minutes: Math.max(1, Math.ceil(secs / 60)) })
  }
  if (err.status === 0) return t('errors.network')
  return err.message
}

/** The code step a right password leads to when two-step verification is on. */
export interface MfaChallenge {
  token: string
  /** Seconds the token is good for. */
  expiresIn: number
}

interface MfaTokenData {
  mfa_token?: unknown
  expires_in?: unknown
}

/**
 * mfaChallenge is the code step a sign-in answered (401 mfa_required with its token in the error's
 * data.detail, like a lockout's retry_after_seconds), or null for any other error.
 */
export function mfaChallenge(err: ApiError): MfaChallenge | null {
  if (err.status !== 401 || err.reason !== 'mfa_required') return null
  const data = err.data as (MfaTokenData & { detail?: MfaTokenData }) | null
  const d = data?.detail ?? data
  if (typeof d?.mfa_token !== 'string' || d.mfa_token === '') return null
  return { token: d.mfa_token, expiresIn: typeof d.expires_in === 'number' && d.expires_in > 0 ? d.expires_in : 300 }
}

/**
 * mfaErrorMessage turns a failed code step into its message, and whether the
 * sign-in starts again from the password (the step's token expired, or the
 * API ended the sign-in for another reason).
 */
export function mfaErrorMessage(err: ApiError, recovery: boolean, t: T): { text: string; restart: boolean } {
  if (err.status === 401) {
    if (err.reason === 'mfa_code_wrong') return { text: t(recovery ? 'login.recoveryWrong' : 'login.mfaWrong'), restart: false }
    if (err.reason === 'mfa_token_invalid') return { text: t('login.mfaExpired'), restart: true }
    return { text: err.message, restart: true }
  }
  return { text: loginErrorMessage(err, t), restart: false }
}
