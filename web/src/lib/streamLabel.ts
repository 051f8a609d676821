// A sync stream as operators call it. The API names streams by the sync
// engine's identifiers (internal/mirror/streams.go): an entity stream per
// kind (campaigns, ads, …) and a report stream per level and granularity
// (report_<level>_<daily|hourly>). The console says an entity stream by its
// level's name (「广告组」) and a report stream as level · granularity
// (「广告主 · 日报」, 「广告计划 · 分时」), in the words the rest of the console
// uses for the levels; a stream it does not know (a newer server) keeps its
// identifier.
import zhCN from '../i18n/zh-CN'

type T = (key: string, params?: Record<string, unknown>) => string

const entityStreams = Object.keys(zhCN.streams.entities)
const reportLevels = ['advertiser', 'campaign', 'ad', 'project', 'promotion'] as const satisfies readonly (keyof typeof zhCN.rules.levels)[]
const granularities = ['daily', 'hourly'] as const
const reportStream = /^report_([a-z]+)_(daily|hourly)$/

/** report is a report stream's level and granularity, when the console knows both. */
function report(name: string): { level: number; granularity: number } | null {
  const [, level = '', granularity = ''] = reportStream.exec(name) ?? []
  const l = reportLevels.indexOf(level as (typeof reportLevels)[number])
  const g = granularities.indexOf(granularity as (typeof granularities)[number])
  return l < 0 || g < 0 ? null : { level: l, granularity: g }
}

/** streamLabel is a sync stream's name in the operator's language, or the identifier itself for a stream the console does not know. */
export function streamLabel(name: string, t: T): string {
  if (entityStreams.includes(name)) return t(`streams.entities.${name}`)
  const r = report(name)
  if (!r) return name
  return t(`streams.${granularities[r.granularity]}`, { level: t(`rules.levels.${reportLevels[r.level]}`) })
}

/** byStreamOrder sorts streams as a sync runs them: the entities, v2 before v3, then the daily reports and the hourly ones, each from the advertiser down; a stream the console does not know last, by name. */
export function byStreamOrder(a: string, b: string): number {
  return rank(a) - rank(b) || a.localeCompare(b)
}

function rank(name: string): number {
  const e = entityStreams.indexOf(name)
  if (e >= 0) return e
  const r = report(name)
  return r ? entityStreams.length + r.granularity * reportLevels.length + r.level : Number.MAX_SAFE_INTEGER
}
