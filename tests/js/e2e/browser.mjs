// Shared helpers for the end-to-end tests: Debian's chromium through playwright-core,
// a fresh profile per test, and a list of every console error, page error and Rust
// panic, which the tests assert is empty.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080/';
export const OUT = process.env.E2E_OUT ?? path.resolve('../../target/e2e');
mkdirSync(OUT, { recursive: true });

export async function open({ reducedMotion = 'no-preference', viewport = { width: 1400, height: 900 } } = {}) {
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'vpcsim-e2e-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    reducedMotion,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('crash', () => problems.push('page crashed'));
  return { context, page, problems };
}

export async function packetBox(page) {
  const el = await page.$('.packet');
  return el ? el.boundingBox() : null;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}
