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

/// A large account as AWS CLI outputs, `(file name, JSON text)`: 10 VPCs, 200 subnets each
/// with its own 10-entry NACL (200 NACLs), 1,000 security groups of 50 rules (25 in, 25
/// out), and 5,000 instances, each with one network interface (5,000 ENIs).
pub fn large_account() -> Vec<(String, String)> {
    let vpcs: Vec<Value> =
        (0..10).map(|v| json!({"VpcId": format!("vpc-{v:04}"), "CidrBlock": format!("10.{v}.0.0/16"), "IsDefault": false})).collect();
    let subnets: Vec<Value> = (0..200)
        .map(|s| {
            json!({"SubnetId": format!("subnet-{s:04}"), "VpcId": format!("vpc-{:04}", s / 20), "CidrBlock": format!("10.{}.{}.0/24", s / 20, s % 20), "AvailabilityZone": "us-east-1a"})
        })
        .collect();
    let nacls: Vec<Value> = (0..200)
        .map(|s| {
            let entries: Vec<Value> = (1..=5)
                .flat_map(|k| {
                    [false, true].map(|egress| {
                        json!({"RuleNumber": k * 100, "Protocol": "6", "RuleAction": if k == 5 { "allow" } else { "deny" }, "Egress": egress,
                               "CidrBlock": if k == 5 { "0.0.0.0/0".to_owned() } else { format!("192.0.2.{k}/32") }, "PortRange": {"From": 1000 + k, "To": 2000 + k}})
                    })
                })
                .collect();
            json!({"NetworkAclId": format!("acl-{s:04}"), "VpcId": format!("vpc-{:04}", s / 20), "IsDefault": false, "Entries": entries,
                   "Associations": [{"SubnetId": format!("subnet-{s:04}"), "NetworkAclId": format!("acl-{s:04}")}]})
        })
        .collect();
    let groups: Vec<Value> = (0..1000)
        .map(|g| {
            let rule = |k: usize| json!({"IpProtocol": "tcp", "FromPort": 1000 + k, "ToPort": 1000 + k, "IpRanges": [{"CidrIp": format!("172.16.{}.{}/32", g % 250, k)}], "UserIdGroupPairs": [], "Ipv6Ranges": [], "PrefixListIds": []});
            json!({"GroupId": format!("sg-{g:05}"), "GroupName": format!("group-{g}"), "VpcId": format!("vpc-{:04}", g / 100),
                   "IpPermissions": (0..25).map(rule).collect::<Vec<_>>(), "IpPermissionsEgress": (25..50).map(rule).collect::<Vec<_>>()})
        })
        .collect();
    let instances: Vec<Value> = (0..5000)
        .map(|i| {
            let subnet = i / 25;
            let vpc = subnet / 20;
            let ip = format!("10.{vpc}.{}.{}", subnet % 20, 10 + i % 25);
            let group = format!("sg-{:05}", vpc * 100 + i % 100);
            json!({"InstanceId": format!("i-{i:05}"), "SubnetId": format!("subnet-{subnet:04}"), "VpcId": format!("vpc-{vpc:04}"), "PrivateIpAddress": ip,
                   "State": {"Name": "running"}, "SecurityGroups": [{"GroupId": group}],
                   "NetworkInterfaces": [{"NetworkInterfaceId": format!("eni-{i:05}"), "SubnetId": format!("subnet-{subnet:04}"), "PrivateIpAddress": ip, "Groups": [{"GroupId": group}], "Attachment": {"DeviceIndex": 0}}]})
        })
        .collect();
    vec![
        ("Vpcs.json".into(), json!({"Vpcs": vpcs}).to_string()),
        ("Subnets.json".into(), json!({"Subnets": subnets}).to_string()),
        ("NetworkAcls.json".into(), json!({"NetworkAcls": nacls}).to_string()),
        ("SecurityGroups.json".into(), json!({"SecurityGroups": groups}).to_string()),
        ("Reservations.json".into(), json!({"Reservations": [{"Instances": instances}]}).to_string()),
    ]
}
