//! Embed mode's side effects: reading the page's options, taking a host page's messages
//! and posting events back. Every rule (what an option means, which message is valid,
//! which origin may talk to us) is in `vpcsim_core::embed`; this file only moves data
//! between the browser and those functions.

use crate::state::{AppState, Notice};
use std::rc::Rc;
use vpcsim_core::embed::{EmbedOptions, Event};
use vpcsim_core::Diagnostic;
use wasm_bindgen::JsCast;

/// The page's options: its query string, and `embed.html` as the page name turns embed
/// mode on. Bad options come back as diagnostics, which the console shows.
pub fn page_options() -> (EmbedOptions, Vec<Diagnostic>) {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return Default::default() };
    let search = loc.search().unwrap_or_default();
    let pairs: Vec<(String, String)> = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .map(|params| {
            js_sys::try_iter(&params)
                .ok()
                .flatten()
                .into_iter()
                .flatten()
                .filter_map(|entry| {
                    let pair = js_sys::Array::from(&entry.ok()?);
                    Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
                })
                .collect()
        })
        .unwrap_or_default();
    let (mut options, diagnostics) = EmbedOptions::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if loc.pathname().unwrap_or_default().ends_with("/embed.html") {
        options.embed = true;
    }
    for d in &diagnostics {
        gloo::console::warn!(format!("vpcsim embed: {d}"));
    }
    (options, diagnostics)
}

/// The state an embedded playground starts with: a share link's (kept in the URL, so a
/// reload shows the same), else the `gallery` scenario, else the default one. The
/// reader's autosaved work is neither read nor written: it belongs to the full
/// playground of the same site.
pub fn initial_state(options: &EmbedOptions) -> AppState {
    let mut state = AppState::default();
    if let Some(slug) = &options.gallery {
        match crate::gallery::get(slug) {
            Some(s) => state = AppState::with_scenario(s),
            None => {
                let known: Vec<&str> = crate::gallery::names().map(|(s, _)| s).collect();
                state.notice = Some(Notice::error(format!("No gallery scenario is called `{slug}`; known: {}.", known.join(", "))));
            }
        }
    }
    if let Some(payload) = crate::storage::link_payload() {
        match vpcsim_core::share::decode(&payload) {
            Ok(shared) => {
                state = yew::Reducible::reduce(Rc::new(state), crate::state::Action::OpenShared(Box::new(shared))).as_ref().clone();
                // The host's page is not the author's: no undo back to nothing, no banner,
                // and the diagram fits the frame whatever the author's camera was.
                state.past.clear();
                state.notice = None;
                state.autofit = true;
            }
            Err(d) => state.notice = Some(Notice::error(format!("This link could not be opened: {} ({})", d.message, d.help))),
        }
    }
    match options.theme {
        Some(vpcsim_core::embed::EmbedTheme::Light) => state.theme = crate::state::Theme::Light,
        Some(vpcsim_core::embed::EmbedTheme::Dark) => state.theme = crate::state::Theme::Dark,
        Some(vpcsim_core::embed::EmbedTheme::Auto) | None => {}
    }
    state
}

/// Posts an event to the host page, to each allowed origin (nothing without an allow-list,
/// and nothing when the page is not in a frame).
pub fn post(options: &EmbedOptions, event: &Event<'_>) {
    if options.origins.is_empty() {
        return;
    }
    let Some(w) = web_sys::window() else { return };
    let Some(parent) = w.parent().ok().flatten() else { return };
    if parent == w {
        return;
    }
    let Ok(data) = js_sys::JSON::parse(&event.to_json()) else { return };
    // The host's origin, where the browser tells it (Chromium, Safari): post only when it
    // is allowed, rather than let the browser refuse a mismatched target with an error.
    let host = js_sys::Reflect::get(&w.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|o| o.as_string());
    for origin in &options.origins {
        if let Some(host) = &host {
            if origin != "*" && !origin.eq_ignore_ascii_case(host) {
                continue;
            }
        }
        let _ = parent.post_message(&data, origin);
    }
}

/// The JSON text of a posted value (strings are taken as JSON text).
pub fn message_text(data: &wasm_bindgen::JsValue) -> String {
    match data.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(data).ok().and_then(|s| s.as_string()).unwrap_or_default(),
    }
}

/// The URL of the folder the site is served from (`https://host/vpcsim`), whatever page
/// of it is open.
fn site_url() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return String::new() };
    let path = loc.pathname().unwrap_or_default();
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    format!("{}{dir}", loc.origin().unwrap_or_default())
}

/// The URL of the full playground for this state: the site's root with a share link.
pub fn full_playground_url(state: &AppState) -> String {
    format!("{}/#s={}", site_url(), vpcsim_core::share::encode(&state.shared()))
}

/// The site's embed page URL (for the embed dialog's snippet).
pub fn embed_page_url() -> String {
    format!("{}/embed.html", site_url())
}

/// The document's height, for `height=auto`.
pub fn content_height() -> u32 {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|e| e.offset_height().max(0) as u32)
        .unwrap_or(0)
}

/// Embed mode's behaviour, as one hook the root calls on every render: the `ready` event,
/// autoplay, the host page's messages, and the trace, hop, verdict and resize events.
/// It does nothing unless the page is in embed mode.
#[yew::hook]
pub fn use_embed(
    options: Rc<EmbedOptions>,
    state: crate::components::app::AppContext,
    trace: Rc<Option<Result<vpcsim_core::Trace, Diagnostic>>>,
    frames: Rc<Vec<crate::layout::Frame>>,
) {
    use crate::state::Action;
    use vpcsim_core::embed::{parse_host_message, HostMessage};
    use yew::{use_effect, use_effect_with, use_mut_ref};
    // The newest scenario, for the message listener (which outlives renders).
    let latest = use_mut_ref(|| state.scenario.clone());
    *latest.borrow_mut() = state.scenario.clone();
    {
        let (options, state, latest) = (options.clone(), state.clone(), latest.clone());
        use_effect_with((), move |_| {
            let mut listener = None;
            if options.embed {
                post(
                    &options,
                    &Event::Ready {
                        version: vpcsim_core::ffi::version(),
                        probes: state.scenario.probes.iter().map(|p| p.name.as_str()).collect(),
                    },
                );
                if let Some(p) = &options.autoplay {
                    match p.resolve(&state.scenario, "?autoplay") {
                        Ok(probe) => state.dispatch(Action::SendProbe(Box::new(probe))),
                        Err(d) => {
                            gloo::console::warn!(format!("vpcsim embed: {d}"));
                            state.dispatch(Action::Notify(Some(Notice::error(format!("autoplay: {} ({})", d.message, d.help)))));
                        }
                    }
                }
                let dispatch = state.dispatcher();
                listener = web_sys::window().map(|w| {
                    gloo::events::EventListener::new(&w, "message", move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::MessageEvent>() else { return };
                        if !options.accepts(&e.origin()) {
                            gloo::console::warn!(format!(
                                "vpcsim embed: a message from {} was ignored: that origin is not in the page's `origins` allow-list",
                                e.origin()
                            ));
                            return;
                        }
                        let failed = |d: Diagnostic| {
                            gloo::console::warn!(format!("vpcsim embed: message ignored: {d}"));
                            post(&options, &Event::Error { error: &d });
                        };
                        match parse_host_message(&message_text(&e.data())) {
                            Ok(HostMessage::Load(doc)) => match vpcsim_core::scenario::from_value(doc) {
                                Ok(s) => dispatch.dispatch(Action::Load(Box::new(s))),
                                Err(d) => failed(d),
                            },
                            Ok(HostMessage::Send(p)) => match p.resolve(&latest.borrow(), "message/probe") {
                                Ok(probe) => dispatch.dispatch(Action::SendProbe(Box::new(probe))),
                                Err(d) => failed(d),
                            },
                            Err(d) => failed(d),
                        }
                    })
                });
            }
            move || drop(listener)
        });
    }
    let seq = state.sent.as_ref().map(|(n, _)| *n);
    {
        let (options, state, trace) = (options.clone(), state.clone(), trace.clone());
        use_effect_with(seq, move |_| {
            if let (true, Some((_, probe)), Some(Ok(t))) = (options.embed, &state.sent, trace.as_ref()) {
                post(&options, &Event::Trace { probe, trace: t });
            }
        });
    }
    let verdict_posted = use_mut_ref(|| None::<u32>);
    {
        let (options, trace, frames, dispatch) = (options.clone(), trace.clone(), frames.clone(), state.dispatcher());
        let sent = state.sent.clone();
        use_effect_with((seq, state.step, state.playing), move |(seq, step, playing)| {
            let mut timer = None;
            if options.embed && !frames.is_empty() {
                if let Some(f) = frames.get(*step) {
                    post(&options, &Event::Hop { step: *step, steps: frames.len(), leg: f.leg, check: f.check.as_ref() });
                }
                let at_end = step.saturating_add(1) >= frames.len();
                if at_end && *verdict_posted.borrow() != *seq {
                    if let Some(Ok(t)) = trace.as_ref() {
                        post(&options, &vpcsim_core::embed::verdict(t));
                        *verdict_posted.borrow_mut() = *seq;
                    }
                }
                // Loop: send the same probe again after a pause (not with reduced motion).
                if at_end && !*playing && options.looped && !crate::components::app::reduced_motion() {
                    if let Some((_, probe)) = sent {
                        timer = Some(gloo::timers::callback::Timeout::new(2_500, move || {
                            dispatch.dispatch(Action::SendProbe(Box::new(probe)))
                        }));
                    }
                }
            }
            move || drop(timer)
        });
    }
    // height=auto: tell the host the content's height after every render that changes it.
    let last_height = use_mut_ref(|| 0u32);
    let auto = options.embed && options.height == Some(vpcsim_core::embed::Height::Auto);
    use_effect(move || {
        if auto {
            let h = content_height();
            if h != *last_height.borrow() {
                *last_height.borrow_mut() = h;
                post(&options, &Event::Resize { height: h });
            }
        }
    });
}
