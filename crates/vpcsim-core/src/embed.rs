//! Embedding: the options of a playground in an iframe (its query string), the messages a
//! host page posts to it, and the events it posts back.
//!
//! The web app reads the browser (`URLSearchParams`, `message` events) and calls these
//! pure functions, so that every rule about what is accepted lives here, is tested
//! natively and is fuzzed (`tests/fuzz`, target `host_message`).
//!
//! - Options: `embed`, `editable`, `autoplay=<probe>`, `loop`, `theme=light|dark|auto`,
//!   `height=<px>|auto`, `origins=<origin>,<origin>|*`, `gallery=<slug>`. A probe is named by its `name`,
//!   or by its position counting from 0.
//! - Messages in (JSON): `{"type": "vpcsim:load", "scenario": DOC}` and
//!   `{"type": "vpcsim:send", "probe": NAME | INDEX | PROBE}`.
//! - Events out: `vpcsim:ready`, `vpcsim:trace`, `vpcsim:hop`, `vpcsim:verdict`,
//!   `vpcsim:resize`, `vpcsim:error` (see [`Event`]).
//!
//! A message is only accepted from an origin of the allow-list (`origins`); without one,
//! the playground takes no messages. That check is [`EmbedOptions::accepts`].

use crate::diag::Diagnostic;
use crate::scenario::{ProbeDoc, Scenario};
use crate::trace::{Check, DropInfo, Trace};
use serde::Serialize;
use serde_json::Value;

/// Largest message accepted (the scenario travels inside it).
pub const MAX_MESSAGE_BYTES: usize = crate::ffi::MAX_INPUT_BYTES;
/// Fewest and most pixels of `height`.
pub const HEIGHT_RANGE: (u32, u32) = (120, 4000);
/// Most origins in an allow-list.
pub const MAX_ORIGINS: usize = 32;

/// Colour theme asked for by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedTheme {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// Follow the reader's system setting.
    Auto,
}

/// The iframe's height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Height {
    /// Fixed, in CSS pixels.
    Pixels(u32),
    /// Follows the content; the playground posts `vpcsim:resize` events.
    Auto,
}

/// A probe named by a host: by name, by position, or given whole.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeRef {
    /// The scenario's probe of this name.
    Name(String),
    /// The scenario's probe at this position (from 0).
    Index(usize),
    /// A probe given in full.
    Inline(Box<ProbeDoc>),
}

impl ProbeRef {
    /// The probe this names in `scenario`, or a located error listing the choices.
    pub fn resolve(&self, scenario: &Scenario, at: &str) -> Result<ProbeDoc, Diagnostic> {
        let names = || {
            let list: Vec<String> = scenario.probes.iter().enumerate().map(|(i, p)| format!("{i}: {}", p.name)).collect();
            if list.is_empty() {
                "this scenario has no probes; send a probe object such as {\"from\": \"i-web\", \"to\": \"internet\", \"port\": 443}"
                    .to_owned()
            } else {
                format!("the scenario's probes are {}", list.join(", "))
            }
        };
        match self {
            ProbeRef::Inline(p) => Ok((**p).clone()),
            ProbeRef::Name(n) => scenario
                .probes
                .iter()
                .find(|p| p.name == *n)
                .cloned()
                .ok_or_else(|| Diagnostic::error("embed-unknown-probe", at, format!("no probe is named `{n}`"), names())),
            ProbeRef::Index(i) => scenario.probes.get(*i).cloned().ok_or_else(|| {
                Diagnostic::error(
                    "embed-unknown-probe",
                    at,
                    format!("there is no probe {i} (the scenario has {})", scenario.probes.len()),
                    names(),
                )
            }),
        }
    }

    fn from_option(text: &str) -> ProbeRef {
        match text.parse::<usize>() {
            Ok(i) => ProbeRef::Index(i),
            Err(_) => ProbeRef::Name(text.to_owned()),
        }
    }
}

/// What an embedding page asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    /// The minimal embedded interface (`?embed`, or the page `embed.html`).
    pub embed: bool,
    /// Show the palette and inspector (`editable=1`).
    pub editable: bool,
    /// Send this probe when the playground opens.
    pub autoplay: Option<ProbeRef>,
    /// Send it again after each run.
    pub looped: bool,
    /// Colour theme; `None` keeps the reader's choice.
    pub theme: Option<EmbedTheme>,
    /// The iframe's height; `None` leaves it to the host.
    pub height: Option<Height>,
    /// Origins allowed to post messages and to receive events (`*` for any).
    pub origins: Vec<String>,
    /// Open this gallery scenario (its slug) rather than a link's or the default.
    pub gallery: Option<String>,
}

const KNOWN: &str = "embed, editable, autoplay, loop, theme, height, origins, gallery";

fn flag(key: &str, value: &str, out: &mut Vec<Diagnostic>) -> bool {
    match value {
        "" | "1" | "true" | "yes" => true,
        "0" | "false" | "no" => false,
        other => {
            out.push(Diagnostic::warning(
                "embed-option",
                format!("?{key}"),
                format!("`{key}={other}` is not a yes or no"),
                format!("write `{key}` or `{key}=1` to turn it on, `{key}=0` to turn it off"),
            ));
            false
        }
    }
}

/// Checks one origin: `scheme://host[:port]`, no path, no credentials; `*` for any.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let t = text.trim().trim_end_matches('/');
    if t == "*" {
        return Ok(t.to_owned());
    }
    let (scheme, rest) = t.split_once("://").ok_or_else(|| format!("`{text}` has no scheme; write it like https://docs.example.com"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!("`{text}` is not an http or https origin"));
    }
    if rest.is_empty() || rest.contains(['/', '@', '?', '#', ' ']) {
        return Err(format!("`{text}` is not an origin: an origin is scheme://host[:port], with no path"));
    }
    if let Some((_, port)) = rest.rsplit_once(':') {
        if !rest.starts_with('[') || rest.ends_with(']') {
            // host:port (an IPv6 literal without a port ends with ']').
            if !rest.ends_with(']') && port.parse::<u16>().is_err() {
                return Err(format!("`{text}` has a bad port `{port}`"));
            }
        }
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

impl EmbedOptions {
    /// Reads the query string's (already decoded) pairs. Bad values are warnings and are
    /// left at their defaults; unknown keys are reported as infos (a page may carry its
    /// own parameters).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (EmbedOptions, Vec<Diagnostic>) {
        let mut o = EmbedOptions::default();
        let mut out = Vec::new();
        for (key, value) in pairs {
            let at = format!("?{key}");
            match key {
                "embed" => o.embed = flag(key, value, &mut out),
                "editable" => o.editable = flag(key, value, &mut out),
                "loop" => o.looped = flag(key, value, &mut out),
                "autoplay" if value.is_empty() => out.push(Diagnostic::warning(
                    "embed-option",
                    at,
                    "`autoplay` names no probe",
                    "write autoplay=<probe name> or autoplay=<position from 0>",
                )),
                "autoplay" => o.autoplay = Some(ProbeRef::from_option(value)),
                "gallery" if !value.is_empty() && value.len() <= 100 => o.gallery = Some(value.to_owned()),
                "gallery" => out.push(Diagnostic::warning(
                    "embed-option",
                    at,
                    "`gallery` names no scenario",
                    "write gallery=<slug>, such as gallery=worked-example",
                )),
                "theme" => match value {
                    "light" => o.theme = Some(EmbedTheme::Light),
                    "dark" => o.theme = Some(EmbedTheme::Dark),
                    "auto" => o.theme = Some(EmbedTheme::Auto),
                    other => out.push(Diagnostic::warning(
                        "embed-option",
                        at,
                        format!("`theme={other}` is not a theme"),
                        "write theme=light, theme=dark or theme=auto",
                    )),
                },
                "height" => match value {
                    "auto" => o.height = Some(Height::Auto),
                    v => match v.trim_end_matches("px").parse::<u32>() {
                        Ok(px) if (HEIGHT_RANGE.0..=HEIGHT_RANGE.1).contains(&px) => o.height = Some(Height::Pixels(px)),
                        _ => out.push(Diagnostic::warning(
                            "embed-option",
                            at,
                            format!("`height={v}` is not a height"),
                            format!("write height=auto, or a number of pixels from {} to {}", HEIGHT_RANGE.0, HEIGHT_RANGE.1),
                        )),
                    },
                },
                "origins" => {
                    for part in value.split(',').filter(|p| !p.trim().is_empty()) {
                        if o.origins.len() >= MAX_ORIGINS {
                            out.push(Diagnostic::warning(
                                "embed-option",
                                at.clone(),
                                format!("more than {MAX_ORIGINS} origins"),
                                "list only the pages that host the playground",
                            ));
                            break;
                        }
                        match parse_origin(part) {
                            Ok(origin) if !o.origins.contains(&origin) => o.origins.push(origin),
                            Ok(_) => {}
                            Err(why) => out.push(Diagnostic::warning(
                                "embed-origin",
                                at.clone(),
                                why,
                                "list origins separated by commas, such as origins=https://docs.example.com,http://localhost:3000, or origins=* for any page",
                            )),
                        }
                    }
                }
                other => out.push(Diagnostic::info(
                    "embed-option-unknown",
                    at,
                    format!("`{other}` is not an embed option; it is ignored"),
                    format!("the options are {KNOWN}"),
                )),
            }
        }
        (o, out)
    }

    /// Whether a message from `origin` is accepted.
    pub fn accepts(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
    }

    /// The query string that gives these options (for the embed dialog).
    pub fn to_query(&self) -> String {
        let mut parts = vec!["embed".to_owned()];
        if let Some(g) = &self.gallery {
            parts.push(format!("gallery={}", percent_encode(g)));
        }
        if self.editable {
            parts.push("editable=1".into());
        }
        match &self.autoplay {
            Some(ProbeRef::Name(n)) => parts.push(format!("autoplay={}", percent_encode(n))),
            Some(ProbeRef::Index(i)) => parts.push(format!("autoplay={i}")),
            Some(ProbeRef::Inline(_)) | None => {}
        }
        if self.looped {
            parts.push("loop".into());
        }
        match self.theme {
            Some(EmbedTheme::Light) => parts.push("theme=light".into()),
            Some(EmbedTheme::Dark) => parts.push("theme=dark".into()),
            Some(EmbedTheme::Auto) | None => {}
        }
        match self.height {
            Some(Height::Auto) => parts.push("height=auto".into()),
            Some(Height::Pixels(px)) => parts.push(format!("height={px}")),
            None => {}
        }
        if !self.origins.is_empty() {
            parts.push(format!("origins={}", self.origins.iter().map(|o| percent_encode(o)).collect::<Vec<_>>().join(",")));
        }
        parts.join("&")
    }
}

/// Escapes text for an HTML attribute or element.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The address of an embedded playground: `page_url` (the site's `embed.html`) with these
/// options and, when given, a share payload.
pub fn embed_src(page_url: &str, options: &EmbedOptions, payload: &str) -> String {
    format!("{page_url}?{}{}", options.to_query(), if payload.is_empty() { String::new() } else { format!("#s={payload}") })
}

/// The HTML a documentation author pastes: an iframe of `page_url` (the site's
/// `embed.html`) with these options and a share payload, and, with `height=auto`, the few
/// lines that resize it from the playground's `vpcsim:resize` events. Every value is
/// escaped: a scenario's name cannot inject markup into the host page.
pub fn iframe_snippet(page_url: &str, options: &EmbedOptions, payload: &str, title: &str, fixed_height: u32) -> String {
    let src = embed_src(page_url, options, payload);
    let height = match options.height {
        Some(Height::Pixels(px)) => px,
        _ => fixed_height,
    };
    let id = "vpcsim-embed";
    let mut html = format!(
        "<iframe id=\"{id}\" src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0;border-radius:8px\" loading=\"lazy\"></iframe>",
        html_escape(&src),
        html_escape(&format!("vpcsim: {title}")),
    );
    if options.height == Some(Height::Auto) {
        let site = page_url.split('/').take(3).collect::<Vec<_>>().join("/");
        html.push_str(&format!(
            "\n<script>\naddEventListener('message', (e) => {{\n  if (e.origin === '{}' && e.data && e.data.type === 'vpcsim:resize')\n    document.getElementById('{id}').style.height = e.data.height + 'px';\n}});\n</script>",
            html_escape(&site).replace(['\\', '\''], "")
        ));
    }
    html
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in query values.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// A message from the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum HostMessage {
    /// Open this scenario (a document object, or its JSON text). It is read by the one
    /// scenario reader when applied, with located diagnostics.
    Load(Value),
    /// Send this probe.
    Send(ProbeRef),
}

fn bad(message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error("embed-message", "message", message, help)
}

const MESSAGE_HELP: &str =
    "post {\"type\": \"vpcsim:load\", \"scenario\": {...}} or {\"type\": \"vpcsim:send\", \"probe\": \"probe name\" | 0 | {\"from\": ..., \"to\": ...}}";

/// Reads a host message (the JSON text of the posted value). Anything else, whether not
/// JSON, not an object, not ours or not well formed, is an error to log and ignore.
pub fn parse_host_message(text: &str) -> Result<HostMessage, Diagnostic> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(bad(format!("the message is {} bytes, more than the {MAX_MESSAGE_BYTES} accepted", text.len()), MESSAGE_HELP));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("the message is not JSON: {e}"), MESSAGE_HELP))?;
    let Value::Object(mut map) = value else { return Err(bad("the message is not an object", MESSAGE_HELP)) };
    let kind = match map.get("type") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(bad("the message has no `type`", MESSAGE_HELP)),
    };
    match kind.as_str() {
        "vpcsim:load" => match map.remove("scenario") {
            Some(Value::String(text)) => serde_json::from_str::<Value>(&text).map(HostMessage::Load).map_err(|e| {
                Diagnostic::error("embed-message", "message/scenario", format!("`scenario` is text but not JSON: {e}"), MESSAGE_HELP)
            }),
            Some(doc @ Value::Object(_)) => Ok(HostMessage::Load(doc)),
            _ => Err(Diagnostic::error("embed-message", "message/scenario", "`vpcsim:load` needs a `scenario` object", MESSAGE_HELP)),
        },
        "vpcsim:send" => match map.remove("probe") {
            Some(Value::String(name)) => Ok(HostMessage::Send(ProbeRef::Name(name))),
            Some(Value::Number(n)) => {
                n.as_u64().and_then(|i| usize::try_from(i).ok()).map(|i| HostMessage::Send(ProbeRef::Index(i))).ok_or_else(|| {
                    Diagnostic::error("embed-message", "message/probe", format!("`probe` {n} is not a position"), MESSAGE_HELP)
                })
            }
            Some(probe @ Value::Object(_)) => serde_json::from_value::<ProbeDoc>(probe)
                .map(|p| HostMessage::Send(ProbeRef::Inline(Box::new(p))))
                .map_err(|e| Diagnostic::error("embed-message", "message/probe", format!("`probe` is not a probe: {e}"), MESSAGE_HELP)),
            _ => Err(Diagnostic::error(
                "embed-message",
                "message/probe",
                "`vpcsim:send` needs a `probe`: a name, a position or a probe object",
                MESSAGE_HELP,
            )),
        },
        other => Err(bad(format!("`{other}` is not a message vpcsim takes"), MESSAGE_HELP)),
    }
}

/// An event posted to the host page.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type")]
pub enum Event<'a> {
    /// The playground has loaded and listens.
    #[serde(rename = "vpcsim:ready")]
    Ready {
        /// The library version.
        version: &'static str,
        /// The scenario's probe names.
        probes: Vec<&'a str>,
    },
    /// A probe was sent: its whole trace.
    #[serde(rename = "vpcsim:trace")]
    Trace {
        /// The probe.
        probe: &'a ProbeDoc,
        /// The trace.
        trace: &'a Trace,
    },
    /// The animation reached a check.
    #[serde(rename = "vpcsim:hop")]
    Hop {
        /// Step, from 0.
        step: usize,
        /// Steps in all.
        steps: usize,
        /// `request` or `response`.
        leg: &'a str,
        /// The check shown at this step.
        check: Option<&'a Check>,
    },
    /// The animation ended.
    #[serde(rename = "vpcsim:verdict")]
    Verdict {
        /// Request and response both got through.
        reachable: bool,
        /// The request's outcome.
        outcome: &'static str,
        /// Where it was dropped.
        dropped_at: Option<&'a DropInfo>,
        /// One line.
        summary: String,
    },
    /// The content's height changed (with `height=auto`).
    #[serde(rename = "vpcsim:resize")]
    Resize {
        /// CSS pixels.
        height: u32,
    },
    /// A message could not be applied.
    #[serde(rename = "vpcsim:error")]
    Error {
        /// Why, located.
        error: &'a Diagnostic,
    },
}

impl Event<'_> {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The verdict event of a trace.
pub fn verdict(trace: &Trace) -> Event<'_> {
    let dropped = trace.request.dropped_at.as_ref().or_else(|| trace.response.as_ref().and_then(|r| r.dropped_at.as_ref()));
    let summary = match dropped {
        _ if trace.reachable => "reachable: the request arrives and the response gets back".to_owned(),
        Some(d) => format!("dropped at {} {}: {}", d.kind.as_str(), d.component, d.explanation),
        None => format!("not reachable: the request {}", trace.request.outcome),
    };
    Event::Verdict { reachable: trace.reachable, outcome: trace.request.outcome.as_str(), dropped_at: dropped, summary }
}

/// Fuzzing entry (target `host_message`): the first line is read as a query string's
/// pairs, the whole text as a host message; a message that parses is applied to a
/// scenario read from its `scenario`, and every event is rendered. Nothing may panic.
pub fn fuzz(text: &str) {
    let first = text.lines().next().unwrap_or_default();
    let pairs: Vec<(&str, &str)> = first.split('&').map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    let (options, _) = EmbedOptions::from_pairs(pairs);
    let _ = options.to_query();
    let _ = options.accepts(first);
    let scenario = Scenario::default();
    if let Some(p) = &options.autoplay {
        let _ = p.resolve(&scenario, "?autoplay");
    }
    match parse_host_message(text) {
        Ok(HostMessage::Load(doc)) => {
            if let Ok(s) = crate::scenario::from_value(doc) {
                let _ =
                    Event::Ready { version: crate::ffi::version(), probes: s.probes.iter().map(|p| p.name.as_str()).collect() }.to_json();
            }
        }
        Ok(HostMessage::Send(p)) => {
            if let Err(e) = p.resolve(&scenario, "message/probe") {
                let _ = Event::Error { error: &e }.to_json();
            }
        }
        Err(e) => {
            let _ = Event::Error { error: &e }.to_json();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(q: &[(&str, &str)]) -> (EmbedOptions, Vec<Diagnostic>) {
        EmbedOptions::from_pairs(q.iter().copied())
    }

    #[test]
    fn options_are_read_and_round_trip_through_the_query() {
        let (o, d) = opts(&[
            ("embed", ""),
            ("editable", "1"),
            ("autoplay", "return traffic"),
            ("loop", ""),
            ("theme", "dark"),
            ("height", "480"),
            ("origins", "https://Docs.example.com/,http://localhost:3000"),
        ]);
        assert!(d.is_empty(), "{d:?}");
        assert!(o.embed && o.editable && o.looped);
        assert_eq!(o.autoplay, Some(ProbeRef::Name("return traffic".into())));
        assert_eq!(o.theme, Some(EmbedTheme::Dark));
        assert_eq!(o.height, Some(Height::Pixels(480)));
        assert_eq!(o.origins, vec!["https://docs.example.com", "http://localhost:3000"]);
        assert!(o.accepts("https://docs.example.com") && !o.accepts("https://evil.example"));
        let q = o.to_query();
        assert_eq!(q, "embed&editable=1&autoplay=return%20traffic&loop&theme=dark&height=480&origins=https%3A%2F%2Fdocs.example.com,http%3A%2F%2Flocalhost%3A3000");
    }

    #[test]
    fn bad_options_are_located_warnings_and_keep_defaults() {
        let (o, d) = opts(&[
            ("theme", "neon"),
            ("height", "99999"),
            ("origins", "docs.example.com,javascript:alert(1),*"),
            ("x", "1"),
            ("editable", "maybe"),
        ]);
        assert_eq!(o.theme, None);
        assert_eq!(o.height, None);
        assert!(!o.editable);
        assert_eq!(o.origins, vec!["*"]);
        let codes: Vec<(&str, &str)> = d.iter().map(|d| (d.code, d.at.as_str())).collect();
        assert_eq!(
            codes,
            vec![
                ("embed-option", "?theme"),
                ("embed-option", "?height"),
                ("embed-origin", "?origins"),
                ("embed-origin", "?origins"),
                ("embed-option-unknown", "?x"),
                ("embed-option", "?editable")
            ]
        );
        assert!(o.accepts("https://anything.example"));
        assert!(!EmbedOptions::default().accepts("https://docs.example.com"), "no allow-list: no messages");
    }

    #[test]
    fn the_snippet_escapes_what_the_user_typed() {
        let (o, _) = opts(&[("autoplay", "a\"b"), ("height", "auto"), ("origins", "https://docs.example.com")]);
        let html = iframe_snippet("https://vpcsim.example/app/embed.html", &o, "v1.abc", "<img src=x onerror=alert(1)> \"q\"", 500);
        assert!(html.starts_with("<iframe id=\"vpcsim-embed\" src=\"https://vpcsim.example/app/embed.html?embed&amp;autoplay=a%22b&amp;height=auto&amp;origins=https%3A%2F%2Fdocs.example.com#s=v1.abc\""), "{html}");
        assert!(html.contains("title=\"vpcsim: &lt;img src=x onerror=alert(1)&gt; &quot;q&quot;\""), "{html}");
        assert!(html.contains("e.origin === 'https://vpcsim.example'"), "{html}");
        assert!(!html.contains("<img"));
        let (fixed, _) = opts(&[("height", "640")]);
        let html = iframe_snippet("https://x.example/embed.html", &fixed, "", "t", 500);
        assert!(html.contains("height=\"640\"") && !html.contains("<script>"), "{html}");
    }

    #[test]
    fn origins_are_checked() {
        assert_eq!(parse_origin("https://a.example:8443").as_deref(), Ok("https://a.example:8443"));
        assert!(parse_origin("https://a.example/path").is_err());
        assert!(parse_origin("https://user@a.example").is_err());
        assert!(parse_origin("https://a.example:99999").is_err());
        assert!(parse_origin("ftp://a.example").is_err());
        assert_eq!(parse_origin("http://[::1]:8080").as_deref(), Ok("http://[::1]:8080"));
    }

    #[test]
    fn host_messages() {
        let load = parse_host_message(r#"{"type":"vpcsim:load","scenario":{"version":1}}"#);
        assert_eq!(load, Ok(HostMessage::Load(serde_json::json!({"version": 1}))));
        let load_text = parse_host_message(r#"{"type":"vpcsim:load","scenario":"{\"version\":1}"}"#);
        assert_eq!(load_text, Ok(HostMessage::Load(serde_json::json!({"version": 1}))));
        assert_eq!(parse_host_message(r#"{"type":"vpcsim:send","probe":2}"#), Ok(HostMessage::Send(ProbeRef::Index(2))));
        assert_eq!(parse_host_message(r#"{"type":"vpcsim:send","probe":"ssh"}"#), Ok(HostMessage::Send(ProbeRef::Name("ssh".into()))));
        let inline = parse_host_message(r#"{"type":"vpcsim:send","probe":{"from":"i-web","to":"internet","port":443}}"#);
        assert!(matches!(inline, Ok(HostMessage::Send(ProbeRef::Inline(ref p))) if p.port == Some(443)), "{inline:?}");
        for (text, at) in [
            ("not json", "message"),
            ("[1]", "message"),
            (r#"{"kind":"load"}"#, "message"),
            (r#"{"type":"vpcsim:delete"}"#, "message"),
            (r#"{"type":"vpcsim:load"}"#, "message/scenario"),
            (r#"{"type":"vpcsim:load","scenario":"{"}"#, "message/scenario"),
            (r#"{"type":"vpcsim:send","probe":-1}"#, "message/probe"),
            (r#"{"type":"vpcsim:send","probe":{"from":3}}"#, "message/probe"),
            (r#"{"type":"vpcsim:send"}"#, "message/probe"),
        ] {
            let e = parse_host_message(text).err().unwrap_or_else(|| panic!("{text} was accepted"));
            assert_eq!((e.code, e.at.as_str()), ("embed-message", at), "{text}");
            assert!(!e.help.is_empty());
        }
    }

    #[test]
    fn probes_resolve_by_name_or_position_with_the_choices_in_the_error() {
        let mut s = Scenario::default();
        s.probes.push(ProbeDoc { name: "https".into(), ..ProbeDoc::default() });
        assert_eq!(ProbeRef::Name("https".into()).resolve(&s, "?autoplay").map(|p| p.name), Ok("https".to_owned()));
        assert_eq!(ProbeRef::Index(0).resolve(&s, "?autoplay").map(|p| p.name), Ok("https".to_owned()));
        let e = ProbeRef::Index(3).resolve(&s, "?autoplay").err();
        assert_eq!(e.as_ref().map(|e| (e.code, e.help.as_str())), Some(("embed-unknown-probe", "the scenario's probes are 0: https")));
        assert_eq!(ProbeRef::from_option("7"), ProbeRef::Index(7));
    }
}
