//! The explanation panel: the verdict, then every check of the request and response in
//! plain language, the current animation frame highlighted; step controls.

use crate::components::app::{AppContext, Derived};
use crate::state::Action;
use vpcsim_core::trace::{Leg, Outcome, Verdict};
use yew::prelude::*;

fn verdict_text(trace: &vpcsim_core::Trace) -> (bool, String) {
    let r = &trace.request;
    match (r.outcome, &r.dropped_at, &trace.response) {
        (Outcome::Dropped, Some(d), _) => (
            false,
            format!(
                "✗ Dropped at {} {} ({}): {}",
                d.kind.as_str(),
                d.component,
                d.direction.map(|x| x.to_string()).unwrap_or_default(),
                d.explanation
            ),
        ),
        (Outcome::InsufficientInfo, _, _) => (false, format!("? Insufficient information: {}", r.missing.clone().unwrap_or_default())),
        (_, _, Some(resp)) if resp.outcome == Outcome::Dropped => {
            let why =
                resp.dropped_at.as_ref().map(|d| format!("{} {}: {}", d.kind.as_str(), d.component, d.explanation)).unwrap_or_default();
            (false, format!("✗ The request arrives but the response is dropped at {why}"))
        }
        _ => {
            let rule = r.hops.iter().flat_map(|h| &h.checks).rfind(|c| c.kind == vpcsim_core::trace::CheckKind::SecurityGroup);
            let by = rule.map(|c| format!(" — allowed by {} rule {}", c.component, c.rule.clone().unwrap_or_default())).unwrap_or_default();
            (
                true,
                format!(
                    "✓ {}{by}; the response returns",
                    if r.outcome == Outcome::ExitsNetwork { "Leaves the network" } else { "Delivered" }
                ),
            )
        }
    }
}

fn leg_list(title: &str, leg: &Leg, first_index: usize, current: usize) -> Html {
    let mut i = first_index;
    html! {
        <>
            <h3>{ title }</h3>
            <ol class="checks">
                { for leg.hops.iter().flat_map(|h| h.checks.iter().map(move |c| (h, c))).map(|(h, c)| {
                    i += 1;
                    let ok = c.verdict == Verdict::Allow;
                    html! {
                        <li class={classes!("check", if ok { "allow" } else { "deny" }, (i == current).then_some("current"))}>
                            <span class="mark" aria-label={if ok { "allowed" } else { "denied" }}>{ if ok { "✓" } else { "✗" } }</span>
                            <div>
                                <div class="check-head">
                                    <strong>{ c.kind.as_str() }</strong>{" "}<code>{ &c.component }</code>
                                    { c.direction.map(|d| html! { <span class="dir">{ format!(" {d}") }</span> }).unwrap_or_default() }
                                    <span class="spec" title="Rule of docs/aws-semantics.md">{ c.spec }</span>
                                </div>
                                <div class="rule">{ c.rule.clone().unwrap_or_else(|| "no rule matched".into()) }</div>
                                <div class="why">{ &c.explanation }</div>
                                <div class="where">{ &h.label }</div>
                            </div>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

/// The explanation panel.
#[component]
pub fn Explain() -> Html {
    let state = use_context::<AppContext>();
    let derived = use_context::<Derived>();
    let (Some(state), Some(derived)) = (state, derived) else {
        return html! {};
    };
    let body = match derived.trace.as_ref() {
        None => {
            html! { <p class="hint">{"Pick a source and a destination, then send a packet to watch it cross each layer."}</p> }
        }
        Some(Err(d)) => {
            html! { <div class="error" role="alert"><strong>{ &d.message }</strong><div>{ &d.help }</div></div> }
        }
        Some(Ok(trace)) => {
            let (ok, text) = verdict_text(trace);
            let n_req = 1 + trace.request.hops.iter().map(|h| h.checks.len()).sum::<usize>() + 1;
            let frame = derived.frames.get(state.step);
            let on_back = {
                let s = state.clone();
                Callback::from(move |_| s.dispatch(Action::StepBack))
            };
            let on_play = {
                let s = state.clone();
                Callback::from(move |_| s.dispatch(Action::TogglePlay))
            };
            let on_fwd = {
                let s = state.clone();
                let n = derived.frames.len();
                Callback::from(move |_| {
                    if !s.playing {
                        s.dispatch(Action::TogglePlay);
                    }
                    s.dispatch(Action::Tick { frames: n });
                    s.dispatch(Action::TogglePlay);
                })
            };
            html! {
                <>
                    <div id="verdict" class={classes!("verdict", if ok { "ok" } else { "bad" })} role="status" aria-live="polite">{ text }</div>
                    <div class="flow"><code>{ format!("{} → {} {}{}", trace.flow.src_ip, trace.flow.dst_ip, trace.flow.protocol, trace.flow.dst_port.map(|p| format!("/{p}")).unwrap_or_default()) }</code></div>
                    <div class="stepper" role="group" aria-label="Animation controls">
                        <button type="button" onclick={on_back} aria-label="Step back">{"◀"}</button>
                        <button type="button" onclick={on_play} aria-label={if state.playing { "Pause" } else { "Play" }}>{ if state.playing { "❚❚" } else { "▶" } }</button>
                        <button type="button" onclick={on_fwd} aria-label="Step forward">{"▶|"}</button>
                        <span class="frame-caption" aria-live="off">{ frame.map(|f| f.caption.clone()).unwrap_or_default() }</span>
                    </div>
                    { leg_list("Request", &trace.request, 0, state.step) }
                    { trace.response.as_ref().map(|r| leg_list("Response", r, n_req, state.step)).unwrap_or_default() }
                </>
            }
        }
    };
    html! {
        <section class="panel explain" aria-labelledby="explain-title">
            <h2 id="explain-title">{"What happened"}</h2>
            { body }
        </section>
    }
}
