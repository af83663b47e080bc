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
    GALLERY.iter().filter_map(|(slug, _, text)| vpcsim_core::scenario::parse(text).ok().map(|scenario| Entry { slug, scenario })).collect()
}

/// `(slug, name)` of every entry, for menus: no parsing.
pub fn names() -> impl Iterator<Item = (&'static str, &'static str)> {
    GALLERY.iter().map(|(slug, name, _)| (*slug, *name))
}

/// The entry with this slug.
pub fn get(slug: &str) -> Option<Scenario> {
    GALLERY.iter().find(|(s, _, _)| *s == slug).and_then(|(_, _, text)| vpcsim_core::scenario::parse(text).ok())
}
