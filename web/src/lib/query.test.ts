import { describe, expect, it } from 'vitest'
import { compactQuery, dateParam, defaultTableState, fromQuery, idParam, nonEmpty, oneOfParam, orderByOf, pageParam, pageQuery, sortOf, toQuery } from './query'

describe('table state in the URL', () => {
  it('reads a full query', () => {
    expect(
      fromQuery({
        page: '3',
        page_size: '50',
        order_by: '-cost',
        keyword: ' 618 大促 ',
        status: 'AD_STATUS_DELIVERY_OK,AD_STATUS_DISABLE',
        advertiser_ids: ['1764248275995652', '17'],
      }),
    ).toEqual({
      page: 3,
      pageSize: 50,
      orderBy: '-cost',
      keyword: ' 618 大促 ',
      status: ['AD_STATUS_DELIVERY_OK', 'AD_STATUS_DISABLE'],
      advertiserIds: [1764248275995652, 17],
    })
  })
  it('falls back to defaults for bad values', () => {
    expect(fromQuery({ page: '0', page_size: '7', order_by: 'cost;drop', advertiser_ids: 'x,12' })).toEqual({
      ...defaultTableState,
      advertiserIds: [12],
    })
    expect(fromQuery({ page: '-2', page_size: '1000' })).toEqual(defaultTableState)
  })
  it('writes only what differs from the defaults and reads it back', () => {
    expect(toQuery(defaultTableState)).toEqual({})
    const s = { ...defaultTableState, page: 2, orderBy: 'name', keyword: 'abc', status: ['A', 'B'], advertiserIds: [5] }
    const q = toQuery(s)
    expect(q).toEqual({ page: '2', order_by: 'name', keyword: 'abc', status: 'A,B', advertiser_ids: '5' })
    expect(fromQuery(q as Record<string, string>)).toEqual(s)
  })
})

describe('sorting', () => {
  it('maps order_by to column directions and back', () => {
    expect(sortOf('-cost', 'cost')).toBe('descend')
    expect(sortOf('cost', 'cost')).toBe('ascend')
    expect(sortOf('-cost', 'name')).toBe('')
    expect(orderByOf('cost', 'descend')).toBe('-cost')
    expect(orderByOf('name', 'ascend')).toBe('name')
    expect(orderByOf('name', '')).toBe('')
  })
})

describe('list filters in the URL', () => {
  it('read valid values and drop the rest', () => {
    const q = { page: ['3', '4'], id: '1764248275995652', bad: '12x', day: '2026-12-01', when: 'june', kind: 'ad', other: 'rating' }
    expect(pageParam(q)).toBe(3)
    expect(pageParam({ page: '0' })).toBe(1)
    expect(pageParam({ page: '2.5' })).toBe(1)
    expect(idParam(q, 'id')).toBe('1764248275995652')
    expect(idParam(q, 'bad')).toBe('')
    expect(dateParam(q, 'day')).toBe('2026-12-01')
    expect(dateParam(q, 'when')).toBe('')
    expect(oneOfParam(q, 'kind', ['ad', 'campaign'])).toBe('ad')
    expect(oneOfParam(q, 'other', ['ad', 'campaign'])).toBe('')
  })
  it('write only what is set', () => {
    expect(compactQuery({ kind: 'ad', field: '', page: pageQuery(1) })).toEqual({ kind: 'ad' })
    expect(pageQuery(2)).toBe('2')
    expect(nonEmpty({ kind: 'ad', field: '', id: 0, rollbacks: false, on: true, n: 7 })).toEqual({ kind: 'ad', on: true, n: 7 })
  })
})
