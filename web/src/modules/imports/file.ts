// The file chosen in step 1: a quick check before uploading. The server sniffs the content
// (never the extension) and names encrypted workbooks and legacy .xls itself; here only
// what is certainly wrong is refused, so a bad choice is said at once.

/** The upload limit (sheet.Limits.MaxBytes default). */
export const MAX_BYTES = 100 * 1024 * 1024

/** Extensions the picker offers; .xls/.txt/.tsv pass too and the server explains them. */
export const ACCEPT = '.xlsx,.csv'
const PASS = ['xlsx', 'xlsm', 'csv', 'tsv', 'txt', 'xls']

export type FileProblem = '' | 'empty' | 'tooLarge' | 'type'

export function extOf(name: string): string {
  const i = name.lastIndexOf('.')
  return i > 0 ? name.slice(i + 1).toLowerCase() : ''
}

export function fileProblem(f: { name: string; size: number }, max = MAX_BYTES): FileProblem {
  if (f.size === 0) return 'empty'
  if (f.size > max) return 'tooLarge'
  if (!PASS.includes(extOf(f.name))) return 'type'
  return ''
}

/** 1536 -> "1.5 KB". */
export function formatSize(n: number): string {
  if (!Number.isFinite(n) || n < 0) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`
}
