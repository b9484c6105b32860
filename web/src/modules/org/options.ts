// Cached look-up lists for pickers (departments, legal entities, positions, ...).
// Pages that change them call invalidate() so other pickers see the change.
import { shallowRef, type ShallowRef } from 'vue'
import type { Query } from '@/api/client'
import type { Page } from '@/api/types'
import {
  costCenterApi, departmentApi, gradeApi, legalEntityApi, locationApi, positionApi, walkTree,
  type CostCenter, type DeptNode, type Grade, type LegalEntity, type Location, type Position,
} from './api'

interface Cached<T> {
  data: ShallowRef<T>
  promise: Promise<T> | null
}

function cached<T>(initial: T, loader: () => Promise<T>) {
  const c: Cached<T> = { data: shallowRef(initial) as ShallowRef<T>, promise: null }
  return {
    data: c.data,
    load(force = false): Promise<T> {
      if (!c.promise || force) {
        c.promise = loader()
          .then((v) => {
            c.data.value = v
            return v
          })
          .catch((e) => {
            c.promise = null
            throw e
          })
      }
      return c.promise
    },
    invalidate() {
      c.promise = null
    },
  }
}

async function all<T>(list: (q: Query) => Promise<Page<T>>, q: Query = {}): Promise<T[]> {
  const out: T[] = []
  for (let page = 1; page <= 20; page++) {
    const res = await list({ ...q, page, pageSize: 200 })
    out.push(...(res.items || []))
    if (out.length >= (res.total ?? 0) || !res.items?.length) break
  }
  return out
}

export const deptTree = cached<DeptNode[]>([], async () => (await departmentApi.tree({})).items || [])
export const legalEntities = cached<LegalEntity[]>([], () => all(legalEntityApi.list))
export const costCenters = cached<CostCenter[]>([], () => all(costCenterApi.list))
export const locations = cached<Location[]>([], () => all(locationApi.list))
export const grades = cached<Grade[]>([], async () => (await all(gradeApi.list)).sort((a, b) => a.rank - b.rank))
export const positions = cached<Position[]>([], () => all(positionApi.list))

/** Loads the named lists, ignoring failures (a picker then just stays empty). */
export function loadOptions(...lists: { load: () => Promise<unknown> }[]) {
  return Promise.all(lists.map((l) => l.load().catch(() => undefined)))
}

/** id -> name of every department in the cached tree. */
export function deptNames(nodes: DeptNode[]): Record<string, string> {
  const out: Record<string, string> = {}
  walkTree(nodes, (n) => {
    out[n.id] = n.name
  })
  return out
}
