import { describe, expect, it } from 'vitest'
import { syncIdBatches, syncSummaries } from './syncState'

describe('syncIdBatches', () => {
  it('asks for the leaf accounts shown, in batches', () => {
    const rows = [
      { id: 10, account_role: 'CUSTOMER_ADMIN' },
      { id: 11, account_role: 'ADVERTISER' },
      { id: 12, account_role: 'ADVERTISER' },
      { account_role: 'ADVERTISER' },
      { id: 13, account_role: 'ADVERTISER' },
    ]
    expect(syncIdBatches(rows)).toEqual([[11, 12, 13]])
    expect(syncIdBatches(rows, 2)).toEqual([[11, 12], [13]])
    expect(syncIdBatches([{ id: 10, account_role: 'AGENT' }])).toEqual([])
  })
  it('keeps at most 200 ids a batch', () => {
    const rows = Array.from({ length: 450 }, (_, i) => ({ id: i + 1, account_role: 'ADVERTISER' }))
    expect(syncIdBatches(rows).map((b) => b.length)).toEqual([200, 200, 50])
  })
})

describe('syncSummaries', () => {
  it('sums up each advertiser by id', () => {
    const m = syncSummaries([
      {
        advertiser_id: 11,
        syncing: true,
        streams: [
          { last_success_at: '2026-03-01T08:00:00Z' },
          { stream: 'report_ad_daily', last_success_at: '2026-03-01T09:00:00Z', consecutive_failures: 2 },
          { last_success_at: null },
        ],
      },
      { advertiser_id: 12, streams: [] },
    ])
    expect(m.get(11)).toEqual({ synced: 1, all: 3, failing: 1, failingStreams: ['report_ad_daily'], syncOn: true, last: '2026-03-01T09:00:00Z' })
    expect(m.get(12)).toEqual({ synced: 0, all: 0, failing: 0, failingStreams: [], syncOn: false, last: null })
    expect(m.has(13)).toBe(false)
  })
  it('lists the failing streams in the order a sync runs them', () => {
    const failing = (stream: string) => ({ stream, last_success_at: null, consecutive_failures: 1 })
    const m = syncSummaries([{ advertiser_id: 1, streams: [failing('report_advertiser_hourly'), failing('report_ad_daily'), failing('report_advertiser_daily'), failing('ads')] }])
    expect(m.get(1)?.failingStreams).toEqual(['ads', 'report_advertiser_daily', 'report_ad_daily', 'report_advertiser_hourly'])
  })
})
