//! The root: owns the reducer, derives the network, trace and frames, runs the clock.

use crate::components::{canvas::Canvas, composer::Composer, explain::Explain};
use crate::layout::{frames, scene, Frame, Scene};
use crate::state::{Action, AppState};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use vpcsim_core::trace::Trace;
use vpcsim_core::{Diagnostic, Network};
use yew::prelude::*;

/// The reducer handle every component reads and dispatches to.
pub type AppContext = UseReducerHandle<AppState>;

/// Derived data, computed from the state and shared with children.
#[derive(Clone, PartialEq)]
pub struct Derived {
    /// What to draw.
    pub scene: Rc<Scene>,
    /// Load diagnostics of the document.
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// The trace of the sent probe, or why it could not be traced.
    pub trace: Rc<Option<Result<Trace, Diagnostic>>>,
    /// Animation frames of the trace.
    pub frames: Rc<Vec<Frame>>,
    /// Resource references for the composer's pickers.
    pub endpoints: Rc<Vec<(String, String)>>,
}

fn reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|m| m.matches())
}

/// The playground.
#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let scenario = state.scenario.clone();
    let built = use_memo(scenario.clone(), |s| Network::build(s));
    let scene_rc = use_memo(scenario.clone(), |s| scene(s));
    let sent = state.sent.clone();
    let trace = {
        let built = built.clone();
        use_memo((scenario.clone(), sent), move |(_, sent)| sent.as_ref().map(|(_, probe)| vpcsim_core::eval::trace(&built.0, probe)))
    };
    let frames_rc = {
        let scene_rc = scene_rc.clone();
        use_memo(trace.clone(), move |t| match t.as_ref() {
            Some(Ok(t)) => frames(&scene_rc, t),
            _ => Vec::new(),
        })
    };
    let endpoints = use_memo(scenario.clone(), |s| endpoint_choices(s));
    // The animation clock: one timeout per frame while playing.
    {
        let dispatch = state.dispatcher();
        let n = frames_rc.len();
        let playing = state.playing;
        let step = state.step;
        use_effect_with((playing, step, n, state.sent.as_ref().map(|(k, _)| *k)), move |_| {
            let timer = playing.then(|| {
                let delay = if reduced_motion() { 0 } else { 650 };
                Timeout::new(delay, move || dispatch.dispatch(Action::Tick { frames: n }))
            });
            move || drop(timer)
        });
    }
    let derived = Derived {
        scene: Rc::new((*scene_rc).clone()),
        diagnostics: Rc::new(built.1.clone()),
        trace: Rc::new((*trace).clone()),
        frames: Rc::new((*frames_rc).clone()),
        endpoints: Rc::new((*endpoints).clone()),
    };
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <ContextProvider<Derived> context={derived}>
                <div class="app">
                    <header class="topbar">
                        <div class="brand"><span class="logo" aria-hidden="true">{"◈"}</span>{"vpcsim"}</div>
                        <div class="scenario-title">
                            <h1>{ if scenario.name.is_empty() { "Untitled scenario".to_owned() } else { scenario.name.clone() } }</h1>
                        </div>
                    </header>
                    <main class="workspace">
                        <section class="canvas-pane" aria-label="Network diagram">
                            <p class="lede">{ scenario.description.clone() }</p>
                            <Canvas />
                        </section>
                        <aside class="side-pane">
                            <Composer />
                            <Explain />
                        </aside>
                    </main>
                </div>
            </ContextProvider<Derived>>
        </ContextProvider<AppContext>>
    }
}

/// (reference, label) of everything that can send or receive.
pub fn endpoint_choices(s: &vpcsim_core::Scenario) -> Vec<(String, String)> {
    let net = &s.network;
    let mut out = Vec::new();
    for i in &net.instances {
        out.push((i.id.clone(), format!("{} ({})", if i.name.is_empty() { &i.id } else { &i.name }, i.id)));
    }
    for e in &net.sagemaker.endpoints {
        out.push((format!("sagemaker:endpoint/{}", e.name), format!("SageMaker endpoint {}", e.name)));
    }
    for n in &net.sagemaker.notebook_instances {
        out.push((format!("sagemaker:notebook/{}", n.name), format!("SageMaker notebook {}", n.name)));
    }
    for j in &net.sagemaker.training_jobs {
        out.push((format!("sagemaker:training-job/{}", j.name), format!("SageMaker training job {}", j.name)));
    }
    for x in &net.external {
        out.push((x.id.clone(), if x.name.is_empty() { x.id.clone() } else { x.name.clone() }));
    }
    out.push(("internet".into(), "the internet (198.51.100.10)".into()));
    out.push(("service:s3".into(), "Amazon S3".into()));
    out.push(("service:sagemaker.runtime".into(), "SageMaker Runtime API".into()));
    out
}
