import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Avatar, CreditCard, Postcard, SetUp, Switch, User } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

const READ = 'employee.record.read'
const group = { menuGroup: 'menu.employees', menuGroupIcon: markRaw(User) }

const routes: RouteRecordRaw[] = [
  {
    path: '/me/profile',
    name: 'self-service',
    component: () => import('./SelfServicePage.vue'),
    meta: { titleKey: 'menu.selfService', icon: markRaw(Avatar), permission: 'employee.self.read', menu: true },
  },
  {
    path: '/employees',
    name: 'employees',
    component: () => import('./EmployeesPage.vue'),
    meta: { titleKey: 'menu.roster', icon: markRaw(Postcard), permission: READ, menu: true, ...group },
  },
  {
    path: '/employee-changes',
    name: 'job-changes',
    component: () => import('./JobChangesPage.vue'),
    meta: { titleKey: 'menu.jobChanges', icon: markRaw(Switch), permission: READ, menu: true, ...group },
  },
  {
    path: '/employees/new',
    name: 'employee-new',
    component: () => import('./EmployeeFormPage.vue'),
    meta: { titleKey: 'employee.new', permission: 'employee.record.create' },
  },
  {
    path: '/employees/:id',
    name: 'employee-detail',
    component: () => import('./EmployeeDetailPage.vue'),
    meta: { titleKey: 'employee.detail', permission: READ },
  },
  {
    path: '/employees/:id/edit',
    name: 'employee-edit',
    component: () => import('./EmployeeFormPage.vue'),
    meta: { titleKey: 'employee.edit', permission: 'employee.record.update' },
  },
  {
    path: '/employee-settings/bank-requests',
    name: 'bank-requests',
    component: () => import('./BankRequestsPage.vue'),
    meta: { titleKey: 'menu.bankRequests', icon: markRaw(CreditCard), permission: 'employee.bank_request.review', menu: true, ...group },
  },
  {
    path: '/employee-settings/fields',
    name: 'employee-fields',
    component: () => import('./FieldsPage.vue'),
    meta: { titleKey: 'menu.employeeFields', icon: markRaw(SetUp), permission: 'employee.field.manage', menu: true, ...group },
  },
]

const employee: ModuleDef = { name: 'employee', routes }
export default employee
