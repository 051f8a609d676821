import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import type { RuleSpec } from '../../api/types'
import { actionText, yuan, byMatch, checkMetric, checkNote, checkThreshold, checkValue, skipText, blankSpec, conditionText, countsText, evalReasonText, fieldGroups, lineOf, matchText, ownerOfOthers, parseSpec, safetyText, scheduleText, scopeNames, scopeText, skipsText, specText, stepText, summarizable } from './spec'

const zh = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (k: string, v?: Record<string, unknown>) => string
const en = createI18n({ legacy: false, locale: 'en-US', messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (k: string, v?: Record<string, unknown>) => string

// The first example of docs/rules.md.
const spike: RuleSpec = {
  name: 'CPA spike',
  scope: { level: 'ad', advertiser_ids: [1740401085212747] },
  match: 'all',
  conditions: [{ metric: 'cpa', window: { kind: 'today' }, op: 'gt', compare: { window: { kind: 'last_days', n: 7 }, factor: '1.5' } }],
  guards: [{ metric: 'click', window: { kind: 'today' }, min: '100' }],
  schedule: { every_minutes: 60 },
  actions: [{ type: 'pause' }, { type: 'notify' }],
  safety: { cooldown_minutes: 720, max_actions_per_run: 10, max_actions_per_day: 30 },
}

describe('a rule in sentences', () => {
  it('says conditions with their windows, money with two decimals and percentages with %', () => {
    expect(conditionText(zh, spike.conditions[0]!)).toBe('转化成本（今天） > 1.5 × 转化成本（近 7 天）')
    expect(conditionText(zh, { metric: 'cost', window: { kind: 'last_hours', n: 3 }, op: 'gte', value: '1234.5' })).toBe('消耗（近 3 小时） ≥ ¥1,234.50')
    expect(conditionText(zh, { metric: 'budget_used_pct', op: 'gte', value: '90' })).toBe('预算消耗比例 ≥ 90%')
    expect(conditionText(en, { metric: 'convert', window: { kind: 'yesterday' }, op: 'lt', value: '3' })).toBe('Conversions (yesterday) < 3')
  })
  it('says money as the console does, never cutting a figure', () => {
    const cases: [string | undefined, string][] = [
      ['35.5', '¥35.50'], ['300', '¥300.00'], ['1234567.8', '¥1,234,567.80'], ['0.125', '¥0.125'], ['12.3450', '¥12.345'], ['2.10', '¥2.10'],
      ['-3.5', '¥-3.50'], [undefined, '—'], ['', '—'], ['abc', 'abc'],
    ]
    for (const [v, want] of cases) expect(yuan(v), String(v)).toBe(want)
    expect(conditionText(zh, { metric: 'cpm', window: { kind: 'today' }, op: 'gt', value: '0.125' })).toBe('千次展示成本（今天） > ¥0.125')
    expect(actionText(zh, { type: 'raise_budget' })).toBe('预算提高 —')
  })
  it('joins conditions by all or any', () => {
    const two: RuleSpec = { ...spike, conditions: [...spike.conditions, { metric: 'bid', op: 'lte', value: '40' }] }
    expect(matchText(zh, two)).toMatch(/近 7 天） 且 出价 ≤ ¥40\.00$/)
    expect(matchText(zh, { ...two, match: 'any' })).toMatch(/ 或 出价/)
  })
  it('says actions with their figures, floor and ceiling', () => {
    expect(actionText(zh, { type: 'raise_budget', percent: '20', ceiling: '5000' })).toBe('预算提高 20%（上限 ¥5,000.00）')
    expect(actionText(zh, { type: 'lower_bid', amount: '1.5', floor: '30' })).toBe('出价降低 ¥1.50（下限 ¥30.00）')
    expect(actionText(en, { type: 'set_budget', amount: '1200', ceiling: '35.5' })).toBe('Set budget to ¥1,200.00（ceiling ¥35.50）')
    expect(actionText(zh, { type: 'pause' })).toBe('暂停')
    expect(actionText(zh, { type: 'notify', message: '请检查素材' })).toBe('发送通知：请检查素材')
  })
  it('says the schedule, the scope and the caps (with the server defaults when absent)', () => {
    expect(scheduleText(zh, { every_minutes: 30, day_parts: [{ from: '00:00', to: '18:00' }] })).toBe('每 30 分钟，00:00–18:00')
    expect(scheduleText(zh, { times: ['10:00', '18:00'] })).toBe('每天 10:00、18:00')
    expect(scopeText(zh, spike)).toBe('广告计划 · 1 个广告主')
    expect(scopeText(zh, { ...spike, scope: { level: 'project', filter: { name_contains: '618' } } })).toBe('项目 · 我的全部账户 · 名称含“618”')
    // A colleague's rule: its owner's accounts, and the ids outside the reader's data scope counted.
    expect(scopeText(zh, { ...spike, scope: { level: 'ad' } }, 'alice')).toBe('广告计划 · alice 的全部账户')
    expect([ownerOfOthers({ owner_id: 2, owner: 'alice' }, 1), ownerOfOthers({ owner_id: 1, owner: 'me' }, 1)]).toEqual(['alice', undefined])
    expect(scopeText(zh, spike, 'alice', { advertiser_ids: 2 })).toBe('广告计划 · 1 个广告主（另有 2 个不在你的数据范围内）')
    const names = new Map([[1001, '北京科技']])
    const ads = new Map([[17, '周年庆-OCPM-03']])
    expect(scopeNames({ ...spike, scope: { level: 'ad', ids: [17, 18], advertiser_ids: [1001], manager_ids: [9] } }, names, ads)).toBe(
      '周年庆-OCPM-03 · 17、18、北京科技 · 1001、9',
    )
    expect(scopeNames({ ...spike, scope: { level: 'ad' } }, names, ads)).toBe('')
    // Clients: counted, and named when their names are known.
    const clients = { ...spike, scope: { level: 'ad' as const, advertiser_ids: [1001], client_ids: [3, 4] } }
    expect(scopeText(zh, clients)).toBe('广告计划 · 1 个广告主 · 2 个客户的账户')
    expect(scopeText(en, clients)).toBe('Ad · 1 advertisers · the accounts of 2 clients')
    expect(scopeNames(clients, names, ads, new Map([[3, '星河传媒']]))).toBe('北京科技 · 1001、星河传媒 · 3、4')
    expect(scopeText(zh, { ...spike, scope: { level: 'ad', advertiser_ids: [] } }, 'alice', { advertiser_ids: 1 })).toBe('广告计划 · 0 个广告主（另有 1 个不在你的数据范围内）')
    expect(safetyText(zh, undefined)).toBe('同一对象冷却 1440 分钟；每次最多 20 个、每天最多 100 个')
    expect(safetyText(zh, spike.safety)).toBe('同一对象冷却 720 分钟；每次最多 10 个、每天最多 30 个')
  })
  it('says the steps of a decision and the counts of an evaluation', () => {
    expect(stepText(zh, { type: 'raise_budget', field: 'budget', before: '1000.00', after: '1200.00' })).toBe('预算 ¥1,000.00 → ¥1,200.00')
    expect(stepText(zh, { type: 'pause', field: 'status', before: 'enable', after: 'disable' })).toBe('状态 启用 → 暂停')
    expect(stepText(zh, { type: 'notify' })).toBe('发送通知')
    // the platform had the value already: nothing was changed
    expect(stepText(zh, { type: 'pause', field: 'status', before: 'disable', after: 'disable' })).toBe('状态已是 暂停')
    expect(stepText(en, { type: 'raise_budget', field: 'budget', before: '1200.00', after: '1200.00' })).toBe('Budget already ¥1,200.00')
    expect(countsText(zh, { matched: 3, acted: 2, skipped: 1 })).toBe('命中 3 · 执行 2 · 跳过 1')
    expect(countsText(zh, { matched: 3, acted: 1, skipped: 0, failed: 2 })).toBe('命中 3 · 执行 1 · 跳过 0 · 失败 2')
    expect(skipsText(zh, { cooldown: 3, max_actions_per_run: 1, no_change: 0 })).toBe('冷却中 3、超出单次上限 1')
  })
})

describe('the checks of a preview', () => {
  it('read the metric, window, threshold and value from their parts', () => {
    expect(checkMetric(zh, { label: 'cpa(today)', metric: 'cpa', window: { kind: 'today' } })).toBe('转化成本（今天）')
    expect(checkMetric(zh, { label: 'balance', metric: 'balance' })).toBe('账户余额')
    expect(checkMetric(en, { metric: 'ctr', window: { kind: 'last_hours', n: 3 } })).toBe('CTR (last 3 hours)')
    expect(checkValue({ metric: 'cost', value: '12345.6' })).toBe('¥12,345.60')
    expect(checkValue({ metric: 'ctr', value: '2.5' })).toBe('2.5%')
    expect(checkValue({ metric: 'convert', value: '0' })).toBe('0')
    expect(checkValue({ metric: 'cpa', value: 'n/a' })).toBe('n/a')
    expect(checkValue({ metric: 'cpa', value: '' })).toBe('—')
    expect(checkThreshold(zh, { metric: 'cost', op: 'gt', threshold: '5' })).toBe('¥5.00')
    expect(checkThreshold(zh, { metric: 'cpa', op: 'gt', threshold: '48.1', compare_window: { kind: 'last_days', n: 7 }, factor: '1.5' })).toBe('1.5 × 转化成本（近 7 天） = ¥48.10')
    expect(checkThreshold(zh, { metric: 'cpa', op: 'gt', threshold: 'n/a', compare_window: { kind: 'yesterday' }, factor: '2' })).toBe('2 × 转化成本（昨天） = n/a')
    // A total: of every object together; hidden, its figure is not sent.
    expect(checkMetric(zh, { metric: 'cost', window: { kind: 'today' }, total: true })).toBe('消耗（今天）合计')
    expect(checkMetric(en, { metric: 'cost', window: { kind: 'today' }, total: true })).toBe('total Cost (today)')
    expect(checkValue({ metric: 'cost', value: '', total: true, hidden: true })).toBe('—')
    expect(checkThreshold(zh, { metric: 'cost', op: 'gt', threshold: '', compare_window: { kind: 'yesterday' }, factor: '3', total: true })).toBe('3 × 消耗（昨天）合计 = —')
    expect(conditionText(zh, { metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '50000', total: true })).toBe('消耗（今天）合计 > ¥50,000.00')
    // Why a value is undefined, in the console's words; of the compared window when it is that one's.
    expect(checkNote(zh, { metric: 'cpa', note: 'no conversions', note_code: 'no_conversions' })).toBe('没有转化')
    expect(checkNote(zh, { metric: 'cpa', note: 'cpa(last_days 7): no conversions', note_code: 'no_conversions', note_window: { kind: 'last_days', n: 7 } })).toBe(
      '转化成本（近 7 天）：没有转化',
    )
    expect(checkNote(en, { metric: 'ctr', note: 'no impressions', note_code: 'no_impressions' })).toBe('no impressions')
    expect(checkNote(zh, { note: 'older words' })).toBe('older words')
    // A check without parts (none is sent so) shows its label as it is: nothing is parsed.
    expect(checkMetric(zh, { label: 'cpa(today)' })).toBe('cpa(today)')
  })
  it('say why a matched object is skipped, in parts', () => {
    const cooldown = { code: 'cooldown' as const, params: { at: '2025-06-18 09:20:00', until: '2025-06-18 11:20:00' } }
    expect(skipText(zh, { skip_reasons: [cooldown], skip_detail: 'acted on at …' })).toBe('2025-06-18 09:20:00 已执行，冷却至 2025-06-18 11:20:00')
    expect(skipText(zh, { skip_reasons: [{ code: 'run_cap', params: { n: '20' } }] })).toBe('本次已执行 20 个对象')
    expect(
      skipText(zh, { skip_reasons: [{ code: 'already_paused' }, { code: 'above_ceiling', params: { field: 'cpa_bid', value: '35.50' } }] }),
    ).toBe('已是暂停状态；目标转化出价 ¥35.50 已高于上限')
    expect(skipText(en, { skip_reasons: [{ code: 'at_value', params: { field: 'budget', value: '200.00' } }] }, '; ')).toBe('Budget already ¥200.00')
    // Without parts (a decision of before), the server's words.
    expect(skipText(zh, { skip_detail: '1 objects acted on in this run already' })).toBe('1 objects acted on in this run already')
    expect(skipText(zh, {})).toBe('')
  })
  it('list the matched objects first, in the server order otherwise', () => {
    const d = [{ id: 1, matched: false }, { id: 2, matched: true }, { id: 3 }, { id: 4, matched: true }]
    expect(byMatch(d).map((x) => x.id)).toEqual([2, 4, 1, 3])
  })
})

describe('the JSON editor', () => {
  it('reads a spec, and tells a syntax error or a non-object without throwing', () => {
    expect(parseSpec(specText(spike)).spec).toEqual(spike)
    expect(parseSpec('{"name": ').error).not.toBe('')
    expect(parseSpec('[1]')).toEqual({ spec: null, error: 'not a JSON object' })
    expect(summarizable(parseSpec('{"name":"x"}').spec)).toBe(false)
    expect(summarizable(blankSpec('x'))).toBe(true)
  })
  it('leaves out the empty parts the server sends back', () => {
    expect(specText({ ...spike, guards: [], scope: { level: 'ad', ids: [], filter: {} } })).not.toMatch(/guards|ids|filter/)
  })
  it('finds the line a field path of a 422 names', () => {
    const text = specText({ ...spike, conditions: [spike.conditions[0]!, { metric: 'cost', window: { kind: 'last_days', n: 99 }, op: 'gt', value: '1' }] })
    const lines = text.split('\n')
    const at = lineOf(text, 'conditions[1].window.n')
    expect(lines[at - 1]).toMatch(/"n": 99/)
    expect(lines[lineOf(text, 'schedule.every_minutes') - 1]).toMatch(/"every_minutes": 60/)
    // An item points at its opening brace.
    expect(lines.slice(lineOf(text, 'actions[1]') - 1).join('\n')).toMatch(/^\s*\{\n\s*"type": "notify"/)
    expect(lineOf(text, 'conditions[5].op')).toBe(0)
    expect(lineOf(text, 'nothing')).toBe(0)
  })
  it('files field errors by the part of the spec they name', () => {
    const g = fieldGroups([{ field: 'conditions[1].window.n', message: 'a' }, { field: 'conditions[0].op', message: 'b' }, { field: 'name', message: 'c' }, { field: '', message: 'd' }])
    expect(g.get('conditions')?.map((f) => f.message)).toEqual(['a', 'b'])
    expect(g.get('name')?.length).toBe(1)
    expect(g.get('')?.length).toBe(1)
  })
})

describe('why an evaluation was skipped or failed', () => {
  const g = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as { t: typeof zh; te: (k: string) => boolean }
  it('says each reason the API codes in words, with its figures', () => {
    const stale = { reason: 'reports too old: …', reason_code: 'reports_stale', reason_params: { stream: 'report_ad_hourly', after: '2026-12-06 10:00', n: '2', ids: '1001, 1002' } }
    expect(evalReasonText(g.t, g.te, stale)).toBe('报表数据过旧：需要「广告计划 · 分时」在北京时间 12-06 10:00 之后同步过，2 个账户未满足：1001, 1002')
    const many = { ...stale, reason_params: { ...stale.reason_params, n: '14', ids: '1, 2, 3, 4, 5, 6, 7, 8, 9, 10' } }
    expect(evalReasonText(g.t, g.te, many)).toMatch(/14 个账户未满足：1, 2, 3, 4, 5, 6, 7, 8, 9, 10 等$/)
    const names = new Map([[1001, '北京科技']])
    expect(evalReasonText(g.t, g.te, stale, names)).toMatch(/2 个账户未满足：北京科技 · 1001, 1002$/)
    expect(evalReasonText(g.t, g.te, many, names)).toMatch(/14 个账户未满足：1, 2, 3, 4, 5, 6, 7, 8, 9, 10 等$/)
    expect(evalReasonText(g.t, g.te, { reason: '2 of 5 actions failed', reason_code: 'actions_failed', reason_params: { failed: '2', actions: '5' } })).toBe('5 个操作中有 2 个失败')
    expect(evalReasonText(g.t, g.te, { reason: '…', reason_code: 'rule_owner_inactive', reason_params: { owner: 'bob' } })).toBe('规则负责人 bob 的账号已停用')
  })
  it('keeps the API’s text for an error, an unknown code, or an evaluation recorded before', () => {
    expect(evalReasonText(g.t, g.te, { reason: 'mysql: connection refused' })).toBe('mysql: connection refused')
    expect(evalReasonText(g.t, g.te, { reason: 'something new', reason_code: 'not_yet_known' })).toBe('something new')
    expect(evalReasonText(g.t, g.te, {})).toBe('')
  })
})
