import { describe, expect, it } from 'vitest'
import { moreSyncAttention, syncAttention } from './attention'

describe('syncAttention', () => {
  it('lists failing and lagging advertisers, skips healthy and unsynced ones', () => {
    const got = syncAttention(
      [
        { advertiser_id: 1, name: 'ok', streams: [{ stream: 'ads', lag_seconds: 60 }] },
        {
          advertiser_id: 2,
          name: 'broken',
          streams: [
            { stream: 'ads', lag_seconds: 99999 },
            { stream: 'report_ad_daily', consecutive_failures: 3, last_error: 'upstream 50000' },
          ],
        },
        { advertiser_id: 3, name: 'late', streams: [{ stream: 'campaigns', lag_seconds: 9000 }, { stream: 'ads', lag_seconds: 10 }] },
        { advertiser_id: 4, name: 'off', syncing: false, streams: [{ stream: 'ads', lag_seconds: 9000, consecutive_failures: 2 }] },
      ],
      7200,
    )
    expect(got).toEqual([
      { kind: 'sync_failing', advertiserId: 2, name: 'broken', detail: 'report_ad_daily: upstream 50000', stream: 'report_ad_daily', failure: { last_error: 'upstream 50000', platform_error: null } },
      { kind: 'sync_lag', advertiserId: 3, name: 'late', detail: '', lagSeconds: 9000 },
    ])
  })
  it('names the first failing stream in the order a sync runs them', () => {
    // The API lists streams by identifier: report_ad_daily before report_advertiser_daily before the entity streams' order.
    const got = syncAttention([
      {
        advertiser_id: 7,
        name: 'two failing',
        streams: [
          { stream: 'report_ad_daily', consecutive_failures: 1, last_error: 'ad report' },
          { stream: 'report_advertiser_hourly', consecutive_failures: 1, last_error: 'hourly' },
          { stream: 'report_advertiser_daily', consecutive_failures: 2, last_error: 'advertiser report' },
        ],
      },
    ])
    expect(got[0]?.stream).toBe('report_advertiser_daily')
    expect(got[0]?.failure?.last_error).toBe('advertiser report')
  })
  it('returns nothing for no advertisers', () => {
    expect(syncAttention([])).toEqual([])
  })
  it("takes the advertiser's lag, which counts a stream never synced from the bind time", () => {
    const got = syncAttention([{ advertiser_id: 5, name: 'new', lag_seconds: 10800, streams: [{ stream: 'ads', lag_seconds: null }, { stream: 'campaigns', lag_seconds: 60 }] }], 7200)
    expect(got).toEqual([{ kind: 'sync_lag', advertiserId: 5, name: 'new', detail: '', lagSeconds: 10800 }])
    expect(syncAttention([{ advertiser_id: 6, name: 'fresh', lag_seconds: 600, streams: [{ stream: 'ads', lag_seconds: 9000 }] }], 7200)).toEqual([])
  })
})

describe('moreSyncAttention', () => {
  it('counts the accounts found beyond those listed', () => {
    expect(moreSyncAttention(23, 20)).toBe(3)
    expect(moreSyncAttention(20, 20)).toBe(0)
    expect(moreSyncAttention(undefined, 0)).toBe(0)
    expect(moreSyncAttention(undefined, 3)).toBe(0)
  })
})
