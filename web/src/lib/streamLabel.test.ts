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
  it('names an entity stream by its level, as the console names levels', () => {
    expect(streamLabel('campaigns', on('zh-CN'))).toBe('广告组')
    expect(streamLabel('ads', on('zh-CN'))).toBe('广告计划')
    expect(streamLabel('creatives', on('zh-CN'))).toBe('创意')
    expect(streamLabel('projects', on('zh-CN'))).toBe('项目')
    expect(streamLabel('promotions', on('zh-CN'))).toBe('广告')
    expect(streamLabel('campaigns', on('en-US'))).toBe('Campaigns')
  })
  it('names a report stream by level and granularity', () => {
    expect(streamLabel('report_advertiser_daily', on('zh-CN'))).toBe('广告主 · 日报')
    expect(streamLabel('report_advertiser_hourly', on('zh-CN'))).toBe('广告主 · 分时')
    expect(streamLabel('report_ad_hourly', on('zh-CN'))).toBe('广告计划 · 分时')
    expect(streamLabel('report_promotion_daily', on('zh-CN'))).toBe('广告 · 日报')
    expect(streamLabel('report_advertiser_daily', on('en-US'))).toBe('Advertiser · daily report')
    expect(streamLabel('report_campaign_hourly', on('en-US'))).toBe('Campaign · hourly report')
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
