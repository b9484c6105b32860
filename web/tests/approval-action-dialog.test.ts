import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import i18n, { applyLocale } from '@/i18n'
import ActionDialog from '@/modules/approval/ActionDialog.vue'

function problem(status: number, code: string, detail: string, errors?: unknown[]) {
  return new Response(JSON.stringify({ status, code, title: 'x', detail, errors }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })
}

type Call = { method: string; url: string; body: any }

function server(answer: (c: Call) => Response) {
  const calls: Call[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const c: Call = { method: init?.method || 'GET', url: String(url), body: init?.body ? JSON.parse(String(init.body)) : undefined }
      calls.push(c)
      return answer(c)
    }),
  )
  return calls
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises()
    await new Promise((r) => setTimeout(r, 10))
  }
  await new Promise((r) => setTimeout(r, 150)) // form item messages show after a short debounce
}

/** The comment box (the test id lands on the textarea itself). */
function comment(): HTMLTextAreaElement {
  return (q('textarea[data-testid="action-comment"]') || q('[data-testid="action-comment"] textarea')) as HTMLTextAreaElement
}

async function open(action: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const wrapper = mount(ActionDialog, {
    props: { modelValue: true, action: action as never, instanceId: '42' },
    global: { plugins: [pinia, i18n], stubs: { UserPicker: true } },
    attachTo: document.body,
  })
  await settle()
  return wrapper
}

const q = (sel: string) => document.body.querySelector(sel) as HTMLElement | null

describe('approval action dialog', () => {
  beforeEach(() => applyLocale('zh-CN'))
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('maps a 409 (someone acted first) to a clear message and asks the page to reload', async () => {
    const calls = server(() => problem(409, 'approval.already_handled', '该审批已由王五处理，无需重复操作'))
    const w = await open('approve')
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(calls).toHaveLength(1)
    expect(calls[0].method).toBe('POST')
    expect(calls[0].url).toBe('/api/v1/approvals/42/approve')
    expect(typeof calls[0].body.requestKey).toBe('string')
    const alert = q('[data-testid="action-problem"]')
    expect(alert).not.toBeNull()
    expect(alert!.textContent).toContain('已有其他审批人先处理了')
    expect(alert!.textContent).toContain('该审批已由王五处理')
    expect(w.emitted('changed')).toHaveLength(1)
    expect(w.emitted('done')).toBeUndefined()
    // the dialog stays open so the message can be read
    expect(w.emitted('update:modelValue')).toBeUndefined()
    w.unmount()
  })

  it('says when the request has already finished (409) and when it is not your turn (403), in English too', async () => {
    applyLocale('en')
    server(() => problem(409, 'approval.finished', 'This approval has ended.'))
    let w = await open('reject')
    comment().value = 'no'
    comment().dispatchEvent(new Event('input'))
    await settle()
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(q('[data-testid="action-problem"]')!.textContent).toContain('This request has already finished')
    w.unmount()
    document.body.innerHTML = ''

    server(() => problem(403, 'approval.not_current_approver', 'You are not an approver of the current step.'))
    w = await open('approve')
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(q('[data-testid="action-problem"]')!.textContent).toContain('It is not your turn to approve')
    w.unmount()
  })

  it('requires a reason to reject before calling the server, and shows server field errors', async () => {
    const calls = server(() => problem(422, 'invalid', '输入有误', [{ field: 'body.comment', code: 'too_long', message: '审核意见太长' }]))
    const w = await open('reject')
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(calls).toHaveLength(0)
    expect(document.body.textContent).toContain('拒绝时必须填写原因')
    const ta = comment()
    ta.value = '不同意'
    ta.dispatchEvent(new Event('input'))
    await settle()
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(calls).toHaveLength(1)
    expect(calls[0].body.comment).toBe('不同意')
    expect(document.body.textContent).toContain('审核意见太长')
    expect(q('[data-testid="action-problem"]')).toBeNull()
    w.unmount()
  })

  it('closes and hands back the request on success', async () => {
    server(() => new Response(JSON.stringify({ id: '42', state: 'approved', actions: [] }), { status: 200, headers: { 'Content-Type': 'application/json' } }))
    const w = await open('approve')
    q('[data-testid="action-confirm"]')!.click()
    await settle()
    expect(w.emitted('done')?.[0]?.[0]).toMatchObject({ id: '42', state: 'approved' })
    expect(w.emitted('update:modelValue')?.[0]).toEqual([false])
    w.unmount()
  })
})
