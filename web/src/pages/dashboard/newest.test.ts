import { describe, expect, it } from 'vitest'
import { keepNewest, newest, type ReadFigures } from './newest'

type Answer = ReadFigures & { cost: string }
const at = (today: string, readAt: string | undefined, cost: string): Answer => ({ today, read_at: readAt, cost })

describe('newest', () => {
  const cases: { name: string; shown: Answer | null; got: Answer; keeps: boolean }[] = [
    { name: 'takes the first answer', shown: null, got: at('2026-12-05', '2026-12-05T02:00:30Z', '10.00'), keeps: false },
    {
      name: 'takes an answer read later',
      shown: at('2026-12-05', '2026-12-05T02:00:30Z', '10.00'),
      got: at('2026-12-05', '2026-12-05T02:01:10Z', '12.00'),
      keeps: false,
    },
    {
      name: 'keeps what is shown over an answer read before it (another replica’s cache)',
      shown: at('2026-12-05', '2026-12-05T02:01:10Z', '12.00'),
      got: at('2026-12-05', '2026-12-05T02:00:30+08:00', '10.00'),
      keeps: true,
    },
    {
      name: 'takes an answer of another day even when read earlier than the one shown',
      shown: at('2026-12-05', '2026-12-05T16:00:05Z', '900.00'),
      got: at('2026-12-06', '2026-12-05T16:00:00Z', '0.00'),
      keeps: false,
    },
    {
      name: 'takes an answer that does not say when it was read',
      shown: at('2026-12-05', '2026-12-05T02:01:10Z', '12.00'),
      got: at('2026-12-05', undefined, '10.00'),
      keeps: false,
    },
    {
      name: 'takes an answer read at the same instant',
      shown: at('2026-12-05', '2026-12-05T02:00:30Z', '10.00'),
      got: at('2026-12-05', '2026-12-05T02:00:30Z', '10.00'),
      keeps: false,
    },
  ]
  it.each(cases)('$name', ({ shown, got, keeps }) => {
    expect(newest(shown, got)).toBe(keeps ? shown : got)
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
  it('takes the answer of another selection as it is, and keeps the newest within it', async () => {
    // A client's dashboard is read at each request; every account's comes from a cache read earlier.
    const answers = [
      at('2026-12-05', '2026-12-05T02:00:00Z', '100.00'),
      at('2026-12-05', '2026-12-05T02:05:00Z', '7.00'),
      at('2026-12-05', '2026-12-05T02:01:00Z', '101.00'),
      at('2026-12-05', '2026-12-05T02:00:30Z', '99.00'),
    ]
    const keys = ['', 'client=3', '', '']
    let i = 0
    let key = ''
    const load = keepNewest(async () => answers[i++] ?? at('', '', ''), () => key)
    const costs: string[] = []
    for (const k of keys) {
      key = k
      costs.push((await load()).cost)
    }
    expect(costs).toEqual(['100.00', '7.00', '101.00', '101.00'])
  })
})
