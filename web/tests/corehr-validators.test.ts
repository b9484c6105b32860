import { describe, expect, it } from 'vitest'
import { checkCreditCode, creditCodeCheckChar, CREDIT_ALPHABET, normalizeCreditCode } from '@/modules/org/creditCode'
import { idCheckChar, makeIdNumber, parseIdNumber } from '@/modules/employee/idNumber'

describe('unified social credit code (GB 32100-2015)', () => {
  const cases: [string, ReturnType<typeof checkCreditCode>][] = [
    ['91350100M000100Y43', null],
    ['91110000802100433B', null],
    ['91110000600037341L', null],
    ['914403001922038216', null],
    ['91110000802100433b', null], // lower case
    [' 9111 0000 8021 0043 3B ', null], // spaces
    ['９１１１００００８０２１００４３３Ｂ', null], // full width, pasted from a document
    ['91110000802100433C', 'check'],
    ['91350100M000100Y44', 'check'],
    ['91110000802100433', 'length'],
    ['91110000802100433BB', 'length'],
    ['', 'length'],
    ['9111000080210043IB', 'charset'], // I is not in the alphabet
    ['9111000080210043OB', 'charset'],
    ['9111A000802100433B', 'division'], // letter in the division code
    ['统一社会信用代码统一社会信用代码统一', 'charset'],
  ]
  it.each(cases)('%s -> %s', (input, want) => {
    expect(checkCreditCode(input)).toBe(want)
  })

  it('accepts exactly one check character per body', () => {
    const body = '91110000802100433'
    const ok = [...CREDIT_ALPHABET].filter((c) => checkCreditCode(body + c) === null)
    expect(ok).toEqual([creditCodeCheckChar(body)])
    expect(ok).toEqual(['B'])
  })

  it('normalises width, spaces and case', () => {
    expect(normalizeCreditCode('９１ab c')).toBe('91ABC')
  })
})

describe('resident ID number (GB 11643-1999)', () => {
  const today = new Date(2026, 0, 15)
  const cases: [string, { ok: true; birthDate: string; gender: 'male' | 'female' } | { ok: false; problem: string }][] = [
    ['11010519491231002X', { ok: true, birthDate: '1949-12-31', gender: 'female' }],
    ['11010519491231002x', { ok: true, birthDate: '1949-12-31', gender: 'female' }],
    ['１１０１０５１９４９１２３１００２Ｘ', { ok: true, birthDate: '1949-12-31', gender: 'female' }],
    ['440301199003071230', { ok: true, birthDate: '1990-03-07', gender: 'male' }],
    ['110101200002290026', { ok: true, birthDate: '2000-02-29', gender: 'female' }], // leap day
    [' 110105194912310029 ', { ok: false, problem: 'check' }],
    ['440301199003071231', { ok: false, problem: 'check' }],
    ['11010519491231002', { ok: false, problem: 'length' }],
    ['1101051949123100212', { ok: false, problem: 'length' }],
    ['11010519491231A02X', { ok: false, problem: 'format' }],
    ['X10105194912310020', { ok: false, problem: 'format' }],
    ['110105194913310028', { ok: false, problem: 'birth' }], // month 13
    ['110101190002290020', { ok: false, problem: 'birth' }], // 1900 is no leap year
    ['440524188001010014', { ok: false, problem: 'birth' }], // before 1900
    [makeIdNumber('110101', '20270101', '001'), { ok: false, problem: 'birth' }], // in the future
  ]
  it.each(cases)('%s', (input, want) => {
    const r = parseIdNumber(input, today)
    if (want.ok) {
      expect(r.ok).toBe(true)
      if (r.ok) {
        expect(r.info.birthDate).toBe(want.birthDate)
        expect(r.info.gender).toBe(want.gender)
        expect(r.info.number).toMatch(/^\d{17}[\dX]$/)
      }
    } else {
      expect(r).toEqual({ ok: false, problem: want.problem })
    }
  })

  it('makes numbers whose check digit validates, one valid digit per body', () => {
    const n = makeIdNumber('310104', '19880808', '123')
    expect(parseIdNumber(n, today)).toMatchObject({ ok: true, info: { gender: 'male', birthDate: '1988-08-08' } })
    const body = n.slice(0, 17)
    const ok = '0123456789X'.split('').filter((c) => parseIdNumber(body + c, today).ok)
    expect(ok).toEqual([idCheckChar(body)])
  })
})
