// A page whose figures move while it is open: load now, then again every
// interval until the page is left.
import { onMounted, onUnmounted } from 'vue'

export function useRefresh(load: () => void, everyMs: number): void {
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    load()
    timer = setInterval(load, everyMs)
  })
  onUnmounted(() => clearInterval(timer))
}
