//! A naive reference evaluator for differential testing.
//!
//! It shares no code with `vpcsim-core`'s model or evaluator: it reads the scenario JSON
//! (`docs/scenario-format.md`) itself as a [`serde_json::Value`], keeps every resource in
//! a plain `Vec`, and answers one probe by walking the packet through the layers of
//! section 0 of the spec (`aws-semantics.md`), written for clarity rather than speed:
//! linear scans everywhere, NACLs by sorting entries and taking the first match,
//! routes by filtering the containing ones and taking the longest prefix, security
//! groups as "any rule of any group matches".
//!
//! Scope: IPv4 only; instances, NAT gateways, internet gateways, peering connections,
//! route tables, network ACLs and security groups (CIDR and group references). Anything
//! else in a document (endpoints, transit gateways, SageMaker, prefix lists, IPv6) is
//! reported as unsupported rather than guessed.
//!
//! The answer uses vpcsim's trace vocabulary: outcomes `delivered`, `dropped`,
//! `exits-network`; reason codes such as `sg-no-matching-rule` or `nacl-default-deny`;
//! rules such as `100`, `*`, `0.0.0.0/0 -> igw-1` or `no rule matched`.

use ipnet::Ipv4Net;
use serde_json::Value;
use std::net::Ipv4Addr;

/// The address of the `internet` probe reference (vpcsim's convention).
pub const INTERNET_HOST: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

/// The source port of a probe that names none (vpcsim's convention, in every ephemeral
/// range of NACL-12 but Windows Server 2003's).
pub const DEFAULT_SRC_PORT: u16 = 49152;

/// vpcsim follows at most this many route lookups per leg and calls more a routing loop.
const MAX_FORWARDS: u32 = 8;

/// The rule text of a drop that no rule decided.
pub const NO_RULE: &str = "no rule matched";

/// Where and why a packet stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropAt {
    /// Id of the deciding component (`acl-1`, `sg-web+sg-db`, `rtb-main`, `internet`).
    pub component: String,
    /// Reason code (`nacl-deny-rule`...).
    pub reason: String,
    /// Deciding rule (`100`, `*`, `10.0.0.0/16 -> pcx-1`, `no rule matched`).
    pub rule: String,
}

/// Path features that the differential test treats specially (see `tests/differential.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The request left through an internet gateway to a public address of this network
    /// and came back in through an internet gateway.
    Hairpin,
    /// The request went through more than one NAT gateway.
    NatChain,
    /// The response was routed through a NAT gateway, which source-translated it.
    ResponseThroughNat,
}

/// The oracle's answer for one probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Request outcome.
    pub request: &'static str,
    /// Response outcome; `None` when the request did not get through.
    pub response: Option<&'static str>,
    /// The deciding drop: the request's, else the response's.
    pub drop: Option<DropAt>,
    /// Features of the path.
    pub notes: Vec<Note>,
}

// ---------------------------------------------------------------------------------------
// The network, as read from the document
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Traffic {
    /// Protocol `-1`/`all`.
    All,
    /// TCP destination ports `from..=to`.
    Tcp(u16, u16),
    /// UDP destination ports `from..=to`.
    Udp(u16, u16),
    /// ICMP type and code, `None` = any (`-1`).
    Icmp(Option<u8>, Option<u8>),
    /// Any other protocol number: all ports (SG-15, NACL-9).
    Other(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum L4 {
    Tcp { src: u16, dst: u16 },
    Udp { src: u16, dst: u16 },
    Icmp { ty: u8, code: u8 },
}

impl L4 {
    /// The response header: ports swapped (NACL-6), echo request (8) answered by echo reply (0).
    fn reply(self) -> L4 {
        match self {
            L4::Tcp { src, dst } => L4::Tcp { src: dst, dst: src },
            L4::Udp { src, dst } => L4::Udp { src: dst, dst: src },
            L4::Icmp { ty: 8, code } => L4::Icmp { ty: 0, code },
            other => other,
        }
    }
}

impl Traffic {
    /// Whether a packet matches: protocol, then the destination port or ICMP type/code.
    fn matches(self, l4: L4) -> bool {
        match (self, l4) {
            (Traffic::All, _) => true,
            (Traffic::Tcp(lo, hi), L4::Tcp { dst, .. }) => lo <= dst && dst <= hi,
            (Traffic::Udp(lo, hi), L4::Udp { dst, .. }) => lo <= dst && dst <= hi,
            (Traffic::Icmp(t, c), L4::Icmp { ty, code }) => t.is_none_or(|t| t == ty) && c.is_none_or(|c| c == code),
            (Traffic::Other(p), L4::Tcp { .. }) => p == 6,
            (Traffic::Other(p), L4::Udp { .. }) => p == 17,
            (Traffic::Other(p), L4::Icmp { .. }) => p == 1,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Packet {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    l4: L4,
}

impl Packet {
    fn reply(self) -> Packet {
        Packet { src: self.dst, dst: self.src, l4: self.l4.reply() }
    }
}

#[derive(Debug)]
struct Vpc {
    id: String,
    cidrs: Vec<Ipv4Net>,
}

#[derive(Debug)]
struct Subnet {
    id: String,
    vpc: usize,
    cidr: Ipv4Net,
}

#[derive(Clone, Debug)]
struct Route {
    dest: Ipv4Net,
    target: String,
}

#[derive(Debug)]
struct RouteTable {
    id: String,
    vpc: usize,
    main: bool,
    subnets: Vec<String>,
    /// The local routes (RT-2) first, then the document's routes.
    routes: Vec<Route>,
}

#[derive(Clone, Debug)]
struct NaclEntry {
    number: u32,
    allow: bool,
    traffic: Traffic,
    cidr: Ipv4Net,
}

#[derive(Debug)]
struct Nacl {
    id: String,
    vpc: usize,
    default: bool,
    subnets: Vec<String>,
    inbound: Vec<NaclEntry>,
    outbound: Vec<NaclEntry>,
}

#[derive(Debug)]
enum Peer {
    Cidr(Ipv4Net),
    Group(String),
}

#[derive(Debug)]
struct SgRule {
    traffic: Traffic,
    peer: Peer,
}

#[derive(Debug)]
struct Group {
    id: String,
    name: String,
    vpc: usize,
    inbound: Vec<SgRule>,
    outbound: Vec<SgRule>,
}

#[derive(Debug, PartialEq)]
enum Owner {
    Instance(String),
    /// A NAT gateway: its id and whether it is public (RT-10).
    Nat(String, bool),
}

/// A network interface: an instance's, or a NAT gateway's.
#[derive(Debug)]
struct Host {
    id: String,
    owner: Owner,
    subnet: usize,
    vpc: usize,
    private: Ipv4Addr,
    public: Option<Ipv4Addr>,
    /// Indexes into `World::groups`.
    groups: Vec<usize>,
}

#[derive(Debug)]
struct Igw {
    id: String,
    vpc: Option<usize>,
}

#[derive(Debug)]
struct Peering {
    id: String,
    a: usize,
    b: usize,
    status: String,
}

/// The whole network.
#[derive(Debug)]
pub struct World {
    vpcs: Vec<Vpc>,
    subnets: Vec<Subnet>,
    tables: Vec<RouteTable>,
    nacls: Vec<Nacl>,
    groups: Vec<Group>,
    hosts: Vec<Host>,
    igws: Vec<Igw>,
    peerings: Vec<Peering>,
}

// ----- small JSON helpers -----

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("missing string `{key}` in {v}"))
}

fn opt_text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    list(v, key).iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

fn cidr(s: &str) -> Result<Ipv4Net, String> {
    // NACL-8: the API keeps the network address of a block.
    s.trim().parse::<Ipv4Net>().map(|n| n.trunc()).map_err(|_| format!("`{s}` is not an IPv4 CIDR (the oracle models IPv4 only)"))
}

fn ip(s: &str) -> Result<Ipv4Addr, String> {
    s.trim().parse::<Ipv4Addr>().map_err(|_| format!("`{s}` is not an IPv4 address"))
}

fn ports(v: &Value) -> Result<(u16, u16), String> {
    let Some(p) = opt_text(v, "ports") else {
        return Ok((0, 65535));
    };
    let p = p.trim();
    if p.eq_ignore_ascii_case("all") || p == "-1" {
        return Ok((0, 65535));
    }
    let num = |s: &str| s.trim().parse::<u16>().map_err(|_| format!("bad port `{s}`"));
    match p.split_once('-') {
        Some((a, b)) => Ok((num(a)?, num(b)?)),
        None => Ok((num(p)?, num(p)?)),
    }
}

fn icmp_field(v: &Value, key: &str) -> Result<Option<u8>, String> {
    match v.get(key).and_then(Value::as_i64) {
        None | Some(-1) => Ok(None),
        Some(n) => u8::try_from(n).map(Some).map_err(|_| format!("bad {key} {n}")),
    }
}

/// Protocol plus ports or ICMP fields of a rule. SG-15/NACL-9: `-1` and protocol numbers
/// other than TCP, UDP and ICMP match every port.
fn traffic(v: &Value) -> Result<Traffic, String> {
    let proto = text(v, "protocol")?.trim().to_ascii_lowercase();
    Ok(match proto.as_str() {
        "all" | "-1" | "any" => Traffic::All,
        "tcp" | "6" => {
            let (a, b) = ports(v)?;
            Traffic::Tcp(a, b)
        }
        "udp" | "17" => {
            let (a, b) = ports(v)?;
            Traffic::Udp(a, b)
        }
        "icmp" | "1" => Traffic::Icmp(icmp_field(v, "icmp_type")?, icmp_field(v, "icmp_code")?),
        "icmpv6" => Traffic::Other(58),
        "esp" => Traffic::Other(50),
        n => Traffic::Other(n.parse::<u8>().map_err(|_| format!("bad protocol `{n}`"))?),
    })
}

impl World {
    /// Reads a scenario document (the whole document, or its `network` part).
    pub fn from_json(doc: &Value) -> Result<World, String> {
        let net = doc.get("network").unwrap_or(doc);
        for unsupported in ["egress_only_internet_gateways", "transit_gateways", "vpc_endpoints", "prefix_lists", "external", "sagemaker"] {
            if net.get(unsupported).is_some_and(|x| x.as_array().is_none_or(|a| !a.is_empty())) {
                return Err(format!("the oracle does not model `{unsupported}`"));
            }
        }
        let mut w = World {
            vpcs: vec![],
            subnets: vec![],
            tables: vec![],
            nacls: vec![],
            groups: vec![],
            hosts: vec![],
            igws: vec![],
            peerings: vec![],
        };
        for v in list(net, "vpcs") {
            if !list(v, "ipv6_cidr_blocks").is_empty() {
                return Err("the oracle models IPv4 only".into());
            }
            let cidrs = list(v, "cidr_blocks").iter().filter_map(Value::as_str).map(cidr).collect::<Result<Vec<_>, _>>()?;
            w.vpcs.push(Vpc { id: text(v, "id")?.to_owned(), cidrs });
        }
        for s in list(net, "subnets") {
            let vpc = w.vpc_index(text(s, "vpc")?)?;
            w.subnets.push(Subnet { id: text(s, "id")?.to_owned(), vpc, cidr: cidr(text(s, "cidr")?)? });
        }
        for g in list(net, "internet_gateways") {
            let vpc = match opt_text(g, "vpc") {
                Some(v) => Some(w.vpc_index(v)?),
                None => None,
            };
            w.igws.push(Igw { id: text(g, "id")?.to_owned(), vpc });
        }
        for p in list(net, "peering_connections") {
            w.peerings.push(Peering {
                id: text(p, "id")?.to_owned(),
                a: w.vpc_index(text(p, "requester_vpc")?)?,
                b: w.vpc_index(text(p, "accepter_vpc")?)?,
                status: opt_text(p, "status").unwrap_or("active").to_owned(),
            });
        }
        for t in list(net, "route_tables") {
            let vpc = w.vpc_index(text(t, "vpc")?)?;
            let mut routes = w.local_routes(vpc);
            for r in list(t, "routes") {
                let dest = cidr(opt_text(r, "destination").ok_or("prefix-list routes are not modelled")?)?;
                if r.get("propagated").and_then(Value::as_bool) == Some(true) {
                    return Err("propagated routes are not modelled".into());
                }
                routes.push(Route { dest, target: text(r, "target")?.to_owned() });
            }
            w.tables.push(RouteTable {
                id: text(t, "id")?.to_owned(),
                vpc,
                main: t.get("main").and_then(Value::as_bool).unwrap_or(false),
                subnets: strings(t, "subnets"),
                routes,
            });
        }
        for a in list(net, "network_acls") {
            let entries = |key: &str| -> Result<Vec<NaclEntry>, String> {
                list(a, key)
                    .iter()
                    .map(|e| {
                        Ok(NaclEntry {
                            number: e.get("rule").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).ok_or("bad rule number")?,
                            allow: text(e, "action")?.eq_ignore_ascii_case("allow"),
                            traffic: traffic(e)?,
                            cidr: cidr(text(e, "cidr")?)?,
                        })
                    })
                    .collect()
            };
            w.nacls.push(Nacl {
                id: text(a, "id")?.to_owned(),
                vpc: w.vpc_index(text(a, "vpc")?)?,
                default: a.get("default").and_then(Value::as_bool).unwrap_or(false),
                subnets: strings(a, "subnets"),
                inbound: entries("inbound")?,
                outbound: entries("outbound")?,
            });
        }
        for g in list(net, "security_groups") {
            let rules = |key: &str| -> Result<Vec<SgRule>, String> {
                list(g, key)
                    .iter()
                    .map(|r| {
                        let peer = match (opt_text(r, "cidr"), opt_text(r, "sg")) {
                            (Some(c), None) => Peer::Cidr(cidr(c)?),
                            // SG-17: `account/sg-id` names the group after the slash.
                            (None, Some(s)) => Peer::Group(s.rsplit('/').next().unwrap_or(s).to_owned()),
                            _ => return Err(format!("unsupported security group rule peer in {r}")),
                        };
                        Ok(SgRule { traffic: traffic(r)?, peer })
                    })
                    .collect()
            };
            w.groups.push(Group {
                id: text(g, "id")?.to_owned(),
                name: opt_text(g, "name").unwrap_or("").to_owned(),
                vpc: w.vpc_index(text(g, "vpc")?)?,
                inbound: rules("inbound")?,
                outbound: rules("outbound")?,
            });
        }
        for n in list(net, "nat_gateways") {
            let id = text(n, "id")?.to_owned();
            let subnet = w.subnet_index(text(n, "subnet")?)?;
            let public = opt_text(n, "connectivity").unwrap_or("public") == "public";
            let private = ip(opt_text(n, "private_ip").ok_or("the oracle needs explicit NAT gateway addresses")?)?;
            let eip = if public { opt_text(n, "public_ip").map(ip).transpose()? } else { None };
            let vpc = w.subnet(subnet)?.vpc;
            // RT-10: no security group can be associated with a NAT gateway.
            w.hosts.push(Host {
                id: format!("eni-{id}"),
                owner: Owner::Nat(id, public),
                subnet,
                vpc,
                private,
                public: eip,
                groups: vec![],
            });
        }
        for i in list(net, "instances") {
            let id = text(i, "id")?.to_owned();
            if i.get("ipv6").is_some() {
                return Err("the oracle models IPv4 only".into());
            }
            let subnet = w.subnet_index(text(i, "subnet")?)?;
            let vpc = w.subnet(subnet)?.vpc;
            let private = ip(opt_text(i, "private_ip").ok_or("the oracle needs explicit instance addresses")?)?;
            let public = opt_text(i, "public_ip").map(ip).transpose()?;
            let mut groups = Vec::new();
            for g in strings(i, "security_groups") {
                let ix = w.group_index(&g)?;
                if !groups.contains(&ix) {
                    groups.push(ix);
                }
            }
            if groups.is_empty() {
                // SG-13: no group named means the VPC's default security group.
                groups.push(w.default_group(vpc));
            }
            let eni = opt_text(i, "eni").map(str::to_owned).unwrap_or_else(|| format!("eni-{id}"));
            w.hosts.push(Host { id: eni, owner: Owner::Instance(id), subnet, vpc, private, public, groups });
        }
        Ok(w)
    }

    fn vpc_index(&self, id: &str) -> Result<usize, String> {
        self.vpcs.iter().position(|v| v.id == id).ok_or_else(|| format!("unknown VPC `{id}`"))
    }

    fn subnet_index(&self, id: &str) -> Result<usize, String> {
        self.subnets.iter().position(|s| s.id == id).ok_or_else(|| format!("unknown subnet `{id}`"))
    }

    fn group_index(&self, id: &str) -> Result<usize, String> {
        self.groups.iter().position(|g| g.id == id).ok_or_else(|| format!("unknown security group `{id}`"))
    }

    fn subnet(&self, ix: usize) -> Result<&Subnet, String> {
        self.subnets.get(ix).ok_or_else(|| "subnet index".to_owned())
    }

    fn vpc(&self, ix: usize) -> Result<&Vpc, String> {
        self.vpcs.get(ix).ok_or_else(|| "vpc index".to_owned())
    }

    fn host(&self, ix: usize) -> Result<&Host, String> {
        self.hosts.get(ix).ok_or_else(|| "host index".to_owned())
    }

    /// RT-2: every route table has a local route for each VPC CIDR.
    fn local_routes(&self, vpc: usize) -> Vec<Route> {
        self.vpcs.get(vpc).map(|v| v.cidrs.iter().map(|c| Route { dest: *c, target: "local".into() }).collect()).unwrap_or_default()
    }

    /// SG-13: the group named `default` in the VPC, else an implicit one (vpcsim calls it
    /// `sg-default-<vpc>`): inbound all traffic from members of itself, outbound all to 0.0.0.0/0.
    fn default_group(&mut self, vpc: usize) -> usize {
        if let Some(ix) = self.groups.iter().position(|g| g.vpc == vpc && g.name == "default") {
            return ix;
        }
        let vpc_id = self.vpcs.get(vpc).map(|v| v.id.clone()).unwrap_or_default();
        let id = format!("sg-default-{vpc_id}");
        self.groups.push(Group {
            id: id.clone(),
            name: "default".into(),
            vpc,
            inbound: vec![SgRule { traffic: Traffic::All, peer: Peer::Group(id) }],
            outbound: vec![SgRule { traffic: Traffic::All, peer: Peer::Cidr(Ipv4Net::default()) }],
        });
        self.groups.len().saturating_sub(1)
    }

    /// RT-1: the explicitly associated table, else the VPC's main table, else the implicit
    /// main table with local routes only (vpcsim names it `rtb-main-<vpc>`).
    fn table_of(&self, subnet: &Subnet) -> (String, Vec<Route>) {
        let explicit = self.tables.iter().find(|t| t.subnets.contains(&subnet.id));
        let main = self.tables.iter().find(|t| t.vpc == subnet.vpc && t.main);
        match explicit.or(main) {
            Some(t) => (t.id.clone(), t.routes.clone()),
            None => {
                let vpc_id = self.vpcs.get(subnet.vpc).map(|v| v.id.as_str()).unwrap_or("?");
                (format!("rtb-main-{vpc_id}"), self.local_routes(subnet.vpc))
            }
        }
    }

    /// NACL-1: the explicitly associated network ACL, else the VPC's default one, else the
    /// implicit default (vpcsim names it `acl-default-<vpc>`), which allows all IPv4 traffic
    /// with rule 100 in both directions (NACL-4).
    fn nacl_of(&self, subnet: &Subnet) -> (String, Vec<NaclEntry>, Vec<NaclEntry>) {
        let explicit = self.nacls.iter().find(|a| a.subnets.contains(&subnet.id));
        let default = self.nacls.iter().find(|a| a.vpc == subnet.vpc && a.default);
        match explicit.or(default) {
            Some(a) => (a.id.clone(), a.inbound.clone(), a.outbound.clone()),
            None => {
                let vpc_id = self.vpcs.get(subnet.vpc).map(|v| v.id.as_str()).unwrap_or("?");
                let allow_all = || vec![NaclEntry { number: 100, allow: true, traffic: Traffic::All, cidr: Ipv4Net::default() }];
                (format!("acl-default-{vpc_id}"), allow_all(), allow_all())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------------------

/// One end of a probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    /// A network interface, and the address written in the probe, if it was an address.
    Host(usize, Option<Ipv4Addr>),
    /// A host outside the network, reached over the internet.
    Internet(Ipv4Addr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    Inbound,
    Outbound,
}

/// How a leg ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stop {
    /// At an interface, with the packet as it arrived.
    Delivered(usize, Packet),
    /// At an Amazon-provided address that SGs and NACLs do not filter (EX-1).
    Exempt,
    /// Out of the network through an internet gateway, with the packet as it left.
    Exits(Packet),
    /// Dropped.
    Dropped(DropAt),
}

fn dropped(component: &str, reason: &str, rule: &str) -> Stop {
    Stop::Dropped(DropAt { component: component.to_owned(), reason: reason.to_owned(), rule: rule.to_owned() })
}

fn outcome(stop: &Stop) -> &'static str {
    match stop {
        Stop::Delivered(..) | Stop::Exempt => "delivered",
        Stop::Exits(_) => "exits-network",
        Stop::Dropped(_) => "dropped",
    }
}

/// Whether an address is public: outside every VPC and outside RFC 1918, loopback,
/// link-local and RFC 6598 space (used for EC2's port 25 restriction, SG-20).
fn is_public(w: &World, a: Ipv4Addr) -> bool {
    let in_vpc = w.vpcs.iter().any(|v| v.cidrs.iter().any(|c| c.contains(&a)));
    let cgnat = Ipv4Net::new(Ipv4Addr::new(100, 64, 0, 0), 10).is_ok_and(|n| n.contains(&a));
    !(in_vpc || a.is_private() || a.is_loopback() || a.is_link_local() || cgnat)
}

/// EX-1/EX-2: Amazon DNS (169.254.169.253 and the primary VPC CIDR base + 2), instance
/// metadata (169.254.169.254) and Time Sync (169.254.169.123) are not filtered.
fn is_exempt(vpc: &Vpc, dst: Ipv4Addr) -> bool {
    let dns = vpc.cidrs.first().map(|c| Ipv4Addr::from(u32::from(c.network()).wrapping_add(2)));
    [Ipv4Addr::new(169, 254, 169, 254), Ipv4Addr::new(169, 254, 169, 253), Ipv4Addr::new(169, 254, 169, 123)].contains(&dst)
        || Some(dst) == dns
}

/// A packet walk. The request and the response share the NAT translations (RT-10).
struct Walk<'w> {
    w: &'w World,
    response: bool,
    forwards: u32,
    /// NAT translations made by the request: the NAT gateway's interface and the source it replaced.
    nat_log: Vec<(usize, Ipv4Addr)>,
    notes: Vec<Note>,
}

type Step = Result<Stop, String>;

impl Walk<'_> {
    fn note(&mut self, n: Note) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// A packet leaves an interface.
    fn send_from_host(&mut self, h: usize, p: Packet) -> Step {
        let w = self.w;
        let host = w.host(h)?;
        if !self.response {
            if is_exempt(w.vpc(host.vpc)?, p.dst) {
                return Ok(Stop::Exempt);
            }
            // SG-20: EC2 restricts outbound port 25 (vpcsim: to public addresses), apart from SGs.
            if let (Owner::Instance(id), L4::Tcp { dst: 25, .. }) = (&host.owner, p.l4) {
                if is_public(w, p.dst) {
                    return Ok(dropped(id, "port-25-restricted", "port 25 restriction"));
                }
            }
        }
        if let Some(d) = self.security_groups(h, Dir::Outbound, p)? {
            return Ok(Stop::Dropped(d));
        }
        self.forward(host.subnet, p, h)
    }

    /// Security groups of an interface. SG-1: the response of a connection is allowed
    /// whatever the rules say. Otherwise SG-9/SG-10: some rule of some group must allow it.
    fn security_groups(&self, h: usize, dir: Dir, p: Packet) -> Result<Option<DropAt>, String> {
        let w = self.w;
        let host = w.host(h)?;
        if self.response || host.groups.is_empty() {
            return Ok(None);
        }
        let peer = if dir == Dir::Inbound { p.src } else { p.dst };
        let groups: Vec<&Group> = host.groups.iter().filter_map(|g| w.groups.get(*g)).collect();
        for g in &groups {
            let rules = if dir == Dir::Inbound { &g.inbound } else { &g.outbound };
            for r in rules {
                if r.traffic.matches(p.l4) && self.peer_matches(&r.peer, peer, g.vpc) {
                    return Ok(None);
                }
            }
        }
        let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        Ok(Some(DropAt { component: ids.join("+"), reason: "sg-no-matching-rule".into(), rule: NO_RULE.into() }))
    }

    /// Whether a rule's source/destination covers an address. SG-16: a group reference
    /// covers the private addresses of the group's members (not their public ones); SG-17:
    /// members in another VPC count only over an active peering connection.
    fn peer_matches(&self, peer: &Peer, addr: Ipv4Addr, rule_vpc: usize) -> bool {
        match peer {
            Peer::Cidr(c) => c.contains(&addr),
            Peer::Group(id) => self.w.hosts.iter().any(|h| {
                h.private == addr
                    && h.groups.iter().any(|g| self.w.groups.get(*g).is_some_and(|g| &g.id == id))
                    && (h.vpc == rule_vpc || self.w.active_peering(h.vpc, rule_vpc))
            }),
        }
    }

    /// A subnet's network ACL in one direction. NACL-2: entries in rule-number order, the
    /// first match decides; NACL-3: nothing matched, the `*` rule denies. NACL-6: responses
    /// are checked like any packet.
    fn nacl(&self, subnet: usize, dir: Dir, p: Packet) -> Result<Option<DropAt>, String> {
        let s = self.w.subnet(subnet)?;
        let (id, inbound, outbound) = self.w.nacl_of(s);
        let mut entries = if dir == Dir::Inbound { inbound } else { outbound };
        entries.sort_by_key(|e| e.number);
        let peer = if dir == Dir::Inbound { p.src } else { p.dst };
        let first = entries.iter().find(|e| e.cidr.contains(&peer) && e.traffic.matches(p.l4));
        Ok(match first {
            Some(e) if e.allow => None,
            Some(e) => Some(DropAt { component: id, reason: "nacl-deny-rule".into(), rule: e.number.to_string() }),
            None => Some(DropAt { component: id, reason: "nacl-default-deny".into(), rule: "*".into() }),
        })
    }

    /// Route lookup in a subnet's table and what the target does with the packet.
    fn forward(&mut self, subnet: usize, p: Packet, sender: usize) -> Step {
        let w = self.w;
        let s = w.subnet(subnet)?;
        self.forwards += 1;
        if self.forwards > MAX_FORWARDS {
            return Ok(dropped(&s.id, "routing-loop", NO_RULE));
        }
        let (table, routes) = w.table_of(s);
        // RT-3: the most specific route that contains the destination.
        let mut best: Option<&Route> = None;
        for r in routes.iter().filter(|r| r.dest.contains(&p.dst)) {
            if best.is_none_or(|b| r.dest.prefix_len() > b.dest.prefix_len()) {
                best = Some(r);
            }
        }
        let Some(route) = best else {
            return Ok(dropped(&table, "no-route", NO_RULE));
        };
        let rule = format!("{} -> {}", route.dest, route.target);
        let t = route.target.as_str();
        if t == "local" {
            return self.deliver_in_vpc(subnet, p);
        }
        if w.igws.iter().any(|g| g.id == t && g.vpc == Some(s.vpc)) {
            return self.out_via_igw(subnet, p, sender, t);
        }
        if let Some(nat) = w.hosts.iter().position(|h| matches!(&h.owner, Owner::Nat(id, _) if id == t)) {
            return self.via_nat(nat, subnet, p);
        }
        if let Some(pcx) = w.peerings.iter().find(|x| x.id == t) {
            return self.via_peering(pcx, subnet, p);
        }
        // RT-6: the target is not available (missing, or a gateway not attached to this VPC).
        Ok(dropped(&table, "blackhole-route", &rule))
    }

    /// The local route: to an interface of the same VPC. NACL-7: the sending subnet's ACL
    /// applies when the packet leaves the subnet, the receiving subnet's when it enters.
    fn deliver_in_vpc(&mut self, from: usize, p: Packet) -> Step {
        let w = self.w;
        let s = w.subnet(from)?;
        if !s.cidr.contains(&p.dst) {
            if let Some(d) = self.nacl(from, Dir::Outbound, p)? {
                return Ok(Stop::Dropped(d));
            }
        }
        let Some(h) = w.hosts.iter().position(|h| h.vpc == s.vpc && h.private == p.dst) else {
            return Ok(dropped(&w.vpc(s.vpc)?.id, "no-such-address", NO_RULE));
        };
        let to = w.host(h)?.subnet;
        if to != from {
            if let Some(d) = self.nacl(to, Dir::Inbound, p)? {
                return Ok(Stop::Dropped(d));
            }
        }
        self.arrive(h, p)
    }

    /// RT-8: out through an internet gateway, which maps the private IPv4 to the public one.
    fn out_via_igw(&mut self, subnet: usize, mut p: Packet, sender: usize, igw: &str) -> Step {
        let w = self.w;
        if let Some(d) = self.nacl(subnet, Dir::Outbound, p)? {
            return Ok(Stop::Dropped(d));
        }
        let host = w.host(sender)?;
        // RT-10: the internet gateway drops traffic of a private NAT gateway.
        if matches!(host.owner, Owner::Nat(_, false)) {
            return Ok(dropped(igw, "private-nat-to-igw", NO_RULE));
        }
        let Some(public) = host.public else {
            return Ok(dropped(igw, "no-public-ip", NO_RULE));
        };
        p.src = public;
        if w.hosts.iter().any(|h| h.public == Some(p.dst)) {
            // A public address of this network: back in through its internet gateway.
            self.note(Note::Hairpin);
            return self.in_via_igw(p);
        }
        Ok(Stop::Exits(p))
    }

    /// RT-8: in from the internet to a public address: the gateway maps it to the private
    /// address; the destination subnet's NACL and the interface's SGs decide.
    fn in_via_igw(&mut self, p: Packet) -> Step {
        let w = self.w;
        let Some(h) = w.hosts.iter().position(|h| h.public == Some(p.dst)) else {
            return Ok(dropped("internet", "not-addressable", NO_RULE));
        };
        let host = w.host(h)?;
        if !w.igws.iter().any(|g| g.vpc == Some(host.vpc)) {
            return Ok(dropped(&w.vpc(host.vpc)?.id, "igw-not-attached", NO_RULE));
        }
        let inside = Packet { dst: host.private, ..p };
        if let Some(d) = self.nacl(host.subnet, Dir::Inbound, inside)? {
            return Ok(Stop::Dropped(d));
        }
        self.arrive(h, inside)
    }

    /// RT-10: a NAT gateway replaces the source with its own private address (the internet
    /// gateway maps that to its Elastic IP) and forwards from its own subnet.
    fn via_nat(&mut self, nat: usize, from: usize, mut p: Packet) -> Step {
        let host = self.w.host(nat)?;
        if host.subnet != from {
            if let Some(d) = self.nacl(from, Dir::Outbound, p)? {
                return Ok(Stop::Dropped(d));
            }
            if let Some(d) = self.nacl(host.subnet, Dir::Inbound, p)? {
                return Ok(Stop::Dropped(d));
            }
        }
        if self.response {
            // RT-8/RT-10: a reply routed to a NAT gateway that never saw the request would
            // leave from the NAT's address, not the one the client contacted: it fails.
            self.note(Note::ResponseThroughNat);
            let nat_id = match &host.owner {
                Owner::Nat(id, _) => id.clone(),
                Owner::Instance(_) => host.id.clone(),
            };
            return Ok(dropped(&nat_id, "asymmetric-route", NO_RULE));
        } else if !self.nat_log.is_empty() {
            self.note(Note::NatChain);
        }
        self.nat_log.push((nat, p.src));
        p.src = host.private;
        self.forward(host.subnet, p, nat)
    }

    /// RT-13: an active peering connection carries packets to addresses of the peer VPC
    /// only (no transitive peering, no edge-to-edge routing).
    fn via_peering(&mut self, pcx: &Peering, from: usize, p: Packet) -> Step {
        let w = self.w;
        if let Some(d) = self.nacl(from, Dir::Outbound, p)? {
            return Ok(Stop::Dropped(d));
        }
        if pcx.status != "active" {
            return Ok(dropped(&pcx.id, "peering-not-active", &pcx.status));
        }
        let here = w.subnet(from)?.vpc;
        let peer = if pcx.a == here {
            pcx.b
        } else if pcx.b == here {
            pcx.a
        } else {
            return Ok(dropped(&pcx.id, "peering-no-edge-to-edge", NO_RULE));
        };
        let peer_vpc = w.vpc(peer)?;
        if !peer_vpc.cidrs.iter().any(|c| c.contains(&p.dst)) {
            return Ok(dropped(&pcx.id, "peering-no-edge-to-edge", NO_RULE));
        }
        let Some(h) = w.hosts.iter().position(|h| h.vpc == peer && h.private == p.dst) else {
            return Ok(dropped(&peer_vpc.id, "no-such-address", NO_RULE));
        };
        if let Some(d) = self.nacl(w.host(h)?.subnet, Dir::Inbound, p)? {
            return Ok(Stop::Dropped(d));
        }
        self.arrive(h, p)
    }

    /// The packet reaches an interface.
    fn arrive(&mut self, h: usize, mut p: Packet) -> Step {
        let host = self.w.host(h)?;
        if let Owner::Nat(id, _) = &host.owner {
            // RT-10: a NAT gateway translates responses back and accepts nothing unsolicited.
            let entry = self.nat_log.iter().rposition(|(n, _)| *n == h);
            return match entry {
                Some(k) if self.response => {
                    let (_, original) = self.nat_log.remove(k);
                    p.dst = original;
                    self.forward(host.subnet, p, h)
                }
                _ => Ok(dropped(id, "unsolicited-inbound", NO_RULE)),
            };
        }
        if let Some(d) = self.security_groups(h, Dir::Inbound, p)? {
            return Ok(Stop::Dropped(d));
        }
        Ok(Stop::Delivered(h, p))
    }
}

impl World {
    fn active_peering(&self, a: usize, b: usize) -> bool {
        self.peerings.iter().any(|p| p.status == "active" && ((p.a == a && p.b == b) || (p.a == b && p.b == a)))
    }

    fn resolve(&self, reference: &str) -> Result<Endpoint, String> {
        let r = reference.trim();
        if r == "internet" {
            return Ok(Endpoint::Internet(INTERNET_HOST));
        }
        if let Ok(a) = r.parse::<Ipv4Addr>() {
            if let Some(h) = self.hosts.iter().position(|h| h.private == a || h.public == Some(a)) {
                return Ok(Endpoint::Host(h, Some(a)));
            }
            return Ok(Endpoint::Internet(a));
        }
        let by_id = self.hosts.iter().position(|h| {
            h.id == r
                || match &h.owner {
                    Owner::Instance(id) | Owner::Nat(id, _) => id == r,
                }
        });
        by_id.map(|h| Endpoint::Host(h, None)).ok_or_else(|| format!("unknown reference `{r}`"))
    }

    /// The address of a probe end. vpcsim's convention: an interface named by id is
    /// addressed by its private address, except from the internet or from another VPC
    /// without an active peering connection, where its public address is used if it has one.
    fn address(&self, end: Endpoint, from: Option<Endpoint>) -> Result<Ipv4Addr, String> {
        match end {
            Endpoint::Internet(a) | Endpoint::Host(_, Some(a)) => Ok(a),
            Endpoint::Host(h, None) => {
                let host = self.host(h)?;
                let outside = match from {
                    Some(Endpoint::Internet(_)) => true,
                    Some(Endpoint::Host(s, _)) => {
                        let src = self.host(s)?;
                        src.vpc != host.vpc && !self.active_peering(src.vpc, host.vpc)
                    }
                    None => false,
                };
                Ok(if outside { host.public.unwrap_or(host.private) } else { host.private })
            }
        }
    }

    /// Answers one probe (`{from, to, protocol, port, src_port, icmp_type, icmp_code}`).
    pub fn answer(&self, probe: &Value) -> Result<Answer, String> {
        if probe.get("ip_version").and_then(Value::as_u64).is_some_and(|v| v != 4) || probe.get("api").is_some() {
            return Err("the oracle models IPv4 network probes only".into());
        }
        let src = self.resolve(text(probe, "from")?)?;
        let dst = self.resolve(text(probe, "to")?)?;
        let port = |key: &str| probe.get(key).and_then(Value::as_u64).map(|p| u16::try_from(p).map_err(|_| format!("bad {key}")));
        let src_port = port("src_port").transpose()?.unwrap_or(DEFAULT_SRC_PORT);
        let proto = opt_text(probe, "protocol").unwrap_or("tcp").to_ascii_lowercase();
        let l4 = match proto.as_str() {
            "tcp" | "6" => L4::Tcp { src: src_port, dst: port("port").transpose()?.ok_or("a tcp probe needs a port")? },
            "udp" | "17" => L4::Udp { src: src_port, dst: port("port").transpose()?.ok_or("a udp probe needs a port")? },
            "icmp" | "1" => {
                let field = |key: &str, default: u8| {
                    probe.get(key).and_then(Value::as_u64).map_or(Ok(default), |v| u8::try_from(v).map_err(|_| format!("bad {key}")))
                };
                L4::Icmp { ty: field("icmp_type", 8)?, code: field("icmp_code", 0)? }
            }
            other => return Err(format!("the oracle does not model protocol `{other}` probes")),
        };
        let packet = Packet { src: self.address(src, None)?, dst: self.address(dst, Some(src))?, l4 };

        let mut walk = Walk { w: self, response: false, forwards: 0, nat_log: vec![], notes: vec![] };
        let request = match src {
            Endpoint::Host(h, _) => walk.send_from_host(h, packet)?,
            Endpoint::Internet(_) => walk.in_via_igw(packet)?,
        };
        // The response runs the walk back from where the request ended: SGs pass it (SG-1),
        // NACLs check it again with ports swapped (NACL-6), NAT gateways translate it back (RT-10).
        walk.response = true;
        walk.forwards = 0;
        let response = match &request {
            Stop::Dropped(_) => None,
            Stop::Exempt => Some(Stop::Exempt),
            Stop::Delivered(h, p) => Some(walk.send_from_host(*h, p.reply())?),
            Stop::Exits(p) => Some(walk.in_via_igw(p.reply())?),
        };
        let drop = match (&request, &response) {
            (Stop::Dropped(d), _) | (_, Some(Stop::Dropped(d))) => Some(d.clone()),
            _ => None,
        };
        Ok(Answer { request: outcome(&request), response: response.as_ref().map(outcome), drop, notes: walk.notes })
    }
}

/// Reads a scenario and answers each of its probes.
pub fn answer_all(scenario: &Value) -> Result<Vec<Answer>, String> {
    let w = World::from_json(scenario)?;
    list(scenario, "probes").iter().map(|p| w.answer(p)).collect()
}
