// bindings/js/README.md's examples, run: the README cannot drift from the package.
//
// The ```js block is read from the README (never copied here) and run as a module
// against the built package, with the values the user would supply bound to real
// ones: `code1`/`code2` are the two consecutive codes the phone shows for the block's
// own `secret` (the previous step's and the current one), `typed` the code it shows
// next (fresh after enrolment), `uri` an otpauth:// URI of RFC 6238's SHA-1 seed. The
// block's results are exported and checked: it enrols, accepts the sign-in and
// computes the URI's code. The only change made to the block: `from 'otpkit'` becomes
// the package's resolved URL, as the module runs from a temporary directory.
// A ```sh block that cannot run here says so in its info string (```sh no-run); its
// commands must still be the ones test.sh runs. Any other block fails this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Secret, Totp, unixNow } from 'otpkit';
import { fencedBlocks } from '../../../scripts/fenced-blocks.mjs';

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');

const blocks = fencedBlocks(readme);

test('the fence parser finds blocks as CommonMark does', () => {
  const b = fencedBlocks('a\n```sh no-run\nx\n````\n  ~~~~text\n  y\n   z\n  ~~~~\n```not a fence`\n');
  assert.deepEqual(b.map(({ line, info, body }) => [line, info, body]),
    [[2, 'sh no-run', 'x\n'], [5, 'text', 'y\n z\n']]);
});

test('every README block is run or marked no-run', () => {
  for (const b of blocks) {
    assert.ok(b.info === 'js' || b.info === 'sh no-run',
      `README.md line ${b.line}: a \`\`\`${b.info} block this test does not run; run it here, or mark a shell block that cannot run in a test \`\`\`sh no-run`);
  }
  assert.equal(blocks.filter((b) => b.info === 'js').length, 1, '```js blocks');
  assert.equal(blocks.filter((b) => b.info === 'sh no-run').length, 1, '```sh no-run blocks');
});

test('the no-run build block is what test.sh does', () => {
  const script = readFileSync(new URL('../test.sh', import.meta.url), 'utf8');
  const block = blocks.find((b) => b.info === 'sh no-run');
  for (const raw of block.body.split('\n')) {
    const command = raw.replace(/#.*$/, '').trim();
    if (command === '' || command === 'bindings/js/test.sh') continue;
    // `<wasm-bindgen's version in Cargo.lock>` stands for any one word.
    const pattern = command.replace(/^bindings\/js\//, '').split(/(<[^>]*>)/)
      .map((part) => (part.startsWith('<') ? '\\S+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    assert.match(script, new RegExp(pattern), `README.md: \`${command}\` is not what test.sh runs`);
  }
});

test('the README\'s ```js example enrols, signs in and reads a URI', async () => {
  const block = blocks.find((b) => b.info === 'js');
  const packageUrl = import.meta.resolve('otpkit');
  const source = block.body.replaceAll(/from 'otpkit'/g, `from '${packageUrl}'`);
  assert.notEqual(source, block.body, 'the example imports from \'otpkit\'');
  const seed = Secret.fromBytes(new TextEncoder().encode('12345678901234567890'));
  const uri = `otpauth://totp/Example:alice@example.com?secret=${seed.base32()}&issuer=Example`;
  const module = [
    '// Bound by readme.test.mjs: what the user types, read when the example uses them.',
    `import { Totp as TestTotp, unixNow as testNow } from '${packageUrl}';`,
    'const testStep = (k) => { const t = new TestTotp(secret); return t.codeAtStep(t.stepAt(testNow()) + k); };',
    'Object.defineProperties(globalThis, {',
    '  code1: { get: () => testStep(-1), configurable: true },',
    '  code2: { get: () => testStep(0), configurable: true },',
    '  typed: { get: () => testStep(1), configurable: true },',
    '});',
    `const uri = ${JSON.stringify(uri)};`,
    source,
    'export { secret, enrolled, state, outcome, next, account, warnings, code, recovery, used };',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'otpkit-js-readme-'));
  const file = join(dir, 'readme-example.mjs');
  writeFileSync(file, module);
  const logged = [];
  const log = console.log;
  console.log = (...args) => logged.push(args.join(' '));
  let r;
  try {
    r = await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    for (const name of ['code1', 'code2', 'typed']) delete globalThis[name];
    rmSync(dir, { recursive: true, force: true });
  }
  // The secret is shown in groups of four.
  assert.deepEqual(logged, [r.secret.base32Grouped()]);
  assert.match(logged[0], /^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
  assert.equal(r.enrolled.enrolled, true, r.enrolled.message);
  assert.equal(typeof r.state, 'string');
  assert.equal(r.outcome.accepted, true, r.outcome.message);
  assert.notEqual(r.next, r.state, 'the sign-in moved the state on');
  assert.equal(r.recovery.codes.length, 10);
  assert.equal(r.used.outcome.accepted, true, r.used.outcome.message);
  assert.equal(r.used.outcome.remaining, 9);
  assert.equal(r.account.name, 'alice@example.com');
  assert.deepEqual(r.warnings, []);
  // The URI's code: RFC 6238's seed, now (or a step later if the clock just ticked).
  const rfc = new Totp(seed);
  const now = unixNow();
  assert.ok([rfc.codeAt(now), rfc.codeAt(now - 30)].includes(r.code), r.code);
});
