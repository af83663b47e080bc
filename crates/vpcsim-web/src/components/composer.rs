//! The packet composer: from, to, protocol, port, presets and Send (Enter sends too).

use crate::hooks::{use_app, use_derived};
use crate::state::{Action, Preset};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The packet form.
#[component]
pub fn Composer() -> Html {
    let (Some(app), Some(derived)) = (use_app(), use_derived()) else {
        return html! {};
    };
    let select = |make: fn(String) -> Action| {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                app.dispatch(make(el.value()));
            }
        })
    };
    let on_port = {
        let app = app.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                app.dispatch(Action::SetPort(el.value()));
            }
        })
    };
    let on_submit = {
        let app = app.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            app.send();
        })
    };
    let options = |current: &str| {
        let known = derived.endpoints.iter().any(|(v, _)| v == current);
        let extra =
            (!known && !current.is_empty()).then(|| html! { <option value={current.to_owned()} selected=true>{ current }</option> });
        // Nothing chosen yet: say so, rather than show the first entry as if chosen.
        let none = current.is_empty().then(|| html! { <option value="" selected=true disabled=true>{"Choose…"}</option> });
        html! {
            <>
                { none.unwrap_or_default() }
                { extra.unwrap_or_default() }
                { for derived.endpoints.iter().map(|(value, label)| html! { <option value={value.clone()} selected={value == current}>{ label }</option> }) }
            </>
        }
    };
    let d = &app.draft;
    let needs_port = matches!(d.protocol.as_str(), "tcp" | "udp");
    html! {
        <section class="panel composer" aria-labelledby="composer-title">
            <h2 id="composer-title">{"Send a packet"}</h2>
            <form onsubmit={on_submit}>
                <div class="field">
                    <label for="probe-from">{"From"}</label>
                    <select id="probe-from" onchange={select(Action::SetFrom)}>{ options(&d.from) }</select>
                </div>
                <div class="field">
                    <label for="probe-to">{"To"}</label>
                    <select id="probe-to" onchange={select(Action::SetTo)}>{ options(&d.to) }</select>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="probe-protocol">{"Protocol"}</label>
                        <select id="probe-protocol" onchange={select(Action::SetProtocol)}>
                            { for ["tcp", "udp", "icmp"].iter().map(|p| html! { <option value={*p} selected={d.protocol == *p}>{ p.to_uppercase() }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="probe-port">{"Port"}</label>
                        <input id="probe-port" type="number" min="0" max="65535" inputmode="numeric" value={d.port.clone()} disabled={!needs_port} oninput={on_port} />
                    </div>
                </div>
                <div class="presets" role="group" aria-label="Presets">
                    { for Preset::ALL.iter().map(|p| html! {
                        <button type="button" class="chip" onclick={app.on::<MouseEvent>(Action::Preset(*p))}>{ p.label() }</button>
                    }) }
                </div>
                <button id="send" type="submit" class="primary">{"Send packet"}</button>
            </form>
        </section>
    }
}
