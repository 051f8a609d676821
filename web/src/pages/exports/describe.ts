// What an export holds, in words, and the report view it was made from.
import type { RouteLocationRaw } from 'vue-router'

export interface ExportParams {
  level?: string
  from?: string
  to?: string
  granularity?: string
  group_by?: string[]
  order_by?: string[]
  advertiser_ids?: number[]
  entity_ids?: number[]
  format?: string
}

type T = (key: string, values?: Record<string, unknown>) => string

/** describeExport: "广告计划 · 2026-11-26 ~ 2026-12-02 · 按天 · 3 个账户". */
export function describeExport(p: ExportParams | undefined, t: T): string {
  if (!p) return ''
  const parts = [
    p.level ? t(`reports.levels.${p.level}`) : '',
    p.from && p.to ? (p.from === p.to ? p.from : `${p.from} ~ ${p.to}`) : '',
    p.granularity === 'hour' ? t('reports.byHour') : t('reports.byDay'),
  ]
  if (p.advertiser_ids?.length) parts.push(t('exports.accounts', { n: p.advertiser_ids.length }))
  if (p.entity_ids?.length) parts.push(t('exports.entities', { n: p.entity_ids.length }))
  return parts.filter(Boolean).join(' · ')
}

/** reportLink opens the report explorer on the export's query. */
export function reportLink(p: ExportParams | undefined): RouteLocationRaw {
  if (!p) return { name: 'reports' }
  const groups = p.group_by ?? []
  const level = p.level === 'advertiser' && groups.includes('manager') && !groups.includes('advertiser') ? 'manager' : p.level
  const q: Record<string, string> = {}
  if (level) q.level = level
  if (p.from) q.from = p.from
  if (p.to) q.to = p.to
  if (p.granularity === 'hour') q.granularity = 'hour'
  if (groups.length) q.group_by = groups.join(',')
  if (p.order_by?.length) q.order_by = p.order_by[0] ?? ''
  if (p.advertiser_ids?.length) q.advertiser_ids = p.advertiser_ids.join(',')
  if (p.entity_ids?.length) q.entity_ids = p.entity_ids.join(',')
  return { name: 'reports', query: q }
}
