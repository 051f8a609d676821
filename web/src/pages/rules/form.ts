// The rule editor's form: a spec as rows an operator fills in (one per
// condition, guard and action) and back. What the form does not show (scope
// ids, manager ids and filter, a condition's compare, keys it does not know)
// rides along untouched, so switching between the form and the JSON loses
// nothing. Money and thresholds stay the decimal strings the API takes; a
// stored amount in yuan ("35.5": the server keeps the value, not the digits
// typed) shows with two decimals ("35.50"), the same value. Fixed times are
// "HH:MM" from time pickers, and the hours of day a set of whole hours that
// the form writes as day parts.
import type { FieldError } from '../../api/client'
import type { RuleSpec, RuleWindow } from '../../api/types'
import { hourLabel } from '../../lib/format'
import { metricUnit } from './spec'

type Condition = RuleSpec['conditions'][number]
type Guard = NonNullable<RuleSpec['guards']>[number]
type Action = RuleSpec['actions'][number]
type DayPart = NonNullable<RuleSpec['schedule']['day_parts']>[number]
type Rest = Record<string, unknown>

/** The metrics a condition picks from, and those a guard (a volume) picks from. */
export const metrics = ['cost', 'show', 'click', 'convert', 'cpa', 'ctr', 'cvr', 'cpm', 'budget_used_pct', 'bid', 'balance'] as const
export const volumes = ['cost', 'show', 'click', 'convert'] as const
export const windowKinds = ['today', 'yesterday', 'last_days', 'last_hours', 'lifetime'] as const
export const ops = ['gt', 'gte', 'lt', 'lte', 'eq'] as const
export const actionTypes = ['pause', 'enable', 'set_budget', 'raise_budget', 'lower_budget', 'set_bid', 'raise_bid', 'lower_bid', 'notify'] as const
export const levels = ['ad', 'campaign', 'project', 'promotion', 'advertiser'] as const

/**
 * What a level offers, as the API validates it: projects and promotions have
 * daily reports only (no budget_used_pct); campaigns and accounts have no bid;
 * an account's rule changes only its own daily budget (or notifies).
 */
export function metricAt(level: string, metric: string): boolean {
  if (metric === 'budget_used_pct') return level !== 'project' && level !== 'promotion'
  if (metric === 'bid') return level !== 'campaign' && level !== 'advertiser'
  return true
}

export function actionAt(level: string, type: string): boolean {
  if (level === 'advertiser') return type === 'notify' || type.endsWith('_budget')
  return level !== 'campaign' || !type.endsWith('_bid')
}

/** A window in a row: kind ('' for none: current values) and N for last_days / last_hours. */
export interface WindowCells {
  window: RuleWindow['kind'] | ''
  n: number | undefined
}

export interface ConditionRow extends WindowCells {
  metric: Condition['metric']
  op: Condition['op']
  /** The threshold as typed ('' when absent). */
  value: string
  /** Measured over every object the rule looks at together. */
  total: boolean
  /** The rest of the condition (compare, unknown keys), kept as it came. */
  rest: Rest
}

export interface GuardRow extends WindowCells {
  metric: NonNullable<Guard['metric']>
  min: string
  rest: Rest
}

export interface ActionRow {
  type: Action['type']
  /** Whether value is an amount in yuan or a percent. */
  by: 'amount' | 'percent'
  value: string
  floor: string
  ceiling: string
  message: string
  rest: Rest
}

export interface RuleForm {
  name: string
  level: RuleSpec['scope']['level']
  advertiserIds: number[]
  clientIds: number[]
  match: RuleSpec['match']
  conditions: ConditionRow[]
  guards: GuardRow[]
  scheduleMode: 'every' | 'times'
  everyMinutes: number | undefined
  /** Beijing times "HH:MM", one a picker, in the spec's order. */
  times: string[]
  /**
   * The Beijing hours of day (0–23) the rule runs in, ascending; none is all
   * day. Null when the spec's day parts are not whole hours ("09:30"): they
   * are kept as they are and edited in the JSON.
   */
  hours: number[] | null
  actions: ActionRow[]
  cooldown: number | undefined
  perRun: number | undefined
  perDay: number | undefined
  /** The spec the form was made from: every part the form does not show. */
  base: Rest
}

// without is obj minus keys: what a row keeps of an item beside its cells.
function without(obj: unknown, keys: readonly string[]): Rest {
  const out: Rest = {}
  for (const [k, v] of Object.entries(obj && typeof obj === 'object' ? obj : {})) if (!keys.includes(k)) out[k] = v
  return out
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v))
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined)
// opt gives {key: v} when v is filled, else nothing: empty inputs leave no key.
const opt = <V>(key: string, v: V | undefined | ''): Rest => (v === undefined || v === '' ? {} : { [key]: typeof v === 'string' ? v.trim() : v })

/**
 * twoDecimals is a yuan amount as a money input shows it: "35.5" → "35.50",
 * "300" → "300.00" — the same value, as the console writes money. Anything
 * else (more decimals, a sign, not a number) stays as it came.
 */
export function twoDecimals(v: string): string {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(v)
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(2, '0')}` : v
}

// figure is a figure of a row as the form shows it: two decimals when it is yuan.
const figure = (v: unknown, yuan: boolean): string => (yuan ? twoDecimals(str(v)) : str(v))

// The hour "HH:00" is; 24 only as an end ("24:00").
const hourOf = (v: unknown, end: boolean): number | undefined => {
  const m = typeof v === 'string' ? /^(\d\d):00$/.exec(v) : null
  const h = m ? Number(m[1]) : NaN
  return h >= (end ? 1 : 0) && h <= (end ? 24 : 23) ? h : undefined
}

/** hoursOf is the set of hours day parts cover, ascending; null when a part is not whole hours (or not a part). */
export function hoursOf(parts: unknown): number[] | null {
  if (parts === undefined) return []
  if (!Array.isArray(parts)) return null
  const hours = new Set<number>()
  for (const p of parts as Partial<DayPart>[]) {
    const from = hourOf(p?.from, false)
    const to = hourOf(p?.to, true)
    if (from === undefined || to === undefined || to <= from) return null
    for (let h = from; h < to; h++) hours.add(h)
  }
  return [...hours].sort((a, b) => a - b)
}

/** dayPartsOf writes hours as day parts, a run of hours one part: [9…17, 20…23] → 09:00–18:00, 20:00–24:00. */
export function dayPartsOf(hours: readonly number[]): DayPart[] {
  const parts: DayPart[] = []
  const sorted = [...new Set(hours)].sort((a, b) => a - b)
  sorted.forEach((h, i) => {
    if (i > 0 && sorted[i - 1] === h - 1) parts[parts.length - 1]!.to = hourLabel(h + 1)
    else parts.push({ from: hourLabel(h), to: hourLabel(h + 1) })
  })
  return parts
}

/** nextTime is the time a new picker starts at: the first whole hour after the last one not taken yet, 10:00 for the first. */
export function nextTime(times: readonly string[]): string {
  const last = /^(\d\d):/.exec(times.at(-1) ?? '')
  const start = last ? Number(last[1]) + 1 : 10
  for (let i = 0; i < 24; i++) {
    const at = hourLabel((start + i) % 24)
    if (!times.includes(at)) return at
  }
  return hourLabel(start % 24)
}

function windowCells(w: RuleWindow | undefined): WindowCells {
  return { window: w?.kind ?? '', n: num(w?.n) }
}

function windowOf(c: WindowCells): RuleWindow | undefined {
  return c.window ? { kind: c.window, ...opt('n', c.n) } : undefined
}

/** takesN says whether a window kind counts N days or hours. */
export function takesN(kind: string): boolean {
  return kind === 'last_days' || kind === 'last_hours'
}

/** toForm makes the form of a spec (partial specs too: what is missing starts empty). */
export function toForm(spec: Partial<RuleSpec>): RuleForm {
  const scope = spec.scope ?? ({} as Partial<RuleSpec['scope']>)
  const schedule = spec.schedule ?? {}
  return {
    name: str(spec.name),
    level: scope.level ?? 'ad',
    advertiserIds: [...(scope.advertiser_ids ?? [])],
    clientIds: [...(scope.client_ids ?? [])],
    match: spec.match === 'any' ? 'any' : 'all',
    conditions: (spec.conditions ?? []).map((c) => ({ metric: c.metric, ...windowCells(c.window), op: c.op, value: figure(c.value, metricUnit(c.metric) === 'yuan'), total: c.total === true, rest: without(c, ['metric', 'window', 'op', 'value', 'total']) })),
    guards: (spec.guards ?? []).map((g) => ({ metric: g.metric ?? 'click', ...windowCells(g.window), min: figure(g.min, metricUnit(g.metric ?? '') === 'yuan'), rest: without(g, ['metric', 'window', 'min']) })),
    scheduleMode: schedule.times?.length ? 'times' : 'every',
    everyMinutes: num(schedule.every_minutes),
    times: [...(schedule.times ?? [])],
    hours: hoursOf(schedule.day_parts),
    actions: (spec.actions ?? []).map((a) => ({
      type: a.type,
      by: a.percent !== undefined && a.amount === undefined ? 'percent' : 'amount',
      value: a.percent !== undefined && a.amount === undefined ? str(a.percent) : figure(a.amount, true),
      floor: figure(a.floor, true),
      ceiling: figure(a.ceiling, true),
      message: str(a.message),
      rest: without(a, ['type', 'amount', 'percent', 'floor', 'ceiling', 'message']),
    })),
    cooldown: num(spec.safety?.cooldown_minutes),
    perRun: num(spec.safety?.max_actions_per_run),
    perDay: num(spec.safety?.max_actions_per_day),
    base: spec as Rest,
  }
}

// The day parts a form says: the spec's own while its hours are unchanged (so
// "09:00–12:00, 12:00–18:00" stays two parts), else the hours written anew.
function dayPartsFrom(f: RuleForm): unknown {
  const parts = (f.base.schedule as Rest | undefined)?.day_parts
  const same = (a: readonly number[] | null, b: readonly number[] | null) => a !== null && b !== null && a.join() === b.join()
  return f.hours === null || same(f.hours, hoursOf(parts)) ? parts : dayPartsOf(f.hours)
}

/** fromForm is the spec a form says, with every part the form does not show as it was. */
export function fromForm(f: RuleForm): RuleSpec {
  const base = f.base
  // The server's order: level, ids, advertiser_ids, manager_ids, client_ids, filter.
  const { manager_ids: managerIds, filter, ...scopeIds } = without(base.scope, ['level', 'advertiser_ids', 'client_ids'])
  const ids = (key: string, v: number[]) => (v.length ? { [key]: [...v] } : {})
  const schedule = without(base.schedule, ['every_minutes', 'times', 'day_parts'])
  const safety = {
    ...without(base.safety, ['cooldown_minutes', 'max_actions_per_run', 'max_actions_per_day']),
    ...opt('cooldown_minutes', f.cooldown),
    ...opt('max_actions_per_run', f.perRun),
    ...opt('max_actions_per_day', f.perDay),
  }
  const dayParts = dayPartsFrom(f)
  const spec: Rest = {
    name: f.name,
    scope: {
      level: f.level,
      ...scopeIds,
      ...ids('advertiser_ids', f.advertiserIds),
      ...opt('manager_ids', managerIds),
      ...ids('client_ids', f.clientIds),
      ...opt('filter', filter),
    },
    match: f.match,
    conditions: f.conditions.map((c) => ({ metric: c.metric, ...opt('window', windowOf(c)), op: c.op, ...opt('value', c.value), ...(c.total ? { total: true } : {}), ...c.rest })),
    ...(f.guards.length ? { guards: f.guards.map((g) => ({ metric: g.metric, ...opt('window', windowOf(g)), min: g.min.trim(), ...g.rest })) } : {}),
    schedule: {
      ...(f.scheduleMode === 'times' ? { times: [...f.times] } : opt('every_minutes', f.everyMinutes)),
      ...(Array.isArray(dayParts) && !dayParts.length ? {} : opt('day_parts', dayParts as DayPart[] | undefined)),
      ...schedule,
    },
    actions: f.actions.map((a) => ({
      type: a.type,
      ...opt(a.by, a.value),
      ...opt('floor', a.floor),
      ...opt('ceiling', a.ceiling),
      ...opt('message', a.message),
      ...a.rest,
    })),
    ...(Object.keys(safety).length ? { safety } : {}),
  }
  for (const [k, v] of Object.entries(base)) if (!(k in spec) && k !== 'guards' && k !== 'safety') spec[k] = v
  return spec as RuleSpec
}

/** What each kind of action takes: an amount (set), an amount or a percent (raise, lower), limits, a message (notify). */
export function actionTakes(type: string): { value: boolean; percent: boolean; limits: boolean; message: boolean } {
  const changes = /budget|bid/.test(type)
  const step = /^(raise|lower)_/.test(type)
  return { value: changes, percent: step, limits: changes, message: type === 'notify' }
}

/** fitAction clears what a row's (new) action type does not take, so a hidden input never sends a value. */
export function fitAction(a: ActionRow): void {
  const takes = actionTakes(a.type)
  if (!takes.value) a.value = ''
  if (!takes.percent) a.by = 'amount'
  if (!takes.limits) a.floor = a.ceiling = ''
  if (!takes.message) a.message = ''
}

/** Metrics that are current values, with no window; budget_used_pct is today's or has none. */
const current = new Set(['bid', 'balance'])

/** fitWindow keeps a row's window right for its metric and kind: none for current values, N only where counted. */
export function fitWindow(c: WindowCells & { metric: string }): void {
  if (current.has(c.metric)) c.window = ''
  else if (c.metric === 'budget_used_pct') c.window = c.window === 'today' ? 'today' : ''
  else if (!c.window) c.window = 'today'
  if (!takesN(c.window)) c.n = undefined
  else if (c.n === undefined) c.n = c.window === 'last_days' ? 7 : 3
}

/** The most fixed times a rule takes (the API's limit). */
export const maxTimes = 24

/**
 * fitSchedule fits the form to a schedule mode just chosen: fixed times start
 * with one picker (never an empty list), and take no hours of day, which go
 * with every N minutes only.
 */
export function fitSchedule(f: RuleForm): void {
  if (f.scheduleMode !== 'times') return
  if (!f.times.length) f.times.push(nextTime([]))
  f.hours = []
}

/** The rows a button adds. */
export function newCondition(): ConditionRow {
  return { metric: 'cost', window: 'today', n: undefined, op: 'gt', value: '', total: false, rest: {} }
}
export function newGuard(): GuardRow {
  return { metric: 'click', window: 'today', n: undefined, min: '', rest: {} }
}
export function newAction(): ActionRow {
  return { type: 'notify', by: 'amount', value: '', floor: '', ceiling: '', message: '', rest: {} }
}

/**
 * controlOf names the form control a field error of the API belongs to:
 * "conditions[0].window.n" → "conditions.0.window.n", "actions[1].percent" →
 * "actions.1.by" (the value input), "scope.manager_ids[2]" → "scope.other",
 * "schedule.times[1]" → "schedule.times.1" (its picker), "schedule.day_parts[0].to" →
 * "schedule.day_parts" (the hours).
 */
export function controlOf(field: string): string {
  const p = field.replace(/\[(\d+)\]/g, '.$1')
  const moves: [RegExp, string][] = [
    [/^scope\.(advertiser_ids|client_ids)(\..*)?$/, 'scope.$1'],
    [/^scope\.(ids|manager_ids|filter)(\..*)?$/, 'scope.other'],
    [/^schedule\.day_parts(\..*)?$/, 'schedule.day_parts'],
    [/^(conditions|guards)\.(\d+)\.window\.kind$/, '$1.$2.window'],
    [/^conditions\.(\d+)\.compare(\..*)?$/, 'conditions.$1.value'],
    [/^actions\.(\d+)\.(amount|percent)$/, 'actions.$1.by'],
  ]
  for (const [re, to] of moves) if (re.test(p)) return p.replace(re, to)
  return p
}

// The controls the form shows, each with its message under it.
const shown =
  /^(name|match|scope\.(level|advertiser_ids|client_ids|other)|conditions(\.\d+(\.(metric|window|window\.n|op|value))?)?|guards(\.\d+(\.(metric|window|window\.n|min))?)?|schedule(\.(every_minutes|times(\.\d+)?|day_parts))?|actions(\.\d+(\.(type|by|floor|ceiling|message))?)?|safety\.(cooldown_minutes|max_actions_per_run|max_actions_per_day))$/

/** FormErrors are a 422's field errors as the form shows them: by control, and the rest listed above the form. */
export interface FormErrors {
  at: Map<string, string>
  rest: FieldError[]
}

/** formErrors files a 422's field errors under the controls they name; two on one control are joined. */
export function formErrors(fields: readonly FieldError[]): FormErrors {
  const at = new Map<string, string>()
  const rest: FieldError[] = []
  for (const f of fields) {
    const key = controlOf(f.field ?? '')
    if (!shown.test(key)) {
      rest.push(f)
      continue
    }
    at.set(key, at.has(key) ? `${at.get(key)}；${f.message}` : f.message)
  }
  return { at, rest }
}
