import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import { money } from '../../lib/format'
import type { PendingScheduled } from '../../api/types'
import { markLines, markLink, overriding, overrideText } from './pending'

const t = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (key: string, params?: Record<string, unknown>) => string
// What useChangeValue does, without a component: words for statuses, money for amounts.
const valueText = (tr: ReturnType<typeof t>) => (field: string, v: string) =>
  ['enable', 'disable', 'delete', 'unlimited'].includes(v) ? tr(`change.values.${v}`) : field === 'status' ? v : money(v)

// 2026-12-06 15:00 in Beijing; the change is due at midnight, 9 hours on.
const now = Date.parse('2026-12-06T15:00:00+08:00')
const budget: PendingScheduled = { entity_id: 7, count: 1, next: { id: 12, run_at: '2026-12-06T16:00:00Z', op: 'budget', field: 'budget', value: '800.00' } }
const zh = t('zh-CN')
const en = t('en-US')

describe('the mark of a row something waits for', () => {
  it('says the next change in words, and how many wait when more do', () => {
    expect(markLines(budget, zh, valueText(zh), now)).toEqual(['定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元'])
    expect(markLines({ ...budget, count: 2 }, zh, valueText(zh), now)).toEqual(['定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元', '共 2 个待执行'])
    expect(markLines({ ...budget, count: 3 }, en, valueText(en), now)).toEqual(['Scheduled change #12: Budget → ¥800.00 at 12-07 00:00 Beijing time (in 9 h)', '3 waiting in all'])
    const pause: PendingScheduled = { entity_id: 7, count: 1, next: { id: 13, run_at: '2026-12-06T07:30:00Z', op: 'status', field: 'status', value: 'disable' } }
    expect(markLines(pause, zh, valueText(zh), now)).toEqual(['定时操作 #13：北京时间 12-06 15:30（30 分钟后）将状态改为 暂停'])
    const cpa: PendingScheduled = { entity_id: 7, count: 1, next: { id: 14, run_at: '2026-12-08T07:00:00Z', op: 'bid', field: 'cpa_bid', value: '35.5' } }
    expect(markLines(cpa, zh, valueText(zh), now)).toEqual(['定时操作 #14：北京时间 12-08 15:00（2 天后）将目标转化出价改为 35.50 元'])
    expect(markLines({ ...budget, next: { ...budget.next, value: 'unlimited' } }, zh, valueText(zh), now)[0]).toMatch(/将预算改为 不限$/)
  })

  it('links to the waiting changes of the entity', () => {
    expect(markLink('ad', 7)).toEqual({ name: 'scheduled', query: { kind: 'ad', entity_id: '7' } })
  })
})

describe('the warning of the change dialog', () => {
  const pending = { 7: budget }
  it('names a waiting change of the same field that comes after the change', () => {
    expect(overriding([{ id: 7, field: 'budget' }, { id: 8, field: 'budget' }], pending, now)).toEqual([{ id: 7, p: budget }])
    expect(overriding([{ id: 7, field: 'status' }], pending, now)).toEqual([])
    // scheduled for after it: the waiting one runs first
    expect(overriding([{ id: 7, field: 'budget' }], pending, Date.parse('2026-12-07T01:00:00+08:00'))).toEqual([])
  })

  it('says it in words', () => {
    expect(overrideText(budget, 'ad', zh, valueText(zh), now)).toBe('该广告计划有定时操作 #12 将于北京时间 12-07 00:00（9 小时后）把预算改为 800.00 元，会覆盖此次修改')
    expect(overrideText(budget, 'project', en, valueText(en), now)).toBe('Scheduled change #12 sets Budget → ¥800.00 at 12-07 00:00 Beijing time (in 9 h): it will override this change')
  })
})
