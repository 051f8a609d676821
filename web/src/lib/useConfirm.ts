// One way to confirm a write: a warning dialog naming what will happen; OK
// runs the write and closes, or keeps the dialog open and tells the API's
// message and request id.
import { useI18n } from 'vue-i18n'
import { Modal, type ModalConfig } from '@arco-design/web-vue'
import { useErrorMessage } from './useErrorMessage'

export interface ConfirmedWrite {
  title: string
  content: ModalConfig['content']
  okText: string
  /** The write, with what follows it (a message, a reload). */
  run: () => Promise<void>
}

export function useConfirm(): (w: ConfirmedWrite) => void {
  const { t } = useI18n()
  const showError = useErrorMessage()
  return (w) => {
    Modal.warning({
      title: w.title,
      content: w.content,
      hideCancel: false,
      okText: w.okText,
      cancelText: t('common.cancel'),
      onBeforeOk: async () => {
        try {
          await w.run()
          return true
        } catch (e) {
          showError(e)
          return false
        }
      },
    })
  }
}
