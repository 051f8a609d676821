// The rule writes the list and the detail share: the per-rule switch (its
// kill switch) and delete, each confirmed with what it does.
import { useI18n } from 'vue-i18n'
import { api, call } from '../../api/client'
import type { Rule } from '../../api/types'
import { useConfirm } from '../../lib/useConfirm'
import { actionText, scheduleText } from './spec'

export function useRuleWrites(done: (deleted: boolean) => void) {
  const { t } = useI18n()
  const confirm = useConfirm()

  function toggle(r: Rule, on: boolean): void {
    const name = r.spec?.name ?? ''
    const path = on ? '/api/v1/rules/{id}/enable' : '/api/v1/rules/{id}/disable'
    confirm({
      title: t(on ? 'rules.enableTitle' : 'rules.disableTitle', { name }),
      content: on && r.spec ? t('rules.enableContent', { schedule: scheduleText(t, r.spec.schedule), actions: r.spec.actions.map((a) => actionText(t, a)).join('、') }) : t('rules.disableContent'),
      okText: t('common.confirm'),
      run: (headers) => call(api.POST(path, { params: { path: { id: r.id ?? 0 } }, headers })),
      done: t(on ? 'rules.enabledOk' : 'rules.disabledOk'),
      after: () => done(false),
    })
  }

  function remove(r: Rule): void {
    confirm({
      title: t('rules.deleteTitle', { name: r.spec?.name ?? '' }),
      content: t('rules.deleteContent'),
      okText: t('rules.delete'),
      run: (headers) => call(api.DELETE('/api/v1/rules/{id}', { params: { path: { id: r.id ?? 0 } }, headers })),
      done: t('rules.deleted'),
      after: () => done(true),
    })
  }

  return { toggle, remove }
}
