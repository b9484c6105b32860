import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Briefcase, Coin, Histogram, Location, OfficeBuilding, Rank, Share, Tickets } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

const READ = 'org.structure.read'
const group = { menuGroup: 'menu.org', menuGroupIcon: markRaw(OfficeBuilding) }

const routes: RouteRecordRaw[] = [
  {
    path: '/org/departments',
    name: 'org-departments',
    component: () => import('./DepartmentsPage.vue'),
    meta: { titleKey: 'menu.departments', icon: markRaw(Share), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/departments/:id',
    name: 'org-department',
    component: () => import('./DepartmentDetailPage.vue'),
    meta: { titleKey: 'org.departmentDetail', permission: READ },
  },
  {
    path: '/org/chart',
    name: 'org-chart',
    component: () => import('./OrgChartPage.vue'),
    meta: { titleKey: 'menu.orgChart', icon: markRaw(Histogram), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/positions',
    name: 'org-positions',
    component: () => import('./PositionsPage.vue'),
    meta: { titleKey: 'menu.positions', icon: markRaw(Briefcase), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/grades',
    name: 'org-grades',
    component: () => import('./GradesPage.vue'),
    meta: { titleKey: 'menu.grades', icon: markRaw(Rank), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/legal-entities',
    name: 'org-legal-entities',
    component: () => import('./LegalEntitiesPage.vue'),
    meta: { titleKey: 'menu.legalEntities', icon: markRaw(Tickets), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/cost-centers',
    name: 'org-cost-centers',
    component: () => import('./CostCentersPage.vue'),
    meta: { titleKey: 'menu.costCenters', icon: markRaw(Coin), permission: READ, menu: true, ...group },
  },
  {
    path: '/org/locations',
    name: 'org-locations',
    component: () => import('./LocationsPage.vue'),
    meta: { titleKey: 'menu.locations', icon: markRaw(Location), permission: READ, menu: true, ...group },
  },
]

const org: ModuleDef = { name: 'org', routes }
export default org
