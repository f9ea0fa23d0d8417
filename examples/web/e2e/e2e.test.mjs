// Drives the web example (examples/web) in headless Chromium (Debian's, through
// playwright-core) the way a person with a phone would: create an account, name a
// device, read the secret key off the "Set up virtual MFA device" page, type two
// consecutive codes, add a second named device; sign in with the password and then,
// on the next page, a code of either device (any, or the one chosen); see a replayed
// code refused, resync, see the account's security events, get locked out, see that
// an account named `root` is no administrator, have the administrator (the holder of
// the token in --admin-token-file) clear the lock-out; tick "remember this browser",
// sign in again without a code, present the old (copied) remember cookie and see it
// refused as revoked; remove the devices. Codes come from the core
// through the CLI (`otpkit code`), never from JavaScript. The enrolment and sign-in
// pages are also laid out on a 390 x 844 phone screen, where nothing may be wider
// than the screen. Screenshots are kept in target/web-e2e/: assign-mfa.png, and
// assign-mfa-390.png, devices-390.png, events-390.png, signin-390.png,
// signin-error-390.png, signin-mfa-390.png.
//
// Needs target/debug/otpkit-web and target/debug/otpkit (or OTPKIT_WEB_BIN, OTPKIT_BIN):
//   cargo build -p otpkit-web-example -p otpkit-cli && (cd examples/web/e2e && npm ci && npm test)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const serverBin = process.env.OTPKIT_WEB_BIN ?? join(repo, 'target', 'debug', 'otpkit-web');
const cliBin = process.env.OTPKIT_BIN ?? join(repo, 'target', 'debug', 'otpkit');
const artefacts = join(repo, 'target', 'web-e2e');
// OTPKIT_WEB_STORE=postgres://… or redis://… (a server built with that feature) runs
// the same flow on a shared store; names then get a suffix, since the store outlives
// the server's in-memory accounts.
const store = process.env.OTPKIT_WEB_STORE;
const suffix = store ? `-${Date.now().toString(36)}` : '';
const alice = `alice${suffix}`;
const root = `root${suffix}`;

/** The TOTP code at Unix time `t` for the Base32 `secret`, from the core (secret on stdin). */
function code(secret, t) {
  return execFileSync(cliBin, ['code', '--secret', '-', '--time', String(t)], { input: secret })
    .toString().trim();
}

/**
 * Starts the server on a free port with a new administrator token file in `dir`;
 * resolves with its URL, the process, its output and the token.
 */
function startServer(dir) {
  const tokenFile = join(dir, 'admin-token');
  const child = spawn(serverBin, ['--port', '0', '--admin-token-file', tokenFile, ...(store ? ['--store', store] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { text: '' };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.text}`)), 20_000);
    const read = (chunk) => {
      output.text += chunk;
      const m = output.text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output, token: readFileSync(tokenFile, 'utf8').trim() });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (status) => reject(new Error(`server exited (${status}):\n${output.text}`)));
  });
}

test('the AWS virtual-MFA flow in headless Chromium', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otpkit-web-e2e-'));
  const { child, url, output, token } = await startServer(dir).catch((e) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const profile = join(dir, 'chromium');
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    assert.match(token, /^[0-9a-f]{64}$/, 'a new token file holds 256 random bits in hex');
    const page = await browser.newPage();
    const password = 'correct horse battery';
    const path = () => new URL(page.url()).pathname;
    // Page 1: the user name and password. Page 2 (only with an enrolled device):
    // the code.
    const signInPassword = async (user, pw) => {
      await page.goto(`${url}/`);
      await page.fill('#signin-user', user);
      await page.fill('#signin-password', pw);
      await page.click('#signin');
    };
    const enterCode = async (otp) => {
      await page.fill('#mfa-code', otp);
      await page.click('#mfa-submit');
    };
    const signIn = async (user, pw, otp) => {
      await signInPassword(user, pw);
      if (path() === '/signin/mfa') await enterCode(otp);
    };
    // The page as a 390 x 844 phone shows it: nothing wider than the screen (no
    // sideways scrolling); a screenshot in the artefacts.
    const onAPhone = async (label) => {
      const wide = page.viewportSize();
      await page.setViewportSize({ width: 390, height: 844 });
      const { scrollWidth, tooWide } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        tooWide: [...document.querySelectorAll('body *')]
          .filter((e) => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.left < 0 || r.right > 390);
          })
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} (${Math.round(e.getBoundingClientRect().width)} px)`),
      }));
      assert.ok(scrollWidth <= 390, `${label}: ${scrollWidth} px wide on a 390 px screen`);
      assert.deepEqual(tooWide, [], `${label}: elements beyond a 390 px screen`);
      mkdirSync(artefacts, { recursive: true });
      await page.screenshot({ path: join(artefacts, `${label}-390.png`), fullPage: true });
      await page.setViewportSize(wide);
    };
    const signOut = async () => {
      await page.click('#signout');
      assert.equal(await page.textContent('#notice'), 'Signed out.');
    };
    const whoami = async () => (await page.$('#whoami')) ? page.textContent('#whoami') : null;

    // Names a device on the name form; resolves with the secret its page shows.
    const nameDevice = async (name) => {
      assert.equal(path(), '/mfa/assign');
      assert.equal(await page.textContent('h1'), 'Set up virtual MFA device');
      await page.fill('#device-name', name);
      await page.click('#device-name-submit');
      assert.equal(path(), '/mfa/assign');
      assert.equal(await page.textContent('#device'), name);
      return (await page.textContent('#secret-key')).trim();
    };

    // Create an account: straight to "Set up virtual MFA device", which asks for
    // the device's name first.
    await page.goto(`${url}/`);
    await onAPhone('signin');
    await page.fill('#signup-user', alice);
    await page.fill('#signup-password', password);
    await page.click('#signup');
    const secret = await nameDevice('phone');
    assert.match(secret, /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/, 'a 160-bit key in groups of four');
    assert.ok(await page.$('#qr svg'), 'the QR code is an inline SVG');
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, 'assign-mfa.png'), fullPage: true });
    await onAPhone('assign-mfa');
    // On the phone, the key wraps between its groups of four.
    await page.setViewportSize({ width: 390, height: 844 });
    const keyLines = await page.evaluate(() => {
      const key = document.getElementById('secret-key');
      return Math.round(key.getBoundingClientRect().height / parseFloat(getComputedStyle(key).lineHeight));
    });
    assert.ok(keyLines >= 2, `the key on a phone takes ${keyLines} line(s)`);
    await page.setViewportSize({ width: 1280, height: 720 });

    // The session cookie: not readable by scripts, not sent by other sites.
    const [cookie] = await browser.cookies(url);
    assert.equal(cookie.name, 'otpkit_sid');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');

    // A wrong pair is refused; the retry shows the same secret.
    const t = Math.floor(Date.now() / 1000);
    const at = (k) => code(secret, t + 30 * k);
    const wrong = at(0) === '000000' ? '999999' : '000000';
    await page.fill('#code1', wrong);
    await page.fill('#code2', at(0));
    await page.click('#assign-submit');
    assert.match(await page.textContent('#error'), /^The first code is not right/);
    assert.equal((await page.textContent('#secret-key')).trim(), secret);

    // Two consecutive codes assign the device.
    await page.fill('#code1', at(-1));
    await page.fill('#code2', at(0));
    await page.click('#assign-submit');
    assert.match(await page.textContent('#notice'), /^MFA device assigned/);
    assert.equal(await page.textContent('#mfa-status'), 'Virtual MFA device assigned.');

    // A second device, named as the AWS console asks; both are listed.
    await page.click('#assign');
    const tabletSecret = await nameDevice('Work tablet');
    const tb = (k) => code(tabletSecret, t + 30 * k);
    await page.fill('#code1', tb(-1));
    await page.fill('#code2', tb(0));
    await page.click('#assign-submit');
    assert.match(await page.textContent('#notice'), /^MFA device assigned/);
    assert.equal(await page.textContent('#mfa-status'), '2 virtual MFA devices assigned.');
    for (const name of ['phone', 'Work tablet']) {
      const row = `tr[data-device="${name}"]`;
      assert.equal(await page.textContent(`${row} .name`), name);
      assert.equal(await page.textContent(`${row} .kind`), 'Virtual MFA device (TOTP)');
      assert.equal(await page.textContent(`${row} .enrolled`), 'yes');
      assert.match(await page.textContent(`${row} .added`), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    }
    await onAPhone('devices');
    await signOut();

    // The password, then the next code on a page of its own, signs in; the same
    // code again is a replay.
    await signInPassword(alice, password);
    assert.equal(path(), '/signin/mfa');
    assert.equal(await page.textContent('h1'), 'Multi-factor authentication');
    assert.equal(await page.textContent('#mfa-user'), alice);
    assert.equal(await whoami(), null, 'signed in to nothing before the code');
    await onAPhone('signin-mfa');
    await enterCode(at(1));
    assert.equal(await whoami(), alice);
    assert.equal(await page.textContent('#signed-in-device'), 'phone', 'the page says which device matched');
    await signOut();
    await signIn(alice, password, at(1));
    assert.match(await page.textContent('#error'), /^That code was used already/);
    assert.equal(await whoami(), null);
    // A wrong password is refused before any code is asked for; the name stays
    // in the form, the password does not.
    await signInPassword(alice, 'not the password');
    assert.equal(path(), '/signin');
    assert.equal(await page.textContent('#error'), 'Wrong user name or password.');
    assert.equal(await page.inputValue('#signin-user'), alice);
    assert.equal(await page.inputValue('#signin-password'), '');
    await onAPhone('signin-error');

    // Resync with two consecutive codes from a clock running ahead.
    await signIn(alice, password, at(2));
    assert.equal(await whoami(), alice);
    await page.click('a[data-resync="phone"]');
    assert.equal(await page.textContent('#device'), 'phone');
    await page.fill('#code1', at(4));
    await page.fill('#code2', at(5));
    await page.click('#resync-submit');
    assert.equal(await page.textContent('#notice'), 'MFA device resynchronised.');
    await signOut();

    // The tablet chosen on the code's page: its code signs in, and the page says so.
    await signInPassword(alice, password);
    await page.selectOption('#mfa-device', 'Work tablet');
    await enterCode(tb(1));
    assert.equal(await whoami(), alice);
    assert.equal(await page.textContent('#signed-in-device'), 'Work tablet');

    // The security events: kind, device, time, reason; never a code.
    await page.click('#events');
    assert.equal(await page.textContent('h1'), 'Security events');
    await onAPhone('events');
    const events = await page.$$eval('#security-events tr[data-kind]', (rows) => rows.map((r) => ({
      kind: r.dataset.kind,
      device: r.querySelector('.device').textContent,
      reason: r.querySelector('.reason').textContent,
      time: r.querySelector('.time').textContent,
    })));
    assert.deepEqual(events[0], { ...events[0], kind: 'sign_in_accepted', device: 'Work tablet', reason: '' });
    assert.match(events[0].time, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.ok(events.some((e) => e.kind === 'sign_in_replayed' && e.device === 'phone' && e.reason === 'used before'),
      JSON.stringify(events));
    assert.ok(events.some((e) => e.kind === 'resynced' && e.device === 'phone'));
    assert.ok(events.some((e) => e.kind === 'enrollment_completed' && e.device === 'Work tablet'));
    const eventsText = await page.textContent('body');
    for (const k of [-1, 0, 1, 2, 4, 5]) assert.equal(eventsText.includes(at(k)), false, 'a code on the events page');
    await signOut();

    // Wrong codes on the code's page lock the device; then even the right code is
    // refused.
    await signInPassword(alice, password);
    let error = '';
    for (let i = 0; i < 8 && !/locked/.test(error); i += 1) {
      await enterCode(wrong);
      error = await page.textContent('#error');
      if (!/locked/.test(error)) assert.equal(error, 'That code is not right. Try the code shown now.');
    }
    assert.match(error, /^Too many wrong codes: your MFA device is locked for 1 minute\./);
    await enterCode(at(6));
    assert.match(await page.textContent('#error'), /locked/);
    assert.equal(await whoami(), null);

    // An account named root is no administrator: /admin asks for the token.
    await page.goto(`${url}/`);
    await page.fill('#signup-user', root);
    await page.fill('#signup-password', 'administrator password');
    await page.click('#signup');
    const denied = await page.goto(`${url}/admin`);
    assert.equal(denied.status(), 401);
    assert.ok(await page.$('#admin-signin-form'), 'the administrator sign-in form');
    assert.equal(await page.$('#accounts'), null, 'no device table without the token');

    // The token's holder clears the lock-out.
    await page.fill('#admin-token', token);
    await page.click('#admin-signin');
    assert.equal(await page.textContent('#whoami'), 'administrator');
    assert.match(await page.textContent(`tr[data-user="${alice}"] .status`), /^locked out/);
    await page.click(`button[data-user="${alice}"]`);
    assert.equal(await page.textContent('#notice'), 'Lock-out cleared.');
    assert.equal(await page.textContent(`tr[data-user="${alice}"] .status`), '2 devices assigned, 0 failures');
    await signOut(); // the administrator
    assert.ok(await page.$('#admin-signin-form'));
    await page.goto(`${url}/`);
    assert.equal(await whoami(), root, 'the user session is apart from the administrator\'s');
    await signOut();

    // Alice signs in again with "remember this browser" ticked: a cookie for the
    // sign-in pages only, not readable by scripts.
    const rememberCookie = async () => (await browser.cookies(url + '/signin'))
      .find((c) => c.name === 'otpkit_remember');
    await signInPassword(alice, password);
    await page.check('#mfa-remember');
    await enterCode(at(6));
    assert.equal(await whoami(), alice);
    const remembered = await rememberCookie();
    assert.ok(remembered, 'a remember cookie');
    assert.equal(remembered.httpOnly, true);
    assert.equal(remembered.sameSite, 'Strict');
    assert.equal(remembered.path, '/signin');
    assert.ok(remembered.expires > Date.now() / 1000 + 29 * 86400, 'for 30 days');
    await signOut();

    // The password alone now: no code asked, and the cookie is a new one.
    await signInPassword(alice, password);
    assert.equal(path(), '/');
    assert.equal(await whoami(), alice);
    assert.match(await page.textContent('#signed-in-with'), /^Signed in without a code/);
    const rotated = await rememberCookie();
    assert.notEqual(rotated.value, remembered.value, 'the cookie rotated');
    await signOut();

    // The old value back (as a copy of the cookie would be): refused as revoked, a
    // code asked for, the cookie gone.
    await browser.addCookies([{ ...remembered, value: remembered.value }]);
    assert.equal((await rememberCookie()).value, remembered.value);
    await signInPassword(alice, password);
    assert.equal(path(), '/signin/mfa');
    assert.match(await page.textContent('#remember-revoked'), /^This browser's remembered sign-in was revoked/);
    assert.equal(await whoami(), null);
    assert.equal(await rememberCookie(), undefined, 'the revoked cookie is deleted');
    await enterCode(at(7));
    assert.equal(await whoami(), alice);
    await page.click('#events');
    const revokedEvents = await page.$$eval('#security-events tr[data-kind]', (rows) => rows.map((r) => r.dataset.kind));
    assert.ok(revokedEvents.includes('remembered_revoked'), JSON.stringify(revokedEvents));
    await page.goto(`${url}/`);

    // Alice removes both devices; then the password alone is enough.
    await page.click('button[data-remove="phone"]');
    assert.equal(await page.textContent('#notice'), 'MFA device removed.');
    await page.click('button[data-remove="Work tablet"]');
    assert.equal(await page.textContent('#notice'), 'MFA device removed.');
    assert.equal(await page.textContent('#mfa-status'), 'No MFA device assigned.');
    await signOut();
    await signIn(alice, password, '');
    assert.equal(await whoami(), alice);

    // Nothing the server printed holds the secret, a password or the token.
    const compact = secret.replaceAll(' ', '');
    for (const s of [compact, secret.slice(0, 9), tabletSecret.replaceAll(' ', ''), password, token,
      token.slice(0, 16), remembered.value, rotated.value]) {
      assert.equal(output.text.includes(s), false, `server output contains ${s.slice(0, 4)}…`);
    }
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
