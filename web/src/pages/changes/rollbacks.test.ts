import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import type { Change, RollbackBatchOutcome } from '../../api/types'
import type { Translator } from '../../lib/fieldText'
import { batchOf, entityNames, maxBatchRollback, notDone, outcomeCounts, rollbackable, type RollbackItem } from './rollbacks'

const on = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as Translator

const change = (id: number, more: Partial<Change> = {}): Change => ({ id, result: 'succeeded', field: 'budget', before: '500.00', after: '800.00', ...more })

describe('rolling back many changes', () => {
  it('takes only changes that succeeded, are not rolled back, deleted nothing and changed something', () => {
    expect(rollbackable(change(1))).toBe(true)
    expect(rollbackable(change(2, { result: 'failed' }))).toBe(false)
    expect(rollbackable(change(3, { rolled_back_by: 9 }))).toBe(false)
    expect(rollbackable(change(4, { field: 'status', before: 'enable', after: 'delete' }))).toBe(false)
    expect(rollbackable(change(5, { field: 'status', before: 'enable', after: 'disable' }))).toBe(true)
    expect(rollbackable(change(6, { field: 'status', before: 'disable', after: 'disable' }))).toBe(false)
  })
  it('selects a batch’s rows that can be rolled back, at most 1000', () => {
    expect(batchOf([change(3), change(2, { result: 'unknown' }), change(1)])).toEqual([3, 1])
    const many = Array.from({ length: 1030 }, (_, i) => change(i + 1))
    expect(batchOf(many)).toHaveLength(maxBatchRollback)
    expect(batchOf(many)[0]).toBe(1)
  })
  it('says why each change was not rolled back, in both languages', () => {
    const stale: RollbackItem = { id: 7, result: 'refused', refusal: { code: 'conflict', message: '…', reason: 'rollback_changed_again', params: { kind: 'ad', id: '5', field: 'budget', change: '9' } } }
    expect(notDone(stale, on('zh-CN'))).toBe('广告计划 5 的预算之后又被变更 #9 修改；请先回滚那一条')
    expect(notDone(stale, on('en-US'))).toBe("Ad 5's Budget was changed again by change #9; roll that one back first")
    const hidden: RollbackItem = { id: 8, result: 'refused', refusal: { code: 'not_found', message: 'change not found', reason: 'not_found', params: { thing: 'change' } } }
    expect(notDone(hidden, on('zh-CN'))).toBe('变更记录不存在，或不在你的数据范围内')
    const deleted: RollbackItem = { id: 6, result: 'refused', refusal: { code: 'validation_failed', message: 'id: change 6 deleted promotion 3', reason: 'rollback_deleted', params: { change: '6' } } }
    expect(notDone(deleted, on('zh-CN'))).toBe('变更 6 删除了对象，平台无法恢复已删除的对象')
    const failed: RollbackItem = { id: 5, result: 'failed', change_id: 12, change: { result: 'failed', error: { code: 40002, message: 'budget too low' } } }
    expect(notDone(failed, on('zh-CN'))).toBe('失败：budget too low')
    expect(notDone({ id: 4, result: 'refused' as const, refusal: { code: 'conflict', message: 'something new', reason: 'not_a_reason_yet' } }, on('zh-CN'))).toBe('something new')
  })
  it('names a refusal’s entity as the rows do, by id when they do not know it', () => {
    const stale: RollbackItem = { id: 7, result: 'refused', refusal: { code: 'conflict', message: '…', reason: 'rollback_changed_again', params: { kind: 'ad', id: '5', field: 'budget', change: '9' } } }
    const names = entityNames([change(7, { kind: 'ad', entity_id: 5, entity_name: '夏季推广-通投' }), change(8, { kind: 'project', entity_id: 6, entity_name: '项目六' }), change(3, { kind: 'ad', entity_id: 4 })])
    expect(names).toEqual({ 'ad 5': '夏季推广-通投', 'project 6': '项目六' })
    expect(notDone(stale, on('zh-CN'), names)).toBe('广告计划 夏季推广-通投 的预算之后又被变更 #9 修改；请先回滚那一条')
    expect(notDone(stale, on('en-US'), names)).toBe("Ad 夏季推广-通投's Budget was changed again by change #9; roll that one back first")
    const moved: RollbackItem = { id: 3, result: 'refused', refusal: { code: 'conflict', message: '…', reason: 'rollback_value_changed', params: { kind: 'ad', id: '4', field: 'budget', change: '3', current: '600.00', expected: '800.00' } } }
    expect(notDone(moved, on('zh-CN'), names)).toBe('广告计划 4 的预算现为 600.00，不是变更 #3 设定的 800.00：之后已被修改，未回滚')
    // another kind's entity of the same id is not this one
    expect(notDone({ ...stale, refusal: { ...stale.refusal!, params: { ...stale.refusal!.params, kind: 'project', id: '5' } } }, on('zh-CN'), names)).toBe('项目 5 的预算之后又被变更 #9 修改；请先回滚那一条')
  })
  it('counts what was rolled back and what was not', () => {
    const out: RollbackBatchOutcome = { succeeded: 2, failed: 1, unknown: 0, refused: 2, items: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }] }
    expect(outcomeCounts(out)).toEqual({ ok: 2, notDone: 3 })
  })
})
