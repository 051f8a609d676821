import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/client'
import type { ChangeItem } from '../../api/types'
import { partsOf } from '../../lib/parts'
import { applyInParts, batchBodyOf, batchMax, batchFieldErrors, bodyOf, counts, dryRunInParts, endpointOf, PartlyMade, partKey, type PlannedItem } from './changes'

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
    expect(counts([{ result: 'succeeded' }, { result: 'failed' }, { result: 'unknown' }, { result: 'succeeded' }, { result: 'unchanged' }])).toEqual({ ok: 2, failed: 1, unknown: 1, unchanged: 1 })
  })
})

describe('a batch larger than the API takes', () => {
  const items = (n: number): PlannedItem[] => Array.from({ length: n }, (_, i) => ({ id: 1000 + i, value: '500' }))
  const made = (part: PlannedItem[], result: ChangeItem['result']): ChangeItem[] => part.map((i) => ({ id: i.id, field: 'budget', requested: i.value, result }))
  const refusal = (fields: { field: string; message: string }[]) => new ApiError(422, 'validation_failed', 'refused', 'req-1', fields)

  it('is sent in parts of 100, in order, each under its own key derived from the one confirmed', async () => {
    expect(partsOf(items(250), batchMax).map((p) => p.length)).toEqual([100, 100, 50])
    expect(partsOf(items(100), batchMax).map((p) => p.length)).toEqual([100])
    expect(partKey('k', 0, 1)).toBe('k')
    expect([0, 1, 2].map((i) => partKey('k', i, 3))).toEqual(['k.1', 'k.2', 'k.3'])
    const sent: [number, number, string | undefined][] = []
    const told: [number, number][] = []
    const out = await applyInParts(items(250), 'k', async (part, key) => {
      sent.push([part[0]!.id, part.length, key])
      return made(part, 'succeeded')
    }, (done, total) => told.push([done, total]))
    expect(sent).toEqual([[1000, 100, 'k.1'], [1100, 100, 'k.2'], [1200, 50, 'k.3']])
    expect(told).toEqual([[100, 250], [200, 250], [250, 250]])
    expect(out.map((i) => i.id)).toEqual(items(250).map((i) => i.id))
  })

  it('dry runs every part and names every refused entity of the whole batch at once', async () => {
    const all = items(230)
    const err = await dryRunInParts(all, async (part, key) => {
      expect(key).toBeUndefined()
      if (part[0]!.id === 1100) throw refusal([{ field: 'ids[3].budget', message: 'under spend' }, { field: 'budget', message: 'general' }])
      if (part[0]!.id === 1200) throw refusal([{ field: 'items[29].budget', message: 'step' }])
      return made(part, 'valid')
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const fields = (err as ApiError).fields
    expect(fields.map((f) => f.field)).toEqual(['ids[103].budget', 'budget', 'items[229].budget'])
    expect([...batchFieldErrors(fields, all).entries()]).toEqual([[1103, 'under spend'], [1229, 'step']])
    expect(await dryRunInParts(items(120), async (part) => made(part, 'valid'))).toHaveLength(120)
    const down = new ApiError(503, 'unavailable', 'down', 'req-2')
    await expect(dryRunInParts(items(120), async () => Promise.reject(down))).rejects.toBe(down)
  })

  it('says what was made when a later part fails, and throws a lost answer as it is for the batch to be sent again', async () => {
    const refused = refusal([{ field: 'ids[0].budget', message: 'guard rail' }])
    const stopped = await applyInParts(items(250), 'k', async (part) => {
      if (part[0]!.id === 1100) throw refused
      return made(part, 'succeeded')
    }).catch((e: unknown) => e)
    expect(stopped).toBeInstanceOf(PartlyMade)
    const p = stopped as PartlyMade
    expect([p.made.length, p.notSent.length, p.notSent[0]!.id, p.cause]).toEqual([100, 150, 1100, refused])

    const first = refusal([{ field: 'ids[0].budget', message: 'x' }])
    await expect(applyInParts(items(250), 'k', async () => Promise.reject(first))).rejects.toBe(first)
    const lost = new ApiError(0, 'network_error', 'offline', '')
    const busy = new ApiError(409, 'conflict', 'busy', 'req-3', [], null, 'idempotency_in_progress')
    for (const e of [lost, busy]) {
      await expect(applyInParts(items(250), 'k', async (part) => (part[0]!.id === 1200 ? Promise.reject(e) : made(part, 'succeeded')))).rejects.toBe(e)
    }
  })
})
