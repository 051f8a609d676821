// The console's own words for a refused field: the API names the rule a
// value breaks and its figures (rule: min_daily_budget, params: {min:
// "300.00"}); where the console has a text for that rule it says it in the
// operator's language, otherwise the API's English message stands.
import type { FieldError } from '../api/client'
import type { components } from '../api/schema'
import zhCN from '../i18n/zh-CN'
import { money } from './format'
import { streamLabel } from './streamLabel'

// Every rule the API description names has a text in the console (en-US has
// the same keys by its type): a rule added to openapi.yaml without one fails
// the type check.
type Rule = NonNullable<components['schemas']['FieldError']['rule']>
const everyRule: Record<Rule, string> = zhCN.serverRules
void everyRule

/** The parts of vue-i18n's composer fieldText needs. */
export interface Translator {
  t: (key: string, params?: Record<string, unknown>) => string
  te: (key: string) => boolean
}

// Figures that are codes (a JSON type, a level or entity kind, a metric, a field, an alert
// kind) and where the console keeps their words.
const codeWords: Record<string, string> = {
  type: 'serverTypes',
  level: 'rules.levels',
  kind: 'rules.levels',
  metric: 'rules.metrics',
  field: 'rules.fields',
  alert_kind: 'alerts.kinds',
}

export function fieldText(f: FieldError, i: Translator): FieldError {
  const key = `serverRules.${f.rule ?? ''}`
  if (!f.rule || !i.te(key)) return f
  const params = inWords(f.params, codeWords, i)
  if (params.stream) params.stream = streamLabel(params.stream, i.t)
  return { ...f, message: i.t(key, params) }
}

// An amount as the API writes it (yuan to the fen: "4650.00").
const amountRe = /^-?\d+\.\d{2}$/

/**
 * inWords is params with each figure named in words (name → where its words are) said in words, where the console
 * has them, and each amount grouped as the tables show it ("4650.00" → "4,650.00").
 */
export function inWords(params: Record<string, string> | undefined, words: Record<string, string>, i: Translator): Record<string, string> {
  const out: Record<string, string> = { ...params }
  for (const [name, v] of Object.entries(out)) if (amountRe.test(v)) out[name] = money(v)
  for (const [name, at] of Object.entries(words)) {
    const code = out[name]
    if (code && i.te(`${at}.${code}`)) out[name] = i.t(`${at}.${code}`)
  }
  return out
}
