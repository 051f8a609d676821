import { describe, expect, test } from 'vitest'
import type { Report } from '../../api/types'
import { budgetUse, spendOf, syncedDays } from './spend'

const day = '2026-12-07'
const report = (items: [number, string][], coverage: Record<number, { synced_from?: string; synced_to?: string; gaps?: { from: string; to: string }[] }>): Report =>
  ({
    items: items.map(([advertiser_id, cost]) => ({ advertiser_id, cost })),
    coverage: { advertisers: Object.entries(coverage).map(([id, c]) => ({ advertiser_id: Number(id), ...c })) },
  }) as Report

describe('accounts spend', () => {
  test('the days synced of a range: in the synced range and in no gap', () => {
    expect(syncedDays({ synced_from: '2026-11-01', synced_to: '2026-12-07' }, '2026-11-30', '2026-12-06')).toBe(7)
    expect(syncedDays({ synced_from: '2026-12-04', synced_to: '2026-12-07' }, '2026-11-30', '2026-12-06')).toBe(3)
    expect(syncedDays({ synced_from: '2026-11-01', synced_to: '2026-12-07', gaps: [{ from: '2026-12-01', to: '2026-12-02' }] }, '2026-11-30', '2026-12-06')).toBe(5)
    expect(syncedDays({}, '2026-11-30', '2026-12-06')).toBe(0)
    expect(syncedDays(undefined, day, day)).toBe(0)
  })

  test("today's cost, the average of the synced days and the days the balance lasts", () => {
    const today = report([[1, '120.50']], { 1: { synced_from: '2026-11-01', synced_to: day }, 2: { synced_from: '2026-12-05', synced_to: day }, 3: { synced_from: '2026-12-07', synced_to: '2026-12-07' } })
    const days = report([[1, '3000.03'], [2, '200.00']], { 1: { synced_from: '2026-11-01', synced_to: day }, 2: { synced_from: '2026-12-05', synced_to: day }, 3: { synced_from: '2026-12-07', synced_to: day } })
    const got = spendOf(today, days, new Map<number, string | null>([[1, '10000.00'], [2, '50.00'], [3, '80.00'], [4, null]]), day)
    // 3000.03 over the 3 days 12-04..12-06: 1000.01 a day; 10000.00 lasts 9.9999 days
    expect(got.get(1)).toEqual({ today: '120.50', avgDaily: '1000.01', daysLeft: 1_000_000 / 100_001 })
    // bound two days ago: 200 over the 2 days synced (12-05, 12-06), 100 a day; nothing spent today
    expect(got.get(2)).toEqual({ today: '0.00', avgDaily: '100.00', daysLeft: 0.5 })
    // bound today: today synced, nothing spent yet; no day before it synced
    expect(got.get(3)).toEqual({ today: '0.00', avgDaily: null, daysLeft: null })
    expect(got.get(4)).toEqual({ today: null, avgDaily: null, daysLeft: null })
  })

  test('no spend: no days to say', () => {
    const week = report([], { 1: { synced_from: '2026-11-01', synced_to: day } })
    expect(spendOf(report([], {}), week, new Map([[1, '500.00']]), day).get(1)).toEqual({ today: null, avgDaily: '0.00', daysLeft: null })
  })

  test('the share of its own daily budget an account has spent today, rounded down', () => {
    expect(budgetUse('850.00', '1000.00')).toBe(85)
    expect(budgetUse('999.99', '1000.00')).toBe(99) // not 100 until all of it is spent
    expect(budgetUse('1000.00', '1000.00')).toBe(100)
    expect(budgetUse('0.00', '5000.00')).toBe(0)
    expect(budgetUse('12345678901.23', '20000000000.00')).toBe(61) // beyond a float's exact cents, still exact
    expect(budgetUse(null, '1000.00')).toBeNull() // today not synced
    expect(budgetUse('10.00', null)).toBeNull() // no limit
    expect(budgetUse('10.00', '0.00')).toBeNull()
  })
})
