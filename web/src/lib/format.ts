// Formatting of the API's values for display. Money arrives as decimal
// strings and is formatted as strings: no float arithmetic on money.

const moneyRe = /^(-?)(\d+)(?:\.(\d+))?$/

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * money formats a yuan amount ("1234.5", 300, null) as "1,234.50".
 * Extra decimals are cut, not rounded: the API already sends two.
 * Null, undefined and non-numeric strings give the placeholder.
 */
export function money(v: string | number | null | undefined, placeholder = '—'): string {
  if (v === null || v === undefined || v === '') return placeholder
  const s = typeof v === 'number' ? String(v) : v.trim()
  const m = moneyRe.exec(s)
  if (!m) return placeholder
  const [, sign = '', int = '0', frac = ''] = m
  const cents = (frac + '00').slice(0, 2)
  const n = int.replace(/^0+(?=\d)/, '')
  return `${sign && (n !== '0' || cents !== '00') ? '-' : ''}${groupThousands(n)}.${cents}`
}

/** count formats an integer metric with thousands separators. */
export function count(v: number | null | undefined, placeholder = '—'): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return placeholder
  return groupThousands(String(Math.trunc(v)))
}

/** percent formats a percentage string ("2.98") as "2.98%". */
export function percent(v: string | null | undefined, placeholder = '—'): string {
  if (v === null || v === undefined || v === '') return placeholder
  return `${v}%`
}

/** Direction of a day-over-day change, for colouring. */
export type Trend = 'up' | 'down' | 'flat' | 'none'

/** changeTrend reads the sign of a change_percent string ("-12.50"). */
export function changeTrend(v: string | null | undefined): Trend {
  if (v === null || v === undefined || v === '') return 'none'
  if (/^-/.test(v) && !/^-0(\.0+)?$/.test(v)) return 'down'
  if (/^0(\.0+)?$/.test(v) || /^-0(\.0+)?$/.test(v)) return 'flat'
  return 'up'
}

/** trendClass is the class a change is coloured with (the console's: up red, down green, none muted). */
export function trendClass(v: string | null | undefined): 'up' | 'down' | 'muted' {
  const t = changeTrend(v)
  return t === 'up' || t === 'down' ? t : 'muted'
}

/** signedPercent formats a change percent with its sign: "+12.50%", "-3.00%". */
export function signedPercent(v: string | null | undefined, placeholder = '—'): string {
  const t = changeTrend(v)
  if (t === 'none') return placeholder
  return t === 'up' ? `+${v}%` : `${v}%`
}

const beijing = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** beijingTime formats an RFC 3339 instant as "2025-06-18 14:30:05" in Beijing time. */
export function beijingTime(v: string | null | undefined, placeholder = '—'): string {
  if (!v) return placeholder
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return placeholder
  const p: Record<string, string> = {}
  for (const part of beijing.formatToParts(d)) p[part.type] = part.value
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** hourLabel names a Beijing hour bucket: 9 → "09:00". */
export function hourLabel(h: number): string {
  return `${String(h).padStart(2, '0')}:00`
}

/** duration formats seconds as "2h 05m", "3m 20s" or "45s". */
export function duration(sec: number | null | undefined, placeholder = '—'): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return placeholder
  const s = Math.round(sec)
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  return `${s}s`
}

/**
 * isAmount tells whether a user's input is a yuan amount the API accepts:
 * digits with at most two decimals.
 */
export function isAmount(v: string): boolean {
  return /^\d{1,12}(\.\d{1,2})?$/.test(v.trim())
}

/** nameAndId shows a thing as the pickers do: "name · id" (the id alone when its name is unknown). */
export function nameAndId(names: ReadonlyMap<number, string>, id: number): string {
  const name = names.get(id)
  return name ? `${name} · ${id}` : String(id)
}
