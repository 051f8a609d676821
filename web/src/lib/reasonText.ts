// The console's own words for an error without fields: the API names its
// situation and figures (reason: rule_version_conflict, params: {current:
// "4", expected: "3"}); where the console has a text for that reason it says
// it in the operator's language, otherwise the API's English message stands.
import type { ErrorReason } from '../api/client'
import type { components } from '../api/schema'
import zhCN from '../i18n/zh-CN'
import { fieldText, inWords, type Translator } from './fieldText'

// Every reason the API description names has a text in the console, and so
// has every code a reason's figures take there (the thing not found, the
// permission missing, what is not configured); en-US has the same keys by
// its type. A reason or code added to openapi.yaml without one fails the
// type check.
type Reason = NonNullable<components['schemas']['Error']['reason']>
type Params = NonNullable<components['schemas']['Error']['params']>
const everyReason: Record<Reason, string> = zhCN.serverReasons
const everyThing: Record<NonNullable<Params['thing']>, string> = zhCN.serverThings
const everyPermission: Record<NonNullable<Params['permission']>, string> = zhCN.serverPermissions
const everyWhat: Record<NonNullable<Params['what']>, string> = zhCN.serverWhat
void [everyReason, everyThing, everyPermission, everyWhat]

// Figures that are codes and where the console keeps their words.
const codeWords: Record<string, string> = {
  thing: 'serverThings',
  permission: 'serverPermissions',
  what: 'serverWhat',
  type: 'serverTypes',
  kind: 'rules.levels',
  field: 'rules.fields',
  role: 'accounts.accountRoles',
  result: 'change.results',
  job_kind: 'jobs.kinds',
  job_status: 'jobs.statuses',
  alert_status: 'alerts.statuses',
  auth_status: 'accounts.authStatuses',
  user_status: 'users.statuses',
  // a scheduled change's status (scheduled_change_not_pending); an HTTP status has no words there and stays a number
  status: 'scheduled.statuses',
}

export function reasonText(e: ErrorReason, i: Translator): string {
  const key = `serverReasons.${e.reason ?? ''}`
  if (!e.reason || !i.te(key)) return e.message
  return i.t(key, inWords(e.params, codeWords, i))
}

/** A refusal told apart from its answer (a batch item, a change made later): an error's reason, or a refused field's rule. */
export type Refusal = components['schemas']['Refusal']

/** refusalText is a refusal in the operator's language: the text of its reason, or of its field's rule, or else its message. */
export function refusalText(r: Refusal, i: Translator): string {
  const e = { reason: r.reason, params: r.params, message: r.message ?? '' }
  return i.te(`serverReasons.${r.reason ?? ''}`) ? reasonText(e, i) : fieldText({ field: '', rule: r.reason, ...e }, i).message
}
