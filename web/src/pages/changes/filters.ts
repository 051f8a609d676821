// The change log's filters in the URL query, and Beijing dates as the
// RFC 3339 instants the API filters on.
import type { LocationQuery } from 'vue-router'

export interface ChangeFilters {
  kind: string
  field: string
  result: string
  actorType: string
  entityId: string
  rollbacks: boolean
  /** Beijing dates YYYY-MM-DD, inclusive. */
  from: string
  to: string
  page: number
}

const enums: Record<string, string[]> = {
  kind: ['campaign', 'ad', 'project', 'promotion'],
  field: ['status', 'budget', 'bid', 'cpa_bid'],
  result: ['pending', 'succeeded', 'failed', 'unknown'],
  actor_type: ['user', 'rule', 'system'],
}

function str(q: LocationQuery, k: string): string {
  const v = q[k]
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

function oneOf(q: LocationQuery, k: string): string {
  const v = str(q, k)
  return enums[k]?.includes(v) ? v : ''
}

const dateRe = /^\d{4}-\d{2}-\d{2}$/

export function filtersFromQuery(q: LocationQuery): ChangeFilters {
  const page = Number(str(q, 'page'))
  return {
    kind: oneOf(q, 'kind'),
    field: oneOf(q, 'field'),
    result: oneOf(q, 'result'),
    actorType: oneOf(q, 'actor_type'),
    entityId: /^\d{1,19}$/.test(str(q, 'entity_id')) ? str(q, 'entity_id') : '',
    rollbacks: str(q, 'rollbacks') === 'true',
    from: dateRe.test(str(q, 'from')) ? str(q, 'from') : '',
    to: dateRe.test(str(q, 'to')) ? str(q, 'to') : '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  }
}

export function filtersToQuery(f: ChangeFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.kind) q.kind = f.kind
  if (f.field) q.field = f.field
  if (f.result) q.result = f.result
  if (f.actorType) q.actor_type = f.actorType
  if (f.entityId) q.entity_id = f.entityId
  if (f.rollbacks) q.rollbacks = 'true'
  if (f.from) q.from = f.from
  if (f.to) q.to = f.to
  if (f.page > 1) q.page = String(f.page)
  return q
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
