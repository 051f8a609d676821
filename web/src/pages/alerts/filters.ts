// The alert list's filters in the URL query (shareable, reloadable views).
import type { LocationQuery } from 'vue-router'
import { compactQuery, idParam, oneOfParam, pageParam, pageQuery, param } from '../../lib/query'

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
  'scheduled_change',
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

export function filtersFromQuery(q: LocationQuery): AlertFilters {
  const status = param(q, 'status')
  return {
    status: status === 'all' ? '' : status === 'resolved' ? 'resolved' : 'firing',
    kind: oneOfParam(q, 'kind', alertKinds),
    severity: oneOfParam(q, 'severity', severities),
    advertiserId: idParam(q, 'advertiser_id'),
    page: pageParam(q),
  }
}

export function filtersToQuery(f: AlertFilters): Record<string, string> {
  return compactQuery({
    status: f.status === 'firing' ? '' : f.status || 'all',
    kind: f.kind,
    severity: f.severity,
    advertiser_id: f.advertiserId,
    page: pageQuery(f.page),
  })
}

/** severityColor is the tag colour of a severity. */
export function severityColor(s: string | undefined): string {
  return s === 'critical' ? 'red' : s === 'warning' ? 'orangered' : 'arcoblue'
}
