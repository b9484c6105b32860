// Message and confirm helpers. Element Plus services are not picked up by the
// on-demand component resolver, so their styles are imported here.
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import { ApiError } from '@/api/client'
import i18n from '@/i18n'

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return i18n.global.t('errors.network')
    return e.detail
  }
  if (e instanceof Error) return e.message
  return String(e)
}

/** Shows the problem's translated detail (403s name the missing permission). */
export function showError(e: unknown, extra?: string[]) {
  if (e instanceof ApiError && e.status === 401) return // handled globally
  const msg = [errorText(e), ...(extra || [])].filter(Boolean).join('；')
  ElMessage({ type: 'error', message: msg, grouping: true, showClose: true, duration: 5000 })
}

export function showSuccess(msg: string) {
  ElMessage({ type: 'success', message: msg, grouping: true })
}

export function showInfo(msg: string) {
  ElMessage({ type: 'info', message: msg, grouping: true })
}

/** Resolves true when the user confirms. */
export async function confirmAction(message: string, danger = true): Promise<boolean> {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(message, t('common.confirm'), {
      confirmButtonText: t('common.ok'),
      cancelButtonText: t('common.cancel'),
      type: danger ? 'warning' : 'info',
    })
    return true
  } catch {
    return false
  }
}
