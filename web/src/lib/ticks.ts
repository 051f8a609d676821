// Tables whose rows are ticked to act on together: the row selection they
// show and the rows ticked.
import { computed, ref, watch, type WatchSource } from 'vue'

/** tickColumn is the row selection of such a table: a checkbox column kept in view, with one to tick the page. */
export function tickColumn(width = 36) {
  return { type: 'checkbox', showCheckedAll: true, width, fixed: true } as const
}

/**
 * useTicks keeps the ticks of a list: its rows (those can(row) refuses marked disabled, so they cannot be ticked), the
 * ids ticked — cleared when what the list shows changes (shown) — and the rows ticked.
 */
export function useTicks<T extends { id?: number }>(items: () => readonly T[], can: (row: T) => boolean, shown: WatchSource) {
  const rows = computed(() => items().map((r) => ({ ...r, disabled: !can(r) })))
  const selected = ref<number[]>([])
  watch(shown, () => (selected.value = []))
  const selectedRows = computed(() => rows.value.filter((r) => selected.value.includes(r.id ?? 0)))
  return { rows, selected, selectedRows }
}
