// One way to tell an operator that an action failed: the API's message (or
// the messages of the fields it named) and the request id to quote.
import { useI18n } from 'vue-i18n'
import { Message } from '@arco-design/web-vue'
import { ApiError } from '../api/client'

export function useErrorMessage(): (e: unknown) => void {
  const { t } = useI18n()
  return (e) => {
    if (!(e instanceof ApiError)) {
      Message.error(String(e))
      return
    }
    const detail = e.fields.map((f) => f.message).join('；')
    const text = e.status === 0 ? t('errors.network') : detail || e.message
    Message.error({ content: `${text}${e.requestId ? ` · ${t('common.requestId')} ${e.requestId}` : ''}`, duration: 6000 })
  }
}
