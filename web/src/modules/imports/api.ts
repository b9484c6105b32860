// Spreadsheet import (issue 5, docs/modules/imports.md): targets, batches, their dry run and
// commit jobs, cell errors, rollback and saved mappings. Answers are normalised here so the
// pages read one shape even where the contract leaves the JSON open (counts nested or flat,
// progress on the batch or on its job, lists as {items} or arrays).
import { api, apiUrl, download, type Query } from '@/api/client'
import type { Job, Page } from '@/api/types'
import { upload } from '@/modules/employee/api'

const enc = encodeURIComponent

export interface Choice {
  code: string
  zh: string
  en: string
}

export interface TargetColumn {
  /** "employeeNo", "department", "custom.skills" */
  key: string
  /** an i18n key, or the text of a custom field */
  label: string
  aliases?: string[]
  required: boolean
  /** text|date|enum|mobile|email|idnumber|department|employee|decimal|bool */
  kind: string
  choices?: Choice[]
  sensitive?: boolean
  max?: number
}

export interface Target {
  /** "employees", "departments", ... */
  name: string
  label: string
  columns: TargetColumn[]
  /** upsert keys the user may choose; the first is the default */
  keys: string[]
  permission?: string
}

export const BATCH_STATES = ['uploaded', 'checking', 'checked', 'importing', 'imported', 'failed', 'cancelled', 'rolled_back'] as const
export type BatchState = (typeof BATCH_STATES)[number]

export type Mode = 'all' | 'valid'

export interface Counts {
  new: number
  updated: number
  unchanged: number
  failed: number
}

/** header text of the file -> column key of the target */
export type Mapping = Record<string, string>

export interface Batch {
  id: string
  target: string
  fileName: string
  fileSize: number
  state: BatchState
  sheets: string[]
  sheet: string
  header: string[]
  /** the first rows of the sheet, cells in header order */
  sample: string[][]
  mapping: Mapping
  /** the saved or predefined mapping the suggestion (or the last save) came from */
  mappingName: string
  unmapped: string[]
  key: string
  mode: Mode
  createDepartments: boolean
  counts: Counts
  /** data rows in the file, when known */
  rows: number
  /** 0..100 of the running (or last) job */
  progress: number
  /** what the job says it is doing ("3,000 / 10,000 rows") */
  message: string
  jobId: string
  job: Job | null
  /** whether the last job was the commit (a failed or cancelled commit is shown as step 4) */
  committed: boolean
  errorCount: number
  createdBy: string
  createdByName: string
  createdAt: string
  finishedAt: string
  rolledBackAt: string
}

export interface CellError {
  line: number
  /** column key of the target (or the 0-based index of the file column) */
  column: string
  /** the file's header text of the column */
  header: string
  value: string
  message: string
}

export interface SavedMapping {
  /** predefined mappings have no id of their own: "preset:<name>" */
  id: string
  name: string
  /** what to show: the name, or the predefined mapping's translated label */
  label: string
  target: string
  mapping: Mapping
  key?: string
  /** predefined (OrangeHRM, Frappe HRMS): read-only */
  predefined: boolean
}

export interface MappingInput {
  mapping: Mapping
  key: string
  mode: Mode
  createDepartments: boolean
  sheet?: string
  mappingName?: string
}

type Raw = Record<string, any>

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v))
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : 0
}

export function itemsOf<T>(r: { items?: T[] } | T[] | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : r.items || []
}

export function normCounts(raw: Raw | null | undefined): Counts {
  const c: Raw = raw?.counts && typeof raw.counts === 'object' ? raw.counts : raw || {}
  return {
    new: num(c.new ?? c.created),
    updated: num(c.updated ?? c.update),
    unchanged: num(c.unchanged),
    failed: num(c.failed),
  }
}

function normState(v: unknown): BatchState {
  const s = str(v)
  return (BATCH_STATES as readonly string[]).includes(s) ? (s as BatchState) : 'uploaded'
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(str) : []
}

function normMapping(v: unknown): Mapping {
  const out: Mapping = {}
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out
  for (const [k, x] of Object.entries(v as Raw)) if (typeof x === 'string' && x) out[k] = x
  return out
}

export function normBatch(input: Raw): Batch {
  // the upload answer may wrap the batch ({batch, header, sample, ...}) or be the batch
  const raw: Raw = input?.batch && typeof input.batch === 'object' ? { ...input, ...input.batch } : input || {}
  const job: Job | null = raw.job && typeof raw.job === 'object' ? (raw.job as Job) : null
  const kind = str(job?.kind ?? raw.jobKind ?? raw.phase)
  const state = normState(raw.state)
  return {
    id: str(raw.id),
    target: str(raw.target),
    fileName: str(raw.fileName ?? raw.filename ?? raw.file?.name),
    fileSize: num(raw.fileSize ?? raw.size ?? raw.file?.size),
    state,
    sheets: strings(raw.sheets),
    sheet: str(raw.sheet),
    header: strings(raw.header),
    sample: Array.isArray(raw.sample) ? raw.sample.map((r: unknown) => strings(r)) : [],
    mapping: normMapping(raw.mapping),
    mappingName: str(raw.mappingName),
    unmapped: strings(raw.unmapped),
    key: str(raw.key),
    mode: raw.mode === 'valid' ? 'valid' : 'all',
    createDepartments: !!(raw.createDepartments ?? raw.options?.createDepartments),
    counts: normCounts(raw),
    rows: num(raw.rows ?? raw.total ?? raw.rowCount),
    progress: Math.max(0, Math.min(100, num(raw.progress ?? job?.progress))),
    // progress text while a job runs; why it failed once it has
    message: str(raw.message) || str(raw.failureMessage) || (state === 'checking' || state === 'importing' ? str(job?.message) : ''),
    jobId: str(raw.jobId ?? job?.id),
    job,
    committed:
      typeof raw.committed === 'boolean'
        ? raw.committed || ['importing', 'imported', 'rolled_back'].includes(state)
        : /commit/i.test(kind) || ['importing', 'imported', 'rolled_back'].includes(state),
    errorCount: num(raw.errorCount ?? raw.errors),
    createdBy: str(raw.createdBy),
    createdByName: str(raw.createdByName ?? raw.createdByLogin ?? raw.createdBy),
    createdAt: str(raw.createdAt),
    finishedAt: str(raw.finishedAt ?? job?.finishedAt),
    rolledBackAt: str(raw.rolledBackAt),
  }
}

function normTarget(raw: Raw): Target {
  return {
    name: str(raw.name),
    label: str(raw.label),
    columns: Array.isArray(raw.columns)
      ? raw.columns.map((c: Raw) => ({
          key: str(c.key),
          label: str(c.label),
          aliases: strings(c.aliases),
          required: !!c.required,
          kind: str(c.kind) || 'text',
          choices: Array.isArray(c.choices) ? c.choices : [],
          sensitive: !!c.sensitive,
          max: num(c.max),
        }))
      : [],
    keys: strings(raw.keys),
    permission: str(raw.permission) || undefined,
  }
}

function normCellError(raw: Raw): CellError {
  return {
    line: num(raw.line),
    column: str(raw.column ?? raw.columnKey),
    header: str(raw.header),
    value: str(raw.value),
    message: str(raw.message ?? raw.code),
  }
}

function normSaved(raw: Raw): SavedMapping {
  const predefined = !!(raw.predefined ?? raw.builtin ?? raw.readOnly)
  const id = str(raw.id)
  return {
    id: predefined || !id || id === '0' ? `preset:${str(raw.name)}` : id,
    name: str(raw.name),
    label: str(raw.label) || str(raw.name),
    target: str(raw.target),
    mapping: normMapping(raw.mapping),
    key: str(raw.key) || undefined,
    predefined,
  }
}

/** A batch from an answer that may also be a job or empty. */
export function maybeBatch(raw: Raw | null | undefined): Batch | null {
  if (!raw || typeof raw !== 'object') return null
  const inner = raw.batch && typeof raw.batch === 'object' ? raw.batch : raw
  if (!inner.id || !inner.state || !(BATCH_STATES as readonly string[]).includes(String(inner.state))) return null
  return normBatch(raw)
}

export const importApi = {
  targets: async (): Promise<Target[]> => itemsOf(await api.get<Raw>('/imports/targets')).map(normTarget),
  templateUrl: (target: string) => apiUrl(`/imports/targets/${enc(target)}/template`, { format: 'xlsx' }),

  upload: async (target: string, file: File, onProgress?: (pct: number) => void): Promise<Batch> =>
    normBatch(await upload<Raw>('/imports', { target, file }, onProgress)),

  list: async (q: Query): Promise<Page<Batch>> => {
    const r = await api.get<Raw>('/imports', q)
    const items = itemsOf<Raw>(r as Raw).map(normBatch)
    return { items, total: num(r?.total ?? items.length), page: num(r?.page) || 1, pageSize: num(r?.pageSize) || items.length }
  },
  get: async (id: string): Promise<Batch> => normBatch(await api.get<Raw>(`/imports/${enc(id)}`)),
  setMapping: async (id: string, b: MappingInput): Promise<Batch> => normBatch(await api.put<Raw>(`/imports/${enc(id)}/mapping`, b)),
  /** dry run (202); the answer is the batch when the server sends it */
  check: async (id: string): Promise<Batch | null> => maybeBatch(await api.post<Raw>(`/imports/${enc(id)}/check`)),
  commit: async (id: string): Promise<Batch | null> => maybeBatch(await api.post<Raw>(`/imports/${enc(id)}/commit`)),
  cancel: async (id: string): Promise<Batch | null> => maybeBatch(await api.post<Raw>(`/imports/${enc(id)}/cancel`)),
  rollback: async (id: string): Promise<Batch | null> => maybeBatch(await api.post<Raw>(`/imports/${enc(id)}/rollback`)),
  errors: async (id: string, page: number, pageSize: number): Promise<Page<CellError>> => {
    const r = await api.get<Raw>(`/imports/${enc(id)}/errors`, { page, pageSize })
    const items = itemsOf<Raw>(r as Raw).map(normCellError)
    return { items, total: num(r?.total ?? items.length), page, pageSize }
  },
  downloadReport: (id: string) => download(`/imports/${enc(id)}/report`),
  downloadFile: (id: string) => download(`/imports/${enc(id)}/file`),

  mappings: async (target: string): Promise<SavedMapping[]> =>
    itemsOf(await api.get<Raw>('/imports/mappings', { target })).map(normSaved).filter((m) => !m.target || m.target === target),
  deleteMapping: (id: string) => api.del(`/imports/mappings/${enc(id)}`),
}
