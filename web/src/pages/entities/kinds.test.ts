import { describe, expect, it } from 'vitest'
import { bidField, bidFields, currentValue, kinds, onOff, statusColor, statusKey } from './kinds'

describe('entity kinds', () => {
  it('picks the bid field a row edits', () => {
    expect(bidField(kinds.campaigns, {})).toBeNull()
    expect(bidField(kinds.ads, { pricing: 'PRICING_OCPM' })).toBe('cpa_bid')
    expect(bidField(kinds.ads, { pricing: 'PRICING_CPC' })).toBe('bid')
    expect(bidField(kinds.projects, {})).toBe('cpa_bid')
    expect(bidField(kinds.promotions, {})).toBe('bid')
  })
  it('offers the bid fields of a kind, and unlimited budgets where the API takes them', () => {
    expect(bidFields(kinds.campaigns)).toEqual([])
    expect(bidFields(kinds.ads)).toEqual(['bid', 'cpa_bid'])
    expect(bidFields(kinds.projects)).toEqual(['cpa_bid'])
    expect(bidFields(kinds.promotions)).toEqual(['bid'])
    expect(Object.values(kinds).filter((k) => !k.unlimitedBudget).map((k) => k.kind)).toEqual(['ad'])
  })
  it('reads the current value of a field', () => {
    const e = { status: 'AD_STATUS_DISABLE', opt_status: 'AD_STATUS_DISABLE', budget_mode: 'BUDGET_MODE_DAY', budget: '500.00', bid: '1.20', cpa_bid: '35.00' }
    expect(currentValue(kinds.ads, e, 'status')).toBe('disable')
    expect(currentValue(kinds.ads, e, 'budget')).toBe('500.00')
    expect(currentValue(kinds.ads, e, 'bid')).toBe('1.20')
    expect(currentValue(kinds.ads, e, 'cpa_bid')).toBe('35.00')
    expect(currentValue(kinds.campaigns, { budget_mode: 'BUDGET_MODE_INFINITE', budget: '0.00' }, 'budget')).toBe('unlimited')
  })
  it('derives on/off like the API does', () => {
    expect(onOff(kinds.campaigns, { status: 'CAMPAIGN_STATUS_BUDGET_EXCEED' })).toBe('enable')
    expect(onOff(kinds.campaigns, { status: 'CAMPAIGN_STATUS_DISABLE' })).toBe('disable')
    expect(onOff(kinds.ads, { status: 'AD_STATUS_BUDGET_EXCEED', opt_status: 'AD_STATUS_ENABLE' })).toBe('enable')
    expect(onOff(kinds.ads, { status: 'AD_STATUS_AUDIT', opt_status: 'AD_STATUS_DISABLE' })).toBe('disable')
    expect(onOff(kinds.ads, { status: 'AD_STATUS_DISABLE', opt_status: '' })).toBe('disable')
    expect(onOff(kinds.ads, { status: 'AD_STATUS_DELETE', opt_status: 'AD_STATUS_ENABLE' })).toBe('delete')
    expect(onOff(kinds.projects, { status: 'PROJECT_STATUS_ENABLE', opt_status: 'ENABLE' })).toBe('enable')
    expect(onOff(kinds.promotions, { status: 'OK', opt_status: 'DISABLE' })).toBe('disable')
    expect(onOff(kinds.promotions, { status: 'DELETED', opt_status: 'ENABLE' })).toBe('delete')
  })
  it('colours statuses', () => {
    expect(statusColor('AD_STATUS_DELIVERY_OK')).toBe('green')
    expect(statusColor('AD_STATUS_AUDIT_DENY')).toBe('red')
    expect(statusColor('PROJECT_STATUS_NOT_START')).toBe('orange')
    expect(statusColor('AD_STATUS_DISABLE')).toBe('gray')
  })
})

describe('statusKey', () => {
  it.each([
    ['AD_STATUS_DELIVERY_OK', 'DELIVERY_OK'],
    ['OK', 'DELIVERY_OK'],
    ['CAMPAIGN_STATUS_ENABLE', 'DELIVERY_OK'],
    ['DISABLED', 'DISABLE'],
    ['AD_STATUS_CAMPAIGN_DISABLE', 'PARENT_DISABLE'],
    ['PROJECT_DISABLED', 'PARENT_DISABLE'],
    ['PROJECT_STATUS_BUDGET_EXCEED', 'BUDGET_EXCEED'],
    ['CAMPAIGN_STATUS_ADVERTISER_BUDGET_EXCEED', 'ADVERTISER_BUDGET_EXCEED'],
    ['SOMETHING_NEW', ''],
  ])('%s → %s', (status, key) => {
    expect(statusKey(status)).toBe(key)
  })
})
