import { describe, expect, it } from 'vitest'
import { auditApiQuery, auditFromQuery, auditToQuery } from './filters'

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
})
