// The flow designer's editing model and its conversion to and from the API's flow
// definition (internal/approval: Definition, Branch, Node, Approver, Condition).
//
// The form keeps every input as the editor needs it (levels as numbers, a list value
// as an array, a stable key per row for v-for); toDefinition() writes only what the
// server reads, fromDefinition() fills the form from a saved version. Client checks
// (validateFlow) use the same field paths as the server's design-time errors
// ("branches[0].nodes[1].approvers[0].role"), so both show on the same inputs.
import type { Approver, Branch, Condition, Definition, FieldSpec, FlowNode } from './api'

export const APPROVER_KINDS = ['manager', 'department_head', 'role', 'users'] as const
export type ApproverKind = (typeof APPROVER_KINDS)[number]
/** A fallback must not depend on the applicant: roles or named accounts only. */
export const FALLBACK_KINDS: ApproverKind[] = ['role', 'users']
export const MODES = ['any', 'all'] as const
export type Mode = (typeof MODES)[number]
export const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'under'] as const
export type Op = (typeof OPS)[number]
export const TIMEOUT_ACTIONS = ['remind', 'escalate'] as const

/** Operators per field kind (as the server allows them). */
export const OPS_FOR: Record<string, Op[]> = {
  number: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in'],
  date: ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in'],
  string: ['eq', 'ne', 'in'],
  department: ['eq', 'ne', 'in', 'under'],
  employee: ['eq', 'ne', 'in'],
}

export const LIMITS = { branches: 20, nodes: 30, approvers: 20, conditions: 20, level: 10, timeoutHours: 720, name: 50 }

export interface ApproverForm {
  key: number
  kind: ApproverKind
  /** manager: 1 = direct manager; department_head: 0 = own department */
  level: number
  /** department_head: a department field of the request instead of the subject's */
  field: string
  role: string
  userIds: string[]
}

export interface ConditionForm {
  key: number
  field: string
  op: Op
  /** a single value, or a list for "in" / "under" */
  value: string | string[]
}

export interface NodeForm {
  key: number
  name: string
  mode: Mode
  approvers: ApproverForm[]
  /** conditions that must all hold, otherwise the node is skipped */
  when: ConditionForm[]
  fallback: ApproverForm[]
  timeoutHours: number
  onTimeout: '' | 'remind' | 'escalate'
  escalateTo: ApproverForm[]
}

export interface BranchForm {
  key: number
  name: string
  when: ConditionForm[]
  nodes: NodeForm[]
}

export interface FlowForm {
  name: string
  branches: BranchForm[]
  fallback: ApproverForm[]
  cc: ApproverForm[]
}

let seq = 0
const nextKey = () => ++seq

export const isListOp = (op: string) => op === 'in' || op === 'under'

export function newApprover(kind: ApproverKind = 'manager'): ApproverForm {
  return { key: nextKey(), kind, level: kind === 'manager' ? 1 : 0, field: '', role: '', userIds: [] }
}

export function newCondition(field = '', kind = 'number'): ConditionForm {
  const op: Op = (OPS_FOR[kind] || OPS_FOR.string)[0]
  return { key: nextKey(), field, op, value: '' }
}

export function newNode(name = ''): NodeForm {
  return {
    key: nextKey(), name, mode: 'any', approvers: [newApprover('manager')], when: [], fallback: [],
    timeoutHours: 0, onTimeout: '', escalateTo: [],
  }
}

export function newBranch(name = ''): BranchForm {
  return { key: nextKey(), name, when: [], nodes: [newNode()] }
}

export function emptyFlow(): FlowForm {
  return { name: '', branches: [newBranch()], fallback: [], cc: [] }
}

// --- API -> form ---

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v)
}

export function approverFromApi(a: Approver): ApproverForm {
  const kind = (APPROVER_KINDS as readonly string[]).includes(a.kind) ? (a.kind as ApproverKind) : 'users'
  return {
    key: nextKey(),
    kind,
    level: typeof a.level === 'number' ? a.level : kind === 'manager' ? 1 : 0,
    field: a.field || '',
    role: a.role || '',
    userIds: (a.userIds || []).map(str).filter((x) => x && x !== '0'),
  }
}

const OP_ALIASES: Record<string, Op> = {
  '=': 'eq', '==': 'eq', '!=': 'ne', '≠': 'ne', '<>': 'ne', '>': 'gt', '>=': 'ge', '≥': 'ge',
  '<': 'lt', '<=': 'le', '≤': 'le', in_subtree: 'under',
}

export function normalizeOp(op: string): Op {
  const o = (op || '').trim().toLowerCase()
  if ((OPS as readonly string[]).includes(o)) return o as Op
  return OP_ALIASES[o] || 'eq'
}

export function conditionFromApi(c: Condition): ConditionForm {
  const op = normalizeOp(c.op)
  let value: string | string[]
  if (isListOp(op)) value = Array.isArray(c.value) ? c.value.map(str) : c.value === undefined || c.value === null || c.value === '' ? [] : [str(c.value)]
  else value = Array.isArray(c.value) ? str(c.value[0]) : str(c.value)
  return { key: nextKey(), field: c.field || '', op, value }
}

export function nodeFromApi(n: FlowNode): NodeForm {
  return {
    key: nextKey(),
    name: n.name || '',
    mode: n.mode === 'all' ? 'all' : 'any',
    approvers: (n.approvers || []).map(approverFromApi),
    when: (n.when || []).map(conditionFromApi),
    fallback: (n.fallback || []).map(approverFromApi),
    timeoutHours: n.timeoutHours || 0,
    onTimeout: n.onTimeout === 'escalate' ? 'escalate' : n.onTimeout === 'remind' ? 'remind' : '',
    escalateTo: (n.escalateTo || []).map(approverFromApi),
  }
}

export function fromDefinition(def: Definition | null | undefined, name = ''): FlowForm {
  const branches = (def?.branches || []).map<BranchForm>((b) => ({
    key: nextKey(),
    name: b.name || '',
    when: (b.when || []).map(conditionFromApi),
    nodes: (b.nodes || []).map(nodeFromApi),
  }))
  return {
    name,
    branches: branches.length ? branches : [newBranch()],
    fallback: (def?.fallback || []).map(approverFromApi),
    cc: (def?.cc || []).map(approverFromApi),
  }
}

// --- form -> API ---

export function approverToApi(a: ApproverForm): Approver {
  switch (a.kind) {
    case 'manager':
      return { kind: 'manager', level: Math.max(1, Math.trunc(a.level || 1)) }
    case 'department_head': {
      const out: Approver = { kind: 'department_head', level: Math.max(0, Math.trunc(a.level || 0)) }
      if (a.field) out.field = a.field
      return out
    }
    case 'role':
      return { kind: 'role', role: a.role.trim() }
    default:
      return { kind: 'users', userIds: [...new Set(a.userIds.filter(Boolean))] }
  }
}

/** A condition value as the server wants it: numbers as numbers, ids and dates as strings. */
function valueToApi(v: string, kind: string | undefined): string | number {
  const s = v.trim()
  if (kind === 'number' && s !== '' && Number.isFinite(Number(s))) return Number(s)
  return s
}

export function conditionToApi(c: ConditionForm, fields: FieldSpec[]): Condition {
  const kind = fields.find((f) => f.name === c.field)?.kind
  if (isListOp(c.op)) {
    const list = Array.isArray(c.value) ? c.value : String(c.value).split(/[,，]/)
    return { field: c.field, op: c.op, value: list.map((x) => String(x)).filter((x) => x.trim() !== '').map((x) => valueToApi(x, kind)) }
  }
  const one = Array.isArray(c.value) ? c.value[0] || '' : c.value
  return { field: c.field, op: c.op, value: valueToApi(String(one), kind) }
}

export function nodeToApi(n: NodeForm, fields: FieldSpec[]): FlowNode {
  const out: FlowNode = { name: n.name.trim(), mode: n.mode, approvers: n.approvers.map(approverToApi) }
  if (n.when.length) out.when = n.when.map((c) => conditionToApi(c, fields))
  if (n.fallback.length) out.fallback = n.fallback.map(approverToApi)
  if (n.timeoutHours > 0) {
    out.timeoutHours = Math.trunc(n.timeoutHours)
    out.onTimeout = n.onTimeout || 'remind'
    if (out.onTimeout === 'escalate' && n.escalateTo.length) out.escalateTo = n.escalateTo.map(approverToApi)
  }
  return out
}

export function toDefinition(f: FlowForm, fields: FieldSpec[]): Definition {
  const branches: Branch[] = f.branches.map((b, i) => {
    const out: Branch = { nodes: b.nodes.map((n) => nodeToApi(n, fields)) }
    if (b.name.trim()) out.name = b.name.trim()
    // the last branch is the default: it has no conditions
    if (b.when.length && i < f.branches.length - 1) out.when = b.when.map((c) => conditionToApi(c, fields))
    return out
  })
  const def: Definition = { branches }
  if (f.fallback.length) def.fallback = f.fallback.map(approverToApi)
  if (f.cc.length) def.cc = f.cc.map(approverToApi)
  return def
}

// --- checks ---

/** A message key with parameters; the page translates it. */
export interface Problem {
  key: string
  params?: Record<string, unknown>
}

/** Whether an approver can resolve to nobody (then a fallback is needed). */
export const mayResolveToNobody = (a: ApproverForm) => a.kind !== 'users'

function checkApprovers(out: Record<string, Problem>, path: string, list: ApproverForm[], fallback: boolean) {
  if (list.length > LIMITS.approvers) out[path] = { key: 'approval.flow.err.tooMany', params: { max: LIMITS.approvers } }
  list.forEach((a, i) => {
    const at = `${path}[${i}]`
    if (fallback && !FALLBACK_KINDS.includes(a.kind)) out[`${at}.kind`] = { key: 'approval.flow.err.fallbackKind' }
    else if (a.kind === 'manager' && (a.level < 1 || a.level > LIMITS.level)) out[`${at}.level`] = { key: 'approval.flow.err.level', params: { min: 1, max: LIMITS.level } }
    else if (a.kind === 'department_head' && (a.level < 0 || a.level > LIMITS.level)) out[`${at}.level`] = { key: 'approval.flow.err.level', params: { min: 0, max: LIMITS.level } }
    else if (a.kind === 'role' && !a.role.trim()) out[`${at}.role`] = { key: 'approval.flow.err.role' }
    else if (a.kind === 'users' && !a.userIds.length) out[`${at}.userIds`] = { key: 'approval.flow.err.users' }
  })
}

function checkConditions(out: Record<string, Problem>, path: string, list: ConditionForm[], fields: FieldSpec[]) {
  if (list.length > LIMITS.conditions) out[path] = { key: 'approval.flow.err.tooMany', params: { max: LIMITS.conditions } }
  list.forEach((c, i) => {
    const at = `${path}[${i}]`
    const spec = fields.find((f) => f.name === c.field)
    if (!c.field) return void (out[`${at}.field`] = { key: 'approval.flow.err.field' })
    if (!spec) return void (out[`${at}.field`] = { key: 'approval.flow.err.unknownField', params: { name: c.field } })
    if (!(OPS_FOR[spec.kind] || OPS_FOR.string).includes(c.op)) return void (out[`${at}.op`] = { key: 'approval.flow.err.op' })
    const values = Array.isArray(c.value) ? c.value : [c.value]
    const filled = values.map((v) => String(v).trim()).filter(Boolean)
    if (!filled.length) return void (out[`${at}.value`] = { key: 'approval.flow.err.value' })
    if (spec.kind === 'number' && filled.some((v) => !Number.isFinite(Number(v)))) out[`${at}.value`] = { key: 'approval.flow.err.number' }
    if (spec.kind === 'date' && filled.some((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v))) out[`${at}.value`] = { key: 'approval.flow.err.date' }
  })
}

/**
 * Checks the form like the server's design-time checks do (the server checks again and
 * its messages win). Keys are field paths relative to the definition ("name" is the
 * flow's name): "branches[0].nodes[1].approvers[0].role", "fallback", ...
 */
export function validateFlow(f: FlowForm, fields: FieldSpec[]): Record<string, Problem> {
  const out: Record<string, Problem> = {}
  if (f.name.trim().length > LIMITS.name) out.name = { key: 'approval.flow.err.tooLong', params: { max: LIMITS.name } }
  if (!f.branches.length) out.branches = { key: 'approval.flow.err.noBranches' }
  if (f.branches.length > LIMITS.branches) out.branches = { key: 'approval.flow.err.tooMany', params: { max: LIMITS.branches } }
  let needsFallback = false
  f.branches.forEach((b, bi) => {
    const bp = `branches[${bi}]`
    const last = bi === f.branches.length - 1
    if (b.name.trim().length > LIMITS.name) out[`${bp}.name`] = { key: 'approval.flow.err.tooLong', params: { max: LIMITS.name } }
    if (!last && !b.when.length) out[`${bp}.when`] = { key: 'approval.flow.err.unreachable' }
    if (!last) checkConditions(out, `${bp}.when`, b.when, fields)
    if (!b.nodes.length) out[`${bp}.nodes`] = { key: 'approval.flow.err.noNodes' }
    if (b.nodes.length > LIMITS.nodes) out[`${bp}.nodes`] = { key: 'approval.flow.err.tooMany', params: { max: LIMITS.nodes } }
    b.nodes.forEach((n, ni) => {
      const np = `${bp}.nodes[${ni}]`
      if (!n.name.trim()) out[`${np}.name`] = { key: 'approval.flow.err.nodeName' }
      else if (n.name.trim().length > LIMITS.name) out[`${np}.name`] = { key: 'approval.flow.err.tooLong', params: { max: LIMITS.name } }
      if (!n.approvers.length) out[`${np}.approvers`] = { key: 'approval.flow.err.noApprovers' }
      checkApprovers(out, `${np}.approvers`, n.approvers, false)
      checkConditions(out, `${np}.when`, n.when, fields)
      checkApprovers(out, `${np}.fallback`, n.fallback, true)
      if (n.timeoutHours < 0 || n.timeoutHours > LIMITS.timeoutHours) {
        out[`${np}.timeoutHours`] = { key: 'approval.flow.err.timeout', params: { max: LIMITS.timeoutHours } }
      }
      if (n.timeoutHours > 0 && n.onTimeout === 'escalate') checkApprovers(out, `${np}.escalateTo`, n.escalateTo, false)
      if (!n.fallback.length && n.approvers.some(mayResolveToNobody)) {
        needsFallback = true
        if (!f.fallback.length) out[`${np}.fallback`] = { key: 'approval.flow.err.fallbackRequired' }
      }
    })
  })
  checkApprovers(out, 'fallback', f.fallback, true)
  checkApprovers(out, 'cc', f.cc, false)
  if (needsFallback && !f.fallback.length) out.fallback = { key: 'approval.flow.err.fallbackRequired' }
  return out
}

/**
 * Server field paths ("definition.branches[0].nodes[1].name", "name") -> the form's
 * paths (as validateFlow writes them).
 */
export function serverPath(field: string): string {
  return field.replace(/^definition\./, '').replace(/\.(\d+)(?=\.|$)/g, '[$1]')
}

/** Request fields for sample values in the preview: name -> value as the API wants it. */
export function sampleFields(values: Record<string, string>, fields: FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = (values[f.name] ?? '').trim()
    if (v === '' || f.name === 'subjectDepartmentId') continue
    out[f.name] = valueToApi(v, f.kind)
  }
  return out
}

// --- list editing helpers ---

export function move<T>(list: T[], from: number, to: number) {
  if (to < 0 || to >= list.length) return
  const [x] = list.splice(from, 1)
  list.splice(to, 0, x)
}
