import { describe, expect, it } from 'vitest'
import { batchBodyOf, batchFieldErrors, bodyOf, counts, endpointOf } from './changes'

describe('change requests', () => {
  it('maps fields to endpoints and bodies', () => {
    expect(endpointOf('cpa_bid')).toBe('bid')
    expect(endpointOf('budget')).toBe('budget')
    expect(bodyOf('cpa_bid', '12.50')).toEqual({ cpa_bid: '12.50' })
  })
  it('sends one value for all ids when they share it', () => {
    expect(batchBodyOf('budget', [{ id: 1, value: '500' }, { id: 2, value: '500' }])).toEqual({ ids: [1, 2], budget: '500' })
    expect(batchBodyOf('status', [{ id: 1, value: 'disable' }])).toEqual({ ids: [1], status: 'disable' })
  })
  it('sends items with their own values otherwise', () => {
    expect(batchBodyOf('bid', [{ id: 1, value: '1.5' }, { id: 2, value: '2' }])).toEqual({
      items: [{ id: 1, bid: '1.5' }, { id: 2, bid: '2' }],
    })
  })
  it('maps refused batch fields to entities', () => {
    const items = [{ id: 10, value: '1' }, { id: 20, value: '1' }]
    const got = batchFieldErrors(
      [
        { field: 'ids[1].budget', message: 'must be at least 300.00' },
        { field: 'items[0].budget', message: 'step' },
        { field: 'ids[5].budget', message: 'out of range' },
        { field: 'budget', message: 'general' },
      ],
      items,
    )
    expect([...got.entries()]).toEqual([
      [20, 'must be at least 300.00'],
      [10, 'step'],
    ])
  })
  it('says the rules one entity breaks together', () => {
    const got = batchFieldErrors(
      [
        { field: 'items[1].budget', message: '不能低于 300.00 元' },
        { field: 'items[1].budget', message: '不能低于出价 350.00 元' },
      ],
      [{ id: 10, value: '500' }, { id: 20, value: '100' }],
    )
    expect([...got.entries()]).toEqual([[20, '不能低于 300.00 元；不能低于出价 350.00 元']])
  })
  it('counts outcomes', () => {
    expect(counts([{ result: 'succeeded' }, { result: 'failed' }, { result: 'unknown' }, { result: 'succeeded' }])).toEqual({ ok: 2, failed: 1, unknown: 1 })
  })
})
