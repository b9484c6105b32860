import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Clock, Document, Grid, HomeFilled, OfficeBuilding, Setting, User, UserFilled } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

const group = { menuGroup: 'menu.platform', menuGroupIcon: markRaw(Setting) }

const routes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'dashboard',
    component: () => import('./DashboardPage.vue'),
    meta: { titleKey: 'menu.dashboard', icon: markRaw(HomeFilled), menu: true },
  },
  {
    path: '/users',
    name: 'users',
    component: () => import('./UsersPage.vue'),
    meta: { titleKey: 'menu.users', icon: markRaw(User), permission: 'platform.user.read', menu: true, ...group },
  },
  {
    path: '/roles',
    name: 'roles',
    component: () => import('./RolesPage.vue'),
    meta: { titleKey: 'menu.roles', icon: markRaw(UserFilled), permission: 'platform.role.read', menu: true, ...group },
  },
  {
    path: '/roles/matrix',
    name: 'permission-matrix',
    component: () => import('./PermissionMatrixPage.vue'),
    meta: { titleKey: 'menu.permissionMatrix', icon: markRaw(Grid), permission: 'platform.role.read', menu: true, ...group },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('./AuditPage.vue'),
    meta: { titleKey: 'menu.audit', icon: markRaw(Document), permission: 'platform.audit.read', menu: true, ...group },
  },
  {
    path: '/jobs',
    name: 'jobs',
    component: () => import('./JobsPage.vue'),
    meta: { titleKey: 'menu.jobs', icon: markRaw(Clock), permission: 'platform.job.read', menu: true, ...group },
  },
  {
    path: '/tenant',
    name: 'tenant',
    component: () => import('./TenantPage.vue'),
    meta: { titleKey: 'menu.tenant', icon: markRaw(OfficeBuilding), permission: 'platform.tenant.read', menu: true, ...group },
  },
  // Account pages (user menu, not the side menu).
  {
    path: '/account/password',
    name: 'account-password',
    component: () => import('./PasswordPage.vue'),
    meta: { titleKey: 'account.passwordTitle' },
  },
  {
    path: '/account/tokens',
    name: 'account-tokens',
    component: () => import('./TokensPage.vue'),
    meta: { titleKey: 'tokens.title', permission: 'platform.token.manage' },
  },
  {
    path: '/account/totp',
    name: 'account-totp',
    component: () => import('./TotpPage.vue'),
    meta: { titleKey: 'totp.title' },
  },
]

const platform: ModuleDef = { name: 'platform', routes }
export default platform
