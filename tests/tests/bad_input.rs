//! Bad input gets a located diagnostic (code, message, help, path), never a panic, and the
//! rest of the network still loads. One row per case: the network JSON, then the expected
//! code, path, and fragments of message and help.

use serde_json::{json, Value};
use vpcsim_core::{ffi, Network, Severity};

fn base() -> Value {
    json!({
        "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
        "subnets": [{"id": "subnet-a", "vpc": "vpc-1", "cidr": "10.0.1.0/24", "az": "us-east-1a"}],
        "security_groups": [{"id": "sg-web", "vpc": "vpc-1", "inbound": [], "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}],
        "instances": [{"id": "i-web", "subnet": "subnet-a", "security_groups": ["sg-web"]}]
    })
}

/// Applies `edit` to the base network and loads it.
fn load_with(edit: impl FnOnce(&mut Value)) -> Vec<vpcsim_core::Diagnostic> {
    let mut net = base();
    edit(&mut net);
    let doc = json!({"vpcsim": 1, "network": net});
    let scenario = ffi::load_scenario(&doc.to_string()).expect("shape is valid");
    let (network, diags) = Network::build(&scenario);
    // The rest still loads: the untouched instance is always there.
    assert!(
        network.node("i-web").is_some() || diags.iter().any(|d| d.at.starts_with("instances")),
        "the rest of the network was lost: {diags:?}"
    );
    diags
}

fn push(v: &mut Value, key: &str, item: Value) {
    match v[key].as_array_mut() {
        Some(a) => a.push(item),
        None => v[key] = json!([item]),
    }
}

struct Case {
    name: &'static str,
    edit: fn(&mut Value),
    code: &'static str,
    at: &'static str,
    message: &'static str,
    help: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "overlapping subnets",
        edit: |v| push(v, "subnets", json!({"id": "subnet-b", "vpc": "vpc-1", "cidr": "10.0.1.128/25"})),
        code: "subnet-overlap",
        at: "subnets/1/cidr",
        message: "overlaps subnet `subnet-a`",
        help: "must not overlap",
    },
    Case {
        name: "subnet outside its VPC",
        edit: |v| push(v, "subnets", json!({"id": "subnet-x", "vpc": "vpc-1", "cidr": "10.9.0.0/24"})),
        code: "subnet-outside-vpc",
        at: "subnets/1/cidr",
        message: "is not inside VPC `vpc-1`",
        help: "10.0.0.0/16",
    },
    Case {
        name: "duplicate NACL rule numbers",
        edit: |v| {
            push(
                v,
                "network_acls",
                json!({"id": "acl-1", "vpc": "vpc-1", "subnets": ["subnet-a"], "outbound": [],
                "inbound": [{"rule": 100, "action": "allow", "protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"},
                            {"rule": 100, "action": "deny", "protocol": "all", "cidr": "0.0.0.0/0"}]}),
            )
        },
        code: "nacl-duplicate-rule",
        at: "network_acls/0/inbound/1/rule",
        message: "rule number `100` is used twice",
        help: "renumber",
    },
    Case {
        name: "NACL rule number out of range",
        edit: |v| {
            push(
                v,
                "network_acls",
                json!({"id": "acl-1", "vpc": "vpc-1", "outbound": [], "inbound": [{"rule": 32767, "action": "allow", "protocol": "all", "cidr": "0.0.0.0/0"}]}),
            )
        },
        code: "nacl-rule-number-range",
        at: "network_acls/0/inbound/0/rule",
        message: "`32767` is out of range",
        help: "1 to 32766",
    },
    Case {
        name: "NACL rule number 0",
        edit: |v| {
            push(
                v,
                "network_acls",
                json!({"id": "acl-1", "vpc": "vpc-1", "outbound": [], "inbound": [{"rule": 0, "action": "allow", "protocol": "all", "cidr": "0.0.0.0/0"}]}),
            )
        },
        code: "nacl-rule-number-range",
        at: "network_acls/0/inbound/0/rule",
        message: "`0` is out of range",
        help: "1 to 32766",
    },
    Case {
        name: "reference to a missing security group in a rule",
        edit: |v| v["security_groups"][0]["inbound"] = json!([{"protocol": "tcp", "ports": "443", "sg": "sg-wbe"}]),
        code: "unknown-security-group",
        at: "security_groups/0/inbound/0/sg",
        message: "`sg-wbe`, which does not exist",
        help: "did you mean `sg-web`?",
    },
    Case {
        name: "instance with a missing security group",
        edit: |v| push(v, "instances", json!({"id": "i-2", "subnet": "subnet-a", "security_groups": ["sg-nope"]})),
        code: "unknown-security-group",
        at: "instances/1/security_groups/0",
        message: "`sg-nope` does not exist",
        help: "sg-web",
    },
    Case {
        name: "route to a missing target",
        edit: |v| {
            push(
                v,
                "route_tables",
                json!({"id": "rtb-1", "vpc": "vpc-1", "subnets": ["subnet-a"], "routes": [{"destination": "0.0.0.0/0", "target": "igw-missing"}]}),
            )
        },
        code: "unknown-route-target",
        at: "route_tables/0/routes/0/target",
        message: "`igw-missing` does not exist; the route is a blackhole",
        help: "",
    },
    Case {
        name: "association with a missing subnet",
        edit: |v| push(v, "route_tables", json!({"id": "rtb-1", "vpc": "vpc-1", "subnets": ["subnet-z"]})),
        code: "unknown-subnet",
        at: "route_tables/0/subnets/0",
        message: "subnet `subnet-z` does not exist",
        help: "subnet-a",
    },
    Case {
        name: "gateway endpoint with a missing route table",
        edit: |v| {
            push(
                v,
                "vpc_endpoints",
                json!({"id": "vpce-s3", "vpc": "vpc-1", "service": "s3", "type": "gateway", "route_tables": ["rtb-nope"]}),
            )
        },
        code: "unknown-route-table",
        at: "vpc_endpoints/0/route_tables/0",
        message: "route table `rtb-nope` does not exist",
        help: "",
    },
    Case {
        name: "reversed port range",
        edit: |v| v["security_groups"][0]["inbound"] = json!([{"protocol": "tcp", "ports": "80-70", "cidr": "10.0.0.0/16"}]),
        code: "port-range-reversed",
        at: "security_groups/0/inbound/0/ports",
        message: "`80-70` is reversed",
        help: "first port not above the last",
    },
    Case {
        name: "protocol 300",
        edit: |v| v["security_groups"][0]["inbound"] = json!([{"protocol": "300", "cidr": "10.0.0.0/16"}]),
        code: "protocol-invalid",
        at: "security_groups/0/inbound/0/protocol",
        message: "protocol `300` is not valid",
        help: "0 to 255",
    },
    Case {
        name: "CIDR with host bits",
        edit: |v| v["security_groups"][0]["inbound"] = json!([{"protocol": "tcp", "ports": "22", "cidr": "10.0.1.5/24"}]),
        code: "cidr-host-bits",
        at: "security_groups/0/inbound/0/cidr",
        message: "`10.0.1.5/24` has host bits set",
        help: "did you mean `10.0.1.0/24`?",
    },
    Case {
        name: "not a CIDR",
        edit: |v| v["vpcs"][0]["cidr_blocks"] = json!(["10.0.0.0/16", "banana"]),
        code: "cidr-invalid",
        at: "vpcs/0/cidr_blocks/1",
        message: "`banana` is not a CIDR block",
        help: "10.0.1.0/24",
    },
    Case {
        name: "NACL action typo",
        edit: |v| {
            push(
                v,
                "network_acls",
                json!({"id": "acl-1", "vpc": "vpc-1", "outbound": [], "inbound": [{"rule": 10, "action": "permit", "protocol": "all", "cidr": "0.0.0.0/0"}]}),
            )
        },
        code: "nacl-action-invalid",
        at: "network_acls/0/inbound/0/action",
        message: "action `permit` is not valid",
        help: "`allow` or `deny`",
    },
    Case {
        name: "duplicate id",
        edit: |v| push(v, "security_groups", json!({"id": "sg-web", "vpc": "vpc-1"})),
        code: "id-duplicate",
        at: "security_groups/1/id",
        message: "id `sg-web` is used twice",
        help: "unique id",
    },
    Case {
        name: "address outside its subnet",
        edit: |v| push(v, "instances", json!({"id": "i-2", "subnet": "subnet-a", "private_ip": "10.0.2.10"})),
        code: "ip-outside-subnet",
        at: "instances/1/private_ip",
        message: "`10.0.2.10` is not in subnet `subnet-a`",
        help: "10.0.1.0/24",
    },
    Case {
        name: "reserved address",
        edit: |v| push(v, "instances", json!({"id": "i-2", "subnet": "subnet-a", "private_ip": "10.0.1.2"})),
        code: "ip-reserved",
        at: "instances/1/private_ip",
        message: "is reserved by AWS",
        help: "first four addresses",
    },
    Case {
        name: "security group rule without a peer",
        edit: |v| v["security_groups"][0]["inbound"] = json!([{"protocol": "tcp", "ports": "22"}]),
        code: "sg-rule-peer",
        at: "security_groups/0/inbound/0",
        message: "exactly one of `cidr`, `prefix_list` and `sg`",
        help: "sg-web",
    },
    Case {
        name: "route to the reserved link-local range",
        edit: |v| {
            push(v, "internet_gateways", json!({"id": "igw-1", "vpc": "vpc-1"}));
            push(
                v,
                "route_tables",
                json!({"id": "rtb-1", "vpc": "vpc-1", "routes": [{"destination": "169.254.169.0/24", "target": "igw-1"}]}),
            );
        },
        code: "route-reserved-range",
        at: "route_tables/0/routes/0/destination",
        message: "169.254.168.0/22",
        help: "EX-3",
    },
];

#[test]
fn each_bad_input_gets_a_located_diagnostic() {
    let mut failures = Vec::new();
    for case in CASES {
        let diags = load_with(case.edit);
        let Some(d) = diags.iter().find(|d| d.code == case.code) else {
            failures.push(format!("{}: no `{}` diagnostic; got {diags:?}", case.name, case.code));
            continue;
        };
        if d.severity != Severity::Error {
            failures.push(format!("{}: severity {:?}", case.name, d.severity));
        }
        if d.at != case.at {
            failures.push(format!("{}: at `{}`, expected `{}`", case.name, d.at, case.at));
        }
        if !d.message.contains(case.message) {
            failures.push(format!("{}: message `{}` lacks `{}`", case.name, d.message, case.message));
        }
        if !d.help.contains(case.help) || d.help.is_empty() {
            failures.push(format!("{}: help `{}` lacks `{}`", case.name, d.help, case.help));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_documents_fail_with_a_located_error() {
    let cases: &[(&str, &str, &str)] = &[
        ("{\"vpcsim\": 1, \"network\": {", "json-syntax", "line 1"),
        ("{\"network\": {}}", "missing-version", "/vpcsim"),
        ("{\"vpcsim\": 2}", "unsupported-version", "/vpcsim"),
        ("{\"vpcsim\": 1, \"network\": {\"vpcs\": [{\"id\": 5}]}}", "scenario-shape", "/network/vpcs/0/id"),
        ("{\"vpcsim\": 1, \"network\": {\"vpcs\": [{\"id\": \"v\", \"cidr\": \"10.0.0.0/16\"}]}}", "scenario-shape", "/network/vpcs/0"),
        ("[1, 2, 3]", "missing-version", "/vpcsim"),
    ];
    for (text, code, at) in cases {
        let err = ffi::load_scenario(text).expect_err(text);
        let d = &err[0];
        assert_eq!(d.code, *code, "{text}: {d:?}");
        assert!(d.at.starts_with(at), "{text}: at `{}`, expected `{at}`", d.at);
        assert!(!d.help.is_empty(), "{text}: no help");
    }
    let huge = " ".repeat(ffi::MAX_INPUT_BYTES + 1);
    assert_eq!(ffi::load_scenario(&huge).unwrap_err()[0].code, "input-too-large");
}

#[test]
fn probes_with_bad_references_are_located_errors_not_panics() {
    let mut network = base();
    // A second VPC, peered, for the gateway-as-probe-end cases.
    push(&mut network, "vpcs", json!({"id": "vpc-2", "cidr_blocks": ["10.2.0.0/16"]}));
    push(&mut network, "vpcs", json!({"id": "vpc-3", "cidr_blocks": ["10.3.0.0/16"]}));
    push(&mut network, "subnets", json!({"id": "subnet-c", "vpc": "vpc-3", "cidr": "10.3.1.0/24"}));
    push(&mut network, "instances", json!({"id": "i-other", "subnet": "subnet-c"}));
    push(&mut network, "peering_connections", json!({"id": "pcx-12", "requester_vpc": "vpc-1", "accepter_vpc": "vpc-2"}));
    let scenario = ffi::load_scenario(&json!({"vpcsim": 1, "network": network}).to_string()).unwrap();
    let (net, _) = Network::build(&scenario);
    let bad = [
        // RT-13: a peering connection as a probe end needs the other end in a VPC it connects.
        (json!({"from": "internet", "to": "pcx-12", "port": 443}), "probe-gateway-end", "resource in one of the VPCs"),
        (json!({"from": "i-other", "to": "pcx-12", "port": 443}), "probe-gateway-end", "RT-13"),
        (json!({"from": "pcx-12", "to": "pcx-12", "port": 443}), "probe-gateway-to-gateway", "resource or address"),
        (json!({"from": "pcx-12", "to": "i-web", "port": 443, "ip_version": 6}), "probe-no-ipv6", "IPv4"),
        (json!({"from": "i-wbe", "to": "internet", "port": 443}), "unknown-reference", "i-web"),
        (json!({"from": "i-web", "to": "internet", "protocol": "tcp"}), "port-missing", "443"),
        (json!({"from": "i-web", "to": "internet", "protocol": "bogus", "port": 1}), "protocol-invalid", "tcp"),
        (json!({"from": "vpc-1", "to": "internet", "port": 1}), "reference-not-endpoint", "instance"),
        (json!({"from": "i-web", "to": "internet", "port": 1, "ip_version": 6}), "probe-no-ipv6", "ipv6"),
    ];
    for (probe, code, help) in bad {
        let p: vpcsim_core::ProbeDoc = serde_json::from_value(probe.clone()).unwrap();
        let e = vpcsim_core::eval::trace(&net, &p).expect_err(&probe.to_string());
        assert_eq!(e.code, code, "{probe}");
        assert!(e.help.contains(help), "{probe}: help `{}`", e.help);
    }
}
