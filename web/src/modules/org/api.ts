// Organisation API (/api/v1): departments (effective-dated), legal entities, cost
// centers, work locations, grades, positions. Shapes follow internal/org/orgapi.
import { api, type Query } from '@/api/client'
import type { Page } from '@/api/types'

const enc = encodeURIComponent

export interface Department {
  id: string
  code: string
  name: string
  parentId?: string | null
  parentName?: string
  headEmployeeId?: string | null
  headName?: string
  costCenterId?: string | null
  costCenterName?: string
  locationId?: string | null
  locationName?: string
  legalEntityId?: string | null
  legalEntityName?: string
  active: boolean
  validFrom?: string
  validTo?: string | null
  path?: string[]
  pathNames?: string[]
  pathName?: string
  version?: number
}

export interface DepartmentVersion {
  id: string
  validFrom: string
  validTo?: string | null
  name: string
  parentId?: string | null
  parentName?: string
  headEmployeeId?: string | null
  headName?: string
  costCenterId?: string | null
  costCenterName?: string
  locationId?: string | null
  locationName?: string
  legalEntityId?: string | null
  legalEntityName?: string
  active: boolean
  reason?: string
}

export interface DepartmentDetail extends Department {
  versions?: DepartmentVersion[]
  history?: DepartmentVersion[]
}

export interface DeptNode {
  id: string
  code: string
  name: string
  parentId?: string | null
  headEmployeeId?: string | null
  headName?: string
  active: boolean
  headcount?: number
  headcountTotal?: number
  children?: DeptNode[]
}

export interface DepartmentInput {
  code?: string
  name?: string
  parentId?: string | null
  headEmployeeId?: string | null
  costCenterId?: string | null
  locationId?: string | null
  legalEntityId?: string | null
  effectiveDate?: string
  version?: number
}

export interface LegalEntity {
  id: string
  name: string
  creditCode: string
  registeredAddress?: string
  taxCity?: string
  socialInsuranceCity?: string
  active: boolean
  version: number
}

export interface CostCenter {
  id: string
  code: string
  name: string
  active: boolean
  version: number
}

export interface Location {
  id: string
  name: string
  address?: string
  city?: string
  latitude?: number | string | null
  longitude?: number | string | null
  punchRadiusMeters?: number
  active: boolean
  version: number
}

export interface Grade {
  id: string
  code: string
  name: string
  rank: number
  track?: string
  active?: boolean
  version: number
}

export interface HeadcountRow {
  departmentId: string
  departmentName?: string
  planned: number
  actual?: number
}

export interface Position {
  id: string
  code: string
  name: string
  jobFamily?: string
  minGradeId?: string | null
  minGradeName?: string
  maxGradeId?: string | null
  maxGradeName?: string
  active: boolean
  version: number
  plannedTotal?: number
  headcountPlan?: HeadcountRow[]
}

/** A catalogue resource with the same list/create/update shape. */
export function catalogApi<T>(path: string) {
  return {
    path,
    list: (q: Query) => api.get<Page<T>>(path, q),
    create: (b: Record<string, unknown>) => api.post<T>(path, b),
    update: (id: string, b: Record<string, unknown>) => api.patch<T>(`${path}/${enc(id)}`, b),
  }
}

export const legalEntityApi = catalogApi<LegalEntity>('/legal-entities')
export const costCenterApi = catalogApi<CostCenter>('/cost-centers')
export const locationApi = catalogApi<Location>('/locations')
export const gradeApi = catalogApi<Grade>('/grades')
export const positionApi = {
  ...catalogApi<Position>('/positions'),
  get: (id: string) => api.get<Position>(`/positions/${enc(id)}`),
  setHeadcountPlan: (id: string, rows: HeadcountRow[]) =>
    api.put<unknown>(`/positions/${enc(id)}/headcount-plan`, {
      rows: rows.map((r) => ({ departmentId: r.departmentId, planned: r.planned })),
    }),
}

export const departmentApi = {
  list: (q: Query) => api.get<Page<Department>>('/departments', q),
  tree: (q: Query) => api.get<{ items: DeptNode[] }>('/departments/tree', q),
  get: (id: string, on?: string) => api.get<DepartmentDetail>(`/departments/${enc(id)}`, { on }),
  create: (b: DepartmentInput) => api.post<Department>('/departments', b),
  update: (id: string, b: DepartmentInput) => api.patch<Department>(`/departments/${enc(id)}`, b),
  move: (id: string, b: { parentId: string | null; effectiveDate?: string }) =>
    api.post<Department>(`/departments/${enc(id)}/move`, b),
  deactivate: (id: string, b: { effectiveDate?: string }) => api.post<Department>(`/departments/${enc(id)}/deactivate`, b),
  activate: (id: string, b: { effectiveDate?: string }) => api.post<Department>(`/departments/${enc(id)}/activate`, b),
  cancelChange: (id: string, versionId: string) => api.del<Department>(`/departments/${enc(id)}/versions/${enc(versionId)}`),
}

export const orgChartApi = {
  get: (q: Query) => api.get<{ items: DeptNode[] }>('/org-chart', q),
}

/** Walks a tree depth-first. */
export function walkTree(nodes: DeptNode[] | undefined, fn: (n: DeptNode, depth: number, parent?: DeptNode) => void, depth = 0, parent?: DeptNode) {
  for (const n of nodes || []) {
    fn(n, depth, parent)
    walkTree(n.children, fn, depth + 1, n)
  }
}

/** Copies a tree keeping nodes that pass `keep` or have a descendant that does. */
export function filterTree(nodes: DeptNode[] | undefined, keep: (n: DeptNode) => boolean): DeptNode[] {
  const out: DeptNode[] = []
  for (const n of nodes || []) {
    const children = filterTree(n.children, keep)
    if (keep(n) || children.length) out.push({ ...n, children })
  }
  return out
}

/** Drops inactive nodes and their subtrees. */
export function activeOnly(nodes: DeptNode[] | undefined): DeptNode[] {
  return (nodes || []).filter((n) => n.active !== false).map((n) => ({ ...n, children: activeOnly(n.children) }))
}
