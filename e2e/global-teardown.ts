import fs from 'node:fs'
import { STATE_FILE } from './global-setup'

function alive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export default async function globalTeardown() {
  if (!fs.existsSync(STATE_FILE)) return
  const { pid, tmp } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { pid?: number; tmp?: string }
  if (pid) {
    try {
      process.kill(-pid, 'SIGTERM') // the server was started in its own process group
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100))
    if (alive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        /* ignore */
      }
    }
  }
  if (tmp && !process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true })
  fs.rmSync(STATE_FILE, { force: true })
}
