// useAction holds what a step of a form outside a dialog needs (the steps of
// two-step verification): the busy flag and the API's error, its field
// messages shown under their inputs, or a check of the console's own.
import { ref, shallowRef } from 'vue'
import { ApiError, toApiError } from '../api/client'

export function useAction() {
  const error = shallowRef<ApiError | null>(null)
  const busy = ref(false)

  function reset(): void {
    error.value = null
  }

  /** fieldError is the API's message for a field, if it named it. */
  function fieldError(name: string): string | undefined {
    return error.value?.fieldMessage(name)
  }

  /** refuse shows the console's own message on a field, before anything is sent. */
  function refuse(field: string, message: string): false {
    error.value = new ApiError(0, 'client', message, '', [{ field, message }])
    return false
  }

  /** run sends, hands the answer on and says true, or keeps the error and says false. */
  async function run<T>(send: () => Promise<T>, then: (out: T) => void): Promise<boolean> {
    if (busy.value) return false
    busy.value = true
    error.value = null
    try {
      then(await send())
      return true
    } catch (e) {
      error.value = toApiError(e)
      return false
    } finally {
      busy.value = false
    }
  }

  return { error, busy, reset, fieldError, refuse, run }
}
