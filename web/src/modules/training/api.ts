// Training API (/api/v1/training): catalogue (modules, materials, questions), programs
// (enrollments, dashboard, duties, accountability), grading, reports and the learner's
// own tasks. Shapes follow docs/modules/training.md and internal/training's json tags.
import { api, apiUrl, download, type Query } from '@/api/client'
import type { Page } from '@/api/types'
import { upload } from '@/modules/employee/api'

const enc = encodeURIComponent

export type ModuleKind = 'general' | 'professional'
export const MODULE_KINDS: ModuleKind[] = ['general', 'professional']

export interface Module {
  id: string
  title: string
  kind: ModuleKind | string
  ownerDepartmentId: string
  ownerDepartmentName: string
  category: string
  description: string
  creditHours: number
  testEnabled: boolean
  testQuestions: number
  passMark: number
  timeLimitMinutes: number
  maxAttempts: number
  homeworkEnabled: boolean
  homeworkBrief: string
  homeworkDueDays: number
  archived: boolean
  version: number
  materialCount: number
  questionCount: number
  canEdit: boolean
  createdAt?: string
  updatedAt?: string
}

export type ModuleInput = Omit<
  Module,
  | 'id'
  | 'ownerDepartmentId'
  | 'ownerDepartmentName'
  | 'archived'
  | 'version'
  | 'materialCount'
  | 'questionCount'
  | 'canEdit'
  | 'createdAt'
  | 'updatedAt'
> & { version?: number; /** left out: the author's department (professional) or none (general) */ ownerDepartmentId?: string }

export type MaterialKind = 'file' | 'link' | 'text'

export interface MaterialVersion {
  materialId?: string
  version: number
  fileId: string
  fileName: string
  contentType: string
  size: number
  url: string
  body: string
  uploadedBy?: string
  uploaderName: string
  uploadedAt: string
}

export interface Material {
  id: string
  moduleId: string
  title: string
  kind: MaterialKind | string
  position: number
  currentVersion: number
  current: MaterialVersion | null
}

export interface MaterialInput {
  title: string
  kind: 'link' | 'text'
  url?: string
  body?: string
  /** a new version of this material */
  materialId?: string
}

export type QuestionKind = 'single' | 'multiple' | 'truefalse' | 'fill' | 'short'
export const QUESTION_KINDS: QuestionKind[] = ['single', 'multiple', 'truefalse', 'fill', 'short']

export interface Question {
  id: string
  moduleId: string
  kind: QuestionKind | string
  stem: string
  options: string[] | null
  answer: string[] | null
  points: number
  position?: number
}

export interface QuestionInput {
  kind: QuestionKind
  stem: string
  options: string[]
  answer: string[]
  points: number
}

export type ProgramState = 'draft' | 'active' | 'closed'
export const PROGRAM_STATES: ProgramState[] = ['draft', 'active', 'closed']

export interface ModuleRef {
  id: string
  title: string
  kind: string
  ownerDepartmentId: string
  ownerDepartmentName: string
  creditHours: number
  testEnabled: boolean
  homeworkEnabled: boolean
}

export interface Weekly {
  /** 0 = Sunday */
  weekday: number
  start: string
  end: string
  from: string
  weeks: number
}

export interface Schedule {
  dates?: string[] | null
  weekly?: Weekly | null
}

export interface Audience {
  employeeIds?: string[] | null
  departmentIds?: string[] | null
  newHiresOf?: string | null
}

export interface Program {
  id: string
  title: string
  description: string
  state: ProgramState | string
  moduleIds: string[] | null
  modules: ModuleRef[] | null
  startDate: string | null
  endDate: string | null
  deadlineDays: number
  schedule: Schedule | null
  audience: Audience | null
  ownerUserId: string
  ownerName: string
  version: number
  enrolled: number
}

export interface ProgramInput {
  title: string
  description: string
  moduleIds: string[]
  startDate: string | null
  endDate: string | null
  deadlineDays: number
  schedule: Schedule
  audience: Audience
  version?: number
}

export type EnrollmentState = 'assigned' | 'in_progress' | 'completed' | 'failed'
/** the list filter also takes "overdue" (derived: not completed after the due date) */
export const ENROLLMENT_FILTER_STATES = ['assigned', 'in_progress', 'completed', 'failed', 'overdue'] as const

export interface Enrollment {
  id: string
  programId: string
  programTitle: string
  employeeId: string
  employeeName: string
  departmentId: string
  departmentName: string
  source: 'manual' | 'department' | 'hire' | string
  state: EnrollmentState | string
  overdue: boolean
  daysLate: number
  assignedOn: string
  dueDate: string | null
  modulesTotal: number
  modulesDone: number
  averageScore: number
  startedAt: string | null
  completedAt: string | null
  certificateNo: string
  feedbackRating?: number
  feedbackComment?: string
  feedbackAt?: string | null
}

export interface DashboardModule {
  moduleId: string
  title: string
  completed: number
  passed: number
  averageScore: number
}

export interface Dashboard {
  assigned: number
  notStarted: number
  inProgress: number
  completed: number
  overdue: number
  failed: number
  averageScore: number
  /** percent */
  completionRate: number
  modules: DashboardModule[] | null
  duties: { open: number; overdue: number; done: number } | null
}

export type Party = 'hr' | 'department' | 'employee'
export const PARTIES: Party[] = ['hr', 'department', 'employee']
export const DUTY_KINDS: Record<Party, string[]> = {
  hr: ['plan', 'notify', 'track', 'compile'],
  department: ['provide', 'coach', 'grade', 'assess'],
  employee: ['study', 'homework', 'test', 'feedback'],
}
export type DutyState = 'open' | 'done' | 'overdue'
export const DUTY_STATES: DutyState[] = ['open', 'done', 'overdue']

export interface Duty {
  id: string
  programId: string
  party: Party | string
  departmentId: string
  departmentName: string
  kind: string
  moduleId: string
  moduleTitle?: string
  title: string
  assigneeId: string
  assigneeName: string
  dueDate: string | null
  everyDays: number
  state: DutyState | string
  daysLate: number
  doneAt: string | null
  doneByName: string
  doneHow: string
  evidence: string
  evidenceFileId: string
  lastDoneAt?: string | null
  /** recurring duties: days since last done */
  sinceDays?: number
  programTitle?: string
  /** employee duties (derived from progress) */
  employeeId?: string
  employeeName?: string
}

/** The party follows from the kind (employee duties are derived, not entered). */
export interface DutyInput {
  kind: string
  departmentId?: string | null
  moduleId?: string | null
  title: string
  /** an account */
  assigneeId?: string | null
  assigneeName?: string
  dueDate?: string | null
  everyDays?: number
}

/** A row of the accountability report: a duty, with the employee for employee duties. */
export type AccountabilityRow = Duty

/** One module of one program of one employee (the record's rows and the records export). */
export interface RecordRow {
  employeeId?: string
  employeeName?: string
  departmentName?: string
  programId?: string
  programTitle: string
  enrollmentState?: string
  moduleId?: string
  moduleTitle: string
  kind: string
  creditHours: number
  materialsDone: number
  materialsTotal: number
  testState: string
  bestScore: number
  attempts: number
  homeworkState: string
  homeworkScore: number
  completedAt: string | null
}

export interface Certificate {
  programId?: string
  programTitle: string
  certificateNo: string
  completedAt: string | null
}

/** An employee's training record (the backend sends the employee's fields flat). */
export interface TrainingRecord {
  employeeId: string
  employeeName: string
  departmentName: string
  hours: number
  completedModules: number
  certificates: Certificate[] | null
  modules: RecordRow[] | null
}

export interface Homework {
  id: string
  moduleId: string
  moduleTitle?: string
  employeeId?: string
  employeeName?: string
  enrollmentId?: string
  state: 'submitted' | 'graded' | string
  body: string
  fileIds: string[] | null
  files?: UploadedFile[] | null
  submittedAt: string
  score: number
  comment: string
  graderName?: string
  gradedAt?: string | null
  version?: number
}

export interface GradingItem {
  kind: 'homework' | 'attempt' | string
  id: string
  moduleId: string
  moduleTitle: string
  employeeId?: string
  employeeName: string
  submittedAt: string
  /** submitted (waiting) or graded */
  state: string
  score: number
  homework?: Homework | null
}

export const GRADING_STATES = ['submitted', 'graded'] as const

export type AttemptState = 'open' | 'grading' | 'graded'

export interface Attempt {
  id: string
  moduleId?: string
  number: number
  state: AttemptState | string
  score: number
  passed: boolean
  passMark: number
  startedAt: string
  deadlineAt: string | null
  submittedAt: string | null
  late: boolean
  answers?: Record<string, string[]> | null
  results?: Record<string, number> | null
}

export interface PaperQuestion {
  id: string
  kind: QuestionKind | string
  stem: string
  options: { key: string; text: string }[] | null
  points: number
  /** filled once graded; -1 before */
  earned?: number | null
  /** on a reviewer's view: the key or reference answer */
  answer?: string[] | null
  /** on a reviewer's view or a submitted paper: what the learner answered */
  given?: string[] | null
}

export interface Paper {
  attempt: Attempt
  questions: PaperQuestion[] | null
  /** -1 = unlimited */
  attemptsLeft: number
  timeLimitMinutes: number
}

/** GET /training/attempts/{id}/review: the attempt with questions, answers and reference answers. */
export interface AttemptReview {
  attempt: Attempt & { employeeName?: string; moduleTitle?: string }
  questions: PaperQuestion[] | null
  answers?: Record<string, string[]> | null
}

export type TestState = '' | 'pending' | 'failed' | 'grading' | 'passed'
export type HomeworkState = '' | 'pending' | 'submitted' | 'graded'

export interface Progress {
  enrollmentId: string
  moduleId: string
  materialsTotal: number
  materialsDone: number
  testState: TestState | string
  bestScore: number
  attempts: number
  homeworkState: HomeworkState | string
  homeworkScore: number
  homeworkDue: string | null
  lastMaterialId: string
  completedAt: string | null
  updatedAt?: string
}

export interface Task extends Enrollment {
  modules: { module: ModuleRef; progress: Progress }[] | null
}

export interface View {
  seconds: number
  videoPercent: number
  position: number
  done: boolean
}

export interface LearnMaterial extends Material {
  view: View | null
}

export interface TestInfo {
  questions: number
  passMark: number
  timeLimitMinutes: number
  maxAttempts: number
}

/** A module as its learner sees it (GET /training/my/modules/{id}). */
export interface LearnModule {
  module: ModuleRef
  /** the module's description */
  description: string
  homework: Homework | null
  homeworkBrief: string
  /** null when the module has no test */
  test: TestInfo | null
  materials: LearnMaterial[] | null
  progress: Progress | null
  attempts: Attempt[] | null
}

export interface UploadedFile {
  id: string
  name?: string
  fileName?: string
  size?: number
  contentType?: string
}

type Items<T> = { items: T[] | null }
export function listOf<T>(r: Items<T> | T[] | null | undefined): T[] {
  if (!r) return []
  return Array.isArray(r) ? r : r.items || []
}

export type ExportFormat = 'xlsx' | 'csv'

export const moduleApi = {
  list: (q: Query) => api.get<Page<Module>>('/training/modules', q),
  export: (q: Query) => download('/training/modules/export', q),
  get: (id: string) => api.get<Module>(`/training/modules/${enc(id)}`),
  create: (b: ModuleInput) => api.post<Module>('/training/modules', b),
  update: (id: string, b: ModuleInput) => api.put<Module>(`/training/modules/${enc(id)}`, b),
  archive: (id: string) => api.del(`/training/modules/${enc(id)}`),
  materials: (id: string) => api.get<Items<Material>>(`/training/modules/${enc(id)}/materials`),
  addMaterial: (id: string, b: MaterialInput) => api.post<Material>(`/training/modules/${enc(id)}/materials`, b),
  /** uploads a file material, or a new version of materialId, reporting progress 0-100 */
  uploadMaterial: (id: string, file: File, title: string, materialId?: string, onProgress?: (pct: number) => void) => {
    const fields: Record<string, string | Blob> = { title, file }
    if (materialId) fields.materialId = materialId
    return upload<Material>(`/training/modules/${enc(id)}/materials/upload`, fields, onProgress)
  },
  questions: (id: string) => api.get<Items<Question>>(`/training/modules/${enc(id)}/questions`),
  addQuestion: (id: string, b: QuestionInput) => api.post<Question>(`/training/modules/${enc(id)}/questions`, b),
}

export const materialApi = {
  remove: (id: string) => api.del(`/training/materials/${enc(id)}`),
  versions: (id: string) => api.get<Items<MaterialVersion>>(`/training/materials/${enc(id)}/versions`),
  /** the address of a file material's content (inline), for iframes, <video> and <img> */
  contentUrl: (id: string, version?: number) => apiUrl(`/training/materials/${enc(id)}/content`, { version }),
}

export const questionApi = {
  update: (id: string, b: QuestionInput) => api.put<Question>(`/training/questions/${enc(id)}`, b),
  remove: (id: string) => api.del(`/training/questions/${enc(id)}`),
}

export const programApi = {
  list: (q: Query) => api.get<Page<Program>>('/training/programs', q),
  get: (id: string) => api.get<Program>(`/training/programs/${enc(id)}`),
  create: (b: ProgramInput) => api.post<Program>('/training/programs', b),
  update: (id: string, b: ProgramInput) => api.put<Program>(`/training/programs/${enc(id)}`, b),
  activate: (id: string) => api.post<Program>(`/training/programs/${enc(id)}/activate`),
  close: (id: string) => api.post<Program>(`/training/programs/${enc(id)}/close`),
  enrollments: (id: string, q: Query) => api.get<Page<Enrollment>>(`/training/programs/${enc(id)}/enrollments`, q),
  exportEnrollments: (id: string, q: Query) => download(`/training/programs/${enc(id)}/enrollments/export`, q),
  enroll: (id: string, b: { employeeIds: string[]; departmentIds: string[] }) =>
    api.post<{ added: number }>(`/training/programs/${enc(id)}/enrollments`, b),
  dashboard: (id: string) => api.get<Dashboard>(`/training/programs/${enc(id)}/dashboard`),
  duties: (id: string) => api.get<Items<Duty>>(`/training/programs/${enc(id)}/duties`),
  addDuty: (id: string, b: DutyInput) => api.post<Duty>(`/training/programs/${enc(id)}/duties`, b),
}

export const dutyApi = {
  update: (id: string, b: DutyInput) => api.put<Duty>(`/training/duties/${enc(id)}`, b),
  confirm: (id: string, b: { evidence: string; fileId?: string }) => api.post<Duty>(`/training/duties/${enc(id)}/confirm`, b),
}

export const reportApi = {
  accountability: (q: Query) => api.get<Page<AccountabilityRow>>('/training/accountability', q),
  exportAccountability: (q: Query) => download('/training/accountability/export', q),
  overdue: (q: Query) => api.get<Page<Enrollment>>('/training/overdue', q),
  exportOverdue: (q: Query) => download('/training/overdue/export', q),
  record: (employeeId: string) => api.get<TrainingRecord>(`/training/employees/${enc(employeeId)}/record`),
  exportRecords: (q: Query) => download('/training/records/export', q),
}

export const gradingApi = {
  list: (q: Query) => api.get<Page<GradingItem>>('/training/grading', q),
  review: (attemptId: string) => api.get<AttemptReview>(`/training/attempts/${enc(attemptId)}/review`),
  gradeAttempt: (attemptId: string, points: Record<string, number>) =>
    api.post<Attempt>(`/training/attempts/${enc(attemptId)}/grade`, { points }),
  gradeHomework: (id: string, b: { score: number; comment: string }) => api.post<Homework>(`/training/homework/${enc(id)}/grade`, b),
}

export const learnApi = {
  tasks: () => api.get<Items<Task>>('/training/my/tasks'),
  module: (id: string) => api.get<LearnModule>(`/training/my/modules/${enc(id)}`),
  view: (materialId: string, b: { seconds: number; videoPercent: number; position: number }) =>
    api.post<View>(`/training/my/materials/${enc(materialId)}/view`, b),
  startAttempt: (moduleId: string) => api.post<Paper>(`/training/my/modules/${enc(moduleId)}/attempts`),
  attempt: (id: string) => api.get<Paper>(`/training/my/attempts/${enc(id)}`),
  submit: (id: string, answers: Record<string, string[]>) => api.post<Attempt>(`/training/my/attempts/${enc(id)}/submit`, { answers }),
  uploadFile: (file: File, onProgress?: (pct: number) => void) => upload<UploadedFile>('/training/my/files', { file }, onProgress),
  homework: (moduleId: string, b: { body: string; fileIds: string[] }) => api.post<Homework>(`/training/my/modules/${enc(moduleId)}/homework`, b),
  feedback: (enrollmentId: string, b: { rating: number; comment: string }) =>
    api.post<Enrollment>(`/training/my/enrollments/${enc(enrollmentId)}/feedback`, b),
  record: () => api.get<TrainingRecord>('/training/my/record'),
}

// ---- classroom sessions, questions to module owners, costs ----

export type SessionMode = 'offline' | 'online'
export const SESSION_MODES: SessionMode[] = ['offline', 'online']

/** A classroom meeting of a program (training.Session). */
export interface Session {
  id: string
  programId: string
  programTitle: string
  /** "0" = the program as a whole */
  moduleId: string
  moduleTitle: string
  title: string
  mode: SessionMode | string
  place: string
  link: string
  /** the instructor's account ("0": none, or someone without one) */
  instructorId: string
  instructorName: string
  /** 0 = no limit */
  capacity: number
  startsAt: string
  endsAt: string
  signedIn: number
  canManage: boolean
  createdAt?: string
  updatedAt?: string
}

export interface SessionInput {
  title: string
  moduleId?: string
  mode: SessionMode
  place?: string
  link?: string
  instructorId?: string
  instructorName?: string
  capacity?: number
  startsAt: string
  endsAt: string
}

/** A session as its learner (or instructor) sees it. */
export interface MySession extends Session {
  present: boolean
  /** qr | instructor | '' */
  method: string
  signedAt: string | null
  signInFrom: string
  signInUntil: string
}

/** GET /training/sessions/{id}/qr: the code of the current period. */
export interface SessionQR {
  token: string
  /** the learner's sign-in page with the token: shown as the QR code */
  url: string
  /** when the next code replaces this one */
  expiresAt: string
  periodSeconds: number
  signInFrom: string
  signInUntil: string
}

export interface AttendanceRow {
  employeeId: string
  employeeName: string
  departmentId: string
  departmentName: string
  present: boolean
  /** qr | instructor | '' when absent */
  method: string
  signedAt: string | null
}

export interface AttendancePage extends Page<AttendanceRow> {
  session: Session
}

export const ATTENDANCE_STATES = ['present', 'absent'] as const

export interface CalendarLink {
  url: string
  webcal: string
}

/** A learner's question to a module's owners and its answer. */
export interface AskedQuestion {
  id: string
  moduleId: string
  moduleTitle: string
  employeeId: string
  askerId: string
  askerName: string
  body: string
  answer: string
  answered: boolean
  answeredBy: string
  answererName: string
  askedAt: string
  answeredAt: string | null
}

export type CostCategory = 'instructor' | 'venue' | 'materials' | 'travel' | 'other'
export const COST_CATEGORIES: CostCategory[] = ['instructor', 'venue', 'materials', 'travel', 'other']

export interface Cost {
  id: string
  programId: string
  programTitle: string
  category: CostCategory | string
  amountFen: number
  /** yuan with two decimals, e.g. "1234.50" */
  amount: string
  date: string
  vendor: string
  note: string
  createdBy: string
  createdAt: string
}

export interface CostInput {
  category: CostCategory
  /** whole fen, more than 0 */
  amountFen: number
  date: string
  vendor?: string
  note?: string
}

/** A page of costs with the exact total of every matching line. */
export interface CostPage extends Page<Cost> {
  totalFen: number
  totalAmount: string
}

export const sessionApi = {
  list: (programId: string, q: Query) => api.get<Page<Session>>(`/training/programs/${enc(programId)}/sessions`, q),
  create: (programId: string, b: SessionInput) => api.post<Session>(`/training/programs/${enc(programId)}/sessions`, b),
  get: (id: string) => api.get<Session>(`/training/sessions/${enc(id)}`),
  update: (id: string, b: SessionInput) => api.put<Session>(`/training/sessions/${enc(id)}`, b),
  remove: (id: string) => api.del(`/training/sessions/${enc(id)}`),
  qr: (id: string) => api.get<SessionQR>(`/training/sessions/${enc(id)}/qr`),
  attendance: (id: string, q: Query) => api.get<AttendancePage>(`/training/sessions/${enc(id)}/attendance`, q),
  exportAttendance: (id: string, q: Query) => download(`/training/sessions/${enc(id)}/attendance/export`, q),
  mark: (id: string, employeeIds: string[]) =>
    api.post<{ added: number; signedIn: number }>(`/training/sessions/${enc(id)}/attendance`, { employeeIds }),
}

export const mySessionApi = {
  /** teaching=true: the sessions I teach */
  list: (q: Query) => api.get<Page<MySession>>('/training/my/sessions', q),
  signIn: (id: string, token: string) => api.post<MySession>(`/training/my/sessions/${enc(id)}/sign-in`, { token }),
  calendar: () => api.get<CalendarLink>('/training/my/calendar'),
  questions: (moduleId: string) => api.get<Items<AskedQuestion>>(`/training/my/modules/${enc(moduleId)}/questions`),
  ask: (moduleId: string, body: string) => api.post<AskedQuestion>(`/training/my/modules/${enc(moduleId)}/questions`, { body }),
}

export const askedApi = {
  list: (q: Query) => api.get<Page<AskedQuestion>>('/training/asked', q),
  answer: (id: string, answer: string) => api.post<AskedQuestion>(`/training/asked/${enc(id)}/answer`, { answer }),
}

export const costApi = {
  ofProgram: (programId: string, q: Query) => api.get<CostPage>(`/training/programs/${enc(programId)}/costs`, q),
  add: (programId: string, b: CostInput) => api.post<Cost>(`/training/programs/${enc(programId)}/costs`, b),
  remove: (id: string) => api.del(`/training/costs/${enc(id)}`),
  list: (q: Query) => api.get<CostPage>('/training/costs', q),
  export: (q: Query) => download('/training/costs/export', q),
}
