// What waits for the rows of an entity table (GET /scheduled-changes/pending,
// once per page shown): the clock mark beside a name with its words and its
// link to the changes, and the change dialog's warning when a waiting change
// of the same field is to overwrite the change being made.
import type { RouteLocationRaw } from 'vue-router'
import { api, call } from '../../api/client'
import type { PendingScheduled } from '../../api/types'
import { beijingTime } from '../../lib/format'
import type { ChangeKind } from '../entities/kinds'
import { filtersToQuery } from './filters'
import { relativeText, valueWords, type T } from './schedule'

/** What waits, by entity id (entities nothing waits for are absent). */
export type PendingByEntity = Record<number, PendingScheduled>

type ValueText = (field: string, v: string) => string

/** pendingOf asks what waits for the entities of a table's page, in one request. */
export async function pendingOf(kind: ChangeKind, ids: readonly number[]): Promise<PendingByEntity> {
  if (!ids.length) return {}
  const list = await call<PendingScheduled[]>(api.GET('/api/v1/scheduled-changes/pending', { params: { query: { kind, entity_ids: [...ids] } } }))
  return Object.fromEntries(list.map((p) => [p.entity_id, p]))
}

/** The words of the next change: its id, its Beijing time (12-07 00:00) and how far it is, the field and the value. */
function nextParams(p: PendingScheduled, t: T, valueText: ValueText, now: number): Record<string, unknown> {
  const n = p.next
  return {
    id: n.id,
    time: beijingTime(n.run_at).slice(5, 16),
    rel: relativeText(n.run_at, now, t),
    field: t(`change.fields.${n.field}`),
    value: valueWords(n.field, n.value, t, valueText),
  }
}

/** markLines are the mark's tooltip: "定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元", then "共 2 个待执行" when more wait. */
export function markLines(p: PendingScheduled, t: T, valueText: ValueText, now: number): string[] {
  const lines = [t('scheduled.mark', nextParams(p, t, valueText, now))]
  if (p.count > 1) lines.push(t('scheduled.markMore', { n: p.count }))
  return lines
}

/** markLink is the 定时操作 page filtered to the entity. */
export function markLink(kind: ChangeKind, id: number): RouteLocationRaw {
  return { name: 'scheduled', query: filtersToQuery({ status: 'scheduled', kind, entityId: String(id), page: 1 }) }
}

/**
 * overriding is what waits for the items of a change made at `at` and would
 * overwrite it: the next change of an item's entity, when it sets the same
 * field after that moment.
 */
export function overriding(items: readonly { id?: number; field?: string }[], pending: PendingByEntity, at: number): { id: number; p: PendingScheduled }[] {
  return items.flatMap((i) => {
    const p = pending[i.id ?? 0]
    return p && p.next.field === i.field && Date.parse(p.next.run_at) > at ? [{ id: i.id ?? 0, p }] : []
  })
}

/** overrideText warns of it: "该广告计划有定时操作 #12 将于北京时间 12-07 00:00（9 小时后）把预算改为 800.00 元，会覆盖此次修改". */
export function overrideText(p: PendingScheduled, kind: ChangeKind, t: T, valueText: ValueText, now: number): string {
  return t('scheduled.override', { ...nextParams(p, t, valueText, now), kind: t(`changes.kinds.${kind}`) })
}
