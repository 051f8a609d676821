import { afterEach, describe, expect, it, vi } from 'vitest'
import { addDays, afterBeijingToday, beijingDate, daysBetween, presetOf, presetRange } from './beijing'

// 2026-12-03 23:30 in UTC is already 2026-12-04 07:30 in Beijing.
const lateUTC = Date.parse('2026-12-03T23:30:00Z')

describe('Beijing dates', () => {
  it('reads the date in Beijing, not in the browser zone', () => {
    expect(beijingDate(lateUTC)).toBe('2026-12-04')
    expect(beijingDate(Date.parse('2026-12-03T15:59:59Z'))).toBe('2026-12-03')
    expect(beijingDate(lateUTC, -1)).toBe('2026-12-03')
  })
  it('moves and counts days across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(daysBetween('2026-11-27', '2026-12-03')).toBe(7)
    expect(daysBetween('2026-12-03', '2026-12-02')).toBe(0)
    expect(daysBetween('x', '2026-12-02')).toBe(0)
  })
  it('computes the presets', () => {
    expect(presetRange('today', lateUTC)).toEqual(['2026-12-04', '2026-12-04'])
    expect(presetRange('yesterday', lateUTC)).toEqual(['2026-12-03', '2026-12-03'])
    expect(presetRange('last7', lateUTC)).toEqual(['2026-11-27', '2026-12-03'])
    expect(presetRange('last14', lateUTC)).toEqual(['2026-11-20', '2026-12-03'])
    expect(presetRange('last30', lateUTC)).toEqual(['2026-11-04', '2026-12-03'])
    expect(presetRange('thisMonth', lateUTC)).toEqual(['2026-12-01', '2026-12-04'])
    expect(presetOf('2026-11-27', '2026-12-03', lateUTC)).toBe('last7')
    expect(presetOf('2026-11-26', '2026-12-03', lateUTC)).toBe('')
  })
})

describe('the days a range may reach', () => {
  afterEach(() => vi.useRealTimers())
  // The picker hands days as local midnights, whatever the browser's zone.
  const dec6 = new Date(2026, 11, 6)
  it('greys out the days after Beijing today, read at each check', () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-12-05T15:59:59Z'))
    expect(afterBeijingToday(dec6)).toBe(true)
    expect(afterBeijingToday(new Date(2026, 11, 5))).toBe(false)
    // Beijing midnight passes with the page open: the new day is offered.
    vi.setSystemTime(Date.parse('2026-12-05T16:00:01Z'))
    expect(afterBeijingToday(dec6)).toBe(false)
    expect(afterBeijingToday(new Date(2026, 11, 7))).toBe(true)
  })
  it('compares across a year end', () => {
    expect(afterBeijingToday(new Date(2027, 0, 1), Date.parse('2026-12-31T16:00:00Z'))).toBe(false)
    expect(afterBeijingToday(new Date(2027, 0, 1), Date.parse('2026-12-31T15:59:59Z'))).toBe(true)
  })
})
