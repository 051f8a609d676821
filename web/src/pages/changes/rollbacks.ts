// Rolling back many changes of the change log at once: which rows can be,
// which a batch's shortcut selects, and how each outcome reads.
import type { Change, RollbackBatchOutcome } from '../../api/types'
import type { Translator } from '../../lib/fieldText'
import { refusalText } from '../../lib/reasonText'

/** 回滚这批修改 takes at most this many changes of a batch (an import's 1,000 lines). */
export const maxBatchRollback = 1000

/**
 * rollbackable: a change that succeeded, is not rolled back yet, deleted nothing (the platform cannot restore
 * deletions) and changed something (one recorded from a value to the same one has nothing to undo).
 */
export function rollbackable(c: Change): boolean {
  return c.result === 'succeeded' && !c.rolled_back_by && !(c.field === 'status' && c.after === 'delete') && c.before !== c.after
}

/** batchOf is the ids of the rows that can be rolled back, at most maxBatchRollback of them, as listed. */
export function batchOf(rows: readonly Change[]): number[] {
  return rows.filter(rollbackable).map((c) => c.id ?? 0).slice(0, maxBatchRollback)
}

/** RollbackItem is the outcome of one change of a batch rollback. */
export type RollbackItem = NonNullable<RollbackBatchOutcome['items']>[number]

/** EntityNames are the names of entities by "kind id" (ad 5), as the change log's rows know them. */
export type EntityNames = Record<string, string>

/** entityNames are the names of the entities of changes. */
export function entityNames(changes: readonly Change[]): EntityNames {
  return Object.fromEntries(changes.filter((c) => c.entity_name).map((c) => [`${c.kind} ${c.entity_id}`, c.entity_name ?? '']))
}

/** named are a refusal's figures with the entity they name (kind and id) by its name, where names know it. */
function named(params: Record<string, string> | undefined, names: EntityNames): Record<string, string> | undefined {
  const name = params?.kind && params.id ? names[`${params.kind} ${params.id}`] : ''
  return name ? { ...params, id: name } : params
}

/**
 * notDone is why a change was not rolled back, in words: the reason of a
 * refusal (naming its entity by name when names know it, else by id), the
 * platform's error of a failure.
 */
export function notDone(it: RollbackItem, i: Translator, names: EntityNames = {}): string {
  const r = it.refusal
  // a refused field names its rule (rollback_deleted), any other refusal its reason
  if (r) return refusalText({ ...r, params: named(r.params, names) }, i)
  const result = i.t(`change.results.${it.result ?? 'unknown'}`)
  const error = it.change?.error?.message
  return error ? `${result}：${error}` : result
}

/** outcomeCounts is how many changes were rolled back, and how many were not (refused, failed or with an unknown outcome). */
export function outcomeCounts(out: RollbackBatchOutcome): { ok: number; notDone: number } {
  const ok = out.succeeded ?? 0
  return { ok, notDone: (out.items?.length ?? 0) - ok }
}
