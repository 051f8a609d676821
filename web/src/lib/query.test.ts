import { describe, expect, it } from 'vitest'
import { defaultTableState, fromQuery, orderByOf, sortOf, toQuery } from './query'

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
