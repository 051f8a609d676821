import { describe, expect, test } from 'vitest'
import { ApiError } from '../api/client'
import { useAction } from './useAction'

describe('a step of a form', () => {
  test('hands the answer on', async () => {
    const a = useAction()
    const got: number[] = []
    expect(await a.run(async () => 7, (n) => got.push(n))).toBe(true)
    expect(got).toEqual([7])
    expect(a.busy.value).toBe(false)
    expect(a.error.value).toBeNull()
  })

  test('keeps a refusal with its field messages, and its own checks on a field', async () => {
    const a = useAction()
    const refused = new ApiError(422, 'validation_failed', 'invalid', 'req-1', [{ field: 'code', message: '验证码不正确或已使用过', rule: 'mfa_code_wrong' }])
    expect(await a.run(async () => { throw refused }, () => {})).toBe(false)
    expect(a.fieldError('code')).toBe('验证码不正确或已使用过')
    expect(a.fieldError('current_password')).toBeUndefined()
    expect(a.refuse('code', '请输入 6 位数字验证码')).toBe(false)
    expect(a.fieldError('code')).toBe('请输入 6 位数字验证码')
    a.reset()
    expect(a.error.value).toBeNull()
  })

  test('sends once while busy', async () => {
    const a = useAction()
    let sent = 0
    let release = () => {}
    const first = a.run(() => new Promise<void>((r) => { sent++; release = r }), () => {})
    expect(await a.run(async () => { sent++ }, () => {})).toBe(false)
    release()
    expect(await first).toBe(true)
    expect(sent).toBe(1)
  })
})
