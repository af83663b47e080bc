//! The top bar: gallery, open/import, save, undo/redo, theme.

use crate::components::app::AppContext;
use crate::gallery;
use crate::importer::{self, FileKind};
use crate::state::{Action, Notice};
use crate::storage;
use std::cell::RefCell;
use std::rc::Rc;
use vpcsim_core::import::InputFile;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The bar.
#[component]
pub fn TopBar() -> Html {
    let Some(state) = use_context::<AppContext>() else { return html! {} };
    let readers = use_mut_ref(Vec::<gloo::file::callbacks::FileReader>::new);
    let busy = use_state(|| None::<String>);
    let embedding = use_state(|| false);
    let file_input = use_node_ref();
    let on_gallery = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Some(s) = gallery::get(&el.value()) {
                    state.dispatch(Action::Load(Box::new(s)));
                }
                el.set_value("");
            }
        })
    };
    let on_open_click = {
        let input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_files = {
        let state = state.clone();
        let readers = readers.clone();
        let busy = busy.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let Some(list) = input.files() else { return };
            let files: Vec<gloo::file::File> = (0..list.length()).filter_map(|i| list.get(i)).map(gloo::file::File::from).collect();
            input.set_value("");
            if files.is_empty() {
                return;
            }
            let total = files.len();
            let too_big: Vec<String> = files
                .iter()
                .filter(|f| f.size() as usize > vpcsim_core::import::MAX_FILE_BYTES)
                .map(|f| format!("{} ({} MB)", f.name(), f.size() / 1_000_000))
                .collect();
            if !too_big.is_empty() {
                state.dispatch(Action::Notify(Some(Notice::error(format!(
                    "Not opened: {} larger than the 64 MiB limit per file.",
                    too_big.join(", ")
                )))));
                return;
            }
            busy.set(Some(format!("Reading 0 of {total} files…")));
            let done: Rc<RefCell<Vec<InputFile>>> = Rc::new(RefCell::new(Vec::new()));
            for f in files {
                let name = f.name();
                let done = done.clone();
                let state = state.clone();
                let busy = busy.clone();
                let reader = gloo::file::callbacks::read_as_text(&f, move |res| {
                    let text = match res {
                        Ok(t) => t,
                        Err(e) => {
                            busy.set(None);
                            state.dispatch(Action::Notify(Some(Notice::error(format!("{name}: cannot be read: {e}")))));
                            return;
                        }
                    };
                    done.borrow_mut().push(InputFile { path: name.clone(), text });
                    let n = done.borrow().len();
                    if n < total {
                        busy.set(Some(format!("Reading {n} of {total} files…")));
                        return;
                    }
                    let mut files = std::mem::take(&mut *done.borrow_mut());
                    files.sort_by(|a, b| a.path.cmp(&b.path));
                    let kind = importer::classify(&files);
                    if kind == FileKind::Scenario {
                        if let Some(f) = files.first() {
                            state.dispatch(importer::open_scenario(f));
                        }
                        busy.set(None);
                        return;
                    }
                    busy.set(Some(format!("Importing {total} file(s)…")));
                    let (state, busy) = (state.clone(), busy.clone());
                    importer::import_in_worker(kind, &files, move |answer| {
                        let (action, notice) = match answer {
                            Ok(answer) => importer::summary(kind, total, answer),
                            Err(why) => (Action::Notify(Some(Notice::error(format!("The import failed: {why}")))), None),
                        };
                        state.dispatch(action);
                        if let Some(n) = notice {
                            state.dispatch(Action::Notify(Some(n)));
                        }
                        busy.set(None);
                    });
                });
                readers.borrow_mut().push(reader);
            }
        })
    };
    let on_save = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            storage::save_scenario(&state.scenario);
        })
    };
    let dispatch = |a: Action| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(a.clone()))
    };
    html! {
        <header class="topbar">
            <div class="brand"><span class="logo" aria-hidden="true">{"◈"}</span>{"vpcsim"}</div>
            <div class="scenario-title">
                <h1>{ if state.scenario.name.is_empty() { "Untitled scenario".to_owned() } else { state.scenario.name.clone() } }</h1>
            </div>
            <div class="toolbar" role="toolbar" aria-label="Document">
                <label class="visually-hidden" for="gallery">{"Open a gallery scenario"}</label>
                <select id="gallery" class="gallery-select" onchange={on_gallery} title="Gallery">
                    <option value="" selected=true>{"Gallery…"}</option>
                    { for gallery::names().map(|(slug, name)| html! { <option value={slug}>{ name }</option> }) }
                </select>
                <button type="button" id="new" onclick={dispatch(Action::Load(Box::new(vpcsim_core::Scenario { vpcsim: 1, name: "Untitled scenario".into(), ..Default::default() })))}
                    title="Start from an empty canvas (undo brings the previous one back)">{"New"}</button>
                <button type="button" id="open" onclick={on_open_click} title="Open a scenario, AWS CLI outputs or terraform show -json (Ctrl+O)">{"Open…"}</button>
                <input ref={file_input} id="open-files" type="file" accept=".json,application/json" multiple=true class="visually-hidden" onchange={on_files} tabindex="-1" aria-hidden="true"
                    onclick={Callback::from(|_: MouseEvent| importer::warm_import_worker())} />
                <button type="button" id="save" onclick={on_save} title="Download the scenario (Ctrl+S)">{"Save"}</button>
                <button type="button" id="share" onclick={{ let st = state.clone(); Callback::from(move |_: MouseEvent| st.dispatch(Action::Notify(Some(storage::copy_link(&st))))) }}
                    title="Copy a link that opens this scenario, packet and view">{"Copy link"}</button>
                <button type="button" id="embed" onclick={{ let e = embedding.clone(); Callback::from(move |_: MouseEvent| e.set(true)) }}
                    aria-haspopup="dialog" title="Embed this playground in a documentation page">{"Embed…"}</button>
                <span class="sep" aria-hidden="true"></span>
                <button type="button" id="undo" onclick={dispatch(Action::Undo)} disabled={state.past.is_empty()} aria-label="Undo" title="Undo (Ctrl+Z)">{"↶"}</button>
                <button type="button" id="redo" onclick={dispatch(Action::Redo)} disabled={state.future.is_empty()} aria-label="Redo" title="Redo (Ctrl+Shift+Z)">{"↷"}</button>
                <span class="sep" aria-hidden="true"></span>
                <button type="button" id="theme" onclick={dispatch(Action::SetTheme(state.theme.next()))} aria-label={format!("Theme: {} (change)", state.theme.as_str())} title="Theme">
                    { match state.theme { crate::state::Theme::Auto => "◐ auto", crate::state::Theme::Light => "☀ light", crate::state::Theme::Dark => "☾ dark" } }
                </button>
            </div>
            if *embedding {
                <crate::components::embed_dialog::EmbedDialog on_close={{
                    let e = embedding.clone();
                    Callback::from(move |_| {
                        e.set(false);
                        // Focus returns to the button that opened the dialog.
                        if let Some(b) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("embed")) {
                            if let Ok(b) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b) {
                                let _ = b.focus();
                            }
                        }
                    })
                }} />
            }
            { (*busy).as_ref().map(|b| html! { <div class="busy" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>{ b }</div> }).unwrap_or_default() }
        </header>
    }
}
