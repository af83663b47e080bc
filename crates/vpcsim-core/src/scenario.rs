//! Scenario format v1: the serialized document that the UI edits, share links and the
//! JavaScript API carry, and the CLI reads (`docs/scenario-format.md`).
//!
//! Serde types only, with `deny_unknown_fields`. Values that can be wrong in ways a user
//! should be told about precisely (CIDRs, port ranges, protocols, rule actions) stay
//! strings here, so that [`crate::model::Network::build`] can report every problem
//! with its location instead of failing the whole parse on the first one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A whole scenario: a network, probes with their expected outcomes, and layout hints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; must be 1.
    pub vpcsim: u32,
    /// Title shown in the gallery.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What the scenario teaches.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Spec rule ids this scenario exercises, e.g. `["SG-1", "NACL-6"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<String>,
    /// Diagnostic codes loading this network must produce (for scenarios that teach a
    /// validation rule, such as a quota); any other error fails the corpus test.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_diagnostics: Vec<String>,
    /// The network.
    #[serde(default)]
    pub network: NetworkDoc,
    /// Packets to send, optionally with the expected outcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<ProbeDoc>,
    /// Positions and sizes for the canvas, by resource id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub layout: BTreeMap<String, LayoutHint>,
}

/// Where the canvas draws a resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LayoutHint {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width, for boxes (VPCs, subnets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w: Option<f64>,
    /// Height, for boxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h: Option<f64>,
}

/// Every resource of the network, by kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NetworkDoc {
    /// AWS Region, e.g. `us-east-1` (service names and prefix lists depend on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// VPCs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpcs: Vec<VpcDoc>,
    /// Subnets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<SubnetDoc>,
    /// Route tables (a VPC without one gets an implicit main table with local routes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<RouteTableDoc>,
    /// Network ACLs (a VPC without a default one gets an implicit allow-all default, NACL-4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_acls: Vec<NaclDoc>,
    /// Security groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<SgDoc>,
    /// EC2 instances (each with one primary network interface).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<InstanceDoc>,
    /// Internet gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internet_gateways: Vec<IgwDoc>,
    /// Egress-only internet gateways (IPv6, RT-12).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress_only_internet_gateways: Vec<IgwDoc>,
    /// NAT gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat_gateways: Vec<NatDoc>,
    /// Transit gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transit_gateways: Vec<TgwDoc>,
    /// Gateway and interface VPC endpoints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_endpoints: Vec<VpceDoc>,
    /// VPC peering connections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub peering_connections: Vec<PeeringDoc>,
    /// Managed prefix lists (the S3 and DynamoDB lists of the Region are built in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<PrefixListDoc>,
    /// Hosts outside AWS: internet hosts and corporate networks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external: Vec<ExternalDoc>,
    /// SageMaker resources.
    #[serde(default, skip_serializing_if = "SageMakerDoc::is_empty")]
    pub sagemaker: SageMakerDoc,
}

/// A VPC.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VpcDoc {
    /// Id, e.g. `vpc-ml`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// IPv4 CIDR blocks, primary first.
    #[serde(default)]
    pub cidr_blocks: Vec<String>,
    /// IPv6 CIDR blocks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ipv6_cidr_blocks: Vec<String>,
}

/// A subnet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SubnetDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id.
    pub vpc: String,
    /// IPv4 CIDR.
    pub cidr: String,
    /// IPv6 CIDR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<String>,
    /// Availability Zone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub az: String,
}

/// A route table and the subnets explicitly associated with it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteTableDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id.
    pub vpc: String,
    /// Whether this is the VPC's main route table (RT-1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub main: bool,
    /// Explicitly associated subnet ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Routes besides the implicit local routes (RT-2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteDoc>,
}

/// One route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RouteDoc {
    /// Destination CIDR (IPv4 or IPv6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Destination prefix list id, e.g. `pl-s3` (gateway endpoint routes, EP-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_prefix_list: Option<String>,
    /// Target: `local`, or the id of an internet gateway, egress-only internet gateway,
    /// NAT gateway, peering connection, transit gateway, VPC endpoint or network interface.
    pub target: String,
    /// Whether the route was propagated (from a virtual private gateway); on an identical
    /// destination a static route wins (RT-4).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub propagated: bool,
}

/// A network ACL and the subnets explicitly associated with it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NaclDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id.
    pub vpc: String,
    /// Whether this is the VPC's default network ACL (NACL-1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// Explicitly associated subnet ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Inbound entries (the final `*` deny is implicit, NACL-3).
    #[serde(default)]
    pub inbound: Vec<NaclEntryDoc>,
    /// Outbound entries.
    #[serde(default)]
    pub outbound: Vec<NaclEntryDoc>,
}

/// One numbered NACL entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NaclEntryDoc {
    /// Rule number, 1-32766 (NACL-2).
    pub rule: i64,
    /// `allow` or `deny`.
    pub action: String,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all` or a protocol number.
    pub protocol: String,
    /// Port range for TCP/UDP: `443`, `1024-65535`; omitted means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
    /// ICMP type (`-1` or omitted: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<i64>,
    /// ICMP code (`-1` or omitted: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<i64>,
    /// Source (inbound) or destination (outbound) CIDR.
    pub cidr: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A security group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SgDoc {
    /// Id.
    pub id: String,
    /// Group name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id (SG-12: an SG is used only in its own VPC).
    pub vpc: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Inbound rules.
    #[serde(default)]
    pub inbound: Vec<SgRuleDoc>,
    /// Outbound rules. A new group in AWS starts with "all traffic to 0.0.0.0/0" (SG-12);
    /// in a scenario file, what is written is what applies.
    #[serde(default)]
    pub outbound: Vec<SgRuleDoc>,
}

/// One security group rule. Exactly one of `cidr`, `prefix_list` and `sg` names the peer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SgRuleDoc {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all` or a protocol number.
    pub protocol: String,
    /// Port range for TCP/UDP; omitted means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
    /// ICMP type (`-1` or omitted: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<i64>,
    /// ICMP code (`-1` or omitted: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<i64>,
    /// Peer CIDR (IPv4 or IPv6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// Peer prefix list id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list: Option<String>,
    /// Peer security group id (SG-16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sg: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An EC2 instance with its primary network interface.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InstanceDoc {
    /// Id, e.g. `i-web`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Subnet id.
    pub subnet: String,
    /// Primary private IPv4; omitted: the next free address of the subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Public IPv4 or Elastic IP (RT-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// IPv6 address (inside the subnet's IPv6 block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
    /// Security group ids (at most 5 by default, SG-11); empty: the VPC's default group (SG-13).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// Id of the primary network interface; omitted: `eni-` followed by the instance id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eni: Option<String>,
}

/// An internet gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IgwDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The attached VPC; omitted: detached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
}

/// A NAT gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NatDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Subnet id.
    pub subnet: String,
    /// `public` (default) or `private` (RT-10).
    #[serde(default = "default_public", skip_serializing_if = "is_public")]
    pub connectivity: String,
    /// Private IPv4; omitted: the next free address of the subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Elastic IP (public NAT gateways only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
}

fn default_public() -> String {
    "public".to_owned()
}

fn is_public(s: &String) -> bool {
    s == "public"
}

/// A VPC endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VpceDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id.
    pub vpc: String,
    /// Service: `s3`, `dynamodb`, `sagemaker.api`, `sagemaker.runtime`, `sts`, `logs`,
    /// `ecr.api`, `ecr.dkr`, or a full name `com.amazonaws.REGION.SERVICE`.
    pub service: String,
    /// `gateway` or `interface`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Gateway endpoints: route tables that get the prefix-list route (EP-2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<String>,
    /// Interface endpoints: one network interface per subnet (EP-7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Interface endpoints: security groups; empty: the VPC's default group (EP-7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// Interface endpoints: whether private DNS is enabled (EP-9). Default true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub private_dns: bool,
    /// Endpoint policy document (IAM JSON); omitted: full access (EP-10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<serde_json::Value>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// A VPC peering connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PeeringDoc {
    /// Id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Requester VPC id.
    pub requester_vpc: String,
    /// Accepter VPC id.
    pub accepter_vpc: String,
    /// `active` (default), `pending-acceptance`, `rejected`, `deleted`... (RT-13).
    #[serde(default = "default_active", skip_serializing_if = "is_active")]
    pub status: String,
}

fn default_active() -> String {
    "active".to_owned()
}

fn is_active(s: &String) -> bool {
    s == "active"
}

/// A transit gateway with one route table: every attachment is associated with it and
/// propagates its VPC's CIDRs into it (the default), plus static routes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TgwDoc {
    /// Id, e.g. `tgw-core`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// VPC attachments.
    #[serde(default)]
    pub attachments: Vec<TgwAttachmentDoc>,
    /// Static routes of the transit gateway route table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<TgwRouteDoc>,
}

/// A VPC attachment of a transit gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TgwAttachmentDoc {
    /// Id, e.g. `tgw-attach-a`.
    pub id: String,
    /// The VPC.
    pub vpc: String,
    /// Subnets holding the attachment's interfaces (one per AZ).
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Whether it propagates its VPC's CIDRs into the route table (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub propagate: bool,
}

/// A static transit gateway route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TgwRouteDoc {
    /// Destination CIDR.
    pub destination: String,
    /// Attachment id, or omitted for a blackhole route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<String>,
}

/// A managed prefix list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PrefixListDoc {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// CIDR entries.
    #[serde(default)]
    pub cidrs: Vec<String>,
}

/// A host or network outside AWS.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExternalDoc {
    /// Id used as a probe reference, e.g. `corp`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `internet` (reached through an internet gateway) or `corporate` (an on-premises
    /// network; reaching it needs a VPN or Direct Connect, which vpcsim does not model yet).
    #[serde(default = "default_internet", skip_serializing_if = "is_internet")]
    pub kind: String,
    /// Its address block; its first address is used as the packet address.
    pub cidr: String,
}

fn default_internet() -> String {
    "internet".to_owned()
}

fn is_internet(s: &String) -> bool {
    s == "internet"
}

/// SageMaker resources.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SageMakerDoc {
    /// Notebook instances.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notebook_instances: Vec<NotebookDoc>,
    /// Training and processing jobs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub training_jobs: Vec<TrainingJobDoc>,
    /// Inference endpoints (model, endpoint configuration and endpoint together).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<EndpointDoc>,
    /// Studio domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<DomainDoc>,
}

impl SageMakerDoc {
    /// Whether there is no SageMaker resource.
    pub fn is_empty(&self) -> bool {
        self.notebook_instances.is_empty() && self.training_jobs.is_empty() && self.endpoints.is_empty() && self.domains.is_empty()
    }
}

/// Subnets and security groups of a SageMaker resource in your VPC.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct VpcConfigDoc {
    /// Subnet ids.
    pub subnets: Vec<String>,
    /// Security group ids.
    #[serde(default)]
    pub security_groups: Vec<String>,
}

/// A notebook instance (SM-2 to SM-4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NotebookDoc {
    /// Name; its probe reference is `sagemaker:notebook/NAME`.
    pub name: String,
    /// Subnet id; omitted: no interface in your VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    /// Security group ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// DirectInternetAccess: `true` is SageMaker's default (SM-3).
    #[serde(default = "yes")]
    pub direct_internet_access: bool,
    /// RootAccess.
    #[serde(default = "yes")]
    pub root_access: bool,
    /// Private IPv4 of its interface in your VPC; omitted: the next free address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
}

/// A training or processing job (SM-6 to SM-9).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TrainingJobDoc {
    /// Name; its probe reference is `sagemaker:training-job/NAME`.
    pub name: String,
    /// `training` (default) or `processing`.
    #[serde(default = "default_training", skip_serializing_if = "is_training")]
    pub kind: String,
    /// VpcConfig; omitted: the job runs in the SageMaker-managed VPC (SM-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfigDoc>,
    /// EnableNetworkIsolation (SM-8).
    #[serde(default)]
    pub network_isolation: bool,
    /// EnableInterContainerTrafficEncryption (SM-9).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inter_container_encryption: bool,
    /// Private IPv4 of its interface; omitted: the next free address of the first subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
}

fn default_training() -> String {
    "training".to_owned()
}

fn is_training(s: &String) -> bool {
    s == "training"
}

/// An inference endpoint with its model (SM-8, SM-10, SM-11).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EndpointDoc {
    /// Endpoint name; its probe reference is `sagemaker:endpoint/NAME`.
    pub name: String,
    /// Model name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    /// The model's VpcConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfigDoc>,
    /// The model's EnableNetworkIsolation.
    #[serde(default)]
    pub network_isolation: bool,
    /// Private IPv4 of its interface; omitted: the next free address of the first subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
}

/// A Studio domain (SM-13).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DomainDoc {
    /// Domain name; its probe reference is `sagemaker:domain/NAME`.
    pub name: String,
    /// `PublicInternetOnly` (default) or `VpcOnly`.
    #[serde(default = "default_public_internet")]
    pub network_access: String,
    /// The VPC id.
    pub vpc: String,
    /// Subnet ids.
    #[serde(default)]
    pub subnets: Vec<String>,
    /// Security group ids.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Private IPv4 of the user apps' interface; omitted: the next free address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
}

fn default_public_internet() -> String {
    "PublicInternetOnly".to_owned()
}

/// One packet to send, and what should happen to it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProbeDoc {
    /// Short label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Source reference: a resource id, `sagemaker:KIND/NAME`, an IP address, an external
    /// host id, or `internet`.
    pub from: String,
    /// Destination reference: as `from`, plus `service:NAME` (e.g. `service:s3`).
    pub to: String,
    /// `tcp` (default), `udp`, `icmp`, `icmpv6`, `all` or a number 0-255.
    #[serde(default = "default_tcp")]
    pub protocol: String,
    /// Destination port for TCP/UDP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Source port; default 49152, an ephemeral port in every range of NACL-12 except
    /// Windows Server 2003's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    /// ICMP type (default 8, echo request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    /// ICMP code (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<u8>,
    /// IP version of the packet: 4 (default) or 6 (both ends use their IPv6 addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<u8>,
    /// The AWS API call the packet carries, for endpoint policies (EP-10): defaults to a
    /// typical call of the service (`s3:GetObject`, `sagemaker:InvokeEndpoint`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiCallDoc>,
    /// The expected result, checked by the scenario tests and shown in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<ExpectDoc>,
}

/// The API call a request carries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiCallDoc {
    /// Action, e.g. `sagemaker:InvokeEndpoint`.
    pub action: String,
    /// Resource ARN; omitted: `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Principal ARN; omitted: a role in account 123456789012.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}

fn default_tcp() -> String {
    "tcp".to_owned()
}

/// The expected result of a probe.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpectDoc {
    /// Request outcome: `delivered`, `dropped`, `exits-network` or `insufficient-info`.
    pub request: String,
    /// Response outcome, or omitted when no response is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// Component that decided a drop (e.g. `sg-endpoint`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Rule that decided a drop: a NACL rule number, `*`, or "no rule matched".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Reason code of the drop (e.g. `sg-no-matching-rule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Spec rule ids this probe demonstrates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spec: Vec<String>,
}

/// Parses a scenario document. Errors name the JSON path and what would be valid.
pub fn parse(text: &str) -> Result<Scenario, crate::diag::Diagnostic> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: serde_json::Value = serde::Deserialize::deserialize(&mut de).map_err(|e| {
        crate::diag::Diagnostic::error(
            "json-syntax",
            format!("line {} column {}", e.line(), e.column()),
            format!("the scenario is not valid JSON: {e}"),
            "check for a missing comma, quote or bracket near that position",
        )
    })?;
    from_value(value)
}

/// Reads a scenario from a JSON value (the format version, then the document).
///
/// Every reader of scenarios goes through here and [`to_value`], so that the format's serde
/// code is compiled for one deserializer and one serializer only: in the browser bundle,
/// each extra one costs tens of kilobytes.
pub fn from_value(value: serde_json::Value) -> Result<Scenario, crate::diag::Diagnostic> {
    let version = value.get("vpcsim").and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => {
            return Err(crate::diag::Diagnostic::error(
                "unsupported-version",
                "/vpcsim",
                format!("scenario format version `{v}` is not supported"),
                format!("this build reads version {FORMAT_VERSION}"),
            ))
        }
        None => {
            return Err(crate::diag::Diagnostic::error(
                "missing-version",
                "/vpcsim",
                "the document has no `vpcsim` format version",
                format!("add `\"vpcsim\": {FORMAT_VERSION}` at the top level"),
            ))
        }
    }
    // Deserialized from `&Value` everywhere (here and in `check`), so one instantiation
    // serves, and nothing is cloned.
    match <Scenario as Deserialize>::deserialize(&value) {
        Ok(s) => Ok(s),
        Err(e) => {
            // Find where, by asking the format's own types about each part.
            let (at, message) = locate(&value, "", &SCENARIO_SHAPE).unwrap_or_else(|| ("/".to_owned(), e.to_string()));
            Err(crate::diag::Diagnostic::error(
                "scenario-shape",
                if at.is_empty() { "/".to_owned() } else { at },
                format!("the scenario does not match format v{FORMAT_VERSION}: {message}"),
                "see docs/scenario-format.md for the fields each resource takes",
            ))
        }
    }
}

/// Whether a JSON value reads as `T`; the error message otherwise.
type Check = fn(&serde_json::Value) -> Result<(), String>;

fn check<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<(), String> {
    T::deserialize(v).map(|_| ()).map_err(|e| e.to_string())
}

/// The document's structure, as far as locating an error needs it: the type of each part,
/// and its fields that hold lists (or maps) of typed parts.
struct Shape {
    check: Check,
    /// Fields holding an object of another shape.
    objects: &'static [(&'static str, &'static Shape)],
    /// Fields holding a list (or, for `layout`, a map) of elements of a shape.
    lists: &'static [(&'static str, &'static Shape)],
}

const fn leaf(check: Check) -> Shape {
    Shape { check, objects: &[], lists: &[] }
}

static SG_RULE: Shape = leaf(check::<SgRuleDoc>);
static NACL_ENTRY: Shape = leaf(check::<NaclEntryDoc>);
static ROUTE: Shape = leaf(check::<RouteDoc>);
static TGW_ATTACHMENT: Shape = leaf(check::<TgwAttachmentDoc>);
static TGW_ROUTE: Shape = leaf(check::<TgwRouteDoc>);
static VPC_CONFIG: Shape = leaf(check::<VpcConfigDoc>);
static SG: Shape = Shape { check: check::<SgDoc>, objects: &[], lists: &[("inbound", &SG_RULE), ("outbound", &SG_RULE)] };
static NACL: Shape = Shape { check: check::<NaclDoc>, objects: &[], lists: &[("inbound", &NACL_ENTRY), ("outbound", &NACL_ENTRY)] };
static RTB: Shape = Shape { check: check::<RouteTableDoc>, objects: &[], lists: &[("routes", &ROUTE)] };
static TGW: Shape = Shape { check: check::<TgwDoc>, objects: &[], lists: &[("attachments", &TGW_ATTACHMENT), ("routes", &TGW_ROUTE)] };
static TRAINING: Shape = Shape { check: check::<TrainingJobDoc>, objects: &[("vpc_config", &VPC_CONFIG)], lists: &[] };
static ENDPOINT: Shape = Shape { check: check::<EndpointDoc>, objects: &[("vpc_config", &VPC_CONFIG)], lists: &[] };
static SAGEMAKER: Shape = Shape {
    check: check::<SageMakerDoc>,
    objects: &[],
    lists: &[
        ("notebook_instances", &leaf(check::<NotebookDoc>)),
        ("training_jobs", &TRAINING),
        ("endpoints", &ENDPOINT),
        ("domains", &leaf(check::<DomainDoc>)),
    ],
};
static NETWORK: Shape = Shape {
    check: check::<NetworkDoc>,
    objects: &[("sagemaker", &SAGEMAKER)],
    lists: &[
        ("vpcs", &leaf(check::<VpcDoc>)),
        ("subnets", &leaf(check::<SubnetDoc>)),
        ("route_tables", &RTB),
        ("network_acls", &NACL),
        ("security_groups", &SG),
        ("instances", &leaf(check::<InstanceDoc>)),
        ("internet_gateways", &leaf(check::<IgwDoc>)),
        ("egress_only_internet_gateways", &leaf(check::<IgwDoc>)),
        ("nat_gateways", &leaf(check::<NatDoc>)),
        ("transit_gateways", &TGW),
        ("vpc_endpoints", &leaf(check::<VpceDoc>)),
        ("peering_connections", &leaf(check::<PeeringDoc>)),
        ("prefix_lists", &leaf(check::<PrefixListDoc>)),
        ("external", &leaf(check::<ExternalDoc>)),
    ],
};
static SCENARIO_SHAPE: Shape = Shape {
    check: check::<Scenario>,
    objects: &[("network", &NETWORK)],
    lists: &[("probes", &leaf(check::<ProbeDoc>)), ("layout", &leaf(check::<LayoutHint>))],
};

/// The deepest part of `v` (a `shape`) that does not read, as (JSON pointer, message), or
/// `None` when `v` reads. Inside a failing part, the failing field is the one whose removal
/// makes it read, or turns the error into "missing field".
fn locate(v: &serde_json::Value, at: &str, shape: &Shape) -> Option<(String, String)> {
    let err = (shape.check)(v).err()?;
    for (key, inner) in shape.objects {
        if let Some(child) = v.get(*key) {
            if let Some(found) = locate(child, &format!("{at}/{key}"), inner) {
                return Some(found);
            }
        }
    }
    for (key, inner) in shape.lists {
        let elements: Vec<(String, &serde_json::Value)> = match v.get(*key) {
            Some(serde_json::Value::Array(a)) => a.iter().enumerate().map(|(i, x)| (i.to_string(), x)).collect(),
            Some(serde_json::Value::Object(m)) => m.iter().map(|(k, x)| (k.replace('~', "~0").replace('/', "~1"), x)).collect(),
            _ => continue,
        };
        for (i, x) in elements {
            if let Some(found) = locate(x, &format!("{at}/{key}/{i}"), inner) {
                return Some(found);
            }
        }
    }
    // The error is in this part's own fields.
    if let serde_json::Value::Object(m) = v {
        for k in m.keys() {
            let mut without = m.clone();
            without.remove(k);
            match (shape.check)(&serde_json::Value::Object(without)) {
                Ok(()) => return Some((format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), err)),
                Err(e) if e.starts_with(&format!("missing field `{k}`")) => {
                    return Some((format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), err))
                }
                Err(_) => {}
            }
        }
    }
    Some((at.to_owned(), err))
}

/// A scenario as a JSON value (see [`from_value`]).
pub fn to_value(scenario: &Scenario) -> serde_json::Value {
    serde_json::to_value(scenario).unwrap_or_default()
}

/// Serializes a scenario as pretty JSON, fields in the format's order.
pub fn to_json(scenario: &Scenario) -> String {
    serde_json::to_string_pretty(scenario).unwrap_or_default()
}

/// The JSON Schema of the format, derived from these types (`docs/scenario.schema.json`).
#[cfg(feature = "schema")]
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Scenario)).unwrap_or_default()
}
