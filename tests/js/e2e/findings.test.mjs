// Findings in the playground: the lints of the open scenario with their docs, and a
// one-click fix that is one undo step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot, BASE_URL } from './browser.mjs';

test('a finding explains itself, its fix applies in one click, and undo brings it back', async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.selectOption('#gallery', 'notebook-internet-access');
    await page.click('#tab-scenario');
    const finding = page.locator('.finding[data-code="VS201"]').first();
    await finding.waitFor();
    assert.match(await finding.textContent(), /direct internet access/i);
    await finding.locator('summary').click();
    assert.match(await finding.locator('.lint-doc').textContent(), /Why it matters/);
    const before = await page.locator('.finding[data-code="VS201"]').count();
    await shot(page, 'findings');
    await finding.locator('button.fix').click();
    await page.waitForFunction((n) => document.querySelectorAll('.finding[data-code="VS201"]').length === n - 1, before);
    assert.match(await page.textContent('#notice'), /^Fixed: set DirectInternetAccess/);
    await page.click('#undo');
    await page.waitForFunction((n) => document.querySelectorAll('.finding[data-code="VS201"]').length === n, before);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('what blocks this: every blocker with its fix, applied in one click; what allows this: removing a rule stops the packet', async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.selectOption('#gallery', 'worked-example');
    await page.click('#tab-scenario');
    await page.click('.probe[data-probe="1"] .probe-actions button'); // SSH from the web app
    await page.waitForSelector('#verdict.bad');
    await page.click('#why');
    const blocker = page.locator('.blocker[data-component="sg-endpoint"]');
    await blocker.waitFor();
    assert.match(await blocker.textContent(), /Apply: add inbound/i);
    await shot(page, 'what-blocks-this');
    await blocker.locator('button.fix').click();
    await page.waitForSelector('#verdict.ok');
    assert.match(await page.textContent('#notice'), /^Fixed: add inbound/i);
    await page.click('#undo');
    await page.waitForSelector('#verdict.bad');
    // A packet that gets through: what lets it?
    await page.click('#tab-scenario');
    await page.click('.probe[data-probe="0"] .probe-actions button'); // HTTPS from the web app
    await page.waitForSelector('#verdict.ok');
    await page.click('#why');
    const allower = page.locator('.allower', { hasText: 'sg-endpoint' }).first();
    await allower.waitFor();
    await allower.locator('button.fix').click();
    await page.waitForSelector('#verdict.bad');
    assert.match(await page.textContent('#verdict'), /sg-endpoint/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
