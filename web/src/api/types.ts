// Names for the generated schema types the pages use. No hand-written API types.
import type { components } from './schema'

type S = components['schemas']

export type Principal = S['Principal']
export type TokenPair = S['TokenPair']
export type Advertiser = S['Advertiser']
export type AdvertiserDetail = S['AdvertiserDetail']
export type Entity = S['Entity']
export type Change = S['Change']
export type ChangeItem = S['ChangeItem']
export type ChangeOutcome = S['ChangeOutcome']
export type BatchOutcome = S['BatchOutcome']
export type DashboardOverview = S['DashboardOverview']
export type CoreMetrics = S['CoreMetrics']
export type Job = S['Job']
export type BindResult = S['BindResult']
export type Alert = S['Alert']
export type AlertDetail = S['AlertDetail']
export type AlertKind = S['AlertKind']
export type AlertChannel = S['AlertChannel']
export type AlertChannelRequest = S['AlertChannelRequest']
export type AlertSubscription = S['AlertSubscription']
export type AlertSubscriptionRequest = S['AlertSubscriptionRequest']

/** The four entity kinds of the ad-operations API, by list path segment. */
export type EntityPath = 'campaigns' | 'ads' | 'projects' | 'promotions'
