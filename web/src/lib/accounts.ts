// Every bound account the caller sees, for pickers: all pages of GET
// /advertisers (200 a page; a few pages for most teams), so an agency with
// more accounts than one page finds every one of them.
import { api, call } from '../api/client'
import type { Advertiser } from '../api/types'
import { allPages } from './allPages'

/** loadAccounts reads every account, narrowed to one role (ADVERTISER: the leaf accounts) when given. */
export function loadAccounts(role?: string): Promise<Advertiser[]> {
  return allPages<Advertiser>((page) =>
    call(api.GET('/api/v1/advertisers', { params: { query: { page, page_size: 200, ...(role ? { account_role: role } : {}) } } })),
  )
}

/** readAccounts reads the accounts of ids (at most 200) the caller sees: useNames(readAccounts) names accounts. */
export function readAccounts(ids: number[]): Promise<Advertiser[]> {
  return call(api.GET('/api/v1/advertisers', { params: { query: { ids, page_size: 200 } } })).then((page) => page.items ?? [])
}
