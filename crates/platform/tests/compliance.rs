//! The platform against its PCI DSS pack: zero violations in every stack and phase, in preview and
//! deployed; the gate that fails a real preview on a mandatory violation; and the `policy`
//! command on a plan file.

mod common;

use std::process::Command;

use payments_platform::policy;
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::Plan;
use serde_json::{Value, json};

fn assert_compliant(label: &str, plan: &Plan) {
    let policy = plan.policy.as_ref().expect("policy attached to the plan");
    assert_eq!(
        policy["counts"]["mandatory"], 0,
        "{label}: {:#}",
        policy["violations"]
    );
    assert_eq!(
        policy["counts"]["advisory"], 0,
        "{label}: {:#}",
        policy["violations"]
    );
}

#[test]
fn the_example_stacks_have_no_violation_in_preview_or_deployed() {
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        for mode in [PlanMode::Preview, PlanMode::Deploy] {
            let outcome = common::outcome_of(stack, file, mode);
            assert_compliant(&format!("{stack} {mode:?}"), &outcome.plan);
            // Every document is known before deployment (the IAM policies name keys through
            // their aliases), so a preview decides every check, as a deployment does.
            let policy = outcome.plan.policy.as_ref().expect("policy");
            assert_eq!(
                policy["counts"]["undecided"], 0,
                "{stack} {mode:?}: nothing is undecided: {:#}",
                policy["undecided"]
            );
        }
    }
}

#[test]
fn every_migration_phase_is_compliant() {
    for (phase, weight) in [
        ("prepare", 0),
        ("parallel", 5),
        ("shift", 50),
        ("cutover", 100),
        ("decommission", 100),
    ] {
        let yaml = common::phase_yaml(phase, weight);
        let plan = common::outcome_of_yaml(&yaml, PlanMode::Deploy)
            .expect("valid")
            .plan;
        assert_compliant(phase, &plan);
    }
}

fn broken_plan() -> Plan {
    let mut plan = common::outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.ty == "aws:rds/instance:Instance")
        .expect("database");
    db.inputs
        .insert("storageEncrypted".to_owned(), json!(false));
    plan.policy = None;
    plan
}

#[test]
fn the_preview_gate_fails_on_a_mandatory_violation_only() {
    let config = pulumi_runtime::Config::from_stack_file(
        &common::root().join("Pulumi.dev.yaml"),
        "payments-platform",
        |_| None,
    )
    .expect("config");
    let settings = policy::settings(&payments_platform::config::load(&config).expect("valid"));
    let compliant = common::outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    assert!(policy::gate(settings.clone())(&compliant).is_empty());
    let messages = policy::gate(settings)(&broken_plan());
    assert!(
        messages.iter().any(|m| m.contains("rds-encrypted-cmk")),
        "{messages:?}"
    );
}

fn policy_command(plan: &Plan, format: &str) -> std::process::Output {
    let file = std::env::temp_dir().join(format!("policy-{}-{format}.json", std::process::id()));
    std::fs::write(&file, plan.to_json_pretty()).expect("plan file");
    Command::new(env!("CARGO_BIN_EXE_payments-platform"))
        .args([
            "policy",
            "--plan",
            file.to_str().expect("path"),
            "--format",
            format,
        ])
        .output()
        .expect("run policy")
}

#[test]
fn policy_on_a_plan_file_exits_non_zero_on_a_mandatory_violation() {
    let ok = policy_command(&common::dev_plan(), "text");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let bad = policy_command(&broken_plan(), "text");
    assert_eq!(bad.status.code(), Some(1));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.contains("rds-encrypted-cmk") && text.contains("mysql-dev-a1b2"),
        "{text}"
    );
    let sarif = policy_command(&broken_plan(), "sarif");
    let sarif: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}
