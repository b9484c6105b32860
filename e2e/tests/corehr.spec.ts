import { expect, test, type Locator, type Page } from '@playwright/test'
import { login, shot } from './helpers'

// Core HR in the browser (issue 3): create a department, hire an employee into it,
// find him by pinyin initials, schedule a transfer for next month and see it on the
// history timeline; then, with an account linked to him, his self-service page on a phone.

// GB 11643 check character.
function idNumber(area: string, birth: string, seq: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `${area}${birth}${seq}`
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

/** Today in the tenant's zone (Asia/Shanghai) as YYYY-MM-DD. */
function todayShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

function firstOfNextMonth(today: string): string {
  const [y, m] = today.split('-').map(Number)
  const ny = m === 12 ? y + 1 : y
  const nm = m === 12 ? 1 : m + 1
  return `${ny}-${String(nm).padStart(2, '0')}-01`
}

/** The form item whose label is exactly `label`. */
function item(scope: Locator, label: string): Locator {
  return scope.locator('.el-form-item').filter({ has: scope.page().locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
}

async function pickDepartment(page: Page, formItem: Locator, name: string) {
  await formItem.locator('.el-select__wrapper').click()
  await page.locator('.el-tree-select__popper:visible .el-tree-node__content', { hasText: name }).first().click()
  await expect(formItem.locator('.el-select__wrapper')).toContainText(name)
}

async function fillDate(formItem: Locator, value: string) {
  const input = formItem.locator('input').first()
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  await expect(input).toHaveValue(value)
}

// Shared by the serial tests below: the hired employee and the transfer target.
const hired = { id: '', sfx: '', target: '' }

test.describe.serial('employee lifecycle', () => {
  test('create a department, hire, find by initials, schedule a transfer, see the timeline', async ({ page }) => {
    const failures: string[] = []
    page.on('response', async (r) => {
      if (r.url().includes('/api/v1/') && r.status() >= 500) {
        failures.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()} ${await r.text().catch(() => '')}`)
      }
    })
    const sfx = Date.now().toString(36).slice(-4).toUpperCase()
    const rd = { code: `RD${sfx}`, name: '研发部' }
    const mk = { code: `MK${sfx}`, name: '市场部' }
    const seq = String(100 + Math.floor(Math.random() * 400) * 2 + 1).padStart(3, '0') // odd: male
    const idNo = idNumber('110101', '19900512', seq)
    const mobile = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`

    await login(page)

    // 1. Departments: create two.
    await page.goto('/org/departments')
    await expect(page.getByTestId('departments-page')).toBeVisible()
    for (const d of [rd, mk]) {
      await page.getByTestId('dept-new').click()
      const form = page.getByTestId('dept-form')
      await expect(form).toBeVisible()
      await page.getByTestId('dept-code').fill(d.code)
      await page.getByTestId('dept-name').fill(d.name)
      await page.getByTestId('dept-save').click()
      await expect(form).toBeHidden()
      await expect(page.getByTestId('dept-tree')).toContainText(d.name)
    }
    await shot(page, '3x-departments')

    // 2. Hire 张三丰 into 研发部.
    await page.goto('/employees/new')
    const form = page.getByTestId('employee-form')
    await expect(form).toBeVisible()
    await page.getByTestId('emp-name').fill('张三丰')
    await page.getByTestId('emp-idNumber').fill(idNo)
    await page.getByTestId('emp-idNumber').blur()
    await page.getByTestId('emp-mobile').fill(mobile)
    await pickDepartment(page, item(form, '部门'), rd.name)
    // birth date and gender come from the ID number
    await expect(item(form, '出生日期').locator('input')).toHaveValue('1990-05-12')
    await expect(item(form, '性别').locator('label.el-radio.is-checked')).toContainText('男')
    await shot(page, '3x-employee-form')
    await page.getByTestId('emp-save').click()
    await expect(page).toHaveURL(/\/employees\/\d+/)
    await expect(page.getByTestId('employee-name')).toHaveText('张三丰')
    hired.id = new URL(page.url()).pathname.split('/')[2]
    hired.sfx = sfx
    hired.target = mk.name

    // 3. Find him in the roster by pinyin initials.
    await page.goto('/employees')
    const list = page.getByTestId('employee-list')
    await expect(list).toBeVisible()
    await list.getByTestId('list-search').fill('zsf')
    await list.getByTestId('list-search').press('Enter')
    await expect(list.locator('.el-table__body')).toContainText('张三丰')
    await expect(list.locator('.el-table__body')).toContainText(rd.name)
    await shot(page, '3x-roster-search-zsf')

    // 4. Schedule a transfer to 市场部 on the first of next month.
    await list.getByTestId('employee-link').filter({ hasText: '张三丰' }).first().click()
    await expect(page.getByTestId('employee-name')).toHaveText('张三丰')
    await page.getByTestId('lifecycle-menu').click()
    await page.getByTestId('act-transfer').click()
    const lc = page.getByTestId('lifecycle-form')
    await expect(lc).toBeVisible()
    const date = firstOfNextMonth(todayShanghai())
    await fillDate(item(lc, '生效日期'), date)
    await pickDepartment(page, item(lc, '部门'), mk.name)
    await expect(lc).toContainText(date) // the "scheduled" hint names the date
    await page.getByTestId('lc-save').click()
    await expect(lc).toBeHidden()

    // 5. The history tab shows the scheduled change on the timeline.
    const timeline = page.getByTestId('history-timeline')
    await expect(timeline).toBeVisible()
    const scheduled = timeline.getByTestId('history-scheduled')
    await expect(scheduled).toHaveCount(1)
    await expect(scheduled).toContainText(date)
    await expect(scheduled).toContainText(mk.name)
    await expect(scheduled).toContainText('计划中')
    await expect(timeline.getByTestId('history-current')).toContainText(rd.name)
    await shot(page, '3x-history-timeline')

    // The job tab shows the reporting lines.
    await page.getByRole('tab', { name: '任职信息' }).click()
    await expect(page.getByTestId('reporting-lines')).toBeVisible()

    expect(failures).toEqual([])
  })

  test('employee pages: profile reveal, contract, document upload, custom field, saved view', async ({ page }) => {
    test.skip(!hired.id, 'needs the employee hired by the previous test')
    await login(page)
    const failures: string[] = []
    page.on('response', async (r) => {
      if (r.url().includes('/api/v1/') && r.status() >= 400) {
        failures.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()} ${await r.text().catch(() => '')}`)
      }
    })

    // A custom select field shown in the list.
    await page.goto('/employee-settings/fields')
    await expect(page.getByTestId('fields-page')).toBeVisible()
    await page.getByTestId('field-new').click()
    const ff = page.getByTestId('field-form')
    await item(ff, '字段代码').locator('input').fill(`team_${hired.sfx.toLowerCase()}`)
    await item(ff, '显示名称').locator('input').fill('小组')
    await item(ff, '类型').locator('.el-select__wrapper').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '单选' }).click()
    const opts = item(ff, '选项').locator('input')
    await opts.fill('平台组')
    await opts.press('Enter')
    await opts.fill('业务组')
    await opts.press('Enter')
    await ff.getByText('列表显示').click()
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click()
    await expect(ff).toBeHidden()
    await expect(page.getByTestId('fields-page').locator('.el-table__body')).toContainText('平台组、业务组')
    await shot(page, '3x-custom-fields')

    // Profile: masked ID number, revealed on request.
    await page.goto(`/employees/${hired.id}`)
    await expect(page.getByTestId('profile-idNumber')).toContainText('*')
    await page.getByTestId('reveal-sensitive').click()
    await expect(page.getByTestId('profile-idNumber')).not.toContainText('*')
    await shot(page, '3x-employee-profile')

    // Contracts: add a fixed-term contract.
    await page.getByRole('tab', { name: '合同' }).click()
    await page.getByTestId('contract-new').click()
    const cd = page.getByRole('dialog', { name: '新增合同' })
    await fillDate(item(cd, '开始日期'), todayShanghai())
    await fillDate(item(cd, '结束日期'), `${Number(todayShanghai().slice(0, 4)) + 3}${todayShanghai().slice(4)}`)
    await item(cd, '合同编号').locator('input').fill(`HT-${hired.sfx}`)
    await cd.getByRole('button', { name: '保存' }).click()
    await expect(cd).toBeHidden()
    await expect(page.getByTestId('contracts-panel')).toContainText(`HT-${hired.sfx}`)
    await shot(page, '3x-employee-contracts')

    // Documents: upload a small PDF with progress, then it is listed.
    await page.getByRole('tab', { name: '附件' }).click()
    await page.getByTestId('doc-file').setInputFiles({
      name: '学历证明.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
    })
    await expect(page.getByTestId('documents-panel').locator('.el-table__body')).toContainText('学历证明.pdf')

    // Roster: save the current view with the custom column.
    await page.goto('/employees')
    await page.getByTestId('columns-button').click()
    await page.getByTestId('columns-list').getByText('小组').click()
    await page.keyboard.press('Escape')
    await page.getByTestId('views-button').click()
    await page.getByTestId('view-save').click()
    await page.getByTestId('view-name').fill('研发人员')
    await page.getByTestId('view-save-ok').click()
    await page.getByTestId('views-button').click()
    await expect(page.locator('.el-dropdown-menu:visible')).toContainText('研发人员')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('employee-list').locator('.el-table__header')).toContainText('小组')
    await shot(page, '3x-roster-columns')

    // Bank account requests review list opens.
    await page.goto('/employee-settings/bank-requests')
    await expect(page.getByTestId('bank-requests')).toBeVisible()
    await page.waitForLoadState('networkidle')

    expect(failures).toEqual([])
  })

  test('self-service on a phone (390×844) for an account linked to the employee', async ({ page, browser }) => {
    test.skip(!hired.id, 'needs the employee hired by the previous test')
    const { id: employeeId, sfx } = hired
    await login(page)
    const roles = await (await page.request.get('/api/v1/roles')).json()
    const employeeRole = (roles.items || []).find((r: { code: string }) => r.code === 'employee')
    const account = { tenant: 'e2e', login: `zsf${sfx.toLowerCase()}`, password: 'Zsf-Passw0rd!2026' }
    const created = await page.request.post('/api/v1/users', {
      data: {
        login: account.login,
        displayName: '张三丰',
        password: account.password,
        employeeId,
        grants: employeeRole ? [{ roleId: employeeRole.id, scope: 'self', departmentIds: [] }] : [],
      },
    })
    let linked = false
    if (created.ok()) {
      const u = (await created.json()).user
      linked = u?.employeeId === employeeId
      if (!linked) {
        const patched = await page.request.patch(`/api/v1/users/${u.id}`, { data: { employeeId, version: u.version } })
        linked = patched.ok() && (await patched.json())?.employeeId === employeeId
      }
    }
    expect(linked, 'the account is linked to the employee').toBe(true)

    const phone = await browser.newContext({
      baseURL: process.env.E2E_BASE_URL,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    const mp = await phone.newPage()
    await login(mp, account)
    await mp.goto('/me/profile')
    await expect(mp.getByTestId('self-service')).toBeVisible()
    await expect(mp.getByTestId('self-name')).toHaveText('张三丰')
    await shot(mp, '3x-phone-self-service')
    await mp.getByRole('tab', { name: '变动记录' }).click()
    await expect(mp.getByTestId('history-scheduled')).toContainText(hired.target)
    await shot(mp, '3x-phone-self-history')
    await phone.close()
  })
})

test('organisation catalogues: credit code check, location, grade, position, org chart', async ({ page }) => {
  const failures: string[] = []
  page.on('response', async (r) => {
    if (r.url().includes('/api/v1/') && r.status() >= 500) failures.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`)
  })
  const sfx = Date.now().toString(36).slice(-4).toUpperCase()
  await login(page)
  // a small tree of its own (the API is enough here; the first test creates departments in the UI)
  const top = await page.request.post('/api/v1/departments', { data: { code: `HQ${sfx}`, name: '总经办' } })
  expect(top.status()).toBe(201)
  const hq = await top.json()
  for (const [code, name] of [[`HR${sfx}`, '人事部'], [`FN${sfx}`, '财务部']]) {
    expect((await page.request.post('/api/v1/departments', { data: { code, name, parentId: hq.id } })).status()).toBe(201)
  }

  // Legal entity: a wrong check character is refused in the form, the right one is saved.
  await page.goto('/org/legal-entities')
  await expect(page.getByTestId('legal-entities')).toBeVisible()
  await page.getByTestId('legal-entities-new').click()
  const le = page.getByTestId('legal-entities-form')
  await page.getByTestId('f-name').fill(`上海人事科技有限公司${sfx}`)
  await page.getByTestId('f-creditCode').fill('91350100M000100Y44')
  await page.getByTestId('f-creditCode').blur()
  await expect(item(le, '统一社会信用代码')).toContainText('校验位不正确')
  await page.getByTestId('f-creditCode').fill('91350100m000100y43')
  await page.getByTestId('f-creditCode').blur()
  await expect(item(le, '统一社会信用代码')).not.toContainText('校验位不正确')
  await page.getByTestId('f-taxCity').fill('上海')
  await page.getByTestId('legal-entities-save').click()
  await expect(le).toBeHidden()
  await expect(page.getByTestId('legal-entities').locator('.el-table__body')).toContainText('91350100M000100Y43')
  await shot(page, '3x-legal-entities')

  // Work location with coordinates and punch radius.
  await page.goto('/org/locations')
  await page.getByTestId('locations-new').click()
  const loc = page.getByTestId('locations-form')
  await page.getByTestId('f-name').fill(`张江办公室${sfx}`)
  await page.getByTestId('f-city').fill('上海')
  await item(loc, '纬度').locator('input').fill('31.2035')
  await item(loc, '经度').locator('input').fill('121.5907')
  await page.getByTestId('locations-save').click()
  await expect(loc).toBeHidden()
  await expect(page.getByTestId('locations').locator('.el-table__body')).toContainText('31.203500, 121.590700')

  // Grade and a position using it.
  await page.goto('/org/grades')
  await page.getByTestId('grades-new').click()
  await page.getByTestId('f-code').fill(`P${sfx}`)
  await page.getByTestId('f-name').fill('高级工程师')
  await item(page.getByTestId('grades-form'), '级别序号').locator('input').fill('5')
  await page.getByTestId('grades-save').click()
  await expect(page.getByTestId('grades-form')).toBeHidden()
  await page.goto('/org/positions')
  await page.getByTestId('positions-new').click()
  await page.getByTestId('f-code').fill(`ENG${sfx}`)
  await page.getByTestId('f-name').fill('后端工程师')
  await page.getByTestId('f-jobFamily').fill('技术')
  await page.getByTestId('positions-save').click()
  await expect(page.getByTestId('positions-form')).toBeHidden()
  await expect(page.getByTestId('positions').locator('.el-table__body')).toContainText('后端工程师')
  await shot(page, '3x-positions')

  // Org chart and a department's page with its history.
  await page.goto('/org/chart')
  await expect(page.getByTestId('org-chart')).toBeVisible()
  await page.waitForLoadState('networkidle')
  await shot(page, '3x-org-chart')
  await page.goto('/org/departments')
  await page.getByTestId('dept-tree').locator('.el-link').first().click()
  await expect(page.getByTestId('department-detail')).toBeVisible()
  await expect(page.getByTestId('dept-versions').locator('.el-table__body tr')).not.toHaveCount(0)
  await shot(page, '3x-department-detail')

  expect(failures).toEqual([])
})
