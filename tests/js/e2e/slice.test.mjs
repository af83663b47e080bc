// The walking skeleton: the worked example loads, HTTPS from the web app reaches the
// SageMaker endpoint, SSH is dropped at the endpoint's security group, and the packet
// visibly travels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, packetBox, shot, BASE_URL } from './browser.mjs';

test('HTTPS passes and SSH is dropped at the endpoint security group', async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    assert.match(await page.textContent('h1'), /SageMaker endpoint/);

    // HTTPS: the composer starts from the scenario's first probe (web app -> endpoint, tcp/443).
    assert.equal(await page.inputValue('#probe-from'), 'i-web');
    assert.equal(await page.inputValue('#probe-to'), 'sagemaker:endpoint/churn-model');
    await page.fill('#probe-port', '443');
    await page.click('#send');
    await page.waitForSelector('.packet');
    const start = await packetBox(page);
    await page.waitForSelector('.packet.passed', { timeout: 30000 });
    const end = await packetBox(page);
    assert.ok(start && end, 'the packet is drawn');
    assert.ok(Math.abs(end.x - start.x) + Math.abs(end.y - start.y) > 50, `the packet moved (from ${start.x},${start.y} to ${end.x},${end.y})`);
    const ok = await page.textContent('#verdict');
    assert.match(ok, /Delivered/);
    assert.match(ok, /sg-endpoint/);
    assert.match(ok, /tcp\/443 from sg-web/);
    await shot(page, 'slice-https-delivered');

    // SSH: dropped at the security group, with the rule explained.
    await page.fill('#probe-port', '22');
    await page.press('#probe-port', 'Enter');
    await page.waitForSelector('.packet.dropped', { timeout: 30000 });
    const bad = await page.textContent('#verdict');
    assert.match(bad, /Dropped at security-group sg-endpoint/);
    assert.match(bad, /no rule allows tcp\/22 from sg-web/);
    const denied = await page.textContent('.check.deny');
    assert.match(denied, /no rule matched/);
    await shot(page, 'slice-ssh-dropped');

    assert.deepEqual(problems, [], 'no console errors, page errors or panics');
  } finally {
    await context.close();
  }
});
