import { describe, expect, it } from 'vitest'
import { syncErrorText, syncRefused } from './syncError'

const t = (key: string, p?: Record<string, unknown>) => `${key}|${p?.code}|${p?.message}`

describe('syncErrorText', () => {
  const whole = 'mirror: advertiser 1615651653761568 stream report_advertiser_hourly: oceanengine: 2/report/advertiser/get: code 40002: no permission to operate on the advertiser (request_id 20261205053646ABC)'
  const refusal = { last_error: whole, platform_error: { code: 40002, message: 'no permission to operate on the advertiser', request_id: '20261205053646ABC', refused: true } }
  it("says the platform's refusal with its code", () => {
    expect(syncErrorText(refusal, t)).toBe('serverReasons.upstream_forbidden|40002|no permission to operate on the advertiser')
    expect(syncErrorText({ ...refusal, platform_error: { code: 40301, message: 'disabled', refused: true } }, t)).toBe('serverReasons.upstream_forbidden|40301|disabled')
    expect(syncRefused(refusal)).toBe(true)
    // The API says which codes refuse the account; the console does not guess from the code.
    expect(syncRefused({ ...refusal, platform_error: { code: 40002, refused: false } })).toBe(false)
    expect(syncRefused({ ...refusal, platform_error: { code: 50000 } })).toBe(false)
    expect(syncRefused({ last_error: 'lock lost', platform_error: null })).toBe(false)
  })
  it('says other codes as errors of the platform', () => {
    expect(syncErrorText({ last_error: 'mirror: advertiser 1 stream ads: oceanengine: 2/ad/get: code 50000: system error (request_id X)', platform_error: { code: 50000, message: 'system error', request_id: 'X', refused: false } }, t)).toBe('serverReasons.upstream_error|50000|system error')
  })
  it('keeps an error that was not the platform’s answer, less the worker prefix', () => {
    // The text of a code is not read: only platform_error says the platform answered.
    expect(syncErrorText({ last_error: 'mirror: advertiser 1 stream ads: oceanengine: 2/ad/get: HTTP 502 (text/html): "<html>"', platform_error: null }, t)).toBe('oceanengine: 2/ad/get: HTTP 502 (text/html): "<html>"')
    expect(syncErrorText({ last_error: 'mirror: advertiser 1 stream ads: code 40002: looks like one', platform_error: null }, t)).toBe('code 40002: looks like one')
    expect(syncErrorText({ last_error: 'lock lost' }, t)).toBe('lock lost')
    expect(syncErrorText({}, t)).toBe('')
  })
})
