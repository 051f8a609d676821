// The strip of 24 Beijing hours the rule form picks its hours of day with,
// as the platform's own schedule picker: press a cell to take or leave its
// hour, or hold the pointer and pass over cells to set a run of hours alike
// (either way along the strip). The model is the form's hours (form.ts):
// the hours taken, ascending, none for all day; null when the spec's day
// parts are not whole hours, when the strip shows no hour, takes no input
// and the model stays null (the parts are sent as they are).
import { computed, type Ref } from 'vue'

export function useHourStrip(hours: Ref<number[] | null>) {
  const disabled = computed(() => hours.value === null)
  const taken = computed(() => new Set(hours.value ?? []))
  // While the pointer is held: whether the cells it passes are taken or left.
  let painting: boolean | null = null

  function set(h: number, on: boolean): void {
    const now = hours.value
    if (now === null || taken.value.has(h) === on) return
    hours.value = on ? [...now, h].sort((a, b) => a - b) : now.filter((x) => x !== h)
  }
  /** press starts a stroke on hour h: it takes h when h was left, else leaves it, and so every hour passed after. */
  function press(h: number): void {
    painting = !taken.value.has(h)
    set(h, painting)
  }
  /** pass is the held pointer entering hour h (nothing when no stroke is on). */
  function pass(h: number): void {
    if (painting !== null) set(h, painting)
  }
  /** stop ends the stroke (pointer up, or out of the strip). */
  function stop(): void {
    painting = null
  }
  /** toggle takes or leaves one hour (the keyboard's Enter and Space). */
  function toggle(h: number): void {
    set(h, !taken.value.has(h))
  }

  return { disabled, taken, press, pass, stop, toggle }
}
