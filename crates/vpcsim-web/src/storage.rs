//! The browser's side effects, kept out of the reducer: autosave in localStorage, file
//! downloads, and the panic banner.

use crate::state::{AppState, Notice, Saved};
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// localStorage key of the autosaved session.
pub const AUTOSAVE_KEY: &str = "vpcsim.autosave.v1";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The state to start with: the autosaved session if there is one; if it cannot be read,
/// the default scenario with a banner offering the raw text for download.
pub fn initial_state() -> AppState {
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
        notice: Some(Notice {
            error: true,
            text: format!(
                "Your autosaved work could not be read ({why}). The default scenario is open; download the saved text to keep it."
            ),
            raw: Some(Rc::new(raw)),
        }),
        ..AppState::default()
    }
}

/// Writes the session. Returns an error message when the browser refuses (quota, private mode).
pub fn autosave(state: &AppState) -> Result<(), String> {
    let text = serde_json::to_string(&state.saved()).map_err(|e| e.to_string())?;
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
