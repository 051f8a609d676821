// The dashboard's "needs attention" list, built from the accounts and sync
// answers: re-authorisation, accounts that left their grant, low balance,
// failing syncs and lagging syncs.
// The server finds the failing and lagging ones (sync/status?attention=true
// &lagging_over=…), a bounded page of them with the total.

import { byStreamOrder } from '../../lib/streamLabel'
import type { SyncFailure } from '../../lib/syncError'

/** A sync is lagging when its oldest stream's data is older than this. */
export const lagThresholdSeconds = 2 * 3600

export type AttentionKind = 'reauth' | 'left_grant' | 'low_balance' | 'sync_failing' | 'sync_lag'

export interface AttentionItem {
  kind: AttentionKind
  advertiserId: number
  name: string
  /** Balance for low_balance, the time it left for left_grant, the error for sync_failing, lag seconds for sync_lag. */
  detail: string
  lagSeconds?: number
  /** For sync_failing: the first failing stream and its last failure. */
  stream?: string
  failure?: SyncFailure
}

interface SyncStream extends SyncFailure {
  stream?: string
  consecutive_failures?: number
  lag_seconds?: number | null
}

export interface SyncAdvertiser {
  advertiser_id?: number
  name?: string
  /** False when the advertiser is not synced at all (unbound, re-authorisation needed, switched off). */
  syncing?: boolean
  /** Age of its oldest data, a stream never synced counting from the bind time. */
  lag_seconds?: number
  streams?: SyncStream[]
}

/** syncAttention finds advertisers whose sync fails, or lags beyond the threshold. */
export function syncAttention(items: SyncAdvertiser[], threshold = lagThresholdSeconds): AttentionItem[] {
  const out: AttentionItem[] = []
  for (const a of items) {
    const streams = a.streams ?? []
    // The first failing stream in the order a sync runs them (the API lists them by identifier).
    const failing = streams.filter((s) => (s.consecutive_failures ?? 0) > 0).sort((x, y) => byStreamOrder(x.stream ?? '', y.stream ?? ''))
    const id = a.advertiser_id ?? 0
    const name = a.name ?? String(id)
    if (a.syncing === false) continue // not synced on purpose: the re-authorisation item covers it
    if (failing.length) {
      const f = failing[0]
      const stream = f?.stream ?? ''
      const failure: SyncFailure = { last_error: f?.last_error ?? '', platform_error: f?.platform_error ?? null }
      out.push({ kind: 'sync_failing', advertiserId: id, name, detail: `${stream}: ${failure.last_error}`, stream, failure })
      continue
    }
    const lag = a.lag_seconds ?? Math.max(0, ...streams.map((s) => s.lag_seconds ?? 0))
    if (lag > threshold) out.push({ kind: 'sync_lag', advertiserId: id, name, detail: '', lagSeconds: lag })
  }
  return out
}

/** The most sync items the dashboard lists; the rest are counted. */
export const syncAttentionShown = 20

/** moreSyncAttention is how many failing or lagging advertisers the server found beyond those listed. */
export function moreSyncAttention(total: number | undefined, listed: number): number {
  return Math.max(0, (total ?? 0) - listed)
}
