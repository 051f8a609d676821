import { afterEach, describe, expect, test, vi } from 'vitest'
import { refresher, type Visibility } from './useRefresh'

/** tab is a browser tab the test hides and shows. */
function tab(): Visibility & { set: (hidden: boolean) => void; listeners: number } {
  const cbs = new Set<() => void>()
  const t = {
    hidden: false,
    get listeners() {
      return cbs.size
    },
    addEventListener: (_: 'visibilitychange', cb: () => void) => void cbs.add(cb),
    removeEventListener: (_: 'visibilitychange', cb: () => void) => void cbs.delete(cb),
    set(hidden: boolean) {
      t.hidden = hidden
      cbs.forEach((cb) => cb())
    },
  }
  return t
}

describe('refresh while the page is seen', () => {
  afterEach(() => vi.useRealTimers())

  test('loads now and every interval, none while the tab is hidden, at once on coming back when one has passed', () => {
    vi.useFakeTimers()
    const load = vi.fn()
    const t = tab()
    const r = refresher(load, 10_000, t)
    expect(load).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(20_000)
    expect(load).toHaveBeenCalledTimes(3)
    t.set(true)
    vi.advanceTimersByTime(60_000)
    expect(load).toHaveBeenCalledTimes(3) // hidden: nothing asked
    t.set(false)
    expect(load).toHaveBeenCalledTimes(4) // back after more than an interval: at once
    vi.advanceTimersByTime(3_000)
    t.set(true)
    t.set(false)
    expect(load).toHaveBeenCalledTimes(4) // back within the interval: waits for the next tick
    r.stop()
    vi.advanceTimersByTime(60_000)
    t.set(false)
    expect(load).toHaveBeenCalledTimes(4)
    expect(t.listeners).toBe(0)
  })
})
