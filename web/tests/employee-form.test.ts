import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent, nextTick } from 'vue'
import i18n, { applyLocale } from '@/i18n'
import EmployeeForm from '@/modules/employee/EmployeeForm.vue'

function json(status: number, body: unknown, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })
}

type Call = { method: string; url: string; body: any }

function server(onPost: (c: Call) => Response) {
  const calls: Call[] = []
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const c: Call = { method: init?.method || 'GET', url: String(url), body: init?.body ? JSON.parse(String(init.body)) : undefined }
    calls.push(c)
    if (c.method === 'POST') return onPost(c)
    if (c.url.startsWith('/api/v1/employee-fields')) {
      return json(200, { items: [{ id: '1', code: 'team', label: '小组', type: 'select', options: ['A', 'B'], required: true }] })
    }
    if (c.url.startsWith('/api/v1/departments/tree')) return json(200, { items: [{ id: '10', code: 'HR', name: '人事部', active: true, children: [] }] })
    return json(200, { items: [], total: 0, page: 1, pageSize: 200 })
  })
  vi.stubGlobal('fetch', fetchMock)
  return { calls, fetchMock }
}

async function setup() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: defineComponent({ render: () => null }) }] })
  router.push('/')
  await router.isReady()
  // Pickers are stubbed: they are slow to render in happy-dom and not what is tested here.
  const wrapper = mount(EmployeeForm, {
    global: { plugins: [pinia, i18n, router], stubs: { ElDatePicker: true, ElSelect: true, ElTreeSelect: true } },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 10))
  }
  await new Promise((r) => setTimeout(r, 150)) // form item messages show after a short debounce
}

function itemText(wrapper: Awaited<ReturnType<typeof setup>>, testid: string) {
  const el = wrapper.find(`[data-testid="${testid}"]`).element
  return (el.closest('.el-form-item') as HTMLElement).textContent || ''
}

async function fillValid(wrapper: Awaited<ReturnType<typeof setup>>) {
  await wrapper.find('[data-testid="emp-name"]').setValue('张三丰')
  await wrapper.find('[data-testid="emp-idNumber"]').setValue('11010519491231002X')
  await wrapper.find('[data-testid="emp-mobile"]').setValue('138 1234 5678')
  const vm = wrapper.vm as unknown as { form: Record<string, any> }
  vm.form.departmentId = '10'
  vm.form.custom.team = 'A'
  await nextTick()
}

beforeEach(() => {
  localStorage.clear()
  applyLocale('zh-CN')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('EmployeeForm', { timeout: 60_000 }, () => {
  it('shows the server field errors under the matching items, nested ones included', async () => {
    const { calls } = server(() =>
      json(
        422,
        {
          status: 422,
          title: 'Unprocessable Entity',
          detail: '请检查填写的内容',
          code: 'invalid',
          errors: [
            { field: 'idNumber', code: 'duplicate', message: '证件号码已被 RS000001 张无忌 使用' },
            { field: 'body.mobile', code: 'invalid', message: '手机号已停用' },
            { field: 'custom.team', code: 'invalid_choice', message: '小组不在可选范围内' },
            { field: 'departmentId', code: 'inactive', message: '部门已停用' },
          ],
        },
        'application/problem+json',
      ),
    )
    const wrapper = await setup()
    await fillValid(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()

    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toBe('/api/v1/employees')
    expect(post.body).toMatchObject({
      name: '张三丰',
      idNumber: '11010519491231002X',
      mobile: '13812345678',
      departmentId: '10',
      gender: 'female',
      birthDate: '1949-12-31',
      idType: 'resident_id',
      custom: { team: 'A' },
    })
    expect(post.body.hireDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)

    expect(itemText(wrapper, 'emp-idNumber')).toContain('证件号码已被 RS000001 张无忌 使用')
    expect(itemText(wrapper, 'emp-mobile')).toContain('手机号已停用')
    expect(itemText(wrapper, 'cf-team')).toContain('小组不在可选范围内')
    expect(itemText(wrapper, 'emp-department')).toContain('部门已停用')
    expect(wrapper.emitted('saved')).toBeUndefined()
  })

  it('checks the ID number, mobile and required fields before calling the server', async () => {
    const { calls } = server(() => json(201, {}))
    const wrapper = await setup()
    await wrapper.find('[data-testid="emp-idNumber"]').setValue('110105194912310029')
    await wrapper.find('[data-testid="emp-mobile"]').setValue('12345')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    expect(itemText(wrapper, 'emp-name')).toContain('姓名不能为空')
    expect(itemText(wrapper, 'emp-idNumber')).toContain('身份证号校验位不正确')
    expect(itemText(wrapper, 'emp-mobile')).toContain('手机号格式不正确')
    expect(itemText(wrapper, 'emp-department')).toContain('部门不能为空')
    expect(itemText(wrapper, 'cf-team')).toContain('小组不能为空')
  })

  it('fills birth date and gender from a valid resident ID number', async () => {
    server(() => json(201, {}))
    const wrapper = await setup()
    await wrapper.find('[data-testid="emp-idNumber"]').setValue('440301199003071230')
    await nextTick()
    const vm = wrapper.vm as unknown as { form: Record<string, any> }
    expect(vm.form.birthDate).toBe('1990-03-07')
    expect(vm.form.gender).toBe('male')
  })

  it('emits saved with the created record', async () => {
    server(() => json(201, { id: '99', employeeNo: 'RS000001', profile: { name: '张三丰' }, job: null }))
    const wrapper = await setup()
    await fillValid(wrapper)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.emitted('saved')?.[0]?.[0]).toMatchObject({ id: '99' })
  })
})
