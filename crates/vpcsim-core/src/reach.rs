//! The reachability matrix: for every source and destination of a network, every
//! (protocol, destination port range) whose request *and* response get through
//! ([`Trace::reachable`](crate::trace::Trace)).
//!
//! # Method: packet equivalence classes
//!
//! Ports are never enumerated one by one. Between two ends the evaluator looks at a
//! packet's destination port only through rule matchers (SG-8, SG-15, NACL-9: a TCP/UDP
//! rule matches a port range) and two fixed ports: TCP 25 to public addresses (SG-20) and
//! UDP 67 to the broadcast address (EX-1). The response leg swaps the ports (NACL-6), so
//! its NACL and SG checks see the probe's source port, which is fixed (see below), as
//! their destination port. So the port axis is cut at every boundary (`from` and `to + 1`)
//! of every TCP/UDP rule that a trace between the two ends can consult:
//!
//! - the entries, both directions, of the network ACL of every subnet a path between the
//!   two can cross: the ends' subnets, those of NAT gateways (RT-10) and transit gateway
//!   attachments (RT-9), of interfaces sharing an end's address, and of interface
//!   endpoints for a service destination (EP-9);
//! - the outbound rules of the source's groups and the inbound rules of the
//!   destination's (the response leg passes by connection tracking, SG-1; when the flow
//!   is untracked, SG-5, it reads the request direction's rules, already counted, and
//!   rules for every port, and matches the response, whose destination port is the
//!   fixed source port); both directions of the groups of interfaces sharing an end's
//!   address and, for a service destination, of interface endpoints;
//! - 25/26 for TCP (SG-20) and 67/68 for UDP (EX-1).
//!
//! A rule or entry counts only if its peer (CIDR, group members, SG-16; a prefix list
//! always counts) holds one of the addresses the packets can carry: the ends' private,
//! public and IPv6 addresses, those of interfaces sharing them, and NAT gateways'
//! (RT-10); a rule that matches none of them never matches, so its boundaries change no
//! verdict. `tests/tests/reach.rs` checks the result against the oracle on every port.
//!
//! Within one interval every packet meets the same rules, so one representative (the
//! interval's first port) traced by the real evaluator decides the whole class; allowed
//! neighbouring intervals are merged. Addresses need no splitting here: each end of a
//! cell is one endpoint that the evaluator resolves to one address, exactly as a probe
//! naming it would (`internet` is 198.51.100.10, an external network its first host).
//!
//! Protocols: TCP and UDP by port class; ICMP as echo request (type 8 code 0, the probe
//! default, answered by an echo reply); every protocol number that some rule names
//! explicitly (`proto-50`...) as its own class; and `other`, every remaining protocol,
//! represented by one number that no rule names (GRE, 47, unless a rule names it).
//!
//! # Assumptions and what is not covered
//!
//! - The client's source port is the probe default, 49152 ([`DEFAULT_SRC_PORT`]), which
//!   lies in every common ephemeral range (NACL-12). A NACL that admits only part of the
//!   ephemeral range for responses can allow a cell here and still drop clients that pick
//!   another source port.
//! - IPv4 only; ICMP types other than echo request, ICMPv6 and IPv6 flows are not listed.
//! - Endpoint policies are evaluated for the default API call of the probe (no `api`).
//! - SageMaker resources without an interface in a VPC, gateways as probe ends and
//!   individual addresses of the internet other than `internet` are not rows or columns
//!   (the internet is not split into address atoms); [`reachability_between`] accepts any
//!   probe reference, an address among them, as a row or column.
//! - No incremental update: a changed network is analysed again.

use crate::addr::{proto, Cidr, PortRange, Traffic};
use crate::diag::Diagnostic;
use crate::eval::{self, DEFAULT_SRC_PORT};
use crate::model::{EniIx, Network, Owner, Peer, Service};
use crate::scenario::ProbeDoc;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

/// One allowed class: a protocol and, for TCP and UDP, a port range (`443`,
/// `1024-65535`); `None` for protocols without ports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    /// `tcp`, `udp`, `icmp` (echo), `proto-N` (a number a rule names) or `other`.
    pub protocol: String,
    /// `443`, `1024-65535` or `0-65535`; `None` for protocols without ports.
    pub ports: Option<String>,
}

/// What one source may open to one destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Source reference, as a probe's `from`.
    pub from: String,
    /// Destination reference, as a probe's `to`.
    pub to: String,
    /// Allowed classes, TCP first, then UDP, ICMP and the other protocols.
    pub allowed: Vec<Allowed>,
}

/// The reachability matrix of a network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    /// Source references, in network order (interfaces, then `internet` and externals).
    pub sources: Vec<String>,
    /// Destination references: the sources' kinds plus `service:NAME` front doors.
    pub destinations: Vec<String>,
    /// One cell per (source, destination) pair that the evaluator accepts as a probe
    /// (a source is never its own destination); cells may have nothing allowed.
    pub cells: Vec<Cell>,
    /// The source port every class was traced with.
    pub src_port: u16,
    /// The protocol number standing for `other`.
    pub other_protocol: u8,
}

impl Matrix {
    /// The cell for a pair, if the pair was analysed.
    pub fn cell(&self, from: &str, to: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.from == from && c.to == to)
    }

    /// A probe that stands for one class of a cell, for a UI to animate: `protocol` as in
    /// [`Allowed::protocol`]; `port` is used for TCP and UDP (without one, the first
    /// allowed port of that protocol in the cell, else 0).
    pub fn representative(&self, from: &str, to: &str, protocol: &str, port: Option<u16>) -> ProbeDoc {
        let mut probe = ProbeDoc { from: from.to_owned(), to: to.to_owned(), ..ProbeDoc::default() };
        match protocol {
            "tcp" | "udp" => {
                let first = self
                    .cell(from, to)
                    .and_then(|c| c.allowed.iter().find(|a| a.protocol == protocol))
                    .and_then(|a| a.ports.as_deref())
                    .and_then(|p| PortRange::parse(p).ok())
                    .map(PortRange::from);
                probe.protocol = protocol.to_owned();
                probe.port = Some(port.or(first).unwrap_or(0));
            }
            "icmp" => {
                probe.protocol = "icmp".into();
                probe.icmp_type = Some(8);
                probe.icmp_code = Some(0);
            }
            "other" => probe.protocol = self.other_protocol.to_string(),
            named => probe.protocol = named.strip_prefix("proto-").unwrap_or(named).to_owned(),
        }
        probe
    }

    /// A readable table, grouped by source: `from → to: tcp 443, udp 53`, one line per
    /// destination with something allowed, then how many destinations get nothing.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut k = 0;
        while let Some(first) = self.cells.get(k) {
            let group: Vec<&Cell> = self.cells.iter().skip(k).take_while(|c| c.from == first.from).collect();
            k += group.len();
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{}\n", first.from));
            let mut closed = 0;
            for c in &group {
                if c.allowed.is_empty() {
                    closed += 1;
                    continue;
                }
                let allowed: Vec<String> = c
                    .allowed
                    .iter()
                    .map(|a| match &a.ports {
                        Some(p) => format!("{} {p}", a.protocol),
                        None => a.protocol.clone(),
                    })
                    .collect();
                out.push_str(&format!("  {} → {}: {}\n", c.from, c.to, allowed.join(", ")));
            }
            if closed > 0 {
                out.push_str(&format!("  nothing to {closed} other destination{}\n", if closed == 1 { "" } else { "s" }));
            }
        }
        if out.is_empty() {
            out.push_str("no pair to analyse\n");
        }
        out
    }
}

/// One row or column.
struct End {
    reference: String,
    eni: Option<EniIx>,
    service: bool,
    /// The address of an end outside the VPCs (`internet`, an external network).
    outside: Option<IpAddr>,
}

/// The address an end outside the VPCs sends from and receives at.
fn outside_ip(net: &Network, reference: &str) -> Option<IpAddr> {
    match eval::resolve(net, reference, "") {
        Ok(eval::Endpoint::Internet { ip, .. } | eval::Endpoint::Corporate { ip, .. }) => Some(ip),
        _ => None,
    }
}

/// Interval starts of one protocol's port axis, sorted and distinct, always with 0.
type Starts = Vec<u16>;

fn push_range(starts: &mut BTreeSet<u16>, r: PortRange) {
    starts.insert(r.from());
    if let Some(next) = r.to().checked_add(1) {
        starts.insert(next);
    }
}

/// Adds a matcher's boundaries to the TCP and UDP axes.
fn add_traffic(tcp: &mut BTreeSet<u16>, udp: &mut BTreeSet<u16>, t: &Traffic) {
    match t {
        Traffic::Tcp(r) => push_range(tcp, *r),
        Traffic::Udp(r) => push_range(udp, *r),
        _ => {}
    }
}

/// The reference a probe uses for an interface: its owner's when that resolves to it.
fn eni_reference(net: &Network, ix: EniIx) -> Option<String> {
    let eni = net.eni(ix)?;
    let owner = match &eni.owner {
        Owner::Instance(id) => Some(id.clone()),
        Owner::Nat(n) => net.nat(*n).map(|x| x.id.clone()),
        Owner::Vpce(v) => net.vpce(*v).map(|x| x.id.clone()),
        Owner::SageMaker(s) => net.sagemaker_resource(*s).map(|x| x.reference.clone()),
    };
    let resolves_here = |r: &str| matches!(eval::resolve(net, r, ""), Ok(eval::Endpoint::Eni { eni, .. }) if eni == ix);
    match owner {
        Some(r) if resolves_here(&r) => Some(r),
        _ if resolves_here(&eni.id) => Some(eni.id.clone()),
        _ => None,
    }
}

/// TCP and UDP interval starts.
#[derive(Clone, Default)]
struct Axes {
    tcp: BTreeSet<u16>,
    udp: BTreeSet<u16>,
}

impl Axes {
    fn add(&mut self, t: &Traffic) {
        add_traffic(&mut self.tcp, &mut self.udp, t);
    }
}

/// Everything computed once per network.
struct Prep {
    sources: Vec<End>,
    destinations: Vec<End>,
    /// Per network ACL: its TCP/UDP entries (both directions) with their blocks.
    nacl: Vec<Vec<(Traffic, Cidr)>>,
    /// Per security group: its TCP/UDP rules, outbound and inbound, with their peers.
    sg_out: Vec<Vec<(Traffic, Peer)>>,
    sg_in: Vec<Vec<(Traffic, Peer)>>,
    /// Per subnet: its network ACL.
    subnet_nacl: Vec<usize>,
    /// Subnets any path may cross whatever its ends: those of NAT gateways (RT-10) and of
    /// transit gateway attachments (RT-9).
    transit_subnets: BTreeSet<usize>,
    /// Addresses any packet may carry whatever its ends: NAT gateways' (RT-10).
    transit_ips: Vec<IpAddr>,
    /// Per interface: the other interfaces sharing one of its addresses.
    aliases: Vec<Vec<usize>>,
    /// Interface endpoints' interfaces (service destinations, EP-9).
    vpce_enis: Vec<usize>,
    named: Vec<u8>,
    other: u8,
}

fn eni_ips(e: &crate::model::Eni) -> impl Iterator<Item = IpAddr> {
    [Some(e.private_ip), e.public_ip, e.ipv6].into_iter().flatten()
}

fn prepare(net: &Network) -> Prep {
    let mut sources = Vec::new();
    let mut destinations = Vec::new();
    for (ix, _) in net.enis() {
        if let Some(reference) = eni_reference(net, ix) {
            sources.push(End { reference: reference.clone(), eni: Some(ix), service: false, outside: None });
            destinations.push(End { reference, eni: Some(ix), service: false, outside: None });
        }
    }
    let mut outside = vec!["internet".to_owned()];
    outside.extend(net.externals().map(|(_, x)| x.id.clone()));
    for r in outside {
        let outside = outside_ip(net, &r);
        sources.push(End { reference: r.clone(), eni: None, service: false, outside });
        destinations.push(End { reference: r, eni: None, service: false, outside });
    }
    for s in Service::ALL {
        destinations.push(End { reference: format!("service:{}", s.short_name()), eni: None, service: true, outside: None });
    }

    let mut named = BTreeSet::new();
    let mut ported = |t: &Traffic| {
        if let Traffic::Protocol(p) = t {
            named.insert(*p);
        }
        matches!(t, Traffic::Tcp(_) | Traffic::Udp(_))
    };
    let mut nacl = Vec::with_capacity(net.nacls.len());
    for acl in &net.nacls {
        nacl.push(acl.inbound.iter().chain(&acl.outbound).filter(|e| ported(&e.traffic)).map(|e| (e.traffic, e.cidr)).collect());
    }
    let mut sg_out = Vec::with_capacity(net.sgs.len());
    let mut sg_in = Vec::with_capacity(net.sgs.len());
    for g in &net.sgs {
        sg_out.push(g.outbound.iter().filter(|r| ported(&r.traffic)).map(|r| (r.traffic, r.peer.clone())).collect());
        sg_in.push(g.inbound.iter().filter(|r| ported(&r.traffic)).map(|r| (r.traffic, r.peer.clone())).collect());
    }
    let subnet_nacl: Vec<usize> = net.subnets.iter().map(|s| s.nacl.get()).collect();
    let mut transit_subnets: BTreeSet<usize> = net.nats.iter().map(|n| n.subnet.get()).collect();
    for t in &net.tgws {
        for a in &t.attachments {
            transit_subnets.extend(a.subnets.iter().map(|s| s.get()));
        }
    }
    let transit_ips: Vec<IpAddr> = net.nats.iter().filter_map(|n| net.eni(n.eni)).flat_map(eni_ips).collect();
    // Interfaces by address: a packet to an end's address may arrive at any of them.
    let mut by_ip: HashMap<IpAddr, Vec<usize>> = HashMap::new();
    for (k, (_, e)) in net.enis().enumerate() {
        for ip in eni_ips(e) {
            by_ip.entry(ip).or_default().push(k);
        }
    }
    let (mut aliases, mut vpce_enis) = (vec![], vec![]);
    for (k, (_, e)) in net.enis().enumerate() {
        let mut same: BTreeSet<usize> = BTreeSet::new();
        for ip in eni_ips(e) {
            same.extend(by_ip.get(&ip).into_iter().flatten().copied());
        }
        same.remove(&k);
        aliases.push(same.into_iter().collect());
        if matches!(e.owner, Owner::Vpce(_)) {
            vpce_enis.push(k);
        }
    }
    for p in [proto::ICMP, proto::TCP, proto::UDP, proto::ICMPV6] {
        named.remove(&p);
    }
    let other = [47u8, 132, 4, 41, 253, 254].into_iter().chain(2..=255).find(|p| !named.contains(p) && !is_modelled(*p)).unwrap_or(255);
    Prep {
        sources,
        destinations,
        nacl,
        sg_out,
        sg_in,
        subnet_nacl,
        transit_subnets,
        transit_ips,
        aliases,
        vpce_enis,
        named: named.into_iter().collect(),
        other,
    }
}

/// Protocols with their own class whatever the rules say.
fn is_modelled(p: u8) -> bool {
    matches!(p, proto::ICMP | proto::TCP | proto::UDP | proto::ICMPV6)
}

impl Prep {
    /// The port axes for a pair: the fixed ports, then the TCP/UDP rules a trace between
    /// the two can consult (see the module documentation), each only if its peer can
    /// match an address the packets carry (a rule whose peer matches none of them never
    /// matches, so its boundaries change nothing).
    fn axes(&self, net: &Network, src: &End, dst: &End) -> (Starts, Starts) {
        let mut axes = Axes { tcp: BTreeSet::from([0, 25, 26]), udp: BTreeSet::from([0, 67, 68]) };
        let mut subnets = self.transit_subnets.clone();
        // (interface, outbound rules, inbound rules) whose groups count.
        let mut enis: Vec<(usize, bool, bool)> = Vec::new();
        for (end, outbound) in [(src, true), (dst, false)] {
            let Some(e) = end.eni.map(|e| e.get()) else { continue };
            enis.push((e, outbound, !outbound));
            enis.extend(self.aliases.get(e).into_iter().flatten().map(|a| (*a, true, true)));
        }
        if dst.service {
            enis.extend(self.vpce_enis.iter().map(|v| (*v, true, true)));
        }
        // Addresses packets between the two may carry; `None` when an end's address is
        // not known here (a service, a SageMaker-managed resource): no filtering then.
        let mut ips: Option<Vec<IpAddr>> = Some(self.transit_ips.clone());
        for end in [src, dst] {
            match (end.eni, end.outside) {
                (_, Some(ip)) => ips.iter_mut().for_each(|v| v.push(ip)),
                (Some(_), None) => {}
                (None, None) => ips = None,
            }
        }
        for (e, _, _) in &enis {
            if let Some(x) = net.enis.get(*e) {
                subnets.insert(x.subnet.get());
                ips.iter_mut().for_each(|v| v.extend(eni_ips(x)));
            }
        }
        let cidr_matters = |c: &Cidr| ips.as_ref().is_none_or(|v| v.iter().any(|ip| c.contains(*ip)));
        let peer_matters = |p: &Peer| match p {
            Peer::Cidr(c) => cidr_matters(c),
            Peer::PrefixList(_) => true,
            Peer::Sg(g) => match (&ips, net.sg_members.get(g.get())) {
                (Some(v), Some(members)) => v.iter().any(|ip| members.contains_key(ip)),
                (Some(_), None) => false,
                (None, _) => true,
            },
            Peer::Stale(_) => false,
        };
        for (e, outbound, inbound) in enis {
            let Some(x) = net.enis.get(e) else { continue };
            for g in &x.sgs {
                let out = self.sg_out.get(g.get()).filter(|_| outbound).into_iter().flatten();
                let inn = self.sg_in.get(g.get()).filter(|_| inbound).into_iter().flatten();
                for (t, p) in out.chain(inn) {
                    if peer_matters(p) {
                        axes.add(t);
                    }
                }
            }
        }
        for s in subnets {
            for (t, c) in self.subnet_nacl.get(s).and_then(|n| self.nacl.get(*n)).into_iter().flatten() {
                if cidr_matters(c) {
                    axes.add(t);
                }
            }
        }
        (axes.tcp.into_iter().collect(), axes.udp.into_iter().collect())
    }
}

/// Computes the matrix. See the module documentation for the method and its limits.
pub fn reachability(net: &Network) -> Matrix {
    compute(net, prepare(net))
}

/// Whether two resolved ends are the same row or column (an interface is one end
/// whichever of its addresses or names a reference uses).
fn same_end(a: &eval::Endpoint, b: &eval::Endpoint) -> bool {
    match (a, b) {
        (eval::Endpoint::Eni { eni: x, .. }, eval::Endpoint::Eni { eni: y, .. }) => x == y,
        _ => a == b,
    }
}

/// Keeps the ends that `reference` names; an end the matrix does not list (an IP
/// address, a SageMaker-managed resource) becomes the only one, under that reference.
fn select(net: &Network, ends: Vec<End>, reference: &str, at: &str) -> Result<Vec<End>, Diagnostic> {
    let wanted = eval::resolve(net, reference, at)?;
    let kept: Vec<End> = ends.into_iter().filter(|e| eval::resolve(net, &e.reference, at).is_ok_and(|x| same_end(&x, &wanted))).collect();
    if !kept.is_empty() {
        return Ok(kept);
    }
    let eni = match wanted {
        eval::Endpoint::Eni { eni, .. } => Some(eni),
        _ => None,
    };
    let outside = match wanted {
        eval::Endpoint::Internet { ip, .. } | eval::Endpoint::Corporate { ip, .. } => Some(ip),
        _ => None,
    };
    Ok(vec![End { reference: reference.trim().to_owned(), eni, service: matches!(wanted, eval::Endpoint::Service(_)), outside }])
}

/// As [`reachability`], for the rows that `from` and the columns that `to` name (any
/// probe reference; `None` for all). `Err` for a reference that names nothing.
pub fn reachability_between(net: &Network, from: Option<&str>, to: Option<&str>) -> Result<Matrix, Diagnostic> {
    let mut prep = prepare(net);
    if let Some(f) = from {
        prep.sources = select(net, std::mem::take(&mut prep.sources), f, "--from")?;
    }
    if let Some(t) = to {
        prep.destinations = select(net, std::mem::take(&mut prep.destinations), t, "--to")?;
    }
    Ok(compute(net, prep))
}

fn compute(net: &Network, prep: Prep) -> Matrix {
    let mut cells = Vec::new();
    for src in &prep.sources {
        for dst in &prep.destinations {
            if src.reference == dst.reference || (src.eni.is_some() && src.eni == dst.eni) {
                continue;
            }
            if let Some(allowed) = pair(net, &prep, src, dst) {
                cells.push(Cell { from: src.reference.clone(), to: dst.reference.clone(), allowed });
            }
        }
    }
    Matrix {
        sources: prep.sources.iter().map(|e| e.reference.clone()).collect(),
        destinations: prep.destinations.iter().map(|e| e.reference.clone()).collect(),
        cells,
        src_port: DEFAULT_SRC_PORT,
        other_protocol: prep.other,
    }
}

/// Whether one probe is reachable; `None` when the evaluator refuses the probe.
fn reachable(net: &Network, probe: &ProbeDoc) -> Option<bool> {
    eval::trace(net, probe).ok().map(|t| t.reachable)
}

/// The allowed classes of one pair, or `None` when the pair is not a valid probe.
fn pair(net: &Network, prep: &Prep, src: &End, dst: &End) -> Option<Vec<Allowed>> {
    let base = ProbeDoc { from: src.reference.clone(), to: dst.reference.clone(), ..ProbeDoc::default() };
    let mut allowed = Vec::new();
    let (tcp, udp) = prep.axes(net, src, dst);
    for (name, starts) in [("tcp", tcp), ("udp", udp)] {
        let mut open: Option<(u16, u16)> = None;
        let mut ranges = Vec::new();
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).map_or(u16::MAX, |next| next.saturating_sub(1));
            let probe = ProbeDoc { protocol: name.to_owned(), port: Some(from), ..base.clone() };
            // The first trace also validates the pair: the evaluator's refusals do not
            // depend on protocol or port.
            if reachable(net, &probe)? {
                open = Some(open.map_or((from, to), |(a, _)| (a, to)));
            } else if let Some(r) = open.take() {
                ranges.push(r);
            }
        }
        ranges.extend(open);
        for (a, b) in ranges {
            let ports = PortRange::new(a, b).map(|r| if r.is_all() { "0-65535".to_owned() } else { r.to_string() });
            allowed.push(Allowed { protocol: name.to_owned(), ports });
        }
    }
    let icmp = ProbeDoc { protocol: "icmp".into(), icmp_type: Some(8), icmp_code: Some(0), ..base.clone() };
    if reachable(net, &icmp)? {
        allowed.push(Allowed { protocol: "icmp".into(), ports: None });
    }
    for (p, label) in prep.named.iter().map(|p| (*p, format!("proto-{p}"))).chain([(prep.other, "other".to_owned())]) {
        let probe = ProbeDoc { protocol: p.to_string(), ..base.clone() };
        if reachable(net, &probe)? {
            allowed.push(Allowed { protocol: label, ports: None });
        }
    }
    Some(allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_render_as_aws_writes_them() {
        let m = Matrix {
            sources: vec!["a".into()],
            destinations: vec!["b".into()],
            cells: vec![Cell {
                from: "a".into(),
                to: "b".into(),
                allowed: vec![Allowed { protocol: "tcp".into(), ports: Some("443".into()) }],
            }],
            src_port: DEFAULT_SRC_PORT,
            other_protocol: 47,
        };
        assert_eq!(m.to_text(), "a\n  a → b: tcp 443\n");
        let p = m.representative("a", "b", "tcp", None);
        assert_eq!((p.protocol.as_str(), p.port), ("tcp", Some(443)));
        assert_eq!(m.representative("a", "b", "other", None).protocol, "47");
        assert_eq!(m.representative("a", "b", "proto-50", None).protocol, "50");
    }
}
