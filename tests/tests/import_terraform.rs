//! The Terraform importer (`terraform show -json` state and plan): the worked example as
//! state, as plan (ids unknown, resolved through configuration references) and split into
//! modules loads without errors and gives the study guide's verdicts; bad inputs give
//! located diagnostics. Rendered traces are snapshot-tested
//! (`INSTA_UPDATE=always cargo test -p vpcsim-tests --test import_terraform`).

use serde_json::json;
use vpcsim_core::import::{terraform, Imported, InputFile, MAX_FILE_BYTES};
use vpcsim_core::{eval, scenario, Diagnostic, Network, ProbeDoc, Severity, Trace};

fn fixture(name: &str) -> InputFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/terraform").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    InputFile { path: name.to_owned(), text }
}

/// Imports a fixture and builds its network; no step may report an error.
fn load(name: &str) -> (Imported, Network, Vec<Diagnostic>) {
    let imported = terraform::import(&fixture(name));
    let errors: Vec<_> = imported.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{name}: import errors: {errors:#?}");
    let (net, diags) = Network::build(&imported.scenario);
    let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{name}: load errors: {errors:#?}\n{}", scenario::to_json(&imported.scenario));
    (imported, net, diags)
}

fn probe(name: &str, from: &str, port: u16) -> ProbeDoc {
    ProbeDoc {
        name: name.to_owned(),
        from: from.to_owned(),
        to: "sagemaker:endpoint/churn-model".to_owned(),
        protocol: "tcp".to_owned(),
        port: Some(port),
        ..ProbeDoc::default()
    }
}

/// What the study guide checks: request and response outcomes and the drop reason.
fn verdict(t: &Trace) -> (String, Option<String>, Option<String>) {
    (
        t.request.outcome.as_str().to_owned(),
        t.response.as_ref().map(|r| r.outcome.as_str().to_owned()),
        t.request.dropped_at.as_ref().map(|d| d.reason.code().to_owned()),
    )
}

struct Run {
    https: Trace,
    ssh: Trace,
    rendered: String,
}

/// Traces HTTPS and SSH from the web app to the endpoint and checks the verdicts.
fn run(name: &str, web: &str, endpoint_sg: &str) -> Run {
    let (imported, net, diags) = load(name);
    let instance = imported.scenario.network.instances.first().map(|i| i.id.clone());
    assert_eq!(instance.as_deref(), Some(web), "{name}: web instance id");
    let https = eval::trace(&net, &probe("HTTPS from the web app", web, 443)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ssh = eval::trace(&net, &probe("SSH from the web app", web, 22)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(verdict(&https), ("delivered".to_owned(), Some("delivered".to_owned()), None), "{name}: HTTPS\n{https}");
    assert_eq!(verdict(&ssh).0, "dropped", "{name}: SSH\n{ssh}");
    let drop = ssh.request.dropped_at.as_ref().unwrap_or_else(|| panic!("{name}: SSH not dropped"));
    assert_eq!(drop.reason.code(), "sg-no-matching-rule", "{name}: SSH\n{ssh}");
    assert_eq!(drop.component, endpoint_sg, "{name}: SSH\n{ssh}");
    let mut rendered = String::new();
    for d in imported.diagnostics.iter().chain(diags.iter()) {
        rendered.push_str(&format!("diagnostic: {d}\n"));
    }
    rendered.push_str(&format!("\n### HTTPS from the web app\n{https}\n### SSH from the web app\n{ssh}"));
    Run { https, ssh, rendered }
}

#[test]
fn worked_example_state() {
    let r = run("worked-example-state.json", "i-0123456789abcdef0", "sg-0c0ffee0000000002");
    insta::assert_snapshot!("worked_example_state", r.rendered);
}

#[test]
fn worked_example_plan_resolves_references() {
    let r = run("worked-example-plan.json", "aws_instance.web", "aws_security_group.endpoint");
    insta::assert_snapshot!("worked_example_plan", r.rendered);
    let (imported, _, _) = load("worked-example-plan.json");
    let net = &imported.scenario.network;
    assert_eq!(net.region.as_deref(), Some("us-east-1"));
    assert!(net.subnets.iter().all(|s| s.vpc == "aws_vpc.main"));
    let ep = net.sagemaker.endpoints.first().and_then(|e| e.vpc_config.clone()).unwrap_or_default();
    assert_eq!(ep.subnets, ["aws_subnet.private_a", "aws_subnet.private_b"]);
    assert_eq!(ep.security_groups, ["aws_security_group.endpoint"]);
    let vpce = net.vpc_endpoints.first().unwrap_or_else(|| panic!("no VPC endpoint"));
    assert_eq!(vpce.route_tables, ["aws_route_table.private"]);
    assert!(vpce.policy.is_some(), "the endpoint policy string is parsed");
}

#[test]
fn state_and_plan_give_the_same_verdicts() {
    let state = run("worked-example-state.json", "i-0123456789abcdef0", "sg-0c0ffee0000000002");
    let plan = run("worked-example-plan.json", "aws_instance.web", "aws_security_group.endpoint");
    assert_eq!(verdict(&state.https), verdict(&plan.https));
    assert_eq!(verdict(&state.ssh), verdict(&plan.ssh));
}

#[test]
fn modules_state() {
    let r = run("modules-state.json", "i-0123456789abcdef0", "sg-0c0ffee0000000002");
    insta::assert_snapshot!("modules_state", r.rendered);
    let (imported, _, _) = load("modules-state.json");
    let info: Vec<_> = imported.diagnostics.iter().filter(|d| d.code == "unsupported-resource-type").collect();
    assert_eq!(info.len(), 1, "one note per unsupported type: {info:?}");
    assert_eq!(info.first().map(|d| d.at.as_str()), Some("module.ml.aws_iam_role.sagemaker"));
    let acl = imported.scenario.network.network_acls.first().unwrap_or_else(|| panic!("no NACL"));
    assert_eq!(acl.inbound.iter().map(|e| e.rule).collect::<Vec<_>>(), [50, 100, 110], "aws_network_acl_rule joins its ACL");
}

#[test]
fn imported_documents_round_trip_through_the_scenario_parser() {
    for name in ["worked-example-state.json", "worked-example-plan.json", "modules-state.json"] {
        let (imported, _, _) = load(name);
        let text = scenario::to_json(&imported.scenario);
        let parsed = scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed, imported.scenario, "{name}");
    }
}

fn res(kind: &str, name: &str, values: serde_json::Value) -> serde_json::Value {
    json!({"address": format!("{kind}.{name}"), "mode": "managed", "type": kind, "name": name,
           "provider_name": "registry.terraform.io/hashicorp/aws", "values": values})
}

fn state(resources: serde_json::Value) -> String {
    json!({"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": resources}}}).to_string()
}

fn vpc() -> serde_json::Value {
    res("aws_vpc", "main", json!({"id": "vpc-1", "cidr_block": "10.0.0.0/16"}))
}

#[test]
fn bad_inputs_are_located() {
    let module_subnet = json!({"format_version": "1.0", "values": {"root_module": {"resources": [vpc()], "child_modules": [
        {"address": "module.net", "resources": [{"address": "module.net.aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
          "values": {"id": "subnet-1", "vpc_id": "vpc-1", "cidr_block": "10.0.1.5/24"}}]}]}}})
    .to_string();
    let unknown_ref = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [vpc(),
            {"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a", "values": {"cidr_block": "10.0.1.0/24"}}]}},
        "resource_changes": [{"address": "aws_subnet.a", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_id": true}}}],
        "configuration": {"root_module": {"resources": [{"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
            "expressions": {"vpc_id": {"references": ["aws_vpc.missing.id", "aws_vpc.missing"]}}}]}}
    })
    .to_string();
    let unknown_value = json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a", "values": {"cidr_block": "10.0.1.0/24"}}]}},
        "resource_changes": [{"address": "aws_subnet.a", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_id": true}}}]
    })
    .to_string();
    let rule = |from: i64, to: i64| {
        state(json!([
            vpc(),
            res(
                "aws_security_group",
                "a",
                json!({"id": "sg-1", "vpc_id": "vpc-1", "egress": [],
            "ingress": [{"protocol": "tcp", "from_port": from, "to_port": to, "cidr_blocks": ["10.0.0.0/16"], "self": false}]})
            )
        ]))
    };
    let oversized = " ".repeat(MAX_FILE_BYTES + 1);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("truncated JSON", r#"{"format_version": "1.0", "values": {"root_mo"#.to_owned(), "json-syntax", "bad.json#"),
        ("not an object", "[1, 2, 3]".to_owned(), "not-terraform-json", "bad.json#"),
        ("a scenario, not terraform output", r#"{"vpcsim": 1, "network": {}}"#.to_owned(), "not-terraform-json", "bad.json#"),
        ("format_version is a number", r#"{"format_version": 1, "values": {}}"#.to_owned(), "terraform-shape", "bad.json#/format_version"),
        (
            "resources is an object",
            r#"{"format_version": "1.0", "values": {"root_module": {"resources": {}}}}"#.to_owned(),
            "terraform-shape",
            "bad.json#/values/root_module/resources",
        ),
        (
            "resource without values",
            r#"{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "aws_vpc.x", "type": "aws_vpc"}]}}}"#
                .to_owned(),
            "terraform-shape",
            "bad.json#/values/root_module/resources/0/values",
        ),
        (
            "cidr_block is a number",
            state(json!([res("aws_vpc", "main", json!({"id": "vpc-1", "cidr_block": 42}))])),
            "attribute-type",
            "aws_vpc.main",
        ),
        ("CIDR with host bits", module_subnet, "cidr-host-bits", "module.net.aws_subnet.a"),
        (
            "not a CIDR",
            state(json!([res("aws_vpc", "main", json!({"id": "vpc-1", "cidr_block": "10.0.0.0/33"}))])),
            "invalid-cidr",
            "aws_vpc.main",
        ),
        ("unknown reference", unknown_ref, "unresolved-reference", "aws_subnet.a"),
        ("unknown value without a reference", unknown_value, "unknown-value", "aws_subnet.a"),
        ("oversized input", oversized, "file-too-large", "bad.json#"),
        (
            "NACL rule number 0",
            state(json!([
                vpc(),
                res(
                    "aws_network_acl",
                    "a",
                    json!({"id": "acl-1", "vpc_id": "vpc-1", "egress": [],
                "ingress": [{"rule_no": 0, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_block": "0.0.0.0/0"}]})
                )
            ])),
            "nacl-rule-number",
            "aws_network_acl.a",
        ),
        ("from_port greater than to_port", rule(443, 80), "port-range-reversed", "aws_security_group.a"),
        ("port out of range", rule(0, 70000), "invalid-port", "aws_security_group.a"),
        (
            "rule for a group not in the state",
            state(json!([
                vpc(),
                res(
                    "aws_security_group_rule",
                    "r",
                    json!({"type": "ingress", "security_group_id": "sg-gone",
                "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]})
                )
            ])),
            "unresolved-reference",
            "aws_security_group_rule.r",
        ),
        (
            "endpoint policy is not JSON",
            state(json!([
                vpc(),
                res(
                    "aws_vpc_endpoint",
                    "s3",
                    json!({"id": "vpce-1", "vpc_id": "vpc-1",
                "service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Gateway", "policy": "{not json"})
                )
            ])),
            "endpoint-policy-json",
            "aws_vpc_endpoint.s3",
        ),
        (
            "subnet without vpc_id",
            state(json!([res("aws_subnet", "a", json!({"id": "subnet-1", "cidr_block": "10.0.1.0/24"}))])),
            "missing-attribute",
            "aws_subnet.a",
        ),
    ];
    assert!(cases.len() >= 8);
    let mut failures = Vec::new();
    for (what, text, code, at) in &cases {
        let out = terraform::import(&InputFile { path: "bad.json".to_owned(), text: text.clone() });
        let found = out.diagnostics.iter().find(|d| d.code == *code);
        match found {
            Some(d) if d.at == *at && d.severity == Severity::Error && !d.message.is_empty() && !d.help.is_empty() => {}
            _ => failures.push(format!("{what}: expected error `{code}` at `{at}`, got {:#?}", out.diagnostics)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn oversized_input_names_the_size() {
    let out = terraform::import(&InputFile { path: "big.json".to_owned(), text: " ".repeat(MAX_FILE_BYTES + 1) });
    let d = out.diagnostics.first().unwrap_or_else(|| panic!("no diagnostic"));
    assert!(d.message.contains("bytes"), "{d}");
    assert!(out.scenario.network.vpcs.is_empty());
}

#[test]
fn unsupported_types_are_reported_once_per_type() {
    let text = state(json!([
        vpc(),
        res("aws_s3_bucket", "a", json!({"id": "a"})),
        res("aws_s3_bucket", "b", json!({"id": "b"})),
        res("aws_kms_key", "k", json!({"id": "k"})),
    ]));
    let out = terraform::import(&InputFile { path: "t.json".to_owned(), text });
    let notes: Vec<_> = out.diagnostics.iter().filter(|d| d.code == "unsupported-resource-type").map(|d| d.at.as_str()).collect();
    assert_eq!(notes, ["aws_s3_bucket.a", "aws_kms_key.k"]);
    assert!(out.diagnostics.iter().all(|d| d.severity == Severity::Info));
}

#[test]
fn plan_references_through_module_outputs_and_variables() {
    let managed = |addr: &str, kind: &str, name: &str, values: serde_json::Value| json!({"address": addr, "mode": "managed", "type": kind, "name": name, "values": values});
    let text = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"child_modules": [
            {"address": "module.network", "resources": [
                managed("module.network.aws_vpc.this", "aws_vpc", "this", json!({"cidr_block": "10.0.0.0/16"})),
                managed("module.network.aws_subnet.app", "aws_subnet", "app", json!({"cidr_block": "10.0.1.0/24", "availability_zone": "eu-west-1a"}))]},
            {"address": "module.app", "resources": [
                managed("module.app.aws_instance.web", "aws_instance", "web", json!({"private_ip": "10.0.1.10"}))]}]}},
        "resource_changes": [
            {"address": "module.network.aws_vpc.this", "change": {"actions": ["create"], "after_unknown": {"id": true}}},
            {"address": "module.network.aws_subnet.app", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_id": true}}},
            {"address": "module.app.aws_instance.web", "change": {"actions": ["create"], "after_unknown": {"id": true, "subnet_id": true}}}],
        "configuration": {"root_module": {"module_calls": {
            "network": {"source": "./network", "module": {
                "outputs": {"subnet_id": {"expression": {"references": ["aws_subnet.app.id", "aws_subnet.app"]}}},
                "resources": [
                    {"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this", "expressions": {"cidr_block": {"constant_value": "10.0.0.0/16"}}},
                    {"address": "aws_subnet.app", "mode": "managed", "type": "aws_subnet", "name": "app",
                     "expressions": {"vpc_id": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}}]}},
            "app": {"source": "./app",
                "expressions": {"subnet_id": {"references": ["module.network.subnet_id", "module.network"]}},
                "module": {"variables": {"subnet_id": {}}, "resources": [
                    {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance", "name": "web",
                     "expressions": {"subnet_id": {"references": ["var.subnet_id"]}}}]}}}}}
    })
    .to_string();
    let out = terraform::import(&InputFile { path: "plan.json".to_owned(), text });
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
    let net = &out.scenario.network;
    assert_eq!(net.subnets.first().map(|s| s.vpc.as_str()), Some("module.network.aws_vpc.this"));
    assert_eq!(net.instances.first().map(|i| i.subnet.as_str()), Some("module.network.aws_subnet.app"));
    assert_eq!(net.region.as_deref(), Some("eu-west-1"));
    let (_, diags) = Network::build(&out.scenario);
    assert!(diags.iter().all(|d| d.severity != Severity::Error), "{diags:#?}");
}
