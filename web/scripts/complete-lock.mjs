// The npm registry reachable from this project's machines serves only the rollup native
// packages for the platforms it runs on, so `npm install` writes a package-lock.json that
// lacks the other platforms' optional @rollup/rollup-* entries, and `npm ci` then refuses
// the lock as out of sync. This adds those entries (name, version, os/cpu/libc; no
// tarball) so `npm ci` skips them as foreign-platform optionals. Run after `npm install`:
//   node scripts/complete-lock.mjs
import fs from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(fs.readFileSync(file, 'utf8'))
const pkgs = lock.packages
let added = 0

for (const [, entry] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies || {})) {
    const key = `node_modules/${name}`
    if (pkgs[key] || !name.startsWith('@rollup/rollup-')) continue
    const [os, cpu] = name.slice('@rollup/rollup-'.length).split('-')
    const dep = { version, cpu: [cpu], dev: entry.dev || undefined, license: 'MIT', optional: true, os: [os] }
    if (os === 'linux') dep.libc = [name.includes('musl') ? 'musl' : 'glibc']
    pkgs[key] = dep
    added++
  }
}

lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))))
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
console.log(`complete-lock: added ${added} foreign-platform optional entries`)
