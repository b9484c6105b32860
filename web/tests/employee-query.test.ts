import { describe, expect, it } from 'vitest'
import { buildQuery } from '@/api/client'
import { emptyFilters, filtersToQuery, queryToFilters, type EmployeeFilters } from '@/modules/employee/query'

function f(p: Partial<EmployeeFilters>): EmployeeFilters {
  return { ...emptyFilters(), ...p }
}

describe('roster filters -> query string', () => {
  const cases: [string, Partial<EmployeeFilters>, string][] = [
    ['nothing set', {}, ''],
    ['department with sub-departments', { departmentId: '42' }, '?departmentId=42&includeSubDepartments=true'],
    ['department only', { departmentId: '42', includeSubDepartments: false }, '?departmentId=42&includeSubDepartments=false'],
    ['sub-department flag alone is left out', { includeSubDepartments: false }, ''],
    ['status and type', { status: 'probation', employmentType: 'intern' }, '?status=probation&employmentType=intern'],
    ['position and location', { positionId: '7', locationId: '9' }, '?positionId=7&locationId=9'],
    ['hire date range', { hired: ['2024-01-01', '2024-12-31'] }, '?hiredFrom=2024-01-01&hiredTo=2024-12-31'],
    ['open-ended range', { hired: ['2024-01-01', ''] }, '?hiredFrom=2024-01-01'],
    ['as of a date', { on: '2026-03-01' }, '?on=2026-03-01'],
    [
      'custom fields (empty ones left out, multi values joined, codes sorted)',
      { custom: { team: 'A', shoe: 42, skills: ['go', 'vue'], empty: '', none: null, list: [] } },
      '?cf.shoe=42&cf.skills=go%2Cvue&cf.team=A',
    ],
    [
      'everything',
      { departmentId: '1', status: 'regular', employmentType: 'full_time', positionId: '2', locationId: '3', hired: ['2020-01-01', '2020-06-30'], custom: { level: '高级' } },
      '?departmentId=1&includeSubDepartments=true&status=regular&employmentType=full_time&positionId=2&locationId=3&hiredFrom=2020-01-01&hiredTo=2020-06-30&cf.level=%E9%AB%98%E7%BA%A7',
    ],
  ]
  it.each(cases)('%s', (_name, filters, want) => {
    expect(buildQuery(filtersToQuery(f(filters)))).toBe(want)
  })

  it('round-trips through a saved view', () => {
    const src = f({ departmentId: '5', includeSubDepartments: false, status: 'left', hired: ['2021-01-01', '2021-02-01'], custom: { team: 'B' } })
    const back = queryToFilters(filtersToQuery(src) as Record<string, unknown>)
    expect(filtersToQuery(back)).toEqual(filtersToQuery(src))
    expect(back.includeSubDepartments).toBe(false)
    expect(back.custom).toEqual({ team: 'B' })
  })
})
