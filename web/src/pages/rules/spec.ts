// Automated rules as an operator reads them: a spec's conditions, guards,
// schedule and actions as sentences, the JSON editor's parsing, and the
// counts of an evaluation. Labels come through t (the i18n keys under rules.).
import type { RuleCheck, RuleDecision, RuleSpec, RuleWindow } from '../../api/types'
import type { FieldError } from '../../api/client'
import { money, nameAndId } from '../../lib/format'
import { streamLabel } from '../../lib/streamLabel'

type T = (key: string, values?: Record<string, unknown>) => string
type Condition = RuleSpec['conditions'][number]
type Guard = NonNullable<RuleSpec['guards']>[number]
type Action = RuleSpec['actions'][number]
type Hidden = { ids?: number; advertiser_ids?: number; manager_ids?: number }

const opSigns: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' }
/** opSign is an operator as a sign: gte → ≥. */
export function opSign(op: string | undefined): string {
  return opSigns[op ?? ''] ?? op ?? ''
}

/** Metrics that are money (yuan), shown with two decimals. */
const moneyMetrics = new Set(['cost', 'cpa', 'cpm', 'bid', 'balance'])
/** Metrics that are percentages. */
const percentMetrics = new Set(['ctr', 'cvr', 'budget_used_pct'])

/** metricUnit says what a metric's figures are: yuan, percent, or a count (''). */
export function metricUnit(metric: string): 'yuan' | 'percent' | '' {
  return moneyMetrics.has(metric) ? 'yuan' : percentMetrics.has(metric) ? 'percent' : ''
}

/**
 * yuan says a rule's amount as the console says money (format.ts money:
 * "¥1,234.50"), keeping the further decimals a threshold may have ("¥0.125"):
 * a figure the rule compares with is never cut. What is not a number shows
 * as it is; nothing is "—".
 */
export function yuan(v: string | undefined): string {
  if (v === undefined || v === '') return '—'
  const shown = money(v, '')
  if (!shown) return v
  return `¥${shown}${/^-?\d+\.\d{2}(\d*?)0*$/.exec(v.trim())?.[1] ?? ''}`
}

/** windowText names a window: "今天", "近 7 天". */
export function windowText(t: T, w: RuleWindow | undefined): string {
  if (!w) return ''
  if (w.kind === 'last_days' || w.kind === 'last_hours') return t(`rules.windows.${w.kind}`, { n: w.n ?? 0 })
  return t(`rules.windows.${w.kind}`)
}

/** metricText names a metric over its window: "转化成本（今天）"; current values take no window. */
export function metricText(t: T, metric: string, w?: RuleWindow): string {
  const name = t(`rules.metrics.${metric}`)
  return w ? t('rules.metricWindow', { metric: name, window: windowText(t, w) }) : name
}

/** totalText names a metric over its window, of every object together when total: "消耗（今天）合计". */
export function totalText(t: T, metric: string, w: RuleWindow | undefined, total: boolean | undefined): string {
  const m = metricText(t, metric, w)
  return total ? t('rules.total', { metric: m }) : m
}

/** valueText formats a threshold by its metric: money with two decimals, percentages with %. */
export function valueText(metric: string, v: string | undefined): string {
  if (v === undefined || v === '') return '—'
  const unit = metricUnit(metric)
  return unit === 'yuan' ? yuan(v) : unit === 'percent' ? `${v}%` : v
}

export function conditionText(t: T, c: Condition): string {
  const left = `${totalText(t, c.metric, c.window, c.total)} ${opSign(c.op)}`
  if (c.compare) return `${left} ${c.compare.factor ?? '1'} × ${totalText(t, c.metric, c.compare.window, c.total)}`
  return `${left} ${valueText(c.metric, c.value)}`
}

export function guardText(t: T, g: Guard): string {
  return t('rules.guardText', { metric: metricText(t, g.metric ?? 'cost', g.window), min: valueText(g.metric ?? '', g.min) })
}

/** actionText says what an action does: "预算提高 20%（上限 ¥5,000.00）". */
export function actionText(t: T, a: Action): string {
  const field = /budget/.test(a.type) ? 'budget' : /bid/.test(a.type) ? 'bid' : ''
  if (!field) return a.type === 'notify' && a.message ? t('rules.actions.notifyWith', { message: a.message }) : t(`rules.actions.${a.type}`)
  const by = a.percent ? `${a.percent}%` : yuan(a.amount)
  const limits: string[] = []
  if (a.floor) limits.push(t('rules.floor', { v: yuan(a.floor) }))
  if (a.ceiling) limits.push(t('rules.ceiling', { v: yuan(a.ceiling) }))
  const base = t(`rules.actions.${a.type}`, { by })
  return limits.length ? `${base}（${limits.join('，')}）` : base
}

/** scheduleText: "每 60 分钟，09:00–18:00" or "每天 10:00、18:00", Beijing time. */
export function scheduleText(t: T, s: RuleSpec['schedule']): string {
  if (s.times?.length) return t('rules.scheduleTimes', { times: s.times.join('、') })
  const every = t('rules.scheduleEvery', { n: s.every_minutes ?? 0 })
  const parts = (s.day_parts ?? []).map((p) => `${p.from}–${p.to}`)
  return parts.length ? `${every}，${parts.join('、')}` : every
}

/** safetyText gives the cooldown and caps, with the server's defaults when absent. */
export function safetyText(t: T, s: RuleSpec['safety']): string {
  return t('rules.safetyText', {
    cooldown: s?.cooldown_minutes ?? 1440,
    run: s?.max_actions_per_run ?? 20,
    day: s?.max_actions_per_day ?? 100,
  })
}

/** matchText joins the conditions: all (且) or any (或). */
export function matchText(t: T, spec: RuleSpec): string {
  const sep = spec.match === 'any' ? t('rules.or') : t('rules.and')
  return spec.conditions.map((c) => conditionText(t, c)).join(sep)
}

/** ownerOfOthers is a rule's owner as a reader who is someone else names them (scopeText: 「alice 的全部账户」); undefined for the owner. */
export function ownerOfOthers(r: { owner_id?: number; owner?: string }, userID: number | undefined): string | undefined {
  return r.owner_id !== userID ? r.owner : undefined
}

/**
 * scopeText says what the rule looks at: "广告计划 · 2 个广告主 · 名称含 …". Of a
 * rule read without owning it (owner set), the ids outside the reader's data
 * scope are left out by the server: hidden counts them.
 */
export function scopeText(t: T, spec: RuleSpec, owner?: string, hidden?: Hidden | null): string {
  const s = spec.scope
  const parts = [t(`rules.levels.${s.level}`)]
  const list = (key: string, shown: number, more = 0) => {
    if (!shown && !more) return
    parts.push(t(key, { n: shown }) + (more ? t('rules.scopeHidden', { n: more }) : ''))
  }
  list('rules.scopeIds', s.ids?.length ?? 0, hidden?.ids)
  list('rules.scopeAdvertisers', s.advertiser_ids?.length ?? 0, hidden?.advertiser_ids)
  list('rules.scopeManagers', s.manager_ids?.length ?? 0, hidden?.manager_ids)
  list('rules.scopeClients', s.client_ids?.length ?? 0)
  if (parts.length === 1) parts.push(owner ? t('rules.scopeAllOf', { owner }) : t('rules.scopeAll'))
  if (s.filter?.name_contains) parts.push(t('rules.scopeName', { v: s.filter.name_contains }))
  if (s.filter?.statuses?.length) parts.push(t('rules.scopeStatuses', { v: s.filter.statuses.join('、') }))
  if (s.filter?.budget_mode) parts.push(s.filter.budget_mode === 'BUDGET_MODE_DAY' ? t('rules.scopeDayBudget') : s.filter.budget_mode)
  return parts.join(' · ')
}

export type Parsed = { spec: RuleSpec; error: '' } | { spec: null; error: string }

/** parseSpec reads the editor's text; a syntax error or a non-object is told, never thrown. */
export function parseSpec(text: string): Parsed {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    return { spec: null, error: e instanceof Error ? e.message : String(e) }
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { spec: null, error: 'not a JSON object' }
  return { spec: v as RuleSpec, error: '' }
}

/** summarizable says whether a parsed spec has the parts the summary reads (the server validates the rest). */
export function summarizable(spec: RuleSpec | null): spec is RuleSpec {
  return !!spec && typeof spec.scope === 'object' && !!spec.scope && Array.isArray(spec.conditions) && Array.isArray(spec.actions) && typeof spec.schedule === 'object' && !!spec.schedule
}

/** specText is the editor's text of a spec: two-space JSON without the server's empty parts (null, [], {}). */
export function specText(spec: RuleSpec): string {
  const empty = (v: unknown) => v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  return JSON.stringify(spec, (k, v) => (k !== '' && empty(v) ? undefined : v), 2)
}

/** blankSpec is where a rule written from scratch starts. */
export function blankSpec(name: string): RuleSpec {
  return {
    name,
    scope: { level: 'ad' },
    match: 'all',
    conditions: [{ metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '500.00' }],
    guards: [{ metric: 'click', window: { kind: 'today' }, min: '100' }],
    schedule: { every_minutes: 60 },
    actions: [{ type: 'notify' }],
    safety: { cooldown_minutes: 1440, max_actions_per_run: 20, max_actions_per_day: 100 },
  }
}

/**
 * fieldGroups files the API's field errors by the top-level part of the spec
 * they name ("conditions[1].window.n" → conditions), so each shows next to its
 * part; errors without a field go under "".
 */
export function fieldGroups(fields: readonly FieldError[]): Map<string, FieldError[]> {
  const out = new Map<string, FieldError[]>()
  for (const f of fields) {
    const part = /^[a-z_]+/.exec(f.field ?? '')?.[0] ?? ''
    out.set(part, [...(out.get(part) ?? []), f])
  }
  return out
}

/**
 * lineOf finds the editor line a field path points at ("conditions[1].window.n"):
 * it walks the text's keys and array items in order. 0 when not found.
 */
export function lineOf(text: string, path: string): number {
  const steps: (string | number)[] = path.split('.').flatMap((s) => {
    const key = s.replace(/\[.*$/, '')
    const idx = [...s.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))
    return key ? [key, ...idx] : idx
  })
  let pos = 0
  for (const step of steps) {
    if (typeof step === 'string') {
      const at = text.indexOf(`"${step}"`, pos)
      if (at < 0) return 0
      pos = at + step.length + 2
    } else {
      const at = nthItem(text, pos, step)
      if (at < 0) return 0
      pos = at
    }
  }
  return text.slice(0, pos).split('\n').length
}

// nthItem is the offset of the n-th item of the array starting at or after pos.
function nthItem(text: string, pos: number, n: number): number {
  let i = text.indexOf('[', pos)
  if (i < 0) return -1
  let depth = 0
  let item = 0
  let inString = false
  for (i += 1; i < text.length; i++) {
    const c = text.charAt(i)
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    if (depth === 0 && item === n && !/\s/.test(c)) return i
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') {
      if (depth === 0) return -1
      depth--
    } else if (c === ',' && depth === 0) item++
  }
  return -1
}

/** Evaluation counts as the history and the list show them. */
export interface EvaluationCounts {
  matched?: number
  acted?: number
  skipped?: number
  failed?: number
}

export function countsText(t: T, e: EvaluationCounts): string {
  const s = t('rules.counts', { matched: e.matched ?? 0, acted: e.acted ?? 0, skipped: e.skipped ?? 0 })
  return e.failed ? `${s} · ${t('rules.failedCount', { n: e.failed })}` : s
}

/** skipsText lists the skip reasons of an evaluation: "冷却中 3、超出单次上限 1". */
export function skipsText(t: T, skips: Record<string, number> | undefined): string {
  return Object.entries(skips ?? {})
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${t(`rules.skips.${k}`)} ${n}`)
    .join('、')
}

/** What an evaluation's reason says: its code and figures, and the API's text. */
export interface EvalReason {
  reason?: string
  reason_code?: string
  reason_params?: Record<string, string>
}

/**
 * evalReasonText says why an evaluation was skipped or some of its actions failed in the operator's words, from its code
 * and figures ("报表数据过旧：需要「广告计划 · 分时」在北京时间 12-06 10:00 之后同步过，1 个账户未满足：1002"); the API's text
 * for an error or an evaluation recorded before reasons had codes.
 */
export function evalReasonText(t: T, te: (key: string) => boolean, e: EvalReason, names?: ReadonlyMap<number, string>): string {
  const key = `rules.evalReasons.${e.reason_code ?? ''}`
  if (!e.reason_code || !te(key)) return e.reason ?? ''
  const p: Record<string, string> = { ...e.reason_params }
  if (p.stream) p.stream = streamLabel(p.stream, t)
  if (p.after) p.after = p.after.slice(5)
  if (p.ids && names) p.ids = reasonIds(p.ids).map((id) => nameAndId(names, id)).join(', ')
  if (Number(p.n) > 10) p.ids = t('rules.evalReasonMore', { ids: p.ids, n: p.n })
  return t(key, p)
}

/** reasonIds reads the account ids an evaluation's reason lists ("1001, 1002"). */
export function reasonIds(ids: string | undefined): number[] {
  return (ids ?? '').split(',').map((s) => Number(s.trim())).filter((n) => Number.isSafeInteger(n) && n > 0)
}

/**
 * scopeNames names what a rule's scope lists — its objects by objects, its advertisers and managers by accounts, its
 * clients by clients — "周年庆-OCPM-03 · 1789…、北京科技 · 1001、1002" (an id alone where its name is unknown).
 */
export function scopeNames(
  spec: RuleSpec,
  accounts: ReadonlyMap<number, string>,
  objects: ReadonlyMap<number, string>,
  clients: ReadonlyMap<number, string> = new Map(),
): string {
  const s = spec.scope
  return [
    ...(s.ids ?? []).map((id) => nameAndId(objects, id)),
    ...[...(s.advertiser_ids ?? []), ...(s.manager_ids ?? [])].map((id) => nameAndId(accounts, id)),
    ...(s.client_ids ?? []).map((id) => nameAndId(clients, id)),
  ].join('、')
}

/** statusText names a status the rule sets (enable, disable); another is shown as it is. */
function statusText(t: T, v: string | undefined): string {
  return v === 'enable' || v === 'disable' ? t(`rules.statusValues.${v}`) : (v ?? '—')
}

/** Step is one change a decision would make. */
export interface Step {
  type?: string
  field?: string
  before?: string
  after?: string
}

/** stepText: "预算 ¥1,000.00 → ¥1,200.00", "状态 启用 → 暂停", "发送通知"; "状态已是 暂停" for an action the platform found done already (before and after the same). */
export function stepText(t: T, s: Step): string {
  const action = t(`rules.actions.${s.type ?? 'notify'}`, { by: '' }).trim()
  if (!s.field) return action
  const fmt = (v: string | undefined) => (s.field === 'status' ? statusText(t, v) : yuan(v))
  const field = t(`rules.fields.${s.field}`)
  if (s.before && s.before === s.after) return t('rules.skipReasons.at_value', { field, value: fmt(s.after) })
  return `${field} ${fmt(s.before)} → ${fmt(s.after)}`
}

/** checkMetric names what a check measured: "转化成本（今天）", "消耗（今天）合计". */
export function checkMetric(t: T, c: RuleCheck): string {
  return c.metric ? totalText(t, c.metric, c.window, c.total) : (c.label ?? '')
}

/** checkValue formats a check's value by its metric ("n/a" when undefined). */
export function checkValue(c: RuleCheck): string {
  if (!c.value) return '—'
  return c.value === 'n/a' ? c.value : valueText(c.metric ?? '', c.value)
}

/** checkNote says why a check's value is undefined: "没有转化", or "转化成本（近 7 天）：没有转化" for the compared window's; the server's words when it sent no code. */
export function checkNote(t: T, c: RuleCheck): string {
  if (!c.note_code) return c.note ?? ''
  const why = t(`rules.notes.${c.note_code}`)
  return c.note_window ? `${totalText(t, c.metric ?? '', c.note_window, c.total)}：${why}` : why
}

/** skipText says why a matched object is skipped, in parts ("2025-06-18 09:20:00 已执行，冷却至 …", "预算已是 ¥200.00"); the server's words when it sent no parts. */
export function skipText(t: T, d: Pick<RuleDecision, 'skip_reasons' | 'skip_detail'>, sep = '；'): string {
  if (!d.skip_reasons?.length) return d.skip_detail ?? ''
  return d.skip_reasons
    .map((r) => {
      const p = r.params ?? {}
      const figures = { ...p, ...(p.field ? { field: t(`rules.fields.${p.field}`) } : {}), ...(p.value ? { value: yuan(p.value) } : {}) }
      return t(`rules.skipReasons.${r.code}`, figures)
    })
    .join(sep)
}

/** checkThreshold is what a check compares with: "¥5.00", or "1.5 × 转化成本（近 7 天） = ¥48.10". */
export function checkThreshold(t: T, c: RuleCheck): string {
  const v = checkValue({ metric: c.metric, value: c.threshold })
  return c.compare_window ? `${c.factor ?? '1'} × ${totalText(t, c.metric ?? '', c.compare_window, c.total)} = ${v}` : v
}

/** byMatch puts the matched decisions first (a preview with every object lists the matches on top), keeping the server's order otherwise. */
export function byMatch<D extends { matched?: boolean }>(decisions: readonly D[]): D[] {
  return [...decisions.filter((d) => d.matched), ...decisions.filter((d) => !d.matched)]
}
