// Mapping state of the wizard's second step: one row per header of the file with a sample
// value and the target column it goes to ('' = ignored), and the checks the page shows
// inline before the server sees the mapping. Pure, so it is unit-tested.
import type { Mapping, TargetColumn } from './api'

export const IGNORE = ''

export interface MappingRow {
  /** 0-based position of the column in the file */
  index: number
  header: string
  /** the first non-empty value below the header (from the upload's sample rows) */
  sample: string
  /** target column key, or IGNORE */
  column: string
}

/** The first non-empty cell of a column in the sample rows. */
export function sampleOf(sample: string[][], index: number): string {
  for (const row of sample) {
    const v = (row?.[index] ?? '').trim()
    if (v) return v
  }
  return ''
}

/**
 * Rows for the headers of a file, with the server's suggestion; a later suggestion for a
 * column already taken is dropped so one column never receives two headers. Empty headers
 * (a column without a title) are kept: their data can still be mapped.
 */
export function buildRows(header: string[], sample: string[][], suggested: Mapping, columns: TargetColumn[]): MappingRow[] {
  const known = new Set(columns.map((c) => c.key))
  const used = new Set<string>()
  return header.map((h, index) => {
    let column = suggested[h] || IGNORE
    if (column && (!known.has(column) || used.has(column))) column = IGNORE
    if (column) used.add(column)
    return { index, header: h, sample: sampleOf(sample, index), column }
  })
}

/**
 * Lays a saved mapping (or the one used for the previous file) over the rows: each header
 * it names gets its column; headers it does not name keep theirs unless that column is
 * now taken by a header it named.
 */
export function applyMapping(rows: MappingRow[], m: Mapping, columns: TargetColumn[]): MappingRow[] {
  const known = new Set(columns.map((c) => c.key))
  const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s_*]+/g, '')
  const byHeader = new Map<string, string>()
  for (const [h, k] of Object.entries(m)) byHeader.set(norm(h), k)
  const out = rows.map((r) => {
    const k = byHeader.get(norm(r.header))
    if (k === undefined) return { ...r }
    return { ...r, column: k && known.has(k) ? k : IGNORE }
  })
  const named = new Set(out.filter((r) => byHeader.has(norm(r.header)) && r.column).map((r) => r.column))
  const seen = new Set<string>()
  for (const r of out) {
    if (!r.column) continue
    const fromTemplate = byHeader.has(norm(r.header))
    if ((!fromTemplate && named.has(r.column)) || seen.has(r.column)) r.column = IGNORE
    else seen.add(r.column)
  }
  return out
}

/** The mapping as the API takes it: ignored headers are left out. */
export function toMapping(rows: MappingRow[]): Mapping {
  const m: Mapping = {}
  for (const r of rows) if (r.column && r.header) m[r.header] = r.column
  return m
}

/** Column keys chosen by some row other than `except` (the select disables them). */
export function usedColumns(rows: MappingRow[], except?: number): Set<string> {
  const s = new Set<string>()
  for (const r of rows) if (r.column && r.index !== except) s.add(r.column)
  return s
}

/** Required target columns no header is mapped to. */
export function missingRequired(rows: MappingRow[], columns: TargetColumn[]): TargetColumn[] {
  const used = usedColumns(rows)
  return columns.filter((c) => c.required && !used.has(c.key))
}

/** Column keys that more than one header is mapped to. */
export function duplicateColumns(rows: MappingRow[]): string[] {
  const n = new Map<string, number>()
  for (const r of rows) if (r.column) n.set(r.column, (n.get(r.column) || 0) + 1)
  return [...n.entries()].filter(([, c]) => c > 1).map(([k]) => k)
}

/** Header texts that occur twice: the API maps by header text, so only the first can be mapped. */
export function duplicateHeaders(header: string[]): string[] {
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (const h of header) {
    if (!h) continue
    if (seen.has(h)) dup.add(h)
    seen.add(h)
  }
  return [...dup]
}

export interface MappingProblems {
  /** required columns nobody maps to */
  missing: TargetColumn[]
  /** columns mapped twice */
  duplicates: string[]
  /** nothing is mapped at all */
  empty: boolean
  /** the "save mapping as" name is too long */
  nameTooLong: boolean
  /** the upsert key is a column of the target that no header is mapped to */
  keyUnmapped: boolean
}

export const MAPPING_NAME_MAX = 50

export function mappingProblems(rows: MappingRow[], columns: TargetColumn[], mappingName = '', key = ''): MappingProblems {
  const missing = missingRequired(rows, columns)
  return {
    missing,
    duplicates: duplicateColumns(rows),
    empty: !rows.some((r) => r.column),
    nameTooLong: [...mappingName.trim()].length > MAPPING_NAME_MAX,
    // a required key column already shows among the missing ones
    keyUnmapped: !!key && columns.some((c) => c.key === key) && !usedColumns(rows).has(key) && !missing.some((c) => c.key === key),
  }
}

export function mappingOk(p: MappingProblems): boolean {
  return !p.missing.length && !p.duplicates.length && !p.empty && !p.nameTooLong && !p.keyUnmapped
}

/** Whether the target has a department column (the "create missing departments" switch applies). */
export function hasDepartmentColumn(columns: TargetColumn[]): boolean {
  return columns.some((c) => c.kind === 'department')
}
