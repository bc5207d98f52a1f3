//! Helpers shared by the platform's integration tests: the plan of a stack file or of an
//! in-memory config, on the local engine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use payments_platform::preview::{PlanMode, plan_config, plan_stack};
use pulumi_runtime::Config;
use pulumi_runtime::plan::{Plan, PlanResource};
use pulumi_runtime::run::RunOutcome;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs a stack file (relative to the root) in preview.
pub fn outcome_of(stack: &str, file: &str, mode: PlanMode) -> RunOutcome {
    runtime()
        .block_on(plan_stack(stack, &root().join(file), mode))
        .expect("valid config")
}

/// The preview plan of the dev stack, which must succeed.
pub fn dev_plan() -> Plan {
    let outcome = outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Preview);
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    outcome.plan
}

/// The dev stack's YAML with `edit` applied to its text.
pub fn dev_yaml_with(edit: impl FnOnce(String) -> String) -> String {
    edit(std::fs::read_to_string(root().join("Pulumi.dev.yaml")).expect("dev stack"))
}

/// Runs a config given as stack-file YAML text.
pub fn outcome_of_yaml(yaml: &str, mode: PlanMode) -> Result<RunOutcome, String> {
    let config = Config::from_stack_yaml(yaml, "test.yaml", "payments-platform", |_| None)
        .map_err(|e| e.to_string())?;
    runtime().block_on(plan_config("dev", &config, mode))
}

/// Every resource of type `ty`.
pub fn of_type<'a>(plan: &'a Plan, ty: &str) -> Vec<&'a PlanResource> {
    plan.resources.iter().filter(|r| r.ty == ty).collect()
}

/// The single resource of type `ty` named `name`.
pub fn named<'a>(plan: &'a Plan, ty: &str, name: &str) -> &'a PlanResource {
    plan.resources
        .iter()
        .find(|r| r.ty == ty && r.name == name)
        .unwrap_or_else(|| panic!("no {ty} named {name}"))
}

/// The dev stack in migration `phase` with AWS traffic weight `weight`, as the runbook has it:
/// the public record adopted from `parallel` on, the front door at the ALB once AWS takes a share
/// (and in cutover and decommission), tasks not started.
pub fn phase_yaml(phase: &str, weight: i64) -> String {
    phase_yaml_of("Pulumi.dev.yaml", phase, weight)
}

/// [`phase_yaml`] for the stack file `file`.
pub fn phase_yaml_of(file: &str, phase: &str, weight: i64) -> String {
    let text = std::fs::read_to_string(root().join(file)).expect("stack file");
    let adopted = phase != "prepare";
    let alb = weight > 0 || matches!(phase, "cutover" | "decommission");
    let mut out = String::new();
    for line in text.lines() {
        let line = line
            .replace(
                "migrationPhase: prepare",
                &format!("migrationPhase: {phase}"),
            )
            .replace(
                "awsTrafficWeight: 0",
                &format!("awsTrafficWeight: {weight}"),
            );
        out.push_str(&line);
        out.push('\n');
        if adopted && line.trim_start().starts_with("hostedZoneId:") && line.starts_with("      ") {
            out.push_str("      adopted: true\n");
        }
        if alb && line.trim_start().starts_with("awsTrafficWeight:") {
            out.push_str("    frontDoor: alb\n");
        }
    }
    out
}

/// The URNs the top-level input `property` of `resource` was computed from.
pub fn deps<'a>(resource: &'a PlanResource, property: &str) -> std::collections::BTreeSet<&'a str> {
    resource
        .property_dependencies
        .get(property)
        .map(|urns| urns.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The JSON document held as text in the input `key` of `resource` (a policy).
pub fn json_text(resource: &PlanResource, key: &str) -> serde_json::Value {
    let text = resource.inputs[key]
        .as_str()
        .unwrap_or_else(|| panic!("{} {key} is not known text", resource.name));
    serde_json::from_str(text).expect("JSON text")
}
