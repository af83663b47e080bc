//! Exporters: a scenario (format v1) into files of other tools.
//!
//! - [`terraform`]: a Terraform root module (HCL) that builds the designed network.
//!
//! Like the importers, exporters do no IO: they return file names and contents, and report
//! what they cannot express as located [`crate::diag::Diagnostic`]s.

pub mod terraform;
