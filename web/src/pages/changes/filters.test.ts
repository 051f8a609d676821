import { describe, expect, it } from 'vitest'
import { beijingEndExclusive, beijingStart, filtersFromQuery, filtersToQuery, scheduledLink, scheduledOf } from './filters'

describe('change log filters', () => {
  it('reads valid filters and drops the rest', () => {
    const f = filtersFromQuery({ advertiser_ids: '1764248275995652,x,1799999999999999', kind: 'ad', field: 'rating', result: 'failed', entity_id: '12x', rollbacks: 'true', request_id: 'rule-3-1750200000', from: '2025-06-01', to: 'june', page: '3' })
    expect(f).toEqual({ advertiserIds: [1764248275995652, 1799999999999999], kind: 'ad', field: '', result: 'failed', actorType: '', entityId: '', rollbacks: true, requestId: 'rule-3-1750200000', from: '2025-06-01', to: '', page: 3 })
    expect(filtersToQuery(f)).toEqual({ advertiser_ids: '1764248275995652,1799999999999999', kind: 'ad', result: 'failed', rollbacks: 'true', request_id: 'rule-3-1750200000', from: '2025-06-01', page: '3' })
  })
  it('turns Beijing dates into instants, the end exclusive', () => {
    expect(beijingStart('2025-06-18')).toBe('2025-06-18T00:00:00+08:00')
    expect(beijingEndExclusive('2025-06-18')).toBe('2025-06-19T00:00:00+08:00')
    expect(beijingEndExclusive('2025-12-31')).toBe('2026-01-01T00:00:00+08:00')
  })
  it('knows a change a scheduled change made by its request id', () => {
    expect(scheduledOf('scheduled-12')).toBe(12)
    expect(scheduledOf('scheduled-')).toBe(0)
    expect(scheduledOf('7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBe(0)
    expect(scheduledOf(undefined)).toBe(0)
    expect(scheduledLink(1792109497801714)).toEqual({ name: 'scheduled', query: { status: 'all', entity_id: '1792109497801714' } })
  })
})
