//! # vpcsim-core
//!
//! The model, evaluator, traces, import, analysis and lints of vpcsim, in pure Rust.
//!
//! Layers, bottom up:
//! - [`addr`]: small value types (protocols, port ranges, flows). Knows no AWS resource.
//! - [`scenario`]: the serialized document (format v1). Serde types only.
//! - [`model`]: the compiled, validated network, built from a document with
//!   [`diag::Diagnostic`]s for every problem.
//! - [`eval`]: the hop walker, `trace(&Network, &Probe) -> Trace`; the only module that
//!   knows the order of the layers.
//! - [`policy`]: endpoint policy (IAM) evaluation.
//! - [`trace`]: traces as data, and their one text rendering.
//! - [`analysis`]: facts about a document that need no packet (shadowed NACL entries).
//! - [`reach`]: the reachability matrix (every allowed protocol and port range between
//!   every source and destination), by packet equivalence classes over the evaluator.
//! - [`lint`]: findings (stable codes, severities, docs, automatic fixes as JSON Patch),
//!   built on the model, [`analysis`] and the evaluator.
//! - [`blockers`]: "what blocks this?": every setting that stops a probe, each with the
//!   smallest fix (JSON Patch), and every rule that lets a passing probe through.
//! - [`share`]: share links (versioned, deflated, base64url, capped).
//! - [`embed`]: embed options, host page messages and the events posted back.
//! - [`ffi`]: the JSON boundary used by the wasm crate, the web app and the CLI.
//!
//! This crate does no IO, reads no clock, uses no randomness and holds no global state.

pub mod addr;
pub mod analysis;
pub mod blockers;
pub mod diag;
pub mod embed;
pub mod eval;
pub mod export;
pub mod ffi;
pub mod import;
pub mod lint;
pub mod model;
pub mod policy;
pub mod reach;
pub mod scenario;
pub mod share;
pub mod trace;

pub use diag::{Diagnostic, Severity};
pub use eval::trace;
pub use model::Network;
pub use scenario::{ProbeDoc, Scenario};
pub use trace::Trace;
