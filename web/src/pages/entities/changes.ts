// Status, budget and bid changes through the ad-operations API: a dry run
// first (the preview), then the change itself under an Idempotency-Key, so
// that a double click or a retry never changes anything twice.
import { api, call } from '../../api/client'
import type { BatchOutcome, ChangeItem, ChangeOutcome, EntityPath } from '../../api/types'

export type Field = 'status' | 'budget' | 'bid' | 'cpa_bid'
export type Endpoint = 'status' | 'budget' | 'bid'

/** A value for one entity: "enable"/"disable" for status, yuan or "unlimited" for budget, yuan for bids. */
export interface PlannedItem {
  id: number
  value: string
}

export function endpointOf(field: Field): Endpoint {
  return field === 'cpa_bid' ? 'bid' : field
}

/** bodyOf is the JSON body of a single change. */
export function bodyOf(field: Field, value: string): Record<string, string> {
  return { [field]: value }
}

/**
 * batchBodyOf is the JSON body of a batch: one value for every id when they
 * share it, otherwise one item per entity with its own value.
 */
export function batchBodyOf(field: Field, items: PlannedItem[]): Record<string, unknown> {
  const values = new Set(items.map((i) => i.value))
  const [only] = values
  if (values.size === 1 && only !== undefined) return { ids: items.map((i) => i.id), [field]: only }
  return { items: items.map((i) => ({ id: i.id, [field]: i.value })) }
}

// The per-kind paths share one contract; openapi-fetch types each literal
// path, so the template below is the union of the four and checks the call.
type SinglePath = `/api/v1/${EntityPath}/{id}/${Endpoint}`
type BatchPath = `/api/v1/${EntityPath}/batch/${Endpoint}`

/** changeOne runs a single change (dry run without key). */
export function changeOne(path: EntityPath, id: number, field: Field, value: string, key?: string): Promise<ChangeOutcome> {
  const url = `/api/v1/${path}/{id}/${endpointOf(field)}` as SinglePath
  return call<ChangeOutcome>(
    api.PATCH(url as '/api/v1/ads/{id}/budget', {
      params: {
        path: { id },
        query: key ? {} : { dry_run: true },
        header: key ? { 'Idempotency-Key': key } : {},
      },
      body: bodyOf(field, value) as never,
    }),
  )
}

/** changeMany runs a batch (dry run without key); the outcome has one item per entity, in order. */
export function changeMany(path: EntityPath, field: Field, items: PlannedItem[], key?: string): Promise<BatchOutcome> {
  const url = `/api/v1/${path}/batch/${endpointOf(field)}` as BatchPath
  return call<BatchOutcome>(
    api.POST(url as '/api/v1/ads/batch/budget', {
      params: {
        query: key ? {} : { dry_run: true },
        header: key ? { 'Idempotency-Key': key } : {},
      },
      body: batchBodyOf(field, items) as never,
    }),
  )
}

/**
 * batchFieldErrors maps a refused batch's field names (ids[2].budget,
 * items[0].bid) to the entity ids they concern; the rules one entity breaks
 * are said together.
 */
export function batchFieldErrors(fields: { field: string; message: string }[], items: PlannedItem[]): Map<number, string> {
  const out = new Map<number, string>()
  for (const f of fields) {
    const m = /^(?:ids|items)\[(\d+)\]/.exec(f.field)
    const item = m ? items[Number(m[1])] : undefined
    if (item) out.set(item.id, out.has(item.id) ? `${out.get(item.id)}；${f.message}` : f.message)
  }
  return out
}

/** counts sums the outcomes of change items. */
export function counts(items: ChangeItem[]): { ok: number; failed: number; unknown: number } {
  return {
    ok: items.filter((i) => i.result === 'succeeded' || i.result === 'valid').length,
    failed: items.filter((i) => i.result === 'failed').length,
    unknown: items.filter((i) => i.result === 'unknown').length,
  }
}
