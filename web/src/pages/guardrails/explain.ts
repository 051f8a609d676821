// What guard rails do, in numbers: which rails apply to a user (everyone,
// each of their roles, the user) and the limit that results, the strictest
// of each. Amounts are compared exactly (integer fen), never as floats.
import type { Guardrail } from '../../api/types'
import { fen } from '../../lib/ratio'

export interface Limits {
  maxBudget: string | null
  maxAccountBudget: string | null
  maxBid: string | null
  maxChangePct: string | null
}

/** railsFor lists the rails that apply to a user with these roles (a rule: its owner's; the system, null: everyone's only). */
export function railsFor(rails: Guardrail[], user: { id: number; roles: string[] } | null): Guardrail[] {
  return rails.filter(
    (r) =>
      r.subject_type === 'all' ||
      (user !== null && r.subject_type === 'role' && user.roles.includes(r.subject ?? '')) ||
      (user !== null && r.subject_type === 'user' && r.subject === String(user.id)),
  )
}

function strictest(values: (string | null | undefined)[]): string | null {
  let best: string | null = null
  for (const v of values) {
    const f = fen(v)
    if (f === null || !v) continue
    const b = fen(best)
    if (best === null || (b !== null && f < b)) best = v
  }
  return best
}

/** effective is the limit each field ends at under several rails: every rail is checked, so the smallest wins. */
export function effective(rails: Guardrail[]): Limits {
  return {
    maxBudget: strictest(rails.map((r) => r.max_budget)),
    maxAccountBudget: strictest(rails.map((r) => r.max_account_budget)),
    maxBid: strictest(rails.map((r) => r.max_bid)),
    maxChangePct: strictest(rails.map((r) => r.max_change_pct)),
  }
}
