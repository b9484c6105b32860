import { describe, expect, it } from 'vitest'
import { formatInstant, zonedToUtc } from '@/utils/format'
import { isEmail, isMobile } from '@/utils/validators'
import { expandPermissions, groupPermissions } from '@/modules/platform/permissions'

describe('time formatting', () => {
  it('shows instants in the tenant time zone', () => {
    expect(formatInstant('2026-01-02T16:30:00Z', 'Asia/Shanghai')).toBe('2026-01-03 00:30:00')
    expect(formatInstant('2026-07-01T12:00:00Z', 'Europe/London')).toBe('2026-07-01 13:00:00')
    expect(formatInstant(null, 'Asia/Shanghai')).toBe('')
  })

  it('converts wall-clock filter times back to UTC', () => {
    expect(zonedToUtc('2026-01-03 00:30:00', 'Asia/Shanghai')).toBe('2026-01-02T16:30:00Z')
    expect(zonedToUtc('2026-07-01 13:00:00', 'Europe/London')).toBe('2026-07-01T12:00:00Z')
  })
})

describe('validators', () => {
  it('checks email and mobile formats', () => {
    expect(isEmail('a.b@example.com')).toBe(true)
    expect(isEmail('nope')).toBe(false)
    expect(isMobile('13812345678')).toBe(true)
    expect(isMobile('+44 20 7946 0958')).toBe(true)
    expect(isMobile('12345')).toBe(false)
  })
})

describe('permission helpers', () => {
  const all = [
    { code: 'platform.user.read', module: 'platform', label: 'a', sensitive: false },
    { code: 'training.x', module: 'training', label: 'b', sensitive: false },
    { code: 'platform.role.read', module: 'platform', label: 'c', sensitive: false },
  ]
  it('groups by module and expands "*"', () => {
    expect(groupPermissions(all).map((g) => [g.module, g.items.length])).toEqual([['platform', 2], ['training', 1]])
    expect(expandPermissions(['*'], all)).toHaveLength(3)
    expect(expandPermissions(['training.x'], all)).toEqual(['training.x'])
  })
})
