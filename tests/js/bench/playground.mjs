// Playground benchmark, in headless Chromium against the built site (dist/site/):
// - first paint: from the end of the .wasm download to the app's first rendered frame;
// - bulk send: "Send from every source" with 260 sources, frames per second of the one
//   requestAnimationFrame loop while every packet moves.
// - import in the page: the large account's AWS CLI files chosen in "Open…": the import
//   itself in the worker (the opt-level-3 API wasm, as the banner reports it), and the
//   whole way until the imported network is on screen (file reading, the worker, the
//   playground loading, laying out and drawing 5,000 interfaces), median of 3; once with
//   the files set on the input directly (the worker starts cold when they are read),
//   once through "Open…" and its file picker, the files chosen after a second (the worker
//   starts, and warms up, when the picker opens).
// Prints one JSON object.
import { open } from '../e2e/browser.mjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const url = process.argv[2];
const account = process.argv[3];
const N = 260;
// How long the benchmark's user takes to choose files in the picker: one second, less
// than anyone takes to find and select an account's files.
const PICK_MS = 1000;

function bulkScenario() {
  const instances = [];
  for (let i = 0; i < N; i++) {
    instances.push({ id: `i-src-${i}`, subnet: i % 2 ? 'subnet-a' : 'subnet-b', private_ip: `10.0.${i % 2 ? 1 : 2}.${10 + Math.floor(i / 2)}`, security_groups: ['sg-all'] });
  }
  instances.push({ id: 'i-dst', name: 'model server', subnet: 'subnet-c', private_ip: '10.0.3.10', security_groups: ['sg-all'] });
  return {
    vpcsim: 1,
    name: 'bulk benchmark',
    network: {
      vpcs: [{ id: 'vpc-b', cidr_blocks: ['10.0.0.0/16'] }],
      subnets: [
        { id: 'subnet-a', vpc: 'vpc-b', cidr: '10.0.1.0/24', az: 'us-east-1a' },
        { id: 'subnet-b', vpc: 'vpc-b', cidr: '10.0.2.0/24', az: 'us-east-1b' },
        { id: 'subnet-c', vpc: 'vpc-b', cidr: '10.0.3.0/24', az: 'us-east-1a' },
      ],
      security_groups: [{ id: 'sg-all', vpc: 'vpc-b', inbound: [{ protocol: 'tcp', ports: '443', cidr: '10.0.0.0/16' }], outbound: [{ protocol: 'all', cidr: '0.0.0.0/0' }] }],
      instances,
    },
  };
}

const result = {};
{
  const { context, page, problems } = await open();
  try {
    await page.addInitScript(() => {
      const seen = () => {
        if (!window.__firstPaint && document.querySelector('.app')) {
          requestAnimationFrame(() => { window.__firstPaint = performance.now(); });
          return;
        }
        requestAnimationFrame(seen);
      };
      requestAnimationFrame(seen);
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__firstPaint, null, { timeout: 60000 });
    result.first_paint = await page.evaluate(() => {
      const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
      return { wasm_loaded_ms: wasm ? wasm.responseEnd : null, first_paint_ms: window.__firstPaint, after_wasm_ms: wasm ? window.__firstPaint - wasm.responseEnd : null };
    });
    if (problems.length) throw new Error(problems.join('\n'));
  } finally {
    await context.close();
  }
}
{
  const { context, page, problems } = await open();
  try {
    await page.goto(url);
    await page.waitForSelector('#send');
    const saved = { v: 1, scenario: bulkScenario(), draft: { from: 'i-src-0', to: 'i-dst', protocol: 'tcp', port: '443' } };
    await page.evaluate((s) => localStorage.setItem('vpcsim.autosave.v1', JSON.stringify(s)), saved);
    await page.reload();
    await page.waitForSelector('#send-all');
    await page.click('#send-all');
    await page.waitForFunction((n) => document.querySelectorAll('.bulk-packet').length >= n, N, { timeout: 60000 });
    const fps = await page.evaluate(() => new Promise((resolve) => {
      const times = [];
      const t0 = performance.now();
      const tick = (t) => {
        times.push(t);
        if (t - t0 < 3000) requestAnimationFrame(tick);
        else {
          const gaps = times.slice(1).map((x, i) => x - times[i]).sort((a, b) => a - b);
          resolve({ frames: times.length, seconds: (times[times.length - 1] - times[0]) / 1000, fps: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), p95_frame_ms: gaps[Math.floor(gaps.length * 0.95)] });
        }
      };
      requestAnimationFrame(tick);
    }));
    result.bulk = { packets: await page.evaluate(() => document.querySelectorAll('.bulk-packet').length), ...fps };
    if (problems.length) throw new Error(problems.join('\n'));
  } finally {
    await context.close();
  }
}
if (account) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vpcsim-account-'));
  const files = JSON.parse(readFileSync(account, 'utf8')).map((f) => {
    const p = path.join(dir, path.basename(f.path));
    writeFileSync(p, f.text);
    return p;
  });
  const { context, page, problems } = await open();
  try {
    // viaPicker: "Open…" is clicked, and the files are chosen in its file picker after
    // PICK_MS (the page starts the import worker and warms it up while a user chooses);
    // else the files are set on the input directly, and the worker starts cold.
    const once = async (viaPicker) => {
      await page.goto(url);
      await page.waitForSelector('#send');
      await page.evaluate(() => {
        document.getElementById('open-files').addEventListener('change', () => { window.__t0 = performance.now(); }, { capture: true, once: true });
      });
      if (viaPicker) {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#open')]);
        await page.waitForTimeout(PICK_MS);
        await chooser.setFiles(files);
      } else {
        await page.setInputFiles('#open-files', files);
      }
      await page.waitForFunction(() => /Imported/.test(document.querySelector('#notice')?.textContent ?? ''), null, { timeout: 120000 });
      // The network is on screen at the next frame.
      const whole = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now() - window.__t0))));
      const worker = Number((await page.textContent('#notice')).match(/The import took (\d+) ms/)[1]);
      return { whole, worker };
    };
    // Every run starts from the default scenario: the previous run's import, autosaved
    // after the storage was cleared (a change of view saves again), would be open at the
    // next load, and opening a large account over another is slower.
    await page.addInitScript(() => localStorage.clear());
    // Alternated, so that both ways meet the same conditions.
    const cold = [], picked = [];
    for (let k = 0; k < 3; k++) {
      cold.push(await once(false));
      picked.push(await once(true));
    }
    const summary = (list) => {
      const runs = list.map((r) => r.whole).sort((a, b) => a - b);
      const worker = list.map((r) => r.worker).sort((a, b) => a - b);
      return { files: files.length, runs_ms: runs, median_ms: runs[1], worker_import_ms: worker, worker_median_ms: worker[1] };
    };
    result.site_import = summary(cold);
    result.site_import_picker = { pick_ms: PICK_MS, ...summary(picked) };
    if (problems.length) throw new Error(problems.join('\n'));
  } finally {
    await context.close();
  }
}
console.log(JSON.stringify(result));
