//! The inspector: every property of the selected item, editable, with the core's
//! diagnostics next to the field they are about.
//!
//! Edits are `doc::Edit`s by JSON pointer dispatched to the reducer; the helpers that
//! build the less obvious ones (presets, associations, the security group quota, rule
//! moves) live in [`crate::rules`], tested natively. Diagnostics come from the `Derived`
//! context (computed once per document); each field *claims* the diagnostics at or under
//! its pointer, and what no field claims is listed at the top. Shadowed NACL entries come
//! from `vpcsim_core::analysis`. The UI evaluates nothing itself.

use crate::components::app::{AppContext, Derived};
use crate::doc::{fresh_id, Edit, Item, Kind};
use crate::rules::{self, Claim, PeerKind, SgPreset};
use crate::state::{Action, AppState};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use vpcsim_core::scenario::{
    DomainDoc, EndpointDoc, ExternalDoc, IgwDoc, InstanceDoc, NaclDoc, NaclEntryDoc, NatDoc, NotebookDoc, PeeringDoc, PrefixListDoc,
    RouteDoc, RouteTableDoc, Scenario, SgDoc, SgRuleDoc, SubnetDoc, TgwDoc, TrainingJobDoc, VpcConfigDoc, VpcDoc, VpceDoc,
};
use vpcsim_core::{Diagnostic, Network, Severity};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Sends edits, remembering which element should keep the keyboard focus when the edit
/// re-renders the row it is in (rows of a NACL move as their numbers change).
#[derive(Clone)]
struct Tx {
    dispatch: UseReducerDispatcher<AppState>,
    refocus: Rc<RefCell<Option<Refocus>>>,
}

/// The element to focus after the next render: only when the focus was lost (`force`
/// false), or always (a moved row's button follows its row).
#[derive(Clone, Debug)]
struct Refocus {
    id: String,
    force: bool,
}

impl Tx {
    fn edit(&self, edit: Edit, keep_focus: &str) {
        *self.refocus.borrow_mut() = Some(Refocus { id: keep_focus.to_owned(), force: false });
        self.dispatch.dispatch(Action::Edit(edit));
    }

    fn edit_and_focus(&self, edit: Edit, focus: &str) {
        *self.refocus.borrow_mut() = Some(Refocus { id: focus.to_owned(), force: true });
        self.dispatch.dispatch(Action::Edit(edit));
    }

    fn set(&self, pointer: &str, value: Value, keep_focus: &str) {
        self.edit(Edit::Set { pointer: pointer.to_owned(), value }, keep_focus);
    }
}

/// A field's diagnostics, rendered, with what the control needs to point at them.
struct Described {
    html: Html,
    by: Option<String>,
    invalid: bool,
}

/// What the rendering functions share.
struct Cx {
    tx: Tx,
    doc: Rc<Scenario>,
    diags: Rc<Vec<Diagnostic>>,
    claims: RefCell<Vec<Claim>>,
    focus: Option<String>,
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}

fn diag_list(ds: &[&Diagnostic], id: &str) -> Html {
    if ds.is_empty() {
        return html! {};
    }
    html! {
        <ul class="diags" id={id.to_owned()}>
            { for ds.iter().map(|d| html! {
                <li class={classes!("diag", d.severity.to_string())}>
                    <span class="sev">{ severity_label(d.severity) }{": "}</span>
                    <span class="msg">{ &d.message }</span>
                    { if d.help.is_empty() { html! {} } else { html! { <span class="help">{ &d.help }</span> } } }
                </li>
            }) }
        </ul>
    }
}

fn join_ids(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    }
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

fn options(choices: &[(String, String)], value: &str, none: Option<&str>) -> Html {
    let known = choices.iter().any(|(v, _)| v == value);
    html! {
        <>
            { none.map(|n| html! { <option value="" selected={value.is_empty()}>{ n }</option> }).unwrap_or_default() }
            { for choices.iter().map(|(v, l)| html! { <option value={v.clone()} selected={v == value}>{ l }</option> }) }
            { if !known && !value.is_empty() {
                html! { <option value={value.to_owned()} selected=true>{ format!("{value} (not found)") }</option> }
            } else { html! {} } }
        </>
    }
}

impl Cx {
    fn described(&self, pointer: &str) -> Described {
        self.claims.borrow_mut().push(Claim::Under(pointer.to_owned()));
        let ds = rules::diagnostics_under(&self.diags, pointer);
        let id = rules::dom_id("d", pointer);
        Described {
            invalid: ds.iter().any(|d| d.severity == Severity::Error),
            by: (!ds.is_empty()).then(|| id.clone()),
            html: diag_list(&ds, &id),
        }
    }

    fn described_exact(&self, pointer: &str) -> Described {
        self.claims.borrow_mut().push(Claim::Exact(pointer.to_owned()));
        let ds = rules::diagnostics_exact(&self.diags, pointer);
        let id = rules::dom_id("dx", pointer);
        Described {
            invalid: ds.iter().any(|d| d.severity == Severity::Error),
            by: (!ds.is_empty()).then(|| id.clone()),
            html: diag_list(&ds, &id),
        }
    }

    fn is_focused(&self, row: &str) -> bool {
        self.focus.as_deref().is_some_and(|f| rules::is_under(f, row))
    }

    // ----- Controls -----

    /// A text input; `optional` sends `null` (removes the field) when emptied.
    fn text_input(&self, id: &str, pointer: &str, value: &str, optional: bool, placeholder: &str, d: &Described) -> Html {
        let tx = self.tx.clone();
        let (p, keep) = (pointer.to_owned(), id.to_owned());
        let oninput = Callback::from(move |e: InputEvent| {
            let v = input_value(&e);
            let value = if optional && v.trim().is_empty() { Value::Null } else { Value::String(v) };
            tx.set(&p, value, &keep);
        });
        html! {
            <input id={id.to_owned()} type="text" value={value.to_owned()} placeholder={placeholder.to_owned()}
                spellcheck="false" autocomplete="off" aria-describedby={d.by.clone()}
                aria-invalid={d.invalid.then_some("true")} {oninput} />
        }
    }

    fn select_input(&self, id: &str, pointer: &str, value: &str, choices: &[(String, String)], none: Option<&str>, d: &Described) -> Html {
        let tx = self.tx.clone();
        let (p, keep, nullable) = (pointer.to_owned(), id.to_owned(), none.is_some());
        let onchange = Callback::from(move |e: Event| {
            let v = select_value(&e);
            tx.set(&p, if nullable && v.is_empty() { Value::Null } else { Value::String(v) }, &keep);
        });
        html! {
            <select id={id.to_owned()} aria-describedby={d.by.clone()} aria-invalid={d.invalid.then_some("true")} {onchange}>
                { options(choices, value, none) }
            </select>
        }
    }

    /// A select whose change builds an arbitrary edit.
    fn select_with(
        &self,
        id: &str,
        value: &str,
        choices: &[(String, String)],
        by: Option<String>,
        make: impl Fn(&str) -> Option<Edit> + 'static,
    ) -> Html {
        let tx = self.tx.clone();
        let keep = id.to_owned();
        let onchange = Callback::from(move |e: Event| {
            if let Some(edit) = make(&select_value(&e)) {
                tx.edit(edit, &keep);
            }
        });
        html! { <select id={id.to_owned()} aria-describedby={by} {onchange}>{ options(choices, value, None) }</select> }
    }

    fn number_input(&self, id: &str, pointer: &str, value: Option<i64>, icmp: bool, d: &Described) -> Html {
        let tx = self.tx.clone();
        let (p, keep) = (pointer.to_owned(), id.to_owned());
        let onset = Callback::from(move |v: Value| tx.set(&p, v, &keep));
        html! { <NumberInput id={id.to_owned()} {value} {icmp} describedby={d.by.clone()} {onset} /> }
    }

    // ----- Fields (label + control + diagnostics) -----

    fn text(&self, label: &str, pointer: &str, value: &str, optional: bool, placeholder: &str) -> Html {
        let id = rules::dom_id("f", pointer);
        let d = self.described(pointer);
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                { self.text_input(&id, pointer, value, optional, placeholder, &d) }
                { d.html }
            </div>
        }
    }

    fn text_with_list(&self, label: &str, pointer: &str, value: &str, suggestions: &[String]) -> Html {
        let id = rules::dom_id("f", pointer);
        let list = format!("{id}-list");
        let d = self.described(pointer);
        let tx = self.tx.clone();
        let (p, keep) = (pointer.to_owned(), id.clone());
        let oninput = Callback::from(move |e: InputEvent| tx.set(&p, Value::String(input_value(&e)), &keep));
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                <input id={id.clone()} type="text" list={list.clone()} value={value.to_owned()} spellcheck="false" autocomplete="off"
                    aria-describedby={d.by.clone()} aria-invalid={d.invalid.then_some("true")} {oninput} />
                <datalist id={list}>{ for suggestions.iter().map(|s| html! { <option value={s.clone()} /> }) }</datalist>
                { d.html }
            </div>
        }
    }

    fn select(&self, label: &str, pointer: &str, value: &str, choices: &[(String, String)], none: Option<&str>) -> Html {
        let id = rules::dom_id("f", pointer);
        let d = self.described(pointer);
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                { self.select_input(&id, pointer, value, choices, none, &d) }
                { d.html }
            </div>
        }
    }

    fn check(&self, label: &str, pointer: &str, value: bool, hint: &str) -> Html {
        let id = rules::dom_id("f", pointer);
        let d = self.described(pointer);
        let hint_id = format!("{id}-hint");
        let tx = self.tx.clone();
        let (p, keep) = (pointer.to_owned(), id.clone());
        let onchange = Callback::from(move |e: Event| tx.set(&p, Value::Bool(checked(&e)), &keep));
        let by = join_ids((!hint.is_empty()).then(|| hint_id.clone()), d.by.clone());
        html! {
            <div class="field field-check">
                <input id={id.clone()} type="checkbox" checked={value} aria-describedby={by} {onchange} />
                <label for={id}>{ label }</label>
                { if hint.is_empty() { html! {} } else { html! { <p class="field-hint" id={hint_id}>{ hint }</p> } } }
                { d.html }
            </div>
        }
    }

    /// The id (or name) field: renamed on change, with every reference.
    fn key_field(&self, item: &Item, pointer: &str) -> Html {
        let fp = format!("{pointer}/{}", item.kind.key_field());
        let id = rules::dom_id("f", &fp);
        let d = self.described(&fp);
        let label = if item.kind.is_sagemaker() { "Name" } else { "Id" };
        html! {
            <div class="field">
                <label for={id.clone()}>{ label }</label>
                <RenameInput id={id} item={item.clone()} describedby={d.by.clone()} />
                { d.html }
            </div>
        }
    }

    fn name_field(&self, pointer: &str, value: &str) -> Html {
        self.text("Name", &format!("{pointer}/name"), value, false, "")
    }

    /// A list of strings (CIDR blocks): one input per entry, remove buttons, an add button.
    fn string_list(&self, legend: &str, pointer: &str, values: &[String], word: &str, placeholder: &str) -> Html {
        let list_d = self.described_exact(pointer);
        let add_id = rules::dom_id("add", pointer);
        let on_add = {
            let tx = self.tx.clone();
            let p = pointer.to_owned();
            let new_id = rules::dom_id("f", &format!("{pointer}/{}", values.len()));
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Insert { pointer: p.clone(), index: None, value: json!("") }, &new_id))
        };
        html! {
            <fieldset class="list-field" aria-describedby={list_d.by.clone()}>
                <legend>{ legend }</legend>
                { for values.iter().enumerate().map(|(k, v)| {
                    let ep = format!("{pointer}/{k}");
                    let id = rules::dom_id("f", &ep);
                    let d = self.described(&ep);
                    let on_remove = {
                        let tx = self.tx.clone();
                        let p = pointer.to_owned();
                        let keep = add_id.clone();
                        Callback::from(move |_: MouseEvent| tx.edit(Edit::Remove { pointer: p.clone(), index: k }, &keep))
                    };
                    html! {
                        <div class="list-row">
                            <label class="sr-only" for={id.clone()}>{ format!("{word} {}", k + 1) }</label>
                            { self.text_input(&id, &ep, v, false, placeholder, &d) }
                            <button type="button" class="icon" aria-label={format!("Remove {word} {}", k + 1)} onclick={on_remove}>{"✕"}</button>
                            { d.html }
                        </div>
                    }
                }) }
                <button type="button" id={add_id.clone()} class="add" onclick={on_add}>{ format!("Add {word}") }</button>
                { list_d.html }
            </fieldset>
        }
    }

    /// Checkboxes over a list of ids.
    #[expect(clippy::too_many_arguments, reason = "one call per list field; the arguments are that field's facts")]
    fn id_checklist(
        &self,
        legend: &str,
        pointer: &str,
        current: &[String],
        choices: Vec<(String, String)>,
        max: Option<usize>,
        hint: &str,
        compact: bool,
    ) -> Html {
        let id = rules::dom_id("f", pointer);
        let d = self.described(pointer);
        html! {
            <Checklist id={id} legend={legend.to_owned()} {choices} checked={current.to_vec()}
                action={ListAction::Ids { pointer: pointer.to_owned(), max }} hint={hint.to_owned()}
                describedby={d.by.clone()} diags={d.html} {compact} />
        }
    }

    /// A resource's security groups: the VPC's groups, at most 5 (SG-11).
    fn sg_picker(&self, pointer: &str, current: &[String], vpc: Option<&str>, empty_hint: &str) -> Html {
        let choices: Vec<(String, String)> = match vpc {
            Some(v) => self.doc.network.security_groups.iter().filter(|g| g.vpc == v).map(|g| (g.id.clone(), sg_label(g))).collect(),
            None => self.doc.network.security_groups.iter().map(|g| (g.id.clone(), format!("{} · {}", sg_label(g), g.vpc))).collect(),
        };
        let hint = format!("At most {} per network interface (SG-11). {empty_hint}", rules::MAX_SGS_PER_INTERFACE);
        self.id_checklist("Security groups", pointer, current, choices, Some(rules::MAX_SGS_PER_INTERFACE), &hint, false)
    }

    /// "Associated subnets" of a route table or network ACL.
    fn associations(&self, kind: Kind, table: usize, vpc: &str, current: &[String]) -> Html {
        let pointer = format!("{}/{table}/subnets", kind.collection());
        let id = rules::dom_id("f", &pointer);
        let d = self.described(&pointer);
        let choices: Vec<(String, String)> = rules::subnet_choices(&self.doc, Some(vpc))
            .into_iter()
            .map(|(s, label)| {
                let elsewhere = rules::associated_table(&self.doc, kind, &s).filter(|k| *k != table).and_then(|k| match kind {
                    Kind::RouteTable => self.doc.network.route_tables.get(k).map(|t| t.id.clone()),
                    _ => self.doc.network.network_acls.get(k).map(|t| t.id.clone()),
                });
                let label = match elsewhere {
                    Some(other) => format!("{label} — now with {other}"),
                    None => label,
                };
                (s, label)
            })
            .collect();
        let hint = match kind {
            Kind::RouteTable => "A subnet uses one route table; checking it here moves it from another table. Unassociated subnets use the main table (RT-1).",
            _ => "A subnet is associated with one network ACL at a time; checking it here moves it from another ACL. Unassociated subnets use the default ACL (NACL-1).",
        };
        html! {
            <Checklist id={id} legend="Associated subnets" {choices} checked={current.to_vec()}
                action={ListAction::Associate { kind, table }} hint={hint}
                describedby={d.by.clone()} diags={d.html} compact=false />
        }
    }

    /// VpcConfig of a training job or endpoint: absent runs in the SageMaker-managed VPC.
    fn vpc_config(&self, pointer: &str, config: Option<&VpcConfigDoc>, what: &str) -> Html {
        let cp = format!("{pointer}/vpc_config");
        let id = rules::dom_id("f", &cp);
        let on = config.is_some();
        let first_subnet = self.doc.network.subnets.first().map(|s| s.id.clone());
        let tx = self.tx.clone();
        let (p, keep) = (cp.clone(), id.clone());
        let onchange = Callback::from(move |e: Event| {
            let value =
                if checked(&e) { json!({"subnets": first_subnet.iter().collect::<Vec<_>>(), "security_groups": []}) } else { Value::Null };
            tx.set(&p, value, &keep);
        });
        let hint_id = format!("{id}-hint");
        let body = match config {
            Some(c) => {
                let vpc = c.subnets.first().and_then(|s| self.doc.network.subnets.iter().find(|x| &x.id == s)).map(|s| s.vpc.clone());
                html! {
                    <>
                        { self.id_checklist("Subnets", &format!("{cp}/subnets"), &c.subnets, rules::subnet_choices(&self.doc, vpc.as_deref()), None, "The first subnet holds the interface vpcsim traces.", false) }
                        { self.sg_picker(&format!("{cp}/security_groups"), &c.security_groups, vpc.as_deref(), "") }
                    </>
                }
            }
            None => html! {},
        };
        // Diagnostics about the whole VpcConfig object (not its lists).
        let d = self.described_exact(&cp);
        html! {
            <fieldset class="group">
                <legend>{"VpcConfig"}</legend>
                <div class="field field-check">
                    <input id={id.clone()} type="checkbox" checked={on} aria-describedby={join_ids(Some(hint_id.clone()), d.by.clone())} {onchange} />
                    <label for={id}>{ format!("Run the {what} in my VPC") }</label>
                    <p class="field-hint" id={hint_id}>{"Unchecked: it runs in the SageMaker-managed VPC and reaches your VPC through nothing (SM-1)."}</p>
                </div>
                { d.html }
                { body }
            </fieldset>
        }
    }

    fn private_ip(&self, pointer: &str, value: &Option<String>) -> Html {
        self.text("Private IPv4", &format!("{pointer}/private_ip"), value.as_deref().unwrap_or_default(), true, "next free address")
    }

    // ----- Rule tables -----

    /// Up, down and delete buttons of a row; `moves` builds the edit of a move.
    #[expect(clippy::too_many_arguments, reason = "the row's identity, its neighbours and how it moves")]
    fn row_actions(
        &self,
        row: &str,
        list: &str,
        name: &str,
        first: bool,
        last: bool,
        index: usize,
        moves: Rc<dyn Fn(bool) -> Option<(Edit, String)>>,
    ) -> Html {
        let up_id = rules::dom_id("up", row);
        let down_id = rules::dom_id("down", row);
        let mover = |up: bool| {
            let tx = self.tx.clone();
            let moves = moves.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some((edit, keep)) = moves(up) {
                    tx.edit_and_focus(edit, &keep);
                }
            })
        };
        let on_delete = {
            let tx = self.tx.clone();
            let (p, keep) = (list.to_owned(), rules::dom_id("add", list));
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Remove { pointer: p.clone(), index }, &keep))
        };
        html! {
            <td class="row-actions">
                <button type="button" id={up_id} class="icon" aria-label={format!("Move {name} up")} disabled={first} onclick={mover(true)}>{"↑"}</button>
                <button type="button" id={down_id} class="icon" aria-label={format!("Move {name} down")} disabled={last} onclick={mover(false)}>{"↓"}</button>
                <button type="button" class="icon danger" aria-label={format!("Delete {name}")} onclick={on_delete}>{"✕"}</button>
            </td>
        }
    }

    /// Protocol menu (and a number input for "other").
    fn protocol_cell(&self, row: &str, protocol: &str, name: &str, retarget: impl Fn(&str) -> Option<Edit> + 'static) -> Html {
        let fp = format!("{row}/protocol");
        let id = rules::dom_id("f", &fp);
        let d = self.described(&fp);
        let choice = rules::protocol_choice(protocol);
        let choices: Vec<(String, String)> = rules::PROTOCOL_CHOICES.iter().map(|(v, l)| ((*v).to_owned(), (*l).to_owned())).collect();
        let number = if choice == "other" {
            let nid = rules::dom_id("n", &fp);
            html! {
                <>
                    <label class="sr-only" for={nid.clone()}>{ format!("{name} protocol number") }</label>
                    { self.text_input(&nid, &fp, protocol, false, "0-255", &d) }
                </>
            }
        } else {
            html! {}
        };
        html! {
            <td>
                <label class="sr-only" for={id.clone()}>{ format!("{name} protocol") }</label>
                { self.select_with(&id, choice, &choices, d.by.clone(), retarget) }
                { number }
                { d.html }
            </td>
        }
    }

    /// Ports for TCP/UDP, type and code for ICMP, nothing for the others (SG-15, NACL-9).
    fn ports_cell(&self, row: &str, protocol: &str, ports: &Option<String>, icmp: (Option<i64>, Option<i64>), name: &str) -> Html {
        let pp = format!("{row}/ports");
        let (tp, cp) = (format!("{row}/icmp_type"), format!("{row}/icmp_code"));
        let (dp, dt, dc) = (self.described(&pp), self.described(&tp), self.described(&cp));
        let body = match rules::protocol_choice(protocol) {
            "tcp" | "udp" => {
                let id = rules::dom_id("f", &pp);
                html! {
                    <>
                        <label class="sr-only" for={id.clone()}>{ format!("{name} port range") }</label>
                        { self.text_input(&id, &pp, ports.as_deref().unwrap_or_default(), true, "all", &dp) }
                    </>
                }
            }
            "icmp" | "icmpv6" => {
                let (ti, ci) = (rules::dom_id("f", &tp), rules::dom_id("f", &cp));
                html! {
                    <div class="icmp">
                        <label for={ti.clone()}><span class="sr-only">{ format!("{name} ") }</span>{"type"}</label>
                        { self.number_input(&ti, &tp, icmp.0, true, &dt) }
                        <label for={ci.clone()}><span class="sr-only">{ format!("{name} ") }</span>{"code"}</label>
                        { self.number_input(&ci, &cp, icmp.1, true, &dc) }
                    </div>
                }
            }
            _ => html! { <span class="muted">{"all ports"}</span> },
        };
        html! { <td>{ body }{ dp.html }{ dt.html }{ dc.html }</td> }
    }

    fn sg_rules(&self, sg_pointer: &str, sg: &SgDoc, outbound: bool) -> Html {
        let dir = if outbound { "outbound" } else { "inbound" };
        let list = format!("{sg_pointer}/{dir}");
        let rows = if outbound { &sg.outbound } else { &sg.inbound };
        let title_id = rules::dom_id("t", &list);
        let n = rows.len();
        let peer_word = if outbound { "Destination" } else { "Source" };
        let on_add = {
            let tx = self.tx.clone();
            let value = rules::new_sg_rule(&self.doc, &sg.vpc, outbound);
            let (p, keep) = (list.clone(), rules::dom_id("f", &format!("{list}/{n}/protocol")));
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Insert { pointer: p.clone(), index: None, value: value.clone() }, &keep))
        };
        let list_d = self.described_exact(&list);
        let empty = if outbound {
            "No outbound rules: members of this group can send nothing (SG-12)."
        } else {
            "No inbound rules: nothing can reach members of this group (SG-12). Responses to their own requests still return (SG-3)."
        };
        html! {
            <section class="rules" aria-labelledby={title_id.clone()}>
                <h3 id={title_id.clone()}>{ if outbound { "Outbound rules" } else { "Inbound rules" } }</h3>
                { list_d.html }
                if rows.is_empty() {
                    <p class="hint">{ empty }</p>
                } else {
                    <div class="table-wrap">
                        <table class="rule-table sg" aria-labelledby={title_id}>
                            <thead>
                                <tr>
                                    <th scope="col">{"#"}</th>
                                    <th scope="col">{"Type"}</th>
                                    <th scope="col">{"Protocol"}</th>
                                    <th scope="col">{"Ports"}</th>
                                    <th scope="col">{ peer_word }</th>
                                    <th scope="col">{"Description"}</th>
                                    <th scope="col"><span class="sr-only">{"Actions"}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                { for rows.iter().enumerate().map(|(k, r)| self.sg_rule_row(&list, k, n, r, &sg.vpc, outbound)) }
                            </tbody>
                        </table>
                    </div>
                }
                <button type="button" id={rules::dom_id("add", &list)} class="add" onclick={on_add}>{ if outbound { "Add outbound rule" } else { "Add inbound rule" } }</button>
            </section>
        }
    }

    fn sg_rule_row(&self, list: &str, k: usize, n: usize, r: &SgRuleDoc, vpc: &str, outbound: bool) -> Html {
        let row = format!("{list}/{k}");
        let name = format!("{} rule {}", if outbound { "outbound" } else { "inbound" }, k + 1);
        let row_d = self.described_exact(&row);
        // Type preset.
        let preset_id = rules::dom_id("preset", &row);
        let preset = SgPreset::detect(r);
        let presets: Vec<(String, String)> = SgPreset::ALL.iter().map(|p| (p.slug().to_owned(), p.label().to_owned())).collect();
        let preset_select = {
            let (rule, rp) = (r.clone(), row.clone());
            self.select_with(&preset_id, preset.slug(), &presets, None, move |v| {
                SgPreset::from_slug(v).and_then(|p| rules::set_row(&rp, &p.apply(&rule)))
            })
        };
        let protocol = {
            let (rule, rp) = (r.clone(), row.clone());
            self.protocol_cell(&row, &r.protocol, &name, move |c| rules::set_row(&rp, &rules::sg_with_protocol(&rule, c)))
        };
        let ports = self.ports_cell(&row, &r.protocol, &r.ports, (r.icmp_type, r.icmp_code), &name);
        let peer = self.peer_cell(&row, r, vpc, &name, outbound);
        let desc_p = format!("{row}/description");
        let desc_id = rules::dom_id("f", &desc_p);
        let desc_d = self.described(&desc_p);
        let moves: Rc<dyn Fn(bool) -> Option<(Edit, String)>> = {
            let (list, row_of) = (list.to_owned(), move |i: usize, list: &str| format!("{list}/{i}"));
            Rc::new(move |up| {
                let edit = rules::move_row(&list, n, k, up)?;
                let to = if up { k - 1 } else { k + 1 };
                let still = if up { to > 0 } else { to + 1 < n };
                let keep = rules::dom_id(if still == up { "up" } else { "down" }, &row_of(to, &list));
                Some((edit, keep))
            })
        };
        let focused = self.is_focused(&row);
        html! {
            <key={row.clone()}>
                <tr id={rules::dom_id("row", &row)} class={classes!("rule-row", focused.then_some("focused"))}
                    aria-current={focused.then_some("true")} aria-describedby={row_d.by.clone()}>
                    <th scope="row">{ k + 1 }</th>
                    <td>
                        <label class="sr-only" for={preset_id}>{ format!("{name} type") }</label>
                        { preset_select }
                    </td>
                    { protocol }
                    { ports }
                    { peer }
                    <td>
                        <label class="sr-only" for={desc_id.clone()}>{ format!("{name} description") }</label>
                        { self.text_input(&desc_id, &desc_p, &r.description, false, "", &desc_d) }
                        { desc_d.html }
                    </td>
                    { self.row_actions(&row, list, &name, k == 0, k + 1 == n, k, moves) }
                </tr>
                if row_d.by.is_some() {
                    <tr class="row-diags"><td colspan="7">{ row_d.html }</td></tr>
                }
            </>
        }
    }

    /// Source or destination: a CIDR, a prefix list or a security group.
    fn peer_cell(&self, row: &str, r: &SgRuleDoc, vpc: &str, name: &str, outbound: bool) -> Html {
        let (kind, value) = PeerKind::of(r);
        let kind_id = rules::dom_id("peer", row);
        let kinds: Vec<(String, String)> = PeerKind::ALL.iter().map(|k| (k.field().to_owned(), k.label().to_owned())).collect();
        let sgs = rules::sg_choices(&self.doc, Some(vpc));
        let pls = rules::prefix_list_choices(&self.doc);
        let kind_select = {
            let (rule, rp) = (r.clone(), row.to_owned());
            let first_sg = sgs.first().map(|(id, _)| id.clone()).unwrap_or_default();
            let first_pl = pls.first().map(|(id, _)| id.clone()).unwrap_or_default();
            self.select_with(&kind_id, kind.field(), &kinds, None, move |v| {
                let k = PeerKind::from_field(v)?;
                let value = match k {
                    PeerKind::Cidr => rule.cidr.clone().unwrap_or_else(|| "0.0.0.0/0".into()),
                    PeerKind::PrefixList => rule.prefix_list.clone().unwrap_or_else(|| first_pl.clone()),
                    PeerKind::Sg => rule.sg.clone().unwrap_or_else(|| first_sg.clone()),
                };
                rules::set_row(&rp, &k.apply(&rule, &value))
            })
        };
        let vp = format!("{row}/{}", kind.field());
        let vid = rules::dom_id("f", &vp);
        let d = self.described(&vp);
        // Diagnostics of the other peer fields (a rule naming two peers).
        let others: Vec<Described> =
            PeerKind::ALL.iter().filter(|k| **k != kind).map(|k| self.described(&format!("{row}/{}", k.field()))).collect();
        let word = if outbound { "destination" } else { "source" };
        let control = match kind {
            PeerKind::Cidr => self.text_input(&vid, &vp, &value, false, "0.0.0.0/0", &d),
            PeerKind::PrefixList => self.select_input(&vid, &vp, &value, &pls, None, &d),
            PeerKind::Sg => self.select_input(&vid, &vp, &value, &sgs, None, &d),
        };
        html! {
            <td class="peer">
                <label class="sr-only" for={kind_id}>{ format!("{name} {word} kind") }</label>
                { kind_select }
                <label class="sr-only" for={vid}>{ format!("{name} {word}") }</label>
                { control }
                { d.html }
                { for others.into_iter().map(|o| o.html) }
            </td>
        }
    }

    fn nacl_entries(&self, acl_pointer: &str, acl: &NaclDoc, outbound: bool) -> Html {
        let dir = if outbound { "outbound" } else { "inbound" };
        let list = format!("{acl_pointer}/{dir}");
        let entries = if outbound { &acl.outbound } else { &acl.inbound };
        let title_id = rules::dom_id("t", &list);
        let order = rules::evaluation_order(entries);
        let shadows = vpcsim_core::analysis::shadowed_nacl_entries(entries);
        let on_add = {
            let tx = self.tx.clone();
            let value = rules::new_nacl_entry(entries);
            let keep = rules::dom_id("f", &format!("{list}/{}/rule", entries.len()));
            let p = list.clone();
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Insert { pointer: p.clone(), index: None, value: value.clone() }, &keep))
        };
        let list_d = self.described_exact(&list);
        let n = order.len();
        html! {
            <section class="rules" aria-labelledby={title_id.clone()}>
                <h3 id={title_id.clone()}>{ if outbound { "Outbound entries" } else { "Inbound entries" } }</h3>
                <p class="field-hint">{"Evaluated from the lowest rule number; the first match decides (NACL-2). Stateless: responses need their own entries (NACL-6)."}</p>
                { list_d.html }
                <div class="table-wrap">
                    <table class="rule-table nacl" aria-labelledby={title_id}>
                        <thead>
                            <tr>
                                <th scope="col">{"Rule #"}</th>
                                <th scope="col">{"Action"}</th>
                                <th scope="col">{"Protocol"}</th>
                                <th scope="col">{"Ports / ICMP"}</th>
                                <th scope="col">{ if outbound { "Destination" } else { "Source" } }</th>
                                <th scope="col">{"Description"}</th>
                                <th scope="col"><span class="sr-only">{"Actions"}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for order.iter().enumerate().filter_map(|(pos, &k)| {
                                let e = entries.get(k)?;
                                let shadow = shadows.iter().find(|s| s.index == k);
                                Some(self.nacl_row(&list, entries, k, pos, n, e, shadow, outbound))
                            }) }
                            <tr class="final-rule">
                                <th scope="row">{"*"}</th>
                                <td>{"Deny"}</td>
                                <td>{"All"}</td>
                                <td>{"All"}</td>
                                <td>{"0.0.0.0/0, ::/0"}</td>
                                <td colspan="2" class="muted">{"Anything no entry matched (NACL-3)"}</td>
                            </tr>
                        </tbody>
                    </table>
                </div>
                <button type="button" id={rules::dom_id("add", &list)} class="add" onclick={on_add}>{ if outbound { "Add outbound entry" } else { "Add inbound entry" } }</button>
            </section>
        }
    }

    #[expect(clippy::too_many_arguments, reason = "a row needs its list, its place in evaluation order and its shadow")]
    fn nacl_row(
        &self,
        list: &str,
        entries: &[NaclEntryDoc],
        k: usize,
        pos: usize,
        n: usize,
        e: &NaclEntryDoc,
        shadow: Option<&vpcsim_core::analysis::Shadowed>,
        outbound: bool,
    ) -> Html {
        let row = format!("{list}/{k}");
        let name = format!("{} rule {}", if outbound { "outbound" } else { "inbound" }, e.rule);
        let row_d = self.described_exact(&row);
        let rp = format!("{row}/rule");
        let rid = rules::dom_id("f", &rp);
        let rd = self.described(&rp);
        let shadow_id = rules::dom_id("shadow", &row);
        let shadow_note = shadow.map(|s| {
            let by: Vec<String> = s.by.iter().filter_map(|i| entries.get(*i)).map(|x| format!("{} ({})", x.rule, x.action)).collect();
            format!(
                "Rule {} can never match: {} {} {} all of its traffic first (NACL-2).",
                e.rule,
                if by.len() == 1 { "rule" } else { "rules" },
                by.join(", "),
                if by.len() == 1 { "decides" } else { "decide" }
            )
        });
        let rule_by = join_ids(rd.by.clone(), shadow_note.as_ref().map(|_| shadow_id.clone()));
        let rule_input = {
            let tx = self.tx.clone();
            let (p, keep) = (rp.clone(), rid.clone());
            let onset = Callback::from(move |v: Value| tx.set(&p, v, &keep));
            html! { <NumberInput id={rid.clone()} value={Some(e.rule)} icmp=false describedby={rule_by} {onset} /> }
        };
        let ap = format!("{row}/action");
        let aid = rules::dom_id("f", &ap);
        let ad = self.described(&ap);
        let actions = [("allow".to_owned(), "Allow".to_owned()), ("deny".to_owned(), "Deny".to_owned())];
        let protocol = {
            let (entry, rp) = (e.clone(), row.clone());
            self.protocol_cell(&row, &e.protocol, &name, move |c| rules::set_row(&rp, &rules::nacl_with_protocol(&entry, c)))
        };
        let ports = self.ports_cell(&row, &e.protocol, &e.ports, (e.icmp_type, e.icmp_code), &name);
        let cp = format!("{row}/cidr");
        let cid = rules::dom_id("f", &cp);
        let cd = self.described(&cp);
        let dp = format!("{row}/description");
        let did = rules::dom_id("f", &dp);
        let dd = self.described(&dp);
        let moves: Rc<dyn Fn(bool) -> Option<(Edit, String)>> = {
            let (list, entries, row) = (list.to_owned(), entries.to_vec(), row.clone());
            Rc::new(move |up| {
                let edit = rules::move_nacl_entry(&list, &entries, k, up)?;
                // The entry keeps its index; its row moves one place.
                let still = if up { pos > 1 } else { pos + 2 < n };
                Some((edit, rules::dom_id(if still == up { "up" } else { "down" }, &row)))
            })
        };
        let focused = self.is_focused(&row);
        let deny = e.action.eq_ignore_ascii_case("deny");
        html! {
            <key={row.clone()}>
                <tr id={rules::dom_id("row", &row)}
                    class={classes!("rule-row", focused.then_some("focused"), shadow.is_some().then_some("shadowed"), deny.then_some("deny"))}
                    aria-current={focused.then_some("true")} aria-describedby={row_d.by.clone()}>
                    <th scope="row">
                        <label class="sr-only" for={rid.clone()}>{ format!("{name} number") }</label>
                        { rule_input }
                        { rd.html }
                    </th>
                    <td>
                        <label class="sr-only" for={aid.clone()}>{ format!("{name} action") }</label>
                        { self.select_input(&aid, &ap, &e.action.to_ascii_lowercase(), &actions, None, &ad) }
                        { ad.html }
                    </td>
                    { protocol }
                    { ports }
                    <td>
                        <label class="sr-only" for={cid.clone()}>{ format!("{name} CIDR") }</label>
                        { self.text_input(&cid, &cp, &e.cidr, false, "0.0.0.0/0", &cd) }
                        { cd.html }
                    </td>
                    <td>
                        <label class="sr-only" for={did.clone()}>{ format!("{name} description") }</label>
                        { self.text_input(&did, &dp, &e.description, false, "", &dd) }
                        { dd.html }
                    </td>
                    { self.row_actions(&row, list, &name, pos == 0, pos + 1 == n, k, moves) }
                </tr>
                if let Some(note) = shadow_note {
                    <tr class="row-note"><td colspan="7"><p class="diag warning" id={shadow_id} role="note"><span class="sev">{"Warning: "}</span>{ note }</p></td></tr>
                }
                if row_d.by.is_some() {
                    <tr class="row-diags"><td colspan="7">{ row_d.html }</td></tr>
                }
            </>
        }
    }

    fn routes(&self, table_pointer: &str, t: &RouteTableDoc) -> Html {
        let list = format!("{table_pointer}/routes");
        let title_id = rules::dom_id("t", &list);
        let n = t.routes.len();
        let on_add = {
            let tx = self.tx.clone();
            let value = rules::new_route(&self.doc, &t.vpc);
            let (p, keep) = (list.clone(), rules::dom_id("f", &format!("{list}/{n}/destination")));
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Insert { pointer: p.clone(), index: None, value: value.clone() }, &keep))
        };
        let targets = rules::route_targets(&self.doc, &t.vpc);
        let list_d = self.described_exact(&list);
        html! {
            <section class="rules" aria-labelledby={title_id.clone()}>
                <h3 id={title_id.clone()}>{"Routes"}</h3>
                <p class="field-hint">{"The local route of each VPC block is implicit (RT-2); the most specific destination wins (RT-3)."}</p>
                { list_d.html }
                <div class="table-wrap">
                    <table class="rule-table routes" aria-labelledby={title_id}>
                        <thead>
                            <tr>
                                <th scope="col">{"#"}</th>
                                <th scope="col">{"Destination"}</th>
                                <th scope="col">{"Target"}</th>
                                <th scope="col">{"Propagated"}</th>
                                <th scope="col"><span class="sr-only">{"Actions"}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            <tr class="final-rule">
                                <th scope="row">{"–"}</th>
                                <td>{ self.doc.network.vpcs.iter().find(|v| v.id == t.vpc).map(|v| v.cidr_blocks.join(", ")).unwrap_or_default() }</td>
                                <td>{"local"}</td>
                                <td colspan="2" class="muted">{"implicit (RT-2)"}</td>
                            </tr>
                            { for t.routes.iter().enumerate().map(|(k, r)| self.route_row(&list, k, n, r, &targets)) }
                        </tbody>
                    </table>
                </div>
                <button type="button" id={rules::dom_id("add", &list)} class="add" onclick={on_add}>{"Add route"}</button>
            </section>
        }
    }

    fn route_row(&self, list: &str, k: usize, n: usize, r: &RouteDoc, targets: &[(String, String)]) -> Html {
        let row = format!("{list}/{k}");
        let name = format!("route {}", k + 1);
        let row_d = self.described_exact(&row);
        // Destination: CIDR or prefix list.
        let by_pl = r.destination_prefix_list.is_some() && r.destination.is_none();
        let kind_id = rules::dom_id("dest", &row);
        let kinds = [("cidr".to_owned(), "CIDR".to_owned()), ("prefix_list".to_owned(), "Prefix list".to_owned())];
        let pls = rules::prefix_list_choices(&self.doc);
        let kind_select = {
            let (route, rp) = (r.clone(), row.clone());
            let first_pl = pls.first().map(|(id, _)| id.clone()).unwrap_or_default();
            self.select_with(&kind_id, if by_pl { "prefix_list" } else { "cidr" }, &kinds, None, move |v| {
                let next = if v == "prefix_list" {
                    RouteDoc {
                        destination: None,
                        destination_prefix_list: Some(route.destination_prefix_list.clone().unwrap_or_else(|| first_pl.clone())),
                        ..route.clone()
                    }
                } else {
                    RouteDoc {
                        destination: Some(route.destination.clone().unwrap_or_else(|| "0.0.0.0/0".into())),
                        destination_prefix_list: None,
                        ..route.clone()
                    }
                };
                rules::set_row(&rp, &next)
            })
        };
        let (dp, pp) = (format!("{row}/destination"), format!("{row}/destination_prefix_list"));
        let (dd, pd) = (self.described(&dp), self.described(&pp));
        let dest = if by_pl {
            let id = rules::dom_id("f", &pp);
            html! { <><label class="sr-only" for={id.clone()}>{ format!("{name} destination prefix list") }</label>{ self.select_input(&id, &pp, r.destination_prefix_list.as_deref().unwrap_or_default(), &pls, None, &pd) }</> }
        } else {
            let id = rules::dom_id("f", &dp);
            html! { <><label class="sr-only" for={id.clone()}>{ format!("{name} destination CIDR") }</label>{ self.text_input(&id, &dp, r.destination.as_deref().unwrap_or_default(), false, "0.0.0.0/0", &dd) }</> }
        };
        // Target: a known target, or free text (a vgw- id).
        let tp = format!("{row}/target");
        let tid = rules::dom_id("f", &tp);
        let td = self.described(&tp);
        let known = targets.iter().any(|(t, _)| *t == r.target);
        let mut choices = targets.to_vec();
        choices.push(("__other".to_owned(), "Other (type an id, e.g. vgw-…)".to_owned()));
        let target_select = {
            let rp = tp.clone();
            self.select_with(&tid, if known { &r.target } else { "__other" }, &choices, td.by.clone(), move |v| {
                let value = if v == "__other" { "vgw-".to_owned() } else { v.to_owned() };
                Some(Edit::Set { pointer: rp.clone(), value: Value::String(value) })
            })
        };
        let free = if known {
            html! {}
        } else {
            let fid = rules::dom_id("n", &tp);
            html! { <><label class="sr-only" for={fid.clone()}>{ format!("{name} target id") }</label>{ self.text_input(&fid, &tp, &r.target, false, "vgw-…", &td) }</> }
        };
        let prp = format!("{row}/propagated");
        let prid = rules::dom_id("f", &prp);
        let prd = self.described(&prp);
        let on_prop = {
            let tx = self.tx.clone();
            let (p, keep) = (prp.clone(), prid.clone());
            Callback::from(move |e: Event| tx.set(&p, Value::Bool(checked(&e)), &keep))
        };
        let moves: Rc<dyn Fn(bool) -> Option<(Edit, String)>> = {
            let list = list.to_owned();
            Rc::new(move |up| {
                let edit = rules::move_row(&list, n, k, up)?;
                let to = if up { k - 1 } else { k + 1 };
                let still = if up { to > 0 } else { to + 1 < n };
                Some((edit, rules::dom_id(if still == up { "up" } else { "down" }, &format!("{list}/{to}"))))
            })
        };
        let focused = self.is_focused(&row);
        html! {
            <key={row.clone()}>
                <tr id={rules::dom_id("row", &row)} class={classes!("rule-row", focused.then_some("focused"))}
                    aria-current={focused.then_some("true")} aria-describedby={row_d.by.clone()}>
                    <th scope="row">{ k + 1 }</th>
                    <td class="peer">
                        <label class="sr-only" for={kind_id}>{ format!("{name} destination kind") }</label>
                        { kind_select }
                        { dest }
                        { dd.html }
                        { pd.html }
                    </td>
                    <td class="peer">
                        <label class="sr-only" for={tid}>{ format!("{name} target") }</label>
                        { target_select }
                        { free }
                        { td.html }
                    </td>
                    <td>
                        <input id={prid.clone()} type="checkbox" checked={r.propagated} aria-describedby={prd.by.clone()} onchange={on_prop} />
                        <label class="sr-only" for={prid}>{ format!("{name} propagated") }</label>
                        { prd.html }
                    </td>
                    { self.row_actions(&row, list, &name, k == 0, k + 1 == n, k, moves) }
                </tr>
                if row_d.by.is_some() {
                    <tr class="row-diags"><td colspan="5">{ row_d.html }</td></tr>
                }
            </>
        }
    }

    // ----- One body per kind -----

    fn vpc(&self, p: &str, v: &VpcDoc) -> Html {
        html! {
            <>
                { self.name_field(p, &v.name) }
                { self.string_list("IPv4 CIDR blocks", &format!("{p}/cidr_blocks"), &v.cidr_blocks, "IPv4 block", "10.0.0.0/16") }
                { self.string_list("IPv6 CIDR blocks", &format!("{p}/ipv6_cidr_blocks"), &v.ipv6_cidr_blocks, "IPv6 block", "2600:1f18::/56") }
            </>
        }
    }

    fn subnet(&self, p: &str, s: &SubnetDoc) -> Html {
        let region = self.doc.network.region.clone().unwrap_or_else(|| "us-east-1".into());
        let azs: Vec<String> = ["a", "b", "c", "d", "e", "f"].iter().map(|z| format!("{region}{z}")).collect();
        html! {
            <>
                { self.name_field(p, &s.name) }
                { self.select("VPC", &format!("{p}/vpc"), &s.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.text("IPv4 CIDR", &format!("{p}/cidr"), &s.cidr, false, "10.0.1.0/24") }
                { self.text("IPv6 CIDR", &format!("{p}/ipv6_cidr"), s.ipv6_cidr.as_deref().unwrap_or_default(), true, "none") }
                { self.text_with_list("Availability Zone", &format!("{p}/az"), &s.az, &azs) }
                { self.association_select(Kind::RouteTable, &s.id, &s.vpc) }
                { self.association_select(Kind::NetworkAcl, &s.id, &s.vpc) }
            </>
        }
    }

    /// On a subnet: which route table or network ACL it is associated with.
    fn association_select(&self, kind: Kind, subnet: &str, vpc: &str) -> Html {
        let current = rules::associated_table(&self.doc, kind, subnet);
        let tables: Vec<(usize, String, String)> = match kind {
            Kind::RouteTable => self
                .doc
                .network
                .route_tables
                .iter()
                .enumerate()
                .filter(|(_, t)| t.vpc == vpc)
                .map(|(i, t)| (i, t.id.clone(), t.name.clone()))
                .collect(),
            _ => self
                .doc
                .network
                .network_acls
                .iter()
                .enumerate()
                .filter(|(_, t)| t.vpc == vpc)
                .map(|(i, t)| (i, t.id.clone(), t.name.clone()))
                .collect(),
        };
        let value = current.and_then(|c| tables.iter().find(|(i, _, _)| *i == c)).map(|(_, id, _)| id.clone()).unwrap_or_default();
        let none = if kind == Kind::RouteTable { "(the main route table)" } else { "(the default network ACL)" };
        let mut choices = vec![(String::new(), none.to_owned())];
        choices
            .extend(tables.iter().map(|(_, id, name)| (id.clone(), if name.is_empty() { id.clone() } else { format!("{name} ({id})") })));
        let id = rules::dom_id("assoc", &format!("{}/{subnet}", kind.collection()));
        let (doc, subnet_id) = (self.doc.clone(), subnet.to_owned());
        let select = self.select_with(&id, &value, &choices, None, move |v| {
            let result = if v.is_empty() {
                current.map(|c| rules::association_edit(&doc, kind, c, &subnet_id, false)).unwrap_or(Ok(None))
            } else {
                let idx = tables.iter().find(|(_, id, _)| id == v).map(|(i, _, _)| *i)?;
                rules::association_edit(&doc, kind, idx, &subnet_id, true)
            };
            result.ok().flatten()
        });
        html! {
            <div class="field">
                <label for={id}>{ if kind == Kind::RouteTable { "Route table" } else { "Network ACL" } }</label>
                { select }
            </div>
        }
    }

    fn route_table(&self, p: &str, idx: usize, t: &RouteTableDoc) -> Html {
        html! {
            <>
                { self.name_field(p, &t.name) }
                { self.select("VPC", &format!("{p}/vpc"), &t.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.check("Main route table", &format!("{p}/main"), t.main, "Subnets without an explicit association use the main table (RT-1).") }
                { self.associations(Kind::RouteTable, idx, &t.vpc, &t.subnets) }
                { self.routes(p, t) }
            </>
        }
    }

    fn nacl(&self, p: &str, idx: usize, a: &NaclDoc) -> Html {
        html! {
            <>
                { self.name_field(p, &a.name) }
                { self.select("VPC", &format!("{p}/vpc"), &a.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.check("Default network ACL", &format!("{p}/default"), a.default, "Subnets without an explicit association use the default ACL (NACL-1).") }
                { self.associations(Kind::NetworkAcl, idx, &a.vpc, &a.subnets) }
                { self.nacl_entries(p, a, false) }
                { self.nacl_entries(p, a, true) }
            </>
        }
    }

    fn security_group(&self, p: &str, g: &SgDoc) -> Html {
        html! {
            <>
                { self.text("Group name", &format!("{p}/name"), &g.name, false, "") }
                { self.select("VPC", &format!("{p}/vpc"), &g.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.text("Description", &format!("{p}/description"), &g.description, false, "") }
                <p class="field-hint">{"Stateful: responses to allowed traffic are allowed whatever the rules say (SG-3). Only allow rules; the union of all rules of all groups applies (SG-10)."}</p>
                { self.sg_rules(p, g, false) }
                { self.sg_rules(p, g, true) }
            </>
        }
    }

    fn instance(&self, p: &str, i: &InstanceDoc) -> Html {
        let vpc = self.doc.network.subnets.iter().find(|s| s.id == i.subnet).map(|s| s.vpc.clone());
        html! {
            <>
                { self.name_field(p, &i.name) }
                { self.select("Subnet", &format!("{p}/subnet"), &i.subnet, &rules::subnet_choices(&self.doc, None), None) }
                { self.private_ip(p, &i.private_ip) }
                { self.text("Public IPv4 / Elastic IP", &format!("{p}/public_ip"), i.public_ip.as_deref().unwrap_or_default(), true, "none") }
                { self.text("IPv6 address", &format!("{p}/ipv6"), i.ipv6.as_deref().unwrap_or_default(), true, "none") }
                { self.text("Network interface id", &format!("{p}/eni"), i.eni.as_deref().unwrap_or_default(), true, &format!("eni-{}", i.id)) }
                { self.sg_picker(&format!("{p}/security_groups"), &i.security_groups, vpc.as_deref(), "None checked: the VPC's default group (SG-13).") }
            </>
        }
    }

    fn gateway(&self, p: &str, g: &IgwDoc) -> Html {
        html! {
            <>
                { self.name_field(p, &g.name) }
                { self.select("Attached VPC", &format!("{p}/vpc"), g.vpc.as_deref().unwrap_or_default(), &rules::vpc_choices(&self.doc), Some("(detached)")) }
            </>
        }
    }

    fn nat(&self, p: &str, g: &NatDoc) -> Html {
        let conn = [("public".to_owned(), "Public".to_owned()), ("private".to_owned(), "Private".to_owned())];
        html! {
            <>
                { self.name_field(p, &g.name) }
                { self.select("Subnet", &format!("{p}/subnet"), &g.subnet, &rules::subnet_choices(&self.doc, None), None) }
                { self.select("Connectivity", &format!("{p}/connectivity"), &g.connectivity, &conn, None) }
                { self.private_ip(p, &g.private_ip) }
                { self.text("Elastic IP", &format!("{p}/public_ip"), g.public_ip.as_deref().unwrap_or_default(), true, "none") }
            </>
        }
    }

    fn transit_gateway(&self, p: &str, t: &TgwDoc) -> Html {
        let att_list = format!("{p}/attachments");
        let route_list = format!("{p}/routes");
        let vpcs = rules::vpc_choices(&self.doc);
        let on_add_att = {
            let tx = self.tx.clone();
            let vpc = self.doc.network.vpcs.first().map(|v| v.id.clone()).unwrap_or_default();
            let subnet: Vec<String> = self.doc.network.subnets.iter().filter(|s| s.vpc == vpc).take(1).map(|s| s.id.clone()).collect();
            let value = json!({"id": fresh_id(&self.doc, "tgw-attach-"), "vpc": vpc, "subnets": subnet});
            let (l, keep) = (att_list.clone(), rules::dom_id("f", &format!("{att_list}/{}/id", t.attachments.len())));
            Callback::from(move |_: MouseEvent| tx.edit(Edit::Insert { pointer: l.clone(), index: None, value: value.clone() }, &keep))
        };
        let on_add_route = {
            let tx = self.tx.clone();
            let (l, keep) = (route_list.clone(), rules::dom_id("f", &format!("{route_list}/{}/destination", t.routes.len())));
            Callback::from(move |_: MouseEvent| {
                tx.edit(Edit::Insert { pointer: l.clone(), index: None, value: json!({"destination": "0.0.0.0/0"}) }, &keep)
            })
        };
        let attachments: Vec<(String, String)> = t.attachments.iter().map(|a| (a.id.clone(), format!("{} ({})", a.id, a.vpc))).collect();
        let att_d = self.described_exact(&att_list);
        let route_d = self.described_exact(&route_list);
        let remove = |list: &str, k: usize, name: String| {
            let tx = self.tx.clone();
            let (l, keep) = (list.to_owned(), rules::dom_id("add", list));
            html! { <td class="row-actions"><button type="button" class="icon danger" aria-label={format!("Delete {name}")}
            onclick={Callback::from(move |_: MouseEvent| tx.edit(Edit::Remove { pointer: l.clone(), index: k }, &keep))}>{"✕"}</button></td> }
        };
        html! {
            <>
                { self.name_field(p, &t.name) }
                <section class="rules" aria-labelledby="tgw-att-title">
                    <h3 id="tgw-att-title">{"VPC attachments"}</h3>
                    { att_d.html }
                    <div class="table-wrap">
                        <table class="rule-table" aria-labelledby="tgw-att-title">
                            <thead><tr>
                                <th scope="col">{"Attachment id"}</th><th scope="col">{"VPC"}</th><th scope="col">{"Subnets"}</th>
                                <th scope="col">{"Propagates"}</th><th scope="col"><span class="sr-only">{"Actions"}</span></th>
                            </tr></thead>
                            <tbody>
                                { for t.attachments.iter().enumerate().map(|(k, a)| {
                                    let row = format!("{att_list}/{k}");
                                    let name = format!("attachment {}", k + 1);
                                    let (ip, vp, sp, pp) = (format!("{row}/id"), format!("{row}/vpc"), format!("{row}/subnets"), format!("{row}/propagate"));
                                    let (iid, vid, pid) = (rules::dom_id("f", &ip), rules::dom_id("f", &vp), rules::dom_id("f", &pp));
                                    let (idd, vd, pd) = (self.described(&ip), self.described(&vp), self.described(&pp));
                                    let row_d = self.described_exact(&row);
                                    let on_prop = {
                                        let tx = self.tx.clone();
                                        let (p, keep) = (pp.clone(), pid.clone());
                                        Callback::from(move |e: Event| tx.set(&p, Value::Bool(checked(&e)), &keep))
                                    };
                                    html! {
                                        <tr id={rules::dom_id("row", &row)} class="rule-row" aria-describedby={row_d.by.clone()}>
                                            <th scope="row">
                                                <label class="sr-only" for={iid.clone()}>{ format!("{name} id") }</label>
                                                { self.text_input(&iid, &ip, &a.id, false, "tgw-attach-…", &idd) }{ idd.html }{ row_d.html }
                                            </th>
                                            <td>
                                                <label class="sr-only" for={vid.clone()}>{ format!("{name} VPC") }</label>
                                                { self.select_input(&vid, &vp, &a.vpc, &vpcs, None, &vd) }{ vd.html }
                                            </td>
                                            <td>{ self.id_checklist(&format!("{name} subnets"), &sp, &a.subnets, rules::subnet_choices(&self.doc, Some(&a.vpc)), None, "", true) }</td>
                                            <td>
                                                <input id={pid.clone()} type="checkbox" checked={a.propagate} aria-describedby={pd.by.clone()} onchange={on_prop} />
                                                <label class="sr-only" for={pid}>{ format!("{name} propagates its VPC's routes") }</label>{ pd.html }
                                            </td>
                                            { remove(&att_list, k, name.clone()) }
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <button type="button" id={rules::dom_id("add", &att_list)} class="add" onclick={on_add_att}>{"Add attachment"}</button>
                </section>
                <section class="rules" aria-labelledby="tgw-routes-title">
                    <h3 id="tgw-routes-title">{"Static routes"}</h3>
                    <p class="field-hint">{"Attachments that propagate add their VPC's blocks; a route without attachment is a blackhole."}</p>
                    { route_d.html }
                    <div class="table-wrap">
                        <table class="rule-table" aria-labelledby="tgw-routes-title">
                            <thead><tr><th scope="col">{"Destination"}</th><th scope="col">{"Attachment"}</th><th scope="col"><span class="sr-only">{"Actions"}</span></th></tr></thead>
                            <tbody>
                                { for t.routes.iter().enumerate().map(|(k, r)| {
                                    let row = format!("{route_list}/{k}");
                                    let name = format!("transit route {}", k + 1);
                                    let (dp, ap) = (format!("{row}/destination"), format!("{row}/attachment"));
                                    let (did, aid) = (rules::dom_id("f", &dp), rules::dom_id("f", &ap));
                                    let (dd, ad) = (self.described(&dp), self.described(&ap));
                                    let row_d = self.described_exact(&row);
                                    html! {
                                        <tr id={rules::dom_id("row", &row)} class="rule-row" aria-describedby={row_d.by.clone()}>
                                            <th scope="row">
                                                <label class="sr-only" for={did.clone()}>{ format!("{name} destination") }</label>
                                                { self.text_input(&did, &dp, &r.destination, false, "0.0.0.0/0", &dd) }{ dd.html }{ row_d.html }
                                            </th>
                                            <td>
                                                <label class="sr-only" for={aid.clone()}>{ format!("{name} attachment") }</label>
                                                { self.select_input(&aid, &ap, r.attachment.as_deref().unwrap_or_default(), &attachments, Some("(blackhole)"), &ad) }{ ad.html }
                                            </td>
                                            { remove(&route_list, k, name.clone()) }
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <button type="button" id={rules::dom_id("add", &route_list)} class="add" onclick={on_add_route}>{"Add static route"}</button>
                </section>
            </>
        }
    }

    fn vpc_endpoint(&self, p: &str, e: &VpceDoc) -> Html {
        let services: Vec<String> = rules::SERVICES.iter().map(|s| (*s).to_owned()).collect();
        let types = [("gateway".to_owned(), "Gateway".to_owned()), ("interface".to_owned(), "Interface".to_owned())];
        let gateway = e.kind == "gateway";
        let pp = format!("{p}/policy");
        let pid = rules::dom_id("f", &pp);
        let pd = self.described(&pp);
        html! {
            <>
                { self.name_field(p, &e.name) }
                { self.select("VPC", &format!("{p}/vpc"), &e.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.text_with_list("Service", &format!("{p}/service"), &e.service, &services) }
                { self.select("Type", &format!("{p}/type"), &e.kind, &types, None) }
                if gateway || !e.route_tables.is_empty() {
                    { self.id_checklist("Route tables", &format!("{p}/route_tables"), &e.route_tables, rules::route_table_choices(&self.doc, Some(&e.vpc)),
                        None, "Each gets a route to the service's prefix list (EP-2).", false) }
                }
                if !gateway || !e.subnets.is_empty() {
                    { self.id_checklist("Subnets", &format!("{p}/subnets"), &e.subnets, rules::subnet_choices(&self.doc, Some(&e.vpc)),
                        None, "One network interface per subnet (EP-7).", false) }
                }
                if !gateway || !e.security_groups.is_empty() {
                    { self.sg_picker(&format!("{p}/security_groups"), &e.security_groups, Some(&e.vpc), "None checked: the VPC's default group (EP-7).") }
                    { self.check("Private DNS", &format!("{p}/private_dns"), e.private_dns, "The service's public name resolves to this endpoint inside the VPC (EP-9).") }
                }
                <div class="field">
                    <label for={pid.clone()}>{"Endpoint policy (IAM JSON)"}</label>
                    <PolicyInput id={pid} pointer={pp.clone()} value={e.policy.clone()} describedby={pd.by.clone()} />
                    <p class="field-hint">{"Applied when the field loses focus. Empty: full access (EP-10)."}</p>
                    { pd.html }
                </div>
            </>
        }
    }

    fn peering(&self, p: &str, x: &PeeringDoc) -> Html {
        let vpcs = rules::vpc_choices(&self.doc);
        let statuses: Vec<(String, String)> = rules::PEERING_STATUSES.iter().map(|s| ((*s).to_owned(), (*s).to_owned())).collect();
        html! {
            <>
                { self.name_field(p, &x.name) }
                { self.select("Requester VPC", &format!("{p}/requester_vpc"), &x.requester_vpc, &vpcs, None) }
                { self.select("Accepter VPC", &format!("{p}/accepter_vpc"), &x.accepter_vpc, &vpcs, None) }
                { self.select("Status", &format!("{p}/status"), &x.status, &statuses, None) }
                <p class="field-hint">{"Only an active connection carries traffic (RT-13); each side still needs routes to the other's block."}</p>
            </>
        }
    }

    fn prefix_list(&self, p: &str, x: &PrefixListDoc) -> Html {
        html! {
            <>
                { self.name_field(p, &x.name) }
                { self.string_list("CIDR entries", &format!("{p}/cidrs"), &x.cidrs, "entry", "203.0.113.0/24") }
            </>
        }
    }

    fn external(&self, p: &str, x: &ExternalDoc) -> Html {
        let kinds = [("internet".to_owned(), "Internet host".to_owned()), ("corporate".to_owned(), "Corporate network".to_owned())];
        html! {
            <>
                { self.name_field(p, &x.name) }
                { self.select("Kind", &format!("{p}/kind"), &x.kind, &kinds, None) }
                { self.text("CIDR", &format!("{p}/cidr"), &x.cidr, false, "203.0.113.0/24") }
            </>
        }
    }

    fn notebook(&self, p: &str, x: &NotebookDoc) -> Html {
        let vpc = x.subnet.as_deref().and_then(|s| self.doc.network.subnets.iter().find(|y| y.id == s)).map(|s| s.vpc.clone());
        html! {
            <>
                { self.select("Subnet", &format!("{p}/subnet"), x.subnet.as_deref().unwrap_or_default(), &rules::subnet_choices(&self.doc, None), Some("(none: no interface in my VPC)")) }
                { self.sg_picker(&format!("{p}/security_groups"), &x.security_groups, vpc.as_deref(), "") }
                { self.check("Direct internet access", &format!("{p}/direct_internet_access"), x.direct_internet_access,
                    "Enabled (SageMaker's default): the notebook reaches the internet through the SageMaker-managed VPC whatever your VPC allows (SM-3).") }
                { self.check("Root access", &format!("{p}/root_access"), x.root_access, "Users can become root on the notebook instance.") }
                { self.private_ip(p, &x.private_ip) }
            </>
        }
    }

    fn training_job(&self, p: &str, x: &TrainingJobDoc) -> Html {
        let kinds = [("training".to_owned(), "Training job".to_owned()), ("processing".to_owned(), "Processing job".to_owned())];
        html! {
            <>
                { self.select("Kind", &format!("{p}/kind"), &x.kind, &kinds, None) }
                { self.vpc_config(p, x.vpc_config.as_ref(), "job") }
                { self.check("Network isolation", &format!("{p}/network_isolation"), x.network_isolation,
                    "EnableNetworkIsolation: the container makes no outbound network calls, even to S3 (SM-8).") }
                { self.check("Inter-container traffic encryption", &format!("{p}/inter_container_encryption"), x.inter_container_encryption,
                    "Distributed training traffic between instances is encrypted (SM-9).") }
                { self.private_ip(p, &x.private_ip) }
            </>
        }
    }

    fn endpoint(&self, p: &str, x: &EndpointDoc) -> Html {
        html! {
            <>
                { self.text("Model", &format!("{p}/model"), &x.model, false, "") }
                { self.vpc_config(p, x.vpc_config.as_ref(), "model") }
                { self.check("Network isolation", &format!("{p}/network_isolation"), x.network_isolation,
                    "The model container makes no outbound network calls (SM-8).") }
                { self.private_ip(p, &x.private_ip) }
            </>
        }
    }

    fn domain(&self, p: &str, x: &DomainDoc) -> Html {
        let access = [("PublicInternetOnly".to_owned(), "PublicInternetOnly".to_owned()), ("VpcOnly".to_owned(), "VpcOnly".to_owned())];
        html! {
            <>
                { self.select("Network access", &format!("{p}/network_access"), &x.network_access, &access, None) }
                <p class="field-hint">{"VpcOnly: Studio traffic goes through your VPC and needs its routes, endpoints or NAT (SM-13)."}</p>
                { self.select("VPC", &format!("{p}/vpc"), &x.vpc, &rules::vpc_choices(&self.doc), None) }
                { self.id_checklist("Subnets", &format!("{p}/subnets"), &x.subnets, rules::subnet_choices(&self.doc, Some(&x.vpc)), None, "", false) }
                { self.sg_picker(&format!("{p}/security_groups"), &x.security_groups, Some(&x.vpc), "") }
                { self.private_ip(p, &x.private_ip) }
            </>
        }
    }

    /// The body for one item.
    fn body(&self, item: &Item, pointer: &str) -> Html {
        let idx: usize = pointer.rsplit('/').next().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
        let n = &self.doc.network;
        let sm = &n.sagemaker;
        let p = pointer;
        let inner = match item.kind {
            Kind::Vpc => n.vpcs.get(idx).map(|x| self.vpc(p, x)),
            Kind::Subnet => n.subnets.get(idx).map(|x| self.subnet(p, x)),
            Kind::RouteTable => n.route_tables.get(idx).map(|x| self.route_table(p, idx, x)),
            Kind::NetworkAcl => n.network_acls.get(idx).map(|x| self.nacl(p, idx, x)),
            Kind::SecurityGroup => n.security_groups.get(idx).map(|x| self.security_group(p, x)),
            Kind::Instance => n.instances.get(idx).map(|x| self.instance(p, x)),
            Kind::InternetGateway => n.internet_gateways.get(idx).map(|x| self.gateway(p, x)),
            Kind::EgressOnlyGateway => n.egress_only_internet_gateways.get(idx).map(|x| self.gateway(p, x)),
            Kind::NatGateway => n.nat_gateways.get(idx).map(|x| self.nat(p, x)),
            Kind::TransitGateway => n.transit_gateways.get(idx).map(|x| self.transit_gateway(p, x)),
            Kind::VpcEndpoint => n.vpc_endpoints.get(idx).map(|x| self.vpc_endpoint(p, x)),
            Kind::Peering => n.peering_connections.get(idx).map(|x| self.peering(p, x)),
            Kind::PrefixList => n.prefix_lists.get(idx).map(|x| self.prefix_list(p, x)),
            Kind::External => n.external.get(idx).map(|x| self.external(p, x)),
            Kind::Notebook => sm.notebook_instances.get(idx).map(|x| self.notebook(p, x)),
            Kind::TrainingJob => sm.training_jobs.get(idx).map(|x| self.training_job(p, x)),
            Kind::Endpoint => sm.endpoints.get(idx).map(|x| self.endpoint(p, x)),
            Kind::Domain => sm.domains.get(idx).map(|x| self.domain(p, x)),
        };
        html! {
            <>
                { self.key_field(item, pointer) }
                { inner.unwrap_or_default() }
            </>
        }
    }
}

fn sg_label(g: &SgDoc) -> String {
    if g.name.is_empty() || g.name == g.id {
        g.id.clone()
    } else {
        format!("{} ({})", g.name, g.id)
    }
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Gives the focus back to `id` when the edit re-rendered it away (a NACL row that moved).
fn restore_focus(target: &Refocus) {
    let Some(doc) = document() else { return };
    if doc.active_element().is_some_and(|a| a.id() == target.id) {
        return;
    }
    if let Some(el) = doc.get_element_by_id(&target.id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        // Unless forced, only when the focus was lost (to the body), never taken from elsewhere.
        let lost = doc.active_element().is_none_or(|a| a.tag_name().eq_ignore_ascii_case("body"));
        if target.force || lost {
            let _ = el.focus();
        }
    }
}

/// Scrolls the rule the explanation pointed at into view and focuses its first control.
fn reveal_row(pointer: &str) {
    let Some(doc) = document() else { return };
    if let Some(row) = doc.get_element_by_id(&rules::dom_id("row", pointer)) {
        row.scroll_into_view_with_bool(false);
        if let Some(first) = row.query_selector("input, select").ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = first.focus();
        }
    }
}

/// The inspector panel.
#[component]
pub fn Inspector() -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    let derived = use_context::<Derived>();
    let refocus = use_mut_ref(|| None::<Refocus>);
    // Diagnostics: from the app's derived data; computed here only without it.
    let fallback = use_memo((state.scenario.clone(), derived.is_none()), |(s, need)| if *need { Network::build(s).1 } else { Vec::new() });
    {
        let refocus = refocus.clone();
        use_effect(move || {
            let target = refocus.borrow_mut().take();
            if let Some(target) = target {
                restore_focus(&target);
            }
        });
    }
    {
        let focus = state.focus.clone();
        use_effect_with(focus, |focus| {
            if let Some(p) = focus {
                reveal_row(p);
            }
        });
    }
    let diags: Rc<Vec<Diagnostic>> = derived.map(|d| d.diagnostics.clone()).unwrap_or_else(|| Rc::new((*fallback).clone()));
    let items = state.selected_items();
    let on_delete = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::DeleteSelection))
    };
    let on_duplicate = {
        let s = state.clone();
        Callback::from(move |_: MouseEvent| s.dispatch(Action::DuplicateSelection))
    };
    let content = match items.as_slice() {
        [] => {
            let text = if state.selection.is_empty() {
                "Select a resource on the canvas (click it, or Tab to it and press Enter) to see and edit its properties and rules."
                    .to_owned()
            } else {
                format!("{} is an AWS service or the internet: it has no properties to edit.", state.selection.join(", "))
            };
            html! { <><p class="hint">{ text }</p>{ outline(&state) }</> }
        }
        [item] => {
            let Some(pointer) = item.pointer(&state.scenario) else {
                return html! {};
            };
            let cx = Cx {
                tx: Tx { dispatch: state.dispatcher(), refocus: refocus.clone() },
                doc: state.scenario.clone(),
                diags: diags.clone(),
                claims: RefCell::new(Vec::new()),
                focus: state.focus.clone(),
            };
            let body = cx.body(item, &pointer);
            let claims = cx.claims.borrow().clone();
            let rest = rules::unclaimed(&diags, &pointer, &claims);
            html! {
                <>
                    <header class="inspector-head">
                        <div>
                            <h2 id="inspector-title">{ item.kind.label() }</h2>
                            <p class="inspector-key"><code>{ &item.key }</code></p>
                        </div>
                        <div class="inspector-actions">
                            <button type="button" id="inspector-all" onclick={{ let s = state.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::Select(vec![]))) }}
                                title="Back to the list of all resources">{"All"}</button>
                            <button type="button" onclick={on_duplicate}>{"Duplicate"}</button>
                            <button type="button" class="danger" onclick={on_delete}>{"Delete"}</button>
                        </div>
                    </header>
                    if !rest.is_empty() {
                        <div class="item-diags" role="status" aria-live="polite">{ diag_list(&rest, "inspector-item-diags") }</div>
                    }
                    <form key={pointer.clone()} class="inspector-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                        { body }
                    </form>
                </>
            }
        }
        many => {
            let select_one = |r: String| {
                let s = state.clone();
                Callback::from(move |_: MouseEvent| s.dispatch(Action::Select(vec![r.clone()])))
            };
            html! {
                <>
                    <header class="inspector-head">
                        <h2 id="inspector-title">{ format!("{} items selected", many.len()) }</h2>
                        <div class="inspector-actions">
                            <button type="button" id="inspector-all" onclick={{ let s = state.clone(); Callback::from(move |_: MouseEvent| s.dispatch(Action::Select(vec![]))) }}
                                title="Back to the list of all resources">{"All"}</button>
                            <button type="button" onclick={on_duplicate}>{"Duplicate"}</button>
                            <button type="button" class="danger" onclick={on_delete}>{"Delete"}</button>
                        </div>
                    </header>
                    <ul class="selection-list">
                        { for many.iter().map(|it| {
                            let r = it.reference(&state.scenario);
                            html! {
                                <li>
                                    <button type="button" class="link" onclick={select_one(r)} aria-label={format!("Inspect only {} {}", it.kind.label(), it.key)}>
                                        <span class="kind">{ it.kind.label() }</span>{" "}<code>{ &it.key }</code>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                </>
            }
        }
    };
    html! {
        <section class="panel inspector" aria-labelledby="inspector-title">
            if items.is_empty() {
                <h2 id="inspector-title">{"Inspector"}</h2>
            }
            { content }
        </section>
    }
}

// ----- Inputs with local state -----

#[derive(Properties, PartialEq, Clone)]
struct NumberProps {
    id: String,
    value: Option<i64>,
    /// ICMP type/code (empty or -1 means all) rather than a NACL rule number.
    icmp: bool,
    #[prop_or_default]
    describedby: Option<String>,
    onset: Callback<Value>,
}

/// A whole-number input: sends a JSON number when the text parses, else keeps the text
/// here with a message while the document keeps its last valid value.
#[component]
fn NumberInput(p: &NumberProps) -> Html {
    let draft = use_state_eq(|| None::<(String, String)>);
    {
        let draft = draft.clone();
        use_effect_with(p.value, move |_| draft.set(None));
    }
    let oninput = {
        let (draft, onset, icmp) = (draft.clone(), p.onset.clone(), p.icmp);
        Callback::from(move |e: InputEvent| {
            let text = input_value(&e);
            let parsed = if icmp {
                rules::parse_icmp(&text).map(|v| v.map_or(Value::Null, Value::from))
            } else {
                rules::parse_rule_number(&text).map(Value::from)
            };
            match parsed {
                Ok(v) => {
                    draft.set(None);
                    onset.emit(v);
                }
                Err(message) => draft.set(Some((text, message))),
            }
        })
    };
    let err_id = format!("{}-err", p.id);
    let text = match draft.as_ref() {
        Some((t, _)) => t.clone(),
        None => p.value.map(|v| v.to_string()).unwrap_or_default(),
    };
    let by = join_ids(p.describedby.clone(), draft.is_some().then(|| err_id.clone()));
    html! {
        <>
            <input id={p.id.clone()} type="text" inputmode="numeric" class="num" value={text} placeholder={if p.icmp { "all" } else { "" }}
                aria-invalid={draft.is_some().then_some("true")} aria-describedby={by} {oninput} />
            if let Some((_, message)) = draft.as_ref() {
                <span id={err_id} class="field-error" role="alert">{ message }</span>
            }
        </>
    }
}

#[derive(Properties, PartialEq, Clone)]
struct RenameProps {
    id: String,
    item: Item,
    #[prop_or_default]
    describedby: Option<String>,
}

/// The id (name) input: renamed with every reference when the field is committed (Enter
/// or leaving it), not per keystroke. Escape restores the current id.
#[component]
fn RenameInput(p: &RenameProps) -> Html {
    let state = use_context::<AppContext>();
    let text = use_state_eq(|| p.item.key.clone());
    let error = use_state_eq(|| None::<String>);
    {
        let (text, error) = (text.clone(), error.clone());
        use_effect_with(p.item.key.clone(), move |key| {
            text.set(key.clone());
            error.set(None);
        });
    }
    let oninput = {
        let (text, error) = (text.clone(), error.clone());
        Callback::from(move |e: InputEvent| {
            text.set(input_value(&e));
            error.set(None);
        })
    };
    let onchange = {
        let (item, error) = (p.item.clone(), error.clone());
        Callback::from(move |e: Event| {
            let Some(state) = state.as_ref() else { return };
            let to = e.target_unchecked_into::<HtmlInputElement>().value().trim().to_owned();
            if to == item.key {
                return;
            }
            if to.is_empty() {
                error.set(Some(format!("a {} needs {}", item.kind.label(), if item.kind.is_sagemaker() { "a name" } else { "an id" })));
                return;
            }
            let taken = if item.kind.is_sagemaker() {
                Item::new(item.kind, to.clone()).pointer(&state.scenario).is_some()
            } else {
                crate::doc::item_for_reference(&state.scenario, &to).is_some()
            };
            if taken {
                error.set(Some(format!("`{to}` is already used: ids are unique")));
                return;
            }
            state.dispatch(Action::Edit(Edit::Rename { item: item.clone(), to }));
        })
    };
    let onkeydown = {
        let (text, error, key) = (text.clone(), error.clone(), p.item.key.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                text.set(key.clone());
                error.set(None);
            }
        })
    };
    let err_id = format!("{}-err", p.id);
    let by = join_ids(p.describedby.clone(), error.is_some().then(|| err_id.clone()));
    html! {
        <>
            <input id={p.id.clone()} type="text" value={(*text).clone()} spellcheck="false" autocomplete="off"
                aria-invalid={error.is_some().then_some("true")} aria-describedby={by} {oninput} {onchange} {onkeydown} />
            if let Some(message) = error.as_ref() {
                <span id={err_id} class="field-error" role="alert">{ message }</span>
            }
        </>
    }
}

#[derive(Properties, PartialEq, Clone)]
struct PolicyProps {
    id: String,
    pointer: String,
    value: Option<Value>,
    #[prop_or_default]
    describedby: Option<String>,
}

fn pretty(v: &Option<Value>) -> String {
    v.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_default()
}

/// The endpoint policy as JSON: parsed when the field loses focus; a parse error is shown
/// with its line and column and nothing is applied.
#[component]
fn PolicyInput(p: &PolicyProps) -> Html {
    let state = use_context::<AppContext>();
    let text = use_state_eq(|| pretty(&p.value));
    let error = use_state_eq(|| None::<String>);
    {
        let (text, error) = (text.clone(), error.clone());
        use_effect_with(p.value.clone(), move |v| {
            text.set(pretty(v));
            error.set(None);
        });
    }
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let onblur = {
        let (error, pointer) = (error.clone(), p.pointer.clone());
        Callback::from(move |e: FocusEvent| {
            let typed = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            match rules::parse_policy(&typed) {
                Ok(v) => {
                    error.set(None);
                    if let Some(state) = state.as_ref() {
                        state.dispatch(Action::Edit(Edit::Set { pointer: pointer.clone(), value: v.unwrap_or(Value::Null) }));
                    }
                }
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let err_id = format!("{}-err", p.id);
    let by = join_ids(p.describedby.clone(), error.is_some().then(|| err_id.clone()));
    let rows = text.lines().count().clamp(4, 18).to_string();
    html! {
        <>
            <textarea id={p.id.clone()} class="policy" rows={rows} spellcheck="false" value={(*text).clone()}
                aria-invalid={error.is_some().then_some("true")} aria-describedby={by} {oninput} {onblur} />
            if let Some(message) = error.as_ref() {
                <p id={err_id} class="field-error" role="alert">{ format!("Not applied: {message}") }</p>
            }
        </>
    }
}

/// What a checklist's boxes edit.
#[derive(Clone, Debug, PartialEq)]
enum ListAction {
    /// A list of ids at a pointer, optionally with a maximum (SG-11).
    Ids { pointer: String, max: Option<usize> },
    /// The subnet associations of a route table or network ACL.
    Associate { kind: Kind, table: usize },
}

#[derive(Properties, PartialEq, Clone)]
struct ChecklistProps {
    id: String,
    legend: String,
    choices: Vec<(String, String)>,
    checked: Vec<String>,
    action: ListAction,
    #[prop_or_default]
    hint: String,
    #[prop_or_default]
    describedby: Option<String>,
    #[prop_or_default]
    diags: Html,
    #[prop_or_default]
    compact: bool,
}

/// A multi-select as checkboxes in a fieldset. Ids in the list that are not among the
/// choices are shown too (checked), so that a dangling reference can be removed.
#[component]
fn Checklist(p: &ChecklistProps) -> Html {
    let state = use_context::<AppContext>();
    let message = use_state_eq(|| None::<String>);
    {
        let message = message.clone();
        use_effect_with(p.checked.clone(), move |_| message.set(None));
    }
    let mut choices = p.choices.clone();
    for c in &p.checked {
        if !choices.iter().any(|(id, _)| id == c) {
            choices.push((c.clone(), format!("{c} (not in this VPC or missing)")));
        }
    }
    let hint_id = format!("{}-hint", p.id);
    let msg_id = format!("{}-msg", p.id);
    let by =
        join_ids(join_ids((!p.hint.is_empty()).then(|| hint_id.clone()), p.describedby.clone()), message.is_some().then(|| msg_id.clone()));
    let toggle = |value: String| {
        let (state, message, action, current) = (state.clone(), message.clone(), p.action.clone(), p.checked.clone());
        Callback::from(move |e: Event| {
            let Some(state) = state.as_ref() else { return };
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let on = input.checked();
            let result = match &action {
                ListAction::Ids { pointer, max: Some(_) } => rules::toggle_security_group(pointer, &current, &value, on),
                ListAction::Ids { pointer, max: None } => Ok(rules::toggle_id(pointer, &current, &value, on)),
                ListAction::Associate { kind, table } => rules::association_edit(&state.scenario, *kind, *table, &value, on),
            };
            match result {
                Ok(Some(edit)) => {
                    message.set(None);
                    state.dispatch(Action::Edit(edit));
                }
                Ok(None) => {}
                Err(m) => {
                    // Refused: the box goes back to what the document says.
                    input.set_checked(!on);
                    message.set(Some(m));
                }
            }
        })
    };
    html! {
        <fieldset class={classes!("checklist", p.compact.then_some("compact"))} id={p.id.clone()} aria-describedby={by}>
            <legend class={classes!(p.compact.then_some("sr-only"))}>{ &p.legend }</legend>
            if !p.hint.is_empty() {
                <p class="field-hint" id={hint_id}>{ &p.hint }</p>
            }
            if choices.is_empty() {
                <p class="muted">{"Nothing to choose from yet."}</p>
            }
            <ul>
                { for choices.iter().enumerate().map(|(k, (value, label))| {
                    let id = format!("{}-{k}", p.id);
                    let on = p.checked.contains(value);
                    html! {
                        <li>
                            <input type="checkbox" id={id.clone()} checked={on} onchange={toggle(value.clone())} />
                            <label for={id}>{ label }</label>
                        </li>
                    }
                }) }
            </ul>
            if let Some(m) = message.as_ref() {
                <p id={msg_id} class="field-error" role="alert">{ m }</p>
            }
            { p.diags.clone() }
        </fieldset>
    }
}

/// Every item of the document, grouped by kind, each a button that selects it: the
/// keyboard route to what the canvas draws only as a badge (security groups, NACLs, route
/// tables) or not at all (prefix lists).
fn outline(state: &AppContext) -> Html {
    let doc = &state.scenario;
    let Ok(v) = serde_json::to_value(&**doc) else { return html! {} };
    let groups: Vec<(Kind, Vec<Item>)> = Kind::ALL
        .into_iter()
        .map(|k| {
            let keys: Vec<Item> = v
                .pointer(k.collection())
                .and_then(serde_json::Value::as_array)
                .map(|a| {
                    a.iter().filter_map(|e| e.get(k.key_field()).and_then(serde_json::Value::as_str)).map(|key| Item::new(k, key)).collect()
                })
                .unwrap_or_default();
            (k, keys)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    if groups.is_empty() {
        return html! { <p class="hint">{"The document is empty: add a VPC from the palette to start."}</p> };
    }
    html! {
        <nav class="outline" aria-label="All resources">
            <h3>{"All resources"}</h3>
            { for groups.into_iter().map(|(k, items)| html! {
                <section class="outline-group">
                    <h4>{ k.label() }</h4>
                    <ul>
                        { for items.into_iter().map(|it| {
                            let r = it.reference(doc);
                            let s = state.clone();
                            let label = it.key.clone();
                            html! {
                                <li><button type="button" class="link outline-item" data-select={r.clone()}
                                    onclick={Callback::from(move |_: MouseEvent| s.dispatch(Action::Select(vec![r.clone()])))}
                                    aria-label={format!("Inspect {} {}", k.label(), label)}>{ label.clone() }</button></li>
                            }
                        }) }
                    </ul>
                </section>
            }) }
        </nav>
    }
}
