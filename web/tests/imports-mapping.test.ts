import { describe, expect, it } from 'vitest'
import type { TargetColumn } from '@/modules/imports/api'
import {
  applyMapping, buildRows, duplicateColumns, duplicateHeaders, hasDepartmentColumn, IGNORE, mappingOk, mappingProblems,
  missingRequired, sampleOf, toMapping, usedColumns, type MappingRow,
} from '@/modules/imports/mapping'

const col = (key: string, required = false, kind = 'text'): TargetColumn => ({ key, label: `x.${key}`, required, kind })
const COLUMNS = [col('employeeNo'), col('name', true), col('idNumber', true, 'idnumber'), col('mobile', true, 'mobile'), col('department', true, 'department'), col('hireDate', false, 'date')]

const header = ['工号', '姓名', '身份证号', '移动号码', '部门', '入职日期', '备注']
const sample = [
  ['E001', '张三', '', '13800138000', '技术部', '2024-01-05', ''],
  ['E002', '李四', '110101199003078515', '', '技术部/后端组', '2024/1/5', '试用'],
]

describe('import mapping rows', () => {
  it('takes the first non-empty sample value of each column', () => {
    expect(sampleOf(sample, 2)).toBe('110101199003078515')
    expect(sampleOf(sample, 6)).toBe('试用')
    expect(sampleOf(sample, 9)).toBe('')
    expect(sampleOf([], 0)).toBe('')
  })

  it('builds one row per header with the suggestion, ignoring unknown and repeated targets', () => {
    const rows = buildRows(header, sample, { 工号: 'employeeNo', 姓名: 'name', 身份证号: 'idNumber', 部门: 'department', 入职日期: 'hireDate', 备注: 'nope' }, COLUMNS)
    expect(rows.map((r) => r.column)).toEqual(['employeeNo', 'name', 'idNumber', IGNORE, 'department', 'hireDate', IGNORE])
    expect(rows[3]).toEqual({ index: 3, header: '移动号码', sample: '13800138000', column: IGNORE })

    const twice = buildRows(['姓名', 'Name'], [], { 姓名: 'name', Name: 'name' }, COLUMNS)
    expect(twice.map((r) => r.column)).toEqual(['name', IGNORE])
  })

  it('turns rows into the API mapping, leaving ignored and untitled columns out', () => {
    const rows: MappingRow[] = [
      { index: 0, header: '姓名', sample: '', column: 'name' },
      { index: 1, header: '备注', sample: '', column: IGNORE },
      { index: 2, header: '', sample: 'x', column: 'mobile' },
    ]
    expect(toMapping(rows)).toEqual({ 姓名: 'name' })
  })

  it('names the required columns nobody maps to', () => {
    const rows = buildRows(header, sample, { 姓名: 'name', 部门: 'department' }, COLUMNS)
    expect(missingRequired(rows, COLUMNS).map((c) => c.key)).toEqual(['idNumber', 'mobile'])
    const p = mappingProblems(rows, COLUMNS)
    expect(p.missing.map((c) => c.key)).toEqual(['idNumber', 'mobile'])
    expect(mappingOk(p)).toBe(false)

    const fixed = rows.map((r) => (r.header === '移动号码' ? { ...r, column: 'mobile' } : r.header === '身份证号' ? { ...r, column: 'idNumber' } : r))
    expect(mappingOk(mappingProblems(fixed, COLUMNS))).toBe(true)
  })

  it('knows which columns are taken by other rows (the select disables them)', () => {
    const rows = buildRows(header, sample, { 工号: 'employeeNo', 姓名: 'name' }, COLUMNS)
    expect([...usedColumns(rows)].sort()).toEqual(['employeeNo', 'name'])
    expect([...usedColumns(rows, 1)]).toEqual(['employeeNo']) // row 1 may keep its own choice
  })

  it('reports duplicates, an empty mapping and an over-long name', () => {
    const rows: MappingRow[] = [
      { index: 0, header: 'a', sample: '', column: 'name' },
      { index: 1, header: 'b', sample: '', column: 'name' },
    ]
    expect(duplicateColumns(rows)).toEqual(['name'])
    const none = rows.map((r) => ({ ...r, column: IGNORE }))
    const p = mappingProblems(none, [], 'x'.repeat(51))
    expect(p.empty).toBe(true)
    expect(p.nameTooLong).toBe(true)
    expect(mappingProblems(none, [], '名'.repeat(50)).nameTooLong).toBe(false)
    expect(duplicateHeaders(['备注', '姓名', '备注', '', ''])).toEqual(['备注'])
  })

  it('lays a saved mapping over the suggestion; the saved one wins a contested column', () => {
    // suggestion maps 工号; the saved mapping (e.g. from the previous file) sends 移动号码 to
    // mobile, ignores 入职日期, and maps 身份证号 (spelt with a trailing space) to employeeNo
    const rows = buildRows(header, sample, { 工号: 'employeeNo', 姓名: 'name', 入职日期: 'hireDate' }, COLUMNS)
    const out = applyMapping(rows, { 移动号码: 'mobile', 入职日期: '', ' 身份证号 ': 'employeeNo' }, COLUMNS)
    expect(out.find((r) => r.header === '移动号码')?.column).toBe('mobile')
    expect(out.find((r) => r.header === '入职日期')?.column).toBe(IGNORE)
    expect(out.find((r) => r.header === '身份证号')?.column).toBe('employeeNo')
    expect(out.find((r) => r.header === '工号')?.column).toBe(IGNORE) // lost employeeNo to the saved mapping
    expect(out.find((r) => r.header === '姓名')?.column).toBe('name') // untouched
    expect(duplicateColumns(out)).toEqual([])
    expect(rows.find((r) => r.header === '工号')?.column).toBe('employeeNo') // input left alone
  })

  it('drops saved targets the target no longer has', () => {
    const rows = buildRows(['技能'], [], {}, COLUMNS)
    expect(applyMapping(rows, { 技能: 'custom.gone' }, COLUMNS)[0].column).toBe(IGNORE)
  })

  it('asks for the upsert key column to be mapped, unless it is already named as missing', () => {
    const rows = buildRows(header, sample, { 姓名: 'name', 身份证号: 'idNumber', 移动号码: 'mobile', 部门: 'department' }, COLUMNS)
    const p = mappingProblems(rows, COLUMNS, '', 'employeeNo')
    expect(p.keyUnmapped).toBe(true)
    expect(mappingOk(p)).toBe(false)
    expect(mappingProblems(rows, COLUMNS, '', 'idNumber').keyUnmapped).toBe(false)
    expect(mappingOk(mappingProblems(rows, COLUMNS, '', 'idNumber'))).toBe(true)
    // a required key that is unmapped is reported once, among the missing columns
    const noId = rows.map((r) => (r.header === '身份证号' ? { ...r, column: IGNORE } : r))
    const q = mappingProblems(noId, COLUMNS, '', 'idNumber')
    expect(q.missing.map((c) => c.key)).toEqual(['idNumber'])
    expect(q.keyUnmapped).toBe(false)
  })

  it('offers "create missing departments" only for targets with a department column', () => {
    expect(hasDepartmentColumn(COLUMNS)).toBe(true)
    expect(hasDepartmentColumn([col('name')])).toBe(false)
  })
})
