import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { Message } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'

export const PERM_SETTINGS = 'notify.settings.manage'

const routes: RouteRecordRaw[] = [
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('./InboxPage.vue'),
    meta: { titleKey: 'notify.title' },
  },
  {
    path: '/account/notifications',
    name: 'account-notifications',
    component: () => import('./PreferencesPage.vue'),
    meta: { titleKey: 'notify.prefs.title' },
  },
  {
    path: '/notify/settings',
    name: 'notify-settings',
    component: () => import('./SmtpSettingsPage.vue'),
    meta: { titleKey: 'menu.smtpSettings', icon: markRaw(Message), permission: PERM_SETTINGS, menu: true, menuGroup: 'menu.platform' },
  },
]

const notify: ModuleDef = { name: 'notify', routes }
export default notify
