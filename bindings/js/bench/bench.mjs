// Side-by-side speed in one Node run: otpkit (wasm) vs otplib and otpauth (hectorm),
// TOTP SHA-1, 6 digits, 30 s. Fixed iteration counts; ns/op and ratios to otpkit.
//   node bindings/js/bench/bench.mjs        (after bindings/js/build.sh and npm ci)
import { Secret, Totp } from 'otpkit';
import { generateSync, verifySync } from 'otplib';
import * as OTPAuth from 'otpauth';

const N = Number(process.env.BENCH_N ?? 20000);
const ROUNDS = 5;
const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const t0 = 1_700_000_000;

const ours = new Totp(Secret.fromBase32(base32));
const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32) });

// Codes from the previous step, so verify ±1 has to look behind.
const prev = (t) => ours.codeAt(t - 30);
const codes = Array.from({ length: 64 }, (_, i) => [t0 + i * 30, prev(t0 + i * 30)]);

// Every library must agree before it is timed.
for (const [t, code] of codes.slice(0, 4)) {
  const a = ours.codeAt(t), b = generateSync({ secret: base32, epoch: t }), c = theirs.generate({ timestamp: t * 1000 });
  if (a !== b || a !== c) throw new Error(`libraries disagree at ${t}: ${a} ${b} ${c}`);
  if (ours.verify(code, t, 1, 1).offset !== -1) throw new Error('otpkit verify');
  if (!verifySync({ secret: base32, token: code, epoch: t, epochTolerance: 30 }).valid) throw new Error('otplib verify');
  if (theirs.validate({ token: code, timestamp: t * 1000, window: 1 }) !== -1) throw new Error('otpauth verify');
}

const cases = {
  'generate': {
    otpkit: (t) => ours.codeAt(t),
    otplib: (t) => generateSync({ secret: base32, epoch: t }),
    otpauth: (t) => theirs.generate({ timestamp: t * 1000 }),
  },
  'verify ±1 (code of the previous step)': {
    otpkit: (t, code) => ours.verify(code, t, 1, 1),
    otplib: (t, code) => verifySync({ secret: base32, token: code, epoch: t, epochTolerance: 30 }),
    otpauth: (t, code) => theirs.validate({ token: code, timestamp: t * 1000, window: 1 }),
  },
};

function time(f) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const [t, code] = codes[i & 63];
      f(t, code);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / N);
  }
  return best;
}

console.log(`node ${process.version}, ${N} iterations x ${ROUNDS} rounds (best round), ns/op`);
console.log('| operation | otpkit (wasm) | otplib | otpauth | otplib / otpkit | otpauth / otpkit |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [name, libs] of Object.entries(cases)) {
  for (const f of Object.values(libs)) time(f); // warm-up
  const [a, b, c] = Object.values(libs).map(time);
  console.log(`| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${c.toFixed(0)} | ${(b / a).toFixed(1)}x | ${(c / a).toFixed(1)}x |`);
}
