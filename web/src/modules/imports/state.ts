// What a batch's state means for the UI: which wizard step shows it, whether a job runs
// (and the page polls), which actions are open, the colour of its tag and its progress bar.
import type { Batch, BatchState, Counts } from './api'

/** Wizard steps: 0 file, 1 mapping, 2 dry run, 3 commit. */
export type Step = 0 | 1 | 2 | 3

export const STEP_FILE: Step = 0
export const STEP_MAPPING: Step = 1
export const STEP_CHECK: Step = 2
export const STEP_COMMIT: Step = 3

export function isRunning(s: BatchState): boolean {
  return s === 'checking' || s === 'importing'
}

/** The step an opened batch resumes at. */
export function stepOf(b: Pick<Batch, 'state' | 'committed'>): Step {
  switch (b.state) {
    case 'uploaded':
      return STEP_MAPPING
    case 'checking':
    case 'checked':
      return STEP_CHECK
    case 'importing':
    case 'imported':
    case 'rolled_back':
      return STEP_COMMIT
    case 'failed':
    case 'cancelled':
      return b.committed ? STEP_COMMIT : STEP_CHECK
  }
  return STEP_MAPPING
}

export type TagType = 'info' | 'primary' | 'success' | 'danger' | 'warning'

export const STATE_TAG: Record<BatchState, TagType> = {
  uploaded: 'info',
  checking: 'primary',
  checked: 'primary',
  importing: 'primary',
  imported: 'success',
  failed: 'danger',
  cancelled: 'warning',
  rolled_back: 'info',
}

export function tagType(s: string): TagType {
  return STATE_TAG[s as BatchState] || 'info'
}

/** el-progress status for a state ('' = the plain running colour). */
export function progressStatus(s: BatchState): '' | 'success' | 'exception' | 'warning' {
  if (s === 'checked' || s === 'imported') return 'success'
  if (s === 'failed') return 'exception'
  if (s === 'cancelled') return 'warning'
  return ''
}

/** The bar's percentage: a finished run shows full even if the last report said less. */
export function progressOf(b: Pick<Batch, 'state' | 'progress'>): number {
  if (b.state === 'checked' || b.state === 'imported') return 100
  return Math.max(0, Math.min(100, Math.round(b.progress || 0)))
}

export type CommitBlock = '' | 'state' | 'failures' | 'nothing'

/**
 * Why the commit button is closed ('' = open): the dry run must have finished; in
 * all-or-nothing mode no row may fail; and there must be something to write.
 */
export function commitBlock(b: Pick<Batch, 'state' | 'mode' | 'counts'>): CommitBlock {
  if (b.state !== 'checked') return 'state'
  if (b.mode === 'all' && b.counts.failed > 0) return 'failures'
  if (b.counts.new + b.counts.updated === 0) return 'nothing'
  return ''
}

export function canRollback(b: Pick<Batch, 'state'>): boolean {
  return b.state === 'imported'
}

export function canCancel(b: Pick<Batch, 'state'>): boolean {
  return isRunning(b.state)
}

export function hasErrors(b: Pick<Batch, 'counts' | 'errorCount'>): boolean {
  return b.counts.failed > 0 || b.errorCount > 0
}

export function totalRows(c: Counts): number {
  return c.new + c.updated + c.unchanged + c.failed
}

/** Polling interval: quick at first, slower for long runs (ms). */
export function pollDelay(attempt: number): number {
  return Math.min(2000, 500 + attempt * 150)
}
