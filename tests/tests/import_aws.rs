//! The AWS CLI importer against real `describe-*` outputs (`../shared/aws-samples`, read in
//! place: batfish test snapshots and the CloudMapper demo account), plus bad inputs.
//! Snapshots: `INSTA_UPDATE=always cargo test -q -p vpcsim-tests --test import_aws`.

use std::path::{Path, PathBuf};
use vpcsim_core::diag::Severity;
use vpcsim_core::import::aws::import;
use vpcsim_core::import::{Imported, InputFile, MAX_FILE_BYTES};
use vpcsim_core::{Network, ProbeDoc};

fn samples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

/// Every `*.json` under `dir`, sorted, with paths relative to `dir`'s parent.
fn read_folder(dir: &Path) -> Vec<InputFile> {
    vpcsim_tests::read_json_folder_from(dir, dir.parent().unwrap_or(dir))
}

/// Every import set of the samples: batfish snapshot folders, CloudMapper, single files.
fn sample_sets(root: &Path) -> Vec<(String, Vec<InputFile>)> {
    let mut sets = Vec::new();
    let batfish = root.join("batfish");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&batfish).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let configs = p.join("aws_configs");
        if configs.is_dir() {
            sets.push((p.file_name().unwrap().to_string_lossy().into_owned(), read_folder(&configs)));
        } else if p.extension().is_some_and(|x| x == "json") {
            sets.push((p.file_name().unwrap().to_string_lossy().into_owned(), vec![vpcsim_tests::read_json_file(&p, &batfish)]));
        }
    }
    sets.push(("cloudmapper-demo".to_owned(), read_folder(&root.join("cloudmapper-demo"))));
    sets
}

fn errors(imported: &Imported) -> Vec<String> {
    let (_, build) = Network::build(&imported.scenario);
    imported.diagnostics.iter().chain(build.iter()).filter(|d| d.severity == Severity::Error).map(|d| d.to_string()).collect()
}

#[test]
fn every_sample_imports_and_builds_without_errors() {
    let Some(root) = samples() else { return };
    let sets = sample_sets(&root);
    assert!(sets.len() > 40, "expected the batfish and CloudMapper samples, found {}", sets.len());
    let mut failures = Vec::new();
    for (name, files) in &sets {
        let imported = import(files);
        for e in errors(&imported) {
            failures.push(format!("{name}: {e}"));
        }
        // Deterministic: the same input gives the same document.
        assert_eq!(import(files), imported, "{name}: import is not deterministic");
    }
    assert!(failures.is_empty(), "{} errors:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn snapshots_have_their_resources() {
    let Some(root) = samples() else { return };
    let imported = import(&read_folder(&root.join("cloudmapper-demo")));
    let n = &imported.scenario.network;
    assert!(!n.vpcs.is_empty() && !n.subnets.is_empty() && !n.security_groups.is_empty() && !n.instances.is_empty());
    // Unmodelled types (load balancers, snapshots...) are reported once per type, as info.
    let unmodelled: Vec<_> = imported.diagnostics.iter().filter(|d| d.code == "aws-unmodelled").collect();
    assert!(!unmodelled.is_empty());
    assert!(unmodelled.iter().all(|d| d.severity == Severity::Info));
    let mut whats: Vec<&str> = unmodelled.iter().map(|d| d.message.as_str()).collect();
    let before = whats.len();
    whats.dedup();
    assert_eq!(before, whats.len());
}

fn trace_in(root: &Path, folder: &str, probes: &[(&str, &str, &str, Option<u16>)]) -> String {
    let imported = import(&read_folder(&root.join("batfish").join(folder).join("aws_configs")));
    let (net, _) = Network::build(&imported.scenario);
    let mut out = String::new();
    for (from, to, protocol, port) in probes {
        let probe = ProbeDoc {
            from: (*from).to_owned(),
            to: (*to).to_owned(),
            protocol: (*protocol).to_owned(),
            port: *port,
            ..ProbeDoc::default()
        };
        out.push_str(&format!("\n### {folder}: {from} -> {to} {protocol} {port:?}\n"));
        match vpcsim_core::eval::trace(&net, &probe) {
            Ok(t) => out.push_str(&t.to_string()),
            Err(e) => out.push_str(&format!("error: {e}\n")),
        }
    }
    out
}

#[test]
fn obvious_flows_trace_through_imported_snapshots() {
    let Some(root) = samples() else { return };
    let mut out = String::new();
    out.push_str(&trace_in(&root, "test-public-subnet", &[("internet", "i-06669a407b2ef3ae5", "tcp", Some(22))]));
    out.push_str(&trace_in(&root, "test-nat-gateway", &[("i-0a128d26e59be60f3", "internet", "tcp", Some(443))]));
    out.push_str(&trace_in(&root, "test-vpc-endpoint-gateway", &[("i-01c6c0647fdccc89e", "service:s3", "tcp", Some(443))]));
    out.push_str(&trace_in(&root, "test-vpc-peering", &[("i-06ba034d88c84ef07", "i-04a292ff83b3aa833", "tcp", Some(22))]));
    insta::assert_snapshot!(out);
}

fn file(path: &str, text: &str) -> InputFile {
    InputFile { path: path.to_owned(), text: text.to_owned() }
}

const VPC: &str = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}"#;
const SUBNET: &str = r#"{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"}]}"#;

/// Imports `files` (after a VPC and a subnet) and asserts a diagnostic `code` located at `at`.
fn expect(name: &str, files: &[InputFile], code: &str, at: &str) {
    let mut all = vec![file("vpcs.json", VPC), file("subnets.json", SUBNET)];
    all.extend(files.iter().cloned());
    let imported = import(&all);
    assert!(
        imported.diagnostics.iter().any(|d| d.code == code && d.at == at),
        "{name}: expected `{code}` at `{at}`, got:\n{}",
        imported.diagnostics.iter().map(|d| format!("  {d}")).collect::<Vec<_>>().join("\n")
    );
    // Whatever was imported still builds.
    let (_, build) = Network::build(&imported.scenario);
    assert!(build.iter().all(|d| d.severity != Severity::Error), "{name}: build errors {build:?}");
}

#[test]
fn bad_inputs_are_located_diagnostics() {
    let cases: Vec<(&str, Vec<InputFile>, &str, &str)> = vec![
        ("truncated JSON", vec![file("bad.json", r#"{"Vpcs": [{"VpcId": "vpc-2""#)], "aws-json-invalid", "bad.json#"),
        ("list of the wrong type", vec![file("s.json", r#"{"Subnets": {"SubnetId": "subnet-2"}}"#)], "aws-wrong-type", "s.json#/Subnets"),
        (
            "field of the wrong type",
            vec![file("v.json", r#"{"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": 5}]}"#)],
            "aws-wrong-type",
            "v.json#/Vpcs/0/CidrBlock",
        ),
        ("missing id", vec![file("v.json", r#"{"Vpcs": [{"CidrBlock": "10.9.0.0/16"}]}"#)], "aws-field-missing", "v.json#/Vpcs/0"),
        (
            "unknown VPC",
            vec![file("s.json", r#"{"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-nope", "CidrBlock": "10.0.2.0/24"}]}"#)],
            "aws-unknown-vpc",
            "s.json#/Subnets/0/VpcId",
        ),
        (
            "CIDR with host bits",
            vec![file("s.json", r#"{"Subnets": [{"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.5/24"}]}"#)],
            "aws-cidr-host-bits",
            "s.json#/Subnets/0/CidrBlock",
        ),
        (
            "NACL rule number 0",
            vec![file(
                "n.json",
                r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Entries": [
                    {"RuleNumber": 0, "Egress": false, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}]}"#,
            )],
            "aws-nacl-rule-number",
            "n.json#/NetworkAcls/0/Entries/0/RuleNumber",
        ),
        (
            "SG rule with FromPort above ToPort",
            vec![file(
                "g.json",
                r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "IpPermissions": [
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#,
            )],
            "aws-port-range-reversed",
            "g.json#/SecurityGroups/0/IpPermissions/0/FromPort",
        ),
        (
            "SG rule with an invalid protocol",
            vec![file(
                "g.json",
                r#"{"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
                    {"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#,
            )],
            "aws-protocol-invalid",
            "g.json#/SecurityGroups/0/IpPermissions/0/IpProtocol",
        ),
        (
            "oversized file",
            vec![InputFile { path: "big.json".to_owned(), text: " ".repeat(MAX_FILE_BYTES + 1) }],
            "aws-file-too-large",
            "big.json",
        ),
        (
            "non-AWS array of probes",
            vec![file("probes.json", r#"[{"from": "internet", "to": "i-1", "port": 22}]"#)],
            "aws-not-recognized",
            "probes.json#",
        ),
        ("unrecognised object", vec![file("x.json", r#"{"Foo": []}"#)], "aws-not-recognized", "x.json#"),
        (
            "unknown route target",
            vec![file(
                "r.json",
                r#"{"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true}],
                    "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-missing", "Origin": "CreateRoute"}]}]}"#,
            )],
            "aws-unknown-route-target",
            "r.json#/RouteTables/0/Routes/0/NatGatewayId",
        ),
        (
            "instance with an unknown security group",
            vec![file(
                "i.json",
                r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.10",
                    "SecurityGroups": [{"GroupId": "sg-nope"}]}]}]}"#,
            )],
            "aws-unknown-security-group",
            "i.json#/Reservations/0/Instances/0/SecurityGroups/0",
        ),
        (
            "unknown subnet",
            vec![file("i.json", r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "SubnetId": "subnet-nope"}]}]}"#)],
            "aws-unknown-subnet",
            "i.json#/Reservations/0/Instances/0/SubnetId",
        ),
        ("unmodelled resource type", vec![file("lb.json", r#"{"LoadBalancers": []}"#)], "aws-unmodelled", "lb.json#/LoadBalancers"),
    ];
    assert!(cases.len() >= 10);
    for (name, files, code, at) in &cases {
        expect(name, files, code, at);
    }
}

#[test]
fn a_small_import_maps_fields() {
    let sg = r#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1",
        "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]},
                          {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "192.168.0.0/16"}]}],
        "IpPermissionsEgress": [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}"#;
    let nacl = r#"{"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Associations": [{"SubnetId": "subnet-1"}],
        "Entries": [{"RuleNumber": 100, "Egress": false, "RuleAction": "allow", "Protocol": "6", "PortRange": {"From": 22, "To": 22}, "CidrBlock": "0.0.0.0/0"},
                    {"RuleNumber": 32767, "Egress": false, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}]}"#;
    let imported = import(&[file("vpcs.json", VPC), file("subnets.json", SUBNET), file("sg.json", sg), file("nacl.json", nacl)]);
    let n = &imported.scenario.network;
    let g = &n.security_groups[0];
    assert_eq!(g.inbound.len(), 3, "one rule per peer");
    assert_eq!(g.inbound[0].protocol, "all");
    assert_eq!(g.inbound[0].sg.as_deref(), Some("sg-1"));
    assert_eq!((g.inbound[1].icmp_type, g.inbound[1].icmp_code), (Some(8), Some(-1)));
    assert_eq!(g.outbound[0].ports, None, "0-65535 is all ports");
    let a = &n.network_acls[0];
    assert!(a.default);
    assert_eq!(a.subnets, vec!["subnet-1".to_owned()]);
    assert_eq!(a.inbound.len(), 1, "the 32767 default entry is implicit");
    assert_eq!((a.inbound[0].protocol.as_str(), a.inbound[0].ports.as_deref()), ("tcp", Some("22")));
    assert!(imported.diagnostics.iter().all(|d| d.severity != Severity::Error), "{:?}", imported.diagnostics);
}

/// `aws sagemaker describe-*` outputs, one object per file, next to the EC2 outputs of the
/// same account (`tests/fixtures/aws-sagemaker`, written by the team in the CLI's shapes).
#[test]
fn sagemaker_describe_outputs_import_with_their_network_settings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws-sagemaker");
    let imported = import(&read_folder(&dir));
    assert_eq!(errors(&imported), Vec::<String>::new());
    let sm = &imported.scenario.network.sagemaker;
    // SM-3, SM-4: a notebook in a subnet with direct internet access and root access disabled.
    let nb = &sm.notebook_instances[0];
    assert_eq!((nb.name.as_str(), nb.subnet.as_deref()), ("research", Some("subnet-0a")));
    assert_eq!(nb.security_groups, vec!["sg-0ml".to_owned()]);
    assert!(!nb.direct_internet_access && !nb.root_access);
    // SM-6, SM-8, SM-9: a training job's VpcConfig, network isolation and encryption.
    let train = sm.training_jobs.iter().find(|j| j.kind == "training").unwrap();
    assert_eq!(train.vpc_config.as_ref().unwrap().subnets, vec!["subnet-0a".to_owned(), "subnet-0b".to_owned()]);
    assert!(train.network_isolation && train.inter_container_encryption);
    // SM-7: a processing job's NetworkConfig.
    let proc = sm.training_jobs.iter().find(|j| j.kind == "processing").unwrap();
    assert_eq!(proc.name, "churn-features");
    assert_eq!(proc.vpc_config.as_ref().unwrap().subnets, vec!["subnet-0b".to_owned()]);
    assert!(!proc.network_isolation);
    // SM-10: the endpoint takes its VpcConfig and isolation from its model, through its configuration.
    let ep = &sm.endpoints[0];
    assert_eq!((ep.name.as_str(), ep.model.as_str()), ("churn-model", "churn-xgboost"));
    assert_eq!(ep.vpc_config.as_ref().unwrap().security_groups, vec!["sg-0endpoint".to_owned()]);
    assert!(!ep.network_isolation, "the endpoint's model, not the unused one");
    // SM-13: a VpcOnly Studio domain with the default user settings' groups.
    let d = &sm.domains[0];
    assert_eq!((d.name.as_str(), d.network_access.as_str(), d.vpc.as_str()), ("ml-studio", "VpcOnly", "vpc-0ml"));
    assert_eq!(d.security_groups, vec!["sg-0ml".to_owned()]);
    // A model no endpoint uses is reported, once, as skipped.
    let unused: Vec<_> = imported.diagnostics.iter().filter(|x| x.code == "aws-sagemaker-unused").collect();
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert!(unused[0].at.contains("describe-model-old.json"), "{}", unused[0].at);
    // And the imported account traces like a drawn one.
    let (net, _) = Network::build(&imported.scenario);
    let probe = |from: &str, to: &str, port| ProbeDoc {
        from: from.into(),
        to: to.into(),
        protocol: "tcp".into(),
        port: Some(port),
        ..Default::default()
    };
    let https = vpcsim_core::eval::trace(&net, &probe("i-0web", "sagemaker:endpoint/churn-model", 443)).unwrap();
    assert!(https.reachable, "{https}");
    let ssh = vpcsim_core::eval::trace(&net, &probe("i-0web", "sagemaker:endpoint/churn-model", 22)).unwrap();
    assert_eq!(ssh.request.dropped_at.as_ref().map(|d| d.component.as_str()), Some("sg-0endpoint"));
    let out = vpcsim_core::eval::trace(&net, &probe("sagemaker:notebook/research", "internet", 443)).unwrap();
    assert!(!out.reachable, "direct internet access is disabled and the VPC has no way out: {out}");
}
