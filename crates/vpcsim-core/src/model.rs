//! The compiled, validated network that the evaluator walks.
//!
//! [`Network::build`] lowers a [`Scenario`](crate::scenario::Scenario) document into
//! arenas of resources addressed by typed indices, collecting every problem as a
//! [`Diagnostic`] and leaving out (or neutralising) what is invalid. Once built, the
//! network is immutable: rule sets are parsed once, NACL entries are sorted by number,
//! routes are sorted longest prefix first, and lookup tables (address → interface,
//! security group → member addresses) are precomputed, so a trace never re-reads JSON.
//!
//! Model types are not serializable on purpose: the document is the serialized form.

use crate::addr::{Cidr, IcmpMatch, PortRange, Protocol, Traffic};
use crate::diag::{did_you_mean, Diagnostic};
use crate::scenario::{self, NetworkDoc, Scenario};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr};

macro_rules! index_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            pub(crate) fn new(i: usize) -> Self {
                Self(u32::try_from(i).unwrap_or(u32::MAX))
            }
            pub(crate) fn get(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

index_type!(
    /// Index of a VPC.
    VpcIx,
    /// Index of a subnet.
    SubnetIx,
    /// Index of a route table.
    RtbIx,
    /// Index of a network ACL.
    NaclIx,
    /// Index of a security group.
    SgIx,
    /// Index of a network interface.
    EniIx,
    /// Index of an internet gateway.
    IgwIx,
    /// Index of a NAT gateway.
    NatIx,
    /// Index of a VPC endpoint.
    VpceIx,
    /// Index of a peering connection.
    PcxIx,
    /// Index of a prefix list.
    PlIx,
    /// Index of an external host or network.
    ExtIx,
        /// Index of a SageMaker resource.
    SmIx,
    /// Index of an egress-only internet gateway.
    EigwIx,
    /// Index of a transit gateway.
    TgwIx,
);

/// A VPC.
#[derive(Clone, Debug)]
pub struct Vpc {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IPv4 blocks, primary first.
    pub cidrs: Vec<Ipv4Net>,
    /// IPv6 blocks.
    pub cidrs_v6: Vec<Ipv6Net>,
    /// The default NACL (NACL-1).
    pub default_nacl: NaclIx,
    /// The main route table (RT-1).
    pub main_rtb: RtbIx,
    /// The attached internet gateway.
    pub igw: Option<IgwIx>,
    /// The attached egress-only internet gateway.
    pub eigw: Option<EigwIx>,
}

impl Vpc {
    /// Whether the address lies in one of the VPC's blocks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => self.cidrs.iter().any(|c| c.contains(&v4)),
            IpAddr::V6(v6) => self.cidrs_v6.iter().any(|c| c.contains(&v6)),
        }
    }

    /// The Amazon DNS server address: primary CIDR base + 2 (EX-2).
    pub fn dns_address(&self) -> Option<IpAddr> {
        let base = u32::from(self.cidrs.first()?.network());
        Some(IpAddr::V4(Ipv4Addr::from(base.checked_add(2)?)))
    }
}

/// A subnet with its effective associations.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// IPv4 block.
    pub cidr: Ipv4Net,
    /// IPv6 block.
    pub cidr_v6: Option<Ipv6Net>,
    /// Availability Zone.
    pub az: String,
    /// Effective NACL: explicit, else the VPC default (NACL-1).
    pub nacl: NaclIx,
    /// Effective route table: explicit, else the main table (RT-1).
    pub rtb: RtbIx,
}

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// Within the VPC (RT-2).
    Local,
    /// An internet gateway.
    Igw(IgwIx),
    /// An egress-only internet gateway (IPv6, RT-12).
    Eigw(EigwIx),
    /// A NAT gateway.
    Nat(NatIx),
    /// A peering connection.
    Pcx(PcxIx),
    /// A gateway VPC endpoint.
    Vpce(VpceIx),
    /// A network interface (an appliance).
    Eni(EniIx),
    /// A transit gateway.
    Tgw(TgwIx),
    /// A virtual private gateway, by id: traffic leaves for the Site-to-Site VPN, which
    /// vpcsim does not model beyond the gateway (RT-4, RT-7, RT-9).
    Vgw(String),
    /// The target does not exist: the route is a blackhole (RT-6).
    Blackhole(String),
}

/// What a route matches.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteDest {
    /// A CIDR.
    Cidr(Cidr),
    /// Every CIDR of a prefix list (EP-2).
    PrefixList(PlIx),
}

/// One route.
#[derive(Clone, Debug)]
pub struct Route {
    /// What it matches.
    pub dest: RouteDest,
    /// Where it sends.
    pub target: Target,
    /// The target as written (`local`, `igw-1`).
    pub target_id: String,
    /// Propagated rather than static (RT-4).
    pub propagated: bool,
    /// The destination as shown (`10.0.0.0/16`, `pl-s3`), rendered once.
    pub dest_text: String,
}

/// One prefix length of a route table's compiled lookup: destinations sorted by their
/// masked bits, the best route per destination only.
#[derive(Clone, Debug, Default)]
pub(crate) struct LpmBucket {
    pub(crate) len: u8,
    pub(crate) v6: bool,
    pub(crate) mask: u128,
    /// (masked bits, route index), sorted by bits.
    pub(crate) entries: Vec<(u128, u32)>,
}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Id.
    pub id: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// Whether it is the main table.
    pub main: bool,
    /// Routes: the implicit local routes first, then the document's.
    pub routes: Vec<Route>,
    /// Compiled longest-prefix-match lookup: one bucket per prefix length, longest
    /// first; within a destination, static CIDR beats prefix list beats propagated
    /// (RT-3, RT-4, RT-5).
    pub(crate) lpm: Vec<LpmBucket>,
}

/// One numbered NACL entry.
#[derive(Clone, Debug)]
pub struct NaclEntry {
    /// Rule number 1-32766.
    pub number: u16,
    /// Allow or deny.
    pub allow: bool,
    /// Matched traffic.
    pub traffic: Traffic,
    /// Source (inbound) or destination (outbound) block.
    pub cidr: Cidr,
    /// The entry as shown (`100 allow tcp/443 from 0.0.0.0/0`), rendered once.
    pub text: String,
}

/// A network ACL; entries sorted by rule number (NACL-2).
#[derive(Clone, Debug)]
pub struct Nacl {
    /// Id.
    pub id: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// Whether it is the VPC's default NACL.
    pub is_default: bool,
    /// Whether vpcsim created it because the document named no default NACL.
    pub implicit: bool,
    /// Inbound entries, lowest number first.
    pub inbound: Vec<NaclEntry>,
    /// Outbound entries, lowest number first.
    pub outbound: Vec<NaclEntry>,
}

/// The peer of a security group rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    /// A CIDR.
    Cidr(Cidr),
    /// A prefix list.
    PrefixList(PlIx),
    /// Members of a security group (their private addresses, SG-16).
    Sg(SgIx),
    /// A group that does not exist: a stale rule that matches nothing (SG-17).
    Stale(String),
}

/// One security group rule.
#[derive(Clone, Debug)]
pub struct SgRule {
    /// Position in the document's list, for locating it.
    pub position: usize,
    /// Matched traffic.
    pub traffic: Traffic,
    /// Peer.
    pub peer: Peer,
    /// Free text.
    pub description: String,
    /// The rule as AWS shows it for its direction (`tcp/443 from sg-web`), rendered once.
    pub text: String,
}

/// One direction of a group's rules, indexed so a packet checks only candidates:
/// TCP and UDP rules sorted by first port (those starting above the packet's port cannot
/// match), every other rule scanned. Built once per network.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleIndex {
    tcp: Vec<(u16, u32)>,
    udp: Vec<(u16, u32)>,
    other: Vec<u32>,
    /// Rules whose peer is 0.0.0.0/0 or ::/0 (SG-5 untracked flows).
    pub(crate) any_peer: Vec<u32>,
}

impl RuleIndex {
    fn build(rules: &[SgRule]) -> RuleIndex {
        let mut index = RuleIndex::default();
        for (k, r) in rules.iter().enumerate() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            match r.traffic {
                Traffic::Tcp(ports) => index.tcp.push((ports.from(), k)),
                Traffic::Udp(ports) => index.udp.push((ports.from(), k)),
                _ => index.other.push(k),
            }
            if matches!(&r.peer, Peer::Cidr(c) if c.is_any()) {
                index.any_peer.push(k);
            }
        }
        index.tcp.sort_unstable();
        index.udp.sort_unstable();
        index
    }

    /// Indexes of the rules that may match the packet, in no particular order.
    pub(crate) fn candidates(&self, l4: &crate::addr::L4) -> impl Iterator<Item = usize> + '_ {
        let ported: &[(u16, u32)] = match *l4 {
            crate::addr::L4::Tcp { dst_port, .. } => self.tcp.get(..self.tcp.partition_point(|(from, _)| *from <= dst_port)).unwrap_or(&[]),
            crate::addr::L4::Udp { dst_port, .. } => self.udp.get(..self.udp.partition_point(|(from, _)| *from <= dst_port)).unwrap_or(&[]),
            _ => &[],
        };
        ported.iter().map(|(_, k)| *k as usize).chain(self.other.iter().map(|k| *k as usize))
    }
}

/// A security group.
#[derive(Clone, Debug)]
pub struct Sg {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// Whether vpcsim created it as the VPC's default group (SG-13).
    pub implicit: bool,
    /// Inbound rules.
    pub inbound: Vec<SgRule>,
    /// Outbound rules.
    pub outbound: Vec<SgRule>,
    pub(crate) inbound_index: RuleIndex,
    pub(crate) outbound_index: RuleIndex,
}

/// What a network interface belongs to.
#[derive(Clone, Debug, PartialEq)]
pub enum Owner {
    /// An EC2 instance, by id.
    Instance(String),
    /// A NAT gateway.
    Nat(NatIx),
    /// An interface VPC endpoint.
    Vpce(VpceIx),
    /// A SageMaker resource.
    SageMaker(SmIx),
}

/// A network interface.
#[derive(Clone, Debug)]
pub struct Eni {
    /// Id.
    pub id: String,
    /// Display label of the owner (instance name, resource name).
    pub label: String,
    /// `label (private address)`, rendered once for hop labels.
    pub display: String,
    /// Subnet.
    pub subnet: SubnetIx,
    /// The VPC (the subnet's).
    pub vpc: VpcIx,
    /// Primary private IPv4.
    pub private_ip: IpAddr,
    /// Public IPv4 or Elastic IP.
    pub public_ip: Option<IpAddr>,
    /// IPv6 address (public by nature).
    pub ipv6: Option<IpAddr>,
    /// Security groups (none for NAT gateway interfaces, RT-10).
    pub sgs: Vec<SgIx>,
    /// Owner.
    pub owner: Owner,
}

/// An internet gateway.
#[derive(Clone, Debug)]
pub struct Igw {
    /// Id.
    pub id: String,
    /// The attached VPC.
    pub vpc: Option<VpcIx>,
}

/// A NAT gateway.
#[derive(Clone, Debug)]
pub struct Nat {
    /// Id.
    pub id: String,
    /// Its subnet.
    pub subnet: SubnetIx,
    /// Its interface.
    pub eni: EniIx,
    /// Public (with an Elastic IP) or private connectivity.
    pub public: bool,
}

/// An AWS service that packets can reach, publicly or through an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// Amazon S3.
    S3,
    /// DynamoDB.
    DynamoDb,
    /// SageMaker API (`sagemaker.api`).
    SageMakerApi,
    /// SageMaker Runtime (`sagemaker.runtime`), InvokeEndpoint.
    SageMakerRuntime,
    /// STS.
    Sts,
    /// CloudWatch Logs.
    Logs,
    /// ECR API.
    EcrApi,
    /// ECR Docker registry.
    EcrDkr,
    /// SageMaker notebook instances' web interface (`aws.sagemaker.REGION.notebook`, SM-5).
    SageMakerNotebook,
    /// SageMaker Studio's web interface (`aws.sagemaker.REGION.studio`, SM-15).
    SageMakerStudio,
}

impl Service {
    /// Every service vpcsim knows.
    pub const ALL: [Service; 10] = [
        Service::S3,
        Service::DynamoDb,
        Service::SageMakerApi,
        Service::SageMakerRuntime,
        Service::Sts,
        Service::Logs,
        Service::EcrApi,
        Service::EcrDkr,
        Service::SageMakerNotebook,
        Service::SageMakerStudio,
    ];

    /// Short name used in references (`service:s3`) and in endpoint service names.
    pub fn short_name(self) -> &'static str {
        match self {
            Service::S3 => "s3",
            Service::DynamoDb => "dynamodb",
            Service::SageMakerApi => "sagemaker.api",
            Service::SageMakerRuntime => "sagemaker.runtime",
            Service::Sts => "sts",
            Service::Logs => "logs",
            Service::EcrApi => "ecr.api",
            Service::EcrDkr => "ecr.dkr",
            Service::SageMakerNotebook => "sagemaker.notebook",
            Service::SageMakerStudio => "sagemaker.studio",
        }
    }

    /// Human name.
    pub fn title(self) -> &'static str {
        match self {
            Service::S3 => "Amazon S3",
            Service::DynamoDb => "Amazon DynamoDB",
            Service::SageMakerApi => "SageMaker API",
            Service::SageMakerRuntime => "SageMaker Runtime",
            Service::Sts => "AWS STS",
            Service::Logs => "CloudWatch Logs",
            Service::EcrApi => "ECR API",
            Service::EcrDkr => "ECR registry",
            Service::SageMakerNotebook => "SageMaker notebook UI",
            Service::SageMakerStudio => "SageMaker Studio UI",
        }
    }

    /// Parses `s3`, `sagemaker.runtime` or `com.amazonaws.REGION.sagemaker.runtime`.
    pub fn parse(name: &str) -> Option<Service> {
        // `aws.sagemaker.REGION.notebook` and `...studio` (SM-5, SM-15).
        if let Some(rest) = name.strip_prefix("aws.sagemaker.") {
            return match rest.rsplit('.').next() {
                Some("notebook") => Some(Service::SageMakerNotebook),
                Some("studio") => Some(Service::SageMakerStudio),
                _ => None,
            };
        }
        let short = name.strip_prefix("com.amazonaws.").and_then(|rest| rest.split_once('.').map(|(_, svc)| svc)).unwrap_or(name);
        Service::ALL.into_iter().find(|s| s.short_name() == short)
    }

    /// Whether a gateway endpoint exists for it (EP-1).
    pub fn has_gateway_endpoint(self) -> bool {
        matches!(self, Service::S3 | Service::DynamoDb)
    }

    /// A representative public address block of the service front door. Real ranges
    /// come from AWS's ip-ranges.json, which vpcsim does not model.
    pub fn public_block(self) -> Ipv4Net {
        let (a, b) = match self {
            Service::S3 => ([52, 216, 0, 0], 15),
            Service::DynamoDb => ([3, 218, 180, 0], 22),
            Service::SageMakerApi => ([54, 239, 16, 0], 24),
            Service::SageMakerRuntime => ([54, 239, 17, 0], 24),
            Service::Sts => ([54, 239, 29, 0], 24),
            Service::Logs => ([54, 239, 30, 0], 24),
            Service::EcrApi => ([54, 239, 31, 0], 24),
            Service::EcrDkr => ([54, 239, 32, 0], 24),
            Service::SageMakerNotebook => ([54, 239, 33, 0], 24),
            Service::SageMakerStudio => ([54, 239, 34, 0], 24),
        };
        Ipv4Net::new(Ipv4Addr::from(a), b).unwrap_or_default()
    }

    /// The address used as the front door in traces (the block's 10th address).
    pub fn front_door(self) -> IpAddr {
        let base = u32::from(self.public_block().network());
        IpAddr::V4(Ipv4Addr::from(base.saturating_add(10)))
    }

    /// The service whose public block holds `ip`.
    pub fn by_address(ip: IpAddr) -> Option<Service> {
        match ip {
            IpAddr::V4(v4) => Service::ALL.into_iter().find(|s| s.public_block().contains(&v4)),
            IpAddr::V6(_) => None,
        }
    }
}

/// Kind of a VPC endpoint.
#[derive(Clone, Debug)]
pub enum VpceKind {
    /// Gateway endpoint, through route-table prefix-list routes (EP-2).
    Gateway {
        /// Associated route tables.
        route_tables: Vec<RtbIx>,
    },
    /// Interface endpoint, through network interfaces (EP-7).
    Interface {
        /// One interface per subnet.
        enis: Vec<EniIx>,
        /// Private DNS (EP-9).
        private_dns: bool,
    },
}

/// A VPC endpoint.
#[derive(Clone, Debug)]
pub struct Vpce {
    /// Id.
    pub id: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// The service.
    pub service: Service,
    /// Gateway or interface.
    pub kind: VpceKind,
    /// The endpoint policy, if not the default full-access one (EP-10).
    pub policy: Option<serde_json::Value>,
}

/// A VPC peering connection.
#[derive(Clone, Debug)]
pub struct Peering {
    /// Id.
    pub id: String,
    /// Requester VPC.
    pub requester: VpcIx,
    /// Accepter VPC.
    pub accepter: VpcIx,
    /// Status as written (`active`, ...).
    pub status: String,
}

impl Peering {
    /// Whether traffic flows (RT-13, SG-17).
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The VPC at the other end, if `vpc` is one end.
    pub fn other_end(&self, vpc: VpcIx) -> Option<VpcIx> {
        if self.requester == vpc {
            Some(self.accepter)
        } else if self.accepter == vpc {
            Some(self.requester)
        } else {
            None
        }
    }
}

/// A prefix list.
#[derive(Clone, Debug)]
pub struct PrefixList {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Entries.
    pub cidrs: Vec<Cidr>,
    /// The AWS service it stands for (`pl-s3`), if any.
    pub service: Option<Service>,
}

/// A host or network outside AWS.
#[derive(Clone, Debug)]
pub struct External {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether it is on the internet (else on-premises).
    pub internet: bool,
    /// Its address block.
    pub cidr: IpNet,
}

/// Kind of SageMaker resource.
#[derive(Clone, Debug, PartialEq)]
pub enum SmKind {
    /// Notebook instance.
    Notebook {
        /// DirectInternetAccess Enabled (SM-3).
        direct_internet_access: bool,
        /// RootAccess Enabled.
        root_access: bool,
    },
    /// Training or processing job.
    TrainingJob {
        /// `processing` rather than `training`.
        processing: bool,
        /// EnableNetworkIsolation (SM-8).
        network_isolation: bool,
        /// EnableInterContainerTrafficEncryption (SM-9).
        inter_container_encryption: bool,
    },
    /// Inference endpoint with its model.
    Endpoint {
        /// The model's EnableNetworkIsolation (SM-8).
        network_isolation: bool,
    },
    /// Studio domain.
    Domain {
        /// AppNetworkAccessType is VpcOnly (SM-13).
        vpc_only: bool,
    },
}

/// A SageMaker resource.
#[derive(Clone, Debug)]
pub struct SmResource {
    /// Reference, e.g. `sagemaker:endpoint/churn`.
    pub reference: String,
    /// Name.
    pub name: String,
    /// What it is and its settings.
    pub kind: SmKind,
    /// Its interface in your VPC (VpcConfig, SubnetId), if any.
    pub eni: Option<EniIx>,
}

/// Any resource, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// VPC.
    Vpc(VpcIx),
    /// Subnet.
    Subnet(SubnetIx),
    /// Route table.
    Rtb(RtbIx),
    /// NACL.
    Nacl(NaclIx),
    /// Security group.
    Sg(SgIx),
    /// Network interface.
    Eni(EniIx),
    /// Instance (its primary interface).
    Instance(EniIx),
    /// Internet gateway.
    Igw(IgwIx),
    /// NAT gateway.
    Nat(NatIx),
    /// VPC endpoint.
    Vpce(VpceIx),
    /// Peering connection.
    Pcx(PcxIx),
    /// Prefix list.
    Pl(PlIx),
    /// External host or network.
    External(ExtIx),
    /// SageMaker resource.
    SageMaker(SmIx),
    /// Egress-only internet gateway.
    Eigw(EigwIx),
    /// Transit gateway.
    Tgw(TgwIx),
    /// Transit gateway attachment.
    TgwAttachment(TgwIx),
}

/// An egress-only internet gateway.
#[derive(Clone, Debug)]
pub struct Eigw {
    /// Id.
    pub id: String,
    /// The attached VPC.
    pub vpc: Option<VpcIx>,
}

/// A VPC attachment of a transit gateway.
#[derive(Clone, Debug)]
pub struct TgwAttachment {
    /// Id.
    pub id: String,
    /// The VPC.
    pub vpc: VpcIx,
    /// Subnets holding its interfaces.
    pub subnets: Vec<SubnetIx>,
}

/// A transit gateway route.
#[derive(Clone, Debug)]
pub struct TgwRoute {
    /// Destination.
    pub dest: Cidr,
    /// Attachment index, or `None` for a blackhole.
    pub attachment: Option<usize>,
    /// Propagated from an attachment rather than static.
    pub propagated: bool,
}

/// A transit gateway with one route table (default association and propagation).
#[derive(Clone, Debug)]
pub struct Tgw {
    /// Id.
    pub id: String,
    /// VPC attachments.
    pub attachments: Vec<TgwAttachment>,
    /// Its route table: static and propagated routes.
    pub routes: Vec<TgwRoute>,
}

/// The validated network.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub(crate) vpcs: Vec<Vpc>,
    pub(crate) subnets: Vec<Subnet>,
    pub(crate) rtbs: Vec<RouteTable>,
    pub(crate) nacls: Vec<Nacl>,
    pub(crate) sgs: Vec<Sg>,
    pub(crate) enis: Vec<Eni>,
    pub(crate) igws: Vec<Igw>,
    pub(crate) nats: Vec<Nat>,
    pub(crate) vpces: Vec<Vpce>,
    pub(crate) peerings: Vec<Peering>,
    pub(crate) prefix_lists: Vec<PrefixList>,
    pub(crate) externals: Vec<External>,
    pub(crate) sagemaker: Vec<SmResource>,
    pub(crate) eigws: Vec<Eigw>,
    pub(crate) tgws: Vec<Tgw>,
    pub(crate) ids: HashMap<String, Node>,
    /// Private addresses → interface, per VPC.
    pub(crate) by_private_ip: HashMap<(VpcIx, IpAddr), EniIx>,
    /// Public addresses → interface.
    pub(crate) by_public_ip: HashMap<IpAddr, EniIx>,
    /// Security group → private addresses of its members and their VPC (SG-16).
    pub(crate) sg_members: Vec<HashMap<IpAddr, VpcIx>>,
    /// The document's region (`us-east-1` when absent), for ARNs of default API calls.
    pub(crate) region: String,
}

macro_rules! getter {
    ($($fn:ident: $ix:ty => $field:ident: $t:ty),* $(,)?) => {$(
        /// The resource at an index.
        pub fn $fn(&self, ix: $ix) -> Option<&$t> {
            self.$field.get(ix.get())
        }
    )*};
}

impl Network {
    getter!(
        vpc: VpcIx => vpcs: Vpc,
        subnet: SubnetIx => subnets: Subnet,
        rtb: RtbIx => rtbs: RouteTable,
        nacl: NaclIx => nacls: Nacl,
        sg: SgIx => sgs: Sg,
        eni: EniIx => enis: Eni,
        igw: IgwIx => igws: Igw,
        nat: NatIx => nats: Nat,
        vpce: VpceIx => vpces: Vpce,
        peering: PcxIx => peerings: Peering,
        prefix_list: PlIx => prefix_lists: PrefixList,
        external: ExtIx => externals: External,
                sagemaker_resource: SmIx => sagemaker: SmResource,
        eigw: EigwIx => eigws: Eigw,
        tgw: TgwIx => tgws: Tgw,
    );

    /// Looks a resource up by id.
    pub fn node(&self, id: &str) -> Option<Node> {
        self.ids.get(id).copied()
    }

    /// All network interfaces.
    pub fn enis(&self) -> impl Iterator<Item = (EniIx, &Eni)> {
        self.enis.iter().enumerate().map(|(i, e)| (EniIx::new(i), e))
    }

    /// All SageMaker resources.
    pub fn sagemaker_resources(&self) -> impl Iterator<Item = (SmIx, &SmResource)> {
        self.sagemaker.iter().enumerate().map(|(i, e)| (SmIx::new(i), e))
    }

    /// All external hosts.
    pub fn externals(&self) -> impl Iterator<Item = (ExtIx, &External)> {
        self.externals.iter().enumerate().map(|(i, e)| (ExtIx::new(i), e))
    }

    /// Number of interfaces.
    pub fn n_enis(&self) -> usize {
        self.enis.len()
    }

    /// The interface holding a private address in a VPC.
    pub fn eni_by_private_ip(&self, vpc: VpcIx, ip: IpAddr) -> Option<EniIx> {
        self.by_private_ip.get(&(vpc, ip)).copied()
    }

    /// The interface holding a public address.
    pub fn eni_by_public_ip(&self, ip: IpAddr) -> Option<EniIx> {
        self.by_public_ip.get(&ip).copied()
    }

    /// Whether `ip` is a private address of a member of `sg` that a rule of a group in
    /// `rule_vpc` may reference: same VPC, or an active peering (SG-16, SG-17).
    pub fn sg_has_member(&self, sg: SgIx, ip: IpAddr, rule_vpc: VpcIx) -> bool {
        match self.sg_members.get(sg.get()).and_then(|m| m.get(&ip)) {
            Some(member_vpc) if *member_vpc == rule_vpc => true,
            Some(member_vpc) => self.active_peering(rule_vpc, *member_vpc).is_some(),
            None => false,
        }
    }

    /// An active peering connection between two VPCs.
    pub fn active_peering(&self, a: VpcIx, b: VpcIx) -> Option<PcxIx> {
        self.peerings.iter().position(|p| p.is_active() && p.other_end(a) == Some(b)).map(PcxIx::new)
    }

    /// The drawable resource owning a node: for an interface, its instance, NAT gateway,
    /// endpoint or SageMaker resource; otherwise the id itself.
    pub fn resource_of(&self, id: &str) -> String {
        match self.node(id) {
            Some(Node::Eni(e)) => match self.eni(e).map(|x| &x.owner) {
                Some(Owner::Instance(i)) => i.clone(),
                Some(Owner::Nat(n)) => self.nat(*n).map(|x| x.id.clone()).unwrap_or_else(|| id.to_owned()),
                Some(Owner::Vpce(v)) => self.vpce(*v).map(|x| x.id.clone()).unwrap_or_else(|| id.to_owned()),
                Some(Owner::SageMaker(s)) => self.sagemaker_resource(*s).map(|x| x.reference.clone()).unwrap_or_else(|| id.to_owned()),
                None => id.to_owned(),
            },
            _ => id.to_owned(),
        }
    }

    /// Id of any node, for messages.
    pub fn node_id(&self, node: Node) -> &str {
        let id = match node {
            Node::Vpc(i) => self.vpc(i).map(|x| x.id.as_str()),
            Node::Subnet(i) => self.subnet(i).map(|x| x.id.as_str()),
            Node::Rtb(i) => self.rtb(i).map(|x| x.id.as_str()),
            Node::Nacl(i) => self.nacl(i).map(|x| x.id.as_str()),
            Node::Sg(i) => self.sg(i).map(|x| x.id.as_str()),
            Node::Eni(i) | Node::Instance(i) => self.eni(i).map(|x| x.id.as_str()),
            Node::Igw(i) => self.igw(i).map(|x| x.id.as_str()),
            Node::Nat(i) => self.nat(i).map(|x| x.id.as_str()),
            Node::Vpce(i) => self.vpce(i).map(|x| x.id.as_str()),
            Node::Pcx(i) => self.peering(i).map(|x| x.id.as_str()),
            Node::Pl(i) => self.prefix_list(i).map(|x| x.id.as_str()),
            Node::External(i) => self.external(i).map(|x| x.id.as_str()),
            Node::SageMaker(i) => self.sagemaker_resource(i).map(|x| x.reference.as_str()),
            Node::Eigw(i) => self.eigw(i).map(|x| x.id.as_str()),
            Node::Tgw(i) | Node::TgwAttachment(i) => self.tgw(i).map(|x| x.id.as_str()),
        };
        id.unwrap_or("?")
    }

    /// Builds the network from a scenario document, with every problem as a diagnostic.
    pub fn build(scenario: &Scenario) -> (Network, Vec<Diagnostic>) {
        Builder::default().build(&scenario.network)
    }

    /// Builds the network from the network part of a document.
    pub fn from_doc(doc: &NetworkDoc) -> (Network, Vec<Diagnostic>) {
        Builder::default().build(doc)
    }

    /// Reads the rules of security groups `groups` and the entries of network ACLs `acls`
    /// again from `doc`, in place, with the diagnostics of those lists: the incremental
    /// build after rule edits. `doc` must be the document this network was built from
    /// with nothing changed but those lists (no resource added, removed or renamed).
    /// `None`, leaving the network as it was, when a list cannot be matched to exactly one
    /// resource of the document (an implicit default, an id written twice); the caller
    /// then builds the whole network.
    pub fn rebuild_rules(&mut self, doc: &NetworkDoc, groups: &[SgIx], acls: &[NaclIx]) -> Option<Vec<Diagnostic>> {
        // The one document resource with the id, and its position.
        fn only<'d, T>(docs: &'d [T], id: &str, id_of: fn(&T) -> &str) -> Option<(usize, &'d T)> {
            let mut found = docs.iter().enumerate().filter(|(_, d)| id_of(d) == id);
            let first = found.next()?;
            found.next().is_none().then_some(first)
        }
        let sg_docs = groups
            .iter()
            .map(|&g| only(&doc.security_groups, &self.sg(g)?.id, |d| &d.id).map(|(i, d)| (g, i, d)))
            .collect::<Option<Vec<_>>>()?;
        let acl_docs = acls
            .iter()
            .map(|&a| only(&doc.network_acls, &self.nacl(a)?.id, |d| &d.id).map(|(i, d)| (a, i, d)))
            .collect::<Option<Vec<_>>>()?;
        let mut b = Builder { net: std::mem::take(self), ..Builder::default() };
        for (g, i, d) in sg_docs {
            b.group_rules(i, d, g);
            b.finish_sg(g);
        }
        for (a, i, d) in acl_docs {
            let inbound = b.nacl_entries(&d.inbound, &format!("network_acls/{i}/inbound"));
            let outbound = b.nacl_entries(&d.outbound, &format!("network_acls/{i}/outbound"));
            if let Some(acl) = b.net.nacls.get_mut(a.get()) {
                acl.inbound = inbound;
                acl.outbound = outbound;
                nacl_texts(acl);
            }
        }
        *self = b.net;
        Some(b.diags)
    }
}

/// Parses a CIDR, reporting host bits (the normalised block is kept, NACL-8).
///
/// Locations (`at`, here and in the builder) are any `Display`, so that callers can pass
/// `format_args!` and a path is written out only for a diagnostic: a large network has
/// tens of thousands of rules and almost none of them is reported.
pub(crate) fn parse_cidr(text: &str, at: impl fmt::Display, diags: &mut Vec<Diagnostic>) -> Option<IpNet> {
    let text = text.trim();
    match text.parse::<IpNet>() {
        Ok(net) => {
            let normal = net.trunc();
            if normal != net {
                diags.push(Diagnostic::error(
                    "cidr-host-bits",
                    at.to_string(),
                    format!("CIDR `{text}` has host bits set"),
                    format!("a block starts at its network address: did you mean `{normal}`? vpcsim uses `{normal}`"),
                ));
            }
            Some(normal)
        }
        Err(_) => match text.parse::<IpAddr>() {
            Ok(ip) => {
                let net = IpNet::from(ip);
                diags.push(Diagnostic::error(
                    "cidr-missing-length",
                    at.to_string(),
                    format!("`{text}` is an address, not a CIDR block"),
                    format!("write `{net}` for a single address"),
                ));
                Some(net)
            }
            Err(_) => {
                diags.push(Diagnostic::error(
                    "cidr-invalid",
                    at.to_string(),
                    format!("`{text}` is not a CIDR block"),
                    "write an IPv4 block such as `10.0.1.0/24` or an IPv6 block such as `2001:db8::/56`",
                ));
                None
            }
        },
    }
}

fn parse_ip(text: &str, at: impl fmt::Display, diags: &mut Vec<Diagnostic>) -> Option<IpAddr> {
    match text.trim().parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            diags.push(Diagnostic::error(
                "ip-invalid",
                at.to_string(),
                format!("`{text}` is not an IP address"),
                "write an address such as `10.0.1.10`",
            ));
            None
        }
    }
}

/// Parses protocol, ports and ICMP fields of a rule (SG-15, NACL-9).
pub(crate) fn parse_traffic(
    protocol: &str,
    ports: Option<&str>,
    icmp_type: Option<i64>,
    icmp_code: Option<i64>,
    at: impl fmt::Display,
    diags: &mut Vec<Diagnostic>,
) -> Option<Traffic> {
    let Some(proto) = Protocol::parse(protocol) else {
        diags.push(Diagnostic::error(
            "protocol-invalid",
            format!("{at}/protocol"),
            format!("protocol `{protocol}` is not valid"),
            "use tcp, udp, icmp, icmpv6, all (-1), or a protocol number from 0 to 255",
        ));
        return None;
    };
    let port_range = match ports {
        None => None,
        Some(p) => match PortRange::parse(p) {
            Ok(r) => Some(r),
            Err(message) => {
                diags.push(Diagnostic::error(
                    if message.contains("reversed") { "port-range-reversed" } else { "port-invalid" },
                    format!("{at}/ports"),
                    message,
                    "write one port such as `443` or a range such as `1024-65535`, first port not above the last",
                ));
                return None;
            }
        },
    };
    let mut icmp_field = |value: Option<i64>, name: &str| -> Result<Option<u8>, ()> {
        match value {
            None | Some(-1) => Ok(None),
            Some(v) => u8::try_from(v).map(Some).map_err(|_| {
                diags.push(Diagnostic::error(
                    "icmp-invalid",
                    format!("{at}/{name}"),
                    format!("ICMP {} `{v}` is out of range", name.trim_start_matches("icmp_")),
                    "use 0-255, or -1 for all",
                ));
            }),
        }
    };
    let icmp = IcmpMatch { icmp_type: icmp_field(icmp_type, "icmp_type").ok()?, code: icmp_field(icmp_code, "icmp_code").ok()? };
    Some(Traffic::from_parts(proto, port_range, icmp))
}

#[derive(Default)]
struct Builder {
    net: Network,
    diags: Vec<Diagnostic>,
    /// Next host offset per subnet for automatic addresses.
    next_host: HashMap<SubnetIx, u32>,
    used_ips: HashSet<(VpcIx, IpAddr)>,
}

impl Builder {
    fn err(&mut self, code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, at, message, help));
    }

    fn register(&mut self, id: &str, node: Node, at: impl fmt::Display) -> bool {
        if id.trim().is_empty() {
            self.err("id-empty", format!("{at}/id"), "the resource has an empty id", "give every resource a unique id");
            return false;
        }
        if self.net.ids.contains_key(id) {
            self.err("id-duplicate", format!("{at}/id"), format!("id `{id}` is used twice"), "give every resource a unique id");
            return false;
        }
        self.net.ids.insert(id.to_owned(), node);
        true
    }

    fn known<'a>(&'a self, pred: impl Fn(&Node) -> bool + 'a) -> impl Iterator<Item = &'a str> + Clone + 'a {
        let mut ids: Vec<&str> = self.net.ids.iter().filter(|(_, n)| pred(n)).map(|(k, _)| k.as_str()).collect();
        ids.sort_unstable();
        ids.into_iter()
    }

    /// Looks up an id of one kind; reports `code` with "did you mean" help when absent.
    fn resolve<T>(
        &mut self,
        id: &str,
        at: impl fmt::Display,
        pick: fn(&Node) -> Option<T>,
        code: &'static str,
        what: (&str, &str),
    ) -> Option<T> {
        if let Some(found) = self.net.ids.get(id).and_then(pick) {
            return Some(found);
        }
        let help = did_you_mean(id, self.known(move |n| pick(n).is_some()), what.1);
        self.err(code, at.to_string(), format!("{} `{id}` does not exist", what.0), help);
        None
    }

    fn resolve_vpc(&mut self, id: &str, at: impl fmt::Display) -> Option<VpcIx> {
        self.resolve(id, at, |n| if let Node::Vpc(v) = n { Some(*v) } else { None }, "unknown-vpc", ("VPC", "VPCs"))
    }

    fn resolve_subnet(&mut self, id: &str, at: impl fmt::Display) -> Option<SubnetIx> {
        self.resolve(id, at, |n| if let Node::Subnet(v) = n { Some(*v) } else { None }, "unknown-subnet", ("subnet", "subnets"))
    }

    fn resolve_sg(&mut self, id: &str, at: impl fmt::Display) -> Option<SgIx> {
        self.resolve(
            id,
            at,
            |n| if let Node::Sg(v) = n { Some(*v) } else { None },
            "unknown-security-group",
            ("security group", "security groups"),
        )
    }

    fn resolve_rtb(&mut self, id: &str, at: impl fmt::Display) -> Option<RtbIx> {
        self.resolve(id, at, |n| if let Node::Rtb(v) = n { Some(*v) } else { None }, "unknown-route-table", ("route table", "route tables"))
    }

    fn resolve_pl(&mut self, id: &str, at: impl fmt::Display) -> Option<PlIx> {
        self.resolve(id, at, |n| if let Node::Pl(v) = n { Some(*v) } else { None }, "unknown-prefix-list", ("prefix list", "prefix lists"))
    }

    fn build(mut self, doc: &NetworkDoc) -> (Network, Vec<Diagnostic>) {
        self.net.region = doc.region.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "us-east-1".to_owned());
        self.builtin_prefix_lists();
        self.prefix_lists(doc);
        self.vpcs(doc);
        self.subnets(doc);
        self.security_groups_pass1(doc);
        self.nacls(doc);
        self.igws(doc);
        self.eigws(doc);
        self.peerings(doc);
        self.tgws(doc);
        // Route tables resolve targets, so gateways, endpoints and NAT interfaces come first.
        self.nats(doc);
        self.vpce_declare(doc);
        // Instances come before route tables: a route may target an instance or its
        // interface (RT-2, RT-9).
        self.instances(doc);
        self.sagemaker(doc);
        self.route_tables(doc);
        self.vpce_finish(doc);
        self.externals(doc);
        self.security_group_rules(doc);
        self.gateway_endpoint_routes();
        self.finish();
        (self.net, self.diags)
    }

    fn builtin_prefix_lists(&mut self) {
        for service in [Service::S3, Service::DynamoDb] {
            let id = format!("pl-{}", service.short_name());
            let ix = PlIx::new(self.net.prefix_lists.len());
            self.net.prefix_lists.push(PrefixList {
                id: id.clone(),
                name: format!("com.amazonaws.region.{}", service.short_name()),
                cidrs: vec![Cidr::new(IpNet::V4(service.public_block()))],
                service: Some(service),
            });
            self.net.ids.insert(id, Node::Pl(ix));
        }
    }

    fn prefix_lists(&mut self, doc: &NetworkDoc) {
        for (i, pl) in doc.prefix_lists.iter().enumerate() {
            let at = format!("prefix_lists/{i}");
            let ix = PlIx::new(self.net.prefix_lists.len());
            if !self.register(&pl.id, Node::Pl(ix), &at) {
                continue;
            }
            let mut cidrs = Vec::new();
            for (j, c) in pl.cidrs.iter().enumerate() {
                if let Some(net) = parse_cidr(c, format_args!("{at}/cidrs/{j}"), &mut self.diags) {
                    cidrs.push(net);
                }
            }
            let service = pl.name.strip_prefix("com.amazonaws.").and_then(|_| Service::parse(&pl.name));
            self.net.prefix_lists.push(PrefixList {
                id: pl.id.clone(),
                name: pl.name.clone(),
                cidrs: cidrs.into_iter().map(Cidr::new).collect(),
                service,
            });
        }
    }

    fn vpcs(&mut self, doc: &NetworkDoc) {
        for (i, v) in doc.vpcs.iter().enumerate() {
            let at = format!("vpcs/{i}");
            let ix = VpcIx::new(self.net.vpcs.len());
            if !self.register(&v.id, Node::Vpc(ix), &at) {
                continue;
            }
            let mut cidrs = Vec::new();
            let mut cidrs_v6 = Vec::new();
            for (j, c) in v.cidr_blocks.iter().enumerate() {
                match parse_cidr(c, format_args!("{at}/cidr_blocks/{j}"), &mut self.diags) {
                    Some(IpNet::V4(n)) => cidrs.push(n),
                    Some(IpNet::V6(_)) => self.err(
                        "cidr-family",
                        format!("{at}/cidr_blocks/{j}"),
                        format!("`{c}` is an IPv6 block in `cidr_blocks`"),
                        "put IPv6 blocks in `ipv6_cidr_blocks`",
                    ),
                    None => {}
                }
            }
            for (j, c) in v.ipv6_cidr_blocks.iter().enumerate() {
                match parse_cidr(c, format_args!("{at}/ipv6_cidr_blocks/{j}"), &mut self.diags) {
                    Some(IpNet::V6(n)) => cidrs_v6.push(n),
                    Some(IpNet::V4(_)) => self.err(
                        "cidr-family",
                        format!("{at}/ipv6_cidr_blocks/{j}"),
                        format!("`{c}` is an IPv4 block in `ipv6_cidr_blocks`"),
                        "put IPv4 blocks in `cidr_blocks`",
                    ),
                    None => {}
                }
            }
            if cidrs.is_empty() {
                self.err(
                    "vpc-without-cidr",
                    format!("{at}/cidr_blocks"),
                    format!("VPC `{}` has no IPv4 CIDR block", v.id),
                    "every VPC has a primary IPv4 block, for example `10.0.0.0/16`",
                );
            }
            // Placeholders: default NACL and main route table are fixed up below.
            self.net.vpcs.push(Vpc {
                id: v.id.clone(),
                name: v.name.clone(),
                cidrs,
                cidrs_v6,
                default_nacl: NaclIx(u32::MAX),
                main_rtb: RtbIx(u32::MAX),
                igw: None,
                eigw: None,
            });
        }
    }

    fn subnets(&mut self, doc: &NetworkDoc) {
        for (i, s) in doc.subnets.iter().enumerate() {
            let at = format!("subnets/{i}");
            let Some(vpc) = self.resolve_vpc(&s.vpc, format_args!("{at}/vpc")) else {
                continue;
            };
            let Some(cidr) = parse_cidr(&s.cidr, format_args!("{at}/cidr"), &mut self.diags) else {
                continue;
            };
            let IpNet::V4(cidr) = cidr else {
                self.err(
                    "cidr-family",
                    format!("{at}/cidr"),
                    format!("subnet `{}` has an IPv6 `cidr`", s.id),
                    "put the IPv6 block in `ipv6_cidr`",
                );
                continue;
            };
            let Some(v) = self.net.vpcs.get(vpc.get()) else {
                continue;
            };
            if !v.cidrs.iter().any(|b| b.contains(&cidr)) {
                let blocks: Vec<String> = v.cidrs.iter().map(ToString::to_string).collect();
                self.err(
                    "subnet-outside-vpc",
                    format!("{at}/cidr"),
                    format!("subnet `{}` block `{cidr}` is not inside VPC `{}`", s.id, s.vpc),
                    format!("choose a block inside {}", blocks.join(" or ")),
                );
                continue;
            }
            if cidr.prefix_len() > 28 || cidr.prefix_len() < 16 {
                self.diags.push(Diagnostic::warning(
                    "subnet-size",
                    format!("{at}/cidr"),
                    format!("subnet block `{cidr}` is outside the sizes AWS allows"),
                    "an IPv4 subnet is between /16 and /28",
                ));
            }
            if let Some(other) = self.net.subnets.iter().find(|o| o.vpc == vpc && (o.cidr.contains(&cidr) || cidr.contains(&o.cidr))) {
                let other_id = other.id.clone();
                let other_cidr = other.cidr;
                self.err(
                    "subnet-overlap",
                    format!("{at}/cidr"),
                    format!("subnet `{}` block `{cidr}` overlaps subnet `{other_id}` (`{other_cidr}`)", s.id),
                    "subnets of one VPC must not overlap; pick a free block",
                );
                continue;
            }
            let cidr_v6 = match &s.ipv6_cidr {
                None => None,
                Some(text) => match parse_cidr(text, format_args!("{at}/ipv6_cidr"), &mut self.diags) {
                    Some(IpNet::V6(n)) => Some(n),
                    _ => None,
                },
            };
            let ix = SubnetIx::new(self.net.subnets.len());
            if !self.register(&s.id, Node::Subnet(ix), &at) {
                continue;
            }
            self.net.subnets.push(Subnet {
                id: s.id.clone(),
                name: s.name.clone(),
                vpc,
                cidr,
                cidr_v6,
                az: s.az.clone(),
                nacl: NaclIx(u32::MAX),
                rtb: RtbIx(u32::MAX),
            });
        }
    }

    fn security_groups_pass1(&mut self, doc: &NetworkDoc) {
        for (i, g) in doc.security_groups.iter().enumerate() {
            let at = format!("security_groups/{i}");
            let Some(vpc) = self.resolve_vpc(&g.vpc, format_args!("{at}/vpc")) else {
                continue;
            };
            let ix = SgIx::new(self.net.sgs.len());
            if !self.register(&g.id, Node::Sg(ix), &at) {
                continue;
            }
            self.net.sgs.push(Sg {
                id: g.id.clone(),
                name: g.name.clone(),
                vpc,
                implicit: false,
                inbound: vec![],
                outbound: vec![],
                inbound_index: RuleIndex::default(),
                outbound_index: RuleIndex::default(),
            });
        }
    }

    /// The VPC's default security group: the one named `default`, else an implicit one
    /// with SG-13's rules.
    fn default_sg(&mut self, vpc: VpcIx) -> Option<SgIx> {
        if let Some(pos) = self.net.sgs.iter().position(|g| g.vpc == vpc && g.name == "default") {
            return Some(SgIx::new(pos));
        }
        let v = self.net.vpcs.get(vpc.get())?;
        let id = format!("sg-default-{}", v.id);
        let has_v6 = !v.cidrs_v6.is_empty();
        let ix = SgIx::new(self.net.sgs.len());
        let mut outbound = vec![SgRule {
            position: 0,
            traffic: Traffic::All,
            peer: Peer::Cidr(Cidr::new(any_v4())),
            description: "SG-13 default".into(),
            text: String::new(),
        }];
        if has_v6 {
            outbound.push(SgRule {
                position: 1,
                traffic: Traffic::All,
                peer: Peer::Cidr(Cidr::new(any_v6())),
                description: "SG-13 default".into(),
                text: String::new(),
            });
        }
        self.net.sgs.push(Sg {
            id: id.clone(),
            name: "default".into(),
            vpc,
            implicit: true,
            inbound: vec![SgRule {
                position: 0,
                traffic: Traffic::All,
                peer: Peer::Sg(ix),
                description: "SG-13 default".into(),
                text: String::new(),
            }],
            outbound,
            inbound_index: RuleIndex::default(),
            outbound_index: RuleIndex::default(),
        });
        self.net.ids.insert(id, Node::Sg(ix));
        Some(ix)
    }

    fn nacls(&mut self, doc: &NetworkDoc) {
        let mut assoc: HashMap<SubnetIx, NaclIx> = HashMap::new();
        for (i, a) in doc.network_acls.iter().enumerate() {
            let at = format!("network_acls/{i}");
            let Some(vpc) = self.resolve_vpc(&a.vpc, format_args!("{at}/vpc")) else {
                continue;
            };
            let ix = NaclIx::new(self.net.nacls.len());
            if !self.register(&a.id, Node::Nacl(ix), &at) {
                continue;
            }
            let inbound = self.nacl_entries(&a.inbound, &format!("{at}/inbound"));
            let outbound = self.nacl_entries(&a.outbound, &format!("{at}/outbound"));
            if a.default {
                let already = self.net.nacls.iter().find(|n| n.vpc == vpc && n.is_default).map(|n| n.id.clone());
                if let Some(first) = already {
                    self.err(
                        "nacl-default-duplicate",
                        format!("{at}/default"),
                        format!("VPC `{}` already has default network ACL `{first}`", a.vpc),
                        "a VPC has exactly one default network ACL; associate subnets explicitly instead",
                    );
                }
            }
            let is_default = a.default && !self.net.nacls.iter().any(|n| n.vpc == vpc && n.is_default);
            self.net.nacls.push(Nacl { id: a.id.clone(), vpc, is_default, implicit: false, inbound, outbound });
            for (j, s) in a.subnets.iter().enumerate() {
                let sat = format!("{at}/subnets/{j}");
                let Some(sub) = self.resolve_subnet(s, &sat) else {
                    continue;
                };
                if self.net.subnets.get(sub.get()).map(|x| x.vpc) != Some(vpc) {
                    self.err(
                        "association-other-vpc",
                        sat,
                        format!("subnet `{s}` is not in VPC `{}`", a.vpc),
                        "a network ACL serves subnets of its own VPC",
                    );
                    continue;
                }
                if let Some(prev) = assoc.get(&sub) {
                    let prev_id = self.net.nacls.get(prev.get()).map(|n| n.id.clone()).unwrap_or_default();
                    self.err(
                        "nacl-association-duplicate",
                        sat,
                        format!("subnet `{s}` is already associated with network ACL `{prev_id}`; this association replaces it"),
                        "a subnet is associated with one network ACL at a time and a new association replaces the previous one (NACL-1); remove one",
                    );
                }
                assoc.insert(sub, ix);
            }
        }
        // Default NACL per VPC (NACL-4), implicit when the document names none.
        for v in 0..self.net.vpcs.len() {
            let vpc = VpcIx::new(v);
            let default = match self.net.nacls.iter().position(|n| n.vpc == vpc && n.is_default) {
                Some(p) => NaclIx::new(p),
                None => {
                    let Some(vdoc) = self.net.vpcs.get(v) else {
                        continue;
                    };
                    let id = format!("acl-default-{}", vdoc.id);
                    let has_v6 = !vdoc.cidrs_v6.is_empty();
                    let mut entries =
                        vec![NaclEntry { number: 100, allow: true, traffic: Traffic::All, cidr: Cidr::new(any_v4()), text: String::new() }];
                    if has_v6 {
                        entries.push(NaclEntry {
                            number: 101,
                            allow: true,
                            traffic: Traffic::All,
                            cidr: Cidr::new(any_v6()),
                            text: String::new(),
                        });
                    }
                    let ix = NaclIx::new(self.net.nacls.len());
                    self.net.nacls.push(Nacl {
                        id: id.clone(),
                        vpc,
                        is_default: true,
                        implicit: true,
                        inbound: entries.clone(),
                        outbound: entries,
                    });
                    self.net.ids.insert(id, Node::Nacl(ix));
                    ix
                }
            };
            if let Some(vm) = self.net.vpcs.get_mut(v) {
                vm.default_nacl = default;
            }
        }
        for (i, s) in self.net.subnets.iter_mut().enumerate() {
            let default = self.net.vpcs.get(s.vpc.get()).map(|v| v.default_nacl).unwrap_or(NaclIx(u32::MAX));
            s.nacl = assoc.get(&SubnetIx::new(i)).copied().unwrap_or(default);
        }
    }

    fn nacl_entries(&mut self, entries: &[scenario::NaclEntryDoc], at: &str) -> Vec<NaclEntry> {
        let mut out: Vec<NaclEntry> = Vec::new();
        for (k, e) in entries.iter().enumerate() {
            let eat = format!("{at}/{k}");
            let number = match u16::try_from(e.rule) {
                Ok(n) if (1..=32766).contains(&n) => n,
                _ => {
                    self.err(
                        "nacl-rule-number-range",
                        format!("{eat}/rule"),
                        format!("rule number `{}` is out of range", e.rule),
                        "NACL rule numbers run from 1 to 32766; 32767 and above are reserved (NACL-2)",
                    );
                    continue;
                }
            };
            if out.iter().any(|x| x.number == number) {
                self.err(
                    "nacl-duplicate-rule",
                    format!("{eat}/rule"),
                    format!("rule number `{number}` is used twice in this direction"),
                    "each rule number appears once per direction; renumber one of them",
                );
                continue;
            }
            let allow = match e.action.to_ascii_lowercase().as_str() {
                "allow" => true,
                "deny" => false,
                other => {
                    self.err(
                        "nacl-action-invalid",
                        format!("{eat}/action"),
                        format!("action `{other}` is not valid"),
                        "use `allow` or `deny`",
                    );
                    continue;
                }
            };
            let Some(cidr) = parse_cidr(&e.cidr, format_args!("{eat}/cidr"), &mut self.diags) else {
                continue;
            };
            let Some(traffic) = parse_traffic(&e.protocol, e.ports.as_deref(), e.icmp_type, e.icmp_code, &eat, &mut self.diags) else {
                continue;
            };
            // NACL-9: ICMPv6 with an IPv6 block needs a type and code.
            if matches!((traffic, cidr), (Traffic::Icmpv6(_), IpNet::V6(_))) && (e.icmp_type.is_none() || e.icmp_code.is_none()) {
                self.err(
                    "nacl-icmp-type-required",
                    &eat,
                    "an ICMPv6 entry with an IPv6 block needs `icmp_type` and `icmp_code`",
                    "give both (use -1 for all) (NACL-9)",
                );
                continue;
            }
            // NACL-9: ICMPv6 with an IPv4 block allows all types and codes.
            let traffic = match (traffic, cidr) {
                (Traffic::Icmpv6(_), IpNet::V4(_)) => Traffic::Icmpv6(IcmpMatch::ANY),
                (t, _) => t,
            };
            out.push(NaclEntry { number, allow, traffic, cidr: Cidr::new(cidr), text: String::new() });
        }
        out.sort_by_key(|e| e.number);
        // NACL-11: 20 entries per direction and address family by default (the `*` rule
        // counts), 40 at most.
        let families = [
            ("IPv4", out.iter().filter(|e| e.cidr.net().addr().is_ipv4()).count()),
            ("IPv6", out.iter().filter(|e| e.cidr.net().addr().is_ipv6()).count()),
        ];
        for (family, n) in families {
            if n + 1 > 40 {
                self.err(
                    "nacl-rule-quota",
                    at,
                    format!("{n} {family} entries exceed the maximum of 40 per direction"),
                    "a network ACL holds at most 40 entries per direction and address family, including the `*` rule (NACL-11)",
                );
            } else if n + 1 > 20 {
                self.diags.push(Diagnostic::warning(
                    "nacl-rule-quota",
                    at,
                    format!("{n} {family} entries exceed the default quota of 20 per direction"),
                    "the default quota is 20 entries per direction and address family including the `*` rule; it can be raised to 40 (NACL-11)",
                ));
            }
        }
        out
    }

    fn igws(&mut self, doc: &NetworkDoc) {
        for (i, g) in doc.internet_gateways.iter().enumerate() {
            let at = format!("internet_gateways/{i}");
            let vpc = match &g.vpc {
                Some(v) => self.resolve_vpc(v, format_args!("{at}/vpc")),
                None => None,
            };
            let ix = IgwIx::new(self.net.igws.len());
            if !self.register(&g.id, Node::Igw(ix), &at) {
                continue;
            }
            if let Some(v) = vpc {
                if let Some(vm) = self.net.vpcs.get_mut(v.get()) {
                    if vm.igw.is_some() {
                        self.diags.push(Diagnostic::error(
                            "igw-duplicate",
                            format!("{at}/vpc"),
                            format!("VPC `{}` already has an internet gateway", vm.id),
                            "a VPC has at most one internet gateway attached",
                        ));
                    } else {
                        vm.igw = Some(ix);
                    }
                }
            }
            self.net.igws.push(Igw { id: g.id.clone(), vpc });
        }
    }

    fn eigws(&mut self, doc: &NetworkDoc) {
        for (i, g) in doc.egress_only_internet_gateways.iter().enumerate() {
            let at = format!("egress_only_internet_gateways/{i}");
            let vpc = match &g.vpc {
                Some(v) => self.resolve_vpc(v, format_args!("{at}/vpc")),
                None => None,
            };
            let ix = EigwIx::new(self.net.eigws.len());
            if !self.register(&g.id, Node::Eigw(ix), &at) {
                continue;
            }
            if let Some(v) = vpc.and_then(|v| self.net.vpcs.get_mut(v.get())) {
                v.eigw = Some(ix);
            }
            self.net.eigws.push(Eigw { id: g.id.clone(), vpc });
        }
    }

    fn tgws(&mut self, doc: &NetworkDoc) {
        for (i, t) in doc.transit_gateways.iter().enumerate() {
            let at = format!("transit_gateways/{i}");
            let ix = TgwIx::new(self.net.tgws.len());
            if !self.register(&t.id, Node::Tgw(ix), &at) {
                continue;
            }
            let mut attachments = Vec::new();
            let mut routes = Vec::new();
            for (k, a) in t.attachments.iter().enumerate() {
                let aat = format!("{at}/attachments/{k}");
                let Some(vpc) = self.resolve_vpc(&a.vpc, format_args!("{aat}/vpc")) else { continue };
                let mut subnets = Vec::new();
                for (j, sid) in a.subnets.iter().enumerate() {
                    if let Some(sub) = self.resolve_subnet(sid, format_args!("{aat}/subnets/{j}")) {
                        subnets.push(sub);
                    }
                }
                if !self.register(&a.id, Node::TgwAttachment(ix), &aat) {
                    continue;
                }
                let n = attachments.len();
                if a.propagate {
                    if let Some(v) = self.net.vpcs.get(vpc.get()) {
                        for c in &v.cidrs {
                            routes.push(TgwRoute { dest: Cidr::new(IpNet::V4(*c)), attachment: Some(n), propagated: true });
                        }
                    }
                }
                attachments.push(TgwAttachment { id: a.id.clone(), vpc, subnets });
            }
            for (k, r) in t.routes.iter().enumerate() {
                let rat = format!("{at}/routes/{k}");
                let Some(dest) = parse_cidr(&r.destination, format_args!("{rat}/destination"), &mut self.diags) else { continue };
                let attachment = match &r.attachment {
                    None => None,
                    Some(id) => match attachments.iter().position(|a: &TgwAttachment| &a.id == id) {
                        Some(p) => Some(p),
                        None => {
                            let known: Vec<String> = attachments.iter().map(|a: &TgwAttachment| a.id.clone()).collect();
                            let help = did_you_mean(id, known.iter().map(String::as_str), "attachments");
                            self.err(
                                "unknown-tgw-attachment",
                                format!("{rat}/attachment"),
                                format!("attachment `{id}` is not an attachment of `{}`", t.id),
                                help,
                            );
                            continue;
                        }
                    },
                };
                routes.push(TgwRoute { dest: Cidr::new(dest), attachment, propagated: false });
            }
            self.net.tgws.push(Tgw { id: t.id.clone(), attachments, routes });
        }
    }

    fn peerings(&mut self, doc: &NetworkDoc) {
        for (i, p) in doc.peering_connections.iter().enumerate() {
            let at = format!("peering_connections/{i}");
            let a = self.resolve_vpc(&p.requester_vpc, format_args!("{at}/requester_vpc"));
            let b = self.resolve_vpc(&p.accepter_vpc, format_args!("{at}/accepter_vpc"));
            let (Some(a), Some(b)) = (a, b) else { continue };
            let overlap = match (self.net.vpcs.get(a.get()), self.net.vpcs.get(b.get())) {
                (Some(va), Some(vb)) => va.cidrs.iter().any(|x| vb.cidrs.iter().any(|y| x.contains(y) || y.contains(x))),
                _ => false,
            };
            if overlap || a == b {
                self.err(
                    "peering-overlap",
                    &at,
                    format!("VPCs `{}` and `{}` have overlapping CIDR blocks and cannot peer", p.requester_vpc, p.accepter_vpc),
                    "VPCs with overlapping IPv4 blocks cannot be peered (RT-13)",
                );
                continue;
            }
            let ix = PcxIx::new(self.net.peerings.len());
            if !self.register(&p.id, Node::Pcx(ix), &at) {
                continue;
            }
            self.net.peerings.push(Peering { id: p.id.clone(), requester: a, accepter: b, status: p.status.clone() });
        }
    }

    /// Allocates an address in a subnet: the given one (checked) or the next free host.
    fn allocate_ip(&mut self, subnet: SubnetIx, wanted: Option<&str>, at: impl fmt::Display) -> Option<IpAddr> {
        let s = self.net.subnets.get(subnet.get())?.clone();
        if let Some(text) = wanted {
            let ip = parse_ip(text, &at, &mut self.diags)?;
            let IpAddr::V4(v4) = ip else {
                self.err("ip-family", at.to_string(), format!("`{text}` is not an IPv4 address"), "the primary private address is IPv4");
                return None;
            };
            if !s.cidr.contains(&v4) {
                self.err(
                    "ip-outside-subnet",
                    at.to_string(),
                    format!("address `{text}` is not in subnet `{}` (`{}`)", s.id, s.cidr),
                    format!("choose an address inside `{}`", s.cidr),
                );
                return None;
            }
            let offset = u32::from(v4).saturating_sub(u32::from(s.cidr.network()));
            if offset < 4 || v4 == s.cidr.broadcast() {
                self.err(
                    "ip-reserved",
                    at.to_string(),
                    format!("address `{text}` is reserved by AWS in subnet `{}`", s.id),
                    "AWS reserves the first four addresses and the last address of every subnet",
                );
                return None;
            }
            if !self.used_ips.insert((s.vpc, ip)) {
                self.err(
                    "ip-duplicate",
                    at.to_string(),
                    format!("address `{text}` is already in use"),
                    "each private address belongs to one interface",
                );
                return None;
            }
            return Some(ip);
        }
        let base = u32::from(s.cidr.network());
        let last = u32::from(s.cidr.broadcast());
        let mut offset = self.next_host.get(&subnet).copied().unwrap_or(10);
        loop {
            let candidate = base.checked_add(offset)?;
            if candidate >= last {
                self.err("subnet-full", at.to_string(), format!("subnet `{}` has no free address left", s.id), "use a larger subnet block");
                return None;
            }
            offset = offset.saturating_add(1);
            let ip = IpAddr::V4(Ipv4Addr::from(candidate));
            if self.used_ips.insert((s.vpc, ip)) {
                self.next_host.insert(subnet, offset);
                return Some(ip);
            }
        }
    }

    fn ipv6(&mut self, subnet: SubnetIx, text: Option<&str>, at: impl fmt::Display) -> Option<IpAddr> {
        let ip = parse_ip(text?, &at, &mut self.diags)?;
        let (vpc, block) = self.net.subnets.get(subnet.get()).map(|s| (s.vpc, s.cidr_v6))?;
        match (ip, block) {
            (IpAddr::V6(v6), Some(b)) if b.contains(&v6) => {
                if self.used_ips.insert((vpc, ip)) {
                    Some(ip)
                } else {
                    self.err(
                        "ip-duplicate",
                        at.to_string(),
                        format!("address `{ip}` is already in use"),
                        "each address belongs to one interface",
                    );
                    None
                }
            }
            (IpAddr::V6(_), Some(b)) => {
                self.err(
                    "ip-outside-subnet",
                    at.to_string(),
                    format!("address `{ip}` is not in the subnet's IPv6 block `{b}`"),
                    format!("choose an address inside `{b}`"),
                );
                None
            }
            (IpAddr::V6(_), None) => {
                self.err(
                    "subnet-without-ipv6",
                    at.to_string(),
                    format!("address `{ip}` is IPv6 but the subnet has no IPv6 block"),
                    "give the subnet an `ipv6_cidr` inside the VPC's IPv6 block",
                );
                None
            }
            (IpAddr::V4(_), _) => {
                self.err(
                    "ip-family",
                    at.to_string(),
                    format!("`{ip}` is not an IPv6 address"),
                    "write an IPv6 address such as `2001:db8:1::10`",
                );
                None
            }
        }
    }

    fn public_ip(&mut self, text: Option<&str>, at: impl fmt::Display) -> Option<IpAddr> {
        let ip = parse_ip(text?, &at, &mut self.diags)?;
        if self.net.by_public_ip.contains_key(&ip) {
            self.err(
                "ip-duplicate",
                at.to_string(),
                format!("public address `{ip}` is already in use"),
                "each public address belongs to one interface",
            );
            return None;
        }
        Some(ip)
    }

    #[expect(clippy::too_many_arguments, reason = "an interface has this many independent fields; every caller names them all")]
    fn add_eni(
        &mut self,
        id: String,
        label: String,
        subnet: SubnetIx,
        private_ip: IpAddr,
        public_ip: Option<IpAddr>,
        sgs: Vec<SgIx>,
        owner: Owner,
        at: impl fmt::Display,
    ) -> Option<EniIx> {
        let vpc = self.net.subnets.get(subnet.get())?.vpc;
        let ix = EniIx::new(self.net.enis.len());
        if !self.register(&id, Node::Eni(ix), at) {
            return None;
        }
        self.net.by_private_ip.insert((vpc, private_ip), ix);
        if let Some(p) = public_ip {
            self.net.by_public_ip.insert(p, ix);
        }
        let display = format!("{label} ({private_ip})");
        self.net.enis.push(Eni { id, label, display, subnet, vpc, private_ip, public_ip, ipv6: None, sgs, owner });
        Some(ix)
    }

    /// Resolves a list of security groups for an interface in `subnet`; empty means the
    /// VPC default (SG-13, EP-7). Groups of another VPC are reported (SG-12).
    fn resolve_sgs(&mut self, ids: &[String], subnet: SubnetIx, at: impl fmt::Display) -> Vec<SgIx> {
        let Some(vpc) = self.net.subnets.get(subnet.get()).map(|s| s.vpc) else {
            return vec![];
        };
        if ids.is_empty() {
            return self.default_sg(vpc).into_iter().collect();
        }
        if ids.len() > 5 {
            self.diags.push(Diagnostic::warning(
                "sg-per-eni-quota",
                at.to_string(),
                format!("{} security groups on one interface exceed the default quota of 5", ids.len()),
                "AWS allows 5 per network interface by default, 16 at most (SG-11)",
            ));
        }
        let mut out = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let Some(g) = self.resolve_sg(id, format_args!("{at}/{k}")) else {
                continue;
            };
            if self.net.sgs.get(g.get()).map(|x| x.vpc) != Some(vpc) {
                self.err(
                    "sg-other-vpc",
                    format!("{at}/{k}"),
                    format!("security group `{id}` belongs to another VPC"),
                    "a security group can be used only in its own VPC (SG-12)",
                );
                continue;
            }
            if !out.contains(&g) {
                out.push(g);
            }
        }
        out
    }

    fn nats(&mut self, doc: &NetworkDoc) {
        for (i, n) in doc.nat_gateways.iter().enumerate() {
            let at = format!("nat_gateways/{i}");
            let Some(subnet) = self.resolve_subnet(&n.subnet, format_args!("{at}/subnet")) else {
                continue;
            };
            let public = match n.connectivity.as_str() {
                "public" => true,
                "private" => false,
                other => {
                    self.err(
                        "nat-connectivity-invalid",
                        format!("{at}/connectivity"),
                        format!("connectivity `{other}` is not valid"),
                        "use `public` or `private`",
                    );
                    continue;
                }
            };
            let public_ip = if public {
                let ip = self.public_ip(n.public_ip.as_deref(), format_args!("{at}/public_ip"));
                if ip.is_none() && n.public_ip.is_none() {
                    self.err(
                        "nat-without-eip",
                        format!("{at}/public_ip"),
                        format!("public NAT gateway `{}` has no Elastic IP", n.id),
                        "a public NAT gateway needs an Elastic IP (RT-10)",
                    );
                }
                ip
            } else {
                None
            };
            let Some(private_ip) = self.allocate_ip(subnet, n.private_ip.as_deref(), format_args!("{at}/private_ip")) else {
                continue;
            };
            let nat_ix = NatIx::new(self.net.nats.len());
            if !self.register(&n.id, Node::Nat(nat_ix), &at) {
                continue;
            }
            let label = if n.name.is_empty() { n.id.clone() } else { n.name.clone() };
            // RT-10: no security group can be associated with a NAT gateway.
            let Some(eni) = self.add_eni(format!("eni-{}", n.id), label, subnet, private_ip, public_ip, vec![], Owner::Nat(nat_ix), &at)
            else {
                self.net.ids.remove(&n.id);
                continue;
            };
            self.net.nats.push(Nat { id: n.id.clone(), subnet, eni, public });
        }
    }

    fn vpce_declare(&mut self, doc: &NetworkDoc) {
        for (i, e) in doc.vpc_endpoints.iter().enumerate() {
            let at = format!("vpc_endpoints/{i}");
            let Some(vpc) = self.resolve_vpc(&e.vpc, format_args!("{at}/vpc")) else {
                continue;
            };
            let Some(service) = Service::parse(&e.service) else {
                let known: Vec<&str> = Service::ALL.iter().map(|s| s.short_name()).collect();
                self.err(
                    "vpce-service-unknown",
                    format!("{at}/service"),
                    format!("service `{}` is not one vpcsim models", e.service),
                    format!("use one of {}", known.join(", ")),
                );
                continue;
            };
            let kind = match e.kind.as_str() {
                "gateway" if service.has_gateway_endpoint() => VpceKind::Gateway { route_tables: vec![] },
                "gateway" => {
                    self.err(
                        "vpce-gateway-service",
                        format!("{at}/type"),
                        format!("service `{}` has no gateway endpoint", service.short_name()),
                        "gateway endpoints exist for s3 and dynamodb only (EP-1); use an interface endpoint",
                    );
                    continue;
                }
                "interface" => VpceKind::Interface { enis: vec![], private_dns: e.private_dns },
                other => {
                    self.err(
                        "vpce-type-invalid",
                        format!("{at}/type"),
                        format!("endpoint type `{other}` is not valid"),
                        "use `gateway` or `interface`",
                    );
                    continue;
                }
            };
            if let (VpceKind::Gateway { .. }, Some(policy)) = (&kind, &e.policy) {
                let statements: Vec<&serde_json::Value> = match policy.get("Statement") {
                    Some(serde_json::Value::Array(a)) => a.iter().collect(),
                    Some(o) => vec![o],
                    None => vec![],
                };
                for (k, st) in statements.iter().enumerate() {
                    let star = match st.get("Principal") {
                        None => true,
                        Some(serde_json::Value::String(p)) => p == "*",
                        Some(serde_json::Value::Object(m)) => m.values().all(|v| v.as_str() == Some("*")),
                        Some(_) => false,
                    };
                    if !star {
                        self.diags.push(Diagnostic::warning(
                            "gateway-endpoint-principal",
                            format!("{at}/policy/Statement/{k}/Principal"),
                            "a gateway endpoint policy statement names a specific principal",
                            "with gateway endpoints the Principal must be `*`; use the aws:PrincipalArn condition key to restrict principals (EP-11)",
                        ));
                    }
                }
            }
            if e.policy.as_ref().is_some_and(|p| p.to_string().len() > 20_480) {
                self.err(
                    "policy-too-long",
                    format!("{at}/policy"),
                    "the endpoint policy is longer than 20,480 characters",
                    "shorten the policy (EP-10)",
                );
            }
            let ix = VpceIx::new(self.net.vpces.len());
            if !self.register(&e.id, Node::Vpce(ix), &at) {
                continue;
            }

            self.net.vpces.push(Vpce { id: e.id.clone(), vpc, service, kind, policy: e.policy.clone() });
        }
    }

    fn vpce_finish(&mut self, doc: &NetworkDoc) {
        for (i, e) in doc.vpc_endpoints.iter().enumerate() {
            let at = format!("vpc_endpoints/{i}");
            let Some(Node::Vpce(ix)) = self.net.ids.get(&e.id).copied() else {
                continue;
            };
            let Some(vpce) = self.net.vpces.get(ix.get()).cloned() else {
                continue;
            };
            match vpce.kind {
                VpceKind::Gateway { .. } => {
                    let mut tables = Vec::new();
                    for (k, r) in e.route_tables.iter().enumerate() {
                        if let Some(t) = self.resolve_rtb(r, format_args!("{at}/route_tables/{k}")) {
                            tables.push(t);
                        }
                    }
                    if let Some(v) = self.net.vpces.get_mut(ix.get()) {
                        v.kind = VpceKind::Gateway { route_tables: tables };
                    }
                }
                VpceKind::Interface { private_dns, .. } => {
                    let mut enis = Vec::new();
                    for (k, s) in e.subnets.iter().enumerate() {
                        let sat = format!("{at}/subnets/{k}");
                        let Some(sub) = self.resolve_subnet(s, &sat) else {
                            continue;
                        };
                        let sgs = self.resolve_sgs(&e.security_groups, sub, format_args!("{at}/security_groups"));
                        let Some(ip) = self.allocate_ip(sub, None, &sat) else {
                            continue;
                        };
                        let label = if e.name.is_empty() { format!("{} endpoint", vpce.service.short_name()) } else { e.name.clone() };
                        if let Some(eni) = self.add_eni(format!("eni-{}-{}", e.id, k), label, sub, ip, None, sgs, Owner::Vpce(ix), &sat) {
                            enis.push(eni);
                        }
                    }
                    if enis.is_empty() {
                        self.diags.push(Diagnostic::warning(
                            "vpce-no-subnet",
                            format!("{at}/subnets"),
                            format!("interface endpoint `{}` has no subnet", e.id),
                            "an interface endpoint needs one subnet per Availability Zone it serves (EP-7)",
                        ));
                    }
                    if let Some(v) = self.net.vpces.get_mut(ix.get()) {
                        v.kind = VpceKind::Interface { enis, private_dns };
                    }
                }
            }
        }
    }

    fn route_tables(&mut self, doc: &NetworkDoc) {
        let mut assoc: HashMap<SubnetIx, RtbIx> = HashMap::new();
        for (i, t) in doc.route_tables.iter().enumerate() {
            let at = format!("route_tables/{i}");
            let Some(vpc) = self.resolve_vpc(&t.vpc, format_args!("{at}/vpc")) else {
                continue;
            };
            let ix = RtbIx::new(self.net.rtbs.len());
            if !self.register(&t.id, Node::Rtb(ix), &at) {
                continue;
            }
            let mut routes = self.local_routes(vpc);
            for (k, r) in t.routes.iter().enumerate() {
                let rat = format!("{at}/routes/{k}");
                let dest = match (&r.destination, &r.destination_prefix_list) {
                    (Some(d), None) => match parse_cidr(d, format_args!("{rat}/destination"), &mut self.diags) {
                        Some(net) => RouteDest::Cidr(Cidr::new(net)),
                        None => continue,
                    },
                    (None, Some(pl)) => match self.resolve_pl(pl, format_args!("{rat}/destination_prefix_list")) {
                        Some(p) => RouteDest::PrefixList(p),
                        None => continue,
                    },
                    _ => {
                        self.err(
                            "route-destination",
                            &rat,
                            "a route needs exactly one of `destination` and `destination_prefix_list`",
                            "write `\"destination\": \"0.0.0.0/0\"` or `\"destination_prefix_list\": \"pl-s3\"`",
                        );
                        continue;
                    }
                };
                if let RouteDest::Cidr(net) = &dest {
                    if routes.iter().any(|x| x.target == Target::Local && x.dest == RouteDest::Cidr(*net)) && r.target != "local" {
                        self.err(
                            "route-duplicate",
                            &rat,
                            format!("destination `{net}` is the VPC's local route"),
                            "the local route cannot be replaced by another target here",
                        );
                        continue;
                    }
                }
                let target = self.resolve_target(&r.target, vpc, &format!("{rat}/target"));
                if let RouteDest::Cidr(net) = &dest {
                    // A route AWS would reject is left out (the diagnostic says why).
                    if !self.check_route_destination(net.net(), &target, vpc, &rat) {
                        continue;
                    }
                }
                routes.push(Route { dest, target, target_id: r.target.clone(), propagated: r.propagated, dest_text: String::new() });
            }
            if t.main && self.net.rtbs.iter().any(|x| x.vpc == vpc && x.main) {
                self.err(
                    "route-table-main-duplicate",
                    format!("{at}/main"),
                    format!("VPC `{}` already has a main route table", t.vpc),
                    "a VPC has exactly one main route table (RT-1)",
                );
            }
            let main = t.main && !self.net.rtbs.iter().any(|x| x.vpc == vpc && x.main);
            self.net.rtbs.push(RouteTable { id: t.id.clone(), vpc, main, routes, lpm: Vec::new() });
            for (j, s) in t.subnets.iter().enumerate() {
                let sat = format!("{at}/subnets/{j}");
                let Some(sub) = self.resolve_subnet(s, &sat) else {
                    continue;
                };
                if self.net.subnets.get(sub.get()).map(|x| x.vpc) != Some(vpc) {
                    self.err(
                        "association-other-vpc",
                        sat,
                        format!("subnet `{s}` is not in VPC `{}`", t.vpc),
                        "a route table serves subnets of its own VPC",
                    );
                    continue;
                }
                if let Some(prev) = assoc.get(&sub) {
                    let prev_id = self.net.rtbs.get(prev.get()).map(|n| n.id.clone()).unwrap_or_default();
                    self.err(
                        "route-table-association-duplicate",
                        sat,
                        format!("subnet `{s}` is already associated with route table `{prev_id}`"),
                        "a subnet is associated with one route table at a time (RT-1)",
                    );
                    continue;
                }
                assoc.insert(sub, ix);
            }
        }
        for v in 0..self.net.vpcs.len() {
            let vpc = VpcIx::new(v);
            let main = match self.net.rtbs.iter().position(|t| t.vpc == vpc && t.main) {
                Some(p) => RtbIx::new(p),
                None => {
                    let Some(vdoc) = self.net.vpcs.get(v) else {
                        continue;
                    };
                    let id = format!("rtb-main-{}", vdoc.id);
                    let ix = RtbIx::new(self.net.rtbs.len());
                    let routes = self.local_routes(vpc);
                    self.net.rtbs.push(RouteTable { id: id.clone(), vpc, main: true, routes, lpm: Vec::new() });
                    self.net.ids.insert(id, Node::Rtb(ix));
                    ix
                }
            };
            if let Some(vm) = self.net.vpcs.get_mut(v) {
                vm.main_rtb = main;
            }
        }
        for (i, s) in self.net.subnets.iter_mut().enumerate() {
            let main = self.net.vpcs.get(s.vpc.get()).map(|v| v.main_rtb).unwrap_or(RtbIx(u32::MAX));
            s.rtb = assoc.get(&SubnetIx::new(i)).copied().unwrap_or(main);
        }
    }

    /// EX-3 (reserved link-local ranges) and RT-2 (routes more specific than local).
    /// Returns whether AWS would accept the route.
    fn check_route_destination(&mut self, net: IpNet, target: &Target, vpc: VpcIx, at: &str) -> bool {
        if matches!(target, Target::Eigw(_)) && net.addr().is_ipv4() {
            self.err(
                "route-family-mismatch",
                format!("{at}/destination"),
                format!("`{net}` is an IPv4 destination for an egress-only internet gateway"),
                "an egress-only internet gateway carries IPv6 only; route `::/0` to it (RT-12)",
            );
            return false;
        }
        let reserved_v6 = IpNet::V6(Ipv6Net::new(std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0), 32).unwrap_or_default());
        if reserved_v6.contains(&net) {
            self.err(
                "route-reserved-range",
                format!("{at}/destination"),
                format!("`{net}` lies in fd00:ec2::/32, which is reserved for the metadata service and the Amazon DNS server"),
                "routes to fd00:ec2::/32 or any part of it cannot be added (EX-3)",
            );
            return false;
        }
        let reserved = IpNet::V4(Ipv4Net::new(Ipv4Addr::new(169, 254, 168, 0), 22).unwrap_or_default());
        if reserved.contains(&net) {
            self.err(
                "route-reserved-range",
                format!("{at}/destination"),
                format!("`{net}` lies in 169.254.168.0/22, which is reserved for the metadata service and the Amazon DNS server"),
                "routes to 169.254.168.0/22 or any part of it cannot be added (EX-3)",
            );
            return false;
        } else if net.contains(&reserved) && net.prefix_len() > 0 {
            self.diags.push(Diagnostic::info(
                "route-covers-reserved-range",
                format!("{at}/destination"),
                format!("`{net}` covers 169.254.168.0/22; packets for that range are still not forwarded"),
                "EX-3: the metadata service and Amazon DNS addresses are never routed",
            ));
        }
        let Some(v) = self.net.vpcs.get(vpc.get()) else { return true };
        let inside_local = match net {
            IpNet::V4(n) => v.cidrs.iter().any(|c| c.contains(&n) && n.prefix_len() > c.prefix_len()),
            IpNet::V6(n) => v.cidrs_v6.iter().any(|c| c.contains(&n) && n.prefix_len() > c.prefix_len()),
        };
        if inside_local {
            let whole_subnet = self.net.subnets.iter().any(|s| s.vpc == vpc && IpNet::V4(s.cidr) == net);
            let allowed_target = matches!(target, Target::Nat(_) | Target::Eni(_));
            if !(whole_subnet && allowed_target) {
                self.err(
                    "route-more-specific-than-local",
                    format!("{at}/destination"),
                    format!("`{net}` is more specific than the VPC's local route"),
                    "a route inside the VPC's range must match a whole subnet and target a NAT gateway or network interface (RT-2)",
                );
                return false;
            }
        }
        true
    }

    fn local_routes(&self, vpc: VpcIx) -> Vec<Route> {
        let Some(v) = self.net.vpcs.get(vpc.get()) else {
            return vec![];
        };
        v.cidrs
            .iter()
            .map(|c| IpNet::V4(*c))
            .chain(v.cidrs_v6.iter().map(|c| IpNet::V6(*c)))
            .map(|net| Route {
                dest: RouteDest::Cidr(Cidr::new(net)),
                target: Target::Local,
                target_id: "local".into(),
                propagated: false,
                dest_text: String::new(),
            })
            .collect()
    }

    fn resolve_target(&mut self, id: &str, vpc: VpcIx, at: &str) -> Target {
        if id == "local" {
            return Target::Local;
        }
        match self.net.ids.get(id).copied() {
            Some(Node::Igw(g)) => {
                if self.net.igws.get(g.get()).and_then(|x| x.vpc) != Some(vpc) {
                    self.diags.push(Diagnostic::warning(
                        "route-target-detached",
                        at,
                        format!("internet gateway `{id}` is not attached to this VPC; the route is a blackhole"),
                        "attach the internet gateway to the VPC (RT-6, RT-8)",
                    ));
                    return Target::Blackhole(id.to_owned());
                }
                Target::Igw(g)
            }
            Some(Node::Nat(n)) => Target::Nat(n),
            Some(Node::Pcx(p)) => Target::Pcx(p),
            Some(Node::Vpce(v)) => Target::Vpce(v),
            Some(Node::Eni(e)) | Some(Node::Instance(e)) => Target::Eni(e),
            Some(Node::Eigw(g)) => {
                if self.net.eigws.get(g.get()).and_then(|x| x.vpc) != Some(vpc) {
                    self.diags.push(Diagnostic::warning(
                        "route-target-detached",
                        at,
                        format!("egress-only internet gateway `{id}` is not attached to this VPC; the route is a blackhole"),
                        "attach it to the VPC (RT-6, RT-12)",
                    ));
                    return Target::Blackhole(id.to_owned());
                }
                Target::Eigw(g)
            }
            _ if id.starts_with("vgw-") => Target::Vgw(id.to_owned()),
            Some(Node::Tgw(t)) => {
                if !self.net.tgws.get(t.get()).is_some_and(|x| x.attachments.iter().any(|a| a.vpc == vpc)) {
                    self.diags.push(Diagnostic::warning(
                        "route-target-detached",
                        at,
                        format!("transit gateway `{id}` has no attachment in this VPC; the route is a blackhole"),
                        "attach the VPC to the transit gateway (RT-6)",
                    ));
                    return Target::Blackhole(id.to_owned());
                }
                Target::Tgw(t)
            }
            _ => {
                let help = did_you_mean(
                    id,
                    self.known(|n| matches!(n, Node::Igw(_) | Node::Nat(_) | Node::Pcx(_) | Node::Vpce(_) | Node::Eni(_))),
                    "route targets",
                );
                self.err("unknown-route-target", at, format!("route target `{id}` does not exist; the route is a blackhole"), help);
                Target::Blackhole(id.to_owned())
            }
        }
    }

    fn gateway_endpoint_routes(&mut self) {
        // EP-2: each associated route table gets destination = the service prefix list,
        // target = the endpoint.
        let additions: Vec<(RtbIx, PlIx, VpceIx, String)> = self
            .net
            .vpces
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match &v.kind {
                VpceKind::Gateway { route_tables } => {
                    let pl = self.net.prefix_lists.iter().position(|p| p.service == Some(v.service))?;
                    Some(route_tables.iter().map(move |t| (*t, PlIx::new(pl), VpceIx::new(i), v.id.clone())).collect::<Vec<_>>())
                }
                VpceKind::Interface { .. } => None,
            })
            .flatten()
            .collect();
        for (t, pl, v, id) in additions {
            if let Some(table) = self.net.rtbs.get_mut(t.get()) {
                let exists = table.routes.iter().any(|r| r.dest == RouteDest::PrefixList(pl));
                if !exists {
                    table.routes.push(Route {
                        dest: RouteDest::PrefixList(pl),
                        target: Target::Vpce(v),
                        target_id: id,
                        propagated: false,
                        dest_text: String::new(),
                    });
                }
            }
        }
    }

    fn instances(&mut self, doc: &NetworkDoc) {
        for (i, inst) in doc.instances.iter().enumerate() {
            let at = format_args!("instances/{i}");
            let Some(subnet) = self.resolve_subnet(&inst.subnet, format_args!("{at}/subnet")) else {
                continue;
            };
            let sgs = self.resolve_sgs(&inst.security_groups, subnet, format_args!("{at}/security_groups"));
            let Some(ip) = self.allocate_ip(subnet, inst.private_ip.as_deref(), format_args!("{at}/private_ip")) else {
                continue;
            };
            let public_ip = self.public_ip(inst.public_ip.as_deref(), format_args!("{at}/public_ip"));
            let ipv6 = self.ipv6(subnet, inst.ipv6.as_deref(), format_args!("{at}/ipv6"));
            let eni_id = inst.eni.clone().unwrap_or_else(|| format!("eni-{}", inst.id));
            let label = if inst.name.is_empty() { inst.id.clone() } else { inst.name.clone() };
            let Some(eni) = self.add_eni(eni_id, label, subnet, ip, public_ip, sgs, Owner::Instance(inst.id.clone()), at) else {
                continue;
            };
            if let (Some(v6), Some(e)) = (ipv6, self.net.enis.get_mut(eni.get())) {
                e.ipv6 = Some(v6);
                let vpc = e.vpc;
                self.net.by_private_ip.insert((vpc, v6), eni);
                self.net.by_public_ip.insert(v6, eni);
            }
            if !self.register(&inst.id, Node::Instance(eni), at) {
                continue;
            }
        }
    }

    fn sagemaker(&mut self, doc: &NetworkDoc) {
        let sm = &doc.sagemaker;
        for (i, n) in sm.notebook_instances.iter().enumerate() {
            let at = format!("sagemaker/notebook_instances/{i}");
            if !n.direct_internet_access && n.subnet.is_none() {
                self.err(
                    "notebook-no-subnet",
                    format!("{at}/subnet"),
                    format!("notebook `{}` disables direct internet access but has no subnet", n.name),
                    "DirectInternetAccess can be Disabled only when SubnetId is set (SM-4)",
                );
            }
            let subnets: Vec<String> = n.subnet.iter().cloned().collect();
            let kind = SmKind::Notebook { direct_internet_access: n.direct_internet_access, root_access: n.root_access };
            self.sm_resource(
                format!("sagemaker:notebook/{}", n.name),
                &n.name,
                kind,
                &subnets,
                &n.security_groups,
                n.private_ip.as_deref(),
                &at,
            );
        }
        for (i, j) in sm.training_jobs.iter().enumerate() {
            let at = format!("sagemaker/training_jobs/{i}");
            let processing = match j.kind.as_str() {
                "training" => false,
                "processing" => true,
                other => {
                    self.err(
                        "training-kind-invalid",
                        format!("{at}/kind"),
                        format!("job kind `{other}` is not valid"),
                        "use `training` or `processing`",
                    );
                    continue;
                }
            };
            let kind = SmKind::TrainingJob {
                processing,
                network_isolation: j.network_isolation,
                inter_container_encryption: j.inter_container_encryption,
            };
            let (subnets, sgs) = j.vpc_config.as_ref().map(|c| (c.subnets.clone(), c.security_groups.clone())).unwrap_or_default();
            let prefix = if processing { "processing-job" } else { "training-job" };
            self.sm_resource(format!("sagemaker:{prefix}/{}", j.name), &j.name, kind, &subnets, &sgs, j.private_ip.as_deref(), &at);
        }
        for (i, e) in sm.endpoints.iter().enumerate() {
            let at = format!("sagemaker/endpoints/{i}");
            let kind = SmKind::Endpoint { network_isolation: e.network_isolation };
            self.check_endpoint_azs(e, &at);
            let (subnets, sgs) = e.vpc_config.as_ref().map(|c| (c.subnets.clone(), c.security_groups.clone())).unwrap_or_default();
            self.sm_resource(format!("sagemaker:endpoint/{}", e.name), &e.name, kind, &subnets, &sgs, e.private_ip.as_deref(), &at);
        }
        for (i, d) in sm.domains.iter().enumerate() {
            let at = format!("sagemaker/domains/{i}");
            let vpc_only = match d.network_access.as_str() {
                "VpcOnly" => true,
                "PublicInternetOnly" => false,
                other => {
                    self.err(
                        "domain-access-invalid",
                        format!("{at}/network_access"),
                        format!("network access type `{other}` is not valid"),
                        "use `PublicInternetOnly` or `VpcOnly`",
                    );
                    continue;
                }
            };
            self.resolve_vpc(&d.vpc, format_args!("{at}/vpc"));
            let kind = SmKind::Domain { vpc_only };
            self.sm_resource(
                format!("sagemaker:domain/{}", d.name),
                &d.name,
                kind,
                &d.subnets,
                &d.security_groups,
                d.private_ip.as_deref(),
                &at,
            );
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one call site per SageMaker resource kind; a struct would only rename the arguments")]
    fn sm_resource(
        &mut self,
        reference: String,
        name: &str,
        kind: SmKind,
        subnets: &[String],
        sgs: &[String],
        private_ip: Option<&str>,
        at: &str,
    ) {
        let ix = SmIx::new(self.net.sagemaker.len());
        if !self.register(&reference, Node::SageMaker(ix), at) {
            return;
        }
        let mut eni = None;
        // One interface, in the first subnet: enough to trace from and to the resource.
        if let Some(first) = subnets.first() {
            let sat = format!("{at}/subnets/0");
            if let Some(sub) = self.resolve_subnet(first, &sat) {
                for (k, other) in subnets.iter().enumerate().skip(1) {
                    self.resolve_subnet(other, format_args!("{at}/subnets/{k}"));
                }
                let groups = self.resolve_sgs(sgs, sub, format_args!("{at}/security_groups"));
                if let Some(ip) = self.allocate_ip(sub, private_ip, format_args!("{at}/private_ip")) {
                    let label = name.to_owned();
                    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
                    let kind_tag = reference.split_once(':').and_then(|(_, r)| r.split_once('/')).map(|(k, _)| k).unwrap_or("sm");
                    eni = self.add_eni(format!("eni-sm-{kind_tag}-{safe}"), label, sub, ip, None, groups, Owner::SageMaker(ix), at);
                }
            }
        }
        self.net.sagemaker.push(SmResource { reference, name: name.to_owned(), kind, eni });
    }

    /// SM-10: hosting needs subnets in at least two Availability Zones.
    fn check_endpoint_azs(&mut self, e: &scenario::EndpointDoc, at: &str) {
        let Some(cfg) = &e.vpc_config else { return };
        let azs: HashSet<String> = cfg
            .subnets
            .iter()
            .filter_map(|id| match self.net.ids.get(id) {
                Some(Node::Subnet(s)) => self.net.subnets.get(s.get()).map(|x| x.az.clone()),
                _ => None,
            })
            .collect();
        if cfg.subnets.len() < 2 || azs.len() < 2 {
            self.diags.push(Diagnostic::warning(
                "endpoint-single-az",
                format!("{at}/vpc_config/subnets"),
                format!("the model of endpoint `{}` has subnets in fewer than two Availability Zones", e.name),
                "SageMaker hosting needs at least two subnets in different Availability Zones, even for one instance (SM-10)",
            ));
        }
    }

    fn externals(&mut self, doc: &NetworkDoc) {
        for (i, e) in doc.external.iter().enumerate() {
            let at = format!("external/{i}");
            let internet = match e.kind.as_str() {
                "internet" => true,
                "corporate" => false,
                other => {
                    self.err(
                        "external-kind-invalid",
                        format!("{at}/kind"),
                        format!("external kind `{other}` is not valid"),
                        "use `internet` or `corporate`",
                    );
                    continue;
                }
            };
            let Some(cidr) = parse_cidr(&e.cidr, format_args!("{at}/cidr"), &mut self.diags) else {
                continue;
            };
            let ix = ExtIx::new(self.net.externals.len());
            if !self.register(&e.id, Node::External(ix), &at) {
                continue;
            }
            let name = if e.name.is_empty() { e.id.clone() } else { e.name.clone() };
            self.net.externals.push(External { id: e.id.clone(), name, internet, cidr });
        }
    }

    fn security_group_rules(&mut self, doc: &NetworkDoc) {
        for (i, g) in doc.security_groups.iter().enumerate() {
            if let Some(Node::Sg(ix)) = self.net.ids.get(&g.id).copied() {
                self.group_rules(i, g, ix);
            }
        }
    }

    /// The rules of document group `i` (`g`), read into group `ix`.
    fn group_rules(&mut self, i: usize, g: &scenario::SgDoc, ix: SgIx) {
        let at = format!("security_groups/{i}");
        let inbound = self.sg_rules(&g.inbound, format_args!("{at}/inbound"));
        let outbound = self.sg_rules(&g.outbound, format_args!("{at}/outbound"));
        // SG-11: 60 rules per direction, counted separately for IPv4 and IPv6 (rules that
        // reference a group or a prefix list count for both).
        for (dir, rules) in [("inbound", &inbound), ("outbound", &outbound)] {
            for (family, v6) in [("IPv4", false), ("IPv6", true)] {
                let n = rules.iter().filter(|r| !matches!(&r.peer, Peer::Cidr(c) if c.net().addr().is_ipv6() != v6)).count();
                if n > 60 {
                    self.diags.push(Diagnostic::warning(
                        "sg-rule-quota",
                        format!("{at}/{dir}"),
                        format!("{n} {family} {dir} rules exceed the default quota of 60"),
                        "AWS allows 60 rules per direction and address family by default (SG-11)",
                    ));
                }
            }
        }
        if let Some(sg) = self.net.sgs.get_mut(ix.get()) {
            sg.inbound = inbound;
            sg.outbound = outbound;
        }
    }

    fn sg_rules(&mut self, rules: &[scenario::SgRuleDoc], at: impl fmt::Display) -> Vec<SgRule> {
        let mut out = Vec::new();
        for (k, r) in rules.iter().enumerate() {
            let rat = format_args!("{at}/{k}");
            let Some(traffic) = parse_traffic(&r.protocol, r.ports.as_deref(), r.icmp_type, r.icmp_code, rat, &mut self.diags) else {
                continue;
            };
            let peer = match (&r.cidr, &r.prefix_list, &r.sg) {
                (Some(c), None, None) => match parse_cidr(c, format_args!("{rat}/cidr"), &mut self.diags) {
                    Some(net) => Peer::Cidr(Cidr::new(net)),
                    None => continue,
                },
                (None, Some(p), None) => match self.resolve_pl(p, format_args!("{rat}/prefix_list")) {
                    Some(pl) => Peer::PrefixList(pl),
                    None => continue,
                },
                (None, None, Some(s)) => {
                    // Cross-account references `123456789012/sg-1` name the group after the slash (SG-17).
                    let sg_id = s.rsplit('/').next().unwrap_or(s);
                    match self.net.ids.get(sg_id) {
                        Some(Node::Sg(g)) => Peer::Sg(*g),
                        _ => {
                            let help = did_you_mean(sg_id, self.known(|n| matches!(n, Node::Sg(_))), "security groups");
                            self.err(
                                "unknown-security-group",
                                format!("{rat}/sg"),
                                format!(
                                    "rule references security group `{sg_id}`, which does not exist; the rule is stale and matches nothing"
                                ),
                                help,
                            );
                            Peer::Stale(sg_id.to_owned())
                        }
                    }
                }
                _ => {
                    self.err(
                        "sg-rule-peer",
                        rat.to_string(),
                        "a security group rule needs exactly one of `cidr`, `prefix_list` and `sg`",
                        "for example `\"cidr\": \"10.0.0.0/16\"` or `\"sg\": \"sg-web\"`",
                    );
                    continue;
                }
            };
            out.push(SgRule { position: k, traffic, peer, description: r.description.clone(), text: String::new() });
        }
        out
    }

    fn finish(&mut self) {
        // Rendered texts and lookup indexes: built once, so a trace formats little.
        let prefix_lists = &self.net.prefix_lists;
        for table in &mut self.net.rtbs {
            let mut raw: Vec<(u8, bool, u128, u128, u8, u32)> = Vec::new();
            for (k, r) in table.routes.iter_mut().enumerate() {
                let k = u32::try_from(k).unwrap_or(u32::MAX);
                match &r.dest {
                    RouteDest::Cidr(c) => {
                        r.dest_text = c.to_string();
                        raw.push((c.prefix_len(), c.is_v6(), c.mask(), c.bits(), if r.propagated { 0 } else { 2 }, k));
                    }
                    RouteDest::PrefixList(p) => {
                        let pl = prefix_lists.get(p.get());
                        r.dest_text = pl.map(|x| x.id.clone()).unwrap_or_default();
                        for c in pl.map(|x| x.cidrs.as_slice()).unwrap_or(&[]) {
                            raw.push((c.prefix_len(), c.is_v6(), c.mask(), c.bits(), 1, k));
                        }
                    }
                }
            }
            // Longest first; per destination the best rank, then the earliest route.
            raw.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.3.cmp(&b.3)).then(b.4.cmp(&a.4)).then(a.5.cmp(&b.5)));
            raw.dedup_by(|later, earlier| later.0 == earlier.0 && later.1 == earlier.1 && later.3 == earlier.3);
            let mut buckets: Vec<LpmBucket> = Vec::new();
            for (len, v6, mask, bits, _, k) in raw {
                match buckets.last_mut() {
                    Some(b) if b.len == len && b.v6 == v6 => b.entries.push((bits, k)),
                    _ => buckets.push(LpmBucket { len, v6, mask, entries: vec![(bits, k)] }),
                }
            }
            table.lpm = buckets;
        }
        for acl in &mut self.net.nacls {
            nacl_texts(acl);
        }
        for g in 0..self.net.sgs.len() {
            self.finish_sg(SgIx::new(g));
        }
        let mut members: Vec<HashMap<IpAddr, VpcIx>> = vec![HashMap::new(); self.net.sgs.len()];
        for e in &self.net.enis {
            for g in &e.sgs {
                if let Some(m) = members.get_mut(g.get()) {
                    m.insert(e.private_ip, e.vpc);
                }
            }
        }
        self.net.sg_members = members;
    }

    /// The rule texts and lookup indexes of group `ix`. The rules are taken out while
    /// their texts are written, which read the other groups' ids.
    fn finish_sg(&mut self, ix: SgIx) {
        let Some(sg) = self.net.sgs.get_mut(ix.get()) else {
            return;
        };
        let mut lists = [std::mem::take(&mut sg.inbound), std::mem::take(&mut sg.outbound)];
        let prefix_lists = &self.net.prefix_lists;
        let sgs = &self.net.sgs;
        for (rules, prep) in lists.iter_mut().zip(["from", "to"]) {
            for r in rules.iter_mut() {
                let traffic = &r.traffic;
                r.text = match &r.peer {
                    Peer::Cidr(c) => {
                        let mut text = rule_text(format_args!("{traffic} {prep} "));
                        push_cidr(&mut text, c.net());
                        text
                    }
                    Peer::PrefixList(p) => {
                        rule_text(format_args!("{traffic} {prep} {}", prefix_lists.get(p.get()).map_or("", |x| x.id.as_str())))
                    }
                    Peer::Sg(g) => rule_text(format_args!("{traffic} {prep} {}", sgs.get(g.get()).map_or("", |x| x.id.as_str()))),
                    Peer::Stale(id) => rule_text(format_args!("{traffic} {prep} {id} (stale)")),
                };
            }
        }
        let [inbound, outbound] = lists;
        if let Some(sg) = self.net.sgs.get_mut(ix.get()) {
            sg.inbound_index = RuleIndex::build(&inbound);
            sg.outbound_index = RuleIndex::build(&outbound);
            sg.inbound = inbound;
            sg.outbound = outbound;
        }
    }
}

/// The entry texts of a network ACL (`100 allow tcp/443 from 10.0.0.0/16`).
fn nacl_texts(acl: &mut Nacl) {
    for (entries, prep) in [(&mut acl.inbound, "from"), (&mut acl.outbound, "to")] {
        for e in entries.iter_mut() {
            e.text = format!("{} {} {} {prep} {}", e.number, if e.allow { "allow" } else { "deny" }, e.traffic, e.cidr);
        }
    }
}

/// A rule's text, written into a string sized for it: `format!` would start empty and
/// grow it several times, for each of tens of thousands of rules.
fn rule_text(args: fmt::Arguments<'_>) -> String {
    let mut text = String::with_capacity(64);
    // Writing into a `String` cannot fail.
    let _ = text.write_fmt(args);
    text
}

/// `net.to_string()`, for the blocks of rules and routes (see [`push_cidr`]).
pub(crate) fn cidr_text(net: IpNet) -> String {
    let mut text = String::with_capacity(18);
    push_cidr(&mut text, net);
    text
}

/// Appends `net` as its `Display` writes it (`10.0.1.0/24`). IPv4 blocks are written
/// digit by digit, several times faster than through the formatting machinery: imports
/// and builds write one per rule, tens of thousands for a large account.
fn push_cidr(text: &mut String, net: IpNet) {
    let IpNet::V4(v4) = net else {
        text.push_str(&net.to_string());
        return;
    };
    // At most `255.255.255.255/32`: 18 bytes, written into the stack and appended at once.
    let mut buf = [0u8; 18];
    let mut len = 0;
    let mut put = |b: u8| {
        if let Some(slot) = buf.get_mut(len) {
            *slot = b;
            len += 1;
        }
    };
    for (i, octet) in v4.addr().octets().into_iter().enumerate() {
        if i > 0 {
            put(b'.');
        }
        put_decimal(&mut put, octet);
    }
    put(b'/');
    put_decimal(&mut put, v4.prefix_len());
    // ASCII digits, dots and a slash are always UTF-8.
    text.push_str(std::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or_default());
}

/// Writes `n` in decimal, byte by byte.
fn put_decimal(put: &mut impl FnMut(u8), n: u8) {
    if n >= 100 {
        put(b'0' + n / 100);
    }
    if n >= 10 {
        put(b'0' + n / 10 % 10);
    }
    put(b'0' + n % 10);
}

pub(crate) fn any_v4() -> IpNet {
    IpNet::V4(Ipv4Net::default())
}

pub(crate) fn any_v6() -> IpNet {
    IpNet::V6(Ipv6Net::default())
}

/// Ids of resources by kind, for UI pickers and help texts.
pub fn ids_by_kind(net: &Network) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (id, node) in &net.ids {
        let kind = match node {
            Node::Vpc(_) => "vpc",
            Node::Subnet(_) => "subnet",
            Node::Rtb(_) => "route-table",
            Node::Nacl(_) => "network-acl",
            Node::Sg(_) => "security-group",
            Node::Eni(_) => "network-interface",
            Node::Instance(_) => "instance",
            Node::Igw(_) => "internet-gateway",
            Node::Nat(_) => "nat-gateway",
            Node::Vpce(_) => "vpc-endpoint",
            Node::Pcx(_) => "vpc-peering",
            Node::Pl(_) => "prefix-list",
            Node::External(_) => "external",
            Node::SageMaker(_) => "sagemaker",
            Node::Eigw(_) => "egress-only-internet-gateway",
            Node::Tgw(_) => "transit-gateway",
            Node::TgwAttachment(_) => "transit-gateway-attachment",
        };
        out.entry(kind).or_default().push(id.clone());
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_text_writes_as_display() {
        for text in ["0.0.0.0/0", "10.0.0.0/8", "172.16.5.9/32", "192.168.100.0/24", "255.255.255.255/32", "2001:db8::/56", "::/0"] {
            let net: IpNet = text.parse().unwrap();
            assert_eq!(cidr_text(net), text);
        }
        // Every octet value (in the first two positions; with the blocks above, every
        // digit count in every position) and every prefix length.
        for n in 0..=255u8 {
            let addr = std::net::Ipv4Addr::new(n, 255 - n, n / 2, n.wrapping_mul(7));
            let net = IpNet::V4(Ipv4Net::new(addr, n % 33).unwrap());
            assert_eq!(cidr_text(net), net.to_string());
        }
        for n in 0..=255u8 {
            let net = IpNet::V4(Ipv4Net::new(Ipv4Addr::new(n, n / 3, 255 - n, n % 10), n % 33).unwrap());
            assert_eq!(cidr_text(net), net.to_string());
        }
    }
}
