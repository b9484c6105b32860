import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { messages } from '@/modules/training/i18n'

function keys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}
const get = (o: any, k: string) => k.split('.').reduce((x, p) => x?.[p], o)

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(vue|ts)$/.test(f) ? [p] : []
  })
}

describe('training messages', () => {
  const zh = messages['zh-CN']
  const en = messages.en

  it('has the same keys and placeholders in both languages, none empty', () => {
    const a = keys(zh).sort()
    expect(keys(en).sort()).toEqual(a)
    const ph = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join(',')
    for (const k of a) {
      expect(get(zh, k), k).not.toBe('')
      expect(get(en, k), k).not.toBe('')
      expect(ph(get(en, k)), k).toBe(ph(get(zh, k)))
      // vue-i18n treats these as syntax
      expect(/[@|$]/.test(get(zh, k)) || /[@|$]/.test(get(en, k)), k).toBe(false)
    }
  })

  it('has every literal key the pages use', () => {
    const src = files(join(__dirname, '../src/modules/training')).map((f) => readFileSync(f, 'utf8')).join('\n')
    // t('training.x'), route titles and menu groups
    const used = new Set([...src.matchAll(/(?:\bt\(|titleKey: |menuGroup: )['"`](training\.[a-zA-Z0-9_.]+)['"`]/g)].map((m) => m[1]))
    const missing = [...used].filter((k) => typeof get(zh, k) !== 'string')
    expect(missing).toEqual([])
    expect(used.size).toBeGreaterThan(100)
  })

  it('has a label for every state and kind the server sends', () => {
    for (const group of ['kind', 'materialKind', 'questionKind', 'programState', 'enrollState', 'source', 'testState', 'homeworkState', 'party', 'dutyState', 'dutyKind', 'dutyAct']) {
      expect(Object.keys(get(en, `training.${group}`)).sort(), group).toEqual(Object.keys(get(zh, `training.${group}`)).sort())
    }
    expect(Object.keys(zh.training.dutyAct).sort()).toEqual(Object.keys(zh.training.dutyKind).sort())
  })
})
