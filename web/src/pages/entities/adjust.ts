// Batch budgets and bids by how they move: each selected object set to one
// amount, or raised or lowered from its own value by a percentage or by an
// amount of yuan (上调 10%: 1,000.00 → 1,100.00 and 250.00 → 275.00). The
// new values are worked out in fen, exactly (half up to the fen), and sent
// as the batch's per-item values: the dry run shows each before → after.
import { isAmount } from '../../lib/format'
import { divRound, fen as fenOf, fixed2 } from '../../lib/ratio'

/** How: set to one amount, or move each value up or down. */
export type AdjustHow = 'set' | 'up' | 'down'
/** By: a percentage of each value, or yuan. */
export type AdjustBy = 'percent' | 'yuan'
export interface Adjust {
  how: AdjustHow
  by: AdjustBy
  figure: string
}

/** adjustProblem names what is wrong with the figure typed: 'amount', 'percent' (0.01 to 1000, and under 100 down), or ''. */
export function adjustProblem(a: Adjust, field: string): '' | 'amount' | 'percent' {
  const v = a.figure.trim()
  if (a.how === 'set') return (field === 'budget' && v === 'unlimited') || isAmount(v) ? '' : 'amount'
  if (a.by === 'yuan') return isAmount(v) && fen(v) > 0n ? '' : 'amount'
  if (!/^\d{1,4}(\.\d{1,2})?$/.test(v)) return 'percent'
  const hundredths = fen(v)
  return hundredths > 0n && hundredths <= 100_000n && !(a.how === 'down' && hundredths >= 10_000n) ? '' : 'percent'
}

/** Adjusted is one object's new value, or why it has none: a budget without limit, a value not known, or one moved to zero or under. */
export type Adjusted = { value: string } | { skip: 'unlimited' | 'unknown' | 'notPositive' }

/** adjusted moves a current value ("unlimited", yuan, or '' unknown) as a asks; the figure must have no adjustProblem. */
export function adjusted(current: string, a: Adjust): Adjusted {
  if (a.how === 'set') return { value: a.figure.trim() }
  if (current === 'unlimited') return { skip: 'unlimited' }
  if (!isAmount(current)) return { skip: 'unknown' }
  const now = fen(current)
  const sign = a.how === 'up' ? 1n : -1n
  let next: bigint
  if (a.by === 'yuan') next = now + sign * fen(a.figure)
  else {
    // now × (100 ± p) / 100, p in hundredths of a percent: (10000 ± p) / 10000, half up
    next = divRound(now * (10_000n + sign * fen(a.figure)), 10_000n)
  }
  return next > 0n ? { value: fixed2(next) } : { skip: 'notPositive' }
}

/** fen is an amount (or a percentage) of at most two decimals, checked before, in hundredths. */
function fen(v: string): bigint {
  return fenOf(v) ?? 0n
}

/** A row of a batch change of amounts: its id, its name and the field's current value ("unlimited", yuan, or "" when not known). */
export interface BatchRow {
  id: number
  name: string
  value: string
}
