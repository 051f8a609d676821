// What waits for the rows of an entity table (GET /scheduled-changes/pending,
// once per page shown): the clock mark beside a name with its words and its
// link to the changes, and the change dialog's warning when a waiting change
// of the same field is to overwrite the change being made.
import type { RouteLocationRaw } from 'vue-router'
import { api, call } from '../../api/client'
import type { PendingScheduled } from '../../api/types'
import { beijingTime } from '../../lib/format'
import { idsPerRequest, partsOf } from '../../lib/parts'
import type { ChangeKind } from '../entities/kinds'
import { filtersToQuery } from './filters'
import { relativeText, valueWords, type T } from './schedule'

/** What waits, by entity id (entities nothing waits for are absent). */
export type PendingByEntity = Record<number, PendingScheduled>

type ValueText = (field: string, v: string) => string

/** pendingOf asks what waits for the entities of a table's page (one request), or of an import (one per 200). */
export async function pendingOf(kind: ChangeKind, ids: readonly number[]): Promise<PendingByEntity> {
  const out: PendingByEntity = {}
  for (const entity_ids of partsOf(ids, idsPerRequest)) {
    const list = await call<PendingScheduled[]>(api.GET('/api/v1/scheduled-changes/pending', { params: { query: { kind, entity_ids } } }))
    for (const p of list) if (p.entity_id) out[p.entity_id] = p
  }
  return out
}

/** A waiting change of an entity (scheduled, or running while a worker makes it). */
export type PendingChange = PendingScheduled['changes'][number]

/** The tooltip lists at most this many of an entity's waiting changes. */
export const markShown = 3

/** The words of a waiting change: its id, its Beijing time (12-07 00:00) and how far it is, the field and the value. */
function changeParams(c: PendingChange, t: T, valueText: ValueText, now: number): Record<string, unknown> {
  return {
    id: c.id,
    time: beijingTime(c.run_at).slice(5, 16),
    rel: relativeText(c.run_at, now, t),
    field: t(`change.fields.${c.field}`),
    value: valueWords(c.field, c.value, t, valueText),
  }
}

/**
 * markLines are the mark's tooltip: a line for each of the first three
 * changes, "定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元"
 * ("定时操作 #11 执行中（北京时间 12-06 14:58 开始）：…" for one being made),
 * then "共 5 个待执行" when more wait than one ("共 5 个，其中 1 个执行中" when
 * some are being made).
 */
export function markLines(p: PendingScheduled, t: T, valueText: ValueText, now: number): string[] {
  const lines = p.changes.slice(0, markShown).map((c) => t(c.status === 'running' ? 'scheduled.markRunning' : 'scheduled.mark', changeParams(c, t, valueText, now)))
  const running = p.changes.filter((c) => c.status === 'running').length
  if (p.count > 1) lines.push(running ? t('scheduled.markMoreRunning', { n: p.count, running }) : t('scheduled.markMore', { n: p.count }))
  return lines
}

/**
 * markStatus is where the 定时操作 page shows an entity's waiting changes:
 * 待执行 when any is still scheduled (or more wait than are listed: those
 * come later), 执行中 when every one is being made.
 */
export function markStatus(p: PendingScheduled): 'scheduled' | 'running' {
  return p.count > p.changes.length || p.changes.some((c) => c.status === 'scheduled') ? 'scheduled' : 'running'
}

/** markLink is the 定时操作 page filtered to the entity, on the status its changes are in. */
export function markLink(kind: ChangeKind, p: PendingScheduled): RouteLocationRaw {
  return { name: 'scheduled', query: filtersToQuery({ status: markStatus(p), kind, entityId: String(p.entity_id), page: 1 }) }
}

/**
 * overriding is what waits for the items of a change made at `at` and would
 * overwrite it: for each item, the first waiting change of its entity that
 * sets the same field after that moment (changes of other fields, and those
 * before it, pass).
 */
export function overriding(items: readonly { id?: number; field?: string }[], pending: PendingByEntity, at: number): { id: number; change: PendingChange }[] {
  return items.flatMap((i) => {
    const change = pending[i.id ?? 0]?.changes.find((c) => c.field === i.field && Date.parse(c.run_at) > at)
    return change ? [{ id: i.id ?? 0, change }] : []
  })
}

/** overrideText warns of it: "该广告计划有定时操作 #12 将于北京时间 12-07 00:00（9 小时后）把预算改为 800.00 元，会覆盖此次修改". */
export function overrideText(c: PendingChange, kind: ChangeKind, t: T, valueText: ValueText, now: number): string {
  return t('scheduled.override', { ...changeParams(c, t, valueText, now), kind: t(`changes.kinds.${kind}`) })
}
