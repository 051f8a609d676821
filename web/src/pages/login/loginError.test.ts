import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/client'
import { loginErrorMessage } from './loginError'

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
