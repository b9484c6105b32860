import { describe, expect, it } from 'vitest'
import {
  badge, countsOf, emptyFilters, filtered, filtersFromRoute, mineQuery, parseTab, routeQuery,
} from '@/modules/approval/query'
import { filterMenu, menuFromModules } from '@/layout/menu'
import { modules } from '@/modules'
import { unreadLabel } from '@/modules/notify/store'

describe('my approvals: tabs, counts and the query', () => {
  it('reads the tab from the URL, defaulting to to-do', () => {
    expect(parseTab('cc')).toBe('cc')
    expect(parseTab(['done'])).toBe('done')
    expect(parseTab('nope')).toBe('todo')
    expect(parseTab(undefined)).toBe('todo')
  })

  it('builds the list query without empty filters', () => {
    expect(mineQuery('todo', emptyFilters())).toEqual({ tab: 'todo', page: 1, pageSize: 20 })
    const f = { q: ' 张三 ', type: 'employee.bank_account', submitted: ['2026-01-01', '2026-01-31'] as [string, string], state: 'running' }
    expect(mineQuery('submitted', f, 3, 50)).toEqual({
      tab: 'submitted', page: 3, pageSize: 50, q: '张三', type: 'employee.bank_account', state: 'running', from: '2026-01-01', to: '2026-01-31',
    })
    expect(filtered(f)).toBe(true)
    expect(filtered(emptyFilters())).toBe(false)
  })

  it('round-trips tab and filters through the URL', () => {
    const f = { q: 'x', type: 't', submitted: ['2026-02-01', ''] as [string, string], state: '' }
    const q = routeQuery('cc', f)
    expect(q).toEqual({ tab: 'cc', q: 'x', type: 't', from: '2026-02-01' })
    expect(parseTab(q.tab)).toBe('cc')
    expect(filtersFromRoute(q)).toEqual({ q: 'x', type: 't', state: '', submitted: ['2026-02-01', ''] })
    expect(routeQuery('todo', emptyFilters())).toEqual({})
  })

  it('shows tab counts as badges', () => {
    const c = countsOf({ todo: 3, done: 120, submitted: 0 } as never)
    expect(c).toEqual({ todo: 3, done: 120, submitted: 0, cc: 0 })
    expect(badge(c.todo)).toBe('3')
    expect(badge(c.done)).toBe('99+')
    expect(badge(c.submitted)).toBe('')
    expect(countsOf(null)).toEqual({ todo: 0, done: 0, submitted: 0, cc: 0 })
    expect(unreadLabel(0)).toBe('')
    expect(unreadLabel(1000)).toBe('99+')
  })

  it('registers the approval and notification pages in the menu', () => {
    const entries = menuFromModules(modules).flatMap((g) => g.entries)
    const perm = Object.fromEntries(entries.map((e) => [e.path, e.permission]))
    expect(perm['/approvals']).toBeUndefined()
    expect(perm['/approval-settings/flows']).toBe('approval.flow.manage')
    expect(perm['/notify/settings']).toBe('notify.settings.manage')
    const employee = filterMenu(menuFromModules(modules), ['employee.self.read']).flatMap((g) => g.entries).map((e) => e.path)
    expect(employee).toContain('/approvals')
    expect(employee).toContain('/approvals/delegations')
    expect(employee).not.toContain('/approval-settings/flows')
    expect(employee).not.toContain('/notify/settings')
  })
})
