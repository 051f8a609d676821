import { describe, expect, test } from 'vitest'
import type { Advertiser } from '../../api/types'
import { budgetEditable, budgetValue } from './budgetChange'

const acct = (a: Partial<Advertiser>): Advertiser => ({ id: 1, name: 'a', account_role: 'ADVERTISER', auth_status: 'active', ...a }) as Advertiser

describe('account budget change', () => {
  test("an account's daily budget as a change's before", () => {
    expect(budgetValue(acct({ budget_mode: 'BUDGET_MODE_DAY', budget: '5000.00' }))).toBe('5000.00')
    expect(budgetValue(acct({ budget_mode: 'BUDGET_MODE_INFINITE', budget: null }))).toBe('unlimited')
    expect(budgetValue(acct({ budget_mode: null, budget: null }))).toBe('') // not read yet
  })
  test('only a leaf advertiser its grant covers has a budget to change', () => {
    expect(budgetEditable(acct({}))).toBe(true)
    expect(budgetEditable(acct({ account_role: 'CUSTOMER_ADMIN' }))).toBe(false)
    expect(budgetEditable(acct({ auth_status: 'left_grant' }))).toBe(false)
    expect(budgetEditable(acct({ auth_status: 'needs_reauth' }))).toBe(false)
    expect(budgetEditable(acct({ auth_status: 'unbound' }))).toBe(false)
  })
})
