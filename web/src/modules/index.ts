// Module registry: each business module (org, employee, training, ...) adds its
// ModuleDef here; its routes appear in the layout and, with meta.menu, in the side menu.
import type { ModuleDef } from '@/layout/menu'
import platform from './platform/routes'
import org from './org/routes'
import employee from './employee/routes'
import approval from './approval/routes'
import notify from './notify/routes'
import imports from './imports/routes'
import training from './training/routes'

export const modules: ModuleDef[] = [platform, approval, employee, org, imports, training, notify]
