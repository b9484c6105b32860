import { describe, expect, it } from 'vitest'
import type { Batch, BatchState } from '@/modules/imports/api'
import { importApi, maybeBatch, normBatch } from '@/modules/imports/api'
import { afterEach, vi } from 'vitest'
import {
  canCancel, canRollback, commitBlock, hasErrors, isRunning, pollDelay, progressOf, progressStatus, stepOf, STEP_CHECK, STEP_COMMIT, STEP_MAPPING, tagType, totalRows,
} from '@/modules/imports/state'

const batch = (p: Partial<Batch>): Batch => ({ ...normBatch({ id: '1', state: 'checked' }), ...p })
const counts = (n: number, u: number, same: number, f: number) => ({ new: n, updated: u, unchanged: same, failed: f })

describe('import batch states in the UI', () => {
  it('opens a batch at the step its state belongs to', () => {
    const at = (state: BatchState, committed = false) => stepOf({ state, committed })
    expect(at('uploaded')).toBe(STEP_MAPPING)
    expect(at('checking')).toBe(STEP_CHECK)
    expect(at('checked')).toBe(STEP_CHECK)
    expect(at('importing')).toBe(STEP_COMMIT)
    expect(at('imported')).toBe(STEP_COMMIT)
    expect(at('rolled_back')).toBe(STEP_COMMIT)
    expect(at('failed')).toBe(STEP_CHECK)
    expect(at('failed', true)).toBe(STEP_COMMIT)
    expect(at('cancelled')).toBe(STEP_CHECK)
    expect(at('cancelled', true)).toBe(STEP_COMMIT)
  })

  it('polls only while a job runs', () => {
    expect(isRunning('checking')).toBe(true)
    expect(isRunning('importing')).toBe(true)
    for (const s of ['uploaded', 'checked', 'imported', 'failed', 'cancelled', 'rolled_back'] as BatchState[]) expect(isRunning(s), s).toBe(false)
    expect(canCancel({ state: 'importing' })).toBe(true)
    expect(canCancel({ state: 'imported' })).toBe(false)
  })

  it('shows a finished run full and clamps the rest', () => {
    expect(progressOf({ state: 'checked', progress: 80 })).toBe(100)
    expect(progressOf({ state: 'imported', progress: 0 })).toBe(100)
    expect(progressOf({ state: 'importing', progress: 42.6 })).toBe(43)
    expect(progressOf({ state: 'checking', progress: 140 })).toBe(100)
    expect(progressOf({ state: 'checking', progress: -3 })).toBe(0)
    expect(progressStatus('failed')).toBe('exception')
    expect(progressStatus('cancelled')).toBe('warning')
    expect(progressStatus('checking')).toBe('')
    expect(progressStatus('imported')).toBe('success')
  })

  it('opens the commit only for a checked batch that may be written', () => {
    expect(commitBlock(batch({ state: 'checking' }))).toBe('state')
    expect(commitBlock(batch({ mode: 'all', counts: counts(3, 0, 0, 1) }))).toBe('failures')
    expect(commitBlock(batch({ mode: 'valid', counts: counts(3, 0, 0, 1) }))).toBe('')
    expect(commitBlock(batch({ mode: 'all', counts: counts(0, 0, 5, 0) }))).toBe('nothing')
    expect(commitBlock(batch({ mode: 'all', counts: counts(0, 2, 5, 0) }))).toBe('')
  })

  it('offers rollback for imported batches and the error report when rows failed', () => {
    expect(canRollback({ state: 'imported' })).toBe(true)
    expect(canRollback({ state: 'rolled_back' })).toBe(false)
    expect(hasErrors({ counts: counts(1, 0, 0, 0), errorCount: 0 })).toBe(false)
    expect(hasErrors({ counts: counts(1, 0, 0, 2), errorCount: 0 })).toBe(true)
    expect(totalRows(counts(1, 2, 3, 4))).toBe(10)
  })

  it('colours state tags and slows polling down for long runs', () => {
    expect(tagType('imported')).toBe('success')
    expect(tagType('failed')).toBe('danger')
    expect(tagType('whatever')).toBe('info')
    expect(pollDelay(0)).toBe(500)
    expect(pollDelay(3)).toBeGreaterThan(pollDelay(1))
    expect(pollDelay(100)).toBe(2000)
  })
})

describe('batch answers', () => {
  it('reads counts nested or flat, and progress from the batch or its job', () => {
    const a = normBatch({ id: 7, state: 'importing', counts: { new: 2, updated: 1, unchanged: 0, failed: 0 }, job: { id: 'j1', kind: 'imports.commit', progress: 55, message: '2/4' } })
    expect(a.id).toBe('7')
    expect(a.counts).toEqual(counts(2, 1, 0, 0))
    expect(a.progress).toBe(55)
    expect(a.message).toBe('2/4')
    expect(a.jobId).toBe('j1')
    expect(a.committed).toBe(true)

    const b = normBatch({ id: '8', state: 'failed', new: 1, failed: 3, progress: 30, job: { kind: 'imports.check' } })
    expect(b.counts).toEqual(counts(1, 0, 0, 3))
    expect(b.progress).toBe(30)
    expect(b.committed).toBe(false)
  })

  it('reads the upload answer, wrapped or not, and defends against odd values', () => {
    const up = normBatch({
      batch: { id: '9', state: 'uploaded', fileName: '花名册.xlsx', target: 'employees' },
      sheets: ['Sheet1', '离职'],
      header: ['姓名', '工号'],
      sample: [['张三', 'E1'], ['李四']],
      mapping: { 姓名: 'name', 工号: '', x: 3 },
      unmapped: ['备注'],
    })
    expect(up.id).toBe('9')
    expect(up.fileName).toBe('花名册.xlsx')
    expect(up.sheets).toEqual(['Sheet1', '离职'])
    expect(up.sample[1]).toEqual(['李四'])
    expect(up.mapping).toEqual({ 姓名: 'name' })
    expect(up.unmapped).toEqual(['备注'])
    expect(up.mode).toBe('all')

    const odd = normBatch({ state: 'exploded', mode: 'valid', progress: 'x', sample: 'no' })
    expect(odd.state).toBe('uploaded')
    expect(odd.mode).toBe('valid')
    expect(odd.progress).toBe(0)
    expect(odd.sample).toEqual([])
  })
})

describe('answers of the actions', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('takes a batch from a 202 answer and ignores a job or nothing', () => {
    expect(maybeBatch({ id: '5', state: 'checking', progress: 0 })?.state).toBe('checking')
    expect(maybeBatch({ batch: { id: '5', state: 'importing' } })?.id).toBe('5')
    expect(maybeBatch({ id: 'j9', kind: 'imports.check', state: 'queued' })).toBeNull()
    expect(maybeBatch(undefined)).toBeNull()
  })

  it('names predefined mappings apart (they have no id of their own)', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      expect(String(url)).toBe('/api/v1/imports/mappings?target=employees')
      return new Response(JSON.stringify({ items: [
        { id: '123', target: 'employees', name: '我的花名册', label: '我的花名册', mapping: { 手机号: 'mobile', 备注: '' }, key: 'idNumber', predefined: false },
        { id: '0', target: 'employees', name: 'orangehrm', label: 'OrangeHRM 员工导出', mapping: { 'Employee Id': 'employeeNo' }, predefined: true },
        { id: '0', target: 'employees', name: 'frappe', label: 'Frappe HRMS', mapping: {}, predefined: true },
      ] }), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }))
    const list = await importApi.mappings('employees')
    expect(list.map((m) => m.id)).toEqual(['123', 'preset:orangehrm', 'preset:frappe'])
    expect(list[0]).toMatchObject({ label: '我的花名册', key: 'idNumber', predefined: false, mapping: { 手机号: 'mobile' } })
    expect(list[1]).toMatchObject({ label: 'OrangeHRM 员工导出', predefined: true })
  })

  it('reads the failure of a batch as its message, and the job message only while it runs', () => {
    expect(normBatch({ id: '1', state: 'failed', failureMessage: '文件已损坏', job: { message: '10/10' } }).message).toBe('文件已损坏')
    expect(normBatch({ id: '1', state: 'checked', job: { message: '10/10' } }).message).toBe('')
    expect(normBatch({ id: '1', state: 'importing', job: { message: '3/10', progress: 30 } }).message).toBe('3/10')
    expect(normBatch({ id: '1', state: 'cancelled', committed: true }).committed).toBe(true)
    expect(normBatch({ id: '1', state: 'cancelled', committed: false }).committed).toBe(false)
  })
})
