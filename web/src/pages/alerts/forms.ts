// Form models of the channel and subscription dialogs, and the request
// bodies they become. Secrets are never shown: on edit they start empty and
// an empty secret keeps the stored one.
import type { AlertChannel, AlertChannelRequest, AlertSubscription, AlertSubscriptionRequest } from '../../api/types'

export type ChannelType = 'feishu' | 'dingtalk' | 'wecom' | 'webhook' | 'email'
export const channelTypes: ChannelType[] = ['feishu', 'dingtalk', 'wecom', 'webhook', 'email']

export interface ChannelForm {
  name: string
  type: ChannelType
  enabled: boolean
  shared: boolean
  url: string
  secret: string
  /** DingTalk mentions: mobile numbers separated by commas, spaces or new lines. */
  atMobiles: string
  atAll: boolean
  smtpHost: string
  smtpPort: number
  tls: 'starttls' | 'tls' | 'none'
  username: string
  password: string
  from: string
  /** Recipients separated by commas, spaces, semicolons or new lines. */
  to: string
}

export function emptyChannelForm(): ChannelForm {
  return {
    name: '', type: 'feishu', enabled: true, shared: false, url: '', secret: '', atMobiles: '', atAll: false,
    smtpHost: '', smtpPort: 587, tls: 'starttls', username: '', password: '', from: '', to: '',
  }
}

/** splitList splits a free-text list (commas, semicolons, spaces, new lines). */
export function splitList(s: string): string[] {
  return s.split(/[\s,;，；]+/).map((x) => x.trim()).filter(Boolean)
}

/** channelForm fills the form from a stored channel (secrets left empty). */
export function channelForm(c: AlertChannel): ChannelForm {
  return {
    ...emptyChannelForm(),
    name: c.name ?? '',
    type: (c.type ?? 'feishu') as ChannelType,
    enabled: c.enabled ?? true,
    shared: c.shared ?? false,
    atMobiles: (c.at_mobiles ?? []).join(', '),
    atAll: c.at_all ?? false,
    smtpHost: c.smtp_host ?? '',
    smtpPort: c.smtp_port || 587,
    tls: ((c.tls || 'starttls') as ChannelForm['tls']),
    username: c.username ?? '',
    from: c.from ?? '',
    to: (c.to ?? []).join(', '),
  }
}

/** channelBody is the request of a channel form: only the fields of its type. */
export function channelBody(f: ChannelForm): AlertChannelRequest {
  const body: AlertChannelRequest = { name: f.name.trim(), type: f.type, enabled: f.enabled }
  if (f.shared) body.shared = true
  if (f.type === 'email') {
    Object.assign(body, { smtp_host: f.smtpHost.trim(), smtp_port: f.smtpPort, tls: f.tls, from: f.from.trim(), to: splitList(f.to) })
    if (f.username.trim()) body.username = f.username.trim()
    if (f.password) body.password = f.password
    return body
  }
  if (f.url.trim()) body.url = f.url.trim()
  if (f.secret) body.secret = f.secret
  if (f.type === 'dingtalk') {
    const mobiles = splitList(f.atMobiles)
    if (mobiles.length) body.at_mobiles = mobiles
    if (f.atAll) body.at_all = true
  }
  return body
}

/** The digest time a subscription starts with when its digest is switched on. */
export const defaultDigestAt = '09:00'

export interface SubscriptionForm {
  name: string
  kinds: string[]
  advertiserIds: number[]
  /** Clients whose accounts it hears about too (as they belong when an alert goes out). */
  clientIds: number[]
  minSeverity: 'info' | 'warning' | 'critical'
  quiet: boolean
  quietStart: string
  quietEnd: string
  channelIds: number[]
  enabled: boolean
  /** Receive the alerts of the kinds; off, the subscription sends only its daily digest. */
  alerts: boolean
  /** Send the daily digest of the day before, at digestAt (Beijing time, HH:MM). */
  digest: boolean
  digestAt: string
  /** 0: daily; 1 (Monday) … 7 (Sunday): weekly on that day, with the seven days before; monthlyDigest: on monthDay, with the month before. */
  weekday: number
  /** The day of the month (1 … 28) a monthly digest goes out. */
  monthDay: number
  /** Whom a new subscription is for (alert managers choose; an edit keeps the subscriber). */
  subscriber: 'self' | 'team' | 'user'
  teamId: number
  userId: number
}

/** monthlyDigest is the digest choice beside the weekdays that sends it monthly (digest_monthly), on a day of the month. */
export const monthlyDigest = 8

/** monthDays are the days a monthly digest may go out on: those every month has. */
export const monthDays = Array.from({ length: 28 }, (_, i) => i + 1)

export function emptySubscriptionForm(): SubscriptionForm {
  return {
    name: '', kinds: [], advertiserIds: [], clientIds: [], minSeverity: 'info', quiet: false, quietStart: '22:00', quietEnd: '08:00', channelIds: [], enabled: true,
    alerts: true, digest: false, digestAt: defaultDigestAt, weekday: 0, monthDay: 1, subscriber: 'self', teamId: 0, userId: 0,
  }
}

export function subscriptionForm(s: AlertSubscription): SubscriptionForm {
  return {
    name: s.name ?? '',
    kinds: [...(s.kinds ?? [])],
    advertiserIds: [...(s.advertiser_ids ?? [])],
    clientIds: [...(s.client_ids ?? [])],
    minSeverity: (s.min_severity ?? 'info') as SubscriptionForm['minSeverity'],
    quiet: !!s.quiet_hours,
    quietStart: s.quiet_hours?.start ?? '22:00',
    quietEnd: s.quiet_hours?.end ?? '08:00',
    channelIds: [...(s.channel_ids ?? [])],
    enabled: s.enabled ?? true,
    alerts: s.alerts ?? true,
    digest: !!s.digest_at,
    digestAt: s.digest_at || defaultDigestAt,
    weekday: s.digest_monthly ? monthlyDigest : (s.digest_weekday ?? 0),
    monthDay: s.digest_month_day ?? 1,
    subscriber: 'self', teamId: 0, userId: 0,
  }
}

/** subscriptionBody is the request of a subscription form: the caller's own, or a team's or another user's. */
export function subscriptionBody(f: SubscriptionForm): AlertSubscriptionRequest {
  const whom = f.subscriber === 'team' ? { team_id: f.teamId } : f.subscriber === 'user' ? { user_id: f.userId } : {}
  return {
    ...whom,
    name: f.name.trim(),
    kinds: f.kinds,
    advertiser_ids: f.advertiserIds,
    client_ids: f.clientIds,
    min_severity: f.minSeverity,
    quiet_hours: f.quiet ? { start: f.quietStart.trim(), end: f.quietEnd.trim() } : null,
    channel_ids: f.channelIds,
    enabled: f.enabled,
    alerts: f.alerts,
    digest_at: f.digest ? f.digestAt.trim() : null,
    digest_weekday: f.digest && f.weekday && f.weekday !== monthlyDigest ? f.weekday : null,
    digest_monthly: f.digest && f.weekday === monthlyDigest,
    digest_month_day: f.digest && f.weekday === monthlyDigest ? f.monthDay : null,
  }
}

/** sendsNothing tells a form that neither receives alerts nor sends a digest (the API refuses it: nothing_to_send). */
export function sendsNothing(f: SubscriptionForm): boolean {
  return !f.alerts && !f.digest
}

const clockRe = /^([01]\d|2[0-3]):[0-5]\d$/

/** clockValid accepts "HH:MM" (24-hour). */
export function clockValid(s: string): boolean {
  return clockRe.test(s.trim())
}

/** audienceCounts is what a subscription names: accounts and clients (none of either: every account in scope). */
export function audienceCounts(s: { advertiser_ids?: number[]; client_ids?: number[] }): { accounts: number; clients: number } {
  return { accounts: s.advertiser_ids?.length ?? 0, clients: s.client_ids?.length ?? 0 }
}
