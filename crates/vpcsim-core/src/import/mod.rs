//! Importers: real account data into a scenario document (format v1).
//!
//! Importers are pure: the caller reads files (the CLI from disk, the browser from a
//! file picker) and passes their names and contents. Every problem becomes a
//! [`Diagnostic`] located by file and JSON pointer (`subnets.json#/Subnets/3/CidrBlock`)
//! or resource address; nothing stops an import. What an importer does not model is
//! skipped with an `info` diagnostic, reported once per kind.

use crate::diag::Diagnostic;
use crate::scenario::Scenario;

pub mod aws;
mod json;
pub mod terraform;

/// One input file: its path (for locations) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// Path as the user knows it, relative to the imported folder where possible.
    pub path: String,
    /// Contents.
    pub text: String,
}

/// The result of an import: a scenario document and every diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The network, as a format v1 document (no probes, no layout).
    pub scenario: Scenario,
    /// Problems and notes, located.
    pub diagnostics: Vec<Diagnostic>,
}

/// Largest single input file accepted (64 MiB): larger files are refused with a message.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The document's name for an AWS protocol as the EC2 API and Terraform write it
/// (`tcp` or `6`, `-1` for all, any number 0-255), or `None` when it is none of those.
pub(crate) fn protocol_name(proto: &str) -> Option<String> {
    const NAMES: [(&str, &str); 10] = [
        ("-1", "all"),
        ("all", "all"),
        ("tcp", "tcp"),
        ("6", "tcp"),
        ("udp", "udp"),
        ("17", "udp"),
        ("icmp", "icmp"),
        ("1", "icmp"),
        ("icmpv6", "icmpv6"),
        ("58", "icmpv6"),
    ];
    match NAMES.iter().find(|(k, _)| proto.eq_ignore_ascii_case(k)) {
        Some((_, name)) => Some((*name).to_owned()),
        None => Some(proto.parse::<u8>().ok()?.to_string()),
    }
}
