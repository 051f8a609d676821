// Two-step verification (TOTP): what the console does with codes and secrets
// before sending or showing them. Typed codes are forgiving (spaces, a code
// pasted as "123 456", a recovery code in capitals or without its dash);
// what is sent is the form the API expects.

/** totpCode is a typed authenticator code with its spaces dropped; valid when it is 6 digits. */
export function totpCode(raw: string): string {
  return raw.replace(/[\s-]/g, '')
}

export function isTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code)
}

/**
 * recoveryCode is a typed recovery code as the API writes them, xxxxx-xxxxx
 * in lower case: spaces dropped, the dash put back where it was left out.
 */
export function recoveryCode(raw: string): string {
  const s = raw.replace(/\s/g, '').toLowerCase()
  return /^[a-z0-9]{10}$/.test(s) ? `${s.slice(0, 5)}-${s.slice(5)}` : s
}

export function isRecoveryCode(code: string): boolean {
  return /^[a-z0-9]{5}-[a-z0-9]{5}$/.test(code)
}

/** groupSecret is a base32 secret in groups of four, as apps ask for it to be typed: "JBSW Y3DP EHPK 3PXP". */
export function groupSecret(secret: string): string {
  return (secret.replace(/[\s=]/g, '').toUpperCase().match(/.{1,4}/g) ?? []).join(' ')
}

/** qrImage is the setup's QR code when it is a PNG data: URL (the only kind the console shows), else ''. */
export function qrImage(url: string | undefined): string {
  return url && /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(url) ? url : ''
}

/** Recovery codes left at or below which the console asks for new ones. */
export const fewRecoveryCodes = 3

export function fewCodesLeft(left: number | undefined): boolean {
  return typeof left === 'number' && left <= fewRecoveryCodes
}

/** The words of the recovery codes' file, in the operator's language. */
export interface RecoveryFileWords {
  title: string
  /** "账户：alice", the account the codes belong to. */
  account: string
  /** "生成时间：2026-12-04 14:03:05（北京时间）". */
  generated: string
  /** How the codes are used, one line. */
  note: string
}

/** recoveryCodesText is the .txt file of recovery codes: title, account, time, the codes one a line, how to use them. */
export function recoveryCodesText(codes: string[], w: RecoveryFileWords): string {
  return [w.title, w.account, w.generated, '', ...codes, '', w.note, ''].join('\r\n')
}

/** recoveryFileName names the file after the console and the account: oceanops-recovery-codes-alice.txt. */
export function recoveryFileName(account: string): string {
  const safe = account.replace(/[^A-Za-z0-9._-]/g, '_') || 'account'
  return `oceanops-recovery-codes-${safe}.txt`
}
