import { describe, expect, it } from 'vitest'
import { auditApiQuery, auditFromQuery, auditToQuery, changesLink, ruleId } from './filters'

describe('audit filters', () => {
  it('round-trip through the URL', () => {
    const q = { actor_type: 'user', actor_id: '7', action: 'user.create', target_type: 'user', target_id: '12', result: 'denied', request_id: 'r-1', from: '2026-12-01', to: '2026-12-03', page: '2' }
    expect(auditToQuery(auditFromQuery(q))).toEqual(q)
  })
  it('drop what the API would refuse', () => {
    expect(auditToQuery(auditFromQuery({ actor_type: 'robot', actor_id: '-1', action: 'DROP TABLE;', result: 'ok', from: '1 Dec', page: '0' }))).toEqual({})
  })
  it('turn Beijing dates into instants, the end exclusive', () => {
    const f = auditFromQuery({ from: '2026-12-01', to: '2026-12-03', action: 'user.create' })
    expect(auditApiQuery(f, 50)).toEqual({ page: 1, page_size: 50, action: 'user.create', from: '2026-12-01T00:00:00+08:00', to: '2026-12-04T00:00:00+08:00' })
  })
  it('lead from an ad operation to the change log of its entity', () => {
    expect(changesLink({ action: 'ad.update_budget', target_type: 'ad', target_id: '7001' })).toEqual({ name: 'changes', query: { kind: 'ad', entity_id: '7001' } })
    expect(changesLink({ action: 'campaign.batch_update_status', target_type: 'campaign', target_id: '12' })).toEqual({ name: 'changes', query: { kind: 'campaign', entity_id: '12' } })
    expect(changesLink({ action: 'user.update', target_type: 'user', target_id: '3' })).toBeNull()
    expect(changesLink({ action: 'ad.update_budget', target_type: 'ad', target_id: '' })).toBeNull()
    expect(changesLink({ action: 'rule.create', target_type: 'rule', target_id: '4' })).toBeNull()
    expect(changesLink(null)).toBeNull()
  })
  it('name the rule of a rule\'s entry only', () => {
    expect(ruleId({ actor_type: 'rule', detail: { rule_id: 42 } })).toBe(42)
    expect(ruleId({ actor_type: 'user', detail: { rule_id: 42 } })).toBe(0)
    expect(ruleId({ actor_type: 'rule', detail: { rule_id: '42' } })).toBe(0)
    expect(ruleId({ actor_type: 'rule', detail: null })).toBe(0)
  })
})
