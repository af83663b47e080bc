//! Findings: lints over a scenario document, each with a stable code, a severity, an
//! explanation, a JSON pointer to what it is about and, where one can be applied, an
//! automatic fix (a small JSON Patch over the document).
//!
//! Codes are stable and grouped: VS1xx exposure, VS2xx SageMaker settings, VS3xx endpoints
//! and policies, VS4xx network ACLs, VS5xx hygiene. [`RULES`] documents every lint
//! (`docs/lints.md` is generated from it, see [`render_docs`]).
//!
//! Load problems (invalid CIDRs, quotas, overlapping subnets...) are diagnostics of
//! [`crate::Network::build`], not findings: a lint judges a valid document.

use crate::addr::Traffic;
use crate::analysis::shadowed_nacl_entries;
use crate::diag::{Diagnostic, Severity};
use crate::eval::{flow_addresses, lookup, Endpoint};
use crate::model::{parse_cidr, parse_traffic, Eni, Network, Node, Owner, RtbIx, Service, SmKind, SubnetIx, Target, VpceKind};
use crate::scenario::{self, NaclEntryDoc, Scenario};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One finding of a lint.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `VS101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `sg-admin-port-open-to-world`.
    pub name: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// One sentence saying what is wrong (user input in backticks).
    pub message: String,
    /// JSON pointer into the scenario document, e.g. `/network/security_groups/2/inbound/0`.
    pub at: String,
    /// How to fix it.
    pub help: String,
    /// An automatic fix, when one can be applied.
    pub fix: Option<Fix>,
}

/// An automatic fix: JSON Patch operations over the scenario document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// What applying it does.
    pub description: String,
    /// The operations, applied in order.
    pub ops: Vec<PatchOp>,
}

/// A JSON Patch (RFC 6902) operation: the `replace`, `add` and `remove` subset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum PatchOp {
    /// Replaces the value at `path`, which must exist.
    Replace {
        /// JSON pointer.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Adds a member to an object, or inserts into an array (`-` appends).
    Add {
        /// JSON pointer.
        path: String,
        /// The value.
        value: Value,
    },
    /// Removes the value at `path`, which must exist.
    Remove {
        /// JSON pointer.
        path: String,
    },
}

impl PatchOp {
    /// The JSON pointer it applies to.
    pub fn path(&self) -> &str {
        match self {
            PatchOp::Replace { path, .. } | PatchOp::Add { path, .. } | PatchOp::Remove { path } => path,
        }
    }

    /// The same operation at another pointer (an element's own, for a patch inside it).
    fn with_path(&self, path: String) -> PatchOp {
        match self {
            PatchOp::Replace { value, .. } => PatchOp::Replace { path, value: value.clone() },
            PatchOp::Add { value, .. } => PatchOp::Add { path, value: value.clone() },
            PatchOp::Remove { .. } => PatchOp::Remove { path },
        }
    }
}

/// The documentation of one lint, in the style of ruff's rule pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    /// Stable code.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// What it does.
    pub what_it_does: &'static str,
    /// Why it matters.
    pub why_it_matters: &'static str,
    /// A short scenario JSON fragment it reports (JSON with `//` comments).
    pub example: &'static str,
    /// How to fix it, and what the automatic fix does (if any).
    pub fix: &'static str,
    /// Spec rule ids and the AWS documentation the spec cites.
    pub reference: &'static str,
}

/// Ports of remote administration and databases (VS101).
pub const ADMIN_PORTS: [(u16, &str); 9] = [
    (22, "SSH"),
    (3389, "RDP"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
];

/// The representative ephemeral port VS402 checks: the probes' default source port, inside
/// every ephemeral range of NACL-12 except Windows Server 2003's.
const EPHEMERAL_PORT: u16 = 49152;

/// Every lint, in code order.
pub static RULES: &[RuleDoc] = &[
    RuleDoc {
        code: "VS101",
        name: "sg-admin-port-open-to-world",
        severity: Severity::Error,
        summary: "A security group accepts an administration or database port from anywhere",
        what_it_does: "Reports inbound security group rules whose source is `0.0.0.0/0` or `::/0` and whose TCP or UDP port range includes 22 (SSH), 3389 (RDP), 3306 (MySQL), 5432 (PostgreSQL), 1433 (SQL Server), 1521 (Oracle), 27017 (MongoDB), 6379 (Redis) or 9200 (Elasticsearch).",
        why_it_matters: "Security group rules are allow-only and the most permissive rule wins (SG-9, SG-10): one rule open to the world exposes the port of every interface in the group to the whole internet, whatever narrower rules say. Administration and database ports are scanned and brute-forced continuously.",
        example: r#"{"id": "sg-db", "vpc": "vpc-a",
 "inbound": [{"protocol": "tcp", "ports": "5432", "cidr": "0.0.0.0/0"}]}"#,
        fix: "Allow the port from the security group of the clients (`\"sg\": \"sg-app\"`) or from a narrow CIDR, and reach hosts through Session Manager or a bastion. The automatic fix removes the rule (it cannot know the right source).",
        reference: "SG-9, SG-10, SG-14: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    },
    RuleDoc {
        code: "VS102",
        name: "sg-all-traffic-open-to-world",
        severity: Severity::Error,
        summary: "A security group accepts all traffic from anywhere",
        what_it_does: "Reports inbound security group rules with protocol `all` (`-1`) whose source is `0.0.0.0/0` or `::/0`.",
        why_it_matters: "Protocol `-1` matches every protocol and every port (SG-15), so the group's interfaces accept any connection from the internet that routing lets through; the security group no longer filters anything.",
        example: r#"{"id": "sg-open", "vpc": "vpc-a",
 "inbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}"#,
        fix: "Allow only the protocols and ports the workload serves, from the sources that need them. The automatic fix removes the rule.",
        reference: "SG-9, SG-15: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html",
    },
    RuleDoc {
        code: "VS201",
        name: "notebook-direct-internet-access",
        severity: Severity::Warning,
        summary: "A notebook instance has direct internet access",
        what_it_does: "Reports notebook instances whose `direct_internet_access` is true (DirectInternetAccess Enabled, SageMaker's default).",
        why_it_matters: "With direct internet access, everything outside the VPC's CIDR leaves through a SageMaker-managed interface to the public internet, bypassing your security groups, network ACLs and route tables (SM-3): data can be copied out and packages pulled from anywhere.",
        example: r#"{"name": "research", "subnet": "subnet-private", "security_groups": ["sg-notebook"],
 "direct_internet_access": true}"#,
        fix: "Set DirectInternetAccess to Disabled and give the VPC the interface endpoints (or a NAT gateway) the notebook needs (SM-4). The automatic fix sets `direct_internet_access` to false; it is offered only when the notebook has a subnet, which Disabled requires.",
        reference: "SM-1, SM-3, SM-4: https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html",
    },
    RuleDoc {
        code: "VS202",
        name: "notebook-root-access",
        severity: Severity::Warning,
        summary: "A notebook instance gives its users root access",
        what_it_does: "Reports notebook instances whose `root_access` is true (RootAccess Enabled, the default).",
        why_it_matters: "With root access, a notebook user can change the instance's network configuration, install any software and read everything on it; the network controls around the notebook then rest on trusting every user.",
        example: r#"{"name": "research", "subnet": "subnet-private", "direct_internet_access": false, "root_access": true}"#,
        fix: "Set RootAccess to Disabled (lifecycle configurations still run as root). The automatic fix sets `root_access` to false.",
        reference: "SM-2: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html",
    },
    RuleDoc {
        code: "VS203",
        name: "job-without-vpc-config",
        severity: Severity::Warning,
        summary: "A training or processing job runs outside your VPC",
        what_it_does: "Reports training and processing jobs without a VpcConfig (no `vpc_config`, or one with no subnet).",
        why_it_matters: "Without a VpcConfig a job runs in a SageMaker-managed VPC and its containers reach S3 and other AWS resources over the internet (SM-1); your security groups, network ACLs, endpoint policies and flow logs do not see that traffic.",
        example: r#"{"name": "train-churn", "kind": "training", "network_isolation": true}"#,
        fix: "Give the job a VpcConfig with private subnets and security groups, and an S3 gateway endpoint (or NAT gateway) for its data (SM-6, SM-7). No automatic fix: the subnets and groups are yours to choose.",
        reference: "SM-1, SM-6, SM-7: https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html, https://docs.aws.amazon.com/sagemaker/latest/dg/process-vpc.html",
    },
    RuleDoc {
        code: "VS204",
        name: "job-without-network-isolation",
        severity: Severity::Warning,
        summary: "A training or processing job's containers can make network calls",
        what_it_does: "Reports training and processing jobs whose `network_isolation` is false (EnableNetworkIsolation not set).",
        why_it_matters: "Without network isolation, the job's containers, which run code and data you may not fully trust, can call out (to the internet in SageMaker's VPC, or to your VPC's resources) and receive AWS credentials. With it, they make no outbound calls at all, and SageMaker still moves the data to and from S3 (SM-8).",
        example: r#"{"name": "train-churn", "vpc_config": {"subnets": ["subnet-private"], "security_groups": ["sg-train"]},
 "network_isolation": false}"#,
        fix: "Enable network isolation unless the algorithm needs the network (some built-in algorithms do not support it). The automatic fix sets `network_isolation` to true.",
        reference: "SM-7, SM-8: https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_NetworkConfig.html",
    },
    RuleDoc {
        code: "VS205",
        name: "model-without-network-isolation",
        severity: Severity::Warning,
        summary: "An inference endpoint's model container can make network calls",
        what_it_does: "Reports inference endpoints whose model has `network_isolation` false (EnableNetworkIsolation not set).",
        why_it_matters: "The model container runs third-party code and handles every request's payload. Without network isolation it can call out and receives AWS credentials; with it, no inbound or outbound network call can be made to or from the container (SM-8).",
        example: r#"{"name": "churn", "model": "churn-v3", "network_isolation": false}"#,
        fix: "Enable network isolation on the model (CreateModel EnableNetworkIsolation). The automatic fix sets `network_isolation` to true.",
        reference: "SM-8: https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateModel.html",
    },
    RuleDoc {
        code: "VS206",
        name: "domain-not-vpc-only",
        severity: Severity::Warning,
        summary: "A Studio domain's apps reach the internet directly",
        what_it_does: "Reports Studio domains whose `network_access` is not `VpcOnly` (AppNetworkAccessType PublicInternetOnly, the default).",
        why_it_matters: "In PublicInternetOnly mode, non-EFS traffic of Studio apps goes through a SageMaker-managed VPC with direct internet access (SM-13): your VPC's security groups, network ACLs, endpoints and routes do not apply to it.",
        example: r#"{"name": "ml-studio", "network_access": "PublicInternetOnly", "vpc": "vpc-ml",
 "subnets": ["subnet-a"], "security_groups": ["sg-studio"]}"#,
        fix: "Use `VpcOnly` with private subnets, and give the VPC the interface endpoints Studio needs (see VS207) or a NAT gateway. The automatic fix sets `network_access` to `VpcOnly`.",
        reference: "SM-13, SM-14: https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html",
    },
    RuleDoc {
        code: "VS207",
        name: "vpc-only-domain-missing-endpoints",
        severity: Severity::Warning,
        summary: "A VpcOnly Studio domain's VPC lacks the endpoints Studio needs",
        what_it_does: "For each Studio domain in `VpcOnly` mode whose VPC has no public NAT gateway, reports the missing VPC endpoints among `sagemaker.api` and `sagemaker.runtime` (interface) and `s3` (gateway or interface).",
        why_it_matters: "In VpcOnly mode Studio won't run unless the VPC has interface endpoints to the SageMaker API and runtime, or a NAT gateway; the documented list for a VPC without internet access also has S3 (SM-13). Users get apps that never start or notebooks that cannot train or host.",
        example: r#"{"name": "ml-studio", "network_access": "VpcOnly", "vpc": "vpc-ml", "subnets": ["subnet-a"], "security_groups": ["sg-studio"]}
// vpc-ml has no NAT gateway and only an s3 gateway endpoint"#,
        fix: "Create the missing interface endpoints (private DNS on) in the domain's subnets, with security groups that accept HTTPS from the domain's groups, and an S3 gateway endpoint on the subnets' route tables. No automatic fix.",
        reference: "SM-13, EP-7, EP-9: https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html, https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-and-internet-access.html",
    },
    RuleDoc {
        code: "VS301",
        name: "invoke-endpoint-without-source-vpce",
        severity: Severity::Warning,
        summary: "An endpoint policy allows InvokeEndpoint without an aws:SourceVpce condition",
        what_it_does: "Reports Allow statements of VPC endpoint policies that match `sagemaker:InvokeEndpoint` (by `Action` or `NotAction`) and have no `aws:SourceVpce` (or `aws:SourceVpc`) condition. Statements granting full access are left to VS302.",
        why_it_matters: "AWS's pattern for keeping inference inside the network is a policy that allows InvokeEndpoint only for requests from your VPC endpoints (SM-12); an allow without the condition keeps working from anywhere it is copied to, and the interface endpoint alone does not stop callers outside the VPC from using the public runtime API.",
        example: r#"{"id": "vpce-runtime", "vpc": "vpc-a", "service": "sagemaker.runtime", "type": "interface",
 "policy": {"Statement": [{"Effect": "Allow", "Principal": "*",
   "Action": "sagemaker:InvokeEndpoint", "Resource": "*"}]}}"#,
        fix: "Add `\"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"vpce-...\"}}` to the statement, and the same condition to the identity policies of the callers. No automatic fix: the endpoint ids to allow are a decision.",
        reference: "SM-12, EP-10, EP-13, IAM-1: https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html, https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
    },
    RuleDoc {
        code: "VS302",
        name: "endpoint-policy-full-access",
        severity: Severity::Info,
        summary: "A VPC endpoint allows every principal every action on every resource",
        what_it_does: "Reports VPC endpoints without a policy (AWS attaches the default full-access policy) and endpoints whose policy has an unconditional Allow of `*` actions on `*` resources for principal `*`.",
        why_it_matters: "An endpoint policy is an extra required allow (EP-12): a least-privilege policy stops the endpoint from being a path to other accounts' buckets or to actions the VPC's workloads never need, for example copying data to a bucket outside your organisation. The default policy allows everything (EP-10).",
        example: r#"{"id": "vpce-s3", "vpc": "vpc-a", "service": "s3", "type": "gateway", "route_tables": ["rtb-private"]}"#,
        fix: "Attach a policy that allows only the actions and resources the VPC uses (for S3, your buckets; for SageMaker Runtime, InvokeEndpoint on your endpoints). No automatic fix.",
        reference: "EP-10, EP-12: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html, https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html",
    },
    RuleDoc {
        code: "VS303",
        name: "s3-via-nat-or-internet",
        severity: Severity::Warning,
        summary: "Workloads reach Amazon S3 through a NAT gateway or an internet gateway",
        what_it_does: "For each route table, looks up the address the simulator sends Amazon S3 traffic to from each workload of the subnets it serves (instances, and SageMaker resources whose S3 traffic goes through your VPC: not notebooks with direct internet access or PublicInternetOnly Studio domains, SM-3, SM-13; network-isolated jobs and models count, since SageMaker moves their S3 data through the subnet, SM-8), and reports the table once when the longest prefix match (RT-3) sends that traffic to a NAT gateway or an internet gateway. The decision is the evaluator's: S3's front door of the document's Region, or the S3 interface endpoint that private DNS resolves to (EP-9), then the table's route. vpcsim models one Region per document, so a gateway endpoint in the VPC would serve it (EP-6: same Region only).",
        why_it_matters: "An S3 gateway endpoint carries the traffic to S3 on the AWS network with no internet or NAT gateway and at no charge (EP-1, EP-2); through a NAT gateway, every GB of training data and model artifacts is charged as NAT gateway data processing. Through either gateway the request goes to S3's public endpoint from a public address, so the subnet needs an internet path for it (RT-8, RT-10), and no endpoint policy can keep the workloads to your buckets (EP-10, EP-12).",
        example: r#"{"id": "rtb-private", "vpc": "vpc-ml", "subnets": ["subnet-train"],
 "routes": [{"destination": "0.0.0.0/0", "target": "nat-a"}]}
// subnet-train holds a training instance; no S3 gateway endpoint lists rtb-private"#,
        fix: "Associate the route table with an S3 gateway endpoint of the VPC: its prefix-list route is more specific than `0.0.0.0/0` and wins (EP-2, EP-4). The automatic fix adds the table to the VPC's first S3 gateway endpoint (whose policy then applies to these subnets' S3 requests, EP-12), or, when the VPC has none, adds a gateway endpoint for `s3` attached to the table (with the default full-access policy, which VS302 reports). It is offered only when the table then reaches S3 through the endpoint: a route to S3's own addresses beats the prefix-list route (EP-4, RT-5) and has to be removed by hand.",
        reference: "EP-1, EP-2, EP-3, EP-4, EP-6, EP-10, EP-12, RT-3, RT-8, RT-10: https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html, https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html, https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-pricing.html",
    },
    RuleDoc {
        code: "VS401",
        name: "nacl-shadowed-entry",
        severity: Severity::Warning,
        summary: "A network ACL entry can never match",
        what_it_does: "Reports network ACL entries whose whole match set (protocol, ports or ICMP type and code, CIDR) is covered by lower-numbered entries of the same direction.",
        why_it_matters: "Entries are evaluated from the lowest number up and the first match decides (NACL-2): a shadowed entry has no effect. It usually means a deny was meant to come before a wide allow (NACL-12) and does not, so traffic it was written to block gets through.",
        example: r#"{"id": "acl-web", "vpc": "vpc-a", "inbound": [
  {"rule": 100, "action": "allow", "protocol": "all", "cidr": "0.0.0.0/0"},
  {"rule": 200, "action": "deny", "protocol": "tcp", "ports": "22", "cidr": "203.0.113.0/24"}]}"#,
        fix: "Renumber the entry below the entries that shadow it if it is meant to decide, or remove it. The automatic fix removes it (which changes nothing that AWS evaluates).",
        reference: "NACL-2, NACL-12: https://docs.aws.amazon.com/vpc/latest/userguide/nacl-basics.html, https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html",
    },
    RuleDoc {
        code: "VS402",
        name: "nacl-no-ephemeral-return",
        severity: Severity::Warning,
        summary: "A network ACL accepts requests whose responses it then drops",
        what_it_does: "For each inbound allow entry of TCP or UDP on a service port (a range that does not include the ephemeral port 49152), evaluates the outbound entries for the response: the same protocol to the entry's source block (its first address) on destination port 49152. Reports the entry when that response is denied.",
        why_it_matters: "Network ACLs are stateless (NACL-6): the response to an allowed inbound request is judged by the outbound entries, and goes to the client's ephemeral port (NACL-12, NACL-13). Without an outbound allow for those ports the request arrives and the connection still fails, which is hard to diagnose from the client.",
        example: r#"{"id": "acl-web", "vpc": "vpc-a",
 "inbound": [{"rule": 100, "action": "allow", "protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"}],
 "outbound": [{"rule": 100, "action": "allow", "protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"}]}"#,
        fix: "Add an outbound entry allowing the protocol on ports 1024-65535 to the same sources, numbered before any deny that would match the responses. No automatic fix: the rule number and range are a decision.",
        reference: "NACL-6, NACL-12, NACL-13: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html, https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html",
    },
    RuleDoc {
        code: "VS501",
        name: "sg-unused",
        severity: Severity::Info,
        summary: "A security group is attached to nothing and referenced by nothing",
        what_it_does: "Reports security groups that no instance, VPC endpoint, SageMaker resource or Studio domain uses and that no rule of another group references. Default groups (named `default`) are left out: they cannot be deleted (SG-13).",
        why_it_matters: "Unused groups accumulate rules nobody reviews, and attaching one later grants whatever it allows; they also count towards the 2,500 groups per Region (SG-11).",
        example: r#"{"id": "sg-old", "vpc": "vpc-a", "inbound": [{"protocol": "tcp", "ports": "22", "cidr": "10.0.0.0/8"}]}
// no resource lists sg-old, no rule has "sg": "sg-old""#,
        fix: "Delete the group. The automatic fix removes it from the document.",
        reference: "SG-11, SG-13, SG-16: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html, https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
    },
    RuleDoc {
        code: "VS502",
        name: "route-table-quota",
        severity: Severity::Info,
        summary: "A route table has more routes than the default quota of 50",
        what_it_does: "Counts the non-propagated routes each route table of the document lists, separately for IPv4 and IPv6 as AWS enforces the quota, and reports the table when a family has more than 50 (the default \"Routes per route table\" quota). A route to a customer-managed prefix list counts as the list's entries (AWS counts its maximum entries, which the document does not hold, so this is a lower bound); a route to an AWS-managed list (`pl-s3`, or a list named `com.amazonaws.*`) counts once. Routes AWS adds itself (local routes, RT-2; gateway endpoint routes, EP-2), propagated routes (RT-4; their own quota is 100, not adjustable) and routes whose destination does not parse are not counted.",
        why_it_matters: "AWS refuses routes beyond the account's quota: a table written with more fails to deploy unless the quota was raised first (up to 1,000, and AWS warns that network performance might be impacted). Long lists of routes are also hard to review; an imported table with more tells you the account's quota was raised.",
        example: r#"{"id": "rtb-onprem", "vpc": "vpc-a", "routes": [
  {"destination": "172.16.0.0/24", "target": "tgw-1"},
  {"destination": "172.16.1.0/24", "target": "tgw-1"}]}
// ... and 49 more IPv4 routes"#,
        fix: "Aggregate the routes into fewer, wider CIDRs, or request a quota increase (at most 1,000). No automatic fix: which routes to merge is a decision.",
        reference: "RT-2, RT-4, EP-2 (the spec has no rule for this quota; it is cited from AWS's quota page): https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html",
    },
];

/// The documentation of a lint by code.
pub fn rule(code: &str) -> Option<&'static RuleDoc> {
    RULES.iter().find(|r| r.code == code)
}

/// Collects findings; the code's name and severity come from [`RULES`].
struct Out {
    findings: Vec<Finding>,
}

impl Out {
    fn push(&mut self, code: &'static str, at: String, message: String, help: impl Into<String>, fix: Option<Fix>) {
        let (name, severity) = rule(code).map_or(("", Severity::Warning), |r| (r.name, r.severity));
        self.findings.push(Finding { code, name, severity, message, at, help: help.into(), fix });
    }
}

/// Lints a scenario: every finding, ordered by code, then document order. The lints read
/// the document the way [`crate::Network::build`] does and skip what it leaves out (its
/// diagnostics say why); none needs a trace. VS303 builds the network and looks routes up
/// as the evaluator does ([`crate::eval`]'s addresses and longest prefix match).
pub fn lint(scenario: &Scenario) -> Vec<Finding> {
    lint_built(scenario, None)
}

/// As [`lint`], with the document's network when the caller has already built it (the
/// playground does on every edit), so that the lints that need it do not build it again.
pub fn lint_built(scenario: &Scenario, built: Option<(&Network, &[Diagnostic])>) -> Vec<Finding> {
    let mut out = Out { findings: Vec::new() };
    sg_open_to_world(scenario, &mut out);
    sagemaker_settings(scenario, &mut out);
    endpoint_policies(scenario, &mut out);
    s3_via_nat_or_internet(scenario, built, &mut out);
    nacl_lints(scenario, &mut out);
    unused_sgs(scenario, &mut out);
    route_table_quota(scenario, &mut out);
    // Stable: ties keep document order.
    out.findings.sort_by_key(|f| f.code);
    out.findings
}

fn remove_fix(description: String, path: &str) -> Option<Fix> {
    Some(Fix { description, ops: vec![PatchOp::Remove { path: path.to_owned() }] })
}

fn replace_fix(description: String, path: String, value: Value) -> Option<Fix> {
    Some(Fix { description, ops: vec![PatchOp::Replace { path, value }] })
}

/// VS101, VS102 (SG-9, SG-10, SG-15).
fn sg_open_to_world(scenario: &Scenario, out: &mut Out) {
    for (i, sg) in scenario.network.security_groups.iter().enumerate() {
        for (j, r) in sg.inbound.iter().enumerate() {
            let mut ignored = Vec::new();
            let Some(cidr) = r.cidr.as_deref().and_then(|c| parse_cidr(c, "", &mut ignored)) else {
                continue;
            };
            if cidr.prefix_len() != 0 {
                continue;
            }
            let Some(traffic) = parse_traffic(&r.protocol, r.ports.as_deref(), r.icmp_type, r.icmp_code, "", &mut ignored) else {
                continue;
            };
            let at = format!("/network/security_groups/{i}/inbound/{j}");
            let cidr_text = cidr.to_string();
            match traffic {
                Traffic::All => out.push(
                    "VS102",
                    at.clone(),
                    format!("security group `{}` allows {traffic} from `{cidr_text}`", sg.id),
                    "allow only the protocols and ports the workload serves, from the sources that need them (SG-15)",
                    remove_fix(format!("remove inbound rule {j} of `{}`", sg.id), &at),
                ),
                Traffic::Tcp(range) | Traffic::Udp(range) => {
                    let hit: Vec<String> =
                        ADMIN_PORTS.iter().filter(|(p, _)| range.contains(*p)).map(|(p, what)| format!("{p} ({what})")).collect();
                    if hit.is_empty() {
                        continue;
                    }
                    out.push(
                        "VS101",
                        at.clone(),
                        format!("security group `{}` allows {traffic} from `{cidr_text}`, which includes port {}", sg.id, hit.join(", ")),
                        "allow the port from the clients' security group or a narrow CIDR instead of the whole internet (SG-10)",
                        remove_fix(format!("remove inbound rule {j} of `{}`", sg.id), &at),
                    );
                }
                Traffic::Icmp(_) | Traffic::Icmpv6(_) | Traffic::Protocol(_) => {}
            }
        }
    }
}

/// VS201 to VS207 (SM-1 to SM-13).
fn sagemaker_settings(scenario: &Scenario, out: &mut Out) {
    let sm = &scenario.network.sagemaker;
    for (i, n) in sm.notebook_instances.iter().enumerate() {
        let at = format!("/network/sagemaker/notebook_instances/{i}");
        if n.direct_internet_access {
            let fix = if n.subnet.is_some() {
                replace_fix(
                    format!("set DirectInternetAccess of `{}` to Disabled", n.name),
                    format!("{at}/direct_internet_access"),
                    Value::Bool(false),
                )
            } else {
                None
            };
            out.push(
                "VS201",
                format!("{at}/direct_internet_access"),
                format!("notebook instance `{}` has direct internet access, which bypasses your VPC's controls", n.name),
                if n.subnet.is_some() {
                    "set DirectInternetAccess to Disabled and give the VPC the endpoints or NAT gateway it needs (SM-4)"
                } else {
                    "give the notebook a subnet and security groups, then set DirectInternetAccess to Disabled (SM-4)"
                },
                fix,
            );
        }
        if n.root_access {
            out.push(
                "VS202",
                format!("{at}/root_access"),
                format!("notebook instance `{}` gives its users root access", n.name),
                "set RootAccess to Disabled",
                replace_fix(format!("set RootAccess of `{}` to Disabled", n.name), format!("{at}/root_access"), Value::Bool(false)),
            );
        }
    }
    for (i, j) in sm.training_jobs.iter().enumerate() {
        let at = format!("/network/sagemaker/training_jobs/{i}");
        let kind = if j.kind == "processing" { "processing" } else { "training" };
        if j.vpc_config.as_ref().is_none_or(|c| c.subnets.is_empty()) {
            out.push(
                "VS203",
                at.clone(),
                format!("{kind} job `{}` has no VpcConfig: it runs in a SageMaker-managed VPC and reaches AWS over the internet", j.name),
                "give it a VpcConfig with private subnets and security groups, and an S3 gateway endpoint (SM-6)",
                None,
            );
        }
        if !j.network_isolation {
            out.push(
                "VS204",
                format!("{at}/network_isolation"),
                format!("{kind} job `{}` runs without network isolation: its containers can make network calls", j.name),
                "enable network isolation unless the algorithm needs the network (SM-8)",
                replace_fix(
                    format!("enable network isolation on {kind} job `{}`", j.name),
                    format!("{at}/network_isolation"),
                    Value::Bool(true),
                ),
            );
        }
    }
    for (i, e) in sm.endpoints.iter().enumerate() {
        let at = format!("/network/sagemaker/endpoints/{i}/network_isolation");
        if !e.network_isolation {
            let model = if e.model.is_empty() { e.name.as_str() } else { e.model.as_str() };
            out.push(
                "VS205",
                at.clone(),
                format!("the model `{model}` of endpoint `{}` runs without network isolation", e.name),
                "enable network isolation on the model (SM-8)",
                replace_fix(format!("enable network isolation on the model of `{}`", e.name), at, Value::Bool(true)),
            );
        }
    }
    for (i, d) in sm.domains.iter().enumerate() {
        let at = format!("/network/sagemaker/domains/{i}/network_access");
        if d.network_access != "VpcOnly" {
            out.push(
                "VS206",
                at.clone(),
                format!("Studio domain `{}` is `{}`: its apps reach the internet outside your VPC", d.name, d.network_access),
                "use VpcOnly with private subnets and the endpoints Studio needs (SM-13)",
                replace_fix(format!("set the network access of `{}` to VpcOnly", d.name), at, Value::String("VpcOnly".into())),
            );
            continue;
        }
        // SM-13: interface endpoints to the SageMaker API and runtime, or a public NAT
        // gateway; and S3.
        let vpc_subnets: BTreeSet<&str> = scenario.network.subnets.iter().filter(|s| s.vpc == d.vpc).map(|s| s.id.as_str()).collect();
        // A private NAT gateway gives no internet access (RT-10).
        if scenario.network.nat_gateways.iter().any(|n| n.connectivity != "private" && vpc_subnets.contains(n.subnet.as_str())) {
            continue;
        }
        let has = |service: Service, gateway_ok: bool| {
            scenario.network.vpc_endpoints.iter().any(|e| {
                e.vpc == d.vpc
                    && Service::parse(&e.service) == Some(service)
                    && (e.kind == "interface" || (gateway_ok && e.kind == "gateway"))
            })
        };
        let missing: Vec<&str> = [(Service::SageMakerApi, false), (Service::SageMakerRuntime, false), (Service::S3, true)]
            .into_iter()
            .filter(|(s, gateway_ok)| !has(*s, *gateway_ok))
            .map(|(s, _)| s.short_name())
            .collect();
        if !missing.is_empty() {
            out.push(
                "VS207",
                format!("/network/sagemaker/domains/{i}"),
                format!(
                    "VpcOnly Studio domain `{}` has no NAT gateway in `{}` and no VPC endpoint for {}",
                    d.name,
                    d.vpc,
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ),
                "create the interface endpoints (private DNS on) in the domain's subnets and an S3 gateway endpoint (SM-13)",
                None,
            );
        }
    }
}

/// Strings of a policy element that is a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn is_star(v: Option<&Value>) -> bool {
    strings(v) == ["*"]
}

/// Whether a statement is an unconditional Allow of everything to everyone.
fn full_access(stmt: &Value) -> bool {
    let principal_any = match stmt.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m.len() == 1 && is_star(m.get("AWS")),
        _ => false,
    };
    stmt.get("Effect").and_then(Value::as_str) == Some("Allow")
        && principal_any
        && is_star(stmt.get("Action"))
        && stmt.get("NotAction").is_none()
        && stmt.get("NotResource").is_none()
        && stmt.get("Resource").is_none_or(|r| is_star(Some(r)))
        && stmt.get("Condition").is_none_or(|c| c.as_object().is_none_or(serde_json::Map::is_empty))
}

/// Whether a statement's conditions mention a key (case-insensitive, any operator).
fn has_condition_key(stmt: &Value, keys: &[&str]) -> bool {
    let Some(Value::Object(ops)) = stmt.get("Condition") else {
        return false;
    };
    ops.values().filter_map(Value::as_object).any(|m| m.keys().any(|k| keys.iter().any(|want| k.eq_ignore_ascii_case(want))))
}

/// VS301, VS302 (SM-12, EP-10, EP-12).
fn endpoint_policies(scenario: &Scenario, out: &mut Out) {
    for (i, e) in scenario.network.vpc_endpoints.iter().enumerate() {
        let at = format!("/network/vpc_endpoints/{i}");
        let Some(policy) = &e.policy else {
            out.push(
                "VS302",
                at,
                format!("VPC endpoint `{}` has no policy: the default policy allows every principal every action on every resource", e.id),
                "attach a policy that allows only the actions and resources this VPC uses (EP-10)",
                None,
            );
            continue;
        };
        let statements: Vec<(String, &Value)> = match policy.get("Statement") {
            Some(Value::Array(a)) => a.iter().enumerate().map(|(k, s)| (format!("{at}/policy/Statement/{k}"), s)).collect(),
            Some(s @ Value::Object(_)) => vec![(format!("{at}/policy/Statement"), s)],
            _ => vec![],
        };
        let runtime = Service::parse(&e.service) == Some(Service::SageMakerRuntime);
        for (stmt_at, stmt) in statements {
            if full_access(stmt) {
                out.push(
                    "VS302",
                    stmt_at,
                    format!("the policy of VPC endpoint `{}` allows every principal every action on every resource", e.id),
                    "allow only the actions and resources this VPC uses (EP-10, EP-12)",
                    None,
                );
                continue;
            }
            if !runtime || stmt.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            let action = "sagemaker:InvokeEndpoint";
            let allows = if stmt.get("NotAction").is_some() {
                !strings(stmt.get("NotAction")).iter().any(|p| crate::policy::wildcard(p, action, true))
            } else {
                strings(stmt.get("Action")).iter().any(|p| crate::policy::wildcard(p, action, true))
            };
            if allows && !has_condition_key(stmt, &["aws:SourceVpce", "aws:SourceVpc"]) {
                out.push(
                    "VS301",
                    stmt_at,
                    format!("the policy of VPC endpoint `{}` allows `{action}` without an `aws:SourceVpce` condition", e.id),
                    "add `\"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"vpce-...\"}}` to the statement (SM-12)",
                    None,
                );
            }
        }
    }
}

/// Where a route table sends the Amazon S3 traffic of the workloads it serves (VS303).
#[derive(Default)]
struct S3Exits {
    /// Subnets whose workloads' S3 traffic leaves through a gateway.
    subnets: BTreeSet<SubnetIx>,
    /// The gateways, as (kind, id), e.g. ("NAT gateway", "nat-a").
    gateways: BTreeSet<(&'static str, String)>,
}

/// Whether an interface's Amazon S3 traffic goes through its subnet's routes: instances,
/// and SageMaker resources except notebooks with direct internet access and
/// PublicInternetOnly Studio domains, whose S3 traffic leaves through SageMaker's network
/// (SM-3, SM-13). Network-isolated jobs and models count: SageMaker moves their S3 data
/// through the subnet (SM-8).
fn s3_through_subnet(net: &Network, eni: &Eni) -> bool {
    match &eni.owner {
        Owner::Instance(_) => true,
        Owner::SageMaker(s) => net
            .sagemaker_resource(*s)
            .is_some_and(|r| !matches!(r.kind, SmKind::Notebook { direct_internet_access: true, .. } | SmKind::Domain { vpc_only: false })),
        Owner::Nat(_) | Owner::Vpce(_) => false,
    }
}

/// By route table (all of them, or `only` one): the subnets it serves whose workloads send
/// Amazon S3 traffic to a NAT gateway or an internet gateway, decided as the evaluator
/// does: the address a probe to `service:s3` carries from that workload (S3's front door,
/// or an S3 interface endpoint with private DNS, EP-9), then the table's longest prefix
/// match (RT-3, EP-4). One pass over the interfaces.
fn s3_exits(net: &Network, only: Option<RtbIx>) -> BTreeMap<RtbIx, S3Exits> {
    let mut found: BTreeMap<RtbIx, S3Exits> = BTreeMap::new();
    for (eni_ix, eni) in net.enis() {
        let Some(table) = net.subnet(eni.subnet).map(|s| s.rtb) else {
            continue;
        };
        if only.is_some_and(|t| t != table) || !s3_through_subnet(net, eni) {
            continue;
        }
        let src = Endpoint::Eni { eni: eni_ix, ip: eni.private_ip, literal: false };
        let Ok((_, dst)) = flow_addresses(net, &src, &Endpoint::Service(Service::S3), false, "") else {
            continue;
        };
        let gateway = match lookup(net, table, dst).map(|(_, route, _)| &route.target) {
            Some(Target::Nat(n)) => net.nat(*n).map(|x| ("NAT gateway", x.id.clone())),
            Some(Target::Igw(g)) => net.igw(*g).map(|x| ("internet gateway", x.id.clone())),
            _ => None,
        };
        if let Some(g) = gateway {
            let exits = found.entry(table).or_default();
            exits.gateways.insert(g);
            exits.subnets.insert(eni.subnet);
        }
    }
    found
}

/// The VS303 fix for a route table: attach it to the VPC's first S3 gateway endpoint, or add
/// one. `None` when the table would still send S3 traffic to a gateway afterwards (a route
/// to S3's own addresses beats the prefix-list route, EP-4, RT-5) or when the fixed document
/// would have more load errors.
fn s3_endpoint_fix(scenario: &Scenario, net: &Network, load_errors: usize, table: &crate::model::RouteTable) -> Option<Fix> {
    let doc = &scenario.network;
    let vpc_id = net.vpc(table.vpc)?.id.clone();
    let existing = net.vpces.iter().find(|v| v.vpc == table.vpc && v.service == Service::S3 && matches!(v.kind, VpceKind::Gateway { .. }));
    let fix = match existing {
        Some(v) => {
            let k = doc.vpc_endpoints.iter().position(|e| e.id == v.id)?;
            let e = doc.vpc_endpoints.get(k)?;
            if e.route_tables.contains(&table.id) {
                return None;
            }
            let at = format!("/network/vpc_endpoints/{k}/route_tables");
            let op = if e.route_tables.is_empty() {
                PatchOp::Add { path: at, value: Value::Array(vec![Value::String(table.id.clone())]) }
            } else {
                PatchOp::Add { path: format!("{at}/-"), value: Value::String(table.id.clone()) }
            };
            let policy = if e.policy.is_some() { " (its endpoint policy then applies to these subnets' S3 requests)" } else { "" };
            Fix { description: format!("add route table `{}` to S3 gateway endpoint `{}`{policy}", table.id, v.id), ops: vec![op] }
        }
        None => {
            let taken = |id: &str| net.node(id).is_some() || doc.vpc_endpoints.iter().any(|e| e.id == id);
            let id = std::iter::once("vpce-s3".to_owned()).chain((2..1000).map(|n| format!("vpce-s3-{n}"))).find(|id| !taken(id))?;
            let endpoint = serde_json::json!({
                "id": id,
                "vpc": vpc_id,
                "service": "s3",
                "type": "gateway",
                "route_tables": [table.id],
            });
            let op = if doc.vpc_endpoints.is_empty() {
                PatchOp::Add { path: "/network/vpc_endpoints".into(), value: Value::Array(vec![endpoint]) }
            } else {
                PatchOp::Add { path: "/network/vpc_endpoints/-".into(), value: endpoint }
            };
            Fix {
                description: format!("add S3 gateway endpoint `{id}` to `{vpc_id}`, attached to route table `{}`", table.id),
                ops: vec![op],
            }
        }
    };
    // Check the fix on a copy: the table reaches S3 through the endpoint, and no load
    // error appears.
    let fixed = apply_fix(scenario, &fix).ok()?;
    let (after, diags) = Network::build(&fixed);
    if load_error_count(&diags) > load_errors {
        return None;
    }
    let Some(Node::Rtb(t)) = after.node(&table.id) else {
        return None;
    };
    s3_exits(&after, Some(t)).is_empty().then_some(fix)
}

fn load_error_count(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.severity == Severity::Error).count()
}

/// VS303 (EP-1 to EP-4, EP-6, RT-3, RT-10): workloads whose Amazon S3 traffic leaves
/// through a NAT gateway or an internet gateway. One finding per route table.
fn s3_via_nat_or_internet(scenario: &Scenario, built: Option<(&Network, &[Diagnostic])>, out: &mut Out) {
    let doc = &scenario.network;
    // Without a NAT or internet gateway no route can send the traffic to one.
    if doc.nat_gateways.is_empty() && doc.internet_gateways.is_empty() {
        return;
    }
    let owned;
    let (net, diags) = match built {
        Some(b) => b,
        None => {
            owned = Network::build(scenario);
            (&owned.0, owned.1.as_slice())
        }
    };
    let load_errors = load_error_count(diags);
    // Route tables in model order, which is document order.
    for (t, exits) in s3_exits(net, None) {
        let Some(table) = net.rtb(t) else {
            continue;
        };
        // An implicit main table holds local routes only, so the table is in the document.
        let Some(vpc_id) = net.vpc(table.vpc).map(|v| v.id.as_str()) else {
            continue;
        };
        let Some(i) = doc.route_tables.iter().position(|d| d.id == table.id && d.vpc == vpc_id) else {
            continue;
        };
        let list = |items: Vec<String>| items.join(", ");
        let subnets = list(exits.subnets.iter().filter_map(|s| net.subnet(*s)).map(|s| format!("`{}`", s.id)).collect());
        let gateways = list(exits.gateways.iter().map(|(kind, id)| format!("{kind} `{id}`")).collect());
        let nat = exits.gateways.iter().any(|(kind, _)| kind.starts_with("NAT"));
        out.push(
            "VS303",
            format!("/network/route_tables/{i}"),
            format!(
                "route table `{}` sends the Amazon S3 traffic of the workloads in {} {subnets} through {gateways}{}",
                table.id,
                if exits.subnets.len() == 1 { "subnet" } else { "subnets" },
                if nat { ", which charges for every GB it processes" } else { "" }
            ),
            "associate the route table with an S3 gateway endpoint: no charge, and the traffic stays on the AWS network (EP-1, EP-2)",
            s3_endpoint_fix(scenario, net, load_errors, table),
        );
    }
}

/// The default quota of non-propagated routes per route table and address family.
const ROUTES_PER_TABLE: usize = 50;

/// VS502: route tables over the default quota of routes (AWS's quota page; the spec has
/// no rule for it).
fn route_table_quota(scenario: &Scenario, out: &mut Out) {
    let doc = &scenario.network;
    for (i, t) in doc.route_tables.iter().enumerate() {
        let (mut v4, mut v6) = (0usize, 0usize);
        for r in t.routes.iter().filter(|r| !r.propagated) {
            let mut ignored = Vec::new();
            match (&r.destination, &r.destination_prefix_list) {
                (Some(d), None) => match parse_cidr(d, "", &mut ignored) {
                    Some(IpNet::V4(_)) => v4 += 1,
                    Some(IpNet::V6(_)) => v6 += 1,
                    None => {}
                },
                (None, Some(pl)) => {
                    // A customer-managed list counts as its entries; an AWS-managed one (the
                    // built-in service lists, or one named `com.amazonaws.*`) once.
                    match doc.prefix_lists.iter().find(|p| &p.id == pl && !p.name.starts_with("com.amazonaws.")) {
                        Some(p) => {
                            let nets: Vec<IpNet> = p.cidrs.iter().filter_map(|c| parse_cidr(c, "", &mut ignored)).collect();
                            v4 += nets.iter().filter(|n| n.addr().is_ipv4()).count().max(usize::from(nets.is_empty()));
                            v6 += nets.iter().filter(|n| n.addr().is_ipv6()).count();
                        }
                        None => v4 += 1,
                    }
                }
                _ => {}
            }
        }
        for (family, n) in [("IPv4", v4), ("IPv6", v6)] {
            if n > ROUTES_PER_TABLE {
                out.push(
                    "VS502",
                    format!("/network/route_tables/{i}/routes"),
                    format!(
                        "route table `{}` has {n} non-propagated {family} routes, more than the default quota of {ROUTES_PER_TABLE} routes per route table",
                        t.id
                    ),
                    "aggregate routes into wider CIDRs, or request a quota increase (at most 1,000)",
                    None,
                );
            }
        }
    }
}

/// One NACL entry as the model matches it, or `None` when the model leaves it out.
struct Entry {
    number: u16,
    allow: bool,
    traffic: Traffic,
    net: IpNet,
}

fn parse_entries(entries: &[NaclEntryDoc]) -> Vec<(usize, Entry)> {
    let mut seen = BTreeSet::new();
    let mut out: Vec<(usize, Entry)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let number = u16::try_from(e.rule).ok().filter(|n| (1..=32766).contains(n))?;
            let allow = match e.action.to_ascii_lowercase().as_str() {
                "allow" => true,
                "deny" => false,
                _ => return None,
            };
            let mut ignored = Vec::new();
            let net = parse_cidr(&e.cidr, "", &mut ignored)?;
            let traffic = parse_traffic(&e.protocol, e.ports.as_deref(), e.icmp_type, e.icmp_code, "", &mut ignored)?;
            Some((i, Entry { number, allow, traffic, net }))
        })
        // The model keeps the first entry of a duplicated number.
        .filter(|(_, e)| seen.insert(e.number))
        .collect();
    out.sort_by_key(|(_, e)| e.number);
    out
}

/// First-match decision (NACL-2, NACL-3): whether a packet to or from `ip` is allowed.
fn first_match_allows(entries: &[(usize, Entry)], l4: &crate::addr::L4, ip: std::net::IpAddr) -> bool {
    entries.iter().find(|(_, e)| e.net.contains(&ip) && e.traffic.matches(l4)).is_some_and(|(_, e)| e.allow)
}

/// VS401, VS402 (NACL-2, NACL-6, NACL-12).
fn nacl_lints(scenario: &Scenario, out: &mut Out) {
    use crate::addr::L4;
    for (i, acl) in scenario.network.network_acls.iter().enumerate() {
        for (dir, entries) in [("inbound", &acl.inbound), ("outbound", &acl.outbound)] {
            for s in shadowed_nacl_entries(entries) {
                let Some(entry) = entries.get(s.index) else {
                    continue;
                };
                let by: Vec<String> = s.by.iter().filter_map(|k| entries.get(*k)).map(|e| format!("`{}`", e.rule)).collect();
                let at = format!("/network/network_acls/{i}/{dir}/{}", s.index);
                out.push(
                    "VS401",
                    at.clone(),
                    format!(
                        "{dir} entry `{}` of network ACL `{}` can never match: {} {} decide all its traffic first",
                        entry.rule,
                        acl.id,
                        if by.len() == 1 { "entry" } else { "entries" },
                        by.join(", ")
                    ),
                    "number it below the entries that shadow it if it is meant to decide, or remove it (NACL-2)",
                    remove_fix(format!("remove {dir} entry `{}` of `{}`", entry.rule, acl.id), &at),
                );
            }
        }
        let inbound = parse_entries(&acl.inbound);
        let outbound = parse_entries(&acl.outbound);
        for (index, e) in &inbound {
            let (range, udp) = match e.traffic {
                Traffic::Tcp(r) => (r, false),
                Traffic::Udp(r) => (r, true),
                _ => continue,
            };
            if !e.allow || range.contains(EPHEMERAL_PORT) {
                continue;
            }
            let client = e.net.network();
            let port = range.from();
            let request = if udp {
                L4::Udp { src_port: EPHEMERAL_PORT, dst_port: port }
            } else {
                L4::Tcp { src_port: EPHEMERAL_PORT, dst_port: port }
            };
            // Only an entry that decides its own first packet accepts requests.
            if !first_match_allows(&inbound, &request, client) {
                continue;
            }
            if first_match_allows(&outbound, &request.response(), client) {
                continue;
            }
            let proto = if udp { "udp" } else { "tcp" };
            out.push(
                "VS402",
                format!("/network/network_acls/{i}/inbound/{index}"),
                format!(
                    "network ACL `{}` allows inbound {proto}/{} from `{}` (entry `{}`) but denies the responses: outbound {proto} to port {EPHEMERAL_PORT} of `{client}`, the block's first address",
                    acl.id,
                    range,
                    e.net,
                    e.number
                ),
                format!("add an outbound entry allowing {proto} 1024-65535 to `{}` before any deny that matches (NACL-6, NACL-12)", e.net),
                None,
            );
        }
    }
}

/// VS501 (SG-13, SG-16): groups nothing uses.
fn unused_sgs(scenario: &Scenario, out: &mut Out) {
    let n = &scenario.network;
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for i in &n.instances {
        used.extend(i.security_groups.iter().map(String::as_str));
    }
    for e in &n.vpc_endpoints {
        used.extend(e.security_groups.iter().map(String::as_str));
    }
    for nb in &n.sagemaker.notebook_instances {
        used.extend(nb.security_groups.iter().map(String::as_str));
    }
    for j in &n.sagemaker.training_jobs {
        used.extend(j.vpc_config.iter().flat_map(|c| c.security_groups.iter().map(String::as_str)));
    }
    for e in &n.sagemaker.endpoints {
        used.extend(e.vpc_config.iter().flat_map(|c| c.security_groups.iter().map(String::as_str)));
    }
    for d in &n.sagemaker.domains {
        used.extend(d.security_groups.iter().map(String::as_str));
    }
    for (i, sg) in n.security_groups.iter().enumerate() {
        if sg.name == "default" || used.contains(sg.id.as_str()) {
            continue;
        }
        // A reference from another group's rule (SG-16); `account/sg-id` counts too (SG-17).
        let referenced = n.security_groups.iter().filter(|o| o.id != sg.id).any(|o| {
            o.inbound
                .iter()
                .chain(&o.outbound)
                .filter_map(|r| r.sg.as_deref())
                .any(|r| r == sg.id || r.rsplit('/').next() == Some(sg.id.as_str()))
        });
        if referenced {
            continue;
        }
        let at = format!("/network/security_groups/{i}");
        out.push(
            "VS501",
            at.clone(),
            format!("security group `{}` is attached to nothing and referenced by no rule", sg.id),
            "delete it, or attach it where it is meant to apply",
            remove_fix(format!("remove security group `{}`", sg.id), &at),
        );
    }
}

/// Unescapes one JSON pointer token (`~1` is `/`, `~0` is `~`).
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Splits a pointer into its parent's tokens and the last token.
fn split_pointer(path: &str) -> Result<(Vec<String>, String), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("`{path}` is not a JSON pointer to a member (it must start with `/`)"));
    };
    let mut tokens: Vec<String> = rest.split('/').map(unescape).collect();
    let last = tokens.pop().unwrap_or_default();
    Ok((tokens, last))
}

fn walk<'a>(mut v: &'a mut Value, tokens: &[String], path: &str) -> Result<&'a mut Value, String> {
    for t in tokens {
        v = match v {
            Value::Object(m) => m.get_mut(t.as_str()),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|k| a.get_mut(k)),
            _ => None,
        }
        .ok_or_else(|| format!("`{path}` does not exist in the document (no `{t}`)"))?;
    }
    Ok(v)
}

fn apply_op(doc: &mut Value, op: &PatchOp) -> Result<(), String> {
    let (path, value) = match op {
        PatchOp::Replace { path, value } | PatchOp::Add { path, value } => (path, Some(value)),
        PatchOp::Remove { path } => (path, None),
    };
    let (parent, last) = split_pointer(path)?;
    let target = walk(doc, &parent, path)?;
    let missing = || format!("`{path}` does not exist in the document");
    match (op, target) {
        (PatchOp::Replace { .. }, Value::Object(m)) => {
            let slot = m.get_mut(last.as_str()).ok_or_else(missing)?;
            *slot = value.cloned().unwrap_or_default();
        }
        (PatchOp::Replace { .. }, Value::Array(a)) => {
            let slot = last.parse::<usize>().ok().and_then(|k| a.get_mut(k)).ok_or_else(missing)?;
            *slot = value.cloned().unwrap_or_default();
        }
        (PatchOp::Add { .. }, Value::Object(m)) => {
            m.insert(last, value.cloned().unwrap_or_default());
        }
        (PatchOp::Add { .. }, Value::Array(a)) => {
            let k = if last == "-" { a.len() } else { last.parse::<usize>().ok().filter(|k| *k <= a.len()).ok_or_else(missing)? };
            a.insert(k, value.cloned().unwrap_or_default());
        }
        (PatchOp::Remove { .. }, Value::Object(m)) => {
            m.remove(last.as_str()).ok_or_else(missing)?;
        }
        (PatchOp::Remove { .. }, Value::Array(a)) => {
            let k = last.parse::<usize>().ok().filter(|k| *k < a.len()).ok_or_else(missing)?;
            a.remove(k);
        }
        _ => return Err(format!("the parent of `{path}` is neither an object nor an array")),
    }
    Ok(())
}

/// Applies a fix: the document as JSON, the patch, then read back as a scenario (so a fix
/// can never produce a document the format does not accept). Errors are located.
pub fn apply_fix(scenario: &Scenario, fix: &Fix) -> Result<Scenario, Diagnostic> {
    let mut doc = scenario::to_value(scenario);
    for op in &fix.ops {
        apply_op(&mut doc, op).map_err(|message| {
            Diagnostic::error("fix-not-applicable", op.path(), message, "lint the current document again and apply one of its fixes")
        })?;
    }
    scenario::from_value(doc)
}

/// One element of a document list as it was before [`apply_op_in_place`] changed it.
pub(crate) enum Saved {
    Sg(usize, scenario::SgDoc),
    Acl(usize, scenario::NaclDoc),
    Rtb(usize, scenario::RouteTableDoc),
    Vpce(usize, scenario::VpceDoc),
    SmEndpoint(usize, scenario::EndpointDoc),
    SmTraining(usize, scenario::TrainingJobDoc),
    Whole(Box<Scenario>),
}

/// The index of the element of document list `list` (`/network/security_groups/`) that
/// pointer `path` lies inside, and the rest of the pointer within it (`/inbound/-`);
/// `None` for a pointer to the list or the element itself, or elsewhere.
pub(crate) fn list_element<'p>(path: &'p str, list: &str) -> Option<(usize, &'p str)> {
    let tail = path.strip_prefix(list)?;
    let (index, rest) = tail.split_at(tail.find('/')?);
    Some((index.parse().ok()?, rest))
}

/// Patches one element of a list through JSON and reads it back as its type (as
/// [`apply_fix`] does for the whole document); returns the element as it was.
fn patch_element<T: Serialize + for<'de> Deserialize<'de>>(list: &mut [T], i: usize, rest: &str, op: &PatchOp) -> Result<T, String> {
    let slot = list.get_mut(i).ok_or_else(|| format!("`{}` does not exist in the document", op.path()))?;
    let mut value = serde_json::to_value(&*slot).map_err(|e| e.to_string())?;
    apply_op(&mut value, &op.with_path(rest.to_owned()))?;
    let next = T::deserialize(&value).map_err(|e| format!("`{}`: {e}", op.path()))?;
    Ok(std::mem::replace(slot, next))
}

/// Applies one patch operation to `scenario` in place. An operation inside one element of
/// a list the fixes touch (`/network/security_groups/3/inbound/-`) reads and writes only
/// that element, so that a search applying many small fixes to a large document does not
/// copy it each time; any other goes through [`apply_fix`]. Returns what it replaced, for
/// [`restore`].
pub(crate) fn apply_op_in_place(scenario: &mut Scenario, op: &PatchOp) -> Result<Saved, String> {
    let element = |list: &str| list_element(op.path(), list);
    let net = &mut scenario.network;
    if let Some((i, rest)) = element("/network/security_groups/") {
        return patch_element(&mut net.security_groups, i, rest, op).map(|old| Saved::Sg(i, old));
    }
    if let Some((i, rest)) = element("/network/network_acls/") {
        return patch_element(&mut net.network_acls, i, rest, op).map(|old| Saved::Acl(i, old));
    }
    if let Some((i, rest)) = element("/network/route_tables/") {
        return patch_element(&mut net.route_tables, i, rest, op).map(|old| Saved::Rtb(i, old));
    }
    if let Some((i, rest)) = element("/network/vpc_endpoints/") {
        return patch_element(&mut net.vpc_endpoints, i, rest, op).map(|old| Saved::Vpce(i, old));
    }
    if let Some((i, rest)) = element("/network/sagemaker/endpoints/") {
        return patch_element(&mut net.sagemaker.endpoints, i, rest, op).map(|old| Saved::SmEndpoint(i, old));
    }
    if let Some((i, rest)) = element("/network/sagemaker/training_jobs/") {
        return patch_element(&mut net.sagemaker.training_jobs, i, rest, op).map(|old| Saved::SmTraining(i, old));
    }
    let fix = Fix { description: String::new(), ops: vec![op.clone()] };
    let next = apply_fix(scenario, &fix).map_err(|d| d.message)?;
    Ok(Saved::Whole(Box::new(std::mem::replace(scenario, next))))
}

/// Puts back what [`apply_op_in_place`] replaced (the last change first).
pub(crate) fn restore(scenario: &mut Scenario, saved: Saved) {
    fn put<T>(list: &mut [T], i: usize, old: T) {
        if let Some(slot) = list.get_mut(i) {
            *slot = old;
        }
    }
    let net = &mut scenario.network;
    match saved {
        Saved::Sg(i, old) => put(&mut net.security_groups, i, old),
        Saved::Acl(i, old) => put(&mut net.network_acls, i, old),
        Saved::Rtb(i, old) => put(&mut net.route_tables, i, old),
        Saved::Vpce(i, old) => put(&mut net.vpc_endpoints, i, old),
        Saved::SmEndpoint(i, old) => put(&mut net.sagemaker.endpoints, i, old),
        Saved::SmTraining(i, old) => put(&mut net.sagemaker.training_jobs, i, old),
        Saved::Whole(old) => *scenario = *old,
    }
}

/// `docs/lints.md`, generated from [`RULES`].
pub fn render_docs() -> String {
    let mut s = String::new();
    s.push_str("# Lints\n\n");
    s.push_str(
        "<!-- Generated from `vpcsim_core::lint::RULES` by `UPDATE_DOCS=1 cargo test -p vpcsim-tests --test lints`; do not edit. -->\n\n",
    );
    s.push_str("`vpcsim check INPUT` lists these findings after the load diagnostics. Codes are stable: VS1xx exposure, VS2xx SageMaker settings, VS3xx endpoints and policies, VS4xx network ACLs, VS5xx hygiene. Spec rule ids (SG-1, NACL-6...) refer to the simulator's specification of AWS semantics.\n\n");
    s.push_str("| code | name | severity | summary |\n|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!("| [{}](#{}) | `{}` | {} | {} |\n", r.code, r.code.to_lowercase(), r.name, r.severity, r.summary));
    }
    for r in RULES {
        s.push_str(&format!("\n## {}\n\n", r.code));
        s.push_str(&format!("`{}` · {} · {}\n\n", r.name, r.severity, r.summary));
        s.push_str(&format!("### What it does\n\n{}\n\n", r.what_it_does));
        s.push_str(&format!("### Why it matters\n\n{}\n\n", r.why_it_matters));
        s.push_str(&format!("### Example\n\n```jsonc\n{}\n```\n\n", r.example));
        s.push_str(&format!("### Fix\n\n{}\n\n", r.fix));
        s.push_str(&format!("### Reference\n\n{}\n", r.reference));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_errors_are_located_and_never_panic() {
        let s = Scenario { vpcsim: 1, ..Scenario::default() };
        for (op, needle) in [
            (PatchOp::Remove { path: "/network/security_groups/0".into() }, "does not exist"),
            (PatchOp::Replace { path: "network".into(), value: Value::Null }, "must start with"),
            (PatchOp::Remove { path: "/vpcsim/x".into() }, "neither"),
        ] {
            let fix = Fix { description: String::new(), ops: vec![op] };
            let err = apply_fix(&s, &fix).unwrap_err();
            assert_eq!(err.code, "fix-not-applicable");
            assert!(err.message.contains(needle), "{err}");
        }
        let add = Fix { description: String::new(), ops: vec![PatchOp::Add { path: "/name".into(), value: Value::String("x".into()) }] };
        assert_eq!(apply_fix(&s, &add).unwrap().name, "x");
        let bad = Fix { description: String::new(), ops: vec![PatchOp::Replace { path: "/vpcsim".into(), value: Value::from(2) }] };
        assert_eq!(apply_fix(&s, &bad).unwrap_err().code, "unsupported-version");
    }

    #[test]
    fn patch_ops_read_and_write_as_json_patch() {
        let ops = vec![
            PatchOp::Replace { path: "/a".into(), value: Value::Bool(true) },
            PatchOp::Add { path: "/b/-".into(), value: Value::from(1) },
            PatchOp::Remove { path: "/c/0".into() },
        ];
        let json = serde_json::to_value(&ops).unwrap();
        assert_eq!(json[0], serde_json::json!({"op": "replace", "path": "/a", "value": true}));
        assert_eq!(json[2], serde_json::json!({"op": "remove", "path": "/c/0"}));
        assert_eq!(serde_json::from_value::<Vec<PatchOp>>(json).unwrap(), ops);
        assert!(serde_json::from_value::<PatchOp>(serde_json::json!({"op": "move", "path": "/a", "from": "/b"})).is_err());
    }

    #[test]
    fn every_rule_has_a_unique_code_in_its_group() {
        let codes: BTreeSet<&str> = RULES.iter().map(|r| r.code).collect();
        assert_eq!(codes.len(), RULES.len());
        assert!(RULES.windows(2).all(|w| w[0].code < w[1].code));
    }
}
