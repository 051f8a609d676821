import { describe, expect, it } from 'vitest'
import { spanLabels, throughHour } from './span'

describe('throughHour', () => {
  it('reads the Beijing hour of data_through, whatever offset it is written in', () => {
    expect(throughHour('2026-11-22T14:00:00+08:00')).toBe(14)
    expect(throughHour('2026-11-22T06:00:00Z')).toBe(14)
    expect(throughHour('2026-11-22T00:00:00+08:00')).toBe(0)
    expect(throughHour('2026-11-22T23:00:00+08:00')).toBe(23)
  })
  it('is null when absent, unreadable or not a whole hour', () => {
    expect(throughHour(undefined)).toBeNull()
    expect(throughHour('')).toBeNull()
    expect(throughHour('soon')).toBeNull()
    expect(throughHour('2026-11-22T14:30:00+08:00')).toBeNull()
  })
})

describe('spanLabels', () => {
  it('names the last minute compared and the end of the data', () => {
    expect(spanLabels(14)).toEqual({ last: '13:59', through: '14:00' })
    expect(spanLabels(1)).toEqual({ last: '00:59', through: '01:00' })
  })
  it('is null before the first complete hour of the day', () => {
    expect(spanLabels(0)).toBeNull()
    expect(spanLabels(null)).toBeNull()
  })
})
