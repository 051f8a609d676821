import { describe, expect, it } from 'vitest'
import type { Guardrail } from '../../api/types'
import { effective, railsFor } from './explain'

const rails: Guardrail[] = [
  { id: 1, subject_type: 'all', subject: '', max_budget: '50000.00', max_account_budget: '500000.00', max_bid: null, max_change_pct: null },
  { id: 2, subject_type: 'role', subject: 'operator', max_budget: '9999.99', max_account_budget: '80000.00', max_bid: '80.00', max_change_pct: '50.00' },
  { id: 3, subject_type: 'user', subject: '7', max_budget: '100000.00', max_account_budget: null, max_bid: '120.50', max_change_pct: '30.00' },
  { id: 4, subject_type: 'role', subject: 'viewer', max_budget: '1.00', max_bid: null, max_change_pct: null },
]

describe('guard rails in effect', () => {
  it('apply to everyone, the roles and the user', () => {
    expect(railsFor(rails, { id: 7, roles: ['operator'] }).map((r) => r.id)).toEqual([1, 2, 3])
    expect(railsFor(rails, { id: 8, roles: ['admin'] }).map((r) => r.id)).toEqual([1])
    expect(railsFor(rails, null).map((r) => r.id)).toEqual([1])
  })
  it('end at the strictest limit of each field, compared exactly', () => {
    expect(effective(railsFor(rails, { id: 7, roles: ['operator'] }))).toEqual({ maxBudget: '9999.99', maxAccountBudget: '80000.00', maxBid: '80.00', maxChangePct: '30.00' })
    expect(effective(railsFor(rails, { id: 8, roles: ['admin'] }))).toEqual({ maxBudget: '50000.00', maxAccountBudget: '500000.00', maxBid: null, maxChangePct: null })
    expect(effective([])).toEqual({ maxBudget: null, maxAccountBudget: null, maxBid: null, maxChangePct: null })
    // an account's budget limit is its own: a rail without one leaves it free, whatever its max_budget
    expect(effective(rails.filter((r) => r.id === 3)).maxAccountBudget).toBeNull()
  })
})
