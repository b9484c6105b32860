// Employee API (/api/v1): roster, records, effective-dated assignments, lifecycle
// actions, contracts, documents, custom fields, saved views, self-service and
// bank-account change requests. Shapes follow internal/employee/employeeapi.
import { api, apiUrl, ApiError, parseProblem, type Query } from '@/api/client'
import type { Page } from '@/api/types'
import { currentLocale } from '@/i18n'

const enc = encodeURIComponent

export const STATUSES = ['pending', 'probation', 'regular', 'resigning', 'left'] as const
export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'intern', 'dispatched', 'retiree_rehire', 'contractor'] as const
export const ID_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent'] as const
export const REASONS = [
  'hire', 'regularise', 'extend_probation', 'transfer', 'promote', 'demote', 'change_manager', 'change_type',
  'change_location', 'resign', 'terminate', 'rehire',
] as const
export const TRANSFER_REASONS = ['transfer', 'promote', 'demote', 'change_manager', 'change_type', 'change_location'] as const
export const CONTRACT_KINDS = ['fixed_term', 'open_ended', 'task_based'] as const
export const AGREEMENT_KINDS = ['confidentiality', 'non_compete'] as const
export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'multi_select'] as const
export const DEGREES = ['doctor', 'master', 'bachelor', 'associate', 'high_school', 'other'] as const
export const MARITAL = ['single', 'married', 'divorced', 'widowed'] as const

export type Status = (typeof STATUSES)[number]
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number]
export type Reason = (typeof REASONS)[number]

export interface EmployeeListItem {
  id: string
  employeeNo: string
  name: string
  englishName?: string
  gender?: string
  departmentId?: string
  departmentName?: string
  positionName?: string
  gradeName?: string
  managerName?: string
  status?: Status
  employmentType?: EmploymentType
  hireDate?: string
  mobile?: string
  email?: string
  locationName?: string
  custom?: Record<string, unknown>
}

export interface EmergencyContact {
  name: string
  relation: string
  mobile: string
}

export interface Education {
  highestDegree?: string
  school?: string
  major?: string
  graduationDate?: string | null
}

export interface Profile {
  id?: string
  employeeNo?: string
  name: string
  englishName?: string
  gender?: string
  birthDate?: string | null
  idType?: string
  idNumber?: string
  nationality?: string
  ethnicity?: string
  maritalStatus?: string
  hukouType?: string
  hukouPlace?: string
  education?: Education
  mobile?: string
  email?: string
  address?: string
  emergencyContacts?: EmergencyContact[]
  bankAccount?: string
  bankName?: string
  photoFileId?: string | null
  firstWorkDate?: string | null
  custom?: Record<string, unknown>
  version?: number
}

export interface Assignment {
  id: string
  assignmentId?: string
  /** past, current or future (scheduled) relative to today */
  when?: 'past' | 'current' | 'future'
  /** a scheduled change that may be withdrawn */
  cancellable?: boolean
  departmentPath?: string[]
  nextChangeOn?: string | null
  employeeId?: string
  validFrom: string
  validTo?: string | null
  reason: Reason | string
  note?: string
  legalEntityId?: string | null
  legalEntityName?: string
  departmentId?: string | null
  departmentName?: string
  positionId?: string | null
  positionName?: string
  gradeId?: string | null
  gradeName?: string
  managerId?: string | null
  managerName?: string
  employmentType?: EmploymentType
  locationId?: string | null
  locationName?: string
  status?: Status
  period?: number
  hireDate?: string
  probationMonths?: number
  probationEndDate?: string | null
  regularisationDate?: string | null
  leaveDate?: string | null
  leaveReason?: string
}

export interface EmployeeDetail {
  id: string
  employeeNo: string
  name: string
  profile: Profile
  job?: Assignment | null
  period?: number
  custom?: Record<string, unknown>
  openEndedEligible?: boolean
  version?: number
}

export interface Contract {
  id: string
  employeeId?: string
  kind: string
  number?: string
  startDate: string
  endDate?: string | null
  signingEntityId?: string | null
  signingEntityName?: string
  sequence?: number
  status?: string
  version?: number
}

export interface Agreement {
  id: string
  kind: string
  startDate: string
  endDate?: string | null
  compensation?: string
  compensationNote?: string
  note?: string
}

export interface DocumentItem {
  id: string
  kind?: string
  name: string
  size?: number
  contentType?: string
  uploadedBy?: string
  uploadedByName?: string
  uploadedAt?: string
}

export interface FieldDef {
  id: string
  code: string
  label: string
  type: (typeof FIELD_TYPES)[number]
  options?: string[]
  required?: boolean
  showInList?: boolean
  selfEditable?: boolean
  sort?: number
  version?: number
}

export interface SavedView {
  id: string
  name: string
  filters?: Record<string, unknown> | string
  columns?: string[]
  sort?: string
}

export interface BankRequest {
  id: string
  employeeId?: string
  employeeName?: string
  employeeNo?: string
  bankName: string
  bankAccount: string
  status: 'pending' | 'approved' | 'rejected' | string
  comment?: string
  createdAt?: string
  requestedAt?: string
  reviewedAt?: string | null
  reviewedByName?: string
}

/** GET /me/employee: the record (as the detail page gets it) with history and contracts. */
export interface SelfRecord extends EmployeeDetail {
  history?: Assignment[]
  contracts?: { items: Contract[]; openEndedEligible?: boolean }
  agreements?: Agreement[]
  /** profile fields the employee may change ("custom.<code>" for custom fields) */
  editable?: string[]
  pendingBankRequest?: BankRequest | null
}

/** GET /employee-settings: self-service fields and the employee number rule. */
export interface EmployeeSettings {
  selfEditable: string[]
  selfEditableChoices: string[]
  numberPrefix: string
  numberWidth: number
  nextNumber: number
  nextEmployeeNo?: string
  version: number
}

type Items<T> = { items: T[] }

/** An id from the server, or '' for none (the server writes a missing id as "0"). */
export function nid(v: unknown): string {
  return typeof v === 'string' && v !== '0' ? v : typeof v === 'number' && v !== 0 ? String(v) : ''
}

/** Lists come back either as a page or as {items}; both give an array. */
export function itemsOf<T>(r: Items<T> | T[] | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : r.items || []
}

export const employeeApi = {
  list: (q: Query) => api.get<Page<EmployeeListItem>>('/employees', q),
  get: (id: string, on?: string) => api.get<EmployeeDetail>(`/employees/${enc(id)}`, { on }),
  create: (b: Record<string, unknown>) => api.post<EmployeeDetail>('/employees', b),
  update: (id: string, b: Record<string, unknown>) => api.patch<EmployeeDetail>(`/employees/${enc(id)}`, b),
  sensitive: (id: string) => api.get<{ idNumber?: string; bankAccount?: string }>(`/employees/${enc(id)}/sensitive`),
  history: (id: string) => api.get<Items<Assignment> | Assignment[]>(`/employees/${enc(id)}/history`),
  cancelScheduled: (id: string, entryId: string) => api.del(`/employees/${enc(id)}/history/${enc(entryId)}`),
  action: (id: string, action: string, b: Record<string, unknown>) =>
    api.post<unknown>(`/employees/${enc(id)}/${action}`, b),
  reports: (id: string) => api.get<Items<EmployeeListItem> | EmployeeListItem[]>(`/employees/${enc(id)}/reports`),
  contracts: (id: string) =>
    api.get<Items<Contract> & { openEndedEligible?: boolean }>(`/employees/${enc(id)}/contracts`),
  addContract: (id: string, b: Record<string, unknown>) => api.post<Contract>(`/employees/${enc(id)}/contracts`, b),
  updateContract: (id: string, cid: string, b: Record<string, unknown>) =>
    api.patch<Contract>(`/employees/${enc(id)}/contracts/${enc(cid)}`, b),
  agreements: (id: string) => api.get<Items<Agreement> | Agreement[]>(`/employees/${enc(id)}/agreements`),
  addAgreement: (id: string, b: Record<string, unknown>) => api.post<Agreement>(`/employees/${enc(id)}/agreements`, b),
  documents: (id: string) => api.get<Items<DocumentItem> | DocumentItem[]>(`/employees/${enc(id)}/documents`),
  documentUrl: (id: string, docId: string) => apiUrl(`/employees/${enc(id)}/documents/${enc(docId)}/download`),
}

export const fieldApi = {
  list: () => api.get<Items<FieldDef> | FieldDef[]>('/employee-fields'),
  create: (b: Record<string, unknown>) => api.post<FieldDef>('/employee-fields', b),
  update: (id: string, b: Record<string, unknown>) => api.patch<FieldDef>(`/employee-fields/${enc(id)}`, b),
  remove: (id: string) => api.del(`/employee-fields/${enc(id)}`),
}

export const settingsApi = {
  get: () => api.get<EmployeeSettings>('/employee-settings'),
  update: (b: Partial<EmployeeSettings>) => api.patch<EmployeeSettings>('/employee-settings', b),
}

export const viewApi = {
  list: () => api.get<Items<SavedView> | SavedView[]>('/employee-views'),
  create: (b: Omit<SavedView, 'id'>) => api.post<SavedView>('/employee-views', b),
  remove: (id: string) => api.del(`/employee-views/${enc(id)}`),
}

export const selfApi = {
  get: () => api.get<SelfRecord>('/me/employee'),
  update: (b: Record<string, unknown>) => api.patch<SelfRecord>('/me/employee', b),
  bankRequests: () => api.get<Items<BankRequest> | BankRequest[]>('/me/bank-requests'),
  submitBankRequest: (b: { bankName: string; bankAccount: string }) => api.post<BankRequest>('/me/bank-requests', b),
}

export const bankRequestApi = {
  list: (q: Query) => api.get<Page<BankRequest>>('/bank-requests', q),
  approve: (id: string, comment?: string) => api.post<unknown>(`/bank-requests/${enc(id)}/approve`, { comment }),
  reject: (id: string, comment: string) => api.post<unknown>(`/bank-requests/${enc(id)}/reject`, { comment }),
}

/**
 * Multipart upload with progress (fetch cannot report upload progress, XHR can).
 * Rejects with ApiError like the JSON client.
 */
export function upload<T>(path: string, fields: Record<string, string | Blob>, onProgress?: (pct: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', apiUrl(path))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json')
    xhr.setRequestHeader('Accept-Language', currentLocale())
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100))
    }
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', detail: 'network error' }))
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T)
        } catch (e) {
          reject(e)
        }
        return
      }
      const res = new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText })
      reject(await parseProblem(res))
    }
    const fd = new FormData()
    for (const [k, v] of Object.entries(fields)) fd.append(k, v)
    xhr.send(fd)
  })
}

export function uploadDocument(id: string, file: File, kind: string, onProgress?: (pct: number) => void) {
  return upload<DocumentItem>(`/employees/${enc(id)}/documents`, { kind, name: file.name, file }, onProgress)
}
