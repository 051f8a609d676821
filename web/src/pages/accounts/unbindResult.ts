// What an unbinding did, in one message: the accounts unbound, those other
// users still use (only taken out of the caller's scope) and those a client
// given to the caller keeps in it. Parts with nothing in them are left out.
export interface UnbindResult {
  unbound?: number[]
  unassigned?: number[]
  kept_by_client?: number[]
}

type Translate = (key: string, named: Record<string, unknown>) => string

export function unbindSummary(r: UnbindResult, t: Translate, sep: string): string {
  const parts: [string, number[] | undefined][] = [
    ['accounts.unbound', r.unbound],
    ['accounts.unassigned', r.unassigned],
    ['accounts.keptByClient', r.kept_by_client],
  ]
  return parts
    .filter(([, ids]) => (ids?.length ?? 0) > 0)
    .map(([key, ids]) => t(key, { n: ids?.length ?? 0 }))
    .join(sep)
}
