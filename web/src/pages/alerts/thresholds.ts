// Alert thresholds: each evaluated kind has defaults (GET /alerts/kinds),
// an override for every advertiser (advertiser_id 0) and overrides for one
// advertiser (GET /alerts/thresholds). An override names only the values it
// changes; the others come from the broader scope. The form keeps values as
// typed and sends numbers; a blank value is not sent.
import type { AlertKind, AlertThreshold } from '../../api/types'
import type { Translator } from '../../lib/fieldText'

export type KindParam = NonNullable<AlertKind['params']>[number]

/** unitKey is the i18n key of a threshold's unit (thresholds.units.*); '' when it has none worth saying. */
export function unitKey(unit: string | undefined): string {
  switch (unit) {
    case '%':
      return 'pct'
    case '×':
      return 'times'
    case 'days':
    case 'minutes':
    case 'hours':
    case 'hour':
    case 'runs':
    case 'yuan':
    case 'conversions':
    case 'impressions':
      return unit
    default:
      return '' // share, probability: plain numbers
  }
}

/** labelKeys are the i18n keys that may name a threshold, the kind's own first. */
export function labelKeys(kind: string, param: string): string[] {
  return [`thresholds.kindParams.${kind}.${param}`, `thresholds.params.${param}`]
}

/** show writes a threshold's value without float noise (0.1 + 0.2 style) or exponents for plain sizes. */
export function show(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—'
  return String(Number(v.toPrecision(12)))
}

/** num writes a figure for reading: show's digits, whole numbers from 1,000 up grouped. */
export function num(v: number | undefined): string {
  return v !== undefined && Number.isInteger(v) && Math.abs(v) >= 1000 ? v.toLocaleString('en-US') : show(v)
}

/**
 * withUnit writes a threshold with its unit in the operator's words
 * (unitText gives them by unitKey): "3 天", "80%", "2×", an hour of the
 * day "14:00"; a unit with no words leaves the figure alone.
 */
export function withUnit(p: KindParam, v: number | undefined, unitText: (key: string) => string): string {
  const u = unitKey(p.unit)
  if (u === 'hour') return `${show(v)}:00`
  const w = u ? unitText(u) : ''
  if (!w) return num(v)
  return /^[%×]/.test(w) ? `${num(v)}${w}` : `${num(v)} ${w}`
}

/** thresholdWords names thresholds, their units and values in the operator's language (thresholds.* texts). */
export function thresholdWords(i: Translator) {
  const unitText = (key: string) => i.t(`thresholds.units.${key}`)
  return {
    /** label is a threshold's name, the kind's own words first, else its code. */
    label(kind: string, p: KindParam): string {
      const key = labelKeys(kind, p.name ?? '').find((k) => i.te(k))
      return key ? i.t(key) : (p.name ?? '')
    },
    /** unit is the words of a threshold's unit ('' when it has none). */
    unit(p: KindParam): string {
      const u = unitKey(p.unit)
      return u ? unitText(u) : ''
    },
    /** value writes a threshold's value with its unit (withUnit). */
    value(p: KindParam, v: number | undefined): string {
      return withUnit(p, v, unitText)
    },
  }
}

/** The overrides split by scope: every advertiser's per kind, and those of single advertisers. */
export function splitOverrides(all: AlertThreshold[]): { global: Map<string, AlertThreshold>; single: AlertThreshold[] } {
  const global = new Map<string, AlertThreshold>()
  const single: AlertThreshold[] = []
  for (const o of all) {
    if (!o.advertiser_id) global.set(o.kind ?? '', o)
    else single.push(o)
  }
  single.sort((a, b) => (a.advertiser_id ?? 0) - (b.advertiser_id ?? 0) || (a.kind ?? '').localeCompare(b.kind ?? ''))
  return { global, single }
}

export interface ThresholdForm {
  kind: string
  /** 0: every advertiser. */
  advertiserId: number
  enabled: boolean
  /** Values as typed, by threshold name; '' keeps the broader value. */
  values: Record<string, string>
}

/** thresholdForm starts a form from an override, or empty for the kind and scope. */
export function thresholdForm(kind: string, advertiserId: number, o?: AlertThreshold): ThresholdForm {
  const values: Record<string, string> = {}
  for (const [name, v] of Object.entries(o?.params ?? {})) values[name] = show(v)
  return { kind, advertiserId, enabled: o?.enabled ?? true, values }
}

/**
 * inherited is what a blank value of the form stands for: the defaults in
 * the override for every account; in one account's, the values in force for
 * every account (the kind's effective values).
 */
export function inherited(k: AlertKind, forEveryAccount: boolean): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of k.params ?? []) {
    const v = forEveryAccount ? p.default : (k.effective?.[p.name ?? ''] ?? p.default)
    if (p.name && v !== undefined) out[p.name] = v
  }
  return out
}

export type ThresholdBody = { kind: string; advertiser_id: number; enabled: boolean; params: Record<string, number> }

/**
 * thresholdBody is the PUT of a form, or the fields (params.NAME) whose
 * text is not a number. Ranges are the API's to check: it names the field
 * and its bounds.
 */
export function thresholdBody(f: ThresholdForm, k: AlertKind): { body: ThresholdBody } | { invalid: string[] } {
  const params: Record<string, number> = {}
  const invalid: string[] = []
  for (const p of k.params ?? []) {
    const name = p.name ?? ''
    const text = (f.values[name] ?? '').trim().replace(/[,，]/g, '')
    if (!text) continue
    const n = Number(text)
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || !Number.isFinite(n)) invalid.push(`params.${name}`)
    else params[name] = n
  }
  if (invalid.length) return { invalid }
  return { body: { kind: f.kind, advertiser_id: f.advertiserId, enabled: f.enabled, params } }
}

/** changed lists an override's thresholds in the kind's order (those it sets). */
export function changed(k: AlertKind | undefined, o: AlertThreshold): { param: KindParam; value: number }[] {
  const out: { param: KindParam; value: number }[] = []
  for (const p of k?.params ?? []) {
    const v = o.params?.[p.name ?? '']
    if (v !== undefined) out.push({ param: p, value: v })
  }
  return out
}
