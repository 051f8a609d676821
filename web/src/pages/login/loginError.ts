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
