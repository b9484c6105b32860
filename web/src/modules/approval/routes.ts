import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Finished, Search, Share, Stamp, User } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

export const PERM_FLOW_MANAGE = 'approval.flow.manage'
/** HR: every request in scope (approval.PermReadAll) */
export const PERM_READ_ALL = 'approval.instance.read_all'
const group = { menuGroup: 'menu.approvals', menuGroupIcon: markRaw(Stamp) }

const routes: RouteRecordRaw[] = [
  {
    path: '/approvals',
    name: 'approvals',
    component: () => import('./MyApprovalsPage.vue'),
    meta: { titleKey: 'menu.myApprovals', icon: markRaw(Finished), menu: true, ...group },
  },
  {
    path: '/approvals/delegations',
    name: 'approval-delegations',
    component: () => import('./DelegationsPage.vue'),
    meta: { titleKey: 'menu.delegations', icon: markRaw(User), menu: true, ...group },
  },
  {
    path: '/approvals/all',
    name: 'approval-all',
    component: () => import('./AllApprovalsPage.vue'),
    meta: { titleKey: 'menu.allApprovals', icon: markRaw(Search), permission: PERM_READ_ALL, menu: true, ...group },
  },
  {
    path: '/approvals/:id(\\d+)',
    name: 'approval-detail',
    component: () => import('./ApprovalDetailPage.vue'),
    meta: { titleKey: 'approval.detail' },
  },
  {
    path: '/approval-settings/flows',
    name: 'approval-flows',
    component: () => import('./FlowDesignerPage.vue'),
    meta: { titleKey: 'menu.approvalFlows', icon: markRaw(Share), permission: PERM_FLOW_MANAGE, menu: true, ...group },
  },
]

const approval: ModuleDef = { name: 'approval', routes }
export default approval
