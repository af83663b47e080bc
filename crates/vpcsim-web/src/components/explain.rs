//! The explanation panel: the verdict, then every check of the request and response in
//! plain language. It is also the step list of step mode (play, pause, step, speed; click
//! a step to jump to it) and, with reduced motion, what replaces the animation. Clicking a
//! deciding rule selects it in the inspector.

use crate::components::app::{AppContext, Derived};
use crate::state::{rule_pointer, Action, SPEEDS};
use vpcsim_core::trace::{Leg, Outcome, Verdict};
use yew::prelude::*;

fn verdict_text(trace: &vpcsim_core::Trace) -> (bool, String) {
    let r = &trace.request;
    match (r.outcome, &r.dropped_at, &trace.response) {
        (Outcome::Dropped, Some(d), _) => (
            false,
            format!(
                "✗ Dropped at {} {}{}: {}",
                d.kind.as_str(),
                d.component,
                d.direction.map(|x| format!(" ({x})")).unwrap_or_default(),
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
            let what = if r.outcome == Outcome::ExitsNetwork { "Leaves the network" } else { "Delivered" };
            let back = if trace.response.is_some() { "; the response returns" } else { "" };
            (true, format!("✓ {what}{by}{back}"))
        }
    }
}

/// The check list of one leg. Frame `first_index` is the leg's start frame; each check is
/// the next frame, so a click seeks there.
fn leg_list(title: &str, leg: &Leg, first_index: usize, state: &AppContext) -> Html {
    let mut i = first_index;
    let current = state.step;
    html! {
        <>
            <h3>{ title }</h3>
            <ol class="checks" aria-label={format!("{title} checks")}>
                { for leg.hops.iter().flat_map(|h| h.checks.iter().map(move |c| (h, c))).map(|(h, c)| {
                    i += 1;
                    let frame = i;
                    let ok = c.verdict == Verdict::Allow;
                    let seek = {
                        let s = state.clone();
                        Callback::from(move |_: MouseEvent| s.dispatch(Action::SeekTo(frame)))
                    };
                    let pointer = rule_pointer(&state.scenario, c);
                    let rule_text = c.rule.clone().unwrap_or_else(|| "no rule matched".into());
                    let rule = match pointer {
                        Some(p) => {
                            let s = state.clone();
                            html! {
                                <button type="button" class="rule rule-link" title="Show this rule in the inspector"
                                    onclick={Callback::from(move |_: MouseEvent| s.dispatch(Action::FocusRule(p.clone())))}>{ rule_text }</button>
                            }
                        }
                        None => html! { <div class="rule">{ rule_text }</div> },
                    };
                    html! {
                        <li class={classes!("check", if ok { "allow" } else { "deny" }, (frame == current).then_some("current"))}
                            aria-current={if frame == current { "step" } else { "false" }}>
                            <button type="button" class="mark" onclick={seek} aria-label={format!("Go to step {frame}: {}", if ok { "allowed" } else { "denied" })}>
                                { if ok { "✓" } else { "✗" } }
                            </button>
                            <div>
                                <div class="check-head">
                                    <strong>{ c.kind.as_str() }</strong>{" "}<code>{ &c.component }</code>
                                    { c.direction.map(|d| html! { <span class="dir">{ format!(" {d}") }</span> }).unwrap_or_default() }
                                    <span class="spec" title="Rule of docs/aws-semantics.md">{ c.spec }</span>
                                </div>
                                { rule }
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
    let n = derived.frames.len();
    let bulk_button = {
        let s = state.clone();
        html! {
            <button type="button" id="send-all" class="secondary" onclick={Callback::from(move |_| s.dispatch(Action::SendFromEverySource))}
                title="Send the composer's packet from every source to its destination at once">{"Send from every source"}</button>
        }
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
            let step = state.step.min(n.saturating_sub(1));
            let frame = derived.frames.get(step);
            let act = |a: Action| {
                let s = state.clone();
                Callback::from(move |_: MouseEvent| s.dispatch(a.clone()))
            };
            let on_speed = {
                let s = state.clone();
                Callback::from(move |e: Event| {
                    if let Some(el) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                        if let Ok(i) = el.value().parse::<usize>() {
                            s.dispatch(Action::SetSpeed(i));
                        }
                    }
                })
            };
            html! {
                <>
                    <div id="verdict" class={classes!("verdict", if ok { "ok" } else { "bad" })} role="status" aria-live="polite">{ text }</div>
                    <div class="flow"><code>{ format!("{} → {} {}{}", trace.flow.src_ip, trace.flow.dst_ip, trace.flow.protocol, trace.flow.dst_port.map(|p| format!("/{p}")).unwrap_or_default()) }</code></div>
                    <div class="stepper" role="group" aria-label="Step mode">
                        <button type="button" id="step-back" onclick={act(Action::StepBack)} aria-label="Step back" disabled={step == 0}>{"◀"}</button>
                        <button type="button" id="play" onclick={act(Action::TogglePlay)} aria-label={if state.playing { "Pause" } else { "Play" }}>{ if state.playing { "❚❚" } else { "▶" } }</button>
                        <button type="button" id="step-forward" onclick={act(Action::StepForward { frames: n })} aria-label="Step forward" disabled={step + 1 >= n}>{"▶|"}</button>
                        <label class="visually-hidden" for="speed">{"Speed"}</label>
                        <select id="speed" onchange={on_speed} title="Animation speed">
                            { for SPEEDS.iter().enumerate().map(|(i, k)| html! { <option value={i.to_string()} selected={i == state.speed}>{ format!("{k}×") }</option> }) }
                        </select>
                        <span class="step-count">{ format!("{}/{}", step + 1, n.max(1)) }</span>
                    </div>
                    <div class="frame-caption" aria-live="off">{ frame.map(|f| f.caption.clone()).unwrap_or_default() }</div>
                    <crate::components::why::Why reachable={trace.reachable} />
                    { leg_list("Request", &trace.request, 0, &state) }
                    { trace.response.as_ref().map(|r| leg_list("Response", r, n_req, &state)).unwrap_or_default() }
                </>
            }
        }
    };
    let bulk_summary = (state.bulk.is_some() && !derived.bulk.is_empty()).then(|| {
        let total = derived.bulk.len();
        let delivered = derived.bulk.iter().filter(|f| f.last().and_then(|x| x.passed) == Some(true) && f.iter().filter(|x| x.passed.is_some()).all(|x| x.passed == Some(true))).count();
        html! { <p class="bulk-summary" role="status">{ format!("{total} packets sent to {}: {delivered} complete round trips, {} blocked.", state.draft.to, total - delivered) }</p> }
    });
    html! {
        <section class="panel explain" aria-labelledby="explain-title">
            <div class="panel-head">
                <h2 id="explain-title">{"What happened"}</h2>
                { bulk_button }
            </div>
            { bulk_summary.unwrap_or_default() }
            { body }
        </section>
    }
}
