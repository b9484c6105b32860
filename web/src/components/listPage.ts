import type { Query } from '@/api/client'

/** What ListPage exposes through a template ref. */
export interface ListPageApi {
  reload: (silent?: boolean) => Promise<void>
  /** the search box text (settable, e.g. when loading a saved view) */
  q?: string
  /** the sort parameter ("name", "-hireDate") */
  sort?: string
  /** the query the list and the export use (filters, search, sort) */
  readonly query?: Query
}
