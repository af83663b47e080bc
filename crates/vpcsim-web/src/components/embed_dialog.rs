//! The embed dialog: options for an embedded playground, the iframe snippet for the
//! current state (derived, never stored), a copy button and a live preview.

use crate::components::app::AppContext;
use vpcsim_core::embed::{iframe_snippet, EmbedOptions, Height, ProbeRef};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// Close the dialog.
    pub on_close: Callback<()>,
}

/// What the author chose.
#[derive(Clone, PartialEq)]
struct Choice {
    autoplay: String,
    looped: bool,
    theme: String,
    height: String,
    auto_height: bool,
    editable: bool,
    origins: String,
}

impl Choice {
    fn options(&self) -> (EmbedOptions, Vec<vpcsim_core::Diagnostic>) {
        let mut pairs: Vec<(&str, &str)> = vec![("embed", "")];
        if !self.autoplay.is_empty() {
            pairs.push(("autoplay", &self.autoplay));
        }
        if self.looped {
            pairs.push(("loop", ""));
        }
        if !self.theme.is_empty() {
            pairs.push(("theme", &self.theme));
        }
        pairs.push(("height", if self.auto_height { "auto" } else { &self.height }));
        if self.editable {
            pairs.push(("editable", "1"));
        }
        if !self.origins.trim().is_empty() {
            pairs.push(("origins", &self.origins));
        }
        let (mut o, d) = EmbedOptions::from_pairs(pairs);
        // A probe name that is a number would read as a position: keep it a name.
        if let Some(ProbeRef::Index(_)) = o.autoplay {
            o.autoplay = Some(ProbeRef::Name(self.autoplay.clone()));
        }
        (o, d)
    }
}

fn value(e: &Event) -> String {
    e.target()
        .and_then(|t| {
            t.clone()
                .dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .ok()
                .or_else(|| t.dyn_into::<HtmlSelectElement>().ok().map(|s| s.value()))
        })
        .unwrap_or_default()
}

fn checked(e: &Event) -> bool {
    e.target_dyn_into::<HtmlInputElement>().is_some_and(|i| i.checked())
}

/// The dialog.
#[component]
pub fn EmbedDialog(props: &Props) -> Html {
    let Some(state) = use_context::<AppContext>() else { return html! {} };
    let choice = use_state(|| Choice {
        autoplay: state.scenario.probes.first().map(|p| p.name.clone()).unwrap_or_default(),
        looped: false,
        theme: String::new(),
        height: "520".into(),
        auto_height: false,
        editable: false,
        origins: String::new(),
    });
    let first = use_node_ref();
    {
        let first = first.clone();
        use_effect_with((), move |_| {
            if let Some(el) = first.cast::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    let (options, problems) = choice.options();
    let payload = vpcsim_core::share::encode(&state.shared());
    let page = crate::embed::embed_page_url();
    let snippet = iframe_snippet(&page, &options, &payload, &state.scenario.name, 520);
    let preview_src = vpcsim_core::embed::embed_src(&page, &options, &payload);
    let height = match options.height {
        Some(Height::Pixels(px)) => px,
        _ => 520,
    };
    let set = |f: fn(&mut Choice, &Event)| {
        let choice = choice.clone();
        Callback::from(move |e: Event| {
            let mut c = (*choice).clone();
            f(&mut c, &e);
            choice.set(c);
        })
    };
    let close = {
        let cb = props.on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let on_key = {
        let cb = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                cb.emit(());
            } else if e.key() == "Tab" {
                // Keep focus inside the modal dialog: wrap at both ends.
                let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
                let Ok(list) = doc.query_selector_all("#embed-dialog :is(select, input:not([disabled]), textarea, button)") else { return };
                let (Some(first), Some(last)) = (list.item(0), list.length().checked_sub(1).and_then(|i| list.item(i))) else { return };
                let active = doc.active_element().map(wasm_bindgen::JsValue::from);
                let target = if e.shift_key() && active.as_ref() == Some(&first) {
                    Some(last)
                } else if !e.shift_key() && active.as_ref() == Some(&last) {
                    Some(first)
                } else {
                    None
                };
                if let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                    e.prevent_default();
                    let _ = el.focus();
                }
            }
        })
    };
    let copy = {
        let snippet = snippet.clone();
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            crate::storage::write_clipboard(&snippet);
            state.dispatch(crate::state::Action::Notify(Some(crate::state::Notice::info(
                "Embed snippet copied: paste it into your page's HTML.",
            ))));
        })
    };
    let long = preview_src.len() > vpcsim_core::share::MAX_LINK;
    let auto_without_origin = options.height == Some(Height::Auto) && options.origins.is_empty();
    html! {
        <div class="dialog-backdrop" onkeydown={on_key}>
            <div class="dialog" id="embed-dialog" role="dialog" aria-modal="true" aria-labelledby="embed-dialog-title">
                <h2 id="embed-dialog-title">{"Embed this playground"}</h2>
                <p class="hint">{"Paste the snippet into a documentation page. It opens this network, packet and view; readers can send their own packets."}</p>
                <div class="options">
                    <label>{"Autoplay"}
                        <select ref={first} id="embed-autoplay" onchange={set(|c, e| c.autoplay = value(e))}>
                            <option value="" selected={choice.autoplay.is_empty()}>{"nothing"}</option>
                            { for state.scenario.probes.iter().map(|p| html! { <option value={p.name.clone()} selected={p.name == choice.autoplay}>{ &p.name }</option> }) }
                        </select>
                    </label>
                    <label>{"Theme"}
                        <select id="embed-theme" onchange={set(|c, e| c.theme = value(e))}>
                            <option value="" selected={choice.theme.is_empty()}>{"the reader's"}</option>
                            <option value="light" selected={choice.theme == "light"}>{"light"}</option>
                            <option value="dark" selected={choice.theme == "dark"}>{"dark"}</option>
                        </select>
                    </label>
                    <label>{"Height (px)"}
                        <input id="embed-height" type="number" min="120" max="4000" step="10" value={choice.height.clone()} disabled={choice.auto_height}
                            onchange={set(|c, e| c.height = value(e))} />
                    </label>
                    <label class="check"><input id="embed-loop" type="checkbox" checked={choice.looped} onchange={set(|c, e| c.looped = checked(e))} />{"Loop the autoplay"}</label>
                    <label class="check"><input id="embed-editable" type="checkbox" checked={choice.editable} onchange={set(|c, e| c.editable = checked(e))} />{"Editable (palette and inspector)"}</label>
                    <label class="check"><input id="embed-auto-height" type="checkbox" checked={choice.auto_height} onchange={set(|c, e| c.auto_height = checked(e))} />{"Height follows the content"}</label>
                    <label class="wide">{"Origins allowed to script it (postMessage API), comma-separated"}
                        <input id="embed-origins" type="text" placeholder="https://docs.example.com" value={choice.origins.clone()} onchange={set(|c, e| c.origins = value(e))} />
                    </label>
                </div>
                { for problems.iter().map(|d| html! { <p class="hint diag-warning" role="alert">{ format!("{}: {}", d.message, d.help) }</p> }) }
                if auto_without_origin { <p class="hint" role="status">{"A height that follows the content needs your page's origin under Origins: the playground only posts its size to origins you list."}</p> }
                if long { <p class="hint" role="status">{ format!("This network makes a {}-character address; some sites cut long iframe addresses. Consider a smaller scenario.", preview_src.len()) }</p> }
                <label class="visually-hidden" for="embed-snippet">{"Embed snippet"}</label>
                <textarea id="embed-snippet" readonly=true value={snippet} />
                <div class="actions">
                    <button type="button" id="embed-copy" onclick={copy}>{"Copy snippet"}</button>
                    <button type="button" id="embed-close" onclick={close}>{"Close"}</button>
                </div>
                <iframe class="preview" id="embed-preview" title="Preview of the embedded playground" src={preview_src} height={height.min(640).to_string()} />
            </div>
        </div>
    }
}
