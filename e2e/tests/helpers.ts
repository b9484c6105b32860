import { expect, type Page } from '@playwright/test'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ADMIN = { tenant: 'e2e', login: 'admin', password: 'E2e-Passw0rd!2026' }

const shotsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

export async function shot(page: Page, name: string) {
  fs.mkdirSync(shotsDir, { recursive: true })
  // let loading masks and drawer/dialog animations finish so the picture shows the settled page
  await expect(page.locator('.el-loading-mask')).toHaveCount(0)
  await page.waitForTimeout(400)
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true })
}

export async function login(page: Page, who = ADMIN) {
  await page.goto('/login')
  await expect(page.getByTestId('login-form')).toBeVisible()
  await page.getByTestId('login-tenant').fill(who.tenant)
  await page.getByTestId('login-login').fill(who.login)
  await page.getByTestId('login-password').fill(who.password)
  await page.getByTestId('login-submit').click()
  await expect(page.getByTestId('dashboard')).toBeVisible()
}
