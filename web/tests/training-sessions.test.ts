import { describe, expect, it } from 'vitest'
import {
  fromZonedInput, qrRefreshIn, upcomingFirst, qrTarget, rangeParams, sessionPhase, sessionTimeProblem, sessionTimeText, shiftedEnd, signInOpen, signInOutcome,
  toZonedInput, tokenOf, validLink,
} from '@/modules/training/sessions'
import { messages } from '@/modules/training/i18n'

const at = (iso: string) => new Date(iso).getTime()
const s = { startsAt: '2026-03-03T06:00:00Z', endsAt: '2026-03-03T08:00:00Z' }

describe('session phase', () => {
  it('is upcoming, then open for sign-in 30 minutes before, under way, then over', () => {
    expect(sessionPhase(s, at('2026-03-03T05:29:59Z'))).toBe('upcoming')
    expect(sessionPhase(s, at('2026-03-03T05:30:00Z'))).toBe('signIn')
    expect(sessionPhase(s, at('2026-03-03T06:00:00Z'))).toBe('ongoing')
    expect(sessionPhase(s, at('2026-03-03T08:00:00Z'))).toBe('ongoing')
    expect(sessionPhase(s, at('2026-03-03T08:00:01Z'))).toBe('ended')
    expect(signInOpen(s, at('2026-03-03T05:45:00Z'))).toBe(true)
    expect(signInOpen(s, at('2026-03-03T09:00:00Z'))).toBe(false)
  })

  it("takes the server's sign-in window when it sends one", () => {
    const x = { ...s, signInFrom: '2026-03-03T05:50:00Z' }
    expect(sessionPhase(x, at('2026-03-03T05:45:00Z'))).toBe('upcoming')
    expect(sessionPhase({ ...s, signInFrom: '0001-01-01T00:00:00Z' }, at('2026-03-03T05:45:00Z'))).toBe('signIn')
  })
})

describe('session times', () => {
  it('reads in the tenant zone, with the end day only when it differs', () => {
    expect(sessionTimeText(s.startsAt, s.endsAt, 'Asia/Shanghai')).toBe('2026-03-03 14:00–16:00')
    expect(sessionTimeText('2026-03-03T14:00:00Z', '2026-03-03T18:00:00Z', 'Asia/Shanghai')).toBe('2026-03-03 22:00 – 03-04 02:00')
    expect(sessionTimeText(s.startsAt, '', 'Asia/Shanghai')).toBe('2026-03-03 14:00')
    expect(sessionTimeText('', s.endsAt, 'Asia/Shanghai')).toBe('')
  })

  it("turns the form's wall clock into instants and back in the tenant zone", () => {
    expect(fromZonedInput('2026-03-03 14:00:00', 'Asia/Shanghai')).toBe('2026-03-03T06:00:00Z')
    expect(fromZonedInput('', 'Asia/Shanghai')).toBe('')
    expect(toZonedInput('2026-03-03T06:00:00Z', 'Asia/Shanghai')).toBe('2026-03-03 14:00:00')
    expect(toZonedInput('0001-01-01T00:00:00Z', 'Asia/Shanghai')).toBe('')
    expect(fromZonedInput(toZonedInput('2026-07-01T23:30:00Z', 'America/New_York'), 'America/New_York')).toBe('2026-07-01T23:30:00Z')
  })

  it('checks the start and end as the server does', () => {
    expect(sessionTimeProblem('', s.endsAt)).toBe('start')
    expect(sessionTimeProblem(s.startsAt, '')).toBe('end')
    expect(sessionTimeProblem(s.startsAt, s.startsAt)).toBe('endBeforeStart')
    expect(sessionTimeProblem(s.endsAt, s.startsAt)).toBe('endBeforeStart')
    expect(sessionTimeProblem(s.startsAt, '2026-03-04T06:00:00Z')).toBe('')
    expect(sessionTimeProblem(s.startsAt, '2026-03-04T06:00:01Z')).toBe('tooLong')
    expect(sessionTimeProblem(s.startsAt, s.endsAt)).toBe('')
  })

  it('moves the end with the start, keeping the length', () => {
    expect(shiftedEnd('2026-03-03 14:00:00', '2026-03-03 16:30:00', '2026-03-05 09:00:00')).toBe('2026-03-05 11:30:00')
    expect(shiftedEnd('', '', '2026-03-05 09:00:00')).toBe('2026-03-05 11:00:00')
    expect(shiftedEnd('', '2026-03-05 10:00:00', '2026-03-05 09:00:00')).toBe('2026-03-05 10:00:00')
    expect(shiftedEnd('', '2026-03-05 08:00:00', '2026-03-05 09:00:00')).toBe('2026-03-05 11:00:00')
    expect(shiftedEnd('2026-03-03 23:00:00', '2026-03-04 01:00:00', '2026-03-31 23:30:00')).toBe('2026-04-01 01:30:00')
    expect(shiftedEnd('x', 'y', 'not a time')).toBe('y')
  })

  it('takes only http(s) meeting links without spaces', () => {
    expect(validLink('https://meeting.example.com/j/123')).toBe(true)
    expect(validLink('http://10.0.0.1:8080')).toBe(true)
    expect(validLink('meeting.example.com')).toBe(false)
    expect(validLink('javascript:alert(1)')).toBe(false)
    expect(validLink('https://a.example.com/x y')).toBe(false)
    expect(validLink('https://')).toBe(false)
  })

  it('lists sessions to come first, then those over, latest first', () => {
    const mk = (id: string, start: string, end: string) => ({ id, startsAt: start, endsAt: end })
    const list = [
      mk('old', '2026-03-01T06:00:00Z', '2026-03-01T08:00:00Z'),
      mk('yesterday', '2026-03-02T06:00:00Z', '2026-03-02T08:00:00Z'),
      mk('now', '2026-03-03T05:00:00Z', '2026-03-03T07:00:00Z'),
      mk('later', '2026-03-04T06:00:00Z', '2026-03-04T08:00:00Z'),
      mk('soon', '2026-03-03T09:00:00Z', '2026-03-03T10:00:00Z'),
    ]
    expect(upcomingFirst(list, at('2026-03-03T06:00:00Z')).map((x) => x.id)).toEqual(['now', 'soon', 'later', 'yesterday', 'old'])
  })

  it('turns a day range into query parameters', () => {
    expect(rangeParams(null)).toEqual({})
    expect(rangeParams(['2026-03-01', '2026-03-31'])).toEqual({ from: '2026-03-01', to: '2026-03-31' })
  })
})

describe('QR code', () => {
  const now = at('2026-03-03T06:00:10Z')
  it('renews when the server says, within one period', () => {
    expect(qrRefreshIn('2026-03-03T06:00:30Z', 30, now)).toBe(20000)
    expect(qrRefreshIn('2026-03-03T06:00:10Z', 30, now)).toBe(500) // clock behind: soon
    expect(qrRefreshIn('2026-03-03T07:00:00Z', 30, now)).toBe(30000) // clock ahead: still every period
    expect(qrRefreshIn(null, 30, now)).toBe(30000)
    expect(qrRefreshIn('2026-03-03T06:00:30Z', 0, now)).toBe(20000)
  })

  it("points at the server's page, or this origin when the server gave a path only", () => {
    expect(qrTarget('https://hr.example.com/learn/sessions/1/sign-in?token=a.b', 'http://x')).toBe('https://hr.example.com/learn/sessions/1/sign-in?token=a.b')
    expect(qrTarget('/learn/sessions/1/sign-in?token=a.b', 'http://localhost:8099/')).toBe('http://localhost:8099/learn/sessions/1/sign-in?token=a.b')
  })

  it('reads the token of the page it leads to', () => {
    expect(tokenOf({ token: ' 1a2b.Zm9v ' })).toBe('1a2b.Zm9v')
    expect(tokenOf({ token: ['x', 'y'] })).toBe('x')
    expect(tokenOf({})).toBe('')
    expect(tokenOf({ token: 'x'.repeat(100) })).toHaveLength(64)
  })
})

describe('sign-in outcome', () => {
  it('tells each refusal apart', () => {
    expect(signInOutcome({ status: 409, code: 'training.qr_expired' })).toBe('expired')
    expect(signInOutcome({ status: 422, code: 'invalid', errors: [{ field: 'token', code: 'training.qr_invalid' }] })).toBe('invalid')
    expect(signInOutcome({ status: 409, code: 'training.sign_in_not_open' })).toBe('notOpen')
    expect(signInOutcome({ status: 409, code: 'training.sign_in_closed' })).toBe('closed')
    expect(signInOutcome({ status: 403, code: 'training.not_enrolled' })).toBe('notEnrolled')
    expect(signInOutcome({ status: 409, code: 'training.session_full' })).toBe('full')
    expect(signInOutcome({ status: 404, code: 'not_found' })).toBe('notFound')
    expect(signInOutcome({ status: 403, code: 'forbidden' })).toBe('notEnrolled')
    expect(signInOutcome({ status: 0, code: 'network' })).toBe('error')
    expect(signInOutcome(null)).toBe('error')
  })

  it('has a title and a hint for every outcome, and the other dynamic keys of the session pages', () => {
    const states = ['done', 'already', 'noToken', 'expired', 'invalid', 'notOpen', 'closed', 'notEnrolled', 'full', 'notFound', 'error']
    for (const m of [messages['zh-CN'], messages.en]) {
      expect(Object.keys(m.training.signIn.title).sort()).toEqual([...states].sort())
      expect(Object.keys(m.training.signIn.hint).sort()).toEqual([...states].sort())
      expect(Object.keys(m.training.sessionPhase).sort()).toEqual(['ended', 'ongoing', 'signIn', 'upcoming'])
      expect(Object.keys(m.training.sessionMode).sort()).toEqual(['offline', 'online'])
      expect(Object.keys(m.training.signInMethod).sort()).toEqual(['instructor', 'qr'])
      expect(Object.keys(m.training.mySessions.status).sort()).toEqual(['missed', 'present', 'signInOpen', 'upcoming'])
      expect(Object.keys(m.training.costCategory).sort()).toEqual(['instructor', 'materials', 'other', 'travel', 'venue'])
      for (const p of ['module', 'place', 'link', 'instructorName', 'start', 'end', 'endBeforeStart', 'tooLong']) expect(m.training.session.err).toHaveProperty(p)
    }
  })
})
