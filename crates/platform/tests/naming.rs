//! One naming rule for logical names (issue 11, point 1): the Pulumi logical name of every AWS
//! and TLS resource (and provider) is `<resource-type>-<environment>-<suffix>`, and it is the same
//! string as the resource's physical name or `Name` tag where it has one, so URNs, the console and
//! the diagram show one name. Components keep short names. Checked on every registration of both
//! example stacks and of every migration phase.

mod common;

use payments_compliance::view::{Got, physical_name};
use payments_platform::naming::AWS_FIXED_NAMES;
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::Value;

/// Whether `name` is `<resource-type>-<environment>-<suffix>`, the type part made of lowercase
/// letters, digits and single hyphens, starting with a letter.
fn follows_pattern(name: &str, environment: &str, suffix: &str) -> bool {
    let Some(type_part) = name.strip_suffix(&format!("-{environment}-{suffix}")) else {
        return false;
    };
    type_part.starts_with(|c: char| c.is_ascii_lowercase())
        && type_part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !type_part.ends_with('-')
        && !type_part.contains("--")
}

/// The resources the rule governs: AWS and TLS resources and their providers.
fn governed(resource: &PlanResource) -> bool {
    resource.custom
        && (resource.ty.starts_with("aws:")
            || resource.ty.starts_with("tls:")
            || resource.ty.starts_with("pulumi:providers:"))
}

/// The `Name` tag, when the resource has a tag map with one.
fn name_tag(resource: &PlanResource) -> Option<&str> {
    resource
        .inputs
        .get("tags")
        .and_then(|tags| tags.get("Name"))
        .and_then(Value::as_str)
}

/// The logical name the physical name asks for: the name itself, a KMS alias without the `/` AWS
/// requires; `None` for hierarchical names (log groups: the `Name` tag decides) and the names AWS
/// fixes.
fn expected_from_physical(physical: &str) -> Option<String> {
    if AWS_FIXED_NAMES.contains(&physical) {
        return None;
    }
    if let Some(rest) = physical.strip_prefix("alias/") {
        return Some(format!("alias-{rest}"));
    }
    (!physical.contains('/')).then(|| physical.to_owned())
}

/// Every breach of the rule in `plan`, one line each.
fn breaches(plan: &Plan, environment: &str, suffix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for resource in plan.resources.iter().filter(|r| governed(r)) {
        let (ty, name) = (&resource.ty, &resource.name);
        if !follows_pattern(name, environment, suffix) {
            found.push(format!(
                "{ty} `{name}` is not <resource-type>-{environment}-{suffix}"
            ));
        }
        if let Some(tag) = name_tag(resource)
            && tag != name
        {
            found.push(format!("{ty} `{name}` has the Name tag `{tag}`"));
        }
        if let Some((property, value)) = physical_name(resource) {
            match value.str() {
                Got::Known(physical) => {
                    if let Some(expected) = expected_from_physical(physical)
                        && &expected != name
                    {
                        found.push(format!("{ty} `{name}` has the {property} `{physical}`"));
                    }
                }
                Got::Unknown => found.push(format!("{ty} `{name}`: {property} unknown")),
                Got::Absent => {}
            }
        }
    }
    found
}

fn assert_follows_rule(plan: &Plan, what: &str, environment: &str, suffix: &str) {
    let governed_count = plan.resources.iter().filter(|r| governed(r)).count();
    assert!(
        governed_count > 100,
        "{what}: only {governed_count} resources"
    );
    let found = breaches(plan, environment, suffix);
    assert!(found.is_empty(), "{what}:\n{}", found.join("\n"));
}

#[test]
fn both_example_stacks_follow_the_naming_rule() {
    for (stack, file, environment, suffix) in [
        ("dev", "Pulumi.dev.yaml", "dev", "a1b2"),
        ("prod", "Pulumi.prod.yaml", "prod", "p01"),
    ] {
        let outcome = common::outcome_of(stack, file, PlanMode::Preview);
        assert!(outcome.succeeded(), "{stack}: {:?}", outcome.errors);
        assert_follows_rule(&outcome.plan, stack, environment, suffix);
    }
}

#[test]
fn every_migration_phase_follows_the_naming_rule() {
    for (phase, weight) in [
        ("prepare", 0),
        ("parallel", 5),
        ("shift", 50),
        ("cutover", 100),
        ("decommission", 100),
    ] {
        let outcome = common::outcome_of_yaml(&common::phase_yaml(phase, weight), PlanMode::Deploy)
            .expect("valid config");
        assert!(outcome.succeeded(), "{phase}: {:?}", outcome.errors);
        assert_follows_rule(&outcome.plan, phase, "dev", "a1b2");
    }
}

#[test]
fn the_check_catches_each_kind_of_breach() {
    let mut plan = common::dev_plan();
    assert!(breaches(&plan, "dev", "a1b2").is_empty());
    let index = |plan: &Plan, ty: &str| {
        plan.resources
            .iter()
            .position(|r| r.ty == ty)
            .unwrap_or_else(|| panic!("no {ty}"))
    };
    // A short logical name.
    let vpc = index(&plan, "aws:ec2/vpc:Vpc");
    plan.resources[vpc].name = "vpc".to_owned();
    // A logical name that differs from its Name tag.
    let subnet = index(&plan, "aws:ec2/subnet:Subnet");
    plan.resources[subnet].name = "subnet-other-dev-a1b2".to_owned();
    // A logical name that differs from its physical name (no Name tag on the policy).
    let policy = index(&plan, "aws:autoscaling/policy:Policy");
    plan.resources[policy].name = "asg-policy-dev-a1b2".to_owned();
    let found = breaches(&plan, "dev", "a1b2");
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found.iter().any(|f| f.contains("`vpc` is not")),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f.contains("has the Name tag")));
    assert!(
        found
            .iter()
            .any(|f| f.contains("has the name `asg-cpu-target-dev-a1b2`"))
    );
}

#[test]
fn the_pattern_needs_a_type_environment_and_suffix() {
    assert!(follows_pattern("vpc-dev-a1b2", "dev", "a1b2"));
    assert!(follows_pattern("subnet-app-a-dev-a1b2", "dev", "a1b2"));
    for bad in [
        "vpc",
        "-dev-a1b2",
        "vpc-dev-a1b3",
        "Vpc-dev-a1b2",
        "vpc--x-dev-a1b2",
        "1vpc-dev-a1b2",
        "vpc_x-dev-a1b2",
    ] {
        assert!(!follows_pattern(bad, "dev", "a1b2"), "{bad}");
    }
}
