// The hot calls' crossing between JS and wasm: codes made from their digits,
// numbers read without coercion, matches as plain objects, and results read
// through the glue's memory view after the wasm memory has grown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { Secret, Totp, Hotp } from 'otpkit';

const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('codes of 6 to 10 digits are zero-padded strings, as otpauth computes them', () => {
  const secret = Secret.fromBase32(base32);
  for (let digits = 6; digits <= 10; digits++) {
    const totp = new Totp(secret, 'SHA1', digits);
    const hotp = new Hotp(secret, 'SHA1', digits);
    const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32), digits });
    const theirsHotp = new OTPAuth.HOTP({ secret: OTPAuth.Secret.fromBase32(base32), digits });
    let leadingZeros = 0;
    for (let i = 0; i < 300; i++) {
      const t = 1_700_000_000 + i * 30;
      const code = totp.codeAt(t);
      assert.equal(typeof code, 'string');
      assert.equal(code, theirs.generate({ timestamp: t * 1000 }), `digits ${digits} at ${t}`);
      assert.equal(totp.codeAtStep(totp.stepAt(t)), code);
      assert.equal(hotp.code(BigInt(i)), theirsHotp.generate({ counter: i }), `digits ${digits} counter ${i}`);
      if (code.startsWith('0')) leadingZeros++;
    }
    assert.ok(leadingZeros > 0, `digits ${digits}: some codes start with 0`);
  }
});

test('times are read as numbers only, never coerced, -0 as 0', () => {
  const totp = new Totp(Secret.fromBase32(base32));
  assert.equal(totp.stepAt(-0), 0);
  assert.equal(totp.stepAt(59), 1);
  assert.equal(totp.stepAt(Number.MAX_SAFE_INTEGER), Math.floor(Number.MAX_SAFE_INTEGER / 30));
  for (const bad of ['59', 59n, new Number(59), [59], { valueOf: () => 59 }, true, null, undefined]) {
    assert.throws(() => totp.stepAt(bad), { name: 'TypeError', message: 'unixTime must be a number' }, String(bad));
    assert.throws(() => totp.codeAt(bad), { name: 'TypeError', message: 'unixTime must be a number' }, String(bad));
  }
  for (const bad of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) {
    assert.throws(() => totp.codeAt(bad), { name: 'RangeError' }, String(bad));
  }
  // Optional numbers: absent (undefined, null) is the default, a number is read, else an error.
  const code = totp.codeAt(1_000_000_000 - 30);
  assert.deepEqual(totp.verify(code, 1_000_000_000), { step: 33333332, offset: -1 });
  assert.deepEqual(totp.verify(code, 1_000_000_000, null, undefined), { step: 33333332, offset: -1 });
  assert.equal(totp.verify(code, 1_000_000_000, 0), null);
  assert.throws(() => totp.verify(code, 1_000_000_000, '1'), { name: 'TypeError', message: 'behind must be a number' });
  assert.throws(() => totp.verify(code, 1_000_000_000, 1, -1), { name: 'RangeError' });
});

test('a match is a plain object whose only enumerable fields are step and offset', () => {
  const totp = new Totp(Secret.fromBase32(base32));
  const m = totp.verify(totp.codeAt(89), 89);
  assert.deepEqual(m, { step: 2, offset: 0 });
  assert.equal(Object.getPrototypeOf(m), Object.prototype);
  assert.deepEqual(Object.keys(m), ['step', 'offset']);
  assert.equal(JSON.stringify(m), '{"step":2,"offset":0}');
  assert.equal(String(m), 'matched step 2 (offset 0)');
  assert.equal(m.message, 'matched step 2 (offset 0)');
  const h = new Hotp(Secret.fromBase32(base32)).verify(new Hotp(Secret.fromBase32(base32)).code(7n), 5n, 3);
  assert.deepEqual(h, { step: 7n, offset: 2 });
  assert.equal(String(h), 'matched step 7 (offset 2)');
  // Two matches share nothing mutable.
  const a = totp.verify(totp.codeAt(59), 59), b = totp.verify(totp.codeAt(89), 89);
  assert.notEqual(a, b);
  assert.deepEqual([a.step, b.step], [1, 2]);
});

test('results are read right after the wasm memory grows inside a call', () => {
  const totp = new Totp(Secret.fromBase32(base32));
  // Reads a result through the glue's memory view, caching the view of today's memory.
  assert.equal(totp.stepAt(59), 1);
  // Rust copies 64 MiB into wasm memory, which has to grow (detaching the buffer the
  // cached view is over), then returns its error through that view.
  assert.throws(() => Secret.fromBytes(new Uint8Array(64 << 20)), { name: 'OtpkitError' });
  assert.equal(totp.stepAt(59), 1);
  assert.equal(totp.codeAt(59), new Totp(Secret.fromBase32(base32)).codeAtStep(1));
  assert.deepEqual(totp.verify(totp.codeAt(59), 59), { step: 1, offset: 0 });
});
