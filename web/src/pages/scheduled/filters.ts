// The scheduled changes' filters in the URL query. The API takes one status
// or none; none (全部) is the default, as the API lists the changes still to
// run first, earliest first, then the others, latest first.
import type { LocationQuery } from 'vue-router'
import { compactQuery, idParam, oneOfParam, pageParam, pageQuery } from '../../lib/query'
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
    status: oneOfParam(q, 'status', scheduledStatuses),
    kind: oneOfParam(q, 'kind', changeKinds),
    entityId: idParam(q, 'entity_id'),
    page: pageParam(q),
  }
}

export function filtersToQuery(f: ScheduledFilters): Record<string, string> {
  return compactQuery({ status: f.status, kind: f.kind, entity_id: f.entityId, page: pageQuery(f.page) })
}
