import { describe, expect, it } from 'vitest'
import { costByClient } from './clients'

describe('costByClient', () => {
  it('maps each client to its cost and leaves the accounts of no client out', () => {
    const m = costByClient([{ client_id: 3, cost: '12.50' }, { cost: '99.00' }, { client_id: 7, cost: '0.00' }])
    expect([...m.entries()]).toEqual([[3, '12.50'], [7, '0.00']])
  })
})
