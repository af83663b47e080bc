//! Where things are drawn, and the animation frames of a trace. Pure functions of the
//! document and the trace: the UI never evaluates a packet itself.

use std::collections::BTreeMap;
use vpcsim_core::scenario::{LayoutHint, Scenario};
use vpcsim_core::trace::{Check, CheckKind, Direction, Outcome, Trace, Verdict};

/// Width of a resource card.
pub const CARD_W: f64 = 132.0;
/// Height of a resource card.
pub const CARD_H: f64 = 58.0;

/// A point on the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

/// A drawable box (VPC or subnet).
#[derive(Clone, Debug, PartialEq)]
pub struct BoxItem {
    /// Resource id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Subtitle (CIDR).
    pub subtitle: String,
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Badges (route table, NACL).
    pub badges: Vec<String>,
}

/// A drawable resource card.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// Reference (`i-web`, `sagemaker:endpoint/x`).
    pub id: String,
    /// Kind shown above the name.
    pub kind: &'static str,
    /// Name.
    pub name: String,
    /// Private address, if known.
    pub address: String,
    /// Centre.
    pub at: Point,
    /// Security group badges.
    pub sgs: Vec<String>,
}

/// Everything the canvas draws.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scene {
    /// VPC boxes.
    pub vpcs: Vec<BoxItem>,
    /// Subnet boxes.
    pub subnets: Vec<BoxItem>,
    /// Resource cards.
    pub cards: Vec<Card>,
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
}

impl Scene {
    /// Centre of a drawable by id: a card, else the centre of a box.
    pub fn position(&self, id: &str) -> Option<Point> {
        if let Some(c) = self.cards.iter().find(|c| c.id == id) {
            return Some(c.at);
        }
        self.subnets.iter().chain(self.vpcs.iter()).find(|b| b.id == id).map(|b| Point { x: b.x + b.w / 2.0, y: b.y + b.h / 2.0 })
    }
}

fn hint(layout: &BTreeMap<String, LayoutHint>, id: &str) -> Option<LayoutHint> {
    layout.get(id).copied()
}

/// Lays the document out: layout hints where given, a grid otherwise.
pub fn scene(doc: &Scenario) -> Scene {
    let net = &doc.network;
    let mut scene = Scene::default();
    let mut auto_y = 20.0;
    for vpc in &net.vpcs {
        let subnets: Vec<_> = net.subnets.iter().filter(|s| s.vpc == vpc.id).collect();
        let h = hint(&doc.layout, &vpc.id).unwrap_or(LayoutHint {
            x: 20.0,
            y: auto_y,
            w: Some(660.0),
            h: Some(60.0 + 250.0 * subnets.len().max(1) as f64),
        });
        let (vw, vh) = (h.w.unwrap_or(660.0), h.h.unwrap_or(320.0));
        auto_y = h.y + vh + 30.0;
        scene.vpcs.push(BoxItem {
            id: vpc.id.clone(),
            title: if vpc.name.is_empty() { vpc.id.clone() } else { format!("{} · {}", vpc.name, vpc.id) },
            subtitle: vpc.cidr_blocks.join(", "),
            x: h.x,
            y: h.y,
            w: vw,
            h: vh,
            badges: vec![],
        });
        for (k, s) in subnets.iter().enumerate() {
            let sh = hint(&doc.layout, &s.id).unwrap_or(LayoutHint {
                x: h.x + 30.0,
                y: h.y + 50.0 + 250.0 * k as f64,
                w: Some(vw - 60.0),
                h: Some(220.0),
            });
            let rtb = net
                .route_tables
                .iter()
                .find(|t| t.subnets.contains(&s.id))
                .or_else(|| net.route_tables.iter().find(|t| t.vpc == vpc.id && t.main));
            let acl = net
                .network_acls
                .iter()
                .find(|a| a.subnets.contains(&s.id))
                .or_else(|| net.network_acls.iter().find(|a| a.vpc == vpc.id && a.default));
            let mut badges = Vec::new();
            badges.push(format!("RT {}", rtb.map(|t| t.id.as_str()).unwrap_or("main")));
            badges.push(format!("NACL {}", acl.map(|a| a.id.as_str()).unwrap_or("default")));
            scene.subnets.push(BoxItem {
                id: s.id.clone(),
                title: if s.name.is_empty() { s.id.clone() } else { format!("{} · {}", s.name, s.id) },
                subtitle: s.cidr.clone(),
                x: sh.x,
                y: sh.y,
                w: sh.w.unwrap_or(vw - 60.0),
                h: sh.h.unwrap_or(220.0),
                badges,
            });
        }
    }
    // Resource cards.
    let place = |id: &str, subnet: Option<&str>, index: &mut BTreeMap<String, usize>| -> Point {
        if let Some(h) = hint(&doc.layout, id) {
            return Point { x: h.x, y: h.y };
        }
        let sub = subnet.and_then(|s| scene.subnets.iter().find(|b| b.id == s));
        let n = index.entry(subnet.unwrap_or("").to_owned()).or_insert(0);
        *n += 1;
        match sub {
            Some(b) => Point { x: b.x + 90.0 + 170.0 * ((*n - 1) % 4) as f64, y: b.y + 110.0 },
            None => Point { x: 760.0, y: 60.0 + 90.0 * *n as f64 },
        }
    };
    let mut counts = BTreeMap::new();
    let mut cards = Vec::new();
    for i in &net.instances {
        let at = place(&i.id, Some(&i.subnet), &mut counts);
        cards.push(Card {
            id: i.id.clone(),
            kind: "EC2 instance",
            name: if i.name.is_empty() { i.id.clone() } else { i.name.clone() },
            address: i.private_ip.clone().unwrap_or_default(),
            at,
            sgs: i.security_groups.clone(),
        });
    }
    for e in &net.sagemaker.endpoints {
        let id = format!("sagemaker:endpoint/{}", e.name);
        let subnet = e.vpc_config.as_ref().and_then(|c| c.subnets.first()).map(String::as_str);
        let at = place(&id, subnet, &mut counts);
        let sgs = e.vpc_config.as_ref().map(|c| c.security_groups.clone()).unwrap_or_default();
        cards.push(Card {
            id,
            kind: "SageMaker endpoint",
            name: e.name.clone(),
            address: e.private_ip.clone().unwrap_or_default(),
            at,
            sgs,
        });
    }
    for n in &net.sagemaker.notebook_instances {
        let id = format!("sagemaker:notebook/{}", n.name);
        let at = place(&id, n.subnet.as_deref(), &mut counts);
        cards.push(Card {
            id,
            kind: "SageMaker notebook",
            name: n.name.clone(),
            address: n.private_ip.clone().unwrap_or_default(),
            at,
            sgs: n.security_groups.clone(),
        });
    }
    for j in &net.sagemaker.training_jobs {
        let id = format!("sagemaker:{}/{}", if j.kind == "processing" { "processing-job" } else { "training-job" }, j.name);
        let subnet = j.vpc_config.as_ref().and_then(|c| c.subnets.first()).map(String::as_str);
        let at = place(&id, subnet, &mut counts);
        let sgs = j.vpc_config.as_ref().map(|c| c.security_groups.clone()).unwrap_or_default();
        cards.push(Card {
            id,
            kind: "SageMaker training job",
            name: j.name.clone(),
            address: j.private_ip.clone().unwrap_or_default(),
            at,
            sgs,
        });
    }
    scene.cards = cards;
    let right = scene.vpcs.iter().map(|b| b.x + b.w).chain(scene.cards.iter().map(|c| c.at.x + CARD_W / 2.0)).fold(700.0_f64, f64::max);
    let bottom = scene.vpcs.iter().map(|b| b.y + b.h).chain(scene.cards.iter().map(|c| c.at.y + CARD_H)).fold(380.0_f64, f64::max);
    scene.width = right + 20.0;
    scene.height = bottom + 20.0;
    scene
}

/// One pause of the packet animation: a check at a place.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Where the packet is.
    pub at: Point,
    /// `request` or `response`.
    pub leg: &'static str,
    /// The check shown (None for the start and end frames).
    pub check: Option<Check>,
    /// Caption.
    pub caption: String,
    /// A few words drawn next to the packet.
    pub short: String,
    /// Final verdict marker: Some(true) delivered/passed, Some(false) dropped.
    pub passed: Option<bool>,
}

fn offset(from: Point, towards: Point, by: f64) -> Point {
    let (dx, dy) = (towards.x - from.x, towards.y - from.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 1.0 {
        return from;
    }
    let k = by.min(len / 2.0) / len;
    Point { x: from.x + dx * k, y: from.y + dy * k }
}

/// The frames of a trace: the packet starts at the source, pauses at every check
/// (security groups at the edge of their resource, the rest between), and ends at the
/// destination or where it was dropped; then the response comes back.
pub fn frames(scene: &Scene, trace: &Trace) -> Vec<Frame> {
    let mut out = Vec::new();
    let legs = std::iter::once(("request", &trace.request)).chain(trace.response.iter().map(|r| ("response", r)));
    for (leg_name, leg) in legs {
        // Drawable positions of the hops, interpolating hops that have no drawing.
        let raw: Vec<Option<Point>> = leg.hops.iter().map(|h| scene.position(&h.resource)).collect();
        let known: Vec<(usize, Point)> = raw.iter().enumerate().filter_map(|(i, p)| p.map(|p| (i, p))).collect();
        let pos = |i: usize| -> Point {
            if let Some(Some(p)) = raw.get(i) {
                // Subnets are boxes: use the midpoint of the neighbouring drawables instead of the box centre.
                let is_box = leg.hops.get(i).is_some_and(|h| scene.cards.iter().all(|c| c.id != h.resource));
                if !is_box {
                    return *p;
                }
            }
            let before = known
                .iter()
                .rev()
                .find(|(k, _)| *k < i && leg.hops.get(*k).is_some_and(|h| scene.cards.iter().any(|c| c.id == h.resource)));
            let after =
                known.iter().find(|(k, _)| *k > i && leg.hops.get(*k).is_some_and(|h| scene.cards.iter().any(|c| c.id == h.resource)));
            match (before, after) {
                (Some((_, a)), Some((_, b))) => Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 },
                (Some((_, a)), None) => Point { x: a.x + 160.0, y: a.y },
                (None, Some((_, b))) => Point { x: b.x - 160.0, y: b.y },
                (None, None) => raw.get(i).copied().flatten().unwrap_or(Point { x: 40.0, y: 40.0 }),
            }
        };
        let n = leg.hops.len();
        if n == 0 {
            continue;
        }
        let start = pos(0);
        out.push(Frame {
            at: start,
            leg: leg_name,
            check: None,
            caption: format!("{leg_name}: {}", leg.hops.first().map(|h| h.label.as_str()).unwrap_or("")),
            short: leg_name.to_owned(),
            passed: None,
        });
        for (i, hop) in leg.hops.iter().enumerate() {
            let here = pos(i);
            for c in &hop.checks {
                let at = match (c.kind, c.direction) {
                    (CheckKind::SecurityGroup, Some(Direction::Outbound)) if i + 1 < n => offset(here, pos(i + 1), CARD_W / 2.0 + 14.0),
                    (CheckKind::SecurityGroup, Some(Direction::Inbound)) if i > 0 => offset(here, pos(i - 1), CARD_W / 2.0 + 14.0),
                    _ => here,
                };
                let mark = if c.verdict == Verdict::Allow { "✓" } else { "✗" };
                out.push(Frame {
                    at,
                    leg: leg_name,
                    check: Some(c.clone()),
                    caption: format!("{mark} {} {}: {}", c.kind.as_str(), c.component, c.rule.as_deref().unwrap_or("no rule matched")),
                    short: format!("{mark} {}{}", c.component, c.direction.map(|d| format!(" {d}")).unwrap_or_default()),
                    passed: None,
                });
            }
        }
        let end_at = match leg.outcome {
            Outcome::Dropped => out.last().map(|f| f.at).unwrap_or(start),
            _ => pos(n - 1),
        };
        let caption = match (&leg.outcome, &leg.dropped_at) {
            (Outcome::Dropped, Some(d)) => format!("✗ {leg_name} dropped at {} {}: {}", d.kind.as_str(), d.component, d.explanation),
            (o, _) => format!("✓ {leg_name} {}", o.as_str()),
        };
        let short = match (&leg.outcome, &leg.dropped_at) {
            (Outcome::Dropped, Some(d)) => format!("✗ dropped: {}", d.rule.as_deref().unwrap_or("no rule matched")),
            (o, _) => format!("✓ {leg_name} {}", o.as_str()),
        };
        out.push(Frame { at: end_at, leg: leg_name, check: None, caption, short, passed: Some(leg.outcome.passed()) });
    }
    out
}
