import { describe, expect, it } from 'vitest'
import { catalogueFilters, catalogueParams, compact, enrollmentFilters, enrollmentParams, programFilters, programParams } from '@/modules/training/query'
import { filterMenu, menuFromModules } from '@/layout/menu'
import { modules } from '@/modules'

describe('training list filters', () => {
  it('reads the catalogue filters from the URL and writes them back without empties', () => {
    const f = catalogueFilters({ q: '安全', kind: 'professional', departmentId: '12', editable: 'true', archived: 'no' })
    expect(f).toEqual({ q: '安全', kind: 'professional', departmentId: '12', editable: true, archived: false })
    expect(catalogueParams(f)).toEqual({ q: '安全', kind: 'professional', departmentId: '12', editable: 'true' })
    // values the server refuses are dropped
    expect(catalogueFilters({ kind: 'nope', departmentId: 'x' })).toEqual({ q: '', kind: '', departmentId: '', editable: false, archived: false })
  })

  it('keeps the overdue state on enrollments', () => {
    const f = enrollmentFilters({ state: 'overdue', q: [' 张 '] })
    expect(enrollmentParams(f)).toEqual({ q: '张', state: 'overdue' })
    expect(enrollmentFilters({ state: 'late' }).state).toBe('')
    expect(programParams(programFilters({ state: 'active' }))).toEqual({ state: 'active' })
    expect(compact({ a: ' ', b: 'x', c: null, d: undefined })).toEqual({ b: 'x' })
  })
})

describe('training menu', () => {
  const group = (perms: string[]) => filterMenu(menuFromModules(modules), perms).find((g) => g.groupKey === 'training.menu.group')

  it('shows HR the catalogue, programs, grading and reports', () => {
    const g = group(['training.module.read', 'training.program.read', 'training.work.grade'])
    expect(g?.entries.map((e) => e.path)).toEqual(['/training/modules', '/training/programs', '/training/grading', '/training/reports'])
  })

  it('shows a content owner the catalogue and grading only, and everyone the learning center', () => {
    expect(group(['training.module.read', 'training.work.grade'])?.entries.map((e) => e.path)).toEqual(['/training/modules', '/training/grading'])
    const all = filterMenu(menuFromModules(modules), [])
    expect(all.some((g) => g.entries.some((e) => e.path === '/learn'))).toBe(true)
    expect(group([])).toBeUndefined()
  })
})
