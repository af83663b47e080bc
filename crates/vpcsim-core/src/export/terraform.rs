//! A scenario (format v1) as a Terraform root module for the AWS provider (>= 5.0).
//!
//! [`to_hcl`] writes `versions.tf` (provider requirements and the `aws` provider with the
//! document's Region), `variables.tf` (inputs the document cannot supply: the AMI, the
//! SageMaker execution role, the model image) and `main.tf` with one resource per
//! document resource. Resources refer to each other through Terraform references
//! (`aws_vpc.vpc_ml.id`), never literal ids; resource names are the document ids made
//! into identifiers, unique per resource type and deterministic. Each resource keeps its
//! document id as its `Name` tag.
//!
//! What Terraform cannot express (routes to virtual private gateways, blackhole routes,
//! propagated routes, training jobs, references to resources that do not exist) is left
//! out and reported as a diagnostic located by document path (`route_tables/0/routes/2`),
//! so the output is always a module `terraform validate` accepts. Implicit resources
//! (the main route table, the default network ACL and security group of a VPC) are
//! referred to through the VPC's attributes (`aws_vpc.x.main_route_table_id`).

use crate::addr::{PortRange, Protocol};
use crate::diag::{did_you_mean, Diagnostic};
use crate::scenario::{
    DomainDoc, EndpointDoc, IgwDoc, InstanceDoc, NaclDoc, NaclEntryDoc, NatDoc, NetworkDoc, NotebookDoc, PeeringDoc, PrefixListDoc,
    RouteDoc, RouteTableDoc, Scenario, SgDoc, SgRuleDoc, SubnetDoc, TgwDoc, VpcConfigDoc, VpcDoc, VpceDoc,
};
use ipnet::{IpNet, Ipv6Net};
use std::collections::{BTreeMap, BTreeSet};

/// The files of the exported module and what could not be exported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exported {
    /// `(file name, contents)`, in a stable order: `versions.tf`, `variables.tf` (when
    /// a variable is used), `main.tf`.
    pub files: Vec<(String, String)>,
    /// What was left out or assumed, located by document path.
    pub diagnostics: Vec<Diagnostic>,
}

/// The Region used when the document names none.
const DEFAULT_REGION: &str = "us-east-1";

/// Exports a scenario's network as a Terraform root module.
pub fn to_hcl(scenario: &Scenario) -> Exported {
    let net = &scenario.network;
    let region = net.region.clone().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let mut ex = Exporter::new(net, region);
    ex.run();
    ex.finish(scenario)
}

// ---------------------------------------------------------------------------------------
// A tiny HCL writer.

/// An attribute value.
#[derive(Clone, Debug)]
enum Val {
    /// A string literal (escaped on output).
    Str(String),
    /// An expression written as is: a number, a bool, a reference.
    Raw(String),
    /// A tuple.
    List(Vec<Val>),
    /// An object; keys that are not identifiers are quoted.
    Map(Vec<(String, Val)>),
    /// A function call with one argument.
    Call(&'static str, Box<Val>),
}

/// One item of a block body.
#[derive(Clone, Debug)]
enum Item {
    Attr(&'static str, Val),
    Block(Block),
}

/// A block: `kind "label" ... { body }`.
#[derive(Clone, Debug)]
struct Block {
    kind: &'static str,
    labels: Vec<String>,
    body: Vec<Item>,
}

impl Block {
    fn new(kind: &'static str, labels: Vec<String>, body: Vec<Item>) -> Block {
        Block { kind, labels, body }
    }
}

fn attr(key: &'static str, v: Val) -> Item {
    Item::Attr(key, v)
}

fn s(text: &str) -> Val {
    Val::Str(text.to_owned())
}

fn raw(text: impl Into<String>) -> Val {
    Val::Raw(text.into())
}

fn num(n: impl std::fmt::Display) -> Val {
    Val::Raw(n.to_string())
}

fn boolean(b: bool) -> Val {
    Val::Raw(if b { "true" } else { "false" }.to_owned())
}

/// A reference `ADDR.ATTR`.
fn rf(addr: &str, attribute: &str) -> Val {
    Val::Raw(format!("{addr}.{attribute}"))
}

fn tags(id: &str) -> Item {
    attr("tags", Val::Map(vec![("Name".to_owned(), s(id))]))
}

/// An HCL quoted string: quotes, backslashes, control characters and the template
/// sequences `${` and `%{` escaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_ident(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(text, "null" | "true" | "false")
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn render_val(v: &Val, indent: usize) -> String {
    match v {
        Val::Str(text) => quote(text),
        Val::Raw(text) => text.clone(),
        Val::Call(name, arg) => format!("{name}({})", render_val(arg, indent)),
        Val::List(items) => {
            if items.is_empty() {
                return "[]".to_owned();
            }
            let inner: Vec<String> = items.iter().map(|i| render_val(i, indent + 2)).collect();
            let one_line = inner.iter().all(|i| !i.contains('\n')) && inner.iter().map(|i| i.len() + 2).sum::<usize>() + indent < 100;
            if one_line {
                format!("[{}]", inner.join(", "))
            } else {
                let mut out = "[\n".to_owned();
                for i in inner {
                    pad(&mut out, indent + 2);
                    out.push_str(&i);
                    out.push_str(",\n");
                }
                pad(&mut out, indent);
                out.push(']');
                out
            }
        }
        Val::Map(entries) => {
            if entries.is_empty() {
                return "{}".to_owned();
            }
            let key = |k: &str| if is_ident(k) { k.to_owned() } else { quote(k) };
            let inner: Vec<(String, String)> = entries.iter().map(|(k, v)| (key(k), render_val(v, indent + 2))).collect();
            let one_line = entries.len() <= 2
                && inner.iter().all(|(_, v)| !v.contains('\n'))
                && inner.iter().map(|(k, v)| k.len() + v.len() + 5).sum::<usize>() + indent < 80;
            if one_line {
                let parts: Vec<String> = inner.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", parts.join(", "))
            } else {
                let width = inner.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                let mut out = "{\n".to_owned();
                for (k, v) in inner {
                    pad(&mut out, indent + 2);
                    out.push_str(&format!("{k:width$} = {v}\n"));
                }
                pad(&mut out, indent);
                out.push('}');
                out
            }
        }
    }
}

fn render_block(b: &Block, indent: usize, out: &mut String) {
    pad(out, indent);
    out.push_str(b.kind);
    for l in &b.labels {
        out.push(' ');
        out.push_str(&quote(l));
    }
    out.push_str(" {\n");
    // Consecutive attributes align their `=`, like `terraform fmt`.
    let mut run: Vec<(&str, String)> = Vec::new();
    let mut wrote_any = false;
    let flush = |run: &mut Vec<(&str, String)>, out: &mut String| {
        let width = run.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in run.drain(..) {
            pad(out, indent + 2);
            out.push_str(&format!("{k:width$} = {v}\n"));
        }
    };
    let mut after_block = false;
    for item in &b.body {
        match item {
            Item::Attr(k, v) => {
                if after_block {
                    out.push('\n');
                }
                run.push((k, render_val(v, indent + 2)));
                after_block = false;
            }
            Item::Block(inner) => {
                flush(&mut run, out);
                if wrote_any {
                    out.push('\n');
                }
                render_block(inner, indent + 2, out);
                after_block = true;
            }
        }
        wrote_any = true;
    }
    flush(&mut run, out);
    pad(out, indent);
    out.push_str("}\n");
}

fn render_file(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_block(b, 0, &mut out);
    }
    out
}

/// A JSON value as an HCL expression, for `jsonencode(...)`.
fn json_val(v: &serde_json::Value) -> Val {
    match v {
        serde_json::Value::Null => raw("null"),
        serde_json::Value::Bool(b) => boolean(*b),
        serde_json::Value::Number(n) => raw(n.to_string()),
        serde_json::Value::String(text) => s(text),
        serde_json::Value::Array(items) => Val::List(items.iter().map(json_val).collect()),
        serde_json::Value::Object(map) => Val::Map(map.iter().map(|(k, v)| (k.clone(), json_val(v))).collect()),
    }
}

// ---------------------------------------------------------------------------------------
// Names.

/// Makes a document id into a Terraform identifier: `vpc-ml` → `vpc_ml`.
pub(crate) fn sanitize(id: &str) -> String {
    let mut out: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if !out.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
        out.insert_str(0, "r_");
    }
    out
}

/// Makes a name into a SageMaker resource name: letters, digits and hyphens, starting
/// and ending with a letter or digit, at most 63 characters.
fn sagemaker_name(name: &str, fallback: &str) -> String {
    let mapped: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(63).collect();
    let trimmed = mapped.trim_matches('-');
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Security group descriptions and names accept only these characters.
fn sg_text(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c) { c } else { ' ' }).take(255).collect()
}

#[derive(Default)]
struct Names {
    used: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Names {
    /// A unique name for a block of type `ty`, derived from `base`.
    fn alloc(&mut self, ty: &'static str, base: &str) -> String {
        let base = sanitize(base);
        let used = self.used.entry(ty).or_default();
        let mut candidate = base.clone();
        let mut n = 1usize;
        while used.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        used.insert(candidate.clone());
        candidate
    }
}

// ---------------------------------------------------------------------------------------
// The exporter.

/// What is known about an exported VPC.
struct VpcInfo {
    addr: String,
    ipv6: Option<Ipv6Net>,
    /// Secondary IPv4 blocks and the address of their association.
    secondary: Vec<(IpNet, String)>,
}

/// A VPC endpoint: its address, whether it is a gateway endpoint, its route tables.
struct VpceInfo {
    addr: String,
    gateway: bool,
    route_tables: Vec<String>,
}

struct Exporter<'a> {
    net: &'a NetworkDoc,
    region: String,
    names: Names,
    diags: Vec<Diagnostic>,
    main: Vec<Block>,
    data: Vec<Block>,
    vars: BTreeSet<&'static str>,
    vpcs: BTreeMap<String, VpcInfo>,
    subnets: BTreeMap<String, String>,
    sgs: BTreeMap<String, String>,
    rts: BTreeMap<String, String>,
    igws: BTreeMap<String, String>,
    eigws: BTreeMap<String, String>,
    nats: BTreeMap<String, String>,
    pcxs: BTreeMap<String, String>,
    tgws: BTreeMap<String, String>,
    /// Transit gateway attachment id → address.
    tgw_attachments: BTreeMap<String, String>,
    /// (transit gateway id, VPC id) → attachment addresses.
    tgw_vpc: BTreeMap<(String, String), Vec<String>>,
    vpces: BTreeMap<String, VpceInfo>,
    /// Network interface and instance ids → instance address.
    enis: BTreeMap<String, String>,
    /// Prefix list id → `aws_ec2_managed_prefix_list.x` or `data.aws_prefix_list.x`.
    pls: BTreeMap<String, String>,
}

/// Looks `id` up in `map`, or reports it.
fn find(map: &BTreeMap<String, String>, id: &str, at: &str, what: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    if let Some(addr) = map.get(id) {
        return Some(addr.clone());
    }
    diags.push(Diagnostic::error(
        "export-unknown-reference",
        at,
        format!("{what} `{id}` is not in the document, or could not be exported"),
        did_you_mean(id, map.keys().map(String::as_str), what),
    ));
    None
}

fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let net: IpNet = text.trim().parse().map_err(|_| format!("`{text}` is not a CIDR block"))?;
    if net.trunc() != net {
        return Err(format!("`{text}` has host bits set; the network address is `{}`", net.trunc()));
    }
    Ok(net)
}

impl<'a> Exporter<'a> {
    fn new(net: &'a NetworkDoc, region: String) -> Exporter<'a> {
        Exporter {
            net,
            region,
            names: Names::default(),
            diags: Vec::new(),
            main: Vec::new(),
            data: Vec::new(),
            vars: BTreeSet::new(),
            vpcs: BTreeMap::new(),
            subnets: BTreeMap::new(),
            sgs: BTreeMap::new(),
            rts: BTreeMap::new(),
            igws: BTreeMap::new(),
            eigws: BTreeMap::new(),
            nats: BTreeMap::new(),
            pcxs: BTreeMap::new(),
            tgws: BTreeMap::new(),
            tgw_attachments: BTreeMap::new(),
            tgw_vpc: BTreeMap::new(),
            vpces: BTreeMap::new(),
            enis: BTreeMap::new(),
            pls: BTreeMap::new(),
        }
    }

    /// Adds `resource "ty" "name"` and returns its address `ty.name`.
    fn resource(&mut self, ty: &'static str, base: &str, body: Vec<Item>) -> String {
        let name = self.names.alloc(ty, base);
        self.main.push(Block::new("resource", vec![ty.to_owned(), name.clone()], body));
        format!("{ty}.{name}")
    }

    fn var(&mut self, name: &'static str) -> Val {
        self.vars.insert(name);
        raw(format!("var.{name}"))
    }

    fn error(&mut self, code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, at, message, help));
    }

    fn warning(&mut self, code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::warning(code, at, message, help));
    }

    fn info(&mut self, code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::info(code, at, message, help));
    }

    fn vpc_addr(&mut self, id: &str, at: &str) -> Option<String> {
        if let Some(v) = self.vpcs.get(id) {
            return Some(v.addr.clone());
        }
        self.error(
            "export-unknown-reference",
            at,
            format!("VPC `{id}` is not in the document, or could not be exported"),
            did_you_mean(id, self.vpcs.keys().map(String::as_str), "VPCs"),
        );
        None
    }

    fn subnet(&mut self, id: &str, at: &str) -> Option<Val> {
        find(&self.subnets, id, at, "subnet", &mut self.diags).map(|a| rf(&a, "id"))
    }

    /// Subnet references, leaving out (and reporting) unknown ones.
    fn subnet_list(&mut self, ids: &[String], at: &str) -> Vec<Val> {
        ids.iter().enumerate().filter_map(|(i, id)| self.subnet(id, &format!("{at}/{i}"))).collect()
    }

    /// A security group reference; the implicit default group `sg-default-<vpc>` is the
    /// VPC's `default_security_group_id`.
    fn sg(&mut self, id: &str, at: &str) -> Option<Val> {
        if let Some(addr) = self.sgs.get(id) {
            return Some(rf(addr, "id"));
        }
        // A group of a peered VPC in another account: `ACCOUNT/sg-id` (SG-17).
        if let Some((account, group)) = id.split_once('/') {
            if !account.is_empty() && account.chars().all(|c| c.is_ascii_digit()) {
                let addr = find(&self.sgs, group, at, "security group", &mut self.diags)?;
                return Some(raw(format!("\"{account}/${{{addr}.id}}\"")));
            }
        }
        if let Some(vpc) = id.strip_prefix("sg-default-").and_then(|v| self.vpcs.get(v)) {
            let addr = vpc.addr.clone();
            self.info(
                "export-implicit-resource",
                at,
                format!("`{id}` is the implicit default security group of its VPC"),
                format!("it is referred to as `{addr}.default_security_group_id`; its rules are AWS's defaults"),
            );
            return Some(rf(&addr, "default_security_group_id"));
        }
        find(&self.sgs, id, at, "security group", &mut self.diags).map(|a| rf(&a, "id"))
    }

    fn sg_list(&mut self, ids: &[String], at: &str) -> Vec<Val> {
        ids.iter().enumerate().filter_map(|(i, id)| self.sg(id, &format!("{at}/{i}"))).collect()
    }

    /// A route table reference; the implicit main table `rtb-main-<vpc>` is the VPC's
    /// `main_route_table_id`.
    fn route_table(&mut self, id: &str, at: &str) -> Option<Val> {
        if let Some(addr) = self.rts.get(id) {
            return Some(rf(addr, "id"));
        }
        if let Some(vpc) = id.strip_prefix("rtb-main-").and_then(|v| self.vpcs.get(v)) {
            let addr = vpc.addr.clone();
            self.info(
                "export-implicit-resource",
                at,
                format!("`{id}` is the implicit main route table of its VPC"),
                format!("it is referred to as `{addr}.main_route_table_id`"),
            );
            return Some(rf(&addr, "main_route_table_id"));
        }
        find(&self.rts, id, at, "route table", &mut self.diags).map(|a| rf(&a, "id"))
    }

    /// A prefix list id: the document's own lists, or the Region's AWS-managed lists
    /// (`pl-s3`, `pl-dynamodb`) through a `data "aws_prefix_list"` block.
    fn prefix_list(&mut self, id: &str, at: &str) -> Option<Val> {
        if let Some(addr) = self.pls.get(id) {
            return Some(rf(addr, "id"));
        }
        if let Some(service) = id.strip_prefix("pl-").filter(|s| matches!(*s, "s3" | "dynamodb")) {
            let name = self.names.alloc("data.aws_prefix_list", service);
            let body = vec![attr("name", Val::Str(format!("com.amazonaws.{}.{service}", self.region)))];
            self.data.push(Block::new("data", vec!["aws_prefix_list".to_owned(), name.clone()], body));
            let addr = format!("data.aws_prefix_list.{name}");
            self.pls.insert(id.to_owned(), addr.clone());
            return Some(rf(&addr, "id"));
        }
        find(&self.pls, id, at, "prefix list", &mut self.diags).map(|a| rf(&a, "id"))
    }

    fn run(&mut self) {
        let net = self.net;
        for (i, v) in net.vpcs.iter().enumerate() {
            self.vpc(i, v);
        }
        for (i, sn) in net.subnets.iter().enumerate() {
            self.subnet_res(i, sn);
        }
        for (i, g) in net.internet_gateways.iter().enumerate() {
            self.igw(i, g);
        }
        for (i, g) in net.egress_only_internet_gateways.iter().enumerate() {
            self.eigw(i, g);
        }
        for (i, n) in net.nat_gateways.iter().enumerate() {
            self.nat(i, n);
        }
        for (i, p) in net.peering_connections.iter().enumerate() {
            self.peering(i, p);
        }
        for (i, t) in net.transit_gateways.iter().enumerate() {
            self.tgw(i, t);
        }
        for (i, p) in net.prefix_lists.iter().enumerate() {
            self.managed_prefix_list(i, p);
        }
        self.security_groups();
        for (i, rt) in net.route_tables.iter().enumerate() {
            self.route_table_res(i, rt);
        }
        self.network_acls();
        for (i, e) in net.vpc_endpoints.iter().enumerate() {
            self.vpc_endpoint(i, e);
        }
        for (i, inst) in net.instances.iter().enumerate() {
            self.instance(i, inst);
        }
        for (i, rt) in net.route_tables.iter().enumerate() {
            self.routes(i, rt);
        }
        for (i, nb) in net.sagemaker.notebook_instances.iter().enumerate() {
            self.notebook(i, nb);
        }
        for (i, job) in net.sagemaker.training_jobs.iter().enumerate() {
            self.info(
                "export-training-job",
                format!("sagemaker/training_jobs/{i}"),
                format!("{} job `{}` has no Terraform resource and is not exported", job.kind, job.name),
                "start the job from the SageMaker SDK or a pipeline with the same VpcConfig (subnets and security groups)",
            );
        }
        for (i, e) in net.sagemaker.endpoints.iter().enumerate() {
            self.sagemaker_endpoint(i, e);
        }
        for (i, d) in net.sagemaker.domains.iter().enumerate() {
            self.domain(i, d);
        }
    }

    fn vpc(&mut self, i: usize, v: &VpcDoc) {
        let at = format!("vpcs/{i}");
        let mut blocks: Vec<IpNet> = Vec::new();
        for (k, c) in v.cidr_blocks.iter().enumerate() {
            match parse_cidr(c) {
                Ok(IpNet::V4(n)) => blocks.push(IpNet::V4(n)),
                Ok(IpNet::V6(_)) => self.error(
                    "export-invalid-value",
                    format!("{at}/cidr_blocks/{k}"),
                    format!("`{c}` is an IPv6 block among the IPv4 blocks"),
                    "move it to `ipv6_cidr_blocks`",
                ),
                Err(e) => {
                    self.error("export-invalid-value", format!("{at}/cidr_blocks/{k}"), e, "write a CIDR block such as `10.0.0.0/16`")
                }
            }
        }
        let mut body = Vec::new();
        match blocks.first() {
            Some(first) => body.push(attr("cidr_block", Val::Str(first.to_string()))),
            None => self.warning(
                "export-vpc-without-ipv4",
                &at,
                format!("VPC `{}` has no IPv4 CIDR block", v.id),
                "add `cidr_block` (or an IPAM pool) to the exported VPC before applying",
            ),
        }
        body.push(attr("enable_dns_support", boolean(true)));
        body.push(attr("enable_dns_hostnames", boolean(true)));
        let mut ipv6 = None;
        if let Some(first) = v.ipv6_cidr_blocks.first() {
            body.push(attr("assign_generated_ipv6_cidr_block", boolean(true)));
            match first.trim().parse::<Ipv6Net>() {
                Ok(n) => ipv6 = Some(n.trunc()),
                Err(_) => self.error(
                    "export-invalid-value",
                    format!("{at}/ipv6_cidr_blocks/0"),
                    format!("`{first}` is not an IPv6 CIDR block"),
                    "write a block such as `2600:1f18:1234:5600::/56`",
                ),
            }
            self.info(
                "export-ipv6-generated",
                format!("{at}/ipv6_cidr_blocks/0"),
                format!("Amazon assigns the IPv6 block of VPC `{}`; `{first}` is not kept", v.id),
                "subnet IPv6 blocks are written as `cidrsubnet()` of the assigned block, at the same offsets as in the document",
            );
            if v.ipv6_cidr_blocks.len() > 1 {
                self.warning(
                    "export-not-supported",
                    format!("{at}/ipv6_cidr_blocks/1"),
                    format!("VPC `{}` has more than one IPv6 block; only the first is exported", v.id),
                    "add further blocks with `aws_vpc_ipv6_cidr_block_association`",
                );
            }
        }
        body.push(tags(&v.id));
        let addr = self.resource("aws_vpc", &v.id, body);
        let mut secondary = Vec::new();
        for (k, block) in blocks.iter().enumerate().skip(1) {
            let body = vec![attr("vpc_id", rf(&addr, "id")), attr("cidr_block", Val::Str(block.to_string()))];
            let assoc = self.resource("aws_vpc_ipv4_cidr_block_association", &format!("{}_{k}", v.id), body);
            secondary.push((*block, assoc));
        }
        self.vpcs.insert(v.id.clone(), VpcInfo { addr, ipv6, secondary });
    }

    fn subnet_res(&mut self, i: usize, sn: &SubnetDoc) {
        let at = format!("subnets/{i}");
        let Some(vpc) = self.vpcs.get(&sn.vpc) else {
            self.vpc_addr(&sn.vpc, &format!("{at}/vpc"));
            return;
        };
        let cidr = match parse_cidr(&sn.cidr) {
            Ok(c @ IpNet::V4(_)) => c,
            Ok(IpNet::V6(_)) => {
                self.error(
                    "export-invalid-value",
                    format!("{at}/cidr"),
                    format!("`{}` is not an IPv4 block", sn.cidr),
                    "use `ipv6_cidr` for IPv6",
                );
                return;
            }
            Err(e) => {
                self.error("export-invalid-value", format!("{at}/cidr"), e, "write a CIDR block such as `10.0.1.0/24`");
                return;
            }
        };
        // A subnet in a secondary block depends on that block's association.
        let vpc_id = match vpc.secondary.iter().find(|(block, _)| block.contains(&cidr)) {
            Some((_, assoc)) => rf(assoc, "vpc_id"),
            None => rf(&vpc.addr, "id"),
        };
        let mut ipv6 = None;
        let mut ipv6_problem = None;
        if let Some(text) = &sn.ipv6_cidr {
            match (text.trim().parse::<Ipv6Net>(), vpc.ipv6) {
                (Ok(sub), Some(block)) => match cidrsubnet(block, sub.trunc()) {
                    Some((newbits, netnum)) => ipv6 = Some(raw(format!("cidrsubnet({}.ipv6_cidr_block, {newbits}, {netnum})", vpc.addr))),
                    None => ipv6_problem = Some(format!("`{text}` is not a smaller block inside the VPC's IPv6 block `{block}`")),
                },
                (Ok(_), None) => ipv6_problem = Some(format!("subnet `{}` has an IPv6 block but VPC `{}` has none", sn.id, sn.vpc)),
                (Err(_), _) => ipv6_problem = Some(format!("`{text}` is not an IPv6 CIDR block")),
            }
        }
        if let Some(problem) = ipv6_problem {
            self.warning("export-not-supported", format!("{at}/ipv6_cidr"), problem, "the subnet is exported without an IPv6 block");
        }
        let mut body = vec![attr("vpc_id", vpc_id), attr("cidr_block", Val::Str(cidr.to_string()))];
        if !sn.az.is_empty() {
            body.push(attr("availability_zone", s(&sn.az)));
        }
        if let Some(expr) = ipv6 {
            body.push(attr("ipv6_cidr_block", expr));
        }
        body.push(tags(&sn.id));
        let addr = self.resource("aws_subnet", &sn.id, body);
        self.subnets.insert(sn.id.clone(), addr);
    }

    fn igw(&mut self, i: usize, g: &IgwDoc) {
        let at = format!("internet_gateways/{i}");
        let mut body = Vec::new();
        if let Some(vpc) = &g.vpc {
            if let Some(addr) = self.vpc_addr(vpc, &format!("{at}/vpc")) {
                body.push(attr("vpc_id", rf(&addr, "id")));
            }
        }
        body.push(tags(&g.id));
        let addr = self.resource("aws_internet_gateway", &g.id, body);
        self.igws.insert(g.id.clone(), addr);
    }

    fn eigw(&mut self, i: usize, g: &IgwDoc) {
        let at = format!("egress_only_internet_gateways/{i}");
        let Some(vpc) = &g.vpc else {
            self.warning(
                "export-not-supported",
                &at,
                format!("egress-only internet gateway `{}` is detached; Terraform creates it attached to a VPC", g.id),
                "name its `vpc` to export it",
            );
            return;
        };
        let Some(vpc) = self.vpc_addr(vpc, &format!("{at}/vpc")) else { return };
        let addr = self.resource("aws_egress_only_internet_gateway", &g.id, vec![attr("vpc_id", rf(&vpc, "id")), tags(&g.id)]);
        self.eigws.insert(g.id.clone(), addr);
    }

    fn nat(&mut self, i: usize, n: &NatDoc) {
        let at = format!("nat_gateways/{i}");
        let public = match n.connectivity.as_str() {
            "public" => true,
            "private" => false,
            other => {
                self.error(
                    "export-invalid-value",
                    format!("{at}/connectivity"),
                    format!("NAT gateway connectivity `{other}` is neither `public` nor `private`"),
                    "write `public` or `private`",
                );
                return;
            }
        };
        let Some(subnet) = self.subnet(&n.subnet, &format!("{at}/subnet")) else { return };
        let mut body = Vec::new();
        if public {
            let eip = self.resource("aws_eip", &n.id, vec![attr("domain", s("vpc")), tags(&n.id)]);
            body.push(attr("allocation_id", rf(&eip, "id")));
            if let Some(ip) = &n.public_ip {
                self.info(
                    "export-address-assigned",
                    format!("{at}/public_ip"),
                    format!("AWS allocates the Elastic IP of NAT gateway `{}`; `{ip}` is not kept", n.id),
                    "to keep an existing address, import its allocation into the `aws_eip` resource",
                );
            }
        }
        body.push(attr("subnet_id", subnet));
        body.push(attr("connectivity_type", s(&n.connectivity)));
        if let Some(ip) = &n.private_ip {
            body.push(attr("private_ip", s(ip)));
        }
        body.push(tags(&n.id));
        let addr = self.resource("aws_nat_gateway", &n.id, body);
        self.nats.insert(n.id.clone(), addr);
    }

    fn peering(&mut self, i: usize, p: &PeeringDoc) {
        let at = format!("peering_connections/{i}");
        let auto_accept = match p.status.as_str() {
            "active" => true,
            "pending-acceptance" => {
                self.info(
                    "export-peering-pending",
                    format!("{at}/status"),
                    format!("peering connection `{}` is exported without `auto_accept`", p.id),
                    "accept it with `aws_vpc_peering_connection_accepter` or in the console",
                );
                false
            }
            other => {
                self.warning(
                    "export-not-supported",
                    format!("{at}/status"),
                    format!("peering connection `{}` is `{other}`, which Terraform cannot create", p.id),
                    "routes to it are left out too",
                );
                return;
            }
        };
        let requester = self.vpc_addr(&p.requester_vpc, &format!("{at}/requester_vpc"));
        let accepter = self.vpc_addr(&p.accepter_vpc, &format!("{at}/accepter_vpc"));
        let (Some(requester), Some(accepter)) = (requester, accepter) else { return };
        let body = vec![
            attr("vpc_id", rf(&requester, "id")),
            attr("peer_vpc_id", rf(&accepter, "id")),
            attr("auto_accept", boolean(auto_accept)),
            tags(&p.id),
        ];
        let addr = self.resource("aws_vpc_peering_connection", &p.id, body);
        self.pcxs.insert(p.id.clone(), addr);
    }

    fn tgw(&mut self, i: usize, t: &TgwDoc) {
        let at = format!("transit_gateways/{i}");
        let tgw = self.resource("aws_ec2_transit_gateway", &t.id, vec![tags(&t.id)]);
        self.tgws.insert(t.id.clone(), tgw.clone());
        for (k, a) in t.attachments.iter().enumerate() {
            let at = format!("{at}/attachments/{k}");
            let Some(vpc) = self.vpc_addr(&a.vpc, &format!("{at}/vpc")) else { continue };
            let subnets = self.subnet_list(&a.subnets, &format!("{at}/subnets"));
            if subnets.is_empty() {
                self.error(
                    "export-missing-value",
                    format!("{at}/subnets"),
                    format!("transit gateway attachment `{}` has no subnet", a.id),
                    "name one subnet per Availability Zone",
                );
                continue;
            }
            let mut body =
                vec![attr("transit_gateway_id", rf(&tgw, "id")), attr("vpc_id", rf(&vpc, "id")), attr("subnet_ids", Val::List(subnets))];
            if !a.propagate {
                body.push(attr("transit_gateway_default_route_table_propagation", boolean(false)));
            }
            body.push(tags(&a.id));
            let addr = self.resource("aws_ec2_transit_gateway_vpc_attachment", &a.id, body);
            self.tgw_attachments.insert(a.id.clone(), addr.clone());
            self.tgw_vpc.entry((t.id.clone(), a.vpc.clone())).or_default().push(addr);
        }
        for (k, r) in t.routes.iter().enumerate() {
            let at = format!("{at}/routes/{k}");
            if let Err(e) = parse_cidr(&r.destination) {
                self.error("export-invalid-value", format!("{at}/destination"), e, "write a CIDR block such as `10.1.0.0/16`");
                continue;
            }
            let mut body = vec![
                attr("destination_cidr_block", s(r.destination.trim())),
                attr("transit_gateway_route_table_id", rf(&tgw, "association_default_route_table_id")),
            ];
            match &r.attachment {
                None => body.push(attr("blackhole", boolean(true))),
                Some(a) => match find(&self.tgw_attachments, a, &format!("{at}/attachment"), "transit gateway attachment", &mut self.diags)
                {
                    Some(addr) => body.push(attr("transit_gateway_attachment_id", rf(&addr, "id"))),
                    None => continue,
                },
            }
            self.resource("aws_ec2_transit_gateway_route", &format!("{}_{k}", t.id), body);
        }
    }

    fn managed_prefix_list(&mut self, i: usize, p: &PrefixListDoc) {
        let at = format!("prefix_lists/{i}");
        let mut entries = Vec::new();
        let mut family = None;
        for (k, c) in p.cidrs.iter().enumerate() {
            match parse_cidr(c) {
                Ok(net) => {
                    let v6 = matches!(net, IpNet::V6(_));
                    if *family.get_or_insert(v6) != v6 {
                        self.warning(
                            "export-not-supported",
                            format!("{at}/cidrs/{k}"),
                            format!("prefix list `{}` mixes IPv4 and IPv6 entries; `{c}` is left out", p.id),
                            "a managed prefix list holds one address family: split it in two",
                        );
                        continue;
                    }
                    entries.push(Item::Block(Block::new("entry", vec![], vec![attr("cidr", Val::Str(net.to_string()))])));
                }
                Err(e) => self.error("export-invalid-value", format!("{at}/cidrs/{k}"), e, "write a CIDR block"),
            }
        }
        let name = if p.name.is_empty() { &p.id } else { &p.name };
        let mut body = vec![
            attr("name", s(name)),
            attr("address_family", s(if family == Some(true) { "IPv6" } else { "IPv4" })),
            attr("max_entries", num(entries.len().max(1))),
        ];
        body.extend(entries);
        body.push(tags(&p.id));
        let addr = self.resource("aws_ec2_managed_prefix_list", &p.id, body);
        self.pls.insert(p.id.clone(), addr);
    }

    fn security_groups(&mut self) {
        let net = self.net;
        let mut defaults: BTreeSet<&str> = BTreeSet::new();
        let mut names: BTreeSet<(String, String)> = BTreeSet::new();
        let mut exported: Vec<(usize, &SgDoc, String)> = Vec::new();
        for (i, g) in net.security_groups.iter().enumerate() {
            let at = format!("security_groups/{i}");
            let Some(vpc) = self.vpc_addr(&g.vpc, &format!("{at}/vpc")) else { continue };
            let addr = if g.name == "default" {
                if !defaults.insert(g.vpc.as_str()) {
                    self.error(
                        "export-duplicate-default",
                        &at,
                        format!("VPC `{}` has a second security group named `default`", g.vpc),
                        "a VPC has one default security group; rename this one",
                    );
                    continue;
                }
                self.resource("aws_default_security_group", &g.id, vec![attr("vpc_id", rf(&vpc, "id")), tags(&g.id)])
            } else {
                let base = if g.name.is_empty() { g.id.as_str() } else { g.name.as_str() };
                // AWS rejects group names starting with `sg-`.
                let name = match base.get(..3) {
                    Some(p) if p.eq_ignore_ascii_case("sg-") => base.get(3..).unwrap_or(base),
                    _ => base,
                };
                // Group names are unique per VPC.
                let mut name = sg_text(name);
                let mut n = 1usize;
                let base = name.clone();
                while !names.insert((g.vpc.clone(), name.clone())) {
                    n += 1;
                    name = format!("{base}-{n}");
                }
                let mut body = vec![attr("name", Val::Str(name))];
                if !g.description.is_empty() {
                    body.push(attr("description", Val::Str(sg_text(&g.description))));
                }
                body.push(attr("vpc_id", rf(&vpc, "id")));
                body.push(tags(&g.id));
                self.resource("aws_security_group", &g.id, body)
            };
            self.sgs.insert(g.id.clone(), addr.clone());
            exported.push((i, g, addr));
        }
        for (i, g, addr) in exported {
            for (dir, rules, ty) in [
                ("inbound", &g.inbound, "aws_vpc_security_group_ingress_rule"),
                ("outbound", &g.outbound, "aws_vpc_security_group_egress_rule"),
            ] {
                for (k, r) in rules.iter().enumerate() {
                    let at = format!("security_groups/{i}/{dir}/{k}");
                    if let Some(body) = self.sg_rule(&addr, r, &at) {
                        let short = if dir == "inbound" { "in" } else { "out" };
                        self.resource(ty, &format!("{}_{short}_{k}", g.id), body);
                    }
                }
            }
        }
    }

    /// The body of one `aws_vpc_security_group_*_rule`, or `None` (reported).
    fn sg_rule(&mut self, group: &str, r: &SgRuleDoc, at: &str) -> Option<Vec<Item>> {
        let mut body = vec![attr("security_group_id", rf(group, "id"))];
        let Some(protocol) = Protocol::parse(&r.protocol) else {
            self.error(
                "export-invalid-value",
                format!("{at}/protocol"),
                format!("`{}` is not a protocol", r.protocol),
                "write `tcp`, `udp`, `icmp`, `icmpv6`, `all` or a number 0-255",
            );
            return None;
        };
        match protocol {
            Protocol::All => body.push(attr("ip_protocol", s("-1"))),
            Protocol::Number(n @ (6 | 17)) => {
                let ports = self.ports(r.ports.as_deref(), at)?;
                body.push(attr("ip_protocol", s(if n == 6 { "tcp" } else { "udp" })));
                body.push(attr("from_port", num(ports.from())));
                body.push(attr("to_port", num(ports.to())));
            }
            Protocol::Number(n @ (1 | 58)) => {
                body.push(attr("ip_protocol", s(if n == 1 { "icmp" } else { "icmpv6" })));
                body.push(attr("from_port", num(r.icmp_type.unwrap_or(-1))));
                body.push(attr("to_port", num(r.icmp_code.unwrap_or(-1))));
            }
            Protocol::Number(n) => body.push(attr("ip_protocol", Val::Str(n.to_string()))),
        }
        let peers = usize::from(r.cidr.is_some()) + usize::from(r.prefix_list.is_some()) + usize::from(r.sg.is_some());
        if peers != 1 {
            self.error(
                "export-invalid-value",
                at,
                format!("the rule names {peers} peers"),
                "name exactly one of `cidr`, `prefix_list` and `sg`",
            );
            return None;
        }
        if let Some(c) = &r.cidr {
            match parse_cidr(c) {
                Ok(IpNet::V4(n)) => body.push(attr("cidr_ipv4", Val::Str(n.to_string()))),
                Ok(IpNet::V6(n)) => body.push(attr("cidr_ipv6", Val::Str(n.to_string()))),
                Err(e) => {
                    self.error("export-invalid-value", format!("{at}/cidr"), e, "write a CIDR block such as `10.0.0.0/16`");
                    return None;
                }
            }
        }
        if let Some(pl) = &r.prefix_list {
            body.push(attr("prefix_list_id", self.prefix_list(pl, &format!("{at}/prefix_list"))?));
        }
        if let Some(sg) = &r.sg {
            body.push(attr("referenced_security_group_id", self.sg(sg, &format!("{at}/sg"))?));
        }
        if !r.description.is_empty() {
            body.push(attr("description", Val::Str(sg_text(&r.description))));
        }
        Some(body)
    }

    /// A TCP/UDP port range; omitted means all ports.
    fn ports(&mut self, ports: Option<&str>, at: &str) -> Option<PortRange> {
        match ports.map(PortRange::parse) {
            None => Some(PortRange::ALL),
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                self.error("export-invalid-value", format!("{at}/ports"), e, "write a port (`443`) or a range (`1024-65535`)");
                None
            }
        }
    }

    fn route_table_res(&mut self, i: usize, rt: &RouteTableDoc) {
        let at = format!("route_tables/{i}");
        let Some(vpc) = self.vpc_addr(&rt.vpc, &format!("{at}/vpc")) else { return };
        let addr = self.resource("aws_route_table", &rt.id, vec![attr("vpc_id", rf(&vpc, "id")), tags(&rt.id)]);
        self.rts.insert(rt.id.clone(), addr.clone());
        if rt.main {
            let body = vec![attr("vpc_id", rf(&vpc, "id")), attr("route_table_id", rf(&addr, "id"))];
            self.resource("aws_main_route_table_association", &rt.id, body);
        }
        for (k, sn) in rt.subnets.iter().enumerate() {
            let Some(subnet) = self.subnet(sn, &format!("{at}/subnets/{k}")) else { continue };
            let body = vec![attr("subnet_id", subnet), attr("route_table_id", rf(&addr, "id"))];
            self.resource("aws_route_table_association", &format!("{}_{sn}", rt.id), body);
        }
    }

    fn routes(&mut self, i: usize, rt: &RouteTableDoc) {
        let Some(table) = self.rts.get(&rt.id).cloned() else { return };
        for (k, r) in rt.routes.iter().enumerate() {
            let at = format!("route_tables/{i}/routes/{k}");
            if let Some(body) = self.route(&table, rt, r, &at) {
                self.resource("aws_route", &format!("{}_{k}", rt.id), body);
            }
        }
    }

    /// The body of one `aws_route`, or `None` (reported).
    fn route(&mut self, table: &str, rt: &RouteTableDoc, r: &RouteDoc, at: &str) -> Option<Vec<Item>> {
        let target = r.target.trim();
        if target == "local" {
            self.info("export-local-route", at, "local routes are implicit and are not exported", "AWS adds them to every route table");
            return None;
        }
        if target.starts_with("vgw-") {
            self.warning(
                "export-vgw-target",
                at,
                format!("the route to virtual private gateway `{target}` is not exported"),
                "vpcsim does not model VPN gateways: add `aws_vpn_gateway` with `aws_vpn_gateway_route_propagation` or an `aws_route` with `gateway_id`",
            );
            return None;
        }
        if r.propagated {
            self.warning(
                "export-propagated-route",
                at,
                format!("the propagated route to `{target}` is not exported"),
                "propagated routes come from a virtual private gateway (`aws_vpn_gateway_route_propagation`)",
            );
            return None;
        }
        let mut body = vec![attr("route_table_id", rf(table, "id"))];
        match (&r.destination, &r.destination_prefix_list) {
            (Some(d), None) => match parse_cidr(d) {
                Ok(IpNet::V4(n)) => body.push(attr("destination_cidr_block", Val::Str(n.to_string()))),
                Ok(IpNet::V6(n)) => body.push(attr("destination_ipv6_cidr_block", Val::Str(n.to_string()))),
                Err(e) => {
                    self.error("export-invalid-value", format!("{at}/destination"), e, "write a CIDR block such as `0.0.0.0/0`");
                    return None;
                }
            },
            (None, Some(pl)) => {
                let pl = self.prefix_list(pl, &format!("{at}/destination_prefix_list"))?;
                body.push(attr("destination_prefix_list_id", pl));
            }
            _ => {
                self.error(
                    "export-invalid-value",
                    at,
                    "a route needs exactly one destination",
                    "write `destination` or `destination_prefix_list`",
                );
                return None;
            }
        }
        let (key, value) = if let Some(a) = self.igws.get(target) {
            ("gateway_id", rf(a, "id"))
        } else if let Some(a) = self.eigws.get(target) {
            ("egress_only_gateway_id", rf(a, "id"))
        } else if let Some(a) = self.nats.get(target) {
            ("nat_gateway_id", rf(a, "id"))
        } else if let Some(a) = self.pcxs.get(target) {
            ("vpc_peering_connection_id", rf(a, "id"))
        } else if let Some(a) = self.tgws.get(target) {
            let attachments = self.tgw_vpc.get(&(target.to_owned(), rt.vpc.clone())).cloned().unwrap_or_default();
            if !attachments.is_empty() {
                // A route to a transit gateway needs the VPC's attachment first.
                body.push(attr("depends_on", Val::List(attachments.into_iter().map(raw).collect())));
            }
            ("transit_gateway_id", rf(a, "id"))
        } else if let Some(e) = self.vpces.get(target) {
            if e.gateway {
                let listed = e.route_tables.iter().any(|t| t == &rt.id);
                let help = if listed {
                    "the endpoint's `route_table_ids` adds it".to_owned()
                } else {
                    format!("add `{}` to the endpoint's `route_tables`", rt.id)
                };
                self.info("export-endpoint-route", at, format!("the route to gateway endpoint `{target}` is not exported"), help);
                return None;
            }
            ("vpc_endpoint_id", rf(&e.addr, "id"))
        } else if let Some(a) = self.enis.get(target) {
            ("network_interface_id", rf(a, "primary_network_interface_id"))
        } else {
            self.warning(
                "export-blackhole-route",
                format!("{at}/target"),
                format!("route target `{target}` does not exist, so the route is a blackhole and is not exported"),
                "Terraform cannot create a blackhole route; point it at an existing gateway, or delete it",
            );
            return None;
        };
        body.push(attr(key, value));
        Some(body)
    }

    fn network_acls(&mut self) {
        let net = self.net;
        let mut defaults: BTreeSet<&str> = BTreeSet::new();
        for (i, acl) in net.network_acls.iter().enumerate() {
            let at = format!("network_acls/{i}");
            let Some(vpc) = self.vpc_addr(&acl.vpc, &format!("{at}/vpc")) else { continue };
            if acl.default && !defaults.insert(acl.vpc.as_str()) {
                self.error(
                    "export-duplicate-default",
                    &at,
                    format!("VPC `{}` has a second default network ACL", acl.vpc),
                    "a VPC has one default network ACL",
                );
                continue;
            }
            let mut body = if acl.default {
                vec![attr("default_network_acl_id", rf(&vpc, "default_network_acl_id"))]
            } else {
                vec![attr("vpc_id", rf(&vpc, "id"))]
            };
            body.extend(self.nacl_entries(acl, &at));
            body.push(tags(&acl.id));
            let ty = if acl.default { "aws_default_network_acl" } else { "aws_network_acl" };
            let addr = self.resource(ty, &acl.id, body);
            for (k, sn) in acl.subnets.iter().enumerate() {
                let Some(subnet) = self.subnet(sn, &format!("{at}/subnets/{k}")) else { continue };
                let body = vec![attr("network_acl_id", rf(&addr, "id")), attr("subnet_id", subnet)];
                self.resource("aws_network_acl_association", &format!("{}_{sn}", acl.id), body);
            }
        }
    }

    fn nacl_entries(&mut self, acl: &NaclDoc, at: &str) -> Vec<Item> {
        let mut out = Vec::new();
        for (dir, entries, kind) in [("inbound", &acl.inbound, "ingress"), ("outbound", &acl.outbound, "egress")] {
            for (k, e) in entries.iter().enumerate() {
                if let Some(body) = self.nacl_entry(e, &format!("{at}/{dir}/{k}")) {
                    out.push(Item::Block(Block::new(kind, vec![], body)));
                }
            }
        }
        out
    }

    fn nacl_entry(&mut self, e: &NaclEntryDoc, at: &str) -> Option<Vec<Item>> {
        if !(1..=32766).contains(&e.rule) {
            self.error("export-invalid-value", format!("{at}/rule"), format!("rule number `{}` is out of range", e.rule), "use 1-32766");
            return None;
        }
        let action = e.action.trim().to_ascii_lowercase();
        if action != "allow" && action != "deny" {
            self.error(
                "export-invalid-value",
                format!("{at}/action"),
                format!("`{}` is not a rule action", e.action),
                "write `allow` or `deny`",
            );
            return None;
        }
        let Some(protocol) = Protocol::parse(&e.protocol) else {
            self.error(
                "export-invalid-value",
                format!("{at}/protocol"),
                format!("`{}` is not a protocol", e.protocol),
                "write `tcp`, `udp`, `icmp`, `icmpv6`, `all` or a number 0-255",
            );
            return None;
        };
        let mut body = vec![attr("rule_no", num(e.rule)), attr("action", Val::Str(action))];
        let (proto, ports, icmp) = match protocol {
            Protocol::All => ("-1".to_owned(), PortRange::single(0), false),
            Protocol::Number(n @ (6 | 17)) => ((if n == 6 { "tcp" } else { "udp" }).to_owned(), self.ports(e.ports.as_deref(), at)?, false),
            Protocol::Number(1) => ("icmp".to_owned(), PortRange::single(0), true),
            Protocol::Number(58) => ("58".to_owned(), PortRange::single(0), true),
            Protocol::Number(n) => (n.to_string(), PortRange::single(0), false),
        };
        body.push(attr("protocol", Val::Str(proto)));
        body.push(attr("from_port", num(ports.from())));
        body.push(attr("to_port", num(ports.to())));
        if icmp {
            body.push(attr("icmp_type", num(e.icmp_type.unwrap_or(-1))));
            body.push(attr("icmp_code", num(e.icmp_code.unwrap_or(-1))));
        }
        match parse_cidr(&e.cidr) {
            Ok(IpNet::V4(n)) => body.push(attr("cidr_block", Val::Str(n.to_string()))),
            Ok(IpNet::V6(n)) => body.push(attr("ipv6_cidr_block", Val::Str(n.to_string()))),
            Err(err) => {
                self.error("export-invalid-value", format!("{at}/cidr"), err, "write a CIDR block such as `0.0.0.0/0`");
                return None;
            }
        }
        Some(body)
    }

    fn service_name(&self, service: &str) -> String {
        if service.starts_with("com.amazonaws.") || service.starts_with("aws.") {
            service.to_owned()
        } else {
            format!("com.amazonaws.{}.{service}", self.region)
        }
    }

    fn vpc_endpoint(&mut self, i: usize, e: &VpceDoc) {
        let at = format!("vpc_endpoints/{i}");
        let gateway = match e.kind.to_ascii_lowercase().as_str() {
            "gateway" => true,
            "interface" => false,
            other => {
                self.error(
                    "export-invalid-value",
                    format!("{at}/type"),
                    format!("`{other}` is not an endpoint type"),
                    "write `gateway` or `interface`",
                );
                return;
            }
        };
        let Some(vpc) = self.vpc_addr(&e.vpc, &format!("{at}/vpc")) else { return };
        let mut body = vec![
            attr("vpc_id", rf(&vpc, "id")),
            attr("service_name", Val::Str(self.service_name(&e.service))),
            attr("vpc_endpoint_type", s(if gateway { "Gateway" } else { "Interface" })),
        ];
        if gateway {
            let tables: Vec<Val> =
                e.route_tables.iter().enumerate().filter_map(|(k, t)| self.route_table(t, &format!("{at}/route_tables/{k}"))).collect();
            if !tables.is_empty() {
                body.push(attr("route_table_ids", Val::List(tables)));
            }
        } else {
            let subnets = self.subnet_list(&e.subnets, &format!("{at}/subnets"));
            if !subnets.is_empty() {
                body.push(attr("subnet_ids", Val::List(subnets)));
            }
            let sgs = self.sg_list(&e.security_groups, &format!("{at}/security_groups"));
            if !sgs.is_empty() {
                body.push(attr("security_group_ids", Val::List(sgs)));
            }
            body.push(attr("private_dns_enabled", boolean(e.private_dns)));
        }
        if let Some(policy) = &e.policy {
            body.push(attr("policy", Val::Call("jsonencode", Box::new(json_val(policy)))));
        }
        body.push(tags(&e.id));
        let addr = self.resource("aws_vpc_endpoint", &e.id, body);
        self.vpces.insert(e.id.clone(), VpceInfo { addr, gateway, route_tables: e.route_tables.clone() });
    }

    fn instance(&mut self, i: usize, inst: &InstanceDoc) {
        let at = format!("instances/{i}");
        let Some(subnet) = self.subnet(&inst.subnet, &format!("{at}/subnet")) else { return };
        let ami = self.var("ami_id");
        let mut body = vec![attr("ami", ami), attr("instance_type", s("t3.micro")), attr("subnet_id", subnet)];
        if let Some(ip) = &inst.private_ip {
            body.push(attr("private_ip", s(ip)));
        }
        if let Some(ip) = &inst.ipv6 {
            body.push(attr("ipv6_addresses", Val::List(vec![s(ip)])));
        }
        let sgs = self.sg_list(&inst.security_groups, &format!("{at}/security_groups"));
        if !sgs.is_empty() {
            body.push(attr("vpc_security_group_ids", Val::List(sgs)));
        }
        if let Some(ip) = &inst.public_ip {
            body.push(attr("associate_public_ip_address", boolean(true)));
            self.info(
                "export-address-assigned",
                format!("{at}/public_ip"),
                format!("AWS assigns the public address of instance `{}`; `{ip}` is not kept", inst.id),
                "for a fixed address, associate an `aws_eip` with the instance",
            );
        }
        body.push(tags(&inst.id));
        let addr = self.resource("aws_instance", &inst.id, body);
        let eni = inst.eni.clone().unwrap_or_else(|| format!("eni-{}", inst.id));
        self.enis.insert(eni, addr.clone());
        self.enis.insert(inst.id.clone(), addr);
    }

    fn enabled(b: bool) -> Val {
        s(if b { "Enabled" } else { "Disabled" })
    }

    fn notebook(&mut self, i: usize, nb: &NotebookDoc) {
        let at = format!("sagemaker/notebook_instances/{i}");
        let role = self.var("sagemaker_role_arn");
        let mut body = vec![
            attr("name", Val::Str(sagemaker_name(&nb.name, "notebook"))),
            attr("role_arn", role),
            attr("instance_type", s("ml.t3.medium")),
        ];
        match &nb.subnet {
            Some(sn) => {
                let Some(subnet) = self.subnet(sn, &format!("{at}/subnet")) else { return };
                body.push(attr("subnet_id", subnet));
                let sgs = self.sg_list(&nb.security_groups, &format!("{at}/security_groups"));
                if !sgs.is_empty() {
                    body.push(attr("security_groups", Val::List(sgs)));
                }
            }
            None if !nb.direct_internet_access => self.warning(
                "export-not-supported",
                &at,
                format!("notebook `{}` disables direct internet access but has no subnet", nb.name),
                "SageMaker requires a subnet when direct internet access is disabled (SM-4)",
            ),
            None => {}
        }
        body.push(attr("direct_internet_access", Self::enabled(nb.direct_internet_access)));
        body.push(attr("root_access", Self::enabled(nb.root_access)));
        body.push(tags(&nb.name));
        self.resource("aws_sagemaker_notebook_instance", &nb.name, body);
    }

    /// `vpc_config` of a model: subnets and security groups, both required.
    fn vpc_config(&mut self, c: &VpcConfigDoc, at: &str, subnets_key: &'static str) -> Option<Item> {
        let subnets = self.subnet_list(&c.subnets, &format!("{at}/subnets"));
        let sgs = self.sg_list(&c.security_groups, &format!("{at}/security_groups"));
        if subnets.is_empty() || sgs.is_empty() {
            self.warning(
                "export-not-supported",
                at,
                "a VpcConfig needs at least one subnet and one security group; it is left out",
                "name the subnets and security groups of the resource",
            );
            return None;
        }
        Some(Item::Block(Block::new(
            "vpc_config",
            vec![],
            vec![attr(subnets_key, Val::List(subnets)), attr("security_group_ids", Val::List(sgs))],
        )))
    }

    fn sagemaker_endpoint(&mut self, i: usize, e: &EndpointDoc) {
        let at = format!("sagemaker/endpoints/{i}");
        let endpoint_name = sagemaker_name(&e.name, "endpoint");
        let model_name = if e.model.is_empty() { format!("{endpoint_name}-model") } else { sagemaker_name(&e.model, "model") };
        let role = self.var("sagemaker_role_arn");
        let image = self.var("model_image");
        let mut body = vec![
            attr("name", Val::Str(model_name.clone())),
            attr("execution_role_arn", role),
            attr("enable_network_isolation", boolean(e.network_isolation)),
            Item::Block(Block::new("primary_container", vec![], vec![attr("image", image)])),
        ];
        if let Some(c) = &e.vpc_config {
            body.extend(self.vpc_config(c, &format!("{at}/vpc_config"), "subnets"));
        }
        body.push(tags(if e.model.is_empty() { &e.name } else { &e.model }));
        let model = self.resource("aws_sagemaker_model", if e.model.is_empty() { &e.name } else { &e.model }, body);
        let variant = Block::new(
            "production_variants",
            vec![],
            vec![
                attr("variant_name", s("AllTraffic")),
                attr("model_name", rf(&model, "name")),
                attr("initial_instance_count", num(1)),
                attr("instance_type", s("ml.t2.medium")),
            ],
        );
        let body = vec![attr("name", Val::Str(format!("{endpoint_name}-config"))), Item::Block(variant), tags(&e.name)];
        let config = self.resource("aws_sagemaker_endpoint_configuration", &e.name, body);
        let body = vec![attr("name", Val::Str(endpoint_name)), attr("endpoint_config_name", rf(&config, "name")), tags(&e.name)];
        self.resource("aws_sagemaker_endpoint", &e.name, body);
    }

    fn domain(&mut self, i: usize, d: &DomainDoc) {
        let at = format!("sagemaker/domains/{i}");
        if d.network_access != "PublicInternetOnly" && d.network_access != "VpcOnly" {
            self.error(
                "export-invalid-value",
                format!("{at}/network_access"),
                format!("`{}` is not a network access type", d.network_access),
                "write `PublicInternetOnly` or `VpcOnly`",
            );
            return;
        }
        let Some(vpc) = self.vpc_addr(&d.vpc, &format!("{at}/vpc")) else { return };
        let subnets = self.subnet_list(&d.subnets, &format!("{at}/subnets"));
        if subnets.is_empty() {
            self.error("export-missing-value", format!("{at}/subnets"), format!("domain `{}` has no subnet", d.name), "name its subnets");
            return;
        }
        let role = self.var("sagemaker_role_arn");
        let mut settings = vec![attr("execution_role", role)];
        let sgs = self.sg_list(&d.security_groups, &format!("{at}/security_groups"));
        if !sgs.is_empty() {
            settings.push(attr("security_groups", Val::List(sgs)));
        }
        let body = vec![
            attr("domain_name", Val::Str(sagemaker_name(&d.name, "domain"))),
            attr("auth_mode", s("IAM")),
            attr("vpc_id", rf(&vpc, "id")),
            attr("subnet_ids", Val::List(subnets)),
            attr("app_network_access_type", s(&d.network_access)),
            Item::Block(Block::new("default_user_settings", vec![], settings)),
            tags(&d.name),
        ];
        self.resource("aws_sagemaker_domain", &d.name, body);
    }

    fn finish(self, scenario: &Scenario) -> Exported {
        let aws = Val::Map(vec![("source".to_owned(), s("hashicorp/aws")), ("version".to_owned(), s(">= 5.0"))]);
        let required = Block::new("required_providers", vec![], vec![attr("aws", aws)]);
        let terraform = Block::new("terraform", vec![], vec![Item::Block(required)]);
        let provider = Block::new("provider", vec!["aws".to_owned()], vec![attr("region", Val::Str(self.region.clone()))]);
        let mut files = vec![("versions.tf".to_owned(), render_file(&[terraform, provider]))];
        if !self.vars.is_empty() {
            let vars: Vec<Block> = self
                .vars
                .iter()
                .map(|v| {
                    let description = match *v {
                        "ami_id" => "AMI of the EC2 instances",
                        "sagemaker_role_arn" => "ARN of the IAM role SageMaker assumes (notebooks, models, Studio users)",
                        _ => "ECR image URI of the inference container",
                    };
                    Block::new("variable", vec![(*v).to_owned()], vec![attr("description", s(description)), attr("type", raw("string"))])
                })
                .collect();
            files.push(("variables.tf".to_owned(), render_file(&vars)));
        }
        let mut main = String::new();
        let title = if scenario.name.is_empty() { "vpcsim scenario" } else { scenario.name.as_str() };
        for line in title.lines() {
            main.push_str("# ");
            main.push_str(line);
            main.push('\n');
        }
        main.push_str("# Exported by vpcsim from scenario format v1. Resource names are the document ids.\n\n");
        let mut blocks = self.data;
        blocks.extend(self.main);
        main.push_str(&render_file(&blocks));
        files.push(("main.tf".to_owned(), main));
        Exported { files, diagnostics: self.diags }
    }
}

/// `(newbits, netnum)` of `sub` inside `block`, for `cidrsubnet()`.
fn cidrsubnet(block: Ipv6Net, sub: Ipv6Net) -> Option<(u8, u128)> {
    if !block.contains(&sub) || sub.prefix_len() <= block.prefix_len() {
        return None;
    }
    let newbits = sub.prefix_len() - block.prefix_len();
    let offset = u128::from(sub.network()).checked_sub(u128::from(block.network()))?;
    let netnum = offset.checked_shr(u32::from(128 - sub.prefix_len())).unwrap_or(0);
    Some((newbits, netnum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_templates_and_quotes() {
        assert_eq!(quote(r#"a "b" \ ${x} %{y} $z"#), r#""a \"b\" \\ $${x} %%{y} $z""#);
        assert_eq!(quote("line\nnext\u{1}"), "\"line\\nnext\\u0001\"");
    }

    #[test]
    fn names_are_identifiers_and_unique() {
        let mut n = Names::default();
        assert_eq!(n.alloc("aws_vpc", "vpc-ml"), "vpc_ml");
        assert_eq!(n.alloc("aws_vpc", "vpc_ml"), "vpc_ml_2");
        assert_eq!(n.alloc("aws_subnet", "vpc-ml"), "vpc_ml");
        assert_eq!(n.alloc("aws_vpc", "10.0.0.0"), "r_10_0_0_0");
        assert_eq!(sanitize(""), "r_");
    }

    #[test]
    fn cidrsubnet_offsets() {
        let block: Ipv6Net = "2600:1f18:1:100::/56".parse().unwrap_or_default();
        let sub: Ipv6Net = "2600:1f18:1:103::/64".parse().unwrap_or_default();
        assert_eq!(cidrsubnet(block, sub), Some((8, 3)));
    }
}
