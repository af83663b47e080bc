// Embedding: the demo documentation page (two embedded playgrounds, one autoplaying the
// ephemeral-port lesson, one driven by the host through postMessage, and a table drawn
// with the JavaScript API), the origin allow-list, hostile input through postMessage,
// the embed dialog, "Open in vpcsim", an oversized link, the Content-Security-Policy,
// and the site served from a sub-path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { open, shot, BASE_URL } from './browser.mjs';

const GALLERY = new URL('../../scenarios/gallery/', import.meta.url);

// Records CSP violations in every frame, before any of the page's scripts run.
async function watchCsp(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

async function cspViolations(page) {
  const all = [];
  for (const f of page.frames()) {
    const v = await f.evaluate(() => window.__csp ?? []).catch(() => []);
    all.push(...v.map((x) => `${f.url()}: ${x}`));
  }
  return all;
}

test('the demo page: both embeds load, autoplay reaches its verdict, the host drives the second, the API table renders', async () => {
  const { context, page, problems } = await open({ viewport: { width: 1200, height: 1000 } });
  await watchCsp(context);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  try {
    await page.goto(`${BASE_URL}embed-demo.html`);
    const lesson = page.frameLocator('#lesson');
    const worked = page.frameLocator('#worked');
    await lesson.locator('.app.embed .canvas').waitFor();
    await worked.locator('.app.embed .canvas').waitFor();
    assert.equal(await lesson.locator('.palette').count(), 0, 'no palette unless editable=1');
    assert.match(await lesson.locator('.embed-title').textContent(), /never comes back/);
    // Autoplay: the lesson's first probe, whose response the NACL drops.
    await page.waitForFunction(() => document.body.dataset.lessonVerdict === 'blocked', null, { timeout: 20000 });
    await lesson.locator('#verdict').waitFor();
    assert.match(await lesson.locator('#verdict').textContent(), /network-acl/);
    // The JavaScript API table.
    await page.waitForSelector('#api-trace tbody tr');
    assert.ok((await page.$$('#api-trace tbody tr')).length >= 6, 'one row per check');
    assert.match(await page.textContent('#api-verdict'), /dropped at network-acl acl-model/);
    assert.match(await page.textContent('#api-trace tbody tr:last-child'), /response.*network-acl.*deny/s);
    // The host drives the second playground.
    await page.click('#send-ssh');
    await page.waitForFunction(() => /sg-endpoint/.test(document.getElementById('events').textContent));
    assert.match(await page.textContent('#events'), /verdict: dropped at security-group sg-endpoint/);
    assert.match(await worked.locator('#verdict').textContent(), /sg-endpoint/, 'the embed shows what the host sent');
    await page.click('#send-https');
    await page.waitForFunction(() => /verdict: reachable/.test(document.getElementById('events').textContent));
    // height=auto: the host resized the iframe from the playground's events.
    const h = await page.$eval('#worked', (f) => f.style.height);
    assert.match(h, /^\d+px$/, 'the resize event set the height');
    await shot(page, 'embed-demo');
    // Malformed and unknown messages are ignored, logged and answered with an error event.
    await page.evaluate(() => {
      const w = document.getElementById('worked').contentWindow;
      w.postMessage('not json at all', location.origin);
      w.postMessage({ type: 'vpcsim:send', probe: 99 }, location.origin);
      w.postMessage({ type: 'vpcsim:format-disk' }, location.origin);
      w.postMessage({ type: 'vpcsim:load', scenario: { vpcsim: 1, network: { vpcs: 'nope' } } }, location.origin);
    });
    await page.waitForFunction(() => document.body.dataset.workedLast === 'vpcsim:error');
    await page.waitForTimeout(300);
    assert.ok(warnings.filter((w) => /vpcsim embed: message ignored/.test(w)).length >= 4, `logged: ${warnings.join(' | ')}`);
    assert.match(await worked.locator('.embed-title').textContent(), /SageMaker endpoint/, 'the scenario is unchanged');
    // Hostile names through postMessage stay text.
    const doc = JSON.parse(readFileSync(new URL('worked-example.json', GALLERY), 'utf8'));
    doc.name = '<img src=x onerror="window.__xss=1"> javascript:window.__xss=2';
    doc.network.instances[0].name = '<script>window.__xss=3</script>';
    await page.evaluate((d) => document.getElementById('worked').contentWindow.postMessage({ type: 'vpcsim:load', scenario: d }, location.origin), doc);
    await worked.locator('.embed-title', { hasText: '<img src=x' }).waitFor();
    await page.click('#send-https');
    await page.waitForTimeout(800);
    for (const f of page.frames()) assert.equal(await f.evaluate(() => window.__xss), undefined, `nothing executed in ${f.url()}`);
    assert.deepEqual(await cspViolations(page), [], 'no CSP violation');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('an origin missing from the allow-list cannot drive an embed', async () => {
  const { context, page, problems } = await open();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  try {
    await page.goto(`${BASE_URL}embed-demo.html`);
    await page.evaluate(() => {
      const f = document.createElement('iframe');
      f.id = 'stranger';
      f.src = 'embed.html?gallery=worked-example&origins=https://docs.example.com';
      document.body.prepend(f);
    });
    const frame = page.frameLocator('#stranger');
    await frame.locator('.canvas').waitFor();
    await page.evaluate(() => document.getElementById('stranger').contentWindow.postMessage({ type: 'vpcsim:send', probe: 0 }, location.origin));
    await page.waitForTimeout(1500);
    assert.equal(await frame.locator('#verdict').count(), 0, 'the message was not acted on');
    assert.ok(warnings.some((w) => /not in the page's `origins` allow-list/.test(w)), warnings.join(' | '));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the embed dialog makes a snippet that opens the same state; "Open in vpcsim" goes back to the full playground', async () => {
  const { context, page, problems } = await open();
  await watchCsp(context);
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.selectOption('#gallery', 'worked-example');
    await page.focus('#embed');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#embed-dialog');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed-autoplay', 'focus moves into the dialog');
    await page.selectOption('#embed-autoplay', 'SSH from the web app');
    await page.check('#embed-loop');
    await page.selectOption('#embed-theme', 'dark');
    const snippet = await page.inputValue('#embed-snippet');
    assert.match(snippet, /^<iframe id="vpcsim-embed" src="http:\/\/127\.0\.0\.1:\d+\/[^"]*embed\.html\?embed&amp;autoplay=SSH%20from%20the%20web%20app&amp;loop&amp;theme=dark&amp;height=520#s=v1\./);
    assert.match(snippet, /title="vpcsim: Restricting access to a SageMaker endpoint"/);
    const preview = page.frameLocator('#embed-preview');
    await preview.locator('#verdict').waitFor({ timeout: 20000 });
    assert.match(await preview.locator('#verdict').textContent(), /sg-endpoint/, 'the preview autoplays SSH, dropped');
    await shot(page, 'embed-dialog');
    // Focus stays in the modal dialog: Tab from the last control wraps to the first.
    await page.focus('#embed-close');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed-autoplay', 'Tab wraps inside the dialog');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed-close', 'Shift+Tab wraps back');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#embed-dialog', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'embed', 'focus returns to the button');
    // The snippet's address in a fresh browser, as a reader of the docs would get it.
    const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
    const reader = await open({ viewport: { width: 900, height: 560 } });
    try {
      await reader.page.goto(src);
      await reader.page.waitForSelector('.app.embed #verdict');
      assert.match(await reader.page.textContent('#verdict'), /sg-endpoint/);
      assert.equal(await reader.page.getAttribute('html', 'data-theme'), 'dark');
      await shot(reader.page, 'embed-reader');
      const [full] = await Promise.all([reader.context.waitForEvent('page'), reader.page.click('#open-full')]);
      await full.waitForSelector('#send');
      assert.match(await full.textContent('h1'), /Restricting access to a SageMaker endpoint/);
      assert.equal(await full.$$eval('.app.embed', (a) => a.length), 0, 'the full playground');
      assert.deepEqual(reader.problems, []);
    } finally {
      await reader.context.close();
    }
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('a link too large once inflated is refused and the autosaved work is kept', async () => {
  const { context, page } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.click('#tab-scenario');
    await page.fill('#scenario-name', 'Kept work');
    const bomb = readFileSync(new URL('../../fuzz/regressions/share_link/decompression-bomb', import.meta.url), 'utf8').trim();
    await page.goto('about:blank');
    await page.goto(`${BASE_URL}#s=${bomb}`);
    await page.waitForSelector('#notice.error');
    assert.match(await page.textContent('#notice'), /could not be opened.*(larger|more than)/s);
    assert.equal(await page.textContent('h1'), 'Kept work');
  } finally {
    await context.close();
  }
});

test('the site works from a sub-path, as on GitHub Pages', async (t) => {
  const sub = process.env.SUBPATH_URL;
  if (!sub) {
    t.skip('SUBPATH_URL is not set (cargo xtask test serves dist/site under /vpcsim/ and sets it)');
    return;
  }
  const { context, page, problems } = await open();
  await watchCsp(context);
  try {
    await page.goto(sub);
    await page.waitForSelector('#send');
    await page.click('#send');
    await page.waitForSelector('#verdict');
    await page.goto(`${sub}embed.html?gallery=return-traffic-blocked&autoplay=0`);
    await page.waitForSelector('.app.embed #verdict');
    assert.match(await page.textContent('#verdict'), /network-acl/);
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
