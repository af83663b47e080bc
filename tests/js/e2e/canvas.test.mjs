// Editing the drawing with the mouse and the keyboard: drop from the palette, select,
// shift-select, drag to move (one undo step), resize, duplicate, delete, zoom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, shot, BASE_URL } from './browser.mjs';

const box = (page, sel) => page.locator(sel).first().boundingBox();

test('drop, select, move, resize, duplicate, delete and zoom on the canvas', async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(BASE_URL);
    await page.waitForSelector('#send');
    await page.click('.canvas-toolbar button:has-text("Fit")');
    const count = () => page.$$eval('.canvas [data-kind="card"]', (c) => c.length);
    const before = await count();

    // Drag "EC2 instance" from the palette into the second subnet.
    const target = await box(page, '.canvas [data-id="subnet-private-b"]');
    await page.dragAndDrop('.palette-item[data-palette="instance"]', '.canvas', {
      targetPosition: { x: target.x - (await box(page, '.canvas')).x + target.width / 2, y: target.y - (await box(page, '.canvas')).y + target.height / 2 },
    });
    await page.waitForFunction((n) => document.querySelectorAll('.canvas [data-kind="card"]').length === n + 1, before);
    assert.ok(await page.$('.canvas [data-id="i-1"]'), 'the dropped instance is drawn');
    await page.click('#tab-inspector');
    assert.match(await page.inputValue('#f-network-instances-1-subnet'), /subnet-private-b/, 'it lives in the subnet it was dropped on');

    // Drag the web app card 80 px right: it moves, and one undo puts it back.
    const web = await box(page, '.canvas [data-id="i-web"] rect.body');
    await page.mouse.move(web.x + 20, web.y + 20);
    await page.mouse.down();
    await page.mouse.move(web.x + 60, web.y + 20, { steps: 4 });
    await page.mouse.move(web.x + 100, web.y + 20, { steps: 4 });
    await page.mouse.up();
    const moved = await box(page, '.canvas [data-id="i-web"] rect.body');
    assert.ok(moved.x - web.x > 50, `the card moved (${web.x} -> ${moved.x})`);
    await page.click('#undo');
    const back = await box(page, '.canvas [data-id="i-web"] rect.body');
    assert.ok(Math.abs(back.x - web.x) < 2, 'one undo step puts it back');

    // Shift-click selects two cards; Ctrl+D duplicates both; Delete removes the copies.
    await page.click('.canvas [data-id="i-web"] rect.body');
    await page.click('.canvas [data-id="i-1"] rect.body', { modifiers: ['Shift'] });
    assert.equal(await page.$$eval('.canvas .card.selected', (c) => c.length), 2, 'two cards selected');
    await page.keyboard.press('Control+d');
    await page.waitForFunction((n) => document.querySelectorAll('.canvas [data-kind="card"]').length === n + 3, before);
    await page.keyboard.press('Delete');
    await page.waitForFunction((n) => document.querySelectorAll('.canvas [data-kind="card"]').length === n + 1, before);

    // Resize the second subnet by dragging its handle.
    await page.click('.canvas [data-id="subnet-private-b"] rect.body', { position: { x: 200, y: 70 } });
    const sub = await box(page, '.canvas [data-id="subnet-private-b"] rect.body');
    const handle = await box(page, '.resize-handle[data-id="subnet-private-b"]');
    await page.mouse.move(handle.x + 5, handle.y + 5);
    await page.mouse.down();
    await page.mouse.move(handle.x + 5, handle.y + 65, { steps: 5 });
    await page.mouse.up();
    const grown = await box(page, '.canvas [data-id="subnet-private-b"] rect.body');
    assert.ok(grown.height - sub.height > 30, `the subnet is taller (${sub.height} -> ${grown.height})`);

    // Zoom in with the toolbar: everything is drawn larger.
    const level = await page.textContent('.zoom-level');
    await page.click('button[aria-label="Zoom in"]');
    assert.notEqual(await page.textContent('.zoom-level'), level);
    const big = await box(page, '.canvas [data-id="i-web"] rect.body');
    assert.ok(big.width > back.width * 1.1, 'cards are larger after zooming in');
    await shot(page, 'canvas-editing');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
