import { describe, expect, it } from 'vitest'
import { beijingTime, changeTrend, count, duration, hourLabel, isAmount, money, percent, signedPercent, trendClass } from './format'

describe('money', () => {
  it.each([
    ['1234.5', '1,234.50'],
    ['300', '300.00'],
    ['0.1', '0.10'],
    ['1234567.891', '1,234,567.89'],
    ['-20.00', '-20.00'],
    ['-0.00', '0.00'],
    ['007.10', '7.10'],
    [300, '300.00'],
    // Beyond float precision: formatted from the string, not a number.
    ['90071992547409931.99', '90,071,992,547,409,931.99'],
  ])('%s → %s', (input, want) => {
    expect(money(input)).toBe(want)
  })
  it('shows the placeholder for missing or malformed values', () => {
    expect(money(null)).toBe('—')
    expect(money(undefined)).toBe('—')
    expect(money('')).toBe('—')
    expect(money('abc')).toBe('—')
    expect(money('unlimited', '不限')).toBe('不限')
  })
})

describe('counts and percentages', () => {
  it('groups thousands', () => {
    expect(count(1234567)).toBe('1,234,567')
    expect(count(0)).toBe('0')
    expect(count(null)).toBe('—')
  })
  it('adds the percent sign', () => {
    expect(percent('2.98')).toBe('2.98%')
    expect(percent(null)).toBe('—')
  })
  it('reads the sign of a change', () => {
    expect(changeTrend('12.50')).toBe('up')
    expect(changeTrend('-3.00')).toBe('down')
    expect(changeTrend('0.00')).toBe('flat')
    expect(changeTrend('-0.00')).toBe('flat')
    expect(changeTrend(null)).toBe('none')
    expect(signedPercent('12.50')).toBe('+12.50%')
    expect(signedPercent('-3.00')).toBe('-3.00%')
    expect(signedPercent(null)).toBe('—')
  })
  it('colours a rise red and a fall green, no change muted', () => {
    expect(trendClass('12.50')).toBe('up')
    expect(trendClass('-100.00')).toBe('down')
    expect(trendClass('0.00')).toBe('muted')
    expect(trendClass(null)).toBe('muted')
  })
})

describe('time', () => {
  it('shows instants in Beijing time whatever the browser zone', () => {
    expect(beijingTime('2025-06-18T06:30:05Z')).toBe('2025-06-18 14:30:05')
    expect(beijingTime('2025-06-18T20:00:00Z')).toBe('2025-06-19 04:00:00')
    expect(beijingTime(null)).toBe('—')
    expect(beijingTime('not a date')).toBe('—')
  })
  it('labels hours and durations', () => {
    expect(hourLabel(9)).toBe('09:00')
    expect(duration(45)).toBe('45s')
    expect(duration(200)).toBe('3m 20s')
    expect(duration(7500)).toBe('2h 05m')
    expect(duration(null)).toBe('—')
  })
})

describe('isAmount', () => {
  it.each([
    ['300', true],
    ['300.5', true],
    ['300.55', true],
    [' 300 ', true],
    ['300.555', false],
    ['-1', false],
    ['1e3', false],
    ['', false],
  ])('%s → %s', (v, want) => {
    expect(isAmount(v)).toBe(want)
  })
})
