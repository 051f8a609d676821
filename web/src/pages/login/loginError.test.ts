import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/client'
import { loginErrorMessage, mfaChallenge, mfaErrorMessage } from './loginError'

const t = (key: string, named?: Record<string, unknown>) => (named ? `${key}:${JSON.stringify(named)}` : key)

describe('loginErrorMessage', () => {
  it('says the credentials are wrong on 401', () => {
    expect(loginErrorMessage(new ApiError(401, 'unauthorized', 'invalid username or password', 'r1'), t)).toBe('login.wrong')
  })
  it('says a password an admin set has expired unused', () => {
    const e = new ApiError(401, 'unauthorized', 'expired', 'r5', [], null, 'temporary_password_expired')
    expect(loginErrorMessage(e, t)).toBe('login.temporaryExpired')
  })
  it('gives the lockout in whole minutes, rounded up', () => {
    const e = new ApiError(429, 'rate_limited', 'too many', 'r2', [], { detail: { retry_after_seconds: 61 } })
    expect(loginErrorMessage(e, t)).toBe('login.locked:{"minutes":2}')
    const short = new ApiError(429, 'rate_limited', 'too many', 'r3', [], { detail: { retry_after_seconds: 5 } })
    expect(loginErrorMessage(short, t)).toBe('login.locked:{"minutes":1}')
  })
  it("shows the API's message otherwise", () => {
    expect(loginErrorMessage(new ApiError(503, 'unavailable', 'redis is unavailable', 'r4'), t)).toBe('redis is unavailable')
    expect(loginErrorMessage(new ApiError(0, 'network_error', 'x', ''), t)).toBe('errors.network')
  })
})

describe('mfaChallenge', () => {
  it('is the code step a right password answers with two-step verification on', () => {
    const e = new ApiError(401, 'unauthorized', 'a code is required', 'r1', [], { detail: { mfa_token: 'tok', expires_in: 240 } }, 'mfa_required')
    expect(mfaChallenge(e)).toEqual({ token: 'tok', expiresIn: 240 })
    // As the contract first had it, beside data.detail.
    const flat = new ApiError(401, 'unauthorized', 'a code is required', 'r1', [], { mfa_token: 'tok', expires_in: 300 }, 'mfa_required')
    expect(mfaChallenge(flat)).toEqual({ token: 'tok', expiresIn: 300 })
  })
  it('is nothing for a wrong password or an answer without a token', () => {
    expect(mfaChallenge(new ApiError(401, 'unauthorized', 'wrong', 'r2', [], null, 'bad_credentials'))).toBeNull()
    expect(mfaChallenge(new ApiError(401, 'unauthorized', 'a code is required', 'r3', [], { detail: {} }, 'mfa_required'))).toBeNull()
  })
})

describe('mfaErrorMessage', () => {
  it('says a code or a recovery code is wrong, and stays on the code step', () => {
    const e = new ApiError(401, 'unauthorized', 'wrong code', 'r1', [], null, 'mfa_code_wrong')
    expect(mfaErrorMessage(e, false, t)).toEqual({ text: 'login.mfaWrong', restart: false })
    expect(mfaErrorMessage(e, true, t)).toEqual({ text: 'login.recoveryWrong', restart: false })
  })
  it('starts again from the password when the step expired', () => {
    const e = new ApiError(401, 'unauthorized', 'expired', 'r2', [], null, 'mfa_token_invalid')
    expect(mfaErrorMessage(e, false, t)).toEqual({ text: 'login.mfaExpired', restart: true })
    const other = new ApiError(401, 'unauthorized', 'account disabled', 'r3', [], null, 'bad_credentials')
    expect(mfaErrorMessage(other, false, t)).toEqual({ text: 'account disabled', restart: true })
  })
  it('gives a lockout in minutes', () => {
    const e = new ApiError(429, 'rate_limited', 'locked', 'r4', [], { detail: { retry_after_seconds: 600 } }, 'sign_in_locked')
    expect(mfaErrorMessage(e, false, t)).toEqual({ text: 'login.locked:{"minutes":10}', restart: false })
  })
})
