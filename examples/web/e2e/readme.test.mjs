// examples/web/README.md's run command, run: the README's ```sh block is read from the
// file (never copied here), its `cargo run …` line is run as written but for the port
// (a free one instead of the README's, which may be taken on the machine running the
// tests), and the lines the README shows under it as `# …` comments must be the first
// lines the server prints, with that port (`…` in the README stands for any text).
// Then the page the README says to open must answer.
//
// Needs cargo on PATH; e2e/test.sh has built the server already, so `cargo run` only
// starts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fencedBlocks } from '../../../scripts/fenced-blocks.mjs';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the README has one block, the run command, and nothing else to run', () => {
  const blocks = fencedBlocks(readme);
  assert.deepEqual(blocks.map((b) => b.info), ['sh'],
    'a new block in examples/web/README.md needs a check in e2e/readme.test.mjs');
});

test('the README\'s cargo run command starts the server and prints what the README shows', async () => {
  const [block] = fencedBlocks(readme).filter((b) => b.info === 'sh');
  const [command, ...rest] = block.lines.filter((l) => l.trim() !== '');
  const shown = rest.map((l) => {
    assert.match(l, /^# /, `README.md line ${block.line}: after the command, only the lines it prints (as # comments)`);
    return l.slice(2);
  });
  assert.ok(shown.length > 0, 'the README shows what the server prints');
  const words = command.trim().split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ['cargo', 'run'], command);
  const readmePort = words[words.indexOf('--port') + 1];
  assert.match(readmePort ?? '', /^\d+$/, `${command}: --port N`);
  const port = String(await freePort());
  const args = words.slice(1).map((w) => (w === readmePort ? port : w));
  const expected = shown.map((l) =>
    new RegExp(`^${l.split('…').map((part) => escape(part.replaceAll(readmePort, port))).join('.*')}$`));

  const env = { ...process.env };
  delete env.OTPKIT_WEB_SEALING_KEY; // the README's run has none
  const child = spawn('cargo', args, { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    // Wait for as many lines as the README shows (cargo's own lines go to stderr).
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output in time:\n${stdout}\n${stderr}`)), 300_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.split('\n').length > shown.length) { clearTimeout(timer); resolve(); }
      });
      exited.then((status) => { clearTimeout(timer); reject(new Error(`exited (${status}):\n${stdout}\n${stderr}`)); });
    });
    const printed = stdout.split('\n').slice(0, shown.length);
    printed.forEach((line, i) =>
      assert.match(line, expected[i], `README.md line ${block.line}: the server printed ${JSON.stringify(line)}, the README shows ${JSON.stringify(shown[i])}`));
    // "Open http://127.0.0.1:PORT/": the page answers.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Create account/, 'the page offers to create an account');
  } finally {
    // cargo and the server in its process group; the server stops on SIGINT (ctrl-c).
    try { process.kill(-child.pid, 'SIGINT'); } catch { /* already gone */ }
    await exited;
  }
});
