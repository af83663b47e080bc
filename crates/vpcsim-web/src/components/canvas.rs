//! The SVG diagram: VPC and subnet boxes, resource cards with security group badges, and
//! the packet at its current frame.

use crate::components::app::{AppContext, Derived};
use crate::layout::{CARD_H, CARD_W};
use yew::prelude::*;

/// The packet travels along the top edges of the cards, so it never hides their names.
const LIFT: f64 = CARD_H / 2.0 + 12.0;

/// The path travelled so far, one polyline per leg.
fn trail(frames: &[crate::layout::Frame], step: usize) -> Html {
    let upto = frames.iter().take(step + 1);
    let mut legs: Vec<(&str, String)> = Vec::new();
    for f in upto {
        let point = format!("{:.1},{:.1} ", f.at.x, f.at.y - LIFT);
        match legs.last_mut() {
            Some((leg, pts)) if *leg == f.leg => pts.push_str(&point),
            _ => legs.push((f.leg, point)),
        }
    }
    legs.into_iter().map(|(leg, pts)| html! { <polyline class={classes!("trail", leg)} points={pts} /> }).collect()
}

/// The network diagram.
#[component]
pub fn Canvas() -> Html {
    let state = use_context::<AppContext>();
    let derived = use_context::<Derived>();
    let (Some(state), Some(derived)) = (state, derived) else {
        return html! {};
    };
    let scene = &derived.scene;
    let frame = derived.frames.get(state.step.min(derived.frames.len().saturating_sub(1)));
    let view_box = format!("0 0 {} {}", scene.width, scene.height);
    html! {
        <svg class="canvas" role="img" aria-label="Diagram of the VPCs, subnets and resources" viewBox={view_box} width="100%" preserveAspectRatio="xMinYMin meet">
            <defs>
                <pattern id="grid" width="20" height="20" patternUnits="userSpaceOnUse">
                    <path d="M 20 0 L 0 0 0 20" class="grid-line" />
                </pattern>
            </defs>
            <rect x="0" y="0" width="100%" height="100%" fill="url(#grid)" />
            { for scene.vpcs.iter().map(|b| html! {
                <g class="vpc" role="group" aria-label={format!("VPC {} {}", b.title, b.subtitle)}>
                    <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="14" />
                    <text class="box-title" x={(b.x + 16.0).to_string()} y={(b.y + 26.0).to_string()}>{ format!("VPC {}", b.title) }</text>
                    <text class="box-sub" x={(b.x + b.w - 16.0).to_string()} y={(b.y + 26.0).to_string()} text-anchor="end">{ &b.subtitle }</text>
                </g>
            }) }
            { for scene.subnets.iter().map(|b| html! {
                <g class="subnet" role="group" aria-label={format!("Subnet {} {}", b.title, b.subtitle)}>
                    <rect x={b.x.to_string()} y={b.y.to_string()} width={b.w.to_string()} height={b.h.to_string()} rx="10" />
                    <text class="box-title" x={(b.x + 14.0).to_string()} y={(b.y + 24.0).to_string()}>{ format!("Subnet {}", b.title) }</text>
                    <text class="box-sub" x={(b.x + 14.0).to_string()} y={(b.y + 42.0).to_string()}>{ &b.subtitle }</text>
                    { for b.badges.iter().enumerate().map(|(k, badge)| html! {
                        <g class="badge subnet-badge">
                            <rect x={(b.x + b.w - 180.0).to_string()} y={(b.y + b.h - 52.0 + 22.0 * k as f64).to_string()} width="166" height="18" rx="9" />
                            <text x={(b.x + b.w - 97.0).to_string()} y={(b.y + b.h - 39.0 + 22.0 * k as f64).to_string()} text-anchor="middle">{ badge }</text>
                        </g>
                    }) }
                </g>
            }) }
            { for scene.cards.iter().map(|c| {
                let (x, y) = (c.at.x - CARD_W / 2.0, c.at.y - CARD_H / 2.0);
                html! {
                    <g class="card" role="group" aria-label={format!("{} {} {}", c.kind, c.name, c.address)} data-id={c.id.clone()}>
                        <rect x={x.to_string()} y={y.to_string()} width={CARD_W.to_string()} height={CARD_H.to_string()} rx="10" />
                        <text class="card-kind" x={(x + 10.0).to_string()} y={(y + 18.0).to_string()}>{ c.kind }</text>
                        <text class="card-name" x={(x + 10.0).to_string()} y={(y + 36.0).to_string()}>{ &c.name }</text>
                        <text class="card-addr" x={(x + 10.0).to_string()} y={(y + 51.0).to_string()}>{ &c.address }</text>
                        { for c.sgs.iter().enumerate().map(|(k, sg)| {
                            let w = 6.6 * sg.chars().count() as f64 + 16.0;
                            let by = y + CARD_H + 6.0 + 22.0 * k as f64;
                            html! {
                                <g class="badge sg-badge" aria-label={format!("security group {sg}")}>
                                    <rect x={(x + 4.0).to_string()} y={by.to_string()} width={w.to_string()} height="18" rx="9" />
                                    <text x={(x + 4.0 + w / 2.0).to_string()} y={(by + 13.0).to_string()} text-anchor="middle">{ sg }</text>
                                </g>
                            }
                        }) }
                    </g>
                }
            }) }
            { trail(&derived.frames, state.step) }
            { match frame {
                Some(f) => {
                    let style = format!("transform: translate({:.1}px, {:.1}px)", f.at.x, f.at.y - LIFT);
                    let status = match (f.passed, f.check.as_ref().map(|c| c.verdict)) {
                        (Some(false), _) | (None, Some(vpcsim_core::trace::Verdict::Deny)) => "dropped",
                        (Some(true), _) => "passed",
                        _ => "moving",
                    };
                    let mark = match status { "dropped" => "✗", "passed" => "✓", _ => "" };
                    html! {
                        <g class={classes!("packet", status, f.leg)} style={style} data-leg={f.leg}>
                            <circle r="11" />
                            <text class="packet-mark" y="5" text-anchor="middle">{ mark }</text>
                            <text class="packet-caption" x="16" y="-14">{ &f.short }</text>
                        </g>
                    }
                }
                None => html! {},
            } }
        </svg>
    }
}
