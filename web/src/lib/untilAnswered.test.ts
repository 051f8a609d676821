import { describe, expect, test, vi } from 'vitest'
import { ApiError } from '../api/client'
import { answerLost, untilAnswered } from './untilAnswered'

const busy = new ApiError(409, 'conflict', 'still in progress', 'req-1', [], null, 'idempotency_in_progress', { request: 'req-0' })
const other = new ApiError(409, 'conflict', 'changed again', 'req-2', [], null, 'rollback_changed_again')

describe('a write asked again until it answers', () => {
  test('sends again while its write is still at work, telling so once, and ends with its answer', async () => {
    const send = vi.fn().mockRejectedValueOnce(busy).mockRejectedValueOnce(busy).mockResolvedValueOnce('done')
    const sleep = vi.fn(async () => {})
    const onWait = vi.fn()
    await expect(untilAnswered(send, { every: 3000, patience: 60_000, sleep, onWait })).resolves.toBe('done')
    expect(send).toHaveBeenCalledTimes(3)
    expect(sleep).toHaveBeenCalledTimes(2)
    expect(onWait).toHaveBeenCalledTimes(1)
  })

  test('any other error is the answer at once', async () => {
    const send = vi.fn().mockRejectedValue(other)
    const sleep = vi.fn(async () => {})
    await expect(untilAnswered(send, { every: 3000, patience: 60_000, sleep })).rejects.toBe(other)
    expect(send).toHaveBeenCalledTimes(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  test('gives up with the in-progress error once its patience is spent', async () => {
    const send = vi.fn().mockRejectedValue(busy)
    const sleep = vi.fn(async () => {})
    await expect(untilAnswered(send, { every: 3000, patience: 9000, sleep })).rejects.toBe(busy)
    expect(send).toHaveBeenCalledTimes(4) // at 0, 3, 6 and 9 s
  })

  test('an answer is lost when the network fails or a gateway answers instead of the API', () => {
    expect(answerLost(new ApiError(0, 'network_error', 'Failed to fetch', ''))).toBe(true)
    expect(answerLost(new ApiError(502, 'http_502', 'Bad Gateway', ''))).toBe(true)
    expect(answerLost(new ApiError(504, 'http_504', 'Gateway Timeout', ''))).toBe(true)
    expect(answerLost(new ApiError(502, 'upstream', 'the platform failed', 'req-3'))).toBe(false) // the API's own answer
    expect(answerLost(new ApiError(503, 'http_503', 'Service Unavailable', ''))).toBe(false)
    expect(answerLost(busy)).toBe(false)
    expect(answerLost(new Error('a bug'))).toBe(false)
  })
})
