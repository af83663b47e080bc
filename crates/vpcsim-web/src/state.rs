//! The playground's state: one reducer holding the document, its undo history and the UI
//! state.
//!
//! No DOM here, so it is tested natively. Traces, diagnostics, the scene and animation
//! frames are derived from this state (`use_memo`), never stored in it.

use crate::doc::{self, Edit, Item};
use crate::layout::Point;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use vpcsim_core::scenario::{ProbeDoc, Scenario};
use yew::Reducible;

/// The scenario the playground opens with: the study guide's worked example.
pub const DEFAULT_SCENARIO: &str = crate::gallery::GALLERY[0].2;

/// Undo keeps at least this many steps.
pub const HISTORY_LIMIT: usize = 200;

/// The default scenario, parsed. Falls back to an empty document if the embedded file
/// were ever invalid (a test guards against that).
pub fn default_scenario() -> Scenario {
    vpcsim_core::scenario::parse(DEFAULT_SCENARIO).unwrap_or_else(|_| Scenario { vpcsim: 1, ..Scenario::default() })
}

/// The packet composer's fields, as typed.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Draft {
    /// Source reference.
    pub from: String,
    /// Destination reference.
    pub to: String,
    /// Protocol name.
    pub protocol: String,
    /// Destination port, as typed.
    pub port: String,
}

impl Draft {
    /// The probe this draft describes.
    pub fn probe(&self) -> ProbeDoc {
        ProbeDoc {
            from: self.from.clone(),
            to: self.to.clone(),
            protocol: self.protocol.clone(),
            port: self.port.trim().parse().ok(),
            ..ProbeDoc::default()
        }
    }

    fn from_probe(p: &ProbeDoc) -> Draft {
        Draft {
            from: p.from.clone(),
            to: p.to.clone(),
            protocol: if p.protocol.is_empty() { "tcp".into() } else { p.protocol.clone() },
            port: p.port.map(|x| x.to_string()).unwrap_or_default(),
        }
    }
}

/// A composer preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// TCP 443.
    Https,
    /// TCP 22.
    Ssh,
    /// UDP 53.
    Dns,
    /// S3 GetObject: HTTPS to Amazon S3.
    S3GetObject,
    /// InvokeEndpoint: HTTPS to SageMaker Runtime.
    InvokeEndpoint,
    /// ICMP echo.
    Ping,
}

impl Preset {
    /// Every preset, in menu order.
    pub const ALL: [Preset; 6] = [Preset::Https, Preset::Ssh, Preset::Dns, Preset::S3GetObject, Preset::InvokeEndpoint, Preset::Ping];

    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Https => "HTTPS",
            Preset::Ssh => "SSH",
            Preset::Dns => "DNS",
            Preset::S3GetObject => "S3 GetObject",
            Preset::InvokeEndpoint => "InvokeEndpoint",
            Preset::Ping => "ping",
        }
    }

    fn apply(self, d: &mut Draft) {
        let (protocol, port) = match self {
            Preset::Https | Preset::S3GetObject | Preset::InvokeEndpoint => ("tcp", "443"),
            Preset::Ssh => ("tcp", "22"),
            Preset::Dns => ("udp", "53"),
            Preset::Ping => ("icmp", ""),
        };
        d.protocol = protocol.into();
        d.port = port.into();
        match self {
            Preset::S3GetObject => d.to = "service:s3".into(),
            Preset::InvokeEndpoint => d.to = "service:sagemaker.runtime".into(),
            _ => {}
        }
    }
}

/// The view of the canvas: pan offset and zoom.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// Left edge, in canvas units.
    pub x: f64,
    /// Top edge, in canvas units.
    pub y: f64,
    /// Scale: 1 is 100 %.
    pub zoom: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera { x: 0.0, y: 0.0, zoom: 1.0 }
    }
}

/// Colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system.
    #[default]
    Auto,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// `auto`, `light` or `dark`.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The next theme of the toggle.
    pub fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }
}

/// A message shown in the banner.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Error (red) or information.
    pub error: bool,
    /// What happened.
    pub text: String,
    /// Text the user can download (unreadable autosave, a failed import...).
    pub raw: Option<Rc<String>>,
    /// The download's file name and button label, when `raw` is set.
    pub download: Option<(&'static str, &'static str)>,
}

impl Notice {
    /// Offers `raw` for download as `file`, on a button labelled `label`.
    pub fn with_download(mut self, raw: String, file: &'static str, label: &'static str) -> Self {
        self.raw = Some(Rc::new(raw));
        self.download = Some((file, label));
        self
    }

    /// An error.
    pub fn error(text: impl Into<String>) -> Self {
        Notice { error: true, text: text.into(), raw: None, download: None }
    }

    /// Information.
    pub fn info(text: impl Into<String>) -> Self {
        Notice { error: false, text: text.into(), raw: None, download: None }
    }
}

/// What the side pane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    /// The packet composer and the explanation.
    #[default]
    Packet,
    /// The selected item's properties and rules.
    Inspector,
    /// The scenario: name, description, probes, diagnostics.
    Scenario,
    /// The reachability matrix and the what-if comparison.
    Reach,
}

impl Tab {
    /// Every tab, in the order of the tab list (and of the arrow keys).
    pub const ALL: [Tab; 4] = [Tab::Packet, Tab::Inspector, Tab::Scenario, Tab::Reach];

    /// The id suffix of the tab and its panel (`tab-packet`, `panel-packet`).
    pub fn id(self) -> &'static str {
        match self {
            Tab::Packet => "packet",
            Tab::Inspector => "inspector",
            Tab::Scenario => "scenario",
            Tab::Reach => "reach",
        }
    }
}

/// A scenario the reachability matrix is compared with ("what if"): kept in the state,
/// outside the undo history, and not autosaved (a reload forgets it).
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// The document (when set from the current one, the same `Rc`, so nothing is copied).
    pub scenario: Rc<Scenario>,
    /// Where it came from, for the panel: `the scenario as of change 12`, a file name.
    pub label: String,
}

/// The reachability view's choices, kept while other tabs are shown.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ReachView {
    /// How rows and columns are grouped; `None` until the user chooses (then the view
    /// groups by subnet when there are many ends, see `crate::reach::effective_group`).
    pub group_by: Option<vpcsim_core::reach::GroupBy>,
    /// The group pair (row group, column group) drilled into.
    pub drill: Option<(String, String)>,
    /// The pair (source, destination) whose allowed classes are shown.
    pub cell: Option<(String, String)>,
}

/// Animation speeds, frames per second relative to the default.
pub const SPEEDS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];

/// What survives a reload (autosave) and goes into files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// Format of this record.
    pub v: u32,
    /// The document, as JSON: it is read through the core's one scenario reader
    /// (`vpcsim_core::scenario::from_value`), so an unreadable document is a located error.
    pub scenario: serde_json::Value,
    /// The composer.
    #[serde(default)]
    pub draft: Draft,
    /// The selection.
    #[serde(default)]
    pub selection: Vec<String>,
    /// The view.
    #[serde(default)]
    pub camera: Camera,
    /// The theme.
    #[serde(default)]
    pub theme: Theme,
    /// The probe last sent.
    #[serde(default)]
    pub sent: Option<ProbeDoc>,
}

/// Writes the autosave record ([`Saved`]) as JSON text, keeping the document's part while
/// the document is the same (`Rc`): the record is written after every change, and a
/// change of view (a pan over an imported account of 5,000 interfaces) would otherwise
/// serialize the whole document again.
#[derive(Default)]
pub struct SavedText {
    doc: Option<(Rc<Scenario>, String)>,
}

impl SavedText {
    /// The record of `state`, equal to `serde_json::to_string(&state.saved())`.
    pub fn text(&mut self, state: &AppState) -> Result<String, String> {
        let doc = match &self.doc {
            Some((d, text)) if Rc::ptr_eq(d, &state.scenario) => text,
            _ => {
                let text = serde_json::to_string(&vpcsim_core::scenario::to_value(&state.scenario)).map_err(|e| e.to_string())?;
                &self.doc.insert((state.scenario.clone(), text)).1
            }
        };
        let view = serde_json::to_string(&state.saved_view()).map_err(|e| e.to_string())?;
        // `v` then `scenario` come first (field order): the document goes in place of null.
        const HEAD: &str = r#"{"v":1,"scenario":null"#;
        match view.strip_prefix(HEAD) {
            Some(tail) => Ok(format!(r#"{{"v":1,"scenario":{doc}{tail}"#)),
            None => serde_json::to_string(&state.saved()).map_err(|e| e.to_string()),
        }
    }

    /// Whether the document's text is kept for `scenario`.
    pub fn keeps(&self, scenario: &Rc<Scenario>) -> bool {
        self.doc.as_ref().is_some_and(|(d, _)| Rc::ptr_eq(d, scenario))
    }
}

/// The whole state.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// The document being explored.
    pub scenario: Rc<Scenario>,
    /// Earlier documents, most recent last.
    pub past: Vec<Rc<Scenario>>,
    /// Undone documents, most recent last.
    pub future: Vec<Rc<Scenario>>,
    /// The pointer of the last `Set` edit: typing in one field is one undo step.
    pub coalesce: Option<String>,
    /// Bumped on every document change (autosave watches it).
    pub revision: u64,
    /// Selected references (`i-web`, `subnet-a`, `sagemaker:endpoint/x`, `sg-web`).
    pub selection: Vec<String>,
    /// The rule the explanation pointed at (JSON pointer), highlighted in the inspector.
    pub focus: Option<String>,
    /// The composer.
    pub draft: Draft,
    /// The probe last sent, with a sequence number so that sending again restarts it.
    pub sent: Option<(u32, ProbeDoc)>,
    /// Animation position: index into the derived frames.
    pub step: usize,
    /// Whether the animation advances by itself.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Bulk send: every source to the composer's destination, animated together.
    pub bulk: Option<u32>,
    /// The canvas view.
    pub camera: Camera,
    /// Snap moves to the grid.
    pub snap: bool,
    /// Colour theme.
    pub theme: Theme,
    /// Banner.
    pub notice: Option<Notice>,
    /// Side pane tab.
    pub tab: Tab,
    /// Fit the diagram in the view at the next render (a scenario was opened).
    pub autofit: bool,
    /// The reachability view's grouping, drill-down and open cell.
    pub reach: ReachView,
    /// The what-if baseline the matrix is compared with.
    pub baseline: Option<Baseline>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState::with_scenario(default_scenario())
    }
}

impl AppState {
    /// A fresh state for a scenario; the composer starts from its first probe.
    pub fn with_scenario(scenario: Scenario) -> Self {
        let first = scenario.probes.first().cloned().unwrap_or_default();
        let mut draft = Draft::from_probe(&first);
        if draft.port.is_empty() && draft.protocol == "tcp" {
            draft.port = "443".into();
        }
        // No probe (an import, a new drawing): the composer starts from the document's
        // first resource to its next one (or the internet), not from nothing, which a
        // picker would show as its first entry for both ends.
        if draft.from.is_empty() && draft.to.is_empty() {
            let choices = endpoint_choices(&scenario);
            let own = |r: &&(String, String)| r.0 != "internet" && !r.0.starts_with("service:");
            if let Some((from, _)) = choices.iter().find(own) {
                let to = choices.iter().filter(own).find(|(r, _)| r != from).map_or("internet", |(r, _)| r.as_str());
                draft.from = from.clone();
                draft.to = to.to_owned();
            }
        }
        AppState {
            scenario: Rc::new(scenario),
            past: Vec::new(),
            future: Vec::new(),
            coalesce: None,
            revision: 0,
            selection: Vec::new(),
            focus: None,
            draft,
            sent: None,
            step: 0,
            playing: false,
            speed: 1,
            bulk: None,
            camera: Camera::default(),
            snap: true,
            theme: Theme::Auto,
            notice: None,
            tab: Tab::Packet,
            autofit: true,
            reach: ReachView::default(),
            baseline: None,
        }
    }

    /// What autosave writes.
    pub fn saved(&self) -> Saved {
        Saved { scenario: vpcsim_core::scenario::to_value(&self.scenario), ..self.saved_view() }
    }

    /// [`AppState::saved`] with the document left out (`null`).
    fn saved_view(&self) -> Saved {
        Saved {
            v: 1,
            scenario: serde_json::Value::Null,
            draft: self.draft.clone(),
            selection: self.selection.clone(),
            camera: self.camera,
            theme: self.theme,
            sent: self.sent.as_ref().map(|(_, p)| p.clone()),
        }
    }

    /// A state restored from autosave; the last probe is shown at its end, not replayed.
    /// Fails, with the core's located diagnostic, when the document cannot be read.
    pub fn restored(saved: Saved) -> Result<Self, vpcsim_core::Diagnostic> {
        let scenario = vpcsim_core::scenario::from_value(saved.scenario)?;
        let mut s = AppState::with_scenario(scenario);
        s.draft = saved.draft;
        s.selection = saved.selection;
        s.camera = saved.camera;
        s.theme = saved.theme;
        s.sent = saved.sent.map(|p| (0, p));
        s.step = usize::MAX;
        s.autofit = false;
        Ok(s)
    }

    /// What a share link carries: the document, the composer's packet (the one last sent
    /// when there is one) and the view.
    pub fn shared(&self) -> vpcsim_core::share::Shared {
        let probe = self.sent.as_ref().map(|(_, p)| p.clone()).unwrap_or_else(|| self.draft.probe());
        vpcsim_core::share::Shared {
            scenario: (*self.scenario).clone(),
            probe: Some(probe),
            view: serde_json::json!({"camera": self.camera, "selection": self.selection, "sent": self.sent.is_some()}),
        }
    }

    /// The selected items that exist in the document.
    pub fn selected_items(&self) -> Vec<Item> {
        self.selection.iter().filter_map(|r| doc::item_for_reference(&self.scenario, r)).collect()
    }

    fn commit(&mut self, next: Scenario, coalesce: Option<String>) {
        if next == *self.scenario {
            return;
        }
        let same_field = coalesce.is_some() && coalesce == self.coalesce;
        if !same_field {
            remember(&mut self.past, self.scenario.clone());
        }
        self.future.clear();
        self.coalesce = coalesce;
        self.scenario = Rc::new(next);
        self.revision = self.revision.wrapping_add(1);
        self.prune_selection();
    }

    /// A fresh state for an opened document (gallery, file, import, link) that keeps the
    /// theme and the undo history, so that opening is one undo step.
    fn opened(&self, scenario: Scenario) -> AppState {
        let mut s = AppState::with_scenario(scenario);
        s.theme = self.theme;
        // The comparison survives opening another document (that is one way to compare).
        s.baseline = self.baseline.clone();
        s.reach = ReachView { group_by: self.reach.group_by, ..ReachView::default() };
        if self.tab == Tab::Reach {
            s.tab = Tab::Reach;
        }
        s.past = self.past.clone();
        remember(&mut s.past, self.scenario.clone());
        s.revision = self.revision.wrapping_add(1);
        s
    }

    fn prune_selection(&mut self) {
        let doc = self.scenario.clone();
        // The scene is laid out only when a selected reference is not an item (a placed
        // service or the internet), not on every keystroke.
        let mut scene: Option<crate::layout::Scene> = None;
        self.selection.retain(|r| {
            doc::item_for_reference(&doc, r).is_some() || scene.get_or_insert_with(|| crate::layout::scene(&doc)).position(r).is_some()
        });
    }
}

/// Everything the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Set the composer's source.
    SetFrom(String),
    /// Set the composer's destination.
    SetTo(String),
    /// Set the protocol.
    SetProtocol(String),
    /// Set the port.
    SetPort(String),
    /// Apply a preset.
    Preset(Preset),
    /// Load one of the scenario's probes into the composer and send it.
    SendScenarioProbe(usize),
    /// Load a probe into the composer and send it (embed autoplay, a host page's message).
    SendProbe(Box<ProbeDoc>),
    /// Send the composer's probe.
    Send,
    /// Use a resource as the source (`true`) or destination, and send when both are set.
    PickEndpoint {
        /// The reference.
        reference: String,
        /// Source or destination.
        as_source: bool,
    },
    /// Send from every source to the composer's destination at once.
    SendFromEverySource,
    /// Save the composer's packet as a probe of the scenario.
    SaveProbe(String),
    /// Advance the animation by one frame (timer).
    Tick {
        /// Number of frames of the current trace; the animation stops at the last.
        frames: usize,
    },
    /// Step forward one frame and pause.
    StepForward {
        /// Number of frames.
        frames: usize,
    },
    /// Step back one frame.
    StepBack,
    /// Jump to a frame (event list).
    SeekTo(usize),
    /// Pause or resume.
    TogglePlay,
    /// Choose an animation speed (index into [`SPEEDS`]).
    SetSpeed(usize),
    /// Replace the document (gallery, file, import). Undoable.
    Load(Box<Scenario>),
    /// Restore an autosaved session.
    Restore(Box<Saved>),
    /// Open a share link: its scenario (undoable), probe and view.
    OpenShared(Box<vpcsim_core::share::Shared>),
    /// Change the document.
    Edit(Edit),
    /// Apply a finding's automatic fix (one undo step; the view stays as it is).
    ApplyFix(Box<vpcsim_core::lint::Fix>),
    /// Undo the last change.
    Undo,
    /// Redo.
    Redo,
    /// Select exactly these references.
    Select(Vec<String>),
    /// Add or remove one reference from the selection (shift-click).
    ToggleSelect(String),
    /// Select everything drawn.
    SelectAll,
    /// Delete the selection.
    DeleteSelection,
    /// Duplicate the selection.
    DuplicateSelection,
    /// Move the selection by an offset (arrow keys, dragging).
    MoveSelection {
        /// Offset.
        dx: f64,
        /// Offset.
        dy: f64,
    },
    /// Highlight a rule (JSON pointer) in the inspector and select its owner.
    FocusRule(String),
    /// Zoom by a factor around a canvas point (or the view's corner).
    Zoom {
        /// Factor (>1 zooms in).
        factor: f64,
        /// Fixed point.
        around: Option<Point>,
    },
    /// Pan by an offset in canvas units.
    Pan {
        /// Offset.
        dx: f64,
        /// Offset.
        dy: f64,
    },
    /// Back to 100 % at the origin.
    ResetView,
    /// Show the whole diagram at this zoom, from the origin (the canvas measures it).
    Fit(f64),
    /// Turn grid snapping on or off.
    ToggleSnap,
    /// Choose the theme.
    SetTheme(Theme),
    /// Show the side pane tab.
    SetTab(Tab),
    /// Show or clear the banner.
    Notify(Option<Notice>),
    /// Group the reachability matrix's rows and columns.
    SetGroupBy(vpcsim_core::reach::GroupBy),
    /// Drill into a group pair of the matrix (row group, column group), or back out.
    ReachDrill(Option<(String, String)>),
    /// Show the allowed classes of one pair (source, destination), or close them.
    ReachCell(Option<(String, String)>),
    /// Keep the current document as the what-if baseline.
    SetBaseline,
    /// Use another document (an opened file) as the baseline.
    CompareWith {
        /// The document.
        scenario: Box<Scenario>,
        /// Where it came from (a file name).
        label: String,
    },
    /// Forget the baseline.
    ClearBaseline,
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        if !matches!(action, Action::Edit(Edit::Set { .. })) {
            s.coalesce = None;
        }
        match action {
            Action::SetFrom(v) => s.draft.from = v,
            Action::SetTo(v) => s.draft.to = v,
            Action::SetProtocol(v) => s.draft.protocol = v,
            Action::SetPort(v) => s.draft.port = v,
            Action::Preset(p) => p.apply(&mut s.draft),
            Action::SendScenarioProbe(i) => {
                let Some(p) = s.scenario.probes.get(i).cloned() else {
                    return self;
                };
                s.draft = Draft::from_probe(&p);
                send(&mut s, Some(p));
            }
            Action::SendProbe(p) => {
                s.draft = Draft::from_probe(&p);
                send(&mut s, Some(*p));
            }
            Action::Send => send(&mut s, None),
            Action::ApplyFix(fix) => match vpcsim_core::lint::apply_fix(&s.scenario, &fix) {
                Ok(next) => {
                    s.commit(next, None);
                    s.prune_selection();
                    s.notice = Some(Notice::info(format!("Fixed: {}. Undo (Ctrl+Z) brings the previous version back.", fix.description)));
                }
                Err(d) => s.notice = Some(Notice::error(format!("The fix could not be applied: {} at {} ({})", d.message, d.at, d.help))),
            },
            Action::PickEndpoint { reference, as_source } => {
                if as_source {
                    s.draft.from = reference;
                } else {
                    s.draft.to = reference;
                }
                if !s.draft.from.is_empty() && !s.draft.to.is_empty() && s.draft.from != s.draft.to {
                    send(&mut s, None);
                }
            }
            Action::SendFromEverySource => {
                s.bulk = Some(s.bulk.map(|n| n.wrapping_add(1)).unwrap_or(0));
                s.playing = true;
            }
            Action::SaveProbe(name) => {
                let mut p = s.draft.probe();
                p.name = name.trim().to_owned();
                let mut next = (*s.scenario).clone();
                next.probes.push(p);
                s.commit(next, None);
            }
            Action::Tick { frames } => {
                if !s.playing {
                    return self;
                }
                if s.step.saturating_add(1) >= frames {
                    s.playing = false;
                    s.step = frames.saturating_sub(1);
                } else {
                    s.step += 1;
                }
            }
            Action::StepForward { frames } => {
                s.playing = false;
                s.step = s.step.saturating_add(1).min(frames.saturating_sub(1));
            }
            Action::StepBack => {
                s.playing = false;
                s.step = s.step.saturating_sub(1);
            }
            Action::SeekTo(i) => {
                s.playing = false;
                s.step = i;
            }
            Action::TogglePlay => {
                s.playing = !s.playing;
                s.bulk = None;
            }
            Action::SetSpeed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::Load(scenario) => s = s.opened(*scenario),
            Action::OpenShared(shared) => {
                let shared = *shared;
                s = s.opened(shared.scenario);
                let view = &shared.view;
                if let Some(c) = view.get("camera").and_then(|c| serde_json::from_value::<Camera>(c.clone()).ok()) {
                    s.camera = c;
                    s.autofit = false;
                }
                if let Some(sel) = view.get("selection").and_then(serde_json::Value::as_array) {
                    s.selection = sel.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect();
                }
                if let Some(p) = shared.probe {
                    s.draft = Draft::from_probe(&p);
                    if view.get("sent").and_then(serde_json::Value::as_bool) == Some(true) {
                        s.sent = Some((0, p));
                        s.step = usize::MAX;
                    }
                }
                s.notice = Some(Notice::info("Opened a shared link: its scenario, packet and view. Undo returns to what you had before."));
            }
            Action::Restore(saved) => match AppState::restored(*saved) {
                Ok(restored) => {
                    s = restored;
                    s.revision = self.revision.wrapping_add(1);
                }
                Err(d) => s.notice = Some(Notice::error(format!("The saved session could not be read: {} at {}", d.message, d.at))),
            },
            Action::Edit(edit) => {
                let coalesce = match &edit {
                    Edit::Set { pointer, .. } => Some(pointer.clone()),
                    _ => None,
                };
                match doc::apply(&s.scenario, &edit) {
                    Ok((next, applied)) => {
                        s.commit(next, coalesce);
                        if !applied.select.is_empty() {
                            s.selection = applied.select;
                        }
                        if matches!(edit, Edit::Set { .. } | Edit::Insert { .. } | Edit::Remove { .. } | Edit::Reorder { .. }) {
                            // Keep the error banner of an earlier refused keystroke until a valid one.
                            if s.notice.as_ref().is_some_and(|n| n.error) {
                                s.notice = None;
                            }
                        }
                    }
                    Err(e) => s.notice = Some(Notice::error(e)),
                }
            }
            Action::Undo => {
                let Some(prev) = s.past.pop() else { return self };
                s.future.push(std::mem::replace(&mut s.scenario, prev));
                s.revision = s.revision.wrapping_add(1);
                s.prune_selection();
            }
            Action::Redo => {
                let Some(next) = s.future.pop() else { return self };
                s.past.push(std::mem::replace(&mut s.scenario, next));
                s.revision = s.revision.wrapping_add(1);
                s.prune_selection();
            }
            Action::Select(refs) => {
                s.selection = refs;
                s.focus = None;
                if !s.selection.is_empty() && s.tab == Tab::Packet && s.sent.is_none() {
                    s.tab = Tab::Inspector;
                }
            }
            Action::ToggleSelect(r) => {
                if let Some(i) = s.selection.iter().position(|x| *x == r) {
                    s.selection.remove(i);
                } else {
                    s.selection.push(r);
                }
            }
            Action::SelectAll => {
                let sc = crate::layout::scene(&s.scenario);
                s.selection = sc.vpcs.iter().map(|b| b.id.clone()).chain(sc.cards.iter().map(|c| c.id.clone())).collect();
            }
            Action::DeleteSelection => {
                let mut items = s.selected_items();
                let actors: Vec<String> =
                    s.selection.iter().filter(|r| r.starts_with("service:") || r.as_str() == "internet").cloned().collect();
                if items.is_empty() && actors.is_empty() {
                    return self;
                }
                let mut next = (*s.scenario).clone();
                for a in actors {
                    next.layout.remove(&a);
                }
                items.sort();
                match doc::apply(&next, &Edit::Delete(items)) {
                    Ok((next, _)) => {
                        s.commit(next, None);
                        s.selection.clear();
                    }
                    Err(e) => s.notice = Some(Notice::error(e)),
                }
            }
            Action::DuplicateSelection => {
                let items = s.selected_items();
                if items.is_empty() {
                    return self;
                }
                match doc::apply(&s.scenario, &Edit::Duplicate(items)) {
                    Ok((next, applied)) => {
                        s.commit(next, None);
                        s.selection = applied.select;
                    }
                    Err(e) => s.notice = Some(Notice::error(e)),
                }
            }
            Action::MoveSelection { dx, dy } => {
                if s.selection.is_empty() {
                    return self;
                }
                let edit = Edit::Move { refs: s.selection.clone(), dx, dy, snap: s.snap };
                if let Ok((next, _)) = doc::apply(&s.scenario, &edit) {
                    s.commit(next, None);
                }
            }
            Action::FocusRule(pointer) => {
                // `/network/security_groups/1/inbound/0` → select sg and show the inspector.
                let owner = owner_of(&s.scenario, &pointer);
                if let Some(item) = owner {
                    s.selection = vec![item.reference(&s.scenario)];
                }
                s.focus = Some(pointer);
                s.tab = Tab::Inspector;
            }
            Action::Zoom { factor, around } => {
                let z = (s.camera.zoom * factor).clamp(0.25, 4.0);
                let p = around.unwrap_or(Point { x: s.camera.x, y: s.camera.y });
                // Keep `p` fixed on screen: screen = (p - cam) * zoom.
                let k = s.camera.zoom / z;
                s.camera = Camera { x: p.x - (p.x - s.camera.x) * k, y: p.y - (p.y - s.camera.y) * k, zoom: z };
            }
            Action::Pan { dx, dy } => {
                s.camera.x += dx;
                s.camera.y += dy;
            }
            Action::ResetView => {
                s.camera = Camera::default();
                s.autofit = false;
            }
            Action::Fit(zoom) => {
                s.camera = Camera { x: 0.0, y: 0.0, zoom: zoom.clamp(0.25, 4.0) };
                s.autofit = false;
            }
            Action::ToggleSnap => s.snap = !s.snap,
            Action::SetTheme(t) => s.theme = t,
            Action::SetTab(t) => s.tab = t,
            Action::Notify(n) => s.notice = n,
            Action::SetGroupBy(g) => {
                s.reach.group_by = Some(g);
                s.reach.drill = None;
            }
            Action::ReachDrill(d) => s.reach.drill = d,
            Action::ReachCell(c) => s.reach.cell = c,
            Action::SetBaseline => {
                let name = if s.scenario.name.is_empty() { "Untitled scenario" } else { s.scenario.name.as_str() };
                let label = format!("“{name}” as it was when the baseline was set");
                s.baseline = Some(Baseline { scenario: s.scenario.clone(), label });
            }
            Action::CompareWith { scenario, label } => s.baseline = Some(Baseline { scenario: Rc::new(*scenario), label }),
            Action::ClearBaseline => s.baseline = None,
        }
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

/// Pushes an undo step, keeping the last [`HISTORY_LIMIT`].
fn remember(past: &mut Vec<Rc<Scenario>>, doc: Rc<Scenario>) {
    past.push(doc);
    if past.len() > HISTORY_LIMIT {
        past.remove(0);
    }
}

/// The item owning a JSON pointer, e.g. the security group of one of its rules.
pub fn owner_of(scenario: &Scenario, pointer: &str) -> Option<Item> {
    doc::Kind::ALL.into_iter().find_map(|k| {
        let rest = pointer.strip_prefix(k.collection())?.strip_prefix('/')?;
        let idx: usize = rest.split('/').next()?.parse().ok()?;
        let v = serde_json::to_value(scenario).ok()?;
        let key = v.pointer(&format!("{}/{idx}/{}", k.collection(), k.key_field()))?.as_str()?.to_owned();
        Some(Item::new(k, key))
    })
}

fn send(s: &mut AppState, probe: Option<ProbeDoc>) {
    let seq = s.sent.as_ref().map(|(n, _)| n.wrapping_add(1)).unwrap_or(0);
    s.sent = Some((seq, probe.unwrap_or_else(|| s.draft.probe())));
    s.step = 0;
    s.playing = true;
    s.bulk = None;
    s.tab = Tab::Packet;
}

/// The JSON pointer of the rule a check names (`Check::rule_path`), for the inspector:
/// `sg-web/inbound/0` → `/network/security_groups/1/inbound/0`; a NACL entry by rule
/// number → its index; a route by destination. `None` for implicit rules (the default
/// NACL, local routes) that are not in the document.
pub fn rule_pointer(scenario: &Scenario, check: &vpcsim_core::trace::Check) -> Option<String> {
    let path = check.rule_path.as_deref()?;
    let mut parts = path.rsplitn(3, '/');
    let (last, dir, owner) = (parts.next()?, parts.next()?, parts.next()?);
    let net = &scenario.network;
    if let Some(i) = net.security_groups.iter().position(|g| g.id == owner) {
        let rules = if dir == "inbound" { &net.security_groups.get(i)?.inbound } else { &net.security_groups.get(i)?.outbound };
        let k: usize = last.parse().ok()?;
        return (k < rules.len()).then(|| format!("/network/security_groups/{i}/{dir}/{k}"));
    }
    if let Some(i) = net.network_acls.iter().position(|a| a.id == owner) {
        let acl = net.network_acls.get(i)?;
        let entries = if dir == "inbound" { &acl.inbound } else { &acl.outbound };
        let number: i64 = last.parse().ok()?;
        let k = entries.iter().position(|e| e.rule == number)?;
        return Some(format!("/network/network_acls/{i}/{dir}/{k}"));
    }
    if let Some(i) = net.route_tables.iter().position(|t| t.id == owner) {
        let table = net.route_tables.get(i)?;
        // The check's rule reads `DEST -> TARGET`.
        let dest = check.rule.as_deref()?.split(" -> ").next()?.trim();
        let k = table
            .routes
            .iter()
            .position(|r| r.destination.as_deref() == Some(dest) || r.destination_prefix_list.as_deref() == Some(dest))?;
        return Some(format!("/network/route_tables/{i}/routes/{k}"));
    }
    None
}

/// (reference, label) of everything that can send or receive.
pub fn endpoint_choices(s: &vpcsim_core::Scenario) -> Vec<(String, String)> {
    let net = &s.network;
    let mut out = Vec::new();
    let named = |name: &str, id: &str| if name.is_empty() { id.to_owned() } else { format!("{name} ({id})") };
    for i in &net.instances {
        out.push((i.id.clone(), named(&i.name, &i.id)));
    }
    for e in &net.sagemaker.endpoints {
        out.push((format!("sagemaker:endpoint/{}", e.name), format!("SageMaker endpoint {}", e.name)));
    }
    for n in &net.sagemaker.notebook_instances {
        out.push((format!("sagemaker:notebook/{}", n.name), format!("SageMaker notebook {}", n.name)));
    }
    for j in &net.sagemaker.training_jobs {
        let kind = if j.kind == "processing" { "processing-job" } else { "training-job" };
        out.push((format!("sagemaker:{kind}/{}", j.name), format!("SageMaker {} {}", kind.replace('-', " "), j.name)));
    }
    for d in &net.sagemaker.domains {
        out.push((format!("sagemaker:domain/{}", d.name), format!("SageMaker Studio domain {}", d.name)));
    }
    for n in &net.nat_gateways {
        out.push((n.id.clone(), format!("NAT gateway {}", named(&n.name, &n.id))));
    }
    for v in net.vpc_endpoints.iter().filter(|v| v.kind == "interface") {
        out.push((v.id.clone(), format!("interface endpoint {}", named(&v.name, &v.id))));
    }
    for p in &net.peering_connections {
        out.push((p.id.clone(), format!("far side of peering {}", named(&p.name, &p.id))));
    }
    for t in &net.transit_gateways {
        out.push((t.id.clone(), format!("far side of transit gateway {}", named(&t.name, &t.id))));
    }
    for x in &net.external {
        out.push((x.id.clone(), format!("{} ({})", if x.name.is_empty() { &x.id } else { &x.name }, x.cidr)));
    }
    out.push(("internet".into(), "the internet (198.51.100.10)".into()));
    out.push(("service:s3".into(), "Amazon S3".into()));
    out.push(("service:sagemaker.api".into(), "SageMaker API".into()));
    out.push(("service:sagemaker.runtime".into(), "SageMaker Runtime API".into()));
    out
}
