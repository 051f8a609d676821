import { describe, expect, it } from 'vitest'
import { keepNewest, newest } from './newest'

const at = (today: string, readAt: string, cost: string) => ({ today, read_at: readAt, cost })

describe('newest', () => {
  it('takes the first answer', () => {
    const a = at('2026-12-05', '2026-12-05T02:00:30Z', '10.00')
    expect(newest(null, a)).toBe(a)
  })
  it('takes an answer read later', () => {
    const a = at('2026-12-05', '2026-12-05T02:00:30Z', '10.00')
    const b = at('2026-12-05', '2026-12-05T02:01:10Z', '12.00')
    expect(newest(a, b)).toBe(b)
  })
  it('keeps what is shown over an answer read before it (another replica’s cache)', () => {
    const a = at('2026-12-05', '2026-12-05T02:01:10Z', '12.00')
    const b = at('2026-12-05', '2026-12-05T02:00:30+08:00', '10.00')
    expect(newest(a, b)).toBe(a)
  })
  it('takes an answer of another day even when read earlier by the clock of the one shown', () => {
    const a = at('2026-12-05', '2026-12-05T16:00:05Z', '900.00')
    const b = at('2026-12-06', '2026-12-05T16:00:00Z', '0.00')
    expect(newest(a, b)).toBe(b)
  })
  it('takes an answer that does not say when it was read', () => {
    const a = at('2026-12-05', '2026-12-05T02:01:10Z', '12.00')
    const b = { today: '2026-12-05', cost: '10.00' }
    expect(newest<{ today: string; read_at?: string; cost: string }>(a, b)).toBe(b)
  })
  it('takes an answer read at the same instant', () => {
    const a = at('2026-12-05', '2026-12-05T02:00:30Z', '10.00')
    const b = at('2026-12-05', '2026-12-05T02:00:30Z', '10.00')
    expect(newest(a, b)).toBe(b)
  })
})

describe('keepNewest', () => {
  it('never answers figures read before ones it answered', async () => {
    const answers = [
      at('2026-12-05', '2026-12-05T02:00:00Z', '10.00'),
      at('2026-12-05', '2026-12-05T02:01:00Z', '12.00'),
      at('2026-12-05', '2026-12-05T02:00:30Z', '11.00'),
      at('2026-12-05', '2026-12-05T02:02:00Z', '13.00'),
    ]
    let i = 0
    const load = keepNewest(async () => {
      const a = answers[i++]
      if (a === undefined) throw new Error('no more answers')
      return a
    })
    const costs: string[] = []
    for (let n = 0; n < answers.length; n++) costs.push((await load()).cost)
    expect(costs).toEqual(['10.00', '12.00', '12.00', '13.00'])
  })
})
