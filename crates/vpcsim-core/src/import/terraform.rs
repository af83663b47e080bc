//! `terraform show -json` state and plan documents into a scenario (format v1).
//!
//! A state document holds `values.root_module`; a plan holds `planned_values.root_module`
//! with `resource_changes[].change.after_unknown` marking what is not known until apply,
//! and `configuration` with the expressions that produce those values. An unknown
//! attribute that is a reference (`vpc_id = aws_vpc.main.id`) is resolved to the referenced
//! resource's id; a resource whose own id is unknown is named by its Terraform address.
//!
//! Every problem is a diagnostic located by resource address
//! (`module.net.aws_subnet.private`) or by `<file>#<JSON pointer>`.

use super::{Imported, InputFile, MAX_FILE_BYTES};
use crate::diag::Diagnostic;
use crate::scenario::{
    DomainDoc, EndpointDoc, IgwDoc, InstanceDoc, NaclDoc, NaclEntryDoc, NatDoc, NetworkDoc, NotebookDoc, PeeringDoc, RouteDoc,
    RouteTableDoc, Scenario, SgDoc, SgRuleDoc, SubnetDoc, VpcConfigDoc, VpcDoc, VpceDoc, FORMAT_VERSION,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Resource types this importer models.
const MODELLED: &[&str] = &[
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_security_group_rule",
    "aws_network_acl",
    "aws_network_acl_rule",
    "aws_network_acl_association",
    "aws_default_network_acl",
    "aws_default_security_group",
    "aws_route_table",
    "aws_default_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_internet_gateway",
    "aws_egress_only_internet_gateway",
    "aws_nat_gateway",
    "aws_eip",
    "aws_vpc_endpoint",
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_peering_connection",
    "aws_instance",
    "aws_network_interface",
    "aws_sagemaker_notebook_instance",
    "aws_sagemaker_model",
    "aws_sagemaker_endpoint_configuration",
    "aws_sagemaker_endpoint",
    "aws_sagemaker_domain",
];

/// Protocol, port range, ICMP type and ICMP code of a rule.
type ProtoPorts = (String, Option<String>, Option<i64>, Option<i64>);

/// One managed resource of the document, with what is needed to read its attributes.
struct Res<'a> {
    /// Full address, `module.net.aws_subnet.private`.
    address: String,
    /// Resource type.
    kind: String,
    /// Known attribute values.
    values: &'a Value,
    /// `after_unknown` of the plan, when there is one.
    unknown: Option<&'a Value>,
    /// Configuration expressions of the resource, when there are any.
    expr: Option<&'a Value>,
    /// Module call names from the root, for resolving references.
    module: Vec<String>,
}

/// The import in progress.
struct Importer<'a> {
    file: &'a str,
    config: Option<&'a Value>,
    /// Resource address → the id the document uses for it.
    ids: BTreeMap<String, String>,
    diags: Vec<Diagnostic>,
    net: NetworkDoc,
}

/// Imports one `terraform show -json` document (state or plan). A document that cannot be
/// read at all gives an empty network and the error that says why.
pub fn import(file: &InputFile) -> Imported {
    match try_import(file) {
        Ok(imported) => imported,
        Err(diagnostics) => Imported { scenario: Scenario { vpcsim: FORMAT_VERSION, ..Scenario::default() }, diagnostics },
    }
}

/// Imports one `terraform show -json` document (state or plan), or says why there is
/// nothing to import: the file is too large, is not JSON, or is not `terraform show -json`
/// output (no `format_version`). Problems inside a readable document are diagnostics of
/// the `Ok` import.
pub fn try_import(file: &InputFile) -> Result<Imported, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let network = import_network(file, &mut diags).map_err(|fatal| vec![fatal])?;
    Ok(Imported { scenario: Scenario { vpcsim: FORMAT_VERSION, network, ..Scenario::default() }, diagnostics: diags })
}

/// The network of a document; `Err` when the document cannot be read at all (nothing
/// has been pushed to `diags` then).
fn import_network(file: &InputFile, diags: &mut Vec<Diagnostic>) -> Result<NetworkDoc, Diagnostic> {
    let at_root = format!("{}#", file.path);
    if file.text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "file-too-large",
            at_root,
            format!("the file is {} bytes, more than the {} bytes (64 MiB) an import accepts", file.text.len(), MAX_FILE_BYTES),
            "import a smaller state, for example one workspace or `terraform show -json` of a single module's state",
        ));
    }
    let doc: Value = match serde_json::from_str(&file.text) {
        Ok(v) => v,
        Err(e) => {
            return Err(Diagnostic::error(
                "json-syntax",
                at_root,
                format!("the file is not valid JSON: {e} (line {} column {})", e.line(), e.column()),
                "pass the output of `terraform show -json` (state) or `terraform show -json PLANFILE` (plan) unchanged",
            ));
        }
    };
    let Some(obj) = doc.as_object() else {
        return Err(not_terraform(&at_root, "the document is not a JSON object"));
    };
    match obj.get("format_version") {
        Some(Value::String(v)) => {
            if !v.starts_with("1.") && v != "1" {
                diags.push(Diagnostic::warning(
                    "terraform-format-version",
                    format!("{}#/format_version", file.path),
                    format!("JSON output format version `{v}` is not 1.x; the document is read as 1.x"),
                    "use a Terraform release whose `terraform show -json` writes format version 1.x",
                ));
            }
        }
        Some(_) => {
            return Err(Diagnostic::error(
                "terraform-shape",
                format!("{}#/format_version", file.path),
                "`format_version` must be a string",
                "pass the output of `terraform show -json` unchanged",
            ));
        }
        None => return Err(not_terraform(&at_root, "the document has no `format_version`")),
    }
    let (root_key, root) = if let Some(p) = obj.get("planned_values") {
        ("planned_values", p)
    } else if let Some(v) = obj.get("values") {
        ("values", v)
    } else {
        diags.push(Diagnostic::info(
            "terraform-empty",
            at_root,
            "the document has neither `values` nor `planned_values`: the state is empty",
            "run `terraform apply` first, or pass a plan file to `terraform show -json`",
        ));
        return Ok(NetworkDoc::default());
    };
    let mut imp = Importer {
        file: &file.path,
        config: obj.get("configuration"),
        ids: BTreeMap::new(),
        diags: Vec::new(),
        net: NetworkDoc::default(),
    };
    let unknowns = after_unknowns(obj.get("resource_changes"));
    let mut resources = Vec::new();
    match root.get("root_module") {
        Some(m) => imp.collect(m, &format!("/{root_key}/root_module"), &[], &unknowns, &mut resources, 0),
        None if root.is_object() => {}
        None => imp.diags.push(Diagnostic::error(
            "terraform-shape",
            format!("{}#/{root_key}", file.path),
            format!("`{root_key}` must be an object"),
            "pass the output of `terraform show -json` unchanged",
        )),
    }
    imp.region();
    imp.convert(&resources);
    diags.append(&mut imp.diags);
    Ok(imp.net)
}

fn not_terraform(at: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        "not-terraform-json",
        at,
        format!("{why}, so it is not `terraform show -json` output"),
        "run `terraform show -json > state.json` (or `terraform show -json PLANFILE`) and import that file",
    )
}

/// `after_unknown` of each planned resource, by address.
fn after_unknowns(changes: Option<&Value>) -> BTreeMap<String, &Value> {
    let mut out = BTreeMap::new();
    for rc in changes.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        if let (Some(addr), Some(u)) = (rc.get("address").and_then(Value::as_str), rc.pointer("/change/after_unknown")) {
            out.insert(addr.to_owned(), u);
        }
    }
    out
}

/// Walks `v` along `path`; numeric parts index arrays.
fn walk<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get(*p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn any_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(any_true),
        Value::Object(m) => m.values().any(any_true),
        _ => false,
    }
}

/// The AWS resource types, once per type, that were skipped.
fn is_modelled(kind: &str) -> bool {
    MODELLED.contains(&kind)
}

impl<'a> Importer<'a> {
    fn at(&self, pointer: &str) -> String {
        format!("{}#{pointer}", self.file)
    }

    /// Collects the managed resources of a module and its children.
    fn collect(
        &mut self,
        module: &'a Value,
        pointer: &str,
        path: &[String],
        unknowns: &BTreeMap<String, &'a Value>,
        out: &mut Vec<Res<'a>>,
        depth: usize,
    ) {
        if depth > 64 {
            self.diags.push(Diagnostic::error(
                "terraform-shape",
                self.at(pointer),
                "modules are nested too deeply",
                "nest at most 64 modules",
            ));
            return;
        }
        let Some(m) = module.as_object() else {
            self.diags.push(Diagnostic::error(
                "terraform-shape",
                self.at(pointer),
                "a module must be an object",
                "pass the output of `terraform show -json` unchanged",
            ));
            return;
        };
        match m.get("resources") {
            None => {}
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    let rp = format!("{pointer}/resources/{i}");
                    let (Some(address), Some(kind)) = (r.get("address").and_then(Value::as_str), r.get("type").and_then(Value::as_str))
                    else {
                        self.diags.push(Diagnostic::error(
                            "terraform-shape",
                            self.at(&rp),
                            "a resource needs string `address` and `type`",
                            "pass the output of `terraform show -json` unchanged",
                        ));
                        continue;
                    };
                    if r.get("mode").and_then(Value::as_str) == Some("data") {
                        continue;
                    }
                    let values = match r.get("values") {
                        Some(v @ Value::Object(_)) => v,
                        _ => {
                            self.diags.push(Diagnostic::error(
                                "terraform-shape",
                                self.at(&format!("{rp}/values")),
                                format!("resource `{address}` has no `values` object"),
                                "pass the output of `terraform show -json` unchanged",
                            ));
                            continue;
                        }
                    };
                    let expr = self.config_resource(path, r.get("name").and_then(Value::as_str), kind);
                    out.push(Res {
                        address: address.to_owned(),
                        kind: kind.to_owned(),
                        values,
                        unknown: unknowns.get(address).copied(),
                        expr,
                        module: path.to_vec(),
                    });
                }
            }
            Some(_) => self.diags.push(Diagnostic::error(
                "terraform-shape",
                self.at(&format!("{pointer}/resources")),
                "`resources` must be an array",
                "pass the output of `terraform show -json` unchanged",
            )),
        }
        match m.get("child_modules") {
            None => {}
            Some(Value::Array(list)) => {
                for (i, c) in list.iter().enumerate() {
                    let name = c
                        .get("address")
                        .and_then(Value::as_str)
                        .and_then(|a| a.rsplit("module.").next())
                        .map(|n| n.split('[').next().unwrap_or(n).trim_end_matches('.').to_owned())
                        .unwrap_or_default();
                    let mut child = path.to_vec();
                    child.push(name);
                    self.collect(c, &format!("{pointer}/child_modules/{i}"), &child, unknowns, out, depth + 1);
                }
            }
            Some(_) => self.diags.push(Diagnostic::error(
                "terraform-shape",
                self.at(&format!("{pointer}/child_modules")),
                "`child_modules` must be an array",
                "pass the output of `terraform show -json` unchanged",
            )),
        }
    }

    /// The configuration module at a module path.
    fn config_module(&self, path: &[String]) -> Option<&'a Value> {
        let mut m = self.config?.get("root_module")?;
        for name in path {
            m = m.get("module_calls")?.get(name)?.get("module")?;
        }
        Some(m)
    }

    /// The `expressions` of a resource in the configuration.
    fn config_resource(&self, path: &[String], name: Option<&str>, kind: &str) -> Option<&'a Value> {
        let name = name?;
        let m = self.config_module(path)?;
        let list = m.get("resources")?.as_array()?;
        list.iter()
            .find(|r| r.get("type").and_then(Value::as_str) == Some(kind) && r.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|r| r.get("expressions"))
    }

    /// The Region: the provider configuration, else the first subnet's Availability Zone.
    fn region(&mut self) {
        let from_provider = self
            .config
            .and_then(|c| c.pointer("/provider_config/aws/expressions/region/constant_value"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.net.region = from_provider;
    }

    /// Resolves one reference (`aws_vpc.main.id`, `var.vpc_id`, `module.net.vpc_id`) made
    /// in module `path` to a resource address.
    fn resolve_ref(&self, reference: &str, path: &[String], depth: usize) -> Option<Vec<String>> {
        if depth > 32 {
            return None;
        }
        let parts: Vec<&str> = reference.split('.').collect();
        match parts.as_slice() {
            ["var", name, ..] => {
                let (call, parent) = path.split_last()?;
                let refs = self.config_module(parent)?.get("module_calls")?.get(call)?.get("expressions")?.get(*name)?;
                self.resolve_expr(refs, parent, depth + 1)
            }
            ["module", call, output, ..] => {
                let mut child = path.to_vec();
                child.push((*call).to_owned());
                let expr = self.config_module(&child)?.get("outputs")?.get(*output)?.get("expression")?;
                self.resolve_expr(expr, &child, depth + 1)
            }
            [kind, name, ..] if kind.starts_with("aws_") => {
                let prefix: String = path.iter().map(|m| format!("module.{m}.")).collect();
                Some(vec![format!("{prefix}{kind}.{name}")])
            }
            _ => None,
        }
    }

    /// Resolves every resource reference of an expression, in order, without repeats.
    fn resolve_expr(&self, expr: &Value, path: &[String], depth: usize) -> Option<Vec<String>> {
        let refs = expr.get("references")?.as_array()?;
        let mut out: Vec<String> = Vec::new();
        for r in refs.iter().filter_map(Value::as_str) {
            // Terraform also lists the bare prefixes (`module.net`, `aws_vpc.main`): skip what does not resolve.
            for a in self.resolve_ref(r, path, depth).unwrap_or_default() {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        // `aws_subnet.a[0].id` lists `aws_subnet.a[0]` and `aws_subnet.a`: keep the indexed one.
        let indexed: Vec<String> = out.iter().filter(|a| a.ends_with(']')).cloned().collect();
        out.retain(|a| !indexed.iter().any(|i| i.starts_with(a.as_str()) && i != a));
        Some(out)
    }

    /// A planned attribute that is unknown: resolved through the configuration to ids,
    /// or a diagnostic (and `None`).
    fn unknown_ids(&mut self, res: &Res<'_>, path: &[&str]) -> Option<Vec<String>> {
        let unknown = res.unknown.and_then(|u| walk(u, path)).is_some_and(any_true);
        if !unknown {
            return None;
        }
        let attr = path.join(".");
        // Unknown without an expression: computed by the provider (an id, an address).
        let expr = res.expr.and_then(|e| walk(e, path))?;
        match self.resolve_expr(expr, &res.module, 0) {
            Some(addrs) if !addrs.is_empty() => {
                let mut ids = Vec::new();
                for a in addrs {
                    match self.ids.get(&a) {
                        Some(id) => ids.push(id.clone()),
                        None => {
                            let known: Vec<&str> = self.ids.keys().map(String::as_str).collect();
                            let help = crate::diag::did_you_mean(&a, known, "resources");
                            self.diags.push(Diagnostic::error(
                                "unresolved-reference",
                                &res.address,
                                format!("`{attr}` refers to `{a}`, which is not in the document"),
                                help,
                            ));
                        }
                    }
                }
                Some(ids)
            }
            _ => {
                self.diags.push(Diagnostic::error(
                    "unresolved-reference",
                    &res.address,
                    format!("`{attr}` is not known until apply and its expression does not refer to a modelled resource"),
                    "refer to the resource directly (e.g. `aws_vpc.main.id`), or import the state after `terraform apply`",
                ));
                Some(Vec::new())
            }
        }
    }

    fn type_error(&mut self, res: &Res<'_>, path: &[&str], want: &str) {
        self.diags.push(Diagnostic::error(
            "attribute-type",
            &res.address,
            format!("`{}` must be {want}", path.join(".")),
            "pass the output of `terraform show -json` unchanged",
        ));
    }

    /// A string attribute: known, resolved from a reference, or `None`.
    fn string(&mut self, res: &Res<'_>, path: &[&str]) -> Option<String> {
        match walk(res.values, path) {
            Some(Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(Value::String(_)) | Some(Value::Null) | None => {}
            Some(_) => {
                self.type_error(res, path, "a string");
                return None;
            }
        }
        self.unknown_ids(res, path).and_then(|v| v.into_iter().next())
    }

    /// A required string attribute; missing is an error.
    fn required(&mut self, res: &Res<'_>, path: &[&str]) -> Option<String> {
        let before = self.diags.len();
        let v = self.string(res, path);
        if v.is_none() && self.diags.len() == before && res.unknown.and_then(|u| walk(u, path)).is_some_and(any_true) {
            self.diags.push(Diagnostic::error(
                "unknown-value",
                &res.address,
                format!("`{}` is not known until apply and is not a reference to a resource of this plan", path.join(".")),
                "import the state after `terraform apply`, or set the attribute to a reference such as `aws_vpc.main.id`",
            ));
        } else if v.is_none() && self.diags.len() == before {
            self.diags.push(Diagnostic::error(
                "missing-attribute",
                &res.address,
                format!("`{}` is missing, so `{}` is left out", path.join("."), res.address),
                "set the attribute in the configuration",
            ));
        }
        v
    }

    /// A list of strings: known elements plus resolved references for unknown ones.
    fn strings(&mut self, res: &Res<'_>, path: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        match walk(res.values, path) {
            Some(Value::Array(a)) => {
                for v in a {
                    match v {
                        Value::String(s) if !s.is_empty() => out.push(s.clone()),
                        Value::String(_) | Value::Null => {}
                        _ => {
                            self.type_error(res, path, "a list of strings");
                            return out;
                        }
                    }
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => {
                self.type_error(res, path, "a list of strings");
                return out;
            }
        }
        for id in self.unknown_ids(res, path).unwrap_or_default() {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// A string or a list of strings (`cidr_ipv4` and `cidr_blocks` alike).
    fn one_or_many(&mut self, res: &Res<'_>, path: &[&str]) -> Vec<String> {
        match walk(res.values, path) {
            Some(Value::String(_)) => self.string(res, path).into_iter().collect(),
            _ => self.strings(res, path),
        }
    }

    fn int(&mut self, res: &Res<'_>, path: &[&str]) -> Option<i64> {
        match walk(res.values, path) {
            Some(Value::Number(n)) => n.as_i64().or_else(|| {
                self.type_error(res, path, "an integer");
                None
            }),
            Some(Value::String(s)) => s.parse().ok().or_else(|| {
                self.type_error(res, path, "an integer");
                None
            }),
            Some(Value::Null) | None => None,
            Some(_) => {
                self.type_error(res, path, "an integer");
                None
            }
        }
    }

    fn boolean(&mut self, res: &Res<'_>, path: &[&str]) -> Option<bool> {
        match walk(res.values, path) {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::Null) | None => None,
            Some(_) => {
                self.type_error(res, path, "true or false");
                None
            }
        }
    }

    /// The `Name` tag.
    fn name_tag(&self, res: &Res<'_>) -> String {
        walk(res.values, &["tags", "Name"]).and_then(Value::as_str).unwrap_or_default().to_owned()
    }

    /// Nested blocks (`ingress`, `route`...) as a list of objects with their index.
    fn blocks(&mut self, res: &Res<'_>, name: &str) -> Vec<String> {
        match walk(res.values, &[name]) {
            Some(Value::Array(a)) => {
                if a.iter().all(Value::is_object) {
                    (0..a.len()).map(|i| i.to_string()).collect()
                } else {
                    self.type_error(res, &[name], "a list of blocks");
                    Vec::new()
                }
            }
            Some(Value::Null) | None => Vec::new(),
            Some(_) => {
                self.type_error(res, &[name], "a list of blocks");
                Vec::new()
            }
        }
    }

    /// Checks a CIDR; reports and returns `false` when it is invalid or has host bits.
    fn cidr_ok(&mut self, res: &Res<'_>, attr: &str, cidr: &str) -> bool {
        match cidr.parse::<ipnet::IpNet>() {
            Ok(net) if net.trunc() == net => true,
            Ok(net) => {
                self.diags.push(Diagnostic::error(
                    "cidr-host-bits",
                    &res.address,
                    format!("`{attr}` `{cidr}` has host bits set"),
                    format!("did you mean `{}`?", net.trunc()),
                ));
                false
            }
            Err(_) => {
                self.diags.push(Diagnostic::error(
                    "invalid-cidr",
                    &res.address,
                    format!("`{attr}` `{cidr}` is not a CIDR block"),
                    "write an address and prefix length, such as `10.0.1.0/24`",
                ));
                false
            }
        }
    }

    /// Protocol, ports and ICMP fields of an SG or NACL rule; `None` after a diagnostic.
    fn proto_ports(&mut self, res: &Res<'_>, proto: &str, from: Option<i64>, to: Option<i64>) -> Option<ProtoPorts> {
        let Some(protocol) = super::protocol_name(proto) else {
            self.diags.push(Diagnostic::error(
                "invalid-protocol",
                &res.address,
                format!("protocol `{proto}` is not a protocol name or number 0-255"),
                "use `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a number",
            ));
            return None;
        };
        match protocol.as_str() {
            "tcp" | "udp" => {
                let (from, to) = (from.unwrap_or(0), to.unwrap_or(65535));
                if !(0..=65535).contains(&from) || !(0..=65535).contains(&to) {
                    self.diags.push(Diagnostic::error(
                        "invalid-port",
                        &res.address,
                        format!("port range `{from}`-`{to}` is outside 0-65535"),
                        "use ports 0-65535",
                    ));
                    return None;
                }
                if from > to {
                    self.diags.push(Diagnostic::error(
                        "port-range-reversed",
                        &res.address,
                        format!("`from_port` {from} is greater than `to_port` {to}"),
                        format!("did you mean `from_port = {to}`, `to_port = {from}`?"),
                    ));
                    return None;
                }
                let ports = if from == 0 && to == 65535 {
                    None
                } else if from == to {
                    Some(from.to_string())
                } else {
                    Some(format!("{from}-{to}"))
                };
                Some((protocol, ports, None, None))
            }
            "icmp" | "icmpv6" => {
                let t = from.filter(|t| *t >= 0);
                let c = to.filter(|c| *c >= 0);
                Some((protocol, None, t, c))
            }
            _ => Some((protocol, None, None, None)),
        }
    }

    /// The peers-expanded SG rules of one rule-shaped object at `base` (an inline block or
    /// an `aws_security_group_rule`).
    #[expect(clippy::too_many_arguments, reason = "attribute names differ between the resource types")]
    fn sg_rules(
        &mut self,
        res: &Res<'_>,
        base: &[&str],
        own: &str,
        proto_attr: &str,
        cidrs: &[&str],
        pls: &[&str],
        sgs: &[&str],
    ) -> Vec<SgRuleDoc> {
        let p = |a: &'static str| -> Vec<&str> { base.iter().copied().chain(std::iter::once(a)).collect() };
        let proto = self.string(res, &p_dyn(base, proto_attr)).unwrap_or_else(|| "-1".to_owned());
        let from = self.int(res, &p("from_port"));
        let to = self.int(res, &p("to_port"));
        let description = walk(res.values, &p("description")).and_then(Value::as_str).unwrap_or_default().to_owned();
        let Some((protocol, ports, icmp_type, icmp_code)) = self.proto_ports(res, &proto, from, to) else {
            return Vec::new();
        };
        let rule = SgRuleDoc { protocol, ports, icmp_type, icmp_code, description, ..SgRuleDoc::default() };
        let mut out = Vec::new();
        for attr in cidrs {
            let path = p_dyn(base, attr);
            let list = self.one_or_many(res, &path);
            for c in list {
                if self.cidr_ok(res, attr, &c) {
                    out.push(SgRuleDoc { cidr: Some(c), ..rule.clone() });
                }
            }
        }
        for attr in pls {
            let path = p_dyn(base, attr);
            let list = self.one_or_many(res, &path);
            out.extend(list.into_iter().map(|pl| SgRuleDoc { prefix_list: Some(pl), ..rule.clone() }));
        }
        for attr in sgs {
            let path = p_dyn(base, attr);
            let list = self.one_or_many(res, &path);
            out.extend(list.into_iter().map(|sg| SgRuleDoc { sg: Some(sg), ..rule.clone() }));
        }
        if self.boolean(res, &p("self")) == Some(true) {
            out.push(SgRuleDoc { sg: Some(own.to_owned()), ..rule.clone() });
        }
        out
    }

    /// One NACL entry from a rule-shaped object at `base`.
    fn nacl_entry(&mut self, res: &Res<'_>, base: &[&str], rule_attr: &str, action_attr: &str) -> Option<NaclEntryDoc> {
        let rule = self.int(res, &p_dyn(base, rule_attr));
        let Some(rule) = rule else {
            self.diags.push(Diagnostic::error(
                "missing-attribute",
                &res.address,
                format!("a network ACL rule has no `{rule_attr}`"),
                "number every rule 1-32766",
            ));
            return None;
        };
        if !(1..=32766).contains(&rule) {
            self.diags.push(Diagnostic::error(
                "nacl-rule-number",
                &res.address,
                format!("network ACL rule number `{rule}` is outside 1-32766"),
                "number rules 1-32766; the final `*` rule is implicit",
            ));
            return None;
        }
        let action = self.string(res, &p_dyn(base, action_attr)).unwrap_or_default().to_ascii_lowercase();
        if action != "allow" && action != "deny" {
            self.diags.push(Diagnostic::error(
                "nacl-action",
                &res.address,
                format!("network ACL rule {rule} has action `{action}`"),
                "use `allow` or `deny`",
            ));
            return None;
        }
        let proto = self.string(res, &p_dyn(base, "protocol")).unwrap_or_else(|| "-1".to_owned());
        let from = self.int(res, &p_dyn(base, "from_port"));
        let to = self.int(res, &p_dyn(base, "to_port"));
        let (protocol, ports, mut icmp_type, mut icmp_code) = self.proto_ports(res, &proto, from, to)?;
        if protocol == "icmp" || protocol == "icmpv6" {
            icmp_type = self.int(res, &p_dyn(base, "icmp_type")).filter(|t| *t >= 0);
            icmp_code = self.int(res, &p_dyn(base, "icmp_code")).filter(|c| *c >= 0);
        }
        let cidr = self.string(res, &p_dyn(base, "cidr_block")).or_else(|| self.string(res, &p_dyn(base, "ipv6_cidr_block")));
        let Some(cidr) = cidr else {
            self.diags.push(Diagnostic::error(
                "missing-attribute",
                &res.address,
                format!("network ACL rule {rule} has no `cidr_block` or `ipv6_cidr_block`"),
                "set the CIDR the rule matches",
            ));
            return None;
        };
        if !self.cidr_ok(res, "cidr_block", &cidr) {
            return None;
        }
        Some(NaclEntryDoc { rule, action, protocol, ports, icmp_type, icmp_code, cidr, description: String::new() })
    }

    /// Route target attributes, in the order AWS documents them.
    fn route(&mut self, res: &Res<'_>, base: &[&str], dest: &[&str], pl_attr: &str) -> Option<RouteDoc> {
        const TARGETS: &[&str] = &[
            "gateway_id",
            "nat_gateway_id",
            "vpc_peering_connection_id",
            "transit_gateway_id",
            "network_interface_id",
            "vpc_endpoint_id",
            "egress_only_gateway_id",
            "instance_id",
            "carrier_gateway_id",
            "local_gateway_id",
        ];
        let mut target = None;
        for t in TARGETS {
            if let Some(v) = self.string(res, &p_dyn(base, t)) {
                target = Some(v);
                break;
            }
        }
        let Some(target) = target else {
            self.diags.push(Diagnostic::warning(
                "route-without-target",
                &res.address,
                "a route has no target this importer reads, so it is left out",
                "targets read: gateway, NAT gateway, peering, transit gateway, interface, VPC endpoint, egress-only gateway",
            ));
            return None;
        };
        if target == "local" {
            return None;
        }
        let mut destination = None;
        for d in dest {
            if let Some(v) = self.string(res, &p_dyn(base, d)) {
                destination = Some(v);
                break;
            }
        }
        let destination_prefix_list = self.string(res, &p_dyn(base, pl_attr));
        if destination.is_none() && destination_prefix_list.is_none() {
            self.diags.push(Diagnostic::error(
                "missing-attribute",
                &res.address,
                "a route has no destination CIDR or prefix list",
                "set `cidr_block`, `ipv6_cidr_block` or `destination_prefix_list_id`",
            ));
            return None;
        }
        if let Some(d) = &destination {
            if !self.cidr_ok(res, "destination", d) {
                return None;
            }
        }
        Some(RouteDoc { destination, destination_prefix_list, target, propagated: false })
    }

    /// Assigns every resource its id: its real id, else its address.
    fn assign_ids(&mut self, resources: &[Res<'_>]) {
        for r in resources {
            let key = match r.kind.as_str() {
                "aws_sagemaker_model"
                | "aws_sagemaker_endpoint_configuration"
                | "aws_sagemaker_endpoint"
                | "aws_sagemaker_notebook_instance" => "name",
                "aws_sagemaker_domain" => "domain_name",
                _ => "id",
            };
            let id =
                walk(r.values, &[key]).and_then(Value::as_str).filter(|s| !s.is_empty()).map_or_else(|| r.address.clone(), str::to_owned);
            self.ids.insert(r.address.clone(), id);
        }
    }

    fn id(&self, res: &Res<'_>) -> String {
        self.ids.get(&res.address).cloned().unwrap_or_else(|| res.address.clone())
    }

    fn convert(&mut self, resources: &[Res<'_>]) {
        self.assign_ids(resources);
        let mut skipped: BTreeSet<&str> = BTreeSet::new();
        // Pass 1: resources that others attach to.
        for r in resources {
            match r.kind.as_str() {
                "aws_vpc" => self.vpc(r),
                "aws_subnet" => self.subnet(r),
                "aws_security_group" | "aws_default_security_group" => self.security_group(r),
                "aws_network_acl" | "aws_default_network_acl" => self.network_acl(r),
                "aws_route_table" | "aws_default_route_table" => self.route_table(r),
                "aws_internet_gateway" | "aws_egress_only_internet_gateway" => self.igw(r),
                "aws_nat_gateway" => self.nat(r),
                "aws_vpc_endpoint" => self.vpc_endpoint(r),
                "aws_vpc_peering_connection" => self.peering(r),
                "aws_instance" => self.instance(r),
                "aws_sagemaker_notebook_instance" => self.notebook(r),
                "aws_sagemaker_domain" => self.domain(r),
                k if is_modelled(k) => {}
                k => {
                    if skipped.insert(k) {
                        self.diags.push(Diagnostic::info(
                            "unsupported-resource-type",
                            &r.address,
                            format!("resources of type `{k}` are not modelled and were skipped"),
                            "vpcsim models VPC networking, security groups, NACLs, routes, endpoints, instances and SageMaker",
                        ));
                    }
                }
            }
        }
        // Pass 2: rules, associations and joins.
        for r in resources {
            match r.kind.as_str() {
                "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" | "aws_security_group_rule" => self.sg_rule(r),
                "aws_network_acl_rule" => self.nacl_rule(r),
                "aws_network_acl_association" => self.nacl_association(r),
                "aws_route" => self.route_resource(r),
                "aws_route_table_association" => self.rt_association(r),
                "aws_main_route_table_association" => self.main_rt_association(r),
                "aws_vpc_endpoint_route_table_association" => self.vpce_rt_association(r),
                "aws_eip" => self.eip(r),
                "aws_network_interface" => self.eni(r),
                "aws_sagemaker_endpoint" => self.sm_endpoint(r, resources),
                _ => {}
            }
        }
        if self.net.region.is_none() {
            self.net.region = self.net.subnets.iter().find_map(|s| {
                let region = s.az.trim_end_matches(|c: char| c.is_ascii_lowercase());
                (!region.is_empty() && region.len() < s.az.len()).then(|| region.to_owned())
            });
        }
    }

    fn vpc(&mut self, r: &Res<'_>) {
        let Some(cidr) = self.required(r, &["cidr_block"]) else { return };
        if !self.cidr_ok(r, "cidr_block", &cidr) {
            return;
        }
        let ipv6: Vec<String> = self.string(r, &["ipv6_cidr_block"]).into_iter().collect();
        self.net.vpcs.push(VpcDoc { id: self.id(r), name: self.name_tag(r), cidr_blocks: vec![cidr], ipv6_cidr_blocks: ipv6 });
    }

    fn subnet(&mut self, r: &Res<'_>) {
        let vpc = self.required(r, &["vpc_id"]);
        let cidr = self.required(r, &["cidr_block"]);
        let (Some(vpc), Some(cidr)) = (vpc, cidr) else { return };
        if !self.cidr_ok(r, "cidr_block", &cidr) {
            return;
        }
        let ipv6_cidr = self.string(r, &["ipv6_cidr_block"]);
        let az = self.string(r, &["availability_zone"]).unwrap_or_default();
        self.net.subnets.push(SubnetDoc { id: self.id(r), name: self.name_tag(r), vpc, cidr, ipv6_cidr, az });
    }

    fn security_group(&mut self, r: &Res<'_>) {
        let Some(vpc) = self.required(r, &["vpc_id"]) else { return };
        let id = self.id(r);
        let mut sg = SgDoc {
            id: id.clone(),
            name: self.string(r, &["name"]).unwrap_or_else(|| {
                if r.kind == "aws_default_security_group" {
                    "default".to_owned()
                } else {
                    String::new()
                }
            }),
            vpc,
            description: self.string(r, &["description"]).unwrap_or_default(),
            inbound: Vec::new(),
            outbound: Vec::new(),
        };
        for (block, inbound) in [("ingress", true), ("egress", false)] {
            for i in self.blocks(r, block) {
                let rules = self.sg_rules(
                    r,
                    &[block, &i],
                    &id,
                    "protocol",
                    &["cidr_blocks", "ipv6_cidr_blocks"],
                    &["prefix_list_ids"],
                    &["security_groups"],
                );
                if inbound {
                    sg.inbound.extend(rules);
                } else {
                    sg.outbound.extend(rules);
                }
            }
        }
        self.net.security_groups.push(sg);
    }

    fn sg_rule(&mut self, r: &Res<'_>) {
        let Some(group) = self.required(r, &["security_group_id"]) else { return };
        let (inbound, rules) = if r.kind == "aws_security_group_rule" {
            let inbound = match self.string(r, &["type"]).as_deref() {
                Some("ingress") => true,
                Some("egress") => false,
                other => {
                    self.diags.push(Diagnostic::error(
                        "sg-rule-type",
                        &r.address,
                        format!("`type` is `{}`", other.unwrap_or_default()),
                        "use `ingress` or `egress`",
                    ));
                    return;
                }
            };
            (
                inbound,
                self.sg_rules(
                    r,
                    &[],
                    &group,
                    "protocol",
                    &["cidr_blocks", "ipv6_cidr_blocks"],
                    &["prefix_list_ids"],
                    &["source_security_group_id"],
                ),
            )
        } else {
            let inbound = r.kind == "aws_vpc_security_group_ingress_rule";
            (
                inbound,
                self.sg_rules(
                    r,
                    &[],
                    &group,
                    "ip_protocol",
                    &["cidr_ipv4", "cidr_ipv6"],
                    &["prefix_list_id"],
                    &["referenced_security_group_id"],
                ),
            )
        };
        match self.net.security_groups.iter_mut().find(|g| g.id == group) {
            Some(g) => {
                if inbound {
                    g.inbound.extend(rules);
                } else {
                    g.outbound.extend(rules);
                }
            }
            None => self.missing_target(r, "security group", &group),
        }
    }

    fn missing_target(&mut self, r: &Res<'_>, what: &str, id: &str) {
        self.diags.push(Diagnostic::error(
            "unresolved-reference",
            &r.address,
            format!("{what} `{id}` is not in the document, so `{}` is left out", r.address),
            format!("import the {what} too (it may be managed in another state)"),
        ));
    }

    fn network_acl(&mut self, r: &Res<'_>) {
        let default = r.kind == "aws_default_network_acl";
        let Some(vpc) = self.required(r, &["vpc_id"]) else { return };
        let mut acl = NaclDoc {
            id: self.id(r),
            name: self.name_tag(r),
            vpc,
            default,
            subnets: self.strings(r, &["subnet_ids"]),
            inbound: Vec::new(),
            outbound: Vec::new(),
        };
        for (block, inbound) in [("ingress", true), ("egress", false)] {
            for i in self.blocks(r, block) {
                if let Some(e) = self.nacl_entry(r, &[block, &i], "rule_no", "action") {
                    if inbound {
                        acl.inbound.push(e);
                    } else {
                        acl.outbound.push(e);
                    }
                }
            }
        }
        acl.inbound.sort_by_key(|e| e.rule);
        acl.outbound.sort_by_key(|e| e.rule);
        self.net.network_acls.push(acl);
    }

    fn nacl_rule(&mut self, r: &Res<'_>) {
        let Some(acl) = self.required(r, &["network_acl_id"]) else { return };
        let egress = self.boolean(r, &["egress"]).unwrap_or(false);
        let Some(entry) = self.nacl_entry(r, &[], "rule_number", "rule_action") else { return };
        match self.net.network_acls.iter_mut().find(|a| a.id == acl) {
            Some(a) => {
                let list = if egress { &mut a.outbound } else { &mut a.inbound };
                list.push(entry);
                list.sort_by_key(|e| e.rule);
            }
            None => self.missing_target(r, "network ACL", &acl),
        }
    }

    fn nacl_association(&mut self, r: &Res<'_>) {
        let acl = self.required(r, &["network_acl_id"]);
        let subnet = self.required(r, &["subnet_id"]);
        let (Some(acl), Some(subnet)) = (acl, subnet) else { return };
        if !self.net.network_acls.iter().any(|a| a.id == acl) {
            return self.missing_target(r, "network ACL", &acl);
        }
        for a in &mut self.net.network_acls {
            if a.id == acl {
                if !a.subnets.contains(&subnet) {
                    a.subnets.push(subnet.clone());
                }
            } else {
                a.subnets.retain(|s| *s != subnet);
            }
        }
    }

    fn route_table(&mut self, r: &Res<'_>) {
        let Some(vpc) = self.required(r, &["vpc_id"]) else { return };
        let mut rt = RouteTableDoc {
            id: self.id(r),
            name: self.name_tag(r),
            vpc,
            main: r.kind == "aws_default_route_table",
            ..RouteTableDoc::default()
        };
        for i in self.blocks(r, "route") {
            if let Some(route) = self.route(r, &["route", &i], &["cidr_block", "ipv6_cidr_block"], "destination_prefix_list_id") {
                rt.routes.push(route);
            }
        }
        self.net.route_tables.push(rt);
    }

    fn route_resource(&mut self, r: &Res<'_>) {
        let Some(rt) = self.required(r, &["route_table_id"]) else { return };
        let Some(route) = self.route(r, &[], &["destination_cidr_block", "destination_ipv6_cidr_block"], "destination_prefix_list_id")
        else {
            return;
        };
        match self.net.route_tables.iter_mut().find(|t| t.id == rt) {
            Some(t) => t.routes.push(route),
            None => self.missing_target(r, "route table", &rt),
        }
    }

    fn rt_association(&mut self, r: &Res<'_>) {
        let Some(rt) = self.required(r, &["route_table_id"]) else { return };
        let Some(subnet) = self.string(r, &["subnet_id"]) else {
            if self.string(r, &["gateway_id"]).is_some() {
                self.diags.push(Diagnostic::info(
                    "gateway-route-table-skipped",
                    &r.address,
                    "gateway route table associations (edge associations) are not modelled",
                    "the association is left out",
                ));
            }
            return;
        };
        match self.net.route_tables.iter_mut().find(|t| t.id == rt) {
            Some(t) => {
                if !t.subnets.contains(&subnet) {
                    t.subnets.push(subnet);
                }
            }
            None => self.missing_target(r, "route table", &rt),
        }
    }

    fn main_rt_association(&mut self, r: &Res<'_>) {
        let Some(rt) = self.required(r, &["route_table_id"]) else { return };
        let vpc = self.net.route_tables.iter().find(|t| t.id == rt).map(|t| t.vpc.clone());
        let Some(vpc) = vpc else { return self.missing_target(r, "route table", &rt) };
        for t in &mut self.net.route_tables {
            if t.vpc == vpc {
                t.main = t.id == rt;
            }
        }
    }

    fn igw(&mut self, r: &Res<'_>) {
        let doc = IgwDoc { id: self.id(r), name: self.name_tag(r), vpc: self.string(r, &["vpc_id"]) };
        if r.kind == "aws_internet_gateway" {
            self.net.internet_gateways.push(doc);
        } else {
            self.net.egress_only_internet_gateways.push(doc);
        }
    }

    fn nat(&mut self, r: &Res<'_>) {
        let Some(subnet) = self.required(r, &["subnet_id"]) else { return };
        let connectivity = self.string(r, &["connectivity_type"]).unwrap_or_else(|| "public".to_owned());
        let public_ip = if connectivity == "public" { self.string(r, &["public_ip"]) } else { None };
        let private_ip = self.string(r, &["private_ip"]);
        self.net.nat_gateways.push(NatDoc { id: self.id(r), name: self.name_tag(r), subnet, connectivity, private_ip, public_ip });
    }

    fn eip(&mut self, r: &Res<'_>) {
        let Some(ip) = self.string(r, &["public_ip"]) else { return };
        if let Some(instance) = self.string(r, &["instance"]) {
            if let Some(i) = self.net.instances.iter_mut().find(|i| i.id == instance) {
                i.public_ip = Some(ip);
            }
        } else if let Some(eni) = self.string(r, &["network_interface"]) {
            if let Some(i) = self.net.instances.iter_mut().find(|i| i.eni.as_deref() == Some(eni.as_str())) {
                i.public_ip = Some(ip);
            }
        }
    }

    fn eni(&mut self, r: &Res<'_>) {
        let id = self.id(r);
        let instance = self.string(r, &["attachment", "0", "instance"]);
        let index = self.int(r, &["attachment", "0", "device_index"]);
        if let (Some(instance), Some(0)) = (instance, index) {
            if let Some(i) = self.net.instances.iter_mut().find(|i| i.id == instance) {
                i.eni = Some(id);
                return;
            }
        }
        self.diags.push(Diagnostic::info(
            "secondary-eni-skipped",
            &r.address,
            "standalone and secondary network interfaces are not modelled; only an instance's primary interface is",
            "routes may still name the interface as a target",
        ));
    }

    fn vpc_endpoint(&mut self, r: &Res<'_>) {
        let Some(vpc) = self.required(r, &["vpc_id"]) else { return };
        let Some(service_name) = self.required(r, &["service_name"]) else { return };
        let kind = self.string(r, &["vpc_endpoint_type"]).unwrap_or_else(|| "Gateway".to_owned()).to_ascii_lowercase();
        if kind != "gateway" && kind != "interface" {
            self.diags.push(Diagnostic::warning(
                "endpoint-type-unsupported",
                &r.address,
                format!("VPC endpoints of type `{kind}` are not modelled, so `{}` is left out", r.address),
                "gateway and interface endpoints are modelled",
            ));
            return;
        }
        let service = match service_name.strip_prefix("com.amazonaws.").and_then(|rest| rest.split_once('.')) {
            Some((region, svc)) => {
                if self.net.region.is_none() {
                    self.net.region = Some(region.to_owned());
                }
                svc.to_owned()
            }
            None => service_name.clone(),
        };
        let policy = match self.string(r, &["policy"]) {
            Some(text) => match serde_json::from_str::<Value>(&text) {
                Ok(v @ Value::Object(_)) => Some(v),
                Ok(_) | Err(_) => {
                    self.diags.push(Diagnostic::error(
                        "endpoint-policy-json",
                        &r.address,
                        "`policy` is not a JSON policy document, so the endpoint gets the default full-access policy",
                        "write the policy with `jsonencode({...})` or `data.aws_iam_policy_document`",
                    ));
                    None
                }
            },
            None => None,
        };
        let private_dns = self.boolean(r, &["private_dns_enabled"]).unwrap_or(kind == "interface");
        let doc = VpceDoc {
            id: self.id(r),
            name: self.name_tag(r),
            vpc,
            service,
            route_tables: if kind == "gateway" { self.strings(r, &["route_table_ids"]) } else { Vec::new() },
            subnets: if kind == "interface" { self.strings(r, &["subnet_ids"]) } else { Vec::new() },
            security_groups: if kind == "interface" { self.strings(r, &["security_group_ids"]) } else { Vec::new() },
            private_dns: kind == "gateway" || private_dns,
            kind,
            policy,
        };
        self.net.vpc_endpoints.push(doc);
    }

    fn vpce_rt_association(&mut self, r: &Res<'_>) {
        let vpce = self.required(r, &["vpc_endpoint_id"]);
        let rt = self.required(r, &["route_table_id"]);
        let (Some(vpce), Some(rt)) = (vpce, rt) else { return };
        match self.net.vpc_endpoints.iter_mut().find(|e| e.id == vpce) {
            Some(e) => {
                if !e.route_tables.contains(&rt) {
                    e.route_tables.push(rt);
                }
            }
            None => self.missing_target(r, "VPC endpoint", &vpce),
        }
    }

    fn peering(&mut self, r: &Res<'_>) {
        let requester = self.required(r, &["vpc_id"]);
        let accepter = self.required(r, &["peer_vpc_id"]);
        let (Some(requester_vpc), Some(accepter_vpc)) = (requester, accepter) else { return };
        let status = self.string(r, &["accept_status"]).unwrap_or_else(|| "active".to_owned());
        self.net.peering_connections.push(PeeringDoc { id: self.id(r), name: self.name_tag(r), requester_vpc, accepter_vpc, status });
    }

    fn instance(&mut self, r: &Res<'_>) {
        let Some(subnet) = self.required(r, &["subnet_id"]) else { return };
        let mut security_groups = self.strings(r, &["vpc_security_group_ids"]);
        if security_groups.is_empty() {
            security_groups = self.strings(r, &["security_groups"]);
        }
        let ipv6 = self.strings(r, &["ipv6_addresses"]).into_iter().next();
        let doc = InstanceDoc {
            id: self.id(r),
            name: self.name_tag(r),
            subnet,
            private_ip: self.string(r, &["private_ip"]),
            public_ip: self.string(r, &["public_ip"]),
            ipv6,
            security_groups,
            eni: self.string(r, &["primary_network_interface_id"]),
        };
        self.net.instances.push(doc);
    }

    fn enabled(&mut self, r: &Res<'_>, attr: &str) -> bool {
        match self.string(r, &[attr]).as_deref() {
            None | Some("Enabled") => true,
            Some("Disabled") => false,
            Some(other) => {
                self.diags.push(Diagnostic::error(
                    "invalid-enum",
                    &r.address,
                    format!("`{attr}` is `{other}`"),
                    "use `Enabled` or `Disabled`",
                ));
                true
            }
        }
    }

    fn notebook(&mut self, r: &Res<'_>) {
        let doc = NotebookDoc {
            name: self.id(r),
            subnet: self.string(r, &["subnet_id"]),
            security_groups: self.strings(r, &["security_groups"]),
            direct_internet_access: self.enabled(r, "direct_internet_access"),
            root_access: self.enabled(r, "root_access"),
            private_ip: None,
        };
        self.net.sagemaker.notebook_instances.push(doc);
    }

    fn domain(&mut self, r: &Res<'_>) {
        let Some(vpc) = self.required(r, &["vpc_id"]) else { return };
        let doc = DomainDoc {
            name: self.id(r),
            network_access: self.string(r, &["app_network_access_type"]).unwrap_or_else(|| "PublicInternetOnly".to_owned()),
            vpc,
            subnets: self.strings(r, &["subnet_ids"]),
            security_groups: self.strings(r, &["default_user_settings", "0", "security_groups"]),
            private_ip: None,
        };
        self.net.sagemaker.domains.push(doc);
    }

    /// Joins endpoint → endpoint configuration → model.
    fn sm_endpoint(&mut self, r: &Res<'_>, resources: &[Res<'_>]) {
        let name = self.id(r);
        let Some(config_name) = self.required(r, &["endpoint_config_name"]) else { return };
        let config =
            resources.iter().find(|c| c.kind == "aws_sagemaker_endpoint_configuration" && self.ids.get(&c.address) == Some(&config_name));
        let Some(config) = config else { return self.missing_target(r, "SageMaker endpoint configuration", &config_name) };
        let Some(model_name) = self.required(config, &["production_variants", "0", "model_name"]) else { return };
        let model = resources.iter().find(|m| m.kind == "aws_sagemaker_model" && self.ids.get(&m.address) == Some(&model_name));
        let Some(model) = model else { return self.missing_target(config, "SageMaker model", &model_name) };
        let vpc_config = match walk(model.values, &["vpc_config", "0"]) {
            Some(Value::Object(_)) => Some(VpcConfigDoc {
                subnets: self.strings(model, &["vpc_config", "0", "subnets"]),
                security_groups: self.strings(model, &["vpc_config", "0", "security_group_ids"]),
            }),
            _ => None,
        };
        let network_isolation = self.boolean(model, &["enable_network_isolation"]).unwrap_or(false);
        self.net.sagemaker.endpoints.push(EndpointDoc { name, model: model_name, vpc_config, network_isolation, private_ip: None });
    }
}

/// `base` followed by one attribute name.
fn p_dyn<'s>(base: &[&'s str], attr: &'s str) -> Vec<&'s str> {
    base.iter().copied().chain(std::iter::once(attr)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Imported {
        import(&InputFile { path: "t.json".to_owned(), text: text.to_owned() })
    }

    #[test]
    fn empty_state_is_info() {
        let out = run(r#"{"format_version":"1.0"}"#);
        assert!(out.diagnostics.iter().all(|d| d.code == "terraform-empty"));
    }

    #[test]
    fn not_json_is_located() {
        let out = run("{");
        assert_eq!(out.diagnostics.first().map(|d| (d.code, d.at.as_str())), Some(("json-syntax", "t.json#")));
    }
}
