// Notifications API (/api/v1): the inbox and its unread count, per-user email
// preferences, the tenant's SMTP settings with a test email, and the delivery log.
// Shapes follow internal/notify and internal/notify/notifyapi.
import { api, type Query } from '@/api/client'
import type { Page } from '@/api/types'

const enc = encodeURIComponent

export interface Notification {
  id: string
  template: string
  category: string
  title: string
  body: string
  /** app route the notification opens ("/approvals/123"), or '' */
  link: string
  objectType: string
  objectId: string
  read: boolean
  readAt: string | null
  createdAt: string
}

export interface CategoryChoice {
  category: string
  label: string
  inApp: boolean
  email: boolean
}

export const TLS_MODES = ['starttls', 'tls', 'none'] as const
export type TlsMode = (typeof TLS_MODES)[number]

export interface SmtpSettings {
  /** tenant (these settings), installation (the server's RENSHI_SMTP_URL) or none */
  source: 'tenant' | 'installation' | 'none'
  host: string
  port: number
  username: string
  hasPassword: boolean
  fromAddress: string
  fromName: string
  tlsMode: TlsMode
  version: number
}

export interface SmtpInput {
  host: string
  port: number
  username: string
  /** omitted: keep the stored password; '': remove it */
  password?: string
  fromAddress: string
  fromName: string
  tlsMode: TlsMode
  version: number
}

export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'failed', 'skipped'] as const

export interface Delivery {
  id: string
  notificationId?: string
  userId?: string
  channel: string
  state: string
  address: string
  template?: string
  /** the rendered subject in the caller's language */
  subject?: string
  messageId?: string
  attempts: number
  lastError: string
  jobId?: string
  sentAt?: string | null
  createdAt: string
  updatedAt?: string
}

export interface TestResult {
  to: string
  messageId: string
}

type Items<T> = { items: T[] }
export function listOf<T>(r: Items<T> | T[] | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : r.items || []
}

export const inboxApi = {
  list: (q: Query) => api.get<Page<Notification>>('/notifications', q),
  unreadCount: () => api.get<{ count: number; capped?: boolean }>('/notifications/unread-count'),
  markRead: (id: string) => api.post<void>(`/notifications/${enc(id)}/read`),
  markAllRead: () => api.post<{ updated: number }>('/notifications/read-all'),
}

export const preferenceApi = {
  get: () => api.get<Items<CategoryChoice> | CategoryChoice[]>('/notification-preferences'),
  save: (email: Record<string, boolean>) =>
    api.put<Items<CategoryChoice> | CategoryChoice[]>('/notification-preferences', {
      items: Object.entries(email).map(([category, on]) => ({ category, email: on })),
    }),
}

export const smtpApi = {
  get: () => api.get<SmtpSettings>('/notification-settings'),
  save: (b: SmtpInput) => api.put<SmtpSettings>('/notification-settings', b),
  remove: () => api.del('/notification-settings'),
  /** sends now and reports the server's answer; no address: the caller's own */
  test: (to: string) => api.post<TestResult>('/notification-settings/test', to ? { to } : {}),
}

export const deliveryApi = {
  list: (q: Query) => api.get<Page<Delivery>>('/notification-deliveries', q),
  retry: (id: string) => api.post<Delivery>(`/notification-deliveries/${enc(id)}/retry`),
}
