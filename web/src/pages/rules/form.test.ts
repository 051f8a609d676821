import { describe, expect, it } from 'vitest'
import type { RuleSpec } from '../../api/types'
import {
  actionAt, actionTypes, controlOf, dayPartsOf, fitAction, fitSchedule, type ActionRow, type ConditionRow, fitWindow, formErrors, fromForm, hoursOf, newAction, newCondition, nextTime, toForm, twoDecimals, levels, metricAt, metrics,
} from './form'
import { blankSpec, specText } from './spec'
import { useSpecEditor } from './useSpecEditor'

// Every part of a spec, including those the form leaves to the JSON.
const full: RuleSpec = {
  name: '成本过高降出价',
  scope: { level: 'ad', ids: [11, 12], advertiser_ids: [1740401085212747], manager_ids: [99], client_ids: [5, 7], filter: { name_contains: '品牌', statuses: ['AD_STATUS_DELIVERY_OK'], budget_mode: 'BUDGET_MODE_DAY' } },
  match: 'any',
  conditions: [
    { metric: 'cpa', window: { kind: 'today' }, op: 'gt', compare: { window: { kind: 'last_days', n: 7 }, factor: '1.5' } },
    { metric: 'cost', window: { kind: 'last_hours', n: 3 }, op: 'gte', value: '500.10' },
    { metric: 'balance', op: 'lt', value: '1000.00' },
  ],
  guards: [{ metric: 'click', window: { kind: 'last_days', n: 3 }, min: '100' }],
  schedule: { every_minutes: 30, day_parts: [{ from: '09:00', to: '18:00' }, { from: '20:00', to: '24:00' }] },
  actions: [
    { type: 'lower_bid', percent: '10', floor: '0.30' },
    { type: 'notify', message: '出价已降低' },
  ],
  safety: { cooldown_minutes: 720, max_actions_per_run: 10, max_actions_per_day: 30 },
}

describe('the rule form', () => {
  it('gives back the spec it was made from, with every part it does not show', () => {
    const schedules: RuleSpec['schedule'][] = [
      { times: ['10:00', '18:00'] },
      { times: ['18:00', '09:05'] },
      // Adjacent parts, overlapping parts and parts that are not whole hours stay as they are.
      { every_minutes: 60, day_parts: [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '18:00' }] },
      { every_minutes: 60, day_parts: [{ from: '10:00', to: '14:00' }, { from: '09:00', to: '11:00' }] },
      { every_minutes: 15, day_parts: [{ from: '09:30', to: '18:00' }, { from: '20:00', to: '24:00' }] },
      { every_minutes: 15, day_parts: [{ from: '22:00', to: '02:00' }] },
    ]
    for (const spec of [full, blankSpec('新规则'), ...schedules.map((schedule) => ({ ...full, schedule }))]) {
      expect(fromForm(toForm(spec))).toEqual(spec)
      expect(specText(fromForm(toForm(spec)))).toBe(specText(spec))
    }
  })

  it('reads and writes a total condition, and leaves total out of the others', () => {
    const spec = { ...full, conditions: [{ metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '50000.00', total: true }, full.conditions[1]!] } as RuleSpec
    const f = toForm(spec)
    expect(f.conditions.map((c) => c.total)).toEqual([true, false])
    expect(f.conditions[0]!.rest).toEqual({})
    expect(fromForm(f)).toEqual(spec)
    f.conditions[0]!.total = false
    expect(fromForm(f).conditions[0]).not.toHaveProperty('total')
  })

  it('keeps unknown keys, in the spec and in its rows', () => {
    const odd = { ...full, note: 'x', conditions: [{ ...full.conditions[1], extra: 1 }], schedule: { ...full.schedule, zone: 'bj' } } as unknown as RuleSpec
    expect(fromForm(toForm(odd))).toEqual(odd)
  })

  it('keeps money and thresholds as the strings typed, never numbers', () => {
    const f = toForm(full)
    expect(f.conditions[1]?.value).toBe('500.10')
    f.conditions[1]!.value = ' 0.10 '
    f.actions[0] = { ...f.actions[0]!, type: 'raise_budget', by: 'amount', value: '100.50', floor: '', ceiling: '5000.00' }
    const s = fromForm(f)
    expect(s.conditions[1]?.value).toBe('0.10')
    expect(s.actions[0]).toEqual({ type: 'raise_budget', amount: '100.50', ceiling: '5000.00' })
    expect(specText(s)).toContain('"amount": "100.50"')
  })

  it('writes what the rows and inputs say', () => {
    const f = toForm(full)
    f.name = '新名字'
    f.level = 'campaign'
    f.advertiserIds = []
    f.clientIds = [7]
    f.match = 'all'
    f.conditions = [{ ...newCondition(), value: '200' }]
    f.guards = []
    f.scheduleMode = 'times'
    f.times = ['10:00', '18:00', '22:30']
    f.hours = []
    f.actions.push({ ...newAction(), message: '' })
    f.cooldown = undefined
    const s = fromForm(f)
    expect(s.name).toBe('新名字')
    expect(s.scope).toEqual({ level: 'campaign', ids: [11, 12], manager_ids: [99], client_ids: [7], filter: full.scope.filter })
    // In the server's order, as the JSON view shows it.
    expect(Object.keys(s.scope)).toEqual(['level', 'ids', 'manager_ids', 'client_ids', 'filter'])
    expect(toForm(full).clientIds).toEqual([5, 7])
    expect(s.match).toBe('all')
    expect(s.conditions).toEqual([{ metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '200' }])
    expect(s.guards).toBeUndefined()
    expect(s.schedule).toEqual({ times: ['10:00', '18:00', '22:30'] })
    expect(s.actions[2]).toEqual({ type: 'notify' })
    expect(s.safety).toEqual({ max_actions_per_run: 10, max_actions_per_day: 30 })
  })

  it('leaves an empty value out', () => {
    const f = toForm(full)
    f.conditions[2]!.value = ''
    expect(fromForm(f).conditions[2]).toEqual({ metric: 'balance', op: 'lt' })
  })

  it('shows stored yuan with two decimals, the same value; percents, counts and longer figures as they came', () => {
    const stored = {
      ...full,
      conditions: [
        { metric: 'cpa', window: { kind: 'today' }, op: 'gt', value: '35.5' },
        { metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '300' },
        { metric: 'cpm', window: { kind: 'today' }, op: 'gt', value: '0.125' },
        { metric: 'convert', window: { kind: 'today' }, op: 'lt', value: '3' },
        { metric: 'ctr', window: { kind: 'today' }, op: 'lt', value: '2.5' },
      ],
      guards: [{ metric: 'cost', window: { kind: 'today' }, min: '20' }, { metric: 'click', window: { kind: 'today' }, min: '100' }],
      actions: [
        { type: 'lower_budget', amount: '35.5', floor: '300', ceiling: '5000.5' },
        { type: 'raise_bid', percent: '10', ceiling: '1.5' },
      ],
    } as RuleSpec
    const f = toForm(stored)
    expect(f.conditions.map((c) => c.value)).toEqual(['35.50', '300.00', '0.125', '3', '2.5'])
    expect(f.guards.map((g) => g.min)).toEqual(['20.00', '100'])
    expect(f.actions.map((a) => [a.value, a.floor, a.ceiling])).toEqual([['35.50', '300.00', '5000.50'], ['10', '', '1.50']])
    // What the form sends is what it shows: strings, equal in value to what was stored.
    const s = fromForm(f)
    expect(s.actions).toEqual([{ type: 'lower_budget', amount: '35.50', floor: '300.00', ceiling: '5000.50' }, { type: 'raise_bid', percent: '10', ceiling: '1.50' }])
    expect(s.conditions.map((c) => c.value)).toEqual(['35.50', '300.00', '0.125', '3', '2.5'])
    expect(fromForm(toForm(s))).toEqual(s)
  })

  it('writes money with two decimals only where it is a plain amount', () => {
    const cases: [string, string][] = [['35.5', '35.50'], ['300', '300.00'], ['0', '0.00'], ['35.50', '35.50'], ['0.125', '0.125'], ['-3', '-3'], ['1e3', '1e3'], ['', ''], ['abc', 'abc'], ['35.', '35.']]
    for (const [v, want] of cases) expect(twoDecimals(v), v).toBe(want)
  })

  it('keeps fixed times as the pickers hold them, and starts them with one', () => {
    const f = toForm({ ...full, schedule: { times: ['18:00', '09:05'] } })
    expect(f.scheduleMode).toBe('times')
    expect(f.times).toEqual(['18:00', '09:05'])
    f.times.push(nextTime(f.times))
    expect(fromForm(f).schedule).toEqual({ times: ['18:00', '09:05', '10:00'] })
    f.times.splice(0, 1)
    expect(fromForm(f).schedule).toEqual({ times: ['09:05', '10:00'] })

    // Choosing fixed times: one picker to start with, and no hours of day (they go with every N minutes).
    const e = toForm(full)
    expect(e.times).toEqual([])
    e.scheduleMode = 'times'
    fitSchedule(e)
    expect(e.times).toEqual(['10:00'])
    expect(fromForm(e).schedule).toEqual({ times: ['10:00'] })
    fitSchedule(e)
    expect(e.times).toEqual(['10:00'])
    // Back to every N minutes: the times are not sent, the interval is; the hours are left as they are.
    e.scheduleMode = 'every'
    e.hours = [9]
    fitSchedule(e)
    expect(e.hours).toEqual([9])
    expect(fromForm(e).schedule).toEqual({ every_minutes: 30, day_parts: [{ from: '09:00', to: '10:00' }] })
  })

  it('offers the next whole hour not taken for a new time', () => {
    expect(nextTime([])).toBe('10:00')
    expect(nextTime(['10:00'])).toBe('11:00')
    expect(nextTime(['18:30'])).toBe('19:00')
    expect(nextTime(['23:00'])).toBe('00:00')
    expect(nextTime(['00:00', '23:00'])).toBe('01:00')
    expect(nextTime(['11:00', '10:00'])).toBe('12:00')
  })

  it('reads day parts as hours of day, and writes changed hours as runs', () => {
    expect(hoursOf(undefined)).toEqual([])
    expect(hoursOf([{ from: '09:00', to: '12:00' }, { from: '20:00', to: '24:00' }])).toEqual([9, 10, 11, 20, 21, 22, 23])
    expect(hoursOf([{ from: '10:00', to: '12:00' }, { from: '09:00', to: '11:00' }])).toEqual([9, 10, 11])
    expect(hoursOf([{ from: '00:00', to: '01:00' }])).toEqual([0])
    for (const odd of [[{ from: '09:30', to: '18:00' }], [{ from: '22:00', to: '02:00' }], [{ from: '09:00', to: '09:00' }], [{ from: '24:00', to: '24:00' }], [{ from: '09:00', to: '25:00' }], [{ from: '9:00', to: '18:00' }], [{ from: '09:00' }], 'x'])
      expect(hoursOf(odd), JSON.stringify(odd)).toBeNull()
    expect(dayPartsOf([])).toEqual([])
    expect(dayPartsOf([23, 9, 10, 11, 0, 22])).toEqual([{ from: '00:00', to: '01:00' }, { from: '09:00', to: '12:00' }, { from: '22:00', to: '24:00' }])

    const f = toForm(full)
    expect(f.hours).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23])
    f.hours = [...f.hours!.filter((h) => h < 20), 19]
    expect(fromForm(f).schedule).toEqual({ every_minutes: 30, day_parts: [{ from: '09:00', to: '18:00' }, { from: '19:00', to: '20:00' }] })
    f.hours = []
    expect(fromForm(f).schedule).toEqual({ every_minutes: 30 })

    // Parts that are not whole hours: no hours to pick, the parts sent as they are.
    const odd = toForm({ ...full, schedule: { every_minutes: 15, day_parts: [{ from: '09:30', to: '18:00' }] } })
    expect(odd.hours).toBeNull()
    expect(fromForm(odd).schedule.day_parts).toEqual([{ from: '09:30', to: '18:00' }])
  })

  it('makes a partial spec (JSON being written) into a form without failing', () => {
    const f = toForm({ name: 'x' } as Partial<RuleSpec>)
    expect(f.conditions).toEqual([])
    expect(fromForm(f)).toMatchObject({ name: 'x', scope: { level: 'ad' }, conditions: [], actions: [], schedule: {} })
  })

  it('fits a row to its action type and metric', () => {
    const a: ActionRow = { ...newAction(), type: 'raise_budget', by: 'percent', value: '20', ceiling: '5000', message: 'x' }
    fitAction(a)
    expect(a).toMatchObject({ by: 'percent', value: '20', ceiling: '5000', message: '' })
    a.type = 'set_bid'
    fitAction(a)
    expect(a).toMatchObject({ by: 'amount', value: '20', ceiling: '5000' })
    a.type = 'pause'
    fitAction(a)
    expect(a).toMatchObject({ value: '', floor: '', ceiling: '', message: '' })

    const c: ConditionRow = { ...newCondition(), window: 'last_days', n: undefined }
    fitWindow(c)
    expect(c.n).toBe(7)
    c.metric = 'bid'
    fitWindow(c)
    expect(c).toMatchObject({ window: '', n: undefined })
    c.metric = 'cvr'
    fitWindow(c)
    expect(c.window).toBe('today')
  })
})

describe('what each level offers', () => {
  it('offers an account rule its own daily budget and notify, never a status or a bid', () => {
    const at = (level: string) => actionTypes.filter((a) => actionAt(level, a))
    expect(at('advertiser')).toEqual(['set_budget', 'raise_budget', 'lower_budget', 'notify'])
    expect(at('campaign')).toEqual(['pause', 'enable', 'set_budget', 'raise_budget', 'lower_budget', 'notify'])
    for (const l of ['ad', 'project', 'promotion']) expect(at(l)).toEqual([...actionTypes])
  })
  it('measures budget use where there are hourly reports and a bid where there is one', () => {
    const lacking = Object.fromEntries(levels.map((l) => [l, metrics.filter((m) => !metricAt(l, m))]))
    expect(lacking).toEqual({ ad: [], campaign: ['bid'], project: ['budget_used_pct'], promotion: ['budget_used_pct'], advertiser: ['bid'] })
  })
})

describe('field errors in the form', () => {
  it('name the control of a field path', () => {
    const cases: [string, string][] = [
      ['conditions[0].window.n', 'conditions.0.window.n'],
      ['conditions[1].window.kind', 'conditions.1.window'],
      ['conditions[2].compare.factor', 'conditions.2.value'],
      ['conditions[0]', 'conditions.0'],
      ['guards[0].min', 'guards.0.min'],
      ['actions[1].percent', 'actions.1.by'],
      ['actions[1].amount', 'actions.1.by'],
      ['actions[0].ceiling', 'actions.0.ceiling'],
      ['scope.advertiser_ids[3]', 'scope.advertiser_ids'],
      ['scope.manager_ids[0]', 'scope.other'],
      ['scope.client_ids[1]', 'scope.client_ids'],
      ['scope.filter.name_contains', 'scope.other'],
      ['schedule.times[2]', 'schedule.times.2'],
      ['schedule.times', 'schedule.times'],
      ['schedule.day_parts[1].from', 'schedule.day_parts'],
      ['schedule.day_parts[0].to', 'schedule.day_parts'],
      ['safety.max_actions_per_day', 'safety.max_actions_per_day'],
      ['name', 'name'],
    ]
    for (const [field, want] of cases) expect(controlOf(field), field).toBe(want)
  })

  it('file each under its control, joined when two name one, and list those the form has no control for', () => {
    const { at, rest } = formErrors([
      { field: 'conditions[0].window.n', message: '必须在 1 到 30 天之间' },
      { field: 'actions[0].amount', message: '必须大于 0' },
      { field: 'actions[0].percent', message: '只能选一种' },
      { field: 'scope.ids[0]', message: '必须是正数' },
      { field: 'schedule.times[1]', message: '10:00 重复' },
      { field: 'schedule.day_parts[0].to', message: '必须晚于开始' },
      { field: 'safety', message: '？' },
      { field: '', message: '无字段' },
    ])
    expect(Object.fromEntries(at)).toEqual({
      'conditions.0.window.n': '必须在 1 到 30 天之间',
      'actions.0.by': '必须大于 0；只能选一种',
      'scope.other': '必须是正数',
      'schedule.times.1': '10:00 重复',
      'schedule.day_parts': '必须晚于开始',
    })
    expect(rest.map((f) => f.field)).toEqual(['safety', ''])
  })
})

describe('the editor’s two views', () => {
  it('edit one spec; JSON that does not parse keeps the editor in JSON', () => {
    const e = useSpecEditor()
    e.load(full)
    expect(e.view.value).toBe('form')
    e.form.value.conditions[1]!.value = '800'
    expect(e.spec.value?.conditions[1]?.value).toBe('800')
    e.show('json')
    expect(JSON.parse(e.text.value).conditions[1].value).toBe('800')
    expect(JSON.parse(e.text.value).scope.filter).toEqual(full.scope.filter)

    e.text.value = e.text.value.replace('"800"', '"900"').replace('"any"', '"all"')
    expect(e.spec.value?.match).toBe('all')
    const good = e.text.value
    e.text.value = good + ','
    e.show('form')
    expect(e.view.value).toBe('json')
    expect(e.spec.value).toBeNull()
    e.text.value = good
    e.show('form')
    expect(e.view.value).toBe('form')
    // A cost in yuan, shown with two decimals.
    expect(e.form.value.conditions[1]?.value).toBe('900.00')
    expect(e.form.value.match).toBe('all')
  })
})
