// One operation N times, for instruction counts under callgrind: the difference
// between two N divided by their difference is the instructions of one call, free of
// start-up and compilation (docs/benchmarks.md, JavaScript section).
//   node bench/count.mjs SIDE OP N     SIDE: otpkit | core (needs OTPKIT_CORE_WASM)
//                                      OP: generate | verify-valid | verify-wrong | step
import { Secret, Totp } from 'otpkit';

const [side, op, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const first = 1_700_000_000;
const ours = new Totp(Secret.fromBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'));
const cases = Array.from({ length: 64 }, (_, i) => {
  const t = first + i * 30;
  const window = [t - 30, t, t + 30].map((s) => Number(ours.codeAt(s)));
  let wrong = window[0];
  while (window.includes(wrong)) wrong = (wrong + 1) % 1_000_000;
  return { t, valid: ours.codeAt(t - 30), wrong: String(wrong).padStart(6, '0') };
});

if (side === 'core') {
  const { CoreBench } = await import(process.env.OTPKIT_CORE_WASM);
  new CoreBench().run(op, n);
} else if (side === 'otpkit') {
  const f = {
    'generate': ({ t }) => ours.codeAt(t),
    'verify-valid': ({ t, valid }) => ours.verify(valid, t, 1, 1),
    'verify-wrong': ({ t, wrong }) => ours.verify(wrong, t, 1, 1),
    'step': ({ t }) => ours.stepAt(t),
  }[op];
  if (!f) throw new Error(`unknown operation ${op}`);
  for (let i = 0; i < n; i++) f(cases[i & 63]);
} else {
  throw new Error('usage: node bench/count.mjs otpkit|core OP N');
}
