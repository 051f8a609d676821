// The alert list's filters in the URL query (shareable, reloadable views).
import type { LocationQuery } from 'vue-router'

export const alertKinds = [
  'low_balance',
  'authorization',
  'sync',
  'spend_pace',
  'cpa_anomaly',
  'ctr_anomaly',
  'delivery_stopped',
  'review_rejected',
  'rule_action',
] as const
export type AlertKindName = (typeof alertKinds)[number]

export const severities = ['critical', 'warning', 'info'] as const
export type Severity = (typeof severities)[number]

export interface AlertFilters {
  /** firing (default), resolved or '' for every alert. */
  status: '' | 'firing' | 'resolved'
  kind: '' | AlertKindName
  severity: '' | Severity
  advertiserId: string
  page: number
}

function str(q: LocationQuery, k: string): string {
  const v = q[k]
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

export function filtersFromQuery(q: LocationQuery): AlertFilters {
  const status = str(q, 'status')
  const kind = str(q, 'kind')
  const severity = str(q, 'severity')
  const page = Number(str(q, 'page'))
  return {
    status: status === 'all' ? '' : status === 'resolved' ? 'resolved' : 'firing',
    kind: (alertKinds as readonly string[]).includes(kind) ? (kind as AlertKindName) : '',
    severity: (severities as readonly string[]).includes(severity) ? (severity as Severity) : '',
    advertiserId: /^\d{1,19}$/.test(str(q, 'advertiser_id')) ? str(q, 'advertiser_id') : '',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  }
}

export function filtersToQuery(f: AlertFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.status !== 'firing') q.status = f.status || 'all'
  if (f.kind) q.kind = f.kind
  if (f.severity) q.severity = f.severity
  if (f.advertiserId) q.advertiser_id = f.advertiserId
  if (f.page > 1) q.page = String(f.page)
  return q
}

/** severityColor is the tag colour of a severity. */
export function severityColor(s: string | undefined): string {
  return s === 'critical' ? 'red' : s === 'warning' ? 'orangered' : 'arcoblue'
}
