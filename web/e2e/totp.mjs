// Time-based one-time passwords (RFC 6238, HMAC-SHA1 as authenticator apps
// use them), for the tests that sign in with two-step verification: the code
// an app would show for a secret the console displays.
import { createHmac } from 'node:crypto'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** base32Decode reads an RFC 4648 base32 secret (spaces and padding ignored, any case). */
export function base32Decode(text) {
  const s = text.replace(/[\s=]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const out = []
  for (const ch of s) {
    const v = alphabet.indexOf(ch)
    if (v < 0) throw new Error(`not base32: ${ch}`)
    value = (value << 5) | v
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** timeStep is the number of the period-second step at a time in milliseconds. */
export function timeStep(ms = Date.now(), period = 30) {
  return Math.floor(ms / 1000 / period)
}

/** hotp is the RFC 4226 code of a key (bytes) for a counter. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(counter))
  const mac = createHmac('sha1', key).update(msg).digest()
  const at = mac[mac.length - 1] & 0x0f
  const bin = ((mac[at] & 0x7f) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3]
  return String(bin % 10 ** digits).padStart(digits, '0')
}

/** totp is the code an authenticator app shows for a base32 secret at a time (now by default). */
export function totp(secret, ms = Date.now(), { period = 30, digits = 6 } = {}) {
  return hotp(base32Decode(secret), timeStep(ms, period), digits)
}

/** nextStep waits until the time step after step has begun (a code works once per step) and returns its number. */
export async function nextStep(step, period = 30) {
  while (timeStep(Date.now(), period) <= step) await new Promise((r) => setTimeout(r, 200))
  return timeStep(Date.now(), period)
}
