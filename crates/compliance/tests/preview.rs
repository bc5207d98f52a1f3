//! Unknown values (a preview) are never violations: a rule that cannot decide says so in the
//! report's undecided list. References still resolve through `propertyDependencies`.

mod common;

use common::*;
use payments_compliance::{evaluate, rules};
use pulumi_runtime::Plan;

#[test]
fn a_preview_has_no_violation_and_lists_what_it_cannot_decide() {
    let mut plan = preview_fixture();
    assert!(plan.dry_run);
    // As the runtime sends a preview: references unknown, whole reference lists unknown.
    let unknown = pulumi_runtime::wire::unknown_value();
    assert_eq!(
        res(&mut plan, "asg-app").inputs["vpcZoneIdentifiers"],
        unknown
    );
    assert_eq!(res(&mut plan, "flow-log").inputs["logDestination"], unknown);
    assert!(!res(&mut plan, "flow-log").property_dependencies["logDestination"].is_empty());
    let report = evaluate(&plan);
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
    // The application policy embeds the data key's ARN, unknown before deployment, so the
    // whole JSON text is unknown: the IAM rules cannot read it.
    let undecided: Vec<(&str, &str)> = report
        .undecided
        .iter()
        .map(|f| (f.rule.as_str(), f.resource_name.as_str()))
        .collect();
    assert_eq!(
        undecided,
        vec![
            ("iam-no-admin", "policy-app"),
            ("iam-scoped-resources", "policy-app")
        ],
        "{}",
        report.to_text(false)
    );
    assert!(
        report
            .undecided
            .iter()
            .all(|f| f.fix.is_none() && f.message.contains("cannot decide"))
    );
    // The ALB log bucket's name is configuration, known in a preview: the exception applies.
    assert_eq!(report.waived.len(), 1);
}

/// A value a rule reads, made unknown without a recorded dependency.
struct Unknown {
    rule: &'static str,
    resource: &'static str,
    path: &'static str,
    undecided_on: &'static str,
}

const UNKNOWNS: &[Unknown] = &[
    Unknown {
        rule: "rds-encrypted-cmk",
        resource: "db",
        path: "storageEncrypted",
        undecided_on: "db",
    },
    Unknown {
        rule: "rds-encrypted-cmk",
        resource: "db",
        path: "kmsKeyId",
        undecided_on: "db",
    },
    Unknown {
        rule: "sg-no-world-ingress",
        resource: "alb-in-443-0",
        path: "cidrIpv4",
        undecided_on: "alb-in-443-0",
    },
    Unknown {
        rule: "no-ssh",
        resource: "app-in-alb",
        path: "fromPort",
        undecided_on: "app-in-alb",
    },
    Unknown {
        rule: "sg-tier-chain",
        resource: "db-in-app",
        path: "referencedSecurityGroupId",
        undecided_on: "db-in-app",
    },
    Unknown {
        rule: "lt-imdsv2",
        resource: "lt-app",
        path: "metadataOptions.httpTokens",
        undecided_on: "lt-app",
    },
    Unknown {
        rule: "alb-tls-policy",
        resource: "listener-https",
        path: "sslPolicy",
        undecided_on: "listener-https",
    },
    Unknown {
        rule: "alb-http-redirects",
        resource: "listener-http",
        path: "defaultActions",
        undecided_on: "listener-http",
    },
    Unknown {
        rule: "s3-versioning",
        resource: "bucket-static-versioning",
        path: "bucket",
        undecided_on: "bucket-static",
    },
    Unknown {
        rule: "asg-capacity",
        resource: "asg-app",
        path: "minSize",
        undecided_on: "asg-app",
    },
    Unknown {
        rule: "tags-required",
        resource: "subnet-app-a",
        path: "tags.CostCenter",
        undecided_on: "subnet-app-a",
    },
    Unknown {
        rule: "names-suffixed",
        resource: "bucket-static",
        path: "bucket",
        undecided_on: "bucket-static",
    },
    Unknown {
        rule: "region",
        resource: PROVIDER,
        path: "region",
        undecided_on: PROVIDER,
    },
    Unknown {
        rule: "rds-secret-kms",
        resource: "db",
        path: "manageMasterUserPassword",
        undecided_on: "db",
    },
    Unknown {
        rule: "vpc-flow-logs",
        resource: "flow-log",
        path: "logDestination",
        undecided_on: "flow-log",
    },
    Unknown {
        rule: "alb-waf",
        resource: "waf-logging",
        path: "resourceArn",
        undecided_on: "waf-alb",
    },
    Unknown {
        rule: "igw-route-public-only",
        resource: "alb",
        path: "subnets",
        undecided_on: "route-public-b-internet",
    },
    Unknown {
        rule: "s3-kms-default-encryption",
        resource: "bucket-alb-logs",
        path: "bucket",
        undecided_on: "bucket-alb-logs",
    },
];

#[test]
fn an_unknown_value_where_a_rule_looks_is_undecided_not_a_violation() {
    let mut failures = Vec::new();
    for case in UNKNOWNS {
        let mut plan = fixture();
        make_unknown(&mut plan, case.resource, case.path);
        let report = evaluate(&plan);
        if !report.violations.is_empty() {
            failures.push(format!(
                "{} {}: violations {:?}",
                case.resource,
                case.path,
                report
                    .violations
                    .iter()
                    .map(|f| &f.message)
                    .collect::<Vec<_>>()
            ));
        }
        let urn = urn_of(&plan, case.undecided_on);
        if !report
            .undecided
            .iter()
            .any(|f| f.rule == case.rule && f.urn == urn)
        {
            failures.push(format!(
                "{} {}: no undecided {} on {}; undecided: {:?}",
                case.resource,
                case.path,
                case.rule,
                case.undecided_on,
                report
                    .undecided
                    .iter()
                    .map(|f| &f.message)
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_unknown_physical_name_leaves_the_exception_undecided() {
    let mut plan = fixture();
    make_unknown(&mut plan, "bucket-alb-logs", "bucket");
    let report = evaluate(&plan);
    assert!(report.waived.is_empty());
    let finding = report
        .undecided
        .iter()
        .find(|f| f.rule == "s3-kms-default-encryption")
        .expect("the SSE-S3 finding is undecided, not a violation");
    assert!(
        finding.message.contains("payments-alb-logs-*"),
        "{}",
        finding.message
    );
}

/// Every top-level input of every resource, one at a time, made unknown without a recorded
/// dependency: no single unknown may turn into a violation.
#[test]
fn no_single_unknown_input_anywhere_is_ever_a_violation() {
    let base = fixture();
    let mut failures = Vec::new();
    let mut evaluated = 0;
    for resource in &base.resources {
        for key in resource.inputs.keys() {
            let mut plan: Plan = base.clone();
            make_unknown(&mut plan, &resource.name, key);
            let report = evaluate(&plan);
            evaluated += 1;
            for finding in &report.violations {
                failures.push(format!(
                    "{}.{key} unknown: {}",
                    resource.name, finding.message
                ));
            }
        }
    }
    assert!(evaluated > 300, "only {evaluated} inputs tried");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_runs_on_the_preview_without_a_violation() {
    let report = evaluate(&preview_fixture());
    for rule in rules() {
        assert_eq!(report.violations_of(rule.id).count(), 0, "{}", rule.id);
    }
}

fn leaf_paths(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                leaf_paths(inner, &join(key), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                leaf_paths(inner, &join(&index.to_string()), out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

/// Every nested value (leaf) of every resource, one at a time, made unknown while the recorded
/// dependencies stay (as in a preview, where only the part that came from a resource is
/// unknown): never a violation.
#[test]
fn no_single_unknown_nested_value_is_ever_a_violation() {
    let base = fixture();
    let mut failures = Vec::new();
    let mut evaluated = 0;
    for resource in &base.resources {
        let mut paths = Vec::new();
        leaf_paths(
            &serde_json::Value::Object(resource.inputs.clone()),
            "",
            &mut paths,
        );
        for path in paths.iter().filter(|p| p.contains('.')) {
            let mut plan: Plan = base.clone();
            set(
                &mut plan,
                &resource.name,
                path,
                pulumi_runtime::wire::unknown_value(),
            );
            let report = evaluate(&plan);
            evaluated += 1;
            for finding in &report.violations {
                failures.push(format!(
                    "{}.{path} unknown: {}",
                    resource.name, finding.message
                ));
            }
        }
    }
    assert!(evaluated > 150, "only {evaluated} nested values tried");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
