// UserDevices: users with named devices on the in-memory store, over the facade's
// UserDevices (otpkit-store's MfaService running inside the wasm module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, Totp, UserDevices } from 'otpkit';

const SECRET_A = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const SECRET_B = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const T0 = 1_700_000_000;
const KEY = new Uint8Array(32).fill(7);

const code = (b32, at) => new Totp(Secret.fromBase32(b32)).codeAt(at);

function throwsOtpkit(f, code, category) {
  let caught;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, 'OtpkitError', caught.message);
  assert.equal(caught.code, code, caught.message);
  if (category !== undefined) assert.equal(caught.category, category, caught.message);
  return caught;
}

function twoDevices(policy) {
  const users = new UserDevices('memory:', 'k1', KEY, policy);
  for (const [name, secret] of [['phone', SECRET_A], ['tablet', SECRET_B]]) {
    users.addDevice('alice', name, secret, T0);
    const enrolled = users.enrollDevice('alice', name, code(secret, T0 - 30), code(secret, T0), T0);
    assert.deepEqual([enrolled.kind, enrolled.enrolled], ['enrolled', true], enrolled.message);
  }
  return users;
}

test('two named devices: each signs in, listed, renamed, removed', () => {
  const users = twoDevices();
  assert.equal(String(users), 'UserDevices');
  const listed = users.devices('alice');
  assert.deepEqual(listed, [
    { name: 'phone', addedAt: T0, params: 'totp.SHA1.6.30', enrolled: true, failures: 0 },
    { name: 'tablet', addedAt: T0, params: 'totp.SHA1.6.30', enrolled: true, failures: 0 },
  ]);
  const any = users.signIn('alice', code(SECRET_A, T0 + 30), T0 + 30);
  assert.deepEqual([any.kind, any.accepted, any.device, any.failures], ['accepted', true, 'phone', 0]);
  assert.equal(typeof any.ticket, 'number');
  const named = users.signIn('alice', code(SECRET_B, T0 + 60), T0 + 60, 'tablet');
  assert.deepEqual([named.accepted, named.device], [true, 'tablet']);
  // A code of the phone is refused when the tablet is the one chosen.
  const other = users.signIn('alice', code(SECRET_A, T0 + 90), T0 + 90, 'tablet');
  assert.deepEqual([other.accepted, other.reason, other.device], [false, 'CODE_MISMATCH', 'tablet']);

  users.renameDevice('alice', 'phone', 'old phone', T0 + 100);
  assert.deepEqual(users.devices('alice').map((d) => d.name), ['old phone', 'tablet']);
  throwsOtpkit(() => users.renameDevice('alice', 'tablet', 'old phone', T0 + 100), 'DEVICE_EXISTS', 'WrongState');
  const renamed = users.signIn('alice', code(SECRET_A, T0 + 120), T0 + 120, 'old phone');
  assert.deepEqual([renamed.accepted, renamed.device], [true, 'old phone']);

  assert.equal(users.removeDevice('alice', 'old phone', T0 + 150), true);
  assert.equal(users.removeDevice('alice', 'old phone', T0 + 150), false);
  assert.deepEqual(users.devices('alice').map((d) => d.name), ['tablet']);
  throwsOtpkit(() => users.signIn('alice', code(SECRET_A, T0 + 180), T0 + 180, 'old phone'), 'UNKNOWN_DEVICE', 'WrongState');
  assert.equal(users.userStatus('alice').devices, 1);
  assert.equal(users.recentEvents('alice')[0].kind, 'device_removed');
  assert.equal(users.recentEvents('alice')[0].device, 'old phone');
});

test('a wrong, replayed or malformed code is a value; failures are counted on the user, then a lock-out', () => {
  const users = twoDevices({ maxFailures: 3, lockoutBaseSecs: 60 });
  const wrong = users.signIn('alice', '000000', T0 + 30);
  assert.deepEqual([wrong.kind, wrong.accepted, wrong.reason, wrong.failures, wrong.ticket],
    ['rejected', false, 'CODE_MISMATCH', 1, undefined]);
  assert.equal(String(wrong), wrong.message);
  assert.equal(wrong.message.includes('000000'), false);
  const ok = users.signIn('alice', code(SECRET_B, T0 + 60), T0 + 60);
  assert.equal(ok.accepted, true);
  const replayed = users.signIn('alice', code(SECRET_B, T0 + 60), T0 + 60);
  assert.deepEqual([replayed.reason, replayed.device], ['REPLAYED', 'tablet']);
  assert.equal(users.signIn('alice', '12a', T0 + 61).reason, 'CODE_MALFORMED');
  users.signIn('alice', '111111', T0 + 62);
  const locked = users.signIn('alice', code(SECRET_A, T0 + 90), T0 + 90);
  assert.deepEqual([locked.accepted, locked.reason], [false, 'LOCKED']);
  assert.equal(typeof locked.until, 'number');
  const status = users.userStatus('alice');
  assert.equal(status.failures, 3);
  assert.equal(status.lockedUntil, locked.until);
  users.clearUserLockout('alice', T0 + 91);
  assert.equal(users.userStatus('alice').failures, 0);
  assert.equal(users.signIn('alice', code(SECRET_A, T0 + 120), T0 + 120).accepted, true);
});

test('a remember token is accepted once; the old one again is theft and revokes the series', () => {
  const users = twoDevices();
  const signedIn = users.signIn('alice', code(SECRET_A, T0 + 30), T0 + 30);
  throwsOtpkit(() => users.rememberDevice('bob', signedIn, T0 + 30), 'NOT_SIGNED_IN', 'WrongState');
  const token = users.rememberDevice('alice', signedIn, T0 + 30);
  assert.equal(typeof token, 'string');
  throwsOtpkit(() => users.rememberDevice('alice', signedIn, T0 + 30), 'NOT_SIGNED_IN', 'WrongState');
  const refused = users.signIn('alice', '000000', T0 + 31);
  throwsOtpkit(() => users.rememberDevice('alice', refused, T0 + 31), 'NOT_SIGNED_IN', 'WrongState');
  assert.equal(users.userStatus('alice').remembered, 1);

  const first = users.checkRemembered('alice', token, T0 + 40);
  assert.deepEqual([first.accepted, first.device, first.reason], [true, 'phone', undefined]);
  assert.equal(typeof first.nextToken, 'string');
  assert.notEqual(first.nextToken, token);
  const old = users.checkRemembered('alice', token, T0 + 50);
  assert.deepEqual(old, { accepted: false, reason: 'theft' });
  assert.equal(users.checkRemembered('alice', first.nextToken, T0 + 60).accepted, false);
  assert.equal(users.forgetRemembered('alice', T0 + 70), 0);
});

test('recovery codes and resynchronisation of a named device', () => {
  const users = twoDevices();
  const codes = users.regenerateRecoveryCodes('alice', T0, 3);
  assert.equal(codes.length, 3);
  assert.equal(users.userStatus('alice').recoveryCodesLeft, 3);
  const used = users.useRecoveryCode('alice', codes[0], T0 + 1);
  assert.deepEqual([used.accepted, used.remaining], [true, 2]);
  const again = users.useRecoveryCode('alice', codes[0], T0 + 2);
  assert.deepEqual([again.kind, again.accepted, again.reason], ['rejected', false, 'REPLAYED']);
  const late = T0 + 3000;
  const resynced = users.resyncDevice('alice', 'phone', code(SECRET_A, late), code(SECRET_A, late + 30), late + 30);
  assert.deepEqual([resynced.kind, resynced.resynced], ['resynced', true], resynced.message);
});

test('a wrong-type argument is a TypeError naming it, never a trap', () => {
  const users = twoDevices();
  assert.throws(() => new UserDevices(1, 'k1', KEY), { name: 'TypeError', message: 'store must be a string' });
  assert.throws(() => new UserDevices('memory:', 'k1', 'x'.repeat(32)), { name: 'TypeError', message: 'key must be a Uint8Array' });
  assert.throws(() => new UserDevices('memory:', 'k1', KEY, { maxFailures: '3' }), { name: 'TypeError', message: /policy.maxFailures must be a number/ });
  assert.throws(() => users.signIn('alice', 123456, T0), { name: 'TypeError', message: 'code must be a string' });
  assert.throws(() => users.signIn('alice', '123456', T0, 7), { name: 'TypeError', message: 'device must be a string' });
  assert.throws(() => users.signIn('alice', '123456', '1700000000'), { name: 'TypeError', message: 'now must be a number' });
  assert.throws(() => users.signIn('alice', '123456', -1), { name: 'RangeError' });
  assert.throws(() => users.addDevice('alice', 'watch', Secret.fromBase32(SECRET_A), T0), { name: 'TypeError', message: 'secret must be a string' });
  assert.throws(() => users.addDevice('alice', 'watch', SECRET_A, T0, { digit: 8 }), { name: 'TypeError', message: /no option "digit"/ });
  assert.throws(() => users.devices(null), { name: 'TypeError', message: 'user must be a string' });
  assert.throws(() => users.rememberDevice('alice', 'token', T0), { name: 'TypeError', message: /signIn must be/ });
  assert.throws(() => users.checkRemembered('alice', 42, T0), { name: 'TypeError', message: 'token must be a string' });
  // The module is still whole.
  assert.equal(users.devices('alice').length, 2);
});

test('a store, key, user or device that does not fit is an OtpkitError naming it', () => {
  const store = throwsOtpkit(() => new UserDevices('sqlite:/tmp/users.db', 'k1', KEY), 'UNKNOWN_FORMAT', 'InvalidInput');
  assert.match(store.message, /^store: .*"memory:"/);
  throwsOtpkit(() => new UserDevices('redis://x', 'k1', KEY), 'UNKNOWN_FORMAT', 'InvalidInput');
  const key = throwsOtpkit(() => new UserDevices('memory:', 'k1', new Uint8Array(31)), 'SECRET_INVALID_LENGTH');
  assert.match(key.message, /^key: /);
  const keyId = throwsOtpkit(() => new UserDevices('memory:', 'bad id!', KEY), 'REJECTED', 'InvalidInput');
  assert.match(keyId.message, /^keyId: /);
  const users = twoDevices();
  throwsOtpkit(() => users.addDevice('alice', '', SECRET_A, T0), 'INVALID_DEVICE_NAME', 'InvalidInput');
  const secret = throwsOtpkit(() => users.addDevice('alice', 'watch', 'not base32!', T0), 'SECRET_INVALID_CHARACTER');
  assert.match(secret.message, /^secret: /);
  throwsOtpkit(() => users.addDevice('alice', 'watch', SECRET_A, T0, { digits: 11 }), 'DIGITS_OUT_OF_RANGE', 'InvalidInput');
  for (let i = 2; i < 8; i++) users.addDevice('alice', `d${i}`, SECRET_A, T0);
  throwsOtpkit(() => users.addDevice('alice', 'd8', SECRET_A, T0), 'TOO_MANY_DEVICES', 'WrongState');
  throwsOtpkit(() => users.useRecoveryCode('alice', 'abcd', T0), 'NO_RECOVERY_CODES', 'WrongState');
  const user = throwsOtpkit(() => users.devices(''), 'INVALID_DEVICE_ID', 'InvalidInput');
  assert.match(user.message, /^user: /);
});
