import { describe, expect, it } from 'vitest'
import { emptyFilters, filtered, filterParams, filtersFromRoute, historyQuery } from '@/modules/imports/query'
import { ACCEPT, extOf, fileProblem, formatSize, MAX_BYTES } from '@/modules/imports/file'
import { camel, columnLabel, keyLike, targetLabel } from '@/modules/imports/labels'

describe('import history filters', () => {
  it('leaves empty filters out of the query', () => {
    expect(historyQuery(emptyFilters())).toEqual({ page: 1, pageSize: 20 })
    const f = { q: ' 花名册 ', target: 'employees', state: 'imported', created: ['2026-01-01', '2026-01-31'] as [string, string] }
    expect(historyQuery(f, 2, 50)).toEqual({ page: 2, pageSize: 50, q: '花名册', target: 'employees', state: 'imported', from: '2026-01-01', to: '2026-01-31' })
    expect(filtered(f)).toBe(true)
    expect(filtered(emptyFilters())).toBe(false)
  })

  it('restores the filters from the URL and drops what the server would refuse', () => {
    const f = filtersFromRoute({ q: 'x', target: 'employees', state: 'imported', from: '2026-02-01', to: 'soon' })
    expect(f).toEqual({ q: 'x', target: 'employees', state: 'imported', created: ['2026-02-01', ''] })
    expect(filtersFromRoute({ state: 'bogus', target: '<script>' })).toEqual(emptyFilters())
    expect(filterParams(filtersFromRoute({ q: ['a', 'b'] }))).toEqual({ q: 'a' })
  })
})

describe('the chosen file', () => {
  it('refuses what is certainly wrong and lets the server judge the rest', () => {
    expect(fileProblem({ name: '花名册.xlsx', size: 2048 })).toBe('')
    expect(fileProblem({ name: 'roster.CSV', size: 10 })).toBe('')
    expect(fileProblem({ name: 'old.xls', size: 10 })).toBe('') // the server says "save as .xlsx"
    expect(fileProblem({ name: 'a.csv', size: 0 })).toBe('empty')
    expect(fileProblem({ name: 'a.xlsx', size: MAX_BYTES + 1 })).toBe('tooLarge')
    expect(fileProblem({ name: 'photo.png', size: 10 })).toBe('type')
    expect(fileProblem({ name: 'noext', size: 10 })).toBe('type')
    expect(extOf('.hidden')).toBe('')
    expect(ACCEPT).toContain('.xlsx')
  })

  it('shows sizes people read', () => {
    expect(formatSize(512)).toBe('512 B')
    expect(formatSize(1536)).toBe('1.5 KB')
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MB')
    expect(formatSize(-1)).toBe('')
  })
})

describe('target and column names', () => {
  const known: Record<string, string> = { 'imports.column.hireDate': '入职日期', 'imports.targets.jobHistory': '任职记录', 'employee.col.name': '姓名' }
  const tr = { t: (k: string) => known[k] ?? k, te: (k: string) => k in known }

  it('translates label keys it knows and shows texts as sent', () => {
    expect(keyLike('employee.col.name')).toBe(true)
    expect(keyLike('技能')).toBe(false)
    expect(keyLike('Skill level')).toBe(false)
    expect(columnLabel({ key: 'name', label: 'employee.col.name' }, tr)).toBe('姓名')
    expect(columnLabel({ key: 'hireDate', label: 'imports.unknown.key' }, tr)).toBe('入职日期')
    expect(columnLabel({ key: 'custom.skills', label: '技能' }, tr)).toBe('技能')
    expect(columnLabel({ key: 'custom.level', label: '' }, tr)).toBe('level')
    expect(columnLabel({ key: 'weird', label: 'some.key' }, tr)).toBe('some.key')
  })

  it('names targets from its own messages first', () => {
    expect(camel('job_history')).toBe('jobHistory')
    expect(targetLabel({ name: 'job_history', label: 'x.y' }, tr)).toBe('任职记录')
    expect(targetLabel({ name: 'punches', label: '打卡记录' }, tr)).toBe('打卡记录')
    expect(targetLabel('leave_balances', tr)).toBe('leave_balances')
  })
})
