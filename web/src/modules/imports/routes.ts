import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Clock, Upload, UploadFilled } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

/**
 * The permissions of the import targets (employees, departments, job history, contracts):
 * holding any one of them shows the menu; the wizard then offers only the targets
 * GET /imports/targets lists for the caller.
 */
export const IMPORT_PERMISSIONS = [
  'employee.record.create',
  'employee.lifecycle.manage',
  'employee.contract.manage',
  'org.structure.manage',
]

const group = { menuGroup: 'menu.dataImport', menuGroupIcon: markRaw(UploadFilled) }

const routes: RouteRecordRaw[] = [
  {
    path: '/imports/new',
    name: 'import-new',
    component: () => import('./ImportWizardPage.vue'),
    meta: { titleKey: 'menu.importNew', icon: markRaw(Upload), permission: IMPORT_PERMISSIONS, menu: true, ...group },
  },
  {
    path: '/imports',
    name: 'imports',
    component: () => import('./ImportHistoryPage.vue'),
    meta: { titleKey: 'menu.importHistory', icon: markRaw(Clock), permission: IMPORT_PERMISSIONS, menu: true, ...group },
  },
  {
    path: '/imports/:id',
    name: 'import-detail',
    component: () => import('./ImportWizardPage.vue'),
    meta: { titleKey: 'imports.detailTitle', permission: IMPORT_PERMISSIONS },
  },
]

const imports: ModuleDef = { name: 'imports', routes }
export default imports
