import { expect, test } from '@playwright/test'
import { login, shot } from './helpers'

// Smoke: every platform page opens and none of its API calls fails.
test('every platform page loads without API errors', async ({ page }) => {
  await login(page)
  const failures: string[] = []
  page.on('response', async (r) => {
    if (r.url().includes('/api/v1/') && r.status() >= 400) {
      failures.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()} ${await r.text().catch(() => '')}`)
    }
  })
  const pages: [string, string][] = [
    ['/users', 'users-list'],
    ['/roles', 'roles-table'],
    ['/roles/matrix', 'permission-matrix'],
    ['/audit', 'audit-list'],
    ['/jobs', 'jobs-list'],
    ['/tenant', 'tenant-form'],
    ['/account/tokens', 'tokens-page'],
    ['/account/totp', 'totp-page'],
    ['/account/password', 'password-form'],
  ]
  for (const [path, testId] of pages) {
    await page.goto(path)
    await expect(page.getByTestId(testId)).toBeVisible()
    await page.waitForLoadState('networkidle')
    await shot(page, `20-page${path.replace(/\//g, '-')}`)
  }
  expect(failures).toEqual([])
})
