// Drives web/index.html in headless Chromium (Debian's, through playwright-core) and
// checks that the code shown equals the one the same package computes in Node.
// A screenshot is kept at target/js/web-authenticator.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseOtpauthUri, Totp, SteamGuard } from 'otpkit';
import { serve } from './server.mjs';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

test('web authenticator shows the core\'s code in headless Chromium', async () => {
  const { server, url } = await serve();
  const profile = mkdtempSync(join(tmpdir(), 'otpkit-chromium-'));
  // A new empty profile (--user-data-dir), which Playwright takes as this argument.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${url}/web/index.html`);
    await page.waitForSelector('body[data-ready="true"]');

    const uri = 'otpauth://totp/ACME%20Co:alice@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&digits=8&algorithm=SHA256&period=60';
    await page.fill('#uri', uri);
    await page.waitForFunction(() => document.getElementById('code').dataset.time !== '');
    const shown = await page.evaluate(() => {
      const el = document.getElementById('code');
      return { code: el.textContent, time: Number(el.dataset.time),
        seconds: document.getElementById('seconds').textContent,
        label: document.getElementById('label').textContent,
        warnings: document.querySelectorAll('#warnings li').length };
    });
    const expected = Totp.fromAccount(parseOtpauthUri(uri).account);
    assert.equal(shown.code, expected.codeAt(shown.time));
    assert.match(shown.code, /^\d{8}$/);
    assert.equal(shown.seconds, `${expected.secondsLeft(shown.time)} s left`);
    assert.equal(shown.label, 'ACME Co:alice@example.com');
    assert.equal(shown.warnings, 3); // SHA256, 8 digits, 60 s: apps may ignore each
    assert.ok(Math.abs(shown.time - Date.now() / 1000) < 5, 'the page reads the clock');

    mkdirSync(join(repo, 'target', 'js'), { recursive: true });
    await page.screenshot({ path: join(repo, 'target', 'js', 'web-authenticator.png'), fullPage: true });

    // Steam, then a bad URI: a typed error on the page, without the secret.
    const steam = 'otpauth://totp/Steam:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam';
    await page.fill('#uri', steam);
    await page.waitForFunction(() => document.getElementById('code').textContent.length === 5);
    const s = await page.evaluate(() => ({ code: document.getElementById('code').textContent,
      time: Number(document.getElementById('code').dataset.time) }));
    assert.equal(s.code, SteamGuard.fromAccount(parseOtpauthUri(steam).account).codeAt(s.time));

    await page.fill('#uri', 'otpauth://totp/x?secret=GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ');
    const error = await page.textContent('#error');
    assert.match(error, /^OtpkitError: /);
    assert.equal(error.includes('GEZD'), false);
    assert.equal(await page.textContent('#code'), '');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
