import { describe, expect, test } from 'vitest'
import type { AlertKind } from '../../api/types'
import { changed, inherited, labelKeys, num, show, splitOverrides, thresholdBody, thresholdForm, thresholdWords, unitKey, withUnit } from './thresholds'

const lowBalance: AlertKind = {
  kind: 'low_balance',
  evaluated: true,
  params: [
    { name: 'runway_days', default: 3, min: 0.1, max: 90, unit: 'days' },
    { name: 'critical_runway_days', default: 1, min: 0, max: 90, unit: 'days' },
    { name: 'spend_rate_days', default: 3, min: 1, max: 14, integer: true, unit: 'days' },
  ],
  effective: { runway_days: 5, critical_runway_days: 1, spend_rate_days: 3 },
  enabled: true,
}

describe('alert thresholds', () => {
  test('a blank value stands for the defaults every advertiser has, or for one advertiser the values in force for all', () => {
    expect(inherited(lowBalance, true)).toEqual({ runway_days: 3, critical_runway_days: 1, spend_rate_days: 3 })
    expect(inherited(lowBalance, false)).toEqual({ runway_days: 5, critical_runway_days: 1, spend_rate_days: 3 })
  })

  test('only the values typed are sent, as numbers; blanks keep the broader ones', () => {
    const f = thresholdForm('low_balance', 1001)
    f.values = { runway_days: ' 7.5 ', critical_runway_days: '', spend_rate_days: '10' }
    expect(thresholdBody(f, lowBalance)).toEqual({ body: { kind: 'low_balance', advertiser_id: 1001, enabled: true, params: { runway_days: 7.5, spend_rate_days: 10 } } })
  })

  test('text that is not a number is named by its field, nothing is sent', () => {
    const f = thresholdForm('low_balance', 0)
    f.values = { runway_days: '3天', critical_runway_days: '1', spend_rate_days: '.' }
    expect(thresholdBody(f, lowBalance)).toEqual({ invalid: ['params.runway_days', 'params.spend_rate_days'] })
  })

  test('a switched-off kind is sent switched off, with no values', () => {
    const f = thresholdForm('low_balance', 0, { id: 3, kind: 'low_balance', advertiser_id: 0, enabled: false, params: {} })
    expect(thresholdBody(f, lowBalance)).toEqual({ body: { kind: 'low_balance', advertiser_id: 0, enabled: false, params: {} } })
  })

  test('an override opens with its values as they were set, without float noise', () => {
    const f = thresholdForm('low_balance', 0, { id: 1, kind: 'low_balance', advertiser_id: 0, enabled: true, params: { runway_days: 0.1 + 0.2 } })
    expect(f.values).toEqual({ runway_days: '0.3' })
    expect(show(0.001)).toBe('0.001')
    expect(show(1e9)).toBe('1000000000')
    expect(show(undefined)).toBe('—')
  })

  test('overrides split into every advertiser\'s by kind and single advertisers\' in order', () => {
    const { global, single } = splitOverrides([
      { id: 1, kind: 'sync', advertiser_id: 9 },
      { id: 2, kind: 'low_balance', advertiser_id: 0 },
      { id: 3, kind: 'cpa_anomaly', advertiser_id: 9 },
      { id: 4, kind: 'sync', advertiser_id: 2 },
    ])
    expect([...global.keys()]).toEqual(['low_balance'])
    expect(single.map((o) => o.id)).toEqual([4, 3, 1])
  })

  test('an override lists the values it sets in the kind\'s order', () => {
    const out = changed(lowBalance, { kind: 'low_balance', params: { spend_rate_days: 7, runway_days: 4 } })
    expect(out.map((c) => [c.param.name, c.value])).toEqual([['runway_days', 4], ['spend_rate_days', 7]])
  })

  test('labels: the kind\'s own first; units that say something', () => {
    expect(labelKeys('cpa_anomaly', 'ratio')).toEqual(['thresholds.kindParams.cpa_anomaly.ratio', 'thresholds.params.ratio'])
    expect(unitKey('×')).toBe('times')
    expect(unitKey('%')).toBe('pct')
    expect(unitKey('days')).toBe('days')
    expect(unitKey('probability')).toBe('')
  })

  test('a value reads with its unit in words; signs stick to the figure, an hour is a time of day, big figures are grouped', () => {
    const words: Record<string, string> = { days: '天', pct: '%', times: '×', hour: '点', impressions: '' }
    const say = (k: string) => words[k] ?? k
    expect(withUnit({ name: 'runway_days', unit: 'days' }, 3, say)).toBe('3 天')
    expect(withUnit({ name: 'budget_used_pct', unit: '%' }, 80, say)).toBe('80%')
    expect(withUnit({ name: 'ratio', unit: '×' }, 1.5, say)).toBe('1.5×')
    expect(withUnit({ name: 'by_hour', unit: 'hour' }, 14, say)).toBe('14:00')
    expect(withUnit({ name: 'min_impressions', unit: 'impressions' }, 5000, say)).toBe('5,000')
    expect(withUnit({ name: 'significance', unit: 'probability' }, 0.001, say)).toBe('0.001')
    expect(num(1e9)).toBe('1,000,000,000')
    expect(num(360)).toBe('360')
    expect(num(0.5)).toBe('0.5')
  })

  test("words: the kind's own label first, the generic one, else the code; units and values in the texts given", () => {
    const texts: Record<string, string> = {
      'thresholds.kindParams.cpa_anomaly.ratio': '今日 CPA 达基线的', 'thresholds.params.ratio': '与基线之比', 'thresholds.units.days': '天',
    }
    const words = thresholdWords({ t: (k) => texts[k] ?? k, te: (k) => k in texts })
    expect(words.label('cpa_anomaly', { name: 'ratio' })).toBe('今日 CPA 达基线的')
    expect(words.label('ctr_anomaly', { name: 'ratio' })).toBe('与基线之比')
    expect(words.label('sync', { name: 'bogus' })).toBe('bogus')
    expect(words.unit({ name: 'runway_days', unit: 'days' })).toBe('天')
    expect(words.unit({ name: 'maturity', unit: 'share' })).toBe('')
    expect(words.value({ name: 'runway_days', unit: 'days' }, 3)).toBe('3 天')
  })
})

