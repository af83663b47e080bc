//! The benchmark network of the reachability matrix (issue 7): 500 instances, 50 security
//! groups of 60 rules (40 inbound, 20 outbound), 20 subnets each with its own network ACL
//! of 20 entries per direction. Timed by `tests/tests/reach.rs` (ignored) and by the
//! `vpcsim-reach-bench` binary.

use serde_json::{json, Value};

/// 500 instances, 50 security groups of 60 rules, 20 subnets with 20-entry NACLs.
pub fn network() -> Value {
    let ports: [u16; 12] = [22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9000, 27017, 1024, 53];
    let subnets: Vec<Value> =
        (0..20).map(|s| json!({"id": format!("subnet-{s}"), "vpc": "vpc-1", "cidr": format!("10.0.{s}.0/24")})).collect();
    let acls: Vec<Value> = (0..20)
        .map(|s| {
            let entries = |dir: u16| -> Vec<Value> {
                (0..20u16)
                    .map(|k| {
                        let p = ports.get(usize::from((k + s + dir) % 12)).copied().unwrap_or(443);
                        if k == 19 {
                            json!({"rule": 1000, "action": "allow", "protocol": "all", "cidr": "10.0.0.0/16"})
                        } else if k % 5 == 4 {
                            json!({"rule": 100 + k * 10, "action": "deny", "protocol": "tcp", "ports": format!("{p}"), "cidr": format!("10.0.{}.0/24", (k + s) % 20)})
                        } else if k % 3 == 0 {
                            json!({"rule": 100 + k * 10, "action": "allow", "protocol": "tcp", "ports": "1024-65535", "cidr": "0.0.0.0/0"})
                        } else {
                            json!({"rule": 100 + k * 10, "action": "allow", "protocol": if k % 2 == 0 { "udp" } else { "tcp" }, "ports": format!("{p}-{}", p + k), "cidr": format!("10.0.{}.0/22", (k * 4) % 20)})
                        }
                    })
                    .collect()
            };
            json!({"id": format!("acl-{s}"), "vpc": "vpc-1", "subnets": [format!("subnet-{s}")], "inbound": entries(0), "outbound": entries(1)})
        })
        .collect();
    let sgs: Vec<Value> = (0..50u16)
        .map(|g| {
            let rule = |k: u16| -> Value {
                let p = ports.get(usize::from((g + k) % 12)).copied().unwrap_or(443) + (k / 12);
                match k % 4 {
                    0 => json!({"protocol": "tcp", "ports": format!("{p}"), "sg": format!("sg-{}", (g + k) % 50)}),
                    1 => json!({"protocol": "tcp", "ports": format!("{p}-{}", p + 10), "cidr": format!("10.0.{}.0/24", (g + k) % 20)}),
                    2 => json!({"protocol": "udp", "ports": format!("{p}"), "cidr": "10.0.0.0/16"}),
                    _ => json!({"protocol": "tcp", "ports": format!("{p}"), "cidr": format!("10.0.{}.{}/32", (g + k) % 20, 10 + (k % 25))}),
                }
            };
            json!({"id": format!("sg-{g}"), "vpc": "vpc-1", "inbound": (0..40).map(rule).collect::<Vec<_>>(), "outbound": (40..60).map(rule).collect::<Vec<_>>()})
        })
        .collect();
    let instances: Vec<Value> = (0..500u16)
        .map(|i| {
            json!({"id": format!("i-{i}"), "subnet": format!("subnet-{}", i % 20), "private_ip": format!("10.0.{}.{}", i % 20, 10 + i / 20),
                   "security_groups": [format!("sg-{}", i % 50), format!("sg-{}", (i / 7) % 50)]})
        })
        .collect();
    json!({
        "vpcsim": 1,
        "name": "reach benchmark",
        "network": {
            "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": subnets,
            "route_tables": [{"id": "rtb-main", "vpc": "vpc-1", "main": true, "routes": []}],
            "network_acls": acls,
            "security_groups": sgs,
            "instances": instances
        }
    })
}
