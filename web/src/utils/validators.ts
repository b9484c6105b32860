// Client-side format checks; the server validates again and its field errors win.
import type { FormItemRule } from 'element-plus'

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
// Mainland mobile numbers (11 digits starting with 1), or an international number with "+".
export const MOBILE_RE = /^(1[3-9]\d{9}|\+\d[\d -]{6,18}\d)$/

export function isEmail(v: string) {
  return EMAIL_RE.test(v.trim())
}

export function isMobile(v: string) {
  return MOBILE_RE.test(v.trim())
}

/** Optional field: empty passes, otherwise must match. */
function optionalRule(test: (v: string) => boolean, message: string): FormItemRule {
  return {
    trigger: 'blur',
    validator: (_r, v: unknown, cb) => {
      const s = typeof v === 'string' ? v.trim() : ''
      if (!s || test(s)) cb()
      else cb(new Error(message))
    },
  }
}

export const emailRule = (message: string) => optionalRule(isEmail, message)
export const mobileRule = (message: string) => optionalRule(isMobile, message)
