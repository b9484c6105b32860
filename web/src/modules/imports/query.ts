// Import history: the filters (file name, target, state, upload days), kept in the URL,
// and the list query.
import type { Query } from '@/api/client'
import { BATCH_STATES } from './api'

export interface HistoryFilters {
  /** file name */
  q: string
  target: string
  state: string
  /** uploaded between these days (YYYY-MM-DD), both included */
  created: [string, string] | null
}

export function emptyFilters(): HistoryFilters {
  return { q: '', target: '', state: '', created: null }
}

/** The filters as URL/query parameters (q, target, state, from, to), empty ones left out. */
export function filterParams(f: HistoryFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.q.trim()) q.q = f.q.trim()
  if (f.target) q.target = f.target
  if (f.state) q.state = f.state
  if (f.created?.[0]) q.from = f.created[0]
  if (f.created?.[1]) q.to = f.created[1]
  return q
}

export function historyQuery(f: HistoryFilters, page = 1, pageSize = 20): Query {
  return { page, pageSize, ...filterParams(f) }
}

export function filtersFromRoute(q: Record<string, unknown>): HistoryFilters {
  const s = (k: string) => {
    const v = Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]
    return typeof v === 'string' ? v : ''
  }
  const f = emptyFilters()
  f.q = s('q')
  f.target = /^[a-zA-Z0-9_.-]{1,40}$/.test(s('target')) ? s('target') : ''
  f.state = (BATCH_STATES as readonly string[]).includes(s('state')) ? s('state') : ''
  const day = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s(k)) ? s(k) : '')
  if (day('from') || day('to')) f.created = [day('from'), day('to')]
  return f
}

export function filtered(f: HistoryFilters): boolean {
  return !!(f.q.trim() || f.target || f.state || f.created?.[0] || f.created?.[1])
}
