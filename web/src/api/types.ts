// Names for the generated schema types the pages use. No hand-written API types.
import type { components, paths } from './schema'

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
export type RollbackBatchOutcome = S['RollbackBatchOutcome']
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
export type AlertThreshold = S['AlertThreshold']
export type AlertTeam = S['AlertTeam']
export type Client = S['Client']
export type ReportView = S['ReportView']
export type AlertDigest = S['AlertDigest']
/** The answer of POST /alerts/subscriptions/{id}/digest: the day sent and what each channel answered. */
/** What selects the entities of a values sheet (GET /{kind}/sheet), its field aside: the list's filters. */
export type EntityFilters = Omit<NonNullable<paths['/api/v1/ads/sheet']['get']['parameters']['query']>, 'field'>
export type AlertDigestSent = NonNullable<paths['/api/v1/alerts/subscriptions/{id}/digest']['post']['responses'][200]['content']['application/json']['data']>

/** The four entity kinds of the ad-operations API, by list path segment. */
export type EntityPath = 'campaigns' | 'ads' | 'projects' | 'promotions'
export type Metrics = S['Metrics']
export type Report = S['Report']
export type ReportRow = S['ReportRow']
export type ChangePercent = S['ChangePercent']
export type ReportCoverage = S['ReportCoverage']
export type Export = S['Export']
export type ExportListItem = S['ExportListItem']
export type User = S['User']
export type Session = S['Session']
export type MfaStatus = S['MfaStatus']
export type MfaSetup = S['MfaSetup']
export type RecoveryCodes = S['RecoveryCodes']
export type AuditEntry = S['AuditEntry']
export type Guardrail = S['Guardrail']
export type QuotaUsage = S['QuotaUsage']
export type Rule = S['Rule']
export type RuleSpec = S['RuleSpec']
export type RuleScope = S['RuleScope']
export type RuleWindow = S['RuleWindow']
export type RuleCheck = S['RuleCheck']
export type RuleDecision = S['RuleDecision']
export type RulePreview = S['RulePreview']
export type RuleBacktest = S['RuleBacktest']
export type ScheduledChange = S['ScheduledChange']
export type ScheduledChangeItem = NonNullable<ScheduledChange['items']>[number]
/** What waits for one entity (GET /scheduled-changes/pending): how many changes and the earliest. */
export type PendingScheduled = S['PendingScheduled']
/** The answer of POST /scheduled-changes: the change and the rules it breaks now (checked again when it runs). */
export type ScheduledChangeCreated = ScheduledChange & { warnings?: S['FieldError'][] }
