//! The report: text (colour only when asked), JSON, the plan's policy section, and secrets.

mod common;

use common::*;
use payments_compliance::{Format, Severity, evaluate};
use pulumi_runtime::Plan;
use serde_json::{Value, json};

/// The fixture with two mandatory violations and one advisory one.
fn broken() -> Plan {
    let mut plan = fixture();
    set(&mut plan, "alb-in-443-0", "cidrIpv4", json!("0.0.0.0/0"));
    set(&mut plan, "db", "multiAz", json!(false));
    set(&mut plan, "lt-app", "monitoring.enabled", json!(false));
    plan
}

#[test]
fn counts_split_mandatory_and_advisory() {
    let report = evaluate(&broken());
    assert_eq!(
        report.mandatory_violations(),
        2,
        "{}",
        report.to_text(false)
    );
    assert_eq!(report.advisory_violations(), 1);
    assert_eq!(report.counts.rules_passed, report.counts.rules - 3);
    let grouped = report.by_rule();
    assert_eq!(
        grouped.keys().copied().collect::<Vec<_>>(),
        vec![
            "lt-detailed-monitoring",
            "rds-multi-az",
            "sg-no-world-ingress"
        ]
    );
}

#[test]
fn text_groups_by_rule_and_uses_colour_only_when_asked() {
    let report = evaluate(&broken());
    let plain = report.to_text(false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let coloured = report.to_text(true);
    assert!(coloured.contains("\u{1b}[1;31m"), "mandatory in red");
    assert!(coloured.contains("\u{1b}[1;33m"), "advisory in yellow");
    // Grouped in catalog order: the network rule first, then database, then compute's advisory
    // (compute precedes database in the catalog).
    let at = |needle: &str| {
        plain
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing:\n{plain}"))
    };
    assert!(at("MANDATORY sg-no-world-ingress") < at("ADVISORY lt-detailed-monitoring"));
    assert!(at("ADVISORY lt-detailed-monitoring") < at("MANDATORY rds-multi-az"));
    assert!(plain.contains("aws:rds/instance:Instance \"db\": runs in a single availability zone"));
    assert_eq!(report.render(Format::Text, false), plain);
}

#[test]
fn json_carries_counts_rules_and_findings() {
    let report = evaluate(&broken());
    let value: Value = serde_json::from_str(&report.to_json()).expect("valid JSON");
    assert_eq!(value["counts"]["mandatory"], 2);
    assert_eq!(value["counts"]["advisory"], 1);
    assert_eq!(value["counts"]["waived"], 1);
    assert_eq!(value["rules"].as_array().map(Vec::len), Some(56));
    assert_eq!(value["violations"][0]["rule"], "sg-no-world-ingress");
    assert_eq!(value["violations"][0]["severity"], "mandatory");
    assert!(value["violations"][0]["fix"].is_string());
    assert_eq!(value["waived"][0]["rule"], "s3-kms-default-encryption");
    assert!(value["waived"][0]["reason"].is_string());
    assert_eq!(report.render(Format::Json, false), report.to_json());
}

#[test]
fn attach_fills_the_plan_policy_section() {
    let mut plan = broken();
    let report = evaluate(&plan);
    report.attach(&mut plan);
    let policy = plan.policy.clone().expect("attached");
    let violations = policy["violations"].as_array().expect("violations list");
    assert_eq!(violations.len(), 3);
    for violation in violations {
        let keys: Vec<&str> = violation
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, vec!["message", "rule", "severity", "urn"]);
        assert!(["mandatory", "advisory"].contains(&violation["severity"].as_str().unwrap_or("")));
    }
    assert_eq!(
        policy["waived"][0]["reason"]
            .as_str()
            .map(|r| r.contains("SSE-S3")),
        Some(true)
    );
    assert_eq!(policy["counts"]["mandatory"], 2);
    // The plan JSON carries it.
    let text = plan.to_json_pretty();
    let parsed: Value = serde_json::from_str(&text).expect("plan JSON");
    assert_eq!(
        parsed["policy"]["violations"].as_array().map(Vec::len),
        Some(3)
    );
}

#[test]
fn findings_carry_the_rule_severity() {
    let report = evaluate(&broken());
    for finding in &report.violations {
        let expected = if finding.rule == "lt-detailed-monitoring" {
            Severity::Advisory
        } else {
            Severity::Mandatory
        };
        assert_eq!(finding.severity, expected);
    }
}

/// A whole-internet block written unusually, so that no rule text contains it.
const SECRET_CIDR: &str = "203.0.113.77/0";
const SECRET_PASSWORD: &str = "correct-horse-battery-staple";

#[test]
fn secrets_never_reach_a_message_or_any_rendering() {
    let mut plan = fixture();
    // A secret world CIDR: still a violation, but its value is not shown.
    set(
        &mut plan,
        "alb-in-443-0",
        "cidrIpv4",
        secret(json!(SECRET_CIDR)),
    );
    // A secret region on the provider: a violation whose value is not shown.
    set(&mut plan, PROVIDER, "region", secret(json!("eu-central-1")));
    // A plaintext password: a violation that must not echo it either.
    remove(&mut plan, "db", "manageMasterUserPassword");
    remove(&mut plan, "db", "masterUserSecretKmsKeyId");
    set(&mut plan, "db", "password", json!(SECRET_PASSWORD));
    let report = evaluate(&plan);
    let world = report
        .violations_of("sg-no-world-ingress")
        .next()
        .expect("secret CIDR still checked");
    assert!(world.message.contains("[secret]"), "{}", world.message);
    let region = report
        .violations_of("region")
        .next()
        .expect("secret region still checked");
    assert!(region.message.contains("[secret]"), "{}", region.message);
    assert!(report.violations_of("rds-secret-kms").next().is_some());
    let mut with_policy = plan.clone();
    report.attach(&mut with_policy);
    for rendering in [
        report.to_text(false),
        report.to_json(),
        report.to_sarif_string(),
        serde_json::to_string(&with_policy.policy).unwrap_or_default(),
    ] {
        assert!(!rendering.contains(SECRET_CIDR), "secret CIDR leaked");
        assert!(!rendering.contains("eu-central-1"), "secret region leaked");
        assert!(!rendering.contains(SECRET_PASSWORD), "password leaked");
    }
}

#[test]
fn a_secret_password_is_compliant() {
    let mut plan = fixture();
    remove(&mut plan, "db", "manageMasterUserPassword");
    remove(&mut plan, "db", "masterUserSecretKmsKeyId");
    set(&mut plan, "db", "password", secret(json!(SECRET_PASSWORD)));
    let report = evaluate(&plan);
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
}
