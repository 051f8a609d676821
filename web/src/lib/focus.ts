// v-focus: the input inside the element (an Arco input's wrapper) takes the
// focus when it appears, as the first field of a step that just opened.
import type { Directive } from 'vue'

export const vFocus: Directive<HTMLElement> = {
  mounted(el) {
    setTimeout(() => (el.matches('input') ? el : el.querySelector('input'))?.focus(), 0)
  },
}
