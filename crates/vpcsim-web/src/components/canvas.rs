//! The SVG editor: VPC and subnet boxes, resource cards, gateways and connectors, the
//! packet of the sent probe and the packets of a bulk send.
//!
//! Every change goes through the reducer: clicks select, a drag is shown live with a
//! local offset and dispatched as ONE `MoveSelection` when the pointer is released (one
//! undo step), the resize handle dispatches one `Resize`, the camera is `state.camera`
//! applied as the SVG viewBox. Keyboard: every card and box is focusable; Enter or Space
//! selects (with Shift: toggles), arrows move the selection (Shift: by 50, Alt: resize a
//! box), Delete removes it, Ctrl+D duplicates it, `+` `-` `0` zoom, Escape clears.

use crate::components::app::{reduced_motion, AppContext, Derived};
use crate::components::palette::DRAG_MIME;
use crate::doc::{Edit, Palette, GRID};
use crate::layout::{auto_layout_all, badge_rows, BoxItem, Card, Frame, Point, Rect, Scene, BADGE_ROW, CARD_H, CARD_W};
use crate::state::{Action, SPEEDS};
use gloo::events::EventListener;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Milliseconds a bulk packet takes from one frame to the next, at speed 1.
const BULK_STEP_MS: f64 = 420.0;
/// Pointer travel (CSS pixels) before a press becomes a drag.
const DRAG_THRESHOLD: f64 = 3.0;

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// Cuts a text to about `max_px` at font size `px`, with an ellipsis.
fn fit(s: &str, max_px: f64, px: f64) -> String {
    let max = (max_px / (px * 0.56)).floor().max(2.0) as usize;
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

/// Short kind label and glyph of a card.
fn kind_short(c: &Card) -> (&'static str, &'static str) {
    match c.class {
        "instance" => ("EC2 instance", "▣"),
        "nat" => (if c.kind.starts_with("Private") { "Private NAT" } else { "NAT gateway" }, "⇄"),
        "vpce-interface" => ("Interface endpoint", "⊸"),
        "vpce-gateway" => ("Gateway endpoint", "⊸"),
        "notebook" => ("Notebook", "✎"),
        "training" => ("Training job", "⚙"),
        "processing" => ("Processing job", "⚙"),
        "endpoint" => ("Endpoint", "◎"),
        "domain" => ("Studio domain", "⌂"),
        "igw" => ("Internet gateway", "⇅"),
        "eigw" => ("Egress-only IGW", "↥"),
        "peering" => ("Peering", "⇌"),
        "tgw" => ("Transit gateway", "✣"),
        "external" => (if c.kind == "Corporate network" { "Corporate" } else { "External" }, "☁"),
        "internet" => ("Internet", "☁"),
        "service" => ("AWS service", if c.id == "service:s3" { "◍" } else { "◆" }),
        _ => (c.kind, "▢"),
    }
}

/// What screen readers announce for a card.
fn card_label(c: &Card) -> String {
    let mut s = format!("{} {}", c.kind, c.name);
    if !c.address.is_empty() {
        s.push(' ');
        s.push_str(&c.address);
    }
    if !c.sgs.is_empty() {
        s.push_str(&format!(", security group{} {}", if c.sgs.len() == 1 { "" } else { "s" }, c.sgs.join(", ")));
    }
    s
}

fn box_label(b: &BoxItem) -> String {
    match &b.parent {
        Some(_) => format!(
            "Subnet {}, {}, {}, {}",
            b.title,
            if b.public { "public" } else { "private" },
            b.subtitle,
            b.badges.iter().map(|x| x.replacen("RT", "route table", 1)).collect::<Vec<_>>().join(", ")
        ),
        None => format!("VPC {} {}", b.title, b.subtitle),
    }
}

/// The point the packet is drawn at: on the top edge of a card rather than over its name.
fn lift(scene: &Scene, p: Point) -> Point {
    if scene.cards.iter().any(|c| (c.at.x - p.x).abs() < 0.01 && (c.at.y - p.y).abs() < 0.01) {
        Point { x: p.x, y: p.y - CARD_H / 2.0 - 2.0 }
    } else {
        p
    }
}

/// Client (CSS pixel) coordinates to canvas coordinates, through the SVG's screen matrix.
fn client_to_canvas(svg: &NodeRef, x: f64, y: f64) -> Option<Point> {
    let el = svg.cast::<web_sys::SvgGraphicsElement>()?;
    let m = el.get_screen_ctm()?.inverse().ok()?;
    let (a, b, c, d, e, f) = (m.a() as f64, m.b() as f64, m.c() as f64, m.d() as f64, m.e() as f64, m.f() as f64);
    Some(Point { x: a * x + c * y + e, y: b * x + d * y + f })
}

/// What a box carries when it moves: the subnets and cards drawn inside it (the rule the
/// document's `Move` edit uses).
fn moving_set(scene: &Scene, refs: &[String]) -> BTreeSet<String> {
    let mut all: BTreeSet<String> = refs.iter().cloned().collect();
    for r in refs {
        let Some(b) = scene.find_box(r) else { continue };
        let inside = |x: f64, y: f64| x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h;
        all.extend(scene.subnets.iter().filter(|s| s.id != *r && inside(s.x + 1.0, s.y + 1.0)).map(|s| s.id.clone()));
        all.extend(scene.cards.iter().filter(|c| inside(c.at.x, c.at.y)).map(|c| c.id.clone()));
    }
    all
}

#[derive(Clone, Debug)]
enum DragKind {
    /// Moving the selection (and what the selected boxes contain).
    Move { moving: BTreeSet<String>, clicked: String, was_selected: bool },
    /// Panning the view (middle button, Space, or a drag on the background).
    Pan,
    /// A press on the background: a click clears the selection, a drag pans.
    Background,
    /// The resize handle of a box.
    Resize { id: String, w0: f64, h0: f64 },
    /// Rubber-band selection (Shift + drag on the background).
    Band,
}

#[derive(Clone, Debug)]
struct Drag {
    kind: DragKind,
    pointer: i32,
    start_client: (f64, f64),
    now_client: (f64, f64),
    start: Point,
    now: Point,
    moved: bool,
}

impl Drag {
    /// The offset of a move, in canvas units, snapped when snapping is on.
    fn delta(&self, snap: bool) -> (f64, f64) {
        let (dx, dy) = (self.now.x - self.start.x, self.now.y - self.start.y);
        if snap {
            ((dx / GRID).round() * GRID, (dy / GRID).round() * GRID)
        } else {
            (dx, dy)
        }
    }

    fn band(&self) -> Rect {
        let (x, y) = (self.start.x.min(self.now.x), self.start.y.min(self.now.y));
        Rect { x, y, w: (self.start.x - self.now.x).abs(), h: (self.start.y - self.now.y).abs() }
    }
}

/// The visible part of the canvas: the camera plus an ongoing pan.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    zoom: f64,
}

impl View {
    fn centre(&self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y + self.h / 2.0 }
    }
}

/// The network diagram.
#[component]
pub fn Canvas() -> Html {
    let state = use_context::<AppContext>();
    let derived = use_context::<Derived>();
    let svg = use_node_ref();
    let drag: Rc<RefCell<Option<Drag>>> = use_mut_ref(|| None);
    let space: Rc<Cell<bool>> = use_memo((), |_| Cell::new(false));
    let redraw = use_force_update();
    let size = use_state_eq(|| (960.0_f64, 620.0_f64));
    // Whether `size` is the SVG's real size yet (not the default above): fitting waits for it.
    let measured = use_state_eq(|| false);
    let drop_hover = use_state_eq(|| false);
    // Measure the SVG after every render and when the window is resized.
    {
        let svg = svg.clone();
        let size = size.clone();
        let measured = measured.clone();
        use_effect(move || {
            if let Some(el) = svg.cast::<web_sys::Element>() {
                let (w, h) = (f64::from(el.client_width()), f64::from(el.client_height()));
                if w > 0.0 && h > 0.0 {
                    size.set((w, h));
                    measured.set(true);
                }
            }
        });
    }
    {
        let svg = svg.clone();
        let size = size.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "resize", move |_| {
                    if let Some(el) = svg.cast::<web_sys::Element>() {
                        size.set((f64::from(el.client_width()).max(1.0), f64::from(el.client_height()).max(1.0)));
                    }
                })
            });
            move || drop(listener)
        });
    }
    let (Some(state), Some(derived)) = (state, derived) else {
        return html! {};
    };
    let scene = derived.scene.clone();
    // A scenario was opened: fit it in the view once the canvas has been measured (never
    // above 100 %).
    {
        let s = state.clone();
        let fit = (size.0 / scene.width.max(1.0)).min(size.1 / scene.height.max(1.0)).clamp(0.25, 1.0);
        use_effect_with((state.autofit, state.revision, (fit * 1000.0) as i64, *measured), move |(pending, _, _, measured)| {
            if *pending && *measured {
                s.dispatch(Action::Fit(fit));
            }
        });
    }
    let cam = state.camera;
    let zoom = cam.zoom.max(0.05);
    let current = drag.borrow().clone();
    let (pan_dx, pan_dy) = match &current {
        Some(Drag { kind: DragKind::Pan | DragKind::Background, moved: true, start_client, now_client, .. }) => {
            ((start_client.0 - now_client.0) / zoom, (start_client.1 - now_client.1) / zoom)
        }
        _ => (0.0, 0.0),
    };
    let view = View { x: cam.x + pan_dx, y: cam.y + pan_dy, w: size.0 / zoom, h: size.1 / zoom, zoom };
    let selected: BTreeSet<&str> = state.selection.iter().map(String::as_str).collect();
    // Live drag preview.
    let (moving, offset) = match &current {
        Some(d @ Drag { kind: DragKind::Move { moving, .. }, moved: true, .. }) => (moving.clone(), Some(d.delta(state.snap))),
        _ => (BTreeSet::new(), None),
    };
    let resizing = match &current {
        Some(d @ Drag { kind: DragKind::Resize { id, w0, h0 }, moved: true, .. }) => {
            Some((id.clone(), (w0 + d.now.x - d.start.x).max(160.0), (h0 + d.now.y - d.start.y).max(100.0)))
        }
        _ => None,
    };
    let size_of = |b: &BoxItem| match &resizing {
        Some((id, w, h)) if *id == b.id => (*w, *h),
        _ => (b.w, b.h),
    };

    // ---- Pointer handling ----
    let on_down = {
        let (state, drag, svg, redraw, scene, space) =
            (state.clone(), drag.clone(), svg.clone(), redraw.clone(), scene.clone(), space.clone());
        Callback::from(move |e: PointerEvent| {
            if e.button() == 2 {
                return;
            }
            // A press whose release was never seen (released outside the page) is dropped.
            drag.borrow_mut().take();
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let hit = target.as_ref().and_then(|el| el.closest("[data-id]").ok().flatten());
            if target.as_ref().and_then(|el| el.closest(".canvas-overlay").ok().flatten()).is_some() {
                return;
            }
            let id = hit.as_ref().and_then(|h| h.get_attribute("data-id"));
            let role = hit.as_ref().and_then(|h| h.get_attribute("data-kind"));
            let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
            let at = client_to_canvas(&svg, cx, cy).unwrap_or(Point { x: 0.0, y: 0.0 });
            let additive = e.shift_key() || e.ctrl_key() || e.meta_key();
            let kind = if e.button() == 1 || space.get() {
                e.prevent_default();
                DragKind::Pan
            } else {
                match (role.as_deref(), id) {
                    (Some("handle"), Some(id)) => match scene.find_box(&id) {
                        Some(b) => DragKind::Resize { id, w0: b.w, h0: b.h },
                        None => return,
                    },
                    (Some("card" | "box"), Some(id)) => {
                        if additive {
                            state.dispatch(Action::ToggleSelect(id));
                            return;
                        }
                        let was_selected = state.selection.contains(&id);
                        let refs = if was_selected {
                            state.selection.clone()
                        } else {
                            state.dispatch(Action::Select(vec![id.clone()]));
                            vec![id.clone()]
                        };
                        DragKind::Move { moving: moving_set(&scene, &refs), clicked: id, was_selected }
                    }
                    _ if e.shift_key() => DragKind::Band,
                    _ => DragKind::Background,
                }
            };
            if matches!(kind, DragKind::Pan) {
                if let Some(el) = svg.cast::<web_sys::Element>() {
                    let _ = el.set_pointer_capture(e.pointer_id());
                }
            }
            *drag.borrow_mut() = Some(Drag {
                kind,
                pointer: e.pointer_id(),
                start_client: (cx, cy),
                now_client: (cx, cy),
                start: at,
                now: at,
                moved: false,
            });
            redraw.force_update();
        })
    };
    let on_move = {
        let (drag, svg, redraw) = (drag.clone(), svg.clone(), redraw.clone());
        Callback::from(move |e: PointerEvent| {
            let mut guard = drag.borrow_mut();
            let Some(d) = guard.as_mut() else { return };
            if d.pointer != e.pointer_id() {
                return;
            }
            let (cx, cy) = (f64::from(e.client_x()), f64::from(e.client_y()));
            d.now_client = (cx, cy);
            if !matches!(d.kind, DragKind::Pan | DragKind::Background) {
                if let Some(p) = client_to_canvas(&svg, cx, cy) {
                    d.now = p;
                }
            }
            let dist = ((cx - d.start_client.0).powi(2) + (cy - d.start_client.1).powi(2)).sqrt();
            if dist > DRAG_THRESHOLD && !d.moved {
                d.moved = true;
                // Captured only now, so that a plain click still focuses what it hit.
                if let Some(el) = svg.cast::<web_sys::Element>() {
                    let _ = el.set_pointer_capture(d.pointer);
                }
            }
            let show = d.moved;
            drop(guard);
            if show {
                redraw.force_update();
            }
        })
    };
    let on_up = {
        let (state, drag, svg, redraw, scene) = (state.clone(), drag.clone(), svg.clone(), redraw.clone(), scene.clone());
        Callback::from(move |e: PointerEvent| {
            let d = {
                let mut guard = drag.borrow_mut();
                match guard.as_ref() {
                    Some(d) if d.pointer == e.pointer_id() => guard.take(),
                    _ => None,
                }
            };
            let Some(d) = d else { return };
            if let Some(el) = svg.cast::<web_sys::Element>() {
                if el.has_pointer_capture(d.pointer) {
                    let _ = el.release_pointer_capture(d.pointer);
                }
            }
            let zoom = state.camera.zoom.max(0.05);
            match &d.kind {
                DragKind::Move { clicked, was_selected, .. } => {
                    if d.moved {
                        let (dx, dy) = d.delta(false);
                        if dx != 0.0 || dy != 0.0 {
                            state.dispatch(Action::MoveSelection { dx, dy });
                        }
                    } else if *was_selected && state.selection.len() > 1 {
                        state.dispatch(Action::Select(vec![clicked.clone()]));
                    }
                }
                DragKind::Pan | DragKind::Background => {
                    if d.moved {
                        let (dx, dy) = ((d.start_client.0 - d.now_client.0) / zoom, (d.start_client.1 - d.now_client.1) / zoom);
                        state.dispatch(Action::Pan { dx, dy });
                    } else if matches!(d.kind, DragKind::Background) && !state.selection.is_empty() {
                        state.dispatch(Action::Select(vec![]));
                    }
                }
                DragKind::Resize { id, w0, h0 } => {
                    if d.moved {
                        let (w, h) = (w0 + d.now.x - d.start.x, h0 + d.now.y - d.start.y);
                        state.dispatch(Action::Edit(Edit::Resize { reference: id.clone(), w, h }));
                    }
                }
                DragKind::Band => {
                    if d.moved {
                        let band = d.band();
                        let mut refs = state.selection.clone();
                        let inside = scene.cards.iter().filter(|c| band.contains(c.at)).map(|c| c.id.clone()).chain(
                            scene.subnets.iter().chain(scene.vpcs.iter()).filter(|b| band.contains_rect(&b.rect())).map(|b| b.id.clone()),
                        );
                        for r in inside {
                            if !refs.contains(&r) {
                                refs.push(r);
                            }
                        }
                        state.dispatch(Action::Select(refs));
                    }
                }
            }
            redraw.force_update();
        })
    };
    let on_cancel = {
        let (drag, redraw) = (drag.clone(), redraw.clone());
        Callback::from(move |_: PointerEvent| {
            if drag.borrow_mut().take().is_some() {
                redraw.force_update();
            }
        })
    };
    let on_wheel = {
        let (state, svg) = (state.clone(), svg.clone());
        Callback::from(move |e: WheelEvent| {
            let k = match e.delta_mode() {
                1 => 16.0,
                2 => 400.0,
                _ => 1.0,
            };
            let (dx, dy) = (e.delta_x() * k, e.delta_y() * k);
            e.prevent_default();
            if e.ctrl_key() || e.meta_key() {
                let factor = (-dy * 0.0015).exp().clamp(0.5, 2.0);
                let around = client_to_canvas(&svg, f64::from(e.client_x()), f64::from(e.client_y()));
                state.dispatch(Action::Zoom { factor, around });
            } else {
                let z = state.camera.zoom.max(0.05);
                let (dx, dy) = if e.shift_key() && dx == 0.0 { (dy, 0.0) } else { (dx, dy) };
                state.dispatch(Action::Pan { dx: dx / z, dy: dy / z });
            }
        })
    };

    // ---- Drop from the palette ----
    let on_dragover = {
        let drop_hover = drop_hover.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
            drop_hover.set(true);
        })
    };
    let on_dragleave = {
        let drop_hover = drop_hover.clone();
        Callback::from(move |_: DragEvent| drop_hover.set(false))
    };
    let on_drop = {
        let (state, svg, drop_hover) = (state.clone(), svg.clone(), drop_hover.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            drop_hover.set(false);
            let Some(dt) = e.data_transfer() else { return };
            let slug = dt.get_data(DRAG_MIME).ok().filter(|s| !s.is_empty()).or_else(|| dt.get_data("text/plain").ok());
            let Some(what) = slug.as_deref().and_then(Palette::from_slug) else { return };
            let at = client_to_canvas(&svg, f64::from(e.client_x()), f64::from(e.client_y()));
            state.dispatch(Action::Edit(Edit::Add { what, at, near: None }));
        })
    };

    // ---- Keyboard ----
    let zoom_by = {
        let state = state.clone();
        move |factor: f64| state.dispatch(Action::Zoom { factor, around: Some(view.centre()) })
    };
    let on_key = {
        let (state, scene, space, zoom_by, svg) = (state.clone(), scene.clone(), space.clone(), zoom_by.clone(), svg.clone());
        let endpoints = derived.endpoints.clone();
        Callback::from(move |e: KeyboardEvent| {
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let id = target
                .and_then(|el| el.closest("[data-kind=card], [data-kind=box]").ok().flatten())
                .and_then(|el| el.get_attribute("data-id"));
            let ctrl = e.ctrl_key() || e.meta_key();
            let key = e.key();
            let step = if e.shift_key() { 50.0 } else { 10.0 };
            let arrow = match key.as_str() {
                "ArrowLeft" => Some((-step, 0.0)),
                "ArrowRight" => Some((step, 0.0)),
                "ArrowUp" => Some((0.0, -step)),
                "ArrowDown" => Some((0.0, step)),
                _ => None,
            };
            if let Some((dx, dy)) = arrow {
                if ctrl {
                    return;
                }
                e.prevent_default();
                if state.selection.is_empty() {
                    state.dispatch(Action::Pan { dx: dx * 4.0, dy: dy * 4.0 });
                } else if e.alt_key() {
                    for r in &state.selection {
                        if let Some(b) = scene.find_box(r) {
                            state.dispatch(Action::Edit(Edit::Resize { reference: r.clone(), w: b.w + dx, h: b.h + dy }));
                        }
                    }
                } else {
                    state.dispatch(Action::MoveSelection { dx, dy });
                }
                return;
            }
            match (key.as_str(), id) {
                ("f" | "F" | "t" | "T", Some(id)) if !ctrl && !e.alt_key() => {
                    let as_source = key.eq_ignore_ascii_case("f");
                    let Some(card) = scene.card(&id) else { return };
                    let (from, to) = endpoint_roles(&endpoints, card);
                    if (as_source && from) || (!as_source && to) {
                        e.prevent_default();
                        state.dispatch(Action::PickEndpoint { reference: id, as_source });
                    }
                }
                ("ContextMenu", Some(id)) | ("F10", Some(id)) if key == "ContextMenu" || e.shift_key() => {
                    e.prevent_default();
                    state.dispatch(Action::Select(vec![id]));
                    gloo::timers::callback::Timeout::new(0, || {
                        let button = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.query_selector("#canvas-actions button").ok().flatten())
                            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
                        if let Some(b) = button {
                            let _ = b.focus();
                        }
                    })
                    .forget();
                }
                ("Enter" | " ", Some(id)) => {
                    e.prevent_default();
                    if e.shift_key() || ctrl {
                        state.dispatch(Action::ToggleSelect(id));
                    } else {
                        state.dispatch(Action::Select(vec![id]));
                    }
                    if key == " " {
                        space.set(true);
                    }
                }
                (" ", None) => {
                    e.prevent_default();
                    space.set(true);
                }
                ("Delete" | "Backspace", _) if !state.selection.is_empty() => {
                    e.prevent_default();
                    state.dispatch(Action::DeleteSelection);
                    // The focused card is gone: keep the keyboard on the canvas.
                    if let Some(el) = svg.cast::<web_sys::SvgElement>() {
                        let _ = el.focus();
                    }
                }
                ("d" | "D", _) if ctrl => {
                    e.prevent_default();
                    state.dispatch(Action::DuplicateSelection);
                }
                ("+" | "=", _) if !ctrl => {
                    e.prevent_default();
                    zoom_by(1.25);
                }
                ("-" | "_", _) if !ctrl => {
                    e.prevent_default();
                    zoom_by(0.8);
                }
                ("0", _) if !ctrl => {
                    e.prevent_default();
                    state.dispatch(Action::ResetView);
                }
                ("Escape", _) => {
                    e.prevent_default();
                    state.dispatch(Action::Select(vec![]));
                }
                _ => {}
            }
        })
    };
    let on_keyup = {
        let space = space.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == " " {
                space.set(false);
            }
        })
    };
    let on_blur = {
        let space = space.clone();
        Callback::from(move |_: FocusEvent| space.set(false))
    };

    // ---- Drawing ----
    let grid_class = if zoom < 0.5 { "canvas-bg sparse" } else { "canvas-bg" };
    // Resize handles of the selected boxes.
    let handles = scene.vpcs.iter().chain(scene.subnets.iter()).filter(|b| selected.contains(b.id.as_str())).map(|b| {
        let (w, h) = size_of(b);
        let (dx, dy) = if moving.contains(&b.id) { offset.unwrap_or((0.0, 0.0)) } else { (0.0, 0.0) };
        html! {
            <rect key={format!("handle-{}", b.id)} class="resize-handle" data-id={b.id.clone()} data-kind="handle"
                x={n(b.x + w - 12.0 + dx)} y={n(b.y + h - 12.0 + dy)} width="14" height="14" rx="3">
                <title>{"Drag to resize (Alt+arrow keys)"}</title>
            </rect>
        }
    });
    let bulk_on = !derived.bulk.is_empty();
    let packet = if bulk_on {
        html! {}
    } else {
        packet_view(&scene, &derived.frames, state.step)
    };
    let band = match &current {
        Some(d @ Drag { kind: DragKind::Band, moved: true, .. }) => {
            let r = d.band();
            html! { <rect class="band-select" x={n(r.x)} y={n(r.y)} width={n(r.w)} height={n(r.h)} /> }
        }
        _ => html! {},
    };
    let view_box = format!("{} {} {} {}", n(view.x), n(view.y), n(view.w), n(view.h));
    let dragging = current.as_ref().is_some_and(|d| d.moved);
    let panning = current.as_ref().is_some_and(|d| matches!(d.kind, DragKind::Pan | DragKind::Background) && d.moved);

    // ---- Overlays: toolbar, context actions ----
    let toolbar = {
        let (s1, s2, s3, s4, s5) = (state.clone(), state.clone(), state.clone(), state.clone(), state.clone());
        let (zi, zo) = (zoom_by.clone(), zoom_by.clone());
        let doc = state.scenario.clone();
        let (sw, sh, vw, vh) = (scene.width, scene.height, size.0, size.1);
        html! {
            <div class="canvas-overlay canvas-toolbar" role="toolbar" aria-label="View">
                <button type="button" onclick={Callback::from(move |_| zo(0.8))} aria-label="Zoom out" title="Zoom out (-)">{"−"}</button>
                <button type="button" class="zoom-level" onclick={Callback::from(move |_| s1.dispatch(Action::ResetView))}
                    aria-label={format!("Zoom {:.0} %, reset the view", zoom * 100.0)} title="Reset the view (0)">{ format!("{:.0}%", zoom * 100.0) }</button>
                <button type="button" onclick={Callback::from(move |_| zi(1.25))} aria-label="Zoom in" title="Zoom in (+)">{"+"}</button>
                <button type="button" onclick={Callback::from(move |_| {
                    s2.dispatch(Action::Fit((vw / sw.max(1.0)).min(vh / sh.max(1.0)).clamp(0.25, 1.5)));
                })} title="Fit the diagram in the view">{"Fit"}</button>
                <button type="button" onclick={Callback::from(move |_| {
                    if let Ok(value) = serde_json::to_value(auto_layout_all(&doc)) {
                        s3.dispatch(Action::Edit(Edit::Set { pointer: "/layout".into(), value }));
                    }
                })} title="Lay everything out automatically (undo restores the layout)">{"Tidy up"}</button>
                <button type="button" aria-pressed={s4.snap.to_string()} onclick={Callback::from(move |_| s5.dispatch(Action::ToggleSnap))}
                    title="Snap moves to the 10-unit grid">{"Snap"}</button>
            </div>
        }
    };
    let context = context_actions(&state, &derived, &scene, view, dragging);
    let bulk_status = bulk_on.then(|| {
        let ok = derived.bulk.iter().filter(|f| f.last().and_then(|x| x.passed) == Some(true)).count();
        let bad = derived.bulk.len() - ok;
        html! { <div class="canvas-overlay bulk-status" role="status">{ format!("{} packets: {ok} delivered, {bad} dropped", derived.bulk.len()) }</div> }
    });
    let empty = (scene.vpcs.is_empty() && scene.cards.is_empty()).then(|| {
        html! { <p class="canvas-overlay canvas-empty">{"Drag a VPC from the palette onto the canvas to start."}</p> }
    });
    let speed = SPEEDS.get(state.speed).copied().unwrap_or(1.0);
    html! {
        <div class={classes!("canvas-wrap", (*drop_hover).then_some("drop-hover"))}>
            <p id="canvas-help" class="visually-hidden">
                {"Tab to a resource, Enter or Space selects it, Shift+Enter adds it to the selection; F sends a packet from it, T sends one to it, Shift+F10 opens its packet actions. Arrow keys move the selection (Shift: faster, Alt: resize a box), Delete removes it, Ctrl+D duplicates it, Escape clears it. Plus and minus zoom, 0 resets the view. Drag the background to pan, Shift+drag to select an area, Ctrl+wheel to zoom."}
            </p>
            <svg id="canvas" ref={svg.clone()} class={classes!("canvas", dragging.then_some("dragging"), panning.then_some("panning"))}
                role="group" aria-roledescription="network diagram" aria-label="Network diagram" aria-describedby="canvas-help"
                tabindex="0" viewBox={view_box} preserveAspectRatio="xMinYMin meet"
                onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up} onpointercancel={on_cancel.clone()} onlostpointercapture={on_cancel}
                onwheel={on_wheel} ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}
                onkeydown={on_key} onkeyup={on_keyup} onblur={on_blur}>
                <defs>
                    <pattern id="grid" width="20" height="20" patternUnits="userSpaceOnUse">
                        <path d="M 20 0 L 0 0 0 20" class="grid-line" />
                    </pattern>
                    <pattern id="grid-major" width="100" height="100" patternUnits="userSpaceOnUse">
                        <rect width="100" height="100" fill="url(#grid)" />
                        <path d="M 100 0 L 0 0 0 100" class="grid-line major" />
                    </pattern>
                </defs>
                <rect class={grid_class} x={n(view.x)} y={n(view.y)} width={n(view.w)} height={n(view.h)} />
                <Layers scene={Shared(scene.clone())} doc={Shared(state.scenario.clone())} selection={state.selection.clone()}
                    moving={moving.clone()} {offset} resizing={resizing.clone()} dispatch={state.dispatcher()} />
                <g class="layer handles">{ for handles }</g>
                <g class="layer packets" aria-hidden="true">
                    { packet }
                    { if bulk_on { html! { <BulkPackets frames={derived.bulk.clone()} scene={scene.clone()} {speed} /> } } else { html! {} } }
                </g>
                { band }
            </svg>
            { context }
            { toolbar }
            { bulk_status.unwrap_or_default() }
            { empty.unwrap_or_default() }
        </div>
    }
}

/// Whether a card can be a packet's source and destination.
fn endpoint_roles(endpoints: &[(String, String)], c: &Card) -> (bool, bool) {
    let known = endpoints.iter().any(|(x, _)| *x == c.id);
    let service = c.id.starts_with("service:");
    (known && !service, known || service || c.class == "external")
}

/// "Send from here" / "Send to here" next to the one selected card.
fn context_actions(state: &AppContext, derived: &Derived, scene: &Scene, view: View, dragging: bool) -> Html {
    if dragging || state.selection.len() != 1 {
        return html! {};
    }
    let Some(c) = state.selection.first().and_then(|id| scene.card(id)) else { return html! {} };
    let (can_send, can_receive) = endpoint_roles(&derived.endpoints, c);
    if !can_send && !can_receive {
        return html! {};
    }
    let foot = c.footprint();
    let left = (foot.x - view.x) * view.zoom;
    let top = (foot.bottom() + 4.0 - view.y) * view.zoom;
    if left < -200.0 || top < -40.0 || left > view.w * view.zoom || top > view.h * view.zoom {
        return html! {};
    }
    let pick = |as_source: bool| {
        let state = state.clone();
        let reference = c.id.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::PickEndpoint { reference: reference.clone(), as_source }))
    };
    html! {
        <div id="canvas-actions" class="canvas-overlay context-actions" style={format!("left: {left:.0}px; top: {top:.0}px")} role="group"
            aria-label={format!("Packet actions for {}", c.name)}>
            { if can_send { html! { <button type="button" onclick={pick(true)} aria-keyshortcuts="F" title="Send from here (F)">{"Send from here"}</button> } } else { html! {} } }
            { if can_receive { html! { <button type="button" onclick={pick(false)} aria-keyshortcuts="T" title="Send to here (T)">{"Send to here"}</button> } } else { html! {} } }
        </div>
    }
}

/// The trail so far (one polyline per leg) and the packet at the current frame.
fn packet_view(scene: &Scene, frames: &[Frame], step: usize) -> Html {
    if frames.is_empty() {
        return html! {};
    }
    let step = step.min(frames.len() - 1);
    let mut legs: Vec<(&str, String)> = Vec::new();
    for f in frames.iter().take(step + 1) {
        let p = lift(scene, f.at);
        let point = format!("{:.1},{:.1} ", p.x, p.y);
        match legs.last_mut() {
            Some((leg, pts)) if *leg == f.leg => pts.push_str(&point),
            _ => legs.push((f.leg, point)),
        }
    }
    let trail: Html = legs.into_iter().map(|(leg, pts)| html! { <polyline class={classes!("trail", leg)} points={pts} /> }).collect();
    let Some(f) = frames.get(step) else { return trail };
    let p = lift(scene, f.at);
    let style = format!("transform: translate({:.1}px, {:.1}px)", p.x, p.y);
    let status = match (f.passed, f.check.as_ref().map(|c| c.verdict)) {
        (Some(false), _) | (None, Some(vpcsim_core::trace::Verdict::Deny)) => "dropped",
        (Some(true), _) => "passed",
        _ => "moving",
    };
    let mark = match status {
        "dropped" => "✗",
        "passed" => "✓",
        _ => "",
    };
    html! {
        <>
            { trail }
            <g class={classes!("packet", status, f.leg)} style={style} data-leg={f.leg}>
                <circle r="11" />
                <text class="packet-mark" y="5" text-anchor="middle">{ mark }</text>
                <text class="packet-caption" x="16" y="-14">{ &f.short }</text>
            </g>
        </>
    }
}

/// The animation frame callback, holding itself to schedule the next frame.
type FrameLoop = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Properties of [`BulkPackets`].
#[derive(Properties, PartialEq)]
pub struct BulkProps {
    /// One frame list per packet.
    pub frames: Rc<Vec<Vec<Frame>>>,
    /// The scene, to draw packets on the top edge of cards.
    #[prop_or_default]
    pub scene: Rc<Scene>,
    /// Speed factor (1 is the default pace).
    #[prop_or(1.0)]
    pub speed: f64,
}

/// One packet of a bulk send: its path and how it ends.
#[derive(PartialEq)]
struct BulkPath {
    points: Vec<Point>,
    delivered: bool,
}

fn lerp(a: Point, b: Point, t: f64) -> Point {
    Point { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }
}

fn ease(t: f64) -> f64 {
    t * t * (3.0 - 2.0 * t)
}

impl BulkPath {
    /// Where the packet is `ms` after its start, and whether it has arrived.
    fn at(&self, ms: f64, step_ms: f64) -> (Point, bool) {
        let fallback = Point { x: 0.0, y: 0.0 };
        let last = self.points.len().saturating_sub(1);
        let f = (ms / step_ms).max(0.0);
        let seg = f.floor() as usize;
        if seg >= last {
            return (self.points.last().copied().unwrap_or(fallback), true);
        }
        let (a, b) = (self.points.get(seg).copied().unwrap_or(fallback), self.points.get(seg + 1).copied().unwrap_or(fallback));
        (lerp(a, b, ease(f - seg as f64)), false)
    }
}

/// Many packets at once (bulk send), driven by one `requestAnimationFrame` loop that only
/// writes `transform` and `class` attributes through node refs: no re-render per frame.
#[component]
pub fn BulkPackets(props: &BulkProps) -> Html {
    let paths: Rc<Vec<BulkPath>> = use_memo((props.frames.clone(), props.scene.clone()), |(frames, scene)| {
        frames
            .iter()
            .map(|f| BulkPath {
                points: f.iter().map(|x| lift(scene, x.at)).collect(),
                delivered: f.last().and_then(|x| x.passed) == Some(true),
            })
            .collect::<Vec<_>>()
    });
    let refs: Rc<Vec<NodeRef>> = use_memo(paths.len(), |k| (0..*k).map(|_| NodeRef::default()).collect::<Vec<_>>());
    let still = reduced_motion();
    {
        let (paths, refs) = (paths.clone(), refs.clone());
        let step_ms = BULK_STEP_MS / props.speed.max(0.1);
        use_effect_with((paths.clone(), props.speed), move |_| {
            let handle: FrameLoop = Rc::new(RefCell::new(None));
            let pending: Rc<Cell<Option<i32>>> = Rc::new(Cell::new(None));
            if !still {
                let start: Rc<Cell<Option<f64>>> = Rc::new(Cell::new(None));
                let (h2, p2) = (handle.clone(), pending.clone());
                let tick = move |now: f64| {
                    let t0 = start.get().unwrap_or(now);
                    start.set(Some(t0));
                    let mut all_done = true;
                    for (i, (path, r)) in paths.iter().zip(refs.iter()).enumerate() {
                        let stagger = 60.0 * (i % 12) as f64;
                        let (p, done) = path.at(now - t0 - stagger, step_ms);
                        all_done &= done;
                        if let Some(el) = r.cast::<web_sys::Element>() {
                            let _ = el.set_attribute("transform", &format!("translate({:.1} {:.1})", p.x, p.y));
                            let class = match (done, path.delivered) {
                                (false, _) => "bulk-packet moving",
                                (true, true) => "bulk-packet delivered",
                                (true, false) => "bulk-packet dropped",
                            };
                            let _ = el.set_attribute("class", class);
                        }
                    }
                    p2.set(None);
                    if !all_done {
                        if let (Some(w), Some(cb)) = (web_sys::window(), h2.borrow().as_ref()) {
                            p2.set(w.request_animation_frame(cb.as_ref().unchecked_ref()).ok());
                        }
                    }
                };
                *handle.borrow_mut() = Some(Closure::new(tick));
                if let (Some(w), Some(cb)) = (web_sys::window(), handle.borrow().as_ref()) {
                    pending.set(w.request_animation_frame(cb.as_ref().unchecked_ref()).ok());
                }
            }
            move || {
                if let (Some(id), Some(w)) = (pending.take(), web_sys::window()) {
                    let _ = w.cancel_animation_frame(id);
                }
                // Breaks the closure's reference to itself.
                handle.borrow_mut().take();
            }
        });
    }
    html! {
        <g class="bulk">
            { for paths.iter().zip(refs.iter()).enumerate().map(|(i, (p, r))| {
                let (at, class) = if still {
                    (p.points.last().copied(), if p.delivered { "bulk-packet delivered" } else { "bulk-packet dropped" })
                } else {
                    (p.points.first().copied(), "bulk-packet moving")
                };
                let at = at.unwrap_or(Point { x: 0.0, y: 0.0 });
                html! {
                    <g key={i} ref={r.clone()} class={class} transform={format!("translate({:.1} {:.1})", at.x, at.y)}>
                        <circle r="8" />
                    </g>
                }
            }) }
        </g>
    }
}

/// A value shared by `Rc`, equal only to itself: props of a large derived value (the
/// scene, the document) compare in constant time, and a new value is a new `Rc`.
#[derive(Clone)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct LayersProps {
    scene: Shared<Scene>,
    /// The document, for which badges name something selectable.
    doc: Shared<vpcsim_core::Scenario>,
    selection: Vec<String>,
    /// What a live drag moves, and by how much.
    moving: BTreeSet<String>,
    offset: Option<(f64, f64)>,
    /// A box being resized, with its live size.
    resizing: Option<(String, f64, f64)>,
    dispatch: UseReducerDispatcher<crate::state::AppState>,
}

/// The diagram's boxes, connectors and cards. A component of its own so that a change
/// of view only (pan, zoom: the SVG's viewBox) does not rebuild them: with 5,000
/// interfaces that is tens of thousands of nodes.
#[component]
fn Layers(props: &LayersProps) -> Html {
    let scene = &props.scene.0;
    let doc = &props.doc.0;
    let selected: BTreeSet<&str> = props.selection.iter().map(String::as_str).collect();
    let (moving, offset) = (&props.moving, props.offset);
    let shift_of = |id: &str| if moving.contains(id) { offset.map(|(dx, dy)| format!("translate({} {})", n(dx), n(dy))) } else { None };
    let size_of = |b: &BoxItem| match &props.resizing {
        Some((id, w, h)) if *id == b.id => (*w, *h),
        _ => (b.w, b.h),
    };
    let vpcs = scene.vpcs.iter().map(|b| {
        let (w, h) = size_of(b);
        let sel = selected.contains(b.id.as_str());
        // The title moves below the top edge when a gateway sits over it.
        let title = fit(&format!("VPC {}", b.title), (w - 40.0).max(60.0), 13.0);
        let title_rect = Rect {
            x: b.x + 10.0,
            y: b.y + 10.0,
            w: 13.0 * 0.56 * (title.chars().count() + b.subtitle.chars().count()) as f64 + 30.0,
            h: 22.0,
        };
        let covered = scene.cards.iter().any(|c| c.rect().overlaps(&title_rect));
        let title_y = if covered { b.y + 44.0 } else { b.y + 26.0 };
        html! {
            <g key={b.id.clone()} class={classes!("vpc", sel.then_some("selected"))} data-id={b.id.clone()} data-kind="box"
                tabindex="0" role="button" aria-label={box_label(b)} aria-pressed={sel.to_string()} transform={shift_of(&b.id)}>
                <rect class="body" x={n(b.x)} y={n(b.y)} width={n(w)} height={n(h)} rx="14" />
                <text class="box-title" x={n(b.x + 16.0)} y={n(title_y)}>
                    { title }
                    <tspan class="box-sub" dx="10">{ &b.subtitle }</tspan>
                </text>
            </g>
        }
    });
    let links = scene.links.iter().map(|l| {
        let (mx, my) = shift_of(&l.from).map(|_| offset.unwrap_or((0.0, 0.0))).unwrap_or((0.0, 0.0));
        let (vx, vy) = shift_of(&l.to).map(|_| offset.unwrap_or((0.0, 0.0))).unwrap_or((0.0, 0.0));
        html! { <line class="link" x1={n(l.a.x + mx)} y1={n(l.a.y + my)} x2={n(l.b.x + vx)} y2={n(l.b.y + vy)} /> }
    });
    let subnets = scene.subnets.iter().map(|b| {
        let (w, h) = size_of(b);
        let sel = selected.contains(b.id.as_str());
        let tag = if b.public { "public" } else { "private" };
        let tag_w = if b.public { 52.0 } else { 58.0 };
        let mut bx = b.x + 16.0;
        let badges: Html = b
            .badges
            .iter()
            .map(|badge| {
                let text = fit(badge, 150.0, 10.5);
                let bw = 6.3 * text.chars().count() as f64 + 14.0;
                let x = bx;
                bx += bw + 6.0;
                let target = badge.split_once(' ').map(|(_, id)| id.to_owned()).filter(|id| doc.network.route_tables.iter().any(|t| &t.id == id) || doc.network.network_acls.iter().any(|a| &a.id == id));
                let (onclick, onpointerdown) = badge_select(&props.dispatch, target.clone());
                html! {
                    <g class={classes!("badge", "subnet-badge", target.is_some().then_some("selectable"))} {onclick} {onpointerdown} data-select={target.clone()}>
                        <title>{ format!("{badge}: click to inspect") }</title>
                        <rect x={n(x)} y={n(b.y + 46.0)} width={n(bw)} height="17" rx="8.5" />
                        <text x={n(x + bw / 2.0)} y={n(b.y + 58.5)} text-anchor="middle">{ text }</text>
                    </g>
                }
            })
            .collect();
        html! {
            <g key={b.id.clone()} class={classes!("subnet", tag, sel.then_some("selected"))} data-id={b.id.clone()} data-kind="box"
                tabindex="0" role="button" aria-label={box_label(b)} aria-pressed={sel.to_string()} transform={shift_of(&b.id)}>
                <rect class="body" x={n(b.x)} y={n(b.y)} width={n(w)} height={n(h)} rx="10" />
                <rect class="band" x={n(b.x)} y={n(b.y)} width="6" height={n(h)} rx="3" />
                <text class="box-title" x={n(b.x + 16.0)} y={n(b.y + 21.0)}>{ fit(&format!("Subnet {}", b.title), (w - tag_w - 40.0).max(40.0), 13.0) }</text>
                <g class="tag">
                    <rect x={n(b.x + w - tag_w - 10.0)} y={n(b.y + 8.0)} width={n(tag_w)} height="18" rx="9" />
                    <text x={n(b.x + w - tag_w / 2.0 - 10.0)} y={n(b.y + 21.0)} text-anchor="middle">{ tag }</text>
                </g>
                <text class="box-sub" x={n(b.x + 16.0)} y={n(b.y + 38.0)}>{ fit(&b.subtitle, w - 30.0, 12.0) }</text>
                { badges }
            </g>
        }
    });
    let cards = scene.cards.iter().map(|c| {
        let sel = selected.contains(c.id.as_str());
        let (x, y) = (c.at.x - CARD_W / 2.0, c.at.y - CARD_H / 2.0);
        let (short, glyph) = kind_short(c);
        let rows = badge_rows(c.sgs.len());
        let sg_badges: Html = (0..rows)
            .map(|k| {
                let text = if k + 1 == rows && c.sgs.len() > rows {
                    format!("+{} more", c.sgs.len() - k)
                } else {
                    c.sgs.get(k).map(|s| fit(s, CARD_W - 16.0, 10.5)).unwrap_or_default()
                };
                let w = (6.3 * text.chars().count() as f64 + 16.0).min(CARD_W);
                let by = y + CARD_H + 4.0 + BADGE_ROW * k as f64;
                let target = c.sgs.get(k).filter(|_| !(k + 1 == rows && c.sgs.len() > rows)).cloned();
                let (onclick, onpointerdown) = badge_select(&props.dispatch, target.clone());
                html! {
                    <g class={classes!("badge", "sg-badge", target.is_some().then_some("selectable"))} {onclick} {onpointerdown} data-select={target.clone()}>
                        <rect x={n(x + 4.0)} y={n(by)} width={n(w)} height="17" rx="8.5" />
                        <text x={n(x + 4.0 + w / 2.0)} y={n(by + 12.5)} text-anchor="middle">{ text }</text>
                    </g>
                }
            })
            .collect();
        html! {
            <g key={c.id.clone()} class={classes!("card", c.class, sel.then_some("selected"))} data-id={c.id.clone()} data-kind="card"
                tabindex="0" role="button" aria-label={card_label(c)} aria-pressed={sel.to_string()} transform={shift_of(&c.id)}>
                <title>{ format!("{} {} ({})", c.kind, c.name, c.id) }</title>
                <rect class="body" x={n(x)} y={n(y)} width={n(CARD_W)} height={n(CARD_H)} rx="10" />
                <rect class="accent" x={n(x)} y={n(y + 8.0)} width="4" height={n(CARD_H - 16.0)} rx="2" />
                <text class="card-glyph" x={n(x + 12.0)} y={n(y + 19.0)} aria-hidden="true">{ glyph }</text>
                <text class="card-kind" x={n(x + 30.0)} y={n(y + 18.0)}>{ fit(short, CARD_W - 36.0, 10.5) }</text>
                <text class="card-name" x={n(x + 12.0)} y={n(y + 37.0)}>{ fit(&c.name, CARD_W - 20.0, 13.0) }</text>
                <text class="card-addr" x={n(x + 12.0)} y={n(y + 51.0)}>{ fit(&c.address, CARD_W - 20.0, 11.0) }</text>
                { sg_badges }
            </g>
        }
    });
    html! {
        <>
            <g class="layer vpcs">{ for vpcs }</g>
            <g class="layer links" aria-hidden="true">{ for links }</g>
            <g class="layer subnets">{ for subnets }</g>
            <g class="layer cards">{ for cards }</g>
        </>
    }
}

/// A badge (security group, route table, NACL) selects what it names on click; the press
/// does not start dragging the card or box under it. Keyboard users reach the same items
/// from the inspector's resource list.
fn badge_select(
    dispatch: &UseReducerDispatcher<crate::state::AppState>,
    target: Option<String>,
) -> (Callback<MouseEvent>, Callback<PointerEvent>) {
    let s = dispatch.clone();
    let t = target.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if let Some(id) = &t {
            e.stop_propagation();
            s.dispatch(Action::Select(vec![id.clone()]));
            s.dispatch(Action::SetTab(crate::state::Tab::Inspector));
        }
    });
    let onpointerdown = Callback::from(move |e: PointerEvent| {
        if target.is_some() {
            e.stop_propagation();
        }
    });
    (onclick, onpointerdown)
}
