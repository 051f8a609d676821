import { describe, expect, it } from 'vitest'
import { changePercent, cpa, ctr, fen, sumYuan } from './ratio'

describe('exact derived metrics', () => {
  it('parses yuan into fen', () => {
    expect(fen('1234.5')).toBe(123450n)
    expect(fen('0.07')).toBe(7n)
    expect(fen('-3')).toBe(-300n)
    expect(fen('12345678901234567.89')).toBe(1234567890123456789n)
    expect(fen('1.234')).toBeNull()
    expect(fen(null)).toBeNull()
  })
  it('computes CPA with half-up rounding', () => {
    expect(cpa('100.00', 3)).toBe('33.33')
    expect(cpa('100.00', 6)).toBe('16.67')
    expect(cpa('0.05', 2)).toBe('0.03')
    expect(cpa('100.00', 0)).toBeNull()
    expect(cpa(null, 3)).toBeNull()
  })
  it('computes CTR in percent', () => {
    expect(ctr(3, 100)).toBe('3.00')
    expect(ctr(1, 3)).toBe('33.33')
    expect(ctr(2, 3)).toBe('66.67')
    expect(ctr(5, 0)).toBeNull()
  })
  it('computes a change in percent', () => {
    expect(changePercent('150.00', '100.00')).toBe('50.00')
    expect(changePercent('50.00', '100.00')).toBe('-50.00')
    expect(changePercent('1.00', '3.00')).toBe('-66.67')
    expect(changePercent('1.00', '0.00')).toBeNull()
  })
  it('sums money without floats', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floats.
    expect(sumYuan(['0.10', '0.20'])).toBe('0.30')
    expect(sumYuan(['9007199254740991.99', '0.01', null])).toBe('9007199254740992.00')
    expect(sumYuan([])).toBe('0.00')
  })
})
