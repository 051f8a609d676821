import { describe, expect, test } from 'vitest'
import { ref } from 'vue'
import { ApiError } from '../api/client'
import { useSaveDialog } from './useSaveDialog'

describe('save dialog', () => {
  test('a save hands the result on, closes and sends one key per opening', async () => {
    const open = ref(true)
    const saved: number[] = []
    const keys: string[] = []
    const d = useSaveDialog<number>(open, (n) => saved.push(n))
    d.reset()
    expect(await d.submit(async (h) => (keys.push(h['Idempotency-Key']), 7))).toBe(true)
    expect(await d.submit(async (h) => (keys.push(h['Idempotency-Key']), 8))).toBe(true)
    expect(saved).toEqual([7, 8])
    expect(open.value).toBe(false)
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])
    d.reset()
    await d.submit(async (h) => (keys.push(h['Idempotency-Key']), 9))
    expect(keys[2]).not.toBe(keys[0])
  })

  test('a refusal stays open with the field messages, those under a prefix (params. of a rule template) included', async () => {
    const open = ref(true)
    const d = useSaveDialog<number>(open, () => {}, ['params.'])
    d.reset()
    const refused = new ApiError(422, 'validation_failed', 'invalid', 'req-1', [
      { field: 'params.to[1]', message: 'not an address' },
      { field: 'name', message: 'required' },
    ])
    expect(await d.submit(async () => { throw refused })).toBe(false)
    expect(open.value).toBe(true)
    expect(d.busy.value).toBe(false)
    expect(d.fieldError('to')).toBe('not an address')
    expect(d.fieldError('name')).toBe('required')
    expect(d.fieldError('url')).toBeUndefined()
    expect(await d.submit(async () => { throw new Error('offline') })).toBe(false)
    expect(d.error.value?.message).toContain('offline')
  })
})
