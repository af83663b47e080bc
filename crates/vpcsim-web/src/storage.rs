//! The browser's side effects, kept out of the reducer: autosave in localStorage, file
//! downloads, and the panic banner.

use crate::state::{AppState, Notice, Saved};
use wasm_bindgen::JsCast;

/// localStorage key of the autosaved session.
pub const AUTOSAVE_KEY: &str = "vpcsim.autosave.v1";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The state to start with: the autosaved session (or the default scenario), then the
/// share link of the URL, if any. A link that cannot be read leaves the autosaved work
/// open, with a banner saying why; one that can is opened over it (undo returns to it,
/// and the previous autosave is also kept under `vpcsim.autosave.before-link`).
pub fn initial_state() -> AppState {
    let base = autosaved_state();
    let Some(payload) = link_payload() else { return base };
    clear_link();
    match vpcsim_core::share::decode(&payload) {
        Ok(shared) => {
            if let Some(s) = local_storage() {
                if let Ok(Some(prev)) = s.get_item(AUTOSAVE_KEY) {
                    let _ = s.set_item("vpcsim.autosave.before-link", &prev);
                }
            }
            yew::Reducible::reduce(std::rc::Rc::new(base), crate::state::Action::OpenShared(Box::new(shared))).as_ref().clone()
        }
        Err(d) => AppState {
            notice: Some(Notice::error(format!(
                "This link could not be opened: {} ({}). Your autosaved work is open instead.",
                d.message, d.help
            ))),
            ..base
        },
    }
}

/// The share payload of the page's URL (`#s=...`), if any.
pub fn link_payload() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#s=").map(str::to_owned)
}

/// Removes the fragment, so that a reload opens the autosave (which now holds the link's
/// state and what the user did since) rather than the link again.
fn clear_link() {
    if let Some(w) = web_sys::window() {
        let loc = w.location();
        let url = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

/// Puts a share link for `state` in the address bar and the clipboard. Returns the banner
/// to show: the link is copied, or it is too long and the scenario is offered instead.
pub fn copy_link(state: &AppState) -> Notice {
    let payload = vpcsim_core::share::encode(&state.shared());
    let Some(w) = web_sys::window() else { return Notice::error("no browser window") };
    let loc = w.location();
    let url = format!(
        "{}{}{}#s={payload}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    if url.len() > vpcsim_core::share::MAX_LINK {
        return Notice::info(format!(
            "This network is too big for a link ({} characters; links over {} get cut by chat tools and browsers). Download the scenario and share the file instead.",
            url.len(),
            vpcsim_core::share::MAX_LINK
        ))
        .with_download(vpcsim_core::scenario::to_json(&state.scenario), "scenario.vpcsim.json", "Download scenario");
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    // The clipboard may be refused (permissions, insecure origin): the address bar has it.
    write_clipboard(&url);
    Notice::info(format!("Link copied ({} characters): it opens this scenario, packet and view. It is also in the address bar.", url.len()))
}

/// Puts text in the clipboard. A refusal (permissions, insecure origin) is ignored: the
/// callers also show the text.
pub fn write_clipboard(text: &str) {
    let Some(w) = web_sys::window() else { return };
    let promise = w.navigator().clipboard().write_text(text);
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_: wasm_bindgen::JsValue| {});
    let _ = promise.catch(&ignore);
    ignore.forget();
}

fn autosaved_state() -> AppState {
    let Some(raw) = local_storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten()) else {
        return AppState::default();
    };
    match serde_json::from_str::<Saved>(&raw) {
        Ok(saved) if saved.v == 1 => match AppState::restored(saved) {
            Ok(state) => state,
            Err(d) => unreadable(raw, &format!("{} at {}", d.message, d.at)),
        },
        Ok(saved) => unreadable(raw, &format!("it was written by a newer version (record format {})", saved.v)),
        Err(e) => unreadable(raw, &e.to_string()),
    }
}

fn unreadable(raw: String, why: &str) -> AppState {
    AppState {
        notice: Some(
            Notice::error(format!(
                "Your autosaved work could not be read ({why}). The default scenario is open; download the saved text to keep it."
            ))
            .with_download(raw, "vpcsim-autosave.txt", "Download the saved text"),
        ),
        ..AppState::default()
    }
}

/// Writes the session, its document's text reused from `cache` while the document is the
/// same. Returns an error message when the browser refuses (quota, private mode).
pub fn autosave(state: &AppState, cache: &mut crate::state::SavedText) -> Result<(), String> {
    let text = cache.text(state)?;
    let storage = local_storage().ok_or("this browser gives the page no local storage")?;
    storage.set_item(AUTOSAVE_KEY, &text).map_err(|_| "the browser refused to store the autosave (storage full?)".to_owned())
}

/// Offers `text` as a file download.
pub fn download(filename: &str, text: &str, mime: &str) {
    let blob = gloo::file::Blob::new_with_options(text, Some(mime));
    let url = gloo::file::ObjectUrl::from(blob);
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(a) = doc.create_element("a") else { return };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    a.set_href(&url);
    a.set_download(filename);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
    // Revoke after the click has been handled.
    gloo::timers::callback::Timeout::new(1_000, move || drop(url)).forget();
}

/// Downloads the scenario as `<name>.vpcsim.json` (Save and Ctrl+S).
pub fn save_scenario(scenario: &vpcsim_core::Scenario) {
    download(&file_name(&scenario.name), &vpcsim_core::scenario::to_json(scenario), "application/json");
}

/// A file name for the scenario.
pub fn file_name(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{}.vpcsim.json", if slug.is_empty() { "scenario" } else { &slug })
}

/// Installs the panic hook: the console message, plus a banner built outside Yew (the app
/// may be unusable after a panic) with a link to download the last autosaved work.
pub fn install_panic_hook() {
    // Through Yew, which otherwise replaces any hook with its own when the app renders.
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Some(body) = doc.body() else { return };
        let Ok(banner) = doc.create_element("div") else { return };
        banner.set_id("panic-banner");
        banner.set_class_name("notice error panic");
        let _ = banner.set_attribute("role", "alert");
        let text = doc.create_element("p").ok();
        if let Some(p) = &text {
            p.set_text_content(Some(
                "vpcsim hit an internal error and stopped. Your work up to the last change is autosaved: download it, then reload the page.",
            ));
            let _ = banner.append_child(p);
        }
        if let Some(saved) = local_storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok().flatten()) {
            let scenario =
                serde_json::from_str::<Saved>(&saved).ok().and_then(|s| serde_json::to_string_pretty(&s.scenario).ok()).unwrap_or(saved);
            let blob = gloo::file::Blob::new_with_options(scenario.as_str(), Some("application/json"));
            let url = gloo::file::ObjectUrl::from(blob);
            if let Ok(a) = doc.create_element("a") {
                let _ = a.set_attribute("href", &url);
                let _ = a.set_attribute("download", "recovered.vpcsim.json");
                a.set_text_content(Some("Download your scenario"));
                let _ = banner.append_child(&a);
            }
            std::mem::forget(url);
        }
        let _ = body.prepend_with_node_1(&banner);
    }));
}
