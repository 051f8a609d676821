// Every bound account the caller sees, for pickers: all pages of GET
// /advertisers (200 a page; a few pages for most teams), so an agency with
// more accounts than one page finds every one of them.
import { ref, type Ref } from 'vue'
import { api, call } from '../api/client'
import type { Advertiser } from '../api/types'
import { allPages } from './allPages'

/** loadAccounts reads every account, narrowed to one role (ADVERTISER: the leaf accounts) when given. */
export function loadAccounts(role?: string): Promise<Advertiser[]> {
  return allPages<Advertiser>((page) =>
    call(api.GET('/api/v1/advertisers', { params: { query: { page, page_size: 200, ...(role ? { account_role: role } : {}) } } })),
  )
}

/** readAccounts reads the accounts of ids (at most 200) that the caller sees. */
function readAccounts(ids: number[]): Promise<Advertiser[]> {
  return call(api.GET('/api/v1/advertisers', { params: { query: { ids, page_size: 200 } } })).then((page) => page.items ?? [])
}

/**
 * useAccountNames names the accounts a page mentions by id: want(ids) reads the names of those not asked for yet
 * (GET /advertisers?ids=…, 200 at a time; read stands for it in tests) into names. The names are a courtesy: an
 * account outside the reader's data scope leaves its id shown, and a failed read is asked again on the next want.
 */
export function useAccountNames(read: (ids: number[]) => Promise<Advertiser[]> = readAccounts): {
  names: Ref<ReadonlyMap<number, string>>
  want: (ids: Iterable<number>) => Promise<void>
} {
  const names = ref<ReadonlyMap<number, string>>(new Map())
  const asked = new Set<number>()
  async function want(ids: Iterable<number>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0 && !asked.has(id))
    missing.forEach((id) => asked.add(id))
    for (let i = 0; i < missing.length; i += 200) {
      const chunk = missing.slice(i, i + 200)
      try {
        const found = await read(chunk)
        const next = new Map(names.value)
        for (const a of found) if (a.id && a.name) next.set(a.id, a.name)
        names.value = next
      } catch {
        chunk.forEach((id) => asked.delete(id))
      }
    }
  }
  return { names, want }
}
