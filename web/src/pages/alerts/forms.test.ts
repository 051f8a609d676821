import { describe, expect, test } from 'vitest'
import { audienceCounts, channelBody, channelForm, clockValid, emptyChannelForm, emptySubscriptionForm, monthDays, monthlyDigest, sendsNothing, splitList, subscriptionBody, subscriptionForm } from './forms'

describe('channel form', () => {
  test('a bot sends only its URL, secret and (DingTalk) mentions', () => {
    const f = { ...emptyChannelForm(), name: ' 运营群 ', type: 'dingtalk' as const, url: ' https://oapi.dingtalk.com/robot/send?access_token=abc ', secret: 'SECx', atMobiles: '13800001111，13900002222\n', smtpHost: 'ignored' }
    expect(channelBody(f)).toEqual({
      name: '运营群', type: 'dingtalk', enabled: true, url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SECx',
      at_mobiles: ['13800001111', '13900002222'],
    })
  })

  test('an edit without new secrets sends none (the stored ones stay)', () => {
    const f = channelForm({ id: 1, name: 'x', type: 'feishu', target: 'https://open.feishu.cn/…/****abcd', secret_set: true, enabled: false })
    expect(f.secret).toBe('')
    expect(channelBody(f)).toEqual({ name: 'x', type: 'feishu', enabled: false })
  })

  test('email sends its relay, sender and recipients', () => {
    const f = { ...emptyChannelForm(), name: 'mail', type: 'email' as const, smtpHost: 'smtp.example.com', smtpPort: 465, tls: 'tls' as const, username: 'a@b.c', password: 'pw', from: 'a@b.c', to: 'x@y.z; u@v.w' }
    expect(channelBody(f)).toEqual({ name: 'mail', type: 'email', enabled: true, smtp_host: 'smtp.example.com', smtp_port: 465, tls: 'tls', from: 'a@b.c', to: ['x@y.z', 'u@v.w'], username: 'a@b.c', password: 'pw' })
  })

  test('lists split on commas, semicolons and spaces', () => {
    expect(splitList(' a, b;c  d\ne，f ')).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(splitList('  ')).toEqual([])
  })
})

describe('subscription form', () => {
  test('quiet hours are sent only when on', () => {
    const f = { ...emptySubscriptionForm(), name: '夜间', kinds: ['low_balance'], channelIds: [3] }
    expect(subscriptionBody(f).quiet_hours).toBeNull()
    expect(subscriptionBody({ ...f, quiet: true }).quiet_hours).toEqual({ start: '22:00', end: '08:00' })
  })

  test('a stored subscription round-trips', () => {
    const s = { id: 1, name: 'n', kinds: ['cpa_anomaly'], advertiser_ids: [17], min_severity: 'warning', quiet_hours: { start: '23:00', end: '07:30' }, channel_ids: [2, 5], enabled: true }
    expect(subscriptionBody(subscriptionForm(s))).toEqual({
      name: 'n', kinds: ['cpa_anomaly'], advertiser_ids: [17], client_ids: [], min_severity: 'warning', quiet_hours: { start: '23:00', end: '07:30' }, channel_ids: [2, 5], enabled: true,
      alerts: true, digest_at: null, digest_weekday: null, digest_monthly: false, digest_month_day: null,
    })
  })

  test("a client's subscription keeps its clients beside its accounts", () => {
    const s = { id: 7, name: '星河群', advertiser_ids: [17], client_ids: [3, 4], channel_ids: [2], enabled: true }
    expect(subscriptionForm(s)).toMatchObject({ advertiserIds: [17], clientIds: [3, 4] })
    expect(subscriptionBody(subscriptionForm(s))).toMatchObject({ advertiser_ids: [17], client_ids: [3, 4] })
    expect(subscriptionBody(emptySubscriptionForm())).toMatchObject({ advertiser_ids: [], client_ids: [] })
    expect(audienceCounts(s)).toEqual({ accounts: 1, clients: 2 })
    expect(audienceCounts({})).toEqual({ accounts: 0, clients: 0 })
  })

  test('a weekly digest keeps its weekday; switched off, or daily, it sends none', () => {
    const s = { id: 6, name: '周报', channel_ids: [2], enabled: true, alerts: false, digest_at: '09:30', digest_weekday: 1 }
    const f = subscriptionForm(s)
    expect(f).toMatchObject({ digest: true, digestAt: '09:30', weekday: 1 })
    expect(subscriptionBody(f)).toMatchObject({ digest_at: '09:30', digest_weekday: 1 })
    expect(subscriptionBody({ ...f, weekday: 0 })).toMatchObject({ digest_at: '09:30', digest_weekday: null })
    expect(subscriptionBody({ ...f, digest: false })).toMatchObject({ digest_at: null, digest_weekday: null })
    // 每月 beside the weekdays: a monthly digest, on its day of the month (the 1st unless picked).
    const m = subscriptionForm({ ...s, digest_weekday: null, digest_monthly: true, digest_month_day: 5 })
    expect(m).toMatchObject({ weekday: monthlyDigest, monthDay: 5 })
    expect(subscriptionBody(m)).toMatchObject({ digest_at: '09:30', digest_weekday: null, digest_monthly: true, digest_month_day: 5 })
    expect(subscriptionBody({ ...m, weekday: 2 })).toMatchObject({ digest_weekday: 2, digest_monthly: false, digest_month_day: null })
    expect(subscriptionBody({ ...m, digest: false })).toMatchObject({ digest_at: null, digest_weekday: null, digest_monthly: false, digest_month_day: null })
    expect(subscriptionBody({ ...f, weekday: monthlyDigest })).toMatchObject({ digest_monthly: true, digest_month_day: 1 })
    expect(monthDays).toHaveLength(28)
    expect([monthDays[0], monthDays.at(-1)]).toEqual([1, 28])
  })

  test('a new subscription receives alerts and sends no digest; switched on, the digest starts at 09:00', () => {
    const f = { ...emptySubscriptionForm(), channelIds: [3] }
    expect(subscriptionBody(f)).toMatchObject({ alerts: true, digest_at: null })
    expect(subscriptionBody({ ...f, digest: true })).toMatchObject({ alerts: true, digest_at: '09:00' })
    expect(subscriptionBody({ ...f, alerts: false, digest: true, digestAt: ' 18:30 ' })).toMatchObject({ alerts: false, digest_at: '18:30' })
  })

  test('a digest-only subscription loads as such and round-trips', () => {
    const s = { id: 4, name: '日报', kinds: [], channel_ids: [2], enabled: true, alerts: false, digest_at: '08:15', last_digest: { day: '2026-12-05', status: 'sent' as const } }
    const f = subscriptionForm(s)
    expect(f).toMatchObject({ alerts: false, digest: true, digestAt: '08:15' })
    expect(subscriptionBody(f)).toMatchObject({ alerts: false, digest_at: '08:15' })
    expect(subscriptionBody(f)).not.toHaveProperty('last_digest')
  })

  test('a stored subscription without a digest keeps 09:00 ready; one from before the digest receives alerts', () => {
    expect(subscriptionForm({ id: 1, channel_ids: [2], alerts: true, digest_at: null })).toMatchObject({ alerts: true, digest: false, digestAt: '09:00' })
    expect(subscriptionForm({ id: 1, channel_ids: [2] })).toMatchObject({ alerts: true, digest: false })
    // Switched off again, the time is not sent.
    expect(subscriptionBody({ ...subscriptionForm({ id: 1, digest_at: '07:00' }), digest: false }).digest_at).toBeNull()
  })

  test('a subscription must receive alerts or a digest', () => {
    const f = emptySubscriptionForm()
    expect(sendsNothing(f)).toBe(false)
    expect(sendsNothing({ ...f, alerts: false })).toBe(true)
    expect(sendsNothing({ ...f, alerts: false, digest: true })).toBe(false)
  })

  test("a subscription for a team or another user names them; the caller's own and an edit name nobody", () => {
    const f = { ...emptySubscriptionForm(), channelIds: [3], teamId: 7, userId: 9 }
    expect(subscriptionBody({ ...f, subscriber: 'team' })).toMatchObject({ team_id: 7 })
    expect(subscriptionBody({ ...f, subscriber: 'team' })).not.toHaveProperty('user_id')
    expect(subscriptionBody({ ...f, subscriber: 'user' })).toMatchObject({ user_id: 9 })
    expect(subscriptionBody(f)).not.toHaveProperty('team_id')
    expect(subscriptionBody(subscriptionForm({ id: 1, team_id: 7, subscriber_type: 'team', channel_ids: [3] }))).not.toHaveProperty('team_id')
  })

  test('clock times are HH:MM', () => {
    expect(clockValid('22:00')).toBe(true)
    expect(clockValid('7:30')).toBe(false)
    expect(clockValid('24:00')).toBe(false)
  })
})
