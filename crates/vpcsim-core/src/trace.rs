//! Traces: what happened to one probe, hop by hop, as data.
//!
//! A dropped packet is an [`Outcome`] with a typed [`DropReason`], never an error or a
//! log line. The serialized shape is the CLI/JS contract (`docs/scenario-format.md`,
//! "Trace JSON"); `Display` is the one canonical text rendering, tcpdump-like, used by
//! the snapshot tests, the CLI and the UI captions.

use serde::Serialize;
use std::fmt;

/// Which layer a check belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// Security group (SG-*).
    SecurityGroup,
    /// Network ACL (NACL-*).
    NetworkAcl,
    /// Route table lookup (RT-*).
    RouteTable,
    /// Internet gateway (RT-8).
    InternetGateway,
    /// NAT gateway (RT-10).
    NatGateway,
    /// VPC peering (RT-13).
    VpcPeering,
    /// Transit gateway.
    TransitGateway,
    /// VPC endpoint (EP-*).
    VpcEndpoint,
    /// Endpoint policy (EP-10..EP-13, IAM-*).
    EndpointPolicy,
    /// SageMaker networking mode (SM-*).
    Sagemaker,
    /// Addressing: exempt destinations, public addresses, address lookup.
    Address,
}

impl CheckKind {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::SecurityGroup => "security-group",
            CheckKind::NetworkAcl => "network-acl",
            CheckKind::RouteTable => "route-table",
            CheckKind::InternetGateway => "internet-gateway",
            CheckKind::NatGateway => "nat-gateway",
            CheckKind::VpcPeering => "vpc-peering",
            CheckKind::TransitGateway => "transit-gateway",
            CheckKind::VpcEndpoint => "vpc-endpoint",
            CheckKind::EndpointPolicy => "endpoint-policy",
            CheckKind::Sagemaker => "sagemaker",
            CheckKind::Address => "address",
        }
    }
}

/// Direction of a filter check, relative to the component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Into the interface or subnet.
    Inbound,
    /// Out of the interface or subnet.
    Outbound,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        })
    }
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The packet goes on.
    Allow,
    /// The packet stops here.
    Deny,
}

/// Why a packet stopped. Stable kebab-case codes; not `non_exhaustive`, so every
/// consumer is updated when one is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// No security group rule allows the packet (SG-9, SG-10).
    SgNoMatchingRule,
    /// A NACL entry denies it (NACL-2).
    NaclDenyRule,
    /// No NACL entry matched; the final `*` rule denies it (NACL-3).
    NaclDefaultDeny,
    /// The route table has no route for the destination (RT-3).
    NoRoute,
    /// The matching route is a blackhole (RT-6).
    BlackholeRoute,
    /// The interface has no public IPv4 for the internet gateway to translate (RT-8).
    NoPublicIp,
    /// The internet gateway is not attached to the VPC (RT-8).
    IgwNotAttached,
    /// Internet traffic arrived for an address that is not public, or not in this network.
    NotAddressable,
    /// A private NAT gateway's traffic was routed to an internet gateway (RT-10).
    PrivateNatToIgw,
    /// Unsolicited inbound traffic at a NAT gateway or egress-only gateway (RT-10, RT-12).
    UnsolicitedInbound,
    /// The peering connection is not active (RT-13).
    PeeringNotActive,
    /// The destination is beyond the peer VPC: no transitive or edge-to-edge routing (RT-13).
    PeeringNoEdgeToEdge,
    /// No interface holds the destination address.
    NoSuchAddress,
    /// Interface endpoints accept TCP only (EP-7).
    EndpointTcpOnly,
    /// The destination is not the service of the gateway endpoint (EP-3).
    EndpointWrongService,
    /// An endpoint policy does not allow the request (EP-10, IAM-4).
    EndpointPolicyDenied,
    /// SageMaker network isolation forbids the container's call (SM-8).
    NetworkIsolation,
    /// The route forwards more times than the evaluator follows (a routing loop).
    RoutingLoop,
    /// The packet family (IPv4/IPv6) does not match the target (RT-12).
    AddressFamily,
    /// AWS services do not initiate connections into a VPC (EP-7).
    ServiceCannotInitiate,
    /// Gateway endpoints cannot be used from outside their VPC (EP-6).
    EndpointNotExtended,
    /// The reply takes a different path than the request (through a NAT gateway that
    /// did not see it), so the connection fails (RT-8, RT-10).
    AsymmetricRoute,
    /// EC2 restricts outbound port 25 to public addresses by default (SG-20).
    Port25Restricted,
}

impl DropReason {
    /// Kebab-case code.
    pub fn code(self) -> &'static str {
        match self {
            DropReason::SgNoMatchingRule => "sg-no-matching-rule",
            DropReason::NaclDenyRule => "nacl-deny-rule",
            DropReason::NaclDefaultDeny => "nacl-default-deny",
            DropReason::NoRoute => "no-route",
            DropReason::BlackholeRoute => "blackhole-route",
            DropReason::NoPublicIp => "no-public-ip",
            DropReason::IgwNotAttached => "igw-not-attached",
            DropReason::NotAddressable => "not-addressable",
            DropReason::PrivateNatToIgw => "private-nat-to-igw",
            DropReason::UnsolicitedInbound => "unsolicited-inbound",
            DropReason::PeeringNotActive => "peering-not-active",
            DropReason::PeeringNoEdgeToEdge => "peering-no-edge-to-edge",
            DropReason::NoSuchAddress => "no-such-address",
            DropReason::EndpointTcpOnly => "endpoint-tcp-only",
            DropReason::EndpointWrongService => "endpoint-wrong-service",
            DropReason::EndpointPolicyDenied => "endpoint-policy-denied",
            DropReason::NetworkIsolation => "network-isolation",
            DropReason::RoutingLoop => "routing-loop",
            DropReason::AddressFamily => "address-family",
            DropReason::ServiceCannotInitiate => "service-cannot-initiate",
            DropReason::EndpointNotExtended => "endpoint-not-extended",
            DropReason::AsymmetricRoute => "asymmetric-route",
            DropReason::Port25Restricted => "port-25-restricted",
        }
    }

    /// Every reason, for completeness tests.
    pub const ALL: [DropReason; 23] = [
        DropReason::SgNoMatchingRule,
        DropReason::NaclDenyRule,
        DropReason::NaclDefaultDeny,
        DropReason::NoRoute,
        DropReason::BlackholeRoute,
        DropReason::NoPublicIp,
        DropReason::IgwNotAttached,
        DropReason::NotAddressable,
        DropReason::PrivateNatToIgw,
        DropReason::UnsolicitedInbound,
        DropReason::PeeringNotActive,
        DropReason::PeeringNoEdgeToEdge,
        DropReason::NoSuchAddress,
        DropReason::EndpointTcpOnly,
        DropReason::EndpointWrongService,
        DropReason::EndpointPolicyDenied,
        DropReason::NetworkIsolation,
        DropReason::RoutingLoop,
        DropReason::AddressFamily,
        DropReason::ServiceCannotInitiate,
        DropReason::EndpointNotExtended,
        DropReason::AsymmetricRoute,
        DropReason::Port25Restricted,
    ];
}

/// One check at one hop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Layer.
    pub kind: CheckKind,
    /// Id of the component that decided (`sg-web`, `acl-1`, `rtb-main`).
    pub component: String,
    /// Direction for filters.
    pub direction: Option<Direction>,
    /// Allow or deny.
    pub verdict: Verdict,
    /// The deciding rule in AWS terms (`100`, `*`, `tcp/443 from sg-web`,
    /// `10.0.0.0/16 -> local`), or `None` when no rule matched.
    pub rule: Option<String>,
    /// Locator of the rule in the document, for the UI (`security_groups/1/inbound/0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_path: Option<String>,
    /// One sentence in AWS vocabulary.
    pub explanation: String,
    /// Spec rule id that this check applies (`SG-1`, `NACL-6`).
    pub spec: &'static str,
}

/// One node the packet visits, with the checks done there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// Id of the node (interface, subnet, gateway, service).
    pub node: String,
    /// Human label (`web app (10.0.1.10)`).
    pub label: String,
    /// The drawable resource this hop belongs to: the instance, SageMaker resource,
    /// gateway or endpoint owning an interface, else the node itself.
    pub resource: String,
    /// Checks, in order.
    pub checks: Vec<Check>,
}

/// Where and why a packet stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DropInfo {
    /// Layer.
    pub kind: CheckKind,
    /// Component id.
    pub component: String,
    /// Direction.
    pub direction: Option<Direction>,
    /// Deciding rule, or `None` when no rule matched.
    pub rule: Option<String>,
    /// Stable reason code.
    pub reason: DropReason,
    /// One sentence.
    pub explanation: String,
}

/// The end of one leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Reached the destination.
    Delivered,
    /// Stopped; see `dropped_at`.
    Dropped,
    /// Left the modelled network (to the internet, or on-premises).
    ExitsNetwork,
    /// The model lacks something needed to go on; see `missing`.
    InsufficientInfo,
}

impl Outcome {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Dropped => "dropped",
            Outcome::ExitsNetwork => "exits-network",
            Outcome::InsufficientInfo => "insufficient-info",
        }
    }

    /// Whether the packet got through.
    pub fn passed(self) -> bool {
        matches!(self, Outcome::Delivered | Outcome::ExitsNetwork)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One direction of a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Leg {
    /// How it ended.
    pub outcome: Outcome,
    /// Nodes visited.
    pub hops: Vec<Hop>,
    /// Where it stopped, for `dropped`.
    pub dropped_at: Option<DropInfo>,
    /// What is missing, for `insufficient-info`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

impl Leg {
    /// The deciding check of a drop (the last denying check).
    pub fn deciding_check(&self) -> Option<&Check> {
        self.hops.iter().flat_map(|h| h.checks.iter()).rev().find(|c| c.verdict == Verdict::Deny)
    }
}

/// The packet as the source sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowInfo {
    /// Source address.
    pub src_ip: String,
    /// Destination address.
    pub dst_ip: String,
    /// Protocol name.
    pub protocol: String,
    /// Source port (TCP/UDP).
    pub src_port: Option<u16>,
    /// Destination port (TCP/UDP).
    pub dst_port: Option<u16>,
    /// ICMP type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    /// ICMP code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp_code: Option<u8>,
}

/// What happened to one probe: request, outcome, response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The packet as sent.
    pub flow: FlowInfo,
    /// The request arrived (or left the modelled network) and its response got back.
    pub reachable: bool,
    /// Source to destination.
    pub request: Leg,
    /// Destination back to source, when the request got through.
    pub response: Option<Leg>,
}

fn write_leg(f: &mut fmt::Formatter<'_>, leg: &Leg) -> fmt::Result {
    for hop in &leg.hops {
        writeln!(f, "  at {} [{}]", hop.label, hop.node)?;
        for c in &hop.checks {
            let mark = if c.verdict == Verdict::Allow { "✓" } else { "✗" };
            let dir = c.direction.map(|d| format!(" {d}")).unwrap_or_default();
            let rule = match (&c.rule, c.verdict) {
                (Some(r), _) => r.as_str(),
                (None, Verdict::Allow) => "allowed",
                (None, Verdict::Deny) => "no rule matched",
            };
            writeln!(f, "    {mark} {} {}{dir}: {rule} ({})", c.kind.as_str(), c.component, c.spec)?;
            writeln!(f, "        {}", c.explanation)?;
        }
    }
    match (&leg.outcome, &leg.dropped_at, &leg.missing) {
        (Outcome::Dropped, Some(d), _) => {
            let dir = d.direction.map(|x| format!(" {x}")).unwrap_or_default();
            writeln!(f, "  => DROPPED at {} {}{dir} [{}]: {}", d.kind.as_str(), d.component, d.reason.code(), d.explanation)
        }
        (Outcome::InsufficientInfo, _, Some(m)) => {
            writeln!(f, "  => INSUFFICIENT INFORMATION: {m}")
        }
        (o, _, _) => writeln!(f, "  => {}", o.as_str().to_uppercase()),
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fl = &self.flow;
        let ports = match (fl.src_port, fl.dst_port) {
            (Some(s), Some(d)) => format!("{}:{s} > {}:{d}", fl.src_ip, fl.dst_ip),
            _ => format!("{} > {}", fl.src_ip, fl.dst_ip),
        };
        let icmp = match (fl.icmp_type, fl.icmp_code) {
            (Some(t), Some(c)) => format!(" type {t} code {c}"),
            _ => String::new(),
        };
        writeln!(f, "request {ports} {}{icmp}", fl.protocol)?;
        write_leg(f, &self.request)?;
        match &self.response {
            Some(r) => {
                writeln!(f, "response")?;
                write_leg(f, r)?;
            }
            None => writeln!(f, "response: none (the request did not get through)")?,
        }
        writeln!(f, "reachable: {}", if self.reachable { "yes" } else { "no" })
    }
}
