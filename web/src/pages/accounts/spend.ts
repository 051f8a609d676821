// 今日消耗 and 可用天数 on the accounts page, from the reports API (level
// advertiser, grouped by advertiser): today's cost so far, and how many days
// the valid balance lasts at the average daily cost of the last three days,
// as the low-balance alert reckons by default (spend_rate_days 3) — over the
// days the mirror has synced only, so that an account bound yesterday is
// averaged over one day, not three (a gap is missing, not zero).
import type { Report } from '../../api/types'
import { addDays } from '../../lib/beijing'
import { divRound, fen as fenOf, fixed2 } from '../../lib/ratio'

/** spendDays is how many days before today the daily average is taken over: the low-balance alert's default. */
export const spendDays = 3

export interface Spend {
  /** Today's cost so far in yuan; null while today's report is not synced. */
  today: string | null
  /** The average daily cost in yuan of the synced days of the last spendDays; null with none synced. */
  avgDaily: string | null
  /** How many days the balance lasts at avgDaily; null without a balance or a cost to divide by. */
  daysLeft: number | null
}

type Coverage = NonNullable<NonNullable<Report['coverage']>['advertisers']>[number]

/** syncedDays counts the days of from..to that coverage has synced: in its synced range and in no gap. */
export function syncedDays(c: Coverage | undefined, from: string, to: string): number {
  if (!c?.synced_from || !c.synced_to) return 0
  let n = 0
  for (let d = from; d <= to; d = addDays(d, 1)) {
    if (d >= c.synced_from && d <= c.synced_to && !(c.gaps ?? []).some((g) => (g.from ?? '') <= d && d <= (g.to ?? ''))) n++
  }
  return n
}

/** fen is an amount of yuan in fen; 0 when there is none. */
function fen(v: string | null | undefined): bigint {
  return fenOf(v) ?? 0n
}

/** spendOf is each advertiser's Spend: today's report, the report of the spendDays before today, and the balances. */
export function spendOf(today: Report, days: Report, balances: Map<number, string | null | undefined>, day: string): Map<number, Spend> {
  const from = addDays(day, -spendDays)
  const to = addDays(day, -1)
  const cost = (r: Report) => new Map((r.items ?? []).map((i) => [i.advertiser_id ?? 0, i.cost ?? '0']))
  const todayCost = cost(today)
  const pastCost = cost(days)
  const coverOf = (r: Report) => new Map((r.coverage?.advertisers ?? []).map((c) => [c.advertiser_id ?? 0, c]))
  const todayCover = coverOf(today)
  const pastCover = coverOf(days)
  const out = new Map<number, Spend>()
  for (const [id, balance] of balances) {
    const synced = syncedDays(pastCover.get(id), from, to)
    const avgFen = synced ? divRound(fen(pastCost.get(id)), BigInt(synced)) : null
    out.set(id, {
      today: syncedDays(todayCover.get(id), day, day) ? (todayCost.get(id) ?? '0.00') : null,
      avgDaily: avgFen === null ? null : fixed2(avgFen),
      daysLeft: avgFen && balance != null && balance !== '' ? Number(fen(balance)) / Number(avgFen) : null,
    })
  }
  return out
}

/** budgetUse is the whole percent (rounded down: 100 only once it is all spent) of an account's own daily budget that today's cost has used; null without either. */
export function budgetUse(today: string | null, budget: string | null | undefined): number | null {
  const spent = fenOf(today)
  const of = fenOf(budget)
  if (spent === null || !of) return null
  return Number((spent * 100n) / of)
}
