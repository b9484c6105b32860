import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import i18n, { applyLocale } from '@/i18n'
import LoginPage from '@/modules/platform/LoginPage.vue'

function problem(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } })
}

async function setup() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', component: LoginPage },
      { path: '/', component: defineComponent({ render: () => null }) },
    ],
  })
  router.push('/login')
  await router.isReady()
  const wrapper = mount(LoginPage, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body })
  return { wrapper, router }
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 10))
  }
  // form items show their message after a 100 ms debounce
  await new Promise((r) => setTimeout(r, 150))
}

async function fill(wrapper: Awaited<ReturnType<typeof setup>>['wrapper']) {
  await wrapper.find('[data-testid="login-tenant"]').setValue('acme')
  await wrapper.find('[data-testid="login-login"]').setValue('alice')
  await wrapper.find('[data-testid="login-password"]').setValue('secret')
}

beforeEach(() => {
  localStorage.clear()
  applyLocale('zh-CN')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('LoginPage', () => {
  it('shows server field errors under the matching form items', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        problem(400, {
          status: 400,
          detail: '请求参数有误',
          code: 'invalid',
          errors: [{ field: 'login', code: 'invalid', message: '登录名格式不正确' }],
        }),
      ),
    )
    const { wrapper } = await setup()
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    const item = wrapper.find('[data-testid="login-login"]').element.closest('.el-form-item')!
    expect(item.textContent).toContain('登录名格式不正确')
    expect(wrapper.find('[data-testid="login-error"]').text()).toContain('请求参数有误')
  })

  it('validates required fields on the client without calling the server', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    const { wrapper } = await setup()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.text()).toContain('登录名不能为空')
  })

  it('asks for a TOTP code when the server requires one and resubmits with it', async () => {
    const me = {
      id: '1', login: 'alice', displayName: 'Alice', email: '', locale: 'zh-CN',
      tenant: { id: '9', code: 'acme', name: 'Acme', timeZone: 'Asia/Shanghai', locale: 'zh-CN' },
      roles: [], permissions: [], mustChangePassword: false, totpEnabled: true, totpEnrollmentRequired: false,
    }
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(problem(401, { status: 401, detail: '需要动态验证码', code: 'auth.totp_required' }))
      .mockResolvedValueOnce(new Response(JSON.stringify(me), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const { wrapper, router } = await setup()
    await fill(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    const totp = wrapper.find('[data-testid="login-totp"]')
    expect(totp.exists()).toBe(true)
    await totp.setValue('123456')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(fetchMock).toHaveBeenCalledTimes(2)
    const body = JSON.parse((fetchMock.mock.calls[1][1] as RequestInit).body as string)
    expect(body).toEqual({ tenant: 'acme', login: 'alice', password: 'secret', totp: '123456' })
    expect(localStorage.getItem('renshi.tenant')).toBe('acme')
    expect(router.currentRoute.value.path).toBe('/')
  })

  it('switches language on the page', async () => {
    vi.stubGlobal('fetch', vi.fn())
    const { wrapper } = await setup()
    expect(wrapper.text()).toContain('企业代码')
    await wrapper.find('[data-testid="lang-en"] input').setValue(true)
    await flushPromises()
    expect(wrapper.text()).toContain('Company code')
    expect(localStorage.getItem('renshi.locale')).toBe('en')
  })
})
