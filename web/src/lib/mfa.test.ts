import { describe, expect, it } from 'vitest'
import { fewCodesLeft, groupSecret, isRecoveryCode, isTotpCode, qrImage, recoveryCode, recoveryCodesText, recoveryFileName, totpCode } from './mfa'

describe('typed codes', () => {
  it('takes an authenticator code with spaces, as apps show it', () => {
    expect(totpCode(' 123 456 ')).toBe('123456')
    expect(totpCode('123-456')).toBe('123456')
    expect(isTotpCode(totpCode('123 456'))).toBe(true)
    for (const bad of ['12345', '1234567', '12a456', '']) expect(isTotpCode(totpCode(bad)), bad).toBe(false)
  })
  it('writes a recovery code as the API does: lower case, its dash in place', () => {
    expect(recoveryCode('7KQ2M-X9D4F')).toBe('7kq2m-x9d4f')
    expect(recoveryCode(' 7kq2m x9d4f ')).toBe('7kq2m-x9d4f')
    expect(recoveryCode('7kq2mx9d4f')).toBe('7kq2m-x9d4f')
    expect(isRecoveryCode(recoveryCode('7kq2mx9d4f'))).toBe(true)
    for (const bad of ['7kq2m-x9d4', '7kq2m--x9d4f', '7kq2m_x9d4f', '123456']) expect(isRecoveryCode(recoveryCode(bad)), bad).toBe(false)
  })
})

describe('the secret and its QR code', () => {
  it('groups a base32 secret in fours, as it is typed into an app', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')
    expect(groupSecret('jbswy3dpehpk3px')).toBe('JBSW Y3DP EHPK 3PX')
    expect(groupSecret('JBSWY3DP====')).toBe('JBSW Y3DP')
    expect(groupSecret('')).toBe('')
  })
  it('shows only a PNG data: URL', () => {
    expect(qrImage('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=')
    for (const bad of [undefined, '', 'https://example.com/qr.png', 'data:image/svg+xml;base64,PHN2Zz4=', 'data:image/png;base64,"><script>']) expect(qrImage(bad), String(bad)).toBe('')
  })
})

describe('recovery codes', () => {
  it('warns when three or fewer are left', () => {
    expect(fewCodesLeft(4)).toBe(false)
    expect(fewCodesLeft(3)).toBe(true)
    expect(fewCodesLeft(0)).toBe(true)
    expect(fewCodesLeft(undefined)).toBe(false)
  })
  it('downloads them as text, one a line between the account and how to use them', () => {
    const text = recoveryCodesText(['aaaaa-11111', 'bbbbb-22222'], {
      title: 'OceanOps 两步验证恢复码',
      account: '账户：alice',
      generated: '生成时间：2026-12-04 14:03:05（北京时间）',
      note: '每个恢复码只能使用一次。',
    })
    expect(text).toBe('OceanOps 两步验证恢复码\r\n账户：alice\r\n生成时间：2026-12-04 14:03:05（北京时间）\r\n\r\naaaaa-11111\r\nbbbbb-22222\r\n\r\n每个恢复码只能使用一次。\r\n')
  })
  it('names the file after the account, safe for any file system', () => {
    expect(recoveryFileName('alice')).toBe('oceanops-recovery-codes-alice.txt')
    expect(recoveryFileName('a/b:c')).toBe('oceanops-recovery-codes-a_b_c.txt')
    expect(recoveryFileName('')).toBe('oceanops-recovery-codes-account.txt')
  })
})
