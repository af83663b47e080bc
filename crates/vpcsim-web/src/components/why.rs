//! "What blocks this?" and "What allows this?" under the explanation: every setting that
//! stops the sent packet, each with the smallest change that lets it through (one click,
//! one undo step), or, for a packet that gets through, every rule that lets it, with its
//! removal. Computed by `vpcsim_core::blockers` only when the reader asks (from the
//! network the page has built, patched in place once per blocker), and never stored.

use crate::hooks::{use_app, use_derived};
use crate::state::Action;
use vpcsim_core::blockers::{allowers, blockers_built, removal_fix, LegKind};
use vpcsim_core::lint::Fix;
use yew::prelude::*;

/// Properties.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// Whether the packet gets through (asks "what allows this?" rather than "what blocks this?").
    pub reachable: bool,
}

fn leg(l: LegKind) -> &'static str {
    match l {
        LegKind::Request => "request",
        LegKind::Response => "response",
    }
}

fn merged(description: String, fixes: &[&Fix]) -> Fix {
    Fix { description, ops: fixes.iter().flat_map(|f| f.ops.iter().cloned()).collect() }
}

/// The panel.
#[component]
pub fn Why(props: &Props) -> Html {
    let Some(state) = use_app() else { return html! {} };
    let Some(derived) = use_derived() else { return html! {} };
    let open = use_state_eq(|| false);
    let probe = state.sent.as_ref().map(|(_, p)| p.clone());
    let answer =
        use_memo((*open, props.reachable, state.scenario.clone(), probe, derived.network), |(open, reachable, scenario, probe, built)| {
            let probe = probe.as_ref().filter(|_| *open)?;
            // The search works on a copy of the document (left as it was) and the network the
            // page has already built.
            Some(if *reachable {
                allowers(scenario, probe).map(Err)
            } else {
                blockers_built(&mut (**scenario).clone(), &built.0 .0, probe).map(Ok)
            })
        });
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let apply = |fix: Fix| state.on::<MouseEvent>(Action::ApplyFix(Box::new(fix)));
    let title = if props.reachable { "What allows this?" } else { "What blocks this?" };
    let body = match answer.as_ref() {
        None => html! {},
        Some(Err(d)) => html! { <p class="error" role="alert">{ &d.message }</p> },
        Some(Ok(Ok(b))) => {
            let all = b.all_fixes().filter(|f| f.len() > 1).map(|f| {
                let fix = merged(format!("{} changes that let this packet through", f.len()), &f);
                html! { <button type="button" id="apply-all-fixes" class="chip fix" onclick={apply(fix)}>{ format!("Apply all {} fixes", f.len()) }</button> }
            });
            html! {
                <>
                    <p class="hint">{ format!("{} setting(s) stop this packet, in path order{}.", b.blockers.len(), if b.complete { "" } else { " (the search stopped early; the list may not be complete)" }) }</p>
                    { all.unwrap_or_default() }
                    <ol class="blockers">
                        { for b.blockers.iter().map(|x| html! {
                            <li class="blocker" data-component={x.component.clone()}>
                                <strong>{ format!("{} · {} {}{}", leg(x.leg), x.kind.as_str(), x.component, x.direction.map(|d| format!(" ({d})")).unwrap_or_default()) }</strong>
                                <div>{ &x.explanation }</div>
                                <div class="help">{ &x.help }</div>
                                { x.fix.clone().map(|f| { let label = format!("Apply: {}", f.description); html! { <button type="button" class="chip fix" onclick={apply(f)}>{ label }</button> } }).unwrap_or_default() }
                            </li>
                        }) }
                    </ol>
                </>
            }
        }
        Some(Ok(Err(list))) => html! {
            <>
                <p class="hint">{ format!("{} rule(s) let this packet through; to stop it, one of each group must go.", list.len()) }</p>
                <ol class="allowers">
                    { for list.iter().map(|a| html! {
                        <li class="allower">
                            <strong>{ format!("{} · {} {}: {}", leg(a.leg), a.kind.as_str(), a.component, a.rule.clone().unwrap_or_default()) }</strong>
                            <div>{ &a.explanation }</div>
                            { a.note.as_ref().map(|n| html! { <div class="help">{ n }</div> }).unwrap_or_default() }
                            { a.removal.as_ref().map(|_| { let f = removal_fix(&[a]); html! { <button type="button" class="chip fix" onclick={apply(f)}>{"Remove this rule"}</button> } }).unwrap_or_default() }
                        </li>
                    }) }
                </ol>
            </>
        },
    };
    html! {
        <div class="why">
            <button type="button" id="why" class="secondary" aria-expanded={open.to_string()} onclick={toggle}>{ title }</button>
            if *open { { body } }
        </div>
    }
}
