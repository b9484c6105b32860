// What to tell the user when an approval action fails. 403 means it is not (or no longer)
// his turn; 409 means the request finished or changed under him (someone acted first,
// it went back to the applicant...). The server's translated detail says exactly what
// happened; the title here says what it means for him.
import { ApiError } from '@/api/client'

export type ActionProblemKind = 'forbidden' | 'conflict' | 'too_soon' | 'invalid' | 'other'

export interface ActionProblem {
  kind: ActionProblemKind
  /** i18n key of the headline */
  titleKey: string
  /** the server's message (translated), or '' */
  detail: string
  /** the page should reload the request: it changed */
  reload: boolean
}

const CONFLICT_TITLES: Record<string, string> = {
  'approval.finished': 'approval.err.finished',
  'approval.already_handled': 'approval.err.alreadyHandled',
  'approval.returned': 'approval.err.returned',
  'approval.waiting_for_added': 'approval.err.waitingForAdded',
  'approval.not_returned': 'approval.err.notReturned',
}

export function actionProblem(e: unknown): ActionProblem | null {
  if (!(e instanceof ApiError)) return null
  const detail = e.detail && e.detail !== e.title ? e.detail : ''
  switch (e.status) {
    case 403:
      return { kind: 'forbidden', titleKey: e.code === 'approval.not_applicant' ? 'approval.err.notApplicant' : 'approval.err.notYourTurn', detail, reload: true }
    case 409:
      return { kind: 'conflict', titleKey: CONFLICT_TITLES[e.code] || 'approval.err.conflict', detail, reload: true }
    case 429:
      return { kind: 'too_soon', titleKey: 'approval.err.tooSoon', detail, reload: false }
    case 400:
    case 422:
      return { kind: 'invalid', titleKey: 'approval.err.invalid', detail, reload: false }
  }
  return null
}
