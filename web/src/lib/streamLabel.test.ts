import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../i18n/zh-CN'
import enUS from '../i18n/en-US'
import { byStreamOrder, streamLabel } from './streamLabel'

const on = (locale: 'zh-CN' | 'en-US') => createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, 'en-US': enUS } }).global.t as never as (key: string, params?: Record<string, unknown>) => string

// The sync engine's stream names, as internal/mirror/streams.go declares them.
const goStreams = [...readFileSync(new URL('../../../internal/mirror/streams.go', import.meta.url), 'utf8').matchAll(/^\s*Stream\w+\s*=\s*"([a-z_]+)"/gm)].map((m) => m[1] ?? '')

describe('streamLabel', () => {
  // Entity streams by their level, as the console names levels; report streams by level and granularity.
  it.each([
    ['campaigns', 'zh-CN', '广告组'],
    ['ads', 'zh-CN', '广告计划'],
    ['creatives', 'zh-CN', '创意'],
    ['projects', 'zh-CN', '项目'],
    ['promotions', 'zh-CN', '广告'],
    ['campaigns', 'en-US', 'Campaigns'],
    ['report_advertiser_daily', 'zh-CN', '广告主 · 日报'],
    ['report_advertiser_hourly', 'zh-CN', '广告主 · 分时'],
    ['report_ad_hourly', 'zh-CN', '广告计划 · 分时'],
    ['report_promotion_daily', 'zh-CN', '广告 · 日报'],
    ['report_advertiser_daily', 'en-US', 'Advertiser · daily report'],
    ['report_campaign_hourly', 'en-US', 'Campaign · hourly report'],
  ] as const)('names %s in %s as %s', (name, locale, want) => {
    expect(streamLabel(name, on(locale))).toBe(want)
  })
  it('keeps the identifier of a stream it does not know', () => {
    for (const name of ['report_audience_daily', 'report_ad_weekly', 'keywords', 'toString', 'report_toString_daily', '']) {
      expect(streamLabel(name, on('zh-CN'))).toBe(name)
    }
  })
  it('has words for every stream the sync engine has, each its own', () => {
    expect(goStreams.length).toBeGreaterThanOrEqual(13)
    for (const locale of ['zh-CN', 'en-US'] as const) {
      const labels = goStreams.map((s) => streamLabel(s, on(locale)))
      labels.forEach((l, i) => expect(l, goStreams[i]).not.toBe(goStreams[i]))
      expect(new Set(labels).size).toBe(goStreams.length)
    }
  })
  it('sorts streams as the sync engine runs them, one it does not know last', () => {
    const shuffled = [...goStreams].sort().reverse()
    expect([...shuffled, 'report_x_daily', 'keywords'].sort(byStreamOrder)).toEqual([...goStreams, 'keywords', 'report_x_daily'])
  })
})
