// PRC resident identity number (GB 11643-1999): 17 digits (6 area, 8 birth date,
// 3 sequence; the last of them odd for men) and an ISO 7064 MOD 11-2 check character.
// Mirrors internal/platform/validate.IDNumber; the server checks again and wins.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export type IdProblem = 'length' | 'format' | 'birth' | 'check'

export interface IdInfo {
  number: string
  /** YYYY-MM-DD */
  birthDate: string
  gender: 'male' | 'female'
}

export function normalizeIdNumber(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase()
}

export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]
  return CHECK[sum % 11]
}

function validBirth(y: number, m: number, d: number, today: Date): boolean {
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false
  const dt = new Date(Date.UTC(y, m - 1, d))
  if (dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return false
  const t = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())
  return dt.getTime() <= t
}

/** Checks a resident ID number; returns what is wrong, or the facts it encodes. */
export function parseIdNumber(input: string, today = new Date()): { ok: true; info: IdInfo } | { ok: false; problem: IdProblem } {
  const s = normalizeIdNumber(input)
  if (s.length !== 18) return { ok: false, problem: 'length' }
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, problem: 'format' }
  const y = +s.slice(6, 10)
  const m = +s.slice(10, 12)
  const d = +s.slice(12, 14)
  if (!validBirth(y, m, d, today)) return { ok: false, problem: 'birth' }
  if (idCheckChar(s) !== s[17]) return { ok: false, problem: 'check' }
  return {
    ok: true,
    info: {
      number: s,
      birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
      gender: (s.charCodeAt(16) - 48) % 2 === 1 ? 'male' : 'female',
    },
  }
}

export function isIdNumber(input: string): boolean {
  return parseIdNumber(input).ok
}

/** Builds a valid number from area code, birth date (YYYYMMDD) and 3-digit sequence (tests, demo data). */
export function makeIdNumber(area: string, birth: string, seq: string): string {
  const body = `${area}${birth}${seq}`
  return body + idCheckChar(body)
}
