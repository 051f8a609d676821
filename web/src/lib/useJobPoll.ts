// Following a background job (a backfill, an export) from its dialog: the job
// is fetched every second until it ends or the following stops (the dialog
// closes; the job itself goes on). error is the last failure, of a fetch or
// of what the dialog did with the job.
import { computed, onScopeDispose, shallowRef } from 'vue'
import { toApiError, type ApiError } from '../api/client'

const ended = ['succeeded', 'failed', 'canceled']

export function useJobPoll<J extends { id?: number; status?: string }>(fetch: (id: number) => Promise<J>) {
  const job = shallowRef<J | null>(null)
  const error = shallowRef<ApiError | null>(null)
  const finished = computed(() => ended.includes(job.value?.status ?? ''))
  let timer: ReturnType<typeof setTimeout> | undefined
  let following = false

  async function poll(id: number): Promise<void> {
    try {
      job.value = await fetch(id)
      error.value = null
    } catch (e) {
      error.value = toApiError(e)
    }
    if (following && !finished.value) timer = setTimeout(() => void poll(id), 1000)
  }

  /** follow shows a job just started and fetches it until it ends. */
  function follow(j: J): void {
    following = true
    job.value = j
    if (j.id) void poll(j.id)
  }

  /** stop ends the following. */
  function stop(): void {
    following = false
    clearTimeout(timer)
  }
  onScopeDispose(stop)

  return { job, error, finished, follow, stop }
}
