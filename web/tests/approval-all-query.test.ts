import { afterEach, describe, expect, it, vi } from 'vitest'
import { approvalApi } from '@/modules/approval/api'
import {
  allQuery, emptyFilters, exportQuery, filterParams, filtersFromRoute, mineQuery, routeQuery, type MineFilters,
} from '@/modules/approval/query'
import { filterMenu, menuFromModules } from '@/layout/menu'
import { modules } from '@/modules'

const some = (): MineFilters => ({ q: ' 李晓梅 ', type: 'employee.bank_account', state: 'approved', submitted: ['2026-03-01', '2026-03-31'] })

afterEach(() => vi.restoreAllMocks())

describe('all requests (审批查询): filters, URL and export', () => {
  it('turns filters into parameters without empty ones', () => {
    expect(filterParams(emptyFilters())).toEqual({})
    expect(filterParams(some())).toEqual({ q: '李晓梅', type: 'employee.bank_account', state: 'approved', from: '2026-03-01', to: '2026-03-31' })
    expect(filterParams({ ...emptyFilters(), q: '   ', submitted: ['', '2026-03-31'] })).toEqual({ to: '2026-03-31' })
  })

  it('builds the list query: paging and filters, no tab', () => {
    expect(allQuery(emptyFilters())).toEqual({ page: 1, pageSize: 20 })
    expect(allQuery(some(), 2, 50)).toEqual({
      page: 2, pageSize: 50, q: '李晓梅', type: 'employee.bank_account', state: 'approved', from: '2026-03-01', to: '2026-03-31',
    })
    // my approvals still sends its tab with the same filters
    expect(mineQuery('done', some(), 1, 20)).toEqual({ tab: 'done', ...allQuery(some()) })
    expect(routeQuery('todo', some())).toEqual(filterParams(some()))
  })

  it('round-trips the filters through the URL', () => {
    const url = filterParams(some())
    expect(filtersFromRoute(url)).toEqual({ ...some(), q: '李晓梅' })
    expect(filtersFromRoute({})).toEqual(emptyFilters())
    expect(filtersFromRoute({ state: ['rejected'], from: '2026-01-05' })).toEqual({ ...emptyFilters(), state: 'rejected', submitted: ['2026-01-05', ''] })
  })

  it('drops a state or a day from the URL that the server would refuse', () => {
    expect(filtersFromRoute({ state: 'nope', from: '2026/01/05', to: 'x' })).toEqual(emptyFilters())
  })

  it('exports with the format and the same filters, without paging', () => {
    expect(exportQuery('csv', emptyFilters())).toEqual({ format: 'csv' })
    expect(exportQuery('xlsx', some())).toEqual({ format: 'xlsx', ...filterParams(some()) })
    expect(exportQuery('csv', some(), 'submitted')).toEqual({ format: 'csv', tab: 'submitted', ...filterParams(some()) })
  })

  it('downloads from the export endpoints', () => {
    const hrefs: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      hrefs.push(this.getAttribute('href') || '')
    })
    approvalApi.exportAll(exportQuery('xlsx', { ...emptyFilters(), state: 'approved' }))
    approvalApi.exportMine(exportQuery('csv', { ...emptyFilters(), q: '张三' }, 'cc'))
    expect(hrefs).toEqual([
      '/api/v1/approvals/export?format=xlsx&state=approved',
      `/api/v1/approvals/mine/export?format=csv&tab=cc&q=${encodeURIComponent('张三')}`,
    ])
  })

  it('shows the page in the approvals menu to HR only', () => {
    const entries = menuFromModules(modules).flatMap((g) => g.entries)
    const all = entries.find((e) => e.path === '/approvals/all')
    expect(all?.permission).toBe('approval.instance.read_all')
    const hr = filterMenu(menuFromModules(modules), ['employee.self.read', 'approval.instance.read_all'])
    expect(hr.find((g) => g.entries.some((e) => e.path === '/approvals/all'))?.entries.map((e) => e.path)).toContain('/approvals')
    const employee = filterMenu(menuFromModules(modules), ['employee.self.read']).flatMap((g) => g.entries).map((e) => e.path)
    expect(employee).not.toContain('/approvals/all')
  })
})
