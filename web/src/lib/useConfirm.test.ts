import { describe, expect, test } from 'vitest'
import { ApiError } from '../api/client'
import { okOf, type ConfirmedWrite } from './useConfirm'

// A confirmed write whose run fails the first `failures` times (with refused), and what it said and did.
function write(failures: number, more: Partial<ConfirmedWrite> = {}, refused = new ApiError(409, 'conflict', 'busy', 'req-1', [])) {
  const keys: string[] = []
  const said: string[] = []
  const shown: unknown[] = []
  const after: number[] = []
  const w: ConfirmedWrite = {
    title: 'Delete?',
    content: 'It goes.',
    okText: 'Delete',
    run: async (h) => {
      keys.push(h['Idempotency-Key'])
      if (keys.length <= failures) throw refused
    },
    done: 'Deleted',
    after: () => after.push(keys.length),
    ...more,
  }
  const noWait = { every: 1000, patience: 60_000, sleep: async () => {} }
  return { w, keys, said, shown, after, refused, ok: () => okOf(w, (s) => said.push(s), (e) => shown.push(e), noWait) }
}

describe('a confirmed write', () => {
  test('runs, says it is done, goes on and closes', async () => {
    const c = write(0)
    expect(await c.ok()()).toBe(true)
    expect(c.keys).toHaveLength(1)
    expect(c.keys[0]).toBeTruthy()
    expect(c.said).toEqual(['Deleted'])
    expect(c.after).toEqual([1])
    expect(c.shown).toEqual([])
  })

  test('a failure shows the error, stays open, says nothing; the retry sends the same key', async () => {
    const c = write(1)
    const ok = c.ok()
    expect(await ok()).toBe(false)
    expect(c.shown).toEqual([c.refused])
    expect(c.said).toEqual([])
    expect(c.after).toEqual([])
    expect(await ok()).toBe(true)
    expect(c.keys).toHaveLength(2)
    expect(c.keys[1]).toBe(c.keys[0])
    expect(c.said).toEqual(['Deleted'])
    expect(c.after).toEqual([2])
  })

  test('each opening has its own key; no message when none is given', async () => {
    const c = write(0, { done: undefined, after: undefined })
    await c.ok()()
    await c.ok()()
    expect(c.keys).toHaveLength(2)
    expect(c.keys[1]).not.toBe(c.keys[0])
    expect(c.said).toEqual([])
  })

  test('a write found still at work under its key is waited for, and its answer closes the dialog', async () => {
    const c = write(2, {}, new ApiError(409, 'conflict', 'still in progress', 'req-2', [], null, 'idempotency_in_progress'))
    expect(await c.ok()()).toBe(true)
    expect(c.keys).toHaveLength(3)
    expect(new Set(c.keys).size).toBe(1)
    expect(c.said).toEqual(['Deleted'])
    expect(c.shown).toEqual([])
  })
})
