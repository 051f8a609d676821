import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import enUS from '../../i18n/en-US'
import { money } from '../../lib/format'
import { filtersFromQuery, filtersToQuery } from './filters'
import { ApiError } from '../../api/client'
import type { ScheduledChangeCreated } from '../../api/types'
import { PartlyMade, type PlannedItem } from '../entities/changes'
import {
  beijingWall,
  eachWaiting,
  commonValue,
  countsText,
  dayOutOfRange,
  defaultWall,
  editBodyOf,
  entityNames,
  hasRun,
  madeChanges,
  moveSteps,
  objectText,
  onlyForNow,
  opText,
  pending,
  pastTimes,
  relative,
  runAtOf,
  runAtProblem,
  runLink,
  scheduleBodyOf,
  scheduledStatuses,
  scheduleInParts,
  shiftedWall,
  shiftOf,
  shiftWords,
  statusColor,
  wallInstant,
  wallMoved,
  warningLines,
  whenParams,
  whyText,
} from './schedule'

const t = (locale: 'zh-CN' | 'en-US') =>
  createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (key: string, params?: Record<string, unknown>) => string
// What useChangeValue does, without a component: words for statuses, money for amounts.
const valueText = (tr: ReturnType<typeof t>) => (field: string, v: string) =>
  ['enable', 'disable', 'delete', 'unlimited'].includes(v) ? tr(`change.values.${v}`) : field === 'status' ? v : money(v)

// 2026-12-06 13:20:30 in Beijing.
const now = Date.parse('2026-12-06T13:20:30+08:00')

describe('Beijing wall times', () => {
  it('reads and writes the picker value as Beijing time, whatever the zone', () => {
    expect(beijingWall(now)).toBe('2026-12-06 13:20')
    expect(beijingWall(Date.parse('2026-12-06T16:30:00Z'))).toBe('2026-12-07 00:30')
    expect(wallInstant('2026-12-07 00:30')).toBe(Date.parse('2026-12-06T16:30:00Z'))
    expect(wallInstant('2026-12-07')).toBeNaN()
    expect(runAtOf('2026-12-07 00:30')).toBe('2026-12-07T00:30:00+08:00')
  })
  it('starts at the next full hour, or the one after when it is under five minutes away', () => {
    expect(defaultWall(now)).toBe('2026-12-06 14:00')
    expect(defaultWall(Date.parse('2026-12-06T13:56:00+08:00'))).toBe('2026-12-06 15:00')
    expect(defaultWall(Date.parse('2026-12-06T23:10:00+08:00'))).toBe('2026-12-07 00:00')
    expect(defaultWall(Date.parse('2026-12-06T14:00:00+08:00'))).toBe('2026-12-06 15:00')
  })
  it('refuses a time under a minute ahead or over 30 days ahead', () => {
    expect(runAtProblem('', now)).toBe('required')
    expect(runAtProblem('2026-12-06 13:20', now)).toBe('tooSoon')
    expect(runAtProblem('2026-12-06 13:21', now)).toBe('tooSoon') // 30 s ahead
    expect(runAtProblem('2026-12-06 13:22', now)).toBe('')
    expect(runAtProblem('2027-01-05 13:20', now)).toBe('')
    expect(runAtProblem('2027-01-05 13:21', now)).toBe('tooFar')
  })
  it('offers the days from Beijing today to 30 days on, in the fields the picker hands', () => {
    // Picker dates carry the wall time in their local fields.
    const day = (y: number, m: number, d: number) => new Date(y, m - 1, d)
    expect(dayOutOfRange(day(2026, 12, 5), now)).toBe(true)
    expect(dayOutOfRange(day(2026, 12, 6), now)).toBe(false)
    expect(dayOutOfRange(day(2027, 1, 5), now)).toBe(false)
    expect(dayOutOfRange(day(2027, 1, 6), now)).toBe(true)
  })
  it('greys out the past hours and minutes of today only', () => {
    const today = pastTimes(new Date(2026, 11, 6, 13, 40), now)
    expect(today.disabledHours()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(today.disabledMinutes()).toHaveLength(21) // 00–20
    expect(pastTimes(new Date(2026, 11, 6, 15, 0), now).disabledMinutes()).toEqual([])
    const tomorrow = pastTimes(new Date(2026, 11, 7, 13, 0), now)
    expect(tomorrow.disabledHours()).toEqual([])
    expect(tomorrow.disabledMinutes()).toEqual([])
    expect(pastTimes(undefined, now).disabledHours()).toEqual([])
  })
  it('says how far a time is', () => {
    expect(relative('2026-12-06T05:20:50Z', now)).toEqual({ key: 'now', n: 0 })
    expect(relative('2026-12-06T05:20:00Z', now)).toEqual({ key: 'justNow', n: 0 })
    expect(relative('2026-12-06T13:45:30+08:00', now)).toEqual({ key: 'inMinutes', n: 25 })
    expect(relative('2026-12-06T15:30:00+08:00', now)).toEqual({ key: 'inHours', n: 2 })
    expect(relative('2026-12-10T13:00:00+08:00', now)).toEqual({ key: 'inDays', n: 4 })
    expect(relative('2026-12-06T12:00:00+08:00', now)).toEqual({ key: 'hoursAgo', n: 1 })
    expect(relative('2026-12-06T13:10:30+08:00', now)).toEqual({ key: 'minutesAgo', n: 10 })
    expect(relative(null, now)).toBeNull()
    expect(t('zh-CN')('scheduled.rel.inHours', { n: 2 })).toBe('2 小时后')
    expect(t('en-US')('scheduled.rel.inHours', { n: 2 })).toBe('in 2 h')
  })
})

describe('a scheduled change in words', () => {
  const items = [
    { id: 101, entity_name: '618-大促-01', value: '800.00' },
    { id: 102, entity_name: '618-大促-02', value: '800.00' },
    { id: 103, entity_name: '', value: '800.00' },
  ]
  it('names the kind, the count and the first entities', () => {
    const zh = t('zh-CN')
    expect(objectText({ kind: 'ad', items }, zh)).toBe('广告计划 × 3')
    expect(entityNames(items, zh)).toBe('618-大促-01、618-大促-02 等 1 个')
    expect(entityNames(items, zh, 5)).toBe('618-大促-01、618-大促-02、103')
    expect(entityNames(items.slice(0, 1), t('en-US'))).toBe('618-大促-01')
    expect(entityNames(items, t('en-US'))).toBe('618-大促-01, 618-大促-02 +1 more')
    expect(objectText({ kind: 'campaign', items: items.slice(0, 1) }, t('en-US'))).toBe('Campaign × 1')
  })
  it('says the field and the value, money in yuan and statuses in words', () => {
    const zh = t('zh-CN')
    expect(opText({ field: 'budget', items }, zh, valueText(zh))).toBe('预算 → 800.00 元')
    expect(opText({ field: 'budget', items: [{ value: '12000' }] }, zh, valueText(zh))).toBe('预算 → 12,000.00 元')
    expect(opText({ field: 'budget', items: [{ value: 'unlimited' }] }, zh, valueText(zh))).toBe('预算 → 不限')
    expect(opText({ field: 'status', items: [{ value: 'disable' }] }, zh, valueText(zh))).toBe('状态 → 暂停')
    expect(opText({ field: 'cpa_bid', items: [{ value: '35.5' }, { value: '40' }] }, zh, valueText(zh))).toBe('目标转化出价 → 2 个不同的值')
    const en = t('en-US')
    expect(opText({ field: 'bid', items: [{ value: '1.2' }] }, en, valueText(en))).toBe('Bid → ¥1.20')
    expect(opText({ field: 'status', items: [{ value: 'enable' }] }, en, valueText(en))).toBe('Status → Enabled')
    expect(commonValue([])).toBeNull()
  })
  it('counts the outcomes, the unknown ones only when there are any', () => {
    expect(countsText({ succeeded: 2, failed: 1, unknown: 0 }, t('zh-CN'))).toBe('成功 2，失败 1')
    expect(countsText({ succeeded: 0, failed: 1, unknown: 2 }, t('zh-CN'))).toBe('成功 0，失败 1，未知 2')
    expect(countsText({ succeeded: 3 }, t('en-US'))).toBe('3 succeeded, 0 failed')
    expect(countsText({ succeeded: 1, failed: 0, unknown: 0, unchanged: 2 }, t('zh-CN'))).toBe('成功 1，失败 0，2 个已是该值')
    expect(countsText({ succeeded: 0, unchanged: 1 }, t('en-US'))).toBe('0 succeeded, 0 failed, 1 already so')
  })
  it('colours each status and knows which have run', () => {
    expect(scheduledStatuses.map(statusColor)).toEqual(['arcoblue', 'cyan', 'green', 'orange', 'red', 'gray', 'orangered'])
    expect(scheduledStatuses.filter(hasRun)).toEqual(['succeeded', 'partial', 'failed'])
    expect(scheduledStatuses.filter(pending)).toEqual(['scheduled', 'running'])
    for (const s of scheduledStatuses) {
      expect(t('zh-CN')(`scheduled.statuses.${s}`)).not.toContain('scheduled.')
      expect(t('en-US')(`scheduled.statuses.${s}`)).not.toContain('scheduled.')
    }
    expect(t('zh-CN')('scheduled.statuses.scheduled')).toBe('待执行')
    expect(t('zh-CN')('scheduled.statuses.canceled')).toBe('已取消')
  })
})

describe('scheduling', () => {
  it('sends kind, op, time, note and the entities as the batch endpoints take them', () => {
    const runAt = '2026-12-07T00:00:00+08:00'
    expect(scheduleBodyOf('ad', 'budget', [{ id: 1, value: '800.00' }, { id: 2, value: '800.00' }], runAt, ' new day ')).toEqual({
      kind: 'ad', op: 'budget', run_at: runAt, note: 'new day', ids: [1, 2], budget: '800.00',
    })
    expect(scheduleBodyOf('project', 'cpa_bid', [{ id: 1, value: '30' }, { id: 2, value: '31' }], runAt, '')).toEqual({
      kind: 'project', op: 'bid', run_at: runAt, items: [{ id: 1, cpa_bid: '30' }, { id: 2, cpa_bid: '31' }],
    })
    expect(scheduleBodyOf('campaign', 'status', [{ id: 9, value: 'disable' }], runAt, '')).toEqual({
      kind: 'campaign', op: 'status', run_at: runAt, ids: [9], status: 'disable',
    })
  })
  it('tells a refusal of the moment (schedulable) from one no later time lifts', () => {
    expect(onlyForNow([{ rule: 'budget_below_spend' }, { rule: 'min_budget_change' }])).toBe(true)
    expect(onlyForNow([{ rule: 'budget_below_spend' }, { rule: 'min_daily_budget' }])).toBe(false)
    expect(onlyForNow([{ rule: 'guardrail_max_budget' }])).toBe(false)
    expect(onlyForNow([{}])).toBe(false)
    expect(onlyForNow([])).toBe(false)
  })
  it('names the entity a warning or a refusal is about', () => {
    const items = [{ id: 10, value: '300' }, { id: 20, value: '300' }]
    const names = { 10: '计划甲', 20: '' }
    expect(warningLines([
      { field: 'ids[0].budget', message: 'a' },
      { field: 'items[1].budget', message: 'b' },
      { field: 'budget', message: 'c' },
    ], items, names)).toEqual([
      { entity: '计划甲', message: 'a' },
      { entity: '20', message: 'b' },
      { entity: '', message: 'c' },
    ])
    // one entity: every warning is about it
    expect(warningLines([{ field: 'budget', message: 'd' }], items.slice(0, 1), names)).toEqual([{ entity: '计划甲', message: 'd' }])
  })
})

describe('moving a scheduled change (改时间)', () => {
  // Due at 2026-12-06 22:00 Beijing, scheduled through the API with seconds.
  const c = { run_at: '2026-12-06T14:00:30.5Z', note: '晚高峰' }
  it('sends the time picked when it is not the change\'s own minute, and the note when it changed', () => {
    expect(editBodyOf(c, '2026-12-06 22:00', '晚高峰')).toEqual({})
    expect(editBodyOf(c, '2026-12-06 23:00', '晚高峰')).toEqual({ run_at: '2026-12-06T23:00:00+08:00' })
    expect(editBodyOf(c, '2026-12-06 22:00', ' 晚高峰 ')).toEqual({})
    expect(editBodyOf(c, '2026-12-06 22:00', ' 夜间 ')).toEqual({ note: '夜间' })
    expect(editBodyOf(c, '2026-12-07 08:00', '')).toEqual({ run_at: '2026-12-07T08:00:00+08:00', note: '' })
    expect(editBodyOf({ note: '' }, '2026-12-07 08:00', '')).toEqual({ run_at: '2026-12-07T08:00:00+08:00' })
  })
  it('says the new time in Beijing time and how far it is, in both languages', () => {
    const at = '2026-12-06T15:30:00+08:00'
    expect(whenParams(at, now, t('zh-CN'))).toEqual({ time: '2026-12-06 15:30', rel: '2 小时后' })
    expect(t('zh-CN')('scheduled.moved', { id: 12, ...whenParams(at, now, t('zh-CN')) })).toBe('定时操作 #12 改为北京时间 2026-12-06 15:30（2 小时后）执行')
    expect(t('en-US')('scheduled.moved', { id: 12, ...whenParams(at, now, t('en-US')) })).toBe('Scheduled change #12 now runs at 2026-12-06 15:30 Beijing time (in 2 h)')
    expect(whenParams(undefined, now, t('zh-CN'))).toEqual({ time: '—', rel: '' })
  })
  it('shifts several together: each keeps its distance from the earliest, moved to the time picked', () => {
    // the earliest due at 22:00 (with seconds, as the API may hold it), another at 23:30, a third the next morning
    const first = c.run_at
    const shifted = (at: string | undefined, wall: string) => shiftedWall(at, shiftOf(first, wall))
    expect(shifted(first, '2026-12-07 00:15')).toBe('2026-12-07 00:15')
    expect(shifted('2026-12-06T15:30:00Z', '2026-12-07 00:15')).toBe('2026-12-07 01:45')
    expect(shifted('2026-12-07T01:05:00Z', '2026-12-06 21:00')).toBe('2026-12-07 08:05')
    expect(shifted('2026-12-06T15:30:00Z', '')).toBe('')
    expect(shifted(undefined, '2026-12-07 00:15')).toBe('')
  })
  it('says how far a shift moves, later or earlier, in both languages', () => {
    const min = 60_000
    expect(shiftWords(2 * 60 * min, t('zh-CN'))).toBe('推迟 2 小时')
    expect(shiftWords(-30 * min, t('zh-CN'))).toBe('提前 30 分钟')
    expect(shiftWords((24 * 60 + 135) * min, t('zh-CN'))).toBe('推迟 1 天 2 小时 15 分钟')
    expect(shiftWords(3 * 24 * 60 * min, t('en-US'))).toBe('later by 3 d')
    expect(shiftWords(-(60 + 5) * min, t('en-US'))).toBe('earlier by 1 h 5 min')
    expect(shiftWords(0, t('zh-CN'))).toBe('')
    expect(t('zh-CN')('scheduled.shiftedMany', { n: 3, shift: shiftWords(2 * 60 * min, t('zh-CN')) })).toBe('已将 3 个定时操作整体推迟 2 小时')
  })
  it('moves the time picked an hour earlier, an hour or a day later, across midnight and a month', () => {
    expect(moveSteps.map((ms) => shiftWords(ms, t('zh-CN')))).toEqual(['提前 1 小时', '推迟 1 小时', '推迟 1 天'])
    expect(moveSteps.map((ms) => wallMoved('2026-12-31 23:30', ms))).toEqual(['2026-12-31 22:30', '2027-01-01 00:30', '2027-01-01 23:30'])
    // steps add up; a picker that holds no time stays as it is
    expect(wallMoved(wallMoved('2026-12-07 09:00', moveSteps[1] ?? 0), moveSteps[1] ?? 0)).toBe('2026-12-07 11:00')
    expect(wallMoved('', moveSteps[1] ?? 0)).toBe('')
  })
})

describe('filters', () => {
  it('keeps status, kind, entity and page in the URL, 待执行 by default', () => {
    expect(filtersFromQuery({})).toEqual({ status: 'scheduled', kind: '', entityId: '', page: 1 })
    expect(filtersToQuery({ status: 'scheduled', kind: '', entityId: '', page: 1 })).toEqual({})
    expect(filtersFromQuery({ status: 'all' }).status).toBe('')
    expect(filtersToQuery({ status: '', kind: '', entityId: '', page: 1 })).toEqual({ status: 'all' })
    const f = filtersFromQuery({ status: 'canceled', kind: 'ad', entity_id: '1792109497801714', page: '2' })
    expect(f).toEqual({ status: 'canceled', kind: 'ad', entityId: '1792109497801714', page: 2 })
    expect(filtersToQuery(f)).toEqual({ status: 'canceled', kind: 'ad', entity_id: '1792109497801714', page: '2' })
    expect(filtersFromQuery({ status: 'bogus', kind: 'x', entity_id: 'abc' })).toEqual({ status: 'scheduled', kind: '', entityId: '', page: 1 })
  })
})

describe('why a change was not made', () => {
  const on = (locale: 'zh-CN' | 'en-US') => createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global as never as Parameters<typeof whyText>[1]
  it('says a refused field, the creator, a miss and a wait in the operator’s words', () => {
    const field = { code: 'validation_failed', reason: 'min_budget_change', params: { current: '1200.00', min: '1.00' }, message: 'refused when it ran: ids[0].budget: …' }
    expect(whyText({ status: 'failed', error: field.message, refusal: field }, on('zh-CN'))).toBe('执行时被拒绝：与当前预算 1,200.00 元至少相差 1.00 元')
    expect(whyText({ status: 'failed', error: field.message, refusal: field }, on('en-US'))).toMatch(/^Refused when it ran: /)
    const gone = { code: 'forbidden', reason: 'scheduled_owner_inactive', params: { user: 'bob' }, message: '…' }
    expect(whyText({ status: 'failed', error: '…', refusal: gone }, on('zh-CN'))).toBe('创建人 bob 的账号已停用，未做任何修改')
    const busy = { code: 'conflict', reason: 'change_in_flight', params: { kind: 'ad', ids: '5' }, message: 'waiting to try again: …' }
    expect(whyText({ status: 'running', error: busy.message, refusal: busy }, on('zh-CN'))).toMatch(/^等待重试：.*5 有正在执行的变更/)
  })
  it('keeps the message of a change recorded before reasons were kept, and says nothing when nothing was refused', () => {
    expect(whyText({ status: 'failed', error: 'refused when it ran: ids[0].budget: too low', refusal: null }, on('zh-CN'))).toBe('refused when it ran: ids[0].budget: too low')
    expect(whyText({ status: 'succeeded', error: '', refusal: null }, on('zh-CN'))).toBe('')
  })
})

describe('what a run made', () => {
  it('counts the items sent and leads to the change log on its request', () => {
    expect(madeChanges({ items: [{ id: 1, change_id: 7 }, { id: 2, change_id: null }, { id: 3, change_id: 9 }] })).toBe(2)
    expect(madeChanges({ items: [] })).toBe(0)
    expect(runLink({ id: 12 })).toEqual({ name: 'changes', query: { request_id: 'scheduled-12' } })
  })
})

describe('scheduling in parts', () => {
  const items = (n: number): PlannedItem[] => Array.from({ length: n }, (_, i) => ({ id: 1000 + i, value: '500' }))
  // The API's answer: the part's items, a warning on its first item.
  const created = (part: PlannedItem[], id: number): ScheduledChangeCreated => ({
    id,
    field: 'budget',
    items: part.map((i) => ({ id: i.id, value: i.value })),
    warnings: [{ field: 'ids[0].budget', message: 'below spend', rule: 'budget_below_spend' }],
  })

  it('schedules one change a part of 100, under the part keys, its warnings naming the items of the whole', async () => {
    const sent: { ids: number[]; key: string }[] = []
    const told: [number, number][] = []
    const got = await scheduleInParts(
      items(250),
      'k',
      async (part, key) => {
        sent.push({ ids: part.map((i) => i.id), key })
        return created(part, sent.length)
      },
      (done, total) => told.push([done, total]),
    )
    expect(sent.map((s) => [s.key, s.ids.length, s.ids[0]])).toEqual([
      ['k.1', 100, 1000],
      ['k.2', 100, 1100],
      ['k.3', 50, 1200],
    ])
    expect(got.map((c) => c.id)).toEqual([1, 2, 3])
    expect(got.flatMap((c) => c.warnings ?? []).map((w) => w.field)).toEqual(['ids[0].budget', 'ids[100].budget', 'ids[200].budget'])
    expect(warningLines(got[2]?.warnings ?? [], items(250), {}).map((l) => l.entity)).toEqual(['1200'])
    expect(told).toEqual([
      [100, 250],
      [200, 250],
      [250, 250],
    ])
  })

  it('sends a change of at most 100 as one, under the dialog key', async () => {
    const keys: string[] = []
    const got = await scheduleInParts(items(100), 'k', async (part, key) => {
      keys.push(key)
      return created(part, 9)
    })
    expect(keys).toEqual(['k'])
    expect(got.map((c) => c.id)).toEqual([9])
  })

  it('stops at a part refused after others were scheduled, with what was made and the refusal of the whole', async () => {
    const refused = new ApiError(422, 'validation_failed', 'refused', 'req-1', [{ field: 'ids[3].budget', message: 'deleted' }])
    let n = 0
    const err = await scheduleInParts(items(250), 'k', async (part) => {
      n++
      if (n === 2) throw refused
      return created(part, n)
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PartlyMade)
    const p = err as PartlyMade<PlannedItem, ScheduledChangeCreated>
    expect(p.made.map((c) => c.id)).toEqual([1])
    expect(p.notSent.map((i) => i.id)).toEqual(items(150).map((i) => i.id + 100))
    expect(p.cause).toBeInstanceOf(ApiError)
    expect((p.cause as ApiError).fields.map((f) => f.field)).toEqual(['ids[103].budget'])
    expect((p.cause as ApiError).requestId).toBe('req-1')
  })

  it('throws the refusal of the first part as it is', async () => {
    const refused = new ApiError(422, 'validation_failed', 'run_at', 'req-1', [{ field: 'run_at', message: 'too far' }])
    await expect(scheduleInParts(items(250), 'k', () => Promise.reject(refused))).rejects.toBe(refused)
  })
})

describe('cancelling or moving several scheduled changes', () => {
  const notPending = () => new ApiError(409, 'conflict', 'not pending', 'req-1', [], null, 'scheduled_change_not_pending')
  it('sends each under a key of the confirmation, those started meanwhile counted apart, and tells the progress', async () => {
    const sent: [number, string][] = []
    const told: string[] = []
    const out = await eachWaiting([12, 13, 14], 'k', async (id, key) => {
      sent.push([id, key])
      if (id === 13) throw notPending()
    }, (done, total) => told.push(`${done}/${total}`))
    expect(sent).toEqual([[12, 'k.1'], [13, 'k.2'], [14, 'k.3']])
    expect(out).toEqual({ done: [12, 14], notPending: [13] })
    expect(told).toEqual(['1/3', '2/3', '3/3'])
  })
  it('sends one under the confirmation’s own key, and throws any other error', async () => {
    const keys: string[] = []
    expect(await eachWaiting([7], 'k', async (_, key) => void keys.push(key))).toEqual({ done: [7], notPending: [] })
    expect(keys).toEqual(['k'])
    const lost = new ApiError(0, 'client_error', 'Failed to fetch', '')
    await expect(eachWaiting([1, 2], 'k', async (id) => { if (id === 2) throw lost })).rejects.toBe(lost)
  })
})
