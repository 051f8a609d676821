// Every bound account the caller sees, for pickers: all pages of GET
// /advertisers (200 a page; a few pages for most teams), so an agency with
// more accounts than one page finds every one of them.
import { api, call } from '../api/client'
import type { Advertiser } from '../api/types'

/** A page of a list as the API answers it. */
export interface Page<T> {
  items?: T[]
  total?: number
}

/** allPages reads pages 1, 2, … until it holds total items, a page comes back empty, or max pages were read. */
export async function allPages<T>(page: (n: number) => Promise<Page<T>>, max = 50): Promise<T[]> {
  const all: T[] = []
  for (let n = 1; n <= max; n++) {
    const p = await page(n)
    const items = p.items ?? []
    all.push(...items)
    if (all.length >= (p.total ?? 0) || !items.length) break
  }
  return all
}

/** loadAccounts reads every account, narrowed to one role (ADVERTISER: the leaf accounts) when given. */
export function loadAccounts(role?: string): Promise<Advertiser[]> {
  return allPages<Advertiser>((page) =>
    call(api.GET('/api/v1/advertisers', { params: { query: { page, page_size: 200, ...(role ? { account_role: role } : {}) } } })),
  )
}
