import { describe, expect, test } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import type { RuleSpec } from '../../api/types'
import { checkText, stepText, actionText, conditionsText, guardText, minutesText, parseSpec, scheduleText, scopeText, specJson } from './describe'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, 'en-US': enUS } })
const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {})

const spike: RuleSpec = {
  name: 'CPA spike',
  scope: { level: 'ad', advertiser_ids: [1, 2], filter: { statuses: ['AD_STATUS_DELIVERY_OK'] } },
  match: 'any',
  conditions: [
    { metric: 'cpa', window: { kind: 'today' }, op: 'gt', compare: { window: { kind: 'last_days', n: 7 }, factor: '1.5' } },
    { metric: 'cost', window: { kind: 'last_hours', n: 3 }, op: 'gte', value: '500' },
  ],
  guards: [{ metric: 'click', window: { kind: 'last_days', n: 3 }, min: '100' }],
  schedule: { every_minutes: 60, day_parts: [{ from: '09:00', to: '18:00' }] },
  actions: [{ type: 'lower_bid', percent: '10', floor: '5' }, { type: 'notify', message: '出价已下调' }],
}

describe('rule sentences (简体中文)', () => {
  test('conditions compare with a constant or with another window, all or any', () => {
    expect(conditionsText(t, spike)).toBe('任一满足：转化成本（今日） > 1.5 × 转化成本（过去 7 天）；消耗（过去 3 小时） ≥ 500')
    expect(conditionsText(t, { ...spike, conditions: [{ metric: 'bid', op: 'lt', value: '3' }] })).toBe('出价 < 3')
  })

  test('guards, scope and schedule', () => {
    expect(guardText(t, spike.guards![0]!)).toBe('点击数（过去 3 天） ≥ 100')
    expect(scopeText(t, spike.scope)).toBe('2 个广告主下的广告计划，状态为 AD_STATUS_DELIVERY_OK')
    expect(scopeText(t, { level: 'promotion' })).toBe('可见的全部广告')
    expect(scheduleText(t, spike.schedule)).toBe('每 60 分钟（仅 09:00–18:00）')
    expect(scheduleText(t, { times: ['10:00', '18:30'] })).toBe('每天 10:00、18:30')
  })

  test('actions say amounts in yuan or percent, with their bounds', () => {
    expect(actionText(t, spike.actions![0]!)).toBe('出价降低 10%（不低于 ¥5.00）')
    expect(actionText(t, { type: 'set_budget', amount: '1200', ceiling: '5000' })).toBe('预算设为 ¥1,200.00（不高于 ¥5,000.00）')
    expect(actionText(t, spike.actions![1]!)).toBe('发送通知「出价已下调」')
    expect(actionText(t, { type: 'pause' })).toBe('暂停')
  })

  test('steps say the value before and after', () => {
    expect(stepText(t, { type: 'lower_bid', field: 'bid', before: '10', after: '9' })).toBe('出价降低 ¥10.00 → ¥9.00')
    expect(stepText(t, { type: 'pause', field: 'status', before: 'enable', after: 'disable' })).toBe('暂停 enable → disable')
    expect(stepText(t, { type: 'notify' })).toBe('发送通知')
  })

  test('evaluated checks read as the conditions do, amounts in yuan', () => {
    expect(checkText(t, { label: 'cpa(last_days 2)', value: '8.9998', op: 'gt', against: '1', holds: true })).toBe('转化成本（过去 2 天） = ¥9.00 > ¥1.00')
    expect(checkText(t, { label: 'convert(last_days 2)', value: '0', op: 'gte', against: '3', holds: false })).toBe('转化数（过去 2 天） = 0 ≥ 3')
    expect(checkText(t, { label: 'cpa(yesterday)', value: 'n/a', op: 'gt', against: '1', holds: false, note: 'no conversions' })).toBe('转化成本（昨日） = n/a > ¥1.00（no conversions）')
    expect(checkText(t, { label: 'bid', value: '2.5', op: 'lt', against: '3', holds: true })).toBe('出价 = ¥2.50 < ¥3.00')
  })

  test('cooldowns read in their largest whole unit', () => {
    expect(minutesText(t, 1440)).toBe('1 天')
    expect(minutesText(t, 120)).toBe('2 小时')
    expect(minutesText(t, 90)).toBe('90 分钟')
  })
})

test('the English sentences use the same parts', () => {
  i18n.global.locale.value = 'en-US'
  try {
    expect(conditionsText(t, spike)).toBe('any of: CPA (today) > 1.5 × CPA (last 7 days); spend (last 3 hours) ≥ 500')
    expect(actionText(t, { type: 'raise_budget', amount: '50' })).toBe('raise budget by ¥50.00')
    expect(actionText(t, { type: 'lower_bid', percent: '10', floor: '5', ceiling: '9' })).toBe('lower bid by 10% (not below ¥5.00, not above ¥9.00)')
    expect(scopeText(t, spike.scope)).toBe('ads of 2 advertisers, status AD_STATUS_DELIVERY_OK')
  } finally {
    i18n.global.locale.value = 'zh-CN'
  }
})

describe('the JSON editor', () => {
  test('round-trips a spec and says what is wrong with bad text', () => {
    const r = parseSpec(specJson(spike))
    expect(r.error).toBeNull()
    expect(r.spec).toEqual(spike)
    expect(parseSpec('{"name": ').error).toBeTruthy()
    expect(parseSpec('[1]').error).toBe('not an object')
    expect(parseSpec('null').error).toBe('not an object')
  })
})
