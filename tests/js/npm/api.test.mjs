// The npm package (dist/npm, `cargo xtask dist`) in Node: the web build initialised with
// `initSync({module: bytes})`, every function of the JavaScript API on the repository's
// inputs, with the answers of the CLI and of the native twins (tests/tests/ffi_json.rs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, text, folder, workspaceVersion } from './package.mjs';

const api = await load();
const WORKED = text('tests/scenarios/gallery/worked-example.json');
const ENDPOINT = 'sagemaker:endpoint/churn-model';

/** Asserts a failure value: no trace, every error located and explained. */
function assertFailure(result, code) {
  assert.equal(result.type, 'failure', JSON.stringify(result).slice(0, 300));
  assert.ok(Array.isArray(result.errors) && result.errors.length > 0);
  for (const e of result.errors) {
    for (const key of ['code', 'severity', 'message', 'help', 'at']) assert.equal(typeof e[key], 'string', `${key} of ${JSON.stringify(e)}`);
    assert.notEqual(e.message, '');
    assert.notEqual(e.help, '');
    assert.notEqual(e.at, '');
  }
  if (code) assert.equal(result.errors[0].code, code);
}

test('trace: HTTPS from the web app to the endpoint is delivered, there and back', () => {
  const r = api.trace(WORKED, { from: 'i-web', to: ENDPOINT, protocol: 'tcp', port: 443 });
  assert.equal(r.type, 'success');
  assert.equal(r.trace.reachable, true);
  assert.equal(r.trace.request.outcome, 'delivered');
  assert.equal(r.trace.request.dropped_at, null);
  assert.equal(r.trace.response.outcome, 'delivered');
  assert.deepEqual(r.trace.flow, { src_ip: '10.0.1.10', dst_ip: '10.0.1.20', protocol: 'tcp', src_port: 49152, dst_port: 443 });
  assert.deepEqual(r.warnings, []);
  assert.match(r.text, /=> DELIVERED\nresponse\n/);
  assert.match(r.text, /reachable: yes/);
});

test('trace: SSH is dropped at sg-endpoint, no rule matched (the CLI says the same)', () => {
  // `vpcsim trace tests/scenarios/gallery/worked-example.json --from i-web
  //  --to sagemaker:endpoint/churn-model --port 22 --format json`
  const r = api.trace(JSON.parse(WORKED), { from: 'i-web', to: ENDPOINT, port: 22 });
  assert.equal(r.type, 'success');
  assert.equal(r.trace.reachable, false);
  assert.equal(r.trace.request.outcome, 'dropped');
  assert.equal(r.trace.response, null);
  assert.deepEqual(r.trace.request.dropped_at, {
    kind: 'security-group',
    component: 'sg-endpoint',
    direction: 'inbound',
    rule: null,
    reason: 'sg-no-matching-rule',
    explanation: 'no rule allows tcp/22 from sg-web (10.0.1.10): security groups allow only what a rule permits',
  });
  const hops = r.trace.request.hops;
  assert.deepEqual(hops.map((h) => h.node), ['eni-i-web', 'subnet-private', 'eni-sm-endpoint-churn-model']);
  const last = hops.at(-1).checks.at(-1);
  assert.equal(last.verdict, 'deny');
  assert.equal(last.spec, 'SG-9');
});

test('trace: a probe naming nothing is a located failure with a suggestion', () => {
  const r = api.trace(WORKED, { from: 'i-wbe', to: ENDPOINT, port: 443 });
  assertFailure(r, 'unknown-reference');
  assert.equal(r.errors[0].at, 'probe/from');
  assert.match(r.errors[0].help, /i-web/);
});

test('a Session builds once and traces many', () => {
  const session = new api.Session(WORKED);
  try {
    assert.deepEqual(session.diagnostics(), []);
    assert.equal(session.trace({ from: 'i-web', to: ENDPOINT, port: 443 }).trace.reachable, true);
    assert.equal(session.traceBatch({ from: 'i-web', to: ENDPOINT, port: 22 }, 5), 0);
    assertFailure(session.trace('{"from": 1}'), 'probe-shape');
  } finally {
    session.free();
  }
  assert.throws(() => new api.Session('{ nope'), /json-syntax/);
});

test('check: the worked example has no diagnostics; a broken reference is an error', () => {
  assert.deepEqual(api.check(WORKED), { type: 'success', diagnostics: [], warnings: [] });
  const broken = JSON.parse(WORKED);
  broken.network.instances[0].subnet = 'subnet-nowhere';
  const r = api.check(broken);
  assertFailure(r);
  assert.ok(r.errors.some((e) => e.severity === 'error' && e.message.includes('subnet-nowhere')), JSON.stringify(r.errors));
});

test('importAws: the SageMaker fixtures (AWS CLI outputs) become a scenario that traces', () => {
  const files = folder('tests/fixtures/aws-sagemaker');
  assert.equal(files.length, 12);
  const r = api.importAws(files);
  assert.equal(r.type, 'success');
  const net = r.scenario.network;
  assert.equal(r.scenario.vpcsim, 1);
  assert.equal(net.region, 'us-east-1');
  assert.deepEqual(net.vpcs.map((v) => v.id), ['vpc-0ml']);
  assert.equal(net.subnets.length, 2);
  assert.equal(net.security_groups.length, 3);
  assert.deepEqual(net.instances.map((i) => i.id), ['i-0web']);
  assert.deepEqual(net.sagemaker.endpoints.map((e) => e.name), ['churn-model']);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, d.at]),
    [['info', 'aws-sagemaker-unused', 'us-east-1/describe-model-old.json#']],
  );
  // The same files as an object of path to text, in any order, and as JSON text: the
  // arrays and objects are read field by field, the text is decoded as JSON.
  const map = api.importAws(Object.fromEntries([...files].reverse().map((f) => [f.path, f.text])));
  assert.deepEqual(map, r);
  assert.deepEqual(api.importAws(JSON.stringify(files)), r);
  // Without paths, the files are named by their position, either way.
  const unnamed = files.map((f) => ({ text: f.text }));
  assert.deepEqual(api.importAws(unnamed), api.importAws(JSON.stringify(unnamed)));
  assert.equal(api.importAws(unnamed).diagnostics[0].at, 'file-4.json#');
  const t = api.trace(r.scenario, { from: 'i-0web', to: ENDPOINT, port: 443 });
  assert.equal(t.trace.request.outcome, 'delivered');
  // The JSON text variant answers the same, for every shape of argument.
  for (const arg of [files, JSON.stringify(files), unnamed, 42, '[{"path": 1}]']) {
    const text = api.importAwsJson(arg);
    assert.equal(typeof text, 'string');
    assert.deepEqual(JSON.parse(text), api.importAws(arg));
  }
});

test('reachability and reachabilityJson: the matrix, and the same answer as JSON text', () => {
  const scenario = JSON.parse(text('tests/scenarios/gallery/worked-example.json'));
  const r = api.reachability(scenario);
  assert.equal(r.type, 'success');
  assert.ok(r.matrix.pairs.length > 0);
  const edited = structuredClone(scenario);
  edited.network.security_groups[0].inbound = [];
  for (const [doc, base] of [[scenario, undefined], [JSON.stringify(scenario), null], [edited, scenario], ['{', undefined]]) {
    const answer = api.reachabilityJson(doc, base);
    assert.equal(typeof answer, 'string');
    assert.deepEqual(JSON.parse(answer), api.reachability(doc, base));
  }
});

test('ReachSession: asked after each edit, the same answers as reachability; rule edits update the kept matrix', () => {
  const scenario = JSON.parse(text('tests/scenarios/gallery/worked-example.json'));
  const session = new api.ReachSession();
  assert.equal(session.lastUpdate(), null);
  // sg-endpoint admits HTTPS from sg-web: without that rule, the web app's cells close.
  const edited = structuredClone(scenario);
  edited.network.security_groups[1].inbound = [];
  const moved = structuredClone(edited);
  moved.network.subnets[0].cidr = '10.0.99.0/24';
  const steps = [
    [scenario, undefined, { kind: 'new' }],
    [JSON.stringify(scenario), null, { kind: 'same' }],
    [edited, scenario, 'rules'],
    [edited, JSON.stringify(scenario), { kind: 'same' }],
    [moved, scenario, { kind: 'new' }],
    [scenario, scenario, { kind: 'new' }],
  ];
  for (const [doc, base, how] of steps) {
    const answer = session.reachability(doc, base);
    assert.equal(answer.type, 'success');
    assert.deepEqual(answer, api.reachability(doc, base));
    const update = session.lastUpdate();
    if (how === 'rules') {
      assert.equal(update.kind, 'rules');
      assert.equal(update.edited, 1);
      assert.equal(update.update.kind, 'incremental');
      assert.ok(update.update.cells > 0);
    } else assert.deepEqual(update, how);
    assert.deepEqual(JSON.parse(session.reachabilityJson(doc, base)), answer);
  }
  // Unreadable input is a failure value; the session goes on.
  assertFailure(session.reachability('{'));
  assert.deepEqual(session.reachability(edited), api.reachability(edited));
  session.free();
});

test('importTerraformJson: the same answer as importTerraform, as JSON text', () => {
  for (const name of ['worked-example-state.json', 'modules-state.json']) {
    const json = text(`tests/fixtures/terraform/${name}`);
    const r = api.importTerraform(json);
    assert.equal(r.type, 'success', name);
    assert.deepEqual(JSON.parse(api.importTerraformJson(json)), r);
    assert.deepEqual(JSON.parse(api.importTerraformJson(JSON.parse(json))), r);
  }
  assertFailure(JSON.parse(api.importTerraformJson('{')));
});

test('importAws: texts outside ASCII arrive whole, as objects and as JSON text', () => {
  const name = 'modèle-ü-🚀-\u4e2d';
  const vpcs = JSON.stringify({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', Tags: [{ Key: 'Name', Value: name }] }] });
  const files = [{ path: 'é/Vpcs.json', text: vpcs }];
  for (const arg of [files, JSON.stringify(files), { 'é/Vpcs.json': vpcs }]) {
    const r = api.importAws(arg);
    assert.equal(r.type, 'success');
    assert.equal(r.scenario.network.vpcs[0].name, name);
  }
  // A lone surrogate is not text: the argument is refused, whatever its shape.
  const lone = [{ path: 'Vpcs.json', text: vpcs.replace('🚀', '\ud83d') }];
  for (const arg of [lone, JSON.stringify(lone), { 'Vpcs.json': lone[0].text }, [{ path: 'a\ud800', text: vpcs }]]) {
    assertFailure(api.importAws(arg), 'import-argument');
  }
});

test('importAws: arguments JSON would read differently are read as JSON, and never throw', () => {
  const vpcs = JSON.stringify({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
  class File { constructor(t) { this.p = t; } get text() { return this.p; } }
  const odd = [
    new Number(42), new Boolean(true), new Date(0), new String(JSON.stringify([{ path: 'a', text: vpcs }])),
    [new File(vpcs)], [Object.create({ path: 'Vpcs.json', text: vpcs })],
    [{ path: 'a', text: '{}', toJSON() { return { path: 'Vpcs.json', text: vpcs }; } }],
    // eslint-disable-next-line no-sparse-arrays
    [, { path: 'Vpcs.json', text: vpcs }],
    [{ path: 'Vpcs.json', text: vpcs, size: undefined }], { 'Vpcs.json': vpcs, 'b.json': undefined },
  ];
  for (const arg of odd) {
    assert.deepEqual(api.importAws(arg), api.importAws(JSON.stringify(arg) ?? ''), String(arg));
  }
  // JSON.stringify throws on these: the answer is a failure, not an exception.
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const throwing = [
    proxy, [proxy],
    { get 'Vpcs.json'() { throw new Error('no'); } },
    [{ path: 'Vpcs.json', get text() { throw new Error('no'); } }],
  ];
  for (const arg of throwing) {
    assertFailure(api.importAws(arg), 'import-argument');
  }
});

test('importAws: an argument of the wrong shape is a failure', () => {
  assertFailure(api.importAws(42), 'import-argument');
  assertFailure(api.importAws('[{"path": 1}]'), 'import-argument');
  assert.equal(api.importAws('[{"path": 1}]').errors[0].at, 'files');
  // The same shapes as objects, not text, are read as the JSON would be.
  assertFailure(api.importAws([{ path: 1, text: '{}' }]), 'import-argument');
  assertFailure(api.importAws({ 'Vpcs.json': 7 }), 'import-argument');
  assertFailure(api.importAws([42]), 'import-argument');
  assertFailure(api.importAws(new Number(42)), 'import-argument');
  assertFailure(api.importAws(new String('[{"path": "a", "text": "{}"}]')), 'import-argument');
  assert.equal(api.importAws([{ path: 'Vpcs.json' }]).type, 'success', 'a missing text is an empty file');
});

test('importTerraform: a state document becomes the worked example', () => {
  const doc = text('tests/fixtures/terraform/worked-example-state.json');
  for (const arg of [doc, JSON.parse(doc)]) {
    const r = api.importTerraform(arg);
    assert.equal(r.type, 'success');
    const net = r.scenario.network;
    assert.deepEqual(net.instances.map((i) => i.id), ['i-0123456789abcdef0']);
    assert.deepEqual(net.security_groups.map((s) => s.id), ['sg-0c0ffee0000000001', 'sg-0c0ffee0000000002']);
    assert.deepEqual(net.sagemaker.endpoints.map((e) => e.name), ['churn-model']);
    assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.at]), [['info', 'unsupported-resource-type', 'aws_iam_role.sagemaker']]);
    const ssh = api.trace(r.scenario, { from: 'i-0123456789abcdef0', to: ENDPOINT, port: 22 });
    assert.equal(ssh.trace.request.dropped_at.component, 'sg-0c0ffee0000000002');
    assert.equal(ssh.trace.request.dropped_at.reason, 'sg-no-matching-rule');
  }
});

test('importTerraform: unreadable documents are located failures', () => {
  const cases = [
    ['{ not json', 'json-syntax', 'terraform.json#'],
    ['', 'json-syntax', 'terraform.json#'],
    [[1, 2], 'not-terraform-json', 'terraform.json#'],
    [{ values: {} }, 'not-terraform-json', 'terraform.json#'],
    [{ format_version: 1 }, 'terraform-shape', 'terraform.json#/format_version'],
    [undefined, 'json-syntax', 'terraform.json#'],
  ];
  for (const [arg, code, at] of cases) {
    const r = api.importTerraform(arg);
    assertFailure(r, code);
    assert.equal(r.errors[0].at, at, JSON.stringify(arg));
  }
});

test('exportTerraform: the worked example as versions.tf, variables.tf and main.tf', () => {
  const r = api.exportTerraform(WORKED);
  assert.equal(r.type, 'success');
  assert.deepEqual(Object.keys(r.files), ['versions.tf', 'variables.tf', 'main.tf']);
  assert.match(r.files['main.tf'], /resource "aws_security_group" "sg_endpoint"/);
  assert.match(r.files['main.tf'], /resource "aws_vpc" /);
  assert.match(r.files['versions.tf'], /hashicorp\/aws/);
  assert.deepEqual(r.diagnostics, []);
  assertFailure(api.exportTerraform('{"vpcsim": 2, "network": {}}'), 'unsupported-version');
});

test('version() is the workspace version', () => {
  assert.equal(api.version(), workspaceVersion());
});

test('bad JSON and wrong shapes are failure values, never exceptions', () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const inputs = ['{ not json', '', 'null', '[]', '{"vpcsim": 1, "network": {"vpcs": 3}}', 42, null, undefined, cyclic, 10n];
  for (const bad of inputs) {
    let r;
    assert.doesNotThrow(() => {
      r = api.trace(bad, { from: 'a', to: 'b' });
    }, `trace(${String(bad)})`);
    assertFailure(r);
    assert.doesNotThrow(() => {
      r = api.check(bad);
    });
    assertFailure(r);
    assert.doesNotThrow(() => {
      r = api.exportTerraform(bad);
    });
    assertFailure(r);
  }
  const syntax = api.trace('{"vpcsim": 1, ', '{}');
  assertFailure(syntax, 'json-syntax');
  assert.match(syntax.errors[0].at, /^line \d+ column \d+$/);
  const shape = api.check('{"vpcsim": 1, "network": {"vpcs": 3}}');
  assertFailure(shape);
  assert.match(shape.errors[0].at, /vpcs/);
  assertFailure(api.trace(WORKED, 'not a probe'), 'probe-shape');
});
