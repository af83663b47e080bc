//! Embeds the gallery: every `tests/scenarios/gallery/*.json`, the worked example first.
//! The same files are verified by the scenario tests (each probe's expected verdict).
//! Names are read here so that the menu needs no parsing at start-up.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/gallery");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".json")).collect()
        })
        .unwrap_or_default();
    files.sort_by_key(|n| (n != "worked-example.json", n.clone()));
    let mut out = String::from(
        "/// `(slug, name, JSON text)` of every gallery scenario, the worked example first.\npub const GALLERY: &[(&str, &str, &str)] = &[\n",
    );
    for f in &files {
        let path = dir.join(f);
        println!("cargo:rerun-if-changed={}", path.display());
        let slug = f.trim_end_matches(".json");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        // Embedded minified: the bundle carries no indentation.
        let value = serde_json::from_str::<serde_json::Value>(&text).ok();
        let name = value.as_ref().and_then(|v| v.get("name").and_then(serde_json::Value::as_str)).unwrap_or(slug).to_owned();
        let compact = value.as_ref().and_then(|v| serde_json::to_string(v).ok()).unwrap_or(text);
        let _ = writeln!(out, "    ({slug:?}, {name:?}, {compact:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("gallery.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
