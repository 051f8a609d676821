import { describe, expect, it } from 'vitest'
import { reactive, ref, toRef } from 'vue'
import type { RuleSpec } from '../../api/types'
import { dayPartsOf, fromForm, toForm } from './form'
import { useHourStrip } from './hourStrip'

// A strip over a model, and a drag: press on the first hour, the pointer
// entering each hour after it in turn, released.
function strip(start: number[] | null) {
  const hours = ref<number[] | null>(start)
  const s = useHourStrip(hours)
  const drag = (...over: number[]) => {
    s.press(over[0]!)
    for (const h of over.slice(1)) s.pass(h)
    s.stop()
  }
  return { hours, parts: () => dayPartsOf(hours.value ?? []), drag, ...s }
}

describe('the hour strip', () => {
  it('takes one hour on a click, and leaves it on the next', () => {
    const s = strip([])
    s.drag(9)
    expect(s.hours.value).toEqual([9])
    expect(s.taken.value.has(9)).toBe(true)
    expect(s.parts()).toEqual([{ from: '09:00', to: '10:00' }])
    s.drag(9)
    expect(s.hours.value).toEqual([])
    expect(s.parts()).toEqual([])
  })

  it('takes the hours a drag passes, either way along the strip', () => {
    const s = strip([])
    s.drag(9, 10, 11, 12, 13, 14, 15, 16, 17)
    expect(s.hours.value).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17])
    expect(s.parts()).toEqual([{ from: '09:00', to: '18:00' }])

    // Backwards: from 22 down to 20, the model still ascending.
    s.drag(22, 21, 20)
    expect(s.hours.value).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22])
    expect(s.parts()).toEqual([{ from: '09:00', to: '18:00' }, { from: '20:00', to: '23:00' }])
  })

  it('leaves the hours a drag passes when it starts on a taken hour', () => {
    const s = strip([9, 10, 11, 12, 13])
    // Starts on 13 (taken): 13…11 are left; 10 and 9 stay.
    s.drag(13, 12, 11)
    expect(s.hours.value).toEqual([9, 10])
    // Starts on 8 (not taken): passing over 9 and 10, already taken, changes nothing there.
    s.drag(8, 9, 10)
    expect(s.hours.value).toEqual([8, 9, 10])
  })

  it('merges hours next to a part into it, and joins two parts a gap hour splits', () => {
    const s = strip([9, 10, 11, 13, 14])
    expect(s.parts()).toEqual([{ from: '09:00', to: '12:00' }, { from: '13:00', to: '15:00' }])
    s.drag(12)
    expect(s.parts()).toEqual([{ from: '09:00', to: '15:00' }])
    s.drag(15, 16)
    expect(s.parts()).toEqual([{ from: '09:00', to: '17:00' }])
    s.drag(8)
    expect(s.parts()).toEqual([{ from: '08:00', to: '17:00' }])
  })

  it('ends the last hour at 24:00 and starts the first at 00:00', () => {
    const s = strip([])
    s.drag(23)
    expect(s.parts()).toEqual([{ from: '23:00', to: '24:00' }])
    s.drag(21, 22)
    expect(s.parts()).toEqual([{ from: '21:00', to: '24:00' }])
    s.drag(0)
    expect(s.parts()).toEqual([{ from: '00:00', to: '01:00' }, { from: '21:00', to: '24:00' }])
  })

  it('does nothing once the pointer is up, until the next press', () => {
    const s = strip([])
    s.drag(9)
    s.pass(10)
    s.pass(11)
    expect(s.hours.value).toEqual([9])
  })

  it('takes or leaves one hour from the keyboard', () => {
    const s = strip([9])
    s.toggle(10)
    expect(s.hours.value).toEqual([9, 10])
    s.toggle(9)
    expect(s.hours.value).toEqual([10])
  })

  it('is disabled by parts that are not whole hours, which are kept as they are', () => {
    const parts = [{ from: '09:30', to: '18:00' }, { from: '20:00', to: '24:00' }]
    const spec = { name: 'r', scope: { level: 'ad' }, conditions: [], actions: [], schedule: { every_minutes: 15, day_parts: parts } } as unknown as RuleSpec
    const form = reactive(toForm(spec))
    const s = useHourStrip(toRef(form, 'hours'))
    expect(s.disabled.value).toBe(true)
    expect(s.taken.value.size).toBe(0)

    // Neither a drag nor the keyboard takes an hour.
    s.press(9)
    s.pass(10)
    s.stop()
    s.toggle(12)
    expect(form.hours).toBeNull()
    expect(fromForm(form).schedule.day_parts).toEqual(parts)

    // Whole hours: enabled.
    expect(useHourStrip(ref<number[] | null>([])).disabled.value).toBe(false)
  })
})
