import { describe, expect, it } from 'vitest'
import { allowedDimensions, chartQuery, defaultState, exportBody, fromQuery, tableQuery, toQuery } from './state'

const now = Date.parse('2026-12-03T06:30:00Z') // 14:30 in Beijing

describe('report view in the URL', () => {
  it('defaults to the advertisers of the last 7 days', () => {
    const s = fromQuery({}, now)
    expect(s).toEqual(defaultState(now))
    expect(s.from).toBe('2026-11-26')
    expect(s.to).toBe('2026-12-02')
    expect(s.groupBy).toEqual(['advertiser'])
  })
  it('reads a full view and writes it back unchanged', () => {
    const q = {
      level: 'ad', from: '2026-11-26', to: '2026-12-02', granularity: 'hour', group_by: 'date,hour,entity',
      metrics: 'cost,cvr', chart_metric: 'ctr', chart: 'bar', compare: 'previous', advertiser_ids: '1764248275995652,17',
      entity_ids: '1710000000000101', order_by: '-cost', page: '3', page_size: '500',
    }
    const s = fromQuery(q, now)
    expect(s).toMatchObject({
      level: 'ad', granularity: 'hour', groupBy: ['date', 'hour', 'entity'], metrics: ['cost', 'cvr'], chartMetric: 'ctr',
      chart: 'bar', compare: true, advertiserIds: [1764248275995652, 17], entityIds: [1710000000000101], orderBy: '-cost', page: 3, pageSize: 500,
    })
    expect(toQuery(s)).toEqual(q)
  })
  it('drops what does not fit the level or granularity', () => {
    // Projects have no hourly reports and no parent; hour needs hourly.
    const s = fromQuery({ level: 'project', granularity: 'hour', group_by: 'hour,parent,entity', order_by: 'parent' }, now)
    expect(s.granularity).toBe('day')
    expect(s.groupBy).toEqual(['entity'])
    expect(s.orderBy).toBe('')
    // An hourly range is at most 31 days: the start moves.
    expect(fromQuery({ level: 'ad', granularity: 'hour', from: '2026-01-01', to: '2026-12-02' }, now).from).toBe('2026-11-02')
    // Bad dates, page sizes, metrics and ids fall back.
    const bad = fromQuery({ from: '2026-12-05', to: '2026-12-01', page_size: '7', metrics: 'nope', advertiser_ids: 'x,12;1' }, now)
    expect([bad.from, bad.to, bad.pageSize, bad.metrics, bad.advertiserIds]).toEqual(['2026-11-26', '2026-12-02', 50, defaultState(now).metrics, []])
  })
  it('rolls up by manager at the advertiser level', () => {
    const s = fromQuery({ level: 'manager', group_by: 'date' }, now)
    expect(s.groupBy).toEqual(['date', 'manager'])
    expect(tableQuery(s)).toMatchObject({ level: 'advertiser', group_by: ['date', 'manager'] })
    expect(allowedDimensions('manager', 'day')).toEqual(['date', 'client', 'manager'])
    expect(allowedDimensions('promotion', 'day')).toEqual(['date', 'client', 'manager', 'advertiser', 'entity', 'parent'])
  })
  it('filters and groups by client', () => {
    const s = fromQuery({ level: 'ad', group_by: 'client,date', client_ids: '3,x,7,3' }, now)
    expect([s.groupBy, s.clientIds]).toEqual([['date', 'client'], [3, 7]])
    expect(toQuery(s)).toMatchObject({ group_by: 'date,client', client_ids: '3,7' })
    expect(tableQuery(s)).toMatchObject({ group_by: ['date', 'client'], client_ids: [3, 7] })
    expect(chartQuery(s)).toMatchObject({ group_by: ['date'], client_ids: [3, 7] })
    expect(exportBody(s, 'xlsx')).toMatchObject({ client_ids: [3, 7], format: 'xlsx' })
    expect(fromQuery({ level: 'ad' }, now).clientIds).toEqual([])
    expect(toQuery(fromQuery({ level: 'ad' }, now))).not.toHaveProperty('client_ids')
  })
})

describe('API queries of a view', () => {
  const s = fromQuery({ level: 'ad', from: '2026-11-26', to: '2026-12-02', group_by: 'entity', order_by: '-cost', advertiser_ids: '5', compare: 'previous', page: '2', page_size: '100' }, now)
  it('pages the table', () => {
    expect(tableQuery(s)).toEqual({
      level: 'ad', from: '2026-11-26', to: '2026-12-02', granularity: 'day', group_by: ['entity'], order_by: ['-cost'],
      advertiser_ids: [5], page: 2, page_size: 100, compare: 'previous',
    })
  })
  it('charts the same filters over time', () => {
    expect(chartQuery(s)).toMatchObject({ level: 'ad', group_by: ['date'], order_by: ['date'], page: 1, page_size: 1000, advertiser_ids: [5], compare: 'previous' })
    expect(chartQuery({ ...s, granularity: 'hour' }).group_by).toEqual(['date', 'hour'])
  })
  it('exports the table without paging or comparison', () => {
    expect(exportBody(s, 'xlsx')).toEqual({
      level: 'ad', from: '2026-11-26', to: '2026-12-02', granularity: 'day', group_by: ['entity'], order_by: ['-cost'], advertiser_ids: [5], format: 'xlsx',
    })
  })
})
