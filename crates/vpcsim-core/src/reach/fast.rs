//! The matrix's fast path: pairs of interfaces talking inside one VPC, decided with bit
//! masks over the network's packet classes instead of traces.
//!
//! # Classes
//!
//! One class space for the whole network: the TCP and UDP port axes cut at every
//! boundary (`from` and `to + 1`) of every TCP/UDP rule and entry of every security group
//! and network ACL, plus 25/26 (SG-20) and 67/68 (EX-1); then ICMP echo, every protocol
//! number a rule names, and `other` (see the parent module). Within one class every rule
//! of the network matches every packet alike, so a set of classes is exact.
//!
//! # When a pair takes the fast path
//!
//! Both ends are instances' interfaces (no SageMaker, NAT gateway or endpoint logic) in
//! one VPC, each resolved by its reference to its own private IPv4 address, which no
//! other interface holds and which is not an exempt address (EX-1); and the most specific
//! route from each end's subnet to the other's address is `local` (RT-2, RT-3). Then the
//! evaluator's path is fixed and a trace decides a class exactly when:
//!
//! - the request leaves through a rule of the source's groups for the destination's
//!   address (SG-9, SG-10, SG-16) and enters through a rule of the destination's groups
//!   for the source's address;
//! - between two subnets, the first matching entry allows it in the source subnet's ACL
//!   outbound and the destination subnet's inbound (NACL-2, NACL-3); within one subnet no
//!   ACL applies (NACL-7);
//! - the response, which security groups let through by connection tracking or, for an
//!   untracked flow, by the very rule that makes it untracked (SG-1, SG-5), passes the
//!   destination subnet's ACL outbound and the source subnet's inbound (NACL-6): its
//!   destination port is the fixed source port, so within TCP (or UDP) all classes share
//!   that verdict.
//!
//! Every other pair is traced class by class (the parent module). `tests/tests/reach.rs`
//! compares the two methods on the whole corpus and on random networks, and both with
//! the naive oracle.

use super::{Allowed, Prep};
use crate::addr::{PortRange, Traffic, L4};
use crate::eval::{self, DEFAULT_SRC_PORT};
use crate::model::{Network, Owner, Target};
use compact_str::CompactString;
use std::net::IpAddr;

/// The class space: TCP atoms, UDP atoms, ICMP echo, named protocols, `other`.
pub(super) struct Classes {
    tcp: Vec<u16>,
    udp: Vec<u16>,
    named: Vec<u8>,
    other: u8,
    /// Words per mask.
    pub(super) words: usize,
}

fn push_bounds(axis: &mut Vec<u16>, r: PortRange) {
    axis.push(r.from());
    if let Some(next) = r.to().checked_add(1) {
        axis.push(next);
    }
}

impl Classes {
    pub(super) fn new(net: &Network, prep: &Prep) -> Self {
        let (mut tcp, mut udp) = (vec![0, 25, 26], vec![0, 67, 68]);
        let mut add = |t: &Traffic| match t {
            Traffic::Tcp(r) => push_bounds(&mut tcp, *r),
            Traffic::Udp(r) => push_bounds(&mut udp, *r),
            _ => {}
        };
        for acl in &net.nacls {
            acl.inbound.iter().chain(&acl.outbound).for_each(|e| add(&e.traffic));
        }
        for g in &net.sgs {
            g.inbound.iter().chain(&g.outbound).for_each(|r| add(&r.traffic));
        }
        tcp.sort_unstable();
        tcp.dedup();
        udp.sort_unstable();
        udp.dedup();
        let mut c = Classes { tcp, udp, named: prep.named.clone(), other: prep.other, words: 0 };
        c.words = c.len().div_ceil(64);
        c
    }

    fn len(&self) -> usize {
        self.tcp.len() + self.udp.len() + 1 + self.named.len() + 1
    }

    fn icmp(&self) -> usize {
        self.tcp.len() + self.udp.len()
    }

    /// The request packet standing for class `c`.
    fn request(&self, c: usize) -> L4 {
        let (t, u) = (self.tcp.len(), self.udp.len());
        if let Some(p) = self.tcp.get(c) {
            return L4::Tcp { src_port: DEFAULT_SRC_PORT, dst_port: *p };
        }
        if let Some(p) = c.checked_sub(t).and_then(|k| self.udp.get(k)) {
            return L4::Udp { src_port: DEFAULT_SRC_PORT, dst_port: *p };
        }
        if c == t + u {
            return L4::Icmp { icmp_type: 8, code: 0 };
        }
        match c.checked_sub(t + u + 1).and_then(|k| self.named.get(k)) {
            Some(p) => L4::Other(*p),
            None => L4::Other(self.other),
        }
    }

    /// Whether the classes already separate everything a matcher distinguishes: its port
    /// range starts and ends on class boundaries, and a protocol it names has its class.
    pub(super) fn covers(&self, t: &Traffic, named: &[u8]) -> bool {
        let on = |axis: &[u16], r: PortRange| {
            axis.binary_search(&r.from()).is_ok() && r.to().checked_add(1).is_none_or(|n| axis.binary_search(&n).is_ok())
        };
        match t {
            Traffic::Tcp(r) => on(&self.tcp, *r),
            Traffic::Udp(r) => on(&self.udp, *r),
            Traffic::Protocol(p) => named.contains(p) && *p != self.other,
            _ => true,
        }
    }

    /// The class of a request packet the matrix sends, if it is one of its classes.
    pub(super) fn class_of(&self, l4: &L4) -> Option<usize> {
        let (t, u) = (self.tcp.len(), self.udp.len());
        match *l4 {
            L4::Tcp { dst_port, .. } => self.tcp.partition_point(|s| *s <= dst_port).checked_sub(1),
            L4::Udp { dst_port, .. } => self.udp.partition_point(|s| *s <= dst_port).checked_sub(1).map(|k| t + k),
            L4::Icmp { icmp_type: 8, code: 0 } => Some(t + u),
            L4::Other(p) if p == self.other => Some(self.len() - 1),
            L4::Other(p) => self.named.iter().position(|n| *n == p).map(|k| t + u + 1 + k),
            _ => None,
        }
    }

    pub(super) fn zero(&self) -> Vec<u64> {
        vec![0; self.words]
    }

    pub(super) fn ones(&self) -> Vec<u64> {
        let mut m = self.zero();
        set_range(&mut m, 0, self.len());
        m
    }

    /// ORs into `out` the classes a matcher matches: on the request (`response` false),
    /// or on the class's response packet (ports swapped, echo reply).
    fn traffic(&self, t: &Traffic, response: bool, out: &mut [u64]) {
        let (nt, nu) = (self.tcp.len(), self.udp.len());
        let axis_range = |axis: &[u16], r: PortRange| {
            let lo = axis.partition_point(|s| *s < r.from());
            let hi = r.to().checked_add(1).map_or(axis.len(), |next| axis.partition_point(|s| *s < next));
            (lo, hi)
        };
        match (t, response) {
            (Traffic::All, _) => set_range(out, 0, self.len()),
            (Traffic::Tcp(r), false) => {
                let (lo, hi) = axis_range(&self.tcp, *r);
                set_range(out, lo, hi);
            }
            (Traffic::Udp(r), false) => {
                let (lo, hi) = axis_range(&self.udp, *r);
                set_range(out, nt + lo, nt + hi);
            }
            // NACL-6: every TCP (UDP) class's response goes to the fixed source port.
            (Traffic::Tcp(r), true) if r.contains(DEFAULT_SRC_PORT) => set_range(out, 0, nt),
            (Traffic::Udp(r), true) if r.contains(DEFAULT_SRC_PORT) => set_range(out, nt, nt + nu),
            (Traffic::Tcp(_) | Traffic::Udp(_), true) => {}
            _ => {
                for c in self.icmp()..self.len() {
                    let l4 = if response { self.request(c).response() } else { self.request(c) };
                    if t.matches(&l4) {
                        set_range(out, c, c + 1);
                    }
                }
            }
        }
    }

    /// The allowed list of a mask, in the matrix's order, adjacent port classes merged.
    /// Built in `out` (cleared first), then copied into a list of its exact length; port
    /// texts are written once each and kept in `texts`, by range (`from << 16 | to`).
    pub(super) fn allowed(&self, m: &[u64], out: &mut Vec<Allowed>, texts: &mut rustc_hash::FxHashMap<u32, CompactString>) -> Vec<Allowed> {
        out.clear();
        for (name, axis, offset) in [("tcp", &self.tcp, 0), ("udp", &self.udp, self.tcp.len())] {
            // Runs of set bits, found a word at a time.
            let end = offset + axis.len();
            let mut k = next_bit(m, offset, end, true);
            while k < end {
                let stop = next_bit(m, k, end, false);
                let from = axis.get(k - offset).copied().unwrap_or(0);
                let to = axis.get(stop - offset).map_or(u16::MAX, |n| n.saturating_sub(1));
                let ports = match texts.entry(u32::from(from) << 16 | u32::from(to)) {
                    std::collections::hash_map::Entry::Occupied(t) => Some(t.get().clone()),
                    std::collections::hash_map::Entry::Vacant(slot) => super::ports_text(from, to).map(|t| slot.insert(t).clone()),
                };
                out.push(Allowed { protocol: CompactString::const_new(name), ports });
                k = next_bit(m, stop, end, true);
            }
        }
        if bit(m, self.icmp()) {
            out.push(Allowed { protocol: "icmp".into(), ports: None });
        }
        for (k, p) in self.named.iter().enumerate() {
            if bit(m, self.icmp() + 1 + k) {
                out.push(Allowed { protocol: compact_str::format_compact!("proto-{p}"), ports: None });
            }
        }
        if bit(m, self.len() - 1) {
            out.push(Allowed { protocol: "other".into(), ports: None });
        }
        // Moved out into a list of its exact length; `out` keeps its capacity.
        let mut list = Vec::with_capacity(out.len());
        list.append(out);
        list
    }
}

pub(super) fn bit(m: &[u64], k: usize) -> bool {
    m.get(k / 64).is_some_and(|w| w >> (k % 64) & 1 == 1)
}

/// The first bit at or after `k`, before `end`, that is set (`set`) or clear; `end` when
/// there is none. Whole words are skipped at once.
fn next_bit(m: &[u64], k: usize, end: usize, set: bool) -> usize {
    let mut k = k;
    while k < end {
        let word = m.get(k / 64).copied().unwrap_or(0);
        let word = (if set { word } else { !word }) >> (k % 64);
        if word != 0 {
            return (k + word.trailing_zeros() as usize).min(end);
        }
        k = (k / 64 + 1) * 64;
    }
    end
}

/// Sets bits `lo..hi`, a word at a time.
fn set_range(m: &mut [u64], lo: usize, hi: usize) {
    let mut k = lo;
    while k < hi {
        let (word, bit) = (k / 64, k % 64);
        let n = (64 - bit).min(hi - k);
        let bits = if n == 64 { u64::MAX } else { ((1u64 << n) - 1) << bit };
        if let Some(w) = m.get_mut(word) {
            *w |= bits;
        }
        k += n;
    }
}

/// An end that may take the fast path.
#[derive(Clone, Copy)]
pub(super) struct FastEnd {
    /// Index among the fast ends (a column of the mask tables).
    pub(super) peer: usize,
    vpc: usize,
    subnet: usize,
    nacl: usize,
    rtb: usize,
    eni: usize,
    /// Its interface's groups: `Fast::sgs[sg_at..sg_at + sg_len]`.
    sg_at: u32,
    sg_len: u32,
}

/// One end of many pairs (a row's source or a column's destination) with its side of
/// every pair looked up once: what each group and each ACL of the network allows toward
/// this end's address, and which route tables reach it over `local`.
pub(super) struct Anchor<const W: usize> {
    end: FastEnd,
    source: bool,
    /// Per group: its inbound mask from this end (this end is the source) or its outbound
    /// mask to it (this end is the destination).
    by_group: Vec<[u64; W]>,
    /// Per ACL: `ACL_DST` from this end (source) or `ACL_SRC` toward it (destination).
    by_acl: Vec<[u64; W]>,
    /// Per route table: whether its most specific route to this end is `local`.
    local: Vec<bool>,
    /// The anchor's own side, read per pair at the other end's peer: the offsets of its
    /// groups' rows in `ids[mine]` (`SG_OUT` from a source, `SG_IN` into a destination),
    /// of its route table's row in `local`, and of its ACL's row in `ids[acl]`.
    mine: usize,
    mine_at: Vec<usize>,
    local_at: usize,
    acl: usize,
    acl_at: usize,
}

impl<const W: usize> Anchor<W> {
    /// Whether the anchor is the source of its pairs.
    pub(super) fn is_source(&self) -> bool {
        self.source
    }
}

/// Everything the fast path computes once per network.
pub(super) struct Fast {
    pub(super) classes: Classes,
    /// Per interface index: its fast end, if it may take the fast path.
    pub(super) ends: Vec<Option<FastEnd>>,
    ips: Vec<IpAddr>,
    /// The fast ends' groups (see [`FastEnd::sg_at`]).
    sgs: Vec<usize>,
    /// `[group][peer]` masks: what the group's outbound (inbound) rules allow to (from) the
    /// peer's address.
    sg_out: Vec<u64>,
    sg_in: Vec<u64>,
    /// `[acl][peer]` masks: request classes the ACL allows outbound to (inbound from) the
    /// peer, and response classes likewise. Once computed, `acl_out` holds `acl_out &
    /// acl_resp_in` (both read at the source subnet's ACL and the destination peer) and
    /// `acl_in` holds `acl_in & acl_resp_out` (the destination's ACL, the source peer): a
    /// pair reads two ACL masks, not four.
    acl_out: Vec<u64>,
    acl_in: Vec<u64>,
    acl_resp_out: Vec<u64>,
    acl_resp_in: Vec<u64>,
    /// `[route table][peer]`: whether the most specific route to the peer is `local`.
    local: Vec<bool>,
    peers: usize,
    /// Peers by address.
    by_ip: rustc_hash::FxHashMap<IpAddr, Vec<usize>>,
    /// Peers by address in address order (every fast end's address is IPv4), so that a
    /// rule's CIDR block selects a run of them.
    sorted_v4: Vec<(u32, usize)>,
    /// The tables above as offsets into `arena`, which holds each distinct mask once: a
    /// pair reads a few small, cache-resident masks instead of scattered rows.
    ids: [Vec<u32>; 4],
    arena: Vec<u64>,
    arena_index: rustc_hash::FxHashMap<Vec<u64>, u32>,
}

/// What an update's group recomputations changed: per (group, direction), per peer, the
/// index in `masks` of the classes whose verdict changed (old mask ^ new mask), 0 when
/// the peer's mask is unchanged. Equal changes share one index.
#[derive(Default)]
pub(super) struct Deltas {
    /// (group, per peer change index) for outbound masks (by destination peer) and for
    /// inbound masks (by source peer).
    pub(super) out: Vec<(usize, Vec<u32>)>,
    pub(super) inbound: Vec<(usize, Vec<u32>)>,
    /// Change masks, one per index, `words` words each; index 0 is unused.
    pub(super) masks: Vec<u64>,
    index: rustc_hash::FxHashMap<(u32, u32), u32>,
    by_change: rustc_hash::FxHashMap<Vec<u64>, u32>,
}

impl Deltas {
    fn intern(&mut self, old: u32, new: u32, arena: &[u64], words: usize) -> u32 {
        if old == new {
            return 0;
        }
        if self.masks.is_empty() {
            self.masks.resize(words, 0);
        }
        if let Some(id) = self.index.get(&(old, new)) {
            return *id;
        }
        let (a, b) = (old as usize, new as usize);
        let change: Vec<u64> = match (arena.get(a..a + words), arena.get(b..b + words)) {
            (Some(x), Some(y)) => x.iter().zip(y).map(|(x, y)| x ^ y).collect(),
            // Unknown masks: every class may have changed.
            _ => vec![u64::MAX; words],
        };
        // Many pairs of masks differ by the same classes (the edited rule's): one index.
        let id = match self.by_change.get(&change) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.masks.len() / words.max(1)).unwrap_or(u32::MAX);
                self.masks.extend_from_slice(&change);
                self.by_change.insert(change, id);
                id
            }
        };
        self.index.insert((old, new), id);
        id
    }
}

/// What an update changed on one side of a line's pairs, for [`Fast::anchored`]: per
/// changed group of the line's end, per peer, an index into `masks` ([`Deltas`]).
pub(super) struct Changes<'a> {
    pub(super) by_peer: &'a [&'a [u32]],
    pub(super) masks: &'a [u64],
    /// `[change * groups + group]`: whether the change meets what the group allows on
    /// the anchor's side ([`Fast::meets`]), when the line computed it.
    pub(super) meets: Option<&'a [bool]>,
}

/// At most this many (change, group) pairs are tabled per line by [`Fast::meets`].
pub(super) const MEETS_TABLE: usize = 1 << 16;

/// A fast pair's mask, or that an update left it unchanged.
pub(super) enum Pair<const W: usize> {
    Mask([u64; W]),
    Unchanged,
}

/// Which table: the `ids` index.
const SG_OUT: usize = 0;
const SG_IN: usize = 1;
/// The source subnet's ACL toward the destination peer: request out, response in.
const ACL_SRC: usize = 2;
/// The destination subnet's ACL toward the source peer: request in, response out.
const ACL_DST: usize = 3;

impl Fast {
    pub(super) fn new(net: &Network, prep: &Prep) -> Fast {
        let classes = Classes::new(net, prep);
        let mut ends = vec![None; net.enis.len()];
        let mut ips = Vec::new();
        let mut sgs = Vec::new();
        for end in prep.sources.iter().chain(&prep.destinations) {
            let Some(ix) = end.eni else { continue };
            if end.outside.is_some() || end.service || ends.get(ix.get()).is_some_and(Option::is_some) {
                continue;
            }
            let Some(e) = net.eni(ix) else { continue };
            let Ok(eval::Endpoint::Eni { eni, ip, literal: false }) = eval::resolve(net, &end.reference, "") else { continue };
            let Some(subnet) = net.subnet(e.subnet) else { continue };
            let own_address = eni == ix
                && ip == e.private_ip
                && ip.is_ipv4()
                && net.eni_by_private_ip(e.vpc, ip) == Some(ix)
                && prep.aliases.get(ix.get()).is_some_and(Vec::is_empty)
                && eval::exempt_what(net, e.vpc, ip, L4::Udp { src_port: DEFAULT_SRC_PORT, dst_port: 67 }).is_none()
                && net.nacl(subnet.nacl).is_some();
            if !matches!(e.owner, Owner::Instance(_)) || !own_address {
                continue;
            }
            if let Some(slot) = ends.get_mut(ix.get()) {
                let (Ok(sg_at), Ok(sg_len)) = (u32::try_from(sgs.len()), u32::try_from(e.sgs.len())) else { continue };
                sgs.extend(e.sgs.iter().map(|g| g.get()));
                *slot = Some(FastEnd {
                    peer: ips.len(),
                    vpc: e.vpc.get(),
                    subnet: e.subnet.get(),
                    nacl: subnet.nacl.get(),
                    rtb: subnet.rtb.get(),
                    eni: ix.get(),
                    sg_at,
                    sg_len,
                });
                ips.push(ip);
            }
        }
        let mut fast = Fast {
            classes,
            ends,
            ips,
            sgs,
            sg_out: Vec::new(),
            sg_in: Vec::new(),
            acl_out: Vec::new(),
            acl_in: Vec::new(),
            acl_resp_out: Vec::new(),
            acl_resp_in: Vec::new(),
            local: Vec::new(),
            peers: 0,
            by_ip: rustc_hash::FxHashMap::default(),
            sorted_v4: Vec::new(),
            ids: Default::default(),
            arena: Vec::new(),
            arena_index: rustc_hash::FxHashMap::default(),
        };
        fast.peers = fast.ips.len();
        for (p, ip) in fast.ips.iter().enumerate() {
            fast.by_ip.entry(*ip).or_default().push(p);
            if let IpAddr::V4(v4) = ip {
                fast.sorted_v4.push((u32::from(*v4), p));
            }
        }
        fast.sorted_v4.sort_unstable();
        let w = fast.classes.words;
        fast.sg_out = vec![0; net.sgs.len() * fast.peers * w];
        fast.sg_in = fast.sg_out.clone();
        let (groups, acls) = (net.sgs.len() * fast.peers, net.nacls.len() * fast.peers);
        fast.ids = [vec![0; groups], vec![0; groups], vec![0; acls], vec![0; acls]];
        for g in 0..net.sgs.len() {
            fast.sg_masks(net, g, true, true);
        }
        let acl_size = net.nacls.len() * fast.peers * w;
        fast.acl_out = vec![0; acl_size];
        fast.acl_in = vec![0; acl_size];
        fast.acl_resp_out = vec![0; acl_size];
        fast.acl_resp_in = vec![0; acl_size];
        for a in 0..net.nacls.len() {
            fast.acl_masks(net, a);
        }
        fast.local = Vec::with_capacity(net.rtbs.len() * fast.peers);
        for t in 0..net.rtbs.len() {
            for ip in &fast.ips {
                let local = eval::lookup(net, crate::model::RtbIx::new(t), *ip).is_some_and(|(_, r, _)| r.target == Target::Local);
                fast.local.push(local);
            }
        }
        fast
    }

    /// Recomputes one security group's outbound masks (`out`), inbound masks (`inbound`),
    /// or both. A rule naming a group visits that group's members only (SG-16, SG-17:
    /// members of the rule's VPC or of an actively peered one); other rules test every
    /// peer.
    pub(super) fn sg_masks(&mut self, net: &Network, g: usize, out: bool, inbound: bool) {
        let (w, peers) = (self.classes.words, self.peers);
        let Some(sg) = net.sgs.get(g) else { return };
        let directions = [(out, &sg.outbound, &mut self.sg_out), (inbound, &sg.inbound, &mut self.sg_in)];
        for (rules, table) in directions.into_iter().filter(|d| d.0).map(|(_, rules, table)| (rules, table)) {
            let Some(row) = table.get_mut(g * peers * w..(g + 1) * peers * w) else { continue };
            row.fill(0);
            let mut rule_mask = vec![0; w];
            for r in rules {
                rule_mask.fill(0);
                self.classes.traffic(&r.traffic, false, &mut rule_mask);
                let mut or_into = |p: usize| {
                    if let Some(m) = row.get_mut(p * w..(p + 1) * w) {
                        m.iter_mut().zip(&rule_mask).for_each(|(a, b)| *a |= b);
                    }
                };
                match &r.peer {
                    crate::model::Peer::Sg(x) => {
                        for (ip, member_vpc) in net.sg_members.get(x.get()).into_iter().flatten() {
                            if *member_vpc != sg.vpc && net.active_peering(sg.vpc, *member_vpc).is_none() {
                                continue;
                            }
                            for p in self.by_ip.get(ip).into_iter().flatten() {
                                or_into(*p);
                            }
                        }
                    }
                    // SG-9: a block matches the addresses inside it; an IPv6 block
                    // matches no fast end.
                    crate::model::Peer::Cidr(c) => {
                        if let ipnet::IpNet::V4(n) = c.net() {
                            let (lo, hi) = (u32::from(n.network()), u32::from(n.broadcast()));
                            let from = self.sorted_v4.partition_point(|(ip, _)| *ip < lo);
                            for (_, p) in self.sorted_v4.get(from..).unwrap_or(&[]).iter().take_while(|(ip, _)| *ip <= hi) {
                                or_into(*p);
                            }
                        }
                    }
                    _ => {
                        for (p, ip) in self.ips.iter().enumerate() {
                            if eval::sg_peer_matches(net, r, *ip, sg.vpc) {
                                or_into(p);
                            }
                        }
                    }
                }
            }
        }
        if out {
            self.intern_rows(SG_OUT, g);
        }
        if inbound {
            self.intern_rows(SG_IN, g);
        }
    }

    /// Recomputes one network ACL's masks: first match wins (NACL-2), unmatched classes
    /// are denied (NACL-3).
    pub(super) fn acl_masks(&mut self, net: &Network, a: usize) {
        let (w, peers) = (self.classes.words, self.peers);
        let Some(acl) = net.nacls.get(a) else { return };
        let span = a * peers * w..(a + 1) * peers * w;
        for (entries, outbound, response) in
            [(&acl.outbound, true, false), (&acl.inbound, false, false), (&acl.outbound, true, true), (&acl.inbound, false, true)]
        {
            let masks: Vec<Vec<u64>> = entries
                .iter()
                .map(|e| {
                    let mut m = vec![0; w];
                    self.classes.traffic(&e.traffic, response, &mut m);
                    m
                })
                .collect();
            let table = match (outbound, response) {
                (true, false) => &mut self.acl_out,
                (false, false) => &mut self.acl_in,
                (true, true) => &mut self.acl_resp_out,
                (false, true) => &mut self.acl_resp_in,
            };
            let Some(row) = table.get_mut(span.clone()) else { continue };
            let ones = self.classes.ones();
            let mut remaining = ones.clone();
            for (p, ip) in self.ips.iter().enumerate() {
                let Some(allowed) = row.get_mut(p * w..(p + 1) * w) else { continue };
                allowed.fill(0);
                remaining.copy_from_slice(&ones);
                for (e, m) in entries.iter().zip(&masks) {
                    if !e.cidr.contains(*ip) {
                        continue;
                    }
                    for ((al, rem), x) in allowed.iter_mut().zip(remaining.iter_mut()).zip(m) {
                        let hit = *rem & x;
                        if e.allow {
                            *al |= hit;
                        }
                        *rem &= !hit;
                    }
                }
            }
        }
        for (request, response) in [(&mut self.acl_out, &self.acl_resp_in), (&mut self.acl_in, &self.acl_resp_out)] {
            if let (Some(r), Some(x)) = (request.get_mut(span.clone()), response.get(span.clone())) {
                r.iter_mut().zip(x).for_each(|(a, b)| *a &= b);
            }
        }
        self.intern_rows(ACL_SRC, a);
        self.intern_rows(ACL_DST, a);
    }

    /// The classes the source interface's groups let out to `dst` (SG-9, SG-10), its
    /// request's first filter: a class outside it is dropped there whatever follows.
    /// `None` when the request does not begin with that check (not an instance, or an
    /// exempt destination, EX-1).
    pub(super) fn egress(&self, net: &Network, src: crate::model::EniIx, dst: IpAddr) -> Option<Vec<u64>> {
        let e = net.eni(src)?;
        let dhcp = L4::Udp { src_port: DEFAULT_SRC_PORT, dst_port: 67 };
        if !matches!(e.owner, Owner::Instance(_)) || eval::exempt_what(net, e.vpc, dst, dhcp).is_some() {
            return None;
        }
        let mut m = self.classes.zero();
        for g in &e.sgs {
            let Some(sg) = net.sg(*g) else { continue };
            for r in sg.outbound.iter().filter(|r| eval::sg_peer_matches(net, r, dst, sg.vpc)) {
                self.classes.traffic(&r.traffic, false, &mut m);
            }
        }
        Some(m)
    }

    /// [`Fast::sg_masks`], recording in `deltas` which peers' masks the recomputation
    /// changed and by which classes (see [`Deltas`]).
    pub(super) fn sg_masks_delta(&mut self, net: &Network, g: usize, out: bool, inbound: bool, deltas: &mut Deltas) {
        let peers = self.peers;
        let span = g * peers..(g + 1) * peers;
        let before =
            |table: usize, on: bool| if on { self.ids.get(table).and_then(|t| t.get(span.clone())).map(<[u32]>::to_vec) } else { None };
        let (old_out, old_in) = (before(SG_OUT, out), before(SG_IN, inbound));
        self.sg_masks(net, g, out, inbound);
        for (table, old) in [(SG_OUT, old_out), (SG_IN, old_in)] {
            let (Some(old), Some(new)) = (old, self.ids.get(table).and_then(|t| t.get(span.clone()))) else { continue };
            let by_peer = old.iter().zip(new).map(|(a, b)| deltas.intern(*a, *b, &self.arena, self.classes.words)).collect();
            let list = if table == SG_OUT { &mut deltas.out } else { &mut deltas.inbound };
            list.push((g, by_peer));
        }
    }

    /// Stores row `k` of a dense table as arena indexes.
    fn intern_rows(&mut self, table: usize, k: usize) {
        let (w, peers) = (self.classes.words, self.peers);
        let dense = match table {
            SG_OUT => &self.sg_out,
            SG_IN => &self.sg_in,
            ACL_SRC => &self.acl_out,
            _ => &self.acl_in,
        };
        for p in 0..peers {
            let at = (k * peers + p) * w;
            let Some(mask) = dense.get(at..at + w) else { continue };
            let id = match self.arena_index.get(mask) {
                Some(id) => *id,
                None => {
                    let id = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
                    self.arena.extend_from_slice(mask);
                    self.arena_index.insert(mask.to_vec(), id);
                    id
                }
            };
            if let Some(slot) = self.ids.get_mut(table).and_then(|t| t.get_mut(k * peers + p)) {
                *slot = id;
            }
        }
    }

    /// For a line's anchor, `[change * groups + group]`: whether each change in `masks`
    /// ([`Deltas::masks`]) meets what each group's masks toward the anchor allow
    /// ([`Anchor::by_group`]). An empty table when it would have more entries than `limit`
    /// or [`MEETS_TABLE`].
    pub(super) fn meets<const W: usize>(&self, a: &Anchor<W>, masks: &[u64], limit: usize) -> Vec<bool> {
        let changes = masks.len() / W.max(1);
        if changes.saturating_mul(a.by_group.len()) > limit.min(MEETS_TABLE) {
            return Vec::new();
        }
        let mut table = Vec::with_capacity(changes * a.by_group.len());
        for change in masks.chunks_exact(W.max(1)) {
            table.extend(a.by_group.iter().map(|g| g.iter().zip(change).fold(0, |acc, (x, y)| acc | (x & y)) != 0));
        }
        table
    }

    /// A fast end's groups.
    fn sgs_of(&self, e: &FastEnd) -> &[usize] {
        let at = e.sg_at as usize;
        self.sgs.get(at..at + e.sg_len as usize).unwrap_or(&[])
    }

    /// The mask of row `k`, peer `p` of a table.
    fn row(&self, table: usize, k: usize, p: usize) -> &[u64] {
        let w = self.classes.words;
        let at = self.ids.get(table).and_then(|t| t.get(k * self.peers + p)).map_or(usize::MAX, |at| *at as usize);
        at.checked_add(w).and_then(|end| self.arena.get(at..end)).unwrap_or(&[])
    }

    /// [`Fast::row`] for masks of `W` words.
    #[inline(always)]
    fn row_w<const W: usize>(&self, table: usize, k: usize, p: usize) -> Option<&[u64; W]> {
        let at = *self.ids.get(table)?.get(k * self.peers + p)? as usize;
        self.arena.get(at..)?.first_chunk()
    }

    /// `eni` as the fixed end of a row (`source`) or a column; `None` when it takes no
    /// fast path (every pair with it is then traced) or `W` is not the mask width.
    pub(super) fn anchor<const W: usize>(&self, net: &Network, eni: usize, source: bool) -> Option<Anchor<W>> {
        let end = (*self.ends.get(eni)?)?;
        if self.classes.words != W {
            return None;
        }
        let (group_table, acl_table) = if source { (SG_IN, ACL_DST) } else { (SG_OUT, ACL_SRC) };
        let by_group = (0..net.sgs.len()).map(|g| self.row_w::<W>(group_table, g, end.peer).copied()).collect::<Option<Vec<_>>>()?;
        let by_acl = (0..net.nacls.len()).map(|a| self.row_w::<W>(acl_table, a, end.peer).copied()).collect::<Option<Vec<_>>>()?;
        let local = (0..net.rtbs.len()).map(|t| self.local.get(t * self.peers + end.peer).copied()).collect::<Option<Vec<_>>>()?;
        let (mine, acl) = if source { (SG_OUT, ACL_SRC) } else { (SG_IN, ACL_DST) };
        let mine_at = self.sgs_of(&end).iter().map(|g| g * self.peers).collect();
        Some(Anchor {
            end,
            source,
            by_group,
            by_acl,
            local,
            mine,
            mine_at,
            local_at: end.rtb * self.peers,
            acl,
            acl_at: end.nacl * self.peers,
        })
    }

    /// The mask of the pair of `anchor` and interface `other` (the anchor as source when
    /// it was made as one), or `None` when the pair must be traced: [`Fast::pair`] with
    /// the anchor's side read from the anchor.
    ///
    /// With `changes` (see [`Changes`]), `Some(Pair::Unchanged)` when what they changed
    /// lies outside what the other side's groups allow: the pair's mask is both sides'
    /// group masks and the ACLs' ANDed, so it is as it was. The caller guarantees that
    /// the only masks the update changed for this pair are the anchor's groups' on the
    /// anchor's side (`Engine::update_line`'s filter).
    #[inline(always)]
    pub(super) fn anchored<const W: usize>(&self, a: &Anchor<W>, o: &FastEnd, changes: Option<&Changes<'_>>) -> Option<Pair<W>> {
        // Every pair of a line reads the anchor's side at the same rows, by the other
        // end's peer `p`; the other end's side was read into the anchor.
        let (e, p) = (&a.end, o.peer);
        if o.vpc != e.vpc || o.eni == e.eni {
            return None;
        }
        // RT-2, RT-3: each end's subnet reaches the other over `local`.
        if !(*a.local.get(o.rtb)? && *self.local.get(a.local_at + p)?) {
            return None;
        }
        let their_groups = self.sgs_of(o);
        if let Some(meets) = changes.and_then(|c| c.meets) {
            // The same test as below, read from the line's table.
            let groups = a.by_group.len();
            let mut met = false;
            for by_peer in changes.map_or(&[][..], |c| c.by_peer) {
                let id = *by_peer.get(p)? as usize;
                if id != 0 {
                    for g in their_groups {
                        met |= *meets.get(id * groups + g)?;
                    }
                }
            }
            if !met {
                return Some(Pair::Unchanged);
            }
        }
        // The other end's groups, read from the anchor: what they let in from it (the
        // anchor is the source) or out to it (the anchor is the destination).
        let mut theirs = [0u64; W];
        for g in their_groups {
            let m = a.by_group.get(*g)?;
            theirs.iter_mut().zip(m).for_each(|(x, y)| *x |= y);
        }
        if let Some(c) = changes.filter(|c| c.meets.is_none()) {
            let mut met = 0;
            for by_peer in c.by_peer {
                let id = *by_peer.get(p)? as usize;
                if id != 0 {
                    let change: &[u64; W] = c.masks.get(id * W..)?.first_chunk()?;
                    met |= theirs.iter().zip(change).fold(0, |acc, (x, y)| acc | (x & y));
                }
            }
            if met == 0 {
                return Some(Pair::Unchanged);
            }
        }
        // The anchor's groups toward the other end, ANDed with theirs.
        let ids = self.ids.get(a.mine)?;
        let mut mine = [0u64; W];
        for at in &a.mine_at {
            let m = self.arena_w::<W>(*ids.get(at + p)?)?;
            mine.iter_mut().zip(m).for_each(|(x, y)| *x |= y);
        }
        // Between subnets, the anchor's ACL toward the other end and the other's ACL
        // toward the anchor (NACL-2, NACL-3, NACL-6); within one, none (NACL-7).
        if o.subnet == e.subnet {
            mine.iter_mut().zip(&theirs).for_each(|(x, y)| *x &= y);
        } else {
            let own = self.arena_w::<W>(*self.ids.get(a.acl)?.get(a.acl_at + p)?)?;
            let other = a.by_acl.get(o.nacl)?;
            mine.iter_mut().zip(&theirs).for_each(|(x, y)| *x &= y);
            mine.iter_mut().zip(own).zip(other).for_each(|((x, y), z)| *x &= y & z);
        }
        Some(Pair::Mask(mine))
    }

    /// The mask at offset `at` of the arena, `W` words.
    #[inline(always)]
    fn arena_w<const W: usize>(&self, at: u32) -> Option<&[u64; W]> {
        self.arena.get(at as usize..)?.first_chunk()
    }

    /// The pair's mask, or `None` when the pair must be traced. The matrix reads pairs
    /// through [`Fast::anchored`] when the mask width is unrolled (up to 8 words); this
    /// serves any width.
    pub(super) fn pair(&self, net: &Network, src: usize, dst: usize, out: &mut [u64], inbound: &mut [u64]) -> Option<()> {
        let s = (*self.ends.get(src)?)?;
        let d = (*self.ends.get(dst)?)?;
        let peers = self.peers;
        if s.vpc != d.vpc || s.eni == d.eni || !*self.local.get(s.rtb * peers + d.peer)? || !*self.local.get(d.rtb * peers + s.peer)? {
            return None;
        }
        let w = self.classes.words;
        let (se, de) = (net.enis.get(s.eni)?, net.enis.get(d.eni)?);
        out.fill(0);
        for g in &se.sgs {
            for (o, x) in out.iter_mut().zip(self.row(SG_OUT, g.get(), d.peer)) {
                *o |= x;
            }
        }
        inbound.fill(0);
        for g in &de.sgs {
            for (o, x) in inbound.iter_mut().zip(self.row(SG_IN, g.get(), s.peer)) {
                *o |= x;
            }
        }
        out.iter_mut().zip(inbound.iter()).for_each(|(o, x)| *o &= x);
        if s.subnet != d.subnet {
            for (table, acl, peer) in [(ACL_SRC, s.nacl, d.peer), (ACL_DST, d.nacl, s.peer)] {
                let row = self.row(table, acl, peer);
                if row.len() != w {
                    return None;
                }
                out.iter_mut().zip(row).for_each(|(o, x)| *o &= x);
            }
        }
        Some(())
    }
}
