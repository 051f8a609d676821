// The report explorer's view lives in the URL query (a shareable link):
// these functions map the query to a typed state and back, dropping
// defaults, and build the API queries of the table, the chart and an export.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { daysBetween, addDays, presetRange } from '../../lib/beijing'

/** The levels the explorer offers; "manager" is the advertiser level rolled up by majordomo/agent account. */
export const levels = ['advertiser', 'campaign', 'ad', 'project', 'promotion', 'manager'] as const
export type LevelChoice = (typeof levels)[number]
export type ApiLevel = Exclude<LevelChoice, 'manager'>

export const dimensions = ['date', 'hour', 'client', 'manager', 'advertiser', 'entity', 'parent'] as const
export type Dimension = (typeof dimensions)[number]

/** Metrics in the API's order: base metrics, then those derived from their sums. */
export const metrics = ['cost', 'show', 'click', 'convert', 'deep_convert', 'ctr', 'cpc', 'cpm', 'cvr', 'cpa'] as const
export type Metric = (typeof metrics)[number]
/** Money metrics (yuan strings); ctr and cvr are percent strings; the rest counts. */
export const moneyMetrics: readonly Metric[] = ['cost', 'cpc', 'cpm', 'cpa']
export const percentMetrics: readonly Metric[] = ['ctr', 'cvr']

export const pageSizes = [20, 50, 100, 200, 500] as const
/** The longest range of an hourly report (the API's limit). */
export const maxHourDays = 31

export interface ReportState {
  level: LevelChoice
  /** Inclusive Beijing dates. */
  from: string
  to: string
  granularity: 'day' | 'hour'
  groupBy: Dimension[]
  /** The metric columns shown. */
  metrics: Metric[]
  chartMetric: Metric
  chart: 'line' | 'bar'
  compare: boolean
  advertiserIds: number[]
  /** The clients whose accounts the report sums (none: every account). */
  clientIds: number[]
  entityIds: number[]
  /** One sort key: "-cost", "date", or "" for the API's default. */
  orderBy: string
  page: number
  pageSize: number
}

export const defaultMetrics: Metric[] = ['cost', 'show', 'click', 'ctr', 'convert', 'cpa']

export function defaultState(now = Date.now()): ReportState {
  const [from, to] = presetRange('last7', now)
  return {
    level: 'advertiser', from, to, granularity: 'day', groupBy: ['advertiser'], metrics: [...defaultMetrics], chartMetric: 'cost',
    chart: 'line', compare: false, advertiserIds: [], clientIds: [], entityIds: [], orderBy: '', page: 1, pageSize: 50,
  }
}

/** apiLevel is the API's level of a choice. */
export function apiLevel(l: LevelChoice): ApiLevel {
  return l === 'manager' ? 'advertiser' : l
}

/** hasHourly: the platform's hourly reports exist for these levels only. */
export function hasHourly(l: LevelChoice): boolean {
  return l === 'advertiser' || l === 'campaign' || l === 'ad' || l === 'manager'
}

/** hasEntities: the level has entities to pick (campaigns, ads, projects, promotions). */
export function hasEntities(l: LevelChoice): l is 'campaign' | 'ad' | 'project' | 'promotion' {
  return l === 'campaign' || l === 'ad' || l === 'project' || l === 'promotion'
}

/** allowedDimensions are the group-by choices of a level and granularity. */
export function allowedDimensions(l: LevelChoice, g: 'day' | 'hour'): Dimension[] {
  const out: Dimension[] = ['date']
  if (g === 'hour') out.push('hour')
  out.push('client', 'manager')
  if (l !== 'manager') out.push('advertiser')
  if (l !== 'advertiser' && l !== 'manager') out.push('entity')
  if (l === 'ad' || l === 'promotion') out.push('parent')
  return out
}

function first(v: LocationQuery[string] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

function list(v: LocationQuery[string] | undefined): string[] {
  const items = Array.isArray(v) ? v : [v]
  return items.flatMap((s) => (typeof s === 'string' ? s.split(',') : [])).map((s) => s.trim()).filter((s) => s !== '')
}

function ids(v: LocationQuery[string] | undefined): number[] {
  return [...new Set(list(v).filter((s) => /^\d{1,19}$/.test(s)).map(Number))].slice(0, 500)
}

const dateRe = /^\d{4}-\d{2}-\d{2}$/

function oneOf<T extends string>(v: string, options: readonly T[], fallback: T): T {
  return (options as readonly string[]).includes(v) ? (v as T) : fallback
}

/** fromQuery reads the explorer's state from the URL; anything invalid falls back to the default. */
export function fromQuery(q: LocationQuery, now = Date.now()): ReportState {
  const d = defaultState(now)
  const level = oneOf(first(q.level), levels, d.level)
  let from = first(q.from)
  let to = first(q.to)
  if (!dateRe.test(from) || !dateRe.test(to) || daysBetween(from, to) === 0) {
    from = d.from
    to = d.to
  }
  const granularity = first(q.granularity) === 'hour' && hasHourly(level) ? 'hour' : 'day'
  if (granularity === 'hour' && daysBetween(from, to) > maxHourDays) from = addDays(to, -(maxHourDays - 1))
  const allowed = allowedDimensions(level, granularity)
  const asked = q.group_by === undefined ? defaultGroupBy(level) : list(q.group_by)
  let groupBy = dimensions.filter((x) => allowed.includes(x) && asked.includes(x))
  if (level === 'manager' && !groupBy.includes('manager')) groupBy = [...groupBy, 'manager']
  const m = list(q.metrics).filter((x): x is Metric => (metrics as readonly string[]).includes(x))
  const shown = q.metrics === undefined || m.length === 0 ? d.metrics : metrics.filter((x) => m.includes(x))
  const size = Number(first(q.page_size))
  const page = Number(first(q.page))
  const order = first(q.order_by)
  const orderKey = order.replace(/^-/, '')
  return {
    level, from, to, granularity, groupBy, metrics: shown,
    chartMetric: oneOf(first(q.chart_metric), metrics, d.chartMetric),
    chart: first(q.chart) === 'bar' ? 'bar' : 'line',
    compare: first(q.compare) === 'previous',
    advertiserIds: ids(q.advertiser_ids),
    clientIds: ids(q.client_ids),
    entityIds: hasEntities(level) ? ids(q.entity_ids) : [],
    orderBy: (metrics as readonly string[]).includes(orderKey) || groupBy.includes(orderKey as Dimension) ? order : '',
    page: Number.isInteger(page) && page >= 1 && page <= 100000 ? page : 1,
    pageSize: (pageSizes as readonly number[]).includes(size) ? size : d.pageSize,
  }
}

/** defaultGroupBy: one row per entity of the level (per manager for the roll-up) over the range. */
export function defaultGroupBy(l: LevelChoice): Dimension[] {
  if (l === 'manager') return ['manager']
  return l === 'advertiser' ? ['advertiser'] : ['entity']
}

/** toQuery writes the state as a URL query, leaving defaults out (from/to always, so a link keeps its dates). */
export function toQuery(s: ReportState): LocationQueryRaw {
  const d = defaultState()
  const q: LocationQueryRaw = { level: s.level, from: s.from, to: s.to }
  if (s.granularity !== 'day') q.granularity = s.granularity
  if (s.groupBy.join(',') !== defaultGroupBy(s.level).join(',')) q.group_by = s.groupBy.join(',')
  if (s.metrics.join(',') !== d.metrics.join(',')) q.metrics = s.metrics.join(',')
  if (s.chartMetric !== d.chartMetric) q.chart_metric = s.chartMetric
  if (s.chart !== 'line') q.chart = s.chart
  if (s.compare) q.compare = 'previous'
  if (s.advertiserIds.length) q.advertiser_ids = s.advertiserIds.join(',')
  if (s.clientIds.length) q.client_ids = s.clientIds.join(',')
  if (s.entityIds.length) q.entity_ids = s.entityIds.join(',')
  if (s.orderBy) q.order_by = s.orderBy
  if (s.page !== 1) q.page = String(s.page)
  if (s.pageSize !== d.pageSize) q.page_size = String(s.pageSize)
  return q
}

/** The filters a report query shares with an export of it. */
export interface ReportParams {
  level: ApiLevel
  from: string
  to: string
  granularity: 'day' | 'hour'
  group_by: Dimension[]
  order_by?: string[]
  advertiser_ids?: number[]
  client_ids?: number[]
  entity_ids?: number[]
}

/** params is the report query of the view (what the table shows, without paging). */
export function params(s: ReportState): ReportParams {
  return {
    level: apiLevel(s.level),
    from: s.from,
    to: s.to,
    granularity: s.granularity,
    group_by: s.groupBy.length ? s.groupBy : ['date'],
    ...(s.orderBy ? { order_by: [s.orderBy] } : {}),
    ...(s.advertiserIds.length ? { advertiser_ids: s.advertiserIds } : {}),
    ...(s.clientIds.length ? { client_ids: s.clientIds } : {}),
    ...(s.entityIds.length ? { entity_ids: s.entityIds } : {}),
  }
}

/** tableQuery is GET /api/v1/reports for the table: the view's page. */
export function tableQuery(s: ReportState) {
  return { ...params(s), page: s.page, page_size: s.pageSize, ...(s.compare ? { compare: 'previous' as const } : {}) }
}

/**
 * chartQuery is GET /api/v1/reports for the chart: the same filters over
 * time only (one point per date, or per date and hour), every point on one
 * page (31 days × 24 hours and 366 days both fit in 1000 rows).
 */
export function chartQuery(s: ReportState) {
  const time: Dimension[] = s.granularity === 'hour' ? ['date', 'hour'] : ['date']
  return {
    ...params(s),
    group_by: time,
    order_by: time,
    page: 1,
    page_size: 1000,
    ...(s.compare ? { compare: 'previous' as const } : {}),
  }
}

/** exportBody is POST /api/v1/reports/exports for the view: every row of the table, in its order. */
export function exportBody(s: ReportState, format: 'csv' | 'xlsx') {
  return { ...params(s), format }
}
