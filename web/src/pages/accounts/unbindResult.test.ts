import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '../../i18n/zh-CN'
import { unbindSummary } from './unbindResult'

const t = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN } }).global.t as never as (
  key: string,
  named: Record<string, unknown>,
) => string

describe('unbind summary', () => {
  it('says what was unbound, only taken out of scope, and kept by a client', () => {
    expect(unbindSummary({ unbound: [1, 2], unassigned: [3], kept_by_client: [4] }, t, '；')).toBe(
      '已解绑 2 个账户；1 个账户仍有其他用户在用，未解绑，只从你的范围移出；1 个账户属于分配给你的客户，仍在你的范围内',
    )
  })
  it('leaves out what is empty', () => {
    expect(unbindSummary({ unbound: [], unassigned: [3], kept_by_client: [] }, t, '；')).toBe(
      '1 个账户仍有其他用户在用，未解绑，只从你的范围移出',
    )
    expect(unbindSummary({ unbound: [9] }, t, '；')).toBe('已解绑 1 个账户')
  })
})
