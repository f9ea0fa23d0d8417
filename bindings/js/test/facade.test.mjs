// The package as a skin over otpkit-facade: custom policies, recovery codes, app
// backups and PSKC (parity with the other languages), the operation list, and
// type safety at the boundary (random wrong-typed calls never trap the module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as otpkit from 'otpkit';

const {
  Secret, Totp, Hotp, SteamGuard, Verifier, parseOtpauthUri, generateRecoveryCodes,
  verifyRecoveryCode, importAccounts, exportAccounts, importPskc, operations, importFormats,
  detectFormat,
  MigrationAssembler, checkPortability, checkPortabilityUri, encodeMigration, UserDevices,
} = otpkit;

const rfcSecret = () => Secret.fromBytes(new TextEncoder().encode('12345678901234567890'));

function throwsOtpkit(f, code, category) {
  let caught;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, 'OtpkitError', caught.message);
  assert.equal(caught.code, code, caught.message);
  if (category !== undefined) assert.equal(caught.category, category, caught.message);
  return caught;
}

test('a custom policy: fewer failures before a lock-out, options checked by name', () => {
  const hotp = new Hotp(rfcSecret());
  const strict = Verifier.hotp(hotp, { maxFailures: 2, lockoutBaseSecs: 60, lockoutMaxSecs: 600 });
  const lenient = Verifier.hotp(hotp);
  assert.ok(strict.worstCaseGuessProbability() <= lenient.worstCaseGuessProbability());
  const enrolled = strict.enroll(strict.beginEnrollment(), '755224', '287082', 0);
  assert.equal(enrolled.outcome.enrolled, true, enrolled.outcome.message);
  let state = enrolled.state;
  for (let i = 0; i < 2; i++) state = strict.verify(state, '000000', 10).state;
  const locked = strict.verify(state, hotp.code(2n), 10).outcome;
  assert.deepEqual([locked.accepted, locked.reason, locked.until], [false, 'LOCKED', 70]);
  // The default policy allows more failures: the same two do not lock.
  let open = lenient.enroll(lenient.beginEnrollment(), '755224', '287082', 0).state;
  for (let i = 0; i < 2; i++) open = lenient.verify(open, '000000', 10).state;
  assert.equal(lenient.verify(open, hotp.code(2n), 10).outcome.accepted, true);

  const e = throwsOtpkit(() => Verifier.totp(new Totp(rfcSecret()), { maxFailures: 0 }),
    'MAX_FAILURES_OUT_OF_RANGE', 'InvalidInput');
  assert.match(e.message, /^maxFailures must be/);
  const look = throwsOtpkit(() => Verifier.hotp(hotp, { hotpLookAhead: 10_000 }), 'POLICY_OUT_OF_RANGE');
  assert.match(look.message, /^hotpLookAhead must be/);
  assert.throws(() => Verifier.hotp(hotp, { max_failures: 3 }), { name: 'TypeError', message: /no option "max_failures"/ });
  assert.throws(() => Verifier.hotp(hotp, { maxFailures: '3' }), { name: 'TypeError', message: /policy.maxFailures must be a number/ });
  assert.throws(() => Verifier.hotp(hotp, 3), { name: 'TypeError', message: /policy must be an object/ });
});

test('recovery codes: a set, single use, a wrong code is an outcome', () => {
  const set = generateRecoveryCodes(4);
  assert.equal(set.codes.length, 4);
  assert.equal(String(set), '4 recovery codes');
  assert.equal(set.state.includes(set.codes[0].replaceAll('-', '')), false);
  const used = verifyRecoveryCode(set.state, set.codes[2].toLowerCase(), 100);
  assert.deepEqual([used.outcome.accepted, used.outcome.index, used.outcome.remaining], [true, 2, 3]);
  const again = verifyRecoveryCode(used.state, set.codes[2], 101);
  assert.deepEqual([again.outcome.accepted, again.outcome.reason], [false, 'REPLAYED']);
  assert.equal(String(again.outcome), 'the recovery code was already used');
  const wrong = verifyRecoveryCode(again.state, 'AAAA-AAAA-AAAA-AAAA', 102, { maxFailures: 2 });
  assert.equal(wrong.outcome.reason, 'CODE_MISMATCH');
  const locked = verifyRecoveryCode(wrong.state, set.codes[0], 103, { maxFailures: 2 });
  assert.equal(locked.outcome.reason, 'LOCKED');
  throwsOtpkit(() => verifyRecoveryCode('not a state', 'x', 0), 'NOT_A_STATE', 'Damaged');
  throwsOtpkit(() => generateRecoveryCodes(0), 'RECOVERY_COUNT_OUT_OF_RANGE');
});

const ACCOUNT = 'otpauth://totp/ACME:alice@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME';

test('app backups: an encrypted Aegis vault round trip, a wrong password asks again', () => {
  const a = parseOtpauthUri(ACCOUNT).account;
  const steam = parseOtpauthUri('otpauth://totp/Steam:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam').account;
  const vault = exportAccounts('aegis', [a, steam], 'correct horse');
  assert.equal(vault.output.length, 1);
  assert.equal(vault.output[0].includes(a.secret), false, 'the vault is encrypted');
  const back = importAccounts('aegis', vault.output[0], 'correct horse');
  assert.deepEqual(back.accounts, [a, steam]);
  assert.equal(String(back), '2 accounts imported, 0 entries refused');
  throwsOtpkit(() => importAccounts('aegis', vault.output[0], 'wrong'), 'WRONG_PASSWORD', 'Password');
  throwsOtpkit(() => importAccounts('aegis', new TextEncoder().encode(vault.output[0])), 'PASSWORD_REQUIRED', 'Password');
  // Google's export cannot carry Steam: it is left out with a note, never changed.
  const google = exportAccounts('google-migration', [a, steam]);
  assert.equal(google.notes.length, 1);
  assert.match(google.notes[0], /Steam/);
  assert.deepEqual(importAccounts('google-migration', google.output.join('\n')).accounts, [a]);
  const list = exportAccounts('otpauth-list', [a]);
  assert.deepEqual(importAccounts('otpauth-list', list.output[0]).accounts, [a]);
  throwsOtpkit(() => exportAccounts('2fas', [a]), 'UNKNOWN_FORMAT');
  throwsOtpkit(() => importAccounts('lotus-notes', ''), 'UNKNOWN_FORMAT');
  const junk = importAccounts('otpauth-list', 'otpauth://totp/x?secret=1\n');
  assert.equal(junk.entries[0].code, 'SECRET_INVALID_CHARACTER');
});

test('key derivation under a budget: too small a kdfBudget or kdfMemory is refused before any work', () => {
  const a = parseOtpauthUri(ACCOUNT).account;
  const vault = exportAccounts('aegis', [a], 'pw').output[0];
  assert.deepEqual(importAccounts('aegis', vault, 'pw', { kdfBudget: 1_000_000 }).accounts, [a]);
  const e = throwsOtpkit(() => importAccounts('aegis', vault, 'pw', { kdfBudget: 10 }), 'KDF_BUDGET', 'Unsupported');
  assert.match(e.message, /\(10 allowed\); if the file is trusted, allow more with a larger kdfBudget \(or kdfMemory\)$/);
  throwsOtpkit(() => importAccounts('aegis', vault, 'pw', { kdfMemory: 1024 }), 'KDF_BUDGET');
  assert.throws(() => importAccounts('aegis', vault, 'pw', { kdfBudget: '10' }),
    { name: 'TypeError', message: /options.kdfBudget must be a number/ });
  assert.throws(() => importAccounts('aegis', vault, 'pw', { budget: 10 }), { name: 'TypeError', message: /no option "budget"/ });
  const xml = readFileSync(new URL('../../../crates/otpkit-pskc/tests/data/rfc6030-figure-7.xml', import.meta.url));
  throwsOtpkit(() => importPskc(xml.toString(), { password: 'qwerty', kdfBudget: 0 }), 'KDF_BUDGET');
});

test('a Google export of several QR codes, scanned in any order, twice, assembled', () => {
  const accounts = Array.from({ length: 12 }, (_, i) =>
    parseOtpauthUri(`otpauth://totp/ACME:user${i}?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME`).account);
  const uris = encodeMigration(accounts, 10);
  assert.equal(uris.length, 2);
  const asm = new MigrationAssembler();
  assert.deepEqual([asm.batchSize(), asm.isComplete(), String(asm)], [undefined, false, 'MigrationAssembler(no QR code yet)']);
  assert.equal(asm.add(uris[1]), true);
  assert.deepEqual([asm.missing(), asm.batchSize(), String(asm)], [[0], 2, 'MigrationAssembler(1 of 2 QR codes)']);
  assert.equal(asm.add(uris[1]), false, 'the same QR code again');
  assert.equal(asm.add(uris[0]), true);
  assert.equal(asm.isComplete(), true);
  const all = asm.finish();
  assert.deepEqual([all.accounts, all.missingBatches], [accounts, []]);
  throwsOtpkit(() => asm.add(ACCOUNT), 'NOT_MIGRATION_URI', 'InvalidInput');
  assert.throws(() => asm.add(42), { name: 'TypeError', message: /uri must be a string/ });
});

test('portability: which apps would mishandle an account, with sources', () => {
  const sha256 = parseOtpauthUri(`${ACCOUNT}&algorithm=SHA256`).account;
  const found = checkPortability(sha256);
  assert.deepEqual(found.map((f) => f.app), ['MICROSOFT_AUTHENTICATOR', 'AUTHY', 'GOOGLE_AUTHENTICATOR']);
  assert.ok(found.every((f) => f.problem === 'ALGORITHM_IGNORED' && f.sources.length > 0));
  assert.equal(String(found[1]), found[1].message);
  assert.deepEqual(checkPortability(parseOtpauthUri(ACCOUNT).account), []);
  assert.ok(checkPortabilityUri(`${ACCOUNT}&algorithm=sha256`).some((f) => f.problem === 'LOWERCASE_ALGORITHM'));
  const e = throwsOtpkit(() => checkPortabilityUri('https://example.com'), 'NOT_OTPAUTH_URI');
  assert.match(e.message, /^invalid otpauth URI: /);
  assert.throws(() => checkPortability('otpauth://totp/x'), TypeError);
});

test('PSKC: RFC 6030 figure 7 with its password, a wrong one is a Password error', () => {
  const xml = readFileSync(new URL('../../../crates/otpkit-pskc/tests/data/rfc6030-figure-7.xml', import.meta.url));
  const [key] = importPskc(new Uint8Array(xml), { password: 'qwerty' });
  assert.equal(key.protection, 'macChecked');
  assert.equal(key.account.type, 'hotp');
  assert.equal(new Hotp(Secret.fromBase32(key.account.secret)).code(0n), new Hotp(rfcSecret()).code(0n));
  throwsOtpkit(() => importPskc(xml.toString(), { password: 'qwertz' }), 'WRONG_KEY_OR_PASSWORD', 'Password');
  throwsOtpkit(() => importPskc(xml.toString()), 'PASSWORD_REQUIRED', 'Password');
  throwsOtpkit(() => importPskc(xml.toString(), { password: 'a', preSharedKey: new Uint8Array(16) }), 'KEY_AND_PASSWORD');
  assert.throws(() => importPskc(xml.toString(), { pass: 'x' }), TypeError);
});

// Operations of the facade that JavaScript does not expose, each with why (none now).
const NOT_IN_JS = new Map();

// Facade operations JavaScript spells otherwise: a static constructor is `new`.
const RENAMED = new Map([['UserDevices.open', 'UserDevices.new']]);

test('every operation left out of JS or renamed is an operation of the facade, with why', () => {
  const names = new Set(operations().map((o) => o.name));
  for (const [name, why] of NOT_IN_JS) {
    assert.ok(names.has(name), `${name} is in NOT_IN_JS but is no operation`);
    assert.ok(why.length > 0, name);
  }
  for (const name of RENAMED.keys()) assert.ok(names.has(name), `${name} is in RENAMED but is no operation`);
  assert.equal(typeof otpkit.UserDevices, 'function');
});

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

test('every operation of the facade is exported (runtime and TypeScript declarations)', () => {
  const dts = readFileSync(new URL('../pkg/node/otpkit_wasm.d.ts', import.meta.url), 'utf8');
  const ops = operations();
  assert.ok(ops.length >= 40, `${ops.length} operations`);
  const missing = [];
  for (const { name, description } of ops) {
    assert.ok(description.length > 0, name);
    if (NOT_IN_JS.has(name)) continue;
    const js = RENAMED.get(name) ?? name;
    const [owner, member] = js.includes('.') ? js.split('.') : [null, js];
    let found;
    let declared;
    if (owner === null) {
      found = typeof otpkit[camel(member)] === 'function';
      declared = dts.includes(`export function ${camel(member)}(`);
    } else if (member === 'new') {
      found = typeof otpkit[owner] === 'function';
      declared = dts.includes(`export class ${owner} {`) && /constructor\(/.test(dts);
    } else {
      const cls = otpkit[owner];
      found = typeof cls?.[camel(member)] === 'function' || typeof cls?.prototype?.[camel(member)] === 'function';
      declared = new RegExp(`\\b${camel(member)}\\(`).test(dts);
    }
    if (!found || !declared) missing.push(name);
  }
  assert.deepEqual(missing, [], 'operations missing from the JS package (add them, or list them in NOT_IN_JS with why)');
});

// A small seeded PRNG (mulberry32): the same calls on every run.
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('1,000 random wrong-typed calls throw TypeError, RangeError or OtpkitError, never trap', () => {
  const random = prng(20261206);
  const secret = rfcSecret();
  const totp = new Totp(secret);
  const hotp = new Hotp(secret);
  const steam = new SteamGuard(secret);
  const verifier = Verifier.totp(totp);
  const users = new UserDevices('memory:', 'k1', new Uint8Array(32));
  const values = [undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, 2 ** 60, 123456, 30,
    '', 'x', '123456', 'SHA1', 'aegis', 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP', 5n, -1n, 2n ** 70n,
    {}, [], [1, 2], [{}], { maxFailures: 'x' }, new Uint8Array(3), new Uint8Array(20), () => 1,
    Symbol('s'), secret, totp, hotp, verifier, new Date(0)];
  // Every exported function, static method and prototype method (wasm-bindgen's own
  // internals, `free` and constructors aside), with the object it is called on.
  const targets = [];
  const instances = {
    Secret: secret, Totp: totp, Hotp: hotp, SteamGuard: steam, Verifier: verifier, UserDevices: users,
    MigrationAssembler: new MigrationAssembler(),
  };
  const skip = (n) => n.startsWith('__') || ['constructor', 'free', 'length', 'name', 'prototype'].includes(n);
  for (const [name, value] of Object.entries(otpkit)) {
    if (typeof value !== 'function' || name === 'default' || name === 'initSync') continue;
    const isClass = /^[A-Z]/.test(name);
    if (!isClass) { targets.push({ label: name, call: (args) => value(...args) }); continue; }
    assert.ok(name in instances || Object.getOwnPropertyNames(value.prototype).every(skip),
      `${name} has methods but no instance in the random calls`);
    targets.push({ label: `new ${name}`, call: (args) => new value(...args) });
    for (const m of Object.getOwnPropertyNames(value)) {
      if (skip(m) || typeof Object.getOwnPropertyDescriptor(value, m).value !== 'function') continue;
      targets.push({ label: `${name}.${m}`, call: (args) => value[m](...args) });
    }
    for (const m of Object.getOwnPropertyNames(value.prototype)) {
      if (skip(m) || typeof Object.getOwnPropertyDescriptor(value.prototype, m).value !== 'function') continue;
      targets.push({ label: `${name}#${m}`, call: (args) => instances[name][m](...args) });
    }
  }
  assert.ok(targets.length > 50, `${targets.length} call targets`);
  const pick = (a) => a[Math.floor(random() * a.length)];
  const seen = { value: 0, TypeError: 0, RangeError: 0, OtpkitError: 0 };
  for (let i = 0; i < 1000; i++) {
    const target = pick(targets);
    const args = Array.from({ length: Math.floor(random() * 5) }, () => pick(values));
    const label = `call ${i}: ${target.label}(${args.map((a) => typeof a).join(', ')})`;
    try {
      target.call(args);
      seen.value++;
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `${label} trapped: ${e}`);
      const kind = e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'RangeError' : e?.name;
      assert.ok(['TypeError', 'RangeError', 'OtpkitError'].includes(kind), `${label} threw ${kind}: ${e?.message}`);
      if (kind === 'OtpkitError') assert.match(e.code, /^[A-Z0-9_]+$/, label);
      seen[kind]++;
    }
  }
  // The module is still whole, and every kind of answer was seen.
  assert.equal(new Totp(rfcSecret(), 'SHA1', 8).codeAt(59), '94287082');
  for (const [k, n] of Object.entries(seen)) assert.ok(n > 0, `${k}: ${n} of 1000`);
});

test('the calls that used to trap are TypeErrors naming the argument', () => {
  const totp = new Totp(rfcSecret());
  const v = Verifier.totp(totp);
  const st = v.beginEnrollment();
  assert.throws(() => v.verify(st, 123456, 0), { name: 'TypeError', message: 'code must be a string' });
  assert.throws(() => Secret.fromBase32(12345), { name: 'TypeError', message: 'text must be a string' });
  assert.throws(() => v.enroll(st, 1, 2, 0), { name: 'TypeError', message: 'code1 must be a string' });
  assert.throws(() => new Totp('JBSWY3DPEHPK3PXP'), { name: 'TypeError', message: 'secret must be a Secret' });
  assert.throws(() => Verifier.totp(new Hotp(rfcSecret())), { name: 'TypeError', message: 'totp must be a Totp' });
  assert.throws(() => Secret.fromBytes('12345678901234567890'), { name: 'TypeError', message: 'bytes must be a Uint8Array' });
  assert.throws(() => totp.codeAt('59'), { name: 'TypeError', message: 'unixTime must be a number' });
});

test('importFormats lists every format, as the ImportFormat type does; detectFormat names a file\'s', () => {
  const formats = importFormats();
  assert.ok(formats.includes('aegis') && !formats.includes('pskc'), String(formats));
  const dts = readFileSync(new URL('../pkg/node/otpkit_wasm.d.ts', import.meta.url), 'utf8');
  const union = dts.match(/export type ImportFormat = ([^;]+);/)[1];
  assert.deepEqual(union.split('|').map((s) => s.trim().replace(/"/g, '')), formats);
  const data = (name) => readFileSync(new URL(`../../../crates/otpkit-transfer/tests/data/${name}`, import.meta.url));
  for (const [name, format] of [['aegis_plain.json', 'aegis'], ['twofas_plain.2fas', '2fas'],
    ['authpro_plain.json', 'authenticator-pro'], ['otpauth_list.txt', 'otpauth-list']]) {
    assert.equal(detectFormat(new Uint8Array(data(name))), format, name);
    assert.equal(detectFormat(data(name).toString()), format, name);
    assert.ok(importAccounts(detectFormat(data(name).toString()), data(name).toString()).accounts.length > 0);
  }
  assert.equal(detectFormat(new Uint8Array(data('andotp_encrypted.bin'))), undefined);
  assert.equal(detectFormat('my accounts'), undefined);
  const xml = readFileSync(new URL('../../../crates/otpkit-pskc/tests/data/rfc6030-figure-3.xml', import.meta.url));
  assert.equal(detectFormat(xml.toString()), 'pskc');
  assert.throws(() => detectFormat(12), TypeError);
});
