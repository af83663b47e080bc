// The Reach tab: the reachability matrix of the open scenario (from the core), a cell's
// allowed classes with a Send that animates the representative probe on the Packet tab,
// grouping with a drill-down, all by keyboard; and the what-if comparison with a
// baseline (the current document, or a file), whose gained and lost flows are listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot, packetBox, BASE_URL } from './browser.mjs';

const OPEN_CELL = 'i-web → sagemaker:endpoint/churn-model';
const root = new URL('../../../', import.meta.url).pathname;

async function ready(page) {
  await page.goto(BASE_URL);
  await page.waitForSelector('#send');
}

// On the Scenario tab, SSH from the web app to the endpoint (probe 1) is blocked; "What
// blocks this?" proposes a rule on sg-endpoint, whose fix opens it. Back on the Reach tab.
async function fixSsh(page) {
    await page.click('#tab-scenario');
    await page.click('.probe[data-probe="1"] .probe-actions button');
    await page.waitForSelector('#verdict.bad');
    await page.click('#why');
    await page.locator('.blocker[data-component="sg-endpoint"] button.fix').click();
    await page.waitForSelector('#verdict.ok');
    await page.click('#tab-reach');
}

const active = (page) => page.evaluate(() => ({ id: document.activeElement?.id, label: document.activeElement?.getAttribute('aria-label') }));

test('a known open cell, reached by keyboard, lists its classes; Send animates its trace on the Packet tab', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    // The fourth tab, reached with the arrow keys like the others.
    await page.focus('#tab-scenario');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#tab-reach[aria-selected="true"]');
    assert.equal((await active(page)).id, 'tab-reach');
    await page.waitForSelector('#matrix');
    assert.equal(await page.inputValue('#reach-group'), 'none', 'a small network is not grouped');
    assert.match(await page.textContent('#reach-summary'), /\d+ sources? × \d+ destinations?: \d+ of \d+ pairs open/);
    const cell = page.locator(`#matrix td[aria-label="${OPEN_CELL}: tcp 443"]`);
    assert.equal(await cell.count(), 1, 'the worked example opens HTTPS from the web app to the endpoint, and only that');
    assert.match(await cell.getAttribute('class'), /lvl-some/);
    assert.match(await page.getAttribute('#matrix td[aria-label^="i-web → internet"]', 'aria-label'), /: nothing$/);
    // Roving tabindex: one cell in the tab order; arrows walk to the open cell.
    assert.equal(await page.locator('#matrix td[tabindex="0"]').count(), 1);
    const r = Number(await cell.getAttribute('data-r'));
    const c = Number(await cell.getAttribute('data-c'));
    await page.focus('#matrix td[tabindex="0"]');
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < r; i += 1) await page.keyboard.press('ArrowDown');
    for (let i = 0; i < c; i += 1) await page.keyboard.press('ArrowRight');
    assert.equal((await active(page)).label, `${OPEN_CELL}: tcp 443`);
    assert.equal(await page.locator('#matrix td[tabindex="0"]').getAttribute('aria-label'), `${OPEN_CELL}: tcp 443`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#reach-cell');
    assert.equal((await active(page)).id, 'reach-cell-title');
    assert.equal(await page.textContent('#reach-cell-title'), OPEN_CELL);
    const classes = await page.$$eval('#reach-cell .class', (l) => l.map((x) => x.dataset.class));
    assert.deepEqual(classes, ['tcp 443']);
    // A service or SageMaker destination says which API call its endpoint policies saw.
    assert.match(await page.textContent('#reach-default-call'), /default API call/);
    await shot(page, 'reach-cell');
    // Escape closes the pair and returns to its cell.
    await page.keyboard.press('Escape');
    await page.waitForSelector('#reach-cell', { state: 'detached' });
    assert.equal((await active(page)).label, `${OPEN_CELL}: tcp 443`);
    await page.keyboard.press(' ');
    await page.waitForSelector('#reach-cell');
    await page.click('#reach-cell .class[data-class="tcp 443"] button');
    await page.waitForSelector('#tab-packet[aria-selected="true"]');
    await page.waitForSelector('#verdict.ok');
    assert.equal(await page.inputValue('#probe-port'), '443');
    assert.equal(await page.inputValue('#probe-to'), 'sagemaker:endpoint/churn-model');
    assert.ok(await packetBox(page), 'the packet is animated on the canvas');
    // A closed pair says so, and sends a TCP packet on the typed port to show where it stops.
    await page.click('#tab-reach');
    await page.click('#matrix td[aria-label^="i-web → internet"]');
    await page.waitForSelector('#cell-nothing');
    await page.fill('#try-port', '22');
    await page.press('#try-port', 'Enter');
    await page.waitForSelector('#verdict.bad');
    assert.equal(await page.inputValue('#probe-port'), '22');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the Reach tab\'s worker keeps the matrix: an edit of rules only recomputes the cells it touches, and says so', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    await page.click('#tab-reach');
    await page.waitForSelector('#matrix');
    assert.match(await page.textContent('#reach-timing'), /^Whole network analysed in \d+ ms\.$/);
    // The fix for SSH adds a rule on port 22, a new port class: analysed again.
    await fixSsh(page);
    await page.waitForSelector(`#matrix td[aria-label="${OPEN_CELL}: tcp 22, tcp 443"]`);
    await page.waitForSelector('#reach-updating', { state: 'detached' });
    assert.match(await page.textContent('#reach-timing'), /^The edited rules need a new port or protocol class: whole network analysed again in \d+ ms\.$/);
    // Undo removes that rule again: only rules changed, so only their cells are recomputed.
    await page.click('#undo');
    await page.waitForSelector(`#matrix td[aria-label="${OPEN_CELL}: tcp 443"]`);
    await page.waitForSelector('#reach-updating', { state: 'detached' });
    assert.match(await page.textContent('#reach-timing'), /^Rules of 1 security group or network ACL changed: \d+ cells? recomputed, the rest kept; answered in \d+ ms\.$/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('what if: a baseline, an edit that opens SSH is a gained flow, a lesson loses flows; grouping drills down', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    await page.click('#tab-reach');
    await page.click('#set-baseline');
    await page.waitForSelector('#no-changes');
    assert.match(await page.textContent('#baseline-label'), /as it was when the baseline was set/);
    assert.equal(await page.locator('#matrix td.changed').count(), 0);
    // "What blocks this?" on SSH from the web app, and its fix: SSH is gained.
    await fixSsh(page);
    const change = page.locator('#changes .change', { hasText: OPEN_CELL });
    await change.waitFor();
    assert.deepEqual(await change.locator('.gained').allTextContents(), ['+ tcp 22']);
    assert.equal(await change.locator('.lost').count(), 0);
    const changed = page.locator('#matrix td.changed');
    assert.equal(await changed.count(), 1);
    assert.match(await changed.getAttribute('aria-label'), /^i-web → sagemaker:endpoint\/churn-model: tcp 22, tcp 443 \(changed since the baseline\)$/);
    await shot(page, 'reach-what-if');
    // Opening a lesson from the Reach tab stays there and compares with the same baseline.
    await page.selectOption('#gallery', 'nacl-rule-order');
    // The answer comes from the worker: wait until the summary counts a loss.
    await page.waitForFunction(() => /[1-9]\d* lost something/.test(document.querySelector('#change-summary')?.textContent ?? ''));
    assert.ok(await page.locator('#changes .lost', { hasText: '− tcp 443' }).count() > 0, 'the worked example\'s HTTPS is lost');
    assert.equal(await page.getAttribute('#tab-reach', 'aria-selected'), 'true');
    // Undo goes back to the edited document; the baseline stays (it is not in the history).
    await page.click('#undo');
    await change.waitFor();
    // Click once the answer for the undone document is in: a click while the view is
    // redrawn can land on a button that moved.
    await page.waitForSelector('#reach-updating', { state: 'detached' });
    await page.click('#clear-baseline');
    await page.waitForSelector('#changes', { state: 'detached' });
    // The matrix comes from the worker: read it once no newer answer is on its way.
    await page.waitForSelector('#reach-updating', { state: 'detached' });
    assert.equal(await page.locator('#matrix td.changed').count(), 0);
    // Grouped by VPC: a group pair aggregates its members; Enter drills in, Escape comes back.
    await page.selectOption('#reach-group', 'vpc');
    await page.waitForSelector('#matrix.grouped');
    const group = page.locator('#matrix td[aria-label*="pairs open"]:not([aria-label*=": 0 of"])').first();
    const label = await group.getAttribute('aria-label');
    assert.match(label, /^\S+ → \S+: \d+ of \d+ pairs open$/);
    await group.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#drill');
    // Focus moves once the drill-down is drawn (a task after the render).
    await page.waitForFunction(() => document.activeElement?.id === 'drill-back', null, { timeout: 5000 }).catch(() => {});
    assert.equal((await active(page)).id, 'drill-back');
    const [, open, total] = label.match(/: (\d+) of (\d+) pairs/);
    assert.equal(await page.locator('#drill .pair').count(), Number(total));
    assert.equal(await page.locator('#drill .pair:not(.lvl-none)').count(), Number(open));
    await shot(page, 'reach-drill');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#matrix');
    await page.waitForFunction((l) => document.activeElement?.getAttribute('aria-label') === l, label, { timeout: 5000 }).catch(() => {});
    assert.equal((await active(page)).label, label, 'back on the group cell');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('compare with a file: a bad one is a located error that keeps the baseline; a Terraform state becomes the baseline', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    await page.click('#tab-reach');
    await page.click('#set-baseline');
    const before = await page.textContent('#baseline-label');
    await page.setInputFiles('#compare-files', {
      name: 'broken.vpcsim.json', mimeType: 'application/json',
      buffer: Buffer.from('{"vpcsim": 1, "network": {"vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"], "colour": "red"}]}}'),
    });
    await page.waitForSelector('#notice.error');
    const error = await page.textContent('#notice');
    assert.match(error, /broken\.vpcsim\.json at \/network\/vpcs\/0/);
    assert.match(error, /baseline is unchanged/);
    assert.equal(await page.textContent('#baseline-label'), before);
    await page.click('#notice .close');
    // The same network from Terraform, through the importer's worker: the document stays.
    const title = await page.textContent('h1');
    await page.setInputFiles('#compare-files', `${root}tests/fixtures/terraform/worked-example-state.json`);
    await page.waitForFunction(() => /worked-example-state\.json/.test(document.querySelector('#baseline-label')?.textContent ?? ''));
    assert.match(await page.textContent('#notice'), /Baseline imported \(the document is unchanged\)/);
    assert.equal(await page.textContent('h1'), title);
    assert.ok(await page.locator('#no-changes, #changes').count() === 1);
    // A scenario file.
    await page.setInputFiles('#compare-files', `${root}tests/scenarios/gallery/public-vs-private-subnet.json`);
    await page.waitForFunction(() => /public-vs-private-subnet\.json/.test(document.querySelector('#baseline-label')?.textContent ?? ''));
    await page.waitForSelector('#changes .lost');
    await shot(page, 'reach-compare-file');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('500 instances are grouped by subnet, and ungrouped drawing is capped', async () => {
  const { context, page, problems } = await open();
  try {
    await ready(page);
    const subnets = Array.from({ length: 20 }, (_, s) => ({ id: `subnet-${s}`, vpc: 'vpc-1', cidr: `10.0.${s}.0/24` }));
    const instances = Array.from({ length: 500 }, (_, i) => ({
      id: `i-${i}`, subnet: `subnet-${i % 20}`, private_ip: `10.0.${i % 20}.${10 + Math.floor(i / 20)}`,
      security_groups: [i % 3 === 0 ? 'sg-web' : 'sg-db'],
    }));
    const doc = {
      vpcsim: 1, name: 'Five hundred',
      network: {
        vpcs: [{ id: 'vpc-1', cidr_blocks: ['10.0.0.0/16'] }], subnets,
        security_groups: [
          { id: 'sg-web', vpc: 'vpc-1', inbound: [{ protocol: 'tcp', ports: '443', cidr: '0.0.0.0/0' }], outbound: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
          { id: 'sg-db', vpc: 'vpc-1', inbound: [{ protocol: 'tcp', ports: '5432', sg: 'sg-web' }], outbound: [{ protocol: 'all', cidr: '0.0.0.0/0' }] },
        ],
        instances,
      },
    };
    await page.setInputFiles('#open-files', { name: 'five-hundred.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await page.waitForFunction(() => /Five hundred/.test(document.querySelector('h1')?.textContent ?? ''));
    await page.click('#tab-reach');
    await page.waitForSelector('#matrix.grouped', { timeout: 120000 });
    assert.equal(await page.inputValue('#reach-group'), 'subnet');
    assert.match(await page.textContent('#reach-summary'), /500 sources|501 sources/);
    assert.match(await page.textContent('#reach-summary'), /Grouped by subnet/);
    const cells = await page.locator('#matrix td').count();
    assert.ok(cells <= 25 * 25, `${cells} grouped cells`);
    await shot(page, 'reach-500-grouped');
    await page.selectOption('#reach-group', 'none');
    await page.waitForSelector('#matrix-capped');
    assert.ok(await page.locator('#matrix td').count() <= 60 * 60, 'never one cell per pair');
    assert.match(await page.textContent('#matrix-capped'), /Showing the first 60 of \d+ sources/);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
