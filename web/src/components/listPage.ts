/** What ListPage exposes through a template ref. */
export interface ListPageApi {
  reload: (silent?: boolean) => Promise<void>
}
