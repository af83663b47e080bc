//! The hop walker: `trace(&Network, &Probe) -> Trace`.
//!
//! This is the only module that knows the order of the layers (section 0 of the spec):
//! exempt destinations, SG egress, route lookup, NACL outbound, gateway semantics,
//! NACL inbound, SG ingress, endpoint policy. Each rule set is evaluated by a small
//! function here that returns which entry decided; the walker records every check as a
//! [`Check`] and stops with a typed [`DropInfo`].
//!
//! The response leg re-runs the same walk from the destination with addresses and ports
//! swapped (NACL-6): security groups pass it by connection tracking (SG-1), NACLs
//! evaluate it statelessly, NAT gateways translate it back (RT-10).

use crate::addr::{proto, protocol_name, Flow, Protocol, L4};
use crate::diag::{did_you_mean, Diagnostic};
use crate::model::Service;
use crate::model::{EigwIx, TgwIx};
use crate::model::{Eni, EniIx, Nacl, NatIx, Network, Node, Owner, Peer, RtbIx, SgRule, SmKind, SubnetIx, Target, VpcIx, VpceIx, VpceKind};
use crate::policy::{self, RequestContext};
use crate::scenario::{ApiCallDoc, ProbeDoc};
use crate::trace::{Check, CheckKind, Direction, DropInfo, DropReason, FlowInfo, Hop, Leg, Outcome, Trace, Verdict};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The source port a probe uses unless it names one: 49152 lies in the ephemeral ranges
/// of Linux (32768-61000), Windows Server 2008+ (49152-65535), ELB, NAT gateways and
/// Lambda (1024-65535) listed in NACL-12; only Windows Server 2003's 1025-5000 misses it.
pub const DEFAULT_SRC_PORT: u16 = 49152;

/// Address the `internet` reference uses: 198.51.100.10 (RFC 5737 documentation range).
pub const INTERNET_HOST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

/// IPv6 address the `internet` reference uses (2001:db8::/32 is the documentation range).
pub const INTERNET_HOST_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 0x10);

/// How many forwarding steps a leg may take before it is called a loop.
const MAX_FORWARDS: u8 = 8;

/// One end of a probe, resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Endpoint {
    /// A network interface in a VPC.
    Eni {
        /// The interface.
        eni: EniIx,
        /// The address used.
        ip: IpAddr,
        /// The probe named this address literally: it is used as written, never swapped
        /// for the interface's public address.
        literal: bool,
    },
    /// A host on the internet.
    Internet {
        /// Address.
        ip: IpAddr,
        /// Label.
        name: String,
    },
    /// An on-premises host.
    Corporate {
        /// Address.
        ip: IpAddr,
        /// Label.
        name: String,
    },
    /// An AWS service front door (S3, SageMaker Runtime...).
    Service(Service),
    /// A SageMaker resource outside your VPC (no VpcConfig): SageMaker-managed network.
    SageMakerManaged(crate::model::SmIx),
    /// A peering connection or transit gateway as an end of the path, as Reachability
    /// Analyzer allows: the path starts or stops at the gateway. The far side is a host
    /// of the VPC across it, not modelled further.
    Gateway(Gateway),
}

/// A gateway used as a probe end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gateway {
    /// A VPC peering connection.
    Peering(crate::model::PcxIx),
    /// A transit gateway.
    Transit(TgwIx),
}

/// Resolves a probe reference: resource id, `sagemaker:KIND/NAME`, IP address,
/// external id, `internet`, or `service:NAME`.
pub fn resolve(net: &Network, reference: &str, at: &str) -> Result<Endpoint, Diagnostic> {
    let r = reference.trim();
    if r == "internet" {
        return Ok(Endpoint::Internet { ip: IpAddr::V4(INTERNET_HOST), name: "internet".into() });
    }
    if let Some(name) = r.strip_prefix("service:") {
        return Service::parse(name).map(Endpoint::Service).ok_or_else(|| {
            let known: Vec<&str> = Service::ALL.iter().map(|s| s.short_name()).collect();
            Diagnostic::error(
                "unknown-service",
                at,
                format!("service `{name}` is not one vpcsim models"),
                format!("use service:{}", known.join(", service:")),
            )
        });
    }
    if let Ok(ip) = r.parse::<IpAddr>() {
        return Ok(resolve_ip(net, ip));
    }
    match net.node(r) {
        Some(Node::Eni(e)) | Some(Node::Instance(e)) => {
            let ip = net.eni(e).map(|x| x.private_ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            Ok(Endpoint::Eni { eni: e, ip, literal: false })
        }
        Some(Node::Nat(n)) => {
            let e = net.nat(n).map(|x| x.eni).ok_or_else(|| unknown(net, r, at))?;
            let ip = net.eni(e).map(|x| x.private_ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
            Ok(Endpoint::Eni { eni: e, ip, literal: false })
        }
        Some(Node::Vpce(v)) => match net.vpce(v).map(|x| (&x.kind, x.service)) {
            Some((VpceKind::Interface { enis, .. }, _)) if !enis.is_empty() => {
                let e = enis.first().copied().ok_or_else(|| unknown(net, r, at))?;
                let ip = net.eni(e).map(|x| x.private_ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                Ok(Endpoint::Eni { eni: e, ip, literal: false })
            }
            Some((_, service)) => Ok(Endpoint::Service(service)),
            None => Err(unknown(net, r, at)),
        },
        Some(Node::SageMaker(s)) => match net.sagemaker_resource(s) {
            Some(res) => match res.eni {
                Some(e) => {
                    let ip = net.eni(e).map(|x| x.private_ip).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                    Ok(Endpoint::Eni { eni: e, ip, literal: false })
                }
                None => Ok(Endpoint::SageMakerManaged(s)),
            },
            None => Err(unknown(net, r, at)),
        },
        Some(Node::External(x)) => {
            let ext = net.external(x).ok_or_else(|| unknown(net, r, at))?;
            let ip = first_host(ext.cidr);
            Ok(if ext.internet {
                Endpoint::Internet { ip, name: ext.name.clone() }
            } else {
                Endpoint::Corporate { ip, name: ext.name.clone() }
            })
        }
        // An internet gateway as an end: the internet, through that gateway.
        Some(Node::Igw(g)) => {
            let id = net.igw(g).map(|x| x.id.clone()).unwrap_or_default();
            Ok(Endpoint::Internet { ip: IpAddr::V4(INTERNET_HOST), name: format!("internet (through {id})") })
        }
        Some(Node::Pcx(p)) => Ok(Endpoint::Gateway(Gateway::Peering(p))),
        Some(Node::Tgw(t)) => Ok(Endpoint::Gateway(Gateway::Transit(t))),
        Some(other) => Err(Diagnostic::error(
            "reference-not-endpoint",
            at,
            format!("`{r}` is a {} and cannot send or receive packets", node_kind(other)),
            "use an instance, network interface, SageMaker resource, IP address, external host, `internet` or `service:NAME`",
        )),
        None => Err(unknown(net, r, at)),
    }
}

fn node_kind(node: Node) -> &'static str {
    match node {
        Node::Vpc(_) => "VPC",
        Node::Subnet(_) => "subnet",
        Node::Rtb(_) => "route table",
        Node::Nacl(_) => "network ACL",
        Node::Sg(_) => "security group",
        Node::Igw(_) => "internet gateway",
        Node::Pcx(_) => "peering connection",
        Node::TgwAttachment(_) => "transit gateway attachment",
        Node::Pl(_) => "prefix list",
        _ => "resource",
    }
}

fn unknown(net: &Network, r: &str, at: &str) -> Diagnostic {
    let ids = crate::model::ids_by_kind(net);
    let candidates: Vec<&str> = ["instance", "network-interface", "sagemaker", "external", "nat-gateway", "vpc-endpoint"]
        .iter()
        .filter_map(|k| ids.get(k))
        .flatten()
        .map(String::as_str)
        .collect();
    Diagnostic::error(
        "unknown-reference",
        at,
        format!("`{r}` names nothing in this network"),
        format!("{} (or an IP address, `internet`, `service:s3`)", did_you_mean(r, candidates.iter().copied(), "endpoints")),
    )
}

fn first_host(net: ipnet::IpNet) -> IpAddr {
    match net {
        ipnet::IpNet::V4(n) if n.prefix_len() < 31 => IpAddr::V4(Ipv4Addr::from(u32::from(n.network()).saturating_add(1))),
        ipnet::IpNet::V6(n) if n.prefix_len() < 127 => IpAddr::V6(Ipv6Addr::from(u128::from(n.network()).saturating_add(1))),
        other => other.addr(),
    }
}

fn resolve_ip(net: &Network, ip: IpAddr) -> Endpoint {
    if let Some((_, e)) = net.enis().find(|(_, e)| e.private_ip == ip) {
        let ix = net.eni_by_private_ip(e.vpc, ip);
        if let Some(eni) = ix {
            return Endpoint::Eni { eni, ip, literal: true };
        }
    }
    if let Some(eni) = net.eni_by_public_ip(ip) {
        return Endpoint::Eni { eni, ip, literal: true };
    }
    // An explicit address in a service's public block stays that address: routes more
    // specific than the service prefix list must see it (EP-4).
    if let Some(service) = Service::by_address(ip) {
        return Endpoint::Internet { ip, name: format!("{} address {ip}", service.title()) };
    }
    for (_, ext) in net.externals() {
        if ext.cidr.contains(&ip) {
            return if ext.internet {
                Endpoint::Internet { ip, name: ext.name.clone() }
            } else {
                Endpoint::Corporate { ip, name: ext.name.clone() }
            };
        }
    }
    Endpoint::Internet { ip, name: format!("internet host {ip}") }
}

fn parse_l4(probe: &ProbeDoc, at: &str) -> Result<L4, Diagnostic> {
    let protocol = Protocol::parse(&probe.protocol).ok_or_else(|| {
        Diagnostic::error(
            "protocol-invalid",
            format!("{at}/protocol"),
            format!("protocol `{}` is not valid", probe.protocol),
            "use tcp, udp, icmp, icmpv6, all, or a protocol number from 0 to 255",
        )
    })?;
    let src_port = probe.src_port.unwrap_or(DEFAULT_SRC_PORT);
    Ok(match protocol {
        Protocol::Number(proto::TCP) | Protocol::Number(proto::UDP) | Protocol::All => {
            let dst_port = probe.port.ok_or_else(|| {
                Diagnostic::error(
                    "port-missing",
                    format!("{at}/port"),
                    format!("a {} probe needs a destination port", probe.protocol),
                    "add a port, for example `443`",
                )
            })?;
            if protocol == Protocol::Number(proto::UDP) {
                L4::Udp { src_port, dst_port }
            } else {
                L4::Tcp { src_port, dst_port }
            }
        }
        Protocol::Number(proto::ICMP) => L4::Icmp { icmp_type: probe.icmp_type.unwrap_or(8), code: probe.icmp_code.unwrap_or(0) },
        Protocol::Number(proto::ICMPV6) => L4::Icmpv6 { icmp_type: probe.icmp_type.unwrap_or(128), code: probe.icmp_code.unwrap_or(0) },
        Protocol::Number(other) => L4::Other(other),
    })
}

/// Traces one probe. `Err` only when the probe itself is invalid (an unknown reference,
/// a bad protocol); every network verdict, including a drop, is an `Ok(Trace)`.
pub fn trace(net: &Network, probe: &ProbeDoc) -> Result<Trace, Diagnostic> {
    trace_at(net, probe, "probe")
}

/// As [`trace`], with a location prefix for the probe's diagnostics.
pub fn trace_at(net: &Network, probe: &ProbeDoc, at: &str) -> Result<Trace, Diagnostic> {
    let src = resolve(net, &probe.from, &format!("{at}/from"))?;
    let dst = resolve(net, &probe.to, &format!("{at}/to"))?;
    let l4 = parse_l4(probe, at)?;
    let v6 = match probe.ip_version {
        None | Some(4) => false,
        Some(6) => true,
        Some(other) => {
            return Err(Diagnostic::error(
                "ip-version-invalid",
                format!("{at}/ip_version"),
                format!("IP version `{other}` is not valid"),
                "use 4 or 6",
            ));
        }
    };
    if v6 && (matches!(src, Endpoint::Gateway(_)) || matches!(dst, Endpoint::Gateway(_))) {
        return Err(Diagnostic::error(
            "probe-no-ipv6",
            format!("{at}/ip_version"),
            "a peering connection or transit gateway as a probe end is modelled over IPv4 only",
            "send IPv4, or name a resource on the far side",
        ));
    }
    let (src_ip, dst_ip) = flow_addresses(net, &src, &dst, v6, at)?;
    let flow = Flow { src: src_ip, dst: dst_ip, l4 };
    let stop_at = |ep: &Endpoint| match ep {
        Endpoint::Gateway(g) => Some(gateway_id(net, *g)),
        _ => None,
    };
    let w = Walker::new(net, false, Carry { api: probe.api.clone(), stop_at: stop_at(&dst), ..Carry::default() });
    let request = w.start(&src, &dst, flow);
    // One-way ICMP messages (errors, NACL-14) get no response.
    let response = if request.leg.outcome.passed() && flow.l4.expects_response() {
        let back = Walker::new(net, true, Carry { stop_at: stop_at(&src), ..request.carry.clone() });
        let rflow = request.final_flow.response();
        Some(back.respond(&request.arrival, &src, rflow).leg)
    } else {
        None
    };
    let reachable = request.leg.outcome.passed() && response.as_ref().is_none_or(|r| r.outcome.passed());
    let (src_port, dst_port) = match flow.l4.ports() {
        Some((s, d)) => (Some(s), Some(d)),
        None => (None, None),
    };
    let (icmp_type, icmp_code) = match flow.l4 {
        L4::Icmp { icmp_type, code } | L4::Icmpv6 { icmp_type, code } => (Some(icmp_type), Some(code)),
        _ => (None, None),
    };
    Ok(Trace {
        flow: FlowInfo {
            src_ip: src_ip.to_string(),
            dst_ip: dst_ip.to_string(),
            protocol: protocol_name(flow.l4.protocol()),
            src_port,
            dst_port,
            icmp_type,
            icmp_code,
        },
        reachable,
        request: request.leg,
        response,
    })
}

/// The addresses a probe's packets carry between two resolved ends, or why the probe
/// cannot be sent (gateway to gateway, no IPv6 address, mixed families).
pub(crate) fn flow_addresses(net: &Network, src: &Endpoint, dst: &Endpoint, v6: bool, at: &str) -> Result<(IpAddr, IpAddr), Diagnostic> {
    let (src_ip, dst_ip) = match (src, dst) {
        (Endpoint::Gateway(_), Endpoint::Gateway(_)) => {
            return Err(Diagnostic::error(
                "probe-gateway-to-gateway",
                at,
                "both ends of the probe are gateways",
                "a gateway can be one end of a probe; name a resource or address for the other",
            ));
        }
        (Endpoint::Gateway(g), _) => {
            let dst_ip = endpoint_ip_v4(net, dst, Some(src));
            (gateway_host(net, *g, dst, &format!("{at}/from"))?, dst_ip)
        }
        (_, Endpoint::Gateway(g)) => {
            let src_ip = endpoint_ip_v4(net, src, None);
            (src_ip, gateway_host(net, *g, src, &format!("{at}/to"))?)
        }
        _ => (
            endpoint_ip(net, src, None, v6).map_err(|m| {
                Diagnostic::error("probe-no-ipv6", format!("{at}/from"), m, "give the resource an `ipv6` address, or send IPv4")
            })?,
            endpoint_ip(net, dst, Some(src), v6).map_err(|m| {
                Diagnostic::error("probe-no-ipv6", format!("{at}/to"), m, "give the resource an `ipv6` address, or send IPv4")
            })?,
        ),
    };
    if src_ip.is_ipv4() != dst_ip.is_ipv4() {
        return Err(Diagnostic::error(
            "probe-address-family",
            at,
            format!("source `{src_ip}` and destination `{dst_ip}` are of different IP versions"),
            "send IPv4 to IPv4 or IPv6 to IPv6 (RT-3)",
        ));
    }
    Ok((src_ip, dst_ip))
}

/// The address a packet carries for an endpoint. For an interface addressed from outside
/// its VPC the public address is used when there is one (RT-8).
fn endpoint_ip(net: &Network, ep: &Endpoint, from: Option<&Endpoint>, v6: bool) -> Result<IpAddr, String> {
    if v6 {
        return match ep {
            Endpoint::Eni { ip, .. } if ip.is_ipv6() => Ok(*ip),
            Endpoint::Eni { eni, .. } => net
                .eni(*eni)
                .and_then(|e| e.ipv6)
                .ok_or_else(|| format!("`{}` has no IPv6 address", net.eni(*eni).map(|e| e.label.as_str()).unwrap_or("?"))),
            Endpoint::Internet { ip, .. } if ip.is_ipv6() => Ok(*ip),
            Endpoint::Internet { .. } => Ok(IpAddr::V6(INTERNET_HOST_V6)),
            Endpoint::Corporate { ip, .. } => Ok(*ip),
            Endpoint::Service(s) => Err(format!("vpcsim models {} over IPv4 only", s.title())),
            Endpoint::SageMakerManaged(_) => Err("the SageMaker-managed network is modelled over IPv4 only".into()),
            Endpoint::Gateway(_) => Err("a gateway as a probe end is modelled over IPv4 only".into()),
        };
    }
    Ok(endpoint_ip_v4(net, ep, from))
}

fn endpoint_ip_v4(net: &Network, ep: &Endpoint, from: Option<&Endpoint>) -> IpAddr {
    match ep {
        Endpoint::Eni { eni, ip, literal } => {
            let Some(e) = net.eni(*eni) else { return *ip };
            if *literal {
                return *ip;
            }
            let outside = match from {
                Some(Endpoint::Internet { .. }) => true,
                Some(Endpoint::Eni { eni: src, .. }) => {
                    net.eni(*src).is_some_and(|s| s.vpc != e.vpc && net.active_peering(s.vpc, e.vpc).is_none())
                }
                _ => false,
            };
            if outside && *ip == e.private_ip {
                e.public_ip.unwrap_or(*ip)
            } else {
                *ip
            }
        }
        Endpoint::Internet { ip, .. } | Endpoint::Corporate { ip, .. } => *ip,
        Endpoint::Service(s) => {
            // Private DNS on an interface endpoint in the source's VPC resolves the service
            // name to the endpoint's interface (EP-9).
            if let Some(Endpoint::Eni { eni, .. }) = from {
                if let Some(ip) = interface_endpoint_ip(net, *eni, *s) {
                    return ip;
                }
            }
            s.front_door()
        }
        Endpoint::SageMakerManaged(_) => IpAddr::V4(Ipv4Addr::new(203, 0, 113, 50)),
        Endpoint::Gateway(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

fn gateway_id(net: &Network, g: Gateway) -> String {
    match g {
        Gateway::Peering(p) => net.peering(p).map(|x| x.id.clone()).unwrap_or_default(),
        Gateway::Transit(t) => net.tgw(t).map(|x| x.id.clone()).unwrap_or_default(),
    }
}

/// The VPC of the other end of a probe whose one end is a gateway.
fn end_vpc(net: &Network, other: &Endpoint) -> Option<VpcIx> {
    match other {
        Endpoint::Eni { eni, .. } => net.eni(*eni).map(|e| e.vpc),
        _ => None,
    }
}

/// The far-side host of a gateway used as a probe end: the last address of the primary
/// block of the VPC across it from `other`'s VPC. It stands for "any host over there";
/// the trace stops (or starts) at the gateway, so no interface needs to hold it.
fn gateway_host(net: &Network, g: Gateway, other: &Endpoint, at: &str) -> Result<IpAddr, Diagnostic> {
    let id = gateway_id(net, g);
    let Some(here) = end_vpc(net, other) else {
        return Err(Diagnostic::error(
            "probe-gateway-end",
            at,
            format!("`{id}` connects VPCs, so the other end of the probe must be a resource in a VPC"),
            "name an instance, interface or SageMaker resource in one of the VPCs it connects",
        ));
    };
    let here_id = net.vpc(here).map(|v| v.id.clone()).unwrap_or_default();
    let far = match g {
        Gateway::Peering(p) => net.peering(p).and_then(|x| x.other_end(here)),
        Gateway::Transit(t) => net.tgw(t).and_then(|x| {
            x.attachments.iter().any(|a| a.vpc == here).then(|| x.attachments.iter().map(|a| a.vpc).find(|v| *v != here)).flatten()
        }),
    };
    let block = far.and_then(|v| net.vpc(v)).and_then(|v| v.cidrs.first().copied());
    match block {
        Some(b) => Ok(IpAddr::V4(Ipv4Addr::from(u32::from(b.broadcast()).saturating_sub(1)))),
        None => Err(Diagnostic::error(
            "probe-gateway-end",
            at,
            match g {
                Gateway::Peering(_) => format!("peering connection `{id}` does not connect VPC `{here_id}`"),
                Gateway::Transit(_) => format!("transit gateway `{id}` has no attachment in VPC `{here_id}`, or no other attachment"),
            },
            "the other end of the probe must be in a VPC the gateway connects (RT-13, RT-9)",
        )),
    }
}

/// The interface endpoint (with private DNS) for a service in the VPC of `eni`,
/// preferring one in the same subnet.
fn interface_endpoint_ip(net: &Network, eni: EniIx, service: Service) -> Option<IpAddr> {
    let src = net.eni(eni)?;
    let mut candidates: Vec<&Eni> = Vec::new();
    for v in &net.vpces {
        if v.vpc != src.vpc || v.service != service {
            continue;
        }
        if let VpceKind::Interface { enis, private_dns: true } = &v.kind {
            candidates.extend(enis.iter().filter_map(|e| net.eni(*e)));
        }
    }
    candidates.iter().find(|e| e.subnet == src.subnet).or(candidates.first()).map(|e| e.private_ip)
}

/// How the request reached its destination, so the response can go back the same way.
#[derive(Clone, Debug, PartialEq)]
enum Arrival {
    /// At an interface (the response starts there).
    Eni(EniIx),
    /// Out through an internet gateway to a host or public service front door.
    Internet,
    /// At a service through a gateway endpoint.
    GatewayEndpoint(VpceIx),
    /// At an exempt destination (EX-1).
    Exempt,
    /// Through the SageMaker-managed network.
    SageMakerManaged,
    /// Out through a virtual private gateway of this VPC, to the VPN.
    Vpn(VpcIx, String),
    /// At a gateway that is the probe's destination; the response comes back through it
    /// into this VPC.
    Gateway(VpcIx, String),
    /// Nowhere (drop or missing information).
    None,
}

struct LegResult {
    leg: Leg,
    final_flow: Flow,
    arrival: Arrival,
    carry: Carry,
}

/// What the request leg hands to the response leg.
#[derive(Clone, Debug, Default)]
struct Carry {
    /// NAT translations of the request, in order: each gateway and the source address it
    /// replaced (a chain of NAT gateways translates back one by one, RT-10).
    nat: Vec<(NatIx, IpAddr)>,
    /// The connection went through a NAT gateway, interface endpoint, egress-only
    /// internet gateway or transit gateway, which security groups always track (SG-7).
    auto_tracked: bool,
    /// The request left through this egress-only internet gateway.
    eigw: Option<EigwIx>,
    /// The API call the request carries (endpoint policies).
    api: Option<ApiCallDoc>,
    /// The leg ends when it crosses this gateway (a gateway as the probe's end).
    stop_at: Option<String>,
}

enum End {
    Delivered,
    Exits,
    Drop(DropInfo),
    Missing(String),
}

struct Walker<'a> {
    net: &'a Network,
    response: bool,
    hops: Vec<Hop>,
    forwards: u8,
    carry: Carry,
    arrival: Arrival,
    flow: Flow,
    /// The packet crossed a transit gateway on this leg (EP-6).
    via_tgw: bool,
}

fn check(
    kind: CheckKind,
    component: &str,
    direction: Option<Direction>,
    verdict: Verdict,
    rule: Option<String>,
    explanation: String,
    spec: &'static str,
) -> Check {
    Check { kind, component: component.to_owned(), direction, verdict, rule, rule_path: None, explanation, spec }
}

impl<'a> Walker<'a> {
    fn new(net: &'a Network, response: bool, carry: Carry) -> Self {
        let zero = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        Walker {
            net,
            response,
            hops: Vec::new(),
            forwards: 0,
            carry,
            via_tgw: false,
            arrival: Arrival::None,
            flow: Flow { src: zero, dst: zero, l4: L4::Other(0) },
        }
    }

    fn finish(self, end: End) -> LegResult {
        let (outcome, dropped_at, missing) = match end {
            End::Delivered => (Outcome::Delivered, None, None),
            End::Exits => (Outcome::ExitsNetwork, None, None),
            End::Drop(d) => (Outcome::Dropped, Some(d), None),
            End::Missing(m) => (Outcome::InsufficientInfo, None, Some(m)),
        };
        LegResult {
            leg: Leg { outcome, hops: self.hops, dropped_at, missing },
            final_flow: self.flow,
            arrival: self.arrival,
            carry: self.carry,
        }
    }

    fn hop(&mut self, node: &str, label: String) {
        let resource = self.net.resource_of(node);
        self.hops.push(Hop { node: node.to_owned(), label, resource, checks: Vec::new() });
    }

    fn push(&mut self, c: Check) {
        if self.hops.is_empty() {
            self.hop("?", "?".into());
        }
        if let Some(h) = self.hops.last_mut() {
            h.checks.push(c);
        }
    }

    /// Records a denying check and returns the drop.
    #[expect(clippy::too_many_arguments, reason = "mirrors the fields of Check and DropInfo one to one")]
    fn deny(
        &mut self,
        kind: CheckKind,
        component: &str,
        direction: Option<Direction>,
        rule: Option<String>,
        reason: DropReason,
        explanation: String,
        spec: &'static str,
    ) -> End {
        self.push(check(kind, component, direction, Verdict::Deny, rule.clone(), explanation.clone(), spec));
        End::Drop(DropInfo { kind, component: component.to_owned(), direction, rule, reason, explanation })
    }

    fn eni_label(&self, eni: &Eni) -> String {
        eni.display.clone()
    }

    fn start(mut self, src: &Endpoint, dst: &Endpoint, flow: Flow) -> LegResult {
        self.flow = flow;
        let end = match src {
            Endpoint::Eni { eni, .. } => self.send_from_eni(*eni, flow, Some(dst)),
            Endpoint::Internet { name, .. } => {
                self.hop("internet", name.clone());
                self.in_via_igw(flow)
            }
            Endpoint::Corporate { name, .. } => {
                self.hop("corporate", name.clone());
                End::Missing(format!("traffic from on-premises network `{name}` arrives over a Site-to-Site VPN or Direct Connect, which vpcsim does not model yet"))
            }
            Endpoint::SageMakerManaged(s) => self.send_from_sagemaker_managed(*s, dst),
            Endpoint::Gateway(g) => self.in_from_gateway(*g, dst, flow),
            Endpoint::Service(s) => {
                let id = format!("service:{}", s.short_name());
                self.hop(&id, s.title().to_owned());
                self.deny(
                    CheckKind::VpcEndpoint,
                    &id,
                    Some(Direction::Outbound),
                    None,
                    DropReason::ServiceCannotInitiate,
                    format!("{} cannot initiate requests to resources in your VPC; an endpoint only returns responses to traffic your resources initiated", s.title()),
                    "EP-7",
                )
            }
        };
        self.finish_leg(end)
    }

    fn finish_leg(mut self, end: End) -> LegResult {
        if !matches!(end, End::Delivered | End::Exits) {
            self.arrival = Arrival::None;
        }
        self.finish(end)
    }

    fn respond(mut self, arrival: &Arrival, original_src: &Endpoint, flow: Flow) -> LegResult {
        self.flow = flow;
        let end = match arrival {
            Arrival::Eni(eni) => self.send_from_eni(*eni, flow, Some(original_src)),
            Arrival::Internet => {
                let label = match Service::by_address(flow.src) {
                    Some(s) if s.front_door() == flow.src || s.has_gateway_endpoint() => s.title().to_owned(),
                    _ => format!("internet host {}", flow.src),
                };
                self.hop("internet", label);
                self.in_via_igw(flow)
            }
            Arrival::GatewayEndpoint(v) => self.in_via_gateway_endpoint(*v, flow),
            Arrival::Vpn(vpc, vgw) => {
                self.hop("vpn", "on-premises network".into());
                self.hop(vgw, format!("virtual private gateway {vgw}"));
                self.push(check(
                    CheckKind::RouteTable,
                    vgw,
                    Some(Direction::Inbound),
                    Verdict::Allow,
                    None,
                    "the response returns from the VPN through the virtual private gateway".into(),
                    "RT-9",
                ));
                match self.net.eni_by_private_ip(*vpc, flow.dst) {
                    Some(eni) => match self.net.eni(eni).map(|e| e.subnet) {
                        Some(to) => {
                            self.subnet_hop(to);
                            match self.nacl(to, Direction::Inbound, flow) {
                                Err(e) => e,
                                Ok(()) => self.arrive(eni, flow),
                            }
                        }
                        None => End::Missing("interface missing".into()),
                    },
                    None => End::Missing("the response's destination is not in the VPC".into()),
                }
            }
            Arrival::Gateway(vpc, id) => {
                let label = self.gateway_label(id);
                let kind = if label.starts_with("peering") { CheckKind::VpcPeering } else { CheckKind::TransitGateway };
                self.hop(id, label);
                self.push(check(
                    kind,
                    id,
                    None,
                    Verdict::Allow,
                    None,
                    format!("the response comes back from the far side through `{id}`"),
                    "RT-13",
                ));
                let component = id.clone();
                self.enter_and_arrive(*vpc, &component, flow)
            }
            Arrival::Exempt => {
                self.hop("aws", "Amazon-provided service".into());
                self.push(check(
                    CheckKind::Address,
                    "exempt",
                    None,
                    Verdict::Allow,
                    Some("EX-1".into()),
                    "responses from Amazon DNS, instance metadata and Time Sync are not filtered by security groups or network ACLs".into(),
                    "EX-1",
                ));
                End::Delivered
            }
            Arrival::SageMakerManaged => {
                self.hop("sagemaker-managed", "SageMaker-managed network".into());
                self.push(check(
                    CheckKind::Sagemaker,
                    "sagemaker",
                    None,
                    Verdict::Allow,
                    None,
                    "the response returns through the SageMaker-managed network interface, outside your VPC's controls".into(),
                    "SM-3",
                ));
                End::Delivered
            }
            Arrival::None => End::Missing("the request did not arrive".into()),
        };
        self.finish_leg(end)
    }

    // ----- sources -----

    fn send_from_eni(&mut self, eni_ix: EniIx, flow: Flow, dst: Option<&Endpoint>) -> End {
        let net = self.net;
        let Some(eni) = net.eni(eni_ix) else {
            return End::Missing("the source interface is missing".into());
        };
        self.hop(&eni.id, self.eni_label(eni));
        if !self.response {
            if let Some(end) = self.exempt(eni, flow) {
                return end;
            }
            if let Some(end) = self.sagemaker_source(eni, flow, dst) {
                return end;
            }
            if let Some(end) = self.port_25(eni, flow) {
                return end;
            }
        }
        if let Err(end) = self.sg(eni, Direction::Outbound, flow) {
            return end;
        }
        self.route_from(eni.subnet, flow, Some(eni_ix))
    }

    /// EX-1/EX-2: destinations that security groups and NACLs do not filter.
    fn exempt(&mut self, eni: &Eni, flow: Flow) -> Option<End> {
        let what = exempt_what(self.net, eni.vpc, flow.dst, flow.l4)?;
        self.push(check(
            CheckKind::Address,
            "exempt",
            None,
            Verdict::Allow,
            Some("EX-1".into()),
            format!("traffic to {what} is not filtered by security groups or network ACLs"),
            "EX-1",
        ));
        self.arrival = Arrival::Exempt;
        Some(End::Delivered)
    }

    /// SG-20: EC2 restricts outbound traffic on port 25 to public addresses by default.
    fn port_25(&mut self, eni: &Eni, flow: Flow) -> Option<End> {
        let Owner::Instance(id) = &eni.owner else { return None };
        if !matches!(flow.l4, L4::Tcp { dst_port: 25, .. }) || !is_public(self.net, flow.dst) {
            return None;
        }
        let id = id.clone();
        Some(self.deny(
            CheckKind::Address,
            &id,
            Some(Direction::Outbound),
            Some("port 25 restriction".into()),
            DropReason::Port25Restricted,
            "EC2 restricts outbound traffic on port 25 to public addresses by default, separately from security groups; AWS removes the limit on request".into(),
            "SG-20",
        ))
    }

    /// SageMaker networking modes at the source: network isolation (SM-8) and direct
    /// internet access (SM-3, SM-13).
    fn sagemaker_source(&mut self, eni: &Eni, flow: Flow, dst: Option<&Endpoint>) -> Option<End> {
        let Owner::SageMaker(s) = eni.owner else {
            return None;
        };
        let res = self.net.sagemaker_resource(s)?;
        let isolated =
            matches!(res.kind, SmKind::TrainingJob { network_isolation: true, .. } | SmKind::Endpoint { network_isolation: true });
        if isolated {
            return Some(self.deny(
                CheckKind::Sagemaker,
                &res.reference,
                Some(Direction::Outbound),
                Some("EnableNetworkIsolation".into()),
                DropReason::NetworkIsolation,
                format!("`{}` runs with network isolation: its containers cannot make any outbound call, even to Amazon S3; SageMaker still moves its S3 input and output itself", res.name),
                "SM-8",
            ));
        }
        let direct = matches!(res.kind, SmKind::Notebook { direct_internet_access: true, .. } | SmKind::Domain { vpc_only: false });
        let vpc = self.net.vpc(eni.vpc)?;
        let to_interface_endpoint =
            matches!(dst, Some(Endpoint::Eni { eni: d, .. }) if self.net.eni(*d).is_some_and(|x| matches!(x.owner, Owner::Vpce(_))));
        if direct && !vpc.contains(flow.dst) && !to_interface_endpoint {
            let (setting, spec) = match res.kind {
                SmKind::Domain { .. } => ("AppNetworkAccessType PublicInternetOnly", "SM-13"),
                _ => ("DirectInternetAccess Enabled", "SM-3"),
            };
            self.push(check(
                CheckKind::Sagemaker,
                &res.reference,
                Some(Direction::Outbound),
                Verdict::Allow,
                Some(setting.into()),
                format!("{setting}: traffic outside the VPC's CIDR leaves through the SageMaker-managed network interface, bypassing your VPC's security groups, network ACLs and routes"),
                spec,
            ));
            self.arrival = Arrival::SageMakerManaged;
            return Some(match dst {
                Some(Endpoint::Service(_)) => End::Delivered,
                _ => End::Exits,
            });
        }
        None
    }

    fn send_from_sagemaker_managed(&mut self, s: crate::model::SmIx, dst: &Endpoint) -> End {
        let Some(res) = self.net.sagemaker_resource(s) else {
            return End::Missing("the SageMaker resource is missing".into());
        };
        self.hop(&res.reference, format!("{} (SageMaker-managed VPC)", res.name));
        if matches!(res.kind, SmKind::TrainingJob { network_isolation: true, .. } | SmKind::Endpoint { network_isolation: true }) {
            return self.deny(
                CheckKind::Sagemaker,
                &res.reference,
                Some(Direction::Outbound),
                Some("EnableNetworkIsolation".into()),
                DropReason::NetworkIsolation,
                format!("`{}` runs with network isolation: its containers cannot make any outbound call", res.name),
                "SM-8",
            );
        }
        self.push(check(
            CheckKind::Sagemaker,
            &res.reference,
            Some(Direction::Outbound),
            Verdict::Allow,
            Some("no VpcConfig".into()),
            format!(
                "`{}` has no VpcConfig: it runs in a SageMaker-managed VPC and reaches AWS services and the internet directly",
                res.name
            ),
            "SM-1",
        ));
        self.arrival = Arrival::SageMakerManaged;
        match dst {
            Endpoint::Service(_) => End::Delivered,
            Endpoint::Internet { .. } => End::Exits,
            _ => End::Missing("traffic from the SageMaker-managed VPC into your VPC is not modelled".into()),
        }
    }

    // ----- filters -----

    /// Security groups of an interface (SG-1, SG-9, SG-10, SG-16).
    fn sg(&mut self, eni: &Eni, dir: Direction, flow: Flow) -> Result<(), End> {
        let net = self.net;
        if matches!(eni.owner, Owner::Nat(_)) {
            // RT-10: no security group can be associated with a NAT gateway.
            return Ok(());
        }
        let ids: Vec<&str> = eni.sgs.iter().filter_map(|g| net.sg(*g)).map(|g| g.id.as_str()).collect();
        let component = ids.join("+");
        if self.response {
            if let Some((sg_id, text)) = self.untracked_by(eni, dir, flow) {
                self.push(check(
                    CheckKind::SecurityGroup,
                    &sg_id,
                    Some(dir),
                    Verdict::Allow,
                    Some(text.clone()),
                    format!("this flow is not tracked: the request was allowed by a rule for all addresses and {dir} rule `{text}` allows every port to all addresses, so the rule, not connection tracking, lets the response through"),
                    "SG-5",
                ));
                return Ok(());
            }
            let (why, spec) = if self.carry.auto_tracked {
                ("connections through a NAT gateway, interface endpoint, egress-only internet gateway or transit gateway are always tracked; ", "SG-7")
            } else {
                ("", "SG-1")
            };
            self.push(check(
                CheckKind::SecurityGroup,
                &component,
                Some(dir),
                Verdict::Allow,
                Some("connection tracking".into()),
                format!(
                    "security groups are stateful: {why}the response of a tracked connection is allowed {dir} whatever the {dir} rules say"
                ),
                spec,
            ));
            return Ok(());
        }
        let peer = match dir {
            Direction::Inbound => flow.src,
            Direction::Outbound => flow.dst,
        };
        for g in &eni.sgs {
            let Some(sg) = net.sg(*g) else { continue };
            let (rules, index) = match dir {
                Direction::Inbound => (&sg.inbound, &sg.inbound_index),
                Direction::Outbound => (&sg.outbound, &sg.outbound_index),
            };
            // The union of rules decides (SG-10); the first matching rule in document order
            // is the one shown. The index yields only rules that can match this packet.
            let first = index
                .candidates(&flow.l4)
                .filter_map(|k| rules.get(k))
                .filter(|r| r.traffic.matches(&flow.l4) && self.peer_matches(r, peer, sg.vpc))
                .min_by_key(|r| r.position);
            if let Some(rule) = first {
                let text = rule.text.clone();
                let mut c = check(
                    CheckKind::SecurityGroup,
                    &sg.id,
                    Some(dir),
                    Verdict::Allow,
                    Some(text.clone()),
                    format!("{} rule of `{}` allows it: {text}", dir, sg.id),
                    match rule.peer {
                        // A group of a peered VPC (SG-17), else one of this VPC (SG-16).
                        Peer::Sg(g) if self.net.sg(g).is_some_and(|p| p.vpc != sg.vpc) => "SG-17",
                        Peer::Sg(_) => "SG-16",
                        _ => "SG-10",
                    },
                );
                c.rule_path = Some(format!("{}/{}/{}", sg.id, dir, rule.position));
                self.push(c);
                return Ok(());
            }
        }
        let peer_text = self.describe_peer(peer, eni.vpc);
        let prep = if dir == Direction::Inbound { "from" } else { "to" };
        Err(self.deny(
            CheckKind::SecurityGroup,
            &component,
            Some(dir),
            None,
            DropReason::SgNoMatchingRule,
            format!("no rule allows {} {prep} {peer_text}: security groups allow only what a rule permits", flow.l4),
            "SG-9",
        ))
    }

    /// SG-5/SG-6: a TCP or UDP flow allowed by a rule for all addresses, with a rule in
    /// the other direction allowing every port to all addresses, is not tracked (unless
    /// automatically tracked, SG-7; ICMP is always tracked). Returns the group and the
    /// rule that lets the response through.
    fn untracked_by(&self, eni: &Eni, dir: Direction, response: Flow) -> Option<(String, String)> {
        if self.carry.auto_tracked || !matches!(response.l4, L4::Tcp { .. } | L4::Udp { .. }) {
            return None;
        }
        let request = response.response();
        let any = |c: &crate::addr::Cidr| c.is_any();
        let (req_dir, req_peer) = match dir {
            Direction::Outbound => (Direction::Inbound, request.src),
            Direction::Inbound => (Direction::Outbound, request.dst),
        };

        fn any_peer(g: &crate::model::Sg, d: Direction) -> impl Iterator<Item = &SgRule> {
            let (rules, index) = match d {
                Direction::Inbound => (&g.inbound, &g.inbound_index),
                Direction::Outbound => (&g.outbound, &g.outbound_index),
            };
            index.any_peer.iter().filter_map(move |k| rules.get(*k as usize))
        }
        let groups: Vec<&crate::model::Sg> = eni.sgs.iter().filter_map(|g| self.net.sg(*g)).collect();
        let request_open = groups.iter().any(|g| {
            any_peer(g, req_dir)
                .any(|r| matches!(&r.peer, Peer::Cidr(c) if any(c) && c.contains(req_peer)) && r.traffic.matches(&request.l4))
        });
        if !request_open {
            return None;
        }
        let resp_peer = match dir {
            Direction::Outbound => response.dst,
            Direction::Inbound => response.src,
        };
        groups.iter().find_map(|g| {
            any_peer(g, dir)
                .find(|r| {
                    let all_ports = match r.traffic {
                        crate::addr::Traffic::All => true,
                        crate::addr::Traffic::Tcp(p) => p.is_all() && matches!(response.l4, L4::Tcp { .. }),
                        crate::addr::Traffic::Udp(p) => p.is_all() && matches!(response.l4, L4::Udp { .. }),
                        _ => false,
                    };
                    all_ports && matches!(&r.peer, Peer::Cidr(c) if any(c) && c.contains(resp_peer))
                })
                .map(|r| (g.id.clone(), r.text.clone()))
        })
    }

    fn peer_matches(&self, rule: &SgRule, ip: IpAddr, rule_vpc: VpcIx) -> bool {
        sg_peer_matches(self.net, rule, ip, rule_vpc)
    }

    /// "sg-web" when the address belongs to an interface with security groups, else the address.
    fn describe_peer(&self, ip: IpAddr, vpc: VpcIx) -> String {
        let eni = self.net.eni_by_private_ip(vpc, ip).or_else(|| self.net.enis().find(|(_, e)| e.private_ip == ip).map(|(i, _)| i));
        match eni.and_then(|e| self.net.eni(e)) {
            Some(e) if !e.sgs.is_empty() => {
                let ids: Vec<&str> = e.sgs.iter().filter_map(|g| self.net.sg(*g)).map(|g| g.id.as_str()).collect();
                format!("{} ({ip})", ids.join("+"))
            }
            _ => ip.to_string(),
        }
    }

    /// A subnet's network ACL in one direction (NACL-2, NACL-3, NACL-6, NACL-10).
    fn nacl(&mut self, subnet: SubnetIx, dir: Direction, flow: Flow) -> Result<(), End> {
        let net = self.net;
        let Some(s) = net.subnet(subnet) else {
            return Ok(());
        };
        let Some(acl) = net.nacl(s.nacl) else {
            return Ok(());
        };
        let peer = match dir {
            Direction::Inbound => flow.src,
            Direction::Outbound => flow.dst,
        };
        let spec = if self.response { "NACL-6" } else { "NACL-2" };
        match first_match(acl, dir, flow.l4, peer) {
            Some(entry) if entry.allow => {
                let text = &entry.text;
                let mut c = check(
                    CheckKind::NetworkAcl,
                    &acl.id,
                    Some(dir),
                    Verdict::Allow,
                    Some(entry.number.to_string()),
                    format!(
                        "{dir} rule {text} of `{}` matches first{}",
                        acl.id,
                        if self.response { " (NACLs are stateless: the response is checked like any packet)" } else { "" }
                    ),
                    spec,
                );
                c.rule_path = Some(format!("{}/{}/{}", acl.id, dir, entry.number));
                self.push(c);
                Ok(())
            }
            Some(entry) => {
                let text = &entry.text;
                let explanation = format!(
                    "{dir} rule {text} of `{}` matches first and denies {} {} {peer}{}",
                    acl.id,
                    flow.l4,
                    if dir == Direction::Inbound { "from" } else { "to" },
                    if self.response {
                        "; NACLs are stateless, so the response is checked like any packet and this rule denies it"
                    } else {
                        ""
                    }
                );
                let end = self.deny(
                    CheckKind::NetworkAcl,
                    &acl.id,
                    Some(dir),
                    Some(entry.number.to_string()),
                    DropReason::NaclDenyRule,
                    explanation,
                    spec,
                );
                if let Some(c) = self.hops.last_mut().and_then(|h| h.checks.last_mut()) {
                    c.rule_path = Some(format!("{}/{}/{}", acl.id, dir, entry.number));
                }
                Err(end)
            }
            None => {
                let explanation = format!(
                    "no {dir} rule of `{}` matches {} {} {peer}, so the final `*` rule denies it{}",
                    acl.id,
                    flow.l4,
                    if dir == Direction::Inbound { "from" } else { "to" },
                    if self.response {
                        "; NACLs are stateless, so the response (to an ephemeral port) needs its own allow rule"
                    } else {
                        ""
                    }
                );
                Err(self.deny(
                    CheckKind::NetworkAcl,
                    &acl.id,
                    Some(dir),
                    Some("*".into()),
                    DropReason::NaclDefaultDeny,
                    explanation,
                    if self.response { "NACL-6" } else { "NACL-3" },
                ))
            }
        }
    }

    /// NACLs on leaving `from` and entering `to`, skipped within one subnet (NACL-7).
    fn cross(&mut self, from: SubnetIx, to: SubnetIx, flow: Flow) -> Result<(), End> {
        if from == to {
            let id = self.net.subnet(from).and_then(|s| self.net.nacl(s.nacl)).map(|a| a.id.clone()).unwrap_or_default();
            self.push(check(
                CheckKind::NetworkAcl,
                &id,
                None,
                Verdict::Allow,
                Some("same subnet".into()),
                "both interfaces are in the same subnet: network ACLs filter traffic entering and leaving a subnet, not within it".into(),
                "NACL-7",
            ));
            return Ok(());
        }
        self.nacl(from, Direction::Outbound, flow)?;
        self.subnet_hop(to);
        self.nacl(to, Direction::Inbound, flow)
    }

    fn subnet_hop(&mut self, subnet: SubnetIx) {
        if let Some(s) = self.net.subnet(subnet) {
            let label = if s.name.is_empty() { format!("subnet {}", s.cidr) } else { format!("subnet {} ({})", s.name, s.cidr) };
            self.hop(&s.id, label);
        }
    }

    // ----- routing -----

    fn route_from(&mut self, subnet: SubnetIx, flow: Flow, sender: Option<EniIx>) -> End {
        let net = self.net;
        self.forwards = self.forwards.saturating_add(1);
        let Some(s) = net.subnet(subnet) else {
            return End::Missing("the subnet is missing".into());
        };
        if self.forwards > MAX_FORWARDS {
            return self.deny(
                CheckKind::RouteTable,
                &s.id,
                None,
                None,
                DropReason::RoutingLoop,
                "the packet was forwarded more times than vpcsim follows: the routes form a loop".into(),
                "RT-3",
            );
        }
        self.subnet_hop(subnet);
        let Some(table) = net.rtb(s.rtb) else {
            return End::Missing("the route table is missing".into());
        };
        if let IpAddr::V4(a) = flow.dst {
            if u32::from(a) & 0xffff_fc00 == u32::from(Ipv4Addr::new(169, 254, 168, 0)) {
                return self.deny(
                    CheckKind::RouteTable,
                    &table.id,
                    None,
                    None,
                    DropReason::NoRoute,
                    format!("{} lies in 169.254.168.0/22, which is never forwarded, whatever the routes say", flow.dst),
                    "EX-3",
                );
            }
        }
        let Some((k, route, prefix)) = lookup(net, s.rtb, flow.dst) else {
            return self.deny(
                CheckKind::RouteTable,
                &table.id,
                None,
                None,
                DropReason::NoRoute,
                format!("route table `{}` has no route to {}: no destination contains it", table.id, flow.dst),
                "RT-3",
            );
        };
        let dest_text = route.dest_text.as_str();
        let rule = format!("{dest_text} -> {}", route.target_id);
        if let Target::Blackhole(id) = &route.target {
            let rule = rule.clone();
            return self.deny(
                CheckKind::RouteTable,
                &table.id,
                None,
                Some(rule),
                DropReason::BlackholeRoute,
                format!("the most specific route ({dest_text}) points to `{id}`, which is not available: the route is a blackhole and the packet is dropped"),
                "RT-6",
            );
        }
        let mut c = check(
            CheckKind::RouteTable,
            &table.id,
            None,
            Verdict::Allow,
            Some(rule),
            format!("longest prefix match in `{}`: {dest_text} (/{prefix}) sends it to {}", table.id, route.target_id),
            "RT-3",
        );
        c.rule_path = Some(format!("{}/routes/{k}", table.id));
        self.push(c);
        match route.target.clone() {
            Target::Local => self.deliver_local(s.vpc, subnet, flow),
            Target::Igw(g) => self.out_via_igw(g, subnet, flow, sender),
            Target::Nat(n) => self.via_nat(n, subnet, flow),
            Target::Pcx(p) => self.via_peering(p, subnet, flow),
            Target::Vpce(v) => self.via_gateway_endpoint(v, subnet, flow),
            Target::Eni(e) => {
                let id = net.eni(e).map(|x| x.id.clone()).unwrap_or_default();
                End::Missing(format!(
                    "the route sends the packet to network interface `{id}` (an appliance); forwarding by appliances is not modelled"
                ))
            }
            Target::Tgw(t) => self.via_tgw(t, subnet, flow),
            Target::Eigw(g) => self.out_via_eigw(g, subnet, flow),
            Target::Vgw(id) => {
                if let Err(e) = self.nacl(subnet, Direction::Outbound, flow) {
                    return e;
                }
                self.hop(&id, format!("virtual private gateway {id}"));
                self.push(check(
                    CheckKind::RouteTable,
                    &id,
                    Some(Direction::Outbound),
                    Verdict::Allow,
                    None,
                    format!("the route sends it to virtual private gateway `{id}` and over the Site-to-Site VPN, which vpcsim does not model further"),
                    "RT-9",
                ));
                self.arrival = Arrival::Vpn(s.vpc, id.clone());
                self.hop("vpn", "on-premises network".into());
                End::Exits
            }
            Target::Blackhole(_) => End::Missing("blackhole".into()),
        }
    }

    fn deliver_local(&mut self, vpc: VpcIx, from: SubnetIx, flow: Flow) -> End {
        let net = self.net;
        let Some(eni) = net.eni_by_private_ip(vpc, flow.dst) else {
            // The packet still leaves its subnet when the address is outside it (NACL-7).
            let inside_from = net.subnet(from).is_some_and(|x| match flow.dst {
                IpAddr::V4(a) => x.cidr.contains(&a),
                IpAddr::V6(a) => x.cidr_v6.is_some_and(|c| c.contains(&a)),
            });
            if !inside_from {
                if let Err(e) = self.nacl(from, Direction::Outbound, flow) {
                    return e;
                }
            }
            let vid = net.vpc(vpc).map(|v| v.id.clone()).unwrap_or_default();
            return self.no_such_address(vpc, &vid, flow);
        };
        let Some(to) = net.eni(eni).map(|e| e.subnet) else {
            return End::Missing("interface missing".into());
        };
        if let Err(e) = self.cross(from, to, flow) {
            return e;
        }
        self.arrive(eni, flow)
    }

    /// The packet reaches an interface: NAT un-translation, interface endpoints, or SG ingress.
    fn arrive(&mut self, eni_ix: EniIx, flow: Flow) -> End {
        let net = self.net;
        let Some(eni) = net.eni(eni_ix) else {
            return End::Missing("interface missing".into());
        };
        self.hop(&eni.id, self.eni_label(eni));
        match &eni.owner {
            Owner::Nat(n) => {
                let nat_id = net.nat(*n).map(|x| x.id.clone()).unwrap_or_default();
                let translation = self.carry.nat.iter().rev().find(|(nat, _)| nat == n).copied();
                return match translation {
                    Some((_, original)) if self.response => {
                        self.push(check(
                            CheckKind::NatGateway,
                            &nat_id,
                            None,
                            Verdict::Allow,
                            Some("translation".into()),
                            format!("the NAT gateway is stateful: it translates the response back to {original}"),
                            "RT-10",
                        ));
                        let back = Flow { dst: original, ..flow };
                        self.flow = back;
                        let subnet = eni.subnet;
                        self.route_from(subnet, back, Some(eni_ix))
                    }
                    _ => self.deny(
                        CheckKind::NatGateway,
                        &nat_id,
                        Some(Direction::Inbound),
                        None,
                        DropReason::UnsolicitedInbound,
                        "a NAT gateway does not accept connections initiated towards it".into(),
                        "RT-10",
                    ),
                };
            }
            Owner::Vpce(v) => {
                if !self.response {
                    return self.arrive_interface_endpoint(*v, eni, flow);
                }
            }
            Owner::SageMaker(s) => {
                if !self.response {
                    if let Some(res) = net.sagemaker_resource(*s) {
                        if matches!(
                            res.kind,
                            SmKind::TrainingJob { network_isolation: true, .. } | SmKind::Endpoint { network_isolation: true }
                        ) {
                            let reference = res.reference.clone();
                            let name = res.name.clone();
                            return self.deny(
                                CheckKind::Sagemaker,
                                &reference,
                                Some(Direction::Inbound),
                                Some("EnableNetworkIsolation".into()),
                                DropReason::NetworkIsolation,
                                format!("`{name}` runs with network isolation: no inbound network call can reach its container"),
                                "SM-8",
                            );
                        }
                    }
                }
            }
            Owner::Instance(_) => {}
        }
        if let Err(e) = self.sg(eni, Direction::Inbound, flow) {
            return e;
        }
        self.flow = flow;
        if self.arrival == Arrival::None {
            self.arrival = Arrival::Eni(eni_ix);
        }
        End::Delivered
    }

    fn arrive_interface_endpoint(&mut self, v: VpceIx, eni: &Eni, flow: Flow) -> End {
        let net = self.net;
        let Some(vpce) = net.vpce(v) else {
            return End::Missing("endpoint missing".into());
        };
        if flow.l4.protocol() != proto::TCP {
            return self.deny(
                CheckKind::VpcEndpoint,
                &vpce.id,
                Some(Direction::Inbound),
                None,
                DropReason::EndpointTcpOnly,
                format!("interface endpoint `{}` accepts TCP only; {} is dropped", vpce.id, protocol_name(flow.l4.protocol())),
                "EP-7",
            );
        }
        if let Err(e) = self.sg(eni, Direction::Inbound, flow) {
            return e;
        }
        let eni_ix = net.eni_by_private_ip(eni.vpc, eni.private_ip);
        self.push(check(
            CheckKind::VpcEndpoint,
            &vpce.id,
            None,
            Verdict::Allow,
            None,
            format!("interface endpoint `{}` carries the request privately to {} (AWS PrivateLink)", vpce.id, vpce.service.title()),
            "EP-7",
        ));
        if let Err(e) = self.policy(v, flow) {
            return e;
        }
        self.carry.auto_tracked = true;
        self.hop(&format!("service:{}", vpce.service.short_name()), vpce.service.title().to_owned());
        self.flow = flow;
        self.arrival = eni_ix.map(Arrival::Eni).unwrap_or(Arrival::None);
        End::Delivered
    }

    fn policy(&mut self, v: VpceIx, flow: Flow) -> Result<(), End> {
        let net = self.net;
        let Some(vpce) = net.vpce(v) else {
            return Ok(());
        };
        let Some(doc) = &vpce.policy else {
            self.push(check(
                CheckKind::EndpointPolicy,
                &vpce.id,
                None,
                Verdict::Allow,
                Some("default policy".into()),
                "the endpoint has the default policy, which allows full access".into(),
                "EP-10",
            ));
            return Ok(());
        };
        let vpc_id = net.vpc(vpce.vpc).map(|x| x.id.clone()).unwrap_or_default();
        let mut ctx = RequestContext::for_service(vpce.service, &net.region, &vpce.id, &vpc_id, flow.src);
        if let Some(api) = &self.carry.api {
            ctx.action = api.action.clone();
            ctx.resource = api.resource.clone().unwrap_or_else(|| "*".into());
            if let Some(p) = &api.principal {
                ctx.set_principal(p);
            }
        }
        let decision = policy::evaluate(doc, &ctx);
        if decision.allowed {
            self.push(check(
                CheckKind::EndpointPolicy,
                &vpce.id,
                None,
                Verdict::Allow,
                decision.statement.clone(),
                decision.explanation,
                "EP-10",
            ));
            Ok(())
        } else {
            Err(self.deny(
                CheckKind::EndpointPolicy,
                &vpce.id,
                None,
                decision.statement,
                DropReason::EndpointPolicyDenied,
                decision.explanation,
                if decision.explicit_deny { "IAM-4" } else { "EP-12" },
            ))
        }
    }

    fn out_via_igw(&mut self, g: crate::model::IgwIx, subnet: SubnetIx, flow: Flow, sender: Option<EniIx>) -> End {
        let net = self.net;
        let Some(igw) = net.igw(g) else {
            return End::Missing("gateway missing".into());
        };
        let Some(eni) = sender.and_then(|s| net.eni(s)) else {
            if let Err(e) = self.nacl(subnet, Direction::Outbound, flow) {
                return e;
            }
            self.hop(&igw.id, format!("internet gateway {}", igw.id));
            return self.deny(
                CheckKind::InternetGateway,
                &igw.id,
                Some(Direction::Outbound),
                None,
                DropReason::NoPublicIp,
                format!("traffic from {} arrived through a transit gateway and has no public IPv4 for the internet gateway to translate to; send it through a NAT gateway", flow.src),
                "RT-8",
            );
        };
        // RT-8: the internet gateway translates private to public IPv4 one-to-one; without
        // a public address it has nothing to translate to. (Spec open point 2: vpcsim
        // drops at the gateway, after the NACL.)
        if let Err(e) = self.nacl(subnet, Direction::Outbound, flow) {
            return e;
        }
        self.hop(&igw.id, format!("internet gateway {}", igw.id));
        let mut out = flow;
        if flow.src.is_ipv4() {
            if let Owner::Nat(n) = eni.owner {
                if net.nat(n).is_some_and(|x| !x.public) {
                    let nid = net.nat(n).map(|x| x.id.clone()).unwrap_or_default();
                    return self.deny(
                        CheckKind::InternetGateway,
                        &igw.id,
                        None,
                        None,
                        DropReason::PrivateNatToIgw,
                        format!(
                            "traffic from private NAT gateway `{nid}` routed to an internet gateway is dropped by the internet gateway"
                        ),
                        "RT-10",
                    );
                }
            }
            match eni.public_ip {
                Some(public) => {
                    out.src = public;
                    self.push(check(
                        CheckKind::InternetGateway,
                        &igw.id,
                        Some(Direction::Outbound),
                        Verdict::Allow,
                        Some(format!("{} -> {public}", eni.private_ip)),
                        format!("the internet gateway translates the private address {} to the public address {public}", eni.private_ip),
                        "RT-8",
                    ));
                }
                None => {
                    return self.deny(
                        CheckKind::InternetGateway,
                        &igw.id,
                        Some(Direction::Outbound),
                        None,
                        DropReason::NoPublicIp,
                        format!("`{}` has no public IPv4 or Elastic IP, so the internet gateway cannot carry its traffic: a route to an internet gateway alone is not enough", eni.label),
                        "RT-8",
                    );
                }
            }
        } else {
            self.push(check(
                CheckKind::InternetGateway,
                &igw.id,
                Some(Direction::Outbound),
                Verdict::Allow,
                None,
                "IPv6 addresses are public; the internet gateway forwards it".into(),
                "RT-8",
            ));
        }
        self.flow = out;
        self.arrival = Arrival::Internet;
        // Public AWS service front doors are reached over the internet.
        if let Some(service) = Service::by_address(out.dst) {
            self.hop(&format!("service:{}", service.short_name()), format!("{} (public endpoint)", service.title()));
            self.push(check(
                CheckKind::Address,
                &format!("service:{}", service.short_name()),
                None,
                Verdict::Allow,
                None,
                format!(
                    "the request reaches the public endpoint of {} over the internet; aws:SourceIp is its public address",
                    service.title()
                ),
                "IAM-1",
            ));
            return End::Delivered;
        }
        // Another public address of this network: back in through its internet gateway.
        if net.eni_by_public_ip(out.dst).is_some() {
            // Back in through the destination's internet gateway: the response will start at
            // the destination interface, not on the internet.
            self.hop("internet", "internet".into());
            self.arrival = Arrival::None;
            return self.in_via_igw(out);
        }
        self.hop("internet", format!("internet host {}", out.dst));
        End::Exits
    }

    /// Traffic arriving from the internet at a public address (RT-8, RT-10).
    fn in_via_igw(&mut self, flow: Flow) -> End {
        let net = self.net;
        let Some(eni_ix) = net.eni_by_public_ip(flow.dst) else {
            let vpc_private = net.enis().find(|(_, e)| e.private_ip == flow.dst);
            let explanation = match vpc_private {
                Some((_, e)) => format!(
                    "{} is the private address of `{}`, which has no public IPv4: the internet cannot address it",
                    flow.dst, e.label
                ),
                None => format!("no resource of this network holds the public address {}", flow.dst),
            };
            return self.deny(
                CheckKind::Address,
                "internet",
                Some(Direction::Inbound),
                None,
                DropReason::NotAddressable,
                explanation,
                "RT-8",
            );
        };
        let Some(eni) = net.eni(eni_ix) else {
            return End::Missing("interface missing".into());
        };
        let Some(vpc) = net.vpc(eni.vpc) else {
            return End::Missing("vpc missing".into());
        };
        if flow.dst.is_ipv6() {
            if let Some(g) = vpc.eigw {
                let gid = self.net.eigw(g).map(|x| x.id.clone()).unwrap_or_default();
                if self.response && self.carry.eigw == Some(g) {
                    self.hop(&gid, format!("egress-only internet gateway {gid}"));
                    self.push(check(
                        CheckKind::InternetGateway,
                        &gid,
                        Some(Direction::Inbound),
                        Verdict::Allow,
                        None,
                        "the egress-only internet gateway is stateful: it lets in the response of an outbound connection".into(),
                        "RT-12",
                    ));
                    self.subnet_hop(eni.subnet);
                    if let Err(e) = self.nacl(eni.subnet, Direction::Inbound, flow) {
                        return e;
                    }
                    return self.arrive(eni_ix, flow);
                }
                if vpc.igw.is_none() {
                    self.hop(&gid, format!("egress-only internet gateway {gid}"));
                    return self.deny(
                        CheckKind::InternetGateway,
                        &gid,
                        Some(Direction::Inbound),
                        None,
                        DropReason::UnsolicitedInbound,
                        "an egress-only internet gateway prevents the internet from initiating IPv6 connections to your instances".into(),
                        "RT-12",
                    );
                }
            }
        }
        let Some(g) = vpc.igw else {
            return self.deny(
                CheckKind::InternetGateway,
                &vpc.id,
                Some(Direction::Inbound),
                None,
                DropReason::IgwNotAttached,
                format!("VPC `{}` has no internet gateway attached, so nothing reaches it from the internet", vpc.id),
                "RT-8",
            );
        };
        let igw_id = net.igw(g).map(|x| x.id.clone()).unwrap_or_default();
        self.hop(&igw_id, format!("internet gateway {igw_id}"));
        let inside = Flow { dst: eni.private_ip, ..flow };
        self.push(check(
            CheckKind::InternetGateway,
            &igw_id,
            Some(Direction::Inbound),
            Verdict::Allow,
            Some(format!("{} -> {}", flow.dst, eni.private_ip)),
            format!("the internet gateway translates the public address {} to the private address {}", flow.dst, eni.private_ip),
            "RT-8",
        ));
        self.subnet_hop(eni.subnet);
        if let Err(e) = self.nacl(eni.subnet, Direction::Inbound, inside) {
            return e;
        }
        self.arrive(eni_ix, inside)
    }

    fn via_nat(&mut self, n: NatIx, from: SubnetIx, flow: Flow) -> End {
        let net = self.net;
        let Some(nat) = net.nat(n) else {
            return End::Missing("NAT gateway missing".into());
        };
        let Some(nat_eni) = net.eni(nat.eni) else {
            return End::Missing("NAT interface missing".into());
        };
        if self.response {
            if let Err(e) = self.cross(from, nat.subnet, flow) {
                return e;
            }
            self.hop(&nat.id, format!("NAT gateway {}", nat.id));
            return self.deny(
                CheckKind::NatGateway,
                &nat.id,
                None,
                None,
                DropReason::AsymmetricRoute,
                format!(
                    "the response is routed to NAT gateway `{}`, which did not see the request: it would leave from the NAT's address instead of {}, so the connection fails; route the reply back the way the request came",
                    nat.id, flow.src
                ),
                "RT-10",
            );
        }
        if let Err(e) = self.cross(from, nat.subnet, flow) {
            return e;
        }
        self.hop(&nat.id, format!("NAT gateway {}", nat.id));
        if !matches!(flow.l4, L4::Tcp { .. } | L4::Udp { .. } | L4::Icmp { .. }) {
            return self.deny(
                CheckKind::NatGateway,
                &nat.id,
                None,
                None,
                DropReason::AddressFamily,
                format!("NAT gateways support TCP, UDP and ICMP only, not {}", protocol_name(flow.l4.protocol())),
                "RT-10",
            );
        }
        let translated = Flow { src: nat_eni.private_ip, ..flow };
        self.push(check(
            CheckKind::NatGateway,
            &nat.id,
            None,
            Verdict::Allow,
            Some(format!("{} -> {}", flow.src, nat_eni.public_ip.unwrap_or(nat_eni.private_ip))),
            format!(
                "the NAT gateway replaces the source address {} with its own {} and tracks the connection",
                flow.src,
                nat_eni.public_ip.map(|p| format!("Elastic IP {p}")).unwrap_or_else(|| format!("private address {}", nat_eni.private_ip))
            ),
            "RT-10",
        ));
        self.carry.nat.push((n, flow.src));
        self.carry.auto_tracked = true;
        self.flow = translated;
        let nat_subnet = nat.subnet;
        let nat_eni_ix = nat.eni;
        self.route_from(nat_subnet, translated, Some(nat_eni_ix))
    }

    fn out_via_eigw(&mut self, g: EigwIx, subnet: SubnetIx, flow: Flow) -> End {
        let id = self.net.eigw(g).map(|x| x.id.clone()).unwrap_or_default();
        if flow.dst.is_ipv4() {
            return self.deny(
                CheckKind::InternetGateway,
                &id,
                None,
                None,
                DropReason::AddressFamily,
                "an egress-only internet gateway carries IPv6 only".into(),
                "RT-12",
            );
        }
        if let Err(e) = self.nacl(subnet, Direction::Outbound, flow) {
            return e;
        }
        self.hop(&id, format!("egress-only internet gateway {id}"));
        self.push(check(
            CheckKind::InternetGateway,
            &id,
            Some(Direction::Outbound),
            Verdict::Allow,
            None,
            "outbound IPv6 leaves through the egress-only internet gateway, which tracks the connection".into(),
            "RT-12",
        ));
        self.carry.eigw = Some(g);
        self.carry.auto_tracked = true;
        self.arrival = Arrival::Internet;
        self.hop("internet", format!("internet host {}", flow.dst));
        End::Exits
    }

    /// A transit gateway: one route table, longest prefix match, static routes winning
    /// over propagated ones on the same destination.
    fn via_tgw(&mut self, t: TgwIx, from: SubnetIx, flow: Flow) -> End {
        let net = self.net;
        let Some(tgw) = net.tgw(t) else { return End::Missing("transit gateway missing".into()) };
        if let Err(e) = self.nacl(from, Direction::Outbound, flow) {
            return e;
        }
        self.hop(&tgw.id, format!("transit gateway {}", tgw.id));
        let best = tgw.routes.iter().filter(|r| r.dest.contains(flow.dst)).max_by_key(|r| (r.dest.prefix_len(), !r.propagated));
        let Some(route) = best else {
            return self.deny(
                CheckKind::TransitGateway,
                &tgw.id,
                None,
                None,
                DropReason::NoRoute,
                format!("the transit gateway route table of `{}` has no route to {}", tgw.id, flow.dst),
                "RT-9",
            );
        };
        let Some(att) = route.attachment.and_then(|a| tgw.attachments.get(a)) else {
            return self.deny(
                CheckKind::TransitGateway,
                &tgw.id,
                None,
                Some(format!("{} -> blackhole", route.dest)),
                DropReason::BlackholeRoute,
                format!("the transit gateway route for {} is a blackhole", route.dest),
                "RT-9",
            );
        };
        let Some(dst_vpc) = net.vpc(att.vpc) else { return End::Missing("attachment VPC missing".into()) };
        self.push(check(
            CheckKind::TransitGateway,
            &tgw.id,
            None,
            Verdict::Allow,
            Some(format!("{} -> {}", route.dest, att.id)),
            format!(
                "the transit gateway's {} route {} sends it through attachment `{}` to VPC `{}`",
                if route.propagated { "propagated" } else { "static" },
                route.dest,
                att.id,
                dst_vpc.id
            ),
            "RT-9",
        ));
        self.carry.auto_tracked = true;
        self.via_tgw = true;
        if self.carry.stop_at.as_deref() == Some(tgw.id.as_str()) {
            if let Some(here) = net.subnet(from).map(|s| s.vpc) {
                self.arrival = Arrival::Gateway(here, tgw.id.clone());
            }
            return End::Delivered;
        }
        if !dst_vpc.contains(flow.dst) {
            // Beyond the attached VPC (centralised egress): the attachment subnet's route
            // table decides.
            return match att.subnets.first() {
                Some(sub) => self.route_from(*sub, flow, None),
                None => End::Missing(format!("attachment `{}` has no subnet", att.id)),
            };
        }
        let component = dst_vpc.id.clone();
        self.enter_and_arrive(att.vpc, &component, flow)
    }

    fn via_peering(&mut self, p: crate::model::PcxIx, from: SubnetIx, flow: Flow) -> End {
        let net = self.net;
        let Some(pcx) = net.peering(p) else {
            return End::Missing("peering missing".into());
        };
        let Some(here) = net.subnet(from).map(|s| s.vpc) else {
            return End::Missing("subnet missing".into());
        };
        if let Err(e) = self.nacl(from, Direction::Outbound, flow) {
            return e;
        }
        self.hop(&pcx.id, format!("peering connection {}", pcx.id));
        if !pcx.is_active() {
            return self.deny(
                CheckKind::VpcPeering,
                &pcx.id,
                None,
                Some(pcx.status.clone()),
                DropReason::PeeringNotActive,
                format!("peering connection `{}` is `{}`, not active: no traffic flows", pcx.id, pcx.status),
                "RT-13",
            );
        }
        let Some(peer) = pcx.other_end(here) else {
            return self.deny(
                CheckKind::VpcPeering,
                &pcx.id,
                None,
                None,
                DropReason::PeeringNoEdgeToEdge,
                "this VPC is not an end of the peering connection".into(),
                "RT-13",
            );
        };
        let Some(peer_vpc) = net.vpc(peer) else {
            return End::Missing("peer VPC missing".into());
        };
        if !peer_vpc.contains(flow.dst) {
            return self.deny(
                CheckKind::VpcPeering,
                &pcx.id,
                None,
                None,
                DropReason::PeeringNoEdgeToEdge,
                format!(
                    "{} is not in peer VPC `{}`: peering is not transitive and a peer cannot use the other VPC's gateways or endpoints",
                    flow.dst, peer_vpc.id
                ),
                "RT-13",
            );
        }
        self.push(check(
            CheckKind::VpcPeering,
            &pcx.id,
            None,
            Verdict::Allow,
            None,
            format!("the active peering connection carries it to VPC `{}`", peer_vpc.id),
            "RT-13",
        ));
        if self.carry.stop_at.as_deref() == Some(pcx.id.as_str()) {
            self.arrival = Arrival::Gateway(here, pcx.id.clone());
            return End::Delivered;
        }
        let component = peer_vpc.id.clone();
        self.enter_and_arrive(peer, &component, flow)
    }

    fn gateway_label(&self, id: &str) -> String {
        if id.starts_with("pcx-") || self.net.node(id).is_some_and(|n| matches!(n, Node::Pcx(_))) {
            format!("peering connection {id}")
        } else {
            format!("transit gateway {id}")
        }
    }

    /// A packet that comes from the far side of a gateway (a gateway as the probe's
    /// source): the gateway carries it into the destination's VPC (RT-13, RT-9).
    fn in_from_gateway(&mut self, g: Gateway, dst: &Endpoint, flow: Flow) -> End {
        let net = self.net;
        let id = gateway_id(net, g);
        let label = self.gateway_label(&id);
        self.hop(&id, label);
        let Some(vpc) = end_vpc(net, dst) else {
            return End::Missing(format!("the destination is not in a VPC that `{id}` connects"));
        };
        if let Gateway::Peering(p) = g {
            if let Some(pcx) = net.peering(p) {
                if !pcx.is_active() {
                    return self.deny(
                        CheckKind::VpcPeering,
                        &id,
                        None,
                        Some(pcx.status.clone()),
                        DropReason::PeeringNotActive,
                        format!("peering connection `{id}` is `{}`, not active: no traffic flows", pcx.status),
                        "RT-13",
                    );
                }
            }
        }
        let vid = net.vpc(vpc).map(|v| v.id.clone()).unwrap_or_default();
        let (kind, spec) = match g {
            Gateway::Peering(_) => (CheckKind::VpcPeering, "RT-13"),
            Gateway::Transit(_) => (CheckKind::TransitGateway, "RT-9"),
        };
        if matches!(g, Gateway::Transit(_)) {
            self.carry.auto_tracked = true;
        }
        self.push(check(kind, &id, None, Verdict::Allow, None, format!("`{id}` carries it from the far side into VPC `{vid}`"), spec));
        self.enter_and_arrive(vpc, &id, flow)
    }

    /// No interface of `vpc` holds the destination (RT-2); `component` is reported.
    fn no_such_address(&mut self, vpc: VpcIx, component: &str, flow: Flow) -> End {
        let vid = self.net.vpc(vpc).map(|v| v.id.clone()).unwrap_or_default();
        self.deny(
            CheckKind::Address,
            component,
            None,
            None,
            DropReason::NoSuchAddress,
            format!("no network interface in `{vid}` holds {}", flow.dst),
            "RT-2",
        )
    }

    /// Enters a VPC from a gateway or a peer: the interface holding the destination, the
    /// inbound NACL of its subnet (NACL-7), then the interface itself.
    fn enter_and_arrive(&mut self, vpc: VpcIx, component: &str, flow: Flow) -> End {
        let net = self.net;
        let Some(eni) = net.eni_by_private_ip(vpc, flow.dst) else {
            return self.no_such_address(vpc, component, flow);
        };
        let Some(to) = net.eni(eni).map(|e| e.subnet) else {
            return End::Missing("interface missing".into());
        };
        self.subnet_hop(to);
        if let Err(e) = self.nacl(to, Direction::Inbound, flow) {
            return e;
        }
        self.arrive(eni, flow)
    }

    fn via_gateway_endpoint(&mut self, v: VpceIx, from: SubnetIx, flow: Flow) -> End {
        let net = self.net;
        let Some(vpce) = net.vpce(v) else {
            return End::Missing("endpoint missing".into());
        };
        if let Err(e) = self.nacl(from, Direction::Outbound, flow) {
            return e;
        }
        self.hop(&vpce.id, format!("gateway endpoint {} ({})", vpce.id, vpce.service.short_name()));
        if self.via_tgw {
            return self.deny(
                CheckKind::VpcEndpoint,
                &vpce.id,
                None,
                None,
                DropReason::EndpointNotExtended,
                "gateway endpoint connections cannot be extended out of a VPC: traffic that arrived through a transit gateway cannot use it".into(),
                "EP-6",
            );
        }
        if flow.l4.protocol() != proto::TCP {
            return self.deny(
                CheckKind::VpcEndpoint,
                &vpce.id,
                None,
                None,
                DropReason::EndpointWrongService,
                format!("{} carries HTTPS requests to {}; {} is not one", vpce.id, vpce.service.title(), protocol_name(flow.l4.protocol())),
                "EP-1",
            );
        }
        self.push(check(
            CheckKind::VpcEndpoint,
            &vpce.id,
            None,
            Verdict::Allow,
            None,
            format!(
                "the prefix-list route sends it through gateway endpoint `{}` to {} without an internet or NAT gateway",
                vpce.id,
                vpce.service.title()
            ),
            "EP-2",
        ));
        if let Err(e) = self.policy(v, flow) {
            return e;
        }
        self.hop(&format!("service:{}", vpce.service.short_name()), vpce.service.title().to_owned());
        self.flow = flow;
        self.arrival = Arrival::GatewayEndpoint(v);
        End::Delivered
    }

    /// The service's response comes back through the gateway endpoint into the VPC.
    fn in_via_gateway_endpoint(&mut self, v: VpceIx, flow: Flow) -> End {
        let net = self.net;
        let Some(vpce) = net.vpce(v) else {
            return End::Missing("endpoint missing".into());
        };
        self.hop(&format!("service:{}", vpce.service.short_name()), vpce.service.title().to_owned());
        self.hop(&vpce.id, format!("gateway endpoint {}", vpce.id));
        self.push(check(
            CheckKind::VpcEndpoint,
            &vpce.id,
            None,
            Verdict::Allow,
            None,
            "the response returns through the gateway endpoint".into(),
            "EP-2",
        ));
        let (vpc, component) = (vpce.vpc, vpce.id.clone());
        self.enter_and_arrive(vpc, &component, flow)
    }
}

/// First matching entry of a NACL direction for a packet: entries are sorted by number,
/// and IPv4 entries never match IPv6 packets (NACL-10).
/// EX-1/EX-2: what an exempt destination is, for traffic from an interface of `vpc`;
/// `None` when security groups and NACLs filter traffic to `dst`.
pub(crate) fn exempt_what(net: &Network, vpc: VpcIx, dst: IpAddr, l4: L4) -> Option<&'static str> {
    let v = net.vpc(vpc)?;
    Some(match dst {
        IpAddr::V4(a) if a == Ipv4Addr::new(169, 254, 169, 254) => "the instance metadata service",
        IpAddr::V4(a) if a == Ipv4Addr::new(169, 254, 169, 253) => "the Amazon DNS server (Route 53 Resolver)",
        IpAddr::V4(a) if a == Ipv4Addr::new(169, 254, 169, 123) => "the Amazon Time Sync Service",
        IpAddr::V6(a) if a == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253) => "the Amazon DNS server (Route 53 Resolver)",
        IpAddr::V6(a) if a == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) => "the instance metadata service",
        IpAddr::V6(a) if a == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x123) => "the Amazon Time Sync Service",
        ip if Some(ip) == v.dns_address() => "the Amazon DNS server at the VPC base address plus two",
        IpAddr::V4(a) if net.subnets.iter().any(|s| s.vpc == vpc && u32::from(s.cidr.network()).checked_add(1) == Some(u32::from(a))) => {
            "the VPC router's reserved address (the subnet base plus one), which also answers DHCP"
        }
        IpAddr::V4(a) if a == Ipv4Addr::BROADCAST && matches!(l4, L4::Udp { dst_port: 67, .. }) => "Amazon DHCP",
        _ => return None,
    })
}

/// Whether a security group rule's peer holds `ip` (SG-16, SG-17), for a group of `rule_vpc`.
pub(crate) fn sg_peer_matches(net: &Network, rule: &SgRule, ip: IpAddr, rule_vpc: VpcIx) -> bool {
    match &rule.peer {
        Peer::Cidr(c) => c.contains(ip),
        Peer::PrefixList(pl) => net.prefix_list(*pl).is_some_and(|p| p.cidrs.iter().any(|c| c.contains(ip))),
        Peer::Sg(g) => net.sg_has_member(*g, ip, rule_vpc),
        Peer::Stale(_) => false,
    }
}

fn first_match(acl: &Nacl, dir: Direction, l4: L4, peer: IpAddr) -> Option<&crate::model::NaclEntry> {
    let entries = match dir {
        Direction::Inbound => &acl.inbound,
        Direction::Outbound => &acl.outbound,
    };
    entries.iter().find(|e| e.cidr.contains(peer) && e.traffic.matches(&l4))
}

/// Longest prefix match (RT-3) over the table's compiled buckets, longest prefix first;
/// within one destination a static CIDR route beats a prefix-list route, which beats a
/// propagated route (RT-4, RT-5).
pub(crate) fn lookup(net: &Network, table: RtbIx, dst: IpAddr) -> Option<(usize, &crate::model::Route, u8)> {
    let t = net.rtb(table)?;
    let (bits, v6) = crate::addr::addr_bits(dst);
    t.lpm.iter().filter(|b| b.v6 == v6).find_map(|b| {
        let key = bits & b.mask;
        let at = b.entries.binary_search_by(|(e, _)| e.cmp(&key)).ok()?;
        let k = b.entries.get(at)?.1 as usize;
        t.routes.get(k).map(|r| (k, r, b.len))
    })
}

/// Whether an address is public: outside every modelled VPC and outside the private
/// ranges of RFC 1918 and RFC 6598 (SG-20).
fn is_public(net: &Network, ip: IpAddr) -> bool {
    if net.vpcs.iter().any(|v| v.contains(ip)) {
        return false;
    }
    match ip {
        IpAddr::V4(a) => {
            !(a.is_private() || a.is_loopback() || a.is_link_local() || (a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64))
        }
        IpAddr::V6(a) => !(a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00),
    }
}
