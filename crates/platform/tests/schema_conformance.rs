//! Schema conformance of the whole program: every registration and invoke of the dev and prod
//! stacks, in preview and in a simulated deployment, matches pulumi-aws 7.51.1 / pulumi-tls 5.6.2
//! (types, property names at every depth, shapes, required properties, versions).

mod common;

use payments_platform::preview::PlanMode;

fn assert_conformant(stack: &str, file: &str, mode: PlanMode) {
    let outcome = common::outcome_of(stack, file, mode);
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let violations = payments_aws::schema::check_plan(&outcome.plan);
    let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "{} schema violations:\n{}",
        listed.len(),
        listed.join("\n")
    );
    assert!(outcome.plan.resources.len() > 100);
}

#[test]
fn dev_preview_matches_the_provider_schema() {
    assert_conformant("dev", "Pulumi.dev.yaml", PlanMode::Preview);
}

#[test]
fn dev_deployment_matches_the_provider_schema() {
    assert_conformant("dev", "Pulumi.dev.yaml", PlanMode::Deploy);
}

#[test]
fn prod_preview_matches_the_provider_schema() {
    assert_conformant("prod", "Pulumi.prod.yaml", PlanMode::Preview);
}

#[test]
fn prod_deployment_matches_the_provider_schema() {
    assert_conformant("prod", "Pulumi.prod.yaml", PlanMode::Deploy);
}
