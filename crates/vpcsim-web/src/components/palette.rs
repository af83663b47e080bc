//! The palette: every resource the user can add. Drag an entry onto the canvas, or press
//! it (mouse or keyboard) to add it inside the selected VPC or subnet.

use crate::components::app::AppContext;
use crate::doc::{Edit, Palette as Entry};
use crate::state::Action;
use yew::prelude::*;

/// MIME type of palette drags; the value is [`Entry::slug`].
pub const DRAG_MIME: &str = "application/x-vpcsim-palette";

/// The palette rail.
#[component]
pub fn Palette() -> Html {
    let Some(state) = use_context::<AppContext>() else { return html! {} };
    let mut groups: Vec<(&str, Vec<Entry>)> = Vec::new();
    for e in Entry::ALL {
        match groups.iter_mut().find(|(g, _)| *g == e.group()) {
            Some((_, v)) => v.push(e),
            None => groups.push((e.group(), vec![e])),
        }
    }
    let near = state.selection.first().cloned();
    html! {
        <nav class="palette" aria-label="Add resources">
            <h2 class="palette-title">{"Add"}</h2>
            <p class="palette-help">{"Drag onto the canvas, or press to add inside the selection."}</p>
            { for groups.into_iter().map(|(group, entries)| html! {
                <section class="palette-group" aria-label={group}>
                    <h3>{ group }</h3>
                    <ul role="list">
                        { for entries.into_iter().map(|e| {
                            let onclick = {
                                let state = state.clone();
                                let near = near.clone();
                                Callback::from(move |_: MouseEvent| state.dispatch(Action::Edit(Edit::Add { what: e, at: None, near: near.clone() })))
                            };
                            let ondragstart = Callback::from(move |ev: DragEvent| {
                                if let Some(dt) = ev.data_transfer() {
                                    let _ = dt.set_data(DRAG_MIME, e.slug());
                                    let _ = dt.set_data("text/plain", e.slug());
                                    dt.set_effect_allowed("copy");
                                }
                            });
                            html! {
                                <li>
                                    <button type="button" class={classes!("palette-item", e.slug())} draggable="true" {onclick} {ondragstart}
                                        data-palette={e.slug()} aria-label={format!("Add {}", e.label())}>
                                        <span class="palette-glyph" aria-hidden="true">{ glyph(e) }</span>{ e.label() }
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                </section>
            }) }
        </nav>
    }
}

/// A glyph per entry (text, so it themes with the font colour).
pub fn glyph(e: Entry) -> &'static str {
    match e {
        Entry::Vpc => "▢",
        Entry::Subnet => "▭",
        Entry::Instance => "▣",
        Entry::Notebook => "✎",
        Entry::TrainingJob => "⚙",
        Entry::Endpoint => "◎",
        Entry::Domain => "⌂",
        Entry::NatGateway => "⇄",
        Entry::InternetGateway => "⇅",
        Entry::GatewayEndpoint | Entry::InterfaceEndpoint => "⊸",
        Entry::Peering => "⇌",
        Entry::SecurityGroup => "◈",
        Entry::NetworkAcl => "☰",
        Entry::RouteTable => "↦",
        Entry::InternetHost => "☁",
        Entry::Corporate => "▥",
        Entry::S3 => "◍",
        Entry::SageMakerApi | Entry::SageMakerRuntime => "◆",
    }
}
