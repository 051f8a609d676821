import { describe, expect, it } from 'vitest'
import { describeExport, reportLink } from './describe'

const t = (key: string, v?: Record<string, unknown>) => (v ? `${key}(${JSON.stringify(v)})` : key)

describe('an export in words', () => {
  it('names level, dates, granularity and filters', () => {
    expect(describeExport({ level: 'ad', from: '2026-11-26', to: '2026-12-02', granularity: 'day', advertiser_ids: [1, 2] }, t)).toBe(
      'reports.levels.ad · 2026-11-26 ~ 2026-12-02 · reports.byDay · exports.accounts({"n":2})',
    )
    expect(describeExport({ level: 'advertiser', from: '2026-12-02', to: '2026-12-02', granularity: 'hour' }, t)).toBe(
      'reports.levels.advertiser · 2026-12-02 · reports.byHour',
    )
    expect(describeExport(undefined, t)).toBe('')
  })
  it('links back to the report view it came from', () => {
    expect(reportLink({ level: 'advertiser', from: '2026-11-26', to: '2026-12-02', granularity: 'day', group_by: ['date', 'manager'], order_by: ['-cost'], format: 'csv' })).toEqual({
      name: 'reports',
      query: { level: 'manager', from: '2026-11-26', to: '2026-12-02', group_by: 'date,manager', order_by: '-cost' },
    })
  })
})
