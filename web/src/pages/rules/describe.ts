// Sentences for a rule's parts (scope, conditions, schedule, actions,
// safety) as an operator reads them, in the console's language. Amounts
// are yuan strings from the API; t is vue-i18n's translate.
import type { RuleSpec } from '../../api/types'
import { money } from '../../lib/format'

type T = (key: string, params?: Record<string, unknown>) => string
type Condition = NonNullable<RuleSpec['conditions']>[number]
type Guard = NonNullable<RuleSpec['guards']>[number]
type Action = NonNullable<RuleSpec['actions']>[number]
type Window = { kind?: string; n?: number } | undefined

const ops: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=' }

export function windowText(t: T, w: Window): string {
  return w?.kind ? t(`rules.windows.${w.kind}`, { n: w.n ?? 0 }) : ''
}

function measured(t: T, metric: string | undefined, w: Window): string {
  const name = t(`rules.metricNames.${metric ?? ''}`)
  const win = windowText(t, w)
  return win ? t('rules.fmt.measured', { name, window: win }) : name
}

export function conditionText(t: T, c: Condition): string {
  const op = ops[c.op ?? ''] ?? c.op ?? ''
  const left = measured(t, c.metric, c.window)
  if (c.compare) return `${left} ${op} ${c.compare.factor ?? '1'} × ${measured(t, c.metric, c.compare.window)}`
  return `${left} ${op} ${c.value ?? ''}`
}

export function guardText(t: T, g: Guard): string {
  return `${measured(t, g.metric, g.window)} ≥ ${g.min ?? '0'}`
}

/** An amount or a percentage of an action: "¥20.00" or "20%". */
function amountText(a: Action): string {
  if (a.percent != null && a.percent !== '') return `${a.percent}%`
  return a.amount != null && a.amount !== '' ? `¥${money(a.amount)}` : ''
}

export function actionText(t: T, a: Action): string {
  const main = t(`rules.actionNames.${a.type ?? ''}`, { v: amountText(a) })
  const bounds: string[] = []
  if (a.floor) bounds.push(t('rules.floor', { v: `¥${money(a.floor)}` }))
  if (a.ceiling) bounds.push(t('rules.ceiling', { v: `¥${money(a.ceiling)}` }))
  const text = a.type === 'notify' && a.message ? main + t('rules.fmt.quoted', { s: a.message }) : main
  return bounds.length ? t('rules.fmt.bounded', { main: text, bounds: bounds.join(t('rules.fmt.comma')) }) : text
}

export function actionsText(t: T, s: Partial<RuleSpec>): string {
  return (s.actions ?? []).map((a) => actionText(t, a)).join(' + ')
}

export function scheduleText(t: T, s: RuleSpec['schedule'] | undefined): string {
  if (s?.times?.length) return t('rules.atTimes', { times: s.times.join(t('rules.fmt.list')) })
  let out = t('rules.everyMinutes', { n: s?.every_minutes ?? 0 })
  if (s?.day_parts?.length) out += t('rules.within', { parts: s.day_parts.map((p) => `${p.from}–${p.to}`).join(t('rules.fmt.list')) })
  return out
}

export function scopeText(t: T, s: RuleSpec['scope'] | undefined): string {
  const level = t(`rules.levels.${s?.level ?? ''}`)
  let out = t('rules.scopeAll', { level })
  if (s?.ids?.length) out = t('rules.scopeIds', { n: s.ids.length, level })
  else if (s?.advertiser_ids?.length) out = t('rules.scopeAdvertisers', { n: s.advertiser_ids.length, level })
  else if (s?.manager_ids?.length) out = t('rules.scopeManagers', { n: s.manager_ids.length, level })
  const f = s?.filter
  const parts = [out]
  if (f?.name_contains) parts.push(t('rules.filterName', { s: f.name_contains }))
  if (f?.statuses?.length) parts.push(t('rules.filterStatus', { s: f.statuses.join(' / ') }))
  if (f?.budget_mode) parts.push(t('rules.filterBudgetMode', { s: f.budget_mode }))
  return parts.join(t('rules.fmt.comma'))
}

/** A span of minutes in the largest whole unit: 1440 → "1 天", 90 → "90 分钟". */
export function minutesText(t: T, m: number): string {
  if (m > 0 && m % 1440 === 0) return t('rules.days', { n: m / 1440 })
  if (m > 0 && m % 60 === 0) return t('rules.hours', { n: m / 60 })
  return t('rules.minutes', { n: m })
}

export function conditionsText(t: T, s: Partial<RuleSpec>): string {
  const parts = (s.conditions ?? []).map((c) => conditionText(t, c))
  if (parts.length < 2) return parts.join('')
  return t('rules.fmt.matchList', { match: t(`rules.match.${s.match ?? 'all'}`), list: parts.join(t('rules.fmt.sep')) })
}

/** parseSpec reads the JSON editor's text: the spec, or what is wrong with the text. */
export function parseSpec(text: string): { spec: RuleSpec; error: null } | { spec: null; error: string } {
  try {
    const v: unknown = JSON.parse(text)
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { spec: null, error: 'not an object' }
    return { spec: v as RuleSpec, error: null }
  } catch (e) {
    return { spec: null, error: e instanceof Error ? e.message : String(e) }
  }
}

/** specJson is the text the JSON editor starts from. */
export function specJson(s: RuleSpec): string {
  return JSON.stringify(s, null, 2)
}

type Step = NonNullable<NonNullable<import('../../api/types').RuleDecision['steps']>[number]>

/** stepText is one thing a run does or would do to an object: "暂停", "出价降低 ¥10.00 → ¥9.00". */
export function stepText(t: T, s: Step): string {
  const name = t(`rules.actionNames.${s.type ?? ''}`, { v: '' }).trim()
  if (!s.before && !s.after) return name
  const yuan = (v: string | undefined) => (v && /^-?\d+(\.\d+)?$/.test(v) ? `¥${money(v)}` : v ?? '')
  return `${name} ${yuan(s.before)} → ${yuan(s.after)}`
}

type Check = NonNullable<import('../../api/types').RuleDecision['checks']>[number]
const moneyMetrics = new Set(['cost', 'cpa', 'cpm', 'bid', 'balance'])

/**
 * checkText is one evaluated condition or guard in the operator's words: the
 * API's label "cpa(last_days 2)" as 「转化成本（过去 2 天）」, amounts in yuan.
 */
export function checkText(t: T, c: Check): string {
  const m = /^(\w+)(?:\((\w+)(?: (\d+))?\))?$/.exec(c.label ?? '')
  const metric = m?.[1] ?? ''
  const label = m ? measured(t, metric, m[2] ? { kind: m[2], n: Number(m[3] ?? 0) } : undefined) : c.label ?? ''
  // Ratios come with 4 decimals: shown rounded to the fen.
  const value = (v: string | undefined) => (v && moneyMetrics.has(metric) && /^-?\d+(\.\d+)?$/.test(v) ? `¥${money(Number(v).toFixed(2))}` : v ?? '')
  const op = ops[c.op ?? ''] ?? c.op ?? ''
  const against = c.against ? ` ${op} ${/^-?\d+(\.\d+)?$/.test(c.against) ? value(c.against) : c.against}` : ''
  return `${label} = ${value(c.value)}${against}${c.note ? t('rules.fmt.bounded', { main: '', bounds: c.note }) : ''}`
}
