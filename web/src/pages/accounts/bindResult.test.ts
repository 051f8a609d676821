import { describe, expect, it } from 'vitest'
import { readBindOutcome, withoutBindKeys } from './bindResult'

describe('bind outcome in the URL', () => {
  it('reads success and error', () => {
    expect(readBindOutcome({ status: 'success', authorization_id: '3', accounts: '15', advertisers: '12' })).toEqual({
      ok: true,
      accounts: 15,
      advertisers: 12,
    })
    expect(readBindOutcome({ status: 'error', error: 'invalid_state', request_id: 'abc' })).toEqual({
      ok: false,
      error: 'invalid_state',
      requestId: 'abc',
    })
    expect(readBindOutcome({ keyword: 'x' })).toBeNull()
  })
  it('drops only the callback keys', () => {
    expect(withoutBindKeys({ status: 'success', accounts: '1', keyword: 'x' })).toEqual({ keyword: 'x' })
  })
})
