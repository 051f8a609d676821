// Names of what the console knows by id — accounts, campaigns, ads, projects, promotions — read from the lists' ids
// filter, so that a page shows "name · id" where it has only ids (a rule's scope, a report's chosen objects).
import { ref, type Ref } from 'vue'
import { api, call } from '../api/client'
import type { Entity, EntityPath } from '../api/types'
import { idsPerRequest, partsOf } from './parts'

/** Named is what a list answers of each item: its id and name. */
export interface Named {
  id?: number
  name?: string
}

/**
 * readEntities reads the entities of ids at path that the caller sees, deleted ones too (从文件导入 shows their values):
 * 200 ids a request (the list's bound), one request after another.
 */
export function readEntities(path: EntityPath): (ids: number[]) => Promise<Entity[]> {
  return async (ids) => {
    const out: Entity[] = []
    for (const part of partsOf(ids, idsPerRequest)) {
      const query = { ids: part, page_size: idsPerRequest, include_deleted: true }
      out.push(...((await call(api.GET(`/api/v1/${path}` as '/api/v1/ads', { params: { query } }))).items ?? []))
    }
    return out
  }
}

/**
 * useNames names what a page mentions by id: want(ids) reads the names of those not asked for yet (200 at a time,
 * with read: readAccounts, readEntities(path)) into names. The names are a courtesy: what the reader may not see
 * keeps its id shown, and the ids of a failed read are asked again on the next want.
 */
export function useNames(read: (ids: number[]) => Promise<Named[]>): {
  names: Ref<ReadonlyMap<number, string>>
  want: (ids: Iterable<number>) => Promise<void>
} {
  const names = ref<ReadonlyMap<number, string>>(new Map())
  const asked = new Set<number>()
  async function want(ids: Iterable<number>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0 && !asked.has(id))
    missing.forEach((id) => asked.add(id))
    for (const chunk of partsOf(missing, idsPerRequest)) {
      try {
        const found = await read(chunk)
        const next = new Map(names.value)
        for (const a of found) if (a.id && a.name) next.set(a.id, a.name)
        names.value = next
      } catch {
        chunk.forEach((id) => asked.delete(id))
      }
    }
  }
  return { names, want }
}
