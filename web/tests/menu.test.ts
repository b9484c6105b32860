import { describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import { filterMenu, menuFromModules, type ModuleDef } from '@/layout/menu'
import { hasPermission } from '@/stores/session'
import { modules } from '@/modules'

const C = defineComponent({ render: () => null })

const fake: ModuleDef[] = [
  {
    name: 'platform',
    routes: [
      { path: '/', component: C, meta: { titleKey: 'menu.dashboard', menu: true } },
      { path: '/users', component: C, meta: { titleKey: 'menu.users', permission: 'platform.user.read', menu: true, menuGroup: 'menu.platform' } },
      { path: '/audit', component: C, meta: { titleKey: 'menu.audit', permission: 'platform.audit.read', menu: true, menuGroup: 'menu.platform' } },
      { path: '/account/totp', component: C, meta: { titleKey: 'totp.title' } },
    ],
  },
  {
    name: 'training',
    routes: [
      { path: '/courses', component: C, meta: { titleKey: 'x.courses', permission: ['training.course.read', 'training.course.manage'], menu: true, menuGroup: 'x.training' } },
    ],
  },
]

describe('menu registry', () => {
  it('builds groups from module routes with meta.menu only', () => {
    const g = menuFromModules(fake)
    expect(g.map((x) => x.groupKey)).toEqual(['', 'menu.platform', 'x.training'])
    expect(g[1].entries.map((e) => e.path)).toEqual(['/users', '/audit'])
    expect(g.flatMap((x) => x.entries).some((e) => e.path === '/account/totp')).toBe(false)
  })

  it('shows only entries whose permission the user holds and drops empty groups', () => {
    const g = filterMenu(menuFromModules(fake), ['platform.user.read', 'training.course.manage'])
    expect(g.map((x) => x.groupKey)).toEqual(['', 'menu.platform', 'x.training'])
    expect(g[1].entries.map((e) => e.path)).toEqual(['/users'])

    const none = filterMenu(menuFromModules(fake), [])
    expect(none.map((x) => x.groupKey)).toEqual([''])
    expect(none[0].entries.map((e) => e.path)).toEqual(['/'])
  })

  it('treats "*" as every permission', () => {
    expect(hasPermission(['*'], 'platform.user.read')).toBe(true)
    expect(hasPermission([], undefined)).toBe(true)
    expect(hasPermission(['a'], ['b', 'a'])).toBe(true)
    expect(hasPermission(['a'], 'b')).toBe(false)
  })

  it('the platform module registers its admin pages with permissions', () => {
    const entries = menuFromModules(modules).flatMap((g) => g.entries)
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e.permission]))
    expect(byPath['/users']).toBe('platform.user.read')
    expect(byPath['/roles/matrix']).toBe('platform.role.read')
    expect(byPath['/audit']).toBe('platform.audit.read')
    expect(byPath['/jobs']).toBe('platform.job.read')
    expect(byPath['/tenant']).toBe('platform.tenant.read')
  })
})
