// 日预算: an advertiser account's own daily budget changed from the accounts table as an entity's budget is from
// its table — the dry run first (its refusal said on the field; one only the moment refuses, such as today's spend or
// a move too small, opens the dialog to schedule it), then the change under an Idempotency-Key, or 定时执行.
import { shallowRef } from 'vue'
import type { FieldError } from '../../api/client'
import type { Advertiser, ChangeItem } from '../../api/types'
import { changeOne, type PlannedItem } from '../entities/changes'
import { laterOnly, scheduleChange, scheduleInParts, type Schedulable } from '../scheduled/schedule'

/** budgetValue is an account's daily budget as a change's "before": "unlimited", yuan, or "" while not read. */
export function budgetValue(a: Advertiser): string {
  if (a.budget_mode === 'BUDGET_MODE_INFINITE') return 'unlimited'
  return a.budget_mode === 'BUDGET_MODE_DAY' ? (a.budget ?? '') : ''
}

/** budgetEditable tells whether the account's daily budget can be changed: a leaf advertiser its grant covers. */
export function budgetEditable(a: Advertiser): boolean {
  return a.account_role === 'ADVERTISER' && a.auth_status === 'active'
}

/** useBudgetChange is the change dialog's state for account budgets; changed runs once a change was made, scheduled once one was scheduled. */
export function useBudgetChange(changed: () => void, scheduled: () => void) {
  const preview = shallowRef<ChangeItem[] | null>(null)
  const names = shallowRef<Record<number, string>>({})
  const schedulable = shallowRef<Schedulable | null>(null)
  const refusedNow = shallowRef<FieldError[] | null>(null)
  let apply: (key: string) => Promise<ChangeItem[]> = async () => []

  /** check runs the dry run of value for the account and opens the dialog; rejects with the API's error. */
  async function check(a: Advertiser, value: string): Promise<void> {
    const id = a.id ?? 0
    let out: ChangeItem
    refusedNow.value = null
    try {
      out = await changeOne('advertisers', id, 'budget', value)
    } catch (e) {
      refusedNow.value = laterOnly(e)
      if (!refusedNow.value) throw e
      out = { kind: 'advertiser', id, advertiser_id: id, field: 'budget', before: budgetValue(a), requested: value }
    }
    const items: PlannedItem[] = [{ id, value }]
    apply = async (key) => [await changeOne('advertisers', id, 'budget', value, key)]
    schedulable.value = {
      items,
      schedule: (runAt, note, key, progress) => scheduleInParts(items, key, (part, k) => scheduleChange('advertiser', 'budget', part, runAt, note, k), progress),
    }
    names.value = { [id]: a.name ?? String(id) }
    preview.value = [out]
  }

  function close(made: boolean, later: boolean): void {
    preview.value = null
    if (made) changed()
    else if (later) scheduled()
  }

  return { preview, names, schedulable, refusedNow, check, apply: (key: string) => apply(key), close }
}
