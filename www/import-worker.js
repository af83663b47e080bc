// The importers and the reachability analysis, off the page's thread. They run in the
// JavaScript API's wasm (crates/vpcsim-wasm, built at opt-level 3 for speed), which is only
// downloaded when the user opens AWS CLI or Terraform files or the Reach tab: the
// playground's own wasm carries neither.
// Message in: {kind: "aws" | "terraform", files: [{path, text}]}, or
// {kind: "reach", scenario: JSON text, baseline: JSON text | null}, or {kind: "warm"}
// (no answer: see warmUp below).
// Message out: the API's tagged answer ({type: "success", ...} or {type: "failure",
// errors}) plus elapsed_ms (and, for "reach", update: how the matrix was found), as
// JSON text (the API's own JSON answers, passed on).
// An import worker answers once and is ended; the Reach tab keeps its worker, whose
// ReachSession keeps the last matrix: after an edit of rules only, it recomputes only
// the cells those rules touch.
import init, { importAwsJson, importTerraformJson, ReachSession } from './vpcsim-wasm.js';

const ready = init({ module_or_path: new URL('./vpcsim-wasm_bg.wasm', import.meta.url) });
let session = null;

// A small AWS account (a tenth of the benchmark's: 20 subnets with their NACLs, 100
// security groups of 50 rules, 500 instances), as `aws ec2 describe-*` prints it.
function warmAccount() {
  const subnets = [], nacls = [], groups = [], instances = [];
  for (let s = 0; s < 20; s++) {
    subnets.push({ SubnetId: `subnet-w${s}`, VpcId: 'vpc-w', CidrBlock: `10.0.${s}.0/24`, AvailabilityZone: 'us-east-1a' });
    const entries = [];
    for (let k = 1; k <= 5; k++) {
      for (const egress of [false, true]) {
        entries.push({ RuleNumber: k * 100, Protocol: '6', RuleAction: k === 5 ? 'allow' : 'deny', Egress: egress,
          CidrBlock: k === 5 ? '0.0.0.0/0' : `192.0.2.${k}/32`, PortRange: { From: 1000 + k, To: 2000 + k } });
      }
    }
    nacls.push({ NetworkAclId: `acl-w${s}`, VpcId: 'vpc-w', IsDefault: false, Entries: entries,
      Associations: [{ SubnetId: `subnet-w${s}`, NetworkAclId: `acl-w${s}` }] });
  }
  for (let g = 0; g < 100; g++) {
    const rule = (k) => ({ IpProtocol: 'tcp', FromPort: 1000 + k, ToPort: 1000 + k, IpRanges: [{ CidrIp: `172.16.${g}.${k}/32` }],
      UserIdGroupPairs: k === 0 ? [{ GroupId: `sg-w${(g + 1) % 100}` }] : [], Ipv6Ranges: [], PrefixListIds: [] });
    groups.push({ GroupId: `sg-w${g}`, GroupName: `group-${g}`, VpcId: 'vpc-w',
      IpPermissions: Array.from({ length: 25 }, (_, k) => rule(k)), IpPermissionsEgress: Array.from({ length: 25 }, (_, k) => rule(k + 25)) });
  }
  for (let i = 0; i < 500; i++) {
    const s = Math.floor(i / 25), ip = `10.0.${s}.${10 + (i % 25)}`, group = `sg-w${i % 100}`;
    instances.push({ InstanceId: `i-w${i}`, SubnetId: `subnet-w${s}`, VpcId: 'vpc-w', PrivateIpAddress: ip, State: { Name: 'running' },
      SecurityGroups: [{ GroupId: group }], NetworkInterfaces: [{ NetworkInterfaceId: `eni-w${i}`, SubnetId: `subnet-w${s}`,
        PrivateIpAddress: ip, Groups: [{ GroupId: group }], Attachment: { DeviceIndex: 0 } }] });
  }
  const file = (path, value) => ({ path, text: JSON.stringify(value) });
  return [
    file('Vpcs.json', { Vpcs: [{ VpcId: 'vpc-w', CidrBlock: '10.0.0.0/16', IsDefault: false }] }),
    file('Subnets.json', { Subnets: subnets }),
    file('NetworkAcls.json', { NetworkAcls: nacls }),
    file('SecurityGroups.json', { SecurityGroups: groups }),
    file('Reservations.json', { Reservations: [{ Instances: instances }] }),
    file('InternetGateways.json', { InternetGateways: [{ InternetGatewayId: 'igw-w', Attachments: [{ VpcId: 'vpc-w', State: 'available' }] }] }),
    file('RouteTables.json', { RouteTables: [{ RouteTableId: 'rtb-w', VpcId: 'vpc-w', Associations: [{ Main: true, RouteTableId: 'rtb-w' }],
      Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-w' }] }] }),
  ];
}

// The page starts an import worker when a file picker opens, and sends "warm": while
// the user chooses files, the wasm is compiled and a small account imported, so that
// the browser has compiled the importer's hot code with its optimising compiler (which
// runs in the background once code is hot) by the time the files come. The first
// import in a fresh worker otherwise runs mostly in baseline-compiled code: in node, the
// benchmark's account took 286 ms cold and about 150 ms after this warm-up and a
// second's pause. What it did is kept in self.warmUp (read by the end-to-end tests).
async function warmUp() {
  await ready;
  const t0 = performance.now();
  const answer = JSON.parse(importAwsJson(warmAccount()));
  const errors = answer.type === 'success' ? answer.diagnostics.filter((d) => d.severity === 'error').length : -1;
  self.warmUp = { ms: performance.now() - t0, errors };
}

self.onmessage = async (event) => {
  const { kind, files, scenario, baseline } = event.data;
  if (kind === 'warm') {
    // Nothing to answer: a failure here is met again, and reported, by the import.
    try { await warmUp(); } catch (e) { self.warmUp = { error: String(e) }; }
    return;
  }
  let text;
  try {
    await ready;
    const t0 = performance.now();
    // Every answer comes as JSON text, passed on as it is: a large account's scenario or
    // matrix is never parsed into objects here only to be stringified again.
    let update = '';
    if (kind === 'reach') {
      session ??= new ReachSession();
      text = session.reachabilityJson(scenario, baseline);
      update = `"update":${JSON.stringify(session.lastUpdate())},`;
    } else text = kind === 'terraform' ? importTerraformJson(files[0] ? files[0].text : '') : importAwsJson(files);
    // The answer's own time (input in, answer out), shown by the page and benchmarked,
    // added as the answer's first field (every answer is a non-empty object).
    const elapsed = performance.now() - t0;
    text = `{"elapsed_ms":${JSON.stringify(elapsed)},${update}${text.slice(1)}`;
  } catch (e) {
    // A crash leaves nothing to trust: the next request starts a new session.
    session = null;
    const answer = { type: 'failure', errors: [{ code: 'importer-crashed', severity: 'error', message: String(e), help: 'this is a bug in vpcsim: please report it with the files', at: '' }] };
    text = JSON.stringify(answer);
  }
  // As JSON text: one string is cheaper to pass than a deep object, and the page reads
  // JSON anyway.
  self.postMessage(text);
};
