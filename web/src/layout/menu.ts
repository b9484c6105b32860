// The side menu is built from the routes that modules register (see src/modules/index.ts):
// a route whose meta has `menu: true` becomes an entry; entries sharing `menuGroup`
// form one sub-menu. Only entries whose permission the user holds are shown.
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import { hasPermission } from '@/stores/session'

export interface ModuleDef {
  /** module name, e.g. "platform" */
  name: string
  /** routes rendered inside the main layout; paths are absolute ("/users") */
  routes: RouteRecordRaw[]
}

export interface MenuEntry {
  path: string
  titleKey: string
  icon?: Component
  permission?: string | string[]
}

export interface MenuGroup {
  /** i18n key of the sub-menu title; empty for top-level entries */
  groupKey: string
  icon?: Component
  entries: MenuEntry[]
}

export function menuFromModules(modules: ModuleDef[]): MenuGroup[] {
  const groups: MenuGroup[] = []
  for (const m of modules) {
    for (const r of m.routes) {
      const meta = r.meta
      if (!meta?.menu || !meta.titleKey) continue
      const entry: MenuEntry = { path: r.path, titleKey: meta.titleKey, icon: meta.icon, permission: meta.permission }
      const key = meta.menuGroup || ''
      let g = key ? groups.find((x) => x.groupKey === key) : undefined
      if (!g) {
        g = { groupKey: key, icon: key ? meta.menuGroupIcon : undefined, entries: [] }
        groups.push(g)
      }
      g.entries.push(entry)
    }
  }
  return groups
}

/** Keeps only entries the permissions allow, dropping groups left empty. */
export function filterMenu(groups: MenuGroup[], permissions: readonly string[]): MenuGroup[] {
  return groups
    .map((g) => ({ ...g, entries: g.entries.filter((e) => hasPermission(permissions, e.permission)) }))
    .filter((g) => g.entries.length > 0)
}
