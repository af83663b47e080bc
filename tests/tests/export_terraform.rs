//! The Terraform exporter: every scenario of the corpus exports to HCL that parses
//! (hcl-rs) and passes the structural checks `terraform validate` makes on what the
//! exporter writes (references to declared resources, data sources and variables with
//! attributes those types have, required arguments, no duplicate labels, one destination
//! and one target per route, one peer per rule). The worked example and a few richer
//! scenarios are snapshot-tested
//! (`INSTA_UPDATE=always cargo test -p vpcsim-tests --test export_terraform`).

use hcl::eval::{Context, Evaluate};
use hcl::{Body, Expression, ObjectKey, Structure, TraversalOperator};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use vpcsim_core::export::terraform::{to_hcl, Exported};
use vpcsim_core::scenario::{self, RouteDoc, RouteTableDoc, SgDoc, SgRuleDoc, TrainingJobDoc, VpcDoc};
use vpcsim_core::{Scenario, Severity};

/// Attributes the exporter reads from other resources, by type.
fn readable(ty: &str, attribute: &str) -> bool {
    match attribute {
        "id" => ty != "aws_sagemaker_endpoint_configuration",
        "name" => matches!(ty, "aws_sagemaker_model" | "aws_sagemaker_endpoint_configuration"),
        "vpc_id" => ty == "aws_vpc_ipv4_cidr_block_association",
        "default_security_group_id" | "main_route_table_id" | "default_network_acl_id" | "ipv6_cidr_block" => ty == "aws_vpc",
        "association_default_route_table_id" => ty == "aws_ec2_transit_gateway",
        "primary_network_interface_id" => ty == "aws_instance",
        _ => false,
    }
}

/// Required arguments (attributes or nested blocks) of the resource types exported.
fn required(ty: &str) -> Option<&'static [&'static str]> {
    Some(match ty {
        "aws_vpc" | "aws_internet_gateway" | "aws_eip" | "aws_ec2_transit_gateway" | "aws_default_security_group" => &[],
        "aws_vpc_ipv4_cidr_block_association" => &["vpc_id"],
        "aws_subnet" => &["vpc_id"],
        "aws_egress_only_internet_gateway" => &["vpc_id"],
        "aws_nat_gateway" => &["subnet_id"],
        "aws_route_table" => &["vpc_id"],
        "aws_route" => &["route_table_id"],
        "aws_route_table_association" => &["route_table_id"],
        "aws_main_route_table_association" => &["vpc_id", "route_table_id"],
        "aws_network_acl" => &["vpc_id"],
        "aws_default_network_acl" => &["default_network_acl_id"],
        "aws_network_acl_association" => &["network_acl_id", "subnet_id"],
        "aws_security_group" => &[],
        "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => &["security_group_id", "ip_protocol"],
        "aws_ec2_managed_prefix_list" => &["name", "address_family", "max_entries"],
        "aws_vpc_endpoint" => &["vpc_id", "service_name"],
        "aws_vpc_peering_connection" => &["vpc_id", "peer_vpc_id"],
        "aws_ec2_transit_gateway_vpc_attachment" => &["transit_gateway_id", "vpc_id", "subnet_ids"],
        "aws_ec2_transit_gateway_route" => &["destination_cidr_block", "transit_gateway_route_table_id"],
        "aws_instance" => &["ami", "instance_type"],
        "aws_sagemaker_notebook_instance" => &["name", "role_arn", "instance_type"],
        "aws_sagemaker_model" => &["execution_role_arn"],
        "aws_sagemaker_endpoint_configuration" => &["production_variants"],
        "aws_sagemaker_endpoint" => &["endpoint_config_name"],
        "aws_sagemaker_domain" => &["domain_name", "auth_mode", "vpc_id", "subnet_ids", "default_user_settings"],
        _ => return None,
    })
}

/// Exactly one of these must be set, by type.
fn exactly_one(ty: &str) -> &'static [&'static [&'static str]] {
    match ty {
        "aws_route" => &[
            &["destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"],
            &[
                "gateway_id",
                "egress_only_gateway_id",
                "nat_gateway_id",
                "vpc_peering_connection_id",
                "transit_gateway_id",
                "vpc_endpoint_id",
                "network_interface_id",
            ],
        ],
        "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
            &[&["cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"]]
        }
        "aws_ec2_transit_gateway_route" => &[&["transit_gateway_attachment_id", "blackhole"]],
        _ => &[],
    }
}

const FUNCTIONS: &[&str] = &["jsonencode", "cidrsubnet"];

/// A parsed module: declarations and every reference with where it was found.
#[derive(Default)]
struct Module {
    resources: BTreeMap<(String, String), Body>,
    data: BTreeSet<(String, String)>,
    variables: BTreeSet<String>,
    /// (file, block address, reference parts).
    refs: Vec<(String, String, Vec<String>)>,
    problems: Vec<String>,
}

fn label(b: &hcl::Block, i: usize) -> String {
    b.labels.get(i).map(|l| l.as_str().to_owned()).unwrap_or_default()
}

fn walk(expr: &Expression, file: &str, at: &str, m: &mut Module) {
    match expr {
        Expression::Null | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => {}
        Expression::Array(items) => items.iter().for_each(|e| walk(e, file, at, m)),
        Expression::Object(obj) => {
            for (k, v) in obj {
                if let ObjectKey::Expression(k) = k {
                    walk(k, file, at, m);
                }
                walk(v, file, at, m);
            }
        }
        Expression::TemplateExpr(t) => {
            // Quoted strings with escapes parse as templates: they must hold literals only.
            let template = hcl::Template::from_expr(t).unwrap_or_else(|e| panic!("{file} {at}: bad template: {e}"));
            for e in template.elements() {
                match e {
                    hcl::template::Element::Literal(_) => {}
                    hcl::template::Element::Interpolation(i) => walk(&i.expr, file, at, m),
                    hcl::template::Element::Directive(_) => m.problems.push(format!("{file} {at}: template directive in {t}")),
                }
            }
        }
        Expression::Variable(v) => {
            // Only `type = string` uses a bare identifier.
            if v.as_str() != "string" {
                m.problems.push(format!("{file} {at}: bare variable `{}`", v.as_str()));
            }
        }
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                m.problems.push(format!("{file} {at}: traversal of an expression"));
                return;
            };
            let mut parts = vec![root.as_str().to_owned()];
            for op in &t.operators {
                match op {
                    TraversalOperator::GetAttr(id) => parts.push(id.as_str().to_owned()),
                    other => m.problems.push(format!("{file} {at}: unexpected traversal operator {other:?}")),
                }
            }
            m.refs.push((file.to_owned(), at.to_owned(), parts));
        }
        Expression::FuncCall(f) => {
            if !FUNCTIONS.contains(&f.name.name.as_str()) || !f.name.namespace.is_empty() {
                m.problems.push(format!("{file} {at}: unexpected function `{}`", f.name.name.as_str()));
            }
            f.args.iter().for_each(|e| walk(e, file, at, m));
        }
        other => m.problems.push(format!("{file} {at}: unexpected expression {other:?}")),
    }
}

fn walk_body(body: &Body, file: &str, at: &str, m: &mut Module) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => walk(&a.expr, file, &format!("{at}.{}", a.key.as_str()), m),
            Structure::Block(b) => walk_body(&b.body, file, &format!("{at}.{}", b.identifier.as_str()), m),
        }
    }
}

fn has(body: &Body, key: &str) -> bool {
    body.iter().any(|s| match s {
        Structure::Attribute(a) => a.key.as_str() == key,
        Structure::Block(b) => b.identifier.as_str() == key,
    })
}

/// Parses every file and collects the module; panics on a syntax error.
fn parse(name: &str, exported: &Exported) -> Module {
    let mut m = Module::default();
    let files: Vec<&str> = exported.files.iter().map(|(f, _)| f.as_str()).collect();
    assert!(files.contains(&"main.tf") && files.contains(&"versions.tf"), "{name}: files {files:?}");
    for (file, text) in &exported.files {
        let body = hcl::parse(text).unwrap_or_else(|e| panic!("{name}/{file}: HCL syntax error: {e}\n{text}"));
        for s in body.iter() {
            let Structure::Block(b) = s else {
                m.problems.push(format!("{file}: top-level attribute"));
                continue;
            };
            let (kind, first, second) = (b.identifier.as_str(), label(b, 0), label(b, 1));
            let at = format!("{kind}.{first}.{second}");
            let labels_ok = match kind {
                "resource" | "data" => b.labels.len() == 2,
                "variable" | "provider" => b.labels.len() == 1,
                "terraform" => b.labels.is_empty(),
                _ => false,
            };
            if !labels_ok {
                m.problems.push(format!("{file}: unexpected block {at}"));
            }
            let fresh = match kind {
                "resource" => m.resources.insert((first.clone(), second.clone()), b.body.clone()).is_none(),
                "data" => m.data.insert((first.clone(), second.clone())),
                "variable" => m.variables.insert(first.clone()),
                _ => true,
            };
            if !fresh {
                m.problems.push(format!("{file}: duplicate block {at}"));
            }
            for l in &b.labels {
                let l = l.as_str();
                let ident = l.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if !ident {
                    m.problems.push(format!("{file}: label `{l}` is not an identifier"));
                }
            }
            walk_body(&b.body, file, &at, &mut m);
        }
    }
    m
}

/// The `terraform validate` checks; returns the problems found.
fn validate(name: &str, exported: &Exported) -> Vec<String> {
    let mut m = parse(name, exported);
    for ((ty, n), body) in &m.resources {
        match required(ty) {
            None => m.problems.push(format!("resource type `{ty}` is not one the exporter should write")),
            Some(req) => {
                for key in req {
                    if !has(body, key) {
                        m.problems.push(format!("{ty}.{n}: missing required argument `{key}`"));
                    }
                }
            }
        }
        for group in exactly_one(ty) {
            let count = group.iter().filter(|k| has(body, k)).count();
            if count != 1 {
                m.problems.push(format!("{ty}.{n}: {count} of {group:?} set, expected exactly one"));
            }
        }
    }
    for (file, at, parts) in &m.refs {
        let ok = match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["var", v] => m.variables.contains(*v),
            ["data", ty, n, "id"] => m.data.contains(&(ty.to_string(), n.to_string())),
            // `depends_on = [aws_x.y]`
            [ty, n] if at.ends_with("depends_on") => m.resources.contains_key(&(ty.to_string(), n.to_string())),
            [ty, n, attribute] => m.resources.contains_key(&(ty.to_string(), n.to_string())) && readable(ty, attribute),
            _ => false,
        };
        if !ok {
            m.problems.push(format!("{file} {at}: reference `{}` does not resolve", parts.join(".")));
        }
    }
    m.problems.iter().map(|p| format!("{name}: {p}")).collect()
}

fn export_file(path: &Path) -> (Scenario, Exported) {
    let loaded = vpcsim_tests::load(path);
    let exported = to_hcl(&loaded.scenario);
    (loaded.scenario, exported)
}

fn rel(path: &Path) -> String {
    path.strip_prefix(vpcsim_tests::scenarios_dir()).unwrap_or(path).display().to_string()
}

#[test]
fn every_scenario_exports_valid_terraform() {
    let corpus = vpcsim_tests::corpus();
    assert!(corpus.len() > 50, "corpus has {} scenarios", corpus.len());
    let mut problems = Vec::new();
    let mut resources = 0;
    for path in &corpus {
        let name = rel(path);
        let loaded = vpcsim_tests::load(path);
        let (scenario, exported) = (loaded.scenario.clone(), to_hcl(&loaded.scenario));
        // A network that loads without errors exports without errors.
        let load_errors = loaded.diagnostics.iter().any(|d| d.severity == Severity::Error);
        for d in exported.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            if !load_errors {
                problems.push(format!("{name}: export error for a valid network: {d}"));
            }
        }
        problems.extend(validate(&name, &exported));
        resources += parse(&name, &exported).resources.len();
        for d in &exported.diagnostics {
            if d.code.is_empty() || d.at.is_empty() || d.message.is_empty() || d.help.is_empty() {
                problems.push(format!("{name}: diagnostic without code, location, message or help: {d:?}"));
            }
        }
        // The module uses the document's Region, and every VPC becomes a resource.
        let versions = exported.files.iter().find(|(f, _)| f == "versions.tf").map(|(_, t)| t.as_str()).unwrap_or("");
        let region = scenario.network.region.clone().unwrap_or_else(|| "us-east-1".to_owned());
        if !versions.contains(&format!("region = \"{region}\"")) || !versions.contains("hashicorp/aws") {
            problems.push(format!("{name}: versions.tf lacks the provider or its region:\n{versions}"));
        }
        let main = main_tf(&exported);
        for v in &scenario.network.vpcs {
            if !main.contains(&format!("Name = \"{}\"", v.id)) {
                problems.push(format!("{name}: VPC `{}` is not exported", v.id));
            }
        }
        // Training jobs are reported, never exported.
        let jobs = scenario.network.sagemaker.training_jobs.len();
        let reported = exported.diagnostics.iter().filter(|d| d.code == "export-training-job").count();
        if jobs != reported {
            problems.push(format!("{name}: {jobs} training jobs but {reported} diagnostics"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(resources > 500, "only {resources} resources exported from the corpus");
}

fn main_tf(exported: &Exported) -> &str {
    exported.files.iter().find(|(f, _)| f == "main.tf").map(|(_, t)| t.as_str()).unwrap_or("")
}

fn render_diagnostics(exported: &Exported) -> String {
    exported.diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn snapshots_of_exported_main_tf() {
    for (snap, file) in [
        ("worked_example", "gallery/worked-example.json"),
        ("rt_09_route_targets", "routing/rt-09-route-targets.json"),
        ("ep_10_endpoint_policy", "endpoints/ep-10-default-and-custom-policy.json"),
        ("sm_13_studio_vpc_only", "sagemaker/sm-13-studio-vpc-only.json"),
        ("rt_12_egress_only", "routing/rt-12-egress-only-internet-gateway.json"),
    ] {
        let (_, exported) = export_file(&vpcsim_tests::scenarios_dir().join(file));
        assert!(validate(file, &exported).is_empty());
        insta::assert_snapshot!(format!("{snap}_main_tf"), main_tf(&exported));
        insta::assert_snapshot!(format!("{snap}_diagnostics"), render_diagnostics(&exported));
    }
    let (_, exported) = export_file(&vpcsim_tests::scenarios_dir().join("gallery/worked-example.json"));
    for (file, text) in &exported.files {
        if file != "main.tf" {
            insta::assert_snapshot!(format!("worked_example_{}", file.replace('.', "_")), text);
        }
    }
}

fn vpc(id: &str) -> VpcDoc {
    VpcDoc { id: id.to_owned(), cidr_blocks: vec!["10.0.0.0/16".to_owned()], ..VpcDoc::default() }
}

/// Evaluates every string attribute named `key` in main.tf.
fn strings(exported: &Exported, key: &str) -> Vec<String> {
    let body = hcl::parse(main_tf(exported)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    fn go(body: &Body, key: &str, out: &mut Vec<String>) {
        for s in body.iter() {
            match s {
                Structure::Attribute(a) if a.key.as_str() == key => {
                    match a.expr.evaluate(&Context::new()).unwrap_or_else(|e| panic!("{e}")) {
                        hcl::Value::Object(o) => out.extend(o.values().filter_map(|x| x.as_str().map(str::to_owned))),
                        v => out.push(v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())),
                    }
                }
                Structure::Attribute(_) => {}
                Structure::Block(b) => go(&b.body, key, out),
            }
        }
    }
    go(&body, key, &mut out);
    out
}

#[test]
fn names_are_sanitised_unique_and_strings_escaped() {
    let tricky = "web \"app\" \\ ${var.x} %{ if true } $${ok}";
    let mut s = Scenario { vpcsim: 1, ..Scenario::default() };
    s.network.vpcs = vec![vpc("vpc-a"), vpc("vpc_a"), vpc("1 weird/id ${x}")];
    s.network.security_groups = vec![SgDoc {
        id: "sg-x".to_owned(),
        name: "x".to_owned(),
        vpc: "vpc-a".to_owned(),
        description: "plain".to_owned(),
        inbound: vec![SgRuleDoc {
            protocol: "tcp".to_owned(),
            ports: Some("443".to_owned()),
            sg: Some("sg-x".to_owned()),
            ..SgRuleDoc::default()
        }],
        outbound: vec![],
    }];
    s.network.route_tables = vec![RouteTableDoc { id: tricky.to_owned(), vpc: "vpc-a".to_owned(), ..RouteTableDoc::default() }];
    let exported = to_hcl(&s);
    assert_eq!(validate("tricky", &exported), Vec::<String>::new());
    let m = parse("tricky", &exported);
    let vpcs: Vec<&str> = m.resources.keys().filter(|(t, _)| t == "aws_vpc").map(|(_, n)| n.as_str()).collect();
    assert_eq!(vpcs, vec!["r_1_weird_id___x_", "vpc_a", "vpc_a_2"]);
    // The Name tags hold the ids exactly, escapes and all.
    let names = strings(&exported, "tags");
    assert!(names.iter().any(|n| n.contains(tricky)), "{names:?}");
    assert!(names.iter().any(|n| n.contains("1 weird/id ${x}")), "{names:?}");
    // Deterministic.
    assert_eq!(to_hcl(&s), exported);
}

#[test]
fn what_terraform_cannot_express_is_reported_with_its_location() {
    let mut s = Scenario { vpcsim: 1, ..Scenario::default() };
    s.network.vpcs = vec![vpc("vpc-a")];
    let route =
        |dest: &str, target: &str| RouteDoc { destination: Some(dest.to_owned()), target: target.to_owned(), ..RouteDoc::default() };
    s.network.route_tables = vec![RouteTableDoc {
        id: "rtb-a".to_owned(),
        vpc: "vpc-a".to_owned(),
        routes: vec![route("0.0.0.0/0", "igw-gone"), route("192.168.0.0/16", "vgw-onprem"), route("10.0.0.0/16", "local")],
        ..RouteTableDoc::default()
    }];
    s.network.sagemaker.training_jobs = vec![TrainingJobDoc { name: "train".to_owned(), ..TrainingJobDoc::default() }];
    s.network.security_groups = vec![SgDoc { id: "sg-a".to_owned(), vpc: "vpc-nope".to_owned(), ..SgDoc::default() }];
    let exported = to_hcl(&s);
    assert_eq!(validate("unexpressible", &exported), Vec::<String>::new());
    let found: Vec<(&str, Severity, &str)> = exported.diagnostics.iter().map(|d| (d.code, d.severity, d.at.as_str())).collect();
    assert_eq!(
        found,
        vec![
            ("export-unknown-reference", Severity::Error, "security_groups/0/vpc"),
            ("export-blackhole-route", Severity::Warning, "route_tables/0/routes/0/target"),
            ("export-vgw-target", Severity::Warning, "route_tables/0/routes/1"),
            ("export-local-route", Severity::Info, "route_tables/0/routes/2"),
            ("export-training-job", Severity::Info, "sagemaker/training_jobs/0"),
        ]
    );
    assert!(!main_tf(&exported).contains("aws_route\""), "{}", main_tf(&exported));
    assert!(exported.diagnostics.iter().all(|d| !d.help.is_empty()));
}

/// Security group rules of a module: (direction, owner group name, protocol, from, to,
/// peer), with groups named by their `name` argument.
fn sg_rules(exported: &Exported) -> BTreeSet<String> {
    let m = parse("rules", exported);
    let eval = |body: &Body, key: &str| -> Option<String> {
        body.iter().find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == key => Some(match &a.expr {
                Expression::Traversal(t) => {
                    let parts: Vec<String> = std::iter::once(match &t.expr {
                        Expression::Variable(v) => v.as_str().to_owned(),
                        _ => String::new(),
                    })
                    .chain(t.operators.iter().filter_map(|o| match o {
                        TraversalOperator::GetAttr(i) => Some(i.as_str().to_owned()),
                        _ => None,
                    }))
                    .collect();
                    parts.join(".")
                }
                e => {
                    let v = e.evaluate(&Context::new()).unwrap_or_else(|e| panic!("{e}"));
                    v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())
                }
            }),
            _ => None,
        })
    };
    let group_name = |reference: &str| -> String {
        let mut parts = reference.split('.');
        let key = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
        m.resources.get(&key).and_then(|b| eval(b, "name")).unwrap_or_else(|| reference.to_owned())
    };
    let mut out = BTreeSet::new();
    for ((ty, _), body) in &m.resources {
        let dir = match ty.as_str() {
            "aws_vpc_security_group_ingress_rule" => "in",
            "aws_vpc_security_group_egress_rule" => "out",
            _ => continue,
        };
        let owner = group_name(&eval(body, "security_group_id").unwrap_or_default());
        let peer = match eval(body, "referenced_security_group_id") {
            Some(r) => format!("sg {}", group_name(&r)),
            None => ["cidr_ipv4", "cidr_ipv6", "prefix_list_id"].iter().find_map(|k| eval(body, k)).unwrap_or_default(),
        };
        let field = |k| eval(body, k).unwrap_or_else(|| "-".to_owned());
        out.insert(format!("{dir} {owner} {} {}-{} {peer}", field("ip_protocol"), field("from_port"), field("to_port")));
    }
    out
}

#[test]
fn imported_worked_example_exports_the_same_security_group_rules() {
    let state = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform/worked-example-state.json");
    let Ok(text) = std::fs::read_to_string(&state) else {
        eprintln!("no {}; skipped", state.display());
        return;
    };
    let imported =
        vpcsim_core::import::terraform::import(&vpcsim_core::import::InputFile { path: "worked-example-state.json".to_owned(), text });
    let from_state = to_hcl(&imported.scenario);
    assert_eq!(validate("imported", &from_state), Vec::<String>::new());
    let (_, from_corpus) = export_file(&vpcsim_tests::scenarios_dir().join("gallery/worked-example.json"));
    // The state fixture holds the worked example's two application groups; the corpus
    // scenario also has the S3 rule and the Runtime interface endpoint's group.
    let core = BTreeSet::from(["in model-endpoint tcp 443-443 sg web-app".to_owned(), "out web-app -1 --- 0.0.0.0/0".to_owned()]);
    let rules = sg_rules(&from_corpus);
    assert!(rules.is_superset(&core), "{rules:?}");
    assert!(rules.contains("out model-endpoint tcp 443-443 data.aws_prefix_list.s3.id"), "{rules:?}");
    assert_eq!(sg_rules(&from_state), core, "{}", main_tf(&from_state));
    // The document round-trips through JSON unchanged, so the export is of the document.
    assert_eq!(scenario::parse(&scenario::to_json(&imported.scenario)).ok().map(|s| to_hcl(&s)), Some(from_state));
}

/// How the test gets the AWS provider.
enum Provider {
    /// A filesystem mirror: `VPCSIM_TERRAFORM_MIRROR` (which must exist when set), else
    /// `/opt/tf-plugins` when it exists, unless `TF_CLI_CONFIG_FILE` names a file.
    Mirror(std::path::PathBuf),
    /// Terraform's own configuration file, `TF_CLI_CONFIG_FILE`.
    Config,
    /// The registry.
    Registry,
}

fn provider() -> Provider {
    if let Some(m) = std::env::var_os("VPCSIM_TERRAFORM_MIRROR") {
        let m = std::path::PathBuf::from(m);
        assert!(m.is_dir(), "VPCSIM_TERRAFORM_MIRROR={} is not a folder", m.display());
        return Provider::Mirror(m);
    }
    if std::env::var_os("TF_CLI_CONFIG_FILE").is_some_and(|f| Path::new(&f).is_file()) {
        return Provider::Config;
    }
    let default = Path::new("/opt/tf-plugins");
    if default.is_dir() {
        Provider::Mirror(default.to_path_buf())
    } else {
        Provider::Registry
    }
}

/// A skip: a failure when `VPCSIM_REQUIRE_TERRAFORM=1`.
fn skip(why: &str) {
    assert!(std::env::var_os("VPCSIM_REQUIRE_TERRAFORM").is_none_or(|v| v != "1"), "VPCSIM_REQUIRE_TERRAFORM=1, but {why}");
    eprintln!("skipped: {why}");
}

/// A folder removed when dropped, even when the test fails.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `terraform validate` itself, with the AWS provider, on the export of every scenario
/// of the corpus and of every AWS sample (when `../shared/aws-samples` is there). The
/// modules are the children of one root, so that the provider's schema is loaded once;
/// each diagnostic, error or warning, is traced back to its scenario. Skipped, with a
/// message, only when there is no `terraform`, or when it would take the provider from the
/// registry and cannot reach it; `VPCSIM_REQUIRE_TERRAFORM=1` turns a skip into a failure.
#[test]
fn every_export_passes_terraform_validate() {
    use std::process::Command;
    if Command::new("terraform").arg("version").output().map_or(true, |o| !o.status.success()) {
        return skip("`terraform` is not on PATH");
    }
    let mut modules: Vec<(String, Exported)> = vpcsim_tests::corpus().iter().map(|p| (rel(p), export_file(p).1)).collect();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-samples");
    let mut folders: Vec<std::path::PathBuf> =
        std::fs::read_dir(samples.join("batfish")).into_iter().flatten().flatten().map(|e| e.path().join("aws_configs")).collect();
    folders.push(samples.join("cloudmapper-demo"));
    folders.sort();
    for dir in folders.iter().filter(|d| d.is_dir()) {
        let imported = vpcsim_core::import::aws::import(&vpcsim_tests::read_json_folder(dir));
        modules.push((dir.display().to_string(), to_hcl(&imported.scenario)));
    }
    if !samples.is_dir() {
        eprintln!("note: {} is absent; only the corpus is validated", samples.display());
    }
    let root = TempDir(Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("terraform-validate-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&root.0);
    let mut main = String::new();
    for (i, (_, exported)) in modules.iter().enumerate() {
        let dir = root.0.join(format!("m{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in &exported.files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        // Each module's required variables (the AMI of its instances) get a value.
        let vars = exported.files.iter().find(|(f, _)| f == "variables.tf").map(|(_, t)| t.as_str()).unwrap_or("");
        let inputs: String = vars
            .lines()
            .filter_map(|l| l.strip_prefix("variable \"")?.split('"').next())
            .map(|v| format!("  {v} = \"example\"\n"))
            .collect();
        main.push_str(&format!("module \"m{i}\" {{\n  source = \"./m{i}\"\n{inputs}}}\n\n"));
    }
    std::fs::write(root.0.join("main.tf"), main).unwrap();
    let provider = provider();
    let rc = root.0.join("terraformrc");
    if let Provider::Mirror(mirror) = &provider {
        // An HCL string: JSON's escapes, and `${` kept literal.
        let path = serde_json::to_string(&mirror.display().to_string()).unwrap().replace("${", "$${");
        std::fs::write(&rc, format!("provider_installation {{\n  filesystem_mirror {{ path = {path} }}\n}}\n")).unwrap();
    }
    let terraform = |args: &[&str]| {
        let mut cmd = Command::new("terraform");
        cmd.args(args).current_dir(&root.0).env("TF_IN_AUTOMATION", "1").env("CHECKPOINT_DISABLE", "1");
        // Nothing from the environment changes what runs.
        for var in ["TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_validate", "TF_DATA_DIR", "TF_WORKSPACE", "TF_PLUGIN_CACHE_DIR"] {
            cmd.env_remove(var);
        }
        if matches!(provider, Provider::Mirror(_)) {
            cmd.env("TF_CLI_CONFIG_FILE", &rc);
        }
        cmd.output().unwrap()
    };
    let init = terraform(&["init", "-backend=false", "-input=false", "-no-color"]);
    if !init.status.success() {
        let err = String::from_utf8_lossy(&init.stderr).to_string();
        // Only an unreachable registry skips; with a mirror or a configuration, any
        // failure is the export's.
        let offline = ["could not connect", "dial tcp", "no such host", "i/o timeout", "connection refused", "network is unreachable"]
            .iter()
            .any(|m| err.contains(m));
        assert!(matches!(provider, Provider::Registry) && offline, "terraform init failed:\n{err}");
        return skip(&format!("terraform cannot reach the registry for the AWS provider:\n{err}"));
    }
    let validate = terraform(&["validate", "-json", "-no-color"]);
    let report: serde_json::Value = serde_json::from_slice(&validate.stdout)
        .unwrap_or_else(|e| panic!("terraform validate -json: {e}\n{}", String::from_utf8_lossy(&validate.stderr)));
    let problems: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let file = d["range"]["filename"].as_str().unwrap_or("");
            let scenario = file
                .strip_prefix('m')
                .and_then(|f| f.split(['/', '\\']).next()?.parse::<usize>().ok())
                .and_then(|i| modules.get(i))
                .map_or("the root module", |(name, _)| name.as_str());
            let line = d["range"]["start"]["line"].as_u64().unwrap_or(0);
            format!("{scenario} ({file}:{line}): {} {}: {}", d["severity"], d["summary"], d["detail"])
        })
        .collect();
    // Errors and warnings alike: a deprecated argument is a finding too.
    assert!(report["valid"] == true && problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    assert!(modules.len() > 60, "only {} modules validated", modules.len());
    eprintln!("terraform validate: {} modules valid", modules.len());
}
