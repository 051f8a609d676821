// Beijing calendar dates (report dates are Beijing dates, whatever the
// browser's time zone) and the date-range presets of the report pickers.

const day = 86_400_000
const offset = 8 * 3_600_000

/** beijingDate is the Beijing date (YYYY-MM-DD) of an instant, moved by offsetDays. */
export function beijingDate(now: number, offsetDays = 0): string {
  return new Date(now + offset + offsetDays * day).toISOString().slice(0, 10)
}

/**
 * afterBeijingToday tells whether a calendar day a date picker hands (a
 * local-midnight Date) is later than the Beijing date at now. It reads now
 * on every call, so a page left open past midnight offers the new day.
 */
export function afterBeijingToday(d: Date, now = Date.now()): boolean {
  return pickedDay(d) > beijingDate(now)
}

/** pickedDay is the calendar day (YYYY-MM-DD) of a date a picker hands (a local-midnight Date). */
export function pickedDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** addDays moves a YYYY-MM-DD date by n days. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * day).toISOString().slice(0, 10)
}

/** daysBetween counts the days of an inclusive range (from ≤ to), 0 for bad input. */
export function daysBetween(from: string, to: string): number {
  const a = Date.parse(`${from}T00:00:00Z`)
  const b = Date.parse(`${to}T00:00:00Z`)
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return 0
  return Math.round((b - a) / day) + 1
}

export const presets = ['today', 'yesterday', 'last7', 'last14', 'last30', 'thisMonth'] as const
export type Preset = (typeof presets)[number]

/**
 * presetRange is the inclusive Beijing date range of a preset. "Last N days"
 * are the N full days before today (today's figures are still coming in);
 * "this month" runs from the 1st to today.
 */
export function presetRange(p: Preset, now = Date.now()): [string, string] {
  const today = beijingDate(now)
  const yesterday = beijingDate(now, -1)
  switch (p) {
    case 'today':
      return [today, today]
    case 'yesterday':
      return [yesterday, yesterday]
    case 'last7':
      return [beijingDate(now, -7), yesterday]
    case 'last14':
      return [beijingDate(now, -14), yesterday]
    case 'last30':
      return [beijingDate(now, -30), yesterday]
    case 'thisMonth':
      return [today.slice(0, 8) + '01', today]
  }
}

/** presetOf names the preset a range is, if any. */
export function presetOf(from: string, to: string, now = Date.now()): Preset | '' {
  return presets.find((p) => {
    const [a, b] = presetRange(p, now)
    return a === from && b === to
  }) ?? ''
}
