// The change log's filters in the URL query, and Beijing dates as the
// RFC 3339 instants the API filters on.
import type { LocationQuery } from 'vue-router'
import { compactQuery, dateParam, idParam, idsParam, oneOfParam, pageParam, pageQuery, param } from '../../lib/query'

export interface ChangeFilters {
  /** Accounts (a manager account for its advertisers). */
  advertiserIds: number[]
  kind: string
  field: string
  result: string
  actorType: string
  entityId: string
  rollbacks: boolean
  /** The API request that made the changes: one batch, one rule run. */
  requestId: string
  /** Beijing dates YYYY-MM-DD, inclusive. */
  from: string
  to: string
  page: number
}

/** Entity kinds whose changes the change log lists. */
export const changeKinds = ['campaign', 'ad', 'project', 'promotion', 'advertiser']
const fields = ['status', 'budget', 'bid', 'cpa_bid']
const results = ['pending', 'succeeded', 'failed', 'unknown']
const actorTypes = ['user', 'rule', 'system']

export function filtersFromQuery(q: LocationQuery): ChangeFilters {
  return {
    advertiserIds: idsParam(q, 'advertiser_ids').slice(0, 500),
    kind: oneOfParam(q, 'kind', changeKinds),
    field: oneOfParam(q, 'field', fields),
    result: oneOfParam(q, 'result', results),
    actorType: oneOfParam(q, 'actor_type', actorTypes),
    entityId: idParam(q, 'entity_id'),
    rollbacks: param(q, 'rollbacks') === 'true',
    requestId: param(q, 'request_id').slice(0, 128),
    from: dateParam(q, 'from'),
    to: dateParam(q, 'to'),
    page: pageParam(q),
  }
}

export function filtersToQuery(f: ChangeFilters): Record<string, string> {
  return compactQuery({
    advertiser_ids: f.advertiserIds.join(','),
    kind: f.kind,
    field: f.field,
    result: f.result,
    actor_type: f.actorType,
    entity_id: f.entityId,
    rollbacks: f.rollbacks ? 'true' : '',
    request_id: f.requestId,
    from: f.from,
    to: f.to,
    page: pageQuery(f.page),
  })
}

/** beijingStart is the instant a Beijing date starts. */
export function beijingStart(date: string): string {
  return `${date}T00:00:00+08:00`
}

/** beijingEndExclusive is the instant the day after a Beijing date starts (the API's "to" is exclusive). */
export function beijingEndExclusive(date: string): string {
  const d = new Date(`${date}T00:00:00+08:00`)
  const next = new Date(d.getTime() + 86400_000 + 8 * 3600_000).toISOString().slice(0, 10)
  return `${next}T00:00:00+08:00`
}

/** scheduledOf is the scheduled change that made a change, from its request id ("scheduled-12" → 12; 0 for any other). */
export function scheduledOf(requestId: string | undefined): number {
  const m = /^scheduled-(\d+)$/.exec(requestId ?? '')
  return m ? Number(m[1]) : 0
}

/** scheduledLink leads to the scheduled changes of a change's entity, whatever their status. */
export function scheduledLink(entityId: number | undefined) {
  return { name: 'scheduled', query: { status: 'all', entity_id: String(entityId ?? '') } }
}
