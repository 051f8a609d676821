import { describe, expect, test } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import type { AlertDigest } from '../../api/types'
import {
  dayWords, digestDayOff, digestDefaultDay, digestHeadline, digestKey, digestPeriod, digestRows, digestSchedule, incompleteAccounts, lastDigestState, managerRows, sendResultText, sendTargets, stoppedAccounts, wholeMonth,
} from './digest'

const i18n = (locale: 'zh-CN' | 'en-US') => createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global
const zh = i18n('zh-CN').t as (key: string, params?: Record<string, unknown>) => string
const en = i18n('en-US').t as (key: string, params?: Record<string, unknown>) => string

// A digest of 2026-12-05 as the API answers it: two accounts spent, one stopped, one not fully synced.
const digest: AlertDigest = {
  day: '2026-12-05',
  previous_day: '2026-12-04',
  advertisers: 3,
  totals: { cost: '12345.6', show: 1234567, click: 8901, convert: 120, cpa: '102.88', ctr: '0.72' },
  previous: { cost: '10000.00', show: 1000000, click: 9000, convert: 0, cpa: null, ctr: '0.90' },
  change_percent: { cost: '23.46', show: '23.46', click: '-1.10', convert: null, cpa: null, ctr: '-20.00' },
  accounts: [
    {
      advertiser_id: 1708359612473935, advertiser_name: '乐活护肤品-千川84',
      totals: { cost: '12345.60', convert: 120, cpa: '102.88' }, previous: { cost: '9000.00', convert: 0, cpa: null }, change_percent: { cost: '37.17' },
    },
    {
      advertiser_id: 1708359612470001, advertiser_name: '旧店',
      totals: { cost: '0.00', convert: 0, cpa: null }, previous: { cost: '1000.00', convert: 3 }, change_percent: { cost: '-100.00' },
    },
  ],
  stopped: [1708359612470001, 99],
  incomplete: [{ advertiser_id: 1708359612473935, advertiser_name: '乐活护肤品-千川84' }, { advertiser_id: 42 }],
}

describe('the digest on the subscriptions list', () => {
  test('names its time, or nothing without one', () => {
    expect(digestSchedule({ id: 1, digest_at: '09:00' }, zh)).toBe('每天 09:00')
    expect(digestSchedule({ id: 1, digest_at: '09:00' }, en)).toBe('Daily at 09:00')
    expect(digestSchedule({ id: 1, digest_at: null }, zh)).toBe('')
    expect(digestSchedule({ id: 1, digest_at: '09:00', digest_weekday: 1 }, zh)).toBe('每周一 09:00')
    expect(digestSchedule({ id: 1, digest_at: '18:30', digest_weekday: 7 }, en)).toBe('Sundays 18:30')
    expect(digestSchedule({ id: 1, digest_at: '09:00', digest_monthly: true, digest_month_day: 1 }, zh)).toBe('每月 1 日 09:00')
    expect(digestSchedule({ id: 1, digest_at: '09:00', digest_monthly: true, digest_month_day: 5 }, zh)).toBe('每月 5 日 09:00')
    expect(digestSchedule({ id: 1, digest_at: '09:00', digest_monthly: true, digest_month_day: 5 }, en)).toBe('Monthly on day 5, 09:00')
  })

  test('says how the last digest went, with the day, the sending time or the whole error as its tooltip', () => {
    expect(lastDigestState({ day: '2026-12-05', status: 'sent', sent_at: '2026-12-06T01:00:03Z' }, zh)).toEqual({
      status: 'sent', text: '12-05 已发送', title: '发送于 2026-12-06 09:00:03（北京时间）',
    })
    const failed = lastDigestState({ day: '2026-12-05', status: 'failed', error: 'feishu: 19021 sign match fail' }, zh)
    expect(failed).toEqual({ status: 'failed', text: '12-05 发送失败：feishu: 19021 sign match fail', title: 'feishu: 19021 sign match fail' })
    expect(lastDigestState({ day: '2026-12-05', status: 'retrying', error: 'timeout' }, zh)?.text).toBe('12-05 重试中')
    expect(lastDigestState({ day: '2026-12-05', status: 'sending' }, en)?.text).toBe('12-05 sending')
    // a weekly one by its week, kept by its last day
    expect(lastDigestState({ day: '2026-12-06', status: 'sent', sent_at: '2026-12-07T01:00:03Z' }, zh, 'week')?.text).toBe('11-30～12-06 已发送')
    // a monthly one by its month: kept by the day before it went out (the 4th for one on the 5th, the month's last on the 1st)
    expect(lastDigestState({ day: '2026-12-04', status: 'sent', sent_at: '2026-12-05T01:00:03Z' }, zh, 'month')?.text).toBe('2026-11 已发送')
    expect(lastDigestState({ day: '2026-11-30', status: 'failed', error: 'timeout' }, zh, 'month')?.text).toBe('2026-11 发送失败：timeout')
    expect(lastDigestState(null, zh)).toBeNull()
    expect(lastDigestState(undefined, zh)).toBeNull()
  })
})

describe('the digest preview', () => {
  test('the headline figures are the API’s, formatted, with the previous day and the change', () => {
    const h = digestHeadline(digest)
    expect(h.map((x) => x.metric)).toEqual(['cost', 'show', 'click', 'convert', 'cpa', 'ctr'])
    expect(h[0]).toEqual({ metric: 'cost', value: '12,345.60', previous: '10,000.00', change: '23.46' })
    expect(h[1]).toMatchObject({ value: '1,234,567', previous: '1,000,000' })
    expect(h[3]).toEqual({ metric: 'convert', value: '120', previous: '0', change: null })
    expect(h[4]).toEqual({ metric: 'cpa', value: '102.88', previous: '—', change: null })
    expect(h[5]).toEqual({ metric: 'ctr', value: '0.72%', previous: '0.90%', change: '-20.00' })
  })

  test('an empty digest shows placeholders, not zeros it does not have', () => {
    const h = digestHeadline({ day: '2026-12-05', advertisers: 0 })
    expect(h.every((x) => x.value === '—' && x.change === null)).toBe(true)
    expect(digestRows({ day: '2026-12-05' })).toEqual([])
  })

  test('the accounts keep the API’s order and show name · id, cost, conversions, CPA and the cost’s change', () => {
    expect(digestRows(digest)).toEqual([
      { id: 1708359612473935, account: '乐活护肤品-千川84 · 1708359612473935', cost: '12,345.60', convert: '120', cpa: '102.88', previousCost: '9,000.00', change: '37.17' },
      { id: 1708359612470001, account: '旧店 · 1708359612470001', cost: '0.00', convert: '0', cpa: '—', previousCost: '1,000.00', change: '-100.00' },
    ])
  })

  test('the sums by manager account come in the API’s order, those bound directly named in words; none without them', () => {
    const managers: AlertDigest = {
      day: '2026-12-05',
      managers: [
        { manager_id: 1700000000000100, manager_name: '客户甲管家', totals: { cost: '2500.50', convert: 25, cpa: '100.02' }, previous: { cost: '1000.00' }, change_percent: { cost: '150.05' } },
        { manager_id: 0, manager_name: '', totals: { cost: '1234.56', convert: 12, cpa: '102.88' }, previous: { cost: '1500.00' }, change_percent: { cost: '-17.70' } },
      ],
    }
    expect(managerRows(managers, zh)).toEqual([
      { id: 1700000000000100, account: '客户甲管家 · 1700000000000100', cost: '2,500.50', convert: '25', cpa: '100.02', previousCost: '1,000.00', change: '150.05' },
      { id: 0, account: '直接授权的账户', cost: '1,234.56', convert: '12', cpa: '102.88', previousCost: '1,500.00', change: '-17.70' },
    ])
    expect(managerRows(managers, en)[1]?.account).toBe('Authorised directly')
    expect(managerRows(digest, zh)).toEqual([])
  })

  test('stopped and not fully synced accounts are named, by id where the digest has no name', () => {
    expect(stoppedAccounts(digest)).toEqual(['旧店 · 1708359612470001', '99'])
    expect(incompleteAccounts(digest)).toEqual(['乐活护肤品-千川84 · 1708359612473935', '42'])
    expect(zh('digest.incomplete', { ...dayWords('2026-12-05'), names: incompleteAccounts(digest).join('、') })).toBe(
      '以下账户 12月5日 的日报尚未同步完整，合计可能偏低：乐活护肤品-千川84 · 1708359612473935、42',
    )
  })

  test('a weekly digest is said as its week, against the week before', () => {
    const week = { ...dayWords('2026-12-06'), names: '42' }
    expect(week.week).toBe('11-30～12-06')
    expect(zh(digestKey('incomplete', 'week'), week)).toBe('以下账户 11-30～12-06 的日报尚未同步完整，合计可能偏低：42')
    expect(zh(digestKey('sendTitle', 'week'), week)).toBe('立即发送 11-30～12-06 的数据周报？')
    expect(zh(digestKey('compared', 'week'), { n: 3, from: '2026-11-30', day: '2026-12-06', previousFrom: '2026-11-23', previous: '2026-11-29' })).toBe(
      '3 个账户 · 2026-11-30～2026-12-06 与 2026-11-23～2026-11-29 对比',
    )
    expect(zh(digestKey('vsPrevious', 'week'))).toBe('较上周')
    expect(zh(digestKey('vsPrevious', 'day'))).toBe('较前一天')
  })

  test('a monthly digest is said as the last month whole by its day, against the month before', () => {
    expect(digestPeriod({ digest_monthly: true, digest_weekday: null })).toBe('month')
    expect(digestPeriod({ digest_weekday: 3 })).toBe('week')
    expect(digestPeriod(null)).toBe('day')
    expect(wholeMonth('2026-11-30')).toBe('2026-11')
    expect(wholeMonth('2026-12-06')).toBe('2026-11')
    expect(wholeMonth('2026-01-15')).toBe('2025-12')
    expect(wholeMonth('2028-02-29')).toBe('2028-02')
    const month = { ...dayWords('2026-12-06'), names: '42' }
    expect(zh(digestKey('sendTitle', 'month'), month)).toBe('立即发送 2026-11 的数据月报？')
    expect(zh(digestKey('incomplete', 'month'), month)).toBe('以下账户 2026-11 的日报尚未同步完整，合计可能偏低：42')
    expect(zh(digestKey('vsPrevious', 'month'))).toBe('较上月')
    expect(en(digestKey('title', 'month'), { name: '月报' })).toBe('Monthly digest preview · 月报')
  })

  test('the day is yesterday in Beijing by default; after today and over 366 days back are greyed out', () => {
    // 2026-12-05 23:30 UTC is already 2026-12-06 07:30 in Beijing.
    const now = Date.parse('2026-12-05T23:30:00Z')
    expect(digestDefaultDay(now)).toBe('2026-12-05')
    expect(digestDayOff(new Date(2026, 11, 6), now)).toBe(false)
    expect(digestDayOff(new Date(2026, 11, 7), now)).toBe(true)
    expect(digestDayOff(new Date(2025, 11, 5), now)).toBe(false)
    expect(digestDayOff(new Date(2025, 11, 4), now)).toBe(true)
  })

  test('sending now names the enabled channels; one not in the list by its id', () => {
    const channels = [{ id: 2, name: '运营群', enabled: true }, { id: 3, name: '停用的群', enabled: false }]
    expect(sendTargets({ id: 1, channel_ids: [2, 3, 7] }, channels)).toEqual(['运营群', '#7'])
    expect(sendTargets({ id: 1, channel_ids: [3] }, channels)).toEqual([])
  })

  test('each channel’s answer to a digest sent now', () => {
    expect(sendResultText({ channel_id: 2, ok: true, attempts: 1, response: '{"code":0}' }, zh)).toBe('成功（1 次尝试）')
    expect(sendResultText({ channel_id: 2, ok: false, attempts: 3, error: 'HTTP 500', temporary: true }, zh)).toBe('失败（临时错误）：HTTP 500')
    expect(sendResultText({ channel_id: 2, ok: false, attempts: 1, error: 'sign match fail' }, en)).toBe('Failed: sign match fail')
  })
})
