// Status, budget and bid changes through the ad-operations API: a dry run
// first (the preview), then the change itself under an Idempotency-Key, so
// that a double click or a retry never changes anything twice.
import { api, ApiError, call, type FieldError } from '../../api/client'
import type { BatchOutcome, ChangeItem, ChangeOutcome, EntityPath } from '../../api/types'
import { partsOf } from '../../lib/parts'
import { answerLost, inProgress } from '../../lib/untilAnswered'

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
type SinglePath = `/api/v1/${EntityPath}/{id}/${Endpoint}` | '/api/v1/advertisers/{id}/budget'
type BatchPath = `/api/v1/${EntityPath}/batch/${Endpoint}` | '/api/v1/advertisers/batch/budget'

/** changeOne runs a single change (dry run without key); path advertisers changes an account's own daily budget. */
export function changeOne(path: EntityPath | 'advertisers', id: number, field: Field, value: string, key?: string): Promise<ChangeOutcome> {
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

/**
 * changeMany runs a batch (dry run without key); the outcome has one item per entity, in order. requestId, when given,
 * is sent as X-Request-ID: the change log's request of the changes (the parts of one batch share it). Path advertisers
 * changes accounts' own daily budgets.
 */
export function changeMany(path: EntityPath | 'advertisers', field: Field, items: PlannedItem[], key?: string, requestId?: string): Promise<BatchOutcome> {
  const url = `/api/v1/${path}/batch/${endpointOf(field)}` as BatchPath
  return call<BatchOutcome>(
    api.POST(url as '/api/v1/ads/batch/budget', {
      params: {
        query: key ? {} : { dry_run: true },
        header: key ? { 'Idempotency-Key': key } : {},
      },
      headers: requestId ? { 'X-Request-ID': requestId } : {},
      body: batchBodyOf(field, items) as never,
    }),
  )
}

/** The most entities one batch request takes (the API's bound): a larger batch is sent in parts of this size. */
export const batchMax = 100


/**
 * partKey is the Idempotency-Key of part i of n of a batch confirmed under key: the one key for a batch of one part,
 * else the key and the part's number, so that the batch sent again under key replays the parts already made.
 */
export function partKey(key: string, i: number, n: number): string {
  return n === 1 ? key : `${key}.${i + 1}`
}

/**
 * batchRequestId is the request id the parts of a batch of n items confirmed under key share, so that the change log
 * lists them as one request (同批变更, and 回滚这批修改 takes them all); none for a batch of one part, whose request
 * the server names.
 */
export function batchRequestId(key: string, n: number): string | undefined {
  return n > batchMax ? `batch-${key}` : undefined
}

/** Progress is told how many items of a batch sent in parts are made. */
export type Progress = (done: number, total: number) => void

/** Sends one part of a batch: a dry run without key. */
export type SendPart = (part: PlannedItem[], key?: string) => Promise<ChangeItem[]>

/**
 * PartlyMade: a batch sent in parts stopped at a part after others were made — refused, or failed otherwise. made are
 * the outcomes of the parts made; notSent the items of the part refused and of those after it; cause why.
 */
export class PartlyMade<T = PlannedItem, R = ChangeItem> extends Error {
  constructor(
    readonly made: R[],
    readonly notSent: T[],
    override readonly cause: unknown,
  ) {
    super('batch partly made')
    this.name = 'PartlyMade'
  }
}

/** offsetField says a part's field (ids[3].budget) of the whole batch (ids[103].budget for the second part). */
export function offsetField<F extends { field: string }>(f: F, offset: number): F {
  return { ...f, field: f.field.replace(/^(ids|items)\[(\d+)\]/, (_, list: string, i: string) => `${list}[${Number(i) + offset}]`) }
}

/**
 * dryRunInParts is the dry run of a batch of any size, a part after another. What the parts refuse is answered
 * together, as one refusal of the whole batch (its fields naming the items of the whole), so that every refused entity
 * is named at once; an error other than a refusal stops it.
 */
export async function dryRunInParts(items: PlannedItem[], send: SendPart): Promise<ChangeItem[]> {
  const out: ChangeItem[] = []
  let refused: ApiError | null = null
  const fields: FieldError[] = []
  let offset = 0
  for (const part of partsOf(items, batchMax)) {
    try {
      out.push(...(await send(part)))
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 422 && e.fields.length)) throw e
      refused ??= e
      fields.push(...e.fields.map((f) => offsetField(f, offset)))
    }
    offset += part.length
  }
  if (refused) throw withFields(refused, fields)
  return out
}

/** withFields is the refusal e naming fields instead of its own (a part's refusal said of the whole batch). */
export function withFields(e: ApiError, fields: FieldError[]): ApiError {
  return new ApiError(e.status, e.code, e.message, e.requestId, fields, e.data, e.reason, e.params)
}

/**
 * applyInParts makes a batch of any size (changes, or rollbacks), a part after another, each under its own key
 * (partKey): made again under the same key — a retry after an answer lost —, the parts already made answer as before
 * and nothing is made twice.
 * progress is told after each part how many items are made. Any failure of the first part, a lost answer
 * (answerLost) and a part still at work (inProgress: the batch is being sent again) are thrown as they are, for the
 * batch to be sent again under its key; a later part that fails otherwise throws PartlyMade with what was made.
 */
export async function applyInParts<T, R>(items: readonly T[], key: string, send: (part: T[], key: string) => Promise<R[]>, progress?: Progress): Promise<R[]> {
  const parts = partsOf(items, batchMax)
  const made: R[] = []
  let sent = 0
  for (const [i, part] of parts.entries()) {
    try {
      made.push(...(await send(part, partKey(key, i, parts.length))))
    } catch (e) {
      if (i === 0 || answerLost(e) || inProgress(e)) throw e
      throw new PartlyMade(made, parts.slice(i).flat(), e)
    }
    sent += part.length
    progress?.(sent, items.length)
  }
  return made
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

/** counts sums the outcomes of change items (unchanged: the entity had the value already, nothing sent). */
export function counts(items: readonly { result?: string }[]): { ok: number; failed: number; unknown: number; unchanged: number } {
  return {
    ok: items.filter((i) => i.result === 'succeeded' || i.result === 'valid').length,
    failed: items.filter((i) => i.result === 'failed').length,
    unknown: items.filter((i) => i.result === 'unknown').length,
    unchanged: items.filter((i) => i.result === 'unchanged').length,
  }
}
