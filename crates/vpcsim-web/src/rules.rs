//! Pure helpers of the inspector, tested natively: security group rule presets, new rows,
//! the edits behind association checkboxes, move buttons and group pickers, number and
//! policy parsing, pickers' choices, and which diagnostics belong to which field.
//!
//! Everything here builds [`Edit`] values; nothing evaluates a packet.

use crate::doc::{Edit, Item, Kind};
use serde_json::{json, Value};
use vpcsim_core::addr::PortRange;
use vpcsim_core::scenario::{NaclEntryDoc, Scenario, SgRuleDoc};
use vpcsim_core::Diagnostic;

/// Security groups per network interface (SG-11, the default quota).
pub const MAX_SGS_PER_INTERFACE: usize = 5;
/// Lowest NACL rule number (NACL-2).
pub const RULE_NUMBER_MIN: i64 = 1;
/// Highest NACL rule number (NACL-2).
pub const RULE_NUMBER_MAX: i64 = 32766;

/// The "type" of a security group rule, as the AWS console offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SgPreset {
    /// TCP on a port range of your choice.
    CustomTcp,
    /// UDP on a port range of your choice.
    CustomUdp,
    /// TCP 443.
    Https,
    /// TCP 80.
    Http,
    /// TCP 22.
    Ssh,
    /// TCP 3389.
    Rdp,
    /// UDP 53.
    Dns,
    /// Protocol -1.
    AllTraffic,
    /// ICMP, every type and code.
    AllIcmp,
    /// Another protocol (number), or ICMP with a type.
    CustomProtocol,
}

impl SgPreset {
    /// Every preset, in menu order.
    pub const ALL: [SgPreset; 10] = [
        SgPreset::CustomTcp,
        SgPreset::CustomUdp,
        SgPreset::Https,
        SgPreset::Http,
        SgPreset::Ssh,
        SgPreset::Rdp,
        SgPreset::Dns,
        SgPreset::AllTraffic,
        SgPreset::AllIcmp,
        SgPreset::CustomProtocol,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            SgPreset::CustomTcp => "Custom TCP",
            SgPreset::CustomUdp => "Custom UDP",
            SgPreset::Https => "HTTPS (443)",
            SgPreset::Http => "HTTP (80)",
            SgPreset::Ssh => "SSH (22)",
            SgPreset::Rdp => "RDP (3389)",
            SgPreset::Dns => "DNS (UDP 53)",
            SgPreset::AllTraffic => "All traffic",
            SgPreset::AllIcmp => "All ICMP",
            SgPreset::CustomProtocol => "Custom protocol",
        }
    }

    /// Stable name (option values).
    pub fn slug(self) -> &'static str {
        match self {
            SgPreset::CustomTcp => "custom-tcp",
            SgPreset::CustomUdp => "custom-udp",
            SgPreset::Https => "https",
            SgPreset::Http => "http",
            SgPreset::Ssh => "ssh",
            SgPreset::Rdp => "rdp",
            SgPreset::Dns => "dns",
            SgPreset::AllTraffic => "all",
            SgPreset::AllIcmp => "all-icmp",
            SgPreset::CustomProtocol => "custom-protocol",
        }
    }

    /// The preset with this slug.
    pub fn from_slug(s: &str) -> Option<SgPreset> {
        SgPreset::ALL.into_iter().find(|p| p.slug() == s)
    }

    /// The protocol and port a named preset writes (`None` for the custom ones).
    pub fn fixed(self) -> Option<(&'static str, Option<u16>)> {
        match self {
            SgPreset::Https => Some(("tcp", Some(443))),
            SgPreset::Http => Some(("tcp", Some(80))),
            SgPreset::Ssh => Some(("tcp", Some(22))),
            SgPreset::Rdp => Some(("tcp", Some(3389))),
            SgPreset::Dns => Some(("udp", Some(53))),
            SgPreset::AllTraffic => Some(("all", None)),
            SgPreset::AllIcmp => Some(("icmp", None)),
            SgPreset::CustomTcp | SgPreset::CustomUdp | SgPreset::CustomProtocol => None,
        }
    }

    /// What a rule's protocol, ports and ICMP fields amount to.
    pub fn detect(rule: &SgRuleDoc) -> SgPreset {
        let protocol = rule.protocol.trim().to_ascii_lowercase();
        let port = rule.ports.as_deref().and_then(|p| PortRange::parse(p).ok()).filter(|r| r.from() == r.to()).map(PortRange::from);
        let any_icmp = |v: Option<i64>| v.is_none_or(|x| x == -1);
        match protocol.as_str() {
            "all" | "-1" | "any" => SgPreset::AllTraffic,
            "icmp" | "1" if any_icmp(rule.icmp_type) && any_icmp(rule.icmp_code) => SgPreset::AllIcmp,
            "tcp" | "6" => match port {
                Some(443) => SgPreset::Https,
                Some(80) => SgPreset::Http,
                Some(22) => SgPreset::Ssh,
                Some(3389) => SgPreset::Rdp,
                _ => SgPreset::CustomTcp,
            },
            "udp" | "17" => match port {
                Some(53) => SgPreset::Dns,
                _ => SgPreset::CustomUdp,
            },
            _ => SgPreset::CustomProtocol,
        }
    }

    /// The rule with this preset's protocol and ports; the peer and description are kept.
    /// The custom presets keep the current ports when they stay meaningful, else open
    /// every port so that the port field can be narrowed.
    pub fn apply(self, rule: &SgRuleDoc) -> SgRuleDoc {
        let mut out = SgRuleDoc { icmp_type: None, icmp_code: None, ..rule.clone() };
        match (self, self.fixed()) {
            (_, Some((protocol, port))) => {
                out.protocol = protocol.to_owned();
                out.ports = port.map(|p| p.to_string());
            }
            (SgPreset::CustomTcp | SgPreset::CustomUdp, None) => {
                out.protocol = if self == SgPreset::CustomTcp { "tcp" } else { "udp" }.to_owned();
                if out.ports.is_none() || SgPreset::detect(&out) != self {
                    out.ports = Some("0-65535".to_owned());
                }
            }
            _ => {
                // A protocol number: keep one that is already custom, else ESP (50).
                if SgPreset::detect(rule) != SgPreset::CustomProtocol {
                    out.protocol = "50".to_owned();
                } else {
                    out.icmp_type = rule.icmp_type;
                    out.icmp_code = rule.icmp_code;
                }
                out.ports = None;
            }
        }
        out
    }
}

/// What names the peer of a security group rule (SG-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerKind {
    /// A CIDR block.
    Cidr,
    /// A prefix list id.
    PrefixList,
    /// A security group id (SG-16).
    Sg,
}

impl PeerKind {
    /// Every kind, in menu order.
    pub const ALL: [PeerKind; 3] = [PeerKind::Cidr, PeerKind::PrefixList, PeerKind::Sg];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            PeerKind::Cidr => "CIDR",
            PeerKind::PrefixList => "Prefix list",
            PeerKind::Sg => "Security group",
        }
    }

    /// The document field.
    pub fn field(self) -> &'static str {
        match self {
            PeerKind::Cidr => "cidr",
            PeerKind::PrefixList => "prefix_list",
            PeerKind::Sg => "sg",
        }
    }

    /// The kind named by a field.
    pub fn from_field(s: &str) -> Option<PeerKind> {
        PeerKind::ALL.into_iter().find(|k| k.field() == s)
    }

    /// The peer of a rule (the first field set; CIDR when none is).
    pub fn of(rule: &SgRuleDoc) -> (PeerKind, String) {
        match (&rule.cidr, &rule.prefix_list, &rule.sg) {
            (Some(c), _, _) => (PeerKind::Cidr, c.clone()),
            (None, Some(p), _) => (PeerKind::PrefixList, p.clone()),
            (None, None, Some(s)) => (PeerKind::Sg, s.clone()),
            (None, None, None) => (PeerKind::Cidr, String::new()),
        }
    }

    /// The rule with this kind of peer only, set to `value`.
    pub fn apply(self, rule: &SgRuleDoc, value: &str) -> SgRuleDoc {
        let v = Some(value.to_owned());
        SgRuleDoc {
            cidr: (self == PeerKind::Cidr).then(|| v.clone()).flatten(),
            prefix_list: (self == PeerKind::PrefixList).then(|| v.clone()).flatten(),
            sg: (self == PeerKind::Sg).then_some(v).flatten(),
            ..rule.clone()
        }
    }
}

/// The protocol menu of rule rows: value and label.
pub const PROTOCOL_CHOICES: [(&str, &str); 6] =
    [("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP"), ("icmpv6", "ICMPv6"), ("all", "All"), ("other", "Other (number)")];

/// The menu entry of a protocol as written (`6` is `tcp`, `-1` is `all`...).
pub fn protocol_choice(protocol: &str) -> &'static str {
    match protocol.trim().to_ascii_lowercase().as_str() {
        "tcp" | "6" => "tcp",
        "udp" | "17" => "udp",
        "icmp" | "1" => "icmp",
        "icmpv6" | "58" => "icmpv6",
        "all" | "-1" | "any" => "all",
        _ => "other",
    }
}

/// Protocol, ports and ICMP fields after choosing `choice` in the protocol menu: ports
/// are kept between TCP and UDP, ICMP fields between ICMP kinds, and fields that the new
/// protocol ignores (SG-15, NACL-9) are removed. ICMPv6 gets explicit "all" (-1) type
/// and code, which an IPv6 NACL entry requires (NACL-9).
pub fn with_protocol(
    protocol: &str,
    ports: Option<String>,
    icmp: (Option<i64>, Option<i64>),
    choice: &str,
) -> (String, Option<String>, Option<i64>, Option<i64>) {
    let before = protocol_choice(protocol);
    match choice {
        "tcp" | "udp" => (choice.to_owned(), if matches!(before, "tcp" | "udp") { ports } else { None }, None, None),
        "icmp" => {
            let keep = matches!(before, "icmp" | "icmpv6");
            ("icmp".to_owned(), None, icmp.0.filter(|_| keep), icmp.1.filter(|_| keep))
        }
        "icmpv6" => {
            let keep = matches!(before, "icmp" | "icmpv6");
            ("icmpv6".to_owned(), None, icmp.0.filter(|_| keep).or(Some(-1)), icmp.1.filter(|_| keep).or(Some(-1)))
        }
        "all" => ("all".to_owned(), None, None, None),
        _ => (if before == "other" { protocol.to_owned() } else { "50".to_owned() }, None, None, None),
    }
}

/// A security group rule after choosing a protocol in the menu.
pub fn sg_with_protocol(rule: &SgRuleDoc, choice: &str) -> SgRuleDoc {
    let (protocol, ports, icmp_type, icmp_code) =
        with_protocol(&rule.protocol, rule.ports.clone(), (rule.icmp_type, rule.icmp_code), choice);
    SgRuleDoc { protocol, ports, icmp_type, icmp_code, ..rule.clone() }
}

/// A NACL entry after choosing a protocol in the menu.
pub fn nacl_with_protocol(entry: &NaclEntryDoc, choice: &str) -> NaclEntryDoc {
    let (protocol, ports, icmp_type, icmp_code) =
        with_protocol(&entry.protocol, entry.ports.clone(), (entry.icmp_type, entry.icmp_code), choice);
    NaclEntryDoc { protocol, ports, icmp_type, icmp_code, ..entry.clone() }
}

/// The edit that sets a whole row (one undo step for a preset or a peer kind change).
pub fn set_row<T: serde::Serialize>(pointer: &str, row: &T) -> Option<Edit> {
    serde_json::to_value(row).ok().map(|value| Edit::Set { pointer: pointer.to_owned(), value })
}

/// The VPC an item belongs to, for its pickers.
pub fn vpc_of(doc: &Scenario, item: &Item) -> Option<String> {
    let n = &doc.network;
    let sm = &n.sagemaker;
    let k = item.key.as_str();
    let subnet_vpc = |s: &str| n.subnets.iter().find(|x| x.id == s).map(|x| x.vpc.clone());
    match item.kind {
        Kind::Vpc => Some(k.to_owned()),
        Kind::Subnet => subnet_vpc(k),
        Kind::RouteTable => n.route_tables.iter().find(|x| x.id == k).map(|x| x.vpc.clone()),
        Kind::NetworkAcl => n.network_acls.iter().find(|x| x.id == k).map(|x| x.vpc.clone()),
        Kind::SecurityGroup => n.security_groups.iter().find(|x| x.id == k).map(|x| x.vpc.clone()),
        Kind::Instance => n.instances.iter().find(|x| x.id == k).and_then(|x| subnet_vpc(&x.subnet)),
        Kind::InternetGateway => n.internet_gateways.iter().find(|x| x.id == k).and_then(|x| x.vpc.clone()),
        Kind::EgressOnlyGateway => n.egress_only_internet_gateways.iter().find(|x| x.id == k).and_then(|x| x.vpc.clone()),
        Kind::NatGateway => n.nat_gateways.iter().find(|x| x.id == k).and_then(|x| subnet_vpc(&x.subnet)),
        Kind::VpcEndpoint => n.vpc_endpoints.iter().find(|x| x.id == k).map(|x| x.vpc.clone()),
        Kind::Peering => n.peering_connections.iter().find(|x| x.id == k).map(|x| x.requester_vpc.clone()),
        Kind::TransitGateway | Kind::PrefixList | Kind::External => None,
        Kind::Notebook => sm.notebook_instances.iter().find(|x| x.name == k).and_then(|x| x.subnet.as_deref().and_then(subnet_vpc)),
        Kind::TrainingJob => sm
            .training_jobs
            .iter()
            .find(|x| x.name == k)
            .and_then(|x| x.vpc_config.as_ref())
            .and_then(|c| c.subnets.first())
            .and_then(|s| subnet_vpc(s)),
        Kind::Endpoint => sm
            .endpoints
            .iter()
            .find(|x| x.name == k)
            .and_then(|x| x.vpc_config.as_ref())
            .and_then(|c| c.subnets.first())
            .and_then(|s| subnet_vpc(s)),
        Kind::Domain => sm.domains.iter().find(|x| x.name == k).map(|x| x.vpc.clone()),
    }
}

fn label(id: &str, name: &str) -> String {
    if name.is_empty() || name == id {
        id.to_owned()
    } else {
        format!("{name} ({id})")
    }
}

/// (id, label) of every VPC.
pub fn vpc_choices(doc: &Scenario) -> Vec<(String, String)> {
    doc.network.vpcs.iter().map(|v| (v.id.clone(), label(&v.id, &v.name))).collect()
}

/// (id, label) of the subnets of a VPC (every subnet when the VPC is unknown).
pub fn subnet_choices(doc: &Scenario, vpc: Option<&str>) -> Vec<(String, String)> {
    doc.network
        .subnets
        .iter()
        .filter(|s| vpc.is_none_or(|v| s.vpc == v))
        .map(|s| {
            (
                s.id.clone(),
                format!("{} · {}{}", label(&s.id, &s.name), s.cidr, if s.az.is_empty() { String::new() } else { format!(" · {}", s.az) }),
            )
        })
        .collect()
}

/// (id, label) of the security groups a rule or resource of `vpc` can name: the VPC's own
/// groups, then those of VPCs peered with it by an active connection (SG-16, SG-17).
pub fn sg_choices(doc: &Scenario, vpc: Option<&str>) -> Vec<(String, String)> {
    let n = &doc.network;
    let Some(vpc) = vpc else {
        return n.security_groups.iter().map(|g| (g.id.clone(), label(&g.id, &g.name))).collect();
    };
    let peers: Vec<&str> = n
        .peering_connections
        .iter()
        .filter(|p| p.status == "active")
        .filter_map(|p| {
            if p.requester_vpc == vpc {
                Some(p.accepter_vpc.as_str())
            } else if p.accepter_vpc == vpc {
                Some(p.requester_vpc.as_str())
            } else {
                None
            }
        })
        .collect();
    let own = n.security_groups.iter().filter(|g| g.vpc == vpc).map(|g| (g.id.clone(), label(&g.id, &g.name)));
    let peered = n
        .security_groups
        .iter()
        .filter(|g| g.vpc != vpc && peers.contains(&g.vpc.as_str()))
        .map(|g| (g.id.clone(), format!("{} · peered VPC {}", label(&g.id, &g.name), g.vpc)));
    own.chain(peered).collect()
}

/// (id, label) of the prefix lists: the built-in ones, then the document's.
pub fn prefix_list_choices(doc: &Scenario) -> Vec<(String, String)> {
    let mut out =
        vec![("pl-s3".to_owned(), "Amazon S3 (pl-s3)".to_owned()), ("pl-dynamodb".to_owned(), "Amazon DynamoDB (pl-dynamodb)".to_owned())];
    for p in &doc.network.prefix_lists {
        if !out.iter().any(|(id, _)| *id == p.id) {
            out.push((p.id.clone(), label(&p.id, &p.name)));
        }
    }
    out
}

/// (id, label) of the route tables of a VPC.
pub fn route_table_choices(doc: &Scenario, vpc: Option<&str>) -> Vec<(String, String)> {
    doc.network.route_tables.iter().filter(|t| vpc.is_none_or(|v| t.vpc == v)).map(|t| (t.id.clone(), label(&t.id, &t.name))).collect()
}

/// (target, label) of the route targets in a VPC: `local`, its gateways, NAT gateways,
/// peering connections, transit gateways, endpoints, instances and their interfaces.
/// A `vgw-` id (virtual private gateway) is typed as free text.
pub fn route_targets(doc: &Scenario, vpc: &str) -> Vec<(String, String)> {
    let n = &doc.network;
    let in_vpc = |subnet: &str| n.subnets.iter().any(|s| s.id == subnet && s.vpc == vpc);
    let mut out = vec![("local".to_owned(), "local (the VPC)".to_owned())];
    out.extend(
        n.internet_gateways
            .iter()
            .filter(|g| g.vpc.as_deref() == Some(vpc))
            .map(|g| (g.id.clone(), format!("internet gateway {}", label(&g.id, &g.name)))),
    );
    out.extend(
        n.egress_only_internet_gateways
            .iter()
            .filter(|g| g.vpc.as_deref() == Some(vpc))
            .map(|g| (g.id.clone(), format!("egress-only gateway {}", label(&g.id, &g.name)))),
    );
    out.extend(
        n.nat_gateways.iter().filter(|g| in_vpc(&g.subnet)).map(|g| (g.id.clone(), format!("NAT gateway {}", label(&g.id, &g.name)))),
    );
    out.extend(
        n.peering_connections
            .iter()
            .filter(|p| p.requester_vpc == vpc || p.accepter_vpc == vpc)
            .map(|p| (p.id.clone(), format!("peering {}", label(&p.id, &p.name)))),
    );
    out.extend(
        n.transit_gateways
            .iter()
            .filter(|t| t.attachments.iter().any(|a| a.vpc == vpc))
            .map(|t| (t.id.clone(), format!("transit gateway {}", label(&t.id, &t.name)))),
    );
    out.extend(n.vpc_endpoints.iter().filter(|e| e.vpc == vpc).map(|e| (e.id.clone(), format!("endpoint {}", label(&e.id, &e.name)))));
    for i in n.instances.iter().filter(|i| in_vpc(&i.subnet)) {
        out.push((i.id.clone(), format!("instance {}", label(&i.id, &i.name))));
        let eni = i.eni.clone().unwrap_or_else(|| format!("eni-{}", i.id));
        out.push((eni.clone(), format!("interface {eni} of {}", i.id)));
    }
    out
}

/// A new security group rule: HTTPS from the VPC (inbound) or to anywhere (outbound).
pub fn new_sg_rule(doc: &Scenario, vpc: &str, outbound: bool) -> Value {
    if outbound {
        json!({"protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"})
    } else {
        let block = doc
            .network
            .vpcs
            .iter()
            .find(|v| v.id == vpc)
            .and_then(|v| v.cidr_blocks.first().cloned())
            .unwrap_or_else(|| "10.0.0.0/16".into());
        json!({"protocol": "tcp", "ports": "443", "cidr": block})
    }
}

/// The next free rule number: 100 for the first, else 10 past the highest (rounded to
/// ten), else the lowest free number.
pub fn next_rule_number(entries: &[NaclEntryDoc]) -> i64 {
    let used: Vec<i64> = entries.iter().map(|e| e.rule).collect();
    let Some(max) = used.iter().copied().filter(|n| (RULE_NUMBER_MIN..=RULE_NUMBER_MAX).contains(n)).max() else {
        return 100;
    };
    let next = (max / 10 + 1) * 10;
    if next <= RULE_NUMBER_MAX && !used.contains(&next) {
        return next;
    }
    (RULE_NUMBER_MIN..=RULE_NUMBER_MAX).find(|n| !used.contains(n)).unwrap_or(RULE_NUMBER_MAX)
}

/// A new NACL entry: allow HTTPS from anywhere, numbered after the others.
pub fn new_nacl_entry(entries: &[NaclEntryDoc]) -> Value {
    json!({"rule": next_rule_number(entries), "action": "allow", "protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"})
}

/// A new route: the default route to the VPC's internet gateway (else its first target).
pub fn new_route(doc: &Scenario, vpc: &str) -> Value {
    let targets = route_targets(doc, vpc);
    let target =
        targets.iter().find(|(t, _)| t.starts_with("igw-")).or_else(|| targets.get(1)).or_else(|| targets.first()).map(|(t, _)| t.clone());
    json!({"destination": "0.0.0.0/0", "target": target.unwrap_or_else(|| "local".into())})
}

/// Document indices of NACL entries in evaluation order: by rule number (NACL-2), ties
/// in document order.
pub fn evaluation_order(entries: &[NaclEntryDoc]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries.get(i).map(|e| e.rule).unwrap_or(i64::MAX));
    order
}

/// Moves a NACL entry one place up or down in evaluation order by swapping its rule
/// number with its neighbour's: one edit of the whole list. `None` at either end.
pub fn move_nacl_entry(list_pointer: &str, entries: &[NaclEntryDoc], index: usize, up: bool) -> Option<Edit> {
    let order = evaluation_order(entries);
    let pos = order.iter().position(|&i| i == index)?;
    let other_pos = if up { pos.checked_sub(1)? } else { pos + 1 };
    let other = *order.get(other_pos)?;
    let mut next = entries.to_vec();
    let (a, b) = (next.get(index)?.rule, next.get(other)?.rule);
    if a == b {
        return None;
    }
    next.get_mut(index)?.rule = b;
    next.get_mut(other)?.rule = a;
    set_row(list_pointer, &next)
}

/// The edit that moves element `index` of a list one place up or down.
pub fn move_row(list_pointer: &str, len: usize, index: usize, up: bool) -> Option<Edit> {
    let to = if up { index.checked_sub(1)? } else { index + 1 };
    (to < len && index < len).then(|| Edit::Reorder { pointer: list_pointer.to_owned(), from: index, to })
}

/// The edit behind an "associated subnets" checkbox of a route table or network ACL
/// (`kind`, index `table` in its collection). A subnet is explicitly associated with at
/// most one table of each kind (NACL-1, RT-1): associating it removes it from the others,
/// in the same edit. `Ok(None)` when nothing changes.
pub fn association_edit(doc: &Scenario, kind: Kind, table: usize, subnet: &str, associate: bool) -> Result<Option<Edit>, String> {
    let lists: Vec<Vec<String>> = match kind {
        Kind::RouteTable => doc.network.route_tables.iter().map(|t| t.subnets.clone()).collect(),
        Kind::NetworkAcl => doc.network.network_acls.iter().map(|t| t.subnets.clone()).collect(),
        _ => return Err(format!("a {} has no subnet associations", kind.label())),
    };
    let mine = lists.get(table).ok_or_else(|| format!("{} {table} does not exist", kind.label()))?;
    let here = format!("{}/{table}/subnets", kind.collection());
    if !associate {
        return Ok(mine.iter().position(|s| s == subnet).map(|index| Edit::Remove { pointer: here, index }));
    }
    if mine.iter().any(|s| s == subnet) {
        return Ok(None);
    }
    let elsewhere = lists.iter().enumerate().any(|(k, l)| k != table && l.iter().any(|s| s == subnet));
    if !elsewhere {
        return Ok(Some(Edit::Insert { pointer: here, index: None, value: Value::String(subnet.to_owned()) }));
    }
    // Move: one edit of the whole collection, so that undo restores both tables at once.
    let mut whole = serde_json::to_value(&doc.network).map_err(|e| e.to_string())?;
    let key = kind.collection().trim_start_matches("/network/");
    let tables = whole.get_mut(key).and_then(Value::as_array_mut).ok_or_else(|| format!("no {key}"))?;
    for (k, t) in tables.iter_mut().enumerate() {
        let Some(obj) = t.as_object_mut() else { continue };
        let mut list: Vec<Value> = obj.get("subnets").and_then(Value::as_array).cloned().unwrap_or_default();
        list.retain(|s| s.as_str() != Some(subnet));
        if k == table {
            list.push(Value::String(subnet.to_owned()));
        }
        obj.insert("subnets".into(), Value::Array(list));
    }
    Ok(Some(Edit::Set { pointer: kind.collection().to_owned(), value: whole.get(key).cloned().unwrap_or(Value::Null) }))
}

/// The table of `kind` a subnet is explicitly associated with (its index), if any.
pub fn associated_table(doc: &Scenario, kind: Kind, subnet: &str) -> Option<usize> {
    match kind {
        Kind::RouteTable => doc.network.route_tables.iter().position(|t| t.subnets.iter().any(|s| s == subnet)),
        Kind::NetworkAcl => doc.network.network_acls.iter().position(|t| t.subnets.iter().any(|s| s == subnet)),
        _ => None,
    }
}

/// The edit behind a checkbox of a list of ids (`subnets`, `route_tables`...): insert
/// when checked, remove when unchecked. `Ok(None)` when nothing changes.
pub fn toggle_id(list_pointer: &str, current: &[String], id: &str, on: bool) -> Option<Edit> {
    match (on, current.iter().position(|x| x == id)) {
        (true, None) => Some(Edit::Insert { pointer: list_pointer.to_owned(), index: None, value: Value::String(id.to_owned()) }),
        (false, Some(index)) => Some(Edit::Remove { pointer: list_pointer.to_owned(), index }),
        _ => None,
    }
}

/// Like [`toggle_id`] for the security groups of a network interface, refusing a sixth
/// group (SG-11: 5 per interface by default).
pub fn toggle_security_group(list_pointer: &str, current: &[String], sg: &str, on: bool) -> Result<Option<Edit>, String> {
    if on && !current.iter().any(|x| x == sg) && current.len() >= MAX_SGS_PER_INTERFACE {
        return Err(format!(
            "a network interface has at most {MAX_SGS_PER_INTERFACE} security groups (SG-11): remove one before adding `{sg}`"
        ));
    }
    Ok(toggle_id(list_pointer, current, sg, on))
}

/// Parses a NACL rule number as typed.
pub fn parse_rule_number(text: &str) -> Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if (RULE_NUMBER_MIN..=RULE_NUMBER_MAX).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number {RULE_NUMBER_MIN}-{RULE_NUMBER_MAX} (NACL-2)")),
    }
}

/// Parses an ICMP type or code as typed: empty means all (`None`), else -1 to 255.
pub fn parse_icmp(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(n) if (-1..=255).contains(&n) => Ok(Some(n)),
        _ => Err("must be a whole number 0-255, or -1 (or empty) for all".to_owned()),
    }
}

/// Parses an endpoint policy as typed: empty means none (full access, EP-10); an error
/// names the line and column.
pub fn parse_policy(text: &str) -> Result<Option<Value>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v.is_object() => Ok(Some(v)),
        Ok(_) => Err("a policy is a JSON object: `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`".to_owned()),
        Err(e) => Err(format!("line {} column {}: {e}", e.line(), e.column())),
    }
}

/// The document pointer a diagnostic is about (`/network/` + its path). The core reports
/// a SageMaker job's or endpoint's subnets and groups without the `vpc_config` level they
/// live in; they are mapped to the field.
pub fn diagnostic_pointer(d: &Diagnostic) -> String {
    let at = d.at.trim_start_matches('/');
    let at = at.strip_prefix("network/").unwrap_or(at);
    let parts: Vec<&str> = at.split('/').collect();
    if let (Some(&"sagemaker"), Some(&("training_jobs" | "endpoints")), Some(_), Some(&("subnets" | "security_groups"))) =
        (parts.first(), parts.get(1), parts.get(2), parts.get(3))
    {
        let (head, tail) = parts.split_at(3);
        return format!("/network/{}/vpc_config/{}", head.join("/"), tail.join("/"));
    }
    format!("/network/{at}")
}

/// Whether `pointer` is `base` or lies under it.
pub fn is_under(pointer: &str, base: &str) -> bool {
    pointer == base || pointer.strip_prefix(base).is_some_and(|rest| rest.starts_with('/'))
}

/// Diagnostics about a field: at its pointer or under it.
pub fn diagnostics_under<'a>(diags: &'a [Diagnostic], pointer: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| is_under(&diagnostic_pointer(d), pointer)).collect()
}

/// Diagnostics exactly at a pointer (a whole rule row).
pub fn diagnostics_exact<'a>(diags: &'a [Diagnostic], pointer: &str) -> Vec<&'a Diagnostic> {
    diags.iter().filter(|d| diagnostic_pointer(d) == pointer).collect()
}

/// What a rendered field or row shows of the diagnostics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// A field: diagnostics at its pointer and under it.
    Under(String),
    /// A row: diagnostics exactly at its pointer.
    Exact(String),
}

impl Claim {
    /// Whether the claim shows this diagnostic pointer.
    pub fn covers(&self, pointer: &str) -> bool {
        match self {
            Claim::Under(p) => is_under(pointer, p),
            Claim::Exact(p) => pointer == p,
        }
    }
}

/// Diagnostics of an item (at or under its pointer) that no field or row shows: listed at
/// the top of the inspector.
pub fn unclaimed<'a>(diags: &'a [Diagnostic], item_pointer: &str, claims: &[Claim]) -> Vec<&'a Diagnostic> {
    diags
        .iter()
        .filter(|d| {
            let p = diagnostic_pointer(d);
            is_under(&p, item_pointer) && !claims.iter().any(|c| c.covers(&p))
        })
        .collect()
}

/// An element id for a pointer (`/network/vpcs/0/cidr` → `f-network-vpcs-0-cidr`).
pub fn dom_id(prefix: &str, pointer: &str) -> String {
    let mut out = String::from(prefix);
    for c in pointer.chars() {
        out.push(if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' });
    }
    out
}

/// Known VPC endpoint services (EP-1).
pub const SERVICES: [&str; 8] = ["s3", "dynamodb", "sagemaker.api", "sagemaker.runtime", "sts", "logs", "ecr.api", "ecr.dkr"];

/// Peering connection statuses (RT-13).
pub const PEERING_STATUSES: [&str; 7] = ["active", "pending-acceptance", "provisioning", "rejected", "expired", "failed", "deleted"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe() {
        assert_eq!(dom_id("f", "/network/vpcs/0/cidr_blocks/1"), "f-network-vpcs-0-cidr_blocks-1");
    }

    #[test]
    fn under_means_the_pointer_or_a_child() {
        assert!(is_under("/a/cidr", "/a/cidr"));
        assert!(is_under("/a/cidr/0", "/a/cidr"));
        assert!(!is_under("/a/cidr_blocks", "/a/cidr"));
    }
}
