// Custom field definitions (cached) and helpers to show and validate their values.
import { shallowRef } from 'vue'
import type { FormItemRule } from 'element-plus'
import { fieldApi, itemsOf, type FieldDef } from './api'

export const fieldDefs = shallowRef<FieldDef[]>([])
let pending: Promise<FieldDef[]> | null = null

export function loadFieldDefs(force = false): Promise<FieldDef[]> {
  if (!pending || force) {
    pending = fieldApi
      .list()
      .then((r) => {
        const list = itemsOf(r).sort((a, b) => (a.sort ?? 0) - (b.sort ?? 0))
        fieldDefs.value = list
        return list
      })
      .catch(() => {
        pending = null
        return [] as FieldDef[]
      })
  }
  return pending
}

export function formatCustom(def: FieldDef | undefined, v: unknown): string {
  if (v === null || v === undefined || v === '') return ''
  if (Array.isArray(v)) return v.join('、')
  if (def?.type === 'number' && typeof v === 'number') return String(v)
  return String(v)
}

/** The empty value of a field's input. */
export function emptyCustom(def: FieldDef): unknown {
  return def.type === 'multi_select' ? [] : def.type === 'number' ? undefined : ''
}

/** Drops empty values so the request only carries what was filled in. */
export function cleanCustom(defs: FieldDef[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const d of defs) {
    const v = values[d.code]
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue
    out[d.code] = typeof v === 'string' ? v.trim() : v
  }
  return out
}

export function customRules(def: FieldDef, requiredMessage: string): FormItemRule[] {
  if (!def.required) return []
  return [
    {
      trigger: def.type === 'text' || def.type === 'number' ? 'blur' : 'change',
      validator: (_r, v: unknown, cb) => {
        const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)
        cb(empty ? new Error(requiredMessage) : undefined)
      },
    },
  ]
}
