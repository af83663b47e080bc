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
