// Scheduled changes (定时操作): a status, budget or bid change of 1–100
// entities made by the worker at a Beijing date and time (more entities are
// scheduled as one change a part of 100). The time as the
// picker holds it (Beijing wall time, whatever the browser's zone), the body
// the API takes, and how a scheduled change reads in the list.
import type { RouteLocationRaw } from 'vue-router'
import { api, ApiError, call, type FieldError } from '../../api/client'
import type { ScheduledChange, ScheduledChangeCreated, ScheduledChangeItem } from '../../api/types'
import { beijingTime } from '../../lib/format'
import type { Translator } from '../../lib/fieldText'
import { refusalText } from '../../lib/reasonText'
import { applyInParts, batchBodyOf, batchMax, endpointOf, offsetField, partKey, PartlyMade, withFields, type Field, type PlannedItem, type Progress } from '../entities/changes'
import type { ChangeKind } from '../entities/kinds'

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour
const offset = 8 * hour

/** The API takes a time at least one minute and at most 30 days ahead. */
export const minAhead = minute
export const maxAhead = 30 * day

/** A Beijing wall time as the picker holds it: "2026-12-06 14:00". */
const wallRe = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/

/** beijingWall is an instant as a Beijing wall time, to the minute. */
export function beijingWall(at: number): string {
  return new Date(at + offset).toISOString().slice(0, 16).replace('T', ' ')
}

/** wallInstant is the instant of a Beijing wall time (NaN unless it is one). */
export function wallInstant(wall: string): number {
  const m = wallRe.exec(wall)
  if (!m) return NaN
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+08:00`)
}

/** runAtOf is a Beijing wall time as the API's run_at: RFC 3339 with the +08:00 offset. */
export function runAtOf(wall: string): string {
  return `${wall.replace(' ', 'T')}:00+08:00`
}

/** shiftOf is how far the change at anchorAt moves when it is put at the wall time wall (NaN when a time is missing). */
export function shiftOf(anchorAt: string | undefined, wall: string): number {
  const from = Date.parse(anchorAt ?? '')
  return Number.isNaN(from) ? NaN : wallInstant(wall) - wallInstant(beijingWall(from))
}

/** shiftedWall is where a change at runAt goes when shifted by ms, as the others moved with it ('' when a time is missing). */
export function shiftedWall(runAt: string | undefined, ms: number): string {
  const at = Date.parse(runAt ?? '') + ms
  return Number.isNaN(at) ? '' : beijingWall(at)
}

/** moveSteps are the time picker's quick moves: an hour earlier, an hour or a day later. */
export const moveSteps = [-hour, hour, 24 * hour]

/** wallMoved is a Beijing wall time moved by ms ('' unless wall is one). */
export function wallMoved(wall: string, ms: number): string {
  const at = wallInstant(wall) + ms
  return Number.isNaN(at) ? '' : beijingWall(at)
}

/** shiftWords says how far a shift moves: "推迟 1 天 2 小时", "提前 30 分钟" ('' for none). */
export function shiftWords(ms: number, t: T): string {
  const m = Math.round(Math.abs(ms) / minute)
  if (!m) return ''
  const parts: [string, number][] = [['shiftDays', Math.floor(m / 1440)], ['shiftHours', Math.floor((m % 1440) / 60)], ['shiftMinutes', m % 60]]
  const by = parts.filter(([, n]) => n > 0).map(([key, n]) => t(`scheduled.${key}`, { n })).join(' ')
  return t(ms > 0 ? 'scheduled.shiftLater' : 'scheduled.shiftEarlier', { by })
}

/**
 * defaultWall is the time a new schedule starts with: the next full hour
 * (Beijing), or the one after when the next is less than five minutes away
 * (time to fill in the dialog and still be a minute ahead).
 */
export function defaultWall(now: number): string {
  let next = Math.floor((now + offset) / hour) * hour + hour - offset
  if (next - now < 5 * minute) next += hour
  return beijingWall(next)
}

export type RunAtProblem = '' | 'required' | 'tooSoon' | 'tooFar'

/** runAtProblem is what is wrong with a picked time now ('' when it can be sent). */
export function runAtProblem(wall: string, now: number): RunAtProblem {
  const at = wallInstant(wall)
  if (Number.isNaN(at)) return 'required'
  if (at - now < minAhead) return 'tooSoon'
  if (at - now > maxAhead) return 'tooFar'
  return ''
}

// The picker hands its days and times as local Dates whose fields are the
// Beijing wall time shown (its value format has no zone): compare fields.
function wallOfFields(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** dayOutOfRange tells whether the picker offers a day: from Beijing today to 30 days on. */
export function dayOutOfRange(d: Date, now: number): boolean {
  const date = wallOfFields(d).slice(0, 10)
  return date < beijingWall(now).slice(0, 10) || date > beijingWall(now + maxAhead).slice(0, 10)
}

/**
 * pastTimes is what the picker greys out for the day and hour picked (d): on
 * Beijing today the hours gone and, in the current hour, the minutes up to
 * and with the current one.
 */
export function pastTimes(d: Date | undefined, now: number): { disabledHours: () => number[]; disabledMinutes: () => number[] } {
  const wall = beijingWall(now)
  const picked = d ? wallOfFields(d) : ''
  const today = picked.slice(0, 10) === wall.slice(0, 10)
  const h = Number(wall.slice(11, 13))
  const m = Number(wall.slice(14, 16))
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i)
  return {
    disabledHours: () => (today ? upTo(h) : []),
    disabledMinutes: () => (today && picked.slice(11, 13) === wall.slice(11, 13) ? upTo(m + 1) : []),
  }
}

export interface Relative {
  /** i18n key under scheduled.rel */
  key: 'now' | 'justNow' | 'inMinutes' | 'inHours' | 'inDays' | 'minutesAgo' | 'hoursAgo' | 'daysAgo'
  n: number
}

/** The parts of vue-i18n's composer these texts need. */
export type T = (key: string, params?: Record<string, unknown>) => string

/** relative says how far an instant is from now, to the minute, hour or day: "2 小时后". */
export function relative(at: string | null | undefined, now: number): Relative | null {
  const t = Date.parse(at ?? '')
  if (Number.isNaN(t)) return null
  const d = t - now
  const a = Math.abs(d)
  const future = d > 0
  if (a < minute) return { key: future ? 'now' : 'justNow', n: 0 }
  if (a < hour) return { key: future ? 'inMinutes' : 'minutesAgo', n: Math.round(a / minute) }
  if (a < 2 * day) return { key: future ? 'inHours' : 'hoursAgo', n: Math.round(a / hour) }
  return { key: future ? 'inDays' : 'daysAgo', n: Math.round(a / day) }
}

/** relativeText is relative in words ('' without a time). */
export function relativeText(at: string | null | undefined, now: number, t: T): string {
  const r = relative(at, now)
  return r ? t(`scheduled.rel.${r.key}`, { n: r.n }) : ''
}

/** whenParams are the Beijing time of an instant, to the minute, and how far it is from now, as the texts saying when a change runs take them. */
export function whenParams(at: string | null | undefined, now: number, t: T): { time: string; rel: string } {
  return { time: beijingTime(at).slice(0, 16), rel: relativeText(at, now, t) }
}

/** The body of PATCH /scheduled-changes/{id}: the new time, the new note, or both. */
export interface ScheduleEdit {
  run_at?: string
  note?: string
}

/**
 * editBodyOf is what the 改时间 dialog sends for a change: the time picked
 * when it is not the change's own minute, the note (trimmed) when it is not
 * the change's; {} when nothing changed. The time left alone is not sent, so
 * a note can still be changed when the time is less than a minute away.
 */
export function editBodyOf(c: Pick<ScheduledChange, 'run_at' | 'note'>, wall: string, note: string): ScheduleEdit {
  const out: ScheduleEdit = {}
  const at = Date.parse(c.run_at ?? '')
  if (Number.isNaN(at) || wall !== beijingWall(at)) out.run_at = runAtOf(wall)
  if (note.trim() !== (c.note ?? '')) out.note = note.trim()
  return out
}

export const scheduledStatuses = ['scheduled', 'running', 'succeeded', 'partial', 'failed', 'canceled', 'missed'] as const
export type ScheduledStatus = (typeof scheduledStatuses)[number]

/** statusColor is the tag colour of a status: waiting blue, running cyan, done green, some or all failed orange/red, not run grey. */
export function statusColor(s: string | undefined): string {
  switch (s) {
    case 'scheduled':
      return 'arcoblue'
    case 'running':
      return 'cyan'
    case 'succeeded':
      return 'green'
    case 'partial':
      return 'orange'
    case 'failed':
      return 'red'
    case 'missed':
      return 'orangered'
    default:
      return 'gray'
  }
}

/** pending tells whether a change is still to be made (scheduled or running): how far its time is matters. */
export function pending(s: string | undefined): boolean {
  return s === 'scheduled' || s === 'running'
}

/** hasRun tells whether a change was made (its counts mean something). */
export function hasRun(s: string | undefined): boolean {
  return s === 'succeeded' || s === 'partial' || s === 'failed'
}

/**
 * countsText says how the items went once it ran: "成功 2，失败 1", with the unknown outcomes when there are any
 * and the entities that had the value already ("，1 个已是该值").
 */
export function countsText(c: Pick<ScheduledChange, 'succeeded' | 'failed' | 'unknown' | 'unchanged'>, t: T): string {
  const n = { ok: c.succeeded ?? 0, failed: c.failed ?? 0, unknown: c.unknown ?? 0 }
  const same = c.unchanged ? t('scheduled.countsUnchanged', { n: c.unchanged }) : ''
  return t(n.unknown ? 'scheduled.countsUnknown' : 'scheduled.counts', n) + same
}

/** itemResultColor is the tag colour of one item's result ('' before it ran). */
export function itemResultColor(r: string | undefined): string {
  return r === 'succeeded' ? 'green' : r === 'failed' ? 'red' : r === 'unknown' ? 'orange' : 'gray'
}

/** commonValue is the value every item takes, or null when they differ (or there are none). */
export function commonValue(items: readonly ScheduledChangeItem[] | undefined): string | null {
  const values = new Set((items ?? []).map((i) => i.value ?? ''))
  const [only] = values
  return values.size === 1 && only !== undefined ? only : null
}


/** entityNames are the first names of the items (their ids where the mirror has no name), "等 3 个" for the rest. */
export function entityNames(items: readonly ScheduledChangeItem[] | undefined, t: T, max = 2): string {
  const all = items ?? []
  const shown = all.slice(0, max).map((i) => i.entity_name || String(i.id ?? ''))
  const rest = all.length - shown.length
  return shown.join(t('scheduled.listSep')) + (rest > 0 ? ` ${t('scheduled.andMore', { n: rest })}` : '')
}

/** objectText says what a change is about: "广告计划 × 3". */
export function objectText(c: Pick<ScheduledChange, 'kind' | 'items'>, t: T): string {
  return t('scheduled.objectCount', { kind: t(`changes.kinds.${c.kind ?? 'ad'}`), n: c.items?.length ?? 0 })
}

/**
 * opText says what a change does: "预算 → 800.00 元", "状态 → 暂停", or
 * "预算 → 3 个不同的值" when each item has its own. valueText is the
 * console's words for a change value (useChangeValue).
 */
export function opText(c: Pick<ScheduledChange, 'field' | 'items'>, t: T, valueText: (field: string, v: string) => string): string {
  const field = c.field ?? 'budget'
  const v = commonValue(c.items)
  const value = v === null ? t('scheduled.mixedValues', { n: new Set((c.items ?? []).map((i) => i.value)).size }) : valueWords(field, v, t, valueText)
  return `${t(`change.fields.${field}`)} → ${value}`
}

/** valueWords says the value a change gives: "800.00 元" (an amount), "暂停", "不限". */
export function valueWords(field: string, v: string, t: T, valueText: (field: string, v: string) => string): string {
  return field !== 'status' && /^\d/.test(v) ? t('scheduled.yuan', { v: valueText(field, v) }) : valueText(field, v)
}

/** scheduleBodyOf is the body of POST /scheduled-changes: kind, op, time, note, and the entities as the batch endpoints take them. */
export function scheduleBodyOf(kind: ChangeKind, field: Field, items: PlannedItem[], runAt: string, note: string): Record<string, unknown> {
  const n = note.trim()
  return { kind, op: endpointOf(field), run_at: runAt, ...(n ? { note: n } : {}), ...batchBodyOf(field, items) }
}

/** scheduleChange schedules a change under the dialog's Idempotency-Key. */
export function scheduleChange(kind: ChangeKind, field: Field, items: PlannedItem[], runAt: string, note: string, key: string): Promise<ScheduledChangeCreated> {
  return call<ScheduledChangeCreated>(
    api.POST('/api/v1/scheduled-changes', {
      params: { header: { 'Idempotency-Key': key } },
      body: scheduleBodyOf(kind, field, items, runAt, note) as never,
    }),
  )
}

/** What scheduling a previewed change needs: the entities and values as planned, and the call. */
export interface Schedulable {
  items: PlannedItem[]
  /** schedule answers the scheduled changes made: one, or one a part for more entities than one takes (scheduleInParts). */
  schedule: (runAt: string, note: string, idempotencyKey: string, progress?: Progress) => Promise<ScheduledChangeCreated[]>
}

/**
 * scheduleInParts schedules a change of any number of entities: one scheduled change a part of batchMax (the most one
 * takes), each under its part's key (partKey: scheduled again under key, the parts made answer as they did), made in
 * order. The warnings of each, and the refusal of a later part, name the items of the whole (items[103].budget). A
 * later part refused throws PartlyMade with the scheduled changes made (as applyInParts).
 */
export async function scheduleInParts(
  items: PlannedItem[],
  key: string,
  send: (part: PlannedItem[], key: string) => Promise<ScheduledChangeCreated>,
  progress?: Progress,
): Promise<ScheduledChangeCreated[]> {
  const ofWhole = (made: ScheduledChangeCreated[]) => made.map((c, i) => ({ ...c, warnings: c.warnings?.map((w) => offsetField(w, i * batchMax)) }))
  try {
    return ofWhole(await applyInParts(items, key, async (part, k) => [await send(part, k)], progress))
  } catch (e) {
    if (!(e instanceof PartlyMade)) throw e
    // The part refused is the one after those made: its fields name the items of the whole too.
    const c = e.cause
    const cause = c instanceof ApiError ? withFields(c, c.fields.map((f) => offsetField(f, e.made.length * batchMax))) : c
    throw new PartlyMade(ofWhole(e.made as ScheduledChangeCreated[]), e.notSent, cause)
  }
}

/**
 * The rules that hold or not depending on the moment (today's spend, the
 * current budget or bid, today's count of changes): a dry run they refuse
 * cannot be made now, but can be scheduled, and is checked again when it runs.
 */
export const momentRules = [
  'budget_below_spend', 'min_budget_change', 'budget_changes_today', 'budget_below_bid', 'bid_above_budget',
  'guardrail_max_change', 'guardrail_unlimited_change',
] as const

/** onlyForNow tells whether a refusal names fields and each by a rule of the moment: scheduling it may still work. */
export function onlyForNow(fields: readonly { rule?: string }[]): boolean {
  return fields.length > 0 && fields.every((f) => (momentRules as readonly string[]).includes(f.rule ?? ''))
}

/** laterOnly is a dry run's refused fields when only the moment refuses it (null otherwise: the error stands). */
export function laterOnly(e: unknown): FieldError[] | null {
  return e instanceof ApiError && e.status === 422 && onlyForNow(e.fields) ? e.fields : null
}

export interface Warning {
  field: string
  message: string
  rule?: string
  params?: Record<string, string>
}

/**
 * warningLines names the entity of each warning where its field points at one
 * (ids[1].budget, items[0].bid: the request's order), for the dialog's list.
 */
export function warningLines(warnings: readonly Warning[], items: readonly PlannedItem[], names: Record<number, string>): { entity: string; message: string }[] {
  return warnings.map((w) => {
    const m = /^(?:ids|items)\[(\d+)\]/.exec(w.field)
    const item = m ? items[Number(m[1])] : items.length === 1 ? items[0] : undefined
    return { entity: item ? names[item.id] || String(item.id) : '', message: w.message }
  })
}

/**
 * whyText says why a change ended without being made, or why it waits to be
 * tried again, in words: "执行时被拒绝：与当前预算 1,200.00 元至少相差 1.00 元",
 * "创建人 bob 的账号已停用，未做任何修改", "等待重试：…"; the API's message for a
 * change recorded before its reasons were kept; '' when nothing was refused.
 */
export function whyText(c: Pick<ScheduledChange, 'status' | 'error' | 'refusal'>, i: Translator): string {
  const r = c.refusal
  if (!r) return c.error ?? ''
  const why = refusalText(r, i)
  if (c.status === 'running') return i.t('scheduled.waiting', { why })
  return r.code === 'validation_failed' ? i.t('scheduled.refusedWhenRun', { why }) : why
}

/** madeChanges counts the changes a run made, one per item sent (each in the change log). */
export function madeChanges(c: Pick<ScheduledChange, 'items'>): number {
  return (c.items ?? []).filter((i) => i.change_id).length
}

/** runLink is the change log on a run's request (scheduled-<id>), where 回滚这批修改 undoes what it made. */
export function runLink(c: Pick<ScheduledChange, 'id'>): RouteLocationRaw {
  return { name: 'changes', query: { request_id: `scheduled-${c.id ?? 0}` } }
}

/** WaitingOutcome is what cancelling or moving several scheduled changes came to: those done, and those that had started or were cancelled already. */
export interface WaitingOutcome {
  done: number[]
  notPending: number[]
}

/**
 * eachWaiting cancels or moves (send) the scheduled changes ids one after another, each under a key of the
 * confirmation's (`<key>.1`, `<key>.2` …: OK again after a lost answer replays those done and goes on). One that
 * started or was cancelled meanwhile (scheduled_change_not_pending) is counted apart and the others go on; any other
 * error is thrown.
 */
export async function eachWaiting(ids: readonly number[], key: string, send: (id: number, key: string) => Promise<unknown>, progress?: Progress): Promise<WaitingOutcome> {
  const out: WaitingOutcome = { done: [], notPending: [] }
  for (const [i, id] of ids.entries()) {
    try {
      await send(id, partKey(key, i, ids.length))
      out.done.push(id)
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'scheduled_change_not_pending')) throw e
      out.notPending.push(id)
    }
    progress?.(i + 1, ids.length)
  }
  return out
}
