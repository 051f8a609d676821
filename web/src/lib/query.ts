// Table state lives in the URL query, so every view is a shareable link.
// These functions map between the query and a typed state, dropping
// defaults so links stay short.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/** TableState is the state of a server-side paged, sorted, filtered table. */
export interface TableState {
  page: number
  pageSize: number
  /** "-cost" for descending, "name" for ascending, "" for the server's default. */
  orderBy: string
  keyword: string
  status: string[]
  advertiserIds: number[]
}

/** The page sizes the tables offer. */
export const pageSizes = [20, 50, 100, 200] as const

export const defaultTableState: TableState = {
  page: 1,
  pageSize: 20,
  orderBy: '',
  keyword: '',
  status: [],
  advertiserIds: [],
}

function first(v: LocationQuery[string] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v
  return typeof s === 'string' ? s : ''
}

function list(v: LocationQuery[string] | undefined): string[] {
  const items = Array.isArray(v) ? v : [v]
  return items
    .flatMap((s) => (typeof s === 'string' ? s.split(',') : []))
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function positiveInt(s: string, fallback: number, max: number): number {
  if (!/^\d+$/.test(s)) return fallback
  const n = Number(s)
  return n >= 1 && n <= max ? n : fallback
}

/** fromQuery reads a table state from the URL query; bad values fall back to defaults. */
export function fromQuery(q: LocationQuery): TableState {
  const size = positiveInt(first(q.page_size), defaultTableState.pageSize, 200)
  return {
    page: positiveInt(first(q.page), 1, 100000),
    pageSize: (pageSizes as readonly number[]).includes(size) ? size : defaultTableState.pageSize,
    orderBy: /^-?[a-z_]+$/.test(first(q.order_by)) ? first(q.order_by) : '',
    keyword: first(q.keyword).slice(0, 255),
    status: list(q.status),
    advertiserIds: idsParam(q, 'advertiser_ids'),
  }
}

/** idsParam reads a list of ids (repeated or comma-separated); what is not an id is left out. */
export function idsParam(q: LocationQuery, k: string): number[] {
  return list(q[k])
    .filter((s) => /^\d{1,19}$/.test(s))
    .map(Number)
}

/** toQuery writes a table state as a URL query, leaving defaults out. */
export function toQuery(s: TableState): LocationQueryRaw {
  const q: LocationQueryRaw = {}
  if (s.page !== 1) q.page = String(s.page)
  if (s.pageSize !== defaultTableState.pageSize) q.page_size = String(s.pageSize)
  if (s.orderBy) q.order_by = s.orderBy
  if (s.keyword.trim()) q.keyword = s.keyword.trim()
  if (s.status.length) q.status = s.status.join(',')
  if (s.advertiserIds.length) q.advertiser_ids = s.advertiserIds.join(',')
  return q
}

/** Arco's sort directions. */
export type SortDir = 'ascend' | 'descend' | ''

/** sortOf reads the direction a column has under orderBy. */
export function sortOf(orderBy: string, column: string): SortDir {
  if (orderBy === column) return 'ascend'
  if (orderBy === '-' + column) return 'descend'
  return ''
}

/** orderByOf writes a column's sort direction as the API's order_by. */
export function orderByOf(column: string, dir: SortDir): string {
  if (dir === 'ascend') return column
  if (dir === 'descend') return '-' + column
  return ''
}

// ---- filters of the other lists (alerts, audit, changes, users, exports) ----

/** param is the first value of a query parameter ('' when absent). */
export function param(q: LocationQuery, k: string): string {
  return first(q[k])
}

/** pageParam is the page a query asks for (1 when absent or bad). */
export function pageParam(q: LocationQuery): number {
  const page = Number(param(q, 'page'))
  return Number.isInteger(page) && page >= 1 ? page : 1
}

/** idParam is a parameter holding an id ('' unless it is one). */
export function idParam(q: LocationQuery, k: string): string {
  const s = param(q, k)
  return /^\d{1,19}$/.test(s) ? s : ''
}

/** dateParam is a parameter holding a date YYYY-MM-DD ('' unless it is one). */
export function dateParam(q: LocationQuery, k: string): string {
  const s = param(q, k)
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : ''
}

/** oneOfParam is a parameter holding one of the values ('' unless it does). */
export function oneOfParam<T extends string>(q: LocationQuery, k: string, values: readonly T[]): T | '' {
  const s = param(q, k)
  return (values as readonly string[]).includes(s) ? (s as T) : ''
}

/** pageQuery writes a page (none for the first). */
export function pageQuery(page: number): string {
  return page > 1 ? String(page) : ''
}

/** compactQuery leaves out the empty parameters, so links stay short. */
export function compactQuery(q: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''))
}

type Filled<T> = { [K in keyof T]?: Exclude<T[K], '' | 0 | false | null | undefined> }

/** nonEmpty leaves out the filters that are not set ('', 0, false), for an API query. */
export function nonEmpty<T extends object>(o: T): Filled<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== 0 && v !== false && v != null)) as Filled<T>
}
