import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { authApi, type LoginInput } from '@/api/platform'
import { ApiError } from '@/api/client'
import type { Locale, Me } from '@/api/types'
import { applyLocale } from '@/i18n'

export function hasPermission(perms: readonly string[] | undefined, need?: string | string[]): boolean {
  if (!need || (Array.isArray(need) && need.length === 0)) return true
  const set = perms || []
  if (set.includes('*')) return true
  const list = Array.isArray(need) ? need : [need]
  return list.some((p) => set.includes(p))
}

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** true once GET /auth/me has been tried */
  const loaded = ref(false)

  const loggedIn = computed(() => me.value !== null)
  const permissions = computed(() => me.value?.permissions ?? [])
  const timeZone = computed(() => me.value?.tenant?.timeZone || 'Asia/Shanghai')

  function can(p?: string | string[]) {
    return hasPermission(permissions.value, p)
  }

  function setMe(m: Me | null) {
    me.value = m
    loaded.value = true
    if (m?.locale) applyLocale(m.locale === 'en' ? 'en' : 'zh-CN')
  }

  /** Loads the session once; a 401 just means "not logged in". */
  async function ensureLoaded() {
    if (loaded.value) return
    await refresh()
  }

  async function refresh() {
    try {
      setMe(await authApi.me())
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        me.value = null
        loaded.value = true
        return
      }
      loaded.value = true
      throw e
    }
  }

  async function login(input: LoginInput) {
    const m = await authApi.login(input)
    setMe(m)
    return m
  }

  async function logout() {
    try {
      await authApi.logout()
    } finally {
      clear()
    }
  }

  function clear() {
    me.value = null
    loaded.value = true
  }

  async function setLocale(l: Locale) {
    applyLocale(l)
    if (me.value) {
      me.value.locale = l
      await authApi.setLocale(l)
    }
  }

  function patchMe(p: Partial<Me>) {
    if (me.value) me.value = { ...me.value, ...p }
  }

  return { me, loaded, loggedIn, permissions, timeZone, can, setMe, ensureLoaded, refresh, login, logout, clear, setLocale, patchMe }
})
