import type { Permission } from '@/api/types'

export interface PermissionGroup {
  module: string
  items: Permission[]
}

/** Groups permissions by module, keeping the server's order. */
export function groupPermissions(perms: Permission[]): PermissionGroup[] {
  const out: PermissionGroup[] = []
  for (const p of perms) {
    let g = out.find((x) => x.module === p.module)
    if (!g) {
      g = { module: p.module, items: [] }
      out.push(g)
    }
    g.items.push(p)
  }
  return out
}

/** A role's permission list, with "*" (all) expanded to every known permission. */
export function expandPermissions(rolePerms: string[], all: Permission[]): string[] {
  return rolePerms.includes('*') ? all.map((p) => p.code) : rolePerms
}
