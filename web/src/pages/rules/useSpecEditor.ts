// One spec, two views: the form and the JSON text. The view shown is the
// one edited; switching writes it into the other. JSON that does not parse
// keeps the editor in JSON, its error shown.
import { computed, ref } from 'vue'
import type { RuleSpec } from '../../api/types'
import { fromForm, toForm, type RuleForm } from './form'
import { parseSpec, specText } from './spec'

export type EditorView = 'form' | 'json'

export function useSpecEditor() {
  const view = ref<EditorView>('form')
  const text = ref('')
  const form = ref<RuleForm>(toForm({}))

  const parsed = computed(() => parseSpec(text.value))
  /** The spec the view shown says; null when the JSON does not parse. */
  const spec = computed<RuleSpec | null>(() => (view.value === 'form' ? fromForm(form.value) : parsed.value.spec))

  /** load puts a spec in both views. */
  function load(s: RuleSpec): void {
    text.value = specText(s)
    form.value = toForm(s)
  }

  /** show switches views; it stays in JSON when the text does not parse. */
  function show(v: EditorView): void {
    if (v === view.value) return
    if (v === 'json') {
      text.value = specText(fromForm(form.value))
    } else {
      const p = parsed.value
      if (!p.spec) return
      form.value = toForm(p.spec)
    }
    view.value = v
  }

  return { view, text, form, parsed, spec, load, show }
}
