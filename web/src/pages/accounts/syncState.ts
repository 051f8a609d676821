// The sync state column of the accounts table: asked for the leaf accounts
// the table shows (whatever page, filter or keyword), at most 200 ids a
// request as GET /api/v1/sync/status takes them.

import { byStreamOrder } from '../../lib/streamLabel'

/** The most advertiser_ids one sync status request takes. */
export const maxSyncIds = 200

interface Account {
  id?: number
  account_role?: string
}

/** syncIdBatches are the ids of the leaf accounts among rows, in batches of at most size. */
export function syncIdBatches(rows: Account[], size = maxSyncIds): number[][] {
  const ids = rows.filter((a) => a.account_role === 'ADVERTISER' && (a.id ?? 0) > 0).map((a) => a.id ?? 0)
  const out: number[][] = []
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size))
  return out
}

interface SyncStream {
  stream?: string
  last_success_at?: string | null
  consecutive_failures?: number
}

export interface SyncAdvertiser {
  advertiser_id?: number
  syncing?: boolean
  streams?: SyncStream[]
}

export interface SyncSummary {
  /** Streams synced and not failing since: a failing stream's data stops where its last success did. */
  synced: number
  all: number
  failing: number
  /** The failing streams' identifiers, in the order a sync runs them. */
  failingStreams: string[]
  /** The advertiser is synced at all (bound, authorised, switched on). */
  syncOn: boolean
  last: string | null
}

/** syncSummaries are the sync state of each advertiser, by id. */
export function syncSummaries(items: SyncAdvertiser[]): Map<number, SyncSummary> {
  const m = new Map<number, SyncSummary>()
  for (const a of items) {
    const streams = a.streams ?? []
    const last = streams.map((s) => s.last_success_at ?? '').filter(Boolean).sort().pop() ?? null
    const failing = streams.filter((s) => (s.consecutive_failures ?? 0) > 0)
    m.set(a.advertiser_id ?? 0, {
      synced: streams.filter((s) => s.last_success_at && !failing.includes(s)).length,
      all: streams.length,
      failing: failing.length,
      failingStreams: failing.map((s) => s.stream ?? '').sort(byStreamOrder),
      syncOn: a.syncing ?? false,
      last,
    })
  }
  return m
}
