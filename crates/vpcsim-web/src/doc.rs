//! Editing the document: every change the playground makes to a scenario.
//!
//! Edits are data ([`Edit`]) applied by one pure function, [`apply`], so the reducer stays
//! small, undo is a stack of documents, and everything is tested natively. Property and
//! rule edits address the document by JSON pointer (`/network/security_groups/1/inbound/0/ports`):
//! the same paths the core's diagnostics report (relative to `/network`), which is how the
//! inspector shows a diagnostic next to the field it is about. An edit that would give the
//! document the wrong shape (text in a number field) is refused with a message and changes
//! nothing, so no keystroke can lose work.

use crate::layout::{scene, Point, Scene, CARD_H, CARD_W};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use vpcsim_core::scenario::{LayoutHint, Scenario};

/// Every kind of thing the document holds, one per collection of the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `network.vpcs`
    Vpc,
    /// `network.subnets`
    Subnet,
    /// `network.route_tables`
    RouteTable,
    /// `network.network_acls`
    NetworkAcl,
    /// `network.security_groups`
    SecurityGroup,
    /// `network.instances`
    Instance,
    /// `network.internet_gateways`
    InternetGateway,
    /// `network.egress_only_internet_gateways`
    EgressOnlyGateway,
    /// `network.nat_gateways`
    NatGateway,
    /// `network.transit_gateways`
    TransitGateway,
    /// `network.vpc_endpoints`
    VpcEndpoint,
    /// `network.peering_connections`
    Peering,
    /// `network.prefix_lists`
    PrefixList,
    /// `network.external`
    External,
    /// `network.sagemaker.notebook_instances`
    Notebook,
    /// `network.sagemaker.training_jobs`
    TrainingJob,
    /// `network.sagemaker.endpoints`
    Endpoint,
    /// `network.sagemaker.domains`
    Domain,
}

impl Kind {
    /// Every kind, in document order.
    pub const ALL: [Kind; 18] = [
        Kind::Vpc,
        Kind::Subnet,
        Kind::RouteTable,
        Kind::NetworkAcl,
        Kind::SecurityGroup,
        Kind::Instance,
        Kind::InternetGateway,
        Kind::EgressOnlyGateway,
        Kind::NatGateway,
        Kind::TransitGateway,
        Kind::VpcEndpoint,
        Kind::Peering,
        Kind::PrefixList,
        Kind::External,
        Kind::Notebook,
        Kind::TrainingJob,
        Kind::Endpoint,
        Kind::Domain,
    ];

    /// JSON pointer of the collection.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Vpc => "/network/vpcs",
            Kind::Subnet => "/network/subnets",
            Kind::RouteTable => "/network/route_tables",
            Kind::NetworkAcl => "/network/network_acls",
            Kind::SecurityGroup => "/network/security_groups",
            Kind::Instance => "/network/instances",
            Kind::InternetGateway => "/network/internet_gateways",
            Kind::EgressOnlyGateway => "/network/egress_only_internet_gateways",
            Kind::NatGateway => "/network/nat_gateways",
            Kind::TransitGateway => "/network/transit_gateways",
            Kind::VpcEndpoint => "/network/vpc_endpoints",
            Kind::Peering => "/network/peering_connections",
            Kind::PrefixList => "/network/prefix_lists",
            Kind::External => "/network/external",
            Kind::Notebook => "/network/sagemaker/notebook_instances",
            Kind::TrainingJob => "/network/sagemaker/training_jobs",
            Kind::Endpoint => "/network/sagemaker/endpoints",
            Kind::Domain => "/network/sagemaker/domains",
        }
    }

    /// The field that identifies an entry: `id`, or `name` for SageMaker resources.
    pub fn key_field(self) -> &'static str {
        if self.is_sagemaker() {
            "name"
        } else {
            "id"
        }
    }

    /// Whether it is a SageMaker resource (referenced as `sagemaker:KIND/NAME`).
    pub fn is_sagemaker(self) -> bool {
        matches!(self, Kind::Notebook | Kind::TrainingJob | Kind::Endpoint | Kind::Domain)
    }

    /// What users call it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Vpc => "VPC",
            Kind::Subnet => "Subnet",
            Kind::RouteTable => "Route table",
            Kind::NetworkAcl => "Network ACL",
            Kind::SecurityGroup => "Security group",
            Kind::Instance => "EC2 instance",
            Kind::InternetGateway => "Internet gateway",
            Kind::EgressOnlyGateway => "Egress-only internet gateway",
            Kind::NatGateway => "NAT gateway",
            Kind::TransitGateway => "Transit gateway",
            Kind::VpcEndpoint => "VPC endpoint",
            Kind::Peering => "Peering connection",
            Kind::PrefixList => "Prefix list",
            Kind::External => "External network",
            Kind::Notebook => "SageMaker notebook",
            Kind::TrainingJob => "SageMaker training job",
            Kind::Endpoint => "SageMaker endpoint",
            Kind::Domain => "SageMaker Studio domain",
        }
    }

    /// Prefix of generated ids (names for SageMaker resources).
    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Vpc => "vpc-",
            Kind::Subnet => "subnet-",
            Kind::RouteTable => "rtb-",
            Kind::NetworkAcl => "acl-",
            Kind::SecurityGroup => "sg-",
            Kind::Instance => "i-",
            Kind::InternetGateway => "igw-",
            Kind::EgressOnlyGateway => "eigw-",
            Kind::NatGateway => "nat-",
            Kind::TransitGateway => "tgw-",
            Kind::VpcEndpoint => "vpce-",
            Kind::Peering => "pcx-",
            Kind::PrefixList => "pl-",
            Kind::External => "ext-",
            Kind::Notebook => "notebook-",
            Kind::TrainingJob => "training-",
            Kind::Endpoint => "endpoint-",
            Kind::Domain => "studio-",
        }
    }

    /// The reference prefix of SageMaker resources.
    fn sagemaker_prefix(self) -> Option<&'static str> {
        match self {
            Kind::Notebook => Some("sagemaker:notebook/"),
            Kind::TrainingJob => Some("sagemaker:training-job/"),
            Kind::Endpoint => Some("sagemaker:endpoint/"),
            Kind::Domain => Some("sagemaker:domain/"),
            _ => None,
        }
    }
}

/// One entry of the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Item {
    /// Its collection.
    pub kind: Kind,
    /// Its id (name for SageMaker resources).
    pub key: String,
}

impl Item {
    /// An item.
    pub fn new(kind: Kind, key: impl Into<String>) -> Self {
        Item { kind, key: key.into() }
    }

    /// The reference that probes, the canvas and the layout use: the id, or
    /// `sagemaker:KIND/NAME` (`processing-job` for processing jobs).
    pub fn reference(&self, doc: &Scenario) -> String {
        match self.kind {
            Kind::TrainingJob => {
                let processing = doc.network.sagemaker.training_jobs.iter().any(|j| j.name == self.key && j.kind == "processing");
                format!("sagemaker:{}/{}", if processing { "processing-job" } else { "training-job" }, self.key)
            }
            k => match k.sagemaker_prefix() {
                Some(p) => format!("{p}{}", self.key),
                None => self.key.clone(),
            },
        }
    }

    /// JSON pointer of the entry in the document, if it exists.
    pub fn pointer(&self, doc: &Scenario) -> Option<String> {
        index_of(doc, self).map(|i| format!("{}/{i}", self.kind.collection()))
    }
}

/// Finds the item a canvas or probe reference names.
pub fn item_for_reference(doc: &Scenario, reference: &str) -> Option<Item> {
    let (kind, key) = if let Some(rest) = reference.strip_prefix("sagemaker:") {
        let (k, name) = rest.split_once('/')?;
        let kind = match k {
            "notebook" => Kind::Notebook,
            "training-job" | "processing-job" => Kind::TrainingJob,
            "endpoint" => Kind::Endpoint,
            "domain" => Kind::Domain,
            _ => return None,
        };
        (kind, name)
    } else {
        // The typed lookup of `index_of`, kind by kind: no serialization of the document.
        let kind = Kind::ALL.into_iter().filter(|k| !k.is_sagemaker()).find(|k| index_of(doc, &Item::new(*k, reference)).is_some())?;
        (kind, reference)
    };
    let item = Item::new(kind, key);
    index_of(doc, &item).map(|_| item)
}

fn index_of(doc: &Scenario, item: &Item) -> Option<usize> {
    let n = &doc.network;
    let sm = &n.sagemaker;
    let k = item.key.as_str();
    match item.kind {
        Kind::Vpc => n.vpcs.iter().position(|x| x.id == k),
        Kind::Subnet => n.subnets.iter().position(|x| x.id == k),
        Kind::RouteTable => n.route_tables.iter().position(|x| x.id == k),
        Kind::NetworkAcl => n.network_acls.iter().position(|x| x.id == k),
        Kind::SecurityGroup => n.security_groups.iter().position(|x| x.id == k),
        Kind::Instance => n.instances.iter().position(|x| x.id == k),
        Kind::InternetGateway => n.internet_gateways.iter().position(|x| x.id == k),
        Kind::EgressOnlyGateway => n.egress_only_internet_gateways.iter().position(|x| x.id == k),
        Kind::NatGateway => n.nat_gateways.iter().position(|x| x.id == k),
        Kind::TransitGateway => n.transit_gateways.iter().position(|x| x.id == k),
        Kind::VpcEndpoint => n.vpc_endpoints.iter().position(|x| x.id == k),
        Kind::Peering => n.peering_connections.iter().position(|x| x.id == k),
        Kind::PrefixList => n.prefix_lists.iter().position(|x| x.id == k),
        Kind::External => n.external.iter().position(|x| x.id == k),
        Kind::Notebook => sm.notebook_instances.iter().position(|x| x.name == k),
        Kind::TrainingJob => sm.training_jobs.iter().position(|x| x.name == k),
        Kind::Endpoint => sm.endpoints.iter().position(|x| x.name == k),
        Kind::Domain => sm.domains.iter().position(|x| x.name == k),
    }
}

/// What the palette and the "Add" menu offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Palette {
    /// A VPC with a /16.
    Vpc,
    /// A subnet (a free /24 of the VPC).
    Subnet,
    /// An EC2 instance.
    Instance,
    /// A SageMaker notebook instance.
    Notebook,
    /// A SageMaker training job in your VPC.
    TrainingJob,
    /// A SageMaker inference endpoint in your VPC.
    Endpoint,
    /// A SageMaker Studio domain (VpcOnly).
    Domain,
    /// A NAT gateway.
    NatGateway,
    /// An internet gateway attached to the VPC.
    InternetGateway,
    /// A gateway VPC endpoint for S3.
    GatewayEndpoint,
    /// An interface VPC endpoint for SageMaker Runtime.
    InterfaceEndpoint,
    /// A peering connection to another VPC.
    Peering,
    /// A security group.
    SecurityGroup,
    /// A network ACL.
    NetworkAcl,
    /// A route table.
    RouteTable,
    /// A host on the internet.
    InternetHost,
    /// A corporate network CIDR.
    Corporate,
    /// Amazon S3 (an AWS service front door).
    S3,
    /// The SageMaker API.
    SageMakerApi,
    /// SageMaker Runtime.
    SageMakerRuntime,
}

impl Palette {
    /// Every entry, in palette order.
    pub const ALL: [Palette; 20] = [
        Palette::Vpc,
        Palette::Subnet,
        Palette::Instance,
        Palette::Notebook,
        Palette::TrainingJob,
        Palette::Endpoint,
        Palette::Domain,
        Palette::NatGateway,
        Palette::InternetGateway,
        Palette::GatewayEndpoint,
        Palette::InterfaceEndpoint,
        Palette::Peering,
        Palette::SecurityGroup,
        Palette::NetworkAcl,
        Palette::RouteTable,
        Palette::InternetHost,
        Palette::Corporate,
        Palette::S3,
        Palette::SageMakerApi,
        Palette::SageMakerRuntime,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Palette::Vpc => "VPC",
            Palette::Subnet => "Subnet",
            Palette::Instance => "EC2 instance",
            Palette::Notebook => "SageMaker notebook",
            Palette::TrainingJob => "Training job",
            Palette::Endpoint => "Inference endpoint",
            Palette::Domain => "Studio domain",
            Palette::NatGateway => "NAT gateway",
            Palette::InternetGateway => "Internet gateway",
            Palette::GatewayEndpoint => "Gateway endpoint (S3)",
            Palette::InterfaceEndpoint => "Interface endpoint",
            Palette::Peering => "Peering connection",
            Palette::SecurityGroup => "Security group",
            Palette::NetworkAcl => "Network ACL",
            Palette::RouteTable => "Route table",
            Palette::InternetHost => "Internet host",
            Palette::Corporate => "Corporate network",
            Palette::S3 => "Amazon S3",
            Palette::SageMakerApi => "SageMaker API",
            Palette::SageMakerRuntime => "SageMaker Runtime",
        }
    }

    /// Stable name, used by drag-and-drop data and tests.
    pub fn slug(self) -> &'static str {
        match self {
            Palette::Vpc => "vpc",
            Palette::Subnet => "subnet",
            Palette::Instance => "instance",
            Palette::Notebook => "notebook",
            Palette::TrainingJob => "training-job",
            Palette::Endpoint => "endpoint",
            Palette::Domain => "domain",
            Palette::NatGateway => "nat-gateway",
            Palette::InternetGateway => "internet-gateway",
            Palette::GatewayEndpoint => "gateway-endpoint",
            Palette::InterfaceEndpoint => "interface-endpoint",
            Palette::Peering => "peering",
            Palette::SecurityGroup => "security-group",
            Palette::NetworkAcl => "network-acl",
            Palette::RouteTable => "route-table",
            Palette::InternetHost => "internet-host",
            Palette::Corporate => "corporate",
            Palette::S3 => "s3",
            Palette::SageMakerApi => "sagemaker-api",
            Palette::SageMakerRuntime => "sagemaker-runtime",
        }
    }

    /// The entry with this slug.
    pub fn from_slug(s: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.slug() == s)
    }

    /// Palette section.
    pub fn group(self) -> &'static str {
        match self {
            Palette::Vpc | Palette::Subnet | Palette::SecurityGroup | Palette::NetworkAcl | Palette::RouteTable => "Network",
            Palette::Instance | Palette::Notebook | Palette::TrainingJob | Palette::Endpoint | Palette::Domain => "Compute and ML",
            Palette::NatGateway | Palette::InternetGateway | Palette::GatewayEndpoint | Palette::InterfaceEndpoint | Palette::Peering => {
                "Gateways and endpoints"
            }
            Palette::InternetHost | Palette::Corporate | Palette::S3 | Palette::SageMakerApi | Palette::SageMakerRuntime => {
                "Outside the VPC"
            }
        }
    }
}

/// Services that can be placed on the canvas as actors: the layout holds their position.
pub const SERVICE_ACTORS: [(&str, &str); 4] = [
    ("internet", "The internet"),
    ("service:s3", "Amazon S3"),
    ("service:sagemaker.api", "SageMaker API"),
    ("service:sagemaker.runtime", "SageMaker Runtime"),
];

/// One change to the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Add a resource from the palette, at a canvas point (drag-and-drop) or inside the
    /// selected container (keyboard "Add" menu).
    Add {
        /// What.
        what: Palette,
        /// Drop point in canvas coordinates.
        at: Option<Point>,
        /// The selected reference, used as the container when there is no drop point.
        near: Option<String>,
    },
    /// Set the value at a JSON pointer; `Null` removes an optional field.
    Set {
        /// Absolute pointer, e.g. `/network/security_groups/1/inbound/0/ports`.
        pointer: String,
        /// New value.
        value: Value,
    },
    /// Insert into the array at `pointer` (append when `index` is None).
    Insert {
        /// Pointer of the array.
        pointer: String,
        /// Position.
        index: Option<usize>,
        /// Element.
        value: Value,
    },
    /// Remove the element `index` of the array at `pointer`.
    Remove {
        /// Pointer of the array.
        pointer: String,
        /// Position.
        index: usize,
    },
    /// Move an element of the array at `pointer` from one position to another.
    Reorder {
        /// Pointer of the array.
        pointer: String,
        /// Old position.
        from: usize,
        /// New position.
        to: usize,
    },
    /// Rename an item: its id (or name) and every reference to it.
    Rename {
        /// The item.
        item: Item,
        /// New id or name.
        to: String,
    },
    /// Delete items, with what lives inside them (a subnet's instances...).
    Delete(Vec<Item>),
    /// Duplicate items next to the originals.
    Duplicate(Vec<Item>),
    /// Move drawn things (references) by an offset; boxes carry their contents.
    Move {
        /// References (`i-web`, `subnet-a`, `service:s3`).
        refs: Vec<String>,
        /// Offset.
        dx: f64,
        /// Offset.
        dy: f64,
        /// Snap the result to the grid.
        snap: bool,
    },
    /// Resize a box (VPC or subnet).
    Resize {
        /// Reference.
        reference: String,
        /// New width.
        w: f64,
        /// New height.
        h: f64,
    },
    /// Remove a service actor from the canvas.
    RemoveActor(String),
}

/// What an edit did, besides the new document.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Applied {
    /// References to select afterwards (the added or duplicated items).
    pub select: Vec<String>,
}

/// The canvas grid.
pub const GRID: f64 = 10.0;

fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// Applies an edit. On error the document is unchanged and the message says why.
pub fn apply(doc: &Scenario, edit: &Edit) -> Result<(Scenario, Applied), String> {
    match edit {
        Edit::Set { pointer, value } => set_following_references(doc, pointer, value),
        Edit::Insert { pointer, index, value } => {
            let doc = with_json(doc, |v| {
                let arr = array_at(v, pointer)?;
                let i = index.unwrap_or(arr.len()).min(arr.len());
                arr.insert(i, value.clone());
                Ok(())
            })?;
            Ok((doc, Applied::default()))
        }
        Edit::Remove { pointer, index } => {
            let doc = with_json(doc, |v| {
                let arr = array_at(v, pointer)?;
                if *index >= arr.len() {
                    return Err(format!("{pointer} has no element {index}"));
                }
                arr.remove(*index);
                Ok(())
            })?;
            Ok((doc, Applied::default()))
        }
        Edit::Reorder { pointer, from, to } => {
            let doc = with_json(doc, |v| {
                let arr = array_at(v, pointer)?;
                if *from >= arr.len() || *to >= arr.len() {
                    return Err(format!("{pointer} has {} elements", arr.len()));
                }
                let x = arr.remove(*from);
                arr.insert(*to, x);
                Ok(())
            })?;
            Ok((doc, Applied::default()))
        }
        Edit::Rename { item, to } => rename(doc, item, to),
        Edit::Delete(items) => delete(doc, items),
        Edit::Duplicate(items) => duplicate(doc, items),
        Edit::Move { refs, dx, dy, snap: snapping } => Ok((move_by(doc, refs, *dx, *dy, *snapping), Applied::default())),
        Edit::Resize { reference, w, h } => {
            let sc = scene(doc);
            let b = sc
                .vpcs
                .iter()
                .chain(sc.subnets.iter())
                .find(|b| &b.id == reference)
                .ok_or_else(|| format!("`{reference}` is not a box"))?;
            let mut out = doc.clone();
            out.layout.insert(reference.clone(), LayoutHint { x: b.x, y: b.y, w: Some(snap(w.max(160.0))), h: Some(snap(h.max(100.0))) });
            Ok((out, Applied::default()))
        }
        Edit::RemoveActor(r) => {
            let mut out = doc.clone();
            out.layout.remove(r);
            Ok((out, Applied::default()))
        }
        Edit::Add { what, at, near } => add(doc, *what, *at, near.as_deref()),
    }
}

/// Reads an edited document back into the format's types (through the core's one reader,
/// so the message names the field).
fn read_back(v: Value) -> Result<Scenario, String> {
    vpcsim_core::scenario::from_value(v).map_err(|d| format!("not applied: {} at {}", d.message, d.at))
}

/// Runs a change on the document as JSON, and reads it back into the format's types.
fn with_json(doc: &Scenario, f: impl FnOnce(&mut Value) -> Result<(), String>) -> Result<Scenario, String> {
    let mut v = vpcsim_core::scenario::to_value(doc);
    f(&mut v)?;
    read_back(v)
}

fn array_at<'a>(v: &'a mut Value, pointer: &str) -> Result<&'a mut Vec<Value>, String> {
    ensure_container(v, pointer, true)?;
    v.pointer_mut(pointer).and_then(Value::as_array_mut).ok_or_else(|| format!("{pointer} is not a list"))
}

/// Creates missing objects (and the final array) along a pointer, for collections that
/// serialization leaves out when empty.
fn ensure_container(v: &mut Value, pointer: &str, array: bool) -> Result<(), String> {
    let mut cur = v;
    let parts: Vec<String> = pointer.split('/').skip(1).map(|p| p.replace("~1", "/").replace("~0", "~")).collect();
    let n = parts.len();
    for (i, p) in parts.into_iter().enumerate() {
        let last = i + 1 == n;
        cur = match cur {
            Value::Object(m) => m.entry(p).or_insert_with(|| if last && array { Value::Array(vec![]) } else { Value::Object(Map::new()) }),
            Value::Array(a) => {
                let k: usize = p.parse().map_err(|_| format!("{pointer}: `{p}` is not an index"))?;
                a.get_mut(k).ok_or_else(|| format!("{pointer}: no element {k}"))?
            }
            _ => return Err(format!("{pointer} does not lead to a list")),
        };
    }
    Ok(())
}

fn set(v: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    let (parent, last) = pointer.rsplit_once('/').ok_or_else(|| format!("`{pointer}` is not a JSON pointer"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    if !parent.is_empty() {
        ensure_container(v, parent, false)?;
    }
    let target = if parent.is_empty() { Some(v) } else { v.pointer_mut(parent) };
    match target {
        Some(Value::Object(m)) => {
            if value.is_null() {
                m.remove(&last);
            } else {
                m.insert(last, value);
            }
            Ok(())
        }
        Some(Value::Array(a)) => {
            let k: usize = last.parse().map_err(|_| format!("{pointer}: `{last}` is not an index"))?;
            let slot = a.get_mut(k).ok_or_else(|| format!("{pointer}: no element {k}"))?;
            *slot = value;
            Ok(())
        }
        _ => Err(format!("{pointer} does not exist")),
    }
}

/// Every id and SageMaker name in the document.
fn taken(doc: &Scenario) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    {
        let v = vpcsim_core::scenario::to_value(doc);
        for k in Kind::ALL {
            if let Some(a) = v.pointer(k.collection()).and_then(Value::as_array) {
                out.extend(a.iter().filter_map(|e| e.get(k.key_field()).and_then(Value::as_str)).map(str::to_owned));
            }
        }
        // Attachment ids are ids too.
        if let Some(a) = v.pointer("/network/transit_gateways").and_then(Value::as_array) {
            for t in a {
                if let Some(att) = t.get("attachments").and_then(Value::as_array) {
                    out.extend(att.iter().filter_map(|e| e.get("id").and_then(Value::as_str)).map(str::to_owned));
                }
            }
        }
    }
    out
}

/// A fresh id: `prefix` followed by the first unused number.
pub fn fresh_id(doc: &Scenario, prefix: &str) -> String {
    let t = taken(doc);
    (1..).map(|n| format!("{prefix}{n}")).find(|c| !t.contains(c)).unwrap_or_else(|| format!("{prefix}new"))
}

/// The first /24 (or /20 for VPCs) free inside `cidr`, avoiding `used`.
fn free_block(cidr: &str, used: &[String], prefix_len: u8) -> Option<String> {
    let net: ipnet::Ipv4Net = cidr.parse().ok()?;
    let used: Vec<ipnet::Ipv4Net> = used.iter().filter_map(|u| u.parse().ok()).collect();
    let subnets = net.subnets(prefix_len).ok()?;
    subnets.into_iter().find(|s| !used.iter().any(|u| u.contains(&s.network()) || s.contains(&u.network()))).map(|s| s.to_string())
}

fn add(doc: &Scenario, what: Palette, at: Option<Point>, near: Option<&str>) -> Result<(Scenario, Applied), String> {
    let sc = scene(doc);
    // The container: the subnet under the drop point, else the selection's subnet/VPC.
    let subnet_at =
        |p: Point| sc.subnets.iter().rev().find(|b| p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h).map(|b| b.id.clone());
    let vpc_at =
        |p: Point| sc.vpcs.iter().rev().find(|b| p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h).map(|b| b.id.clone());
    let near_item = near.and_then(|r| item_for_reference(doc, r));
    let subnet = at.and_then(subnet_at).or_else(|| match &near_item {
        Some(Item { kind: Kind::Subnet, key }) => Some(key.clone()),
        Some(Item { kind: Kind::Instance, key }) => doc.network.instances.iter().find(|i| &i.id == key).map(|i| i.subnet.clone()),
        Some(Item { kind: Kind::NatGateway, key }) => doc.network.nat_gateways.iter().find(|i| &i.id == key).map(|i| i.subnet.clone()),
        _ => None,
    });
    let vpc = subnet
        .as_ref()
        .and_then(|s| doc.network.subnets.iter().find(|x| &x.id == s).map(|x| x.vpc.clone()))
        .or_else(|| at.and_then(vpc_at))
        .or_else(|| match &near_item {
            Some(Item { kind: Kind::Vpc, key }) => Some(key.clone()),
            _ => None,
        })
        .or_else(|| doc.network.vpcs.first().map(|v| v.id.clone()));
    let subnet = subnet.or_else(|| {
        let v = vpc.as_ref()?;
        doc.network.subnets.iter().find(|s| &s.vpc == v).map(|s| s.id.clone())
    });
    let need_vpc = || vpc.clone().ok_or_else(|| "add a VPC first: this resource lives in a VPC".to_owned());
    let need_subnet = || {
        need_vpc()?;
        subnet.clone().ok_or_else(|| "add a subnet first: this resource lives in a subnet".to_owned())
    };
    let vpc_sg = |vpc: &str| doc.network.security_groups.iter().find(|g| g.vpc == vpc).map(|g| g.id.clone());
    let mut out = doc.clone();
    let mut select = Vec::new();
    let mut push = |out: &mut Scenario, kind: Kind, value: Value| -> Result<String, String> {
        let key = value.get(kind.key_field()).and_then(Value::as_str).unwrap_or_default().to_owned();
        *out = with_json(out, |v| array_at(v, kind.collection()).map(|a| a.push(value)))?;
        let item = Item::new(kind, key);
        let r = item.reference(out);
        select.push(r.clone());
        Ok(r)
    };
    let reference = match what {
        Palette::Vpc => {
            let used: Vec<String> = doc.network.vpcs.iter().flat_map(|v| v.cidr_blocks.clone()).collect();
            let cidr = free_block("10.0.0.0/8", &used, 16).ok_or("no free /16 left in 10.0.0.0/8")?;
            let id = fresh_id(doc, "vpc-");
            let r = push(&mut out, Kind::Vpc, json!({"id": id, "name": "new-vpc", "cidr_blocks": [cidr]}))?;
            if let Some(p) = at {
                out.layout.insert(r.clone(), LayoutHint { x: snap(p.x), y: snap(p.y), w: Some(660.0), h: Some(320.0) });
            }
            r
        }
        Palette::Subnet => {
            let vpc = need_vpc()?;
            let block = doc.network.vpcs.iter().find(|v| v.id == vpc).and_then(|v| v.cidr_blocks.first().cloned()).unwrap_or_default();
            let used: Vec<String> = doc.network.subnets.iter().filter(|s| s.vpc == vpc).map(|s| s.cidr.clone()).collect();
            let cidr = free_block(&block, &used, 24).ok_or_else(|| format!("VPC {vpc} has no free /24 left"))?;
            let id = fresh_id(doc, "subnet-");
            let region = doc.network.region.clone().unwrap_or_else(|| "us-east-1".into());
            let n_in_vpc = used.len();
            let az = format!("{region}{}", if n_in_vpc.is_multiple_of(2) { "a" } else { "b" });
            let r = push(&mut out, Kind::Subnet, json!({"id": id, "name": "new-subnet", "vpc": vpc, "cidr": cidr, "az": az}))?;
            if let Some(p) = at {
                out.layout.insert(r.clone(), LayoutHint { x: snap(p.x - 150.0), y: snap(p.y - 40.0), w: Some(400.0), h: Some(200.0) });
            }
            r
        }
        Palette::Instance => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let id = fresh_id(doc, "i-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(&mut out, Kind::Instance, json!({"id": id, "name": "new-instance", "subnet": s, "security_groups": sgs}))?
        }
        Palette::Notebook => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let name = fresh_id(doc, "notebook-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(
                &mut out,
                Kind::Notebook,
                json!({"name": name, "subnet": s, "security_groups": sgs, "direct_internet_access": false, "root_access": false}),
            )?
        }
        Palette::TrainingJob => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let name = fresh_id(doc, "training-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(
                &mut out,
                Kind::TrainingJob,
                json!({"name": name, "vpc_config": {"subnets": [s], "security_groups": sgs}, "network_isolation": true}),
            )?
        }
        Palette::Endpoint => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let name = fresh_id(doc, "endpoint-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(&mut out, Kind::Endpoint, json!({"name": name, "vpc_config": {"subnets": [s], "security_groups": sgs}}))?
        }
        Palette::Domain => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let name = fresh_id(doc, "studio-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(
                &mut out,
                Kind::Domain,
                json!({"name": name, "network_access": "VpcOnly", "vpc": v, "subnets": [s], "security_groups": sgs}),
            )?
        }
        Palette::NatGateway => {
            let s = need_subnet()?;
            let id = fresh_id(doc, "nat-");
            push(&mut out, Kind::NatGateway, json!({"id": id, "subnet": s}))?
        }
        Palette::InternetGateway => {
            let v = need_vpc()?;
            if doc.network.internet_gateways.iter().any(|g| g.vpc.as_deref() == Some(v.as_str())) {
                return Err(format!("VPC {v} already has an internet gateway: a VPC has at most one (RT-8)"));
            }
            let id = fresh_id(doc, "igw-");
            push(&mut out, Kind::InternetGateway, json!({"id": id, "vpc": v}))?
        }
        Palette::GatewayEndpoint => {
            let v = need_vpc()?;
            let id = fresh_id(doc, "vpce-");
            let rtbs: Vec<String> = doc.network.route_tables.iter().filter(|t| t.vpc == v).map(|t| t.id.clone()).collect();
            push(&mut out, Kind::VpcEndpoint, json!({"id": id, "vpc": v, "service": "s3", "type": "gateway", "route_tables": rtbs}))?
        }
        Palette::InterfaceEndpoint => {
            let s = need_subnet()?;
            let v = need_vpc()?;
            let id = fresh_id(doc, "vpce-");
            let sgs: Vec<String> = vpc_sg(&v).into_iter().collect();
            push(
                &mut out,
                Kind::VpcEndpoint,
                json!({"id": id, "vpc": v, "service": "sagemaker.runtime", "type": "interface", "subnets": [s], "security_groups": sgs}),
            )?
        }
        Palette::Peering => {
            let v = need_vpc()?;
            let other = doc
                .network
                .vpcs
                .iter()
                .find(|x| x.id != v)
                .map(|x| x.id.clone())
                .ok_or("add a second VPC first: peering connects two VPCs")?;
            let id = fresh_id(doc, "pcx-");
            push(&mut out, Kind::Peering, json!({"id": id, "requester_vpc": v, "accepter_vpc": other}))?
        }
        Palette::SecurityGroup => {
            let v = need_vpc()?;
            let id = fresh_id(doc, "sg-");
            // SG-12: a new group allows all outbound traffic and no inbound traffic.
            push(
                &mut out,
                Kind::SecurityGroup,
                json!({"id": id, "name": id, "vpc": v, "inbound": [], "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}),
            )?
        }
        Palette::NetworkAcl => {
            let v = need_vpc()?;
            let id = fresh_id(doc, "acl-");
            // NACL-5: a new custom network ACL denies everything until rules are added.
            push(&mut out, Kind::NetworkAcl, json!({"id": id, "vpc": v, "inbound": [], "outbound": []}))?
        }
        Palette::RouteTable => {
            let v = need_vpc()?;
            let id = fresh_id(doc, "rtb-");
            push(&mut out, Kind::RouteTable, json!({"id": id, "vpc": v, "routes": []}))?
        }
        Palette::InternetHost => {
            let id = fresh_id(doc, "ext-");
            push(&mut out, Kind::External, json!({"id": id, "name": "internet host", "kind": "internet", "cidr": "203.0.113.0/24"}))?
        }
        Palette::Corporate => {
            let id = fresh_id(doc, "ext-");
            push(&mut out, Kind::External, json!({"id": id, "name": "corporate network", "kind": "corporate", "cidr": "172.16.0.0/12"}))?
        }
        Palette::S3 | Palette::SageMakerApi | Palette::SageMakerRuntime => {
            let r = match what {
                Palette::S3 => "service:s3",
                Palette::SageMakerApi => "service:sagemaker.api",
                _ => "service:sagemaker.runtime",
            };
            let p = at.unwrap_or(Point {
                x: sc.width + 40.0,
                y: 80.0 + 90.0 * out.layout.keys().filter(|k| k.starts_with("service:")).count() as f64,
            });
            out.layout.insert(r.to_owned(), LayoutHint { x: snap(p.x), y: snap(p.y), w: None, h: None });
            select.push(r.to_owned());
            r.to_owned()
        }
    };
    // A card dropped at a point stays there.
    // Boxes are placed above; gateways and peering connections are placed by the layout on
    // their VPC's edge or beside the VPCs they join.
    let is_box = matches!(what, Palette::Vpc | Palette::Subnet | Palette::InternetGateway | Palette::GatewayEndpoint | Palette::Peering);
    let is_card = scene(&out).cards.iter().any(|c| c.id == reference);
    if let (Some(p), false, true) = (at, is_box, is_card) {
        out.layout.insert(reference, LayoutHint { x: snap(p.x), y: snap(p.y), w: None, h: None });
    }
    Ok((out, Applied { select }))
}

/// Fields that hold one reference to a container: deleting the container deletes the entry.
const OWNER_FIELDS: [&str; 4] = ["vpc", "subnet", "requester_vpc", "accepter_vpc"];
/// Fields never rewritten when references change.
const TEXT_FIELDS: [&str; 3] = ["name", "description", "model"];

fn delete(doc: &Scenario, items: &[Item]) -> Result<(Scenario, Applied), String> {
    let mut gone: BTreeSet<String> = BTreeSet::new();
    let mut gone_refs: BTreeSet<String> = BTreeSet::new();
    for it in items {
        gone_refs.insert(it.reference(doc));
        if !it.kind.is_sagemaker() {
            gone.insert(it.key.clone());
        }
    }
    let mut v = vpcsim_core::scenario::to_value(doc);
    // Remove the SageMaker items by name.
    for it in items.iter().filter(|i| i.kind.is_sagemaker()) {
        if let Some(a) = v.pointer_mut(it.kind.collection()).and_then(Value::as_array_mut) {
            a.retain(|e| e.get("name").and_then(Value::as_str) != Some(it.key.as_str()));
        }
    }
    // Remove by id, cascading through owner fields until nothing changes.
    loop {
        let before = gone.len();
        for k in Kind::ALL {
            let Some(a) = v.pointer_mut(k.collection()).and_then(Value::as_array_mut) else { continue };
            a.retain(|e| {
                let id = e.get(k.key_field()).and_then(Value::as_str).unwrap_or_default().to_owned();
                let owned_by_gone = OWNER_FIELDS.iter().any(|f| e.get(*f).and_then(Value::as_str).is_some_and(|o| gone.contains(o)));
                let vpc_config_gone = e
                    .pointer("/vpc_config/subnets")
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty() && s.iter().all(|x| x.as_str().is_some_and(|x| gone.contains(x))));
                let dead = (!k.is_sagemaker() && gone.contains(&id)) || owned_by_gone || vpc_config_gone;
                if dead {
                    if k.is_sagemaker() {
                        gone_refs.insert(Item::new(k, id.clone()).reference(doc));
                    } else {
                        gone.insert(id);
                    }
                }
                !dead
            });
        }
        if gone.len() == before {
            break;
        }
    }
    // Drop references from lists of ids (subnets: [...], security_groups: [...]).
    strip_refs(&mut v, &gone);
    if let Some(Value::Object(layout)) = v.get_mut("layout") {
        layout.retain(|k, _| !gone.contains(k) && !gone_refs.contains(k));
    }
    for r in items.iter().map(|i| i.reference(doc)) {
        if r.starts_with("service:") || r == "internet" {
            if let Some(Value::Object(layout)) = v.get_mut("layout") {
                layout.remove(&r);
            }
        }
    }
    let out: Scenario = read_back(v)?;
    Ok((out, Applied::default()))
}

fn strip_refs(v: &mut Value, gone: &BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if TEXT_FIELDS.contains(&k.as_str()) || k == "probes" || k == "layout" || k == "policy" {
                    continue;
                }
                if let Value::Array(a) = x {
                    if a.iter().all(Value::is_string) {
                        a.retain(|s| s.as_str().is_none_or(|s| !gone.contains(s)));
                        continue;
                    }
                }
                strip_refs(x, gone);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| strip_refs(x, gone)),
        _ => {}
    }
}

/// Replaces every string equal to `from` by `to`, outside text fields and policies.
fn replace_refs(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if !TEXT_FIELDS.contains(&k.as_str()) && k != "policy" {
                    replace_refs(x, from, to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_refs(x, from, to)),
        _ => {}
    }
}

/// A `Set` that keeps references true: an id set in place (a transit gateway attachment's,
/// say) is followed by what names it, and a job switched between training and
/// processing keeps its layout, probes and selection under its new reference.
fn set_following_references(doc: &Scenario, pointer: &str, value: &Value) -> Result<(Scenario, Applied), String> {
    let before = vpcsim_core::scenario::to_value(doc);
    let old_id = pointer.ends_with("/id").then(|| before.pointer(pointer).and_then(Value::as_str).map(str::to_owned)).flatten();
    let jobs_before: Vec<String> = (0..doc.network.sagemaker.training_jobs.len())
        .filter_map(|i| doc.network.sagemaker.training_jobs.get(i).map(|j| Item::new(Kind::TrainingJob, j.name.clone()).reference(doc)))
        .collect();
    let mut v = before;
    set(&mut v, pointer, value.clone())?;
    let mut select = Vec::new();
    if let (Some(old), Some(new)) = (old_id, value.as_str()) {
        // Only an id that was unique names something unambiguously (while typing, an id may
        // pass through another one's value).
        if !old.is_empty() && old != new && count_ids(&vpcsim_core::scenario::to_value(doc), &old) == 1 {
            replace_refs(&mut v, &old, new);
            // The field itself now holds `new` already; make sure it was not touched twice.
            set(&mut v, pointer, value.clone())?;
        }
    }
    let mut out = read_back(v)?;
    if pointer.starts_with("/network/sagemaker/training_jobs/") && pointer.ends_with("/kind") {
        for (i, old_ref) in jobs_before.iter().enumerate() {
            let Some(j) = out.network.sagemaker.training_jobs.get(i) else { continue };
            let new_ref = Item::new(Kind::TrainingJob, j.name.clone()).reference(&out);
            if &new_ref != old_ref {
                let mut v = vpcsim_core::scenario::to_value(&out);
                replace_refs(&mut v, old_ref, &new_ref);
                if let Some(Value::Object(layout)) = v.get_mut("layout") {
                    if let Some(h) = layout.remove(old_ref) {
                        layout.insert(new_ref.clone(), h);
                    }
                }
                out = read_back(v)?;
                select.push(new_ref);
            }
        }
    }
    Ok((out, Applied { select }))
}

/// How many `id` fields hold `id`.
fn count_ids(v: &Value, id: &str) -> usize {
    match v {
        Value::Object(m) => {
            usize::from(m.get("id").and_then(Value::as_str) == Some(id)) + m.values().map(|x| count_ids(x, id)).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(|x| count_ids(x, id)).sum(),
        _ => 0,
    }
}

fn rename(doc: &Scenario, item: &Item, to: &str) -> Result<(Scenario, Applied), String> {
    let to = to.trim();
    if to.is_empty() {
        return Err(format!("a {} needs a {}", item.kind.label(), item.kind.key_field()));
    }
    if to == item.key {
        return Ok((doc.clone(), Applied::default()));
    }
    if item.kind.is_sagemaker() {
        if index_of(doc, &Item::new(item.kind, to)).is_some() {
            return Err(format!("another {} is already named `{to}`", item.kind.label()));
        }
    } else if taken(doc).contains(to) {
        return Err(format!("`{to}` is already used by another resource: ids are unique"));
    }
    let old_ref = item.reference(doc);
    let idx = index_of(doc, item).ok_or_else(|| format!("{} `{}` no longer exists", item.kind.label(), item.key))?;
    let mut v = vpcsim_core::scenario::to_value(doc);
    set(&mut v, &format!("{}/{idx}/{}", item.kind.collection(), item.kind.key_field()), Value::String(to.to_owned()))?;
    let new_ref = Item::new(item.kind, to).reference_with_kind_of(doc, item);
    if item.kind.is_sagemaker() {
        replace_refs(&mut v, &old_ref, &new_ref);
    } else {
        replace_refs(&mut v, &item.key, to);
    }
    if let Some(Value::Object(layout)) = v.get_mut("layout") {
        if let Some(h) = layout.remove(&old_ref) {
            layout.insert(new_ref.clone(), h);
        }
    }
    let out: Scenario = read_back(v)?;
    Ok((out, Applied { select: vec![new_ref] }))
}

impl Item {
    /// The reference this item will have, with the (training or processing) kind of `old`.
    fn reference_with_kind_of(&self, doc: &Scenario, old: &Item) -> String {
        let old_ref = old.reference(doc);
        match old_ref.rsplit_once('/') {
            Some((prefix, _)) if self.kind.is_sagemaker() => format!("{prefix}/{}", self.key),
            _ => self.key.clone(),
        }
    }
}

fn duplicate(doc: &Scenario, items: &[Item]) -> Result<(Scenario, Applied), String> {
    let mut out = doc.clone();
    let mut select = Vec::new();
    let sc = scene(doc);
    for it in items {
        let Some(ptr) = it.pointer(&out) else { continue };
        let mut v = vpcsim_core::scenario::to_value(&out);
        let Some(mut copy) = v.pointer(&ptr).cloned() else { continue };
        let key = if it.kind.is_sagemaker() {
            let t: BTreeSet<String> =
                (1..).map(|n| format!("{}-copy{}", it.key, if n == 1 { String::new() } else { n.to_string() })).take(100).collect();
            t.into_iter().find(|c| index_of(&out, &Item::new(it.kind, c.clone())).is_none()).unwrap_or_else(|| format!("{}-copy", it.key))
        } else {
            fresh_id(&out, it.kind.id_prefix())
        };
        if let Some(m) = copy.as_object_mut() {
            m.insert(it.kind.key_field().to_owned(), Value::String(key.clone()));
            // Addresses and subnet associations are unique to the original.
            for f in ["private_ip", "public_ip", "eni", "ipv6"] {
                m.remove(f);
            }
            if matches!(it.kind, Kind::RouteTable | Kind::NetworkAcl) {
                m.insert("subnets".into(), json!([]));
                m.insert(if it.kind == Kind::RouteTable { "main" } else { "default" }.into(), Value::Bool(false));
            }
            if it.kind == Kind::Subnet {
                let vpc = m.get("vpc").and_then(Value::as_str).unwrap_or_default().to_owned();
                let block = out.network.vpcs.iter().find(|x| x.id == vpc).and_then(|x| x.cidr_blocks.first().cloned()).unwrap_or_default();
                let used: Vec<String> = out.network.subnets.iter().filter(|s| s.vpc == vpc).map(|s| s.cidr.clone()).collect();
                if let Some(c) = free_block(&block, &used, 24) {
                    m.insert("cidr".into(), Value::String(c));
                }
                m.remove("ipv6_cidr");
            }
            if it.kind == Kind::Vpc {
                let used: Vec<String> = out.network.vpcs.iter().flat_map(|v| v.cidr_blocks.clone()).collect();
                if let Some(c) = free_block("10.0.0.0/8", &used, 16) {
                    m.insert("cidr_blocks".into(), json!([c]));
                }
                m.remove("ipv6_cidr_blocks");
            }
        }
        array_at(&mut v, it.kind.collection())?.push(copy);
        out = read_back(v)?;
        let new_ref = Item::new(it.kind, key).reference_with_kind_of(doc, it);
        // Place the copy next to the original.
        let old_ref = it.reference(doc);
        if let Some(c) = sc.cards.iter().find(|c| c.id == old_ref) {
            out.layout.insert(new_ref.clone(), LayoutHint { x: snap(c.at.x + 30.0), y: snap(c.at.y + 30.0), w: None, h: None });
        } else if let Some(b) = sc.vpcs.iter().chain(sc.subnets.iter()).find(|b| b.id == old_ref) {
            out.layout.insert(new_ref.clone(), LayoutHint { x: snap(b.x + 30.0), y: snap(b.y + b.h + 20.0), w: Some(b.w), h: Some(b.h) });
        }
        select.push(new_ref);
    }
    Ok((out, Applied { select }))
}

/// What a box contains: subnets of a VPC, cards of a subnet (by position).
fn contents(sc: &Scene, reference: &str) -> Vec<String> {
    let Some(b) = sc.vpcs.iter().chain(sc.subnets.iter()).find(|b| b.id == reference) else { return vec![] };
    let inside = |x: f64, y: f64| x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
    let mut out: Vec<String> =
        sc.subnets.iter().filter(|s| s.id != reference && inside(s.x + 1.0, s.y + 1.0)).map(|s| s.id.clone()).collect();
    out.extend(sc.cards.iter().filter(|c| inside(c.at.x, c.at.y)).map(|c| c.id.clone()));
    out
}

fn move_by(doc: &Scenario, refs: &[String], dx: f64, dy: f64, snapping: bool) -> Scenario {
    let sc = scene(doc);
    let mut all: BTreeSet<String> = refs.iter().cloned().collect();
    for r in refs {
        all.extend(contents(&sc, r));
    }
    let mut out = doc.clone();
    let s = |v: f64| if snapping { snap(v) } else { v };
    for r in all {
        if let Some(b) = sc.vpcs.iter().chain(sc.subnets.iter()).find(|b| b.id == r) {
            out.layout.insert(r, LayoutHint { x: s(b.x + dx), y: s(b.y + dy), w: Some(b.w), h: Some(b.h) });
        } else if let Some(c) = sc.cards.iter().find(|c| c.id == r) {
            let x = s(c.at.x + dx).max(CARD_W / 2.0);
            let y = s(c.at.y + dy).max(CARD_H / 2.0);
            out.layout.insert(r, LayoutHint { x, y, w: None, h: None });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snap_rounds_to_the_grid() {
        assert_eq!(snap(14.9), 10.0);
        assert_eq!(snap(15.1), 20.0);
    }

    #[test]
    fn free_block_skips_used_blocks() {
        assert_eq!(free_block("10.0.0.0/16", &["10.0.0.0/24".into(), "10.0.1.0/24".into()], 24).as_deref(), Some("10.0.2.0/24"));
        assert_eq!(free_block("10.0.0.0/24", &["10.0.0.0/24".into()], 24), None);
    }
}
