// Field and column descriptions for the catalogue pages (legal entities, cost centers,
// locations, grades, positions), rendered by CatalogPage.vue.
import type { FormItemRule } from 'element-plus'

export interface CatalogField {
  key: string
  /** i18n key of the label */
  label: string
  type?: 'text' | 'textarea' | 'int' | 'decimal' | 'switch' | 'select'
  required?: boolean
  /** only when creating (codes) */
  createOnly?: boolean
  /** initial value of a new record */
  default?: unknown
  min?: number
  max?: number
  /** select options: value + i18n key or literal label */
  options?: () => { value: string; label: string }[]
  rules?: () => FormItemRule[]
  placeholder?: string
  /** for text: upper-case on blur */
  upper?: boolean
  testid?: string
}

export interface CatalogColumn {
  key: string
  label: string
  minWidth?: number
  sortable?: boolean
  mono?: boolean
  format?: (row: Record<string, any>) => string
}
