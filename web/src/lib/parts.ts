// Lists longer than one request of the API takes, sent in parts.

/** The most ids a list's ids filter takes (GET /ads?ids=…, /scheduled-changes/pending?entity_ids=…). */
export const idsPerRequest = 200

/** partsOf splits items into parts of at most n, in order. */
export function partsOf<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n))
  return out
}
