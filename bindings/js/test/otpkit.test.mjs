// Node's built-in runner over the generated package: node --test bindings/js/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Secret, Totp, Hotp, SteamGuard, Verifier, unixNow,
  parseOtpauthUri, accountToUri, accountLabel, decodeMigration, encodeMigration, parseSteamUri,
  generateRecoveryCodes, verifyRecoveryCode, importAccounts, exportAccounts, importPskc,
} from 'otpkit';

const ascii = (s) => new TextEncoder().encode(s);
// RFC 6238 appendix B seeds: "1234567890" repeated to 20, 32 and 64 bytes.
const rfcSecret = (len) => Secret.fromBytes(ascii('1234567890'.repeat(7).slice(0, len)));

/** Runs f, asserts it throws an OtpkitError with `code` (and `category`), returns it. */
function throwsOtpkit(f, code, category) {
  let caught;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, 'OtpkitError', caught.message);
  assert.equal(caught.code, code, caught.message);
  if (category !== undefined) assert.equal(caught.category, category, caught.message);
  assert.ok(caught.message.length > 0);
  return caught;
}

test('RFC 4226 appendix D HOTP vectors', () => {
  const hotp = new Hotp(rfcSecret(20));
  const expected = ['755224', '287082', '359152', '969429', '338314',
    '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, i) => assert.equal(hotp.code(BigInt(i)), code));
  assert.deepEqual(hotp.verify('520489', 5n, 4), { step: 9n, offset: 4 });
  assert.equal(hotp.verify('520489', 5n, 3), null, 'a wrong code is null, not an exception');
});

test('RFC 6238 appendix B TOTP vectors, SHA-1/256/512', () => {
  const vectors = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [t, sha1, sha256, sha512] of vectors) {
    assert.equal(new Totp(rfcSecret(20), 'SHA1', 8).codeAt(t), sha1);
    assert.equal(new Totp(rfcSecret(32), 'SHA256', 8).codeAt(t), sha256);
    assert.equal(new Totp(rfcSecret(64), 'SHA512', 8).codeAt(t), sha512);
  }
});

test('TOTP window, seconds left, steps and getters', () => {
  const totp = new Totp(rfcSecret(20));
  assert.equal(totp.secondsLeft(59), 1);
  assert.equal(totp.secondsLeft(60), 30);
  assert.equal(totp.stepAt(59), 1);
  assert.equal(totp.codeAtStep(1), totp.codeAt(59));
  const code = totp.codeAt(59);
  assert.deepEqual(totp.verify(code, 89, 1, 0), { step: 1, offset: -1 });
  assert.equal(totp.verify(code, 89, 0, 0), null);
  assert.equal(totp.verify('12a456', 59), null);
  assert.equal(String(totp.verify(code, 89, 1, 0)), 'matched step 1 (offset -1)');
  assert.equal(totp.codeNow(), totp.codeAt(unixNow()));
  assert.equal(Math.abs(unixNow() - Date.now() / 1000) < 2, true);
  assert.equal(totp.algorithm, 'SHA1');
  assert.equal(totp.digits, 6);
  assert.equal(totp.period, 30);
  assert.equal(totp.t0, 0);
  const t = new Totp(rfcSecret(32), 'sha-256', 7, 60, 100);
  assert.deepEqual([t.algorithm, t.digits, t.period, t.t0], ['SHA256', 7, 60, 100]);
  throwsOtpkit(() => t.codeAt(99), 'BEFORE_EPOCH', 'Clock');
  assert.equal(String(t), 'Totp(SHA256, 7 digits, 60 s, t0 100)');
});

test('a window or look-ahead over the core bound is an error naming it', () => {
  const totp = new Totp(rfcSecret(20));
  // 2,000,000 steps either side would accept nearly any code.
  for (const [behind, ahead] of [[2000000, 2000000], [121, 0], [0, 121]]) {
    const e = throwsOtpkit(() => totp.verify('000000', 59, behind, ahead), 'WINDOW_TOO_LARGE', 'InvalidInput');
    assert.match(e.message, /at most 120 steps/);
  }
  assert.deepEqual(totp.verify(totp.codeAt(59), 59, 120, 120), { step: 1, offset: 0 });
  const guard = new SteamGuard(rfcSecret(20));
  throwsOtpkit(() => guard.verify('BCDFG', 1000000, 0, 121), 'WINDOW_TOO_LARGE');
  const hotp = new Hotp(rfcSecret(20));
  const e = throwsOtpkit(() => hotp.verify('755224', 0n, 1001), 'WINDOW_TOO_LARGE');
  assert.match(e.message, /at most 1000 counters/);
  assert.deepEqual(hotp.verify('755224', 0n, 1000), { step: 0n, offset: 0 });
});

test('secrets: Base32 in and out, generation, length policy', () => {
  const s = Secret.fromBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq');
  assert.deepEqual(s.bytes(), ascii('12345678901234567890'));
  assert.equal(s.base32(), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.equal(s.base32Grouped(), 'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  assert.equal(s.length, 20);
  assert.equal(s.isShort(), false);
  assert.equal(String(s).includes('GEZD'), false);
  for (const [alg, len] of [[undefined, 20], ['SHA1', 20], ['SHA256', 32], ['SHA512', 64]]) {
    assert.equal(Secret.generate(alg).length, len);
  }
  assert.notEqual(Secret.generate().base32(), Secret.generate().base32());
  const short = throwsOtpkit(() => Secret.fromBase32('JBSWY3DPEHPK3PXP'), 'SECRET_TOO_SHORT', 'InvalidInput');
  // The message names the JS option, never the Rust one.
  assert.match(short.message, /allowShort/);
  assert.doesNotMatch(short.message, /LengthPolicy|AllowShort|allow_short/);
  assert.equal(Secret.fromBase32('JBSWY3DPEHPK3PXP', true).isShort(), true);
  throwsOtpkit(() => Secret.fromBytes(new Uint8Array(10)), 'SECRET_TOO_SHORT');
});

test('typed errors carry the core message and never the secret', () => {
  const secretText = 'GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ';
  const e = throwsOtpkit(() => Secret.fromBase32(secretText), 'SECRET_INVALID_CHARACTER');
  assert.match(e.message, /position 16/);
  assert.equal(e.message.includes('GEZD'), false);
  const u = throwsOtpkit(() => parseOtpauthUri(`otpauth://totp/x?secret=${secretText}`), 'SECRET_INVALID_CHARACTER');
  assert.equal(u.message.includes('GEZD'), false);
  assert.equal(JSON.stringify(u).includes('GEZD'), false);
  throwsOtpkit(() => new Totp(rfcSecret(20), 'MD5'), 'UNSUPPORTED_ALGORITHM', 'Unsupported');
  throwsOtpkit(() => new Totp(rfcSecret(20), 'SHA1', 5), 'DIGITS_OUT_OF_RANGE');
  throwsOtpkit(() => new Totp(rfcSecret(20), 'SHA1', 6, 0), 'ZERO_PERIOD');
  // Numbers that are not whole safe seconds are RangeErrors, never rounded.
  const totp = new Totp(rfcSecret(20));
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => totp.codeAt(bad), RangeError);
  }
  // HOTP counters are bigints in 0..2^64-1: never wrapped, never a rounded number.
  const hotp = new Hotp(rfcSecret(20));
  assert.equal(hotp.code(2n ** 64n - 1n).length, 6);
  for (const bad of [-1n, 2n ** 64n, 5, '5']) {
    assert.throws(() => hotp.code(bad), TypeError, String(bad));
    assert.throws(() => hotp.verify('755224', bad), TypeError, String(bad));
  }
});

const URI = 'otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30';

test('otpauth:// parse and build round trip', () => {
  const { account, warnings } = parseOtpauthUri(URI);
  assert.deepEqual(warnings, []);
  assert.deepEqual(account, {
    issuer: 'ACME Co', name: 'john.doe@email.com', secret: 'HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ',
    algorithm: 'SHA1', digits: 6, type: 'totp', period: 30, extra: [],
  });
  assert.equal(accountLabel(account), 'ACME Co:john.doe@email.com');
  assert.deepEqual(parseOtpauthUri(accountToUri(account)).account, account);
  const totp = Totp.fromAccount(account);
  assert.equal(totp.codeAt(59), new Totp(Secret.fromBase32(account.secret)).codeAt(59));
  assert.equal(Hotp.fromAccount(account), undefined);

  const hotpUri = 'otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615&digits=8&image=https%3A%2F%2Fx.test%2Fa.png';
  const h = parseOtpauthUri(hotpUri).account;
  assert.equal(h.type, 'hotp');
  assert.equal(h.counter, 18446744073709551615n);
  assert.deepEqual(h.extra, [['image', 'https://x.test/a.png']]);
  assert.deepEqual(parseOtpauthUri(accountToUri(h)).account, h);
  assert.equal(Hotp.fromAccount(h).digits, 8);
});

test('otpauth:// warnings have a code and a sentence', () => {
  const { warnings } = parseOtpauthUri('otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256');
  assert.deepEqual(warnings.map((w) => w.code), ['SECRET_LOWERCASE', 'SHORT_SECRET', 'ALGORITHM_IGNORED_BY_APPS']);
  assert.match(warnings[1].message, /80 bits/);
});

test('bad URIs and bad account objects are typed errors', () => {
  throwsOtpkit(() => parseOtpauthUri('https://example.com'), 'NOT_OTPAUTH_URI');
  throwsOtpkit(() => parseOtpauthUri('otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ'), 'MISSING_COUNTER');
  const { account } = parseOtpauthUri(URI);
  throwsOtpkit(() => accountToUri({ ...account, digits: 4 }), 'DIGITS_OUT_OF_RANGE');
  assert.throws(() => accountToUri({ ...account, type: 'yubikey' }), TypeError);
  assert.throws(() => accountToUri({ ...account, name: 7 }), TypeError);
  assert.throws(() => accountToUri({ ...account, type: 'hotp' }), TypeError); // no counter
});

test('migration encode/decode round trip', () => {
  const a = parseOtpauthUri(URI).account;
  const b = parseOtpauthUri('otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7&digits=8').account;
  const uris = encodeMigration([a, b], 1);
  assert.equal(uris.length, 2);
  const first = decodeMigration(uris[0]);
  assert.deepEqual([first.batchSize, first.batchIndex, first.version], [2, 0, 1]);
  assert.deepEqual(first.entries, [{ account: a }]);
  const second = decodeMigration(uris[1]);
  assert.deepEqual(second.entries, [{ account: b }]);
  assert.equal(second.batchId, first.batchId);
  assert.equal(encodeMigration([a, b]).length, 1);
  throwsOtpkit(() => decodeMigration('otpauth-migration://offline?data=%%%'), 'MIGRATION_INVALID_BASE64');
  throwsOtpkit(() => encodeMigration([{ ...a, period: 45 }]), 'PERIOD_UNSUPPORTED', 'Unsupported');
});

test('Steam Guard', () => {
  const secret = parseSteamUri('steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  const guard = new SteamGuard(secret);
  const code = guard.codeAt(59);
  assert.match(code, /^[23456789BCDFGHJKMNPQRTVWXY]{5}$/);
  assert.deepEqual(guard.verify(code.toLowerCase(), 59, 0, 0), { step: 1, offset: 0 });
  assert.equal(guard.secondsLeft(59), 1);
  const account = parseOtpauthUri(`otpauth://totp/Steam:me?secret=${secret.base32()}&issuer=Steam`).account;
  assert.equal(account.type, 'steam');
  assert.equal(SteamGuard.fromAccount(account).codeAt(59), code);
  throwsOtpkit(() => parseSteamUri('http://x'), 'NOT_STEAM_URI');
});

test('server: TOTP enrolment with a retry, sign-in, replay, resync', () => {
  const totp = new Totp(rfcSecret(20));
  const v = Verifier.totp(totp);
  const now = 1_700_000_000;
  const step = totp.stepAt(now);
  // The secret is shown: a pending enrolment is stored. A typo is counted, and the
  // user tries again with the same secret.
  const pending = v.beginEnrollment();
  assert.equal(typeof pending, 'string');
  const near = new Set(Array.from({ length: 61 }, (_, k) => totp.codeAtStep(step - 30 + k)));
  const wrongCode = ['000000', '111111', '222222', '333333'].find((c) => !near.has(c));
  const typo = v.enroll(pending, wrongCode, totp.codeAtStep(step), now);
  assert.deepEqual([typo.outcome.kind, typo.outcome.enrolled, typo.outcome.reason], ['rejected', false, 'FIRST_CODE_NOT_FOUND']);
  assert.equal(String(typo.outcome), typo.outcome.message);
  assert.notEqual(typo.state, pending, 'a wrong code is counted in the pending state');
  const apart = v.enroll(typo.state, totp.codeAtStep(step - 3), totp.codeAtStep(step), now);
  assert.equal(apart.outcome.reason, 'NOT_CONSECUTIVE');
  const twice = v.enroll(apart.state, totp.codeAtStep(step), totp.codeAtStep(step), now);
  assert.equal(twice.outcome.reason, 'SAME_CODE_TWICE');
  // One code at a time, as typed.
  const first = v.enrollCode(twice.state, totp.codeAtStep(step - 1), now);
  assert.equal(first.outcome.kind, 'needNextCode');
  const second = v.enrollCode(first.state, totp.codeAtStep(step), now);
  assert.deepEqual([second.outcome.enrolled, second.outcome.step, second.outcome.drift], [true, BigInt(step), 0]);
  let state = second.state;
  assert.equal(state.includes(rfcSecret(20).base32()), false);
  // A pending enrolment cannot sign in; an enrolled device cannot enrol again: a
  // broken flow is an exception, not an outcome.
  throwsOtpkit(() => v.verify(v.beginEnrollment(), totp.codeAtStep(step), now), 'NOT_ENROLLED', 'WrongState');
  throwsOtpkit(() => v.enroll(state, totp.codeAtStep(step), totp.codeAtStep(step + 1), now), 'ALREADY_ENROLLED', 'WrongState');

  const code = totp.codeAt(now + 30);
  const ok = v.verify(state, code, now + 30);
  assert.equal(ok.outcome.accepted, true);
  assert.equal(ok.outcome.kind, 'accepted');
  assert.equal(ok.outcome.step, BigInt(step + 1));
  assert.equal(ok.outcome.drift, 0);
  const replay = v.verify(ok.state, code, now + 31);
  assert.deepEqual([replay.outcome.kind, replay.outcome.accepted, replay.outcome.reason], ['rejected', false, 'REPLAYED']);
  assert.equal(String(replay.outcome), 'the code was already used');
  const wrong = v.verify(replay.state, '000000' === code ? '111111' : '000000', now + 32);
  assert.equal(wrong.outcome.reason, 'CODE_MISMATCH');
  assert.equal(v.verify(wrong.state, '12', now + 33).outcome.reason, 'CODE_MALFORMED');

  // A day later the phone runs 12 steps fast: sign-in fails, resync with two codes fixes it.
  const later = now + 86_400;
  const fast = (k) => totp.codeAt(later + 30 * (12 + k));
  state = ok.state;
  assert.equal(v.verify(state, fast(0), later).outcome.reason, 'CODE_MISMATCH');
  const resynced = v.resync(state, fast(0), fast(1), later);
  assert.deepEqual([resynced.outcome.kind, resynced.outcome.resynced], ['resynced', true], resynced.outcome.message);
  const after = v.verify(resynced.state, totp.codeAt(later + 30 * 14), later + 30);
  assert.equal(after.outcome.accepted, true, after.outcome.message);
  // A refused resync is counted in the state it returns, without the caller's help.
  const refused = v.resync(after.state, '123456', '654321', later + 30);
  assert.deepEqual([refused.outcome.kind, refused.outcome.reason, refused.outcome.resynced], ['rejected', 'REJECTED', false]);
  assert.notEqual(refused.state, after.state);

  throwsOtpkit(() => v.verify('not a state', code, now), 'NOT_A_STATE', 'Damaged');
});

test('server: HOTP enrolment and look-ahead; lock-out after failures', () => {
  const hotp = new Hotp(rfcSecret(20));
  const v = Verifier.hotp(hotp);
  const bad = v.enroll(v.beginEnrollment(), '969429', '254676', 0);
  assert.equal(bad.outcome.reason, 'NOT_CONSECUTIVE');
  const enrolled = v.enroll(bad.state, '969429', '338314', 0); // counters 3 and 4
  assert.equal(enrolled.outcome.enrolled, true, enrolled.outcome.message);
  const r = v.verify(enrolled.state, hotp.code(7n), 0);
  assert.equal(r.outcome.accepted, true);
  assert.equal(r.outcome.step, 7n);
  assert.equal(r.outcome.drift, 2);
  assert.equal(v.verify(r.state, hotp.code(7n), 0).outcome.reason, 'REPLAYED');
  // A token re-enrolled from the last known counter: its old codes stay refused.
  const again = v.enroll(v.beginEnrollment(8n), hotp.code(3n), hotp.code(4n), 0);
  assert.equal(again.outcome.enrolled, false);
  assert.throws(() => Verifier.totp(new Totp(rfcSecret(20))).beginEnrollment(1n), TypeError);

  let state = r.state;
  let locked;
  for (let i = 0; i < 200 && !locked; i++) {
    const res = v.verify(state, '000000', 1000);
    state = res.state;
    if (res.outcome.reason === 'LOCKED') locked = res.outcome;
  }
  assert.ok(locked, 'repeated failures lock the device');
  assert.equal(typeof locked.until, 'number');
  assert.ok(locked.until > 1000);
  assert.equal(v.verify(state, hotp.code(8n), 1000).outcome.reason, 'LOCKED');
});
