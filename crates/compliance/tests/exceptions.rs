//! Exceptions: recorded in code with a reason; the report lists what they waive separately.

mod common;

use common::*;
use payments_compliance::{
    EXCEPTIONS, Exception, Settings, evaluate, evaluate_with_exceptions, rules,
};
use serde_json::json;

#[test]
fn the_alb_log_bucket_is_waived_with_its_reason() {
    let report = evaluate(&fixture());
    assert_eq!(report.waived.len(), 1, "{}", report.to_text(false));
    let waived = &report.waived[0];
    assert_eq!(waived.finding.rule, "s3-kms-default-encryption");
    assert_eq!(waived.finding.resource_name, "bucket-alb-logs");
    assert!(waived.reason.contains("SSE-S3"), "{}", waived.reason);
    assert_eq!(report.counts.waived, 1);
    let summary = report
        .rules
        .iter()
        .find(|r| r.id == "s3-kms-default-encryption")
        .expect("rule listed");
    assert_eq!((summary.violations, summary.waived), (0, 1));
    // The waived finding is not a violation and is shown with its reason.
    assert!(report.violations.is_empty());
    let text = report.to_text(false);
    assert!(text.contains("Waived by recorded exceptions"));
    assert!(text.contains(&waived.reason));
}

#[test]
fn without_the_exception_the_alb_log_bucket_is_a_violation() {
    let report = evaluate_with_exceptions(&fixture(), &Settings::default(), &[]);
    let urn = urn_of(&fixture(), "bucket-alb-logs");
    assert!(
        report
            .violations_of("s3-kms-default-encryption")
            .any(|f| f.urn == urn)
    );
    assert!(report.waived.is_empty());
}

#[test]
fn the_exception_covers_only_buckets_named_like_the_alb_log_bucket() {
    let mut plan = fixture();
    set(
        &mut plan,
        "bucket-static-encryption",
        "rules.0.applyServerSideEncryptionByDefault",
        json!({"sseAlgorithm": "AES256"}),
    );
    let report = evaluate(&plan);
    let urn = urn_of(&plan, "bucket-static");
    assert!(
        report
            .violations_of("s3-kms-default-encryption")
            .any(|f| f.urn == urn)
    );
    assert_eq!(report.waived.len(), 1);
}

#[test]
fn the_exception_waives_only_its_own_rule() {
    // The ALB log bucket loses versioning: s3-versioning is not waived for it.
    let mut plan = fixture();
    remove_resource(&mut plan, "bucket-alb-logs-versioning");
    let report = evaluate(&plan);
    let urn = urn_of(&plan, "bucket-alb-logs");
    assert!(report.violations_of("s3-versioning").any(|f| f.urn == urn));
}

#[test]
fn the_dms_roles_aws_names_are_waived_for_the_naming_rule() {
    let mut plan = fixture();
    set(
        duplicate_role(&mut plan),
        "dms-vpc-role",
        "name",
        json!("dms-vpc-role"),
    );
    let report = evaluate(&plan);
    assert!(
        report.violations_of("names-suffixed").next().is_none(),
        "{}",
        report.to_text(false)
    );
    assert!(
        report.waived.iter().any(
            |w| w.finding.rule == "names-suffixed" && w.finding.resource_name == "dms-vpc-role"
        )
    );
}

fn duplicate_role(plan: &mut pulumi_runtime::Plan) -> &mut pulumi_runtime::Plan {
    duplicate(plan, "role-app", "dms-vpc-role");
    plan
}

#[test]
fn every_exception_names_a_rule_and_gives_a_reason() {
    for Exception {
        rule,
        resource_type,
        name_pattern,
        reason,
    } in EXCEPTIONS
    {
        assert!(rules().iter().any(|r| r.id == *rule), "{rule}");
        assert!(resource_type.starts_with("aws:"), "{resource_type}");
        assert!(!name_pattern.is_empty());
        assert!(reason.len() > 40, "{rule}: reason too thin");
    }
}
