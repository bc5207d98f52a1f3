//! What AWS enforces at deploy time, outside the migration (issue 10 points 9-17): each fact is a
//! rule the program obeys, tested on the plans of both example stacks, in preview and deployed.

mod common;

use common::{of_type, outcome_of};
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::Value;

/// The plans of both example stacks, preview and deployed, with a label.
fn plans() -> Vec<(String, Plan)> {
    let mut plans = Vec::new();
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        for mode in [PlanMode::Preview, PlanMode::Deploy] {
            let outcome = outcome_of(stack, file, mode);
            assert!(outcome.succeeded(), "{stack}: {:?}", outcome.errors);
            plans.push((format!("{stack} {mode:?}"), outcome.plan));
        }
    }
    plans
}

fn only<'a>(plan: &'a Plan, ty: &str) -> &'a PlanResource {
    let found = of_type(plan, ty);
    assert_eq!(found.len(), 1, "one {ty}");
    found[0]
}

/// The value at `key` with a secret envelope unwrapped.
fn plain(value: &Value) -> &Value {
    value
        .get("value")
        .filter(|_| value.get(pulumi_runtime::wire::SIG_KEY).is_some())
        .unwrap_or(value)
}

/// Point 10 (the part outside DMS): RDS checks the enhanced-monitoring role's permissions when
/// it creates the instance, and IAM is eventually consistent, so the instance depends on the
/// policy attachment, not only on the role.
#[test]
fn rds_waits_for_the_enhanced_monitoring_policy_attachment() {
    for (label, plan) in plans() {
        let db = only(&plan, "aws:rds/instance:Instance");
        let attachment = of_type(&plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .into_iter()
            .find(|a| {
                plain(&a.inputs["policyArn"]).as_str()
                    == Some("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
            })
            .expect("the enhanced-monitoring attachment");
        assert!(
            db.dependencies.contains(&attachment.urn),
            "{label}: the database depends on {}",
            attachment.name
        );
    }
}

/// Point 15: the WAF logging configuration redacts the Authorization and Cookie headers, so no
/// credential or session token reaches the logs (PCI DSS 3.3).
#[test]
fn waf_logs_redact_credentials() {
    for (label, plan) in plans() {
        let config = only(
            &plan,
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        );
        let headers: Vec<&str> = config.inputs["redactedFields"]
            .as_array()
            .expect("redactedFields")
            .iter()
            .filter_map(|f| f["singleHeader"]["name"].as_str())
            .collect();
        assert_eq!(headers, ["authorization", "cookie"], "{label}");
    }
}
