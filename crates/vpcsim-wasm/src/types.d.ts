// The shapes of vpcsim's JavaScript API, appended to the generated vpcsim_wasm.d.ts.
// The Rust side is vpcsim_core::ffi (the tagged answers), vpcsim_core::trace (Trace) and
// vpcsim_core::scenario (Scenario, Probe; docs/scenario.schema.json is the full schema).
// tests/tests/ffi_json.rs checks that the enumerations below list every Rust variant.

/** How bad a diagnostic is. */
export type Severity = "info" | "warning" | "error";

/** One located problem: `{code, severity, message, help, at}`. */
export interface Diagnostic {
  /** Stable kebab-case code, e.g. `json-syntax`, `unknown-reference`, `cidr-host-bits`. */
  code: string;
  severity: Severity;
  /** One lowercase sentence; user input in backticks. */
  message: string;
  /** What would be valid, or how to fix it. */
  help: string;
  /**
   * Where: a document path (`security_groups/sg-web/inbound/0/ports`, `probe/from`), a JSON
   * pointer prefixed by a file name (`Vpcs.json#/Vpcs/0`, `terraform.json#/format_version`),
   * a Terraform resource address, or `line L column C` for JSON syntax errors.
   */
  at: string;
}

/** Every failure has this shape; nothing in the API throws for bad input. */
export interface Failure {
  type: "failure";
  errors: Diagnostic[];
}

// ---------------------------------------------------------------------------------------
// Scenarios and probes (format v1).

/** A resource of the network; see docs/scenario.schema.json for each kind's fields. */
export interface ScenarioResource {
  id?: string;
  name?: string;
  [field: string]: unknown;
}

/** SageMaker resources of a network. */
export interface SageMakerResources {
  notebook_instances?: ScenarioResource[];
  training_jobs?: ScenarioResource[];
  endpoints?: ScenarioResource[];
  domains?: ScenarioResource[];
}

/** Every resource of the network, by kind. */
export interface ScenarioNetwork {
  region?: string;
  vpcs?: ScenarioResource[];
  subnets?: ScenarioResource[];
  route_tables?: ScenarioResource[];
  network_acls?: ScenarioResource[];
  security_groups?: ScenarioResource[];
  instances?: ScenarioResource[];
  internet_gateways?: ScenarioResource[];
  egress_only_internet_gateways?: ScenarioResource[];
  nat_gateways?: ScenarioResource[];
  transit_gateways?: ScenarioResource[];
  vpc_endpoints?: ScenarioResource[];
  peering_connections?: ScenarioResource[];
  prefix_lists?: ScenarioResource[];
  external?: ScenarioResource[];
  sagemaker?: SageMakerResources;
}

/** Where the canvas draws a resource. */
export interface LayoutHint {
  x: number;
  y: number;
  w?: number;
  h?: number;
}

/** The API call a request carries, for endpoint policies. */
export interface ApiCall {
  /** e.g. `sagemaker:InvokeEndpoint`. */
  action: string;
  resource?: string;
  principal?: string;
}

/** What a probe should do, checked by `vpcsim probes` and the playground. */
export interface Expectation {
  request: Outcome;
  response?: Outcome;
  component?: string;
  rule?: string;
  reason?: DropReason;
  spec?: string[];
}

/** One packet to send. */
export interface Probe {
  name?: string;
  /** A resource id, `sagemaker:KIND/NAME`, an IP address, an external host id, or `internet`. */
  from: string;
  /** As `from`, plus `service:NAME` (e.g. `service:s3`). */
  to: string;
  /** `tcp` (default), `udp`, `icmp`, `icmpv6`, `all` or a number 0-255. */
  protocol?: string;
  /** Destination port for TCP and UDP. */
  port?: number;
  /** Source port; default 49152. */
  src_port?: number;
  icmp_type?: number;
  icmp_code?: number;
  ip_version?: 4 | 6;
  api?: ApiCall;
  expect?: Expectation;
}

/** A scenario document, format v1. */
export interface Scenario {
  vpcsim: 1;
  name?: string;
  description?: string;
  spec?: string[];
  expect_diagnostics?: string[];
  network: ScenarioNetwork;
  probes?: Probe[];
  layout?: Record<string, LayoutHint>;
}

// ---------------------------------------------------------------------------------------
// Traces.

/** Which layer a check belongs to. */
export type CheckKind =
  | "security-group"
  | "network-acl"
  | "route-table"
  | "internet-gateway"
  | "nat-gateway"
  | "vpc-peering"
  | "transit-gateway"
  | "vpc-endpoint"
  | "endpoint-policy"
  | "sagemaker"
  | "address";

export type Direction = "inbound" | "outbound";

export type Verdict = "allow" | "deny";

/** How a leg ended. */
export type Outcome = "delivered" | "dropped" | "exits-network" | "insufficient-info";

/** Why a packet stopped. */
export type DropReason =
  | "sg-no-matching-rule"
  | "nacl-deny-rule"
  | "nacl-default-deny"
  | "no-route"
  | "blackhole-route"
  | "no-public-ip"
  | "igw-not-attached"
  | "not-addressable"
  | "private-nat-to-igw"
  | "unsolicited-inbound"
  | "peering-not-active"
  | "peering-no-edge-to-edge"
  | "no-such-address"
  | "endpoint-tcp-only"
  | "endpoint-wrong-service"
  | "endpoint-policy-denied"
  | "network-isolation"
  | "routing-loop"
  | "address-family"
  | "service-cannot-initiate"
  | "endpoint-not-extended"
  | "asymmetric-route"
  | "port-25-restricted";

/** One check at one hop. */
export interface Check {
  kind: CheckKind;
  /** Id of the component that decided (`sg-web`, `acl-1`, `rtb-main`). */
  component: string;
  direction: Direction | null;
  verdict: Verdict;
  /** The deciding rule in AWS terms (`100`, `*`, `tcp/443 from sg-web`), or null when none matched. */
  rule: string | null;
  /** Locator of the rule in the document (`sg-web/outbound/0`). */
  rule_path?: string;
  /** One sentence in AWS vocabulary. */
  explanation: string;
  /** Spec rule id (`SG-1`, `NACL-6`). */
  spec: string;
}

/** One node the packet visits. */
export interface Hop {
  node: string;
  label: string;
  /** The drawable resource owning the node (instance, SageMaker resource, gateway). */
  resource: string;
  checks: Check[];
}

/** Where and why a packet stopped. */
export interface DropInfo {
  kind: CheckKind;
  component: string;
  direction: Direction | null;
  rule: string | null;
  reason: DropReason;
  explanation: string;
}

/** One direction of a flow. */
export interface Leg {
  outcome: Outcome;
  hops: Hop[];
  /** Set when `outcome` is `dropped`. */
  dropped_at: DropInfo | null;
  /** What the model lacks, when `outcome` is `insufficient-info`. */
  missing?: string;
}

/** The packet as the source sent it. */
export interface Flow {
  src_ip: string;
  dst_ip: string;
  protocol: string;
  src_port: number | null;
  dst_port: number | null;
  icmp_type?: number;
  icmp_code?: number;
}

/** What happened to one probe: request, outcome, response. */
export interface Trace {
  flow: Flow;
  /** The request arrived (or left the modelled network) and its response got back. */
  reachable: boolean;
  request: Leg;
  /** The way back, when the request got through. */
  response: Leg | null;
}

// ---------------------------------------------------------------------------------------
// Results.

export interface TraceSuccess {
  type: "success";
  trace: Trace;
  /** The trace rendered as text, as `vpcsim trace` prints it. */
  text: string;
  /** Load diagnostics of the scenario that did not stop the trace. */
  warnings: Diagnostic[];
}
export type TraceResult = TraceSuccess | Failure;

export interface CheckSuccess {
  type: "success";
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
}
export type CheckResult = CheckSuccess | Failure;

export interface ImportSuccess {
  type: "success";
  scenario: Scenario;
  /** Import and load diagnostics, located. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
}
export type ImportResult = ImportSuccess | Failure;

export interface ExportSuccess {
  type: "success";
  /** File name to contents: `versions.tf`, `variables.tf` (when needed), `main.tf`. */
  files: Record<string, string>;
  /** What was left out or assumed, located by document path. */
  diagnostics: Diagnostic[];
  warnings: Diagnostic[];
}
export type ExportResult = ExportSuccess | Failure;

/** One allowed class of a matrix cell: `tcp 443`, `udp 1024-65535`, `icmp` (echo), `proto-50`, `other`. */
export interface Allowed {
  protocol: string;
  /** `443`, `1024-65535`, `0-65535`; absent for protocols without ports. */
  ports?: string | null;
}

/** A reachability matrix: each distinct list of allowed classes once, pairs as indexes. */
export interface MatrixWire {
  /** Source references (interfaces, `internet`, external networks), as a probe's `from`. */
  sources: string[];
  /** Destination references: the sources' kinds plus `service:NAME`. */
  destinations: string[];
  /** Distinct lists of allowed classes; `sets[0]` is empty. */
  sets: Allowed[][];
  /** `[source index, destination index, set index]` per analysed pair. */
  pairs: [number, number, number][];
  /** The clients' source port (49152). */
  src_port: number;
  /** The protocol number standing for `other`. */
  other_protocol: number;
}

/** One group label per source and destination. */
export interface EndGroups {
  sources: string[];
  destinations: string[];
}

/** How one pair changed against the baseline. */
export interface Change {
  from: string;
  to: string;
  gained: Allowed[];
  lost: Allowed[];
}

export interface ReachSuccess {
  type: "success";
  matrix: MatrixWire;
  /** Groups by subnet (`subnet-1 (name)`, `outside`, `services`). */
  by_subnet: EndGroups;
  /** Groups by VPC. */
  by_vpc: EndGroups;
  /** With a baseline: every pair whose flows changed. */
  changes?: Change[] | null;
  /** Load errors of the baseline. */
  baseline_errors: number;
  warnings: Diagnostic[];
}
export type ReachResult = ReachSuccess | Failure;

/** How `ReachSession` found its last matrix. */
export type ReachUpdate =
  | { kind: "new" }
  | { kind: "same" }
  | { kind: "rules"; edited: number; update: { kind: "incremental"; cells: number } | { kind: "rebuilt" } };

/** One AWS CLI output file: `aws ec2 describe-vpcs > Vpcs.json` as `{path: "Vpcs.json", text}`. */
export interface AwsFile {
  path?: string;
  text: string;
}

/** A `terraform show -json` document (state or plan). */
export interface TerraformJson {
  format_version: string;
  [key: string]: unknown;
}
