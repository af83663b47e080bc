//! "What blocks this?": every setting that stops a probe, each with the smallest change
//! that lets it through, and the reverse question, every rule that lets a probe through.
//!
//! Built on the evaluator only; this module knows no layer order. [`blockers`] traces the
//! probe, takes the drop, proposes a fix for it, applies the fix to a working copy of the
//! document and traces again, until the flow is reachable or a drop cannot be got past.
//! So the blockers come in path order over both legs (the stateless response included,
//! NACL-6, NACL-12, NACL-13), and the fixes, applied in order, make the flow reachable.
//! Every fix is verified before it is offered: applied, the document must still load
//! without new errors and the packet must get past the point where it stopped.
//!
//! Fixes only append (a rule, a NACL entry, a route), so the JSON pointers of earlier
//! blockers stay valid after later fixes. A blocker without an automatic fix (an endpoint
//! policy, SageMaker network isolation) is still listed; when the working copy can be
//! relaxed past it (the policy removed, isolation turned off) the search goes on, but the
//! relaxation is never offered as a fix.
//!
//! [`allowers`] answers the reverse question for a flow that passes: every SG rule, NACL
//! entry, route and endpoint policy statement that lets it through, found by removing the
//! deciding rule from a working copy and tracing again until that check stops allowing
//! (several SG rules allowing the same packet must all be removed, SG-9, SG-10; a NACL
//! entry removed lets the next matching one decide, NACL-2; a route removed lets a less
//! specific one carry the packet, RT-3).

use crate::diag::{Diagnostic, Severity};
use crate::eval::{self, Endpoint, INTERNET_HOST, INTERNET_HOST_V6};
use crate::lint::{apply_fix, apply_op_in_place, list_element, Fix, PatchOp};
use crate::model::{NaclIx, Network, Node, SgIx};
use crate::scenario::{ProbeDoc, Scenario};
use crate::trace::{Check, CheckKind, Direction, DropInfo, DropReason, Leg, Outcome, Trace, Verdict};
use serde::Serialize;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// How many blockers the search follows before it gives up.
const MAX_BLOCKERS: usize = 16;

/// How many rules one allowing check may have behind it before the search gives up.
const MAX_ALLOWERS_PER_CHECK: usize = 64;

/// Highest NACL rule number (NACL-2).
const NACL_MAX_RULE: i64 = 32766;

/// Which leg of the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LegKind {
    /// Source to destination.
    Request,
    /// Destination back to the source (NACLs evaluate it statelessly, NACL-6).
    Response,
}

/// One setting that stops the flow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Blocker {
    /// The leg it stops.
    pub leg: LegKind,
    /// Layer.
    pub kind: CheckKind,
    /// Component id (`sg-web`, `acl-data`, `rtb-main`); security groups of one interface
    /// are joined with `+`.
    pub component: String,
    /// Direction, for filters.
    pub direction: Option<Direction>,
    /// The deciding rule (`100` for a NACL deny), or `None` when no rule matched.
    pub rule: Option<String>,
    /// Stable reason code.
    pub reason: DropReason,
    /// One sentence, as in the trace.
    pub explanation: String,
    /// Spec rule id of the denying check.
    pub spec: &'static str,
    /// JSON pointer into the document: the rule list, entry or resource concerned.
    pub at: Option<String>,
    /// The smallest change that gets the packet past this point, when one can be
    /// inferred; it applies to the document with the fixes of the earlier blockers.
    pub fix: Option<Fix>,
    /// What to do, in words, with the spec rule ids (also when there is a fix).
    pub help: String,
}

/// Everything that stops one probe.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Blockers {
    /// The flow is reachable as the document stands; there are no blockers.
    pub reachable: bool,
    /// The blockers in path order: request leg first, then the response leg.
    pub blockers: Vec<Blocker>,
    /// Every blocker was found: with the fixes (and the relaxations of blockers without a
    /// fix) the flow is reachable.
    pub complete: bool,
    /// Why the search stopped early, when it did.
    pub stopped: Option<String>,
}

impl Blockers {
    /// The fixes, in order, when every blocker has one and the list is complete:
    /// applied one after the other they make the flow reachable.
    pub fn all_fixes(&self) -> Option<Vec<&Fix>> {
        if !self.complete {
            return None;
        }
        self.blockers.iter().map(|b| b.fix.as_ref()).collect()
    }
}

/// One rule that lets a passing flow through.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Allower {
    /// The leg it allows.
    pub leg: LegKind,
    /// Hop index of the allowing check in the leg of the original trace.
    pub hop: usize,
    /// Check index within that hop. Allowers with the same leg, hop and check form one
    /// group: all of them must go for that check to stop allowing.
    pub check: usize,
    /// Layer.
    pub kind: CheckKind,
    /// Component id.
    pub component: String,
    /// Direction, for filters.
    pub direction: Option<Direction>,
    /// The rule in AWS terms (`tcp/443 from sg-web`, `100`, `10.1.0.0/16 -> pcx-ab`).
    pub rule: Option<String>,
    /// Spec rule id.
    pub spec: &'static str,
    /// One sentence.
    pub explanation: String,
    /// JSON pointer to the rule in the original document, when it is written there.
    pub at: Option<String>,
    /// Removing the rule (a `remove` at `at`); `None` for what cannot be removed (a VPC's
    /// local route, RT-2; the default endpoint policy; a policy statement).
    pub removal: Option<Fix>,
    /// What else would have to change, when one removal is not enough.
    pub note: Option<String>,
}

/// One fix removing every listed allower that has a removal, deepest index first so that
/// no removal shifts another's pointer; a rule listed twice is removed once.
pub fn removal_fix(allowers: &[&Allower]) -> Fix {
    let mut paths: Vec<(String, Option<usize>, String)> = Vec::new();
    let mut descriptions: Vec<String> = Vec::new();
    for a in allowers {
        let Some(fix) = &a.removal else { continue };
        for op in &fix.ops {
            if let PatchOp::Remove { path } = op {
                if paths.iter().any(|(_, _, p)| p == path) {
                    continue;
                }
                let (parent, last) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
                paths.push((parent.to_owned(), last.parse().ok(), path.clone()));
                descriptions.push(fix.description.clone());
            }
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    Fix { description: descriptions.join("; "), ops: paths.into_iter().map(|(_, _, path)| PatchOp::Remove { path }).collect() }
}

/// Every setting that blocks `probe`, each with the smallest change that lets it past.
/// `Err` only for an invalid probe, as [`eval::trace`].
pub fn blockers(scenario: &Scenario, probe: &ProbeDoc) -> Result<Blockers, Diagnostic> {
    let (net, diags) = Network::build(scenario);
    let mut work = scenario.clone();
    search(&mut work, &net, Some(error_count(&diags)), probe)
}

/// [`blockers`] for a network already built from `scenario` (the playground keeps one).
/// The search patches `scenario` in place and leaves it as it was when it returns.
pub fn blockers_built(scenario: &mut Scenario, net: &Network, probe: &ProbeDoc) -> Result<Blockers, Diagnostic> {
    search(scenario, net, None, probe)
}

/// The working copy: the document, patched in place, and what each patch replaced, put
/// back (last first) when the search ends, however it ends.
struct Work<'a> {
    doc: &'a mut Scenario,
    saved: Vec<crate::lint::Saved>,
}

impl Drop for Work<'_> {
    fn drop(&mut self) {
        while let Some(saved) = self.saved.pop() {
            crate::lint::restore(self.doc, saved);
        }
    }
}

/// The search of [`blockers`]. `errors` counts the error diagnostics of the document as
/// built, when known.
fn search(scenario: &mut Scenario, net: &Network, mut errors: Option<usize>, probe: &ProbeDoc) -> Result<Blockers, Diagnostic> {
    let mut work = Work { doc: scenario, saved: Vec::new() };
    let mut net = std::borrow::Cow::Borrowed(net);
    let mut current = eval::trace(&net, probe)?;
    let reachable = current.reachable;
    let mut found: Vec<Blocker> = Vec::new();
    let mut stopped = None;
    let mut complete = false;
    for _ in 0..=MAX_BLOCKERS {
        if current.reachable {
            complete = true;
            break;
        }
        if found.len() >= MAX_BLOCKERS {
            stopped = Some(format!("more than {MAX_BLOCKERS} blockers; the search stopped"));
            break;
        }
        let Some((leg, drop, check)) = drop_of(&current) else {
            stopped = Some(match missing_of(&current) {
                Some(m) => format!("the model lacks something to go on: {m}"),
                None => "the flow stops without a drop".to_owned(),
            });
            break;
        };
        let spec = check.map(|c| c.spec).unwrap_or("");
        let mut blocker = Blocker {
            leg,
            kind: drop.kind,
            component: drop.component.clone(),
            direction: drop.direction,
            rule: drop.rule.clone(),
            reason: drop.reason,
            explanation: drop.explanation.clone(),
            spec,
            at: locate(work.doc, drop),
            fix: None,
            help: help_for(drop.reason, spec).to_owned(),
        };
        let ctx = Ctx { scenario: work.doc, net: &net, trace: &current, probe, leg, drop, spec };
        let fix = propose(&ctx);
        let step = match &fix {
            Some(f) => Some(f.clone()),
            None => relax(&ctx),
        };
        if fix.is_none()
            && blocker.at.is_none()
            && matches!(drop.kind, CheckKind::SecurityGroup | CheckKind::NetworkAcl | CheckKind::RouteTable)
        {
            blocker.help =
                format!("{}; `{}` is implicit (not written in the document), so vpcsim cannot patch it", blocker.help, drop.component);
        }
        let Some(step) = step else {
            stopped = Some(format!("no automatic change gets past `{}`; the layers after it were not checked", drop.component));
            found.push(blocker);
            break;
        };
        let key = drop_key(leg, drop);
        match try_step(&mut work, &mut net, &mut errors, &step, probe, &key) {
            Some(next_trace) => {
                blocker.fix = fix;
                found.push(blocker);
                current = next_trace;
            }
            None => {
                stopped = Some(format!("no change vpcsim can infer gets past `{}`; the layers after it were not checked", drop.component));
                found.push(blocker);
                break;
            }
        }
    }
    Ok(Blockers { reachable, blockers: found, complete, stopped })
}

/// Every rule that lets `probe` through (empty when it does not get through).
/// `Err` only for an invalid probe, as [`eval::trace`].
pub fn allowers(scenario: &Scenario, probe: &ProbeDoc) -> Result<Vec<Allower>, Diagnostic> {
    let (net, _) = Network::build(scenario);
    let base = eval::trace(&net, probe)?;
    let mut out = Vec::new();
    if !base.reachable {
        return Ok(out);
    }
    let legs = [(LegKind::Request, Some(&base.request)), (LegKind::Response, base.response.as_ref())];
    for (leg, l) in legs {
        let Some(l) = l else { continue };
        for (h, hop) in l.hops.iter().enumerate() {
            for (c, chk) in hop.checks.iter().enumerate() {
                if chk.verdict != Verdict::Allow {
                    continue;
                }
                match chk.kind {
                    CheckKind::SecurityGroup | CheckKind::NetworkAcl | CheckKind::RouteTable if chk.rule_path.is_some() => {
                        out.extend(chain(scenario, probe, leg, h, c)?);
                    }
                    CheckKind::EndpointPolicy => out.push(policy_allower(scenario, leg, h, c, chk)),
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

// ----- blockers -----

struct Ctx<'a> {
    scenario: &'a Scenario,
    net: &'a Network,
    trace: &'a Trace,
    probe: &'a ProbeDoc,
    leg: LegKind,
    drop: &'a DropInfo,
    spec: &'static str,
}

type DropKey = (LegKind, CheckKind, String, Option<Direction>, DropReason);

fn drop_key(leg: LegKind, d: &DropInfo) -> DropKey {
    (leg, d.kind, d.component.clone(), d.direction, d.reason)
}

fn error_count(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.severity == Severity::Error).count()
}

fn dropped(leg: &Leg) -> Option<(&DropInfo, Option<&Check>)> {
    match (leg.outcome, &leg.dropped_at) {
        (Outcome::Dropped, Some(d)) => Some((d, leg.deciding_check())),
        _ => None,
    }
}

fn drop_of(t: &Trace) -> Option<(LegKind, &DropInfo, Option<&Check>)> {
    if let Some((d, c)) = dropped(&t.request) {
        return Some((LegKind::Request, d, c));
    }
    let (d, c) = dropped(t.response.as_ref()?)?;
    Some((LegKind::Response, d, c))
}

fn missing_of(t: &Trace) -> Option<&str> {
    t.request.missing.as_deref().or_else(|| t.response.as_ref().and_then(|r| r.missing.as_deref()))
}

/// The security groups and network ACLs whose rule lists `step` changes, when it changes
/// nothing else: then the network is patched in place ([`Network::rebuild_rules`])
/// instead of built again.
fn rule_lists(doc: &Scenario, net: &Network, step: &Fix) -> Option<(Vec<SgIx>, Vec<NaclIx>)> {
    let (mut groups, mut acls) = (Vec::new(), Vec::new());
    for op in &step.ops {
        // Inside a group's or ACL's `inbound` or `outbound` list.
        let in_list = |list: &str| -> Option<usize> {
            let (index, rest) = list_element(op.path(), list)?;
            matches!(rest.split('/').nth(1)?, "inbound" | "outbound").then_some(index)
        };
        if let Some(i) = in_list("/network/security_groups/") {
            let Some(Node::Sg(g)) = net.node(&doc.network.security_groups.get(i)?.id) else { return None };
            groups.push(g);
        } else if let Some(i) = in_list("/network/network_acls/") {
            let Some(Node::Nacl(a)) = net.node(&doc.network.network_acls.get(i)?.id) else { return None };
            acls.push(a);
        } else {
            return None;
        }
    }
    Some((groups, acls))
}

/// Applies one step to the working copy and checks that it got the packet past the drop
/// without adding an error to the document. A step that only adds rules patches the
/// network in place; any other builds it again. On `None` the search stops, so the
/// working copy need not be rolled back.
fn try_step(
    work: &mut Work<'_>,
    net: &mut std::borrow::Cow<'_, Network>,
    errors: &mut Option<usize>,
    step: &Fix,
    probe: &ProbeDoc,
    key: &DropKey,
) -> Option<Trace> {
    match rule_lists(work.doc, net, step) {
        Some((groups, acls)) => {
            let net = net.to_mut();
            let before = error_count(&net.rebuild_rules(&work.doc.network, &groups, &acls)?);
            for op in &step.ops {
                work.saved.push(apply_op_in_place(work.doc, op).ok()?);
            }
            let after = error_count(&net.rebuild_rules(&work.doc.network, &groups, &acls)?);
            if after > before {
                return None;
            }
            *errors = errors.map(|e| e.saturating_sub(before).saturating_add(after));
        }
        None => {
            let before = match *errors {
                Some(e) => e,
                None => error_count(&Network::build(work.doc).1),
            };
            for op in &step.ops {
                work.saved.push(apply_op_in_place(work.doc, op).ok()?);
            }
            let (next, diags) = Network::build(work.doc);
            let after = error_count(&diags);
            if after > before {
                return None;
            }
            *errors = Some(after);
            *net = std::borrow::Cow::Owned(next);
        }
    }
    let t = eval::trace(net, probe).ok()?;
    if drop_of(&t).is_some_and(|(leg, d, _)| drop_key(leg, d) == *key) {
        return None;
    }
    Some(t)
}

fn help_for(reason: DropReason, spec: &str) -> &'static str {
    match reason {
        DropReason::SgNoMatchingRule => "add a security group rule that allows the packet (SG-9, SG-10)",
        DropReason::NaclDenyRule => "add an allow entry numbered below the deny that matches first (NACL-2)",
        DropReason::NaclDefaultDeny => "add an allow entry; NACLs are stateless, so responses need one for the ephemeral ports (NACL-3, NACL-12)",
        DropReason::NoRoute if spec == "EX-3" => "169.254.168.0/22 is never forwarded; use another address (EX-3)",
        DropReason::NoRoute => {
            "add a route to the destination through a gateway that reaches it: a peering connection or transit gateway for another VPC, an internet or NAT gateway for the internet (RT-3)"
        }
        DropReason::BlackholeRoute => "point the route at a target that exists, or remove it (RT-6)",
        DropReason::NoPublicIp => "give the instance a public IPv4 or Elastic IP, or route through a NAT gateway (RT-8)",
        DropReason::IgwNotAttached => "attach the internet gateway to the VPC (RT-8)",
        DropReason::NotAddressable => "address the destination by a public IP it holds (RT-8)",
        DropReason::PrivateNatToIgw => "use a public NAT gateway for internet traffic (RT-10)",
        DropReason::UnsolicitedInbound => "NAT gateways and egress-only internet gateways accept no inbound connections; initiate from inside (RT-10, RT-12)",
        DropReason::PeeringNotActive => "accept the peering connection (RT-13)",
        DropReason::PeeringNoEdgeToEdge => "peering is not transitive; peer the VPCs directly or use a transit gateway (RT-13)",
        DropReason::NoSuchAddress => "no interface holds the address; check the destination",
        DropReason::EndpointTcpOnly => "interface endpoints accept TCP only (EP-7)",
        DropReason::EndpointWrongService => "route the destination's service through its own endpoint (EP-3)",
        DropReason::EndpointPolicyDenied => "change the endpoint policy so that a statement allows the request and none denies it (EP-10, IAM-4); vpcsim proposes no policy change",
        DropReason::NetworkIsolation => "network isolation forbids every network call of the container; turn it off only if the job needs the network (SM-8); vpcsim proposes no change",
        DropReason::RoutingLoop => "break the routing loop",
        DropReason::AddressFamily => "use a target of the packet's IP version (RT-12)",
        DropReason::ServiceCannotInitiate => "AWS services answer requests from your VPC; they cannot initiate them (EP-7)",
        DropReason::EndpointNotExtended => "use an interface endpoint to reach the service from outside the VPC (EP-6)",
        DropReason::AsymmetricRoute => "make the response return through the gateway that carried the request (RT-8, RT-10)",
        DropReason::Port25Restricted => "ask AWS to remove the port 25 restriction; it is not a network setting (SG-20)",
    }
}

fn propose(ctx: &Ctx<'_>) -> Option<Fix> {
    match ctx.drop.reason {
        DropReason::SgNoMatchingRule => sg_fix(ctx),
        DropReason::NaclDenyRule | DropReason::NaclDefaultDeny => nacl_fix(ctx),
        DropReason::NoRoute if ctx.spec != "EX-3" => route_fix(ctx),
        _ => None,
    }
}

/// A working-copy change that gets past a blocker without an automatic fix, so that the
/// layers after it can be checked. Never offered as a fix.
fn relax(ctx: &Ctx<'_>) -> Option<Fix> {
    let net = &ctx.scenario.network;
    match ctx.drop.reason {
        DropReason::EndpointPolicyDenied => {
            let i = net.vpc_endpoints.iter().position(|v| v.id == ctx.drop.component && v.policy.is_some())?;
            Some(Fix {
                description: format!("assume the endpoint policy of `{}` allowed the request", ctx.drop.component),
                ops: vec![PatchOp::Remove { path: format!("/network/vpc_endpoints/{i}/policy") }],
            })
        }
        DropReason::NetworkIsolation => {
            let (kind, name) = ctx.drop.component.strip_prefix("sagemaker:")?.split_once('/')?;
            let path = if kind == "endpoint" {
                let i = net.sagemaker.endpoints.iter().position(|e| e.name == name && e.network_isolation)?;
                format!("/network/sagemaker/endpoints/{i}/network_isolation")
            } else {
                let i = net.sagemaker.training_jobs.iter().position(|e| e.name == name && e.network_isolation)?;
                format!("/network/sagemaker/training_jobs/{i}/network_isolation")
            };
            Some(Fix {
                description: format!("assume `{name}` ran without network isolation"),
                ops: vec![PatchOp::Replace { path, value: Value::Bool(false) }],
            })
        }
        _ => None,
    }
}

/// The packet of the leg as addressed at its ends: (source, destination, source port,
/// destination port).
fn leg_packet(ctx: &Ctx<'_>) -> Option<(IpAddr, IpAddr, Option<u16>, Option<u16>)> {
    let f = &ctx.trace.flow;
    let src: IpAddr = f.src_ip.parse().ok()?;
    let dst: IpAddr = f.dst_ip.parse().ok()?;
    Some(match ctx.leg {
        LegKind::Request => (src, dst, f.src_port, f.dst_port),
        LegKind::Response => (dst, src, f.dst_port, f.src_port),
    })
}

/// Appends to the list at `list`; an empty list is not serialized, so it is added whole.
fn append(list: String, empty: bool, value: Value) -> PatchOp {
    if empty {
        PatchOp::Add { path: list, value: Value::Array(vec![value]) }
    } else {
        PatchOp::Add { path: format!("{list}/-"), value }
    }
}

fn host_cidr(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(_) => format!("{ip}/32"),
        IpAddr::V6(_) => format!("{ip}/128"),
    }
}

/// The stand-in address of `internet` means any internet host.
fn is_internet_stand_in(ip: IpAddr) -> bool {
    ip == IpAddr::V4(INTERNET_HOST) || ip == IpAddr::V6(INTERNET_HOST_V6)
}

fn any_cidr(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "0.0.0.0/0"
    } else {
        "::/0"
    }
}

fn dir_key(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    }
}

/// The protocol as a rule writes it: `tcp`, `udp`, `icmp`, `icmpv6`, else its number.
fn doc_protocol(ctx: &Ctx<'_>) -> Option<String> {
    let name = ctx.trace.flow.protocol.as_str();
    if matches!(name, "tcp" | "udp" | "icmp" | "icmpv6") {
        return Some(name.to_owned());
    }
    match crate::addr::Protocol::parse(&ctx.probe.protocol)? {
        crate::addr::Protocol::Number(n) => Some(n.to_string()),
        crate::addr::Protocol::All => None,
    }
}

fn proto_title(p: &str) -> String {
    match p {
        "tcp" | "udp" | "icmp" | "icmpv6" => p.to_uppercase(),
        other => format!("protocol {other}"),
    }
}

/// SG-9/SG-10: one rule allowing the protocol and port from (to) the peer. The peer is
/// named by its security group when it has one in the same VPC (SG-16), an AWS service
/// by its prefix list, else by its address (`0.0.0.0/0` for the internet stand-in).
fn sg_fix(ctx: &Ctx<'_>) -> Option<Fix> {
    if ctx.leg != LegKind::Request {
        return None;
    }
    let dir = ctx.drop.direction?;
    let sg_id = ctx.drop.component.split('+').next()?;
    let gi = ctx.scenario.network.security_groups.iter().position(|g| g.id == sg_id)?;
    let list_empty = ctx.scenario.network.security_groups.get(gi).is_none_or(|g| match dir {
        Direction::Inbound => g.inbound.is_empty(),
        Direction::Outbound => g.outbound.is_empty(),
    });
    let (src, dst, _, dst_port) = leg_packet(ctx)?;
    let (peer_ip, peer_ref) = match dir {
        Direction::Inbound => (src, &ctx.probe.from),
        Direction::Outbound => (dst, &ctx.probe.to),
    };
    let f = &ctx.trace.flow;
    let protocol = doc_protocol(ctx)?;
    let mut rule = Map::new();
    rule.insert("protocol".into(), Value::String(protocol.clone()));
    let mut what = proto_title(&protocol);
    match protocol.as_str() {
        "tcp" | "udp" => {
            let port = dst_port?;
            rule.insert("ports".into(), Value::String(port.to_string()));
            what = format!("{what} {port}");
        }
        "icmp" | "icmpv6" => {
            if let (Some(t), Some(c)) = (f.icmp_type, f.icmp_code) {
                rule.insert("icmp_type".into(), Value::from(t));
                rule.insert("icmp_code".into(), Value::from(c));
                what = format!("{what} type {t} code {c}");
            }
        }
        _ => {}
    }
    // A destination addressed by its public IP sees the source's public address (RT-8),
    // which no group reference matches (SG-16).
    let public_peer = match dir {
        Direction::Inbound => public_source(ctx.net, &ctx.probe.from, &ctx.probe.to, dst),
        Direction::Outbound => None,
    };
    let peer_ip = public_peer.unwrap_or(peer_ip);
    let peer_sg = if public_peer.is_some() { None } else { peer_group(ctx.net, peer_ref, peer_ip, sg_id) };
    // An AWS service reached through a gateway endpoint: its prefix list (EP-2).
    let peer_pl = ctx.net.prefix_lists.iter().find(|p| p.service.is_some() && p.cidrs.iter().any(|c| c.contains(peer_ip)));
    let peer_text = match (&peer_sg, peer_pl) {
        (Some(g), _) => {
            rule.insert("sg".into(), Value::String(g.clone()));
            g.clone()
        }
        (None, Some(pl)) if dir == Direction::Outbound => {
            rule.insert("prefix_list".into(), Value::String(pl.id.clone()));
            pl.id.clone()
        }
        _ => {
            let cidr = if is_internet_stand_in(peer_ip) { any_cidr(peer_ip).to_owned() } else { host_cidr(peer_ip) };
            rule.insert("cidr".into(), Value::String(cidr.clone()));
            cidr
        }
    };
    let description = match dir {
        Direction::Inbound => format!("add inbound {what} from {peer_text} to {sg_id}"),
        Direction::Outbound => format!("add outbound {what} to {peer_text} on {sg_id}"),
    };
    Some(Fix { description, ops: vec![append(format!("/network/security_groups/{gi}/{}", dir_key(dir)), list_empty, Value::Object(rule))] })
}

/// The public address the source's packets carry when the destination `dst` is addressed
/// by a public IP of its interface, not its private one.
fn public_source(net: &Network, from: &str, to: &str, dst: IpAddr) -> Option<IpAddr> {
    let Ok(Endpoint::Eni { eni: d, .. }) = eval::resolve(net, to, "probe") else { return None };
    if net.eni(d)?.private_ip == dst {
        return None;
    }
    let Ok(Endpoint::Eni { eni: s, .. }) = eval::resolve(net, from, "probe") else { return None };
    net.eni(s)?.public_ip
}

/// The first security group of the probe end `reference`, when that end is an interface
/// holding `ip` with a group in the same VPC as group `sg_id`.
fn peer_group(net: &Network, reference: &str, ip: IpAddr, sg_id: &str) -> Option<String> {
    let Ok(Endpoint::Eni { eni, .. }) = eval::resolve(net, reference, "probe") else { return None };
    let e = net.eni(eni)?;
    if e.private_ip != ip {
        return None;
    }
    let Some(Node::Sg(own)) = net.node(sg_id) else { return None };
    let vpc = net.sg(own)?.vpc;
    e.sgs.iter().filter_map(|g| net.sg(*g)).find(|g| g.vpc == vpc).map(|g| g.id.clone())
}

/// The rule number for a new allow entry (NACL-2, NACL-9): below the deny entry that
/// decided (`deny`), the largest free multiple of 10 under it, else the largest free
/// number under it; after every entry when the final `*` denied (`None`), the next
/// multiple of 10 (100 in an empty list), else the largest free number. `None` when no
/// number is free where one is needed.
pub fn choose_rule_number(existing: &[i64], deny: Option<i64>) -> Option<i64> {
    let free = |n: i64| (1..=NACL_MAX_RULE).contains(&n) && !existing.contains(&n);
    match deny {
        Some(d) => {
            let below = d.min(NACL_MAX_RULE.saturating_add(1)).saturating_sub(1);
            let tens = (1..=below / 10).rev().map(|k| k.saturating_mul(10)).find(|n| free(*n));
            tens.or_else(|| (1..=below).rev().find(|n| free(*n)))
        }
        None => {
            let max = existing.iter().copied().max();
            let next = match max {
                None => 100,
                Some(m) => (m / 10).saturating_add(1).saturating_mul(10),
            };
            if free(next) {
                Some(next)
            } else {
                (1..=NACL_MAX_RULE).rev().find(|n| free(*n))
            }
        }
    }
}

/// The subnet CIDR of the document that holds `ip`, else its host CIDR (the internet
/// stand-in: any address).
fn peer_cidr(scenario: &Scenario, ip: IpAddr) -> String {
    if is_internet_stand_in(ip) {
        return any_cidr(ip).to_owned();
    }
    let subnet = scenario.network.subnets.iter().find_map(|s| {
        let c: ipnet::IpNet = s.cidr.parse().ok()?;
        c.contains(&ip).then(|| c.trunc().to_string())
    });
    subnet.unwrap_or_else(|| host_cidr(ip))
}

/// NACL-2, NACL-3, NACL-12, NACL-13: one allow entry for the packet, numbered below the
/// deny that decided; on the response leg for the ephemeral port range.
fn nacl_fix(ctx: &Ctx<'_>) -> Option<Fix> {
    let dir = ctx.drop.direction?;
    let ai = ctx.scenario.network.network_acls.iter().position(|a| a.id == ctx.drop.component)?;
    let acl = ctx.scenario.network.network_acls.get(ai)?;
    let entries = match dir {
        Direction::Inbound => &acl.inbound,
        Direction::Outbound => &acl.outbound,
    };
    let existing: Vec<i64> = entries.iter().map(|e| e.rule).collect();
    let deny = match ctx.drop.reason {
        DropReason::NaclDenyRule => Some(ctx.drop.rule.as_deref()?.parse::<i64>().ok()?),
        _ => None,
    };
    let number = choose_rule_number(&existing, deny)?;
    let (src, dst, _, dst_port) = leg_packet(ctx)?;
    let peer = match dir {
        Direction::Inbound => src,
        Direction::Outbound => dst,
    };
    let cidr = peer_cidr(ctx.scenario, peer);
    let f = &ctx.trace.flow;
    let mut entry = Map::new();
    entry.insert("rule".into(), Value::from(number));
    entry.insert("action".into(), Value::String("allow".into()));
    let protocol = doc_protocol(ctx)?;
    entry.insert("protocol".into(), Value::String(protocol.clone()));
    let mut what = proto_title(&protocol);
    match protocol.as_str() {
        "tcp" | "udp" => {
            let port = dst_port?;
            // The response goes to the client's ephemeral port (NACL-12).
            let ports = if ctx.leg == LegKind::Response && port >= 1024 { "1024-65535".to_owned() } else { port.to_string() };
            what = format!("{what} {ports}");
            entry.insert("ports".into(), Value::String(ports));
        }
        "icmp" | "icmpv6" if ctx.leg == LegKind::Request => {
            if let (Some(t), Some(c)) = (f.icmp_type, f.icmp_code) {
                entry.insert("icmp_type".into(), Value::from(t));
                entry.insert("icmp_code".into(), Value::from(c));
                what = format!("{what} type {t} code {c}");
            }
        }
        _ => {}
    }
    entry.insert("cidr".into(), Value::String(cidr.clone()));
    let prep = if dir == Direction::Inbound { "from" } else { "to" };
    let below = match deny {
        Some(d) => format!(", before deny rule {d}"),
        None => String::new(),
    };
    Some(Fix {
        description: format!("add NACL {dir} rule {number} to {} allowing {what} {prep} {cidr}{below}", acl.id),
        ops: vec![append(format!("/network/network_acls/{ai}/{}", dir_key(dir)), entries.is_empty(), Value::Object(entry))],
    })
}

/// RT-3: a route to the destination through a gateway that reaches it: the active
/// peering connection or the transit gateway joining the two VPCs (RT-13, RT-9), else,
/// for an address outside every VPC, the internet gateway or a NAT gateway (RT-8, RT-10).
fn route_fix(ctx: &Ctx<'_>) -> Option<Fix> {
    let doc = &ctx.scenario.network;
    let ti = doc.route_tables.iter().position(|t| t.id == ctx.drop.component)?;
    let table = doc.route_tables.get(ti)?;
    let (src, dst, _, _) = leg_packet(ctx)?;
    let block_of = |v: &crate::scenario::VpcDoc| {
        v.cidr_blocks.iter().find_map(|b| {
            let c: ipnet::IpNet = b.parse().ok()?;
            c.contains(&dst).then(|| c.trunc().to_string())
        })
    };
    let other = doc.vpcs.iter().find_map(|v| block_of(v).map(|b| (v.id.as_str(), b)));
    let (destination, target) = match other {
        Some((vpc, _)) if vpc == table.vpc => return None,
        Some((vpc, block)) => {
            let joins = |a: &str, b: &str| (a == table.vpc && b == vpc) || (b == table.vpc && a == vpc);
            let pcx = doc.peering_connections.iter().find(|p| p.status == "active" && joins(&p.requester_vpc, &p.accepter_vpc));
            let tgw = doc
                .transit_gateways
                .iter()
                .find(|t| t.attachments.iter().any(|a| a.vpc == table.vpc) && t.attachments.iter().any(|a| a.vpc == vpc));
            let target = pcx.map(|p| p.id.clone()).or_else(|| tgw.map(|t| t.id.clone()))?;
            (block, target)
        }
        None => {
            if doc.external.iter().any(|x| x.kind != "internet" && x.cidr.parse::<ipnet::IpNet>().is_ok_and(|c| c.contains(&dst))) {
                return None;
            }
            let igw = doc.internet_gateways.iter().find(|g| g.vpc.as_deref() == Some(table.vpc.as_str())).map(|g| g.id.clone());
            let nat = if dst.is_ipv4() {
                doc.nat_gateways
                    .iter()
                    .find(|n| {
                        n.connectivity == "public"
                            && !table.subnets.contains(&n.subnet)
                            && doc.subnets.iter().any(|s| s.id == n.subnet && s.vpc == table.vpc)
                    })
                    .map(|n| n.id.clone())
            } else {
                None
            };
            let sender_public = match ctx.leg {
                LegKind::Request => sender_has_public_ip(ctx, src),
                LegKind::Response => true,
            };
            let target = if sender_public { igw.or(nat) } else { nat.or(igw) }?;
            (any_cidr(dst).to_owned(), target)
        }
    };
    Some(Fix {
        description: format!("add a route to {destination} via {target} in {}", table.id),
        ops: vec![append(
            format!("/network/route_tables/{ti}/routes"),
            table.routes.is_empty(),
            serde_json::json!({ "destination": destination, "target": target }),
        )],
    })
}

fn sender_has_public_ip(ctx: &Ctx<'_>, src: IpAddr) -> bool {
    match eval::resolve(ctx.net, &ctx.probe.from, "probe") {
        Ok(Endpoint::Eni { eni, .. }) => ctx.net.eni(eni).is_some_and(|e| e.public_ip.is_some() || e.private_ip != src),
        _ => false,
    }
}

/// A JSON pointer into the document for a drop: the rule list or entry of a filter, the
/// route list of a table, an endpoint's policy, else the resource.
fn locate(scenario: &Scenario, d: &DropInfo) -> Option<String> {
    let net = &scenario.network;
    match d.kind {
        CheckKind::SecurityGroup => {
            let id = d.component.split('+').next()?;
            let i = net.security_groups.iter().position(|g| g.id == id)?;
            Some(format!("/network/security_groups/{i}/{}", dir_key(d.direction?)))
        }
        CheckKind::NetworkAcl => {
            let i = net.network_acls.iter().position(|a| a.id == d.component)?;
            let dir = d.direction?;
            let base = format!("/network/network_acls/{i}/{}", dir_key(dir));
            let number = d.rule.as_deref().and_then(|r| r.parse::<i64>().ok());
            let entries = net.network_acls.get(i).map(|a| match dir {
                Direction::Inbound => &a.inbound,
                Direction::Outbound => &a.outbound,
            })?;
            Some(match number.and_then(|n| entries.iter().position(|e| e.rule == n)) {
                Some(k) => format!("{base}/{k}"),
                None => base,
            })
        }
        CheckKind::RouteTable => match net.route_tables.iter().position(|t| t.id == d.component) {
            // An empty route list is not serialized: point at the table.
            Some(i) if net.route_tables.get(i).is_some_and(|t| t.routes.is_empty()) => Some(format!("/network/route_tables/{i}")),
            Some(i) => Some(format!("/network/route_tables/{i}/routes")),
            None => locate_id(scenario, &d.component),
        },
        CheckKind::EndpointPolicy => {
            let i = net.vpc_endpoints.iter().position(|v| v.id == d.component)?;
            Some(format!("/network/vpc_endpoints/{i}/policy"))
        }
        _ => locate_id(scenario, &d.component),
    }
}

/// The pointer of the resource with this id (or SageMaker reference).
fn locate_id(scenario: &Scenario, id: &str) -> Option<String> {
    let n = &scenario.network;
    let find = |name: &str, ids: Vec<&str>| ids.iter().position(|x| *x == id).map(|i| format!("/network/{name}/{i}"));
    if let Some((kind, name)) = id.strip_prefix("sagemaker:").and_then(|r| r.split_once('/')) {
        let sm = &n.sagemaker;
        return match kind {
            "notebook" => {
                sm.notebook_instances.iter().position(|x| x.name == name).map(|i| format!("/network/sagemaker/notebook_instances/{i}"))
            }
            "endpoint" => sm.endpoints.iter().position(|x| x.name == name).map(|i| format!("/network/sagemaker/endpoints/{i}")),
            "domain" => sm.domains.iter().position(|x| x.name == name).map(|i| format!("/network/sagemaker/domains/{i}")),
            _ => sm.training_jobs.iter().position(|x| x.name == name).map(|i| format!("/network/sagemaker/training_jobs/{i}")),
        };
    }
    find("vpcs", n.vpcs.iter().map(|x| x.id.as_str()).collect())
        .or_else(|| find("subnets", n.subnets.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("route_tables", n.route_tables.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("instances", n.instances.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("internet_gateways", n.internet_gateways.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("egress_only_internet_gateways", n.egress_only_internet_gateways.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("nat_gateways", n.nat_gateways.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("vpc_endpoints", n.vpc_endpoints.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("peering_connections", n.peering_connections.iter().map(|x| x.id.as_str()).collect()))
        .or_else(|| find("transit_gateways", n.transit_gateways.iter().map(|x| x.id.as_str()).collect()))
}

// ----- allowers -----

fn leg_of(t: &Trace, leg: LegKind) -> Option<&Leg> {
    match leg {
        LegKind::Request => Some(&t.request),
        LegKind::Response => t.response.as_ref(),
    }
}

fn check_at(t: &Trace, leg: LegKind, hop: usize, check: usize) -> Option<&Check> {
    leg_of(t, leg)?.hops.get(hop)?.checks.get(check)
}

/// The original index of the `current`-th element left after removing `removed`.
fn original_index(removed: &[usize], current: usize) -> usize {
    let mut seen = 0;
    let mut i = 0;
    loop {
        if !removed.contains(&i) {
            if seen == current {
                return i;
            }
            seen += 1;
        }
        i += 1;
    }
}

/// Where the rule of an allowing check is written: (the list's pointer, index).
fn rule_location(scenario: &Scenario, c: &Check) -> Option<(String, usize)> {
    let net = &scenario.network;
    match c.kind {
        CheckKind::SecurityGroup => {
            let path = c.rule_path.as_deref()?;
            let (rest, pos) = path.rsplit_once('/')?;
            let (id, dir) = rest.rsplit_once('/')?;
            let gi = net.security_groups.iter().position(|g| g.id == id)?;
            Some((format!("/network/security_groups/{gi}/{dir}"), pos.parse().ok()?))
        }
        CheckKind::NetworkAcl => {
            let path = c.rule_path.as_deref()?;
            let (rest, number) = path.rsplit_once('/')?;
            let (id, dir) = rest.rsplit_once('/')?;
            let number: i64 = number.parse().ok()?;
            let ai = net.network_acls.iter().position(|a| a.id == id)?;
            let acl = net.network_acls.get(ai)?;
            let entries = if dir == "inbound" { &acl.inbound } else { &acl.outbound };
            let k = entries.iter().position(|e| e.rule == number)?;
            Some((format!("/network/network_acls/{ai}/{dir}"), k))
        }
        CheckKind::RouteTable => {
            let (dest, target) = c.rule.as_deref()?.split_once(" -> ")?;
            let ti = net.route_tables.iter().position(|t| t.id == c.component)?;
            let table = net.route_tables.get(ti)?;
            let same_dest = |r: &crate::scenario::RouteDoc| match (&r.destination, &r.destination_prefix_list) {
                (Some(d), _) => match (d.parse::<ipnet::IpNet>(), dest.parse::<ipnet::IpNet>()) {
                    (Ok(a), Ok(b)) => a.trunc() == b.trunc(),
                    _ => d == dest,
                },
                (None, Some(pl)) => pl == dest,
                (None, None) => false,
            };
            let k = table.routes.iter().position(|r| r.target == target && same_dest(r))?;
            Some((format!("/network/route_tables/{ti}/routes"), k))
        }
        _ => None,
    }
}

fn allower(leg: LegKind, hop: usize, check: usize, c: &Check) -> Allower {
    Allower {
        leg,
        hop,
        check,
        kind: c.kind,
        component: c.component.clone(),
        direction: c.direction,
        rule: c.rule.clone(),
        spec: c.spec,
        explanation: c.explanation.clone(),
        at: None,
        removal: None,
        note: None,
    }
}

fn removal_text(c: &Check) -> String {
    let rule = c.rule.as_deref().unwrap_or("?");
    match (c.kind, c.direction) {
        (CheckKind::SecurityGroup, Some(d)) => format!("remove {d} rule `{rule}` of {}", c.component),
        (CheckKind::NetworkAcl, Some(d)) => format!("remove NACL {d} rule {rule} of {}", c.component),
        _ => format!("remove route `{rule}` of {}", c.component),
    }
}

/// Every rule behind one allowing check: the deciding rule is removed from a working copy
/// and the probe traced again while the check at the same place still allows.
fn chain(scenario: &Scenario, probe: &ProbeDoc, leg: LegKind, hop: usize, check: usize) -> Result<Vec<Allower>, Diagnostic> {
    let mut work = scenario.clone();
    let mut removed: Vec<(String, usize)> = Vec::new();
    let mut group: Vec<Allower> = Vec::new();
    let mut kind = None;
    for _ in 0..MAX_ALLOWERS_PER_CHECK {
        let (net, _) = Network::build(&work);
        let t = eval::trace(&net, probe)?;
        let Some(c) = check_at(&t, leg, hop, check) else { break };
        if c.verdict != Verdict::Allow || c.rule_path.is_none() || kind.is_some_and(|k| k != c.kind) {
            break;
        }
        kind = Some(c.kind);
        let mut a = allower(leg, hop, check, c);
        let Some((list, current)) = rule_location(&work, c) else {
            a.note = Some(match c.kind {
                CheckKind::RouteTable => "the VPC's local route cannot be removed (RT-2)".to_owned(),
                _ => "this rule is not written in the document".to_owned(),
            });
            group.push(a);
            break;
        };
        let gone: Vec<usize> = removed.iter().filter(|(l, _)| *l == list).map(|(_, i)| *i).collect();
        let original = original_index(&gone, current);
        let at = format!("{list}/{original}");
        a.at = Some(at.clone());
        a.removal = Some(Fix { description: removal_text(c), ops: vec![PatchOp::Remove { path: at }] });
        group.push(a);
        let step = Fix { description: String::new(), ops: vec![PatchOp::Remove { path: format!("{list}/{current}") }] };
        match apply_fix(&work, &step) {
            Ok(next) => work = next,
            Err(_) => break,
        }
        removed.push((list, original));
    }
    let n = group.len();
    if n > 1 {
        let note = match kind {
            Some(CheckKind::SecurityGroup) => format!(
                "{n} security group rules allow this packet: the union of the rules decides, so all {n} must be removed to stop it (SG-9, SG-10)"
            ),
            Some(CheckKind::NetworkAcl) => {
                format!("{n} entries allow this packet in turn: removing one lets the next matching entry decide, so all {n} must go (NACL-2)")
            }
            _ => format!("{n} routes carry this packet in turn: removing the most specific lets the next one carry it (RT-3)"),
        };
        for a in group.iter_mut() {
            a.note = Some(match a.note.take() {
                Some(own) => format!("{note}; {own}"),
                None => note.clone(),
            });
        }
    }
    Ok(group)
}

fn policy_allower(scenario: &Scenario, leg: LegKind, hop: usize, check: usize, c: &Check) -> Allower {
    let mut a = allower(leg, hop, check, c);
    a.at = scenario.network.vpc_endpoints.iter().position(|v| v.id == c.component).map(|i| format!("/network/vpc_endpoints/{i}/policy"));
    a.note = Some(if c.rule.as_deref() == Some("default policy") {
        "the endpoint has no policy, so the default full-access policy allows the request; attach one that does not allow it (EP-10)"
            .to_owned()
    } else {
        "a statement of the endpoint policy allows the request; remove it or add an explicit deny (EP-10, IAM-4)".to_owned()
    });
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_number_below_the_deny_prefers_a_free_multiple_of_ten() {
        // NACL-2: entries are evaluated lowest number first, so the allow goes under the deny.
        assert_eq!(choose_rule_number(&[100], Some(100)), Some(90));
        assert_eq!(choose_rule_number(&[90, 100], Some(100)), Some(80));
        assert_eq!(choose_rule_number(&[100, 110, 120], Some(120)), Some(90));
        assert_eq!(choose_rule_number(&[5], Some(5)), Some(4));
        assert_eq!(choose_rule_number(&[10, 9, 8], Some(10)), Some(7));
        assert_eq!(choose_rule_number(&[1], Some(1)), None);
        assert_eq!(choose_rule_number(&[1, 2], Some(2)), None);
    }

    #[test]
    fn rule_number_after_the_final_deny_goes_after_every_entry() {
        // NACL-3: nothing matched, so any free number works; the entry goes last.
        assert_eq!(choose_rule_number(&[], None), Some(100));
        assert_eq!(choose_rule_number(&[100], None), Some(110));
        assert_eq!(choose_rule_number(&[100, 105], None), Some(110));
        assert_eq!(choose_rule_number(&[32766], None), Some(32765));
        assert_eq!(choose_rule_number(&[32760], None), Some(32766));
    }

    #[test]
    fn original_indices_skip_removed_elements() {
        assert_eq!(original_index(&[], 2), 2);
        assert_eq!(original_index(&[0], 0), 1);
        assert_eq!(original_index(&[0, 2], 1), 3);
    }

    #[test]
    fn removals_apply_deepest_index_first() {
        let a = |path: &str| Allower {
            leg: LegKind::Request,
            hop: 0,
            check: 0,
            kind: CheckKind::SecurityGroup,
            component: "sg".into(),
            direction: None,
            rule: None,
            spec: "SG-9",
            explanation: String::new(),
            at: Some(path.into()),
            removal: Some(Fix { description: path.into(), ops: vec![PatchOp::Remove { path: path.into() }] }),
            note: None,
        };
        let (x, y, z) = (
            a("/network/security_groups/0/inbound/1"),
            a("/network/security_groups/0/inbound/10"),
            a("/network/security_groups/0/inbound/1"),
        );
        let fix = removal_fix(&[&x, &y, &z]);
        let paths: Vec<&str> = fix
            .ops
            .iter()
            .filter_map(|o| match o {
                PatchOp::Remove { path } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(paths, ["/network/security_groups/0/inbound/10", "/network/security_groups/0/inbound/1"]);
    }
}
