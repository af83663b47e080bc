// The npm package's files: package.json (exports, files, version), the bundler build with
// its .d.ts (and run in Node, which imports .wasm as an ES module like a bundler), and the
// README's Node example, run as written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { NPM_DIR, ROOT, workspaceVersion } from './package.mjs';

const pkg = JSON.parse(readFileSync(join(NPM_DIR, 'package.json'), 'utf8'));

test('package.json: name, workspace version, ES module, exports with types', () => {
  assert.equal(pkg.name, 'vpcsim');
  assert.equal(pkg.version, workspaceVersion());
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  assert.deepEqual(pkg.exports['.'], { types: './vpcsim.d.ts', default: './vpcsim.js' });
  assert.deepEqual(pkg.exports['./bundler'], { types: './bundler/vpcsim.d.ts', default: './bundler/vpcsim.js' });
  // Conditions match in order: `types` must come first.
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'default']);
  assert.deepEqual(Object.keys(pkg.exports['./bundler']), ['types', 'default']);
  for (const target of [pkg.exports['.'].types, pkg.exports['.'].default, pkg.exports['./bundler'].types, pkg.exports['./bundler'].default, pkg.exports['./vpcsim_bg.wasm']]) {
    assert.ok(existsSync(join(NPM_DIR, target)), target);
  }
  for (const file of pkg.files) assert.ok(existsSync(join(NPM_DIR, file)), file);
});

test('the bundler build exists, with its .d.ts naming the result types', () => {
  const dir = join(NPM_DIR, 'bundler');
  for (const file of ['vpcsim.js', 'vpcsim_bg.js', 'vpcsim_bg.wasm', 'vpcsim.d.ts']) assert.ok(existsSync(join(dir, file)), file);
  const js = readFileSync(join(dir, 'vpcsim.js'), 'utf8');
  assert.match(js, /import \* as wasm from "\.\/vpcsim_bg\.wasm"/);
  const dts = readFileSync(join(dir, 'vpcsim.d.ts'), 'utf8');
  for (const signature of [
    'export function trace(scenario: Scenario | string, probe: Probe | string): TraceResult;',
    'export function check(scenario: Scenario | string): CheckResult;',
    'export function importAws(files: AwsFile[] | Record<string, string> | string): ImportResult;',
    'export function importTerraform(json: TerraformJson | string): ImportResult;',
    'export function exportTerraform(scenario: Scenario | string): ExportResult;',
    'export function version(): string;',
    'export interface Diagnostic {',
    'export type DropReason =',
  ]) {
    assert.ok(dts.includes(signature), signature);
  }
  const web = readFileSync(join(NPM_DIR, 'vpcsim.d.ts'), 'utf8');
  assert.ok(web.includes('export function initSync('));
  assert.ok(!/\): any;/.test(web.slice(0, web.indexOf('export type InitInput'))), 'no API function returns any');
});

test('the bundler build instantiates its wasm on import and traces (Node with WebAssembly ES modules)', () => {
  const flags = process.allowedNodeEnvironmentFlags.has('--experimental-wasm-modules') ? ['--experimental-wasm-modules', '--no-warnings'] : [];
  const url = pathToFileURL(join(NPM_DIR, 'bundler', 'vpcsim.js')).href;
  const scenario = readFileSync(join(ROOT, 'tests/scenarios/gallery/worked-example.json'), 'utf8');
  const code = `
    import { trace, version } from ${JSON.stringify(url)};
    const r = trace(process.argv[1], { from: 'i-web', to: 'sagemaker:endpoint/churn-model', port: 22 });
    console.log(JSON.stringify([r.type, r.trace.request.dropped_at.reason, version()]));`;
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code, scenario], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), ['success', 'sg-no-matching-rule', workspaceVersion()]);
});

test("the README's Node example runs and prints what its comments say", () => {
  const readme = readFileSync(join(NPM_DIR, 'README.md'), 'utf8');
  const block = /## Node[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'a js block under "## Node"');
  // As installed: the example imports "vpcsim"; here that is the package folder.
  const url = pathToFileURL(join(NPM_DIR, 'vpcsim.js')).href;
  const code = block.replaceAll('import.meta.resolve("vpcsim")', JSON.stringify(url)).replaceAll('from "vpcsim"', `from ${JSON.stringify(url)}`);
  const dir = mkdtempSync(join(tmpdir(), 'vpcsim-readme-'));
  try {
    writeFileSync(join(dir, 'example.mjs'), code);
    const out = execFileSync(process.execPath, [join(dir, 'example.mjs')], { encoding: 'utf8' });
    const expected = [workspaceVersion(), ...[...block.matchAll(/\/\/ (\S.*)$/gm)].map((m) => m[1]).filter((c) => !c.startsWith('example.mjs'))];
    assert.deepEqual(out.trim().split('\n'), expected);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
