// Names of request types and their fields in the UI language. The server names them by
// message key; the UI has its own text for the known ones and otherwise shows what the
// server sent (a translated label) or the code.
import { computed, ref } from 'vue'
import i18n from '@/i18n'
import { listOf, typeApi, type FieldSpec, type RequestType } from './api'

const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p || {})
const te = (k: string) => i18n.global.te(k)

const keyOf = (code: string) => code.replace(/\./g, '_')
const looksLikeKey = (s: string) => /^[a-z0-9_]+(\.[a-z0-9_]+)+$/i.test(s)

export function typeLabel(code: string, label?: string): string {
  if (!code) return ''
  const k = `approval.types.${keyOf(code)}`
  if (te(k)) return t(k)
  if (label && !looksLikeKey(label)) return label
  if (label && te(label)) return t(label)
  return code
}

export function fieldLabel(name: string, label?: string): string {
  const k = `approval.fields.${name}`
  if (te(k)) return t(k)
  if (label && !looksLikeKey(label)) return label
  if (label && te(label)) return t(label)
  return name
}

// Request types, loaded once per session.
const types = ref<RequestType[]>([])
let loading: Promise<RequestType[]> | null = null

export function loadTypes(force = false): Promise<RequestType[]> {
  if (!force && (types.value.length || loading)) return loading || Promise.resolve(types.value)
  loading = typeApi
    .list()
    .then((r) => {
      types.value = listOf(r)
      return types.value
    })
    .catch(() => types.value)
    .finally(() => {
      loading = null
    })
  return loading
}

export function useTypes() {
  return {
    types,
    options: computed(() => types.value.map((x) => ({ value: x.code, label: typeLabel(x.code, x.label) }))),
    fieldsOf: (code: string): FieldSpec[] => types.value.find((x) => x.code === code)?.fields || [],
    label: (code: string) => typeLabel(code, types.value.find((x) => x.code === code)?.label),
  }
}
