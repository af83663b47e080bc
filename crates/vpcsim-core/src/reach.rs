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
//! neighbouring intervals are merged.
//!
//! # Speed: the fast path, shortcuts and incremental updates
//!
//! Tracing every class of every pair is exact but slow (85 s for 500 interfaces). So:
//!
//! - pairs of instances inside one VPC over `local` routes (the bulk of any matrix) are
//!   decided with bit masks over one class space for the whole network, per security
//!   group and per ACL, with no trace at all (`reach/fast.rs`);
//! - a traced pair stops at the first drop that every class would meet (no route, no
//!   gateway, unsolicited inbound...: the path depends on addresses only), and skips the
//!   classes the source's own egress rules drop before anything else;
//! - [`Engine::update_rules`] recomputes after a rule edit only the cells the edited
//!   groups and ACLs can change, keeping the classes.
//!
//! [`reachability_by_traces`] keeps the slow method; `tests/tests/reach.rs` checks that
//! both give the same matrix on the corpus and on random networks, that incremental
//! updates equal a fresh matrix, and that the matrix equals the naive oracle. Addresses need no splitting here: each end of a
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
//! - Incremental updates cover rule edits of security groups and network ACLs; any
//!   other change (resources, addresses, associations, routes) needs a new [`Engine`].

mod fast;

use crate::addr::{proto, Cidr, PortRange, Traffic};
use crate::diag::Diagnostic;
use crate::eval::{self, DEFAULT_SRC_PORT};
use crate::model::{EniIx, Network, Owner, Peer, Service};
use crate::scenario::ProbeDoc;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

/// One allowed class: a protocol and, for TCP and UDP, a port range (`443`,
/// `1024-65535`); `None` for protocols without ports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Allowed {
    /// `tcp`, `udp`, `icmp` (echo), `proto-N` (a number a rule names) or `other`.
    pub protocol: CompactString,
    /// `443`, `1024-65535` or `0-65535`; `None` for protocols without ports.
    pub ports: Option<CompactString>,
}

/// What one source may open to one destination, borrowed from a [`Matrix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cell<'a> {
    /// Source reference, as a probe's `from`.
    pub from: &'a str,
    /// Destination reference, as a probe's `to`.
    pub to: &'a str,
    /// Allowed classes, TCP first, then UDP, ICMP and the other protocols.
    pub allowed: &'a [Allowed],
}

/// One analysed pair: indexes into [`Matrix::sources`], [`Matrix::destinations`] and
/// [`Matrix::sets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pair {
    /// Index into `sources`.
    pub from: u32,
    /// Index into `destinations`.
    pub to: u32,
    /// Index into `sets`.
    pub set: u32,
}

/// The reachability matrix of a network.
///
/// Compact: every distinct list of allowed classes is stored once in `sets` (500
/// interfaces make 250,000 pairs but only a few hundred distinct lists), and each pair
/// names its list. Serialized as `{sources, destinations, cells: [{from, to, allowed}],
/// src_port, other_protocol}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    /// Source references, in network order (interfaces, then `internet` and externals).
    pub sources: Vec<String>,
    /// Destination references: the sources' kinds plus `service:NAME` front doors.
    pub destinations: Vec<String>,
    /// Distinct lists of allowed classes; `sets[0]` is the empty list.
    pub sets: Vec<Vec<Allowed>>,
    /// One entry per (source, destination) pair that the evaluator accepts as a probe (a
    /// source is never its own destination), sorted by source then destination.
    pub pairs: Vec<Pair>,
    /// The source port every class was traced with.
    pub src_port: u16,
    /// The protocol number standing for `other`.
    pub other_protocol: u8,
    /// How many pairs the fast path decided (the rest were traced class by class); not
    /// serialized.
    pub fast_pairs: usize,
}

impl Serialize for Matrix {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Cells<'a>(&'a Matrix);
        impl Serialize for Cells<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.cells())
            }
        }
        let mut st = serializer.serialize_struct("Matrix", 5)?;
        st.serialize_field("sources", &self.sources)?;
        st.serialize_field("destinations", &self.destinations)?;
        st.serialize_field("cells", &Cells(self))?;
        st.serialize_field("src_port", &self.src_port)?;
        st.serialize_field("other_protocol", &self.other_protocol)?;
        st.end()
    }
}

const NOTHING: &[Allowed] = &[];

impl Matrix {
    fn view(&self, p: &Pair) -> Cell<'_> {
        Cell {
            from: self.sources.get(p.from as usize).map_or("", String::as_str),
            to: self.destinations.get(p.to as usize).map_or("", String::as_str),
            allowed: self.sets.get(p.set as usize).map_or(NOTHING, Vec::as_slice),
        }
    }

    /// Every analysed pair, by source then destination.
    pub fn cells(&self) -> impl Iterator<Item = Cell<'_>> + '_ {
        self.pairs.iter().map(|p| self.view(p))
    }

    /// The cell for a pair, if the pair was analysed.
    pub fn cell(&self, from: &str, to: &str) -> Option<Cell<'_>> {
        let f = u32::try_from(self.sources.iter().position(|s| s == from)?).ok()?;
        let t = u32::try_from(self.destinations.iter().position(|s| s == to)?).ok()?;
        let k = self.pairs.binary_search_by(|p| (p.from, p.to).cmp(&(f, t))).ok()?;
        self.pairs.get(k).map(|p| self.view(p))
    }

    /// How many pairs allow something.
    pub fn open_pairs(&self) -> usize {
        self.pairs.iter().filter(|p| self.sets.get(p.set as usize).is_some_and(|s| !s.is_empty())).count()
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
        let cells: Vec<Cell<'_>> = self.cells().collect();
        let mut k = 0;
        while let Some(first) = cells.get(k) {
            let group: Vec<&Cell<'_>> = cells.iter().skip(k).take_while(|c| c.from == first.from).collect();
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
                out.push_str(&format!("  {} → {}: {}\n", c.from, c.to, allowed_text(c.allowed)));
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

/// `tcp 443, udp 53, icmp`, or `nothing`.
pub fn allowed_text(allowed: &[Allowed]) -> String {
    if allowed.is_empty() {
        return "nothing".into();
    }
    let parts: Vec<String> = allowed
        .iter()
        .map(|a| match &a.ports {
            Some(p) => format!("{} {p}", a.protocol),
            None => a.protocol.to_string(),
        })
        .collect();
    parts.join(", ")
}

// ----- what-if diff -----

/// How one pair changed between two matrices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Source reference.
    pub from: String,
    /// Destination reference.
    pub to: String,
    /// Classes allowed after but not before.
    pub gained: Vec<Allowed>,
    /// Classes allowed before but not after.
    pub lost: Vec<Allowed>,
}

/// Per protocol label, the allowed port intervals (`(0, 0)` for protocols without ports).
type ClassMap = std::collections::BTreeMap<CompactString, Vec<(u16, u16)>>;

fn class_map(allowed: &[Allowed]) -> ClassMap {
    let mut m = ClassMap::new();
    for a in allowed {
        let r = match &a.ports {
            Some(p) => PortRange::parse(p).map(|r| (r.from(), r.to())).unwrap_or((0, u16::MAX)),
            None => (0, 0),
        };
        m.entry(a.protocol.clone()).or_default().push(r);
    }
    m
}

/// `a` minus `b`, both sorted disjoint interval lists.
fn subtract(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(lo, hi) in a {
        let mut from = u32::from(lo);
        let hi = u32::from(hi);
        for &(blo, bhi) in b {
            let (blo, bhi) = (u32::from(blo), u32::from(bhi));
            if bhi < from || blo > hi {
                continue;
            }
            if blo > from {
                out.push((from, blo - 1));
            }
            from = bhi + 1;
        }
        if from <= hi {
            out.push((from, hi));
        }
    }
    out.into_iter().filter_map(|(a, b)| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?))).collect()
}

/// The classes in `a` and not in `b`, in the matrix's order (TCP, UDP, then the rest).
fn minus(a: &[Allowed], b: &[Allowed]) -> Vec<Allowed> {
    let (ma, mb) = (class_map(a), class_map(b));
    let mut out = Vec::new();
    let order = |p: &str| match p {
        "tcp" => 0,
        "udp" => 1,
        "icmp" => 2,
        "other" => 4,
        _ => 3,
    };
    let mut protocols: Vec<&CompactString> = ma.keys().collect();
    protocols.sort_by_key(|p| (order(p), (*p).clone()));
    for p in protocols {
        let ra = ma.get(p).map_or(&[][..], Vec::as_slice);
        let rb = mb.get(p).map_or(&[][..], Vec::as_slice);
        let has_ports = a.iter().any(|x| x.protocol == *p && x.ports.is_some());
        for (lo, hi) in subtract(ra, rb) {
            let ports = has_ports.then(|| ports_text(lo, hi).unwrap_or_else(|| compact_str::format_compact!("{lo}-{hi}")));
            out.push(Allowed { protocol: p.clone(), ports });
        }
    }
    out
}

/// The pairs whose allowed classes differ between `before` and `after`, with what each
/// gained and lost, by source then destination (pairs are matched by reference, so two
/// networks that name their resources alike compare cell by cell). A pair present on
/// one side only counts as everything gained or lost.
pub fn diff(before: &Matrix, after: &Matrix) -> Vec<Change> {
    let mut old: HashMap<(&str, &str), &[Allowed]> = HashMap::new();
    for c in before.cells() {
        old.insert((c.from, c.to), c.allowed);
    }
    let mut changes = Vec::new();
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    for c in after.cells() {
        seen.insert((c.from, c.to));
        let was = old.get(&(c.from, c.to)).copied().unwrap_or(NOTHING);
        if was == c.allowed {
            continue;
        }
        let (gained, lost) = (minus(c.allowed, was), minus(was, c.allowed));
        if gained.is_empty() && lost.is_empty() {
            continue;
        }
        changes.push(Change { from: c.from.to_owned(), to: c.to.to_owned(), gained, lost });
    }
    for c in before.cells() {
        if !seen.contains(&(c.from, c.to)) && !c.allowed.is_empty() {
            changes.push(Change { from: c.from.to_owned(), to: c.to.to_owned(), gained: vec![], lost: c.allowed.to_vec() });
        }
    }
    changes
}

// ----- grouping -----

/// How a UI groups rows and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupBy {
    /// One row or column per end.
    None,
    /// By the subnet of an interface.
    Subnet,
    /// By VPC.
    Vpc,
}

/// The group label of an end: its subnet (`subnet-1 (private-a)`) or VPC id; `outside`
/// for the internet and external networks, `services` for AWS service front doors.
pub fn group_of(net: &Network, reference: &str, by: GroupBy) -> String {
    if by == GroupBy::None {
        return reference.to_owned();
    }
    if reference.starts_with("service:") {
        return "services".into();
    }
    let eni = match eval::resolve(net, reference, "") {
        Ok(eval::Endpoint::Eni { eni, .. }) => net.eni(eni),
        _ => None,
    };
    let Some(eni) = eni else { return "outside".into() };
    match by {
        GroupBy::Vpc => net.vpc(eni.vpc).map_or_else(|| "outside".into(), |v| v.id.clone()),
        _ => net.subnet(eni.subnet).map_or_else(
            || "outside".into(),
            |s| if s.name.is_empty() || s.name == s.id { s.id.clone() } else { format!("{} ({})", s.id, s.name) },
        ),
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

    let named = named_protocols(net);
    let nacl = net.nacls.iter().map(acl_ported).collect();
    let sg_out = net.sgs.iter().map(|g| sg_ported(&g.outbound)).collect();
    let sg_in = net.sgs.iter().map(|g| sg_ported(&g.inbound)).collect();
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
    let other = [47u8, 132, 4, 41, 253, 254].into_iter().chain(2..=255).find(|p| !named.contains(p) && !is_modelled(*p)).unwrap_or(255);
    Prep { sources, destinations, nacl, sg_out, sg_in, subnet_nacl, transit_subnets, transit_ips, aliases, vpce_enis, named, other }
}

fn ported(t: &Traffic) -> bool {
    matches!(t, Traffic::Tcp(_) | Traffic::Udp(_))
}

/// An ACL's TCP/UDP entries, both directions, with their blocks.
fn acl_ported(acl: &crate::model::Nacl) -> Vec<(Traffic, Cidr)> {
    acl.inbound.iter().chain(&acl.outbound).filter(|e| ported(&e.traffic)).map(|e| (e.traffic, e.cidr)).collect()
}

/// One direction's TCP/UDP rules of a group, with their peers.
fn sg_ported(rules: &[crate::model::SgRule]) -> Vec<(Traffic, Peer)> {
    rules.iter().filter(|r| ported(&r.traffic)).map(|r| (r.traffic, r.peer.clone())).collect()
}

/// `443`, `1024-65535`, `0-65535`: a port range as the matrix writes it (`None` when
/// `from > to`).
pub(crate) fn ports_text(from: u16, to: u16) -> Option<CompactString> {
    // Through itoa, into an inline string built once: a new matrix writes one per
    // allowed range, and the formatting machinery, or pushing piece by piece, costs
    // several times more.
    if from > to {
        return None;
    }
    let mut digits = itoa::Buffer::new();
    if from == to {
        return Some(CompactString::new(digits.format(from)));
    }
    // `65535-65535` at most.
    let mut text = [0u8; 11];
    let mut len = 0;
    for part in [digits.format(from).as_bytes(), b"-", itoa::Buffer::new().format(to).as_bytes()] {
        let end = len + part.len();
        text.get_mut(len..end)?.copy_from_slice(part);
        len = end;
    }
    std::str::from_utf8(text.get(..len)?).ok().map(CompactString::new)
}

/// Protocol numbers some rule or entry names (other than TCP, UDP, ICMP and ICMPv6),
/// each a class of its own.
fn named_protocols(net: &Network) -> Vec<u8> {
    let mut named = BTreeSet::new();
    let traffic = net
        .nacls
        .iter()
        .flat_map(|a| a.inbound.iter().chain(&a.outbound).map(|e| e.traffic))
        .chain(net.sgs.iter().flat_map(|g| g.inbound.iter().chain(&g.outbound).map(|r| r.traffic)));
    for t in traffic {
        if let Traffic::Protocol(p) = t {
            if !is_modelled(p) {
                named.insert(p);
            }
        }
    }
    named.into_iter().collect()
}

/// Protocols with their own class whatever the rules say.
fn is_modelled(p: u8) -> bool {
    matches!(p, proto::ICMP | proto::TCP | proto::UDP | proto::ICMPV6)
}

impl Prep {
    /// Re-reads the TCP/UDP rules of edited groups and ACLs.
    fn refresh(&mut self, net: &Network, sgs: &BTreeSet<usize>, nacls: &BTreeSet<usize>) {
        for a in nacls {
            if let (Some(acl), Some(slot)) = (net.nacls.get(*a), self.nacl.get_mut(*a)) {
                *slot = acl_ported(acl);
            }
        }
        for g in sgs {
            let Some(sg) = net.sgs.get(*g) else { continue };
            if let Some(slot) = self.sg_out.get_mut(*g) {
                *slot = sg_ported(&sg.outbound);
            }
            if let Some(slot) = self.sg_in.get_mut(*g) {
                *slot = sg_ported(&sg.inbound);
            }
        }
    }

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

/// Computes the matrix. See the module documentation for the method and its limits; use
/// [`Engine`] to update it after rule edits.
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

/// Distinct allowed lists: the index of each list in [`Matrix::sets`], by the list's
/// hash (the list itself is stored there only).
#[derive(Default)]
struct Sets {
    index: hashbrown::HashTable<(u32, u64)>,
}

impl Sets {
    fn intern(&mut self, lists: &mut Vec<Vec<Allowed>>, list: Vec<Allowed>) -> u32 {
        let hash = std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, &list);
        if let Some((k, _)) = self.index.find(hash, |(k, h)| *h == hash && lists.get(*k as usize) == Some(&list)) {
            return *k;
        }
        let k = u32::try_from(lists.len()).unwrap_or(u32::MAX);
        lists.push(list);
        self.index.insert_unique(hash, (k, hash), |(_, h)| *h);
        k
    }
}

/// What [`Engine::anchored`] finds for a pair.
enum Decision {
    Decided(Decided),
    /// A rule update left the pair as it was.
    Unchanged,
}

/// One pair's cell as [`Engine::decide`] finds it.
#[derive(Clone, Copy)]
struct Decided {
    /// Its index in [`Matrix::sets`].
    set: u32,
    /// Whether it was traced (not decided by the fast path).
    traced: bool,
    /// Whether a drop that depends on no rule closed it.
    fixed: bool,
}

/// A fast-path mask of up to 8 words (512 classes), zero-padded, compared without a
/// call to `memcmp`.
#[derive(Clone, Copy, Default)]
struct SmallMask([u64; SmallMask::WORDS]);

impl SmallMask {
    const WORDS: usize = 8;

    /// The key of a mask of up to [`SmallMask::WORDS`] words (more are cut).
    fn of(mask: &[u64]) -> SmallMask {
        let mut key = SmallMask::default();
        key.0.iter_mut().zip(mask).for_each(|(k, m)| *k = *m);
        key
    }
}

impl PartialEq for SmallMask {
    fn eq(&self, other: &SmallMask) -> bool {
        self.0.iter().zip(&other.0).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// A mask's hash over its own words, eight bytes at a time with 64-bit arithmetic on every
/// target (FxHash works in `usize` words, four bytes at a time on wasm32, the
/// playground's target): FxHash's 64-bit step, rotated so that the product's entropy,
/// which sits in its high bits, reaches the low bits the table indexes by.
fn mask_hash(mask: &[u64]) -> u64 {
    mask.iter().fold(0u64, |h, w| (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)).rotate_left(26)
}

/// Fast-path masks already seen, each with its index in [`Matrix::sets`]: up to 8 words
/// the key is stored inline (no pointer to follow per lookup), with its hash, wider ones
/// as vectors.
#[derive(Default)]
struct Masks {
    small: hashbrown::HashTable<(SmallMask, u32, u64)>,
    wide: rustc_hash::FxHashMap<Vec<u64>, u32>,
    /// Where a new list is built, and the port texts written so far.
    scratch: Vec<Allowed>,
    texts: rustc_hash::FxHashMap<u32, CompactString>,
}

impl Masks {
    /// The set of a fast pair's mask (0, the empty list, for an empty mask), interned in
    /// `sets` / `lists` the first time it is seen.
    fn set_of(&mut self, mask: &[u64], classes: &fast::Classes, sets: &mut Sets, lists: &mut Vec<Vec<Allowed>>) -> u32 {
        if mask.iter().all(|w| *w == 0) {
            return 0;
        }
        if mask.len() > SmallMask::WORDS {
            if let Some(set) = self.wide.get(mask) {
                return *set;
            }
            let set = sets.intern(lists, classes.allowed(mask, &mut self.scratch, &mut self.texts));
            self.wide.insert(mask.to_vec(), set);
            return set;
        }
        let key = SmallMask::of(mask);
        let hash = mask_hash(mask);
        if let Some((_, set, _)) = self.small.find(hash, |(k, _, h)| *h == hash && *k == key) {
            return *set;
        }
        self.add_small(key, hash, mask, classes, sets, lists)
    }

    /// Interns a mask of up to 8 words not seen before (`key`, and `hash` its
    /// [`mask_hash`]).
    fn add_small(
        &mut self,
        key: SmallMask,
        hash: u64,
        mask: &[u64],
        classes: &fast::Classes,
        sets: &mut Sets,
        lists: &mut Vec<Vec<Allowed>>,
    ) -> u32 {
        let set = sets.intern(lists, classes.allowed(mask, &mut self.scratch, &mut self.texts));
        self.small.insert_unique(hash, (key, set, hash), |(_, _, h)| *h);
        set
    }

    /// [`Masks::set_of`] for a mask of `W` words (1 to 8), the width of every mask the
    /// engine interns: a stored key is compared over its first `W` words only (the rest
    /// are zero), without building a key first.
    #[inline(always)]
    fn set_of_w<const W: usize>(
        &mut self,
        mask: &[u64; W],
        classes: &fast::Classes,
        sets: &mut Sets,
        lists: &mut Vec<Vec<Allowed>>,
    ) -> u32 {
        if W == 0 || W > SmallMask::WORDS {
            return self.set_of(mask, classes, sets, lists);
        }
        if mask.iter().fold(0, |acc, w| acc | w) == 0 {
            return 0;
        }
        let hash = mask_hash(mask);
        let same = |k: &SmallMask| k.0.iter().zip(mask).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0;
        if let Some((_, set, _)) = self.small.find(hash, |(k, _, h)| *h == hash && same(k)) {
            return *set;
        }
        self.add_small(SmallMask::of(mask), hash, mask, classes, sets, lists)
    }
}

/// Calls `$e` with the const `$W` set to the mask width `$w` when the fast path's loops
/// are unrolled for it (1 to 8 words), else to 0 (no anchor: every pair through
/// [`Engine::decide`]).
macro_rules! by_width {
    ($w:expr, $W:ident => $e:expr) => {
        match $w {
            1 => { const $W: usize = 1; $e }
            2 => { const $W: usize = 2; $e }
            3 => { const $W: usize = 3; $e }
            4 => { const $W: usize = 4; $e }
            5 => { const $W: usize = 5; $e }
            6 => { const $W: usize = 6; $e }
            7 => { const $W: usize = 7; $e }
            8 => { const $W: usize = 8; $e }
            _ => { const $W: usize = 0; $e }
        }
    };
}

/// How [`Engine::update_line`] skips the fast pairs of a line that an edit of the line's
/// own groups cannot have changed.
struct Filter<'a> {
    /// Per changed group of the line's end: per peer, its change in `masks`.
    changes: &'a [&'a [u32]],
    masks: &'a [u64],
    /// Per line across: pairs to recompute whatever the changes (their other end changed
    /// too).
    recompute: Option<&'a [bool]>,
}

/// No cell at this position of [`Engine::at`].
const NO_CELL: u32 = u32::MAX;

/// What [`Engine::update_rules`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Update {
    /// Only the cells the edit touches were recomputed.
    Incremental {
        /// How many cells were recomputed.
        cells: usize,
    },
    /// The edit introduced a port boundary or protocol that is not yet a class of its
    /// own, so the classes were rebuilt and every cell recomputed.
    Rebuilt,
}

/// The matrix with what it takes to update it after a rule edit: the packet classes, the
/// per-group and per-ACL masks, and where each cell lives.
///
/// After editing the rules of some security groups or network ACLs (and nothing else),
/// [`Engine::update_rules`] recomputes only the cells whose ends carry one of those
/// groups or sit in a subnet of one of those ACLs, plus the traced pairs when an edited
/// group or ACL guards something every traced path may cross (an interface endpoint, a
/// NAT gateway's or transit gateway's subnet, a shared address). Classes are kept; an
/// edit that needs a new class boundary rebuilds everything.
pub struct Engine {
    prep: Prep,
    fast: Option<fast::Fast>,
    sets: Sets,
    masks: Masks,
    matrix: Matrix,
    /// `[row * columns + column]`: index into `matrix.pairs`, or [`NO_CELL`].
    at: Vec<u32>,
    /// Per pair: whether it was traced (not decided by the fast path).
    traced: Vec<bool>,
    /// Per pair: whether a drop that depends on no rule (see [`address_only`]) closed it,
    /// so that no rule edit can open it.
    fixed: Vec<bool>,
    /// Per interface index: its row and column, if it is one.
    row_of: Vec<Option<usize>>,
    col_of: Vec<Option<usize>>,
    /// Groups and subnets that traced paths may cross whatever their ends.
    shared_sgs: BTreeSet<usize>,
    shared_subnets: BTreeSet<usize>,
    /// Per group: its (outbound, inbound) rules as last analysed, to tell which
    /// direction an edit changed.
    sg_rules: Vec<(Rules, Rules)>,
    /// The destination address of traced pairs from an interface, by (row, column).
    dst_ips: rustc_hash::FxHashMap<(usize, usize), IpAddr>,
    mask: Vec<u64>,
    scratch: Vec<u64>,
    /// `at`, transposed (`[column * rows + row]`), so that a column reads contiguously.
    at_t: Vec<u32>,
    /// Per row and per column: its end's fast end, if it has one.
    row_end: Vec<Option<fast::FastEnd>>,
    col_end: Vec<Option<fast::FastEnd>>,
    /// [`Engine::drop_unnamed_sets`] reads the pairs once `matrix.sets` is longer.
    sets_limit: usize,
}

impl Engine {
    /// Analyses a whole network.
    pub fn new(net: &Network) -> Engine {
        Engine::with(net, prepare(net), true)
    }

    fn with(net: &Network, prep: Prep, use_fast: bool) -> Engine {
        let fast = use_fast.then(|| fast::Fast::new(net, &prep));
        let (rows, cols) = (prep.sources.len(), prep.destinations.len());
        let mut row_of = vec![None; net.enis.len()];
        let mut col_of = vec![None; net.enis.len()];
        for (k, e) in prep.sources.iter().enumerate() {
            if let Some(slot) = e.eni.and_then(|x| row_of.get_mut(x.get())) {
                *slot = Some(k);
            }
        }
        for (k, e) in prep.destinations.iter().enumerate() {
            if let Some(slot) = e.eni.and_then(|x| col_of.get_mut(x.get())) {
                *slot = Some(k);
            }
        }
        let mut shared_subnets = prep.transit_subnets.clone();
        let mut shared_sgs = BTreeSet::new();
        for (k, e) in net.enis.iter().enumerate() {
            let aliased = prep.aliases.get(k).is_some_and(|a| !a.is_empty());
            if aliased || prep.vpce_enis.contains(&k) {
                shared_subnets.insert(e.subnet.get());
                shared_sgs.extend(e.sgs.iter().map(|g| g.get()));
            }
        }
        let zero = fast.as_ref().map(|f| f.classes.zero()).unwrap_or_default();
        let matrix = Matrix {
            sources: prep.sources.iter().map(|e| e.reference.clone()).collect(),
            destinations: prep.destinations.iter().map(|e| e.reference.clone()).collect(),
            sets: Vec::new(),
            pairs: Vec::new(),
            src_port: DEFAULT_SRC_PORT,
            other_protocol: prep.other,
            fast_pairs: 0,
        };
        let mut engine = Engine {
            prep,
            fast,
            sets: Sets::default(),
            masks: Masks::default(),
            matrix,
            at: vec![NO_CELL; rows * cols],
            traced: Vec::new(),
            fixed: Vec::new(),
            row_of,
            col_of,
            shared_sgs,
            shared_subnets,
            sg_rules: net.sgs.iter().map(sg_rules).collect(),
            dst_ips: rustc_hash::FxHashMap::default(),
            mask: zero.clone(),
            scratch: zero,
            at_t: vec![NO_CELL; rows * cols],
            row_end: Vec::new(),
            col_end: Vec::new(),
            sets_limit: 0,
        };
        if let Some(f) = engine.fast.as_ref() {
            let end_of = |e: &End| e.eni.and_then(|x| f.ends.get(x.get()).copied().flatten());
            engine.row_end = engine.prep.sources.iter().map(end_of).collect();
            engine.col_end = engine.prep.destinations.iter().map(end_of).collect();
        }
        engine.sets.intern(&mut engine.matrix.sets, Vec::new());
        let w = engine.width();
        for i in 0..rows {
            by_width!(w, W => engine.build_row::<W>(net, i));
        }
        engine.matrix.fast_pairs = engine.traced.iter().filter(|t| !**t).count();
        engine.sets_limit = 2 * engine.matrix.sets.len() + UNNAMED_SETS_KEPT;
        engine
    }

    /// The fast path's mask width ([`by_width`] turns it into the anchors' const width).
    fn width(&self) -> usize {
        self.fast.as_ref().map_or(0, |f| f.classes.words)
    }

    /// Row `i` of a new matrix, its source's side of every fast pair looked up once.
    fn build_row<const W: usize>(&mut self, net: &Network, i: usize) {
        let (rows, cols) = (self.prep.sources.len(), self.prep.destinations.len());
        let anchor = self.anchor::<W>(net, i, true);
        for j in 0..cols {
            let Some(Decision::Decided(Decided { set, traced, fixed })) = self.anchored(net, anchor.as_ref(), i, j, None) else { continue };
            let (Ok(from), Ok(to), Ok(k)) = (u32::try_from(i), u32::try_from(j), u32::try_from(self.matrix.pairs.len())) else {
                continue;
            };
            self.matrix.pairs.push(Pair { from, to, set });
            self.traced.push(traced);
            self.fixed.push(fixed);
            if let Some(slot) = self.at.get_mut(i * cols + j) {
                *slot = k;
            }
            if let Some(slot) = self.at_t.get_mut(j * rows + i) {
                *slot = k;
            }
        }
    }

    /// The fixed end of row (`source`) or column `line`, for [`Engine::anchored`].
    fn anchor<const W: usize>(&self, net: &Network, line: usize, source: bool) -> Option<fast::Anchor<W>> {
        let end = if source { self.prep.sources.get(line) } else { self.prep.destinations.get(line) };
        self.fast.as_ref()?.anchor::<W>(net, end?.eni?.get(), source)
    }

    /// [`Engine::decide`] for a pair in the line of `anchor` (row `i` when the anchor is a
    /// source, else column `j`): a fast pair is read from the anchor. `Unchanged` when
    /// `changes` show that the update left the fast pair as it was.
    #[inline(always)]
    fn anchored<const W: usize>(
        &mut self,
        net: &Network,
        anchor: Option<&fast::Anchor<W>>,
        i: usize,
        j: usize,
        changes: Option<&fast::Changes<'_>>,
    ) -> Option<Decision> {
        if let (Some(f), Some(a)) = (self.fast.as_ref(), anchor) {
            let other = if a.is_source() { self.col_end.get(j) } else { self.row_end.get(i) };
            match other.and_then(Option::as_ref).and_then(|o| f.anchored(a, o, changes)) {
                Some(fast::Pair::Mask(mask)) => {
                    let set = self.masks.set_of_w(&mask, &f.classes, &mut self.sets, &mut self.matrix.sets);
                    return Some(Decision::Decided(Decided { set, traced: false, fixed: false }));
                }
                Some(fast::Pair::Unchanged) => return Some(Decision::Unchanged),
                None => {}
            }
        }
        self.decide(net, i, j).map(Decision::Decided)
    }

    /// Recomputes `cells` ((row, column, pair)), all in row `line` when `source`, else all
    /// in column `line`; returns how many it recomputed. With a `filter`, a fast pair the
    /// line's group changes cannot have changed is left as it is.
    fn update_line<const W: usize>(
        &mut self,
        net: &Network,
        line: usize,
        source: bool,
        cells: &[(usize, usize, usize)],
        filter: Option<&Filter<'_>>,
    ) -> usize {
        let anchor = self.anchor::<W>(net, line, source);
        // The (change, group) table pays when it is smaller than the line.
        let meets = match (filter, anchor.as_ref(), self.fast.as_ref()) {
            (Some(flt), Some(a), Some(f)) => f.meets(a, flt.masks, cells.len()),
            _ => Vec::new(),
        };
        let changes =
            filter.map(|f| fast::Changes { by_peer: f.changes, masks: f.masks, meets: (!meets.is_empty()).then_some(meets.as_slice()) });
        let recompute = filter.and_then(|f| f.recompute);
        let mut count = 0;
        for &(i, j, k) in cells {
            // Rule edits leave a pair closed by an address-only drop closed.
            if self.fixed.get(k).copied().unwrap_or(false) {
                continue;
            }
            // A pair whose other end changed too is recomputed whatever the changes.
            let both_sides = recompute.is_some_and(|r| r.get(if source { j } else { i }).copied().unwrap_or(true));
            let changes = if both_sides { None } else { changes.as_ref() };
            match self.anchored(net, anchor.as_ref(), i, j, changes) {
                Some(Decision::Decided(d)) => self.store(k, Some(d)),
                Some(Decision::Unchanged) => continue,
                None => {}
            }
            count += 1;
        }
        count
    }

    /// Writes a recomputed cell.
    fn store(&mut self, k: usize, decided: Option<Decided>) {
        let Some(Decided { set, traced, .. }) = decided else { return };
        if let Some(slot) = self.matrix.pairs.get_mut(k) {
            slot.set = set;
        }
        if let Some(slot) = self.traced.get_mut(k) {
            if *slot != traced {
                self.matrix.fast_pairs = if traced { self.matrix.fast_pairs.saturating_sub(1) } else { self.matrix.fast_pairs + 1 };
            }
            *slot = traced;
        }
    }

    /// The current matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    /// The matrix, consuming the engine.
    pub fn into_matrix(self) -> Matrix {
        self.matrix
    }

    /// One pair's cell; `None` when the pair has no cell (the same end, or a probe the
    /// evaluator refuses).
    fn decide(&mut self, net: &Network, i: usize, j: usize) -> Option<Decided> {
        let (src, dst) = (self.prep.sources.get(i)?, self.prep.destinations.get(j)?);
        let same = match (src.eni, dst.eni) {
            (Some(a), Some(b)) => a == b,
            _ => src.reference == dst.reference,
        };
        if same {
            return None;
        }
        if let (Some(f), Some(s), Some(d)) = (&self.fast, src.eni, dst.eni) {
            if f.pair(net, s.get(), d.get(), &mut self.mask, &mut self.scratch).is_some() {
                let set = self.masks.set_of(&self.mask, &f.classes, &mut self.sets, &mut self.matrix.sets);
                return Some(Decided { set, traced: false, fixed: false });
            }
        }
        // The source's egress rules, when its request starts with them: a pair they close
        // entirely needs no trace (once the probe is known to be valid).
        let mut filter = None;
        if let (Some(f), Some(s)) = (&self.fast, src.eni) {
            // Addresses do not change with rule edits: resolved once per pair.
            let dst_ip = match self.dst_ips.get(&(i, j)) {
                Some(ip) => *ip,
                None => {
                    let ends = eval::resolve(net, &src.reference, "").and_then(|a| Ok((a, eval::resolve(net, &dst.reference, "")?)));
                    // An invalid probe has no cell.
                    let (_, ip) = ends.and_then(|(a, b)| eval::flow_addresses(net, &a, &b, false, "")).ok()?;
                    self.dst_ips.insert((i, j), ip);
                    ip
                }
            };
            if let Some(m) = f.egress(net, s, dst_ip) {
                if m.iter().all(|w| *w == 0) {
                    return Some(Decided { set: 0, traced: true, fixed: false });
                }
                filter = Some((&f.classes, m));
            }
        }
        let shortcut = self.fast.is_some();
        let (allowed, fixed) = pair(net, &self.prep, src, dst, shortcut, filter.as_ref().map(|(c, m)| (*c, m.as_slice())))?;
        Some(Decided { set: self.sets.intern(&mut self.matrix.sets, allowed), traced: true, fixed })
    }

    /// Brings the matrix up to date after the rules of `sgs` and `nacls` changed in
    /// `net`, which must otherwise be the network the engine was built from (same
    /// resources, addresses, associations and routes).
    pub fn update_rules(&mut self, net: &Network, sgs: &[crate::model::SgIx], nacls: &[crate::model::NaclIx]) -> Update {
        let sgs: BTreeSet<usize> = sgs.iter().map(|g| g.get()).collect();
        let nacls: BTreeSet<usize> = nacls.iter().map(|a| a.get()).collect();
        let covered = self.fast.as_ref().is_some_and(|f| {
            let traffic =
                sgs.iter().filter_map(|g| net.sgs.get(*g)).flat_map(|g| g.inbound.iter().chain(&g.outbound).map(|r| r.traffic)).chain(
                    nacls.iter().filter_map(|a| net.nacls.get(*a)).flat_map(|a| a.inbound.iter().chain(&a.outbound).map(|e| e.traffic)),
                );
            let mut ok = true;
            for t in traffic {
                ok &= f.classes.covers(&t, &self.prep.named);
            }
            ok
        });
        if !covered || named_protocols(net) != self.prep.named {
            *self = Engine::new(net);
            return Update::Rebuilt;
        }
        self.prep.refresh(net, &sgs, &nacls);
        let touched_subnets: BTreeSet<usize> =
            net.subnets.iter().enumerate().filter(|(_, s)| nacls.contains(&s.nacl.get())).map(|(k, _)| k).collect();
        let all_traced = sgs.iter().any(|g| self.shared_sgs.contains(g)) || touched_subnets.iter().any(|s| self.shared_subnets.contains(s));
        // Which directions of which groups changed: an instance's outbound rules decide
        // only flows it sends (its row), its inbound rules only flows it receives (its
        // column): the response passes by connection tracking or by the very rule that
        // makes the flow untracked (SG-1, SG-5).
        let (mut out_changed, mut in_changed) = (BTreeSet::new(), BTreeSet::new());
        for g in &sgs {
            let Some(sg) = net.sgs.get(*g) else { continue };
            let now = sg_rules(sg);
            let before = self.sg_rules.get(*g);
            if before.is_none_or(|b| b.0 != now.0) {
                out_changed.insert(*g);
            }
            if before.is_none_or(|b| b.1 != now.1) {
                in_changed.insert(*g);
            }
            if let Some(slot) = self.sg_rules.get_mut(*g) {
                *slot = now;
            }
        }
        // Only the directions that changed are recomputed, noting which peers' masks
        // changed and how.
        let mut deltas = fast::Deltas::default();
        if let Some(f) = self.fast.as_mut() {
            for g in &sgs {
                f.sg_masks_delta(net, *g, out_changed.contains(g), in_changed.contains(g), &mut deltas);
            }
            for a in &nacls {
                f.acl_masks(net, *a);
            }
        }
        // The touched rows and columns; each cell is taken once: a column skips the
        // touched rows, the traced pairs skip both.
        let (rows, cols) = (self.prep.sources.len(), self.prep.destinations.len());
        let (mut row_touched, mut col_touched) = (vec![false; rows], vec![false; cols]);
        for (k, e) in net.enis.iter().enumerate() {
            let in_acl = touched_subnets.contains(&e.subnet.get());
            let instance = matches!(e.owner, Owner::Instance(_));
            let out = e.sgs.iter().any(|g| out_changed.contains(&g.get()));
            let inn = e.sgs.iter().any(|g| in_changed.contains(&g.get()));
            let (row, col) = if instance { (in_acl || out, in_acl || inn) } else { (in_acl || out || inn, in_acl || out || inn) };
            if let Some(slot) = self.row_of.get(k).copied().flatten().and_then(|i| row_touched.get_mut(i)) {
                *slot |= row;
            }
            if let Some(slot) = self.col_of.get(k).copied().flatten().and_then(|j| col_touched.get_mut(j)) {
                *slot |= col;
            }
        }
        // The changes of a line's own groups, when only they touched it (no ACL edit in
        // its subnet): its fast pairs are then filtered (see `Fast::anchored`).
        let changes_of = |eni: Option<EniIx>, outbound: bool| -> Option<Vec<&[u32]>> {
            let list = if outbound { &deltas.out } else { &deltas.inbound };
            let e = net.eni(eni?)?;
            if touched_subnets.contains(&e.subnet.get()) || !matches!(e.owner, Owner::Instance(_)) {
                return None;
            }
            let changes: Vec<&[u32]> =
                list.iter().filter(|(g, _)| e.sgs.iter().any(|x| x.get() == *g)).map(|(_, by_peer)| by_peer.as_slice()).collect();
            (!changes.is_empty()).then_some(changes)
        };
        // Touched rows, then touched columns without the touched rows, each as one line
        // anchored at its fixed end; then the traced pairs in neither.
        let mut cells: Vec<(usize, usize, usize)> = Vec::with_capacity(rows.max(cols));
        let mut count = 0;
        for (i, _) in row_touched.iter().enumerate().filter(|(_, t)| **t) {
            cells.clear();
            let line = self.at.get(i * cols..(i + 1) * cols).into_iter().flatten();
            cells.extend(line.enumerate().filter(|(_, k)| **k != NO_CELL).map(|(j, k)| (i, j, *k as usize)));
            let changes = changes_of(self.prep.sources.get(i).and_then(|e| e.eni), true);
            // A pair whose column is touched too changed on both sides: recomputed.
            let filter = changes.as_deref().map(|c| Filter { changes: c, masks: &deltas.masks, recompute: Some(&col_touched) });
            count += by_width!(self.width(), W => self.update_line::<W>(net, i, true, &cells, filter.as_ref()));
        }
        for (j, _) in col_touched.iter().enumerate().filter(|(_, t)| **t) {
            cells.clear();
            let line = self.at_t.get(j * rows..(j + 1) * rows).into_iter().flatten().enumerate();
            cells.extend(
                line.filter(|(i, k)| **k != NO_CELL && !row_touched.get(*i).copied().unwrap_or(true)).map(|(i, k)| (i, j, *k as usize)),
            );
            let changes = changes_of(self.prep.destinations.get(j).and_then(|e| e.eni), false);
            let filter = changes.as_deref().map(|c| Filter { changes: c, masks: &deltas.masks, recompute: None });
            count += by_width!(self.width(), W => self.update_line::<W>(net, j, false, &cells, filter.as_ref()));
        }
        if all_traced {
            let traced: Vec<(usize, usize, usize)> = self
                .matrix
                .pairs
                .iter()
                .enumerate()
                .filter(|(k, p)| {
                    self.traced.get(*k).copied().unwrap_or(false)
                        && !self.fixed.get(*k).copied().unwrap_or(false)
                        && !row_touched.get(p.from as usize).copied().unwrap_or(true)
                        && !col_touched.get(p.to as usize).copied().unwrap_or(true)
                })
                .map(|(k, p)| (p.from as usize, p.to as usize, k))
                .collect();
            for &(i, j, k) in &traced {
                let decided = self.decide(net, i, j);
                self.store(k, decided);
            }
            count += traced.len();
        }
        self.drop_unnamed_sets();
        Update::Incremental { cells: count }
    }

    /// Drops the lists of allowed classes that no pair names any more (each update adds
    /// the lists its new cells need and keeps the old ones, which a later edit may need
    /// again) once they outnumber the named ones and [`UNNAMED_SETS_KEPT`], so that a long
    /// session's memory stays bounded. The named lists keep their order (`sets[0]` stays
    /// the empty list); the pairs and the interning tables are renumbered.
    fn drop_unnamed_sets(&mut self) {
        const UNNAMED: u32 = u32::MAX;
        // The pairs are read only once enough lists were added since the last reading.
        if self.matrix.sets.len() <= self.sets_limit {
            return;
        }
        let mut number = vec![UNNAMED; self.matrix.sets.len()];
        if let Some(n) = number.first_mut() {
            *n = 0;
        }
        for p in &self.matrix.pairs {
            if let Some(n) = number.get_mut(p.set as usize) {
                *n = 0;
            }
        }
        let named = number.iter().filter(|n| **n == 0).count();
        if number.len() - named <= named.max(UNNAMED_SETS_KEPT) {
            self.sets_limit = self.matrix.sets.len() + named.max(UNNAMED_SETS_KEPT);
            return;
        }
        self.sets_limit = named + named.max(UNNAMED_SETS_KEPT);
        for (next, n) in number.iter_mut().filter(|n| **n == 0).enumerate() {
            *n = u32::try_from(next).unwrap_or(UNNAMED);
        }
        let renumber = |set: &mut u32| match number.get(*set as usize) {
            Some(&n) if n != UNNAMED => {
                *set = n;
                true
            }
            _ => false,
        };
        let old = std::mem::take(&mut self.matrix.sets);
        self.matrix.sets = old.into_iter().zip(&number).filter(|(_, n)| **n != UNNAMED).map(|(list, _)| list).collect();
        for p in &mut self.matrix.pairs {
            renumber(&mut p.set);
        }
        self.sets.index.retain(|(k, _)| renumber(k));
        self.masks.small.retain(|(_, set, _)| renumber(set));
        self.masks.wide.retain(|_, set| renumber(set));
    }
}

/// How many lists no pair names [`Engine::drop_unnamed_sets`] keeps at least.
const UNNAMED_SETS_KEPT: usize = 256;

/// One direction's rules of a group, as the matrix reads them.
type Rules = Vec<(Traffic, Peer)>;

/// A group's rules, outbound then inbound, as the matrix reads them.
fn sg_rules(g: &crate::model::Sg) -> (Rules, Rules) {
    let read = |rules: &[crate::model::SgRule]| rules.iter().map(|r| (r.traffic, r.peer.clone())).collect();
    (read(&g.outbound), read(&g.inbound))
}

/// As [`reachability`], by tracing every class of every pair: the reference method the
/// fast path is tested against (much slower on large networks).
pub fn reachability_by_traces(net: &Network) -> Matrix {
    Engine::with(net, prepare(net), false).into_matrix()
}

fn compute(net: &Network, prep: Prep) -> Matrix {
    Engine::with(net, prep, true).into_matrix()
}

/// A drop that every class of the pair meets: the evaluator chooses its path by address
/// alone (route tables, gateways, translation), never by port or protocol, so a packet of
/// another class either drops earlier at a filter or reaches the same decision.
fn address_only(t: &crate::trace::Trace) -> bool {
    use crate::trace::DropReason as R;
    [Some(&t.request), t.response.as_ref()].into_iter().flatten().any(|leg| {
        leg.dropped_at.as_ref().is_some_and(|d| {
            matches!(
                d.reason,
                R::NoRoute
                    | R::BlackholeRoute
                    | R::RoutingLoop
                    | R::NoPublicIp
                    | R::IgwNotAttached
                    | R::NotAddressable
                    | R::NoSuchAddress
                    | R::PrivateNatToIgw
                    | R::UnsolicitedInbound
                    | R::PeeringNotActive
                    | R::PeeringNoEdgeToEdge
                    | R::ServiceCannotInitiate
                    | R::NetworkIsolation
            )
        })
    })
}

/// Whether one probe is reachable; `None` when the evaluator refuses the probe, and
/// `Some(None)` when no class of the pair can be (see [`address_only`]).
fn reachable(net: &Network, probe: &ProbeDoc, shortcut: bool) -> Option<Option<bool>> {
    let t = eval::trace(net, probe).ok()?;
    Some(if shortcut && address_only(&t) { None } else { Some(t.reachable) })
}

/// The allowed classes of one pair, or `None` when the pair is not a valid probe.
/// The allowed classes of one pair, or `None` when the pair is not a valid probe.
/// `shortcut`: stop at a drop every class meets ([`address_only`]); `egress`: classes
/// outside this mask are dropped by the source's egress rules and need no trace.
fn pair(
    net: &Network,
    prep: &Prep,
    src: &End,
    dst: &End,
    shortcut: bool,
    egress: Option<(&fast::Classes, &[u64])>,
) -> Option<(Vec<Allowed>, bool)> {
    use crate::addr::L4;
    let base = ProbeDoc { from: src.reference.clone(), to: dst.reference.clone(), ..ProbeDoc::default() };
    // Whether one class is reachable; `None` when the evaluator refuses the probe (its
    // refusals do not depend on protocol or port, so any class validates the pair), and
    // `Some(None)` when no class of the pair can be.
    let decide = |probe: ProbeDoc, l4: L4| -> Option<Option<bool>> {
        if egress.is_some_and(|(c, m)| c.class_of(&l4).is_some_and(|k| !fast::bit(m, k))) {
            return Some(Some(false));
        }
        reachable(net, &probe, shortcut)
    };
    let mut allowed = Vec::new();
    let (tcp, udp) = prep.axes(net, src, dst);
    for (name, starts) in [("tcp", tcp), ("udp", udp)] {
        let mut open: Option<(u16, u16)> = None;
        let mut ranges = Vec::new();
        for (k, &from) in starts.iter().enumerate() {
            let to = starts.get(k + 1).map_or(u16::MAX, |next| next.saturating_sub(1));
            let probe = ProbeDoc { protocol: name.to_owned(), port: Some(from), ..base.clone() };
            let l4 = if name == "tcp" {
                L4::Tcp { src_port: DEFAULT_SRC_PORT, dst_port: from }
            } else {
                L4::Udp { src_port: DEFAULT_SRC_PORT, dst_port: from }
            };
            let Some(ok) = decide(probe, l4)? else { return Some((Vec::new(), true)) };
            if ok {
                open = Some(open.map_or((from, to), |(a, _)| (a, to)));
            } else if let Some(r) = open.take() {
                ranges.push(r);
            }
        }
        ranges.extend(open);
        for (a, b) in ranges {
            let ports = ports_text(a, b);
            allowed.push(Allowed { protocol: CompactString::const_new(name), ports });
        }
    }
    let icmp = ProbeDoc { protocol: "icmp".into(), icmp_type: Some(8), icmp_code: Some(0), ..base.clone() };
    let Some(ok) = decide(icmp, L4::Icmp { icmp_type: 8, code: 0 })? else { return Some((Vec::new(), true)) };
    if ok {
        allowed.push(Allowed { protocol: "icmp".into(), ports: None });
    }
    for (p, label) in prep.named.iter().map(|p| (*p, compact_str::format_compact!("proto-{p}"))).chain([(prep.other, "other".into())]) {
        let probe = ProbeDoc { protocol: p.to_string(), ..base.clone() };
        let Some(ok) = decide(probe, L4::Other(p))? else { return Some((Vec::new(), true)) };
        if ok {
            allowed.push(Allowed { protocol: label, ports: None });
        }
    }
    Some((allowed, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_text_writes_every_port_as_display_does() {
        for from in [0u16, 1, 9, 10, 99, 100, 443, 999, 1000, 1024, 9999, 10000, 65534, 65535] {
            for to in [0u16, 1, 9, 10, 443, 1000, 10000, 65535] {
                let expected = (from <= to).then(|| if from == to { from.to_string() } else { format!("{from}-{to}") });
                assert_eq!(ports_text(from, to).as_deref(), expected.as_deref(), "{from}-{to}");
            }
        }
    }

    #[test]
    fn ranges_render_as_aws_writes_them() {
        let m = Matrix {
            sources: vec!["a".into()],
            destinations: vec!["b".into()],
            sets: vec![vec![], vec![Allowed { protocol: "tcp".into(), ports: Some("443".into()) }]],
            pairs: vec![Pair { from: 0, to: 0, set: 1 }],
            src_port: DEFAULT_SRC_PORT,
            other_protocol: 47,
            fast_pairs: 0,
        };
        assert_eq!(m.to_text(), "a\n  a → b: tcp 443\n");
        let p = m.representative("a", "b", "tcp", None);
        assert_eq!((p.protocol.as_str(), p.port), ("tcp", Some(443)));
        assert_eq!(m.representative("a", "b", "other", None).protocol, "47");
        assert_eq!(m.representative("a", "b", "proto-50", None).protocol, "50");
        let json = serde_json::to_value(&m).unwrap_or_default();
        assert_eq!(json["cells"][0]["allowed"][0]["ports"], "443");
    }

    fn allowed(list: &[(&str, Option<&str>)]) -> Vec<Allowed> {
        list.iter().map(|(p, r)| Allowed { protocol: (*p).into(), ports: r.map(Into::into) }).collect()
    }

    #[test]
    fn diff_reports_gained_and_lost_ranges() {
        let one = |set: Vec<Allowed>| Matrix {
            sources: vec!["a".into()],
            destinations: vec!["b".into()],
            sets: vec![vec![], set],
            pairs: vec![Pair { from: 0, to: 0, set: 1 }],
            src_port: DEFAULT_SRC_PORT,
            other_protocol: 47,
            fast_pairs: 0,
        };
        let before = one(allowed(&[("tcp", Some("80-443")), ("icmp", None)]));
        let after = one(allowed(&[("tcp", Some("443-8080")), ("udp", Some("53"))]));
        let d = diff(&before, &after);
        assert_eq!(d.len(), 1);
        let c = d.first().cloned().unwrap_or_else(|| Change { from: String::new(), to: String::new(), gained: vec![], lost: vec![] });
        assert_eq!(c.gained, allowed(&[("tcp", Some("444-8080")), ("udp", Some("53"))]));
        assert_eq!(c.lost, allowed(&[("tcp", Some("80-442")), ("icmp", None)]));
        assert!(diff(&after, &after).is_empty());
    }
}
