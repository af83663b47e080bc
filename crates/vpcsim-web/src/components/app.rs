//! The root: owns the reducer, derives the network, traces and frames, runs the clock,
//! autosaves, and handles the document-wide keyboard shortcuts.

use crate::components::{
    canvas::Canvas, composer::Composer, explain::Explain, inspector::Inspector, palette::Palette, reach::ReachPanel,
    scenario_panel::ScenarioPanel, topbar::TopBar,
};
use crate::layout::{frames, scene, Frame, Scene};
use crate::state::{Action, AppState, Tab, SPEEDS};
use crate::storage;
use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use vpcsim_core::ffi::ProbeResult;
use vpcsim_core::trace::Trace;
use vpcsim_core::{Diagnostic, Network};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The reducer handle every component reads and dispatches to.
pub type AppContext = UseReducerHandle<AppState>;

/// Derived data, computed from the state and shared with children. Never stored in the state.
/// Each field but `reach` is a memo's own `Rc`, the same until what it derives from
/// changes: a change of view only (pan, zoom) neither copies nor compares a 5,000-card
/// scene.
#[derive(Clone)]
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
    /// The scenario's probes, traced and checked against their expectations.
    pub probes: Rc<Vec<ProbeResult>>,
    /// Bulk send: one frame list per source.
    pub bulk: Rc<Vec<Vec<Frame>>>,
    /// The lints' findings on the document.
    pub findings: Rc<Vec<vpcsim_core::lint::Finding>>,
    /// The reachability view (matrix, grid, what-if diff) and whether a newer one is being
    /// computed: only while the Reach tab is shown.
    pub reach: Option<Rc<crate::matrix::Status>>,
    /// The network built from the document, for analyses that start from it.
    pub network: Built,
}

impl PartialEq for Derived {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scene, &other.scene)
            && Rc::ptr_eq(&self.diagnostics, &other.diagnostics)
            && Rc::ptr_eq(&self.trace, &other.trace)
            && Rc::ptr_eq(&self.frames, &other.frames)
            && Rc::ptr_eq(&self.endpoints, &other.endpoints)
            && Rc::ptr_eq(&self.probes, &other.probes)
            && Rc::ptr_eq(&self.bulk, &other.bulk)
            && Rc::ptr_eq(&self.findings, &other.findings)
            && self.reach == other.reach
            && self.network == other.network
    }
}

/// The network built from the document with its load diagnostics; equal when it is the
/// same build (a network has no cheap equality, and a new build means a new document).
#[derive(Clone)]
pub struct Built(pub Rc<(vpcsim_core::Network, Vec<Diagnostic>)>);

impl PartialEq for Built {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Whether the user asked for reduced motion.
pub fn reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|m| m.matches())
}

fn editing_text(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        let tag = el.tag_name().to_ascii_lowercase();
        tag == "textarea" || tag == "select" || (tag == "input" && el.get_attribute("type").as_deref() != Some("checkbox"))
    })
}

/// The playground.
#[component]
pub fn App() -> Html {
    let embed = use_memo((), |_| crate::embed::page_options().0);
    let state = {
        let e = embed.clone();
        use_reducer(move || if e.embed { crate::embed::initial_state(&e) } else { storage::initial_state() })
    };
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
        use_memo((scene_rc.clone(), trace.clone()), move |(_, t)| match t.as_ref() {
            Some(Ok(t)) => frames(&scene_rc, t),
            _ => Vec::new(),
        })
    };
    let endpoints = use_memo(scenario.clone(), |s| crate::state::endpoint_choices(s));
    let probes = {
        let built = built.clone();
        use_memo(scenario.clone(), move |s| vpcsim_core::ffi::run_probes(s, &built.0))
    };
    let diagnostics = use_memo(Built(built.clone()), |b| b.0 .1.clone());
    let findings = {
        let built = built.clone();
        use_memo(scenario.clone(), move |s| vpcsim_core::lint::lint_built(s, Some((&built.0, &built.1))))
    };
    let bulk = {
        let built = built.clone();
        let scene_rc = scene_rc.clone();
        let endpoints = endpoints.clone();
        use_memo((scenario.clone(), state.bulk, state.draft.clone()), move |(_, bulk, draft)| {
            if bulk.is_none() {
                return Vec::new();
            }
            bulk_frames(&built.0, &scene_rc, &endpoints, draft)
        })
    };
    // The animation clock: one timeout per frame while playing. With reduced motion the
    // packet jumps to its end and the explanation's step list tells the story.
    {
        let dispatch = state.dispatcher();
        let n = frames_rc.len();
        let (playing, step, speed) = (state.playing, state.step, state.speed);
        let bulk_on = state.bulk.is_some();
        use_effect_with((playing, step, n, state.sent.as_ref().map(|(k, _)| *k), speed, bulk_on), move |_| {
            let timer = (playing && !bulk_on).then(|| {
                if reduced_motion() {
                    let last = n.saturating_sub(1);
                    Timeout::new(0, move || dispatch.dispatch(Action::SeekTo(last)))
                } else {
                    let k = SPEEDS.get(speed).copied().unwrap_or(1.0);
                    Timeout::new((650.0 / k) as u32, move || dispatch.dispatch(Action::Tick { frames: n }))
                }
            });
            move || drop(timer)
        });
    }
    crate::embed::use_embed(embed.clone(), state.clone(), trace.clone(), frames_rc.clone());
    // Autosave after every change (not in embed mode: the autosave is the full playground's).
    {
        let s = state.clone();
        let saved_text = use_mut_ref(crate::state::SavedText::default);
        let embedded = embed.embed;
        let key =
            (state.revision, state.draft.clone(), state.selection.clone(), state.camera, state.theme, state.sent.as_ref().map(|x| x.0));
        use_effect_with(key, move |_| {
            if embedded {
                return;
            }
            if let Err(e) = storage::autosave(&s, &mut saved_text.borrow_mut()) {
                gloo::console::warn!(format!("autosave failed: {e}"));
            }
        });
    }
    // The theme, on the root element.
    use_effect_with(state.theme, |t| {
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = match t {
                crate::state::Theme::Auto => root.remove_attribute("data-theme"),
                other => root.set_attribute("data-theme", other.as_str()),
            };
        }
    });
    // Document-wide shortcuts.
    {
        let s = state.clone();
        use_effect_with(state.clone(), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                EventListener::new_with_options(&doc, "keydown", EventListenerOptions::enable_prevent_default(), move |e| {
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                    let ctrl = e.ctrl_key() || e.meta_key();
                    let key = e.key().to_ascii_lowercase();
                    if ctrl && key == "s" {
                        e.prevent_default();
                        storage::save_scenario(&s.scenario);
                        return;
                    }
                    if ctrl && key == "o" {
                        e.prevent_default();
                        if let Some(el) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.get_element_by_id("open-files"))
                            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            el.click();
                        }
                        return;
                    }
                    if editing_text(e.target()) {
                        return;
                    }
                    match (ctrl, e.shift_key(), key.as_str()) {
                        (true, false, "z") => {
                            e.prevent_default();
                            s.dispatch(Action::Undo);
                        }
                        (true, true, "z") | (true, _, "y") => {
                            e.prevent_default();
                            s.dispatch(Action::Redo);
                        }
                        (true, _, "a") => {
                            e.prevent_default();
                            s.dispatch(Action::SelectAll);
                        }
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }
    // The reachability matrix: computed by core in the Reach tab's worker while the tab
    // is shown, again only when the document or the baseline (their `Rc`s) change. The
    // worker keeps the last matrix (an edit of rules recomputes only what it touches) and
    // takes one request at a time: edits made while one is on its way are asked for
    // together once its answer is in. The page draws the latest answer meanwhile.
    let reach_cache = use_mut_ref(crate::matrix::Cache::default);
    let reach_worker = use_mut_ref(crate::importer::ReachWorker::default);
    let reach_answered = use_state(|| 0u32);
    let reach_key = (state.tab == Tab::Reach && !embed.embed)
        .then(|| crate::matrix::Key { scenario: scenario.clone(), baseline: state.baseline.as_ref().map(|b| b.scenario.clone()) });
    if let Some(key) = &reach_key {
        if reach_cache.borrow().wants(key) && !reach_worker.borrow().busy() {
            reach_cache.borrow_mut().asked(key.clone());
            let (text, base) = crate::matrix::request(key);
            let (cache, answered, key) = (reach_cache.clone(), reach_answered.clone(), key.clone());
            reach_worker.borrow_mut().ask(&text, base.as_deref(), move |r| {
                cache.borrow_mut().answer(&key, r.and_then(|text| crate::matrix::read_answer(&text)));
                answered.set(answered.wrapping_add(1));
            });
        }
    }
    let reach = reach_key.as_ref().map(|key| {
        let mut cache = reach_cache.borrow_mut();
        let view = cache.view(key, state.reach.group_by).map(Rc::new);
        Rc::new(crate::matrix::Status { view, pending: cache.pending(), error: cache.error().map(str::to_owned) })
    });
    let derived = Derived {
        scene: scene_rc,
        diagnostics,
        trace,
        frames: frames_rc,
        endpoints,
        probes,
        bulk,
        findings,
        reach,
        network: Built(built.clone()),
    };
    let tab = |t: Tab, label: &str| {
        let id = t.id();
        let s = state.clone();
        let selected = state.tab == t;
        html! {
            <button type="button" role="tab" id={format!("tab-{id}")} aria-selected={selected.to_string()} aria-controls={format!("panel-{id}")}
                class={classes!("tab", selected.then_some("selected"))} tabindex={if selected { "0" } else { "-1" }}
                onclick={Callback::from(move |_| s.dispatch(Action::SetTab(t)))}
                onkeydown={tab_keys(state.clone(), t)}>{ label }</button>
        }
    };
    let n_errors = built.1.iter().filter(|d| d.severity == vpcsim_core::Severity::Error).count();
    if embed.embed {
        return html! {
            <ContextProvider<AppContext> context={state.clone()}>
                <ContextProvider<Derived> context={derived}>
                    <EmbedView editable={embed.editable} auto_height={embed.height == Some(vpcsim_core::embed::Height::Auto)} />
                </ContextProvider<Derived>>
            </ContextProvider<AppContext>>
        };
    }
    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <ContextProvider<Derived> context={derived}>
                <div class="app">
                    <a class="skip-link" href="#canvas">{"Skip to the diagram"}</a>
                    <TopBar />
                    <Banner />
                    <main class={classes!("workspace", (state.tab == Tab::Reach).then_some("wide-side"))}>
                        <Palette />
                        <section class="canvas-pane" aria-label="Network diagram">
                            if !scenario.description.is_empty() { <p class="lede">{ scenario.description.clone() }</p> }
                            <Canvas />
                        </section>
                        <aside class="side-pane" aria-label="Packet, inspector, scenario and reachability">
                            <div class="tabs" role="tablist" aria-label="Side panel">
                                { tab(Tab::Packet, "Packet") }
                                { tab(Tab::Inspector, "Inspector") }
                                { tab(Tab::Scenario, &if n_errors > 0 { format!("Scenario ({n_errors}⚠)") } else { "Scenario".to_owned() }) }
                                { tab(Tab::Reach, "Reach") }
                            </div>
                            <div role="tabpanel" id={format!("panel-{}", state.tab.id())} aria-labelledby={format!("tab-{}", state.tab.id())}>
                                { match state.tab {
                                    Tab::Packet => html! { <><Composer /><Explain /></> },
                                    Tab::Inspector => html! { <Inspector /> },
                                    Tab::Scenario => html! { <ScenarioPanel /> },
                                    Tab::Reach => html! { <ReachPanel /> },
                                } }
                            </div>
                        </aside>
                    </main>
                </div>
            </ContextProvider<Derived>>
        </ContextProvider<AppContext>>
    }
}

#[derive(Properties, PartialEq)]
struct EmbedProps {
    editable: bool,
    auto_height: bool,
}

/// The embedded playground: the diagram, the packet composer and the explanation, with
/// the palette and inspector only when the host made it editable, and a link that opens
/// the same state in the full playground.
#[component]
fn EmbedView(props: &EmbedProps) -> Html {
    let Some(state) = use_context::<AppContext>() else { return html! {} };
    let open_full = {
        let s = state.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            if let Some(w) = web_sys::window() {
                let _ = w.open_with_url_and_target_and_features(&crate::embed::full_playground_url(&s), "_blank", "noopener");
            }
        })
    };
    let side = if props.editable && state.tab == Tab::Inspector {
        html! { <Inspector /> }
    } else {
        // What happened first: in a small frame the explanation is the point.
        html! { <><Explain /><Composer /></> }
    };
    html! {
        <div class={classes!("app", "embed", props.auto_height.then_some("auto-height"))}>
            <header class="embed-bar">
                <span class="embed-title">{ if state.scenario.name.is_empty() { "vpcsim".to_owned() } else { state.scenario.name.clone() } }</span>
                if props.editable {
                    <button type="button" id="embed-inspect" aria-pressed={(state.tab == Tab::Inspector).to_string()}
                        onclick={{ let s = state.clone(); let t = if state.tab == Tab::Inspector { Tab::Packet } else { Tab::Inspector }; Callback::from(move |_: MouseEvent| s.dispatch(Action::SetTab(t))) }}>
                        { if state.tab == Tab::Inspector { "Packet" } else { "Inspector" } }</button>
                }
                <a id="open-full" class="open-full" href="./" target="_blank" rel="noopener" onclick={open_full}
                    title="Open this network, packet and view in the full vpcsim playground (new tab)">{"Open in vpcsim ↗"}</a>
            </header>
            <Banner />
            <main class="workspace">
                if props.editable { <Palette /> }
                <section class="canvas-pane" aria-label="Network diagram"><Canvas /></section>
                <aside class="side-pane" aria-label="Packet">{ side }</aside>
            </main>
        </div>
    }
}

/// Arrow keys move between tabs (WAI-ARIA tabs pattern).
fn tab_keys(state: AppContext, current: Tab) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        let order = Tab::ALL;
        let n = order.len();
        let i = order.iter().position(|t| *t == current).unwrap_or(0);
        let next = match e.key().as_str() {
            "ArrowRight" => order.get((i + 1) % n),
            "ArrowLeft" => order.get((i + n - 1) % n),
            "Home" => order.first(),
            "End" => order.last(),
            _ => None,
        };
        if let Some(t) = next {
            e.prevent_default();
            state.dispatch(Action::SetTab(*t));
            let id = format!("tab-{}", t.id());
            Timeout::new(0, move || {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&id))
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            })
            .forget();
        }
    })
}

/// The notice banner: errors and import summaries, with a download of the raw text.
#[component]
fn Banner() -> Html {
    let Some(state) = use_context::<AppContext>() else { return html! {} };
    let Some(n) = state.notice.clone() else { return html! {} };
    let close = {
        let s = state.clone();
        Callback::from(move |_| s.dispatch(Action::Notify(None)))
    };
    let download = n.raw.clone().map(|raw| {
        let (file, _) = n.download.unwrap_or(("vpcsim.txt", "Download"));
        Callback::from(move |_: MouseEvent| {
            storage::download(file, &raw, if file.ends_with(".json") { "application/json" } else { "text/plain" })
        })
    });
    let label = n.download.map(|(_, l)| l).unwrap_or("Download");
    html! {
        <div id="notice" class={classes!("notice", if n.error { "error" } else { "info" })} role={if n.error { "alert" } else { "status" }}>
            <p>{ &n.text }</p>
            { download.map(|cb| html! { <button type="button" onclick={cb}>{ label }</button> }).unwrap_or_default() }
            <button type="button" class="close" onclick={close} aria-label="Dismiss">{"×"}</button>
        </div>
    }
}

/// The frames of one packet from every source to the composer's destination.
fn bulk_frames(net: &Network, scene: &Scene, endpoints: &[(String, String)], draft: &crate::state::Draft) -> Vec<Vec<Frame>> {
    endpoints
        .iter()
        .filter(|(r, _)| !r.starts_with("service:") && *r != draft.to)
        .filter_map(|(r, _)| {
            let mut probe = draft.probe();
            probe.from = r.clone();
            vpcsim_core::eval::trace(net, &probe).ok().map(|t| frames(scene, &t))
        })
        .filter(|f| !f.is_empty())
        .collect()
}
