import { describe, expect, it } from 'vitest'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'

function keys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

describe('locale files', () => {
  it('zh-CN and en have identical key sets', () => {
    const a = keys(zhCN).sort()
    const b = keys(en).sort()
    expect(b.filter((k) => !a.includes(k))).toEqual([])
    expect(a.filter((k) => !b.includes(k))).toEqual([])
    expect(a.length).toBeGreaterThan(100)
  })

  it('has no empty strings', () => {
    const empty = (o: Record<string, unknown>) =>
      keys(o).filter((k) => k.split('.').reduce<any>((x, p) => x[p], o) === '')
    expect(empty(zhCN)).toEqual([])
    expect(empty(en)).toEqual([])
  })

  it('uses the same placeholders in both languages', () => {
    const get = (o: any, k: string) => k.split('.').reduce((x, p) => x[p], o) as string
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join(',')
    for (const k of keys(zhCN)) expect(ph(get(en, k)), k).toBe(ph(get(zhCN, k)))
  })
})
