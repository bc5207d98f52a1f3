//! Load balancing and TLS rules: listeners, the load balancer, WAF and target groups.

use pulumi_runtime::plan::PlanResource;

use crate::rule::Out;
use crate::tokens::{
    ACM_TYPES, BUCKET, LB_TYPES, LISTENER_RULE_TYPES, LISTENER_TYPES, TG_TYPES, WEB_ACL,
    WEB_ACL_ASSOCIATION, WEB_ACL_LOGGING,
};
use crate::view::{Got, PlanView, Refs, Val, input};

/// TLS 1.2+ policies whose every cipher suite has forward secrecy (ECDHE), without the CBC-SHA1
/// `Ext` variants: ELBSecurityPolicy-TLS13-1-2-2021-06 and the stricter ones.
pub const ALLOWED_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

/// Health check bounds: interval seconds, healthy and unhealthy thresholds.
const INTERVAL: (i64, i64) = (5, 60);
const THRESHOLD: (i64, i64) = (2, 5);

fn listeners<'v, 'p>(view: &'v PlanView<'p>) -> impl Iterator<Item = &'p PlanResource> + 'v {
    LISTENER_TYPES
        .iter()
        .flat_map(|ty| view.of_type(ty).iter().copied())
}

fn application_lbs<'v, 'p>(view: &'v PlanView<'p>) -> impl Iterator<Item = &'p PlanResource> + 'v {
    LB_TYPES
        .iter()
        .flat_map(|ty| view.of_type(ty).iter().copied())
        .filter(|lb| {
            matches!(
                input(lb, "loadBalancerType").str(),
                Got::Absent | Got::Known("application") | Got::Unknown
            )
        })
}

/// The listener's protocol: an ALB listener without one is HTTP.
fn protocol(listener: &PlanResource) -> Got<&str> {
    match input(listener, "protocol").str() {
        Got::Absent => Got::Known("HTTP"),
        other => other,
    }
}

fn is_tls(protocol: &str) -> bool {
    protocol.eq_ignore_ascii_case("HTTPS") || protocol.eq_ignore_ascii_case("TLS")
}

/// alb-https-listener-acm.
pub(crate) fn alb_https_listener_acm(view: &PlanView<'_>, out: &mut Out) {
    for listener in listeners(view) {
        match protocol(listener) {
            Got::Known(p) if is_tls(p) => {}
            Got::Unknown => {
                out.undecided(listener, "the listener's protocol is unknown");
                continue;
            }
            _ => continue,
        }
        let fix = "set certificateArn to the ARN of the ACM certificate (aws:acm/certificate or its \
                   certificateValidation)";
        match view.refs(listener, "certificateArn", &ACM_TYPES) {
            Refs::Resolved(found) if !found.is_empty() => {}
            Refs::Resolved(_) => match input(listener, "certificateArn").str() {
                Got::Known(arn) if arn.contains(":acm:") => {}
                Got::Known(_) => out.fail(
                    listener,
                    "serves HTTPS with a certificate that is not from ACM",
                    fix,
                ),
                _ => out.fail(
                    listener,
                    "serves HTTPS with a certificate that is not an ACM certificate of this stack",
                    fix,
                ),
            },
            Refs::Absent => out.fail(listener, "serves HTTPS without a certificate", fix),
            Refs::Unknown => out.undecided(
                listener,
                "certificateArn is unknown and has no recorded dependency",
            ),
        }
    }
}

/// alb-tls-policy.
pub(crate) fn alb_tls_policy(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 or a stricter TLS 1.2+ \
               forward-secrecy policy";
    for listener in listeners(view) {
        match protocol(listener) {
            Got::Known(p) if is_tls(p) => {}
            Got::Unknown => {
                out.undecided(listener, "the listener's protocol is unknown");
                continue;
            }
            _ => continue,
        }
        let policy = input(listener, "sslPolicy");
        match policy.str() {
            Got::Known(name) if ALLOWED_TLS_POLICIES.contains(&name) => {}
            Got::Known(_) => out.fail(
                listener,
                format!(
                    "uses TLS policy {}, which allows TLS below 1.2 or ciphers without forward \
                     secrecy",
                    policy.shown()
                ),
                fix,
            ),
            Got::Absent => out.fail(
                listener,
                "sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0 and \
                 non-forward-secret ciphers)",
                fix,
            ),
            Got::Unknown => out.undecided(listener, "sslPolicy is unknown"),
        }
    }
}

/// Whether a listener action is a redirect to HTTPS: `Some(problem)` if not.
fn redirect_problem(action: &Val<'_>) -> Got<Option<String>> {
    match action.get("type").str() {
        Got::Known("redirect") => {}
        Got::Known(other) => {
            return Got::Known(Some(format!("its action is {other:?}, not a redirect")));
        }
        Got::Absent => return Got::Known(Some("an action has no type".to_owned())),
        Got::Unknown => return Got::Unknown,
    }
    match action.path("redirect.protocol").str() {
        Got::Known(p) if p.eq_ignore_ascii_case("HTTPS") => Got::Known(None),
        Got::Known(p) => Got::Known(Some(format!("it redirects to {p}, not HTTPS"))),
        Got::Absent => Got::Known(Some(
            "the redirect keeps the request's protocol (HTTP)".to_owned(),
        )),
        Got::Unknown => Got::Unknown,
    }
}

/// alb-http-redirects.
pub(crate) fn alb_http_redirects(view: &PlanView<'_>, out: &mut Out) {
    let fix = "give the HTTP listener exactly one default action: type redirect with \
               redirect.protocol HTTPS, port 443, statusCode HTTP_301";
    let mut http_listeners = Vec::new();
    for listener in listeners(view) {
        match protocol(listener) {
            Got::Known(p) if p.eq_ignore_ascii_case("HTTP") => http_listeners.push(listener),
            Got::Unknown => out.undecided(listener, "the listener's protocol is unknown"),
            _ => {}
        }
    }
    for listener in &http_listeners {
        match input(listener, "defaultActions").items() {
            Got::Known(actions) if actions.len() == 1 => match redirect_problem(&actions[0]) {
                Got::Known(None) => {}
                Got::Known(Some(problem)) => {
                    out.fail(listener, format!("serves plain HTTP: {problem}"), fix);
                }
                Got::Unknown | Got::Absent => {
                    out.undecided(listener, "the default action is unknown");
                }
            },
            Got::Known(actions) => out.fail(
                listener,
                format!(
                    "serves plain HTTP with {} default actions instead of one redirect",
                    actions.len()
                ),
                fix,
            ),
            Got::Absent => out.fail(listener, "serves plain HTTP with no default action", fix),
            Got::Unknown => out.undecided(listener, "defaultActions is unknown"),
        }
    }
    for ty in LISTENER_RULE_TYPES {
        for rule in view.of_type(ty) {
            let on_http = http_listeners
                .iter()
                .any(|l| view.refs(rule, "listenerArn", &LISTENER_TYPES).contains(l));
            if !on_http {
                continue;
            }
            let Got::Known(actions) = input(rule, "actions").items() else {
                out.undecided(rule, "the rule's actions are unknown");
                continue;
            };
            for action in actions {
                if let Got::Known(Some(problem)) = redirect_problem(&action) {
                    out.fail(
                        rule,
                        format!(
                            "a rule of the plain HTTP listener bypasses the redirect: {problem}"
                        ),
                        "remove the rule; the HTTP listener only redirects to HTTPS",
                    );
                }
            }
        }
    }
}

/// alb-drop-invalid-headers.
pub(crate) fn alb_drop_invalid_headers(view: &PlanView<'_>, out: &mut Out) {
    for lb in application_lbs(view) {
        match input(lb, "dropInvalidHeaderFields").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(lb, "dropInvalidHeaderFields is unknown"),
            _ => out.fail(
                lb,
                "forwards requests with invalid HTTP header fields (dropInvalidHeaderFields is \
                 not true)",
                "set dropInvalidHeaderFields: true",
            ),
        }
    }
}

/// alb-access-logs.
pub(crate) fn alb_access_logs(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set accessLogs {bucket: the ALB log bucket, prefix, enabled: true}";
    for lb in application_lbs(view) {
        match input(lb, "accessLogs.enabled").bool() {
            Got::Known(true) => {}
            Got::Unknown => {
                out.undecided(lb, "accessLogs.enabled is unknown");
                continue;
            }
            _ => {
                out.fail(
                    lb,
                    "does not write access logs (accessLogs.enabled is not true)",
                    fix,
                );
                continue;
            }
        }
        match view.refs(lb, "accessLogs.bucket", &[BUCKET]) {
            Refs::Resolved(found) if !found.is_empty() => {}
            Refs::Resolved(_) => out.fail(
                lb,
                "writes access logs to a bucket that is not part of this stack",
                fix,
            ),
            Refs::Absent => out.fail(lb, "enables access logs without a bucket", fix),
            Refs::Unknown => out.undecided(
                lb,
                "accessLogs.bucket is unknown and has no recorded dependency",
            ),
        }
    }
}

fn has_aws_managed_group(acl: &PlanResource) -> Got<bool> {
    match input(acl, "rules").items() {
        Got::Known(rules) => {
            let mut unknown = false;
            for rule in rules {
                match rule
                    .path("statement.managedRuleGroupStatement.vendorName")
                    .str()
                {
                    Got::Known("AWS") => return Got::Known(true),
                    Got::Unknown => unknown = true,
                    _ => {}
                }
            }
            if unknown {
                Got::Unknown
            } else {
                Got::Known(false)
            }
        }
        Got::Absent => Got::Known(false),
        Got::Unknown => Got::Unknown,
    }
}

/// alb-waf.
pub(crate) fn alb_waf(view: &PlanView<'_>, out: &mut Out) {
    let unplaced = view
        .of_type(WEB_ACL_ASSOCIATION)
        .iter()
        .any(|a| matches!(view.refs(a, "resourceArn", &LB_TYPES), Refs::Unknown));
    for lb in application_lbs(view) {
        let associations = view.referrers(lb, WEB_ACL_ASSOCIATION, "resourceArn");
        if associations.is_empty() {
            if unplaced {
                out.undecided(lb, "a web ACL association's resourceArn is unknown");
            } else {
                out.fail(
                    lb,
                    "has no WAFv2 web ACL",
                    "associate a regional aws:wafv2/webAcl with AWS managed rule groups \
                     (aws:wafv2/webAclAssociation with resourceArn set to the load balancer)",
                );
            }
            continue;
        }
        for association in associations {
            let acls = match view.refs(association, "webAclArn", &[WEB_ACL]) {
                Refs::Resolved(acls) if !acls.is_empty() => acls,
                Refs::Resolved(_) | Refs::Absent => {
                    out.fail(
                        association,
                        format!("associates load balancer \"{}\" with a web ACL outside this stack", lb.name),
                        "associate the stack's aws:wafv2/webAcl, whose rules and logging the pack can check",
                    );
                    continue;
                }
                Refs::Unknown => {
                    out.undecided(
                        association,
                        "webAclArn is unknown and has no recorded dependency",
                    );
                    continue;
                }
            };
            for acl in acls {
                match has_aws_managed_group(acl) {
                    Got::Known(true) => {}
                    Got::Unknown => out.undecided(acl, "the web ACL's rules are unknown"),
                    _ => out.fail(
                        acl,
                        format!(
                            "protects load balancer \"{}\" without any AWS managed rule group",
                            lb.name
                        ),
                        "add rules with statement.managedRuleGroupStatement {vendorName: AWS, \
                         name: AWSManagedRulesCommonRuleSet} (and the known-bad-inputs and SQLi sets)",
                    ),
                }
                let configs = view.referrers(acl, WEB_ACL_LOGGING, "resourceArn");
                let logged = configs.iter().any(|config| {
                    matches!(input(config, "logDestinationConfigs").items(),
                             Got::Known(items) if !items.is_empty())
                        || !view
                            .refs(config, "logDestinationConfigs", &[])
                            .resources()
                            .is_empty()
                });
                let unknown = configs
                    .iter()
                    .any(|config| input(config, "logDestinationConfigs").is_unknown())
                    || (configs.is_empty()
                        && view.of_type(WEB_ACL_LOGGING).iter().any(|config| {
                            matches!(view.refs(config, "resourceArn", &[WEB_ACL]), Refs::Unknown)
                        }));
                if logged {
                    for config in &configs {
                        redacts_credentials(config, out);
                    }
                }
                if !logged && unknown {
                    out.undecided(acl, "the web ACL's logging configuration is unknown");
                } else if !logged {
                    out.fail(
                        acl,
                        "has no logging configuration",
                        "register aws:wafv2/webAclLoggingConfiguration with resourceArn set to the \
                         web ACL and an aws-waf-logs-* log group as destination",
                    );
                }
            }
        }
    }
}

/// The headers a WAF logging configuration must redact (PCI DSS 3.3: no credentials or session
/// tokens in logs). Header names match case-insensitively.
const REDACTED_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// Fails a WAF logging configuration that does not redact every header of [`REDACTED_HEADERS`].
fn redacts_credentials(config: &PlanResource, out: &mut Out) {
    let fields = match input(config, "redactedFields").items() {
        Got::Known(fields) => fields,
        Got::Absent => Vec::new(),
        Got::Unknown => {
            out.undecided(config, "redactedFields is unknown");
            return;
        }
    };
    let mut redacted = Vec::new();
    for field in fields {
        match field.path("singleHeader.name").str() {
            Got::Known(name) => redacted.push(name.to_ascii_lowercase()),
            Got::Unknown => {
                out.undecided(config, "a redacted header name is unknown");
                return;
            }
            Got::Absent => {}
        }
    }
    let missing: Vec<&str> = REDACTED_HEADERS
        .iter()
        .copied()
        .filter(|header| !redacted.iter().any(|r| r == header))
        .collect();
    if !missing.is_empty() {
        out.fail(
            config,
            format!(
                "logs the {} header(s) in clear: credentials and session tokens reach the WAF logs",
                missing.join(", ")
            ),
            "add redactedFields [{singleHeader: {name: authorization}}, {singleHeader: {name: cookie}}]",
        );
    }
}

fn in_range(
    value: Got<i64>,
    (low, high): (i64, i64),
    what: &str,
    problems: &mut Vec<String>,
) -> bool {
    match value {
        Got::Known(v) if (low..=high).contains(&v) => true,
        Got::Known(v) => {
            problems.push(format!("{what} {v} is outside {low}-{high}"));
            true
        }
        Got::Absent => {
            problems.push(format!("{what} is not set"));
            true
        }
        Got::Unknown => false,
    }
}

/// Whether a matcher (`200`, `200-299`, `200,204`) only accepts success codes.
fn matcher_ok(matcher: &str) -> bool {
    matcher.split(',').all(|part| {
        let mut bounds = part.trim().splitn(2, '-').map(|b| b.trim().parse::<u16>());
        match (bounds.next(), bounds.next()) {
            (Some(Ok(low)), None) => (200..400).contains(&low),
            (Some(Ok(low)), Some(Ok(high))) => {
                (200..400).contains(&low) && (200..400).contains(&high) && low <= high
            }
            _ => false,
        }
    })
}

/// tg-health-check.
pub(crate) fn tg_health_check(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set healthCheck {enabled: true, protocol: HTTP, path: a dedicated health endpoint \
               such as /health, interval 5-60, healthyThreshold and unhealthyThreshold 2-5, \
               matcher 200}";
    for ty in TG_TYPES {
        for tg in view.of_type(ty) {
            if let Got::Known("lambda" | "alb") = input(tg, "targetType").str() {
                continue;
            }
            if let Got::Known(p) = input(tg, "protocol").str()
                && !(p.eq_ignore_ascii_case("HTTP") || p.eq_ignore_ascii_case("HTTPS"))
            {
                continue;
            }
            let check = input(tg, "healthCheck");
            if check.is_absent() {
                out.fail(
                    tg,
                    "has no health check configuration, so AWS probes / with defaults",
                    fix,
                );
                continue;
            }
            if check.is_unknown() {
                out.undecided(tg, "healthCheck is unknown");
                continue;
            }
            let mut problems = Vec::new();
            let mut decided = true;
            match check.get("enabled").bool() {
                Got::Known(false) => problems.push("the health check is disabled".to_owned()),
                Got::Unknown => decided = false,
                _ => {}
            }
            match check.get("protocol").str() {
                Got::Known(p)
                    if p.eq_ignore_ascii_case("HTTP") || p.eq_ignore_ascii_case("HTTPS") => {}
                Got::Known(p) => problems.push(format!("the health check uses {p}, not HTTP")),
                Got::Unknown => decided = false,
                Got::Absent => {}
            }
            match check.get("path").str() {
                Got::Known(path) if path.starts_with('/') && path.len() > 1 => {}
                Got::Known(path) => problems.push(format!(
                    "the health check probes {path:?}, not a dedicated health endpoint"
                )),
                Got::Absent => problems.push("the health check sets no path".to_owned()),
                Got::Unknown => decided = false,
            }
            decided &= in_range(
                check.get("interval").int(),
                INTERVAL,
                "interval",
                &mut problems,
            );
            decided &= in_range(
                check.get("healthyThreshold").int(),
                THRESHOLD,
                "healthyThreshold",
                &mut problems,
            );
            decided &= in_range(
                check.get("unhealthyThreshold").int(),
                THRESHOLD,
                "unhealthyThreshold",
                &mut problems,
            );
            if let (Got::Known(timeout), Got::Known(interval)) =
                (check.get("timeout").int(), check.get("interval").int())
                && timeout >= interval
            {
                problems.push(format!(
                    "timeout {timeout} is not below interval {interval}"
                ));
            }
            match check.get("matcher").str() {
                Got::Known(m) if matcher_ok(m) => {}
                Got::Known(m) => problems.push(format!("matcher {m:?} accepts non-success codes")),
                Got::Absent => problems.push("matcher is not set".to_owned()),
                Got::Unknown => decided = false,
            }
            if !problems.is_empty() {
                out.fail(tg, problems.join("; "), fix);
            } else if !decided {
                out.undecided(tg, "parts of healthCheck are unknown");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matcher_ok;

    #[test]
    fn matchers_accept_success_codes_only() {
        assert!(matcher_ok("200"));
        assert!(matcher_ok("200-299"));
        assert!(matcher_ok("200,204"));
        assert!(!matcher_ok("200-499"));
        assert!(!matcher_ok("404"));
        assert!(!matcher_ok("ok"));
    }
}
