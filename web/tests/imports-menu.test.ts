import { describe, expect, it } from 'vitest'
import { filterMenu, menuFromModules } from '@/layout/menu'
import { modules } from '@/modules'
import { IMPORT_PERMISSIONS } from '@/modules/imports/routes'
import zhCN from '@/i18n/zh-CN'
import en from '@/i18n/en'

describe('data import menu', () => {
  const group = () => menuFromModules(modules).find((g) => g.groupKey === 'menu.dataImport')

  it('registers the wizard and the history in the 数据导入 group', () => {
    expect(group()?.entries.map((e) => e.path)).toEqual(['/imports/new', '/imports'])
    expect(zhCN.menu.dataImport).toBe('数据导入')
    expect(en.menu.dataImport).toBe('Data import')
  })

  it('shows the group to anyone holding the permission of one target', () => {
    for (const p of IMPORT_PERMISSIONS) {
      const g = filterMenu(menuFromModules(modules), [p]).find((x) => x.groupKey === 'menu.dataImport')
      expect(g?.entries.length, p).toBe(2)
    }
    const none = filterMenu(menuFromModules(modules), ['employee.record.read', 'employee.self.read'])
    expect(none.some((g) => g.groupKey === 'menu.dataImport')).toBe(false)
  })
})
