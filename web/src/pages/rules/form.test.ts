import { describe, expect, it } from 'vitest'
import type { RuleSpec } from '../../api/types'
import { controlOf, fitAction, type ActionRow, type ConditionRow, fitWindow, formErrors, fromForm, newAction, newCondition, toForm } from './form'
import { blankSpec, specText } from './spec'
import { useSpecEditor } from './useSpecEditor'

// Every part of a spec, including those the form leaves to the JSON.
const full: RuleSpec = {
  name: '成本过高降出价',
  scope: { level: 'ad', ids: [11, 12], advertiser_ids: [1740401085212747], manager_ids: [99], filter: { name_contains: '品牌', statuses: ['AD_STATUS_DELIVERY_OK'], budget_mode: 'BUDGET_MODE_DAY' } },
  match: 'any',
  conditions: [
    { metric: 'cpa', window: { kind: 'today' }, op: 'gt', compare: { window: { kind: 'last_days', n: 7 }, factor: '1.5' } },
    { metric: 'cost', window: { kind: 'last_hours', n: 3 }, op: 'gte', value: '500.10' },
    { metric: 'balance', op: 'lt', value: '1000' },
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
    for (const spec of [full, blankSpec('新规则'), { ...full, schedule: { times: ['10:00', '18:00'] } } as RuleSpec]) {
      expect(fromForm(toForm(spec))).toEqual(spec)
      expect(specText(fromForm(toForm(spec)))).toBe(specText(spec))
    }
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
    f.match = 'all'
    f.conditions = [{ ...newCondition(), value: '200' }]
    f.guards = []
    f.scheduleMode = 'times'
    f.times = '10:00，18:00 、 22:30'
    f.dayParts = ''
    f.actions.push({ ...newAction(), message: '' })
    f.cooldown = undefined
    const s = fromForm(f)
    expect(s.name).toBe('新名字')
    expect(s.scope).toEqual({ level: 'campaign', ids: [11, 12], manager_ids: [99], filter: full.scope.filter })
    expect(s.match).toBe('all')
    expect(s.conditions).toEqual([{ metric: 'cost', window: { kind: 'today' }, op: 'gt', value: '200' }])
    expect(s.guards).toBeUndefined()
    expect(s.schedule).toEqual({ times: ['10:00', '18:00', '22:30'] })
    expect(s.actions[2]).toEqual({ type: 'notify' })
    expect(s.safety).toEqual({ max_actions_per_run: 10, max_actions_per_day: 30 })
  })

  it('reads day parts and leaves an empty value out', () => {
    const f = toForm(full)
    expect(f.dayParts).toBe('09:00-18:00, 20:00-24:00')
    f.dayParts = '08:00 – 12:00，14:00'
    f.conditions[2]!.value = ''
    const s = fromForm(f)
    expect(s.schedule.day_parts).toEqual([{ from: '08:00', to: '12:00' }, { from: '14:00', to: '' }])
    expect(s.conditions[2]).toEqual({ metric: 'balance', op: 'lt' })
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
      ['scope.filter.name_contains', 'scope.other'],
      ['schedule.times[2]', 'schedule.times'],
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
      { field: 'safety', message: '？' },
      { field: '', message: '无字段' },
    ])
    expect(Object.fromEntries(at)).toEqual({
      'conditions.0.window.n': '必须在 1 到 30 天之间',
      'actions.0.by': '必须大于 0；只能选一种',
      'scope.other': '必须是正数',
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
    expect(e.form.value.conditions[1]?.value).toBe('900')
    expect(e.form.value.match).toBe('all')
  })
})
