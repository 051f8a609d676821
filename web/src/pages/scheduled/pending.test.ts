import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import { money } from '../../lib/format'
import type { PendingScheduled } from '../../api/types'
import { markLines, markLink, markStatus, overriding, overrideText, type PendingChange } from './pending'

const t = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (key: string, params?: Record<string, unknown>) => string
// What useChangeValue does, without a component: words for statuses, money for amounts.
const valueText = (tr: ReturnType<typeof t>) => (field: string, v: string) =>
  ['enable', 'disable', 'delete', 'unlimited'].includes(v) ? tr(`change.values.${v}`) : field === 'status' ? v : money(v)

// 2026-12-06 15:00 in Beijing; the change is due at midnight, 9 hours on.
const now = Date.parse('2026-12-06T15:00:00+08:00')
const budgetChange: PendingChange = { id: 12, run_at: '2026-12-06T16:00:00Z', op: 'budget', field: 'budget', value: '800.00', status: 'scheduled' }
const pauseChange: PendingChange = { id: 13, run_at: '2026-12-06T07:30:00Z', op: 'status', field: 'status', value: 'disable', status: 'scheduled' }
const cpaChange: PendingChange = { id: 14, run_at: '2026-12-08T07:00:00Z', op: 'bid', field: 'cpa_bid', value: '35.5', status: 'scheduled' }
// 14:58 in Beijing, a worker making it since.
const runningChange: PendingChange = { id: 11, run_at: '2026-12-06T06:58:00Z', op: 'status', field: 'status', value: 'enable', status: 'running' }

/** waiting is what waits for entity 7: these changes, in order, of count in all. */
const waiting = (changes: PendingChange[], count = changes.length): PendingScheduled => ({ entity_id: 7, count, next: changes[0]!, changes })
const budget = waiting([budgetChange])
const zh = t('zh-CN')
const en = t('en-US')

describe('the mark of a row something waits for', () => {
  it('says the next change in words, and how many wait when more do', () => {
    expect(markLines(budget, zh, valueText(zh), now)).toEqual(['定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元'])
    expect(markLines(waiting([budgetChange], 2), zh, valueText(zh), now)).toEqual(['定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元', '共 2 个待执行'])
    expect(markLines(waiting([budgetChange], 3), en, valueText(en), now)).toEqual(['Scheduled change #12: Budget → ¥800.00 at 12-07 00:00 Beijing time (in 9 h)', '3 waiting in all'])
    expect(markLines(waiting([pauseChange]), zh, valueText(zh), now)).toEqual(['定时操作 #13：北京时间 12-06 15:30（30 分钟后）将状态改为 暂停'])
    expect(markLines(waiting([cpaChange]), zh, valueText(zh), now)).toEqual(['定时操作 #14：北京时间 12-08 15:00（2 天后）将目标转化出价改为 35.50 元'])
    expect(markLines(waiting([{ ...budgetChange, value: 'unlimited' }]), zh, valueText(zh), now)[0]).toMatch(/将预算改为 不限$/)
  })

  it('lists the first three in order, then how many wait in all', () => {
    const five = waiting([pauseChange, budgetChange, cpaChange, { ...budgetChange, id: 15 }], 5)
    expect(markLines(five, zh, valueText(zh), now)).toEqual([
      '定时操作 #13：北京时间 12-06 15:30（30 分钟后）将状态改为 暂停',
      '定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元',
      '定时操作 #14：北京时间 12-08 15:00（2 天后）将目标转化出价改为 35.50 元',
      '共 5 个待执行',
    ])
  })

  it('says which change is being made', () => {
    expect(markLines(waiting([runningChange, budgetChange]), zh, valueText(zh), now)).toEqual([
      '定时操作 #11 执行中（北京时间 12-06 14:58 开始）：将状态改为 开启',
      '定时操作 #12：北京时间 12-07 00:00（9 小时后）将预算改为 800.00 元',
      '共 2 个，其中 1 个执行中',
    ])
    expect(markLines(waiting([runningChange]), en, valueText(en), now)).toEqual(['Scheduled change #11 running (since 12-06 14:58 Beijing time): Status → Enabled'])
  })

  it('links to the waiting changes of the entity, where they are', () => {
    expect(markLink('ad', budget)).toEqual({ name: 'scheduled', query: { kind: 'ad', entity_id: '7' } })
    // one being made and one waiting: 待执行 still lists the one waiting
    expect(markStatus(waiting([runningChange, budgetChange]))).toBe('scheduled')
    // only one being made: 执行中
    expect(markLink('project', waiting([runningChange]))).toEqual({ name: 'scheduled', query: { status: 'running', kind: 'project', entity_id: '7' } })
    // all listed are running but more wait beyond them: those are scheduled
    expect(markStatus(waiting([runningChange], 11))).toBe('scheduled')
  })
})

describe('the warning of the change dialog', () => {
  const pending = { 7: budget }
  it('names a waiting change of the same field that comes after the change', () => {
    expect(overriding([{ id: 7, field: 'budget' }, { id: 8, field: 'budget' }], pending, now)).toEqual([{ id: 7, change: budgetChange }])
    expect(overriding([{ id: 7, field: 'status' }], pending, now)).toEqual([])
    // scheduled for after it: the waiting one runs first
    expect(overriding([{ id: 7, field: 'budget' }], pending, Date.parse('2026-12-07T01:00:00+08:00'))).toEqual([])
  })

  it('looks past the earliest change, when it is of another field or before the change', () => {
    const later = { ...budgetChange, id: 16, run_at: '2026-12-07T16:00:00Z', value: '900.00' }
    const both = { 7: waiting([pauseChange, budgetChange, later]) }
    // the earliest pauses: the budget's change after it is still found
    expect(overriding([{ id: 7, field: 'budget' }], both, now)).toEqual([{ id: 7, change: budgetChange }])
    // made at 01:00 on the 7th, after #12: #16 the next day overwrites it
    expect(overriding([{ id: 7, field: 'budget' }], both, Date.parse('2026-12-07T01:00:00+08:00'))).toEqual([{ id: 7, change: later }])
    expect(overriding([{ id: 7, field: 'bid' }], both, now)).toEqual([])
    // a change being made (run_at gone by) overwrites nothing made now
    expect(overriding([{ id: 7, field: 'status' }], { 7: waiting([runningChange]) }, now)).toEqual([])
  })

  it('says it in words', () => {
    expect(overrideText(budgetChange, 'ad', zh, valueText(zh), now)).toBe('该广告计划有定时操作 #12 将于北京时间 12-07 00:00（9 小时后）把预算改为 800.00 元，会覆盖此次修改')
    expect(overrideText(budgetChange, 'project', en, valueText(en), now)).toBe('Scheduled change #12 sets Budget → ¥800.00 at 12-07 00:00 Beijing time (in 9 h): it will override this change')
  })
})
