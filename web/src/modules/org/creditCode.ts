// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
// 31-character alphabet (digits and capital letters without I, O, Z, S, V); the last
// one is a check character over the first 17 (weights 3^i mod 31); positions 3-8 are
// the administrative division code (digits). Mirrors internal/org.ValidateCreditCode. The server checks
// again; this lets the form say so before a round trip.

export const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export type CreditCodeProblem = 'length' | 'charset' | 'division' | 'check'

/** Folds full-width characters, strips spaces and upper-cases. */
export function normalizeCreditCode(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]/g, '')
    .toUpperCase()
}

/** The check character the first 17 characters call for, or '' if one is outside the alphabet. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_ALPHABET.indexOf(first17[i])
    if (v < 0) return ''
    sum += v * WEIGHTS[i]
  }
  const c = (31 - (sum % 31)) % 31
  return CREDIT_ALPHABET[c]
}

/** Returns null when valid, else what is wrong. */
export function checkCreditCode(input: string): CreditCodeProblem | null {
  const s = normalizeCreditCode(input)
  if (s.length !== 18) return 'length'
  for (const ch of s) if (!CREDIT_ALPHABET.includes(ch)) return 'charset'
  // positions 3-8 are the administrative division code: digits only
  if (!/^\d{6}$/.test(s.slice(2, 8))) return 'division'
  return creditCodeCheckChar(s.slice(0, 17)) === s[17] ? null : 'check'
}

export function isCreditCode(input: string): boolean {
  return checkCreditCode(input) === null
}
