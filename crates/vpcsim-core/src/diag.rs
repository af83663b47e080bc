//! Diagnostics: problems found while reading a scenario or an import, as data.
//!
//! Nothing here stops a load. Loaders collect every problem into a `Vec<Diagnostic>`
//! and keep what they can (rust-analyzer's `(T, Vec<Error>)`, cedar's `DetailedError`).
//! Messages follow cedar's style guide: one lowercase sentence, no final period,
//! user input in backticks; advice goes into `help`.

use serde::Serialize;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was skipped or assumed; the result is still faithful.
    Info,
    /// The result may differ from AWS.
    Warning,
    /// The input is invalid; the offending part was left out.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One located problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `cidr-host-bits`.
    pub code: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// What would be valid, or how to fix it.
    pub help: String,
    /// Where: a resource path such as `security_groups/sg-web/inbound/0/ports`, or a
    /// JSON pointer, optionally prefixed by a file name (`file.json#/Vpcs/0`).
    pub at: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, message: message.into(), help: help.into(), at: at.into() }
    }

    /// A warning.
    pub fn warning(code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Warning, message: message.into(), help: help.into(), at: at.into() }
    }

    /// An informational note.
    pub fn info(code: &'static str, at: impl Into<String>, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Info, message: message.into(), help: help.into(), at: at.into() }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] at {}: {}", self.severity, self.code, self.at, self.message)?;
        if !self.help.is_empty() {
            write!(f, " (help: {})", self.help)?;
        }
        Ok(())
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Up to three known names closest to `wanted`, for "did you mean" help.
pub fn suggestions<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(usize, &str)> =
        known.into_iter().map(|k| (levenshtein(wanted, k), k)).filter(|(d, k)| *d <= (k.len().max(wanted.len()) / 3).max(2)).collect();
    scored.sort();
    let best = scored.first().map(|(d, _)| *d).unwrap_or(0);
    scored.into_iter().filter(|(d, _)| *d == best).take(3).map(|(_, k)| k).collect()
}

/// "did you mean `a`, `b`?" or a list of what exists.
pub fn did_you_mean<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str> + Clone, what: &str) -> String {
    let close = suggestions(wanted, known.clone());
    if close.is_empty() {
        let all: Vec<&str> = known.into_iter().take(8).collect();
        if all.is_empty() {
            format!("no {what} is defined yet; define it first")
        } else {
            format!("known {what}: {}", all.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
        }
    } else {
        format!("did you mean {}?", close.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))
    }
}

/// Optimal string alignment distance: edits, with a swap of neighbours counting as one.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    let get = |d: &Vec<usize>, i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let (i1, j1) = (i + 1, j + 1);
            let mut best = (get(&d, i, j) + usize::from(ca != cb)).min(get(&d, i, j1) + 1).min(get(&d, i1, j) + 1);
            if i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) {
                best = best.min(get(&d, i - 1, j - 1) + 1);
            }
            if let Some(x) = d.get_mut(at(i1, j1)) {
                *x = best;
            }
        }
    }
    get(&d, a.len(), b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids() {
        assert_eq!(suggestions("sg-wbe", ["sg-web", "sg-endpoint", "sg-db"]), vec!["sg-web"]);
        assert!(did_you_mean("sg-zzzzzzzzzz", ["sg-web"], "security groups").contains("known security groups"));
    }
}
