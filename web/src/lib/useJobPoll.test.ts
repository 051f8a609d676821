import { afterEach, describe, expect, test, vi } from 'vitest'
import { effectScope } from 'vue'
import { useJobPoll } from './useJobPoll'

describe('job poll', () => {
  afterEach(() => vi.useRealTimers())

  test('fetches the job every second until it ends', async () => {
    vi.useFakeTimers()
    const states = ['running', 'running', 'succeeded']
    const fetch = vi.fn(async (id: number) => ({ id, status: states.shift() }))
    const p = effectScope().run(() => useJobPoll(fetch))!
    p.follow({ id: 7, status: 'queued' })
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(p.job.value?.status).toBe('succeeded')
    expect(p.finished.value).toBe(true)
  })

  test('keeps a failed fetch as the error and stops with its scope', async () => {
    vi.useFakeTimers()
    const fetch = vi.fn(async (): Promise<{ id: number; status: string }> => {
      throw new Error('offline')
    })
    const scope = effectScope()
    const p = scope.run(() => useJobPoll(fetch))!
    p.follow({ id: 7, status: 'running' })
    await vi.advanceTimersByTimeAsync(0)
    expect(p.error.value?.code).toBe('client_error')
    scope.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
