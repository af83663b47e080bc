//! The reachability view's data. The matrix, its ends' groups and the what-if diff are
//! computed by core (`vpcsim_core::ffi::reach_json`) in the import worker, off the page's
//! thread and out of the page's wasm (the API's wasm carries the analysis); this module
//! keeps the latest answer per (document, baseline) and derives the grid drawn (rows and
//! columns, grouped by subnet or VPC, each cell with how much is open). Pure and tested
//! natively; the component only renders it. Nothing here evaluates a packet.

use std::rc::Rc;
use vpcsim_core::ffi::{EndGroups, ReachUpdate, ReachValue};
use vpcsim_core::reach::{Allowed, Change, GroupBy, Matrix, Update};
use vpcsim_core::Scenario;

/// More ends than this on either axis: the view groups by subnet until the user chooses.
pub const AUTO_GROUP_ABOVE: usize = 24;

/// Ungrouped, at most this many rows and columns are drawn (the rest is said, not drawn).
pub const MAX_AXIS: usize = 60;

/// How much a cell opens: the heat-map's three steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    /// Nothing allowed.
    #[default]
    None,
    /// A few ports (fewer than [`WIDE_PORTS`] in all) or ICMP only.
    Some,
    /// Port ranges of [`WIDE_PORTS`] ports or more, or every other protocol. Grouped: half the
    /// member pairs or more are open.
    Lot,
}

/// A pair allowing this many TCP and UDP ports (or any other protocol) is "a lot".
pub const WIDE_PORTS: u32 = 1024;

impl Level {
    /// CSS class suffix and legend key.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Some => "some",
            Level::Lot => "lot",
        }
    }
}

fn ports_of(a: &Allowed) -> u32 {
    let Some(p) = a.ports.as_deref() else { return 0 };
    let (lo, hi) = p.split_once('-').unwrap_or((p, p));
    match (lo.trim().parse::<u32>(), hi.trim().parse::<u32>()) {
        (Ok(lo), Ok(hi)) if hi >= lo => hi - lo + 1,
        _ => 1,
    }
}

/// How much one pair's classes open.
pub fn level(allowed: &[Allowed]) -> Level {
    if allowed.is_empty() {
        return Level::None;
    }
    let ports: u32 = allowed.iter().map(ports_of).sum();
    if ports >= WIDE_PORTS || allowed.iter().any(|a| a.protocol == "other") {
        Level::Lot
    } else {
        Level::Some
    }
}

/// The port a "Send" button uses for a TCP or UDP class: a well-known port inside the
/// range when there is one (443, 22, 80, 53), else the range's first port.
pub fn send_port(a: &Allowed) -> Option<u16> {
    let p = a.ports.as_deref()?;
    let (lo, hi) = p.split_once('-').unwrap_or((p, p));
    let (lo, hi): (u16, u16) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    [443u16, 22, 80, 53].into_iter().find(|k| (lo..=hi).contains(k)).or(Some(lo))
}

/// A row or column heading: the reference without its `service:` or `sagemaker:` prefix
/// (`s3`, `endpoint/churn-model`); the full reference is in the cell's label.
pub fn short(label: &str) -> &str {
    label.strip_prefix("service:").or_else(|| label.strip_prefix("sagemaker:")).unwrap_or(label)
}

/// `tcp 443`, `udp 0-65535`, `icmp`.
pub fn class_text(a: &Allowed) -> String {
    match &a.ports {
        Some(p) => format!("{} {p}", a.protocol),
        None => a.protocol.to_string(),
    }
}

/// The grouping in effect: the user's choice, else by subnet when there are many ends.
pub fn effective_group(choice: Option<GroupBy>, m: &Matrix) -> GroupBy {
    choice.unwrap_or(if m.sources.len().max(m.destinations.len()) > AUTO_GROUP_ABOVE { GroupBy::Subnet } else { GroupBy::None })
}

/// One row or column: an end, or a group of ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    /// The reference (ungrouped) or the group label.
    pub label: String,
    /// Indexes into the matrix's `sources` (rows) or `destinations` (columns).
    pub members: Vec<u32>,
}

/// One drawn cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct GridCell {
    /// Member pairs that allow something.
    pub open: u32,
    /// Member pairs analysed (an end is never its own destination, so a cell can have none).
    pub total: u32,
    /// How much is open.
    pub level: Level,
    /// Ungrouped: the index into the matrix's `sets` (the pair's classes).
    pub set: Option<u32>,
}

/// What the matrix view draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grid {
    /// The grouping.
    pub by: GroupBy,
    /// Rows (sources), at most [`MAX_AXIS`] when ungrouped.
    pub rows: Vec<Axis>,
    /// Columns (destinations), likewise.
    pub cols: Vec<Axis>,
    /// `rows.len() * cols.len()` cells, row by row.
    pub cells: Vec<GridCell>,
    /// Sources and destinations of the matrix (more than drawn when capped).
    pub ends: (usize, usize),
}

impl Grid {
    /// The cell at row `r`, column `c`.
    pub fn cell(&self, r: usize, c: usize) -> GridCell {
        self.cells.get(r * self.cols.len() + c).copied().unwrap_or_default()
    }

    /// Whether rows or columns were left out (ungrouped, more than [`MAX_AXIS`]).
    pub fn capped(&self) -> bool {
        self.by == GroupBy::None && (self.rows.len() < self.ends.0 || self.cols.len() < self.ends.1)
    }
}

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Groups `n` ends by `label`, in order of first appearance; each end's group index.
/// (Groups are few: a linear search, and no hash map in the page's wasm.)
fn group(n: usize, label: impl Fn(usize) -> String) -> (Vec<Axis>, Vec<usize>) {
    let mut axes: Vec<Axis> = Vec::new();
    let mut of = Vec::with_capacity(n);
    for i in 0..n {
        let l = label(i);
        let k = match axes.iter().position(|a| a.label == l) {
            Some(k) => k,
            None => {
                axes.push(Axis { label: l, members: Vec::new() });
                axes.len() - 1
            }
        };
        if let Some(a) = axes.get_mut(k) {
            a.members.push(idx(i));
        }
        of.push(k);
    }
    (axes, of)
}

/// The grid of a matrix, grouped by `by` with the ends' group labels (`groups`, from
/// core). Ungrouped, the first [`MAX_AXIS`] sources and destinations only.
pub fn grid(m: &Matrix, by: GroupBy, groups: &EndGroups) -> Grid {
    let ends = (m.sources.len(), m.destinations.len());
    let ((rows, row_of), (cols, col_of)) = if by == GroupBy::None {
        let take = |names: &[String]| {
            let axes: Vec<Axis> =
                names.iter().take(MAX_AXIS).enumerate().map(|(i, n)| Axis { label: n.clone(), members: vec![idx(i)] }).collect();
            let of: Vec<usize> = (0..names.len()).map(|i| if i < MAX_AXIS { i } else { usize::MAX }).collect();
            (axes, of)
        };
        (take(&m.sources), take(&m.destinations))
    } else {
        let label = |labels: &[String], i: usize| labels.get(i).cloned().unwrap_or_else(|| "outside".into());
        (group(m.sources.len(), |i| label(&groups.sources, i)), group(m.destinations.len(), |i| label(&groups.destinations, i)))
    };
    let mut cells = vec![GridCell::default(); rows.len() * cols.len()];
    for p in &m.pairs {
        let (Some(&r), Some(&c)) = (row_of.get(p.from as usize), col_of.get(p.to as usize)) else { continue };
        if r == usize::MAX || c == usize::MAX {
            continue;
        }
        let Some(cell) = cells.get_mut(r * cols.len() + c) else { continue };
        let allowed = m.sets.get(p.set as usize).map_or(&[][..], Vec::as_slice);
        cell.total += 1;
        if !allowed.is_empty() {
            cell.open += 1;
        }
        if by == GroupBy::None {
            cell.set = Some(p.set);
            cell.level = level(allowed);
        }
    }
    if by != GroupBy::None {
        for cell in &mut cells {
            cell.level = match cell.open {
                0 => Level::None,
                k if k * 2 >= cell.total => Level::Lot,
                _ => Level::Some,
            };
        }
    }
    Grid { by, rows, cols, cells, ends }
}

/// The (source, destination) pairs a diff names, sorted (look one up with
/// `binary_search`).
pub fn changed_pairs(changes: &[Change]) -> Vec<(&str, &str)> {
    let mut v: Vec<(&str, &str)> = changes.iter().map(|c| (c.from.as_str(), c.to.as_str())).collect();
    v.sort_unstable();
    v
}

/// Which drawn cells hold a changed pair: one flag per cell, row by row.
pub fn changed_cells(m: &Matrix, g: &Grid, changes: &[Change]) -> Vec<bool> {
    let mut out = vec![false; g.cells.len()];
    if changes.is_empty() {
        return out;
    }
    // End index → drawn row or column (`usize::MAX`: not drawn).
    let member_of = |axes: &[Axis], n: usize| {
        let mut v = vec![usize::MAX; n];
        for (k, a) in axes.iter().enumerate() {
            for &i in &a.members {
                if let Some(x) = v.get_mut(i as usize) {
                    *x = k;
                }
            }
        }
        v
    };
    let (rows, cols) = (member_of(&g.rows, m.sources.len()), member_of(&g.cols, m.destinations.len()));
    fn sorted(names: &[String]) -> Vec<(&str, usize)> {
        let mut v: Vec<(&str, usize)> = names.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
        v.sort_unstable();
        v
    }
    let (src, dst) = (sorted(&m.sources), sorted(&m.destinations));
    let find = |v: &[(&str, usize)], name: &str| v.binary_search_by(|(s, _)| (*s).cmp(name)).ok().and_then(|k| v.get(k)).map(|x| x.1);
    for c in changes {
        let r = find(&src, &c.from).and_then(|i| rows.get(i).copied());
        let k = find(&dst, &c.to).and_then(|i| cols.get(i).copied());
        if let (Some(r), Some(k)) = (r, k) {
            if let Some(x) = out.get_mut(r.wrapping_mul(g.cols.len()).wrapping_add(k)) {
                *x = true;
            }
        }
    }
    out
}

/// Everything the view shows, computed together.
#[derive(Clone, Debug)]
pub struct View {
    /// The current network's matrix.
    pub matrix: Rc<Matrix>,
    /// Its grid.
    pub grid: Rc<Grid>,
    /// Against the baseline, when one is set.
    pub changes: Option<Rc<Vec<Change>>>,
    /// The drawn cells holding a change, one flag per cell, row by row.
    pub changed: Rc<Vec<bool>>,
    /// Load errors of the baseline, when it has some (its matrix leaves out what they name).
    pub baseline_errors: usize,
    /// Whether this answer is for an earlier document or baseline, a newer one being
    /// computed.
    pub stale: bool,
    /// How the worker found it, when it said.
    pub timing: Option<Timing>,
}

impl View {
    /// Whether the drawn cell at row `r`, column `c` holds a change since the baseline.
    pub fn is_changed(&self, r: usize, c: usize) -> bool {
        self.changed.get(r * self.grid.cols.len() + c).copied().unwrap_or(false)
    }
}

impl PartialEq for View {
    fn eq(&self, o: &Self) -> bool {
        self.stale == o.stale
            && Rc::ptr_eq(&self.matrix, &o.matrix)
            && Rc::ptr_eq(&self.grid, &o.grid)
            && match (&self.changes, &o.changes) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// The Reach tab's state: the latest view, whether a newer answer is being computed, and
/// why the latest computation failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// The view, once a first answer came.
    pub view: Option<Rc<View>>,
    /// Whether a request is on its way.
    pub pending: bool,
    /// Why the latest computation failed.
    pub error: Option<String>,
}

/// What an answer is for: the document and the baseline (compared by `Rc`, never by
/// content; the key keeps them alive, so an address is never reused while it is held).
#[derive(Clone, Debug)]
pub struct Key {
    /// The document.
    pub scenario: Rc<Scenario>,
    /// The baseline, if any.
    pub baseline: Option<Rc<Scenario>>,
}

impl PartialEq for Key {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &o.scenario)
            && match (&self.baseline, &o.baseline) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// One answer of core, ready to draw.
struct Answer {
    key: Key,
    matrix: Rc<Matrix>,
    by_subnet: EndGroups,
    by_vpc: EndGroups,
    changes: Option<Rc<Vec<Change>>>,
    baseline_errors: usize,
    timing: Option<Timing>,
}

/// `1 cell`, `2 cells`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How long the worker took to answer (the document read and built, the matrix found,
/// the answer written), and how it found the matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Milliseconds.
    pub elapsed_ms: f64,
    /// From scratch, the same as before, or updated after rule edits.
    pub update: Option<ReachUpdate>,
}

impl Timing {
    /// `Whole network analysed in 84 ms.`, `Rules of 1 security group or ACL changed:
    /// 27 cells recomputed; answered in 5 ms.`
    pub fn text(&self) -> String {
        let ms = format!("{:.0} ms", self.elapsed_ms.max(0.0));
        match self.update {
            Some(ReachUpdate::Rules { edited, update: Update::Incremental { cells } }) => {
                format!(
                    "Rules of {} changed: {} recomputed, the rest kept; answered in {ms}.",
                    plural(edited, "security group or network ACL", "security groups or network ACLs"),
                    plural(cells, "cell", "cells")
                )
            }
            Some(ReachUpdate::Rules { update: Update::Rebuilt, .. }) => {
                format!("The edited rules need a new port or protocol class: whole network analysed again in {ms}.")
            }
            Some(ReachUpdate::Same) => format!("The network is unchanged: matrix kept; answered in {ms}."),
            Some(ReachUpdate::New) | None => format!("Whole network analysed in {ms}."),
        }
    }
}

/// Core's answer as the worker sends it: the value, plus the worker's timing.
#[derive(Clone, Debug)]
pub struct Answered {
    /// The reachability view.
    pub value: ReachValue,
    /// When the worker said.
    pub timing: Option<Timing>,
}

/// The grid drawn for one matrix and grouping, with its changed cells.
type GridEntry = (Rc<Matrix>, GroupBy, Rc<Grid>, Rc<Vec<bool>>);

/// A member pair: source, destination, allowed classes.
pub type Member<'a> = (&'a str, &'a str, &'a [Allowed]);

/// The latest answer and the one asked for, the grid of the latest (per grouping) and
/// its changed cells.
#[derive(Default)]
pub struct Cache {
    answer: Option<Answer>,
    asked: Option<Key>,
    error: Option<(Key, String)>,
    grid: Option<GridEntry>,
    /// How many answers were taken (for tests).
    pub computed: usize,
}

impl Cache {
    /// Whether an answer for `key` is neither here nor on its way: the caller sends the
    /// request and calls [`Cache::asked`].
    pub fn wants(&self, key: &Key) -> bool {
        self.answer.as_ref().is_none_or(|a| a.key != *key) && self.asked.as_ref() != Some(key)
    }

    /// Records that an answer for `key` was requested (a newer request supersedes it).
    pub fn asked(&mut self, key: Key) {
        self.asked = Some(key);
        self.error = None;
    }

    /// Takes core's answer for `key`; an answer for anything but the latest request is
    /// dropped. `Err` is the reason the computation failed, shown by the view.
    pub fn answer(&mut self, key: &Key, value: Result<Answered, String>) {
        if self.asked.as_ref() != Some(key) {
            return;
        }
        self.asked = None;
        match value {
            Ok(Answered { value: v, timing }) => {
                self.computed += 1;
                self.answer = Some(Answer {
                    key: key.clone(),
                    matrix: Rc::new(Matrix::from(v.matrix)),
                    by_subnet: v.by_subnet,
                    by_vpc: v.by_vpc,
                    changes: v.changes.map(Rc::new),
                    baseline_errors: v.baseline_errors,
                    timing,
                });
            }
            Err(e) => self.error = Some((key.clone(), e)),
        }
    }

    /// Why the latest computation failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_ref().map(|(_, e)| e.as_str())
    }

    /// Whether a request is on its way.
    pub fn pending(&self) -> bool {
        self.asked.is_some()
    }

    /// What the view shows for `key`: the latest answer (marked stale when it is for
    /// another key), grouped by the user's `choice`; `None` before the first answer.
    pub fn view(&mut self, key: &Key, choice: Option<GroupBy>) -> Option<View> {
        let a = self.answer.as_ref()?;
        let by = effective_group(choice, &a.matrix);
        let (grid, changed) = match &self.grid {
            Some((m, b, g, c)) if Rc::ptr_eq(m, &a.matrix) && *b == by => (g.clone(), c.clone()),
            _ => {
                let groups = if by == GroupBy::Vpc { &a.by_vpc } else { &a.by_subnet };
                let g = Rc::new(grid(&a.matrix, by, groups));
                let c = Rc::new(a.changes.as_ref().map(|ch| changed_cells(&a.matrix, &g, ch)).unwrap_or_default());
                self.grid = Some((a.matrix.clone(), by, g.clone(), c.clone()));
                (g, c)
            }
        };
        // A diff against another baseline than the one asked for is not shown meanwhile.
        let same_baseline = match (&a.key.baseline, &key.baseline) {
            (Some(x), Some(y)) => Rc::ptr_eq(x, y),
            (None, None) => true,
            _ => false,
        };
        Some(View {
            matrix: a.matrix.clone(),
            grid,
            changes: a.changes.clone().filter(|_| same_baseline),
            changed: if same_baseline { changed } else { Rc::default() },
            baseline_errors: a.baseline_errors,
            stale: a.key != *key,
            timing: a.timing,
        })
    }
}

/// The request core answers: the document and the baseline as JSON text.
pub fn request(key: &Key) -> (String, Option<String>) {
    let text = |s: &Scenario| serde_json::to_string(s).unwrap_or_default();
    (text(&key.scenario), key.baseline.as_deref().map(text))
}

/// Core's answer on the wire (`ffi::reach_json`), with what the worker adds.
#[derive(serde::Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum Wire {
    Success(Box<SuccessWire>),
    Failure { errors: Vec<WireError> },
}

/// [`ReachValue`]'s fields, and the worker's `elapsed_ms` and `update`.
#[derive(serde::Deserialize)]
struct SuccessWire {
    matrix: vpcsim_core::ffi::MatrixWire,
    by_subnet: EndGroups,
    by_vpc: EndGroups,
    #[serde(default)]
    changes: Option<Vec<Change>>,
    baseline_errors: usize,
    #[serde(default)]
    elapsed_ms: Option<f64>,
    #[serde(default)]
    update: Option<ReachUpdate>,
}

#[derive(serde::Deserialize)]
struct WireError {
    message: String,
    #[serde(default)]
    at: String,
}

/// Reads core's answer (JSON text): the value, or the failure's first error, located.
pub fn read_answer(text: &str) -> Result<Answered, String> {
    match serde_json::from_str::<Wire>(text) {
        Ok(Wire::Success(v)) => {
            let SuccessWire { matrix, by_subnet, by_vpc, changes, baseline_errors, elapsed_ms, update } = *v;
            let timing = elapsed_ms.map(|elapsed_ms| Timing { elapsed_ms, update });
            Ok(Answered { value: ReachValue { matrix, by_subnet, by_vpc, changes, baseline_errors }, timing })
        }
        Ok(Wire::Failure { errors }) => {
            Err(errors.first().map_or_else(|| "the matrix could not be computed".to_owned(), |d| format!("{} (at {})", d.message, d.at)))
        }
        Err(e) => Err(format!("the matrix could not be read: {e}")),
    }
}

/// The member pairs of a drawn cell (row `r`, column `c`), open ones first, at most
/// `limit`: (source, destination, classes).
pub fn members<'a>(m: &'a Matrix, g: &Grid, r: usize, c: usize, limit: usize) -> (Vec<Member<'a>>, usize) {
    let (Some(row), Some(col)) = (g.rows.get(r), g.cols.get(c)) else { return (Vec::new(), 0) };
    let mask = |members: &[u32], n: usize| {
        let mut v = vec![false; n];
        for &i in members {
            if let Some(x) = v.get_mut(i as usize) {
                *x = true;
            }
        }
        v
    };
    let (rows, cols) = (mask(&row.members, m.sources.len()), mask(&col.members, m.destinations.len()));
    let has = |v: &[bool], i: u32| v.get(i as usize).copied().unwrap_or(false);
    let mut all: Vec<Member<'a>> = m
        .pairs
        .iter()
        .filter(|p| has(&rows, p.from) && has(&cols, p.to))
        .filter_map(|p| {
            Some((
                m.sources.get(p.from as usize)?.as_str(),
                m.destinations.get(p.to as usize)?.as_str(),
                m.sets.get(p.set as usize).map_or(&[][..], Vec::as_slice),
            ))
        })
        .collect();
    let total = all.len();
    all.sort_by_key(|(_, _, a)| a.is_empty());
    all.truncate(limit);
    (all, total)
}
