//! Endpoint policies: a small IAM policy evaluator for the request context a packet
//! carries through a VPC endpoint (EP-10..EP-13, IAM-1..IAM-4).
//!
//! Supported: `Effect`, `Principal` (`*`, `{"AWS": ...}`), `Action`/`NotAction`,
//! `Resource`/`NotResource` with `*` and `?` wildcards, and `Condition` with the
//! String*, Arn*, IpAddress/NotIpAddress and Null operators, each with `...IfExists`.
//! Explicit deny wins over allow (IAM-4); no matching allow is an implicit deny.

use crate::model::Service;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What a request through an endpoint looks like to IAM.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestContext {
    /// Action, e.g. `sagemaker:InvokeEndpoint`.
    pub action: String,
    /// Resource ARN.
    pub resource: String,
    /// Principal ARN.
    pub principal: String,
    /// Condition keys present in the request, lower-cased (IAM-1).
    pub keys: BTreeMap<String, String>,
}

impl RequestContext {
    /// The context of a typical request to `service` through endpoint `vpce` from `src`:
    /// aws:SourceVpce, aws:SourceVpc and aws:VpcSourceIp are present, aws:SourceIp is
    /// absent (IAM-1).
    pub fn for_service(service: Service, region: &str, vpce: &str, vpc: &str, src: IpAddr) -> RequestContext {
        let (action, resource) = match service {
            Service::S3 => ("s3:GetObject", "arn:aws:s3:::bucket/object"),
            Service::DynamoDb => ("dynamodb:GetItem", "arn:aws:dynamodb:region:123456789012:table/table"),
            Service::SageMakerRuntime => ("sagemaker:InvokeEndpoint", "arn:aws:sagemaker:region:123456789012:endpoint/endpoint"),
            Service::SageMakerApi => ("sagemaker:DescribeEndpoint", "arn:aws:sagemaker:region:123456789012:endpoint/endpoint"),
            Service::Sts => ("sts:GetCallerIdentity", "*"),
            Service::Logs => ("logs:PutLogEvents", "arn:aws:logs:region:123456789012:log-group:group"),
            Service::EcrApi | Service::EcrDkr => ("ecr:BatchGetImage", "arn:aws:ecr:region:123456789012:repository/repo"),
            Service::SageMakerNotebook => {
                ("sagemaker:CreatePresignedNotebookInstanceUrl", "arn:aws:sagemaker:region:123456789012:notebook-instance/notebook")
            }
            Service::SageMakerStudio => {
                ("sagemaker:CreatePresignedDomainUrl", "arn:aws:sagemaker:region:123456789012:user-profile/domain/user")
            }
        };
        let mut keys = BTreeMap::new();
        keys.insert("aws:sourcevpce".into(), vpce.to_owned());
        keys.insert("aws:sourcevpc".into(), vpc.to_owned());
        keys.insert("aws:vpcsourceip".into(), src.to_string());
        // The default resource lives in the network's region.
        let resource = resource.replacen(":region:", &format!(":{region}:"), 1);
        let mut ctx = RequestContext { action: action.into(), resource, principal: String::new(), keys };
        ctx.set_principal("arn:aws:iam::123456789012:role/app");
        ctx
    }

    /// Sets the principal ARN, with aws:PrincipalArn and aws:PrincipalAccount.
    pub fn set_principal(&mut self, arn: &str) {
        self.principal = arn.to_owned();
        self.keys.insert("aws:principalarn".into(), arn.to_owned());
        let account = arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or("123456789012");
        self.keys.insert("aws:principalaccount".into(), account.to_owned());
    }
}

/// The result of evaluating a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Whether the request is allowed.
    pub allowed: bool,
    /// Whether a Deny statement matched (IAM-4).
    pub explicit_deny: bool,
    /// The deciding statement (`Sid`, or `Statement[i]`).
    pub statement: Option<String>,
    /// One sentence.
    pub explanation: String,
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
        _ => vec![],
    }
}

/// `*` and `?` wildcard match, case-insensitive when `fold` (actions).
pub fn wildcard(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if fold {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative glob with backtracking to the last star.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.iter().skip(pi).all(|c| *c == '*')
}

fn principal_matches(stmt: &Value, ctx: &RequestContext) -> bool {
    match stmt.get("Principal") {
        None => true,
        Some(Value::String(s)) => s == "*",
        // `"AWS": "123456789012"` means that account's root user only (EP-11).
        Some(Value::Object(m)) => m.values().any(|v| {
            as_list(Some(v)).iter().any(|p| {
                let arn = if p.chars().all(|c| c.is_ascii_digit()) { format!("arn:aws:iam::{p}:root") } else { p.clone() };
                p == "*" || wildcard(&arn, &ctx.principal, false)
            })
        }),
        Some(_) => false,
    }
}

fn condition_holds(op: &str, key: &str, values: &[String], ctx: &RequestContext) -> bool {
    let (base, if_exists) = match op.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (op, false),
    };
    let present = ctx.keys.get(&key.to_lowercase());
    if base == "Null" {
        let want_null = values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return present.is_none() == want_null;
    }
    let negated =
        matches!(base, "StringNotEquals" | "StringNotLike" | "StringNotEqualsIgnoreCase" | "NotIpAddress" | "ArnNotEquals" | "ArnNotLike");
    let Some(actual) = present else {
        // IAM-2: a missing key makes a positive condition false and a negated one true;
        // ...IfExists makes it true.
        return if_exists || negated;
    };
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    match base {
        "StringEquals" | "ArnEquals" => any(&|v| v == actual),
        "StringNotEquals" | "ArnNotEquals" => !any(&|v| v == actual),
        "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringLike" | "ArnLike" => any(&|v| wildcard(v, actual, false)),
        "StringNotLike" | "ArnNotLike" => !any(&|v| wildcard(v, actual, false)),
        "IpAddress" | "NotIpAddress" => {
            let ip = actual.parse::<IpAddr>().ok();
            let hit = any(&|v| {
                let net = v.parse::<ipnet::IpNet>().ok().or_else(|| v.parse::<IpAddr>().ok().map(ipnet::IpNet::from));
                matches!((net, ip), (Some(n), Some(a)) if n.contains(&a))
            });
            if base == "IpAddress" {
                hit
            } else {
                !hit
            }
        }
        // Unknown operators never match, which makes an Allow fail closed.
        _ => false,
    }
}

fn conditions_hold(stmt: &Value, ctx: &RequestContext) -> Result<(), String> {
    let Some(Value::Object(ops)) = stmt.get("Condition") else {
        return Ok(());
    };
    for (op, keys) in ops {
        let Value::Object(keys) = keys else { continue };
        for (key, values) in keys {
            let vals = match values {
                Value::Bool(b) => vec![b.to_string()],
                other => as_list(Some(other)),
            };
            if !condition_holds(op, key, &vals, ctx) {
                let actual =
                    ctx.keys.get(&key.to_lowercase()).map(|a| format!("`{a}`")).unwrap_or_else(|| "absent from the request".into());
                return Err(format!("{op} {key} {vals:?} does not hold ({key} is {actual})"));
            }
        }
    }
    Ok(())
}

fn matches_list(stmt: &Value, field: &str, not_field: &str, value: &str, fold: bool) -> bool {
    if let Some(v) = stmt.get(field) {
        return as_list(Some(v)).iter().any(|p| wildcard(p, value, fold));
    }
    if let Some(v) = stmt.get(not_field) {
        return !as_list(Some(v)).iter().any(|p| wildcard(p, value, fold));
    }
    false
}

/// Evaluates a policy document for a request context.
pub fn evaluate(doc: &Value, ctx: &RequestContext) -> Decision {
    let statements: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => vec![],
    };
    let mut allow: Option<String> = None;
    let mut last_failure: Option<String> = None;
    for (i, stmt) in statements.iter().enumerate() {
        let name = stmt.get("Sid").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| format!("Statement[{i}]"));
        let effect = stmt.get("Effect").and_then(Value::as_str).unwrap_or("");
        if !principal_matches(stmt, ctx)
            || !matches_list(stmt, "Action", "NotAction", &ctx.action, true)
            || !matches_list(stmt, "Resource", "NotResource", &ctx.resource, false)
        {
            continue;
        }
        match conditions_hold(stmt, ctx) {
            Ok(()) if effect == "Deny" => {
                return Decision {
                    allowed: false,
                    explicit_deny: true,
                    statement: Some(name.clone()),
                    explanation: format!(
                        "statement `{name}` of the endpoint policy explicitly denies {}; an explicit deny overrides any allow",
                        ctx.action
                    ),
                };
            }
            Ok(()) if effect == "Allow" => {
                allow.get_or_insert(name);
            }
            Ok(()) => {}
            Err(why) => {
                if effect == "Allow" {
                    last_failure = Some(format!("statement `{name}` would allow it, but {why}"));
                }
            }
        }
    }
    match allow {
        Some(name) => Decision {
            allowed: true,
            explicit_deny: false,
            statement: Some(name.clone()),
            explanation: format!("statement `{name}` of the endpoint policy allows {} with this request's context", ctx.action),
        },
        None => Decision {
            allowed: false,
            explicit_deny: false,
            statement: None,
            explanation: match last_failure {
                Some(f) => format!("the endpoint policy does not allow {}: {f}", ctx.action),
                None => {
                    format!("no statement of the endpoint policy allows {} on {}, so it is implicitly denied", ctx.action, ctx.resource)
                }
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> RequestContext {
        RequestContext::for_service(
            Service::SageMakerRuntime,
            "us-east-1",
            "vpce-1",
            "vpc-1",
            "10.0.1.10".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
        )
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("sagemaker:*", "sagemaker:InvokeEndpoint", true));
        assert!(wildcard("s3:Get*", "s3:GetObject", true));
        assert!(!wildcard("s3:Put*", "s3:GetObject", true));
        assert!(wildcard("arn:aws:s3:::b?cket/*", "arn:aws:s3:::bucket/x", false));
    }

    #[test]
    fn iam2_source_ip_is_absent_through_an_endpoint() {
        // IAM-1/IAM-2: aws:SourceIp is not in the context of a request through an endpoint,
        // so an Allow conditioned on it fails.
        let doc = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]});
        assert!(!evaluate(&doc, &ctx()).allowed);
        let doc = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sagemaker:InvokeEndpoint", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]});
        assert!(evaluate(&doc, &ctx()).allowed);
    }

    #[test]
    fn iam4_explicit_deny_wins() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Sid": "NoInvoke", "Effect": "Deny", "Principal": "*", "Action": "sagemaker:InvokeEndpoint", "Resource": "*"}]});
        let d = evaluate(&doc, &ctx());
        assert!(!d.allowed && d.explicit_deny);
        assert_eq!(d.statement.as_deref(), Some("NoInvoke"));
    }
}
