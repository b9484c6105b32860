import { api, type Query } from './client'
import type {
  ApiToken, AuditEntry, Grant, Job, Locale, Me, Page, Permission, Role, TenantSettings, User,
} from './types'

export interface LoginInput {
  tenant: string
  login: string
  password: string
  totp?: string
}

export const authApi = {
  login: (b: LoginInput) => api.post<Me>('/auth/login', b, { noAuthRedirect: true }),
  logout: () => api.post<void>('/auth/logout', undefined, { noAuthRedirect: true }),
  me: () => api.get<Me>('/auth/me', undefined, { noAuthRedirect: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<void>('/auth/password', { currentPassword, newPassword }),
  setLocale: (locale: Locale) => api.put<void>('/auth/me/locale', { locale }),
  totpSetup: () => api.post<{ secret: string; otpauthUrl: string }>('/auth/totp/setup'),
  totpEnable: (code: string) => api.post<void>('/auth/totp/enable', { code }),
  totpDisable: (password: string) => api.post<void>('/auth/totp/disable', { password }),
}

export const tokenApi = {
  list: () => api.get<{ items: ApiToken[] }>('/tokens'),
  create: (b: { name: string; permissions: string[]; expiresAt: string | null }) =>
    api.post<{ token: string; item: ApiToken }>('/tokens', b),
  revoke: (id: string) => api.del(`/tokens/${encodeURIComponent(id)}`),
}

export interface UserInput {
  login: string
  displayName: string
  email: string
  mobile: string
  idNumber: string
  password?: string
  grants: Grant[]
}

export type UserPatch = Partial<Pick<User, 'displayName' | 'email' | 'mobile' | 'idNumber' | 'status'>> & {
  version: number
}

export const userApi = {
  list: (q: Query) => api.get<Page<User>>('/users', q),
  create: (b: UserInput) => api.post<{ user: User; initialPassword?: string }>('/users', b),
  update: (id: string, b: UserPatch) => api.patch<User>(`/users/${encodeURIComponent(id)}`, b),
  setGrants: (id: string, grants: Grant[]) => api.put<User>(`/users/${encodeURIComponent(id)}/grants`, { grants }),
  resetPassword: (id: string) =>
    api.post<{ initialPassword: string }>(`/users/${encodeURIComponent(id)}/reset-password`),
  unlock: (id: string) => api.post<void>(`/users/${encodeURIComponent(id)}/unlock`),
  resetTotp: (id: string) => api.post<void>(`/users/${encodeURIComponent(id)}/reset-totp`),
  sensitive: (id: string) =>
    api.get<{ mobile: string; idNumber: string }>(`/users/${encodeURIComponent(id)}/sensitive`),
}

export type RoleInput = Pick<Role, 'code' | 'name' | 'description' | 'defaultScope' | 'permissions'>

export const roleApi = {
  list: () => api.get<{ items: Role[] }>('/roles'),
  permissions: () => api.get<{ items: Permission[] }>('/permissions'),
  create: (b: RoleInput) => api.post<Role>('/roles', b),
  update: (id: string, b: Partial<Omit<RoleInput, 'code'>>) => api.patch<Role>(`/roles/${encodeURIComponent(id)}`, b),
  remove: (id: string) => api.del(`/roles/${encodeURIComponent(id)}`),
}

export const auditApi = {
  list: (q: Query) => api.get<Page<AuditEntry>>('/audit', q),
  verify: () => api.post<{ job: Job }>('/audit/verify'),
}

export const jobApi = {
  list: (q: Query) => api.get<Page<Job>>('/jobs', q),
  get: (id: string) => api.get<Job>(`/jobs/${encodeURIComponent(id)}`),
  retry: (id: string) => api.post<Job>(`/jobs/${encodeURIComponent(id)}/retry`),
  cancel: (id: string) => api.post<Job>(`/jobs/${encodeURIComponent(id)}/cancel`),
}

export const tenantApi = {
  get: () => api.get<TenantSettings>('/tenant'),
  update: (b: Partial<Omit<TenantSettings, 'id' | 'code'>> & { version: number }) =>
    api.patch<TenantSettings>('/tenant', b),
}
