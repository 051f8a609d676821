import { describe, expect, test } from 'vitest'
import { filtersFromQuery, filtersToQuery, severityColor } from './filters'

describe('alert filters', () => {
  test('firing alerts by default, every one with status=all', () => {
    expect(filtersFromQuery({}).status).toBe('firing')
    expect(filtersFromQuery({ status: 'all' }).status).toBe('')
    expect(filtersFromQuery({ status: 'resolved' }).status).toBe('resolved')
    expect(filtersToQuery(filtersFromQuery({}))).toEqual({})
    expect(filtersToQuery({ ...filtersFromQuery({}), status: '' })).toEqual({ status: 'all' })
  })

  test('unknown values are dropped, known ones round-trip', () => {
    const f = filtersFromQuery({ kind: 'cpa_anomaly', severity: 'critical', advertiser_id: '1712000000000001', page: '3' })
    expect(f).toEqual({ status: 'firing', kind: 'cpa_anomaly', severity: 'critical', advertiserId: '1712000000000001', page: 3 })
    expect(filtersFromQuery(filtersToQuery(f))).toEqual(f)
    expect(filtersFromQuery({ kind: 'nope', severity: 'loud', advertiser_id: 'x1', page: '-2' })).toEqual({
      status: 'firing', kind: '', severity: '', advertiserId: '', page: 1,
    })
  })

  test('severity colours', () => {
    expect(severityColor('critical')).toBe('red')
    expect(severityColor('warning')).toBe('orangered')
    expect(severityColor('info')).toBe('arcoblue')
  })
})
