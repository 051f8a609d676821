// An alert's data (details) as an operator reads them: each key in words
// (the identifier kept as a tooltip), times in Beijing time, a sync stream
// and a status in the console's words. A key the console has no words for
// keeps its identifier, so data from a newer server or a rule still shows.
import { beijingTime } from '../../lib/format'
import { streamLabel } from '../../lib/streamLabel'
import { statusKey } from '../entities/kinds'

type T = (key: string, params?: Record<string, unknown>) => string
type Te = (key: string) => boolean

export interface DetailRow {
  /** The identifier the server sends. */
  key: string
  label: string
  value: string
  /** The value as sent, when value says it in words. */
  raw?: string
}

const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

function words(key: string, v: string, t: T, te: Te): string {
  if (key === 'stream') return streamLabel(v, t)
  if (key === 'status') {
    const entity = statusKey(v)
    if (entity) return t(`statuses.${entity}`)
    if (te(`accounts.authStatuses.${v}`)) return t(`accounts.authStatuses.${v}`)
    if (te(`scheduled.statuses.${v}`)) return t(`scheduled.statuses.${v}`)
  }
  if (instant.test(v)) return beijingTime(v)
  return v
}

/** sourceLabel says who raised an alert: the evaluator, a rule or a scheduled change by its id; anything else as sent. */
export function sourceLabel(source: string | null | undefined, t: T): string {
  if (!source) return '—'
  if (source === 'evaluator') return t('alerts.sources.evaluator')
  const m = /^(rule|scheduled):(\d+)$/.exec(source)
  return m ? t(`alerts.sources.${m[1]}`, { id: m[2] }) : source
}

/** detailRows lists details in the order the server sent them. */
export function detailRows(details: Record<string, unknown> | null | undefined, t: T, te: Te): DetailRow[] {
  return Object.entries(details ?? {}).map(([key, v]) => {
    const label = te(`alerts.detailKeys.${key}`) ? t(`alerts.detailKeys.${key}`) : key
    // Lists (a rejected ad's reasons) one a line; other objects as JSON.
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return { key, label, value: v.join('\n') }
    if (typeof v === 'object' && v !== null) return { key, label, value: JSON.stringify(v) }
    const raw = String(v)
    const value = words(key, raw, t, te)
    return value === raw ? { key, label, value } : { key, label, value, raw }
  })
}
