import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import type { Translator } from '../../lib/fieldText'
import { actionLabel } from './actions'

const on = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as Translator

describe('an audit action in words', () => {
  it('names the actions the API records in both languages', () => {
    expect(actionLabel(on('zh-CN'), 'auth.revoke_other_sessions')).toBe('结束其他所有会话')
    expect(actionLabel(on('en-US'), 'auth.revoke_other_sessions')).toBe('End all other sessions')
    expect(actionLabel(on('zh-CN'), 'user.reset_mfa')).toBe('重置用户的两步验证')
    expect(actionLabel(on('en-US'), 'oceanengine.bind')).toBe('Bind OceanEngine accounts')
    expect(actionLabel(on('zh-CN'), 'authorization.needs_reauth')).toBe('授权失效，需重新授权')
    expect(actionLabel(on('zh-CN'), 'scheduled_change.update')).toBe('修改定时操作')
    expect(actionLabel(on('en-US'), 'scheduled_change.update')).toBe('Reschedule a scheduled change')
  })
  it('makes an ad operation of its kind and its change', () => {
    expect(actionLabel(on('zh-CN'), 'ad.update_budget')).toBe('修改广告计划预算')
    expect(actionLabel(on('zh-CN'), 'campaign.batch_update_status')).toBe('批量修改广告组状态')
    expect(actionLabel(on('en-US'), 'promotion.update_bid')).toBe('Change promotion bid')
    expect(actionLabel(on('en-US'), 'project.batch_update_budget')).toBe('Change project budgets in bulk')
    expect(actionLabel(on('zh-CN'), 'advertiser.update_budget')).toBe('修改账户预算')
    expect(actionLabel(on('en-US'), 'advertiser.batch_update_budget')).toBe('Change account budgets in bulk')
    expect(actionLabel(on('zh-CN'), 'ad.update_cpa_bid')).toBe('ad.update_cpa_bid')
  })
  it('names a request that matched no route with its method', () => {
    expect(actionLabel(on('zh-CN'), 'post unmatched')).toBe('未匹配的请求 POST')
    expect(actionLabel(on('zh-CN'), 'POST unmatched')).toBe('未匹配的请求 POST')
    expect(actionLabel(on('en-US'), 'DELETE unmatched')).toBe('Unmatched request DELETE')
  })
  it('falls back to the identifier, never to nothing', () => {
    for (const i of [on('zh-CN'), on('en-US')]) {
      expect(actionLabel(i, 'widget.frobnicate')).toBe('widget.frobnicate')
      expect(actionLabel(i, 'auth')).toBe('auth')
      expect(actionLabel(i, 'audit.actions')).toBe('audit.actions')
      expect(actionLabel(i, 'Get unmatched')).toBe('Get unmatched')
      expect(actionLabel(i, 'post /api/v1/x')).toBe('post /api/v1/x')
      expect(actionLabel(i, '')).toBe('—')
    }
  })
})
