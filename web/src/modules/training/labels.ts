// Pure helpers of the training pages: tag colours, percentages, dates, the schedule's
// meeting days, the accountability sentence, countdowns, file kinds and question checks.
// No Vue here, so the unit tests (tests/training-*.test.ts) call them directly.
import type { Duty, Enrollment, Progress, QuestionInput, Weekly } from './api'

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** An id the server sent as unset ("0", "", null). */
export function noId(id: string | null | undefined): boolean {
  return !id || id === '0'
}

/** An instant that is set (Go sends the zero time as 0001-01-01T00:00:00Z). */
export function hasInstant(iso: string | null | undefined): iso is string {
  return !!iso && !iso.startsWith('0001-01-01')
}

/** done of total as a whole percent, 0-100; nothing to do counts as 0. */
export function percent(done: number, total: number): number {
  if (!total || total <= 0 || !done || done <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((done / total) * 100)))
}

/**
 * How far a learner is in one module, 0-100: each material is one step, the test
 * (when there is one) and the homework (when asked) one step each.
 */
export function moduleProgressPercent(p: Progress | null | undefined): number {
  if (!p) return 0
  if (hasInstant(p.completedAt)) return 100
  let total = Math.max(0, p.materialsTotal || 0)
  let done = Math.min(total, Math.max(0, p.materialsDone || 0))
  if (p.testState) {
    total++
    if (p.testState === 'passed') done++
  }
  if (p.homeworkState) {
    total++
    if (p.homeworkState === 'submitted' || p.homeworkState === 'graded') done++
  }
  return percent(done, total)
}

/** An enrollment's progress: done modules of all, with the module steps of the others. */
export function enrollmentPercent(e: Pick<Enrollment, 'modulesDone' | 'modulesTotal' | 'state'>, progress?: (Progress | null)[]): number {
  if (e.state === 'completed') return 100
  if (progress && progress.length) {
    const sum = progress.reduce((s, p) => s + moduleProgressPercent(p), 0)
    return Math.round(sum / progress.length)
  }
  return percent(e.modulesDone, e.modulesTotal)
}

export function enrollmentTag(state: string, overdue?: boolean): TagType {
  if (overdue && state !== 'completed') return 'danger'
  switch (state) {
    case 'completed':
      return 'success'
    case 'failed':
      return 'danger'
    case 'in_progress':
      return 'primary'
    default:
      return 'info'
  }
}

export function programTag(state: string): TagType {
  return state === 'active' ? 'success' : state === 'closed' ? 'info' : 'warning'
}

export function dutyTag(state: string): TagType {
  return state === 'done' ? 'success' : state === 'overdue' ? 'danger' : 'warning'
}

export function testTag(state: string): TagType {
  return state === 'passed' ? 'success' : state === 'failed' ? 'danger' : state === 'grading' ? 'warning' : 'info'
}

/** A score for a table: -1 (no graded attempt) and unset scores show as a dash. */
export function scoreText(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n) || n < 0) return '—'
  return digits ? n.toFixed(digits) : String(Math.round(n))
}

/** Credit hours with at most one decimal ("1.5", "2"). */
export function hoursText(n: number | null | undefined): string {
  if (!n) return '0'
  return String(Math.round(n * 10) / 10)
}

// ---- dates ----

/** Today as YYYY-MM-DD in the given IANA time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
    return `${get('year')}-${get('month')}-${get('day')}`
  } catch {
    return now.toISOString().slice(0, 10)
  }
}

function parseDay(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '')
  if (!m) return null
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
}

function dayString(d: Date): string {
  return d.toISOString().slice(0, 10)
}

export function addDays(day: string, n: number): string {
  const d = parseDay(day)
  if (!d) return ''
  d.setUTCDate(d.getUTCDate() + n)
  return dayString(d)
}

/** Whole days from a to b (b - a); NaN when either is not a date. */
export function daysBetween(a: string, b: string): number {
  const x = parseDay(a)
  const y = parseDay(b)
  if (!x || !y) return NaN
  return Math.round((y.getTime() - x.getTime()) / 86400000)
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A day as people say it: "3月3日" / "Mar 3", with the year when it is not this year's. */
export function shortDate(day: string | null | undefined, locale: string, today?: string): string {
  const d = parseDay(day || '')
  if (!d) return ''
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  const dd = d.getUTCDate()
  const thisYear = today ? today.slice(0, 4) === String(y) : true
  if (locale.startsWith('en')) return thisYear ? `${EN_MONTHS[m]} ${dd}` : `${EN_MONTHS[m]} ${dd}, ${y}`
  return thisYear ? `${m + 1}月${dd}日` : `${y}年${m + 1}月${dd}日`
}

/** The meeting days of a weekly schedule: the first `weekday` on or after `from`, then every 7 days. */
export function weeklyOccurrences(w: Weekly | null | undefined): string[] {
  if (!w) return []
  const start = parseDay(w.from)
  if (!start || w.weekday < 0 || w.weekday > 6) return []
  while (start.getUTCDay() !== w.weekday) start.setUTCDate(start.getUTCDate() + 1)
  const out: string[] = []
  const weeks = Math.max(0, Math.min(52, Math.floor(w.weeks || 0)))
  for (let i = 0; i < weeks; i++) {
    const d = new Date(start.getTime())
    d.setUTCDate(d.getUTCDate() + 7 * i)
    out.push(dayString(d))
  }
  return out
}

/** "HH:MM" choices every `step` minutes for the schedule's start and end. */
export function timeOptions(step = 30): string[] {
  const out: string[] = []
  for (let m = 0; m < 24 * 60; m += step) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`)
  return out
}

export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/** Seconds as a countdown: "4:05", "1:02:03"; never negative. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const mm = h ? String(m).padStart(2, '0') : String(m)
  return `${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`
}

/** Milliseconds left until an RFC 3339 deadline; null when there is none. */
export function msLeft(deadlineAt: string | null | undefined, now = Date.now()): number | null {
  if (!hasInstant(deadlineAt)) return null
  const t = new Date(deadlineAt).getTime()
  if (Number.isNaN(t)) return null
  return t - now
}

// ---- the accountability sentence ----

type Translate = (key: string, params?: Record<string, unknown>) => string

/** Who owes a duty: the department, the employee, or its assignee (HR when nobody is named). */
type DutyLike = Pick<Duty, 'party' | 'kind' | 'title' | 'state' | 'dueDate' | 'daysLate' | 'doneAt'> &
  Partial<Pick<Duty, 'departmentName' | 'assigneeName' | 'employeeName' | 'moduleTitle'>>

export function dutyWho(d: Partial<DutyLike>, hrName: string): string {
  if (d.party === 'employee') return d.employeeName || d.assigneeName || ''
  if (d.party === 'department') return d.departmentName || d.assigneeName || ''
  return d.assigneeName || hrName
}

/** What a duty asks: its own title ("提供《项目实战案例》"), or the kind's verb and the module. */
export function dutyWhat(d: Pick<DutyLike, 'kind' | 'title' | 'moduleTitle'>, t: Translate): string {
  if (d.title?.trim()) return d.title.trim()
  const act = t(`training.dutyAct.${d.kind}`)
  return d.moduleTitle ? t('training.sentence.object', { act, module: d.moduleTitle }) : act
}

/**
 * A duty as one sentence of the accountability report, e.g.
 * "市场部 未提供《项目实战案例》(截止 3月3日，逾期5天)".
 */
export function dutySentence(
  d: DutyLike,
  t: Translate,
  locale: string,
  today?: string,
): string {
  const who = dutyWho(d, t('training.party.hr'))
  const what = dutyWhat(d, t)
  const due = shortDate(d.dueDate, locale, today)
  if (d.state === 'done') {
    const when = hasInstant(d.doneAt) ? shortDate(d.doneAt.slice(0, 10), locale, today) : ''
    if (d.daysLate > 0) return t('training.sentence.doneLate', { who, what, date: when, days: d.daysLate })
    return when ? t('training.sentence.done', { who, what, date: when }) : t('training.sentence.doneNoDate', { who, what })
  }
  if (d.state === 'overdue') {
    return due ? t('training.sentence.late', { who, what, due, days: d.daysLate || 0 }) : t('training.sentence.lateNoDue', { who, what, days: d.daysLate || 0 })
  }
  return due ? t('training.sentence.open', { who, what, due }) : t('training.sentence.openNoDue', { who, what })
}

// ---- materials ----

export type PreviewKind = 'pdf' | 'video' | 'audio' | 'image' | 'office' | 'other'

export function previewKind(contentType: string | null | undefined, fileName?: string | null): PreviewKind {
  const ct = (contentType || '').toLowerCase()
  const ext = (fileName || '').toLowerCase().split('.').pop() || ''
  if (ct === 'application/pdf' || ext === 'pdf') return 'pdf'
  if (ct.startsWith('video/') || ['mp4', 'webm', 'ogv', 'mov', 'm4v'].includes(ext)) return 'video'
  if (ct.startsWith('audio/') || ['mp3', 'm4a', 'wav', 'ogg'].includes(ext)) return 'audio'
  if (ct.startsWith('image/') || ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg'].includes(ext)) return 'image'
  if (/officedocument|msword|ms-excel|ms-powerpoint|opendocument/.test(ct) || ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp'].includes(ext))
    return 'office'
  return 'other'
}

export function fileSize(n: number | null | undefined): string {
  if (n === null || n === undefined || n < 0) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`
}

/** Watched share of a video, 0-100. */
export function videoPercent(position: number, duration: number): number {
  if (!duration || !Number.isFinite(duration) || duration <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((position / duration) * 100)))
}

/** Only http(s) addresses open from a link material. */
export function safeUrl(u: string | null | undefined): string {
  const s = (u || '').trim()
  return /^https?:\/\//i.test(s) ? s : ''
}

// ---- questions ----

/** A question in the editor, answers kept per kind. */
export interface QuestionDraft {
  kind: QuestionInput['kind']
  stem: string
  options: string[]
  /** choice: option indexes as strings */
  choice: string[]
  /** truefalse */
  truth: '' | 'true' | 'false'
  /** fill: accepted texts; short: the reference answer in [0] */
  texts: string[]
  points: number
}

export function emptyDraft(kind: QuestionInput['kind'] = 'single'): QuestionDraft {
  return { kind, stem: '', options: ['', '', '', ''], choice: [], truth: '', texts: [''], points: 5 }
}

export function draftFrom(q: { kind: string; stem: string; options: string[] | null; answer: string[] | null; points: number }): QuestionDraft {
  const d = emptyDraft(q.kind as QuestionInput['kind'])
  d.stem = q.stem
  d.points = q.points
  const ans = q.answer || []
  if (q.kind === 'single' || q.kind === 'multiple') {
    d.options = [...(q.options || [])]
    d.choice = ans.filter((a) => /^\d+$/.test(a) && +a < d.options.length)
  } else if (q.kind === 'truefalse') {
    d.truth = ans[0] === 'true' ? 'true' : ans[0] === 'false' ? 'false' : ''
  } else {
    d.texts = ans.length ? [...ans] : ['']
  }
  return d
}

/** The body for POST/PUT: empty options dropped (choice keys renumbered), blank texts dropped. */
export function draftInput(d: QuestionDraft): QuestionInput {
  const base = { kind: d.kind, stem: d.stem.trim(), points: d.points }
  if (d.kind === 'single' || d.kind === 'multiple') {
    const options: string[] = []
    const answer: string[] = []
    d.options.forEach((o, i) => {
      if (!o.trim()) return
      if (d.choice.includes(String(i))) answer.push(String(options.length))
      options.push(o.trim())
    })
    return { ...base, options, answer }
  }
  if (d.kind === 'truefalse') return { ...base, options: [], answer: d.truth ? [d.truth] : [] }
  return { ...base, options: [], answer: d.texts.map((s) => s.trim()).filter(Boolean) }
}

/** The first problem of a question, as a message key under training.question.err, or '' when it is fine. */
export function draftProblem(d: QuestionDraft): string {
  const q = draftInput(d)
  if (!q.stem) return 'stem'
  if (!Number.isInteger(q.points) || q.points < 1) return 'points'
  if (q.kind === 'single' || q.kind === 'multiple') {
    if (q.options.length < 2) return 'options'
    if (q.kind === 'single' && q.answer.length !== 1) return 'single'
    if (q.kind === 'multiple' && q.answer.length < 1) return 'multiple'
  }
  if (q.kind === 'truefalse' && q.answer.length !== 1) return 'truefalse'
  if (q.kind === 'fill' && q.answer.length < 1) return 'fill'
  return ''
}

/** Question ids of a paper the learner has not answered. */
export function unanswered(questions: { id: string }[], answers: Record<string, string[] | string | undefined>): string[] {
  return questions
    .filter((q) => {
      const a = answers[q.id]
      if (Array.isArray(a)) return !a.some((x) => String(x).trim())
      return !String(a ?? '').trim()
    })
    .map((q) => q.id)
}

/** A learner's answers as the submit body wants them: every value a list of non-empty strings. */
export function answerBody(answers: Record<string, string[] | string | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(answers)) {
    const list = (Array.isArray(v) ? v : [v ?? '']).map((x) => String(x).trim()).filter(Boolean)
    if (list.length) out[k] = list
  }
  return out
}

// ---- the learning center ----

/** Whether a module is finished for the learner (mirrors training.Progress.Done). */
export function moduleDone(p: Progress | null | undefined): boolean {
  if (!p) return false
  if (hasInstant(p.completedAt)) return true
  return (
    (p.materialsDone || 0) >= (p.materialsTotal || 0) &&
    (!p.testState || p.testState === 'passed') &&
    (!p.homeworkState || p.homeworkState === 'submitted' || p.homeworkState === 'graded')
  )
}

type TaskLike = Pick<Enrollment, 'state' | 'overdue' | 'dueDate'> & {
  modules: { module: { id: string }; progress: (Progress & { updatedAt?: string }) | null }[] | null
}

/** Open tasks first: overdue ones, then by due date (no date last); finished ones at the end. */
export function sortTasks<T extends TaskLike>(tasks: T[]): T[] {
  const rank = (x: T) => (x.state === 'completed' ? 3 : x.state === 'failed' ? 2 : x.overdue ? 0 : 1)
  return [...tasks].sort((a, b) => rank(a) - rank(b) || (a.dueDate || '9999').localeCompare(b.dueDate || '9999'))
}

/**
 * Where "继续学习" goes: in the most urgent open task, the unfinished module last studied
 * (its last material), else the first unfinished module.
 */
export function continueTarget(tasks: TaskLike[]): { moduleId: string; materialId: string } | null {
  for (const task of sortTasks(tasks)) {
    if (task.state === 'completed' || task.state === 'failed') continue
    const open = (task.modules || []).filter((m) => !moduleDone(m.progress))
    if (!open.length) continue
    const studied = open
      .filter((m) => !noId(m.progress?.lastMaterialId))
      .sort((a, b) => (b.progress?.updatedAt || '').localeCompare(a.progress?.updatedAt || ''))
    const pick = studied[0] || open[0]
    return { moduleId: pick.module.id, materialId: noId(pick.progress?.lastMaterialId) ? '' : pick.progress!.lastMaterialId }
  }
  return null
}

/** Days from today to a due date: negative when past. NaN without a date. */
export function daysLeft(due: string | null | undefined, today: string): number {
  return due ? daysBetween(today, due) : NaN
}

/**
 * Time spent on a material between progress reports: each report sends the whole seconds
 * since the last one (at most an hour, as the server takes), carrying the fraction over.
 */
export class ViewClock {
  private last: number
  private carry = 0
  constructor(now: number) {
    this.last = now
  }
  /** seconds to report now */
  take(now: number): number {
    const ms = Math.max(0, now - this.last) + this.carry
    this.last = now
    const s = Math.floor(ms / 1000)
    this.carry = ms - s * 1000
    return Math.min(3600, s)
  }
  /** time away (a hidden tab) does not count */
  skip(now: number) {
    this.last = now
    this.carry = 0
  }
}

