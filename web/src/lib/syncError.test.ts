import { describe, expect, it } from 'vitest'
import { platformError, syncErrorText, syncRefused } from './syncError'

const t = (key: string, p?: Record<string, unknown>) => `${key}|${p?.code}|${p?.message}`

describe('syncErrorText', () => {
  const refused = 'mirror: advertiser 1615651653761568 stream report_advertiser_hourly: oceanengine: 2/report/advertiser/get: code 40002: no permission to operate on the advertiser (request_id 20261205053646ABC)'
  it("says the platform's refusal with its code", () => {
    expect(platformError(refused)).toEqual({ code: 40002, message: 'no permission to operate on the advertiser', requestId: '20261205053646ABC' })
    expect(syncErrorText(refused, t)).toBe('serverReasons.upstream_forbidden|40002|no permission to operate on the advertiser')
    expect(syncErrorText(refused.replace('40002', '40301'), t)).toMatch(/^serverReasons\.upstream_forbidden\|40301\|/)
    expect(syncRefused(refused)).toBe(true)
    expect(syncRefused(refused.replace('40002', '50000'))).toBe(false)
    expect(syncRefused('lock lost')).toBe(false)
  })
  it('says other codes as errors of the platform', () => {
    expect(syncErrorText('mirror: advertiser 1 stream ads: oceanengine: 2/ad/get: code 50000: system error (request_id X)', t)).toBe('serverReasons.upstream_error|50000|system error')
  })
  it('keeps an error without a code, less the worker prefix', () => {
    const http = 'mirror: advertiser 1 stream ads: oceanengine: 2/ad/get: HTTP 502 (text/html): "<html>"'
    expect(platformError(http)).toBeNull()
    expect(syncErrorText(http, t)).toBe('oceanengine: 2/ad/get: HTTP 502 (text/html): "<html>"')
    expect(syncErrorText('lock lost', t)).toBe('lock lost')
  })
})
