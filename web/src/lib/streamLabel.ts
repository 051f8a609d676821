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

const reportStream = /^report_([a-z]+)_(daily|hourly)$/

/** streamLabel is a sync stream's name in the operator's language, or the identifier itself for a stream the console does not know. */
export function streamLabel(name: string, t: T): string {
  if (Object.hasOwn(zhCN.streams.entities, name)) return t(`streams.entities.${name}`)
  const [, level, granularity] = reportStream.exec(name) ?? []
  if (level && granularity && Object.hasOwn(zhCN.rules.levels, level)) {
    return t(`streams.${granularity}`, { level: t(`rules.levels.${level}`) })
  }
  return name
}
