import type { RouteRecordRaw } from 'vue-router'
import { markRaw } from 'vue'
import { ChatDotRound, Collection, DataAnalysis, EditPen, Money, Notebook, Reading, School } from '@element-plus/icons-vue'
import type { ModuleDef } from '@/layout/menu'
import i18n from '@/i18n'
import { messages } from './i18n'
import { PERMS_AUTHOR, PERM_COST_READ, PERM_GRADE, PERM_MODULE_READ, PERM_PROGRAM_READ } from './perms'

// The module keeps its strings beside its pages (training.*) and adds them at start.
i18n.global.mergeLocaleMessage('zh-CN', messages['zh-CN'])
i18n.global.mergeLocaleMessage('en', messages.en)

const group = { menuGroup: 'training.menu.group', menuGroupIcon: markRaw(School) }

const routes: RouteRecordRaw[] = [
  {
    path: '/learn',
    name: 'learn',
    component: () => import('./learn/LearnHomePage.vue'),
    meta: { titleKey: 'training.menu.learn', icon: markRaw(Reading), menu: true },
  },
  {
    path: '/learn/modules/:id(\\d+)',
    name: 'learn-module',
    component: () => import('./learn/LearnModulePage.vue'),
    meta: { titleKey: 'training.menu.learnModule' },
  },
  {
    path: '/learn/attempts/:id(\\d+)',
    name: 'learn-attempt',
    component: () => import('./learn/LearnAttemptPage.vue'),
    meta: { titleKey: 'training.menu.attempt' },
  },
  {
    // where the QR code shown in the room leads (internal/training/sessions.go SessionQR)
    path: '/learn/sessions/:id(\\d+)/sign-in',
    name: 'learn-sign-in',
    component: () => import('./learn/LearnSignInPage.vue'),
    meta: { titleKey: 'training.menu.signIn' },
  },
  {
    path: '/learn/record',
    name: 'learn-record',
    component: () => import('./learn/LearnRecordPage.vue'),
    meta: { titleKey: 'training.menu.myRecord' },
  },
  {
    path: '/training/modules',
    name: 'training-modules',
    component: () => import('./ModulesPage.vue'),
    meta: { titleKey: 'training.menu.modules', icon: markRaw(Collection), permission: PERM_MODULE_READ, menu: true, ...group },
  },
  {
    path: '/training/modules/:id(\\d+)',
    name: 'training-module',
    component: () => import('./ModuleEditorPage.vue'),
    meta: { titleKey: 'training.menu.moduleEditor', permission: PERM_MODULE_READ },
  },
  {
    path: '/training/programs',
    name: 'training-programs',
    component: () => import('./ProgramsPage.vue'),
    meta: { titleKey: 'training.menu.programs', icon: markRaw(Notebook), permission: PERM_PROGRAM_READ, menu: true, ...group },
  },
  {
    path: '/training/programs/:id(\\d+)',
    name: 'training-program',
    component: () => import('./ProgramDetailPage.vue'),
    meta: { titleKey: 'training.menu.programDetail', permission: PERM_PROGRAM_READ },
  },
  {
    path: '/training/grading',
    name: 'training-grading',
    component: () => import('./GradingPage.vue'),
    meta: { titleKey: 'training.menu.grading', icon: markRaw(EditPen), permission: PERM_GRADE, menu: true, ...group },
  },
  {
    path: '/training/asked',
    name: 'training-asked',
    component: () => import('./AskedPage.vue'),
    meta: { titleKey: 'training.menu.asked', icon: markRaw(ChatDotRound), permission: PERMS_AUTHOR, menu: true, ...group },
  },
  {
    // the instructor (any account) or a manager: the server decides
    path: '/training/sessions/:id(\\d+)',
    name: 'training-session',
    component: () => import('./SessionPage.vue'),
    meta: { titleKey: 'training.menu.session' },
  },
  {
    path: '/training/sessions/:id(\\d+)/qr',
    name: 'training-session-qr',
    component: () => import('./SessionQrPage.vue'),
    meta: { titleKey: 'training.menu.sessionQr' },
  },
  {
    path: '/training/reports',
    name: 'training-reports',
    component: () => import('./ReportsPage.vue'),
    meta: { titleKey: 'training.menu.reports', icon: markRaw(DataAnalysis), permission: PERM_PROGRAM_READ, menu: true, ...group },
  },
  {
    path: '/training/costs',
    name: 'training-costs',
    component: () => import('./CostsPage.vue'),
    meta: { titleKey: 'training.menu.costs', icon: markRaw(Money), permission: PERM_COST_READ, menu: true, ...group },
  },
  {
    path: '/training/employees/:id(\\d+)/record',
    name: 'training-record',
    component: () => import('./EmployeeRecordPage.vue'),
    meta: { titleKey: 'training.menu.employeeRecord', permission: PERM_PROGRAM_READ },
  },
]

const training: ModuleDef = { name: 'training', routes }
export default training
