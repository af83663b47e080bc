// The study guide's worked example, built from an empty canvas with UI actions only
// (palette, inspector, rule tables), then HTTPS and SSH sent: the verdicts and the
// deciding rule must be the ones the guide teaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot, BASE_URL } from './browser.mjs';

test('build the worked example from an empty canvas and send HTTPS and SSH', async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.click('#new');
    assert.equal(await page.$$eval('.canvas [data-id]', (c) => c.length), 0, 'the canvas is empty');
    // VPC, a private subnet, two security groups, the web app and the endpoint.
    for (const k of ['vpc', 'subnet', 'security-group', 'security-group', 'instance', 'endpoint']) {
      await page.click(`.palette-item[data-palette="${k}"]`);
    }
    assert.ok(await page.$('.canvas [data-id="i-1"]'), 'the instance is drawn');
    assert.ok(await page.$('.canvas [data-id="sagemaker:endpoint/endpoint-1"]'), 'the endpoint is drawn');
    assert.match(await page.textContent('.canvas .subnet'), /private/, 'no route to an internet gateway: a private subnet');

    // The endpoint (selected after adding it) gets its own security group, sg-2.
    await page.click('#tab-inspector');
    await page.uncheck('#f-network-sagemaker-endpoints-0-vpc_config-security_groups-0');
    await page.check('#f-network-sagemaker-endpoints-0-vpc_config-security_groups-1');
    // sg-2 allows HTTPS from the web app's group, sg-1, and nothing else (SG-16, SG-9).
    await page.click('#inspector-all');
    await page.click('.outline-item[data-select="sg-2"]');
    await page.click('#add-network-security_groups-1-inbound');
    await page.selectOption('#preset-network-security_groups-1-inbound-0', 'https');
    await page.selectOption('#peer-network-security_groups-1-inbound-0', 'sg');
    await page.selectOption('#f-network-security_groups-1-inbound-0-sg', 'sg-1');
    await shot(page, 'build-from-empty-inspector');

    // HTTPS from the web app to the endpoint: delivered, allowed by that rule.
    await page.click('#tab-packet');
    await page.selectOption('#probe-from', 'i-1');
    await page.selectOption('#probe-to', 'sagemaker:endpoint/endpoint-1');
    await page.click('.presets button:has-text("HTTPS")');
    await page.click('#send');
    await page.waitForSelector('#verdict');
    const ok = await page.textContent('#verdict');
    assert.match(ok, /Delivered/, ok);
    assert.match(ok, /sg-2 rule tcp\/443 from sg-1/, ok);
    // SSH: dropped at the endpoint's security group, no rule matched.
    await page.click('.presets button:has-text("SSH")');
    await page.click('#send');
    await page.waitForFunction(() => /Dropped/.test(document.querySelector('#verdict')?.textContent ?? ''));
    const bad = await page.textContent('#verdict');
    assert.match(bad, /Dropped at security-group sg-2 \(inbound\)/, bad);
    assert.match(bad, /no rule allows tcp\/22 from sg-1/, bad);
    // The explanation names the rule; clicking the allowing rule of the HTTPS trace shows it in the inspector.
    await page.click('.presets button:has-text("HTTPS")');
    await page.click('#send');
    await page.waitForFunction(() => /Delivered/.test(document.querySelector('#verdict')?.textContent ?? ''));
    await page.click('.check .rule-link:has-text("tcp/443 from sg-1")');
    await page.waitForSelector('.inspector tr.focused');
    assert.match(await page.textContent('#inspector-title'), /Security group/);
    await shot(page, 'build-from-empty-done');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
