// The span the dashboard compares: today 00:00 to data_through (a whole
// Beijing hour), as header parts.
import { hourLabel } from '../../lib/format'

/** throughHour is the Beijing hour (0–23) of data_through, null when absent or not a whole hour. */
export function throughHour(dataThrough: string | null | undefined): number | null {
  if (!dataThrough) return null
  const ms = Date.parse(dataThrough)
  if (Number.isNaN(ms) || ms % 3_600_000 !== 0) return null
  // Beijing is UTC+8 all year: its hour is the UTC hour shifted by eight.
  return (ms / 3_600_000 + 8) % 24
}

/** spanLabels: the last minute compared ("13:59") and the end ("14:00"); null before the first complete hour. */
export function spanLabels(hour: number | null): { last: string; through: string } | null {
  if (hour === null || hour <= 0) return null
  return { last: `${String(hour - 1).padStart(2, '0')}:59`, through: hourLabel(hour) }
}
