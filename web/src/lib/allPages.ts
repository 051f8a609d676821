// Every item of a paged list, for pickers and lists the console shows whole
// (the API answers at most 200 a page).

/** A page of a list as the API answers it. */
export interface Page<T> {
  items?: T[]
  total?: number
}

/** allPages reads pages 1, 2, … until it holds total items, a page comes back empty, or max pages were read. */
export async function allPages<T>(page: (n: number) => Promise<Page<T>>, max = 50): Promise<T[]> {
  const all: T[] = []
  for (let n = 1; n <= max; n++) {
    const p = await page(n)
    const items = p.items ?? []
    all.push(...items)
    if (all.length >= (p.total ?? 0) || !items.length) break
  }
  return all
}
