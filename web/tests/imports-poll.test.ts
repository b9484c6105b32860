import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { usePoll } from '@/modules/imports/poll'

describe('progress polling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('repeats while the tick says so, then stops', async () => {
    const poll = usePoll()
    let n = 0
    poll.start(async () => ++n < 3)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(n).toBe(3)
  })

  it('rides out a few failed looks and gives up after too many', async () => {
    const gaveUp = vi.fn()
    const poll = usePoll(gaveUp, 3)
    let n = 0
    poll.start(async () => {
      n++
      throw new Error('network')
    })
    await vi.advanceTimersByTimeAsync(20_000)
    expect(n).toBe(3)
    expect(gaveUp).toHaveBeenCalledOnce()

    let ok = 0
    const flaky = usePoll(gaveUp, 3)
    flaky.start(async () => {
      ok++
      if (ok === 1) throw new Error('blip')
      return ok < 4
    })
    await vi.advanceTimersByTimeAsync(20_000)
    expect(ok).toBe(4)
    expect(gaveUp).toHaveBeenCalledOnce()
  })

  it('a new start or stop ends the previous loop', async () => {
    const poll = usePoll()
    let a = 0
    let b = 0
    poll.start(async () => (++a, true))
    await vi.advanceTimersByTimeAsync(600)
    poll.start(async () => (++b, true))
    await vi.advanceTimersByTimeAsync(3000)
    const aThen = a
    poll.stop()
    const bThen = b
    await vi.advanceTimersByTimeAsync(10_000)
    expect(a).toBe(aThen)
    expect(aThen).toBe(1)
    expect(b).toBe(bThen)
    expect(b).toBeGreaterThan(1)
  })
})
