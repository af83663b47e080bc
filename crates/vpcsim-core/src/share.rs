//! Share links: the whole state of a playground (scenario, selected probe, view) in a URL
//! fragment, as a versioned record, deflate-compressed, base64url.
//!
//! A link reads `#s=v1.<base64url>`. Decoding checks every cap before doing the work it
//! guards: the link's length, the decompressed size (a guard against decompression
//! bombs), then the number of resources and rules, then the scenario itself through the
//! one scenario reader. Every failure is a located [`Diagnostic`]; nothing panics. Links
//! of older versions keep working: each version has its decoder.

use crate::diag::Diagnostic;
use crate::scenario::{self, ProbeDoc, Scenario};
use base64::Engine as _;
use serde_json::{json, Value};

/// The current record version.
pub const VERSION: u32 = 1;
/// Longest link payload accepted (characters after `v1.`): about 1.5 MB of base64.
pub const MAX_ENCODED: usize = 2 * 1024 * 1024;
/// Largest decompressed record (bytes).
pub const MAX_DECODED: usize = 8 * 1024 * 1024;
/// Most resources (entries of the network's lists) a link may hold.
pub const MAX_RESOURCES: usize = 20_000;
/// Most rules (SG rules, NACL entries, routes) a link may hold.
pub const MAX_RULES: usize = 200_000;
/// Links longer than this are not offered: chat tools and browsers cut long URLs. The
/// playground offers "download scenario" instead.
pub const MAX_LINK: usize = 32_000;

/// What a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    /// The document.
    pub scenario: Scenario,
    /// The probe selected in the composer, if any.
    pub probe: Option<ProbeDoc>,
    /// The view, e.g. `{"camera": {...}, "selection": [...], "sent": true}`: opaque to
    /// the core, so the playground can add fields without a new version.
    pub view: Value,
}

/// Encodes a share payload (`v1.` + base64url of the deflated record).
pub fn encode(shared: &Shared) -> String {
    let record = json!({
        "v": VERSION,
        "scenario": scenario::to_value(&shared.scenario),
        "probe": shared.probe.as_ref().and_then(|p| serde_json::to_value(p).ok()),
        "view": shared.view,
    });
    let bytes = serde_json::to_vec(&record).unwrap_or_default();
    let deflated = miniz_oxide::deflate::compress_to_vec(&bytes, 9);
    format!("v{VERSION}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deflated))
}

fn err(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, "link", message, help)
}

/// Decodes a share payload (what follows `#s=`), whatever its version.
pub fn decode(payload: &str) -> Result<Shared, Diagnostic> {
    let payload = payload.trim();
    if payload.len() > MAX_ENCODED {
        return Err(err(
            "link-too-long",
            format!("the link carries {} characters, more than the {MAX_ENCODED} accepted", payload.len()),
            "open the scenario file instead",
        ));
    }
    let (version, body) = payload
        .split_once('.')
        .ok_or_else(|| err("link-malformed", "the link has no version prefix", "a vpcsim link reads #s=v1.…; copy the whole link again"))?;
    match version {
        "v1" => decode_v1(body),
        other => Err(err(
            "link-version",
            format!("the link is of version `{other}`, which this build does not read"),
            format!("this build reads v1 to v{VERSION}; a newer vpcsim made this link"),
        )),
    }
}

fn decode_v1(body: &str) -> Result<Shared, Diagnostic> {
    let deflated = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body.trim_end_matches('=')).map_err(|e| {
        err("link-malformed", format!("the link is not valid base64url: {e}"), "the link was cut or changed; copy the whole link again")
    })?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_DECODED).map_err(|e| {
        if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
            err(
                "link-too-large",
                format!("the link expands to more than {MAX_DECODED} bytes"),
                "links are capped against decompression bombs; open the scenario file instead",
            )
        } else {
            err("link-malformed", "the link's data is not valid deflate", "the link was cut or changed; copy the whole link again")
        }
    })?;
    let record: Value = serde_json::from_slice(&bytes)
        .map_err(|e| err("link-malformed", format!("the link's record is not JSON: {e}"), "copy the whole link again"))?;
    let (resources, rules) = count(record.get("scenario").unwrap_or(&Value::Null));
    if resources > MAX_RESOURCES || rules > MAX_RULES {
        return Err(err(
            "link-too-large",
            format!("the link holds {resources} resources and {rules} rules; at most {MAX_RESOURCES} and {MAX_RULES} are accepted"),
            "open the scenario file instead",
        ));
    }
    let scenario = scenario::from_value(record.get("scenario").cloned().unwrap_or(Value::Null))
        .map_err(|d| Diagnostic::error(d.code, format!("link{}", d.at), d.message, d.help))?;
    let probe = match record.get("probe") {
        None | Some(Value::Null) => None,
        Some(p) => Some(
            <ProbeDoc as serde::Deserialize>::deserialize(p)
                .map_err(|e| err("link-probe", format!("the link's probe does not read: {e}"), "the scenario is opened without it"))?,
        ),
    };
    let view = record.get("view").cloned().unwrap_or(Value::Null);
    Ok(Shared { scenario, probe, view })
}

/// Resources (entries of the network's lists) and rules of a record's scenario, counted on
/// the raw JSON before it is read.
fn count(scenario: &Value) -> (usize, usize) {
    let len = |v: Option<&Value>| v.and_then(Value::as_array).map_or(0, Vec::len);
    let Some(net) = scenario.get("network").and_then(Value::as_object) else { return (0, 0) };
    let mut resources = 0;
    let mut rules = 0;
    for (key, list) in net {
        if key == "sagemaker" {
            if let Some(sm) = list.as_object() {
                resources += sm.values().map(|x| len(Some(x))).sum::<usize>();
            }
            continue;
        }
        let Some(items) = list.as_array() else { continue };
        resources += items.len();
        for it in items {
            rules += len(it.get("inbound")) + len(it.get("outbound")) + len(it.get("routes")) + len(it.get("cidrs"));
        }
    }
    (resources, rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Shared {
        let scenario =
            scenario::parse(r#"{"vpcsim": 1, "name": "x", "network": {"vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}]}}"#)
                .unwrap_or_default();
        Shared { scenario, probe: None, view: json!({"camera": {"x": 1.0, "y": 2.0, "zoom": 0.5}}) }
    }

    #[test]
    fn a_link_round_trips() {
        let s = sample();
        let link = encode(&s);
        assert!(link.starts_with("v1."));
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.'), "URL-safe");
        assert_eq!(decode(&link).ok(), Some(s));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_it_expands() {
        let zeros = vec![b' '; MAX_DECODED + 1];
        let bomb =
            format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&zeros, 9)));
        assert!(bomb.len() < 40_000, "small on the wire");
        assert_eq!(decode(&bomb).err().map(|d| d.code), Some("link-too-large"));
    }

    #[test]
    fn bad_links_are_located_errors() {
        for (link, code) in [
            ("", "link-malformed"),
            ("v1", "link-malformed"),
            ("v1.!!!", "link-malformed"),
            ("v1.AAAA", "link-malformed"),
            ("v9.AAAA", "link-version"),
        ] {
            let e = decode(link).err();
            assert_eq!(e.as_ref().map(|d| d.code), Some(code), "{link}");
            assert!(e.is_some_and(|d| d.at.starts_with("link") && !d.help.is_empty()));
        }
        let long = "v1.".to_owned() + &"A".repeat(MAX_ENCODED + 1);
        assert_eq!(decode(&long).err().map(|d| d.code), Some("link-too-long"));
    }
}
