//! The scene (automatic layout, layout hints, public/private subnets) and the animation
//! frames, natively.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use vpcsim_core::scenario::{parse, LayoutHint, RouteDoc, Scenario};
use vpcsim_core::{eval, Network};
use vpcsim_web::layout::{auto_layout_all, frames, scene, subnet_is_public, Placement, Point, Rect, Scene, CARD_H};

fn load(path: &str) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    parse(&text).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

fn repo(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn from_json(v: Value) -> Scenario {
    parse(&v.to_string()).unwrap()
}

/// Every geometric promise of the scene; `hinted` says which references have layout hints.
fn check_scene(name: &str, doc: &Scenario, sc: &Scene) {
    let hinted = |id: &str| doc.layout.contains_key(id);
    // Cards inside their subnet; gateways on their VPC's top edge; the rest outside the VPCs.
    for c in &sc.cards {
        match c.placement {
            Placement::Subnet => {
                let parent = c.parent.as_deref().unwrap();
                let b = sc.subnets.iter().find(|b| b.id == parent).unwrap_or_else(|| panic!("{name}: no subnet {parent} for {}", c.id));
                assert!(
                    b.rect().contains_rect(&c.footprint()),
                    "{name}: card {} {:?} outside its subnet {} {:?}",
                    c.id,
                    c.footprint(),
                    b.id,
                    b.rect()
                );
            }
            Placement::VpcEdge => {
                let parent = c.parent.as_deref().unwrap();
                let v = sc.vpcs.iter().find(|b| b.id == parent).unwrap();
                if !hinted(&c.id) {
                    let r = c.rect();
                    assert!(r.y < v.y && r.bottom() > v.y, "{name}: gateway {} not on the top edge of {}", c.id, v.id);
                    assert!(r.x >= v.x && r.right() <= v.x + v.w, "{name}: gateway {} beyond the ends of {}", c.id, v.id);
                }
            }
            Placement::Connector | Placement::Outside => {
                if !hinted(&c.id) {
                    for v in &sc.vpcs {
                        assert!(!v.rect().overlaps(&c.footprint()), "{name}: {} drawn over VPC {}", c.id, v.id);
                    }
                }
            }
        }
    }
    // Subnets inside their VPC, and not on top of each other.
    for s in &sc.subnets {
        let vpc = s.parent.as_deref().unwrap();
        let v = sc.vpcs.iter().find(|b| b.id == vpc).unwrap();
        assert!(v.rect().contains_rect(&s.rect()), "{name}: subnet {} {:?} outside VPC {} {:?}", s.id, s.rect(), v.id, v.rect());
        for t in &sc.subnets {
            if s.id < t.id && !(hinted(&s.id) && hinted(&t.id)) {
                assert!(!s.rect().overlaps(&t.rect()), "{name}: subnets {} and {} overlap", s.id, t.id);
            }
        }
    }
    for a in &sc.vpcs {
        for b in &sc.vpcs {
            if a.id < b.id && !(hinted(&a.id) && hinted(&b.id)) {
                assert!(!a.rect().overlaps(&b.rect()), "{name}: VPCs {} and {} overlap", a.id, b.id);
            }
        }
    }
    // No two cards on top of each other, unless both were put there by hints.
    for (i, a) in sc.cards.iter().enumerate() {
        for b in sc.cards.iter().skip(i + 1) {
            if hinted(&a.id) && hinted(&b.id) {
                continue;
            }
            assert!(!a.footprint().overlaps(&b.footprint()), "{name}: cards {} {:?} and {} {:?} overlap", a.id, a.at, b.id, b.at);
        }
    }
    // A card never sits in a subnet it does not belong to (unless hinted there).
    for c in sc.cards.iter().filter(|c| !hinted(&c.id)) {
        for s in &sc.subnets {
            if c.parent.as_deref() != Some(s.id.as_str()) && c.placement == Placement::Subnet {
                assert!(!s.rect().overlaps(&c.rect()), "{name}: card {} drawn over foreign subnet {}", c.id, s.id);
            }
        }
    }
    // Everything is drawn, and findable by the reference probes use.
    let net = &doc.network;
    let mut refs: Vec<String> = net.instances.iter().map(|x| x.id.clone()).collect();
    refs.extend(net.nat_gateways.iter().map(|x| x.id.clone()));
    refs.extend(net.vpc_endpoints.iter().map(|x| x.id.clone()));
    refs.extend(net.internet_gateways.iter().map(|x| x.id.clone()));
    refs.extend(net.egress_only_internet_gateways.iter().map(|x| x.id.clone()));
    refs.extend(net.peering_connections.iter().map(|x| x.id.clone()));
    refs.extend(net.transit_gateways.iter().map(|x| x.id.clone()));
    refs.extend(net.external.iter().map(|x| x.id.clone()));
    refs.extend(net.sagemaker.notebook_instances.iter().map(|x| format!("sagemaker:notebook/{}", x.name)));
    refs.extend(net.sagemaker.endpoints.iter().map(|x| format!("sagemaker:endpoint/{}", x.name)));
    refs.extend(net.sagemaker.domains.iter().map(|x| format!("sagemaker:domain/{}", x.name)));
    refs.extend(
        net.sagemaker
            .training_jobs
            .iter()
            .map(|j| format!("sagemaker:{}/{}", if j.kind == "processing" { "processing-job" } else { "training-job" }, j.name)),
    );
    refs.extend(net.vpcs.iter().map(|x| x.id.clone()));
    refs.extend(net.subnets.iter().map(|x| x.id.clone()));
    for r in refs {
        assert!(sc.position(&r).is_some(), "{name}: {r} is not drawn");
    }
    assert_eq!(sc.cards.len(), sc.cards.iter().map(|c| &c.id).collect::<std::collections::BTreeSet<_>>().len(), "{name}: duplicate cards");
}

#[test]
fn every_gallery_scenario_lays_out_cleanly() {
    let paths: Vec<_> = glob::glob(&repo("tests/scenarios/gallery/*.json")).unwrap().map(Result::unwrap).collect();
    assert!(paths.len() >= 5, "the gallery was not found: {paths:?}");
    for p in paths {
        let name = p.display().to_string();
        let doc = load(&name);
        let sc = scene(&doc);
        check_scene(&name, &doc, &sc);
        // Hinted cards are exactly where their hints say.
        for c in &sc.cards {
            if let Some(h) = doc.layout.get(&c.id) {
                assert_eq!(c.at, Point { x: h.x, y: h.y }, "{name}: {} ignores its hint", c.id);
            }
        }
    }
}

#[test]
fn every_corpus_scenario_lays_out_without_hints() {
    // The corpus (no layout hints) exercises every resource kind through the automatic layout.
    let paths: Vec<_> = glob::glob(&repo("tests/scenarios/*/*.json")).unwrap().map(Result::unwrap).collect();
    assert!(paths.len() > 50);
    for p in paths {
        let name = p.display().to_string();
        let mut doc = load(&name);
        doc.layout.retain(|k, _| k == "internet" || k.starts_with("service:"));
        for v in doc.layout.values_mut() {
            // Actors keep a hint; put them out of the way so that they test nothing here.
            *v = LayoutHint { x: 9000.0, y: v.y, w: None, h: None };
        }
        let sc = scene(&doc);
        check_scene(&name, &doc, &sc);
    }
}

/// A network with `n` subnets over two VPCs and three AZs, with cards of every kind.
fn big_network(n: usize) -> Scenario {
    let azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let mut subnets = vec![];
    let mut instances = vec![];
    let mut nats = vec![];
    let mut tables = vec![];
    for k in 0..n {
        let vpc = if k % 2 == 0 { "vpc-a" } else { "vpc-b" };
        let second = if k % 2 == 0 { 0 } else { 1 };
        let id = format!("subnet-{k}");
        subnets.push(json!({"id": id, "name": format!("tier {k}"), "vpc": vpc, "cidr": format!("10.{second}.{k}.0/24"), "az": azs[k % 3]}));
        for j in 0..(k % 5) {
            instances.push(json!({"id": format!("i-{k}-{j}"), "subnet": id, "security_groups": if j % 2 == 0 { json!(["sg-a"]) } else { json!(["sg-a", "sg-b", "sg-c"]) }}));
        }
        if k < 6 {
            nats.push(json!({"id": format!("nat-{k}"), "subnet": id}));
            tables.push(json!({"id": format!("rtb-{k}"), "vpc": vpc, "subnets": [id], "routes": [{"destination": "0.0.0.0/0", "target": if k < 2 { "igw-a".to_owned() } else { format!("nat-{}", k % 2) }}]}));
        }
    }
    from_json(json!({
        "vpcsim": 1,
        "network": {
            "vpcs": [{"id": "vpc-a", "name": "alpha", "cidr_blocks": ["10.0.0.0/16"]}, {"id": "vpc-b", "name": "beta", "cidr_blocks": ["10.1.0.0/16"]}],
            "subnets": subnets,
            "route_tables": tables,
            "instances": instances,
            "nat_gateways": nats,
            "internet_gateways": [{"id": "igw-a", "vpc": "vpc-a"}, {"id": "igw-b", "vpc": "vpc-b"}],
            "egress_only_internet_gateways": [{"id": "eigw-a", "vpc": "vpc-a"}],
            "vpc_endpoints": [
                {"id": "vpce-s3", "vpc": "vpc-a", "service": "s3", "type": "gateway"},
                {"id": "vpce-rt", "vpc": "vpc-b", "service": "sagemaker.runtime", "type": "interface", "subnets": ["subnet-3"]}
            ],
            "peering_connections": [{"id": "pcx-ab", "requester_vpc": "vpc-a", "accepter_vpc": "vpc-b"}],
            "transit_gateways": [{"id": "tgw-core", "attachments": [{"id": "tgw-att-a", "vpc": "vpc-a", "subnets": ["subnet-0"]}, {"id": "tgw-att-b", "vpc": "vpc-b", "subnets": ["subnet-1"]}]}],
            "external": [{"id": "corp", "kind": "corporate", "cidr": "172.16.0.0/12"}, {"id": "host", "kind": "internet", "cidr": "203.0.113.0/24"}],
            "sagemaker": {
                "notebook_instances": [{"name": "managed"}, {"name": "inside", "subnet": "subnet-5", "security_groups": ["sg-a"]}],
                "training_jobs": [{"name": "prep", "kind": "processing", "vpc_config": {"subnets": ["subnet-7"], "security_groups": ["sg-a"]}}],
                "endpoints": [{"name": "model", "vpc_config": {"subnets": ["subnet-9", "subnet-11"], "security_groups": ["sg-a"]}}],
                "domains": [{"name": "studio", "vpc": "vpc-a", "subnets": ["subnet-2"], "security_groups": ["sg-a"]}]
            }
        },
        "layout": {"service:s3": {"x": 9000, "y": 100}}
    }))
}

#[test]
fn fifty_subnets_over_two_vpcs_and_three_azs_stay_readable() {
    let doc = big_network(50);
    let sc = scene(&doc);
    check_scene("50 subnets", &doc, &sc);
    assert_eq!(sc.subnets.len(), 50);
    assert_eq!(sc.vpcs.len(), 2);
    // Readable: subnets wide enough for their header, and the whole picture not absurd.
    for s in &sc.subnets {
        assert!(s.w >= 300.0 && s.h >= 80.0, "{} is {}x{}", s.id, s.w, s.h);
    }
    let mut without_actor = doc.clone();
    without_actor.layout.clear();
    let whole = scene(&without_actor);
    assert!(whole.width < 3600.0 && whole.height < 4000.0, "the scene is {}x{}", whole.width, whole.height);
    // Grouped by AZ: within a VPC, subnets of one AZ share columns no other AZ uses.
    for v in &sc.vpcs {
        let mut by_x: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for s in sc.subnets.iter().filter(|s| s.parent.as_deref() == Some(v.id.as_str())) {
            let az = doc.network.subnets.iter().find(|d| d.id == s.id).unwrap().az.clone();
            by_x.entry(s.x as i64).or_default().push(az);
        }
        assert!(by_x.len() >= 3, "{}: one column per AZ at least", v.id);
        for (x, azs) in by_x {
            assert!(azs.windows(2).all(|w| w[0] == w[1]), "{}: column at {x} mixes AZs {azs:?}", v.id);
        }
    }
    // Every subnet's rows go top to bottom in document order within an AZ column.
    let s0 = sc.find_box("subnet-0").unwrap();
    let s6 = sc.find_box("subnet-6").unwrap();
    assert_eq!(s0.x, s6.x, "same VPC, same AZ: same column");
    assert!(s6.y > s0.y);
    // Gateways on the edge; connectors between the VPCs and the outside column.
    let igw = sc.card("igw-a").unwrap();
    let a = sc.find_box("vpc-a").unwrap();
    assert!((igw.at.y - a.y).abs() < 1.0);
    let pcx = sc.card("pcx-ab").unwrap();
    assert!(pcx.at.x > a.x + a.w);
    assert_eq!(sc.links.iter().filter(|l| l.from == "pcx-ab").count(), 2, "a peering connection links its two VPCs");
    let corp = sc.card("corp").unwrap();
    assert!(corp.at.x > pcx.at.x, "external networks right of the connectors");
    let managed = sc.card("sagemaker:notebook/managed").unwrap();
    assert_eq!(managed.placement, Placement::Outside);
    assert_eq!(sc.card("sagemaker:processing-job/prep").unwrap().parent.as_deref(), Some("subnet-7"));
    assert_eq!(sc.card("sagemaker:endpoint/model").unwrap().parent.as_deref(), Some("subnet-9"), "first subnet");
    assert_eq!(sc.card("vpce-rt").unwrap().parent.as_deref(), Some("subnet-3"));
    assert_eq!(sc.card("vpce-s3").unwrap().placement, Placement::VpcEdge);
    assert_eq!(sc.card("service:s3").unwrap().at, Point { x: 9000.0, y: 100.0 });
}

#[test]
fn public_means_a_route_to_an_internet_gateway() {
    let mut doc = load(&repo("tests/scenarios/routing/rt-10-nat-gateway-source-nat.json"));
    assert!(subnet_is_public(&doc, "subnet-public"));
    assert!(!subnet_is_public(&doc, "subnet-train"), "a default route to a NAT gateway does not make a subnet public");
    let sc = scene(&doc);
    assert!(sc.find_box("subnet-public").unwrap().public);
    assert!(!sc.find_box("subnet-train").unwrap().public);
    assert!(!sc.find_box("vpc-ml").unwrap().public);

    // The training table gains a default route to the internet gateway.
    let t = doc.network.route_tables.iter_mut().find(|t| t.id == "rtb-train").unwrap();
    t.routes.push(RouteDoc { destination: Some("0.0.0.0/0".into()), target: "igw-ml".into(), ..RouteDoc::default() });
    assert!(subnet_is_public(&doc, "subnet-train"));
    assert!(scene(&doc).find_box("subnet-train").unwrap().public);

    // A route to a gateway that is not in the document does not count.
    let t = doc.network.route_tables.iter_mut().find(|t| t.id == "rtb-train").unwrap();
    t.routes.retain(|r| r.target != "igw-ml");
    t.routes.push(RouteDoc { destination: Some("0.0.0.0/0".into()), target: "igw-gone".into(), ..RouteDoc::default() });
    assert!(!subnet_is_public(&doc, "subnet-train"));

    // Without an explicit association, the VPC's main table decides.
    doc.network.route_tables.retain(|t| t.id != "rtb-train");
    assert!(!subnet_is_public(&doc, "subnet-train"), "no main table: only local routes");
    let p = doc.network.route_tables.iter_mut().find(|t| t.id == "rtb-public").unwrap();
    p.main = true;
    assert!(subnet_is_public(&doc, "subnet-train"), "the main table routes to the internet gateway");
}

#[test]
fn frames_pass_through_the_nat_gateway_and_the_internet_gateway() {
    let doc = load(&repo("tests/scenarios/routing/rt-10-nat-gateway-source-nat.json"));
    let (net, _) = Network::build(&doc);
    let sc = scene(&doc);
    let trace = eval::trace(&net, &doc.probes[0]).unwrap();
    let f = frames(&sc, &trace);
    let nat = sc.position("nat-a").unwrap();
    let igw = sc.position("igw-ml").unwrap();
    let req: Vec<_> = f.iter().filter(|x| x.leg == "request").collect();
    let at_nat = req.iter().position(|x| x.at == nat).expect("the request stops at the NAT gateway card");
    let at_igw = req.iter().position(|x| x.at == igw).expect("the request stops at the internet gateway card");
    assert!(at_nat < at_igw, "NAT gateway first, then the internet gateway");
    assert!(req[at_nat].check.as_ref().is_some_and(|c| c.component == "nat-a"), "the NAT check is shown on the NAT card");
    assert!(f.iter().any(|x| x.leg == "response" && x.at == nat), "the response comes back through the NAT gateway");
    // The training subnet's NACL is checked where the packet leaves the subnet: on its edge.
    let train = sc.find_box("subnet-train").unwrap().rect();
    let out =
        req.iter().find(|x| x.check.as_ref().is_some_and(|c| c.component.starts_with("acl-") || c.kind.as_str() == "network-acl")).unwrap();
    let on_edge = |r: &Rect, p: Point| {
        (p.x - r.x).abs() < 0.5 || (p.x - r.right()).abs() < 0.5 || (p.y - r.y).abs() < 0.5 || (p.y - r.bottom()).abs() < 0.5
    };
    assert!(on_edge(&train, out.at), "outbound NACL frame at {:?}, subnet {:?}", out.at, train);
    // The internet is not on the canvas: the packet leaves above the internet gateway.
    let end = req.last().unwrap();
    assert_eq!(end.passed, Some(true));
    assert!(end.at.y < igw.y, "exits above the gateway on the VPC's top edge");
}

#[test]
fn frames_end_on_the_external_network_and_on_drawn_actors() {
    let doc = load(&repo("tests/scenarios/routing/rt-04-static-beats-propagated.json"));
    let (net, _) = Network::build(&doc);
    let sc = scene(&doc);
    let probe = doc.probes.iter().find(|p| p.to == "corp-dc").unwrap();
    let f = frames(&sc, &eval::trace(&net, probe).unwrap());
    let corp = sc.position("corp-dc").unwrap();
    let end = f.iter().find(|x| x.leg == "request" && x.passed.is_some()).unwrap();
    assert_eq!(end.at, corp, "the request reaches the corporate network's card");

    // With the internet on the canvas, the NAT trace ends on it.
    let mut doc = load(&repo("tests/scenarios/routing/rt-10-nat-gateway-source-nat.json"));
    doc.layout.insert("internet".into(), LayoutHint { x: 1200.0, y: 80.0, w: None, h: None });
    let (net, _) = Network::build(&doc);
    let sc = scene(&doc);
    assert_eq!(sc.card("internet").unwrap().placement, Placement::Outside);
    let f = frames(&sc, &eval::trace(&net, &doc.probes[0]).unwrap());
    let end = f.iter().find(|x| x.leg == "request" && x.passed.is_some()).unwrap();
    assert_eq!(end.at, Point { x: 1200.0, y: 80.0 });
}

#[test]
fn hints_override_and_moving_one_thing_does_not_move_the_others() {
    let mut doc = big_network(12);
    let before = scene(&doc);
    // A card moved by a hint: its neighbours keep their slots.
    let moved = "i-4-1";
    doc.layout.insert(
        moved.into(),
        LayoutHint { x: before.card(moved).unwrap().at.x, y: before.card(moved).unwrap().at.y + 400.0, w: None, h: None },
    );
    let after = scene(&doc);
    assert_eq!(after.card(moved).unwrap().at.y, before.card(moved).unwrap().at.y + 400.0);
    for id in ["i-4-0", "i-4-2", "i-4-3"] {
        assert_eq!(after.card(id).unwrap().at, before.card(id).unwrap().at, "{id} moved");
    }
    // Its subnet grows to keep it inside.
    assert!(after.find_box("subnet-4").unwrap().h > before.find_box("subnet-4").unwrap().h);
    check_scene("moved card", &doc, &after);

    // A VPC moved by a hint: the other VPC stays.
    let mut doc = big_network(12);
    let before = scene(&doc);
    let a = before.find_box("vpc-a").unwrap();
    doc.layout.insert("vpc-a".into(), LayoutHint { x: a.x + 3000.0, y: a.y, w: None, h: None });
    let after = scene(&doc);
    assert_eq!(after.find_box("vpc-b").unwrap().rect(), before.find_box("vpc-b").unwrap().rect());
    assert_eq!(after.find_box("vpc-a").unwrap().x, a.x + 3000.0);
    let sub = after.find_box("subnet-0").unwrap();
    assert!(sub.x > a.x + 3000.0, "auto subnets follow their VPC");
}

#[test]
fn a_hinted_subnet_in_an_unhinted_vpc_and_new_subnets_in_hinted_vpcs_stay_sane() {
    // A hinted subnet far from where its VPC would be: the VPC grows to hold it, and
    // its other subnets do not land on top of it.
    let mut doc = big_network(12);
    let s = scene(&doc).find_box("subnet-0").unwrap().clone();
    doc.layout.insert("subnet-2".into(), LayoutHint { x: s.x, y: s.y, w: Some(400.0), h: Some(200.0) });
    let sc = scene(&doc);
    let hinted = sc.find_box("subnet-2").unwrap().rect();
    assert_eq!((hinted.x, hinted.y, hinted.w), (s.x, s.y, 400.0));
    assert!(hinted.h >= 200.0, "a hinted box keeps its size unless its cards need more");
    check_scene("hinted subnet", &doc, &sc);

    // A new subnet without a hint in the worked example (every box hinted).
    let mut doc = load(&repo("tests/scenarios/gallery/worked-example.json"));
    let mut v = serde_json::to_value(&doc).unwrap();
    v["network"]["subnets"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "subnet-new", "vpc": "vpc-ml", "cidr": "10.0.9.0/24", "az": "us-east-1a"}));
    v["network"]["instances"].as_array_mut().unwrap().push(json!({"id": "i-new", "subnet": "subnet-new"}));
    v["network"]["instances"].as_array_mut().unwrap().push(json!({"id": "i-new-2", "subnet": "subnet-private"}));
    doc = serde_json::from_value(v).unwrap();
    let sc = scene(&doc);
    check_scene("new subnet", &doc, &sc);
    let new = sc.find_box("subnet-new").unwrap();
    let vpc = sc.find_box("vpc-ml").unwrap();
    assert!(vpc.h > 520.0, "the hinted VPC grew to hold the new subnet");
    assert!(new.y > 516.0, "below the hinted subnets");
}

#[test]
fn tidy_up_hints_reproduce_the_automatic_layout() {
    let doc = big_network(20);
    let auto = scene(&doc);
    let mut tidy = doc.clone();
    tidy.layout = auto_layout_all(&doc);
    assert!(tidy.layout.contains_key("vpc-a") && tidy.layout.contains_key("i-3-2") && tidy.layout.contains_key("service:s3"));
    let again = scene(&tidy);
    for c in auto.cards.iter().filter(|c| !c.id.starts_with("service:")) {
        let d = again.card(&c.id).unwrap();
        assert!((c.at.x - d.at.x).abs() <= 1.0 && (c.at.y - d.at.y).abs() <= 1.0, "{} moved from {:?} to {:?}", c.id, c.at, d.at);
    }
    for b in auto.vpcs.iter().chain(auto.subnets.iter()) {
        let d = again.find_box(&b.id).unwrap();
        assert!(
            (b.x - d.x).abs() <= 1.0 && (b.y - d.y).abs() <= 1.0 && (b.w - d.w).abs() <= 1.0 && (b.h - d.h).abs() <= 1.0,
            "{} changed",
            b.id
        );
    }
    // Tidying the gallery's hand layout moves things (it ignores the hints).
    let doc = load(&repo("tests/scenarios/gallery/worked-example.json"));
    let hints = auto_layout_all(&doc);
    assert_ne!(hints.get("i-web").map(|h| (h.x, h.y)), doc.layout.get("i-web").map(|h| (h.x, h.y)));
    assert!(hints.values().all(|h| h.y + CARD_H >= 0.0));
}
