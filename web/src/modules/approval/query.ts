// "My approvals" and HR's "all requests": the tab from the URL, the filters, the list and
// export queries, and the tab badges.
import type { Query } from '@/api/client'
import { STATES, TABS, type Counts, type Tab } from './api'

export interface MineFilters {
  q: string
  /** request type code, '' for all */
  type: string
  /** submitted between these days (YYYY-MM-DD), both included */
  submitted: [string, string] | null
  /** running / approved / rejected / withdrawn, '' for all */
  state: string
}

export function emptyFilters(): MineFilters {
  return { q: '', type: '', submitted: null, state: '' }
}

export function parseTab(v: unknown): Tab {
  const s = Array.isArray(v) ? v[0] : v
  return (TABS as readonly string[]).includes(String(s)) ? (s as Tab) : 'todo'
}

/** The filters as query parameters (q, type, state, from, to), empty ones left out. */
export function filterParams(f: MineFilters): Record<string, string> {
  const q: Record<string, string> = {}
  if (f.q.trim()) q.q = f.q.trim()
  if (f.type) q.type = f.type
  if (f.state) q.state = f.state
  if (f.submitted?.[0]) q.from = f.submitted[0]
  if (f.submitted?.[1]) q.to = f.submitted[1]
  return q
}

/** The list query of a tab: empty filters are left out. */
export function mineQuery(tab: Tab, f: MineFilters, page = 1, pageSize = 20): Query {
  return { tab, page, pageSize, ...filterParams(f) }
}

/** The URL query that restores the page (tab and filters), without defaults. */
export function routeQuery(tab: Tab, f: MineFilters): Record<string, string> {
  return tab !== 'todo' ? { tab, ...filterParams(f) } : filterParams(f)
}

/** HR's list of every request ("审批查询"): the same filters, no tab. Its URL query is filterParams. */
export function allQuery(f: MineFilters, page = 1, pageSize = 20): Query {
  return { page, pageSize, ...filterParams(f) }
}

export type ExportFormat = 'xlsx' | 'csv'

/** The query of an export: the format and the list's filters (and tab), without paging. */
export function exportQuery(format: ExportFormat, f: MineFilters, tab?: Tab): Query {
  return tab ? { format, tab, ...filterParams(f) } : { format, ...filterParams(f) }
}

export function filtersFromRoute(q: Record<string, unknown>): MineFilters {
  const s = (k: string) => {
    const v = Array.isArray(q[k]) ? (q[k] as unknown[])[0] : q[k]
    return typeof v === 'string' ? v : ''
  }
  const f = emptyFilters()
  f.q = s('q')
  f.type = s('type')
  // a hand-edited URL with a state or day the server refuses shows the unfiltered list
  f.state = (STATES as readonly string[]).includes(s('state')) ? s('state') : ''
  const day = (k: string) => (/^\d{4}-\d{2}-\d{2}$/.test(s(k)) ? s(k) : '')
  if (day('from') || day('to')) f.submitted = [day('from'), day('to')]
  return f
}

/** A badge number: nothing for zero, "99+" above 99. */
export function badge(n: number | undefined, max = 99): string {
  if (!n || n < 0) return ''
  return n > max ? `${max}+` : String(n)
}

export function zeroCounts(): Counts {
  return { todo: 0, done: 0, submitted: 0, cc: 0 }
}

/** Counts from a list answer (the server sends them with every page), tolerant of gaps. */
export function countsOf(c: Partial<Counts> | null | undefined): Counts {
  const z = zeroCounts()
  if (!c) return z
  for (const t of TABS) z[t] = typeof c[t] === 'number' ? (c[t] as number) : 0
  return z
}

/** Whether any filter narrows the list (the tab counts then count more than is shown). */
export function filtered(f: MineFilters): boolean {
  return !!(f.q.trim() || f.type || f.state || f.submitted?.[0] || f.submitted?.[1])
}

