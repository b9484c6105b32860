// Money of the cost pages: amounts are entered in yuan with at most two decimals and sent
// as whole fen; shown back as yuan. Only string and integer arithmetic — never
// `yuan * 100` on a float (0.29 * 100 is 28.999999999999996).

/** The largest cost line the server takes: 1,000,000,000.00 yuan (training.MaxCostFen). */
export const MAX_COST_FEN = 100_000_000_000

export type YuanProblem = 'empty' | 'format' | 'decimals' | 'zero' | 'range'

export type YuanParse = { fen: number; problem?: undefined } | { fen?: undefined; problem: YuanProblem }

/**
 * Reads an amount typed in yuan ("1234.5", "1,234.50", "¥80", "０.３") as fen. Spaces, a
 * leading ¥/￥ and thousands separators are allowed; full-width digits are read as digits.
 * More than two decimals is refused rather than rounded (money is never rounded silently).
 */
export function parseYuan(input: string | null | undefined, max = MAX_COST_FEN): YuanParse {
  let s = String(input ?? '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48))
    .replace(/[\uFF0E\u3002]/g, '.')
    .replace(/[\s,\uFF0C]/g, '')
  s = s.replace(/^[¥￥]/, '')
  if (!s) return { problem: 'empty' }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (!m[1] && !m[2])) return { problem: 'format' }
  const whole = m[1].replace(/^0+(?=\d)/, '')
  const frac = m[2] ?? ''
  if (frac.length > 2) return { problem: 'decimals' }
  // compare as digit strings first, so a long input never becomes an inexact number
  const digits = (whole + frac.padEnd(2, '0')).replace(/^0+/, '')
  const maxDigits = String(max)
  if (digits.length > maxDigits.length || (digits.length === maxDigits.length && digits > maxDigits)) return { problem: 'range' }
  const fen = digits ? parseInt(digits, 10) : 0
  if (fen <= 0) return { problem: 'zero' }
  return { fen }
}

/**
 * Fen as yuan with two decimals, exactly: 123450 → "1234.50", -5 → "-0.05"; with
 * `group` the whole part gets thousands separators ("1,234.50").
 */
export function fenToYuan(fen: number | string | null | undefined, group = false): string {
  let n: bigint
  try {
    n = BigInt(typeof fen === 'string' ? fen.trim() || '0' : Math.trunc(Number(fen ?? 0)))
  } catch {
    return ''
  }
  const sign = n < 0n ? '-' : ''
  if (n < 0n) n = -n
  let whole = (n / 100n).toString()
  const cents = (n % 100n).toString().padStart(2, '0')
  if (group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}${whole}.${cents}`
}
