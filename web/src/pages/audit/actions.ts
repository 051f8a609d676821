// An audit action in words: 「结束其他所有会话」 for auth.revoke_other_sessions.
// The console keeps the words of every action the API records (GET
// /audit/actions); an ad operation's are made of its kind and its change;
// an action without words is shown as its identifier.
import type { Translator } from '../../lib/fieldText'

const adOp = /^(campaign|ad|project|promotion|advertiser)\.((?:batch_)?update_(?:status|budget|bid))$/
// A request that matched no route is logged as "post unmatched".
const unmatched = /^([a-z]+|[A-Z]+) unmatched$/
const named = /^[a-z_]+\.[a-z_]+$/

/** actionLabel is the action's words, or the action itself when it has none ('—' for none). */
export function actionLabel(i: Translator, action: string): string {
  if (!action) return '—'
  const op = adOp.exec(action)
  if (op) return i.t(`audit.adOps.${op[2]}`, { kind: i.t(`audit.adKinds.${op[1]}`) })
  const m = unmatched.exec(action)
  if (m) return i.t('audit.unmatched', { method: (m[1] ?? '').toUpperCase() })
  const key = `audit.actions.${action}`
  return named.test(action) && i.te(key) ? i.t(key) : action
}
