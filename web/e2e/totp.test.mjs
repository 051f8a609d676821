// The TOTP helper of the tests against RFC 6238's own test values (SHA-1).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { base32Decode, hotp, timeStep, totp } from './totp.mjs'

// RFC 6238 appendix B: the ASCII key "12345678901234567890", 8 digits.
const key = Buffer.from('12345678901234567890')
const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' // the same key in base32

test('the RFC 6238 test values', () => {
  for (const [seconds, code] of [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']]) {
    assert.equal(hotp(key, timeStep(seconds * 1000), 8), code, `T=${seconds}`)
  }
})

test('a base32 secret as the console shows it, grouped in fours', () => {
  assert.deepEqual(base32Decode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ'), key)
  assert.equal(totp(secret, 59_000), '287082')
})
