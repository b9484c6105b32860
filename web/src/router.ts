import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { modules } from '@/modules'
import { useSessionStore } from '@/stores/session'
import i18n from '@/i18n'

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/modules/platform/LoginPage.vue'),
    meta: { public: true, titleKey: 'auth.title' },
  },
  {
    path: '/',
    component: () => import('@/layout/AppLayout.vue'),
    children: [
      ...modules.flatMap((m) => m.routes),
      {
        path: '/forbidden',
        name: 'forbidden',
        component: () => import('@/modules/platform/ForbiddenPage.vue'),
        meta: { titleKey: 'errors.forbidden' },
      },
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/modules/platform/NotFoundPage.vue'),
        meta: { titleKey: 'errors.notFound' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
})

function safeRedirect(r: unknown): string {
  const s = typeof r === 'string' ? r : ''
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/login') ? s : '/'
}

router.beforeEach(async (to) => {
  const session = useSessionStore()
  try {
    await session.ensureLoaded()
  } catch {
    // Server unreachable: treat as logged out so the login page can show the error on submit.
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn) return safeRedirect(to.query.redirect)
    return true
  }
  const me = session.me
  if (!me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (me.mustChangePassword) return to.name === 'account-password' ? true : { name: 'account-password' }
  if (me.totpEnrollmentRequired) return to.name === 'account-totp' ? true : { name: 'account-totp' }
  if (!session.can(to.meta.permission)) return { name: 'forbidden' }
  return true
})

router.afterEach((to) => {
  const t = i18n.global.t
  const title = to.meta.titleKey ? t(to.meta.titleKey) : ''
  document.title = title ? `${title} - ${t('app.fullName')}` : t('app.fullName')
})

export { safeRedirect }
export default router
