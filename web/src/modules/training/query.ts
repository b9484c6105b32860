// Filters of the training lists: read from the URL (a shared link shows the same list)
// and turned into query parameters, empty ones left out.
import { ENROLLMENT_FILTER_STATES, MODULE_KINDS, PROGRAM_STATES } from './api'

type RouteQuery = Record<string, unknown>

function str(q: RouteQuery, k: string): string {
  const v = Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]
  return typeof v === 'string' ? v : ''
}
const idOr = (s: string) => (/^\d+$/.test(s) ? s : '')
const oneOf = (s: string, list: readonly string[]) => (list.includes(s) ? s : '')

export interface CatalogueFilters {
  q: string
  kind: string
  departmentId: string
  editable: boolean
  archived: boolean
}

export function catalogueFilters(q: RouteQuery): CatalogueFilters {
  return {
    q: str(q, 'q'),
    kind: oneOf(str(q, 'kind'), MODULE_KINDS),
    departmentId: idOr(str(q, 'departmentId')),
    editable: str(q, 'editable') === 'true',
    archived: str(q, 'archived') === 'true',
  }
}

export function catalogueParams(f: CatalogueFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.q.trim()) out.q = f.q.trim()
  if (f.kind) out.kind = f.kind
  if (f.departmentId) out.departmentId = f.departmentId
  if (f.editable) out.editable = 'true'
  if (f.archived) out.archived = 'true'
  return out
}

export interface ProgramFilters {
  q: string
  state: string
}

export function programFilters(q: RouteQuery): ProgramFilters {
  return { q: str(q, 'q'), state: oneOf(str(q, 'state'), PROGRAM_STATES) }
}

export function programParams(f: ProgramFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.q.trim()) out.q = f.q.trim()
  if (f.state) out.state = f.state
  return out
}

export interface EnrollmentFilters {
  q: string
  /** assigned, in_progress, completed, failed or overdue */
  state: string
  departmentId: string
}

export function enrollmentFilters(q: RouteQuery): EnrollmentFilters {
  return { q: str(q, 'q'), state: oneOf(str(q, 'state'), ENROLLMENT_FILTER_STATES), departmentId: idOr(str(q, 'departmentId')) }
}

export function enrollmentParams(f: EnrollmentFilters): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.q.trim()) out.q = f.q.trim()
  if (f.state) out.state = f.state
  if (f.departmentId) out.departmentId = f.departmentId
  return out
}

/** Drops empty values of a filter object (for the accountability and overdue lists). */
export function compact(f: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(f)) {
    const s = (v ?? '').trim()
    if (s) out[k] = s
  }
  return out
}
