import { describe, expect, it } from 'vitest'
import { filterMenu, menuFromModules } from '@/layout/menu'
import { modules } from '@/modules'

describe('core HR menu entries', () => {
  const entries = menuFromModules(modules).flatMap((g) => g.entries)
  const perm = Object.fromEntries(entries.map((e) => [e.path, e.permission]))

  it('registers the organisation and employee pages with their permissions', () => {
    for (const p of ['/org/departments', '/org/chart', '/org/positions', '/org/grades', '/org/legal-entities', '/org/cost-centers', '/org/locations']) {
      expect(perm[p], p).toBe('org.structure.read')
    }
    expect(perm['/employees']).toBe('employee.record.read')
    expect(perm['/me/profile']).toBe('employee.self.read')
    expect(perm['/employee-settings/bank-requests']).toBe('employee.bank_request.review')
    expect(perm['/employee-settings/fields']).toBe('employee.field.manage')
  })

  it('shows an employee only self-service and the org pages', () => {
    const paths = filterMenu(menuFromModules(modules), ['employee.self.read', 'employee.self.update', 'org.structure.read'])
      .flatMap((g) => g.entries)
      .map((e) => e.path)
    expect(paths).toContain('/me/profile')
    expect(paths).toContain('/org/chart')
    expect(paths).not.toContain('/employees')
    expect(paths).not.toContain('/employee-settings/fields')
  })
})
