import { expect, test, type Page } from '@playwright/test'
import fs from 'node:fs'
import { login, shot } from './helpers'

// Spreadsheet import in the browser (issue 5): HR uploads a roster CSV with one bad row
// (an impossible date and an unknown department), adjusts the column mapping, runs the dry
// run, sees the cell errors and downloads the error report, uploads the corrected file,
// runs the dry run again, commits and watches the progress to the end, finds the new
// employee in the roster, and rolls the import back. Then the phone layout of the wizard
// and the history.

// GB 11643 check character.
function idNumber(area: string, birth: string, seq: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `${area}${birth}${seq}`
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

const mobile = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`

/** A UTF-8 CSV with BOM, as Excel saves it. */
function csv(rows: string[][]): Buffer {
  return Buffer.from('\uFEFF' + rows.map((r) => r.join(',')).join('\r\n') + '\r\n', 'utf8')
}

/** Collects 5xx answers of the API, and 4xx ones that are not expected. */
function watchFailures(page: Page, allow: RegExp[] = []) {
  const failures: string[] = []
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname
    if (!path.startsWith('/api/v1/')) return
    if (r.status() >= 500 || (r.status() >= 400 && r.status() !== 401 && !allow.some((a) => a.test(path)))) {
      failures.push(`${r.request().method()} ${path} -> ${r.status()} ${await r.text().catch(() => '')}`)
    }
  })
  return failures
}

/** Picks the target column of the file column at `index` in the mapping step. */
async function mapColumn(page: Page, index: number, option: string) {
  await page.getByTestId(`mapping-select-${index}`).click()
  await page.locator(`.el-select-dropdown:visible [data-testid="mapping-option-${option}"]`).click()
  await expect(page.locator('.el-select-dropdown:visible')).toHaveCount(0)
}

test('roster import: mapping, dry run with errors and report, corrected file, commit with progress, rollback', async ({ page }) => {
  test.setTimeout(180_000)
  const failures = watchFailures(page)
  const sfx = Date.now().toString(36).slice(-5).toUpperCase()
  await login(page)

  // --- a department the file names (the other name is unknown on purpose) ---
  const deptName = `导入测试部${sfx}`
  const dept = await page.request.post('/api/v1/departments', { data: { code: `IMP${sfx}`, name: deptName } })
  expect(dept.status(), await dept.text()).toBe(201)

  const no1 = `IMP${sfx}1`
  const no2 = `IMP${sfx}2`
  const name1 = '韩梅梅'
  const name2 = '李雷'
  const seq = () => String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')
  const id1 = idNumber('110101', '19930412', seq())
  const id2 = idNumber('310104', '19910822', seq())
  const mob1 = mobile()
  const mob2 = mobile()
  // 移动号码 is no header the roster knows: the user maps it by hand
  const header = ['工号', '姓名', '身份证号', '移动号码', '部门', '入职日期', '备注']
  const unknownDept = `不存在的部门${sfx}`
  const bad = csv([
    header,
    [no1, name1, id1, mob1, deptName, '2025-03-01', '首批'],
    [no2, name2, id2, mob2, unknownDept, '2025-13-45', ''],
  ])
  const good = csv([
    header,
    [no1, name1, id1, mob1, deptName, '2025-03-01', '首批'],
    [no2, name2, id2, mob2, deptName, '2025-03-15', ''],
  ])

  // --- the menu leads to the wizard ---
  await page.getByTestId('menu-/imports/new').click()
  await expect(page.getByTestId('step-file')).toBeVisible()
  await page.getByTestId('target-employees').click()
  await expect(page.getByTestId('download-template')).toHaveAttribute('href', /\/api\/v1\/imports\/targets\/employees\/template\?format=xlsx/)

  // --- step 1: upload the file with the bad row ---
  await page.getByTestId('import-file-input').setInputFiles({ name: `花名册-${sfx}.csv`, mimeType: 'text/csv', buffer: bad })
  await expect(page.getByTestId('import-file-chosen')).toContainText(`花名册-${sfx}.csv`)
  await expect(page.getByTestId('import-file-size')).toHaveText(/\d+(\.\d)? (B|KB)/)
  await page.getByTestId('upload-next').click()

  // --- step 2: mapping, suggested from the headers and adjusted ---
  await expect(page.getByTestId('step-mapping')).toBeVisible()
  await expect(page.getByTestId('mapping-select-0')).toContainText('工号')
  await expect(page.getByTestId('mapping-select-1')).toContainText('姓名')
  await expect(page.getByTestId('mapping-select-3')).toContainText('不导入')
  await expect(page.getByTestId('mapping-table')).toContainText(mob1) // the sample value of 移动号码
  await mapColumn(page, 3, 'mobile')
  await expect(page.getByTestId('mapping-select-3')).toContainText('手机')
  // the upsert key (工号) must stay mapped: ignoring it is refused inline
  await mapColumn(page, 0, 'ignore')
  await expect(page.getByTestId('step-mapping').locator('.el-form-item__error')).toContainText('工号')
  await expect(page.getByTestId('start-check')).toBeDisabled()
  await mapColumn(page, 0, 'employeeNo')
  await expect(page.getByTestId('step-mapping').locator('.el-form-item__error')).toHaveCount(0)
  // a column already taken is not offered to another header
  await page.getByTestId('mapping-select-6').click()
  await expect(page.locator('.el-select-dropdown:visible [data-testid="mapping-option-mobile"]')).toHaveClass(/is-disabled/)
  await page.keyboard.press('Escape')
  await shot(page, '50-import-mapping')

  // --- step 3: the dry run finds the bad row ---
  await page.getByTestId('start-check').click()
  await expect(page.getByTestId('step-check')).toBeVisible()
  await expect(page.getByTestId('check-summary')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('count-new')).toContainText('1')
  await expect(page.getByTestId('count-failed')).toContainText('1')
  const errors = page.getByTestId('cell-errors-table')
  await expect(errors).toContainText('2025-13-45')
  await expect(errors).toContainText(unknownDept)
  await expect(errors.getByTestId('cell-error-line').first()).toHaveText('3')
  expect(await errors.getByTestId('cell-error').count()).toBeGreaterThanOrEqual(2)
  // all or nothing: the commit waits for a clean file
  await expect(page.getByTestId('commit')).toBeDisabled()
  await expect(page.getByTestId('commit-hint')).toBeVisible()
  await shot(page, '51-import-dry-run-errors')

  // the error report is an .xlsx copy of the file
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()])
  expect(report.suggestedFilename()).toMatch(/\.xlsx$/)
  const body = fs.readFileSync(await report.path())
  expect(body.subarray(0, 2).toString()).toBe('PK')

  // --- fix the file and upload it again: the mapping carries over ---
  await page.getByTestId('upload-again').click()
  await expect(page.getByTestId('step-file')).toBeVisible()
  await page.getByTestId('import-file-input').setInputFiles({ name: `花名册-${sfx}-修正.csv`, mimeType: 'text/csv', buffer: good })
  await page.getByTestId('upload-next').click()
  await expect(page.getByTestId('step-mapping')).toBeVisible()
  await expect(page.getByTestId('mapping-select-3')).toContainText('手机')
  await page.getByTestId('start-check').click()
  await expect(page.getByTestId('check-summary')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('count-new')).toContainText('2')
  await expect(page.getByTestId('count-failed')).toContainText('0')
  await expect(page.getByTestId('cell-errors')).toHaveCount(0)

  // --- step 4: commit and watch the progress to the end ---
  const seen: { state: string; progress: number }[] = []
  page.on('response', async (r) => {
    if (!/\/api\/v1\/imports\/\d+(\/commit)?$/.test(new URL(r.url()).pathname) || r.status() >= 400) return
    const b = await r.json().catch(() => null)
    if (b?.state) seen.push({ state: b.state, progress: b.progress ?? 0 })
  })
  await page.getByTestId('commit').click()
  await expect(page.getByTestId('commit-progress').or(page.getByTestId('import-result'))).toBeVisible()
  await expect(page.getByTestId('import-result')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByTestId('batch-state')).toHaveText('已导入')
  await expect(page.getByTestId('count-new')).toContainText('2')
  // the answers the page polled went from importing to imported at 100 %
  await expect.poll(() => seen.at(-1)).toEqual({ state: 'imported', progress: 100 })
  expect(seen.some((s) => s.state === 'importing'), JSON.stringify(seen)).toBe(true)
  await shot(page, '52-import-done')
  const batchUrl = page.url()
  expect(batchUrl).toMatch(/\/imports\/\d+$/)

  // --- the new employees are in the roster ---
  await page.getByTestId('open-list').click()
  await expect(page).toHaveURL(/\/employees$/)
  const roster = page.getByTestId('employee-list')
  const search = page.getByTestId('list-search')
  await search.fill(no1)
  await search.press('Enter')
  await expect(roster.locator('.el-table__body')).toContainText(name1)

  // --- the history shows the batch; roll it back from the wizard ---
  await page.goto('/imports')
  await page.getByTestId('history-search').fill(`${sfx}-修正`)
  await page.getByTestId('history-search').press('Enter')
  const row = page.getByTestId('history-table').locator('.el-table__body tr').first()
  await expect(row).toContainText(`花名册-${sfx}-修正.csv`)
  await expect(row.getByTestId('history-state')).toHaveText('已导入')
  // the original file is kept and downloads under its own name
  const [orig] = await Promise.all([page.waitForEvent('download'), row.getByTestId('history-file').click()])
  expect(orig.suggestedFilename()).toBe(`花名册-${sfx}-修正.csv`)
  expect(fs.readFileSync(await orig.path()).toString('utf8')).toContain(no2)
  await row.getByTestId('history-open').click()
  await expect(page).toHaveURL(batchUrl)
  await expect(page.getByTestId('import-result')).toBeVisible()
  await page.getByTestId('rollback').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await expect(page.getByTestId('batch-state')).toHaveText('已回滚')
  await expect(page.getByTestId('rollback')).toHaveCount(0)

  await page.goto('/employees')
  await search.fill(no1)
  await search.press('Enter')
  await expect(roster.locator('.el-table__body')).not.toContainText(name1)

  // the first upload stays in the history with its error report
  await page.goto('/imports')
  await page.getByTestId('history-search').fill(`花名册-${sfx}.csv`)
  await page.getByTestId('history-search').press('Enter')
  const first = page.getByTestId('history-table').locator('.el-table__body tr').first()
  await expect(first).toContainText(`花名册-${sfx}.csv`)
  const [again] = await Promise.all([page.waitForEvent('download'), first.getByTestId('history-report').click()])
  expect(again.suggestedFilename()).toMatch(/\.xlsx$/)
  await shot(page, '53-import-history')

  expect(failures).toEqual([])
})

test('import wizard and history on a phone', async ({ browser }) => {
  const context = await browser.newContext({
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await context.newPage()
  const failures = watchFailures(page)
  await login(page)
  const sfx = Date.now().toString(36).slice(-5).toUpperCase()

  await page.goto('/imports/new?target=employees')
  await expect(page.getByTestId('import-steps')).toHaveClass(/el-steps--vertical/)
  await page.getByTestId('import-file-input').setInputFiles({
    name: `手机-${sfx}.csv`,
    mimeType: 'text/csv',
    buffer: csv([['工号', '姓名', '部门'], [`PH${sfx}`, '王芳', '无此部门']]),
  })
  await page.getByTestId('upload-next').click()
  await expect(page.getByTestId('step-mapping')).toBeVisible()
  // mapping as cards, nothing wider than the screen
  await expect(page.getByTestId('mapping-row')).toHaveCount(3)
  await expect(page.getByTestId('mapping-table')).toHaveCount(0)
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(width).toBeLessThanOrEqual(390)
  await shot(page, '54-import-mapping-phone')

  await page.goto('/imports')
  await expect(page.getByTestId('history-cards')).toBeVisible()
  await expect(page.getByTestId('history-card').first()).toBeVisible()
  await shot(page, '55-import-history-phone')
  expect(failures).toEqual([])
  await context.close()
})
