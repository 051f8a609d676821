// The model of a picker of one id kept as a number where 0 means none: the
// picker sees no value (and shows its placeholder) until an id is picked.
import { computed, type WritableComputedRef } from 'vue'

export function pickModel(read: () => number, write: (id: number) => void): WritableComputedRef<number | undefined> {
  return computed({ get: () => read() || undefined, set: (v: number | undefined) => write(v ?? 0) })
}
