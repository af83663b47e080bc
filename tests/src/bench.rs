//! Benchmark inputs: the largest path AWS allows, as a scenario document.
//!
//! One source interface with 1,000 outbound security group rules (5 groups of 200, the
//! quota product of SG-11), a 40-entry outbound NACL (NACL-11's maximum), a route table
//! of 1,000 routes, a 40-entry inbound NACL at the destination subnet, and a destination
//! with 1,000 inbound rules. Every matching entry is the last one, so nothing
//! short-circuits early.

use serde_json::{json, Value};

/// The scenario and the probe that crosses it.
pub fn largest_path() -> (Value, Value) {
    let mut sgs = Vec::new();
    for g in 0..5 {
        let outbound: Vec<Value> = (0..200)
            .map(|r| {
                let last = g == 4 && r == 199;
                if last {
                    json!({"protocol": "tcp", "ports": "443", "cidr": "10.1.2.0/24"})
                } else {
                    json!({"protocol": "tcp", "ports": format!("{}", 1000 + g * 200 + r), "cidr": format!("172.16.{}.{}/32", g, r)})
                }
            })
            .collect();
        sgs.push(json!({"id": format!("sg-src-{g}"), "vpc": "vpc-bench", "inbound": [], "outbound": outbound}));
        let inbound: Vec<Value> = (0..200)
            .map(|r| {
                let last = g == 4 && r == 199;
                if last {
                    json!({"protocol": "tcp", "ports": "443", "sg": "sg-src-0"})
                } else {
                    json!({"protocol": "udp", "ports": format!("{}", 2000 + g * 200 + r), "cidr": format!("192.168.{}.{}/32", g, r)})
                }
            })
            .collect();
        sgs.push(json!({"id": format!("sg-dst-{g}"), "vpc": "vpc-bench", "inbound": inbound, "outbound": []}));
    }
    let nacl = |allow_cidr: &str| -> Vec<Value> {
        let mut entries: Vec<Value> = (1..40)
            .map(|k| json!({"rule": k * 10, "action": "deny", "protocol": "tcp", "ports": format!("{}", 3000 + k), "cidr": format!("192.0.2.{k}/32")}))
            .collect();
        entries.push(json!({"rule": 400, "action": "allow", "protocol": "all", "cidr": allow_cidr}));
        entries
    };
    let mut routes: Vec<Value> =
        (0..999).map(|k| json!({"destination": format!("100.{}.{}.0/24", 64 + k / 250, k % 250), "target": "igw-bench"})).collect();
    routes.push(json!({"destination": "0.0.0.0/0", "target": "igw-bench"}));
    let scenario = json!({
        "vpcsim": 1,
        "name": "largest path",
        "network": {
            "vpcs": [{"id": "vpc-bench", "cidr_blocks": ["10.1.0.0/16"]}],
            "subnets": [
                {"id": "subnet-src", "vpc": "vpc-bench", "cidr": "10.1.1.0/24", "az": "a"},
                {"id": "subnet-dst", "vpc": "vpc-bench", "cidr": "10.1.2.0/24", "az": "b"}
            ],
            "internet_gateways": [{"id": "igw-bench", "vpc": "vpc-bench"}],
            "route_tables": [{"id": "rtb-bench", "vpc": "vpc-bench", "main": true, "routes": routes}],
            "network_acls": [
                {"id": "acl-src", "vpc": "vpc-bench", "subnets": ["subnet-src"], "inbound": nacl("10.1.0.0/16"), "outbound": nacl("10.1.0.0/16")},
                {"id": "acl-dst", "vpc": "vpc-bench", "subnets": ["subnet-dst"], "inbound": nacl("10.1.0.0/16"), "outbound": nacl("10.1.0.0/16")}
            ],
            "security_groups": sgs,
            "instances": [
                {"id": "i-src", "subnet": "subnet-src", "private_ip": "10.1.1.10", "security_groups": ["sg-src-0", "sg-src-1", "sg-src-2", "sg-src-3", "sg-src-4"]},
                {"id": "i-dst", "subnet": "subnet-dst", "private_ip": "10.1.2.10", "security_groups": ["sg-dst-0", "sg-dst-1", "sg-dst-2", "sg-dst-3", "sg-dst-4"]}
            ]
        }
    });
    let probe = json!({"from": "i-src", "to": "i-dst", "protocol": "tcp", "port": 443});
    (scenario, probe)
}
