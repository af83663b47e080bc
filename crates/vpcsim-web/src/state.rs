//! The playground's state: one reducer holding the document and the UI state.
//!
//! No DOM here, so it is tested natively. Traces, diagnostics and animation frames are
//! derived from this state (`use_memo`), never stored in it.

use std::rc::Rc;
use vpcsim_core::scenario::{ProbeDoc, Scenario};
use yew::Reducible;

/// The scenario the playground opens with: the study guide's worked example.
pub const DEFAULT_SCENARIO: &str = include_str!("../../../tests/scenarios/gallery/worked-example.json");

/// The default scenario, parsed. Falls back to an empty document if the embedded file
/// were ever invalid (a test guards against that).
pub fn default_scenario() -> Scenario {
    vpcsim_core::scenario::parse(DEFAULT_SCENARIO).unwrap_or_else(|_| Scenario { vpcsim: 1, ..Scenario::default() })
}

/// The packet composer's fields, as typed.
#[derive(Clone, Debug, PartialEq)]
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
    /// ICMP echo.
    Ping,
}

impl Preset {
    /// Every preset, in menu order.
    pub const ALL: [Preset; 4] = [Preset::Https, Preset::Ssh, Preset::Dns, Preset::Ping];

    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Preset::Https => "HTTPS",
            Preset::Ssh => "SSH",
            Preset::Dns => "DNS",
            Preset::Ping => "ping",
        }
    }

    fn apply(self, d: &mut Draft) {
        let (protocol, port) = match self {
            Preset::Https => ("tcp", "443"),
            Preset::Ssh => ("tcp", "22"),
            Preset::Dns => ("udp", "53"),
            Preset::Ping => ("icmp", ""),
        };
        d.protocol = protocol.into();
        d.port = port.into();
    }
}

/// The whole state.
#[derive(Clone, Debug, PartialEq)]
pub struct AppState {
    /// The document being explored.
    pub scenario: Rc<Scenario>,
    /// The composer.
    pub draft: Draft,
    /// The probe last sent, with a sequence number so that sending again restarts it.
    pub sent: Option<(u32, ProbeDoc)>,
    /// Animation position: index into the derived frames.
    pub step: usize,
    /// Whether the animation advances by itself.
    pub playing: bool,
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
        let draft = Draft {
            from: first.from,
            to: first.to,
            protocol: if first.protocol.is_empty() { "tcp".into() } else { first.protocol },
            port: first.port.map(|p| p.to_string()).unwrap_or_else(|| "443".into()),
        };
        AppState { scenario: Rc::new(scenario), draft, sent: None, step: 0, playing: false }
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
    /// Send the composer's probe.
    Send,
    /// Advance the animation by one frame (timer).
    Tick {
        /// Number of frames of the current trace; the animation stops at the last.
        frames: usize,
    },
    /// Step back one frame.
    StepBack,
    /// Pause or resume.
    TogglePlay,
    /// Replace the document.
    Load(Box<Scenario>),
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
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
                s.draft = Draft {
                    from: p.from.clone(),
                    to: p.to.clone(),
                    protocol: p.protocol.clone(),
                    port: p.port.map(|x| x.to_string()).unwrap_or_default(),
                };
                send(&mut s);
            }
            Action::Send => send(&mut s),
            Action::Tick { frames } => {
                if !s.playing || s.step + 1 >= frames {
                    if !s.playing {
                        return self;
                    }
                    s.playing = false;
                } else {
                    s.step += 1;
                }
            }
            Action::StepBack => {
                s.playing = false;
                s.step = s.step.saturating_sub(1);
            }
            Action::TogglePlay => s.playing = !s.playing,
            Action::Load(scenario) => s = AppState::with_scenario(*scenario),
        }
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

fn send(s: &mut AppState) {
    let seq = s.sent.as_ref().map(|(n, _)| n.wrapping_add(1)).unwrap_or(0);
    s.sent = Some((seq, s.draft.probe()));
    s.step = 0;
    s.playing = true;
}
