import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const STATE_FILE = path.join(here, '.e2e-state.json')
export const ADMIN = { tenant: 'e2e', login: 'admin', password: 'E2e-Passw0rd!2026' }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    execFileSync(bin, args, { env, stdio: 'pipe', timeout: 60_000 })
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string }
    throw new Error(
      `e2e setup: \`renshi ${args.join(' ')}\` failed: ${err.message}\n${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? ''}`,
    )
  }
}

async function waitReady(url: string, child: ReturnType<typeof spawn>, logFile: string) {
  const deadline = Date.now() + 60_000
  let exited: number | null = null
  child.once('exit', (code) => {
    exited = code ?? -1
  })
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`e2e setup: renshi serve exited with ${exited}:\n${fs.readFileSync(logFile, 'utf8')}`)
    }
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.status === 200) return
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`e2e setup: ${url}/readyz did not answer 200 within 60 s:\n${fs.readFileSync(logFile, 'utf8')}`)
}

export default async function globalSetup() {
  if (process.env.E2E_BASE_URL) return // run against a server someone else started

  const bin = process.env.RENSHI_BIN || path.resolve(here, '..', 'bin', 'renshi')
  if (!fs.existsSync(bin)) {
    throw new Error(`e2e: ${bin} is missing. Build it first with \`make build\` (the browser tests run the real server).`)
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'renshi-e2e-'))
  const db = `sqlite:${path.join(tmp, 'e2e.db')}`
  const env: NodeJS.ProcessEnv = { ...process.env, RENSHI_MASTER_KEY_FILE: path.join(tmp, 'master.key'), RENSHI_FILES_DIR: path.join(tmp, 'files') }
  const pwFile = path.join(tmp, 'admin.password')
  fs.writeFileSync(pwFile, ADMIN.password, { mode: 0o600 })

  try {
    run(bin, ['migrate', '--db', db], env)
    run(bin, ['tenant', 'create', '--db', db, '--code', ADMIN.tenant, '--name', '端到端测试公司'], env)
    run(bin, ['user', 'create', '--db', db, '--tenant', ADMIN.tenant, '--login', ADMIN.login, '--password-file', pwFile, '--role', 'super_admin'], env)
  } catch (e) {
    if (!process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const logFile = path.join(tmp, 'server.log')
  const log = fs.openSync(logFile, 'a')
  const child = spawn(bin, ['serve', '--db', db, '--addr', `127.0.0.1:${port}`], {
    env,
    stdio: ['ignore', log, log],
    detached: true,
  })
  child.unref()
  fs.writeFileSync(STATE_FILE, JSON.stringify({ pid: child.pid, tmp, url }))
  try {
    await waitReady(url, child, logFile)
  } catch (e) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM')
    } catch {
      /* already gone */
    }
    throw e
  }
  process.env.E2E_BASE_URL = url
  console.log(`e2e: renshi serve ready at ${url} (data in ${tmp})`)
}
