import { expect, test } from '@playwright/test'
import { login, shot } from './helpers'

test('admin logs in, switches to English, sees the permission matrix and logs out', async ({ page }) => {
  await login(page)
  await expect(page.getByTestId('tenant-name')).toHaveText('端到端测试公司')
  await shot(page, '01-dashboard')

  // Switch the UI to English: labels change at once (and the choice is saved on the server).
  await page.getByTestId('lang-zh-CN').click() // no-op unless an earlier run left the admin on English
  await expect(page.getByTestId('menu-/roles/matrix')).toHaveText('权限矩阵')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/me/locale') && r.request().method() === 'PUT')
  await page.getByTestId('lang-en').click()
  expect((await saved).status()).toBe(204)
  await expect(page.getByTestId('menu-/roles/matrix')).toHaveText('Permission matrix')
  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible()

  await page.getByTestId('menu-/roles/matrix').click()
  await expect(page).toHaveURL(/\/roles\/matrix$/)
  const matrix = page.getByTestId('permission-matrix')
  await expect(matrix).toBeVisible()
  await expect(matrix.getByTestId('matrix-col-super_admin')).toBeVisible()
  await expect(matrix.getByTestId('perm-row-platform.user.read')).toBeVisible()
  await expect(matrix.getByTestId('perm-super_admin-platform.user.read').locator('input')).toBeChecked()
  await shot(page, '02-permission-matrix-en')

  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/login/)
  await expect(page.getByTestId('login-form')).toBeVisible()
  await expect(page.getByTestId('login-submit')).toHaveText('Sign in')
  await shot(page, '03-logged-out')
})

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

  test('logs in on a phone and opens the menu drawer', async ({ page }) => {
    await login(page)
    await shot(page, '10-phone-dashboard')
    await expect(page.getByTestId('side-menu')).toBeHidden()
    await page.getByTestId('menu-toggle').click()
    const drawer = page.getByTestId('menu-drawer')
    await expect(drawer.getByTestId('menu-/users')).toBeVisible()
    await shot(page, '11-phone-menu-drawer')
    await drawer.getByTestId('menu-/users').click()
    await expect(page).toHaveURL(/\/users$/)
    await expect(page.getByTestId('users-list')).toBeVisible()
    await expect(drawer.getByTestId('menu-/users')).toBeHidden()
    await shot(page, '12-phone-users')
  })
})
