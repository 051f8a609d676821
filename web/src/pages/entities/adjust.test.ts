import { describe, expect, test } from 'vitest'
import { adjusted, adjustProblem, type Adjust } from './adjust'

const up = (figure: string, by: Adjust['by'] = 'percent'): Adjust => ({ how: 'up', by, figure })
const down = (figure: string, by: Adjust['by'] = 'percent'): Adjust => ({ how: 'down', by, figure })

describe('batch adjustments', () => {
  test('a percentage moves each value from its own, exact to the fen, half up', () => {
    expect(adjusted('1000.00', up('10'))).toEqual({ value: '1100.00' })
    expect(adjusted('250', up('10'))).toEqual({ value: '275.00' })
    expect(adjusted('0.45', up('10'))).toEqual({ value: '0.50' }) // 0.495 → 0.50
    expect(adjusted('0.44', up('10'))).toEqual({ value: '0.48' }) // 0.484 → 0.48
    expect(adjusted('1234.56', down('12.5'))).toEqual({ value: '1080.24' }) // 1080.24
    expect(adjusted('999999999999.99', up('1000'))).toEqual({ value: '10999999999999.89' }) // no float rounding
    expect(adjusted('0.01', down('50'))).toEqual({ value: '0.01' }) // 0.005 → 0.01
  })

  test('an amount of yuan is added or taken; to zero or under has no value', () => {
    expect(adjusted('3.20', up('0.5', 'yuan'))).toEqual({ value: '3.70' })
    expect(adjusted('3.20', down('0.25', 'yuan'))).toEqual({ value: '2.95' })
    expect(adjusted('3.20', down('3.2', 'yuan'))).toEqual({ skip: 'notPositive' })
  })

  test('a budget without limit or a value not known is not moved; set gives every one the same', () => {
    expect(adjusted('unlimited', up('10'))).toEqual({ skip: 'unlimited' })
    expect(adjusted('', up('10'))).toEqual({ skip: 'unknown' })
    expect(adjusted('unlimited', { how: 'set', by: 'percent', figure: ' 800 ' })).toEqual({ value: '800' })
  })

  test('the figure typed is checked for its kind of move', () => {
    expect(adjustProblem({ how: 'set', by: 'percent', figure: 'unlimited' }, 'budget')).toBe('')
    expect(adjustProblem({ how: 'set', by: 'percent', figure: 'unlimited' }, 'bid')).toBe('amount')
    expect(adjustProblem({ how: 'set', by: 'percent', figure: '12.345' }, 'budget')).toBe('amount')
    expect(adjustProblem(up('10'), 'budget')).toBe('')
    expect(adjustProblem(up('1000'), 'budget')).toBe('')
    expect(adjustProblem(up('1000.01'), 'budget')).toBe('percent')
    expect(adjustProblem(up('0'), 'budget')).toBe('percent')
    expect(adjustProblem(up('-5'), 'budget')).toBe('percent')
    expect(adjustProblem(down('99.99'), 'budget')).toBe('')
    expect(adjustProblem(down('100'), 'budget')).toBe('percent')
    expect(adjustProblem(up('0', 'yuan'), 'bid')).toBe('amount')
    expect(adjustProblem(up('0.5', 'yuan'), 'bid')).toBe('')
    expect(adjustProblem(up('1,000', 'yuan'), 'bid')).toBe('amount')
  })
})
