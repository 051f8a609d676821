import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../i18n/zh-CN'
import enUS from '../i18n/en-US'
import type { Translator } from './fieldText'
import { reasonText, refusalText } from './reasonText'

const on = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as Translator

describe('an error without fields in the operator’s language', () => {
  it('says the rule editor’s conflict with the current version', () => {
    const e = { reason: 'rule_version_conflict', params: { id: '7', current: '4', expected: '3' }, message: 'rule 7 is at version 4, not 3: reload it and apply the change again' }
    expect(reasonText(e, on('zh-CN'))).toBe('规则已被他人修改：当前为第 4 版，不是你编辑的第 3 版。请重新加载后再修改。')
    expect(reasonText(e, on('en-US'))).toBe('Someone changed the rule meanwhile: it is at version 4, not the version 3 you edited. Reload it and apply the change again.')
  })
  it('names a thing, a permission and what is down in words', () => {
    expect(reasonText({ reason: 'not_found', params: { thing: 'guard_rail' }, message: 'guard rail not found' }, on('zh-CN'))).toBe('操作限额不存在，或不在你的数据范围内')
    expect(reasonText({ reason: 'forbidden_permission', params: { permission: 'rule:write' }, message: 'permission rule:write is required' }, on('zh-CN'))).toBe('没有权限：需要「管理自动规则」权限')
    expect(reasonText({ reason: 'unavailable', params: { what: 'job_queue' }, message: '…' }, on('zh-CN'))).toBe('任务队列暂时不可用，请稍后再试')
    expect(reasonText({ reason: 'rollback_changed_again', params: { kind: 'ad', id: '5', field: 'budget', change: '9' }, message: '…' }, on('zh-CN'))).toBe('广告计划 5 的预算之后又被变更 #9 修改；请先回滚那一条')
    expect(reasonText({ reason: 'scheduled_owner_forbidden', params: { user: 'bob', permission: 'ad:write' }, message: '…' }, on('zh-CN'))).toBe('创建人 bob 已没有「修改广告」权限，未做任何修改')
    expect(reasonText({ reason: 'scheduled_missed', params: { minutes: '60', late_minutes: '75' }, message: '…' }, on('zh-CN'))).toBe('执行时间后 60 分钟内没有开始（晚了 75 分钟：没有工作进程在运行），未做任何修改')
    expect(reasonText({ reason: 'export_not_ready', params: { id: '3', job_status: 'running' }, message: '…' }, on('zh-CN'))).toBe('导出 #3 状态为「进行中」，完成后才能下载')
  })
  it('leaves the API’s message where the reason has no text or there is none', () => {
    expect(reasonText({ message: 'something' }, on('zh-CN'))).toBe('something')
    expect(reasonText({ reason: 'not_a_reason_yet', params: { x: '1' }, message: 'something new' }, on('zh-CN'))).toBe('something new')
  })
  it('has a text for every reason in both languages that fills in every figure', () => {
    // Codes with _ : or capitals, to tell one left unsaid in words.
    const figures = { thing: 'guard_rail', n: '2', ids: '1, 2', method: 'GET', path: '/x', seconds: '60', permission: 'ad:write', type: 'object', limit: '1048576',
      offset: '3', id: '7', current: '4', expected: '3', username: 'ann', name: 'ops', request: 'r-1', kind: 'ad', error: 'E', field: 'cpa_bid', change: '9',
      by: '10', result: 'failed', key: 'k', alert_status: 'resolved', at: '2026-01-01T00:00:00Z', role: 'CUSTOMER_ADMIN', auth_status: 'needs_reauth', job_status: 'failed',
      user_status: 'disabled', job_kind: 'export', what: 'job_queue', code: '40002', message: 'M', endpoint: '2/ad/get', status: '504', total: '5',
      owner: 'alice', minutes: '60', late_minutes: '75', user: 'bob', authorization_id: '12' }
    const codes = /guard_rail|ad:write|cpa_bid|CUSTOMER_ADMIN|needs_reauth|job_queue/
    // vue-i18n says a figure it was not given as nothing: every name a text uses must be a figure the API sends.
    for (const [locale, texts] of [['zh-CN', zhCN.serverReasons], ['en-US', enUS.serverReasons]] as const) {
      for (const [reason, text] of Object.entries(texts)) {
        for (const [, name] of text.matchAll(/\{(\w+)\}/g)) expect(Object.keys(figures), `${locale} ${reason}: {${name}}`).toContain(name)
      }
    }
    for (const locale of ['zh-CN', 'en-US'] as const) {
      for (const reason of Object.keys(zhCN.serverReasons)) {
        const text = reasonText({ reason, params: figures, message: 'API' }, on(locale))
        expect(text, `${locale} ${reason}`).not.toBe('API')
        expect(text, `${locale} ${reason}`).not.toMatch(/[{}]|serverReasons/)
        expect(text, `${locale} ${reason}`).not.toMatch(codes)
      }
    }
  })
})

describe('a refusal told apart from its answer', () => {
  it('says a refused field by its rule, amounts grouped, and any other refusal by its reason or message', () => {
    const rail = { code: 'validation_failed', reason: 'guardrail_max_budget', params: { max: '1200.00', guardrail: '3' }, message: 'budget: exceeds …' }
    expect(refusalText(rail, on('zh-CN'))).toBe('超过操作限额允许的最高预算 1,200.00 元（限额 #3）')
    expect(refusalText({ code: 'conflict', reason: 'change_in_flight', params: { kind: 'ad', ids: '5' }, message: '…' }, on('zh-CN'))).toMatch(/5 有正在执行的变更/)
    expect(refusalText({ code: 'conflict', reason: 'not_a_reason_yet', message: 'something new' }, on('zh-CN'))).toBe('something new')
  })
})
