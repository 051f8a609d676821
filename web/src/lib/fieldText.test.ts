import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../i18n/zh-CN'
import enUS from '../i18n/en-US'
import { bindFieldText, errorOf, type FieldError } from '../api/client'
import { fieldText, type Translator } from './fieldText'

const on = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as Translator

describe('a refused field in the operator’s language', () => {
  const budget = { field: 'budget', message: "must be at least 300.00 (the platform's minimum daily budget)", rule: 'min_daily_budget', params: { min: '300.00' } }
  it('says a named rule with its figures', () => {
    expect(fieldText(budget, on('zh-CN')).message).toBe('不能低于 300.00 元（平台的最低日预算）')
    expect(fieldText(budget, on('en-US')).message).toBe("must be at least ¥300.00 (the platform's minimum daily budget)")
    const rail = { field: 'budget', message: '…', rule: 'guardrail_max_change', params: { change: '60.00', from: '500.00', max: '50.00', guardrail: '3' } }
    expect(fieldText(rail, on('zh-CN')).message).toBe('变动 60.00%（原值 500.00），超过单次操作最多 50.00% 的限额（限额 #3）')
  })
  it('names a JSON type in words', () => {
    expect(fieldText({ field: 'advertiser_ids[0]', message: 'must be an integer', rule: 'type', params: { type: 'integer' } }, on('zh-CN')).message).toBe('类型不对，应为整数')
  })
  it('says a rule editor refusal with its level, metric and field in words', () => {
    expect(fieldText({ field: 'conditions[0]', message: '…', rule: 'rule_daily_only', params: { level: 'project' } }, on('zh-CN')).message).toBe('项目的报表只有日数据：请用昨天、近 N 天或累计窗口')
    expect(fieldText({ field: 'conditions[0].window', message: '…', rule: 'rule_no_window', params: { metric: 'balance' } }, on('zh-CN')).message).toBe('账户余额是当前值，不需要时间窗口')
    expect(fieldText({ field: 'conditions[0].window.n', message: '…', rule: 'between_days', params: { min: '1', max: '30' } }, on('zh-CN')).message).toBe('必须在 1 到 30 天之间')
  })
  it('says how long an Idempotency-Key lives, as the server is configured', () => {
    const reused = { field: 'Idempotency-Key', message: '…', rule: 'idempotency_key_reused', params: { request: 'r-9', hours: '6' } }
    expect(fieldText(reused, on('zh-CN')).message).toBe('此幂等键在 6 小时内已用于另一个请求（r-9）；新的修改请换一个新键')
    expect(fieldText(reused, on('en-US')).message).toBe('was used within 6 hours for a different request (r-9); use a new key for a new change')
  })
  it('names an alert kind in words', () => {
    expect(fieldText({ field: 'params.ratio', message: '…', rule: 'not_threshold', params: { alert_kind: 'low_balance' } }, on('zh-CN')).message).toBe('不是「余额不足」告警的阈值')
  })
  it('says why a subscription has nothing to send, or nowhere to send its digest', () => {
    const nothing = { field: 'alerts', message: 'receive alerts or set digest_at', rule: 'nothing_to_send' }
    expect(fieldText(nothing, on('zh-CN')).message).toBe('请至少开启「接收告警」或「数据日报」之一')
    expect(fieldText(nothing, on('en-US')).message).toBe('turn on alerts or the daily digest (or both)')
    expect(fieldText({ field: 'channel_ids', message: '…', rule: 'no_enabled_channel' }, on('zh-CN')).message).toBe('订阅的渠道都已停用：请先启用至少一个渠道')
  })
  it('names a backfill stream in words, an unknown one by its identifier', () => {
    const retention = { field: 'streams[0]', message: '…', rule: 'hourly_retention', params: { days: '30', stream: 'report_ad_hourly', earliest: '2026-11-05' } }
    expect(fieldText(retention, on('zh-CN')).message).toBe('小时数据只保留 30 天：「广告计划 · 分时」的开始日期须不早于 2026-11-05')
    expect(fieldText(retention, on('en-US')).message).toBe('hourly rows are kept 30 days: for Ad · hourly report, from must be 2026-11-05 or later')
    expect(fieldText({ field: 'streams[1]', message: '…', rule: 'unknown_stream', params: { stream: 'report_x_daily' } }, on('zh-CN')).message).toBe('未知的数据流 report_x_daily')
  })
  it('says a refused query parameter in the operator’s language, as the client hands it to a page', () => {
    // The envelope the API writes for ?page=x and ?page=1&page=2 (TestQueryBindingNamesParameter pins it).
    const refused = (fields: FieldError[]) =>
      errorOf(new Response(null, { status: 400 }), { code: 'invalid_request', message: 'query parameter page …', request_id: 'r-1', data: { fields } })
    bindFieldText((f) => fieldText(f, on('zh-CN')))
    expect(refused([{ field: 'page', message: 'must be an integer', rule: 'type', params: { type: 'integer' } }]).fieldMessage('page')).toBe('类型不对，应为整数')
    expect(refused([{ field: 'page', message: 'must be given once', rule: 'once' }]).fieldMessage('page')).toBe('只能给一次')
    bindFieldText((f) => fieldText(f, on('en-US')))
    expect(refused([{ field: 'page', message: 'must be given once', rule: 'once' }]).fieldMessage('page')).toBe('must be given once')
  })
  it('keeps the field and leaves the API’s message where the rule has no text or no name', () => {
    expect(fieldText(budget, on('zh-CN')).field).toBe('budget')
    const unnamed = { field: 'name', message: 'must name the sender' }
    expect(fieldText(unnamed, on('zh-CN'))).toEqual(unnamed)
    const unknown = { field: 'x', message: 'something new', rule: 'not_a_rule_yet' }
    expect(fieldText(unknown, on('zh-CN'))).toEqual(unknown)
  })
  it('has a text for every rule in both languages that fills in every figure', () => {
    const figures = { n: '7', min: '1', max: '9', values: 'a, b', type: 'integer', format: 'F', current: '1', spend: '2', bid: '3', budget: '4', kind: 'ad', id: '5', guardrail: '6',
      change: '8', from: '0', field: 'budget', level: 'ad', metric: 'cost', other: '1', action: 'pause', floor: '2', value: 'v', role: 'r', today: 't', stream: 's', days: '3', earliest: 'e', granularity: 'hour', rows: '9', pricing: 'OCPM',
      a: 'ids', b: 'items', key: 'k', error: 'E', request: 'r-1', hours: '24', alert_kind: 'low_balance' }
    for (const locale of ['zh-CN', 'en-US'] as const) {
      for (const rule of Object.keys(zhCN.serverRules)) {
        const text = fieldText({ field: 'x', message: 'API', rule, params: figures }, on(locale)).message
        expect(text, `${locale} ${rule}`).not.toBe('API')
        expect(text, `${locale} ${rule}`).not.toMatch(/[{}]|serverRules/)
      }
    }
  })
})
