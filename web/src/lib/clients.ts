// The clients (the agency's grouping of accounts), for pickers and filters.
import { computed, type ComputedRef, type WritableComputedRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { api, call } from '../api/client'
import type { Client } from '../api/types'
import { allPages } from './allPages'

/** loadClients reads every client by name, each with its accounts in the caller's scope. */
export function loadClients(): Promise<Client[]> {
  return call(api.GET('/api/v1/clients'))
}

/** noClient is the filter value of the accounts that belong to no client. */
export const noClient = 0

/** costByClient maps each client of a report grouped by client to its cost (yuan string); the group of no client is left out. */
export function costByClient(rows: { client_id?: number; cost?: string }[]): Map<number, string> {
  const out = new Map<number, string>()
  for (const r of rows) if (r.client_id && r.cost !== undefined) out.set(r.client_id, r.cost)
  return out
}

/** clientCosts reads the spend of every client on each of the Beijing dates (the advertiser level's daily rows), in one report. */
export async function clientCosts(dates: string[]): Promise<Map<string, Map<number, string>>> {
  const from = dates.reduce((a, b) => (b < a ? b : a))
  const to = dates.reduce((a, b) => (b > a ? b : a))
  const rows = await allPages((page) =>
    call(api.GET('/api/v1/reports', { params: { query: { level: 'advertiser', from, to, group_by: ['date', 'client'], page, page_size: 1000 } } })),
  )
  return new Map(dates.map((d) => [d, costByClient(rows.filter((row) => row.date === d))]))
}

/**
 * useClientQuery is the one client a page shows, kept in its link as ?client_id=: its id (undefined: every client),
 * and a model for ClientSelect that writes the choice back into the link (the page's other query keys kept).
 */
export function useClientQuery(): { clientID: ComputedRef<number | undefined>; client: WritableComputedRef<number | undefined> } {
  const route = useRoute()
  const router = useRouter()
  const clientID = computed(() => {
    const v = route.query.client_id
    return typeof v === 'string' && /^[1-9]\d{0,18}$/.test(v) ? Number(v) : undefined
  })
  const client = computed({
    get: () => clientID.value,
    set: (v: unknown) => {
      const { client_id: _, ...rest } = route.query
      void router.replace({ query: typeof v === 'number' && v > 0 ? { ...rest, client_id: String(v) } : rest })
    },
  })
  return { clientID, client }
}
