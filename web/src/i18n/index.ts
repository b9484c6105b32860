import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import type { Locale } from '@/api/types'

export const LOCALES: Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'renshi.locale'

export function normalizeLocale(l: string | null | undefined): Locale {
  if (!l) return 'zh-CN'
  return l.toLowerCase().startsWith('en') ? 'en' : 'zh-CN'
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved) return normalizeLocale(saved)
  } catch {
    /* storage unavailable */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function currentLocale(): Locale {
  return normalizeLocale(i18n.global.locale.value)
}

/** Switches the UI language at once and remembers it for the login page. */
export function applyLocale(l: Locale) {
  i18n.global.locale.value = l
  try {
    localStorage.setItem(STORAGE_KEY, l)
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l
}

export default i18n
