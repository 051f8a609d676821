// A subscription's daily digest in the console's words: its time and last
// send on the list, and the preview's figures, accounts and warnings. The
// figures are the API's (money as strings); nothing is computed here.
import type { AlertChannel, AlertDigest, AlertDigestSent, AlertSubscription } from '../../api/types'
import { addDays, beijingDate, pickedDay } from '../../lib/beijing'
import { beijingTime, count, money, nameAndId, percent } from '../../lib/format'

type Translate = (key: string, params?: Record<string, unknown>) => string

export type LastDigest = NonNullable<AlertSubscription['last_digest']>

/** digestSchedule names when a subscription's digest goes out ("每天 09:00", "每周一 09:00", "每月 5 日 09:00"), or '' without one. */
export function digestSchedule(s: AlertSubscription, t: Translate): string {
  if (!s.digest_at) return ''
  if (s.digest_monthly) return t('subscriptions.digestMonthly', { day: s.digest_month_day ?? 1, time: s.digest_at })
  return s.digest_weekday ? `${t(`subscriptions.digestDays.${s.digest_weekday}`)} ${s.digest_at}` : t('subscriptions.digestDaily', { time: s.digest_at })
}

/** A digest's period: a day, a week or a calendar month. */
export type DigestPeriod = 'day' | 'week' | 'month'

/** digestPeriod is the period of a subscription's digest. */
export function digestPeriod(s: Pick<AlertSubscription, 'digest_weekday' | 'digest_monthly'> | null | undefined): DigestPeriod {
  return s?.digest_monthly ? 'month' : s?.digest_weekday ? 'week' : 'day'
}

/**
 * digestKey is the text of a digest's preview for its period: a weekly or monthly digest's own words
 * ("较上周", "较上月", "截至…的数据周报") where they differ from a daily one's.
 */
export function digestKey(key: 'title' | 'day' | 'compared' | 'vsPrevious' | 'previousValue' | 'incomplete' | 'sendTitle' | 'results', period: DigestPeriod): string {
  return { day: `digest.${key}`, week: `digest.weekly.${key}`, month: `digest.monthly.${key}` }[period]
}

/**
 * lastDigestState says how the latest scheduled digest went ("12-05 已发送", "12-05 发送失败：…"; a weekly
 * digest by its week, "11-30～12-06 已发送", a monthly one by its month, "2026-11 已发送", as the day it is kept by
 * is the one before it went out: the week's last, or the 4th for a monthly one on the 5th), with the words of its
 * tooltip (when it was sent, or the whole error); null before the first.
 */
export function lastDigestState(d: AlertSubscription['last_digest'], t: Translate, period: DigestPeriod = 'day'): { status: LastDigest['status']; text: string; title: string } | null {
  if (!d?.day) return null
  const status = d.status ?? 'sending'
  const day = { day: d.day.slice(5), week: dayWords(d.day).week, month: wholeMonth(d.day) }[period]
  const error = d.error ?? ''
  const title = status === 'sent' ? t('subscriptions.digestSentAt', { time: beijingTime(d.sent_at) }) : error
  return { status, text: t(`subscriptions.digestStatuses.${status}`, { day, error }), title }
}

/** The headline figures of a digest, in the order the report explorer shows them. */
export const digestMetrics = ['cost', 'show', 'click', 'convert', 'cpa', 'ctr'] as const
export type DigestMetric = (typeof digestMetrics)[number]

function shown(m: DigestMetric, v: string | number | null | undefined): string {
  if (m === 'cost' || m === 'cpa') return money(v as string | null | undefined)
  if (m === 'ctr') return percent(v as string | null | undefined)
  return count(v as number | null | undefined)
}

export interface Headline {
  metric: DigestMetric
  value: string
  previous: string
  /** Change against the previous day in percent ("-12.50"); null when the previous figure is zero or none. */
  change: string | null
}

/** digestHeadline is each headline figure of the day with the previous day's and the change. */
export function digestHeadline(d: AlertDigest): Headline[] {
  return digestMetrics.map((m) => ({
    metric: m,
    value: shown(m, d.totals?.[m]),
    previous: shown(m, d.previous?.[m]),
    change: d.change_percent?.[m] ?? null,
  }))
}

export interface DigestRow {
  id: number
  /** "name · id" as the pickers name an account. */
  account: string
  cost: string
  convert: string
  cpa: string
  previousCost: string
  /** The cost's change against the previous day ("-12.50"), null when it spent nothing then. */
  change: string | null
}

/** digestNames are the names of the accounts a digest names (those that spent, those not synced). */
export function digestNames(d: AlertDigest): Map<number, string> {
  const names = new Map<number, string>()
  for (const a of [...(d.accounts ?? []), ...(d.incomplete ?? [])]) if (a.advertiser_id && a.advertiser_name) names.set(a.advertiser_id, a.advertiser_name)
  return names
}

type Figures = Pick<NonNullable<AlertDigest['accounts']>[number], 'totals' | 'previous' | 'change_percent'>

/** figuresRow is a table row of one account's or manager's figures, named by account. */
function figuresRow(id: number, account: string, f: Figures): DigestRow {
  return {
    id,
    account,
    cost: money(f.totals?.cost),
    convert: count(f.totals?.convert),
    cpa: money(f.totals?.cpa),
    previousCost: money(f.previous?.cost),
    change: f.change_percent?.cost ?? null,
  }
}

/** digestRows are the accounts of a digest as its table shows them, most spent first (the API's order). */
export function digestRows(d: AlertDigest): DigestRow[] {
  const names = digestNames(d)
  return (d.accounts ?? []).map((a) => figuresRow(a.advertiser_id ?? 0, nameAndId(names, a.advertiser_id ?? 0), a))
}

/**
 * managerRows are the digest's sums by majordomo or agent account (「直接授权的账户」 for those bound
 * directly), most spent first; none when the accounts share one.
 */
export function managerRows(d: AlertDigest, t: Translate): DigestRow[] {
  return (d.managers ?? []).map((m) => {
    const id = m.manager_id ?? 0
    const name = id ? nameAndId(new Map([[id, m.manager_name ?? '']]), id) : t('digest.direct')
    return figuresRow(id, name, m)
  })
}

/** stoppedAccounts names the accounts that spent the day before and nothing on the day. */
export function stoppedAccounts(d: AlertDigest): string[] {
  const names = digestNames(d)
  return (d.stopped ?? []).map((id) => nameAndId(names, id))
}

/** incompleteAccounts names the accounts whose report of the day is not fully synced (the totals may be short). */
export function incompleteAccounts(d: AlertDigest): string[] {
  const names = digestNames(d)
  return (d.incomplete ?? []).map((a) => nameAndId(names, a.advertiser_id ?? 0))
}

/** dayWords are the figures a text names a day with: the date, its month and day ("12月5日"), and the week to it ("11-29～12-05"). */
export function dayWords(day: string): { day: string; m: number; d: number; week: string; month: string } {
  return { day, m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)), week: day ? `${addDays(day, -6).slice(5)}～${day.slice(5)}` : '', month: day ? wholeMonth(day) : '' }
}

/** wholeMonth is the last calendar month whole by a day ("2026-11"): the day's own on its last day, else the month before. */
export function wholeMonth(day: string): string {
  if (addDays(day, 1).endsWith('-01')) return day.slice(0, 7)
  return addDays(`${day.slice(0, 7)}-01`, -1).slice(0, 7)
}

/** yesterday is the Beijing day a digest reports by default. */
export function digestDefaultDay(now = Date.now()): string {
  return beijingDate(now, -1)
}

/** digestDayOff greys out the picker's days the API does not report: after Beijing today or more than 366 days back. */
export function digestDayOff(d: Date, now = Date.now()): boolean {
  const day = pickedDay(d)
  const today = beijingDate(now)
  return day > today || day < addDays(today, -366)
}

/**
 * sendTargets names the channels a digest sent now goes to: the subscription's enabled ones (one the
 * caller's list does not hold by its id; the API decides).
 */
export function sendTargets(s: AlertSubscription, channels: AlertChannel[]): string[] {
  const byId = new Map(channels.map((c) => [c.id ?? 0, c]))
  return (s.channel_ids ?? []).flatMap((id) => {
    const c = byId.get(id)
    if (!c) return [`#${id}`]
    return c.enabled === false ? [] : [c.name || `#${id}`]
  })
}

export type SendResult = NonNullable<AlertDigestSent['results']>[number]

/** sendResultText is what one channel answered to a digest sent now: 成功 (with its attempts) or 失败 with the error. */
export function sendResultText(r: SendResult, t: Translate): string {
  if (r.ok) return t('digest.sentOk', { attempts: r.attempts ?? 1 })
  return t(r.temporary ? 'digest.sendFailedTemporary' : 'digest.sendFailed', { error: r.error || r.response || '' })
}
