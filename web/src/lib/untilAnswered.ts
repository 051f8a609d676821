// A write sent with an Idempotency-Key goes on on the server when its answer
// is lost on the way (the server's write timeout cut a long batch off, the
// network dropped): sent again with the same key, it answers 409
// idempotency_in_progress while the first is still at work, and the first's
// answer once it is done. untilAnswered sends again while it is in progress,
// so a long write ends with its own answer instead of an error.
import { toApiError } from '../api/client'

/** Waiting says how untilAnswered waits: every ms between tries, for at most patience ms in all. */
export interface Waiting {
  every: number
  patience: number
  /** sleep waits ms (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>
  /** onWait is told once, when the write is found still at work. */
  onWait?: () => void
}

/** The default: every 3 s for up to 20 minutes (a batch undoes at most 100 changes, each bounded by the server). */
export const defaultWaiting: Waiting = { every: 3_000, patience: 20 * 60_000 }

/**
 * answerLost: no answer of the API came back — the network failed, or a gateway in front of it answered instead
 * (502/504 without the API's envelope: the server's write timeout cut a long write off behind the ingress). The write
 * may have been made, or still be at work; sent again with the same key, it is not made twice.
 */
export function answerLost(e: unknown): boolean {
  const err = toApiError(e)
  return err.code === 'network_error' || ((err.status === 502 || err.status === 504) && err.code === `http_${err.status}`)
}

/** inProgress: the error says a request with this key is still at work. */
export function inProgress(e: unknown): boolean {
  const err = toApiError(e)
  return err.status === 409 && err.reason === 'idempotency_in_progress'
}

/** untilAnswered is send's answer, sent again (same key) while the write it made is still at work. */
export async function untilAnswered<T>(send: () => Promise<T>, w: Waiting = defaultWaiting): Promise<T> {
  const sleep = w.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  let waited = 0
  for (;;) {
    try {
      return await send()
    } catch (e) {
      if (!inProgress(e) || waited + w.every > w.patience) throw e
      if (waited === 0) w.onWait?.()
      await sleep(w.every)
      waited += w.every
    }
  }
}
