// The scheduled changes' filters in the URL query. The API takes one status
// or none (全部, status=all here). The page opens on 待执行 (scheduled),
// which the API lists earliest first: what is coming next; any other view
// is listed latest first.
import type { LocationQuery } from 'vue-router'
import { compactQuery, idParam, oneOfParam, pageParam, pageQuery, param } from '../../lib/query'
import { changeKinds } from '../changes/filters'
import { scheduledStatuses, type ScheduledStatus } from './schedule'

export interface ScheduledFilters {
  status: '' | ScheduledStatus
  kind: string
  entityId: string
  page: number
}

export function filtersFromQuery(q: LocationQuery): ScheduledFilters {
  return {
    status: param(q, 'status') === 'all' ? '' : oneOfParam(q, 'status', scheduledStatuses) || 'scheduled',
    kind: oneOfParam(q, 'kind', changeKinds),
    entityId: idParam(q, 'entity_id'),
    page: pageParam(q),
  }
}

export function filtersToQuery(f: ScheduledFilters): Record<string, string> {
  return compactQuery({ status: f.status === 'scheduled' ? '' : f.status || 'all', kind: f.kind, entity_id: f.entityId, page: pageQuery(f.page) })
}
