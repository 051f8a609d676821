// Each API replica caches the all-advertisers dashboard for a while, so a
// refresh answered by another replica can carry figures read before the ones
// on screen. The page keeps the newest figures of the day it has seen.

/** The parts of a dashboard answer that say which figures it carries. */
export interface ReadFigures {
  /** Beijing date the figures are of. */
  today?: string
  /** When they were read from the database. */
  read_at?: string
}

/**
 * newest is got, unless shown is of the same day and was read later: a refresh never goes back in time.
 * An answer that does not say when it was read is taken.
 */
export function newest<T extends ReadFigures>(shown: T | null, got: T): T {
  if (shown === null || shown.today !== got.today || !shown.read_at || !got.read_at) return got
  return Date.parse(got.read_at) < Date.parse(shown.read_at) ? shown : got
}

/**
 * keepNewest wraps a fetch of the dashboard so that each answer is the newest it has given so far (by newest)
 * of the same selection: key names what is asked (a client's dashboard or every account's), and an answer
 * for another selection is taken as it is.
 */
export function keepNewest<T extends ReadFigures>(fetch: () => Promise<T>, key: () => string = () => ''): () => Promise<T> {
  let shown: T | null = null
  let shownKey = ''
  return async () => {
    const k = key()
    const got = await fetch()
    shown = k === shownKey ? newest(shown, got) : got
    shownKey = k
    return shown
  }
}
