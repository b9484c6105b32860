// Roster filters -> /employees query parameters (shared by the list, export and saved views).
import type { Query } from '@/api/client'

export interface EmployeeFilters {
  departmentId: string
  includeSubDepartments: boolean
  status: string
  employmentType: string
  positionId: string
  locationId: string
  /** [from, to] hire date range, YYYY-MM-DD */
  hired: [string, string] | null
  /** as-of date; empty = today */
  on: string
  /** custom field code -> value (multi-select: several values) */
  custom: Record<string, string | string[] | number | null | undefined>
}

export function emptyFilters(): EmployeeFilters {
  return {
    departmentId: '',
    includeSubDepartments: true,
    status: '',
    employmentType: '',
    positionId: '',
    locationId: '',
    hired: null,
    on: '',
    custom: {},
  }
}

/** Builds the query; empty filters are left out so URLs and saved views stay short. */
export function filtersToQuery(f: EmployeeFilters): Query {
  const q: Query = {}
  if (f.departmentId) {
    q.departmentId = f.departmentId
    q.includeSubDepartments = f.includeSubDepartments ? 'true' : 'false'
  }
  if (f.status) q.status = f.status
  if (f.employmentType) q.employmentType = f.employmentType
  if (f.positionId) q.positionId = f.positionId
  if (f.locationId) q.locationId = f.locationId
  if (f.hired && f.hired[0]) q.hiredFrom = f.hired[0]
  if (f.hired && f.hired[1]) q.hiredTo = f.hired[1]
  if (f.on) q.on = f.on
  for (const code of Object.keys(f.custom).sort()) {
    const v = f.custom[code]
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) {
      if (v.length) q[`cf.${code}`] = v.join(',')
    } else q[`cf.${code}`] = String(v)
  }
  return q
}

/** The reverse, for loading a saved view (unknown keys are ignored). */
export function queryToFilters(q: Record<string, unknown>): EmployeeFilters {
  const f = emptyFilters()
  const s = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '')
  f.departmentId = s('departmentId')
  f.includeSubDepartments = q.includeSubDepartments !== 'false' && q.includeSubDepartments !== false
  f.status = s('status')
  f.employmentType = s('employmentType')
  f.positionId = s('positionId')
  f.locationId = s('locationId')
  if (s('hiredFrom') || s('hiredTo')) f.hired = [s('hiredFrom'), s('hiredTo')]
  f.on = s('on')
  for (const [k, v] of Object.entries(q)) {
    if (k.startsWith('cf.') && typeof v === 'string') f.custom[k.slice(3)] = v
  }
  return f
}

/** Roster columns the user can choose; `cf.<code>` columns are added from field definitions (as the export names them). */
export const BASE_COLUMNS = [
  'employeeNo', 'name', 'departmentName', 'positionName', 'gradeName', 'managerName', 'status',
  'employmentType', 'hireDate', 'mobile', 'email', 'locationName', 'gender', 'englishName',
] as const

export const DEFAULT_COLUMNS = [
  'employeeNo', 'name', 'departmentName', 'positionName', 'status', 'employmentType', 'hireDate', 'mobile',
]

/** Columns the server can sort by. */
export const SORTABLE = new Set(['employeeNo', 'name', 'hireDate'])
