//! The scenario tab: name and description, the probes with their verdicts (traced by the
//! core and checked against their expectations), and the document's diagnostics.

use crate::doc::Edit;
use crate::hooks::{use_app, use_derived};
use crate::state::Action;
use serde_json::Value;
use vpcsim_core::trace::Outcome;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

/// One line verdict of a probe: what happened to the request and the response.
pub fn verdict_line(t: &vpcsim_core::Trace) -> String {
    let req = &t.request;
    match (&req.outcome, &req.dropped_at, &t.response) {
        (Outcome::Dropped, Some(d), _) => {
            format!("✗ request dropped at {} ({})", d.component, d.rule.as_deref().unwrap_or("no rule matched"))
        }
        (_, _, Some(r)) if r.outcome == Outcome::Dropped => {
            let at = r
                .dropped_at
                .as_ref()
                .map(|d| format!(" at {} ({})", d.component, d.rule.as_deref().unwrap_or("no rule matched")))
                .unwrap_or_default();
            format!("✗ response dropped{at}")
        }
        (o, _, Some(r)) => format!("✓ request {}, response {}", o.as_str(), r.outcome.as_str()),
        (o, _, None) => format!("request {}", o.as_str()),
    }
}

/// The scenario tab.
#[component]
pub fn ScenarioPanel() -> Html {
    let (Some(state), Some(derived)) = (use_app(), use_derived()) else { return html! {} };
    let set = |pointer: &'static str| {
        let state = state.clone();
        move |v: String| state.edit(Edit::Set { pointer: pointer.into(), value: Value::String(v) })
    };
    let on_name = {
        let f = set("/name");
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                f(el.value());
            }
        })
    };
    let on_desc = {
        let f = set("/description");
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlTextAreaElement>() {
                f(el.value());
            }
        })
    };
    let probe_name = use_state(String::new);
    let on_probe_name = {
        let p = probe_name.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                p.set(el.value());
            }
        })
    };
    let on_save_probe = {
        let state = state.clone();
        let p = probe_name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            state.dispatch(Action::SaveProbe((*p).clone()));
            p.set(String::new());
        })
    };
    let s = &state.scenario;
    html! {
        <section class="panel scenario-panel" aria-labelledby="scenario-title">
            <h2 id="scenario-title">{"Scenario"}</h2>
            <div class="field">
                <label for="scenario-name">{"Name"}</label>
                <input id="scenario-name" type="text" value={s.name.clone()} oninput={on_name} />
            </div>
            <div class="field">
                <label for="scenario-description">{"Description"}</label>
                <textarea id="scenario-description" rows="4" value={s.description.clone()} oninput={on_desc} />
            </div>
            <h3>{"Probes"}</h3>
            { if s.probes.is_empty() { html! { <p class="hint">{"No saved probes yet. Compose a packet, then save it here."}</p> } } else { html! {} } }
            <ol class="probes" aria-label="Probes of the scenario">
                { for derived.probes.iter().map(|r| {
                    let probe = s.probes.get(r.index);
                    let verdict = match (&r.trace, &r.error) {
                        (Some(t), _) => verdict_line(t),
                        (None, Some(e)) => format!("⚠ {}", e.message),
                        _ => String::new(),
                    };
                    let ok = r.mismatches.is_empty() && r.error.is_none();
                    let expected = probe.and_then(|p| p.expect.as_ref()).is_some();
                    let state = state.clone();
                    let i = r.index;
                    let remove = state.on::<MouseEvent>(Action::Edit(Edit::Remove { pointer: "/probes".into(), index: i }));
                    html! {
                        <li class={classes!("probe", if ok { "as-expected" } else { "unexpected" })} data-probe={r.index.to_string()}>
                            <div class="probe-head">
                                <strong class="probe-name">{ if r.name.is_empty() { format!("Probe {}", r.index + 1) } else { r.name.clone() } }</strong>
                                <code>{ probe.map(|p| format!("{} → {} {}{}", p.from, p.to, p.protocol, p.port.map(|x| format!("/{x}")).unwrap_or_default())).unwrap_or_default() }</code>
                            </div>
                            <div class="probe-verdict">{ verdict }</div>
                            { if expected {
                                if ok { html! { <div class="probe-check ok">{"✓ as the scenario expects"}</div> } }
                                else { html! { <div class="probe-check bad">{ format!("✗ differs from the expectation: {}", r.mismatches.join("; ")) }</div> } }
                            } else { html! {} } }
                            <div class="probe-actions">
                                <button type="button" class="chip" onclick={Callback::from(move |_| state.send_probe(i))}
                                    aria-label={format!("Send probe {}", r.name)}>{"▶ Send"}</button>
                                <button type="button" class="chip subtle" onclick={remove} aria-label={format!("Delete probe {}", r.name)}>{"Delete"}</button>
                            </div>
                        </li>
                    }
                }) }
            </ol>
            <form class="save-probe" onsubmit={on_save_probe}>
                <label for="probe-name">{"Save the composer's packet as a probe"}</label>
                <div class="field-row">
                    <input id="probe-name" type="text" placeholder="name, e.g. SSH from the web app" value={(*probe_name).clone()} oninput={on_probe_name} />
                    <button type="submit">{"Save probe"}</button>
                </div>
            </form>
            <h3>{"Findings"}</h3>
            { if derived.findings.is_empty() {
                html! { <p class="hint">{"No finding: the lints see nothing to tighten."}</p> }
            } else {
                html! {
                    <ul class="diagnostics findings" aria-label="Findings">
                        { for derived.findings.iter().map(|f| {
                            let doc = vpcsim_core::lint::rule(f.code);
                            let fix = f.fix.clone().map(|fix| {
                                let label = format!("Fix: {}", fix.description);
                                let on = state.on::<MouseEvent>(Action::ApplyFix(Box::new(fix)));
                                html! { <button type="button" class="chip fix" onclick={on}>{ label }</button> }
                            });
                            html! {
                                <li class={classes!("diag", "finding", f.severity.to_string())} data-code={f.code}>
                                    <span class="diag-code">{ format!("{}[{} {}]", f.severity.to_string(), f.code, f.name) }</span>{" "}
                                    <code>{ &f.at }</code>
                                    <div>{ &f.message }</div>
                                    <div class="help">{ &f.help }</div>
                                    { fix.unwrap_or_default() }
                                    { doc.map(|d| html! {
                                        <details class="lint-doc">
                                            <summary>{ format!("About {}: {}", d.code, d.summary) }</summary>
                                            <p><strong>{"What it does. "}</strong>{ d.what_it_does }</p>
                                            <p><strong>{"Why it matters. "}</strong>{ d.why_it_matters }</p>
                                            <pre><code>{ d.example }</code></pre>
                                            <p><strong>{"Fix. "}</strong>{ d.fix }</p>
                                            <p class="help">{ d.reference }</p>
                                        </details>
                                    }).unwrap_or_default() }
                                </li>
                            }
                        }) }
                    </ul>
                }
            } }
            <h3>{"Diagnostics"}</h3>
            { if derived.diagnostics.is_empty() {
                html! { <p class="hint">{"The network loads without problems."}</p> }
            } else {
                html! {
                    <ul class="diagnostics">
                        { for derived.diagnostics.iter().map(|d| html! {
                            <li class={classes!("diag", d.severity.to_string())}>
                                <span class="diag-code">{ format!("{}[{}]", d.severity.to_string(), d.code) }</span>{" "}
                                <code>{ &d.at }</code>
                                <div>{ &d.message }</div>
                                <div class="help">{ &d.help }</div>
                            </li>
                        }) }
                    </ul>
                }
            } }
        </section>
    }
}
