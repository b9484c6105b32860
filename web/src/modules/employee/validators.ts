// Element Plus form rules for employee forms (the server checks again; its field errors win).
import type { FormItemRule } from 'element-plus'
import { isMobile } from '@/utils/validators'
import { parseIdNumber } from './idNumber'

type T = (key: string, params?: Record<string, unknown>) => string

export function idNumberRule(t: T, idType: () => string): FormItemRule {
  return {
    trigger: 'blur',
    validator: (_r, v: unknown, cb) => {
      const s = typeof v === 'string' ? v.trim() : ''
      if (!s || idType() !== 'resident_id') return cb()
      const r = parseIdNumber(s)
      cb(r.ok ? undefined : new Error(t(`employee.idProblem.${r.problem}`)))
    },
  }
}

/** Mainland mobile numbers; "+86", spaces and dashes are allowed like the server allows them. */
export function normalizeMobile(s: string): string {
  let v = s.replace(/[\s\-()]/g, '')
  if (v.startsWith('+86')) v = v.slice(3)
  else if (v.startsWith('0086')) v = v.slice(4)
  return v
}

export function mobileRule(t: T, required = false): FormItemRule {
  return {
    trigger: 'blur',
    validator: (_r, v: unknown, cb) => {
      const s = typeof v === 'string' ? v.trim() : ''
      if (!s) return cb(required ? new Error(t('common.required', { field: t('employee.f.mobile') })) : undefined)
      cb(isMobile(normalizeMobile(s)) || isMobile(s) ? undefined : new Error(t('common.invalidMobile')))
    },
  }
}
