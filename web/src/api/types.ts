export type Locale = 'zh-CN' | 'en'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface Tenant {
  id: string
  code: string
  name: string
  timeZone: string
  locale: Locale
}

export interface Me {
  id: string
  login: string
  displayName: string
  email: string
  locale: Locale
  tenant: Tenant
  roles: string[]
  permissions: string[]
  mustChangePassword: boolean
  totpEnabled: boolean
  totpEnrollmentRequired: boolean
}

export type Scope = 'self' | 'department' | 'department_tree' | 'departments' | 'tenant'
export const SCOPES: Scope[] = ['self', 'department', 'department_tree', 'departments', 'tenant']

export interface Grant {
  roleId: string
  roleCode?: string
  roleName?: string
  scope: Scope
  departmentIds: string[]
}

export interface User {
  id: string
  login: string
  displayName: string
  email: string
  mobile: string
  idNumber: string
  status: 'active' | 'disabled'
  locked: boolean
  lastLoginAt: string | null
  mustChangePassword: boolean
  totpEnabled: boolean
  grants: Grant[]
  createdAt: string
  version: number
}

export interface Role {
  id: string
  code: string
  name: string
  description: string
  builtin: boolean
  defaultScope: Scope
  permissions: string[]
  userCount: number
}

export interface Permission {
  code: string
  module: string
  label: string
  sensitive: boolean
}

export interface AuditEntry {
  id: string
  seq: number
  at: string
  actorId: string
  actorLogin: string
  action: string
  objectType: string
  objectId: string
  diff: Record<string, { before: unknown; after: unknown }> | null
  requestId: string
  ip: string
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
export const JOB_STATES: JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled']

export interface Job {
  id: string
  kind: string
  state: JobState
  progress: number
  message: string
  attempt: number
  maxAttempts: number
  lastError: string
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  createdBy: string
  /** kind-specific outcome, e.g. the audit verification report */
  result?: unknown
}

export interface TenantSettings {
  id: string
  code: string
  name: string
  timeZone: string
  locale: Locale
  requireAdminTotp: boolean
  passwordMinLength: number
  sessionIdleMinutes: number
  sessionMaxHours: number
  version: number
}

export interface ApiToken {
  id: string
  name: string
  prefix: string
  permissions: string[]
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
  createdAt: string
}
