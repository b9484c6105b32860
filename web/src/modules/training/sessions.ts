// Pure helpers of the classroom pages: a session's phase, its time as people read it, the
// form's wall-clock times in the tenant's zone, the QR code's refresh timing and what a
// refused sign-in means. No Vue here, so tests/training-sessions.test.ts calls them directly.
import { formatInstant, zonedToUtc } from '@/utils/format'
import { hasInstant } from './labels'

export type SessionPhase = 'upcoming' | 'signIn' | 'ongoing' | 'ended'

/** Sign-in opens this long before the start (training.SignInLead). */
export const SIGN_IN_LEAD_MS = 30 * 60 * 1000

const ms = (iso: string | null | undefined) => (hasInstant(iso) ? new Date(iso).getTime() : NaN)

/**
 * Where a session is at `now`: upcoming, sign-in open before the start, under way, or over.
 * The sign-in window is the server's when it sent one (signInFrom), else 30 minutes before.
 */
export function sessionPhase(
  s: { startsAt: string; endsAt: string; signInFrom?: string | null },
  now = Date.now(),
): SessionPhase {
  const start = ms(s.startsAt)
  const end = ms(s.endsAt)
  const from = hasInstant(s.signInFrom) ? ms(s.signInFrom) : start - SIGN_IN_LEAD_MS
  if (!Number.isNaN(end) && now > end) return 'ended'
  if (!Number.isNaN(start) && now >= start) return 'ongoing'
  if (!Number.isNaN(from) && now >= from) return 'signIn'
  return 'upcoming'
}

/** Whether a learner may sign in now (from the window's opening to the end). */
export function signInOpen(s: { startsAt: string; endsAt: string; signInFrom?: string | null }, now = Date.now()): boolean {
  const p = sessionPhase(s, now)
  return p === 'signIn' || p === 'ongoing'
}

/**
 * A session's time in the tenant's zone: "2026-03-03 14:00–16:00", or with the end's day
 * when it ends on another ("2026-03-03 22:00 – 03-04 02:00").
 */
export function sessionTimeText(startsAt: string, endsAt: string, timeZone: string): string {
  if (!hasInstant(startsAt)) return ''
  const a = formatInstant(startsAt, timeZone, false)
  if (!hasInstant(endsAt)) return a
  const b = formatInstant(endsAt, timeZone, false)
  if (a.slice(0, 10) === b.slice(0, 10)) return `${a}–${b.slice(11)}`
  return `${a} – ${b.slice(5)}`
}

/** An instant as the form's "YYYY-MM-DD HH:mm:ss" in the tenant's zone ('' when unset). */
export function toZonedInput(iso: string | null | undefined, timeZone: string): string {
  return hasInstant(iso) ? formatInstant(iso, timeZone) : ''
}

/** The form's wall-clock time in the tenant's zone as an RFC 3339 UTC instant ('' when empty). */
export function fromZonedInput(local: string | null | undefined, timeZone: string): string {
  return local ? zonedToUtc(local, timeZone) : ''
}

/** The problem of a session's start and end, as a key under training.session.err, or ''. */
export function sessionTimeProblem(startsAt: string, endsAt: string): '' | 'start' | 'end' | 'endBeforeStart' | 'tooLong' {
  if (!startsAt) return 'start'
  if (!endsAt) return 'end'
  const a = new Date(startsAt).getTime()
  const b = new Date(endsAt).getTime()
  if (Number.isNaN(a)) return 'start'
  if (Number.isNaN(b)) return 'end'
  if (b <= a) return 'endBeforeStart'
  if (b - a > 24 * 3600 * 1000) return 'tooLong'
  return ''
}

/** Only http(s) meeting links (what the server takes). */
export function validLink(u: string | null | undefined): boolean {
  const s = (u || '').trim()
  if (!/^https?:\/\/[^\s/?#]+/i.test(s)) return false
  return !/[\s\u0000-\u001f\u007f]/.test(s)
}

/**
 * Milliseconds until the QR code is renewed: until the server's expiresAt, kept within
 * (0.5 s, one period] so a page whose clock is off still renews every period at least.
 */
export function qrRefreshIn(expiresAt: string | null | undefined, periodSeconds: number, now = Date.now()): number {
  const period = Math.max(5, periodSeconds || 30) * 1000
  const left = ms(expiresAt) - now
  if (Number.isNaN(left)) return period
  return Math.min(period, Math.max(500, left))
}

/**
 * Where the QR code sends the phone: the server's address, or, when the server gave a path
 * only (no public URL configured), this page's origin with that path.
 */
export function qrTarget(url: string, origin: string): string {
  if (/^https?:\/\//i.test(url)) return url
  return origin.replace(/\/$/, '') + (url.startsWith('/') ? url : `/${url}`)
}

export type SignInOutcome = 'expired' | 'invalid' | 'notOpen' | 'closed' | 'notEnrolled' | 'full' | 'notFound' | 'error'

/** What a refused sign-in means, from the problem's status and codes. */
export function signInOutcome(e: { status?: number; code?: string; errors?: { field?: string; code?: string }[] } | null | undefined): SignInOutcome {
  if (!e) return 'error'
  const codes = [e.code || '', ...(e.errors || []).map((x) => x.code || '')]
  const has = (c: string) => codes.includes(c)
  if (has('training.qr_expired')) return 'expired'
  if (has('training.qr_invalid')) return 'invalid'
  if (has('training.sign_in_not_open')) return 'notOpen'
  if (has('training.sign_in_closed')) return 'closed'
  if (has('training.not_enrolled')) return 'notEnrolled'
  if (has('training.session_full')) return 'full'
  if (e.status === 404) return 'notFound'
  if (e.status === 403) return 'notEnrolled'
  return 'error'
}

/** The sign-in token of the page's query (the QR code's URL), trimmed; '' when absent. */
export function tokenOf(q: Record<string, unknown>): string {
  const v = Array.isArray(q.token) ? q.token[0] : q.token
  return typeof v === 'string' ? v.trim().slice(0, 64) : ''
}

/** Query of a list filtered by a day range [from, to] ('YYYY-MM-DD'), empty ends left out. */
export function rangeParams(range: [string, string] | string[] | null | undefined): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {}
  if (range?.[0]) out.from = range[0]
  if (range?.[1]) out.to = range[1]
  return out
}

/** A wall-clock "YYYY-MM-DD HH:mm:ss" as milliseconds of the same fields in UTC (NaN when not one). */
function wallMs(local: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local || '')
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) : NaN
}

function wallString(t: number): string {
  return new Date(t).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * The end after the start moved from `oldStart` to `newStart`: the session keeps its
 * length; without a (later) end it lasts two hours. Wall-clock strings of the form.
 */
export function shiftedEnd(oldStart: string, end: string, newStart: string): string {
  const s = wallMs(newStart)
  if (Number.isNaN(s)) return end
  const len = wallMs(end) - wallMs(oldStart)
  if (len > 0) return wallString(s + len)
  if (wallMs(end) > s) return end
  return wallString(s + 2 * 3600 * 1000)
}

/** Sessions to come (or under way) first by start, then those over, the latest first. */
export function upcomingFirst<T extends { startsAt: string; endsAt: string }>(list: T[], now = Date.now()): T[] {
  const open = list.filter((s) => sessionPhase(s, now) !== 'ended').sort((a, b) => ms(a.startsAt) - ms(b.startsAt))
  const over = list.filter((s) => sessionPhase(s, now) === 'ended').sort((a, b) => ms(b.startsAt) - ms(a.startsAt))
  return [...open, ...over]
}
