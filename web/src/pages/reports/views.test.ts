import { describe, expect, test } from 'vitest'
import { defaultState } from './state'
import { isRolling, keptRange, namesAccounts, openQuery, rollingDays, viewQuery } from './views'

describe('saved report views', () => {
  const today = '2026-12-07'
  const state = { ...defaultState(), level: 'ad' as const, from: '2026-11-30', to: '2026-12-06', groupBy: ['date' as const], page: 3 }

  test('a range ending yesterday or today may roll; one ending before may not', () => {
    expect(rollingDays(state, today)).toEqual({ span: 7, end: 1 })
    expect(rollingDays({ from: '2026-12-07', to: '2026-12-07' }, today)).toEqual({ span: 1, end: 0 })
    expect(rollingDays({ from: '2026-11-01', to: '2026-11-30' }, today)).toBeNull()
  })

  test('kept rolling, the last seven days opened a week later are that week\'s last seven days', () => {
    const kept = viewQuery(state, today, true)
    expect(kept).not.toContain('from=')
    expect(kept).not.toContain('page=')
    expect(isRolling(kept)).toBe(true)
    expect(openQuery(kept, '2026-12-14')).toMatchObject({ level: 'ad', from: '2026-12-07', to: '2026-12-13', group_by: 'date' })
    expect(openQuery(kept, today)).toMatchObject({ from: '2026-11-30', to: '2026-12-06' })
    expect(openQuery(kept, today)).not.toHaveProperty('span')
  })

  test('kept as dates, a view opens on its dates; a range that cannot roll keeps its dates', () => {
    const kept = viewQuery(state, today, false)
    expect(isRolling(kept)).toBe(false)
    expect(openQuery(kept, '2026-12-14')).toMatchObject({ level: 'ad', from: '2026-11-30', to: '2026-12-06' })
    const november = viewQuery({ ...state, from: '2026-11-01', to: '2026-11-30' }, today, true)
    expect(openQuery(november, '2027-01-15')).toMatchObject({ from: '2026-11-01', to: '2026-11-30' })
  })

  test('a kept view\'s range reads as it rolls, or as its dates', () => {
    expect(keptRange(viewQuery(state, today, true))).toEqual({ span: 7, end: 1 })
    expect(keptRange(viewQuery({ ...state, to: today }, today, true))).toEqual({ span: 8, end: 0 })
    expect(keptRange(viewQuery(state, today, false))).toEqual({ from: '2026-11-30', to: '2026-12-06' })
  })

  test('a view filtered by accounts or objects names them; one by client does not', () => {
    expect(namesAccounts(viewQuery(state, today, true))).toBe(false)
    expect(namesAccounts(viewQuery({ ...state, advertiserIds: [7] }, today, true))).toBe(true)
    expect(namesAccounts(viewQuery({ ...state, entityIds: [11, 12] }, today, true))).toBe(true)
    expect(namesAccounts(viewQuery({ ...state, clientIds: [3] }, today, true))).toBe(false)
  })
})
