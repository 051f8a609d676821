// Exact derived metrics from the API's base figures: money strings become
// integer fen (BigInt) and the division rounds half away from zero to two
// decimals, as the server's decimal arithmetic does. No floats.

/** fen parses a yuan string ("1234.5") into integer fen, or null. */
export function fen(yuan: string | null | undefined): bigint | null {
  if (!yuan) return null
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim())
  if (!m) return null
  const v = BigInt(m[2] ?? '0') * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2))
  return m[1] ? -v : v
}

/** fixed2 writes hundredths (an integer) as a decimal string with two places. */
export function fixed2(hundredths: bigint): string {
  const neg = hundredths < 0n
  const a = neg ? -hundredths : hundredths
  const s = `${a / 100n}.${String(a % 100n).padStart(2, '0')}`
  return neg ? '-' + s : s
}

/** divRound divides and rounds half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  const neg = n < 0n !== d < 0n
  const an = n < 0n ? -n : n
  const ad = d < 0n ? -d : d
  const q = (2n * an + ad) / (2n * ad)
  return neg ? -q : q
}

/** cpa is cost / conversions in yuan with two decimals; null when there is none. */
export function cpa(cost: string | null | undefined, convert: number | null | undefined): string | null {
  const c = fen(cost)
  if (c === null || !convert) return null
  return fixed2(divRound(c, BigInt(convert)))
}

/** ctr is clicks / impressions in percent with two decimals; null without impressions. */
export function ctr(click: number | null | undefined, show: number | null | undefined): string | null {
  if (click === null || click === undefined || !show) return null
  return fixed2(divRound(BigInt(click) * 10000n, BigInt(show)))
}

/** changePercent is (today - yesterday) / yesterday in percent; null when yesterday is zero or missing. */
export function changePercent(today: string | null, yesterday: string | null): string | null {
  const a = fen(today)
  const b = fen(yesterday)
  if (a === null || b === null || b === 0n) return null
  return fixed2(divRound((a - b) * 10000n, b))
}

/** sumYuan adds yuan strings exactly. */
export function sumYuan(values: (string | null | undefined)[]): string {
  let total = 0n
  for (const v of values) total += fen(v) ?? 0n
  return fixed2(total)
}
