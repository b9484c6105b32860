// Names of targets and columns. The server sends a column's label as an i18n key (or the
// text of a custom field); keys the UI knows are translated here, texts are shown as sent.
import { ref } from 'vue'
import i18n from '@/i18n'
import { importApi, type Target, type TargetColumn } from './api'

type Translate = { t: (k: string) => string; te: (k: string) => boolean }

/** "employee.col.name", "imports.column.hireDate": a message key rather than a text. */
export function keyLike(s: string): boolean {
  return /^[a-z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)+$/.test(s)
}

/** "job_history" / "job-history" -> "jobHistory" (the UI's message keys are camelCase). */
export function camel(s: string): string {
  return s.replace(/[-_ ]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase())
}

export function columnLabel(c: Pick<TargetColumn, 'key' | 'label'>, tr: Translate = i18n.global): string {
  if (c.label && !keyLike(c.label)) return c.label
  if (c.label && tr.te(c.label)) return tr.t(c.label)
  const own = `imports.column.${camel(c.key)}`
  if (tr.te(own)) return tr.t(own)
  if (c.key.startsWith('custom.')) return c.key.slice(7)
  return c.label || c.key
}

export function targetLabel(t: Pick<Target, 'name' | 'label'> | string, tr: Translate = i18n.global): string {
  const name = typeof t === 'string' ? t : t.name
  const label = typeof t === 'string' ? '' : t.label
  const own = `imports.targets.${camel(name)}`
  if (tr.te(own)) return tr.t(own)
  if (label && !keyLike(label)) return label
  if (label && tr.te(label)) return tr.t(label)
  return label || name
}

// The targets the caller may use, loaded once per page visit and shared by the pages.
export const targets = ref<Target[]>([])
export const targetsLoaded = ref(false)
let pending: Promise<Target[]> | null = null

export function loadTargets(force = false): Promise<Target[]> {
  if (pending && !force) return pending
  pending = importApi
    .targets()
    .then((list) => {
      targets.value = list
      targetsLoaded.value = true
      return list
    })
    .catch((e) => {
      pending = null
      throw e
    })
  return pending
}

export function findTarget(name: string): Target | undefined {
  return targets.value.find((x) => x.name === name)
}
