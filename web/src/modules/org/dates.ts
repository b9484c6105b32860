// Civil dates ("YYYY-MM-DD") in the tenant's time zone. HR dates are calendar days,
// never instants, so they are compared as strings.
import { formatInstant } from '@/utils/format'

export function todayIn(timeZone: string, now = new Date()): string {
  return formatInstant(now.toISOString(), timeZone).slice(0, 10)
}

/** Adds months to a civil date, clamping the day to the month's end (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const idx = y * 12 + (m - 1) + months
  const ny = Math.floor(idx / 12)
  const nm = idx % 12
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate()
  return `${ny}-${String(nm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

/** The first day of the month after the given date's month. */
export function firstOfNextMonth(date: string): string {
  return addMonths(`${date.slice(0, 8)}01`, 1)
}
