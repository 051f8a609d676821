// 日预算: an advertiser account's own daily budget changed from the accounts table as an entity's budget is from
// its table — the dry run first (its refusal said on the field; one only the moment refuses, such as today's spend or
// a move too small, opens the dialog to schedule it), then the change under an Idempotency-Key, or 定时执行. Several
// accounts ticked change together as one batch (sent in parts of 100, as the entity tables' batches are).
import { shallowRef } from 'vue'
import type { FieldError } from '../../api/client'
import type { Advertiser, ChangeItem } from '../../api/types'
import { applyInParts, batchRequestId, changeMany, changeOne, dryRunInParts, type PlannedItem, type Progress, type SendPart } from '../entities/changes'
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

/** How the changes are sent: one account's own route, or the batch route (requestId: the parts' shared request). */
type Sender = (requestId?: string) => SendPart

const single: Sender = () => async (part, key) => [await changeOne('advertisers', part[0]?.id ?? 0, 'budget', part[0]?.value ?? '', key)]
const batch: Sender = (requestId) => async (part, key) => (await changeMany('advertisers', 'budget', part, key, requestId)).items ?? []

/** useBudgetChange is the change dialog's state for account budgets; changed runs once a change was made, scheduled once one was scheduled. */
export function useBudgetChange(changed: () => void, scheduled: () => void) {
  const preview = shallowRef<ChangeItem[] | null>(null)
  const names = shallowRef<Record<number, string>>({})
  const schedulable = shallowRef<Schedulable | null>(null)
  const refusedNow = shallowRef<FieldError[] | null>(null)
  let apply: (key: string, progress?: Progress) => Promise<ChangeItem[]> = async () => []

  /** open runs the dry run of items (values for accounts) and opens the dialog; rejects with the API's error. */
  async function open(accounts: Advertiser[], items: PlannedItem[], send: Sender): Promise<void> {
    let out: ChangeItem[]
    refusedNow.value = null
    try {
      out = await dryRunInParts(items, send())
    } catch (e) {
      refusedNow.value = laterOnly(e)
      if (!refusedNow.value) throw e
      const byId = new Map(accounts.map((a) => [a.id ?? 0, a]))
      out = items.map((i) => {
        const a = byId.get(i.id)
        return { kind: 'advertiser', id: i.id, advertiser_id: i.id, field: 'budget', before: a ? budgetValue(a) : '', requested: i.value }
      })
    }
    apply = (key, progress) => applyInParts(items, key, send(batchRequestId(key, items.length)), progress)
    schedulable.value = {
      items,
      schedule: (runAt, note, key, progress) => scheduleInParts(items, key, (part, k) => scheduleChange('advertiser', 'budget', part, runAt, note, k), progress),
    }
    names.value = Object.fromEntries(accounts.map((a) => [a.id ?? 0, a.name ?? String(a.id)]))
    preview.value = out
  }

  /** check runs the dry run of value for one account (its own route) and opens the dialog. */
  const check = (a: Advertiser, value: string) => open([a], [{ id: a.id ?? 0, value }], single)
  /** checkMany runs the dry run of the accounts' values as one batch and opens the dialog. */
  const checkMany = (accounts: Advertiser[], items: PlannedItem[]) => open(accounts, items, batch)

  function close(made: boolean, later: boolean): void {
    preview.value = null
    if (made) changed()
    else if (later) scheduled()
  }

  return { preview, names, schedulable, refusedNow, check, checkMany, apply: (key: string, progress?: Progress) => apply(key, progress), close }
}
