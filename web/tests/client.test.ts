import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, configureClient, normalizeField, parseProblem, toFieldErrors, buildQuery } from '@/api/client'

function problemResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } })
}

afterEach(() => {
  vi.unstubAllGlobals()
  configureClient({ onUnauthorized: () => {}, getLocale: () => 'zh-CN' })
})

describe('problem+json parsing', () => {
  it('turns errors[] into field errors and keeps detail/code', async () => {
    const err = await parseProblem(
      problemResponse(422, {
        type: 'about:blank',
        title: 'Unprocessable Entity',
        status: 422,
        detail: '输入有误',
        code: 'invalid',
        requestId: 'req-1',
        errors: [
          { field: 'login', code: 'required', message: '登录名不能为空' },
          { field: 'grants[0].scope', code: 'invalid', message: '数据范围无效' },
          { field: 'login', code: 'too_long', message: 'second message ignored' },
        ],
      }),
    )
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.detail).toBe('输入有误')
    expect(err.code).toBe('invalid')
    expect(err.requestId).toBe('req-1')
    expect(err.fieldErrors).toEqual({ login: '登录名不能为空', 'grants[0].scope': '数据范围无效' })
  })

  it('falls back to title or status text when detail is missing or body is not JSON', async () => {
    expect((await parseProblem(problemResponse(403, { title: 'Forbidden' }))).detail).toBe('Forbidden')
    const e = await parseProblem(new Response('boom', { status: 500, statusText: 'Internal' }))
    expect(e.detail).toBe('boom')
    expect(e.errors).toEqual([])
  })

  it('normalizes body./JSON-pointer field paths', () => {
    expect(normalizeField('body.password')).toBe('password')
    expect(normalizeField('/grants/0/scope')).toBe('grants[0].scope')
    expect(toFieldErrors([{ field: 'body.newPassword', code: 'x', message: 'too short' }])).toEqual({ newPassword: 'too short' })
  })

  it('builds queries without empty values', () => {
    expect(buildQuery({ q: '', status: 'active', page: 1, x: undefined, y: null })).toBe('?status=active&page=1')
    expect(buildQuery({})).toBe('')
  })
})

describe('request', () => {
  it('sends Accept-Language and same-origin credentials, parses JSON', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ ok: true }), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    configureClient({ getLocale: () => 'en' })
    const res = await api.post<{ ok: boolean }>('/x', { a: 1 })
    expect(res).toEqual({ ok: true })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/x')
    expect(init.credentials).toBe('same-origin')
    expect((init.headers as Record<string, string>)['Accept-Language']).toBe('en')
    expect(init.body).toBe('{"a":1}')
  })

  it('returns undefined for 204', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })))
    expect(await api.del('/tokens/1')).toBeUndefined()
  })

  it('calls the 401 handler unless told not to', async () => {
    const onUnauthorized = vi.fn()
    configureClient({ onUnauthorized })
    vi.stubGlobal('fetch', vi.fn(async () => problemResponse(401, { detail: 'login required', code: 'auth.required' })))
    await expect(api.get('/users')).rejects.toMatchObject({ status: 401, code: 'auth.required' })
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    await expect(api.post('/auth/login', {}, { noAuthRedirect: true })).rejects.toBeInstanceOf(ApiError)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('reports network failures as ApiError with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(api.get('/x')).rejects.toMatchObject({ status: 0, code: 'network' })
  })
})
