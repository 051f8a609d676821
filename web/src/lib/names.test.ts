import { describe, expect, test, vi } from 'vitest'
import { nameAndId } from './format'
import { useNames } from './names'

describe('names of things known by id', () => {
  test('reads each id once, 200 at a time, and names what it found', async () => {
    const read = vi.fn(async (ids: number[]) => ids.filter((id) => id !== 7).map((id) => ({ id, name: `店${id}` })))
    const { names, want } = useNames(read)
    await want([1, 7, 1, 0, -3])
    expect(read).toHaveBeenCalledTimes(1)
    expect(read.mock.calls[0]?.[0]).toEqual([1, 7])
    expect(nameAndId(names.value, 1)).toBe('店1 · 1')
    expect(nameAndId(names.value, 7)).toBe('7') // outside the reader's scope: the id stays
    await want([1, 7])
    expect(read).toHaveBeenCalledTimes(1)
    await want(Array.from({ length: 450 }, (_, i) => 1000 + i))
    expect(read.mock.calls.slice(1).map((c) => c[0].length)).toEqual([200, 200, 50])
    expect(names.value.get(1449)).toBe('店1449')
  })

  test('asks again for the ids of a failed read', async () => {
    const read = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValueOnce([{ id: 5, name: '北京科技' }])
    const { names, want } = useNames(read)
    await want([5])
    expect(names.value.size).toBe(0)
    await want([5])
    expect(read).toHaveBeenCalledTimes(2)
    expect(nameAndId(names.value, 5)).toBe('北京科技 · 5')
  })
})
