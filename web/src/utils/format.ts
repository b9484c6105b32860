import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { useSessionStore } from '@/stores/session'

/** Formats an RFC 3339 instant in the given IANA time zone as "YYYY-MM-DD HH:mm:ss". */
export function formatInstant(iso: string | null | undefined, timeZone: string, withSeconds = true): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(d)
  } catch {
    return d.toISOString()
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  const s = `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
  return withSeconds ? `${s}:${get('second')}` : s
}

/** Time formatting in the tenant's time zone from /auth/me. */
export function useFormat() {
  const session = useSessionStore()
  const { t } = useI18n()
  const tz = computed(() => session.timeZone)
  return {
    tz,
    time: (iso: string | null | undefined) => formatInstant(iso, tz.value),
    timeOrNever: (iso: string | null | undefined) => (iso ? formatInstant(iso, tz.value) : t('common.never')),
  }
}

/**
 * Converts a wall-clock time "YYYY-MM-DD HH:mm:ss" in the given time zone to an RFC 3339 UTC string.
 * Used for date filters picked in the tenant's time zone.
 */
export function zonedToUtc(local: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(local)
  if (!m) return local
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1)
  const asUtc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s)
  // Offset of the zone at that instant (two passes handle DST edges well enough).
  let guess = asUtc
  for (let i = 0; i < 2; i++) {
    const shown = formatInstant(new Date(guess).toISOString(), timeZone)
    const [sd, st] = shown.split(' ')
    const [sy, smo, sdd] = sd.split('-').map(Number)
    const [sh, smi, ss] = st.split(':').map(Number)
    const shownUtc = Date.UTC(sy, smo - 1, sdd, sh, smi, ss)
    guess = guess + (asUtc - shownUtc)
  }
  return new Date(guess).toISOString().replace('.000Z', 'Z')
}

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* fall through */
  }
  try {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return ok
  } catch {
    return false
  }
}
