// Retrying a failed background job (backfill, export) from a list: the
// API queues it again as the same job.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { Message } from '@arco-design/web-vue'
import { api, call } from '../api/client'
import { useErrorMessage } from './useErrorMessage'

export function useJobRetry(done: () => void) {
  const { t } = useI18n()
  const showError = useErrorMessage()
  /** The id of the job being retried, for the button's spinner. */
  const retrying = ref<number | null>(null)
  async function retry(id: number): Promise<void> {
    retrying.value = id
    try {
      await call(api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id } } }))
      Message.success(t('jobs.retried'))
      done()
    } catch (e) {
      showError(e)
    } finally {
      retrying.value = null
    }
  }
  return { retrying, retry }
}
