import { describe, expect, it } from 'vitest'
import type { Definition, FieldSpec } from '@/modules/approval/api'
import {
  approverToApi, conditionFromApi, emptyFlow, fromDefinition, newApprover, newCondition, newNode, sampleFields, serverPath,
  toDefinition, validateFlow,
} from '@/modules/approval/flowModel'

const fields: FieldSpec[] = [
  { name: 'days', kind: 'number', label: 'field.days' },
  { name: 'startDate', kind: 'date', label: 'field.startDate' },
  { name: 'targetDepartmentId', kind: 'department', label: 'field.targetDepartmentId' },
  { name: 'kind', kind: 'string', label: 'field.kind' },
  { name: 'subjectDepartmentId', kind: 'department', label: 'field.subjectDepartmentId' },
]

// A flow as the server stores it: two branches, manager chains, a role, named users,
// conditions with canonical values (numbers as decimal strings), node fallback, timeout.
const saved: Definition = {
  branches: [
    {
      name: '长假',
      when: [{ field: 'days', op: 'gt', value: '3' }],
      nodes: [
        { name: '直属上级', mode: 'any', approvers: [{ kind: 'manager', level: 1 }] },
        {
          name: '部门负责人',
          mode: 'all',
          approvers: [{ kind: 'department_head', level: 1, field: 'targetDepartmentId' }, { kind: 'role', role: 'hr_admin' }],
          when: [{ field: 'subjectDepartmentId', op: 'under', value: ['101', '102'] }],
          fallback: [{ kind: 'users', userIds: ['9001'] }],
          timeoutHours: 24,
          onTimeout: 'escalate',
          escalateTo: [{ kind: 'manager', level: 2 }],
        },
      ],
    },
    { nodes: [{ name: 'HR', mode: 'any', approvers: [{ kind: 'role', role: 'hr_admin' }] }] },
  ],
  fallback: [{ kind: 'role', role: 'hr_admin' }],
  cc: [{ kind: 'users', userIds: ['9002', '9003'] }],
}

describe('flow designer model', () => {
  it('reads a saved definition into the form and writes the same definition back', () => {
    const form = fromDefinition(saved, '请假')
    expect(form.name).toBe('请假')
    expect(form.branches).toHaveLength(2)
    const n = form.branches[0].nodes[1]
    expect(n.mode).toBe('all')
    expect(n.approvers.map((a) => a.kind)).toEqual(['department_head', 'role'])
    expect(n.when[0]).toMatchObject({ field: 'subjectDepartmentId', op: 'under', value: ['101', '102'] })
    expect(n.timeoutHours).toBe(24)
    expect(n.onTimeout).toBe('escalate')

    const def = toDefinition(form, fields)
    // the number condition goes back as a number, everything else as stored
    expect(def.branches[0].when).toEqual([{ field: 'days', op: 'gt', value: 3 }])
    const expected = JSON.parse(JSON.stringify(saved))
    expected.branches[0].when[0].value = 3
    expect(def).toEqual(expected)
    // and a second round trip is stable
    expect(toDefinition(fromDefinition(def, ''), fields)).toEqual(def)
  })

  it('writes only what each approver kind needs', () => {
    const a = newApprover('manager')
    a.level = 3
    a.role = 'left over'
    a.userIds = ['1']
    expect(approverToApi(a)).toEqual({ kind: 'manager', level: 3 })
    a.kind = 'department_head'
    a.level = 0
    expect(approverToApi(a)).toEqual({ kind: 'department_head', level: 0 })
    a.kind = 'role'
    a.role = ' hr_admin '
    expect(approverToApi(a)).toEqual({ kind: 'role', role: 'hr_admin' })
    a.kind = 'users'
    a.userIds = ['7', '7', '8']
    expect(approverToApi(a)).toEqual({ kind: 'users', userIds: ['7', '8'] })
  })

  it('normalises operator aliases and list values', () => {
    expect(conditionFromApi({ field: 'days', op: '>=', value: '5' })).toMatchObject({ op: 'ge', value: '5' })
    expect(conditionFromApi({ field: 'kind', op: 'in', value: 'a' })).toMatchObject({ op: 'in', value: ['a'] })
    expect(conditionFromApi({ field: 'days', op: '≤', value: ['2'] })).toMatchObject({ op: 'le', value: '2' })
  })

  it('drops conditions from the default (last) branch and empty optional parts', () => {
    const form = emptyFlow()
    form.branches[0].nodes[0].name = '审批'
    form.branches[0].when.push(newCondition('days'))
    const def = toDefinition(form, fields)
    expect(def).toEqual({ branches: [{ nodes: [{ name: '审批', mode: 'any', approvers: [{ kind: 'manager', level: 1 }] }] }] })
  })

  it('checks the form like the server, with the server field paths', () => {
    const form = emptyFlow()
    form.branches[0].nodes[0].name = ''
    form.branches[0].nodes.push(newNode('HR'))
    form.branches[0].nodes[1].approvers = [Object.assign(newApprover('role'), { role: '' })]
    form.branches[0].nodes[1].when.push(Object.assign(newCondition('days'), { value: 'abc' }))
    form.branches[0].nodes[1].when.push(Object.assign(newCondition('nope'), { value: '1' }))
    form.fallback.push(newApprover('manager'))
    const errs = validateFlow(form, fields)
    expect(errs['branches[0].nodes[0].name'].key).toBe('approval.flow.err.nodeName')
    expect(errs['branches[0].nodes[1].approvers[0].role'].key).toBe('approval.flow.err.role')
    expect(errs['branches[0].nodes[1].when[0].value'].key).toBe('approval.flow.err.number')
    expect(errs['branches[0].nodes[1].when[1].field']).toEqual({ key: 'approval.flow.err.unknownField', params: { name: 'nope' } })
    // a fallback can only be a role or named people
    expect(errs['fallback[0].kind'].key).toBe('approval.flow.err.fallbackKind')
  })

  it('requires a fallback when an approver may resolve to nobody', () => {
    const form = emptyFlow()
    form.branches[0].nodes[0].name = '上级'
    expect(validateFlow(form, fields)['branches[0].nodes[0].fallback'].key).toBe('approval.flow.err.fallbackRequired')
    form.fallback.push(Object.assign(newApprover('role'), { role: 'hr_admin' }))
    expect(validateFlow(form, fields)).toEqual({})
    // named people always resolve: no fallback needed
    const named = emptyFlow()
    named.branches[0].nodes[0].name = 'CEO'
    named.branches[0].nodes[0].approvers = [Object.assign(newApprover('users'), { userIds: ['1'] })]
    expect(validateFlow(named, fields)).toEqual({})
  })

  it('refuses a conditional branch without conditions (it would hide the ones after it)', () => {
    const form = fromDefinition(saved, '')
    form.branches[0].when = []
    expect(validateFlow(form, fields)['branches[0].when'].key).toBe('approval.flow.err.unreachable')
  })

  it('maps server field paths onto the form', () => {
    expect(serverPath('definition.branches[0].nodes[1].approvers[0].role')).toBe('branches[0].nodes[1].approvers[0].role')
    expect(serverPath('definition.branches.0.nodes.1.name')).toBe('branches[0].nodes[1].name')
    expect(serverPath('definition.fallback')).toBe('fallback')
    expect(serverPath('name')).toBe('name')
  })

  it('builds sample fields for the preview with typed values', () => {
    expect(sampleFields({ days: '4', startDate: '2026-05-01', kind: ' x ', subjectDepartmentId: '1', targetDepartmentId: '' }, fields)).toEqual({
      days: 4,
      startDate: '2026-05-01',
      kind: 'x',
    })
  })
})
