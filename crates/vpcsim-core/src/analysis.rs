//! Static analysis of a document that needs no packet: facts the playground shows next to
//! rules (a shadowed NACL entry) and the lints build on.
//!
//! Shadowing (NACL-2): entries are evaluated from the lowest rule number up and the first
//! match decides, so an entry whose whole match set (protocol, ports or ICMP type/code,
//! CIDR) is covered by the union of lower-numbered entries can never match. The check is
//! exact: CIDR containment is computed on the address bits (a block covered by several
//! smaller blocks counts as covered), port ranges are merged, ICMP types and codes are
//! checked value by value, and IPv4 and IPv6 entries never shadow each other (NACL-10).
//! Entries the model leaves out (invalid number, action, protocol, ports or CIDR, or a
//! duplicate rule number) neither shadow nor are reported: their diagnostics say why.

use crate::addr::{IcmpMatch, PortRange, Traffic};
use crate::model::{parse_cidr, parse_traffic};
use crate::scenario::NaclEntryDoc;
use ipnet::IpNet;
use std::collections::BTreeSet;

/// An entry that can never match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// Index of the entry in the list given (document order).
    pub index: usize,
    /// Indices of the lower-numbered entries whose match sets overlap it, in evaluation
    /// order: together they decide every packet this entry would match.
    pub by: Vec<usize>,
}

/// A CIDR block as bits: `len` leading bits of `bits` are fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Block {
    bits: u128,
    len: u8,
    v6: bool,
}

impl Block {
    fn new(net: IpNet) -> Block {
        let net = net.trunc();
        match net {
            IpNet::V4(n) => Block { bits: u128::from(u32::from(n.network())), len: n.prefix_len(), v6: false },
            IpNet::V6(n) => Block { bits: u128::from(n.network()), len: n.prefix_len(), v6: true },
        }
    }

    fn width(self) -> u8 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    /// Mask of the first `len` bits of an address of this family.
    fn mask(self, len: u8) -> u128 {
        let width = self.width();
        let all = if self.v6 { u128::MAX } else { u128::from(u32::MAX) };
        let host_bits = u32::from(width.saturating_sub(len));
        all.checked_shl(host_bits).map_or(0, |m| m & all)
    }

    /// Whether every address of `other` lies in this block.
    fn contains(self, other: Block) -> bool {
        self.v6 == other.v6 && self.len <= other.len && (other.bits & self.mask(self.len)) == self.bits
    }

    fn overlaps(self, other: Block) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The two halves of the block, or `None` for a single address.
    fn halves(self) -> Option<(Block, Block)> {
        if self.len >= self.width() {
            return None;
        }
        let len = self.len + 1;
        let bit = 1u128.checked_shl(u32::from(self.width() - len)).unwrap_or(0);
        Some((Block { len, ..self }, Block { bits: self.bits | bit, len, v6: self.v6 }))
    }
}

/// One entry as the model matches it.
#[derive(Clone, Copy, Debug)]
struct Parsed {
    index: usize,
    number: u16,
    block: Block,
    traffic: Traffic,
}

/// Reads an entry the way `model` does (NACL-2, NACL-8, NACL-9), or `None` when the model
/// leaves it out.
fn parse_entry(index: usize, e: &NaclEntryDoc) -> Option<Parsed> {
    let number = u16::try_from(e.rule).ok().filter(|n| (1..=32766).contains(n))?;
    if !matches!(e.action.to_ascii_lowercase().as_str(), "allow" | "deny") {
        return None;
    }
    let mut ignored = Vec::new();
    let net = parse_cidr(&e.cidr, "", &mut ignored)?;
    let traffic = parse_traffic(&e.protocol, e.ports.as_deref(), e.icmp_type, e.icmp_code, "", &mut ignored)?;
    let traffic = match (traffic, net) {
        // NACL-9: ICMPv6 with an IPv6 block needs a type and code (else the entry is invalid);
        // with an IPv4 block every type and code is allowed.
        (Traffic::Icmpv6(_), IpNet::V6(_)) if e.icmp_type.is_none() || e.icmp_code.is_none() => return None,
        (Traffic::Icmpv6(_), IpNet::V4(_)) => Traffic::Icmpv6(IcmpMatch::ANY),
        (t, _) => t,
    };
    Some(Parsed { index, number, block: Block::new(net), traffic })
}

/// Entries that can never match because lower-numbered entries cover all their traffic
/// (NACL-2), in document order.
pub fn shadowed_nacl_entries(entries: &[NaclEntryDoc]) -> Vec<Shadowed> {
    // The model keeps the first entry of a duplicated number and drops the others.
    let mut seen = BTreeSet::new();
    let mut parsed: Vec<Parsed> =
        entries.iter().enumerate().filter_map(|(i, e)| parse_entry(i, e)).filter(|p| seen.insert(p.number)).collect();
    parsed.sort_by_key(|p| p.number);
    let mut out = Vec::new();
    for (k, entry) in parsed.iter().enumerate() {
        let earlier: Vec<(Block, Traffic)> = parsed
            .iter()
            .take(k)
            .filter(|p| p.block.overlaps(entry.block) && traffic_overlaps(p.traffic, entry.traffic))
            .map(|p| (p.block, p.traffic))
            .collect();
        if !earlier.is_empty() && covered(entry.block, entry.traffic, &earlier) {
            let by = parsed
                .iter()
                .take(k)
                .filter(|p| p.block.overlaps(entry.block) && traffic_overlaps(p.traffic, entry.traffic))
                .map(|p| p.index)
                .collect();
            out.push(Shadowed { index: entry.index, by });
        }
    }
    out.sort_by_key(|s| s.index);
    out
}

/// Whether the union of `earlier` covers every (address in `block`, packet of `traffic`).
/// Entries whose block holds all of `block` apply everywhere in it; smaller blocks only
/// in part of it, so the block is halved until each part is decided.
fn covered(block: Block, traffic: Traffic, earlier: &[(Block, Traffic)]) -> bool {
    let whole: Vec<Traffic> = earlier.iter().filter(|(b, _)| b.contains(block)).map(|(_, t)| *t).collect();
    if traffic_covered(&whole, traffic) {
        return true;
    }
    let inside: Vec<(Block, Traffic)> = earlier.iter().filter(|(b, _)| block.contains(*b) && *b != block).copied().collect();
    if inside.is_empty() {
        return false;
    }
    let Some((low, high)) = block.halves() else {
        return false;
    };
    [low, high].into_iter().all(|half| {
        let relevant: Vec<(Block, Traffic)> = earlier.iter().filter(|(b, _)| b.overlaps(half)).copied().collect();
        covered(half, traffic, &relevant)
    })
}

/// Whether the union of the matchers covers everything `traffic` matches.
fn traffic_covered(union: &[Traffic], traffic: Traffic) -> bool {
    if union.contains(&Traffic::All) {
        return true;
    }
    match traffic {
        // Every protocol number, each in full.
        Traffic::All => (0..=u8::MAX).all(|p| traffic_covered(union, whole_protocol(p))),
        Traffic::Tcp(r) => ports_covered(union.iter().filter_map(|u| if let Traffic::Tcp(x) = u { Some(*x) } else { None }), r),
        Traffic::Udp(r) => ports_covered(union.iter().filter_map(|u| if let Traffic::Udp(x) = u { Some(*x) } else { None }), r),
        Traffic::Icmp(m) => {
            icmp_covered(&union.iter().filter_map(|u| if let Traffic::Icmp(x) = u { Some(*x) } else { None }).collect::<Vec<_>>(), m)
        }
        Traffic::Icmpv6(m) => {
            icmp_covered(&union.iter().filter_map(|u| if let Traffic::Icmpv6(x) = u { Some(*x) } else { None }).collect::<Vec<_>>(), m)
        }
        Traffic::Protocol(p) => union.contains(&Traffic::Protocol(p)),
    }
}

/// Everything of one protocol number.
fn whole_protocol(p: u8) -> Traffic {
    Traffic::from_parts(crate::addr::Protocol::Number(p), None, IcmpMatch::ANY)
}

/// Whether the ranges together hold every port of `wanted`.
fn ports_covered(ranges: impl Iterator<Item = PortRange>, wanted: PortRange) -> bool {
    let mut ranges: Vec<PortRange> = ranges.collect();
    ranges.sort();
    // First port not yet covered.
    let mut next = u32::from(wanted.from());
    for r in ranges {
        if u32::from(r.from()) > next {
            break;
        }
        next = next.max(u32::from(r.to()) + 1);
        if next > u32::from(wanted.to()) {
            return true;
        }
    }
    next > u32::from(wanted.to())
}

/// Whether the matchers together hold every (type, code) pair of `wanted`.
fn icmp_covered(matchers: &[IcmpMatch], wanted: IcmpMatch) -> bool {
    // Types that no matcher names behave alike: check one of them.
    let named: BTreeSet<u8> = matchers.iter().filter_map(|m| m.icmp_type).collect();
    let types: Vec<u8> = match wanted.icmp_type {
        Some(t) => vec![t],
        None => named.iter().copied().chain((0..=u8::MAX).find(|t| !named.contains(t))).collect(),
    };
    types.into_iter().all(|t| {
        let applying = matchers.iter().filter(|m| m.icmp_type.is_none_or(|x| x == t));
        let mut codes = BTreeSet::new();
        for m in applying {
            match m.code {
                None => return true,
                Some(c) => {
                    codes.insert(c);
                }
            }
        }
        match wanted.code {
            Some(c) => codes.contains(&c),
            None => codes.len() == 256,
        }
    })
}

/// Whether some packet matches both.
fn traffic_overlaps(a: Traffic, b: Traffic) -> bool {
    let meet = |x: Option<u8>, y: Option<u8>| x.is_none() || y.is_none() || x == y;
    match (a, b) {
        (Traffic::All, _) | (_, Traffic::All) => true,
        (Traffic::Tcp(x), Traffic::Tcp(y)) | (Traffic::Udp(x), Traffic::Udp(y)) => x.from() <= y.to() && y.from() <= x.to(),
        (Traffic::Icmp(x), Traffic::Icmp(y)) | (Traffic::Icmpv6(x), Traffic::Icmpv6(y)) => {
            meet(x.icmp_type, y.icmp_type) && meet(x.code, y.code)
        }
        (Traffic::Protocol(p), Traffic::Protocol(q)) => p == q,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rule: i64, action: &str, protocol: &str, ports: Option<&str>, cidr: &str) -> NaclEntryDoc {
        NaclEntryDoc {
            rule,
            action: action.into(),
            protocol: protocol.into(),
            ports: ports.map(str::to_owned),
            cidr: cidr.into(),
            ..NaclEntryDoc::default()
        }
    }

    fn icmp(rule: i64, t: Option<i64>, c: Option<i64>) -> NaclEntryDoc {
        NaclEntryDoc { icmp_type: t, icmp_code: c, ..entry(rule, "allow", "icmp", None, "0.0.0.0/0") }
    }

    fn indices(s: &[Shadowed]) -> Vec<usize> {
        s.iter().map(|x| x.index).collect()
    }

    #[test]
    fn nacl2_a_lower_number_decides_first() {
        // NACL-2: the lowest-numbered matching entry applies; a later allow for the same
        // traffic never matches.
        let e = [entry(100, "deny", "tcp", Some("22"), "0.0.0.0/0"), entry(200, "allow", "tcp", Some("22"), "10.0.0.0/8")];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 1, by: vec![0] }]);
        // The narrower entry first: the wider one still matches other addresses.
        let e = [entry(100, "allow", "tcp", Some("22"), "10.0.0.0/8"), entry(200, "deny", "tcp", Some("22"), "0.0.0.0/0")];
        assert!(shadowed_nacl_entries(&e).is_empty());
    }

    #[test]
    fn nacl2_order_is_by_rule_number_not_document_order() {
        // NACL-2: evaluation starts with the lowest number wherever it is written.
        let e = [entry(200, "allow", "all", None, "0.0.0.0/0"), entry(100, "deny", "all", None, "0.0.0.0/0")];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 0, by: vec![1] }]);
    }

    #[test]
    fn nacl2_port_ranges_are_merged() {
        // NACL-2: two entries that together cover 0-65535 shadow a later TCP entry.
        let e = [
            entry(100, "allow", "tcp", Some("0-1023"), "0.0.0.0/0"),
            entry(110, "deny", "tcp", Some("1024-65535"), "0.0.0.0/0"),
            entry(120, "allow", "tcp", Some("443"), "10.0.0.0/16"),
            entry(130, "allow", "udp", Some("53"), "0.0.0.0/0"),
        ];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 2, by: vec![0] }]);
        // A one-port gap keeps the entry alive.
        let e = [
            entry(100, "allow", "tcp", Some("0-442"), "0.0.0.0/0"),
            entry(110, "allow", "tcp", Some("444-65535"), "0.0.0.0/0"),
            entry(120, "allow", "tcp", Some("443"), "0.0.0.0/0"),
            entry(130, "allow", "tcp", Some("400-500"), "0.0.0.0/0"),
        ];
        // 120 fills the gap at 443, so 130 is covered by the three of them.
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 3, by: vec![0, 1, 2] }]);
        let without_443: Vec<NaclEntryDoc> = e.iter().filter(|x| x.rule != 120).cloned().collect();
        assert!(shadowed_nacl_entries(&without_443).is_empty());
        // Overlapping and touching ranges.
        let e = [
            entry(100, "allow", "tcp", Some("1000-2000"), "0.0.0.0/0"),
            entry(110, "allow", "tcp", Some("1500-3000"), "0.0.0.0/0"),
            entry(120, "allow", "tcp", Some("3001"), "0.0.0.0/0"),
            entry(130, "allow", "tcp", Some("1200-3001"), "0.0.0.0/0"),
        ];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![3]);
    }

    #[test]
    fn nacl9_all_protocol_covers_everything_in_its_block() {
        // NACL-9: protocol -1 matches every protocol and port.
        let e = [
            entry(100, "allow", "-1", None, "10.0.0.0/16"),
            entry(110, "deny", "icmp", None, "10.0.1.0/24"),
            entry(120, "deny", "tcp", Some("22"), "10.1.0.0/16"),
            entry(130, "deny", "50", None, "10.0.0.7/32"),
        ];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1, 3]);
        // Per-protocol entries for TCP, UDP and ICMP do not cover `all` (ESP, GRE... remain).
        let e = [
            entry(100, "allow", "tcp", None, "0.0.0.0/0"),
            entry(110, "allow", "udp", None, "0.0.0.0/0"),
            entry(120, "allow", "icmp", None, "0.0.0.0/0"),
            entry(130, "deny", "all", None, "0.0.0.0/0"),
        ];
        assert!(shadowed_nacl_entries(&e).is_empty());
        // A protocol number matches only itself, all ports (NACL-9).
        let e = [
            entry(100, "allow", "50", Some("1"), "0.0.0.0/0"),
            entry(110, "deny", "esp", None, "0.0.0.0/0"),
            entry(120, "deny", "47", None, "0.0.0.0/0"),
        ];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1]);
    }

    #[test]
    fn nacl2_cidr_containment_is_exact() {
        // Two halves cover the whole block.
        let e = [
            entry(100, "allow", "all", None, "10.0.0.0/25"),
            entry(110, "deny", "all", None, "10.0.0.128/25"),
            entry(120, "allow", "tcp", Some("80"), "10.0.0.0/24"),
            entry(130, "allow", "tcp", Some("80"), "10.0.0.0/23"),
        ];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 2, by: vec![0, 1] }]);
        // Mixed: the whole block for TCP, one half for UDP: UDP entries on the block stay.
        let e = [
            entry(100, "allow", "tcp", None, "10.0.0.0/24"),
            entry(110, "allow", "udp", None, "10.0.0.0/25"),
            entry(120, "allow", "all", None, "10.0.0.128/26"),
            entry(130, "allow", "all", None, "10.0.0.192/26"),
            entry(140, "deny", "udp", Some("53"), "10.0.0.0/24"),
            entry(150, "deny", "icmp", None, "10.0.0.0/24"),
        ];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![4]);
        // Host bits are cleared the way the model reads the block (NACL-8).
        let e = [entry(100, "deny", "all", None, "10.0.0.5/24"), entry(110, "allow", "all", None, "10.0.0.64/26")];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1]);
        // A single address is covered by its /31 neighbours only together.
        let e = [entry(100, "deny", "all", None, "10.0.0.4/32"), entry(110, "allow", "all", None, "10.0.0.4/31")];
        assert!(shadowed_nacl_entries(&e).is_empty());
    }

    #[test]
    fn nacl10_address_families_never_shadow_each_other() {
        // NACL-10: rules for IPv4 do not apply to IPv6.
        let e = [entry(100, "deny", "all", None, "0.0.0.0/0"), entry(101, "allow", "all", None, "::/0")];
        assert!(shadowed_nacl_entries(&e).is_empty());
        let e = [entry(100, "deny", "all", None, "::/0"), entry(101, "allow", "tcp", Some("443"), "2001:db8::/32")];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1]);
    }

    #[test]
    fn nacl9_icmp_types_and_codes() {
        // NACL-9: type/code -1 means all.
        let e = [icmp(100, Some(8), Some(-1)), icmp(110, Some(8), Some(0)), icmp(120, Some(0), None)];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1]);
        // Two types do not cover every type.
        let e = [icmp(100, Some(3), None), icmp(110, Some(8), None), icmp(120, None, None)];
        assert!(shadowed_nacl_entries(&e).is_empty());
        // A code for all types, then that code of one type.
        let e = [icmp(100, None, Some(4)), icmp(110, Some(3), Some(4)), icmp(120, Some(3), Some(5))];
        assert_eq!(indices(&shadowed_nacl_entries(&e)), vec![1]);
        // ICMPv6 with an IPv4 block matches all types and codes (NACL-9).
        let v6_on_v4 = NaclEntryDoc { icmp_type: Some(128), icmp_code: Some(0), ..entry(100, "allow", "icmpv6", None, "0.0.0.0/0") };
        let later = NaclEntryDoc { icmp_type: Some(1), icmp_code: Some(0), ..entry(110, "deny", "icmpv6", None, "0.0.0.0/0") };
        assert_eq!(indices(&shadowed_nacl_entries(&[v6_on_v4, later])), vec![1]);
    }

    #[test]
    fn entries_the_model_leaves_out_are_ignored() {
        let e = [
            entry(100, "allow", "all", None, "not-a-cidr"),
            entry(0, "deny", "all", None, "0.0.0.0/0"),
            entry(110, "block", "all", None, "0.0.0.0/0"),
            entry(120, "allow", "tcp", Some("80-70"), "0.0.0.0/0"),
            entry(130, "allow", "tcp", Some("443"), "0.0.0.0/0"),
        ];
        assert!(shadowed_nacl_entries(&e).is_empty());
        // A duplicated number is an error of its own, not a shadow; the first one counts.
        let e = [
            entry(100, "deny", "all", None, "0.0.0.0/0"),
            entry(100, "allow", "all", None, "0.0.0.0/0"),
            entry(200, "allow", "all", None, "0.0.0.0/0"),
        ];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 2, by: vec![0] }]);
    }

    #[test]
    fn by_lists_only_overlapping_entries_in_evaluation_order() {
        let e = [
            entry(300, "allow", "tcp", Some("443"), "10.0.0.0/16"),
            entry(200, "allow", "udp", None, "0.0.0.0/0"),
            entry(100, "deny", "tcp", None, "10.0.0.0/8"),
        ];
        assert_eq!(shadowed_nacl_entries(&e), vec![Shadowed { index: 0, by: vec![2] }]);
    }
}
