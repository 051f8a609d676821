import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import { detailRows, sourceLabel } from './details'

const i18n = (locale: 'zh-CN' | 'en-US') => {
  const g = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global
  return [g.t as never as (key: string, params?: Record<string, unknown>) => string, g.te as never as (key: string) => boolean] as const
}

// The keys of the details the server writes: the map literals and details["…"] of the evaluators, the rules engine and the scheduled changes.
function goDetailKeys(): string[] {
  const keys = new Set<string>()
  for (const file of ['internal/alerts/evaluate.go', 'internal/alerts/evaluate_delivery.go', 'internal/rules/service.go', 'internal/scheduled/announce.go']) {
    const src = readFileSync(new URL(`../../../../${file}`, import.meta.url), 'utf8')
    for (const m of src.matchAll(/details\["([a-z_]+)"\]/g)) keys.add(m[1] ?? '')
    for (const m of src.matchAll(/(?:Details: |details := )map\[string\]any\{/g)) {
      let depth = 1
      let end = (m.index ?? 0) + m[0].length
      for (; depth > 0 && end < src.length; end++) depth += src[end] === '{' ? 1 : src[end] === '}' ? -1 : 0
      for (const k of src.slice((m.index ?? 0) + m[0].length, end).matchAll(/"([a-z_]+)":/g)) keys.add(k[1] ?? '')
    }
  }
  return [...keys].sort()
}

describe('detailRows', () => {
  it('says each key in words and keeps the identifier', () => {
    const [t, te] = i18n('zh-CN')
    const rows = detailRows({ status: 'AD_STATUS_AUDIT_DENY', reasons: ['落地页无法访问', '标题违规'] }, t, te)
    expect(rows).toEqual([
      { key: 'status', label: '状态', value: '审核不通过', raw: 'AD_STATUS_AUDIT_DENY' },
      { key: 'reasons', label: '拒绝理由', value: '落地页无法访问\n标题违规' },
    ])
  })
  it('says times in Beijing time, streams and authorisation states in words', () => {
    const [t, te] = i18n('zh-CN')
    const rows = detailRows(
      { last_success_at: '2026-12-05T01:02:03Z', stream: 'report_advertiser_hourly', status: 'needs_reauth', consecutive_failures: 3 },
      t,
      te,
    )
    expect(rows.map((r) => [r.label, r.value, r.raw])).toEqual([
      ['最近成功', '2026-12-05 09:02:03', '2026-12-05T01:02:03Z'],
      ['同步流', '广告主 · 分时', 'report_advertiser_hourly'],
      ['状态', '需重新授权', 'needs_reauth'],
      ['连续失败次数', '3', undefined],
    ])
  })
  it("says a scheduled change's status in words", () => {
    const [t, te] = i18n('zh-CN')
    expect(detailRows({ scheduled_change_id: 12, status: 'partial' }, t, te).map((r) => [r.label, r.value])).toEqual([
      ['定时操作 ID', '12'],
      ['状态', '部分成功'],
    ])
  })
  it('keeps what it has no words for as sent', () => {
    const [t, te] = i18n('en-US')
    const rows = detailRows({ budget: '300.00', custom_key: { a: 1 }, status: 'SOMETHING_NEW', empty: null }, t, te)
    expect(rows).toEqual([
      { key: 'budget', label: 'Budget (yuan)', value: '300.00' },
      { key: 'custom_key', label: 'custom_key', value: '{"a":1}' },
      { key: 'status', label: 'Status', value: 'SOMETHING_NEW' },
      { key: 'empty', label: 'empty', value: 'null' },
    ])
    expect(detailRows(undefined, t, te)).toEqual([])
  })
  it('has words in both languages for every key the server writes', () => {
    const keys = goDetailKeys()
    expect(keys.length).toBeGreaterThan(40)
    for (const locale of ['zh-CN', 'en-US'] as const) {
      const [, te] = i18n(locale)
      expect(keys.filter((k) => !te(`alerts.detailKeys.${k}`)), locale).toEqual([])
    }
  })
})

describe('sourceLabel', () => {
  it('says who raised the alert', () => {
    const [t] = i18n('zh-CN')
    expect(sourceLabel('evaluator', t)).toBe('告警评估（定时检查）')
    expect(sourceLabel('rule:42', t)).toBe('自动规则 #42')
    expect(sourceLabel('rule:x', t)).toBe('rule:x')
    expect(sourceLabel('scheduled:12', t)).toBe('定时操作 #12')
    expect(sourceLabel('', t)).toBe('—')
    expect(sourceLabel('rule:7', i18n('en-US')[0])).toBe('Automated rule #7')
  })
})
