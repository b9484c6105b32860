// A small typed fetch client for /api/v1. Errors come back as RFC 9457
// problem+json and are turned into ApiError with per-field messages.

export interface FieldProblem {
  field: string
  code: string
  message: string
}

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
  requestId?: string
  errors?: FieldProblem[]
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly title: string
  readonly requestId: string
  readonly errors: FieldProblem[]

  constructor(status: number, problem: Problem) {
    const detail = problem.detail || problem.title || `HTTP ${status}`
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = problem.code || ''
    this.detail = detail
    this.title = problem.title || ''
    this.requestId = problem.requestId || ''
    this.errors = Array.isArray(problem.errors) ? problem.errors : []
  }

  /** field path -> first message for that field */
  get fieldErrors(): Record<string, string> {
    return toFieldErrors(this.errors)
  }
}

export function toFieldErrors(errors: FieldProblem[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of errors || []) {
    if (!e || !e.field) continue
    // Servers may send "body.login" or "/login" style paths; keep the JSON path.
    const field = normalizeField(e.field)
    if (!(field in out)) out[field] = e.message || e.code
  }
  return out
}

export function normalizeField(field: string): string {
  let f = field.trim()
  if (f.startsWith('body.')) f = f.slice(5)
  if (f.startsWith('/')) f = f.slice(1).replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')
  return f
}

/** Parses a fetch Response that failed into an ApiError. */
export async function parseProblem(res: Response): Promise<ApiError> {
  let problem: Problem = {}
  const text = await res.text().catch(() => '')
  if (text) {
    try {
      const parsed = JSON.parse(text)
      if (parsed && typeof parsed === 'object') problem = parsed as Problem
    } catch {
      problem = { detail: text.slice(0, 300) }
    }
  }
  if (!problem.detail && !problem.title) problem.title = res.statusText
  return new ApiError(res.status, problem)
}

export type Query = Record<string, string | number | boolean | undefined | null | string[]>

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** do not run the global 401 handler (login, session bootstrap) */
  noAuthRedirect?: boolean
  signal?: AbortSignal
}

interface ClientConfig {
  base: string
  getLocale: () => string
  onUnauthorized: (err: ApiError) => void
}

const config: ClientConfig = {
  base: '/api/v1',
  getLocale: () => 'zh-CN',
  onUnauthorized: () => {},
}

export function configureClient(c: Partial<ClientConfig>) {
  Object.assign(config, c)
}

export function buildQuery(query?: Query): string {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x))
    else p.append(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export function apiUrl(path: string, query?: Query): string {
  return config.base + path + buildQuery(query)
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': config.getLocale(),
  }
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    throw new ApiError(0, { code: 'network', detail: (e as Error)?.message || 'network error' })
  }
  if (!res.ok) {
    const err = await parseProblem(res)
    if (err.status === 401 && !opts.noAuthRedirect) config.onUnauthorized(err)
    throw err
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
}

/** Starts a file download of an export endpoint (the session cookie goes along). */
export function download(path: string, query?: Query) {
  const a = document.createElement('a')
  a.href = apiUrl(path, query)
  a.rel = 'noopener'
  a.download = ''
  document.body.appendChild(a)
  a.click()
  a.remove()
}
