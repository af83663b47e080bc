// Compiled by `tsc --noEmit -p npm/tsconfig.json` (strict) in the "npm package (node)" step
// of `cargo xtask test`: the package's .d.ts names real shapes, not `any`. Each
// `@ts-expect-error` line fails the check if the type it probes were `any` or wrong.

import init, {
  initSync,
  trace,
  check,
  importAws,
  importTerraform,
  exportTerraform,
  version,
  Session,
  type Diagnostic,
  type DropReason,
  type Probe,
  type Scenario,
  type Trace,
  type TraceResult,
} from "../../../dist/npm/vpcsim.js";
import * as bundler from "../../../dist/npm/bundler/vpcsim.js";

declare const bytes: Uint8Array;
initSync({ module: bytes });
void init;

const scenario: Scenario = {
  vpcsim: 1,
  network: {
    vpcs: [{ id: "vpc-ml", cidr_blocks: ["10.0.0.0/16"] }],
    subnets: [{ id: "subnet-private", vpc: "vpc-ml", cidr: "10.0.1.0/24" }],
    security_groups: [{ id: "sg-web", vpc: "vpc-ml", outbound: [{ protocol: "all", cidr: "0.0.0.0/0" }] }],
    instances: [{ id: "i-web", subnet: "subnet-private", security_groups: ["sg-web"] }],
  },
};
const probe: Probe = { from: "i-web", to: "10.0.1.20", protocol: "tcp", port: 443 };

// Results narrow on `type`.
const result: TraceResult = trace(scenario, probe);
if (result.type === "success") {
  const t: Trace = result.trace;
  const text: string = result.text;
  const reason: DropReason | undefined = t.request.dropped_at?.reason;
  const hops: number = t.request.hops.length + (t.response?.hops.length ?? 0);
  const rules: (string | null)[] = t.request.hops.flatMap((h) => h.checks.map((c) => c.rule));
  void [text, reason, hops, rules];
  // @ts-expect-error a trace result has no `files`
  void result.files;
} else {
  const first: Diagnostic | undefined = result.errors[0];
  const where: string | undefined = first?.at;
  void where;
  // @ts-expect-error a failure has no `trace`
  void result.trace;
}

// JSON text is accepted too.
const fromText: TraceResult = trace(JSON.stringify(scenario), '{"from":"i-web","to":"internet","port":443}');
void fromText;

const checked = check(scenario);
if (checked.type === "success") {
  const codes: string[] = checked.diagnostics.map((d) => d.code);
  void codes;
}

const imported = importAws([{ path: "Vpcs.json", text: '{"Vpcs": []}' }]);
if (imported.type === "success") {
  const again: Scenario = imported.scenario;
  void again;
}
void importAws({ "Vpcs.json": '{"Vpcs": []}' });

const tf = importTerraform({ format_version: "1.0", values: { root_module: {} } });
if (tf.type === "success") {
  const vpcs = tf.scenario.network.vpcs ?? [];
  void vpcs;
}

const exported = exportTerraform(scenario);
if (exported.type === "success") {
  const main: string | undefined = exported.files["main.tf"];
  void main;
}

const v: string = version();
void v;

const session = new Session(scenario);
const fromSession: TraceResult = session.trace(probe);
const diagnostics: Diagnostic[] = session.diagnostics();
const count: number = session.traceBatch(probe, 10);
session.free();
void [fromSession, diagnostics, count];

// The bundler build has the same API.
const viaBundler: TraceResult = bundler.trace(scenario, probe);
void viaBundler;

// Wrong arguments are compile errors.
// @ts-expect-error a probe needs `to`
trace(scenario, { from: "i-web" });
// @ts-expect-error the format version is 1
trace({ vpcsim: 2, network: {} }, probe);
// @ts-expect-error importAws takes files, not a number
importAws(42);
