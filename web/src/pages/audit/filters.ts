// The audit log's filters in the URL query, and the API query they make
// (Beijing dates become the RFC 3339 instants the API filters on).
import type { LocationQuery } from 'vue-router'
import { beijingEndExclusive, beijingStart } from '../changes/filters'

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

/** Actions the filter suggests (any other can be typed). */
export const knownActions = [
  'auth.login', 'auth.logout', 'auth.refresh', 'auth.change_password',
  'user.create', 'user.update', 'user.enable', 'user.disable', 'user.reset_password', 'user.set_roles', 'user.set_advertisers', 'user.revoke_session',
  'guardrail.create', 'guardrail.update', 'guardrail.delete',
  'oceanengine.authorize', 'oceanengine.bind', 'advertiser.sync', 'advertiser.backfill', 'advertiser.unbind', 'authorization.needs_reauth',
  'ad.update_status', 'ad.update_budget', 'ad.update_bid', 'campaign.update_budget', 'project.update_budget', 'promotion.update_budget', 'change.rollback',
  'job.retry',
]

function str(q: LocationQuery, k: string, max = 128): string {
  const v = q[k]
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s.trim().slice(0, max) : ''
}

const dateRe = /^\d{4}-\d{2}-\d{2}$/

export function auditFromQuery(q: LocationQuery): AuditFilters {
  const actorType = str(q, 'actor_type')
  const result = str(q, 'result')
  const actorId = str(q, 'actor_id')
  const page = Number(str(q, 'page'))
  return {
    actorType: (['user', 'system', 'rule'].includes(actorType) ? actorType : '') as AuditFilters['actorType'],
    actorId: /^\d{1,19}$/.test(actorId) ? Number(actorId) : 0,
    action: /^[a-z_.\s]{1,64}$/.test(str(q, 'action', 64)) ? str(q, 'action', 64) : '',
    targetType: str(q, 'target_type', 64),
    targetId: str(q, 'target_id'),
    result: (['success', 'failure', 'denied'].includes(result) ? result : '') as AuditFilters['result'],
    requestId: str(q, 'request_id'),
    from: dateRe.test(str(q, 'from')) ? str(q, 'from') : '',
    to: dateRe.test(str(q, 'to')) ? str(q, 'to') : '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  }
}

export function auditToQuery(f: AuditFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.actorType) q.actor_type = f.actorType
  if (f.actorId) q.actor_id = String(f.actorId)
  if (f.action) q.action = f.action
  if (f.targetType) q.target_type = f.targetType
  if (f.targetId) q.target_id = f.targetId
  if (f.result) q.result = f.result
  if (f.requestId) q.request_id = f.requestId
  if (f.from) q.from = f.from
  if (f.to) q.to = f.to
  if (f.page > 1) q.page = String(f.page)
  return q
}

/** auditApiQuery is GET /api/v1/audit's query for the filters. */
export function auditApiQuery(f: AuditFilters, pageSize: number) {
  return {
    page: f.page,
    page_size: pageSize,
    ...(f.actorType ? { actor_type: f.actorType } : {}),
    ...(f.actorId ? { actor_id: f.actorId } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.targetType ? { target_type: f.targetType } : {}),
    ...(f.targetId ? { target_id: f.targetId } : {}),
    ...(f.result ? { result: f.result } : {}),
    ...(f.requestId ? { request_id: f.requestId } : {}),
    ...(f.from ? { from: beijingStart(f.from) } : {}),
    ...(f.to ? { to: beijingEndExclusive(f.to) } : {}),
  }
}
