// A page whose figures move while it is open: load now, then again every
// interval until the page is left — but not while the browser tab is hidden
// (a console left open in a background tab all day asks nothing); on coming
// back, at once if an interval has passed.
import { onMounted, onUnmounted } from 'vue'

/** Visibility is what the refresher reads of the browser tab (document, or a stand-in in tests). */
export interface Visibility {
  hidden: boolean
  addEventListener(type: 'visibilitychange', cb: () => void): void
  removeEventListener(type: 'visibilitychange', cb: () => void): void
}

/** refresher loads now and every everyMs while tab is visible, until stop. */
export function refresher(load: () => void, everyMs: number, tab: Visibility): { stop: () => void } {
  let last = Date.now()
  const run = () => {
    last = Date.now()
    load()
  }
  const timer = setInterval(() => {
    if (!tab.hidden) run()
  }, everyMs)
  const onVisible = () => {
    if (!tab.hidden && Date.now() - last >= everyMs) run()
  }
  tab.addEventListener('visibilitychange', onVisible)
  run()
  return {
    stop: () => {
      clearInterval(timer)
      tab.removeEventListener('visibilitychange', onVisible)
    },
  }
}

export function useRefresh(load: () => void, everyMs: number): void {
  let r: { stop: () => void } | undefined
  onMounted(() => (r = refresher(load, everyMs, document)))
  onUnmounted(() => r?.stop())
}
