//! Proptest strategies for topology-directed random scenarios, as JSON documents of
//! format v1 (`docs/scenario-format.md`), for the differential test against the oracle.
//!
//! A scenario is built from a *choice sequence*: proptest generates a vector of random
//! numbers and [`build`] consumes them one decision at a time (how many VPCs, which CIDR,
//! which route target...). Running out of numbers, or a number shrunk to zero, always
//! means the simplest option (fewer resources, the first candidate, "no"), so proptest's
//! shrinking of the vector shrinks the network too, and a persisted failure seed replays
//! the same document.
//!
//! What is generated, all IPv4 and within what both vpcsim-core and the oracle model:
//! 1-3 VPCs with distinct, non-overlapping /16 blocks; 1-3 /24 subnets each; internet
//! gateways attached, detached or absent; public (with Elastic IP) and private NAT
//! gateways; peering connections, active or not; main and custom route tables with the
//! local routes plus routes to the internet gateway, a NAT gateway, a peering connection,
//! a detached gateway or a target that does not exist (blackholes, RT-6); default and
//! custom network ACLs with numbered allow/deny entries; security groups with CIDR and
//! group-reference rules; instances with and without public IPs and groups; and probes,
//! mostly between instances and to or from `internet`, on ports close to rule boundaries.

use ipnet::Ipv4Net;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::fmt;
use std::net::Ipv4Addr;

/// Probes per generated network.
pub const PROBES_PER_NETWORK: usize = 8;

/// Ports that rules and probes are drawn from, so that probes hit rule boundaries; probes
/// also use each port plus or minus one.
const PORTS: [u16; 17] = [0, 22, 25, 80, 443, 1023, 1024, 3389, 5000, 8080, 32767, 32768, 49151, 49152, 60999, 61000, 65535];

/// Typical port ranges of rules (NACL-12 ephemeral ranges among them).
const RANGES: [&str; 7] = ["0-65535", "1024-65535", "32768-65535", "49152-65535", "1025-5000", "32768-60999", "0-1023"];

/// Distinct, non-overlapping /16 VPC blocks.
const VPC_BLOCKS: [[u8; 2]; 5] = [[10, 0], [10, 1], [172, 16], [192, 168], [10, 200]];

/// The vpcsim `internet` reference address (also used in CIDRs near it).
const INTERNET: &str = "198.51.100.10";

/// A generated scenario document; `Debug` prints it as JSON, so a failing case is a repro.
#[derive(Clone)]
pub struct GenScenario(pub Value);

impl fmt::Debug for GenScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string_pretty(&self.0).unwrap_or_default())
    }
}

/// The strategy: a choice sequence turned into a scenario with [`PROBES_PER_NETWORK`] probes.
pub fn scenario() -> impl Strategy<Value = GenScenario> {
    proptest::collection::vec(any::<u32>(), 256..512).prop_map(|choices| GenScenario(build(&choices)))
}

/// Consumes a choice sequence. Exhausted (or zero) choices mean the simplest option.
struct Chooser<'a> {
    data: &'a [u32],
    pos: usize,
}

impl Chooser<'_> {
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        if n == 0 {
            0
        } else {
            usize::try_from(v).unwrap_or(0) % n
        }
    }

    /// True with probability `percent`/100; a zero choice means false.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100usize.saturating_sub(percent)
    }

    /// One of `xs`, or `None` when it is empty.
    fn pick<T: Clone>(&mut self, xs: &[T]) -> Option<T> {
        let k = self.below(xs.len());
        xs.get(k).cloned()
    }

    /// A port near a rule boundary.
    fn port(&mut self) -> u16 {
        let p = self.pick(&PORTS).unwrap_or(443);
        match self.below(5) {
            3 => p.saturating_sub(1),
            4 => p.saturating_add(1),
            _ => p,
        }
    }
}

fn v4(a: u32) -> Ipv4Addr {
    Ipv4Addr::from(a)
}

fn net(a: u32, len: u8) -> String {
    Ipv4Net::new(v4(a), len).map(|n| n.trunc().to_string()).unwrap_or_else(|_| "0.0.0.0/0".into())
}

#[derive(Clone)]
struct PVpc {
    id: String,
    letter: char,
    base: u32,
    igw: Option<String>,
    igw_attached: bool,
}

#[derive(Clone)]
struct PSubnet {
    id: String,
    vpc: usize,
    base: u32,
}

#[derive(Clone)]
struct PInst {
    id: String,
    vpc: usize,
    ip: u32,
    public: Option<u32>,
}

#[derive(Clone)]
struct PNat {
    id: String,
    vpc: usize,
    ip: u32,
    eip: Option<u32>,
}

struct PPeering {
    id: String,
    a: usize,
    b: usize,
    status: &'static str,
}

/// Builds one scenario document from a choice sequence.
pub fn build(choices: &[u32]) -> Value {
    let mut c = Chooser { data: choices, pos: 0 };

    // VPCs with distinct /16 blocks.
    let n_vpcs = 1 + c.below(3);
    let mut blocks: Vec<[u8; 2]> = VPC_BLOCKS.to_vec();
    let mut vpcs: Vec<PVpc> = Vec::new();
    for letter in ['a', 'b', 'c'].into_iter().take(n_vpcs) {
        let pos = c.below(blocks.len());
        let [x, y] = if pos < blocks.len() { blocks.remove(pos) } else { [10, 50] };
        let base = u32::from(Ipv4Addr::new(x, y, 0, 0));
        let (igw, igw_attached) = match c.below(5) {
            3 => (None, false),
            4 => (Some(format!("igw-{letter}")), false),
            _ => (Some(format!("igw-{letter}")), true),
        };
        vpcs.push(PVpc { id: format!("vpc-{letter}"), letter, base, igw, igw_attached });
    }

    // Subnets: /24s at distinct third octets 0-3.
    let mut subnets: Vec<PSubnet> = Vec::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        let mut octets: Vec<u32> = vec![0, 1, 2, 3];
        for _ in 0..1 + c.below(3) {
            let pos = c.below(octets.len());
            if pos >= octets.len() {
                break;
            }
            let o = octets.remove(pos);
            subnets.push(PSubnet { id: format!("subnet-{}{o}", vpc.letter), vpc: v, base: vpc.base + (o << 8) });
        }
    }

    // Security groups.
    let mut sg_ids: Vec<(String, usize)> = Vec::new();
    let mut sg_default_name: Vec<bool> = Vec::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        for k in 0..1 + c.below(3) {
            sg_ids.push((format!("sg-{}{k}", vpc.letter), v));
            sg_default_name.push(k == 0 && c.chance(15));
        }
    }

    // NAT gateways (private addresses .4 to .9, below the instances).
    let mut nats: Vec<PNat> = Vec::new();
    let mut nat_docs: Vec<Value> = Vec::new();
    // Subnets holding a NAT gateway, usually given their own "public" route table (RT-11).
    let mut nat_subnets: Vec<usize> = Vec::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        let n = match c.below(4) {
            0 | 1 => 0,
            2 => 1,
            _ => 2,
        };
        let own: Vec<usize> = (0..subnets.len()).filter(|s| subnets.get(*s).is_some_and(|x| x.vpc == v)).collect();
        for k in 0..n {
            let Some(s) = c.pick(&own) else { continue };
            let Some(sub) = subnets.get(s) else { continue };
            let id = format!("nat-{}{k}", vpc.letter);
            let ip = sub.base + 4 + u32::try_from(nats.len()).unwrap_or(0);
            let public = !c.chance(33);
            let eip = public.then(|| u32::from(Ipv4Addr::new(35, 1, 0, 1)) + u32::try_from(nats.len()).unwrap_or(0));
            let mut doc = json!({"id": id, "subnet": sub.id, "private_ip": v4(ip).to_string()});
            if let (Some(e), Some(m)) = (eip, doc.as_object_mut()) {
                m.insert("public_ip".into(), json!(v4(e).to_string()));
            } else if let Some(m) = doc.as_object_mut() {
                m.insert("connectivity".into(), json!("private"));
            }
            nat_docs.push(doc);
            nats.push(PNat { id, vpc: v, ip, eip });
            if !nat_subnets.contains(&s) && c.below(10) < 7 {
                nat_subnets.push(s);
            }
        }
    }

    // Instances (.10 and up), at least one in the first subnet.
    let mut insts: Vec<PInst> = Vec::new();
    let mut inst_docs: Vec<Value> = Vec::new();
    for (s, sub) in subnets.iter().enumerate() {
        let n = c.below(3) + usize::from(s == 0);
        for j in 0..n {
            let Some(vpc) = vpcs.get(sub.vpc) else { continue };
            let id = format!("i-{}{}{j}", vpc.letter, (sub.base >> 8) & 0xff);
            let ip = sub.base + 10 + u32::try_from(j).unwrap_or(0);
            let public = c.chance(50).then(|| u32::from(Ipv4Addr::new(18, 200, 0, 1)) + u32::try_from(insts.len()).unwrap_or(0));
            let own_sgs: Vec<String> = sg_ids.iter().filter(|(_, v)| *v == sub.vpc).map(|(id, _)| id.clone()).collect();
            let groups: Vec<String> = match c.below(5) {
                0 | 1 => own_sgs.first().cloned().into_iter().collect(),
                2 => c.pick(&own_sgs).into_iter().collect(),
                3 => {
                    let mut g: Vec<String> = c.pick(&own_sgs).into_iter().collect();
                    if let Some(x) = c.pick(&own_sgs) {
                        if !g.contains(&x) {
                            g.push(x);
                        }
                    }
                    g
                }
                // SG-13: no group means the VPC's default group.
                _ => vec![],
            };
            let mut doc = json!({"id": id, "subnet": sub.id, "private_ip": v4(ip).to_string()});
            if let Some(m) = doc.as_object_mut() {
                if let Some(p) = public {
                    m.insert("public_ip".into(), json!(v4(p).to_string()));
                }
                if !groups.is_empty() {
                    m.insert("security_groups".into(), json!(groups));
                }
            }
            inst_docs.push(doc);
            insts.push(PInst { id, vpc: sub.vpc, ip, public });
        }
    }

    // Peering connections.
    let mut peerings: Vec<PPeering> = Vec::new();
    for a in 0..vpcs.len() {
        for b in a + 1..vpcs.len() {
            let status = match c.below(6) {
                0 => continue,
                4 => "pending-acceptance",
                5 => "deleted",
                _ => "active",
            };
            let (Some(va), Some(vb)) = (vpcs.get(a), vpcs.get(b)) else { continue };
            peerings.push(PPeering { id: format!("pcx-{}{}", va.letter, vb.letter), a, b, status });
        }
    }
    let peering_docs: Vec<Value> = peerings
        .iter()
        .map(|p| {
            let mut d = json!({"id": p.id, "requester_vpc": vpc_id(&vpcs, p.a), "accepter_vpc": vpc_id(&vpcs, p.b)});
            if p.status != "active" {
                if let Some(m) = d.as_object_mut() {
                    m.insert("status".into(), json!(p.status));
                }
            }
            d
        })
        .collect();

    // CIDRs "near" the network's own addresses, for rules.
    let mut near: Vec<String> = vec![
        "0.0.0.0/0".into(),
        "198.51.100.0/24".into(),
        "198.51.100.0/25".into(),
        format!("{INTERNET}/32"),
        "198.51.100.11/32".into(),
        "10.0.0.0/8".into(),
        "172.16.0.0/12".into(),
        "192.168.0.0/16".into(),
        "18.200.0.0/16".into(),
        "35.1.0.0/16".into(),
        "192.0.2.0/24".into(),
    ];
    for v in &vpcs {
        near.push(net(v.base, 16));
    }
    for s in &subnets {
        near.push(net(s.base, 24));
        near.push(net(s.base, 25));
        near.push(net(s.base + 128, 25));
        near.push(net(s.base, 29));
    }
    for i in &insts {
        near.push(net(i.ip, 32));
        near.push(net(i.ip, 31));
        if let Some(p) = i.public {
            near.push(net(p, 32));
        }
    }
    for n in &nats {
        near.push(net(n.ip, 32));
        if let Some(e) = n.eip {
            near.push(net(e, 32));
        }
    }

    // Security group documents.
    let mut sg_docs: Vec<Value> = Vec::new();
    for (k, (id, v)) in sg_ids.iter().enumerate() {
        let mut inbound = Vec::new();
        for _ in 0..c.below(4) {
            inbound.push(sg_rule(&mut c, &near, &sg_ids, *v));
        }
        let mut outbound = Vec::new();
        let mode = c.below(4);
        if mode == 0 || mode == 2 {
            outbound.push(json!({"protocol": "all", "cidr": "0.0.0.0/0"}));
        }
        if mode == 1 || mode == 2 {
            for _ in 0..c.below(4) {
                outbound.push(sg_rule(&mut c, &near, &sg_ids, *v));
            }
        }
        let mut d = json!({"id": id, "vpc": vpc_id(&vpcs, *v), "inbound": inbound, "outbound": outbound});
        if sg_default_name.get(k).copied().unwrap_or(false) {
            if let Some(m) = d.as_object_mut() {
                m.insert("name".into(), json!("default"));
            }
        }
        sg_docs.push(d);
    }

    // Route tables and network ACLs, per VPC.
    let mut rtb_docs: Vec<Value> = Vec::new();
    let mut acl_docs: Vec<Value> = Vec::new();
    let mut igw_docs: Vec<Value> = Vec::new();
    for (v, vpc) in vpcs.iter().enumerate() {
        if let Some(g) = &vpc.igw {
            igw_docs.push(if vpc.igw_attached { json!({"id": g, "vpc": vpc.id}) } else { json!({"id": g}) });
        }
        // Subnets of a NAT gateway with an edge table: 0.0.0.0/0 to the internet gateway mostly,
        // sometimes to another NAT gateway (a chain) or any target.
        let edge: Vec<usize> = nat_subnets.iter().copied().filter(|s| subnets.get(*s).is_some_and(|x| x.vpc == v)).collect();
        let own_subnets: Vec<&PSubnet> =
            subnets.iter().enumerate().filter(|(k, s)| s.vpc == v && !edge.contains(k)).map(|(_, s)| s).collect();
        let all_own: Vec<&PSubnet> = subnets.iter().filter(|s| s.vpc == v).collect();
        let vpc_net = Ipv4Net::new(v4(vpc.base), 16).unwrap_or_default();
        // Destinations outside this VPC's block (inside it only the local route is valid
        // here, RT-2), and targets.
        let mut dests: Vec<String> = vec!["0.0.0.0/0".into(), "198.51.100.0/24".into(), format!("{INTERNET}/32"), "18.200.0.0/16".into()];
        for o in vpcs.iter().filter(|o| o.base != vpc.base) {
            dests.push(net(o.base, 16));
        }
        for s in subnets.iter().filter(|s| s.vpc != v) {
            dests.push(net(s.base, 24));
        }
        for wide in ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] {
            if wide.parse::<Ipv4Net>().is_ok_and(|w| !vpc_net.contains(&w)) {
                dests.push(wide.into());
            }
        }
        let mut targets: Vec<String> = Vec::new();
        if vpc.igw_attached {
            if let Some(g) = &vpc.igw {
                targets.extend([g.clone(), g.clone(), g.clone()]);
            }
        }
        for n in nats.iter().filter(|n| n.vpc == v) {
            targets.extend([n.id.clone(), n.id.clone()]);
        }
        for p in peerings.iter().filter(|p| p.a == v || p.b == v) {
            targets.extend([p.id.clone(), p.id.clone()]);
        }
        // RT-6 blackholes: a target that does not exist, or a gateway not attached here.
        targets.push(if c.chance(50) { "nat-deleted".into() } else { "igw-deleted".into() });
        if let Some(other) = vpcs.iter().filter_map(|o| o.igw.clone()).find(|g| Some(g) != vpc.igw.as_ref().filter(|_| vpc.igw_attached)) {
            targets.push(other);
        }
        let peer_routes: Vec<(String, String)> = peerings
            .iter()
            .filter_map(|p| {
                let other = if p.a == v {
                    p.b
                } else if p.b == v {
                    p.a
                } else {
                    return None;
                };
                vpcs.get(other).map(|o| (net(o.base, 16), p.id.clone()))
            })
            .collect();
        let table = |c: &mut Chooser<'_>| -> Vec<Value> {
            let mut routes: Vec<(String, String)> = Vec::new();
            for (d, t) in &peer_routes {
                if c.chance(60) {
                    routes.push((d.clone(), t.clone()));
                }
            }
            if c.chance(50) {
                let t = c.pick(&targets).unwrap_or_else(|| "igw-deleted".into());
                routes.push(("0.0.0.0/0".into(), t));
            }
            for _ in 0..c.below(4) {
                let d = c.pick(&dests).unwrap_or_else(|| "0.0.0.0/0".into());
                let t = c.pick(&targets).unwrap_or_else(|| "igw-deleted".into());
                routes.push((d, t));
            }
            let mut out: Vec<Value> = Vec::new();
            let mut seen: Vec<String> = Vec::new();
            for (d, t) in routes {
                if !seen.contains(&d) {
                    out.push(json!({"destination": d, "target": t}));
                    seen.push(d);
                }
            }
            out
        };
        for s in &edge {
            let Some(sub) = subnets.get(*s) else { continue };
            let own_nats: Vec<String> = nats.iter().filter(|n| n.vpc == v).map(|n| n.id.clone()).collect();
            let target = match (c.below(10), &vpc.igw) {
                (0..=6, Some(g)) => g.clone(),
                (7, _) => c.pick(&own_nats).unwrap_or_else(|| "igw-deleted".into()),
                _ => c.pick(&targets).unwrap_or_else(|| "igw-deleted".into()),
            };
            let mut routes = vec![json!({"destination": "0.0.0.0/0", "target": target})];
            for (d, t) in &peer_routes {
                if c.chance(50) {
                    routes.push(json!({"destination": d, "target": t}));
                }
            }
            rtb_docs.push(json!({"id": format!("rtb-edge-{}", sub.id), "vpc": vpc.id, "subnets": [sub.id], "routes": routes}));
        }
        let n_custom = c.below(3);
        let assoc: Vec<usize> = own_subnets.iter().map(|_| c.below(n_custom + 1)).collect();
        if c.chance(75) {
            let routes = table(&mut c);
            rtb_docs.push(json!({"id": format!("rtb-{}-main", vpc.letter), "vpc": vpc.id, "main": true, "routes": routes}));
        }
        for k in 1..=n_custom {
            let routes = table(&mut c);
            let subs: Vec<&str> = own_subnets.iter().zip(&assoc).filter(|(_, a)| **a == k).map(|(s, _)| s.id.as_str()).collect();
            rtb_docs.push(json!({"id": format!("rtb-{}{k}", vpc.letter), "vpc": vpc.id, "subnets": subs, "routes": routes}));
        }

        // Network ACLs: the implicit allow-all default, or an explicit default, plus custom ones.
        let n_custom = c.below(3);
        let assoc: Vec<usize> = all_own.iter().map(|_| c.below(n_custom + 1)).collect();
        if c.below(3) != 0 {
            let (inbound, outbound) = (nacl_entries(&mut c, &near), nacl_entries(&mut c, &near));
            acl_docs.push(
                json!({"id": format!("acl-{}", vpc.letter), "vpc": vpc.id, "default": true, "inbound": inbound, "outbound": outbound}),
            );
        }
        for k in 1..=n_custom {
            let (inbound, outbound) = (nacl_entries(&mut c, &near), nacl_entries(&mut c, &near));
            let subs: Vec<&str> = all_own.iter().zip(&assoc).filter(|(_, a)| **a == k).map(|(s, _)| s.id.as_str()).collect();
            acl_docs.push(
                json!({"id": format!("acl-{}{k}", vpc.letter), "vpc": vpc.id, "subnets": subs, "inbound": inbound, "outbound": outbound}),
            );
        }
    }

    // Probes.
    let mut probes: Vec<Value> = Vec::new();
    let inst_ids: Vec<usize> = (0..insts.len()).collect();
    for k in 0..PROBES_PER_NETWORK {
        let a = c.pick(&inst_ids).unwrap_or(0);
        let b = c.pick(&inst_ids).unwrap_or(0);
        let id = |i: usize| insts.get(i).map(|x| x.id.clone()).unwrap_or_else(|| "internet".into());
        let (from, to) = match c.below(10) {
            4 => (id(a), "internet".to_owned()),
            5 => ("internet".to_owned(), id(b)),
            6 => {
                let own_vpc = insts.get(a).map(|x| x.vpc).unwrap_or(0);
                let to = match c.below(6) {
                    0 => insts.iter().filter_map(|x| x.public).map(|p| v4(p).to_string()).next_back(),
                    1 => c.pick(&nats).and_then(|n| n.eip.map(|e| v4(e).to_string())),
                    2 => c.pick(&subnets).map(|s| v4(s.base + 100).to_string()),
                    3 => vpcs.get(own_vpc).map(|v| v4(v.base + 2).to_string()),
                    4 => Some("192.0.2.55".to_owned()),
                    _ => c.pick(&nats).map(|n| n.id.clone()),
                };
                (id(a), to.unwrap_or_else(|| "internet".into()))
            }
            7 => {
                let to = match c.below(3) {
                    0 => c.pick(&nats).map(|n| n.id.clone()),
                    1 => insts.get(b).map(|x| v4(x.ip).to_string()),
                    _ => c.pick(&nats).and_then(|n| n.eip.map(|e| v4(e).to_string())),
                };
                ("internet".to_owned(), to.unwrap_or_else(|| id(b)))
            }
            _ => {
                // Between instances; a different one when there is one.
                let b = if a == b && insts.len() > 1 { (a + 1) % insts.len() } else { b };
                (id(a), id(b))
            }
        };
        let mut p = Map::new();
        p.insert("name".into(), json!(format!("probe {k}")));
        p.insert("from".into(), json!(from));
        p.insert("to".into(), json!(to));
        match c.below(10) {
            0..=5 => {
                p.insert("protocol".into(), json!("tcp"));
                p.insert("port".into(), json!(c.port()));
            }
            6 | 7 => {
                p.insert("protocol".into(), json!("udp"));
                p.insert("port".into(), json!(c.port()));
            }
            _ => {
                p.insert("protocol".into(), json!("icmp"));
            }
        }
        if c.chance(25) && p.get("protocol") != Some(&json!("icmp")) {
            p.insert("src_port".into(), json!(c.port()));
        }
        probes.push(Value::Object(p));
    }

    let vpc_docs: Vec<Value> = vpcs.iter().map(|v| json!({"id": v.id, "cidr_blocks": [net(v.base, 16)]})).collect();
    let subnet_docs: Vec<Value> =
        subnets.iter().map(|s| json!({"id": s.id, "vpc": vpc_id(&vpcs, s.vpc), "cidr": net(s.base, 24)})).collect();
    json!({
        "vpcsim": 1,
        "name": "generated",
        "network": {
            "vpcs": vpc_docs,
            "subnets": subnet_docs,
            "route_tables": rtb_docs,
            "network_acls": acl_docs,
            "security_groups": sg_docs,
            "instances": inst_docs,
            "internet_gateways": igw_docs,
            "nat_gateways": nat_docs,
            "peering_connections": peering_docs,
        },
        "probes": probes,
    })
}

fn vpc_id(vpcs: &[PVpc], v: usize) -> String {
    vpcs.get(v).map(|x| x.id.clone()).unwrap_or_default()
}

/// Protocol with ports or ICMP fields, as rule fields.
fn traffic(c: &mut Chooser<'_>, m: &mut Map<String, Value>) {
    let proto = match c.below(10) {
        0 | 1 => "all",
        2..=5 => "tcp",
        6 | 7 => "udp",
        8 => "icmp",
        // Numbers: -1 is all; 6 and 17 are TCP and UDP with ports; 50 (ESP) matches no probe (SG-15, NACL-9).
        _ => c.pick(&["-1", "6", "17", "1", "50"]).unwrap_or("50"),
    };
    m.insert("protocol".into(), json!(proto));
    if matches!(proto, "tcp" | "udp" | "6" | "17") {
        let ports = match c.below(6) {
            0 | 1 => c.port().to_string(),
            2 => {
                let (x, y) = (c.port(), c.port());
                format!("{}-{}", x.min(y), x.max(y))
            }
            3 => "0-65535".into(),
            4 => c.pick(&RANGES).unwrap_or("1024-65535").to_owned(),
            _ => "all".into(),
        };
        m.insert("ports".into(), json!(ports));
    } else if matches!(proto, "icmp" | "1") {
        match c.below(5) {
            0 => {}
            1 => {
                m.insert("icmp_type".into(), json!(-1));
            }
            k => {
                m.insert("icmp_type".into(), json!([8, 0, 3].get(k - 2).copied().unwrap_or(8)));
            }
        }
        match c.below(3) {
            0 => {}
            1 => {
                m.insert("icmp_code".into(), json!(-1));
            }
            _ => {
                m.insert("icmp_code".into(), json!(0));
            }
        }
    }
}

fn sg_rule(c: &mut Chooser<'_>, near: &[String], sgs: &[(String, usize)], vpc: usize) -> Value {
    let mut m = Map::new();
    traffic(c, &mut m);
    if c.below(4) == 3 {
        // SG-16/SG-17: a group of this VPC mostly, sometimes of another (peered or not).
        let own: Vec<String> = sgs.iter().filter(|(_, v)| *v == vpc).map(|(id, _)| id.clone()).collect();
        let all: Vec<String> = sgs.iter().map(|(id, _)| id.clone()).collect();
        let g = if c.chance(70) { c.pick(&own) } else { c.pick(&all) };
        m.insert("sg".into(), json!(g.unwrap_or_default()));
    } else {
        let cidr = if c.chance(25) { "0.0.0.0/0".to_owned() } else { c.pick(near).unwrap_or_else(|| "0.0.0.0/0".into()) };
        m.insert("cidr".into(), json!(cidr));
    }
    Value::Object(m)
}

fn nacl_entries(c: &mut Chooser<'_>, near: &[String]) -> Vec<Value> {
    let mut numbers: Vec<u64> = Vec::new();
    let mut out = Vec::new();
    for _ in 0..c.below(5) {
        let n = match c.below(9) {
            0 => 100,
            1 => 110,
            2 => 120,
            3 => 200,
            4 => 50,
            5 => 1,
            6 => 32766,
            7 => 101,
            _ => 1 + c.below(32766) as u64,
        };
        if numbers.contains(&n) {
            continue;
        }
        numbers.push(n);
        let mut m = Map::new();
        m.insert("rule".into(), json!(n));
        m.insert("action".into(), json!(if c.below(3) == 2 { "deny" } else { "allow" }));
        traffic(c, &mut m);
        let cidr = if c.chance(25) { "0.0.0.0/0".to_owned() } else { c.pick(near).unwrap_or_else(|| "0.0.0.0/0".into()) };
        m.insert("cidr".into(), json!(cidr));
        out.push(Value::Object(m));
    }
    // Usually a wide allow behind the specific entries, as real ACLs have.
    if c.below(10) < 6 {
        let n = *c.pick(&[1000u64, 32000, 32766]).as_ref().unwrap_or(&32766);
        if !numbers.contains(&n) {
            out.push(json!({"rule": n, "action": "allow", "protocol": "all", "cidr": "0.0.0.0/0"}));
        }
    }
    out
}
