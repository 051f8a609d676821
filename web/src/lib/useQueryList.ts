// A list whose filters and page live in the URL query: the filters read from
// the query, the list loaded again whenever the query changes, and the
// navigation that changes them (a new filter starts again at page 1).
import { computed, watch } from 'vue'
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router'
import { useLoader } from './useLoader'

export function useQueryList<F extends { page: number }, T>(
  read: (q: LocationQuery) => F,
  write: (f: F) => LocationQueryRaw,
  load: (f: F) => Promise<T>,
) {
  const route = useRoute()
  const router = useRouter()
  const f = computed(() => read(route.query))
  const list = useLoader(() => load(f.value))
  watch(() => route.query, () => void list.run(), { immediate: true })

  /** go sets filters and goes back to the first page. */
  function go(patch: Partial<F>): void {
    void router.push({ query: write({ ...f.value, page: 1, ...patch }) })
  }
  /** goPage keeps the filters and turns to a page. */
  function goPage(page: number): void {
    void router.push({ query: write({ ...f.value, page }) })
  }
  return { f, list, go, goPage }
}
