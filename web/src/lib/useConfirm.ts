// One way to confirm a write: a warning dialog naming what will happen; OK
// runs the write (with one Idempotency-Key for the opening, however often OK
// is tried), says it is done and goes on, or keeps the dialog open and tells
// the API's message and request id. A write still at work under its key (OK
// again after its answer was lost) is waited for (untilAnswered).
import { useI18n } from 'vue-i18n'
import { Message, Modal, type ModalConfig } from '@arco-design/web-vue'
import { newIdempotencyKey } from '../api/client'
import { answerLost, defaultWaiting, untilAnswered, type Waiting } from './untilAnswered'
import { useErrorMessage } from './useErrorMessage'

export interface ConfirmedWrite {
  title: string
  content: ModalConfig['content']
  okText: string
  /** What declining says, where "取消" would read as the write itself (cancelling a scheduled change). */
  cancelText?: string
  /** The write, given the opening's Idempotency-Key header to send. */
  run: (headers: { 'Idempotency-Key': string }) => Promise<unknown>
  /** Said once the write is done. */
  done?: string
  /** What follows a done write (a reload). */
  after?: () => void
}

/**
 * okOf is what the dialog's OK does, for one opening: the write, then its
 * message and what follows, true (the dialog closes); or the error shown,
 * false (it stays open for another try, with the same key).
 */
export function okOf(w: ConfirmedWrite, say: (text: string) => void, showError: (e: unknown) => void, waiting: Waiting = defaultWaiting): () => Promise<boolean> {
  const headers = { 'Idempotency-Key': newIdempotencyKey() }
  return async () => {
    try {
      await untilAnswered(() => w.run(headers), waiting)
      if (w.done) say(w.done)
      w.after?.()
      return true
    } catch (e) {
      showError(e)
      return false
    }
  }
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
      cancelText: w.cancelText ?? t('common.cancel'),
      // No answer: the write may be running; OK again (same key) waits for it.
      onBeforeOk: okOf(w, (text) => Message.success(text), (e) => (answerLost(e) ? Message.error(t('errors.networkWrite')) : showError(e)), {
        ...defaultWaiting,
        onWait: () => Message.info(t('common.stillRunning')),
      }),
    })
  }
}
