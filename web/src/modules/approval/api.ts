// Approval API (/api/v1): my approvals, instances and their actions, request types,
// flows (versions, preview) and delegations. Shapes follow internal/approval and
// internal/approval/approvalapi.
import { api, download, type Query } from '@/api/client'
import type { Page } from '@/api/types'

const enc = encodeURIComponent

export const TABS = ['todo', 'done', 'submitted', 'cc'] as const
export type Tab = (typeof TABS)[number]
export const STATES = ['running', 'approved', 'rejected', 'withdrawn'] as const
export type State = (typeof STATES)[number]
export type TaskState = 'pending' | 'waiting' | 'approved' | 'rejected' | 'transferred' | 'cancelled'

export interface Approver {
  kind: string
  level?: number
  field?: string
  role?: string
  userIds?: string[]
}

export interface Condition {
  field: string
  op: string
  value: unknown
}

export interface FlowNode {
  name: string
  mode: string
  approvers: Approver[]
  when?: Condition[]
  fallback?: Approver[]
  timeoutHours?: number
  onTimeout?: string
  escalateTo?: Approver[]
}

export interface Branch {
  name?: string
  when?: Condition[]
  nodes: FlowNode[]
}

export interface Definition {
  branches: Branch[]
  fallback?: Approver[]
  cc?: Approver[]
}

export interface Flow {
  id: string
  requestType: string
  version: number
  name: string
  definition: Definition
  createdBy?: string
  createdByName?: string
  createdAt?: string
  /** the type's default: the tenant has not saved a flow yet */
  default?: boolean
}

export interface FieldSpec {
  name: string
  kind: 'number' | 'date' | 'string' | 'department' | 'employee' | string
  /** message key, or a translated label */
  label: string
}

export interface RequestType {
  code: string
  label: string
  fields: FieldSpec[]
}

export interface Instance {
  id: string
  requestType: string
  flowId?: string
  flowVersion?: number
  title: string
  applicantUserId: string
  applicantName: string
  subjectEmployeeId?: string
  subjectDepartmentId?: string
  objectId?: string
  fields: Record<string, unknown>
  state: State | string
  round: number
  branch?: number
  nodeIndex: number
  nodeName: string
  remindedAt?: string | null
  submittedAt: string
  finishedAt?: string | null
  updatedAt?: string
  version?: number
}

/** A row of "my approvals": the instance and, on to do / done, the caller's task. */
export interface Item extends Instance {
  taskId?: string
  taskState?: TaskState | string
  taskNode?: string
  taskCreatedAt?: string | null
  taskActedAt?: string | null
  onBehalfOf?: string
}

export interface Counts {
  todo: number
  done: number
  submitted: number
  cc: number
}

export interface Mine extends Page<Item> {
  counts?: Counts
}

export interface Task {
  id: string
  instanceId?: string
  round: number
  nodeIndex: number
  nodeName: string
  parentId?: string
  origin: string
  approverUserId: string
  approverName: string
  onBehalfOf?: string
  onBehalfOfName?: string
  state: TaskState | string
  comment: string
  dueAt?: string | null
  escalated?: boolean
  createdAt: string
  actedAt?: string | null
}

export interface TimelineEvent {
  id: string
  round: number
  at: string
  actorUserId: string
  actorName: string
  action: string
  comment: string
  detail?: Record<string, unknown> | null
}

export interface NodeView {
  index: number
  name: string
  mode: string
  state: 'done' | 'skipped' | 'current' | 'upcoming' | 'rejected' | string
}

export type Action = 'approve' | 'reject' | 'transfer' | 'add_approver' | 'withdraw' | 'remind' | 'resubmit'

export interface Detail extends Instance {
  tasks: Task[]
  timeline: TimelineEvent[]
  nodes: NodeView[]
  actions: Action[] | string[]
}

export interface UserRef {
  id: string
  name: string
  active?: boolean
}

export interface Assignee {
  userId: string
  name: string
  onBehalfOf?: string
  onBehalfOfName?: string
}

export interface PreviewNode {
  index: number
  name: string
  mode: string
  skipped?: '' | 'condition' | 'applicant' | 'approved_earlier' | string
  byFallback: boolean
  approvers: Assignee[]
  removed?: UserRef[]
  error?: { code: string; message?: string } | null
}

export interface Preview {
  branch: number
  branchName: string
  nodes: PreviewNode[]
  cc: UserRef[]
  fallback: UserRef[]
}

export interface Delegation {
  id: string
  userId: string
  userName?: string
  delegateUserId: string
  delegateName: string
  requestType: string
  startDate: string
  endDate: string
  note: string
  createdAt?: string
}

export interface DelegationInput {
  delegateUserId: string
  requestType: string
  startDate: string
  endDate: string
  note: string
}

/** A person one can hand a task to or name in a flow. */
export interface Candidate {
  id: string
  name: string
  login?: string
  employeeNo?: string
  departmentName?: string
}

type Items<T> = { items: T[] }
export function listOf<T>(r: Items<T> | T[] | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : r.items || []
}

/** A fresh idempotency key for one user action (a double click acts once). */
export function requestKey(): string {
  const c = globalThis.crypto as Crypto | undefined
  if (c?.randomUUID) return c.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}

export const approvalApi = {
  mine: (q: Query) => api.get<Mine>('/approvals/mine', q),
  counts: () => api.get<Counts>('/approvals/counts'),
  get: (id: string) => api.get<Detail>(`/approvals/${enc(id)}`),
  submit: (type: string, fields: Record<string, unknown>, key = requestKey()) =>
    api.post<Detail>('/approvals', { type, fields, requestKey: key }),
  approve: (id: string, comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/approve`, { comment, requestKey: key }),
  reject: (id: string, comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/reject`, { comment, requestKey: key }),
  withdraw: (id: string, comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/withdraw`, { comment, requestKey: key }),
  remind: (id: string, key = requestKey()) => api.post<Detail>(`/approvals/${enc(id)}/remind`, { requestKey: key }),
  transfer: (id: string, toUserId: string, comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/transfer`, { toUserId, comment, requestKey: key }),
  addApprovers: (id: string, userIds: string[], position: 'before' | 'after', comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/add-approvers`, { userIds, position, comment, requestKey: key }),
  resubmit: (id: string, fields: Record<string, unknown> | undefined, comment: string, key = requestKey()) =>
    api.post<Detail>(`/approvals/${enc(id)}/resubmit`, { fields, comment, requestKey: key }),
  /** HR (approval.instance.read_all): every request within the caller's scope */
  list: (q: Query) => api.get<Page<Instance>>('/approvals', q),
  /** downloads a tab of my approvals; q is query.exportQuery(format, filters, tab) */
  exportMine: (q: Query) => download('/approvals/mine/export', q),
  /** HR: downloads every request in scope; q is query.exportQuery(format, filters) */
  exportAll: (q: Query) => download('/approvals/export', q),
}

export const typeApi = {
  list: () => api.get<Items<RequestType> | RequestType[]>('/approval-types'),
}

export const flowApi = {
  list: () => api.get<Items<Flow> | Flow[]>('/approval-flows'),
  get: (type: string) => api.get<Flow>(`/approval-flows/${enc(type)}`),
  versions: (type: string) => api.get<Items<Flow> | Flow[]>(`/approval-flows/${enc(type)}/versions`),
  save: (type: string, b: { name: string; definition: Definition }) => api.put<Flow>(`/approval-flows/${enc(type)}`, b),
  preview: (type: string, b: { employeeId: string; fields: Record<string, unknown>; definition?: Definition }) =>
    api.post<Preview>(`/approval-flows/${enc(type)}/preview`, b),
}

export const delegationApi = {
  list: () => api.get<Items<Delegation> | Delegation[]>('/approval-delegations'),
  create: (b: DelegationInput) => api.post<Delegation>('/approval-delegations', b),
  remove: (id: string) => api.del(`/approval-delegations/${enc(id)}`),
}
