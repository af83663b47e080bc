//! The Reach tab: the reachability matrix as a heat-map (rows are sources, columns
//! destinations; grouped by subnet or VPC, with a drill-down into a group pair), the
//! allowed classes of one pair with a "Send" that animates a representative probe, and
//! the what-if comparison with a baseline. Everything shown comes from
//! `vpcsim_core::reach` through [`crate::matrix`] (computed by the app only while this tab
//! is shown); nothing here evaluates a packet.

use crate::hooks::{use_app, use_derived, App};
use crate::importer::{self, FileKind};
use crate::matrix::{self, class_text, plural, send_port, Grid, Level, View};
use crate::state::{Action, Notice};
use gloo::timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::Rc;
use vpcsim_core::import::InputFile;
use vpcsim_core::reach::{allowed_text, Allowed, GroupBy, Matrix};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// At most this many member pairs or changes are listed.
const LIST_LIMIT: usize = 300;

fn focus_later(id: String) {
    Timeout::new(0, move || {
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|el| el.dyn_into::<HtmlElement>().ok())
        {
            let _ = el.focus();
            // A pair's classes open below the matrix or a long list: bring all of them into view.
            if let Some(panel) = el.closest("#reach-cell").ok().flatten() {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                panel.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        }
    })
    .forget();
}

fn cell_id(r: usize, c: usize) -> String {
    format!("rc-{r}-{c}")
}

fn group_name(g: GroupBy) -> &'static str {
    match g {
        GroupBy::None => "none",
        GroupBy::Subnet => "subnet",
        GroupBy::Vpc => "vpc",
    }
}

/// The tab.
#[component]
pub fn ReachPanel() -> Html {
    let (Some(app), Some(derived)) = (use_app(), use_derived()) else { return html! {} };
    let Some(status) = derived.reach.as_ref() else {
        return html! { <section class="panel"><p class="hint">{"The matrix is computed when this tab is shown."}</p></section> };
    };
    let note = match (&status.error, status.pending) {
        (Some(e), _) => html! { <p class="capped" role="alert">{ format!("The matrix could not be computed: {e}") }</p> },
        (None, true) => {
            html! { <p id="reach-updating" class="hint" role="status" aria-live="polite">{ if status.view.is_some() { "Updating the matrix for the latest change…" } else { "Computing the matrix…" } }</p> }
        }
        (None, false) => html! {},
    };
    let Some(view) = status.view.as_ref().map(|v| (**v).clone()) else {
        return html! { <section class="panel" aria-busy={status.pending.to_string()}>{ note }</section> };
    };
    // How the worker found the shown matrix: from scratch, or only the cells an edit of
    // rules touches (the worker keeps the last matrix).
    let timing =
        view.timing.filter(|_| !status.pending && !view.stale).map(|t| html! { <p id="reach-timing" class="hint small">{ t.text() }</p> });
    html! {
        <>
            { note }
            { for timing }
            <MatrixPanel view={view.clone()} />
            if app.reach.cell.is_some() { <CellDetail matrix={view.matrix.clone()} /> }
            <WhatIf view={view} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ViewProps {
    view: View,
}

fn aria_for(m: &Matrix, g: &Grid, r: usize, c: usize, changed: bool) -> String {
    let (Some(row), Some(col)) = (g.rows.get(r), g.cols.get(c)) else { return String::new() };
    let cell = g.cell(r, c);
    let what = if cell.total == 0 {
        "not a pair".to_owned()
    } else if g.by == GroupBy::None {
        allowed_text(cell.set.and_then(|s| m.sets.get(s as usize)).map_or(&[][..], Vec::as_slice))
    } else {
        format!("{} of {} open", cell.open, plural(cell.total as usize, "pair", "pairs"))
    };
    format!("{} → {}: {what}{}", row.label, col.label, if changed { " (changed since the baseline)" } else { "" })
}

fn glyph(g: &Grid, r: usize, c: usize) -> String {
    let cell = g.cell(r, c);
    if cell.total == 0 {
        return String::new();
    }
    if g.by != GroupBy::None {
        return if cell.open == 0 { String::new() } else { cell.open.to_string() };
    }
    match cell.level {
        Level::None => String::new(),
        Level::Some => "•".into(),
        Level::Lot => "●".into(),
    }
}

/// Activates the drawn cell at (r, c): opens a pair's classes or drills into a group pair.
fn activate(app: &App, g: &Grid, r: usize, c: usize) {
    let (Some(row), Some(col)) = (g.rows.get(r), g.cols.get(c)) else { return };
    if g.cell(r, c).total == 0 {
        return;
    }
    if g.by == GroupBy::None {
        app.dispatch(Action::ReachCell(Some((row.label.clone(), col.label.clone()))));
        focus_later("reach-cell-title".into());
    } else {
        app.dispatch(Action::ReachDrill(Some((row.label.clone(), col.label.clone()))));
        focus_later("drill-back".into());
    }
}

fn rc_of(target: Option<web_sys::EventTarget>) -> Option<(usize, usize)> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?.closest("td[data-r]").ok()??;
    Some((el.get_attribute("data-r")?.parse().ok()?, el.get_attribute("data-c")?.parse().ok()?))
}

#[component]
fn MatrixPanel(props: &ViewProps) -> Html {
    let Some(app) = use_app() else { return html! {} };
    let cursor = use_state_eq(|| (0usize, 0usize));
    let v = &props.view;
    let (m, g) = (v.matrix.clone(), v.grid.clone());
    let (nr, nc) = (g.rows.len(), g.cols.len());
    let cur = (cursor.0.min(nr.saturating_sub(1)), cursor.1.min(nc.saturating_sub(1)));
    let on_group = {
        let app = app.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                let g = match el.value().as_str() {
                    "subnet" => GroupBy::Subnet,
                    "vpc" => GroupBy::Vpc,
                    _ => GroupBy::None,
                };
                app.dispatch(Action::SetGroupBy(g));
            }
        })
    };
    let on_keys = {
        let (app, g, cursor) = (app.clone(), g.clone(), cursor.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some((r, c)) = rc_of(e.target()) else { return };
            let (last_r, last_c) = (g.rows.len().saturating_sub(1), g.cols.len().saturating_sub(1));
            let next = match e.key().as_str() {
                "ArrowUp" => (r.saturating_sub(1), c),
                "ArrowDown" => ((r + 1).min(last_r), c),
                "ArrowLeft" => (r, c.saturating_sub(1)),
                "ArrowRight" => (r, (c + 1).min(last_c)),
                "Home" if e.ctrl_key() => (0, 0),
                "End" if e.ctrl_key() => (last_r, last_c),
                "Home" => (r, 0),
                "End" => (r, last_c),
                "PageUp" => (r.saturating_sub(10), c),
                "PageDown" => ((r + 10).min(last_r), c),
                "Enter" | " " => {
                    e.prevent_default();
                    activate(&app, &g, r, c);
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            cursor.set(next);
            focus_later(cell_id(next.0, next.1));
        })
    };
    let on_click = {
        let (app, g, cursor) = (app.clone(), g.clone(), cursor.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some((r, c)) = rc_of(e.target()) {
                cursor.set((r, c));
                activate(&app, &g, r, c);
            }
        })
    };
    let on_focus = {
        let cursor = cursor.clone();
        Callback::from(move |e: FocusEvent| {
            if let Some(rc) = rc_of(e.target()) {
                cursor.set(rc);
            }
        })
    };
    let grouped = g.by != GroupBy::None;
    let auto = app.reach.group_by.is_none() && grouped;
    let legend = if grouped {
        [(Level::None, "no pair open"), (Level::Some, "n pairs open, fewer than half"), (Level::Lot, "half the pairs or more")]
    } else {
        [(Level::None, "nothing allowed"), (Level::Some, "a few ports"), (Level::Lot, "1024 ports or more, or every protocol")]
    };
    let drill = app.reach.drill.clone().filter(|_| grouped);
    let body = if let Some((from, to)) = drill {
        html! { <Drill view={v.clone()} from={from} to={to} cursor={cell_id(cur.0, cur.1)} /> }
    } else if nr == 0 || nc == 0 {
        html! { <p class="hint" id="matrix-empty">{"Nothing to analyse: the network has no interface, no internet and no external network. Add an instance from the palette."}</p> }
    } else {
        html! {
            <div class="matrix-scroll">
                <table class={classes!("matrix", grouped.then_some("grouped"))} role="grid" id="matrix"
                    aria-label={format!("Reachability: rows are sources, columns destinations{}", if grouped { format!(", grouped by {}", group_name(g.by)) } else { String::new() })}
                    aria-rowcount={(nr + 1).to_string()} aria-colcount={(nc + 1).to_string()}
                    onkeydown={on_keys} onclick={on_click} onfocusin={on_focus}>
                    <thead>
                        <tr>
                            <th class="corner" scope="col"><span>{"from ↓ to →"}</span></th>
                            { for g.cols.iter().map(|c| html! { <th scope="col" class="col-head" title={c.label.clone()}><span>{ matrix::short(&c.label) }</span></th> }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for g.rows.iter().enumerate().map(|(r, row)| html! {
                            <tr>
                                <th scope="row" class="row-head" title={row.label.clone()}>{ matrix::short(&row.label) }</th>
                                { for (0..nc).map(|c| {
                                    let cell = g.cell(r, c);
                                    let changed = v.is_changed(r, c);
                                    let label = aria_for(&m, &g, r, c, changed);
                                    html! {
                                        <td role="gridcell" id={cell_id(r, c)} data-r={r.to_string()} data-c={c.to_string()}
                                            tabindex={if (r, c) == cur { "0" } else { "-1" }}
                                            class={classes!("cell", format!("lvl-{}", cell.level.as_str()), (cell.total == 0).then_some("na"), changed.then_some("changed"))}
                                            aria-label={label.clone()} title={label}>{ glyph(&g, r, c) }</td>
                                    }
                                }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        }
    };
    html! {
        <section class="panel reach-panel" aria-labelledby="reach-title">
            <div class="panel-head">
                <h2 id="reach-title">{"Reachability"}</h2>
                <label class="group-by">{"Group by "}
                    <select id="reach-group" onchange={on_group}>
                        { for [(GroupBy::None, "none"), (GroupBy::Subnet, "subnet"), (GroupBy::Vpc, "VPC")].into_iter().map(|(k, label)| html! {
                            <option value={group_name(k)} selected={k == g.by}>{ label }</option>
                        }) }
                    </select>
                </label>
            </div>
            <p class="hint reach-summary" id="reach-summary">
                { format!("{} × {}: {} of {} open (request and response, every port).",
                    plural(m.sources.len(), "source", "sources"), plural(m.destinations.len(), "destination", "destinations"),
                    m.open_pairs(), plural(m.pairs.len(), "pair", "pairs")) }
                if auto { { format!(" Grouped by subnet: more than {} ends.", matrix::AUTO_GROUP_ABOVE) } }
                { if grouped { " Open a cell for its pairs." } else { " Open a cell for what it allows." } }
            </p>
            if g.capped() {
                <p class="capped" role="note" id="matrix-capped">{ format!(
                    "Showing the first {} of {} sources and {} of {} destinations: group by subnet or VPC to see them all.",
                    nr, g.ends.0, nc, g.ends.1) }</p>
            }
            <ul class="legend" aria-label="Legend">
                { for legend.iter().map(|(l, text)| html! {
                    <li><span class={classes!("swatch", format!("lvl-{}", l.as_str()))} aria-hidden="true">{ match (grouped, l) { (true, Level::None) | (false, Level::None) => "", (true, _) => "n", (false, Level::Some) => "•", (false, Level::Lot) => "●" } }</span>{ *text }</li>
                }) }
                if v.changes.is_some() { <li><span class="swatch changed" aria-hidden="true"></span>{"changed since the baseline (Δ)"}</li> }
            </ul>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DrillProps {
    view: View,
    from: String,
    to: String,
    /// The grid cell to focus on the way back.
    cursor: String,
}

/// The member pairs of one group pair.
#[component]
fn Drill(props: &DrillProps) -> Html {
    let Some(app) = use_app() else { return html! {} };
    let (m, g) = (&props.view.matrix, &props.view.grid);
    let back = {
        let (app, cursor) = (app.clone(), props.cursor.clone());
        move || {
            app.dispatch(Action::ReachDrill(None));
            focus_later(cursor.clone());
        }
    };
    let on_back = {
        let back = back.clone();
        Callback::from(move |_: MouseEvent| back())
    };
    let on_keys = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            back();
        }
    });
    let r = g.rows.iter().position(|a| a.label == props.from);
    let c = g.cols.iter().position(|a| a.label == props.to);
    let list = match (r, c) {
        (Some(r), Some(c)) => {
            let (pairs, total) = matrix::members(m, g, r, c, LIST_LIMIT);
            let cell = g.cell(r, c);
            let changed = props.view.changes.as_ref().map(|ch| matrix::changed_pairs(ch)).unwrap_or_default();
            html! {
                <>
                    <p class="hint" id="drill-summary">{ format!("{} of {} open.", cell.open, plural(cell.total as usize, "pair", "pairs")) }
                        if total > pairs.len() { { format!(" Listing the first {}, open ones first.", pairs.len()) } }</p>
                    <ul class="pair-list">
                        { for pairs.into_iter().map(|(f, t, a)| {
                            let open = {
                                let app = app.clone();
                                let (f, t) = (f.to_owned(), t.to_owned());
                                Callback::from(move |_: MouseEvent| {
                                    app.dispatch(Action::ReachCell(Some((f.clone(), t.clone()))));
                                    focus_later("reach-cell-title".into());
                                })
                            };
                            let is_changed = changed.binary_search(&(f, t)).is_ok();
                            html! {
                                <li class={classes!("pair", format!("lvl-{}", matrix::level(a).as_str()), is_changed.then_some("changed"))}>
                                    <button type="button" class="pair-open" onclick={open}>
                                        <span class="pair-ends">{ format!("{f} → {t}") }</span>
                                        <span class="pair-classes">{ allowed_text(a) }</span>
                                        if is_changed { <span class="delta">{" Δ changed"}</span> }
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                </>
            }
        }
        _ => html! { <p class="hint">{"This group pair is no longer in the matrix."}</p> },
    };
    html! {
        <div class="drill" id="drill" onkeydown={on_keys}>
            <div class="drill-head">
                <button type="button" id="drill-back" class="secondary" onclick={on_back} title="Back to the matrix (Escape)">{"← Matrix"}</button>
                <h3>{ format!("{} → {}", props.from, props.to) }</h3>
            </div>
            { list }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CellProps {
    matrix: Rc<Matrix>,
}

/// The allowed classes of one pair, each with a Send.
#[component]
fn CellDetail(props: &CellProps) -> Html {
    let Some(app) = use_app() else { return html! {} };
    let port = use_state(|| "443".to_owned());
    let Some((from, to)) = app.reach.cell.clone() else { return html! {} };
    let m = props.matrix.clone();
    let close = {
        let app = app.clone();
        move || {
            app.dispatch(Action::ReachCell(None));
            // Back to the grid's current cell, or the drill-down.
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("#matrix td[tabindex='0'], #drill-back").ok().flatten())
                .and_then(|el| el.dyn_into::<HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        }
    };
    let on_close = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close())
    };
    let on_keys = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            e.prevent_default();
            close();
        }
    });
    let send = |a: &Allowed| {
        let probe = m.representative(&from, &to, &a.protocol, send_port(a));
        app.on::<MouseEvent>(Action::SendProbe(Box::new(probe)))
    };
    let body = match m.cell(&from, &to) {
        None => {
            html! { <p class="hint">{"This pair is not in the matrix (an end is never its own destination, or the network changed)."}</p> }
        }
        Some(c) if c.allowed.is_empty() => {
            let on_port = {
                let port = port.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(el) = e.target_dyn_into::<HtmlInputElement>() {
                        port.set(el.value());
                    }
                })
            };
            let typed = port.trim().parse::<u16>().ok();
            let try_send = {
                let (app, m, from, to) = (app.clone(), m.clone(), from.clone(), to.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    if let Some(p) = typed {
                        app.dispatch(Action::SendProbe(Box::new(m.representative(&from, &to, "tcp", Some(p)))));
                    }
                })
            };
            html! {
                <>
                    <p class="nothing" id="cell-nothing">{"✗ Nothing gets through: no protocol or port has both its request and its response allowed."}</p>
                    <form class="try-port" onsubmit={try_send}>
                        <label for="try-port">{"See where a TCP packet stops, on port"}</label>
                        <input id="try-port" type="text" inputmode="numeric" size="6" value={(*port).clone()} oninput={on_port}
                            aria-invalid={typed.is_none().to_string()} />
                        <button type="submit" class="chip" disabled={typed.is_none()}>{"Send"}</button>
                    </form>
                </>
            }
        }
        Some(c) => html! {
            <ul class="classes" aria-label="Allowed classes">
                { for c.allowed.iter().map(|a| {
                    let port = send_port(a).map(|p| format!(" (port {p})")).unwrap_or_default();
                    html! {
                        <li class="class" data-class={class_text(a)}>
                            <code>{ class_text(a) }</code>
                            <button type="button" class="chip send-class" onclick={send(a)}
                                aria-label={format!("Send {} from {from} to {to}{port} and watch it", class_text(a))}>{ format!("Send{port}") }</button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <section class="panel reach-cell" id="reach-cell" aria-labelledby="reach-cell-title" onkeydown={on_keys}>
            <div class="panel-head">
                <h3 id="reach-cell-title" tabindex="-1">{ format!("{from} → {to}") }</h3>
                <button type="button" class="secondary" id="reach-cell-close" onclick={on_close} title="Close (Escape)">{"Close"}</button>
            </div>
            <p class="hint">{ format!("What gets through, request and response (client source port {}). Send animates one packet of a class on the Packet tab.", m.src_port) }</p>
            if to.starts_with("service:") || to.starts_with("sagemaker:") {
                <p class="hint" id="reach-default-call">{"Endpoint policies are checked for the service's default API call; a probe that names its own call (an S3 bucket, an InvokeEndpoint) can get through where this says nothing, or the other way round."}</p>
            }
            { body }
        </section>
    }
}

/// Reads the chosen files and makes them the baseline: a scenario directly, AWS CLI
/// outputs and Terraform JSON through the importer's worker. A bad file leaves the
/// baseline as it was and says why.
fn compare_with_files(app: App, files: Vec<gloo::file::File>, readers: Rc<RefCell<Vec<gloo::file::callbacks::FileReader>>>) {
    let total = files.len();
    let too_big: Vec<String> = files.iter().filter(|f| f.size() as usize > vpcsim_core::import::MAX_FILE_BYTES).map(|f| f.name()).collect();
    if !too_big.is_empty() {
        app.notify(Notice::error(format!("Not compared: {} larger than the 64 MiB limit per file.", too_big.join(", "))));
        return;
    }
    let done: Rc<RefCell<Vec<InputFile>>> = Rc::new(RefCell::new(Vec::new()));
    for f in files {
        let (name, done, app) = (f.name(), done.clone(), app.clone());
        let reader = gloo::file::callbacks::read_as_text(&f, move |res| {
            let text = match res {
                Ok(t) => t,
                Err(e) => return app.notify(Notice::error(format!("Compare with file: {name} cannot be read: {e}"))),
            };
            done.borrow_mut().push(InputFile { path: name, text });
            if done.borrow().len() < total {
                return;
            }
            let mut files = std::mem::take(&mut *done.borrow_mut());
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let label = files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", ");
            let kind = importer::classify(&files);
            if kind == FileKind::Scenario {
                let Some(f) = files.first() else { return };
                match vpcsim_core::scenario::parse(&f.text) {
                    Ok(s) => {
                        app.dispatch(Action::CompareWith { scenario: Box::new(s), label });
                        app.notify(Notice::info(format!("Comparing with {}: the list under the matrix shows what changed.", f.path)));
                    }
                    Err(d) => app.notify(Notice::error(format!(
                        "Compare with file: {} at {}: {} ({}). The baseline is unchanged.",
                        f.path, d.at, d.message, d.help
                    ))),
                }
                return;
            }
            app.notify(Notice::info(format!("Importing {} for the comparison…", plural(total, "file", "files"))));
            let app = app.clone();
            importer::import_in_worker(kind, &files, move |answer| {
                let (action, notice) = match answer {
                    Ok(answer) => importer::summary(kind, total, answer),
                    Err(why) => (Action::Notify(Some(Notice::error(format!("The import failed: {why}")))), None),
                };
                match action {
                    Action::Load(s) => {
                        app.dispatch(Action::CompareWith { scenario: s, label });
                        if let Some(mut n) = notice {
                            n.text = format!("Baseline imported (the document is unchanged). {}", n.text);
                            app.notify(n);
                        }
                    }
                    Action::Notify(Some(mut n)) => {
                        n.text = format!("Compare with file: {} The baseline is unchanged.", n.text);
                        app.notify(n);
                    }
                    other => app.dispatch(other),
                }
            });
        });
        readers.borrow_mut().push(reader);
    }
}

/// The what-if comparison.
#[component]
fn WhatIf(props: &ViewProps) -> Html {
    let Some(app) = use_app() else { return html! {} };
    let readers = use_mut_ref(Vec::<gloo::file::callbacks::FileReader>::new);
    let input = use_node_ref();
    let on_pick = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(i) = input.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_files = {
        let (app, readers) = (app.clone(), readers.clone());
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let Some(list) = el.files() else { return };
            let files: Vec<gloo::file::File> = (0..list.length()).filter_map(|i| list.get(i)).map(gloo::file::File::from).collect();
            el.set_value("");
            if !files.is_empty() {
                compare_with_files(app.clone(), files, readers.clone());
            }
        })
    };
    let v = &props.view;
    let list = match (&app.baseline, &v.changes) {
        (Some(b), Some(changes)) => {
            let gained = changes.iter().filter(|c| !c.gained.is_empty()).count();
            let lost = changes.iter().filter(|c| !c.lost.is_empty()).count();
            let errors = (v.baseline_errors > 0).then(|| {
                html! { <p class="capped" role="note">{ format!("The baseline has {}: what they name is left out of its matrix.", plural(v.baseline_errors, "load error", "load errors")) }</p> }
            });
            html! {
                <>
                    <p class="baseline-label" id="baseline-label">{ format!("Baseline: {}.", b.label) }</p>
                    { errors.unwrap_or_default() }
                    if changes.is_empty() {
                        <p class="hint" id="no-changes">{"No flow changed since the baseline."}</p>
                    } else {
                        <p class="hint" id="change-summary" aria-live="polite">{ format!("{} changed: {gained} gained something, {lost} lost something.", plural(changes.len(), "pair", "pairs")) }
                            if changes.len() > LIST_LIMIT { { format!(" Listing the first {LIST_LIMIT}.") } }</p>
                        <ul class="changes" id="changes">
                            { for changes.iter().take(LIST_LIMIT).map(|c| {
                                let open = {
                                    let app = app.clone();
                                    let (f, t) = (c.from.clone(), c.to.clone());
                                    Callback::from(move |_: MouseEvent| {
                                        app.dispatch(Action::ReachCell(Some((f.clone(), t.clone()))));
                                        focus_later("reach-cell-title".into());
                                    })
                                };
                                html! {
                                    <li class="change">
                                        <button type="button" class="rule-link change-pair" onclick={open}>{ format!("{} → {}", c.from, c.to) }</button>
                                        { for c.gained.iter().map(|a| html! { <span class="gained" title="gained">{ format!("+ {}", class_text(a)) }</span> }) }
                                        { for c.lost.iter().map(|a| html! { <span class="lost" title="lost">{ format!("− {}", class_text(a)) }</span> }) }
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                </>
            }
        }
        _ => html! {
            <p class="hint">{"Set a baseline, then change the network (edit it, apply a fix, open a gallery lesson) to see which flows it gains (+) and loses (−). Or compare with a scenario, AWS CLI or Terraform file."}</p>
        },
    };
    html! {
        <section class="panel whatif" aria-labelledby="whatif-title">
            <h2 id="whatif-title">{"What if"}</h2>
            <div class="whatif-actions">
                <button type="button" class="secondary" id="set-baseline" onclick={app.on::<MouseEvent>(Action::SetBaseline)}
                    title="Compare later changes with the document as it is now">{ if app.baseline.is_some() { "Reset baseline to now" } else { "Set baseline" } }</button>
                <button type="button" class="secondary" id="compare-file" onclick={on_pick}
                    title="Use a scenario, AWS CLI outputs or terraform show -json as the baseline">{"Compare with file…"}</button>
                <input ref={input} id="compare-files" type="file" accept=".json,application/json" multiple=true class="visually-hidden"
                    onchange={on_files} tabindex="-1" aria-hidden="true"
                    onclick={Callback::from(|_: MouseEvent| importer::warm_import_worker())} />
                if app.baseline.is_some() {
                    <button type="button" class="secondary" id="clear-baseline" onclick={app.on::<MouseEvent>(Action::ClearBaseline)}>{"Clear baseline"}</button>
                }
            </div>
            { list }
            if app.baseline.is_some() { <p class="hint small">{"The baseline is kept in memory only: it is not autosaved, and a reload forgets it."}</p> }
        </section>
    }
}
