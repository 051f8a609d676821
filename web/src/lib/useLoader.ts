// useLoader runs a page's loading function and keeps its loading, error and
// data state; a newer call wins over an older one still in flight.
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError, toApiError } from '../api/client'

export interface Loader<T> {
  data: ShallowRef<T | null>
  loading: Ref<boolean>
  error: ShallowRef<ApiError | null>
  run: () => Promise<void>
}

export function useLoader<T>(fn: () => Promise<T>): Loader<T> {
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = shallowRef<ApiError | null>(null)
  let seq = 0
  async function run(): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const v = await fn()
      if (mine !== seq) return
      data.value = v
      error.value = null
    } catch (e) {
      if (mine !== seq) return
      error.value = toApiError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  return { data, loading, error, run }
}
