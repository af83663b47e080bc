//! Small value types for packets and rules: protocol numbers, port ranges, ICMP
//! matchers, the traffic a rule matches, and the flow a probe sends.
//!
//! This module knows nothing about AWS resources. It owns the encoding rules of
//! SG-15 and NACL-9 (protocol `-1`, "other protocols match every port").

use std::fmt;
use std::net::IpAddr;

/// IANA protocol numbers that AWS rules name (SG-14).
pub mod proto {
    /// Internet Control Message Protocol.
    pub const ICMP: u8 = 1;
    /// Transmission Control Protocol.
    pub const TCP: u8 = 6;
    /// User Datagram Protocol.
    pub const UDP: u8 = 17;
    /// Encapsulating Security Payload (SM-9).
    pub const ESP: u8 = 50;
    /// ICMP for IPv6.
    pub const ICMPV6: u8 = 58;
}

/// Name of a protocol number as AWS writes it (`tcp`, `udp`, `icmp`, `icmpv6`), or the number.
pub fn protocol_name(number: u8) -> String {
    match number {
        proto::TCP => "tcp".to_owned(),
        proto::UDP => "udp".to_owned(),
        proto::ICMP => "icmp".to_owned(),
        proto::ICMPV6 => "icmpv6".to_owned(),
        other => format!("proto-{other}"),
    }
}

/// A protocol as written in a rule or a probe: `all` (`-1`) or one protocol number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `-1`: every protocol.
    All,
    /// One IANA protocol number.
    Number(u8),
}

impl Protocol {
    /// Parses `tcp`, `udp`, `icmp`, `icmpv6`, `all`, `-1` or a number 0-255 (case-insensitive).
    pub fn parse(text: &str) -> Option<Protocol> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.as_str() {
            "all" | "-1" | "any" => Some(Protocol::All),
            "tcp" => Some(Protocol::Number(proto::TCP)),
            "udp" => Some(Protocol::Number(proto::UDP)),
            "icmp" => Some(Protocol::Number(proto::ICMP)),
            "icmpv6" => Some(Protocol::Number(proto::ICMPV6)),
            "esp" => Some(Protocol::Number(proto::ESP)),
            digits => digits.parse::<u8>().ok().map(Protocol::Number),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Number(n) => f.write_str(&protocol_name(*n)),
        }
    }
}

/// An inclusive port range. Invariant: `from <= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    from: u16,
    to: u16,
}

impl PortRange {
    /// Every port, 0-65535.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };

    /// A range, or `None` when `from > to`.
    pub fn new(from: u16, to: u16) -> Option<PortRange> {
        (from <= to).then_some(PortRange { from, to })
    }

    /// One port.
    pub fn single(port: u16) -> PortRange {
        PortRange { from: port, to: port }
    }

    /// First port.
    pub fn from(self) -> u16 {
        self.from
    }

    /// Last port.
    pub fn to(self) -> u16 {
        self.to
    }

    /// Whether `port` lies in the range.
    pub fn contains(self, port: u16) -> bool {
        self.from <= port && port <= self.to
    }

    /// Whether this is 0-65535.
    pub fn is_all(self) -> bool {
        self == PortRange::ALL
    }

    /// Parses `443`, `1024-65535` or `all`.
    pub fn parse(text: &str) -> Result<PortRange, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") || text == "-1" {
            return Ok(PortRange::ALL);
        }
        let parse_port = |s: &str| s.trim().parse::<u16>().map_err(|_| format!("`{}` is not a port number (0-65535)", s.trim()));
        match text.split_once('-') {
            None => parse_port(text).map(PortRange::single),
            Some((a, b)) => {
                let (from, to) = (parse_port(a)?, parse_port(b)?);
                PortRange::new(from, to)
                    .ok_or_else(|| format!("port range `{from}-{to}` is reversed: the first port must not exceed the last"))
            }
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all ports")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// An ICMP type and code matcher; `None` means any (AWS's `-1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct IcmpMatch {
    /// ICMP type, or any.
    pub icmp_type: Option<u8>,
    /// ICMP code, or any.
    pub code: Option<u8>,
}

impl IcmpMatch {
    /// Every type and code.
    pub const ANY: IcmpMatch = IcmpMatch { icmp_type: None, code: None };

    fn matches(self, icmp_type: u8, code: u8) -> bool {
        self.icmp_type.is_none_or(|t| t == icmp_type) && self.code.is_none_or(|c| c == code)
    }
}

impl fmt::Display for IcmpMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.icmp_type, self.code) {
            (None, _) => f.write_str("all types"),
            (Some(t), None) => write!(f, "type {t}"),
            (Some(t), Some(c)) => write!(f, "type {t} code {c}"),
        }
    }
}

/// What traffic a security group rule or NACL entry matches, protocol and ports together.
///
/// One enum so that illegal combinations (a port range on ICMP, a type on TCP) cannot be
/// represented. Encodes SG-15 and NACL-9: protocol `-1`, or a number other than
/// TCP/UDP/ICMP/ICMPv6, matches every port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Traffic {
    /// Protocol `-1`: everything.
    All,
    /// TCP on a port range.
    Tcp(PortRange),
    /// UDP on a port range.
    Udp(PortRange),
    /// ICMP (IPv4) type and code.
    Icmp(IcmpMatch),
    /// ICMPv6 type and code.
    Icmpv6(IcmpMatch),
    /// Any other protocol number, all ports (SG-15, NACL-9).
    Protocol(u8),
}

impl Traffic {
    /// Builds the matcher from a protocol plus optional ports and ICMP fields, applying
    /// SG-15/NACL-9: ports are ignored for `all` and for protocols other than TCP/UDP.
    pub fn from_parts(protocol: Protocol, ports: Option<PortRange>, icmp: IcmpMatch) -> Traffic {
        match protocol {
            Protocol::All => Traffic::All,
            Protocol::Number(proto::TCP) => Traffic::Tcp(ports.unwrap_or(PortRange::ALL)),
            Protocol::Number(proto::UDP) => Traffic::Udp(ports.unwrap_or(PortRange::ALL)),
            Protocol::Number(proto::ICMP) => Traffic::Icmp(icmp),
            Protocol::Number(proto::ICMPV6) => Traffic::Icmpv6(icmp),
            Protocol::Number(other) => Traffic::Protocol(other),
        }
    }

    /// Whether a packet's layer-4 header matches.
    pub fn matches(&self, l4: &L4) -> bool {
        match (self, l4) {
            (Traffic::All, _) => true,
            (Traffic::Tcp(r), L4::Tcp { dst_port, .. }) => r.contains(*dst_port),
            (Traffic::Udp(r), L4::Udp { dst_port, .. }) => r.contains(*dst_port),
            (Traffic::Icmp(m), L4::Icmp { icmp_type, code }) => m.matches(*icmp_type, *code),
            (Traffic::Icmpv6(m), L4::Icmpv6 { icmp_type, code }) => m.matches(*icmp_type, *code),
            (Traffic::Protocol(p), l4) => *p == l4.protocol(),
            _ => false,
        }
    }

    /// The protocol this matcher covers (`None` for all).
    pub fn protocol(&self) -> Option<u8> {
        match self {
            Traffic::All => None,
            Traffic::Tcp(_) => Some(proto::TCP),
            Traffic::Udp(_) => Some(proto::UDP),
            Traffic::Icmp(_) => Some(proto::ICMP),
            Traffic::Icmpv6(_) => Some(proto::ICMPV6),
            Traffic::Protocol(p) => Some(*p),
        }
    }

    /// Ports for TCP/UDP matchers.
    pub fn ports(&self) -> Option<PortRange> {
        match self {
            Traffic::Tcp(r) | Traffic::Udp(r) => Some(*r),
            _ => None,
        }
    }
}

impl fmt::Display for Traffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Traffic::All => f.write_str("all traffic"),
            Traffic::Tcp(r) if r.is_all() => f.write_str("tcp/all ports"),
            Traffic::Tcp(r) => write!(f, "tcp/{r}"),
            Traffic::Udp(r) if r.is_all() => f.write_str("udp/all ports"),
            Traffic::Udp(r) => write!(f, "udp/{r}"),
            Traffic::Icmp(m) => write!(f, "icmp {m}"),
            Traffic::Icmpv6(m) => write!(f, "icmpv6 {m}"),
            Traffic::Protocol(p) => write!(f, "{}", protocol_name(*p)),
        }
    }
}

/// An address as (bits, is IPv6), the form [`Cidr`] compares against.
#[inline]
pub(crate) fn addr_bits(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), false),
        IpAddr::V6(a) => (u128::from(a), true),
    }
}

/// The transport header of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L4 {
    /// TCP.
    Tcp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// UDP.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// ICMP for IPv4.
    Icmp {
        /// Type (8 = echo request).
        icmp_type: u8,
        /// Code.
        code: u8,
    },
    /// ICMP for IPv6.
    Icmpv6 {
        /// Type (128 = echo request).
        icmp_type: u8,
        /// Code.
        code: u8,
    },
    /// Any other protocol (tracked by address and protocol only, SG-3).
    Other(u8),
}

impl L4 {
    /// The IANA protocol number.
    pub fn protocol(&self) -> u8 {
        match self {
            L4::Tcp { .. } => proto::TCP,
            L4::Udp { .. } => proto::UDP,
            L4::Icmp { .. } => proto::ICMP,
            L4::Icmpv6 { .. } => proto::ICMPV6,
            L4::Other(p) => *p,
        }
    }

    /// The header of the response: ports swapped; an echo request becomes an echo reply.
    pub fn response(&self) -> L4 {
        match *self {
            L4::Tcp { src_port, dst_port } => L4::Tcp { src_port: dst_port, dst_port: src_port },
            L4::Udp { src_port, dst_port } => L4::Udp { src_port: dst_port, dst_port: src_port },
            L4::Icmp { icmp_type: 8, code } => L4::Icmp { icmp_type: 0, code },
            L4::Icmpv6 { icmp_type: 128, code } => L4::Icmpv6 { icmp_type: 129, code },
            other => other,
        }
    }

    /// Whether the packet asks for an answer. ICMP error and informational messages that
    /// are not requests (destination unreachable, packet too big, time exceeded...) are
    /// one-way: nothing answers them (NACL-14).
    pub fn expects_response(&self) -> bool {
        match *self {
            L4::Icmp { icmp_type, .. } => matches!(icmp_type, 8 | 13 | 15 | 17),
            L4::Icmpv6 { icmp_type, .. } => icmp_type == 128,
            _ => true,
        }
    }

    /// Source and destination ports for TCP/UDP.
    pub fn ports(&self) -> Option<(u16, u16)> {
        match *self {
            L4::Tcp { src_port, dst_port } | L4::Udp { src_port, dst_port } => Some((src_port, dst_port)),
            _ => None,
        }
    }
}

impl fmt::Display for L4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            L4::Tcp { dst_port, .. } => write!(f, "tcp/{dst_port}"),
            L4::Udp { dst_port, .. } => write!(f, "udp/{dst_port}"),
            L4::Icmp { icmp_type, code } => write!(f, "icmp type {icmp_type} code {code}"),
            L4::Icmpv6 { icmp_type, code } => write!(f, "icmpv6 type {icmp_type} code {code}"),
            L4::Other(p) => f.write_str(&protocol_name(*p)),
        }
    }
}

/// One packet's addresses and transport header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    /// Source address as sent.
    pub src: IpAddr,
    /// Destination address as sent.
    pub dst: IpAddr,
    /// Transport header.
    pub l4: L4,
}

impl Flow {
    /// The response packet: addresses swapped, ports swapped (NACL-6).
    pub fn response(&self) -> Flow {
        Flow { src: self.dst, dst: self.src, l4: self.l4.response() }
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.l4.ports() {
            Some((sp, dp)) => write!(f, "{}:{sp} > {}:{dp} {}", self.src, self.dst, protocol_name(self.l4.protocol())),
            None => write!(f, "{} > {} {}", self.src, self.dst, self.l4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_range_parsing_rejects_reversed_ranges() {
        assert_eq!(PortRange::parse("443"), Ok(PortRange::single(443)));
        assert_eq!(PortRange::parse("1024-65535").map(|r| (r.from(), r.to())), Ok((1024, 65535)));
        assert!(PortRange::parse("80-70").unwrap_or(PortRange::ALL).is_all());
        assert!(PortRange::parse("80-70").is_err_and(|e| e.contains("reversed")));
        assert!(PortRange::parse("70000").is_err());
    }

    #[test]
    fn sg15_other_protocols_match_every_port() {
        // SG-15: a protocol number other than tcp/udp/icmp/icmpv6 ignores the port range.
        let esp = Traffic::from_parts(Protocol::Number(proto::ESP), Some(PortRange::single(1)), IcmpMatch::ANY);
        assert!(esp.matches(&L4::Other(proto::ESP)));
        assert!(!esp.matches(&L4::Other(47)));
        let tcp = Traffic::from_parts(Protocol::Number(proto::TCP), Some(PortRange::single(443)), IcmpMatch::ANY);
        assert!(tcp.matches(&L4::Tcp { src_port: 40000, dst_port: 443 }));
        assert!(!tcp.matches(&L4::Tcp { src_port: 443, dst_port: 40000 }));
        assert!(!tcp.matches(&L4::Udp { src_port: 40000, dst_port: 443 }));
    }

    #[test]
    fn responses_swap_ports_and_answer_echo() {
        let l4 = L4::Tcp { src_port: 40000, dst_port: 443 };
        assert_eq!(l4.response(), L4::Tcp { src_port: 443, dst_port: 40000 });
        assert_eq!(L4::Icmp { icmp_type: 8, code: 0 }.response(), L4::Icmp { icmp_type: 0, code: 0 });
    }
}

/// A CIDR block compiled for matching: `(address & mask) == bits`, with the original
/// block kept for display. Built once per network, so the evaluator never re-parses or
/// recomputes masks (ipnet recomputes them on every `contains`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    net: ipnet::IpNet,
    bits: u128,
    mask: u128,
    v6: bool,
}

impl Cidr {
    /// Compiles a (normalised) block.
    pub fn new(net: ipnet::IpNet) -> Cidr {
        let net = net.trunc();
        match net {
            ipnet::IpNet::V4(n) => {
                let mask = u128::from(u32::from(n.netmask()));
                Cidr { net, bits: u128::from(u32::from(n.network())) & mask, mask, v6: false }
            }
            ipnet::IpNet::V6(n) => {
                let mask = u128::from(n.netmask());
                Cidr { net, bits: u128::from(n.network()) & mask, mask, v6: true }
            }
        }
    }

    /// Whether the block holds the address (IPv4 blocks never hold IPv6 addresses).
    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => !self.v6 && (u128::from(u32::from(a)) & self.mask) == self.bits,
            IpAddr::V6(a) => self.v6 && (u128::from(a) & self.mask) == self.bits,
        }
    }

    /// Prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.net.prefix_len()
    }

    /// The block.
    pub fn net(&self) -> ipnet::IpNet {
        self.net
    }

    /// Masked address bits (IPv4 in the low 32 bits).
    pub(crate) fn bits(&self) -> u128 {
        self.bits
    }

    /// The mask (IPv4 in the low 32 bits).
    pub(crate) fn mask(&self) -> u128 {
        self.mask
    }

    /// Whether this is an IPv6 block.
    pub(crate) fn is_v6(&self) -> bool {
        self.v6
    }

    /// Whether this is 0.0.0.0/0 or ::/0.
    pub fn is_any(&self) -> bool {
        self.net.prefix_len() == 0
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.net.fmt(f)
    }
}

impl From<ipnet::IpNet> for Cidr {
    fn from(net: ipnet::IpNet) -> Cidr {
        Cidr::new(net)
    }
}
