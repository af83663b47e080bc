//! Where things are drawn, and the animation frames of a trace. Pure functions of the
//! document and the trace: the UI never evaluates a packet itself.
//!
//! # The automatic layout
//!
//! Everything without a layout hint is placed by a grid layout, from the outside in:
//!
//! - VPCs are stacked top to bottom in document order.
//! - Inside a VPC, subnets are grouped by availability zone: one column per AZ (a column
//!   longer than [`MAX_ROWS`] subnets is split), one row per subnet, rows aligned across
//!   columns so that `public-a` and `public-b` sit side by side.
//! - Inside a subnet, its cards (instances, NAT gateways, interface endpoints, SageMaker
//!   resources) form a grid of up to four columns; the subnet is sized to its cards.
//! - Internet gateways, egress-only gateways and gateway VPC endpoints sit on the top
//!   edge of their VPC; peering connections and transit gateways in a column right of
//!   the VPCs, level with the VPCs they connect; external networks, service actors and
//!   SageMaker-managed resources in the right-most column.
//!
//! Layout hints (`doc.layout`) override: boxes by top-left corner and size, cards by
//! centre. Unhinted things keep their grid slot relative to their container (so moving
//! one card does not reflow its neighbours) unless a hinted thing covers that slot, in
//! which case they move to the next free slot. Boxes then grow to hold what they
//! contain, so a card is always drawn inside its subnet and a subnet inside its VPC.

use std::collections::{BTreeMap, BTreeSet};
use vpcsim_core::scenario::{LayoutHint, Scenario};
use vpcsim_core::trace::{Check, CheckKind, Direction, Leg, Outcome, Trace, Verdict};

/// Width of a resource card.
pub const CARD_W: f64 = 144.0;
/// Height of a resource card.
pub const CARD_H: f64 = 58.0;
/// Height of one security-group badge row under a card.
pub const BADGE_ROW: f64 = 22.0;
/// At most this many badge rows are drawn under a card (the last one says `+N` when
/// there are more groups).
pub const MAX_BADGE_ROWS: usize = 2;
/// Height of a subnet's header (title, CIDR, route table and NACL badges).
pub const SUBNET_HEAD: f64 = 70.0;
/// Height of a VPC's header (title).
pub const VPC_HEAD: f64 = 52.0;
/// Subnets per column before an availability zone's column is split.
pub const MAX_ROWS: usize = 8;

/// Padding inside a subnet.
const PAD: f64 = 16.0;
/// Padding inside a VPC.
const VPC_PAD: f64 = 24.0;
/// Horizontal gap between cards.
const GAP_X: f64 = 20.0;
/// Vertical gap between card rows.
const GAP_Y: f64 = 18.0;
/// Gap between subnets.
const SUBNET_GAP: f64 = 24.0;
/// Gap between stacked VPCs (room for the gateways on the next VPC's top edge).
const VPC_GAP: f64 = 72.0;
/// Narrowest automatic subnet.
const MIN_SUBNET_W: f64 = 300.0;
/// Narrowest automatic VPC.
const MIN_VPC_W: f64 = 420.0;
/// Where the automatic layout starts.
const LEFT: f64 = 20.0;
/// Top of the first automatic VPC (its edge gateways stick out above it).
const TOP: f64 = 50.0;
/// Margin a box keeps around what it contains, sideways and below.
const GROW_SIDE: f64 = 8.0;
/// Margin a box keeps above what it contains (its title).
const GROW_TOP: f64 = 40.0;
/// Horizontal gap between the VPCs and the columns right of them.
const COLUMN_GAP: f64 = 60.0;

/// A point on the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

/// An axis-aligned rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// Whether the two rectangles share some area (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() - 0.5 && o.x < self.right() - 0.5 && self.y < o.bottom() - 0.5 && o.y < self.bottom() - 0.5
    }

    /// Whether `o` lies entirely inside this rectangle.
    pub fn contains_rect(&self, o: &Rect) -> bool {
        o.x >= self.x - 0.5 && o.y >= self.y - 0.5 && o.right() <= self.right() + 0.5 && o.bottom() <= self.bottom() + 0.5
    }

    /// Whether the point lies inside (edges included).
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom()
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        let (x, y) = (self.x.min(o.x), self.y.min(o.y));
        Rect { x, y, w: self.right().max(o.right()) - x, h: self.bottom().max(o.bottom()) - y }
    }

    /// Grown by margins.
    fn grow(&self, side: f64, top: f64) -> Rect {
        Rect { x: self.x - side, y: self.y - top, w: self.w + 2.0 * side, h: self.h + top + side }
    }

    /// Centre.
    pub fn centre(&self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y + self.h / 2.0 }
    }

    fn translate(&self, dx: f64, dy: f64) -> Rect {
        Rect { x: self.x + dx, y: self.y + dy, ..*self }
    }
}

/// A drawable box (VPC or subnet).
#[derive(Clone, Debug, PartialEq)]
pub struct BoxItem {
    /// Resource id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Subtitle (CIDR, and the availability zone of subnets).
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
    /// Subnets: whether the subnet is public, derived from its route table (a route to
    /// an internet gateway of the document). Always false for VPCs.
    pub public: bool,
    /// Subnets: the VPC. None for VPCs.
    pub parent: Option<String>,
}

impl BoxItem {
    /// The box as a rectangle.
    pub fn rect(&self) -> Rect {
        Rect { x: self.x, y: self.y, w: self.w, h: self.h }
    }
}

/// Where a card sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Inside a subnet (`Card::parent`).
    Subnet,
    /// On the top edge of a VPC (`Card::parent`): internet gateways, egress-only
    /// gateways, gateway endpoints.
    VpcEdge,
    /// Between VPCs: peering connections and transit gateways.
    Connector,
    /// Outside every VPC: external networks, service actors, SageMaker-managed resources.
    Outside,
}

/// A drawable resource card.
#[derive(Clone, Debug, PartialEq)]
pub struct Card {
    /// Reference (`i-web`, `sagemaker:endpoint/x`, `igw-main`, `service:s3`): the
    /// string probes and hops use.
    pub id: String,
    /// Kind, in words (`EC2 instance`, `NAT gateway`).
    pub kind: &'static str,
    /// Short machine name of the kind, for CSS classes and glyphs (`instance`, `nat`).
    pub class: &'static str,
    /// Name.
    pub name: String,
    /// Private address, CIDR or service, if known.
    pub address: String,
    /// Centre.
    pub at: Point,
    /// Security group badges.
    pub sgs: Vec<String>,
    /// The subnet (in a subnet) or VPC (on a VPC edge).
    pub parent: Option<String>,
    /// Where it sits.
    pub placement: Placement,
}

impl Card {
    /// The card's rectangle.
    pub fn rect(&self) -> Rect {
        card_rect(self.at)
    }

    /// The card with its security group badges.
    pub fn footprint(&self) -> Rect {
        footprint(self.at, self.sgs.len())
    }
}

fn card_rect(at: Point) -> Rect {
    Rect { x: at.x - CARD_W / 2.0, y: at.y - CARD_H / 2.0, w: CARD_W, h: CARD_H }
}

/// Number of badge rows drawn for `n` security groups.
pub fn badge_rows(n: usize) -> usize {
    n.min(MAX_BADGE_ROWS)
}

fn footprint(at: Point, sgs: usize) -> Rect {
    let r = card_rect(at);
    Rect { h: r.h + BADGE_ROW * badge_rows(sgs) as f64, ..r }
}

/// A line from a connector card (peering, transit gateway) to a VPC it connects.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The connector card.
    pub from: String,
    /// The VPC.
    pub to: String,
    /// Start (the card's centre).
    pub a: Point,
    /// End (on the VPC's edge).
    pub b: Point,
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
    /// Connector lines.
    pub links: Vec<Link>,
    /// Right edge of the drawing.
    pub width: f64,
    /// Bottom edge of the drawing.
    pub height: f64,
}

impl Scene {
    /// Centre of a drawable by id: a card, else the centre of a box.
    pub fn position(&self, id: &str) -> Option<Point> {
        if let Some(c) = self.card(id) {
            return Some(c.at);
        }
        self.find_box(id).map(|b| b.rect().centre())
    }

    /// The card with this reference.
    pub fn card(&self, id: &str) -> Option<&Card> {
        self.cards.iter().find(|c| c.id == id)
    }

    /// The subnet or VPC box with this id.
    pub fn find_box(&self, id: &str) -> Option<&BoxItem> {
        self.subnets.iter().chain(self.vpcs.iter()).find(|b| b.id == id)
    }
}

/// Whether a subnet is public: its route table (the explicitly associated one, else the
/// VPC's main table) has a route whose target is an internet gateway of the document.
pub fn subnet_is_public(doc: &Scenario, subnet: &str) -> bool {
    let net = &doc.network;
    let Some(s) = net.subnets.iter().find(|s| s.id == subnet) else { return false };
    let table = net
        .route_tables
        .iter()
        .find(|t| t.subnets.iter().any(|x| x == subnet))
        .or_else(|| net.route_tables.iter().find(|t| t.vpc == s.vpc && t.main));
    table.is_some_and(|t| t.routes.iter().any(|r| net.internet_gateways.iter().any(|g| g.id == r.target)))
}

/// References of the service actors the document places on the canvas: layout keys
/// `internet` and `service:NAME`.
pub fn actor_keys(doc: &Scenario) -> Vec<String> {
    doc.layout.keys().filter(|k| k.as_str() == "internet" || k.starts_with("service:")).cloned().collect()
}

/// Where a card belongs before it is placed.
#[derive(Clone, Debug, PartialEq)]
enum Zone {
    Subnet(String),
    Edge(String),
    Connector(Vec<String>),
    Outside,
}

fn or_id(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_owned()
    } else {
        name.to_owned()
    }
}

/// Every card of the document, unplaced, with where it belongs.
fn specs(doc: &Scenario, actors: &[String]) -> Vec<(Card, Zone)> {
    let net = &doc.network;
    let sm = &net.sagemaker;
    let mut out = Vec::new();
    let mut push = |id: String, kind: &'static str, class: &'static str, name: String, address: String, sgs: Vec<String>, zone: Zone| {
        let (placement, parent) = match &zone {
            Zone::Subnet(s) => (Placement::Subnet, Some(s.clone())),
            Zone::Edge(v) => (Placement::VpcEdge, Some(v.clone())),
            Zone::Connector(_) => (Placement::Connector, None),
            Zone::Outside => (Placement::Outside, None),
        };
        let card = Card { id, kind, class, name, address, at: Point { x: 0.0, y: 0.0 }, sgs, parent, placement };
        out.push((card, zone));
    };
    let in_subnet = |s: Option<&String>| s.map(|s| Zone::Subnet(s.clone())).unwrap_or(Zone::Outside);
    for i in &net.instances {
        let addr = i.private_ip.clone().unwrap_or_default();
        push(
            i.id.clone(),
            "EC2 instance",
            "instance",
            or_id(&i.name, &i.id),
            addr,
            i.security_groups.clone(),
            Zone::Subnet(i.subnet.clone()),
        );
    }
    for n in &net.nat_gateways {
        let kind = if n.connectivity == "private" { "Private NAT gateway" } else { "NAT gateway" };
        let addr = match (&n.private_ip, &n.public_ip) {
            (Some(p), Some(e)) => format!("{p} · {e}"),
            (Some(p), None) => p.clone(),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        };
        push(n.id.clone(), kind, "nat", or_id(&n.name, &n.id), addr, vec![], Zone::Subnet(n.subnet.clone()));
    }
    for e in net.vpc_endpoints.iter().filter(|e| e.kind == "interface") {
        push(
            e.id.clone(),
            "Interface endpoint",
            "vpce-interface",
            or_id(&e.name, &e.id),
            e.service.clone(),
            e.security_groups.clone(),
            in_subnet(e.subnets.first()),
        );
    }
    for n in &sm.notebook_instances {
        let id = format!("sagemaker:notebook/{}", n.name);
        let addr = n.private_ip.clone().unwrap_or_else(|| if n.subnet.is_none() { "SageMaker-managed".into() } else { String::new() });
        push(id, "SageMaker notebook", "notebook", n.name.clone(), addr, n.security_groups.clone(), in_subnet(n.subnet.as_ref()));
    }
    for j in &sm.training_jobs {
        let processing = j.kind == "processing";
        let id = format!("sagemaker:{}/{}", if processing { "processing-job" } else { "training-job" }, j.name);
        let kind = if processing { "SageMaker processing job" } else { "SageMaker training job" };
        let subnet = j.vpc_config.as_ref().and_then(|c| c.subnets.first());
        let addr = j.private_ip.clone().unwrap_or_else(|| if subnet.is_none() { "SageMaker-managed".into() } else { String::new() });
        let sgs = j.vpc_config.as_ref().map(|c| c.security_groups.clone()).unwrap_or_default();
        push(id, kind, if processing { "processing" } else { "training" }, j.name.clone(), addr, sgs, in_subnet(subnet));
    }
    for e in &sm.endpoints {
        let id = format!("sagemaker:endpoint/{}", e.name);
        let subnet = e.vpc_config.as_ref().and_then(|c| c.subnets.first());
        let addr = e.private_ip.clone().unwrap_or_else(|| if subnet.is_none() { "SageMaker-managed".into() } else { String::new() });
        let sgs = e.vpc_config.as_ref().map(|c| c.security_groups.clone()).unwrap_or_default();
        push(id, "SageMaker endpoint", "endpoint", e.name.clone(), addr, sgs, in_subnet(subnet));
    }
    for d in &sm.domains {
        let id = format!("sagemaker:domain/{}", d.name);
        let addr = d.private_ip.clone().unwrap_or_default();
        push(id, "SageMaker Studio domain", "domain", d.name.clone(), addr, d.security_groups.clone(), in_subnet(d.subnets.first()));
    }
    for g in &net.internet_gateways {
        let zone = g.vpc.clone().map(Zone::Edge).unwrap_or(Zone::Outside);
        let addr = if g.vpc.is_none() { "detached".to_owned() } else { String::new() };
        push(g.id.clone(), "Internet gateway", "igw", or_id(&g.name, &g.id), addr, vec![], zone);
    }
    for g in &net.egress_only_internet_gateways {
        let zone = g.vpc.clone().map(Zone::Edge).unwrap_or(Zone::Outside);
        push(g.id.clone(), "Egress-only internet gateway", "eigw", or_id(&g.name, &g.id), "IPv6 outbound".into(), vec![], zone);
    }
    for e in net.vpc_endpoints.iter().filter(|e| e.kind != "interface") {
        push(e.id.clone(), "Gateway endpoint", "vpce-gateway", or_id(&e.name, &e.id), e.service.clone(), vec![], Zone::Edge(e.vpc.clone()));
    }
    for p in &net.peering_connections {
        let addr = format!("{} ↔ {}", p.requester_vpc, p.accepter_vpc);
        push(
            p.id.clone(),
            "Peering connection",
            "peering",
            or_id(&p.name, &p.id),
            addr,
            vec![],
            Zone::Connector(vec![p.requester_vpc.clone(), p.accepter_vpc.clone()]),
        );
    }
    for t in &net.transit_gateways {
        let mut vpcs: Vec<String> = Vec::new();
        for a in &t.attachments {
            if !vpcs.contains(&a.vpc) {
                vpcs.push(a.vpc.clone());
            }
        }
        let addr = format!("{} attachment{}", t.attachments.len(), if t.attachments.len() == 1 { "" } else { "s" });
        push(t.id.clone(), "Transit gateway", "tgw", or_id(&t.name, &t.id), addr, vec![], Zone::Connector(vpcs));
    }
    for x in &net.external {
        let kind = match x.kind.as_str() {
            "internet" => "Internet host",
            "corporate" => "Corporate network",
            _ => "External network",
        };
        push(x.id.clone(), kind, "external", or_id(&x.name, &x.id), x.cidr.clone(), vec![], Zone::Outside);
    }
    for a in actors {
        let name = crate::doc::SERVICE_ACTORS
            .iter()
            .find(|(r, _)| r == a)
            .map(|(_, label)| (*label).to_owned())
            .unwrap_or_else(|| a.strip_prefix("service:").unwrap_or(a).to_owned());
        let (kind, class) = if a == "internet" { ("Internet", "internet") } else { ("AWS service", "service") };
        push(a.clone(), kind, class, name, String::new(), vec![], Zone::Outside);
    }
    out
}

/// Estimated width of a text at a font size.
fn text_w(s: &str, px: f64) -> f64 {
    s.chars().count() as f64 * px * 0.6
}

/// The grid of cards of a subnet.
#[derive(Clone, Copy, Debug)]
struct CardGrid {
    cols: usize,
    cell_h: f64,
}

impl CardGrid {
    fn new(n: usize, max_sgs: usize) -> CardGrid {
        let cols = match n {
            0 | 1 => 1,
            2 => 2,
            3 => 3,
            4 => 2,
            5..=9 => 3,
            _ => 4,
        };
        CardGrid { cols, cell_h: CARD_H + BADGE_ROW * badge_rows(max_sgs) as f64 + GAP_Y }
    }

    /// Centre of slot `i`, relative to the subnet's top-left corner.
    fn slot(&self, i: usize) -> Point {
        let (row, col) = (i / self.cols, i % self.cols);
        Point { x: PAD + CARD_W / 2.0 + col as f64 * (CARD_W + GAP_X), y: SUBNET_HEAD + CARD_H / 2.0 + row as f64 * self.cell_h }
    }

    /// Natural size of a subnet holding `n` cards.
    fn size(&self, n: usize) -> (f64, f64) {
        let rows = n.div_ceil(self.cols).max(1);
        let w = (2.0 * PAD + self.cols as f64 * CARD_W + (self.cols as f64 - 1.0) * GAP_X).max(MIN_SUBNET_W);
        let h = if n == 0 { SUBNET_HEAD + 26.0 } else { SUBNET_HEAD + rows as f64 * self.cell_h - GAP_Y + PAD };
        (w, h)
    }
}

/// The automatic arrangement of a VPC's subnets: rectangles relative to the VPC's corner.
fn vpc_grid(subnets: &[(String, (f64, f64))]) -> (Vec<Rect>, f64, f64) {
    // Group by AZ, the empty AZ last; split long columns.
    let mut by_az: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
    for (i, (az, _)) in subnets.iter().enumerate() {
        by_az.entry((az.is_empty(), az.clone())).or_default().push(i);
    }
    // Many subnets: shorter columns, so that the VPC stays roughly square.
    let max_rows = ((subnets.len() as f64).sqrt().ceil() as usize).clamp(3, MAX_ROWS);
    let columns: Vec<Vec<usize>> =
        by_az.into_values().flat_map(|v| v.chunks(max_rows).map(<[usize]>::to_vec).collect::<Vec<_>>()).collect();
    let size = |i: usize| subnets.get(i).map(|s| s.1).unwrap_or((MIN_SUBNET_W, SUBNET_HEAD));
    let col_w: Vec<f64> = columns.iter().map(|c| c.iter().map(|i| size(*i).0).fold(MIN_SUBNET_W, f64::max)).collect();
    let n_rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let row_h: Vec<f64> = (0..n_rows).map(|k| columns.iter().filter_map(|c| c.get(k)).map(|i| size(*i).1).fold(0.0, f64::max)).collect();
    // Rows line up across the AZ columns (tiers side by side) when the subnets of each row
    // are of similar height; otherwise every column stacks its own subnets, which is more
    // compact.
    let aligned = (0..n_rows).all(|k| {
        let hs: Vec<f64> = columns.iter().filter_map(|c| c.get(k)).map(|i| size(*i).1).collect();
        hs.iter().fold(0.0, |a: f64, b| a.max(*b)) - hs.iter().fold(f64::INFINITY, |a: f64, b| a.min(*b)) <= 80.0
    });
    let mut rects = vec![Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 }; subnets.len()];
    let mut x = VPC_PAD;
    let mut bottom = VPC_HEAD;
    for (c, col) in columns.iter().enumerate() {
        let w = col_w.get(c).copied().unwrap_or(MIN_SUBNET_W);
        let mut y = VPC_HEAD;
        for (k, i) in col.iter().enumerate() {
            let h = if aligned { row_h.get(k).copied().unwrap_or(0.0) } else { size(*i).1 };
            if let Some(r) = rects.get_mut(*i) {
                *r = Rect { x, y, w, h };
            }
            bottom = bottom.max(y + h);
            y += h + SUBNET_GAP;
        }
        x += w + SUBNET_GAP;
    }
    let w = if columns.is_empty() { MIN_VPC_W } else { x - SUBNET_GAP + VPC_PAD };
    let h = if n_rows == 0 { VPC_HEAD + 60.0 } else { bottom + VPC_PAD };
    (rects, w, h)
}

fn rect_of_hint(h: &LayoutHint, w: f64, hgt: f64) -> Rect {
    Rect { x: h.x, y: h.y, w: h.w.unwrap_or(w).max(40.0), h: h.h.unwrap_or(hgt).max(40.0) }
}

/// Lays the document out: layout hints where given, the automatic layout otherwise.
pub fn scene(doc: &Scenario) -> Scene {
    build(doc, &doc.layout, &actor_keys(doc))
}

/// The automatic layout of the whole document, ignoring its layout hints, as hints for
/// every VPC, subnet and card (service actors included): what "tidy up" writes.
pub fn auto_layout_all(doc: &Scenario) -> BTreeMap<String, LayoutHint> {
    let sc = build(doc, &BTreeMap::new(), &actor_keys(doc));
    let mut out = BTreeMap::new();
    for b in sc.vpcs.iter().chain(sc.subnets.iter()) {
        out.insert(b.id.clone(), LayoutHint { x: b.x.round(), y: b.y.round(), w: Some(b.w.round()), h: Some(b.h.round()) });
    }
    for c in &sc.cards {
        out.insert(c.id.clone(), LayoutHint { x: c.at.x.round(), y: c.at.y.round(), w: None, h: None });
    }
    out
}

/// A VPC laid out at an origin.
struct PlacedVpc {
    rect: Rect,
    subnets: Vec<(usize, Rect)>,
    cards: Vec<(usize, Point)>,
    hinted_inside: bool,
    /// Size each unhinted subnet needs to hold its cards, from its corner.
    needs: Vec<(usize, (f64, f64))>,
}

/// Everything the placement needs, computed once.
struct Ctx<'a> {
    doc: &'a Scenario,
    hints: &'a BTreeMap<String, LayoutHint>,
    cards: Vec<(Card, Zone)>,
    /// Card indices per subnet id, in document order.
    per_subnet: BTreeMap<String, Vec<usize>>,
    /// Natural card grid and size of every subnet (by index in `network.subnets`).
    grids: Vec<(CardGrid, (f64, f64))>,
    /// Footprints of hinted cards, by card index.
    hinted_cards: Vec<(usize, Rect)>,
    /// Rectangles of hinted subnets, by subnet index.
    hinted_subnets: Vec<(usize, Rect)>,
}

impl Ctx<'_> {
    fn hint(&self, id: &str) -> Option<&LayoutHint> {
        self.hints.get(id)
    }

    fn subnet_natural(&self, si: usize) -> (CardGrid, (f64, f64)) {
        self.grids.get(si).copied().unwrap_or((CardGrid::new(0, 0), (MIN_SUBNET_W, SUBNET_HEAD)))
    }

    /// Title width a VPC needs, plus room for its edge gateways.
    fn vpc_header_w(&self, vi: usize) -> f64 {
        let Some(v) = self.doc.network.vpcs.get(vi) else { return MIN_VPC_W };
        let (title, sub) = vpc_title(v);
        let edges = self.cards.iter().filter(|(_, z)| *z == Zone::Edge(v.id.clone())).count();
        VPC_PAD + text_w(&format!("VPC {title}"), 13.0) + 16.0 + text_w(&sub, 12.0) + 24.0 + edges as f64 * (CARD_W + 12.0) + VPC_PAD
    }

    /// The subnets of a VPC (indices) and their automatic arrangement, with the sizes
    /// of `grown` subnets instead of their natural ones.
    fn vpc_members(&self, vi: usize, grown: &BTreeMap<usize, (f64, f64)>) -> (Vec<usize>, (Vec<Rect>, f64, f64)) {
        let net = &self.doc.network;
        let Some(vpc) = net.vpcs.get(vi) else { return (vec![], (vec![], MIN_VPC_W, VPC_HEAD)) };
        let members: Vec<usize> = net.subnets.iter().enumerate().filter(|(_, s)| s.vpc == vpc.id).map(|(i, _)| i).collect();
        let grid_in: Vec<(String, (f64, f64))> = members
            .iter()
            .map(|si| {
                let size = grown.get(si).copied().unwrap_or(self.subnet_natural(*si).1);
                (net.subnets.get(*si).map(|s| s.az.clone()).unwrap_or_default(), size)
            })
            .collect();
        let grid = vpc_grid(&grid_in);
        (members, grid)
    }

    /// A hinted subnet, grown to hold its cards: hinted ones where they are, the others
    /// in their slots.
    fn hinted_subnet_rect(&self, si: usize, hint: &LayoutHint) -> Rect {
        let (grid, (w, h)) = self.subnet_natural(si);
        let mut r = rect_of_hint(hint, w, h);
        let base = r;
        let list = self.doc.network.subnets.get(si).and_then(|s| self.per_subnet.get(&s.id)).cloned().unwrap_or_default();
        for (k, ci) in list.iter().enumerate() {
            let Some((card, _)) = self.cards.get(*ci) else { continue };
            let at = match self.hint(&card.id) {
                Some(h) => Point { x: h.x, y: h.y },
                None => {
                    let p = grid.slot(k);
                    Point { x: base.x + p.x, y: base.y + p.y }
                }
            };
            r = r.union(&footprint(at, card.sgs.len()).grow(GROW_SIDE + 4.0, GROW_TOP));
        }
        r
    }

    /// Height of a VPC in the automatic layout.
    fn vpc_natural_h(&self, vi: usize) -> f64 {
        self.vpc_members(vi, &BTreeMap::new()).1 .2
    }

    /// Lays a VPC out with its top-left corner at `origin` (hinted parts stay where
    /// their hints say).
    /// A subnet that grows (a hinted card outside its slot) pushes the rows below it down.
    fn place_vpc(&self, vi: usize, origin: Point) -> PlacedVpc {
        let mut sizes: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
        let mut out = self.place_vpc_with(vi, origin, &sizes);
        for _ in 0..4 {
            let mut changed = false;
            for (si, need) in &out.needs {
                let cur = sizes.get(si).copied().unwrap_or(self.subnet_natural(*si).1);
                if need.0 > cur.0 + 0.5 || need.1 > cur.1 + 0.5 {
                    sizes.insert(*si, (need.0.max(cur.0), need.1.max(cur.1)));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
            out = self.place_vpc_with(vi, origin, &sizes);
        }
        out
    }

    fn place_vpc_with(&self, vi: usize, origin: Point, sizes: &BTreeMap<usize, (f64, f64)>) -> PlacedVpc {
        let net = &self.doc.network;
        let Some(vpc) = net.vpcs.get(vi) else {
            let rect = Rect { x: origin.x, y: origin.y, w: MIN_VPC_W, h: VPC_HEAD };
            return PlacedVpc { rect, subnets: vec![], cards: vec![], hinted_inside: false, needs: vec![] };
        };
        let (members, (rel, nat_w, nat_h)) = self.vpc_members(vi, sizes);
        let hint = self.hint(&vpc.id);
        let base = match hint {
            Some(h) => rect_of_hint(h, nat_w.max(self.vpc_header_w(vi)), nat_h),
            None => Rect { x: origin.x, y: origin.y, w: nat_w.max(self.vpc_header_w(vi)), h: nat_h },
        };
        let mut hinted_inside = false;
        // Subnets: hinted ones where their hints say, the others in their grid slot.
        let mut placed: Vec<(usize, Rect)> = Vec::new();
        for si in &members {
            if let Some((_, r)) = self.hinted_subnets.iter().find(|(i, _)| i == si) {
                placed.push((*si, *r));
                hinted_inside = true;
            }
        }
        for (k, si) in members.iter().enumerate() {
            if placed.iter().any(|(i, _)| i == si) {
                continue;
            }
            let r0 = rel.get(k).copied().unwrap_or(Rect { x: VPC_PAD, y: VPC_HEAD, w: MIN_SUBNET_W, h: SUBNET_HEAD });
            let mut r = r0.translate(base.x, base.y);
            if self.hinted_subnets.iter().any(|(i, h)| i != si && h.overlaps(&r)) || placed.iter().any(|(_, p)| p.overlaps(&r)) {
                // Below everything already in this VPC.
                let bottom = placed.iter().map(|(_, p)| p.bottom()).fold(base.y + VPC_HEAD - SUBNET_GAP, f64::max);
                r = Rect { x: base.x + VPC_PAD, y: bottom + SUBNET_GAP, ..r };
            }
            placed.push((*si, r));
        }
        // Cards of each subnet.
        let mut cards: Vec<(usize, Point)> = Vec::new();
        let mut taken: Vec<Rect> = Vec::new();
        let mut needs = Vec::new();
        for (si, r) in placed.iter_mut() {
            let Some(s) = net.subnets.get(*si) else { continue };
            let (grid, _) = self.subnet_natural(*si);
            let list = self.per_subnet.get(&s.id).cloned().unwrap_or_default();
            let n = list.len();
            let mut grown = *r;
            let mut extent = Rect { x: r.x, y: r.y, w: 0.0, h: 0.0 };
            for (k, ci) in list.iter().enumerate() {
                let Some((card, _)) = self.cards.get(*ci) else { continue };
                let at = if let Some(h) = self.hint(&card.id) {
                    hinted_inside = true;
                    Point { x: h.x, y: h.y }
                } else {
                    let free = |p: Point| {
                        let f = footprint(p, card.sgs.len());
                        !self.hinted_cards.iter().any(|(i, h)| i != ci && h.overlaps(&f)) && !taken.iter().any(|t| t.overlaps(&f))
                    };
                    let slot = |i: usize| {
                        let p = grid.slot(i);
                        Point { x: r.x + p.x, y: r.y + p.y }
                    };
                    let first = slot(k);
                    if free(first) {
                        first
                    } else {
                        // The first free slot, in reading order.
                        (0..n + 400).map(slot).find(|p| free(*p)).unwrap_or(first)
                    }
                };
                let f = footprint(at, card.sgs.len());
                taken.push(f);
                let g = f.grow(GROW_SIDE + 4.0, GROW_TOP);
                grown = grown.union(&g);
                extent = extent.union(&g);
                cards.push((*ci, at));
            }
            if self.hinted_subnets.iter().all(|(i, _)| i != si) {
                needs.push((*si, (extent.right() - r.x, extent.bottom() - r.y)));
            }
            *r = grown;
        }
        // The VPC holds its subnets and its title.
        let mut rect = base;
        for (_, r) in &placed {
            rect = rect.union(&r.grow(GROW_SIDE + 2.0, GROW_TOP));
        }
        rect.w = rect.w.max(self.vpc_header_w(vi));
        PlacedVpc { rect, subnets: placed, cards, hinted_inside, needs }
    }
}

fn vpc_title(v: &vpcsim_core::scenario::VpcDoc) -> (String, String) {
    let title = if v.name.is_empty() { v.id.clone() } else { format!("{} · {}", v.name, v.id) };
    (title, v.cidr_blocks.join(", "))
}

/// The point of a box's edge nearest to `p`, clamped away from the corners.
fn edge_point(r: &Rect, p: Point) -> Point {
    let y = p.y.clamp(r.y + 20.0, (r.bottom() - 20.0).max(r.y + 20.0));
    if p.x >= r.right() {
        Point { x: r.right(), y }
    } else if p.x <= r.x {
        Point { x: r.x, y }
    } else if p.y < r.y {
        Point { x: p.x, y: r.y }
    } else {
        Point { x: p.x, y: r.bottom() }
    }
}

fn build(doc: &Scenario, hints: &BTreeMap<String, LayoutHint>, actors: &[String]) -> Scene {
    let net = &doc.network;
    let vpc_ids: BTreeSet<&str> = net.vpcs.iter().map(|v| v.id.as_str()).collect();
    let subnet_ids: BTreeSet<&str> = net.subnets.iter().filter(|s| vpc_ids.contains(s.vpc.as_str())).map(|s| s.id.as_str()).collect();
    let mut cards = specs(doc, actors);
    // Cards whose container is not drawn go outside.
    for (card, zone) in cards.iter_mut() {
        let orphan = match zone {
            Zone::Subnet(s) => !subnet_ids.contains(s.as_str()),
            Zone::Edge(v) => !vpc_ids.contains(v.as_str()),
            _ => false,
        };
        if orphan {
            *zone = Zone::Outside;
            card.placement = Placement::Outside;
            card.parent = None;
        }
    }
    let mut per_subnet: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, zone)) in cards.iter().enumerate() {
        if let Zone::Subnet(s) = zone {
            per_subnet.entry(s.clone()).or_default().push(i);
        }
    }
    let grids: Vec<(CardGrid, (f64, f64))> = net
        .subnets
        .iter()
        .map(|s| {
            let list = per_subnet.get(&s.id).map(Vec::as_slice).unwrap_or(&[]);
            let max_sgs = list.iter().filter_map(|i| cards.get(*i)).map(|(c, _)| c.sgs.len()).max().unwrap_or(0);
            let g = CardGrid::new(list.len(), max_sgs);
            (g, g.size(list.len()))
        })
        .collect();
    let hinted_cards: Vec<(usize, Rect)> = cards
        .iter()
        .enumerate()
        .filter_map(|(i, (c, _))| hints.get(&c.id).map(|h| (i, footprint(Point { x: h.x, y: h.y }, c.sgs.len()))))
        .collect();
    let mut ctx = Ctx { doc, hints, cards, per_subnet, grids, hinted_cards, hinted_subnets: vec![] };
    ctx.hinted_subnets = net
        .subnets
        .iter()
        .enumerate()
        .filter(|(_, s)| subnet_ids.contains(s.id.as_str()))
        .filter_map(|(i, s)| hints.get(&s.id).map(|hint| (i, ctx.hinted_subnet_rect(i, hint))))
        .collect();

    // VPCs: hinted ones first, then the others stacked, below the hinted ones if they
    // would overlap them.
    let mut placed: Vec<(usize, PlacedVpc)> = Vec::new();
    for (vi, v) in net.vpcs.iter().enumerate() {
        if let Some(h) = ctx.hint(&v.id) {
            placed.push((vi, ctx.place_vpc(vi, Point { x: h.x, y: h.y })));
        }
    }
    // The stack counts hinted VPCs at their automatic size, so that moving one VPC
    // does not move the others.
    let mut stack_y = TOP;
    for (vi, v) in net.vpcs.iter().enumerate() {
        if ctx.hint(&v.id).is_some() {
            stack_y += ctx.vpc_natural_h(vi) + VPC_GAP;
            continue;
        }
        let mut p = ctx.place_vpc(vi, Point { x: LEFT, y: stack_y });
        let clash = |p: &PlacedVpc, placed: &[(usize, PlacedVpc)]| {
            let mine = p.rect.grow(0.0, CARD_H / 2.0 + 8.0);
            placed.iter().any(|(_, q)| q.rect.grow(0.0, CARD_H / 2.0 + 8.0).overlaps(&mine))
        };
        if !p.hinted_inside && clash(&p, &placed) {
            let bottom = placed.iter().map(|(_, q)| q.rect.bottom()).fold(stack_y, f64::max);
            p = ctx.place_vpc(vi, Point { x: LEFT, y: bottom + VPC_GAP });
        }
        stack_y = stack_y.max(p.rect.bottom() + VPC_GAP);
        placed.push((vi, p));
    }
    placed.sort_by_key(|(vi, _)| *vi);

    let mut scene = Scene::default();
    let mut at: Vec<Option<Point>> = vec![None; ctx.cards.len()];
    for (vi, p) in &placed {
        let Some(v) = net.vpcs.get(*vi) else { continue };
        let (title, subtitle) = vpc_title(v);
        scene.vpcs.push(BoxItem {
            id: v.id.clone(),
            title,
            subtitle,
            x: p.rect.x,
            y: p.rect.y,
            w: p.rect.w,
            h: p.rect.h,
            badges: vec![],
            public: false,
            parent: None,
        });
        for (ci, pt) in &p.cards {
            if let Some(slot) = at.get_mut(*ci) {
                *slot = Some(*pt);
            }
        }
    }
    // Subnets in document order.
    let mut subnet_rects: Vec<(usize, Rect)> = placed.iter().flat_map(|(_, p)| p.subnets.iter().copied()).collect();
    subnet_rects.sort_by_key(|(i, _)| *i);
    for (si, r) in subnet_rects {
        let Some(s) = net.subnets.get(si) else { continue };
        let rtb = net
            .route_tables
            .iter()
            .find(|t| t.subnets.contains(&s.id))
            .or_else(|| net.route_tables.iter().find(|t| t.vpc == s.vpc && t.main));
        let acl = net
            .network_acls
            .iter()
            .find(|a| a.subnets.contains(&s.id))
            .or_else(|| net.network_acls.iter().find(|a| a.vpc == s.vpc && a.default));
        let badges = vec![
            format!("RT {}", rtb.map(|t| t.id.as_str()).unwrap_or("main")),
            format!("NACL {}", acl.map(|a| a.id.as_str()).unwrap_or("default")),
        ];
        let subtitle = if s.az.is_empty() { s.cidr.clone() } else { format!("{} · {}", s.cidr, s.az) };
        scene.subnets.push(BoxItem {
            id: s.id.clone(),
            title: if s.name.is_empty() { s.id.clone() } else { format!("{} · {}", s.name, s.id) },
            subtitle,
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
            badges,
            public: subnet_is_public(doc, &s.id),
            parent: Some(s.vpc.clone()),
        });
    }

    // Every card placed so far, for collision checks of the remaining ones.
    let mut taken: Vec<Rect> = Vec::new();
    for (i, p) in at.iter().enumerate() {
        if let (Some(p), Some((c, _))) = (p, ctx.cards.get(i)) {
            taken.push(footprint(*p, c.sgs.len()));
        }
    }
    for (i, (c, _)) in ctx.cards.iter().enumerate() {
        if let (None, Some(h)) = (at.get(i).copied().flatten(), ctx.hint(&c.id)) {
            let p = Point { x: h.x, y: h.y };
            if let Some(slot) = at.get_mut(i) {
                *slot = Some(p);
            }
            taken.push(footprint(p, c.sgs.len()));
        }
    }
    let free = |p: Point, sgs: usize, taken: &[Rect]| {
        let f = footprint(p, sgs);
        !taken.iter().any(|t| t.overlaps(&f))
    };

    // Gateways on the top edge of their VPC, from the right.
    for (vi, p) in &placed {
        let Some(v) = net.vpcs.get(*vi) else { continue };
        let cy = if p.rect.y >= 0.0 && p.rect.y < CARD_H / 2.0 + 4.0 { CARD_H / 2.0 + 4.0 } else { p.rect.y };
        let mut k = 0usize;
        for (i, (c, zone)) in ctx.cards.iter().enumerate() {
            if *zone != Zone::Edge(v.id.clone()) || at.get(i).copied().flatten().is_some() {
                continue;
            }
            let pos = loop {
                let cx = p.rect.right() - VPC_PAD - CARD_W / 2.0 - k as f64 * (CARD_W + 12.0);
                k += 1;
                let pt = Point { x: cx, y: cy };
                if free(pt, 0, &taken) || k > 200 {
                    break pt;
                }
            };
            taken.push(footprint(pos, c.sgs.len()));
            if let Some(slot) = at.get_mut(i) {
                *slot = Some(pos);
            }
        }
    }

    // Connectors in a column right of the VPCs, level with the VPCs they join.
    let vpc_right = scene.vpcs.iter().map(|b| b.x + b.w).fold(f64::NEG_INFINITY, f64::max);
    let vpc_right = if vpc_right.is_finite() { vpc_right } else { LEFT - COLUMN_GAP };
    let vpc_top = scene.vpcs.iter().map(|b| b.y).fold(f64::INFINITY, f64::min);
    let vpc_top = if vpc_top.is_finite() { vpc_top.max(TOP) } else { TOP };
    let has_connectors = ctx.cards.iter().any(|(_, z)| matches!(z, Zone::Connector(_)));
    let conn_x = vpc_right + COLUMN_GAP + CARD_W / 2.0;
    let mut wanted: Vec<(usize, f64)> = ctx
        .cards
        .iter()
        .enumerate()
        .filter(|(i, _)| at.get(*i).copied().flatten().is_none())
        .filter_map(|(i, (_, z))| match z {
            Zone::Connector(vpcs) => {
                let ys: Vec<f64> = vpcs.iter().filter_map(|v| scene.vpcs.iter().find(|b| &b.id == v)).map(|b| b.y + b.h / 2.0).collect();
                let y = if ys.is_empty() { vpc_top } else { ys.iter().sum::<f64>() / ys.len() as f64 };
                Some((i, y))
            }
            _ => None,
        })
        .collect();
    wanted.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (i, y) in wanted {
        let mut pt = Point { x: conn_x, y: y.max(vpc_top) };
        let mut guard = 0;
        while !free(pt, 0, &taken) && guard < 400 {
            pt.y += 10.0;
            guard += 1;
        }
        taken.push(footprint(pt, 0));
        if let Some(slot) = at.get_mut(i) {
            *slot = Some(pt);
        }
    }

    // Outside: one column right of everything.
    let column_right = if has_connectors { conn_x + CARD_W / 2.0 } else { vpc_right };
    let out_x = column_right + COLUMN_GAP + CARD_W / 2.0;
    let mut y = vpc_top;
    for (i, (c, _)) in ctx.cards.iter().enumerate() {
        if at.get(i).copied().flatten().is_some() {
            continue;
        }
        let mut pt = Point { x: out_x, y: y + CARD_H / 2.0 };
        let mut guard = 0;
        while !free(pt, c.sgs.len(), &taken) && guard < 400 {
            pt.y += 10.0;
            guard += 1;
        }
        let f = footprint(pt, c.sgs.len());
        y = f.bottom() + 24.0;
        taken.push(f);
        if let Some(slot) = at.get_mut(i) {
            *slot = Some(pt);
        }
    }

    // The cards, with their positions.
    for (i, (mut card, zone)) in ctx.cards.into_iter().enumerate() {
        card.at = at.get(i).copied().flatten().unwrap_or(Point { x: out_x, y: TOP });
        if let Zone::Connector(vpcs) = &zone {
            for v in vpcs {
                if let Some(b) = scene.vpcs.iter().find(|b| &b.id == v) {
                    scene.links.push(Link { from: card.id.clone(), to: v.clone(), a: card.at, b: edge_point(&b.rect(), card.at) });
                }
            }
        }
        scene.cards.push(card);
    }
    let right = scene
        .vpcs
        .iter()
        .chain(scene.subnets.iter())
        .map(|b| b.x + b.w)
        .chain(scene.cards.iter().map(|c| c.at.x + CARD_W / 2.0))
        .fold(400.0_f64, f64::max);
    let bottom = scene
        .vpcs
        .iter()
        .chain(scene.subnets.iter())
        .map(|b| b.y + b.h)
        .chain(scene.cards.iter().map(|c| c.footprint().bottom()))
        .fold(300.0_f64, f64::max);
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

/// Where the segment from `inside` (in the rectangle) to `outside` leaves it.
fn exit_point(r: &Rect, inside: Point, outside: Point) -> Point {
    let (dx, dy) = (outside.x - inside.x, outside.y - inside.y);
    let tx = if dx > 0.0 {
        (r.right() - inside.x) / dx
    } else if dx < 0.0 {
        (r.x - inside.x) / dx
    } else {
        f64::INFINITY
    };
    let ty = if dy > 0.0 {
        (r.bottom() - inside.y) / dy
    } else if dy < 0.0 {
        (r.y - inside.y) / dy
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty).clamp(0.0, 1.0);
    Point { x: inside.x + dx * t, y: inside.y + dy * t }
}

fn clamp_into(r: &Rect, p: Point, inset: f64) -> Point {
    let inset_x = inset.min(r.w / 2.0);
    let inset_y = inset.min(r.h / 2.0);
    Point { x: p.x.clamp(r.x + inset_x, r.right() - inset_x), y: p.y.clamp(r.y + inset_y, r.bottom() - inset_y) }
}

/// Where a hop through a subnet is drawn: on the subnet's edge where the packet leaves
/// it (source side) or enters it (destination side), else inside it between the
/// neighbouring cards.
fn subnet_point(r: &Rect, before: Option<Point>, after: Option<Point>) -> Point {
    match (before, after) {
        (Some(a), Some(c)) => match (r.contains(a), r.contains(c)) {
            (true, false) => exit_point(r, a, c),
            (false, true) => exit_point(r, c, a),
            _ => clamp_into(r, Point { x: (a.x + c.x) / 2.0, y: (a.y + c.y) / 2.0 }, 14.0),
        },
        (Some(a), None) | (None, Some(a)) => {
            if r.contains(a) {
                Point { x: r.right(), y: a.y.clamp(r.y, r.bottom()) }
            } else {
                clamp_into(r, a, 14.0)
            }
        }
        (None, None) => r.centre(),
    }
}

/// The external network card whose CIDR holds an address.
fn external_holding(scene: &Scene, addr: &str) -> Option<Point> {
    let ip: std::net::IpAddr = addr.parse().ok()?;
    scene
        .cards
        .iter()
        .filter(|c| c.class == "external")
        .find(|c| c.address.parse::<ipnet::IpNet>().is_ok_and(|n| n.contains(&ip)))
        .map(|c| c.at)
}

/// Positions of the hops of a leg. Cards are drawn where they are; subnets on their
/// edge; hops with no drawing (the internet, an AWS service not on the canvas, a VPN)
/// beside the nearest drawn hop, or on the external network holding the address.
fn hop_positions(scene: &Scene, leg: &Leg, ends: (&str, &str)) -> Vec<Point> {
    let n = leg.hops.len();
    let cards: Vec<Option<&Card>> = leg.hops.iter().map(|h| scene.card(&h.resource)).collect();
    let card_at: Vec<Option<Point>> = cards.iter().map(|c| c.map(|c| c.at)).collect();
    let before = |i: usize| (0..i).rev().find_map(|k| card_at.get(k).copied().flatten());
    let after = |i: usize| (i + 1..n).find_map(|k| card_at.get(k).copied().flatten());
    // Beside a drawn card: above a gateway on a VPC's top edge, else to its right.
    let beside = |k: Option<usize>| -> Option<Point> {
        let c = cards.get(k?).copied().flatten()?;
        Some(if c.placement == Placement::VpcEdge {
            Point { x: c.at.x, y: c.at.y - 110.0 }
        } else {
            Point { x: c.at.x + 170.0, y: c.at.y }
        })
    };
    let before_k = |i: usize| (0..i).rev().find(|k| card_at.get(*k).copied().flatten().is_some());
    let after_k = |i: usize| (i + 1..n).find(|k| card_at.get(*k).copied().flatten().is_some());
    (0..n)
        .map(|i| {
            if let Some(p) = card_at.get(i).copied().flatten() {
                return p;
            }
            let resource = leg.hops.get(i).map(|h| h.resource.as_str()).unwrap_or("");
            if let Some(b) = scene.find_box(resource) {
                return subnet_point(&b.rect(), before(i), after(i));
            }
            let external = if i == 0 {
                external_holding(scene, ends.0)
            } else if i + 1 == n {
                external_holding(scene, ends.1)
            } else {
                None
            };
            if let Some(p) = external {
                return p;
            }
            match (before(i), after(i)) {
                (Some(a), Some(b)) => Point { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 },
                (Some(_), None) => beside(before_k(i)).unwrap_or(Point { x: 40.0, y: 40.0 }),
                (None, Some(_)) => beside(after_k(i)).unwrap_or(Point { x: 40.0, y: 40.0 }),
                (None, None) => Point { x: 40.0, y: 40.0 },
            }
        })
        .collect()
}

/// The frames of a trace: the packet starts at the source, pauses at every check
/// (security groups at the edge of their resource, the rest between), and ends at the
/// destination or where it was dropped; then the response comes back.
pub fn frames(scene: &Scene, trace: &Trace) -> Vec<Frame> {
    let mut out = Vec::new();
    let (src, dst) = (trace.flow.src_ip.as_str(), trace.flow.dst_ip.as_str());
    let legs = std::iter::once(("request", &trace.request, (src, dst))).chain(trace.response.iter().map(|r| ("response", r, (dst, src))));
    for (leg_name, leg, ends) in legs {
        let n = leg.hops.len();
        if n == 0 {
            continue;
        }
        let positions = hop_positions(scene, leg, ends);
        let pos = |i: usize| positions.get(i).copied().unwrap_or(Point { x: 40.0, y: 40.0 });
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
