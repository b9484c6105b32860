import { getCurrentInstance, onBeforeUnmount } from 'vue'
import { pollDelay } from './state'

/**
 * Repeats `tick` while it resolves true, quickly at first and slower for long runs; stops
 * on unmount or stop(). A failing tick is retried (a network blip must not end the bar)
 * up to `maxFailures` times in a row, then `onGiveUp` is told.
 */
export function usePoll(onGiveUp?: (e: unknown) => void, maxFailures = 5) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let run = 0
  let alive = true

  function stop() {
    run++
    clearTimeout(timer)
    timer = undefined
  }

  function start(tick: () => Promise<boolean>) {
    stop()
    const my = run
    let attempt = 0
    let failures = 0
    const step = async () => {
      if (!alive || my !== run) return
      let again = true
      try {
        again = await tick()
        failures = 0
      } catch (e) {
        if (++failures >= maxFailures) {
          again = false
          onGiveUp?.(e)
        }
      }
      if (!alive || my !== run || !again) return
      timer = setTimeout(step, pollDelay(attempt++))
    }
    timer = setTimeout(step, pollDelay(attempt++))
  }

  if (getCurrentInstance()) {
    onBeforeUnmount(() => {
      alive = false
      stop()
    })
  }
  return { start, stop }
}
