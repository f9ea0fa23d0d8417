// Side-by-side speed in one Node run: otpkit (wasm) from JS vs otplib and otpauth
// (hectorm), and the core's own time for the same operations, TOTP SHA-1, 6 digits,
// 30 s. Fixed iteration counts; every side timed once per round, in a rotating order;
// the best round (min) and the median are kept.
//   bash bindings/js/bench/run.sh        (builds everything, then runs this)
//   node bindings/js/bench/bench.mjs     (after build.sh and npm ci: the JS libraries only)
// The core's own time, when run.sh passes it:
//   OTPKIT_CORE_WASM    glue of bench/core/wasm.rs: the same operations inside one wasm
//                       module, one call per batch (no JS boundary per operation)
//   OTPKIT_CORE_NATIVE  bench/core/native.rs, run once per round: the same operations
//                       natively, timed with Instant
import { execFileSync } from 'node:child_process';
import { Secret, Totp } from 'otpkit';
import { generateSync, verifySync } from 'otplib';
import * as OTPAuth from 'otpauth';

const N = Number(process.env.BENCH_N ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const base32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const first = 1_700_000_000;

const ours = new Totp(Secret.fromBase32(base32));
const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32) });

// 64 cases: a time, the previous step's code (so verify ±1 has to look behind) and a
// code of none of the window's three steps (the previous step's code plus 1, 2, ...),
// derived as bench/core/ops.rs derives them.
const cases = Array.from({ length: 64 }, (_, i) => {
  const t = first + i * 30;
  const window = [t - 30, t, t + 30].map((s) => Number(ours.codeAt(s)));
  let wrong = window[0];
  while (window.includes(wrong)) wrong = (wrong + 1) % 1_000_000;
  return { t, valid: ours.codeAt(t - 30), wrong: String(wrong).padStart(6, '0') };
});

// Every library must agree before it is timed.
for (const { t, valid, wrong } of cases.slice(0, 4)) {
  const a = ours.codeAt(t), b = generateSync({ secret: base32, epoch: t }), c = theirs.generate({ timestamp: t * 1000 });
  if (a !== b || a !== c) throw new Error(`libraries disagree at ${t}: ${a} ${b} ${c}`);
  if (ours.verify(valid, t, 1, 1)?.offset !== -1) throw new Error('otpkit verify');
  if (!verifySync({ secret: base32, token: valid, epoch: t, epochTolerance: 30 }).valid) throw new Error('otplib verify');
  if (theirs.validate({ token: valid, timestamp: t * 1000, window: 1 }) !== -1) throw new Error('otpauth verify');
  if (ours.verify(wrong, t, 1, 1) !== null) throw new Error('otpkit verify of the wrong code');
  if (verifySync({ secret: base32, token: wrong, epoch: t, epochTolerance: 30 }).valid) throw new Error('otplib verify of the wrong code');
  if (theirs.validate({ token: wrong, timestamp: t * 1000, window: 1 }) !== null) throw new Error('otpauth verify of the wrong code');
  if (ours.stepAt(t) !== theirs.counter({ timestamp: t * 1000 })) throw new Error('step');
}

// The core's own sides, checked to run on the same cases.
const core = {};
if (process.env.OTPKIT_CORE_WASM) {
  const { CoreBench } = await import(process.env.OTPKIT_CORE_WASM);
  core.wasm = new CoreBench();
  const mine = cases.map((c) => `${c.t} ${c.valid} ${c.wrong}\n`).join('');
  if (core.wasm.cases() !== mine) throw new Error('bench/core/ops.rs and bench.mjs have different cases');
}
const native = process.env.OTPKIT_CORE_NATIVE;
const runNative = () => JSON.parse(execFileSync(native, [String(N)], { encoding: 'utf8' }));

const ops = {
  'generate': {
    otpkit: ({ t }) => ours.codeAt(t),
    otplib: ({ t }) => generateSync({ secret: base32, epoch: t }),
    otpauth: ({ t }) => theirs.generate({ timestamp: t * 1000 }),
    core: 'generate',
  },
  'verify ±1, valid (previous step)': {
    otpkit: ({ t, valid }) => ours.verify(valid, t, 1, 1),
    otplib: ({ t, valid }) => verifySync({ secret: base32, token: valid, epoch: t, epochTolerance: 30 }),
    otpauth: ({ t, valid }) => theirs.validate({ token: valid, timestamp: t * 1000, window: 1 }),
    core: 'verify-valid',
  },
  'verify ±1, wrong': {
    otpkit: ({ t, wrong }) => ours.verify(wrong, t, 1, 1),
    otplib: ({ t, wrong }) => verifySync({ secret: base32, token: wrong, epoch: t, epochTolerance: 30 }),
    otpauth: ({ t, wrong }) => theirs.validate({ token: wrong, timestamp: t * 1000, window: 1 }),
    core: 'verify-wrong',
  },
  'step (time step of a Unix time)': {
    otpkit: ({ t }) => ours.stepAt(t),
    otpauth: ({ t }) => theirs.counter({ timestamp: t * 1000 }),
    core: 'step',
  },
};

// One batch of N calls; ns per call.
function batch(f) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) f(cases[i & 63]);
  return Number(process.hrtime.bigint() - start) / N;
}

function batchWasm(op) {
  const start = process.hrtime.bigint();
  core.wasm.run(op, N);
  return Number(process.hrtime.bigint() - start) / N;
}

const JS_SIDES = ['otpkit', 'otplib', 'otpauth'];
const samples = {}; // samples[op][side] = [ns per round]
for (const [name, libs] of Object.entries(ops)) {
  samples[name] = {};
  for (const side of JS_SIDES) if (libs[side]) { samples[name][side] = []; batch(libs[side]); } // warm-up
  if (core.wasm) { samples[name]['core wasm'] = []; batchWasm(libs.core); }
  if (native) samples[name]['core native'] = [];
}
for (let round = 0; round < ROUNDS; round++) {
  const nat = native ? runNative() : null;
  for (const [name, libs] of Object.entries(ops)) {
    const jobs = [];
    for (const side of JS_SIDES) if (libs[side]) jobs.push([side, () => batch(libs[side])]);
    if (core.wasm) jobs.push(['core wasm', () => batchWasm(libs.core)]);
    // Rotate the order each round so that no side always runs first.
    for (let j = 0; j < jobs.length; j++) {
      const [side, run] = jobs[(j + round) % jobs.length];
      samples[name][side].push(run());
    }
    if (nat) samples[name]['core native'].push(nat[libs.core]);
  }
}

const min = (xs) => Math.min(...xs);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const fmt = (x) => (x === undefined ? '—' : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(1)}x`);

const sides = ['otpkit', 'otplib', 'otpauth', ...(core.wasm ? ['core wasm'] : []), ...(native ? ['core native'] : [])];
for (const [label, stat] of [['best round (min)', min], ['median round', median]]) {
  console.log(`\nnode ${process.version}, ${N} iterations x ${ROUNDS} rounds, ${label}, ns/op`);
  console.log(`| operation | ${sides.join(' | ')} | otplib / otpkit | otpauth / otpkit |${core.wasm ? ' otpkit / core wasm |' : ''}${native ? ' otpkit / core native |' : ''}`);
  console.log(`| --- |${' ---: |'.repeat(sides.length + 2 + (core.wasm ? 1 : 0) + (native ? 1 : 0))}`);
  for (const name of Object.keys(ops)) {
    const v = Object.fromEntries(sides.map((s) => [s, samples[name][s] ? stat(samples[name][s]) : undefined]));
    const cells = sides.map((s) => fmt(v[s]));
    cells.push(ratio(v.otplib, v.otpkit), ratio(v.otpauth, v.otpkit));
    if (core.wasm) cells.push(ratio(v.otpkit, v['core wasm']));
    if (native) cells.push(ratio(v.otpkit, v['core native']));
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}
