// The playground: the gallery (every scenario's probes as the UI shows them, with a
// screenshot mid-animation), undo/redo, reload-restore, an unreadable autosave, and a
// keyboard-only session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot, BASE_URL } from './browser.mjs';

async function ready(page) {
  await page.goto(BASE_URL);
  await page.waitForSelector('#send');
}

test('every gallery scenario shows its probes with the verdicts it expects', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    const slugs = await page.$$eval('#gallery option', (os) => os.map((o) => o.value).filter(Boolean));
    assert.ok(slugs.length >= 12, `the gallery has the worked example and at least 11 more (got ${slugs.length})`);
    for (const slug of slugs) {
      await page.selectOption('#gallery', slug);
      await page.click('#tab-scenario');
      await page.waitForSelector('.probe');
      const probes = await page.$$eval('.probe', (ps) => ps.map((p) => ({
        name: p.querySelector('.probe-name')?.textContent,
        verdict: p.querySelector('.probe-verdict')?.textContent,
        check: p.querySelector('.probe-check')?.textContent ?? '',
        ok: p.classList.contains('as-expected'),
      })));
      assert.ok(probes.length >= 2, `${slug} has at least two probes`);
      for (const p of probes) {
        assert.ok(p.ok, `${slug}: probe "${p.name}" shows ${p.verdict} ${p.check}`);
        assert.match(p.check, /as the scenario expects/, `${slug}: probe "${p.name}" states an expectation`);
        assert.match(p.verdict, /^[✓✗]/);
      }
      // Send the last probe (usually the one that is dropped) and photograph it mid-flight.
      await page.click(`.probe[data-probe="${probes.length - 1}"] .probe-actions button`);
      await page.waitForSelector('#verdict');
      await page.waitForTimeout(1400);
      await shot(page, `gallery-${slug}`);
      await page.click('#tab-scenario');
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('undo, redo, and a reload restores the exact document', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    await page.click('#tab-scenario');
    const original = await page.inputValue('#scenario-name');
    await page.fill('#scenario-name', 'Workshop demo');
    await page.click('.palette-item[data-palette="instance"]');
    assert.match(await page.textContent('h1'), /Workshop demo/);
    const cards = await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length);
    await page.click('#undo');
    assert.equal(await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length), cards - 1, 'undo removes the instance');
    await page.click('#undo');
    assert.equal(await page.textContent('h1'), original, 'undo restores the name');
    await page.click('#redo');
    await page.click('#redo');
    assert.match(await page.textContent('h1'), /Workshop demo/);
    assert.equal(await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length), cards);
    // Keyboard shortcuts do the same outside text fields.
    await page.click('.canvas-pane .lede, .canvas-pane', { position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    assert.equal(await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length), cards - 1, 'Ctrl+Z undoes');
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length), cards, 'Ctrl+Shift+Z redoes');
    await page.reload();
    await page.waitForSelector('#send');
    assert.match(await page.textContent('h1'), /Workshop demo/, 'the autosave restores the document');
    assert.equal(await page.$$eval('.canvas [data-id^="i-"]', (c) => c.length), cards);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an unreadable autosave is reported and offered for download', async () => {
  const { context, page } = await open();
  try {
    await ready(page);
    await page.evaluate(() => localStorage.setItem('vpcsim.autosave.v1', '{"v": 1, "scenario": {"vpcsim": 1, "network": {"vpcs": [{"id": 7}]}}'));
    await page.reload();
    await page.waitForSelector('#notice.error');
    assert.match(await page.textContent('#notice'), /could not be read/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#notice button:not(.close)')]);
    assert.match(download.suggestedFilename(), /autosave/);
    assert.match(await page.textContent('h1'), /SageMaker endpoint/, 'the default scenario is open');
    await shot(page, 'autosave-unreadable');
  } finally {
    await context.close();
  }
});

test('keyboard only: add a subnet and send a packet', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    const before = await page.$$eval('.canvas .subnet', (s) => s.length);
    // Tab from the top of the page to the palette's "Add Subnet" button.
    let found = false;
    for (let i = 0; i < 60 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.getAttribute('data-palette') === 'subnet');
    }
    assert.ok(found, 'the palette is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.canvas .subnet').length === n + 1, before);
    // Then to the Send button of the composer, and Enter.
    await page.click('#tab-packet');
    found = false;
    for (let i = 0; i < 200 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.id === 'send');
    }
    assert.ok(found, 'the Send button is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verdict');
    assert.match(await page.textContent('#verdict'), /Delivered/);
    await shot(page, 'keyboard-only');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('reduced motion shows the step list at its end instead of animating', async () => {
  const { context, page, problems } = await open({ reducedMotion: 'reduce' });
  try {
    await ready(page);
    await page.fill('#probe-port', '22');
    await page.click('#send');
    await page.waitForSelector('.packet.dropped', { timeout: 5000 });
    assert.match(await page.textContent('.step-count'), /^(\d+)\/\1$/, 'at the last step');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('open a scenario file, then a terraform show -json file, and save', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    const root = new URL('../../../', import.meta.url).pathname;
    await page.setInputFiles('#open-files', `${root}tests/scenarios/gallery/nacl-rule-order.json`);
    await page.waitForFunction(() => /deny/i.test(document.querySelector('h1')?.textContent ?? ''));
    await page.setInputFiles('#open-files', `${root}tests/fixtures/terraform/worked-example-state.json`);
    await page.waitForSelector('#notice');
    assert.match(await page.textContent('h1'), /Imported from Terraform/);
    assert.match(await page.textContent('#notice'), /Imported 1 VPC\(s\)/);
    assert.ok(await page.$('.canvas [data-id="sagemaker:endpoint/churn-model"], .canvas [data-kind="card"]'), 'the import is drawn');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    assert.match(download.suggestedFilename(), /\.vpcsim\.json$/);
    // Not a scenario, not AWS, not Terraform: a clear message, and the document is kept.
    const bad = `${root}tests/js/package.json`;
    await page.setInputFiles('#open-files', bad);
    await page.waitForFunction(() => /Nothing to import/.test(document.querySelector('#notice')?.textContent ?? ''));
    assert.match(await page.textContent('h1'), /Imported from Terraform/, 'the document is kept');
    await shot(page, 'open-files');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('Open… starts the import worker and warms it up while files are chosen; the import then uses that worker', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    assert.equal(page.workers().length, 0, 'no worker before a file picker opens');
    await Promise.all([page.waitForEvent('filechooser'), page.click('#open')]);
    // The worker imports a small generated account, with no error.
    const deadline = Date.now() + 30000;
    let warm;
    while (!warm && Date.now() < deadline) {
      const [worker] = page.workers();
      warm = worker && (await worker.evaluate(() => self.warmUp).catch(() => undefined));
      if (!warm) await page.waitForTimeout(100);
    }
    assert.ok(warm, `the worker warmed up (${page.workers().length} worker(s))`);
    assert.equal(warm.error, undefined);
    assert.equal(warm.errors, 0);
    assert.ok(warm.ms > 0);
    // A second picker keeps the same worker.
    const [again] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Control+o')]);
    assert.equal(page.workers().length, 1, 'the same worker');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/vpcsim-open-`);
    writeFileSync(`${dir}/Vpcs.json`, JSON.stringify({ Vpcs: [{ VpcId: 'vpc-0a1', CidrBlock: '10.1.0.0/16' }] }));
    writeFileSync(`${dir}/Subnets.json`, JSON.stringify({ Subnets: [{ SubnetId: 'subnet-0a1', VpcId: 'vpc-0a1', CidrBlock: '10.1.1.0/24', AvailabilityZone: 'eu-west-1a' }] }));
    await again.setFiles([`${dir}/Vpcs.json`, `${dir}/Subnets.json`]);
    await page.waitForFunction(() => /Imported 1 VPC\(s\)/.test(document.querySelector('#notice')?.textContent ?? ''), null, { timeout: 60000 });
    await page.waitForSelector('.canvas [data-id="subnet-0a1"]', { timeout: 10000 });
    // The warm worker answered, and was ended: no other worker was started.
    for (let k = 0; k < 100 && page.workers().length; k++) await page.waitForTimeout(100);
    assert.equal(page.workers().length, 0, 'the warm worker was used and ended');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an internal error shows a banner that offers the autosaved scenario', async () => {
  const { context, page } = await open();
  try {
    await ready(page);
    await page.click('#tab-scenario');
    await page.fill('#scenario-name', 'Work before the crash');
    await page.goto(`${BASE_URL}#test-panic`);
    await page.reload();
    await page.waitForSelector('#panic-banner', { timeout: 10000 });
    assert.match(await page.textContent('#panic-banner'), /internal error/);
    assert.ok(await page.$('.canvas'), 'the page is not blank: the last rendering stays');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#panic-banner a')]);
    const text = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
    assert.match(text, /Work before the crash/, 'the download is the autosaved scenario');
    await shot(page, 'panic-banner');
  } finally {
    await context.close();
  }
});

test('a copied link opens the same scenario, packet and view in a fresh browser; a broken one keeps the autosave', async () => {
  const a = await open();
  let link;
  try {
    await ready(a.page);
    await a.page.selectOption('#gallery', 'nacl-rule-order');
    await a.page.click('#tab-scenario');
    await a.page.click('.probe[data-probe="0"] .probe-actions button');
    await a.page.waitForSelector('#verdict');
    const verdict = await a.page.textContent('#verdict');
    await a.page.click('#share');
    await a.page.waitForSelector('#notice');
    assert.match(await a.page.textContent('#notice'), /Link copied/);
    link = a.page.url();
    assert.match(link, /#s=v1\./);
    const b = await open();
    try {
      await b.page.goto(link);
      await b.page.waitForSelector('#verdict');
      assert.match(await b.page.textContent('h1'), /NACL rule order/);
      assert.equal(await b.page.textContent('#verdict'), verdict, 'the same packet, with the same verdict');
      assert.doesNotMatch(b.page.url(), /#s=/, 'the fragment is consumed: a reload opens the autosave');
      await shot(b.page, 'share-link-opened');
      assert.deepEqual(b.problems, []);
    } finally {
      await b.context.close();
    }
  } finally {
    await a.context.close();
  }
  const c = await open();
  try {
    await ready(c.page);
    await c.page.click('#tab-scenario');
    await c.page.fill('#scenario-name', 'My own work');
    for (const broken of [link.slice(0, link.length - 40), link.replace('#s=v1.', '#s=v7.')]) {
      await c.page.goto('about:blank');
      await c.page.goto(broken);
      await c.page.waitForSelector('#notice.error');
      assert.match(await c.page.textContent('#notice'), /could not be opened/);
      assert.equal(await c.page.textContent('h1'), 'My own work', 'the autosaved work is kept');
    }
  } finally {
    await c.context.close();
  }
});

test('names, descriptions and rule descriptions are inert text, also through a share link', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const js = 'javascript:window.__xss=3';
    const doc = {
      vpcsim: 1, name: `Evil ${evil}`, description: `${evil} ${js}`,
      network: {
        vpcs: [{ id: 'vpc-1', name: evil, cidr_blocks: ['10.0.0.0/16'] }],
        subnets: [{ id: 'subnet-1', name: js, vpc: 'vpc-1', cidr: '10.0.1.0/24', az: 'us-east-1a' }],
        security_groups: [{ id: 'sg-1', name: evil, vpc: 'vpc-1', description: js,
          inbound: [{ protocol: 'tcp', ports: '443', cidr: '10.0.0.0/8', description: evil }], outbound: [{ protocol: 'all', cidr: '0.0.0.0/0' }] }],
        instances: [{ id: 'i-1', name: evil, subnet: 'subnet-1', security_groups: ['sg-1'] }, { id: 'i-2', name: js, subnet: 'subnet-1', security_groups: ['sg-1'] }],
      },
      probes: [{ name: evil, from: 'i-2', to: 'i-1', protocol: 'tcp', port: 443 }],
    };
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/vpcsim-xss-`)}/evil.json`;
    writeFileSync(file, JSON.stringify(doc));
    await page.setInputFiles('#open-files', file);
    await page.waitForFunction(() => /Evil/.test(document.querySelector('h1')?.textContent ?? ''));
    assert.match(await page.textContent('h1'), /<img src=x/, 'shown as text');
    await page.click('#tab-scenario');
    await page.click('.probe[data-probe="0"] .probe-actions button');
    await page.waitForSelector('#verdict');
    await page.click('.canvas [data-id="i-1"] rect.body');
    await page.click('#tab-inspector');
    await page.click('#share');
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await page.waitForSelector('#verdict');
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'nothing executed');
    assert.equal(await page.$$eval('img[src="x"], script:not([src]):not([type])', (e) => e.filter((x) => /__xss/.test(x.outerHTML)).length), 0);
    assert.equal(await page.$$eval('a[href^="javascript:"]', (a) => a.length), 0, 'no javascript: link');
    await shot(page, 'xss-inert');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
