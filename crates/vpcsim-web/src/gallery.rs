//! The scenario gallery, embedded at build time from `tests/scenarios/gallery/` (see
//! `build.rs`). Every entry is verified by the scenario tests: its probes' verdicts.

use vpcsim_core::scenario::Scenario;

include!(concat!(env!("OUT_DIR"), "/gallery.rs"));

/// One gallery entry, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// File name without `.json`, used in links and tests.
    pub slug: &'static str,
    /// The scenario.
    pub scenario: Scenario,
}

/// Every entry that parses (all of them: a test checks it).
pub fn entries() -> Vec<Entry> {
    GALLERY.iter().filter_map(|(slug, text)| vpcsim_core::scenario::parse(text).ok().map(|scenario| Entry { slug, scenario })).collect()
}

/// The entry with this slug.
pub fn get(slug: &str) -> Option<Scenario> {
    GALLERY.iter().find(|(s, _)| *s == slug).and_then(|(_, text)| vpcsim_core::scenario::parse(text).ok())
}
