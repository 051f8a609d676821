import { describe, expect, test, vi } from 'vitest'
import { allPages, type Page } from './allPages'

// A list of n items served p to a page, as the API pages it.
function served(n: number, p: number) {
  const items = Array.from({ length: n }, (_, i) => i + 1)
  return vi.fn(async (page: number): Promise<Page<number>> => ({ items: items.slice((page - 1) * p, page * p), total: n }))
}

describe('allPages', () => {
  test('reads every page of a list longer than one page', async () => {
    const page = served(450, 200)
    expect(await allPages(page)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1))
    expect(page).toHaveBeenCalledTimes(3)
  })

  test('stops at the total without asking for an empty page', async () => {
    const page = served(400, 200)
    expect((await allPages(page)).length).toBe(400)
    expect(page).toHaveBeenCalledTimes(2)
  })

  test('stops on an empty page when the total is larger than what is served', async () => {
    const page = vi.fn(async (n: number): Promise<Page<number>> => ({ items: n === 1 ? [1, 2] : [], total: 10 }))
    expect(await allPages(page)).toEqual([1, 2])
    expect(page).toHaveBeenCalledTimes(2)
  })

  test('reads at most max pages', async () => {
    const page = served(1000, 10)
    expect((await allPages(page, 3)).length).toBe(30)
    expect(page).toHaveBeenCalledTimes(3)
  })
})
