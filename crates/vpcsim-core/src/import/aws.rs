//! AWS CLI `describe-*` outputs (and SageMaker `describe-*` outputs) into a format v1
//! network document.
//!
//! Each file is recognised by its top-level key (`Vpcs`, `Subnets`, `SecurityGroups`...),
//! whatever its name, so batfish snapshots (`aws_configs/Subnets.json`) and CloudMapper
//! exports (`ec2-describe-subnets.json`) both work. SageMaker one-object outputs are
//! recognised by their own fields (`NotebookInstanceName`, `TrainingJobName`...).
//!
//! The import runs in two steps: every file is parsed and its resources are collected in
//! file order; then resources are converted kind by kind, in dependency order (VPCs,
//! subnets, security groups, gateways, instances, endpoints, route tables, NACLs, rules),
//! so that every reference can be checked against what the import really produces.
//! A reference to something that is not in the import is left out with a warning naming
//! what exists, because the network builder would otherwise reject the document.
//! Every diagnostic is located as `<file>#<JSON pointer>`.

use super::json::Json;
use super::{Imported, InputFile, MAX_FILE_BYTES};
use crate::diag::{did_you_mean, Diagnostic};
use crate::model::{cidr_text, Service};
use crate::scenario::{
    DomainDoc, EndpointDoc, IgwDoc, InstanceDoc, NaclDoc, NaclEntryDoc, NatDoc, NetworkDoc, NotebookDoc, PeeringDoc, PrefixListDoc,
    RouteDoc, RouteTableDoc, Scenario, SgDoc, SgRuleDoc, SubnetDoc, TgwAttachmentDoc, TgwDoc, TgwRouteDoc, TrainingJobDoc, VpcConfigDoc,
    VpcDoc, VpceDoc, FORMAT_VERSION,
};
use bumpalo::Bump;
use ipnet::IpNet;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

/// Resource kinds the importer converts, by top-level key of a describe output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Vpcs,
    Subnets,
    SecurityGroups,
    SecurityGroupRules,
    NetworkAcls,
    RouteTables,
    InternetGateways,
    EgressOnlyInternetGateways,
    NatGateways,
    Addresses,
    NetworkInterfaces,
    Reservations,
    VpcEndpoints,
    VpcPeeringConnections,
    PrefixLists,
    ManagedPrefixLists,
    TransitGateways,
    TransitGatewayAttachments,
    TransitGatewayVpcAttachments,
    TransitGatewayRouteTables,
    TransitGatewayStaticRoutes,
    TransitGatewayPropagations,
    AvailabilityZones,
    SmNotebook,
    SmTrainingJob,
    SmProcessingJob,
    SmModel,
    SmEndpointConfig,
    SmEndpoint,
    SmDomain,
}

const KINDS: &[(&str, Kind)] = &[
    ("Vpcs", Kind::Vpcs),
    ("Subnets", Kind::Subnets),
    ("SecurityGroups", Kind::SecurityGroups),
    ("SecurityGroupRules", Kind::SecurityGroupRules),
    ("NetworkAcls", Kind::NetworkAcls),
    ("RouteTables", Kind::RouteTables),
    ("InternetGateways", Kind::InternetGateways),
    ("EgressOnlyInternetGateways", Kind::EgressOnlyInternetGateways),
    ("NatGateways", Kind::NatGateways),
    ("Addresses", Kind::Addresses),
    ("NetworkInterfaces", Kind::NetworkInterfaces),
    ("Reservations", Kind::Reservations),
    ("VpcEndpoints", Kind::VpcEndpoints),
    ("VpcPeeringConnections", Kind::VpcPeeringConnections),
    ("PrefixLists", Kind::PrefixLists),
    ("ManagedPrefixLists", Kind::ManagedPrefixLists),
    ("TransitGateways", Kind::TransitGateways),
    ("TransitGatewayAttachments", Kind::TransitGatewayAttachments),
    ("TransitGatewayVpcAttachments", Kind::TransitGatewayVpcAttachments),
    ("TransitGatewayRouteTables", Kind::TransitGatewayRouteTables),
    ("TransitGatewayStaticRoutes", Kind::TransitGatewayStaticRoutes),
    ("TransitGatewayPropagations", Kind::TransitGatewayPropagations),
    ("AvailabilityZones", Kind::AvailabilityZones),
];

/// Top-level keys of AWS outputs vpcsim does not model: skipped with one info per type.
const UNMODELLED: &[(&str, &str)] = &[
    ("VpnConnections", "VPN connections"),
    ("VpnGateways", "virtual private gateways"),
    ("CustomerGateways", "customer gateways"),
    ("DirectConnectGateways", "Direct Connect gateways"),
    ("DirectConnectGatewayAssociations", "Direct Connect gateway associations"),
    ("VirtualInterfaces", "Direct Connect virtual interfaces"),
    ("DomainStatusList", "Elasticsearch domains"),
    ("DBInstances", "RDS instances"),
    ("LoadBalancers", "load balancers"),
    ("LoadBalancerDescriptions", "classic load balancers"),
    ("LoadBalancerListeners", "load balancer listeners"),
    ("LoadBalancerAttributes", "load balancer attributes"),
    ("LoadBalancerTargetHealth", "load balancer target health"),
    ("TargetGroups", "target groups"),
    ("ServiceDetails", "VPC endpoint services"),
    ("ServiceNames", "VPC endpoint services"),
    ("Snapshots", "EBS snapshots"),
    ("Volumes", "EBS volumes"),
    ("Images", "AMIs"),
    ("KeyPairs", "key pairs"),
    ("DhcpOptions", "DHCP options"),
    ("FlowLogs", "flow logs"),
    ("CarrierGateways", "carrier gateways"),
    ("LocalGateways", "local gateways"),
    ("TransitGatewayPeeringAttachments", "transit gateway peering attachments"),
    ("Regions", "regions"),
];

/// A JSON pointer (RFC 6901) into an input file, written out only when a diagnostic
/// needs it: a large account has tens of thousands of resources and rules, and almost
/// none of them is ever reported.
#[derive(Clone, Copy)]
enum Ptr<'a> {
    /// The whole document.
    Root,
    /// Element `index` of the array under `key` of the object at the parent pointer.
    Elem(&'a Ptr<'a>, &'a str, usize),
}

/// The pointer of the whole document.
const ROOT: &Ptr<'static> = &Ptr::Root;

impl fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ptr::Root => Ok(()),
            Ptr::Elem(parent, key, index) => write!(f, "{parent}/{}/{index}", seg(key)),
        }
    }
}

/// One resource of an input file: where it is and its JSON.
#[derive(Clone, Copy)]
struct Item<'a> {
    file: &'a str,
    ptr: Ptr<'a>,
    v: &'a Json<'a>,
}

/// Escapes a JSON pointer segment (RFC 6901).
fn seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The import state: diagnostics, and ids the document defines so far.
#[derive(Default)]
struct Cx {
    diags: Vec<Diagnostic>,
    reported_unmodelled: BTreeSet<String>,
    /// Every id emitted, for the document-wide uniqueness rule. (Sets only looked up are
    /// hashed: one lookup per resource and reference of a large account.)
    ids: rustc_hash::FxHashSet<String>,
    vpcs: BTreeMap<String, Vec<IpNet>>,
    /// Subnet id to (VPC id, IPv4 block).
    subnets: BTreeMap<String, (String, IpNet)>,
    /// Security group id to VPC id.
    sgs: BTreeMap<String, String>,
    pls: BTreeSet<String>,
    igws: BTreeSet<String>,
    eigws: BTreeSet<String>,
    nats: BTreeSet<String>,
    pcxs: BTreeSet<String>,
    tgws: BTreeSet<String>,
    /// Instance and network interface ids usable as route targets.
    enis: rustc_hash::FxHashSet<String>,
    vpces: BTreeSet<String>,
    used_ips: rustc_hash::FxHashSet<IpAddr>,
    region: Option<String>,
}

impl Cx {
    fn at(it: &Item<'_>, suffix: &str) -> String {
        format!("{}#{}{}", it.file, it.ptr, suffix)
    }

    fn error(&mut self, code: &'static str, at: String, message: String, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, at, message, help));
    }

    fn warn(&mut self, code: &'static str, at: String, message: String, help: impl Into<String>) {
        self.diags.push(Diagnostic::warning(code, at, message, help));
    }

    fn info(&mut self, code: &'static str, at: String, message: String, help: impl Into<String>) {
        self.diags.push(Diagnostic::info(code, at, message, help));
    }

    /// Reports a skipped kind of thing once.
    fn unmodelled(&mut self, what: &str, at: String, help: &str) {
        if self.reported_unmodelled.insert(what.to_owned()) {
            self.info("aws-unmodelled", at, format!("{what} are not modelled by vpcsim and were skipped"), help);
        }
    }

    /// A string field: `None` when absent; an error when it has another type.
    fn str_of(&mut self, it: &Item<'_>, key: &str) -> Option<String> {
        match it.v.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.to_string()),
            Some(other) => {
                self.error(
                    "aws-wrong-type",
                    Cx::at(it, &format!("/{}", seg(key))),
                    format!("`{key}` is {}, not a string", type_name(other)),
                    "pass the unmodified output of the AWS CLI",
                );
                None
            }
        }
    }

    /// A required string field.
    fn req_str(&mut self, it: &Item<'_>, key: &str) -> Option<String> {
        let missing = matches!(it.v.get(key), None | Some(Json::Null));
        let s = self.str_of(it, key);
        if missing {
            self.error(
                "aws-field-missing",
                Cx::at(it, ""),
                format!("the resource has no `{key}`; it was skipped"),
                "pass the unmodified output of the AWS CLI",
            );
        }
        s
    }

    /// An integer field.
    fn int_of(&mut self, it: &Item<'_>, key: &str) -> Option<i64> {
        match it.v.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(Json::String(s)) if s.parse::<i64>().is_ok() => s.parse::<i64>().ok(),
            Some(other) => {
                self.error(
                    "aws-wrong-type",
                    Cx::at(it, &format!("/{}", seg(key))),
                    format!("`{key}` is {}, not an integer", type_name(other)),
                    "pass the unmodified output of the AWS CLI",
                );
                None
            }
        }
    }

    /// A boolean field (absent: false).
    fn bool_of(&mut self, it: &Item<'_>, key: &str) -> bool {
        match it.v.get(key) {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => *b,
            Some(other) => {
                self.error(
                    "aws-wrong-type",
                    Cx::at(it, &format!("/{}", seg(key))),
                    format!("`{key}` is {}, not a boolean", type_name(other)),
                    "pass the unmodified output of the AWS CLI",
                );
                false
            }
        }
    }

    /// The elements of an array field, with their pointers; absent: empty.
    fn list<'a>(&mut self, it: &'a Item<'a>, key: &'a str) -> Vec<(Ptr<'a>, &'a Json<'a>)> {
        match it.v.get(key) {
            None | Some(Json::Null) => vec![],
            Some(Json::Array(a)) => a.iter().enumerate().map(|(i, v)| (Ptr::Elem(&it.ptr, key, i), v)).collect(),
            Some(other) => {
                self.error(
                    "aws-wrong-type",
                    Cx::at(it, &format!("/{}", seg(key))),
                    format!("`{key}` is {}, not an array", type_name(other)),
                    "pass the unmodified output of the AWS CLI",
                );
                vec![]
            }
        }
    }

    /// Strings of an array field (arrays of ids such as `SubnetIds`).
    fn str_list<'a>(&mut self, it: &'a Item<'a>, key: &'a str) -> Vec<(Ptr<'a>, String)> {
        let mut out = Vec::new();
        for (ptr, v) in self.list(it, key) {
            match v.as_str() {
                Some(s) => out.push((ptr, s.to_owned())),
                None => self.error(
                    "aws-wrong-type",
                    format!("{}#{ptr}", it.file),
                    format!("an element of `{key}` is {}, not a string", type_name(v)),
                    "pass the unmodified output of the AWS CLI",
                ),
            }
        }
        out
    }

    /// Checks a CIDR block and returns it normalised; errors name what is wrong. `at`
    /// gives the location, called only for a diagnostic (as in every check below).
    fn cidr(&mut self, text: &str, at: impl FnOnce() -> String) -> Option<IpNet> {
        self.cidr_with(text, at, false)
    }

    /// As [`Cx::cidr`]; `lenient` (rule peers) turns host bits into a warning and keeps
    /// the block's network address, as the EC2 console does for rules.
    fn rule_cidr(&mut self, text: &str, at: impl FnOnce() -> String) -> Option<IpNet> {
        self.cidr_with(text, at, true)
    }

    fn cidr_with(&mut self, text: &str, at: impl FnOnce() -> String, lenient: bool) -> Option<IpNet> {
        if !text.contains('/') {
            self.error("aws-cidr-invalid", at(), format!("`{text}` has no prefix length"), "write a block such as `10.0.0.0/16`");
            return None;
        }
        match text.parse::<IpNet>() {
            Ok(net) if net.trunc() != net && lenient => {
                self.warn(
                    "aws-cidr-host-bits",
                    at(),
                    format!("`{text}` has host bits set; `{}` was used", net.trunc()),
                    "AWS rejects such blocks in new rules; write the network address",
                );
                Some(net.trunc())
            }
            Ok(net) if net.trunc() != net => {
                self.error(
                    "aws-cidr-host-bits",
                    at(),
                    format!("`{text}` has host bits set"),
                    format!("the block starting at its network address is `{}`", net.trunc()),
                );
                None
            }
            Ok(net) => Some(net),
            Err(_) => {
                self.error("aws-cidr-invalid", at(), format!("`{text}` is not a CIDR block"), "write a block such as `10.0.0.0/16`");
                None
            }
        }
    }

    /// Registers a document id; a second resource with the same id is skipped.
    fn claim(&mut self, id: &str, it: &Item<'_>) -> bool {
        if id.is_empty() {
            self.error("aws-field-missing", Cx::at(it, ""), "the resource has an empty id; it was skipped".to_owned(), "");
            return false;
        }
        if self.ids.insert(id.to_owned()) {
            true
        } else {
            self.info(
                "aws-duplicate-id",
                Cx::at(it, ""),
                format!("`{id}` appears more than once in the import; the first occurrence was kept"),
                "the same resource can appear in the outputs of several accounts",
            );
            false
        }
    }

    /// Whether a VPC was imported; warns otherwise. `what` names the skipped resource.
    fn known_vpc(&mut self, vpc: &str, at: impl FnOnce() -> String, what: impl fmt::Display) -> bool {
        if self.vpcs.contains_key(vpc) {
            return true;
        }
        let help = did_you_mean(vpc, self.vpcs.keys().map(String::as_str), "VPCs");
        self.warn("aws-unknown-vpc", at(), format!("VPC `{vpc}` is not in the import; {what} was skipped"), help);
        false
    }

    /// Whether a subnet was imported; warns otherwise. `what` names the skipped resource.
    fn known_subnet(&mut self, subnet: &str, at: impl FnOnce() -> String, what: impl fmt::Display) -> bool {
        if self.subnets.contains_key(subnet) {
            return true;
        }
        let help = did_you_mean(subnet, self.subnets.keys().map(String::as_str), "subnets");
        self.warn("aws-unknown-subnet", at(), format!("subnet `{subnet}` is not in the import; {what} was skipped"), help);
        false
    }

    /// Keeps the security groups that exist in `vpc`, warning about the others. Each
    /// group comes with its JSON pointer in `file`.
    fn filter_sgs(&mut self, groups: Vec<(impl fmt::Display, String)>, vpc: &str, file: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (ptr, g) in groups {
            match self.sgs.get(&g) {
                Some(v) if v == vpc => {
                    if !out.contains(&g) {
                        out.push(g);
                    }
                }
                Some(v) => {
                    let msg = format!("security group `{g}` belongs to VPC `{v}`, not `{vpc}`; it was left out");
                    self.warn("aws-security-group-other-vpc", format!("{file}#{ptr}"), msg, "a security group is used only in its own VPC");
                }
                None => {
                    let help = did_you_mean(&g, self.sgs.keys().map(String::as_str), "security groups");
                    self.warn(
                        "aws-unknown-security-group",
                        format!("{file}#{ptr}"),
                        format!("security group `{g}` is not in the import; it was left out"),
                        help,
                    );
                }
            }
        }
        out
    }

    /// Checks an address, optionally inside a subnet; returns it when usable.
    fn ip(&mut self, text: &str, subnet: Option<&str>, at: impl FnOnce() -> String) -> Option<String> {
        let Ok(ip) = text.parse::<IpAddr>() else {
            self.error("aws-ip-invalid", at(), format!("`{text}` is not an IP address"), "write an address such as `10.0.1.10`");
            return None;
        };
        if let Some(block) = subnet.and_then(|s| self.subnets.get(s)).map(|(_, b)| *b) {
            if !block.contains(&ip) {
                let msg = format!("address `{ip}` is outside subnet block `{block}`; it was left out");
                self.warn("aws-ip-outside-subnet", at(), msg, "vpcsim picks the next free address of the subnet instead");
                return None;
            }
            if let (IpNet::V4(b), IpAddr::V4(a)) = (block, ip) {
                let (n, x) = (u32::from(b.network()), u32::from(a));
                if x.wrapping_sub(n) < 4 || a == b.broadcast() {
                    let msg = format!("address `{ip}` is one AWS reserves in subnet block `{block}`; it was left out");
                    self.warn(
                        "aws-ip-reserved",
                        at(),
                        msg,
                        "AWS reserves the first four addresses and the last one; vpcsim picks the next free address",
                    );
                    return None;
                }
            }
        }
        if !self.used_ips.insert(ip) {
            let msg = format!("address `{ip}` is used twice in the import; the second use was left out");
            self.warn("aws-ip-duplicate", at(), msg, "each address belongs to one interface");
            return None;
        }
        Some(ip.to_string())
    }
}

fn type_name(v: &Json<'_>) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The `Name` tag.
fn name_tag(v: &Json<'_>) -> String {
    v.get("Tags")
        .and_then(Json::as_array)
        .and_then(|tags| tags.iter().find(|t| t.get("Key").and_then(Json::as_str) == Some("Name")))
        .and_then(|t| t.get("Value"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn get_str<'a>(v: &'a Json<'_>, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str)
}

/// Protocol, ports and ICMP fields of a rule, normalised for the document.
struct Traffic {
    protocol: String,
    ports: Option<String>,
    icmp_type: Option<i64>,
    icmp_code: Option<i64>,
}

/// Converts an AWS protocol (`tcp`, `6`, `-1`...) and a port range or ICMP type/code.
/// `range` is `(from, to)`: ports for TCP/UDP, type and code for ICMP.
/// The locations are called only for a diagnostic.
fn traffic(
    cx: &mut Cx,
    proto: &str,
    range: (Option<i64>, Option<i64>),
    at_proto: impl FnOnce() -> String,
    at_ports: impl FnOnce() -> String,
) -> Option<Traffic> {
    let Some(name) = super::protocol_name(proto) else {
        cx.error(
            "aws-protocol-invalid",
            at_proto(),
            format!("protocol `{proto}` is not valid"),
            "AWS uses tcp, udp, icmp, icmpv6, -1 (all) or a protocol number from 0 to 255",
        );
        return None;
    };
    let mut t = Traffic { protocol: name, ports: None, icmp_type: None, icmp_code: None };
    match t.protocol.as_str() {
        "tcp" | "udp" => match range {
            (None, None) | (Some(-1), Some(-1)) | (Some(-1), None) => {}
            (Some(from), Some(to)) => {
                if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) {
                    cx.error("aws-port-invalid", at_ports(), format!("port range `{from}-{to}` is out of range"), "ports are 0-65535");
                    return None;
                }
                if from > to {
                    cx.error(
                        "aws-port-range-reversed",
                        at_ports(),
                        format!("port range `{from}-{to}` is reversed; the rule was skipped"),
                        "FromPort must not be above ToPort",
                    );
                    return None;
                }
                t.ports = if from == 0 && to == 65535 {
                    None
                } else if from == to {
                    Some(from.to_string())
                } else {
                    Some(format!("{from}-{to}"))
                };
            }
            (from, to) => {
                let msg = format!("port range has only one end (`{from:?}`, `{to:?}`); the rule was skipped");
                cx.error("aws-port-invalid", at_ports(), msg, "give FromPort and ToPort");
                return None;
            }
        },
        "icmp" | "icmpv6" => {
            for v in [range.0, range.1].into_iter().flatten() {
                if !(-1..=255).contains(&v) {
                    cx.error(
                        "aws-icmp-invalid",
                        at_ports(),
                        format!("ICMP type or code `{v}` is out of range"),
                        "use 0-255, or -1 for all",
                    );
                    return None;
                }
            }
            t.icmp_type = Some(range.0.unwrap_or(-1));
            t.icmp_code = Some(range.1.unwrap_or(-1));
        }
        _ => {}
    }
    Some(t)
}

/// Imports a set of AWS CLI outputs.
pub fn import(files: &[InputFile]) -> Imported {
    let mut cx = Cx::default();
    // Every file's tree lives in one arena, dropped whole when the import ends.
    let arena = Bump::new();
    let mut parsed: Vec<(&str, Json<'_>)> = Vec::new();
    for f in files {
        if f.text.len() > MAX_FILE_BYTES {
            cx.error(
                "aws-file-too-large",
                f.path.clone(),
                format!("the file is {} bytes, more than the limit of {MAX_FILE_BYTES} bytes; it was skipped", f.text.len()),
                "filter the output (for example with --filters or --query) or split it into several files",
            );
            continue;
        }
        match Json::parse(&f.text, &arena) {
            Ok(v) => parsed.push((f.path.as_str(), v)),
            Err(e) => cx.error(
                "aws-json-invalid",
                format!("{}#", f.path),
                format!("the file is not valid JSON (line {} column {}): {e}", e.line(), e.column()),
                "pass the unmodified output of `aws ... --output json`",
            ),
        }
    }

    // Step 1: collect resources by kind, in file order.
    let mut pointers: Vec<(usize, Kind, &'static str, usize)> = Vec::new(); // (file, kind, top-level key, index)
    for (fi, (path, v)) in parsed.iter().enumerate() {
        classify(&mut cx, fi, path, v, &mut pointers);
    }
    let mut items: BTreeMap<Kind, Vec<Item<'_>>> = BTreeMap::new();
    for &(fi, kind, key, index) in &pointers {
        let Some((path, root)) = parsed.get(fi) else { continue };
        let (v, ptr) = if key.is_empty() {
            (Some(root), Ptr::Root)
        } else {
            (root.get(key).and_then(Json::as_array).and_then(|a| a.get(index)), Ptr::Elem(ROOT, key, index))
        };
        if let Some(v) = v {
            items.entry(kind).or_default().push(Item { file: path, ptr, v });
        }
    }
    let get = |k: Kind| items.get(&k).cloned().unwrap_or_default();

    let mut doc = NetworkDoc::default();
    region(&mut cx, &get(Kind::AvailabilityZones));
    vpcs(&mut cx, &mut doc, &get(Kind::Vpcs));
    subnets(&mut cx, &mut doc, &get(Kind::Subnets));
    if cx.region.is_none() {
        cx.region = doc.subnets.iter().map(|s| s.az.trim_end_matches(|c: char| c.is_ascii_lowercase()).to_owned()).find(|r| !r.is_empty());
    }
    doc.region = cx.region.clone();
    security_groups(&mut cx, &mut doc, &get(Kind::SecurityGroups));
    prefix_lists(&mut cx, &mut doc, &get(Kind::PrefixLists), &get(Kind::ManagedPrefixLists));
    igws(&mut cx, &mut doc, &get(Kind::InternetGateways), &get(Kind::EgressOnlyInternetGateways));
    let eips = addresses(&get(Kind::Addresses));
    nats(&mut cx, &mut doc, &get(Kind::NatGateways), &eips);
    peerings(&mut cx, &mut doc, &get(Kind::VpcPeeringConnections));
    transit_gateways(&mut cx, &mut doc, &items);
    let attached = instances(&mut cx, &mut doc, &get(Kind::Reservations), &eips);
    interfaces(&mut cx, &mut doc, &get(Kind::NetworkInterfaces), &attached, &eips);
    let rtb_items = get(Kind::RouteTables);
    let rtb_vpcs: BTreeMap<String, String> = rtb_items
        .iter()
        .filter_map(|it| Some((get_str(it.v, "RouteTableId")?.to_owned(), get_str(it.v, "VpcId")?.to_owned())))
        .filter(|(_, v)| cx.vpcs.contains_key(v))
        .collect();
    endpoints(&mut cx, &mut doc, &get(Kind::VpcEndpoints), &rtb_vpcs);
    route_tables(&mut cx, &mut doc, &rtb_items);
    nacls(&mut cx, &mut doc, &get(Kind::NetworkAcls));
    sg_rules(&mut cx, &mut doc, &get(Kind::SecurityGroups), &get(Kind::SecurityGroupRules));
    sagemaker(&mut cx, &mut doc, &items);

    Imported { scenario: Scenario { vpcsim: FORMAT_VERSION, network: doc, ..Scenario::default() }, diagnostics: cx.diags }
}

/// Recognises a file by its top-level keys, or a SageMaker output by its fields.
fn classify(cx: &mut Cx, fi: usize, path: &str, v: &Json<'_>, out: &mut Vec<(usize, Kind, &'static str, usize)>) {
    let Some(obj) = v.as_object() else {
        cx.info(
            "aws-not-recognized",
            format!("{path}#"),
            format!("the file holds {}, not an AWS CLI describe output; it was skipped", type_name(v)),
            "pass outputs of `aws ec2 describe-*` or `aws sagemaker describe-*`",
        );
        return;
    };
    let sm = if obj.contains_key("NotebookInstanceName") {
        Some(Kind::SmNotebook)
    } else if obj.contains_key("TrainingJobName") {
        Some(Kind::SmTrainingJob)
    } else if obj.contains_key("ProcessingJobName") {
        Some(Kind::SmProcessingJob)
    } else if obj.contains_key("EndpointName") && obj.contains_key("EndpointConfigName") {
        Some(Kind::SmEndpoint)
    } else if obj.contains_key("EndpointConfigName") && obj.contains_key("ProductionVariants") {
        Some(Kind::SmEndpointConfig)
    } else if obj.contains_key("ModelName") && (obj.contains_key("PrimaryContainer") || obj.contains_key("Containers")) {
        Some(Kind::SmModel)
    } else if obj.contains_key("DomainId") && obj.contains_key("DomainName") {
        Some(Kind::SmDomain)
    } else {
        None
    };
    if let Some(kind) = sm {
        out.push((fi, kind, "", 0));
        return;
    }
    let mut recognised = false;
    for (key, value) in obj.iter() {
        if let Some((name, kind)) = KINDS.iter().find(|(k, _)| *k == key) {
            recognised = true;
            match value.as_array() {
                Some(a) => out.extend((0..a.len()).map(|i| (fi, *kind, *name, i))),
                None => cx.error(
                    "aws-wrong-type",
                    format!("{path}#/{}", seg(key)),
                    format!("`{key}` is {}, not an array; the file was skipped", type_name(value)),
                    "pass the unmodified output of the AWS CLI",
                ),
            }
        } else if let Some((_, what)) = UNMODELLED.iter().find(|(k, _)| *k == key) {
            recognised = true;
            cx.unmodelled(what, format!("{path}#/{}", seg(key)), "vpcsim models VPC networking: traces ignore these resources");
        }
    }
    if !recognised {
        let keys: Vec<String> = obj.keys().take(4).map(|k| format!("`{k}`")).collect();
        cx.info(
            "aws-not-recognized",
            format!("{path}#"),
            format!("the file's top-level keys ({}) are not an AWS output vpcsim imports; it was skipped", keys.join(", ")),
            "pass outputs of `aws ec2 describe-*` (Vpcs, Subnets, SecurityGroups, RouteTables...) or `aws sagemaker describe-*`",
        );
    }
}

fn region(cx: &mut Cx, azs: &[Item<'_>]) {
    for it in azs {
        if let Some(r) = get_str(it.v, "RegionName") {
            if cx.region.is_none() {
                cx.region = Some(r.to_owned());
            }
        }
    }
}

fn vpcs(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    for it in items {
        let Some(id) = cx.req_str(it, "VpcId") else { continue };
        let mut blocks: Vec<IpNet> = Vec::new();
        if let Some(c) = cx.str_of(it, "CidrBlock") {
            if let Some(net) = cx.cidr(&c, || Cx::at(it, "/CidrBlock")) {
                blocks.push(net);
            }
        }
        for (ptr, a) in cx.list(it, "CidrBlockAssociationSet") {
            let state = a.get("CidrBlockState").and_then(|s| get_str(s, "State")).unwrap_or("associated");
            if state != "associated" {
                continue;
            }
            if let Some(c) = get_str(a, "CidrBlock") {
                if let Some(net) = cx.cidr(c, || format!("{}#{ptr}/CidrBlock", it.file)) {
                    if !blocks.contains(&net) {
                        blocks.push(net);
                    }
                }
            }
        }
        let mut v6: Vec<IpNet> = Vec::new();
        for (ptr, a) in cx.list(it, "Ipv6CidrBlockAssociationSet") {
            let state = a.get("Ipv6CidrBlockState").and_then(|s| get_str(s, "State")).unwrap_or("associated");
            if state != "associated" {
                continue;
            }
            if let Some(c) = get_str(a, "Ipv6CidrBlock") {
                if let Some(net) = cx.cidr(c, || format!("{}#{ptr}/Ipv6CidrBlock", it.file)) {
                    if !v6.contains(&net) {
                        v6.push(net);
                    }
                }
            }
        }
        let v4: Vec<IpNet> = blocks.into_iter().filter(|b| matches!(b, IpNet::V4(_))).collect();
        if v4.is_empty() {
            cx.error(
                "aws-vpc-without-cidr",
                Cx::at(it, ""),
                format!("VPC `{id}` has no valid IPv4 block; it was skipped"),
                "a VPC needs a primary IPv4 CidrBlock",
            );
            continue;
        }
        if !cx.claim(&id, it) {
            continue;
        }
        let mut all = v4.clone();
        all.extend(v6.iter().copied());
        cx.vpcs.insert(id.clone(), all);
        doc.vpcs.push(VpcDoc {
            id,
            name: name_tag(it.v),
            cidr_blocks: v4.iter().map(ToString::to_string).collect(),
            ipv6_cidr_blocks: v6.iter().map(ToString::to_string).collect(),
        });
    }
}

fn subnets(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    for it in items {
        let (Some(id), Some(vpc), Some(cidr)) = (cx.req_str(it, "SubnetId"), cx.req_str(it, "VpcId"), cx.req_str(it, "CidrBlock")) else {
            continue;
        };
        let Some(net) = cx.cidr(&cidr, || Cx::at(it, "/CidrBlock")) else { continue };
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("subnet `{id}`")) {
            continue;
        }
        let inside = cx.vpcs.get(&vpc).is_some_and(|blocks| blocks.iter().any(|b| b.contains(&net)));
        if !inside {
            cx.warn(
                "aws-subnet-outside-vpc",
                Cx::at(it, "/CidrBlock"),
                format!("subnet block `{net}` is not inside the blocks of VPC `{vpc}`; the subnet was skipped"),
                "include the VPC's CidrBlockAssociationSet",
            );
            continue;
        }
        let overlap = cx.subnets.iter().find(|(_, (v, b))| *v == vpc && (b.contains(&net) || net.contains(b))).map(|(s, _)| s.clone());
        if let Some(other) = overlap {
            cx.error(
                "aws-subnet-overlap",
                Cx::at(it, "/CidrBlock"),
                format!("subnet block `{net}` overlaps subnet `{other}`; the subnet was skipped"),
                "subnets of a VPC do not overlap",
            );
            continue;
        }
        let mut ipv6 = None;
        for (ptr, a) in cx.list(it, "Ipv6CidrBlockAssociationSet") {
            let state = a.get("Ipv6CidrBlockState").and_then(|s| get_str(s, "State")).unwrap_or("associated");
            if let (Some(c), "associated", None) = (get_str(a, "Ipv6CidrBlock"), state, &ipv6) {
                ipv6 = cx.cidr(c, || format!("{}#{ptr}/Ipv6CidrBlock", it.file)).map(|n| n.to_string());
            }
        }
        if !cx.claim(&id, it) {
            continue;
        }
        cx.subnets.insert(id.clone(), (vpc.clone(), net));
        let az = cx.str_of(it, "AvailabilityZone").unwrap_or_default();
        doc.subnets.push(SubnetDoc { id, name: name_tag(it.v), vpc, cidr: net.to_string(), ipv6_cidr: ipv6, az });
    }
}

fn security_groups(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    for it in items {
        let Some(id) = cx.req_str(it, "GroupId") else { continue };
        let Some(vpc) = cx.str_of(it, "VpcId") else {
            cx.info(
                "aws-ec2-classic",
                Cx::at(it, ""),
                format!("security group `{id}` has no VpcId (EC2-Classic); it was skipped"),
                "vpcsim models VPCs only",
            );
            continue;
        };
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("security group `{id}`")) || !cx.claim(&id, it) {
            continue;
        }
        cx.sgs.insert(id.clone(), vpc.clone());
        let name = cx.str_of(it, "GroupName").unwrap_or_default();
        let description = cx.str_of(it, "Description").unwrap_or_default();
        doc.security_groups.push(SgDoc { id, name, vpc, description, inbound: vec![], outbound: vec![] });
    }
}

fn prefix_lists(cx: &mut Cx, doc: &mut NetworkDoc, pls: &[Item<'_>], managed: &[Item<'_>]) {
    for it in pls.iter().chain(managed) {
        let Some(id) = cx.req_str(it, "PrefixListId") else { continue };
        let name = cx.str_of(it, "PrefixListName").unwrap_or_default();
        let mut cidrs = Vec::new();
        for (ptr, c) in cx.str_list(it, "Cidrs") {
            if let Some(net) = cx.cidr(&c, || format!("{}#{ptr}", it.file)) {
                cidrs.push(net.to_string());
            }
        }
        for (ptr, e) in cx.list(it, "Entries") {
            if let Some(c) = get_str(e, "Cidr") {
                if let Some(net) = cx.cidr(c, || format!("{}#{ptr}/Cidr", it.file)) {
                    cidrs.push(net.to_string());
                }
            }
        }
        if doc.prefix_lists.iter().any(|p| p.id == id) {
            continue;
        }
        if !cx.claim(&id, it) {
            continue;
        }
        if cidrs.is_empty() {
            cx.info(
                "aws-prefix-list-empty",
                Cx::at(it, ""),
                format!("prefix list `{id}` has no entries in the import"),
                "add the output of `aws ec2 get-managed-prefix-list-entries` as `Entries`",
            );
        }
        cx.pls.insert(id.clone());
        doc.prefix_lists.push(PrefixListDoc { id, name, cidrs });
    }
}

fn igws(cx: &mut Cx, doc: &mut NetworkDoc, igws: &[Item<'_>], eigws: &[Item<'_>]) {
    for (items, key, egress) in [(igws, "InternetGatewayId", false), (eigws, "EgressOnlyInternetGatewayId", true)] {
        for it in items {
            let Some(id) = cx.req_str(it, key) else { continue };
            let mut vpc = None;
            for (ptr, a) in cx.list(it, "Attachments") {
                let state = get_str(a, "State").unwrap_or("available");
                if let (Some(v), "available" | "attached", None) = (get_str(a, "VpcId"), state, &vpc) {
                    if cx.known_vpc(v, || format!("{}#{ptr}/VpcId", it.file), format_args!("the attachment of `{id}`")) {
                        let taken = !egress && doc.internet_gateways.iter().any(|g| g.vpc.as_deref() == Some(v));
                        if taken {
                            let msg = format!("VPC `{v}` already has an internet gateway; `{id}` was imported detached");
                            cx.warn("aws-igw-duplicate", format!("{}#{ptr}/VpcId", it.file), msg, "a VPC has at most one internet gateway");
                        } else {
                            vpc = Some(v.to_owned());
                        }
                    }
                }
            }
            if !cx.claim(&id, it) {
                continue;
            }
            let g = IgwDoc { id: id.clone(), name: name_tag(it.v), vpc };
            if egress {
                cx.eigws.insert(id);
                doc.egress_only_internet_gateways.push(g);
            } else {
                cx.igws.insert(id);
                doc.internet_gateways.push(g);
            }
        }
    }
}

/// Elastic IPs by allocation id, network interface id and instance id.
fn addresses(items: &[Item<'_>]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for it in items {
        let Some(ip) = get_str(it.v, "PublicIp") else { continue };
        for key in ["AllocationId", "NetworkInterfaceId", "InstanceId"] {
            if let Some(k) = get_str(it.v, key) {
                out.entry(k.to_owned()).or_insert_with(|| ip.to_owned());
            }
        }
    }
    out
}

fn nats(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>], eips: &BTreeMap<String, String>) {
    for it in items {
        let Some(id) = cx.req_str(it, "NatGatewayId") else { continue };
        let state = cx.str_of(it, "State").unwrap_or_else(|| "available".to_owned());
        if matches!(state.as_str(), "deleted" | "deleting" | "failed") {
            cx.info("aws-resource-inactive", Cx::at(it, "/State"), format!("NAT gateway `{id}` is `{state}`; it was skipped"), "");
            continue;
        }
        let Some(subnet) = cx.req_str(it, "SubnetId") else { continue };
        if !cx.known_subnet(&subnet, || Cx::at(it, "/SubnetId"), format_args!("NAT gateway `{id}`")) {
            continue;
        }
        let private = cx.str_of(it, "ConnectivityType").is_some_and(|c| c == "private");
        let addrs = cx.list(it, "NatGatewayAddresses");
        let first = addrs.first().map(|(p, a)| (*p, *a));
        let mut private_ip = None;
        let mut public_ip = None;
        if let Some((ptr, a)) = first {
            if let Some(ip) = get_str(a, "PrivateIp") {
                private_ip = cx.ip(ip, Some(&subnet), || format!("{}#{ptr}/PrivateIp", it.file));
            }
            public_ip = get_str(a, "PublicIp")
                .map(str::to_owned)
                .or_else(|| get_str(a, "AllocationId").and_then(|k| eips.get(k)).cloned())
                .or_else(|| get_str(a, "NetworkInterfaceId").and_then(|k| eips.get(k)).cloned());
        }
        if !private && public_ip.is_none() {
            cx.warn(
                "aws-nat-without-eip",
                Cx::at(it, "/NatGatewayAddresses"),
                format!("public NAT gateway `{id}` has no Elastic IP in the import; it was skipped"),
                "include NatGatewayAddresses with PublicIp, or the Addresses output",
            );
            continue;
        }
        if !cx.claim(&id, it) {
            continue;
        }
        cx.nats.insert(id.clone());
        let connectivity = if private { "private" } else { "public" }.to_owned();
        doc.nat_gateways.push(NatDoc {
            id,
            name: name_tag(it.v),
            subnet,
            connectivity,
            private_ip,
            public_ip: public_ip.filter(|_| !private),
        });
    }
}

fn overlaps(a: &[IpNet], b: &[IpNet]) -> bool {
    a.iter().filter(|x| x.addr().is_ipv4()).any(|x| b.iter().filter(|y| y.addr().is_ipv4()).any(|y| x.contains(y) || y.contains(x)))
}

fn peerings(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    for it in items {
        let Some(id) = cx.req_str(it, "VpcPeeringConnectionId") else { continue };
        let req = it.v.get("RequesterVpcInfo").and_then(|x| get_str(x, "VpcId")).map(str::to_owned);
        let acc = it.v.get("AccepterVpcInfo").and_then(|x| get_str(x, "VpcId")).map(str::to_owned);
        let status = it.v.get("Status").and_then(|s| get_str(s, "Code")).unwrap_or("active").to_owned();
        let (Some(req), Some(acc)) = (req, acc) else {
            cx.error(
                "aws-field-missing",
                Cx::at(it, ""),
                format!("peering `{id}` lacks RequesterVpcInfo.VpcId or AccepterVpcInfo.VpcId; it was skipped"),
                "pass the unmodified output of the AWS CLI",
            );
            continue;
        };
        if !matches!(status.as_str(), "active" | "pending-acceptance" | "provisioning") {
            cx.info("aws-resource-inactive", Cx::at(it, "/Status/Code"), format!("peering `{id}` is `{status}`; it was skipped"), "");
            continue;
        }
        let what = format!("peering `{id}`");
        if !cx.known_vpc(&req, || Cx::at(it, "/RequesterVpcInfo/VpcId"), &what)
            || !cx.known_vpc(&acc, || Cx::at(it, "/AccepterVpcInfo/VpcId"), &what)
        {
            continue;
        }
        let (a, b) = (cx.vpcs.get(&req).cloned().unwrap_or_default(), cx.vpcs.get(&acc).cloned().unwrap_or_default());
        if req == acc || overlaps(&a, &b) {
            cx.warn(
                "aws-peering-overlap",
                Cx::at(it, ""),
                format!("VPCs `{req}` and `{acc}` of peering `{id}` overlap; it was skipped"),
                "VPCs with overlapping IPv4 blocks cannot be peered",
            );
            continue;
        }
        if !cx.claim(&id, it) {
            continue;
        }
        cx.pcxs.insert(id.clone());
        doc.peering_connections.push(PeeringDoc { id, name: name_tag(it.v), requester_vpc: req, accepter_vpc: acc, status });
    }
}

/// A transit gateway attachment: id, transit gateway, VPC, subnets, associated route table.
type Attachment = (String, String, String, Vec<String>, Option<String>);

/// Transit gateways with one route table each: the default association table. Attachments
/// come from TransitGatewayVpcAttachments (with subnets) and TransitGatewayAttachments.
fn transit_gateways(cx: &mut Cx, doc: &mut NetworkDoc, items: &BTreeMap<Kind, Vec<Item<'_>>>) {
    let empty: Vec<Item<'_>> = Vec::new();
    let get = |k: Kind| items.get(&k).unwrap_or(&empty);
    let mut tgws: Vec<(TgwDoc, Option<String>)> = Vec::new();
    for it in get(Kind::TransitGateways) {
        let Some(id) = cx.req_str(it, "TransitGatewayId") else { continue };
        let state = get_str(it.v, "State").unwrap_or("available");
        if matches!(state, "deleted" | "deleting") {
            cx.info("aws-resource-inactive", Cx::at(it, "/State"), format!("transit gateway `{id}` is `{state}`; it was skipped"), "");
            continue;
        }
        if !cx.claim(&id, it) {
            continue;
        }
        let table = it.v.get("Options").and_then(|o| get_str(o, "AssociationDefaultRouteTableId")).map(str::to_owned);
        tgws.push((TgwDoc { id, name: name_tag(it.v), attachments: vec![], routes: vec![] }, table));
    }
    // Attachments, merged by id.
    let mut atts: Vec<Attachment> = Vec::new();
    for it in get(Kind::TransitGatewayVpcAttachments).iter().chain(get(Kind::TransitGatewayAttachments)) {
        let Some(id) = cx.req_str(it, "TransitGatewayAttachmentId") else { continue };
        let kind = get_str(it.v, "ResourceType").unwrap_or("vpc");
        let state = get_str(it.v, "State").unwrap_or("available");
        if matches!(state, "deleted" | "deleting" | "failed" | "rejected") {
            continue;
        }
        if kind != "vpc" {
            cx.unmodelled(
                "transit gateway attachments other than VPC attachments",
                Cx::at(it, "/ResourceType"),
                "only VPC attachments are traced",
            );
            continue;
        }
        let tgw = get_str(it.v, "TransitGatewayId").unwrap_or_default().to_owned();
        let vpc = get_str(it.v, "VpcId").or_else(|| get_str(it.v, "ResourceId")).unwrap_or_default().to_owned();
        let subnets: Vec<String> = cx.str_list(it, "SubnetIds").into_iter().map(|(_, s)| s).collect();
        let table = it.v.get("Association").and_then(|a| get_str(a, "TransitGatewayRouteTableId")).map(str::to_owned);
        if let Some(existing) = atts.iter_mut().find(|a| a.0 == id) {
            if existing.3.is_empty() {
                existing.3 = subnets;
            }
            if existing.4.is_none() {
                existing.4 = table;
            }
            continue;
        }
        if !cx.known_vpc(&vpc, || Cx::at(it, ""), format_args!("transit gateway attachment `{id}`")) {
            continue;
        }
        if !tgws.iter().any(|(t, _)| t.id == tgw) {
            if tgw.is_empty() || cx.ids.contains(&tgw) {
                continue;
            }
            // A transit gateway shared from another account: model it from its attachments.
            cx.info(
                "aws-implicit-transit-gateway",
                Cx::at(it, "/TransitGatewayId"),
                format!("transit gateway `{tgw}` is not in the import; it was created from its attachments"),
                "include the TransitGateways output of the owning account",
            );
            cx.ids.insert(tgw.clone());
            tgws.push((TgwDoc { id: tgw.clone(), name: String::new(), attachments: vec![], routes: vec![] }, None));
        }
        atts.push((id, tgw, vpc, subnets, table));
    }
    // Propagations per route table.
    let mut props: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for it in get(Kind::TransitGatewayPropagations) {
        let table = get_str(it.v, "TransitGatewayRouteTableId").unwrap_or_default().to_owned();
        for (_, p) in cx.list(it, "TransitGatewayRouteTablePropagations") {
            if let Some(a) = get_str(p, "TransitGatewayAttachmentId") {
                props.entry(table.clone()).or_default().insert(a.to_owned(), get_str(p, "State") == Some("enabled"));
            }
        }
    }
    let tables: Vec<(String, String)> = get(Kind::TransitGatewayRouteTables)
        .iter()
        .filter_map(|it| Some((get_str(it.v, "TransitGatewayRouteTableId")?.to_owned(), get_str(it.v, "TransitGatewayId")?.to_owned())))
        .collect();
    let mut simplified = false;
    for (t, default_table) in &mut tgws {
        if default_table.is_none() {
            *default_table = atts.iter().filter(|a| a.1 == t.id).find_map(|a| a.4.clone());
        }
        if tables.iter().filter(|(_, g)| *g == t.id).count() > 1 {
            simplified = true;
        }
        for (id, tgw, vpc, subnets, table) in &atts {
            if *tgw != t.id {
                continue;
            }
            if table.is_some() && table != default_table {
                simplified = true;
            }
            if !cx.claim(id, &Item { file: "", ptr: Ptr::Root, v: &Json::Null }) {
                continue;
            }
            let subnets: Vec<String> = subnets.iter().filter(|s| cx.subnets.get(*s).is_some_and(|(v, _)| v == vpc)).cloned().collect();
            let propagate = default_table.as_ref().and_then(|d| props.get(d)).map(|p| p.get(id).copied().unwrap_or(false)).unwrap_or(true);
            t.attachments.push(TgwAttachmentDoc { id: id.clone(), vpc: vpc.clone(), subnets, propagate });
        }
    }
    if simplified {
        cx.info(
            "aws-tgw-route-tables-simplified",
            format!("{}#", get(Kind::TransitGatewayRouteTables).first().map(|i| i.file).unwrap_or_default()),
            "transit gateways with several route tables were imported with their default association table only".to_owned(),
            "vpcsim models one route table per transit gateway",
        );
    }
    for it in get(Kind::TransitGatewayStaticRoutes) {
        let table = get_str(it.v, "TransitGatewayRouteTableId").map(str::to_owned);
        let Some((t, _)) = tgws.iter_mut().find(|(_, d)| d.is_some() && *d == table) else { continue };
        for (ptr, r) in cx.list(it, "Routes") {
            if get_str(r, "Type") == Some("propagated") {
                continue;
            }
            let Some(dest) = get_str(r, "DestinationCidrBlock") else { continue };
            let Some(net) = cx.cidr(dest, || format!("{}#{ptr}/DestinationCidrBlock", it.file)) else { continue };
            let attachment = if get_str(r, "State") == Some("blackhole") {
                None
            } else {
                let a = r
                    .get("TransitGatewayAttachments")
                    .and_then(Json::as_array)
                    .and_then(|a| a.first())
                    .and_then(|a| get_str(a, "TransitGatewayAttachmentId"))
                    .map(str::to_owned);
                match a {
                    Some(a) if t.attachments.iter().any(|x| x.id == a) => Some(a),
                    other => {
                        let known: Vec<&str> = t.attachments.iter().map(|x| x.id.as_str()).collect();
                        cx.warn(
                            "aws-unknown-tgw-attachment",
                            format!("{}#{ptr}", it.file),
                            format!(
                                "the route to `{net}` targets `{}`, which is not a modelled VPC attachment; it was skipped",
                                other.unwrap_or_default()
                            ),
                            did_you_mean("", known, "attachments"),
                        );
                        continue;
                    }
                }
            };
            if !t.routes.iter().any(|x| x.destination == net.to_string()) {
                t.routes.push(TgwRouteDoc { destination: net.to_string(), attachment });
            }
        }
    }
    for (t, _) in tgws {
        cx.tgws.insert(t.id.clone());
        doc.transit_gateways.push(t);
    }
}

/// Instances from `Reservations[].Instances[]`, with their primary network interface.
/// Returns the ids of the interfaces they use.
fn instances(cx: &mut Cx, doc: &mut NetworkDoc, reservations: &[Item<'_>], eips: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut enis = BTreeSet::new();
    for r in reservations {
        for (ptr, v) in cx.list(r, "Instances") {
            let it = Item { file: r.file, ptr, v };
            let Some(id) = cx.req_str(&it, "InstanceId") else { continue };
            let state = v.get("State").and_then(|s| get_str(s, "Name")).unwrap_or("running");
            if matches!(state, "terminated" | "shutting-down") {
                cx.info("aws-resource-inactive", Cx::at(&it, "/State/Name"), format!("instance `{id}` is `{state}`; it was skipped"), "");
                continue;
            }
            let nics = cx.list(&it, "NetworkInterfaces");
            for (_, n) in &nics {
                if let Some(e) = get_str(n, "NetworkInterfaceId") {
                    enis.insert(e.to_owned());
                }
            }
            let primary = nics
                .iter()
                .find(|(_, n)| n.get("Attachment").and_then(|a| a.get("DeviceIndex")).and_then(Json::as_i64) == Some(0))
                .or_else(|| nics.first())
                .map(|(p, n)| (*p, *n));
            if nics.len() > 1 {
                cx.unmodelled(
                    "secondary network interfaces of instances",
                    Cx::at(&it, "/NetworkInterfaces"),
                    "vpcsim models one network interface per instance, the primary one",
                );
            }
            let nic = primary.as_ref().map(|(p, n)| Item { file: r.file, ptr: *p, v: n });
            let subnet = nic
                .as_ref()
                .and_then(|n| get_str(n.v, "SubnetId"))
                .map(str::to_owned)
                .or_else(|| get_str(v, "SubnetId").map(str::to_owned));
            let Some(subnet) = subnet else {
                cx.info(
                    "aws-ec2-classic",
                    Cx::at(&it, ""),
                    format!("instance `{id}` has no subnet; it was skipped"),
                    "vpcsim models VPCs only",
                );
                continue;
            };
            if !cx.known_subnet(&subnet, || Cx::at(&it, "/SubnetId"), format_args!("instance `{id}`")) {
                continue;
            }
            let vpc = cx.subnets.get(&subnet).map(|(v, _)| v.clone()).unwrap_or_default();
            let src = nic.unwrap_or(it);
            let private_ip = get_str(src.v, "PrivateIpAddress").or_else(|| get_str(v, "PrivateIpAddress")).map(str::to_owned);
            let private_ip = match private_ip {
                Some(ip) => cx.ip(&ip, Some(&subnet), || Cx::at(&src, "/PrivateIpAddress")),
                None => None,
            };
            let eni = nic.as_ref().and_then(|n| get_str(n.v, "NetworkInterfaceId")).map(str::to_owned);
            let public = nic
                .as_ref()
                .and_then(|n| n.v.get("Association"))
                .and_then(|a| get_str(a, "PublicIp"))
                .or_else(|| get_str(v, "PublicIpAddress"))
                .map(str::to_owned)
                .or_else(|| eips.get(&id).cloned())
                .or_else(|| eni.as_ref().and_then(|e| eips.get(e)).cloned());
            let public_ip = match public {
                Some(ip) => cx.ip(&ip, None, || Cx::at(&it, "/PublicIpAddress")),
                None => None,
            };
            let ipv6 = nic
                .as_ref()
                .and_then(|n| n.v.get("Ipv6Addresses"))
                .and_then(Json::as_array)
                .and_then(|a| a.first())
                .and_then(|a| get_str(a, "Ipv6Address"))
                .and_then(|ip| cx.ip(ip, None, || Cx::at(&src, "/Ipv6Addresses/0")));
            let groups: Vec<(Ptr<'_>, String)> = match &nic {
                Some(n) if n.v.get("Groups").is_some() => {
                    cx.list(n, "Groups").into_iter().filter_map(|(p, g)| Some((p, get_str(g, "GroupId")?.to_owned()))).collect()
                }
                _ => cx.list(&it, "SecurityGroups").into_iter().filter_map(|(p, g)| Some((p, get_str(g, "GroupId")?.to_owned()))).collect(),
            };
            let security_groups = cx.filter_sgs(groups, &vpc, r.file);
            if !cx.claim(&id, &it) {
                continue;
            }
            let eni = eni.filter(|e| cx.ids.insert(e.clone()));
            cx.enis.insert(id.clone());
            if let Some(e) = &eni {
                cx.enis.insert(e.clone());
            }
            doc.instances.push(InstanceDoc { id, name: name_tag(v), subnet, private_ip, public_ip, ipv6, security_groups, eni });
        }
    }
    enis
}

/// Network interfaces not attached to an imported instance.
///
/// Decision: an interface the customer created (`InterfaceType` `interface`, not
/// requester-managed) whose primary attachment names an instance missing from the import
/// becomes an instance with that id, and an unattached one becomes an instance named by
/// the interface id: both can be traced to and targeted by routes. Interfaces that AWS
/// manages for NAT gateways, VPC endpoints, transit gateways and load balancers are
/// modelled through their owner (or not at all) and are skipped.
fn interfaces(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>], attached: &BTreeSet<String>, eips: &BTreeMap<String, String>) {
    for it in items {
        let Some(eni) = cx.req_str(it, "NetworkInterfaceId") else { continue };
        if attached.contains(&eni) || cx.ids.contains(&eni) {
            continue;
        }
        let kind = get_str(it.v, "InterfaceType").unwrap_or("interface");
        let managed = it.v.get("RequesterManaged").and_then(Json::as_bool).unwrap_or(false);
        let attachment = it.v.get("Attachment");
        let instance = attachment.and_then(|a| get_str(a, "InstanceId"));
        let device = attachment.and_then(|a| a.get("DeviceIndex")).and_then(Json::as_i64);
        if kind != "interface" || managed || attachment.and_then(|a| get_str(a, "InstanceOwnerId")) == Some("amazon-elb") {
            continue;
        }
        if instance.is_some_and(|i| cx.ids.contains(i)) || (instance.is_some() && device != Some(0)) {
            continue;
        }
        let Some(subnet) = cx.req_str(it, "SubnetId") else { continue };
        if !cx.known_subnet(&subnet, || Cx::at(it, "/SubnetId"), format_args!("network interface `{eni}`")) {
            continue;
        }
        let vpc = cx.subnets.get(&subnet).map(|(v, _)| v.clone()).unwrap_or_default();
        let id = instance.map(str::to_owned).unwrap_or_else(|| eni.clone());
        let private_ip = match get_str(it.v, "PrivateIpAddress") {
            Some(ip) => cx.ip(ip, Some(&subnet), || Cx::at(it, "/PrivateIpAddress")),
            None => None,
        };
        let public = it.v.get("Association").and_then(|a| get_str(a, "PublicIp")).map(str::to_owned).or_else(|| eips.get(&eni).cloned());
        let public_ip = match public {
            Some(ip) => cx.ip(&ip, None, || Cx::at(it, "/Association/PublicIp")),
            None => None,
        };
        let groups: Vec<(Ptr<'_>, String)> =
            cx.list(it, "Groups").into_iter().filter_map(|(p, g)| Some((p, get_str(g, "GroupId")?.to_owned()))).collect();
        let security_groups = cx.filter_sgs(groups, &vpc, it.file);
        if !cx.claim(&id, it) {
            continue;
        }
        let eni_field = if id == eni { None } else { Some(eni.clone()).filter(|e| cx.ids.insert(e.clone())) };
        cx.info(
            "aws-interface-as-instance",
            Cx::at(it, ""),
            format!("network interface `{eni}` is not attached to an imported instance; it was imported as instance `{id}`"),
            "include the Reservations output to import the instance itself",
        );
        cx.enis.insert(id.clone());
        cx.enis.insert(eni.clone());
        doc.instances.push(InstanceDoc {
            id,
            name: name_tag(it.v),
            subnet,
            private_ip,
            public_ip,
            ipv6: None,
            security_groups,
            eni: eni_field,
        });
    }
}

fn endpoints(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>], rtb_vpcs: &BTreeMap<String, String>) {
    for it in items {
        let (Some(id), Some(vpc), Some(service)) =
            (cx.req_str(it, "VpcEndpointId"), cx.req_str(it, "VpcId"), cx.req_str(it, "ServiceName"))
        else {
            continue;
        };
        let state = get_str(it.v, "State").unwrap_or("available").to_ascii_lowercase();
        if matches!(state.as_str(), "deleted" | "deleting" | "failed" | "rejected" | "expired") {
            cx.info("aws-resource-inactive", Cx::at(it, "/State"), format!("VPC endpoint `{id}` is `{state}`; it was skipped"), "");
            continue;
        }
        let kind = match get_str(it.v, "VpcEndpointType").unwrap_or("Gateway") {
            "Gateway" => "gateway",
            "Interface" => "interface",
            other => {
                cx.unmodelled(
                    &format!("`{other}` VPC endpoints"),
                    Cx::at(it, "/VpcEndpointType"),
                    "vpcsim models gateway and interface endpoints",
                );
                continue;
            }
        };
        let Some(svc) = Service::parse(&service) else {
            cx.info(
                "aws-vpce-service-unmodelled",
                Cx::at(it, "/ServiceName"),
                format!("endpoint `{id}` serves `{service}`, a service vpcsim does not model; it was skipped"),
                "vpcsim models s3, dynamodb, sagemaker.api, sagemaker.runtime, sts, logs, ecr.api and ecr.dkr",
            );
            continue;
        };
        if kind == "gateway" && !svc.has_gateway_endpoint() {
            cx.info(
                "aws-vpce-service-unmodelled",
                Cx::at(it, "/ServiceName"),
                format!("gateway endpoint `{id}` for `{service}` was skipped"),
                "",
            );
            continue;
        }
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("endpoint `{id}`")) {
            continue;
        }
        let mut route_tables = Vec::new();
        for (ptr, r) in cx.str_list(it, "RouteTableIds") {
            if rtb_vpcs.get(&r) == Some(&vpc) {
                route_tables.push(r);
            } else {
                let help = did_you_mean(&r, rtb_vpcs.keys().map(String::as_str), "route tables");
                cx.warn(
                    "aws-unknown-route-table",
                    format!("{}#{ptr}", it.file),
                    format!("route table `{r}` is not in the import (in this VPC); the association was left out"),
                    help,
                );
            }
        }
        let mut subnets = Vec::new();
        for (ptr, s) in cx.str_list(it, "SubnetIds") {
            if cx.subnets.get(&s).is_some_and(|(v, _)| *v == vpc) {
                subnets.push(s);
            } else {
                cx.known_subnet(&s, || format!("{}#{ptr}", it.file), "the interface in it");
            }
        }
        let groups: Vec<(String, String)> = cx
            .list(it, "Groups")
            .into_iter()
            .filter_map(|(p, g)| Some((format!("{p}/GroupId"), get_str(g, "GroupId")?.to_owned())))
            .collect();
        let security_groups = if kind == "interface" { cx.filter_sgs(groups, &vpc, it.file) } else { vec![] };
        let private_dns = kind == "gateway" || it.v.get("PrivateDnsEnabled").and_then(Json::as_bool).unwrap_or(true);
        let policy = match it.v.get("PolicyDocument") {
            Some(Json::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(p) => Some(p),
                Err(e) => {
                    let msg = format!("the endpoint policy is not valid JSON ({e}); full access was assumed");
                    cx.warn("aws-policy-invalid", Cx::at(it, "/PolicyDocument"), msg, "pass the policy as AWS returns it");
                    None
                }
            },
            Some(p @ Json::Object(_)) => Some(p.to_value()),
            _ => None,
        };
        if !cx.claim(&id, it) {
            continue;
        }
        cx.vpces.insert(id.clone());
        doc.vpc_endpoints.push(VpceDoc {
            id,
            name: name_tag(it.v),
            vpc,
            service,
            kind: kind.to_owned(),
            route_tables,
            subnets,
            security_groups,
            private_dns,
            policy,
        });
    }
}

fn route_tables(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    let mut assoc_taken: BTreeSet<String> = BTreeSet::new();
    let mut main_taken: BTreeSet<String> = BTreeSet::new();
    for it in items {
        let (Some(id), Some(vpc)) = (cx.req_str(it, "RouteTableId"), cx.req_str(it, "VpcId")) else { continue };
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("route table `{id}`")) {
            continue;
        }
        if doc.route_tables.iter().any(|r| r.id == id) || !cx.claim(&id, it) {
            continue;
        }
        let mut main = false;
        let mut subnets = Vec::new();
        for (ptr, a) in cx.list(it, "Associations") {
            let at = || format!("{}#{ptr}", it.file);
            if a.get("Main").and_then(Json::as_bool) == Some(true) {
                if main_taken.insert(vpc.clone()) {
                    main = true;
                } else {
                    cx.warn("aws-route-table-main-duplicate", at(), format!("VPC `{vpc}` already has a main route table"), "");
                }
            }
            if let Some(s) = get_str(a, "SubnetId") {
                if cx.subnets.get(s).is_none_or(|(v, _)| *v != vpc) {
                    cx.known_subnet(s, || format!("{}/SubnetId", at()), "its association");
                } else if assoc_taken.insert(s.to_owned()) {
                    subnets.push(s.to_owned());
                } else {
                    cx.warn("aws-association-duplicate", format!("{}/SubnetId", at()), format!("subnet `{s}` is associated twice"), "");
                }
            } else if get_str(a, "GatewayId").is_some() {
                cx.unmodelled("route table edge associations", at(), "ingress routing through a gateway association is not traced");
            }
        }
        let mut routes: Vec<RouteDoc> = Vec::new();
        for (ptr, r) in cx.list(it, "Routes") {
            let rit = Item { file: it.file, ptr, v: r };
            if let Some(route) = route(cx, &rit, &vpc) {
                let same =
                    routes.iter().any(|x| x.destination == route.destination && x.destination_prefix_list == route.destination_prefix_list);
                if same {
                    cx.warn(
                        "aws-route-duplicate",
                        Cx::at(&rit, ""),
                        "the route repeats a destination of the table; it was skipped".to_owned(),
                        "",
                    );
                } else {
                    routes.push(route);
                }
            }
        }
        doc.route_tables.push(RouteTableDoc { id, name: name_tag(it.v), vpc, main, subnets, routes });
    }
}

/// One route; `None` for implicit local routes, gateway endpoint routes and what is not modelled.
fn route(cx: &mut Cx, it: &Item<'_>, vpc: &str) -> Option<RouteDoc> {
    let origin = get_str(it.v, "Origin").unwrap_or("CreateRoute");
    let gateway = get_str(it.v, "GatewayId");
    if origin == "CreateRouteTable" || gateway == Some("local") {
        return None;
    }
    if gateway.is_some_and(|g| g.starts_with("vpce-")) && get_str(it.v, "DestinationPrefixListId").is_some() {
        // Gateway endpoint routes come from the endpoint's RouteTableIds (EP-2).
        return None;
    }
    let mut destination = None;
    let mut destination_prefix_list = None;
    if let Some(d) = get_str(it.v, "DestinationCidrBlock").or_else(|| get_str(it.v, "DestinationIpv6CidrBlock")) {
        let key = if it.v.get("DestinationCidrBlock").is_some() { "/DestinationCidrBlock" } else { "/DestinationIpv6CidrBlock" };
        destination = Some(cidr_text(cx.cidr(d, || Cx::at(it, key))?));
    } else if let Some(p) = get_str(it.v, "DestinationPrefixListId") {
        if !cx.pls.contains(p) {
            let help = did_you_mean(p, cx.pls.iter().map(String::as_str), "prefix lists");
            cx.warn(
                "aws-unknown-prefix-list",
                Cx::at(it, "/DestinationPrefixListId"),
                format!("prefix list `{p}` is not in the import; the route was skipped"),
                help,
            );
            return None;
        }
        destination_prefix_list = Some(p.to_owned());
    } else {
        cx.error("aws-field-missing", Cx::at(it, ""), "the route has no destination; it was skipped".to_owned(), "");
        return None;
    }
    let targets = [
        "NatGatewayId",
        "VpcPeeringConnectionId",
        "TransitGatewayId",
        "EgressOnlyInternetGatewayId",
        "NetworkInterfaceId",
        "InstanceId",
        "GatewayId",
    ];
    let Some((key, target)) = targets.iter().find_map(|k| get_str(it.v, k).map(|t| (*k, t.to_owned()))) else {
        for k in ["CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"] {
            if it.v.get(k).is_some() {
                cx.unmodelled(&format!("routes to a `{k}`"), Cx::at(it, ""), "the route was skipped");
                return None;
            }
        }
        cx.warn("aws-route-no-target", Cx::at(it, ""), "the route has no target vpcsim models; it was skipped".to_owned(), "");
        return None;
    };
    // An instance route names both the instance and its interface: use whichever is known.
    let target = if key == "NetworkInterfaceId" && !cx.enis.contains(&target) {
        get_str(it.v, "InstanceId").filter(|i| cx.enis.contains(*i)).map(str::to_owned).unwrap_or(target)
    } else {
        target
    };
    let known = target.starts_with("vgw-")
        || cx.igws.contains(&target)
        || cx.eigws.contains(&target)
        || cx.nats.contains(&target)
        || cx.pcxs.contains(&target)
        || cx.tgws.contains(&target)
        || cx.enis.contains(&target);
    if !known {
        let all: Vec<&str> = cx.igws.iter().chain(&cx.nats).chain(&cx.pcxs).chain(&cx.tgws).chain(&cx.eigws).map(String::as_str).collect();
        cx.warn(
            "aws-unknown-route-target",
            Cx::at(it, &format!("/{key}")),
            format!("route target `{target}` is not in the import; the route was skipped (AWS would drop matching packets)"),
            did_you_mean(&target, all, "route targets"),
        );
        return None;
    }
    // Routes more specific than the VPC's local route are only valid to whole subnets.
    if let Some(net) = destination.as_deref().and_then(|d| d.parse::<IpNet>().ok()) {
        let inside = cx.vpcs.get(vpc).is_some_and(|bs| bs.iter().any(|b| b.contains(&net) && net.prefix_len() > b.prefix_len()));
        let whole_subnet = cx.subnets.values().any(|(v, b)| v == vpc && *b == net);
        if inside && !(whole_subnet && (cx.nats.contains(&target) || cx.enis.contains(&target))) {
            cx.warn(
                "aws-route-more-specific-than-local",
                Cx::at(it, ""),
                format!("route to `{net}` is inside the VPC's local range; it was skipped"),
                "",
            );
            return None;
        }
    }
    Some(RouteDoc { destination, destination_prefix_list, target, propagated: origin == "EnableVgwRoutePropagation" })
}

fn nacls(cx: &mut Cx, doc: &mut NetworkDoc, items: &[Item<'_>]) {
    let mut assoc_taken: BTreeSet<String> = BTreeSet::new();
    let mut default_taken: BTreeSet<String> = BTreeSet::new();
    for it in items {
        let (Some(id), Some(vpc)) = (cx.req_str(it, "NetworkAclId"), cx.req_str(it, "VpcId")) else { continue };
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("network ACL `{id}`")) {
            continue;
        }
        if doc.network_acls.iter().any(|n| n.id == id) || !cx.claim(&id, it) {
            continue;
        }
        let default = cx.bool_of(it, "IsDefault") && default_taken.insert(vpc.clone());
        let mut subnets = Vec::new();
        for (ptr, a) in cx.list(it, "Associations") {
            if let Some(s) = get_str(a, "SubnetId") {
                if cx.subnets.get(s).is_none_or(|(v, _)| *v != vpc) {
                    cx.known_subnet(s, || format!("{}#{ptr}/SubnetId", it.file), "its association");
                } else if assoc_taken.insert(s.to_owned()) {
                    subnets.push(s.to_owned());
                }
            }
        }
        let mut inbound: Vec<NaclEntryDoc> = Vec::new();
        let mut outbound: Vec<NaclEntryDoc> = Vec::new();
        for (ptr, e) in cx.list(it, "Entries") {
            let eit = Item { file: it.file, ptr, v: e };
            let Some(rule) = cx.int_of(&eit, "RuleNumber") else {
                cx.error("aws-field-missing", Cx::at(&eit, ""), "the entry has no RuleNumber; it was skipped".to_owned(), "");
                continue;
            };
            if rule == 32767 || rule == 32768 {
                continue; // the final `*` deny is implicit
            }
            if !(1..=32766).contains(&rule) {
                cx.error(
                    "aws-nacl-rule-number",
                    Cx::at(&eit, "/RuleNumber"),
                    format!("rule number `{rule}` is out of range; the entry was skipped"),
                    "NACL rule numbers are 1-32766",
                );
                continue;
            }
            let egress = cx.bool_of(&eit, "Egress");
            let action = cx.str_of(&eit, "RuleAction").unwrap_or_default().to_ascii_lowercase();
            if action != "allow" && action != "deny" {
                cx.error(
                    "aws-nacl-action-invalid",
                    Cx::at(&eit, "/RuleAction"),
                    format!("rule action `{action}` is not valid; the entry was skipped"),
                    "use allow or deny",
                );
                continue;
            }
            let (cidr_key, cidr) = match (cx.str_of(&eit, "CidrBlock"), cx.str_of(&eit, "Ipv6CidrBlock")) {
                (Some(c), _) => ("/CidrBlock", c),
                (None, Some(c)) => ("/Ipv6CidrBlock", c),
                (None, None) => {
                    cx.error("aws-field-missing", Cx::at(&eit, ""), "the entry has no CidrBlock; it was skipped".to_owned(), "");
                    continue;
                }
            };
            let Some(net) = cx.rule_cidr(&cidr, || Cx::at(&eit, cidr_key)) else { continue };
            let proto = cx.str_of(&eit, "Protocol").unwrap_or_else(|| "-1".to_owned());
            let range = match (e.get("PortRange"), e.get("IcmpTypeCode")) {
                (Some(p), _) if !matches!(proto.as_str(), "1" | "58") => {
                    (p.get("From").and_then(Json::as_i64), p.get("To").and_then(Json::as_i64))
                }
                (_, Some(c)) => (c.get("Type").and_then(Json::as_i64), c.get("Code").and_then(Json::as_i64)),
                _ => (None, None),
            };
            let Some(t) = traffic(cx, &proto, range, || Cx::at(&eit, "/Protocol"), || Cx::at(&eit, "/PortRange")) else { continue };
            let list = if egress { &mut outbound } else { &mut inbound };
            if list.iter().any(|x| x.rule == rule) {
                cx.error(
                    "aws-nacl-duplicate-rule",
                    Cx::at(&eit, "/RuleNumber"),
                    format!("rule number `{rule}` is used twice; the entry was skipped"),
                    "",
                );
                continue;
            }
            list.push(NaclEntryDoc {
                rule,
                action,
                protocol: t.protocol,
                ports: t.ports,
                icmp_type: t.icmp_type,
                icmp_code: t.icmp_code,
                cidr: cidr_text(net),
                description: String::new(),
            });
        }
        inbound.sort_by_key(|e| e.rule);
        outbound.sort_by_key(|e| e.rule);
        doc.network_acls.push(NaclDoc { id, name: name_tag(it.v), vpc, default, subnets, inbound, outbound });
    }
}

/// SG rules from IpPermissions/IpPermissionsEgress and from describe-security-group-rules.
fn sg_rules(cx: &mut Cx, doc: &mut NetworkDoc, groups: &[Item<'_>], rules: &[Item<'_>]) {
    // Where each group is in the document (the first with its id).
    let mut positions: BTreeMap<String, usize> = BTreeMap::new();
    for (pos, g) in doc.security_groups.iter().enumerate() {
        positions.entry(g.id.clone()).or_insert(pos);
    }
    for it in groups {
        let Some(id) = get_str(it.v, "GroupId") else { continue };
        let Some(&pos) = positions.get(id) else { continue };
        // Only the first occurrence of a group was imported.
        if !cx.sgs.contains_key(id) || doc.security_groups.get(pos).is_some_and(|g| !g.inbound.is_empty() || !g.outbound.is_empty()) {
            continue;
        }
        let mut inbound = Vec::new();
        let mut outbound = Vec::new();
        for (key, out) in [("IpPermissions", &mut inbound), ("IpPermissionsEgress", &mut outbound)] {
            for (ptr, p) in cx.list(it, key) {
                let pit = Item { file: it.file, ptr, v: p };
                out.extend(permission(cx, &pit));
            }
        }
        if let Some(g) = doc.security_groups.get_mut(pos) {
            g.inbound = inbound;
            g.outbound = outbound;
        }
    }
    for it in rules {
        let Some(gid) = cx.req_str(it, "GroupId") else { continue };
        let Some(&pos) = positions.get(&gid) else {
            let help = did_you_mean(&gid, cx.sgs.keys().map(String::as_str), "security groups");
            cx.warn(
                "aws-unknown-security-group",
                Cx::at(it, "/GroupId"),
                format!("security group `{gid}` is not in the import; the rule was skipped"),
                help,
            );
            continue;
        };
        let proto = cx.str_of(it, "IpProtocol").unwrap_or_else(|| "-1".to_owned());
        let range = (cx.int_of(it, "FromPort"), cx.int_of(it, "ToPort"));
        let Some(t) = traffic(cx, &proto, range, || Cx::at(it, "/IpProtocol"), || Cx::at(it, "/FromPort")) else { continue };
        let description = cx.str_of(it, "Description").unwrap_or_default();
        let mut rule = SgRuleDoc {
            protocol: t.protocol,
            ports: t.ports,
            icmp_type: t.icmp_type,
            icmp_code: t.icmp_code,
            description,
            ..SgRuleDoc::default()
        };
        if let Some(c) = cx.str_of(it, "CidrIpv4").or_else(|| cx.str_of(it, "CidrIpv6")) {
            let Some(net) = cx.rule_cidr(&c, || Cx::at(it, "/CidrIpv4")) else { continue };
            rule.cidr = Some(cidr_text(net));
        } else if let Some(p) = cx.str_of(it, "PrefixListId") {
            if !known_pl(cx, &p, || Cx::at(it, "/PrefixListId")) {
                continue;
            }
            rule.prefix_list = Some(p);
        } else if let Some(g) = it.v.get("ReferencedGroupInfo").and_then(|r| get_str(r, "GroupId")) {
            if !known_sg(cx, g, || Cx::at(it, "/ReferencedGroupInfo/GroupId")) {
                continue;
            }
            rule.sg = Some(g.to_owned());
        } else {
            cx.error(
                "aws-field-missing",
                Cx::at(it, ""),
                "the rule has no peer (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo)".to_owned(),
                "",
            );
            continue;
        }
        let egress = cx.bool_of(it, "IsEgress");
        if let Some(g) = doc.security_groups.get_mut(pos) {
            let list = if egress { &mut g.outbound } else { &mut g.inbound };
            if !list.contains(&rule) {
                list.push(rule);
            }
        }
    }
}

fn known_pl(cx: &mut Cx, p: &str, at: impl FnOnce() -> String) -> bool {
    if cx.pls.contains(p) {
        return true;
    }
    let help = did_you_mean(p, cx.pls.iter().map(String::as_str), "prefix lists");
    cx.warn("aws-unknown-prefix-list", at(), format!("prefix list `{p}` is not in the import; the rule was skipped"), help);
    false
}

fn known_sg(cx: &mut Cx, g: &str, at: impl FnOnce() -> String) -> bool {
    if cx.sgs.contains_key(g) {
        return true;
    }
    let help = did_you_mean(g, cx.sgs.keys().map(String::as_str), "security groups");
    cx.warn("aws-unknown-security-group", at(), format!("security group `{g}` is not in the import; the rule was skipped"), help);
    false
}

/// One IpPermission: one rule per peer.
fn permission(cx: &mut Cx, it: &Item<'_>) -> Vec<SgRuleDoc> {
    let proto = cx.str_of(it, "IpProtocol").unwrap_or_else(|| "-1".to_owned());
    let range = (cx.int_of(it, "FromPort"), cx.int_of(it, "ToPort"));
    let Some(t) = traffic(cx, &proto, range, || Cx::at(it, "/IpProtocol"), || Cx::at(it, "/FromPort")) else { return vec![] };
    let base = SgRuleDoc { protocol: t.protocol, ports: t.ports, icmp_type: t.icmp_type, icmp_code: t.icmp_code, ..SgRuleDoc::default() };
    // Each distinct rule once, in order.
    let mut out: Vec<SgRuleDoc> = Vec::new();
    let mut add = |rule: SgRuleDoc| {
        if !out.contains(&rule) {
            out.push(rule);
        }
    };
    for (list, key) in [("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")] {
        for (ptr, r) in cx.list(it, list) {
            let Some(c) = get_str(r, key) else { continue };
            let Some(net) = cx.rule_cidr(c, || format!("{}#{ptr}/{key}", it.file)) else { continue };
            let description = get_str(r, "Description").unwrap_or_default().to_owned();
            add(SgRuleDoc { cidr: Some(cidr_text(net)), description, ..base.clone() });
        }
    }
    for (ptr, r) in cx.list(it, "PrefixListIds") {
        let Some(p) = get_str(r, "PrefixListId") else { continue };
        if known_pl(cx, p, || format!("{}#{ptr}/PrefixListId", it.file)) {
            let description = get_str(r, "Description").unwrap_or_default().to_owned();
            add(SgRuleDoc { prefix_list: Some(p.to_owned()), description, ..base.clone() });
        }
    }
    for (ptr, r) in cx.list(it, "UserIdGroupPairs") {
        let Some(g) = get_str(r, "GroupId") else { continue };
        if known_sg(cx, g, || format!("{}#{ptr}/GroupId", it.file)) {
            let description = get_str(r, "Description").unwrap_or_default().to_owned();
            add(SgRuleDoc { sg: Some(g.to_owned()), description, ..base.clone() });
        }
    }
    out
}

/// SageMaker `describe-*` outputs.
fn sagemaker(cx: &mut Cx, doc: &mut NetworkDoc, items: &BTreeMap<Kind, Vec<Item<'_>>>) {
    let empty: Vec<Item<'_>> = Vec::new();
    let get = |k: Kind| items.get(&k).unwrap_or(&empty);
    for it in get(Kind::SmNotebook) {
        let Some(name) = cx.req_str(it, "NotebookInstanceName") else { continue };
        let mut subnet = cx.str_of(it, "SubnetId");
        if let Some(s) = &subnet {
            if !cx.known_subnet(s, || Cx::at(it, "/SubnetId"), "the notebook's VPC interface") {
                subnet = None;
            }
        }
        let vpc = subnet.as_ref().and_then(|s| cx.subnets.get(s)).map(|(v, _)| v.clone()).unwrap_or_default();
        let groups = cx.str_list(it, "SecurityGroups");
        let security_groups = if subnet.is_some() { cx.filter_sgs(groups, &vpc, it.file) } else { vec![] };
        let direct_internet_access = cx.str_of(it, "DirectInternetAccess").is_none_or(|d| d == "Enabled");
        let root_access = cx.str_of(it, "RootAccess").is_none_or(|d| d == "Enabled");
        let private_ip = None;
        doc.sagemaker.notebook_instances.push(NotebookDoc {
            name,
            subnet,
            security_groups,
            direct_internet_access,
            root_access,
            private_ip,
        });
    }
    for (kind, key) in [(Kind::SmTrainingJob, "TrainingJobName"), (Kind::SmProcessingJob, "ProcessingJobName")] {
        for it in get(kind) {
            let Some(name) = cx.req_str(it, key) else { continue };
            let (net, net_ptr) = if kind == Kind::SmProcessingJob {
                (it.v.get("NetworkConfig").unwrap_or(&Json::Null), "/NetworkConfig")
            } else {
                (it.v, "")
            };
            let vpc_config = vpc_config(cx, it, net.get("VpcConfig"), &format!("{net_ptr}/VpcConfig"));
            let network_isolation = net.get("EnableNetworkIsolation").and_then(Json::as_bool).unwrap_or(false);
            let inter_container_encryption = net.get("EnableInterContainerTrafficEncryption").and_then(Json::as_bool).unwrap_or(false);
            let kind = if kind == Kind::SmProcessingJob { "processing" } else { "training" }.to_owned();
            doc.sagemaker.training_jobs.push(TrainingJobDoc {
                name,
                kind,
                vpc_config,
                network_isolation,
                inter_container_encryption,
                private_ip: None,
            });
        }
    }
    for it in get(Kind::SmEndpoint) {
        let Some(name) = cx.req_str(it, "EndpointName") else { continue };
        let config = get_str(it.v, "EndpointConfigName").unwrap_or_default();
        let model_name = get(Kind::SmEndpointConfig)
            .iter()
            .find(|c| get_str(c.v, "EndpointConfigName") == Some(config))
            .and_then(|c| {
                c.v.get("ProductionVariants").and_then(Json::as_array).and_then(|a| a.first()).and_then(|v| get_str(v, "ModelName"))
            })
            .map(str::to_owned);
        let Some(model_name) = model_name else {
            cx.warn(
                "aws-sagemaker-model-missing",
                Cx::at(it, "/EndpointConfigName"),
                format!(
                    "endpoint configuration `{config}` (or its model) is not in the import; the endpoint runs without VPC configuration"
                ),
                "include describe-endpoint-config and describe-model outputs",
            );
            doc.sagemaker.endpoints.push(EndpointDoc { name, ..EndpointDoc::default() });
            continue;
        };
        let model = get(Kind::SmModel).iter().find(|m| get_str(m.v, "ModelName") == Some(model_name.as_str())).copied();
        let (vpc_config, network_isolation) = match model {
            Some(m) => (
                vpc_config(cx, &m, m.v.get("VpcConfig"), "/VpcConfig"),
                m.v.get("EnableNetworkIsolation").and_then(Json::as_bool).unwrap_or(false),
            ),
            None => {
                cx.warn(
                    "aws-sagemaker-model-missing",
                    Cx::at(it, ""),
                    format!("model `{model_name}` is not in the import; the endpoint runs without VPC configuration"),
                    "include the describe-model output",
                );
                (None, false)
            }
        };
        doc.sagemaker.endpoints.push(EndpointDoc { name, model: model_name, vpc_config, network_isolation, private_ip: None });
    }
    for it in get(Kind::SmDomain) {
        let Some(name) = cx.req_str(it, "DomainName") else { continue };
        let Some(vpc) = cx.req_str(it, "VpcId") else { continue };
        if !cx.known_vpc(&vpc, || Cx::at(it, "/VpcId"), format_args!("domain `{name}`")) {
            continue;
        }
        let mut subnets = Vec::new();
        for (ptr, s) in cx.str_list(it, "SubnetIds") {
            if cx.known_subnet(&s, || format!("{}#{ptr}", it.file), "the domain's interface in it") {
                subnets.push(s);
            }
        }
        let groups: Vec<(String, String)> =
            it.v.get("DefaultUserSettings")
                .and_then(|d| d.get("SecurityGroups"))
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .filter_map(|(i, g)| Some((format!("{}/DefaultUserSettings/SecurityGroups/{i}", it.ptr), g.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
        let security_groups = cx.filter_sgs(groups, &vpc, it.file);
        let network_access = cx.str_of(it, "AppNetworkAccessType").unwrap_or_else(|| "PublicInternetOnly".to_owned());
        doc.sagemaker.domains.push(DomainDoc { name, network_access, vpc, subnets, security_groups, private_ip: None });
    }
    for (kind, what) in [(Kind::SmModel, "ModelName"), (Kind::SmEndpointConfig, "EndpointConfigName")] {
        for it in get(kind) {
            let name = get_str(it.v, what).unwrap_or_default();
            let used = match kind {
                Kind::SmModel => doc.sagemaker.endpoints.iter().any(|e| e.model == name),
                _ => get(Kind::SmEndpoint).iter().any(|e| get_str(e.v, "EndpointConfigName") == Some(name)),
            };
            if !used {
                cx.info(
                    "aws-sagemaker-unused",
                    Cx::at(it, ""),
                    format!("`{name}` is not used by an imported endpoint; it was skipped"),
                    "include the describe-endpoint output",
                );
            }
        }
    }
}

/// A SageMaker VpcConfig (`Subnets`, `SecurityGroupIds`), keeping what the import has.
fn vpc_config(cx: &mut Cx, it: &Item<'_>, v: Option<&Json<'_>>, ptr: &str) -> Option<VpcConfigDoc> {
    let v = v?;
    let mut subnets = Vec::new();
    for (i, s) in v.get("Subnets").and_then(Json::as_array).unwrap_or_default().iter().enumerate() {
        let Some(s) = s.as_str() else { continue };
        if cx.known_subnet(s, || Cx::at(it, &format!("{ptr}/Subnets/{i}")), "its interface") {
            subnets.push(s.to_owned());
        }
    }
    let vpc = subnets.first().and_then(|s| cx.subnets.get(s)).map(|(v, _)| v.clone())?;
    let groups: Vec<(String, String)> = v
        .get("SecurityGroupIds")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .filter_map(|(i, g)| Some((format!("{}{ptr}/SecurityGroupIds/{i}", it.ptr), g.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let security_groups = cx.filter_sgs(groups, &vpc, it.file);
    Some(VpcConfigDoc { subnets, security_groups })
}
