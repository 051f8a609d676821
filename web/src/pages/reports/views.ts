// Saved report views (常用报表): a view is kept as the report explorer's URL
// query. A range that ends today or yesterday may be kept rolling — as its
// length and how many days before today it ends (span, end) — so that the
// view opened next week reads the last seven days again, not the old dates.
import type { LocationQueryRaw } from 'vue-router'
import { addDays, daysBetween } from '../../lib/beijing'
import { toQuery, type ReportState } from './state'

/** rollingDays is how a range can roll: its length and its end's days before today; null when it ends before yesterday. */
export function rollingDays(s: Pick<ReportState, 'from' | 'to'>, today: string): { span: number; end: number } | null {
  const end = daysBetween(s.to, today) - 1
  const span = daysBetween(s.from, s.to)
  return span > 0 && (end === 0 || end === 1) ? { span, end } : null
}

/** viewQuery is the query a view keeps of the state: the range as dates, or rolling; opened, a view starts at its first page. */
export function viewQuery(s: ReportState, today: string, rolling: boolean): string {
  const q = toQuery(s)
  delete q.page
  const days = rolling ? rollingDays(s, today) : null
  if (days) {
    delete q.from
    delete q.to
    q.span = String(days.span)
    q.end = String(days.end)
  }
  return new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString()
}

/** openQuery is the route query of a kept view on today: a rolling range made dates again. */
export function openQuery(kept: string, today: string): LocationQueryRaw {
  const q: Record<string, string> = Object.fromEntries(new URLSearchParams(kept))
  const span = Number(q.span)
  const end = Number(q.end)
  if (Number.isInteger(span) && span > 0 && Number.isInteger(end) && end >= 0) {
    q.to = addDays(today, -end)
    q.from = addDays(q.to, 1 - span)
  }
  delete q.span
  delete q.end
  return q
}

/** isRolling tells a kept view whose range rolls with today. */
export function isRolling(kept: string): boolean {
  return new URLSearchParams(kept).has('span')
}

/** keptRange is a kept view's range: how it rolls (its length, its end's days before today), or its dates. */
export function keptRange(kept: string): { span: number; end: number } | { from: string; to: string } {
  const q = new URLSearchParams(kept)
  const span = Number(q.get('span'))
  const end = Number(q.get('end'))
  if (isRolling(kept) && Number.isInteger(span) && span > 0 && Number.isInteger(end) && end >= 0) return { span, end }
  return { from: q.get('from') ?? '', to: q.get('to') ?? '' }
}

/** namesAccounts tells a kept view filtered by accounts or objects: its owner's only, as readers' scopes differ. */
export function namesAccounts(kept: string): boolean {
  const q = new URLSearchParams(kept)
  return !!q.get('advertiser_ids') || !!q.get('entity_ids')
}
