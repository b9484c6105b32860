import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import { showError } from './feedback'

/**
 * Maps server field errors (problem+json `errors[]`) onto form items:
 *   const fe = useFormErrors()
 *   <el-form-item :error="fe.errors.login"> ...
 *   try { ... } catch (e) { fe.handle(e) }
 * The top-level `detail` goes to an ElMessage; field messages whose field has no
 * form item on this form (not in `known`) are added to that message so none is lost.
 */
export function useFormErrors(known?: string[]) {
  const errors = reactive<Record<string, string>>({})

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  function set(fields: Record<string, string>) {
    clear()
    Object.assign(errors, fields)
  }

  function handle(e: unknown) {
    clear()
    if (e instanceof ApiError) {
      const fields = e.fieldErrors
      const extra: string[] = []
      for (const [f, m] of Object.entries(fields)) {
        if (known && !known.includes(f) && !known.some((k) => f.startsWith(k + '[') || f.startsWith(k + '.'))) {
          extra.push(m)
        }
        errors[f] = m
      }
      showError(e, extra)
      return
    }
    showError(e)
  }

  return { errors, clear, set, handle }
}
