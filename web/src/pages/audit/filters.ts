// The audit log's filters in the URL query, and the API query they make
// (Beijing dates become the RFC 3339 instants the API filters on).
import type { LocationQuery, RouteLocationRaw } from 'vue-router'
import type { AuditEntry } from '../../api/types'
import { compactQuery, dateParam, idParam, nonEmpty, oneOfParam, pageParam, pageQuery, param } from '../../lib/query'
import { beijingEndExclusive, beijingStart, changeKinds } from '../changes/filters'

export interface AuditFilters {
  actorType: '' | 'user' | 'system' | 'rule'
  actorId: number
  action: string
  targetType: string
  targetId: string
  result: '' | 'success' | 'failure' | 'denied'
  requestId: string
  /** Beijing dates YYYY-MM-DD, inclusive. */
  from: string
  to: string
  page: number
}

/** str is a free-text parameter, trimmed and cut at max characters. */
function str(q: LocationQuery, k: string, max = 128): string {
  return param(q, k).trim().slice(0, max)
}

export function auditFromQuery(q: LocationQuery): AuditFilters {
  const action = str(q, 'action', 64)
  return {
    actorType: oneOfParam(q, 'actor_type', ['user', 'system', 'rule'] as const),
    actorId: Number(idParam(q, 'actor_id')),
    action: /^[a-z_.\s]{1,64}$/.test(action) ? action : '',
    targetType: str(q, 'target_type', 64),
    targetId: str(q, 'target_id'),
    result: oneOfParam(q, 'result', ['success', 'failure', 'denied'] as const),
    requestId: str(q, 'request_id'),
    from: dateParam(q, 'from'),
    to: dateParam(q, 'to'),
    page: pageParam(q),
  }
}

export function auditToQuery(f: AuditFilters): Record<string, string> {
  return compactQuery({
    actor_type: f.actorType,
    actor_id: f.actorId ? String(f.actorId) : '',
    action: f.action,
    target_type: f.targetType,
    target_id: f.targetId,
    result: f.result,
    request_id: f.requestId,
    from: f.from,
    to: f.to,
    page: pageQuery(f.page),
  })
}

/** auditApiQuery is GET /api/v1/audit's query for the filters. */
export function auditApiQuery(f: AuditFilters, pageSize: number) {
  return { page: f.page, page_size: pageSize, ...auditSelection(f) }
}

/** auditSelection is the API's query of the filters without the page: the list's, and the export's. */
export function auditSelection(f: AuditFilters) {
  return nonEmpty({
    actor_type: f.actorType,
    actor_id: f.actorId,
    action: f.action,
    target_type: f.targetType,
    target_id: f.targetId,
    result: f.result,
    request_id: f.requestId,
    from: f.from && beijingStart(f.from),
    to: f.to && beijingEndExclusive(f.to),
  })
}

/**
 * changesLink is the change log filtered on the entity an entry changed
 * (an ad operation's target, by a person or a rule), or null.
 */
export function changesLink(e: Pick<AuditEntry, 'action' | 'target_type' | 'target_id'> | null): RouteLocationRaw | null {
  if (!e || !changeKinds.includes(e.target_type ?? '') || !/^\d{1,19}$/.test(e.target_id ?? '') || !/\.(batch_)?update_/.test(e.action ?? '')) {
    return null
  }
  return { name: 'changes', query: { kind: e.target_type, entity_id: e.target_id } }
}

/** ruleId is the rule that made an entry's change (actor type rule), or 0. */
export function ruleId(e: Pick<AuditEntry, 'actor_type' | 'detail'> | null): number {
  const id = e?.actor_type === 'rule' ? e.detail?.rule_id : undefined
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : 0
}
