// What differs between the four entity tables: the API path, the parent
// column, which bid field a row edits, how its on/off state is derived from
// the platform's statuses (as internal/adops does), and the status filter.
import type { Entity, EntityPath } from '../../api/types'
import type { Field } from './changes'

/** The four entity kinds the tables show. */
export type TableKind = 'campaign' | 'ad' | 'project' | 'promotion'
/** What a change applies to: an entity, or an advertiser account's own daily budget. */
export type ChangeKind = TableKind | 'advertiser'
export type BidField = 'bid' | 'cpa_bid'
export type OnOff = 'enable' | 'disable' | 'delete'

export interface KindInfo {
  path: EntityPath
  kind: TableKind
  /** The parent's name column (ads: campaign, promotions: project). */
  parent: 'campaign' | 'project' | null
  hasBid: boolean
  /** Whether its budget may be set to (and from) unlimited: not ads (2/ad/update/budget sets daily budgets only). */
  unlimitedBudget: boolean
  /** Platform statuses offered in the filter. */
  statuses: string[]
}

export const kinds: Record<EntityPath, KindInfo> = {
  campaigns: {
    path: 'campaigns',
    kind: 'campaign',
    parent: null,
    hasBid: false,
    unlimitedBudget: true,
    statuses: ['CAMPAIGN_STATUS_ENABLE', 'CAMPAIGN_STATUS_DISABLE', 'CAMPAIGN_STATUS_BUDGET_EXCEED'],
  },
  ads: {
    path: 'ads',
    kind: 'ad',
    parent: 'campaign',
    hasBid: true,
    unlimitedBudget: false,
    statuses: ['AD_STATUS_DELIVERY_OK', 'AD_STATUS_DISABLE', 'AD_STATUS_AUDIT', 'AD_STATUS_AUDIT_DENY', 'AD_STATUS_BUDGET_EXCEED', 'AD_STATUS_BALANCE_EXCEED', 'AD_STATUS_CAMPAIGN_DISABLE', 'AD_STATUS_DONE'],
  },
  projects: {
    path: 'projects',
    kind: 'project',
    parent: null,
    hasBid: true,
    unlimitedBudget: true,
    statuses: ['PROJECT_STATUS_ENABLE', 'PROJECT_STATUS_DISABLE', 'PROJECT_STATUS_BUDGET_EXCEED', 'PROJECT_STATUS_NOT_START', 'PROJECT_STATUS_DONE'],
  },
  promotions: {
    path: 'promotions',
    kind: 'promotion',
    parent: 'project',
    hasBid: true,
    unlimitedBudget: true,
    statuses: ['OK', 'DISABLED', 'AUDIT', 'AUDIT_DENY', 'BUDGET_EXCEED', 'PROJECT_DISABLED'],
  },
}

/** bidField is the field a row's bid edit changes: the target CPA for projects and OCPC/OCPM ads. */
export function bidField(k: KindInfo, e: Entity): BidField | null {
  if (!k.hasBid) return null
  if (k.kind === 'project') return 'cpa_bid'
  if (k.kind === 'ad' && (e.pricing ?? '').startsWith('PRICING_OC')) return 'cpa_bid'
  return 'bid'
}

/** bidFields are the bid fields of a kind: ads have both (by pricing), projects the target CPA, promotions the bid. */
export function bidFields(k: KindInfo): BidField[] {
  if (!k.hasBid) return []
  if (k.kind === 'ad') return ['bid', 'cpa_bid']
  return k.kind === 'project' ? ['cpa_bid'] : ['bid']
}

/** currentValue is an entity's value of a field as a change's "before": on/off, "unlimited" or yuan. */
export function currentValue(k: KindInfo, e: Entity, field: Field): string {
  if (field === 'status') return onOff(k, e)
  if (field === 'budget') return e.budget_mode === 'BUDGET_MODE_INFINITE' ? 'unlimited' : e.budget ?? ''
  return (field === 'cpa_bid' ? e.cpa_bid : e.bid) ?? ''
}

/** onOff derives whether the operator has the entity switched on, like the API's change rules. */
export function onOff(k: KindInfo, e: Entity): OnOff {
  const status = e.status ?? ''
  const opt = e.opt_status ?? ''
  switch (k.kind) {
    case 'campaign':
      if (status === 'CAMPAIGN_STATUS_DELETE') return 'delete'
      return status === 'CAMPAIGN_STATUS_DISABLE' ? 'disable' : 'enable'
    case 'ad':
      if (status === 'AD_STATUS_DELETE') return 'delete'
      if (opt === 'AD_STATUS_ENABLE') return 'enable'
      if (opt === '') return status === 'AD_STATUS_DISABLE' ? 'disable' : 'enable'
      return 'disable'
    case 'project':
      if (status === 'PROJECT_STATUS_DELETE') return 'delete'
      return opt === 'ENABLE' ? 'enable' : 'disable'
    case 'promotion':
      if (status === 'DELETED') return 'delete'
      return opt === 'ENABLE' ? 'enable' : 'disable'
  }
}

/** statusColor groups platform statuses for their tag colour. */
export function statusColor(status: string): string {
  if (/DELIVERY_OK|_ENABLE$|^OK$/.test(status)) return 'green'
  if (/DENY|DELETE|BALANCE_EXCEED|BUDGET_EXCEED/.test(status)) return 'red'
  if (/AUDIT|NOT_START|CREATE/.test(status)) return 'orange'
  return 'gray'
}

/**
 * statusKey names a platform status for the translations (statuses.*):
 * the level prefix goes, so AD_STATUS_DISABLE and DISABLED share a label.
 * Unknown statuses return "", and the raw code is shown.
 */
export function statusKey(status: string): string {
  const bare = status.replace(/^(AD|CAMPAIGN|PROJECT|PROMOTION)_STATUS_/, '')
  const aliases: Record<string, string> = {
    OK: 'DELIVERY_OK',
    ENABLE: 'DELIVERY_OK',
    DISABLED: 'DISABLE',
    DELETED: 'DELETE',
    TIME_DONE: 'DONE',
    OFFLINE_BALANCE: 'BALANCE_EXCEED',
    OFFLINE_BUDGET: 'BUDGET_EXCEED',
    TIME_NO_REACH: 'NOT_START',
    PROJECT_DISABLED: 'PARENT_DISABLE',
    CAMPAIGN_DISABLE: 'PARENT_DISABLE',
    PROJECT_OFFLINE_BUDGET: 'PARENT_EXCEED',
    CAMPAIGN_EXCEED: 'PARENT_EXCEED',
    PROJECT_PREOFFLINE_BUDGET: 'PREOFFLINE_BUDGET',
  }
  const key = aliases[bare] ?? bare
  return statusKeys.includes(key) ? key : ''
}

export const statusKeys = [
  'DELIVERY_OK', 'DISABLE', 'AUDIT', 'REAUDIT', 'AUDIT_DENY', 'DONE', 'CREATE', 'BALANCE_EXCEED', 'BUDGET_EXCEED',
  'ADVERTISER_BUDGET_EXCEED', 'NOT_START', 'NO_SCHEDULE', 'PARENT_DISABLE', 'PARENT_EXCEED', 'DELETE', 'FROZEN', 'PREOFFLINE_BUDGET',
]
