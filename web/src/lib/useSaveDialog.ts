// useSaveDialog holds what the create/edit dialogs share: the
// API's error (its field messages shown under their inputs), the busy flag
// and one Idempotency-Key per opening; submit sends, hands the result on and
// closes, or keeps the dialog open with the error.
import { ref, shallowRef, type Ref } from 'vue'
import { newIdempotencyKey, ApiError, toApiError } from '../api/client'

export function useSaveDialog<T>(open: Ref<boolean>, saved: (out: T) => void, fieldPrefixes: string[] = []) {
  const error = shallowRef<ApiError | null>(null)
  const busy = ref(false)
  let key = ''

  /** reset starts an opening: no error, a new Idempotency-Key. */
  function reset() {
    error.value = null
    key = newIdempotencyKey()
  }

  /** fieldError is the API's message for a field, its items or its members (also under fieldPrefixes). */
  function fieldError(name: string): string | undefined {
    const paths = [name, ...fieldPrefixes.map((p) => p + name)]
    return error.value?.fields.find((f) => paths.some((p) => f.field === p || f.field.startsWith(`${p}[`) || f.field.startsWith(`${p}.`)))?.message
  }

  async function submit(send: (headers: { 'Idempotency-Key': string }) => Promise<T>): Promise<boolean> {
    busy.value = true
    error.value = null
    try {
      saved(await send({ 'Idempotency-Key': key }))
      open.value = false
      return true
    } catch (e) {
      error.value = toApiError(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { error, busy, reset, fieldError, submit }
}
