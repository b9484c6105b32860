// The unread count shared by the bell and the inbox, polled every 30 s while the page is
// visible and refreshed when the window regains focus.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError } from '@/api/client'
import { inboxApi, type Notification } from './api'

export const POLL_MS = 30_000

export const useNotifyStore = defineStore('notify', () => {
  const unread = ref(0)
  const latest = ref<Notification[]>([])
  /** false once the server answered 404 (notifications not installed): stop polling */
  const available = ref(true)
  let timer: ReturnType<typeof setInterval> | undefined
  let users = 0

  async function refresh() {
    if (!available.value) return
    try {
      const r = await inboxApi.unreadCount()
      unread.value = Math.max(0, r?.count ?? 0)
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) available.value = false
    }
  }

  async function loadLatest(size = 8) {
    const r = await inboxApi.list({ page: 1, pageSize: size })
    latest.value = r.items || []
    return latest.value
  }

  async function markRead(n: Notification) {
    if (n.read) return
    await inboxApi.markRead(n.id)
    n.read = true
    unread.value = Math.max(0, unread.value - 1)
    for (const x of latest.value) if (x.id === n.id) x.read = true
  }

  async function markAllRead() {
    await inboxApi.markAllRead()
    unread.value = 0
    for (const x of latest.value) x.read = true
  }

  function onVisible() {
    if (document.visibilityState === 'visible') refresh()
  }

  /** Starts polling (reference counted: the bell and the inbox both may ask). */
  function start() {
    users++
    if (users > 1) return
    refresh()
    timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh()
    }, POLL_MS)
    window.addEventListener('focus', refresh)
    document.addEventListener('visibilitychange', onVisible)
  }

  function stop() {
    users = Math.max(0, users - 1)
    if (users > 0) return
    clearInterval(timer)
    window.removeEventListener('focus', refresh)
    document.removeEventListener('visibilitychange', onVisible)
  }

  return { unread, latest, available, refresh, loadLatest, markRead, markAllRead, start, stop }
})

/** The unread count as the bell shows it. */
export function unreadLabel(n: number): string {
  return n > 99 ? '99+' : n > 0 ? String(n) : ''
}
