// How a changed value reads in previews and the change log: status values
// and "unlimited" in words, amounts as money.
import { useI18n } from 'vue-i18n'
import { money } from './format'

export function useChangeValue(): (field: string | undefined, v: string | null | undefined) => string {
  const { t, te } = useI18n()
  return (field, v) => {
    if (v === null || v === undefined || v === '') return '—'
    if (te(`change.values.${v}`)) return t(`change.values.${v}`)
    return field === 'status' ? v : money(v)
  }
}
