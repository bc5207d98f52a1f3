//! The zero-downtime migration: what each phase has, the walk through every phase and back, and
//! the configurations that are refused.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{named, of_type, outcome_of_yaml};
use payments_platform::migration::{Role, role_of};
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::{Value, json};

use common::phase_yaml as yaml;

fn plan(phase: &str, weight: i64) -> Plan {
    let outcome = outcome_of_yaml(&yaml(phase, weight), PlanMode::Deploy).expect("valid config");
    assert!(outcome.succeeded(), "{phase}: {:?}", outcome.errors);
    outcome.plan
}

fn count(plan: &Plan, ty: &str) -> usize {
    of_type(plan, ty).len()
}

fn weights_of_listener(plan: &Plan) -> Option<(i64, i64)> {
    let listener = named(plan, "aws:lb/listener:Listener", "listener-https-dev-a1b2");
    let groups = listener.inputs["defaultActions"][0]["forward"]["targetGroups"].as_array()?;
    Some((groups[0]["weight"].as_i64()?, groups[1]["weight"].as_i64()?))
}

fn dns_weight(plan: &Plan, name: &str) -> Option<i64> {
    of_type(plan, "aws:route53/record:Record")
        .into_iter()
        .find(|r| r.name == name)
        .and_then(|r| r.inputs["weightedRoutingPolicies"][0]["weight"].as_i64())
}

fn task_types(plan: &Plan) -> BTreeSet<String> {
    of_type(plan, "aws:dms/replicationTask:ReplicationTask")
        .iter()
        .filter_map(|t| t.inputs["migrationType"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn each_phase_has_exactly_its_resources_and_weights() {
    let prepare = plan("prepare", 0);
    assert_eq!(count(&prepare, "aws:ec2/vpnConnection:VpnConnection"), 1);
    assert_eq!(
        count(
            &prepare,
            "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation"
        ),
        6,
        "public, app and db tables"
    );
    assert_eq!(
        task_types(&prepare),
        BTreeSet::from(["full-load-and-cdc".to_owned()])
    );
    assert_eq!(
        weights_of_listener(&prepare),
        None,
        "no weighted routing before parallel run"
    );
    assert_eq!(count(&prepare, "aws:route53/record:Record"), 0);
    let instance = of_type(&prepare, "aws:dms/replicationInstance:ReplicationInstance")[0];
    assert_eq!(instance.inputs["publiclyAccessible"], false);
    let task = of_type(&prepare, "aws:dms/replicationTask:ReplicationTask")[0];
    let settings: Value = serde_json::from_str(
        task.inputs["replicationTaskSettings"]
            .as_str()
            .expect("settings"),
    )
    .expect("json");
    assert_eq!(settings["ValidationSettings"]["EnableValidation"], true);
    let source = named(
        &prepare,
        "aws:dms/endpoint:Endpoint",
        "dms-onprem-source-dev-a1b2",
    );
    assert_eq!(source.inputs["sslMode"], "require");
    assert!(
        source.inputs["secretsManagerArn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:secretsmanager:"))
    );

    for (phase, weight) in [("parallel", 5), ("shift", 50)] {
        let p = plan(phase, weight);
        assert_eq!(
            weights_of_listener(&p),
            Some((weight, 100 - weight)),
            "{phase} ALB weights"
        );
        // DNS only chooses the front door (the ALB, once AWS takes a share); the listener splits.
        assert_eq!(
            dns_weight(&p, "dns-aws-dev-a1b2"),
            Some(100),
            "{phase} DNS weight"
        );
        assert_eq!(dns_weight(&p, "dns-onprem-dev-a1b2"), Some(0));
        let alias =
            &named(&p, "aws:route53/record:Record", "dns-aws-dev-a1b2").inputs["aliases"][0];
        assert_eq!(alias["evaluateTargetHealth"], true);
        assert_eq!(count(&p, "aws:route53/healthCheck:HealthCheck"), 1);
        let attachments = of_type(&p, "aws:lb/targetGroupAttachment:TargetGroupAttachment");
        assert_eq!(attachments.len(), 2);
        assert!(
            attachments
                .iter()
                .all(|a| a.inputs["availabilityZone"] == "all")
        );
        assert_eq!(
            named(&p, "aws:lb/targetGroup:TargetGroup", "tg-onprem-dev-a1b2").inputs["targetType"],
            "ip"
        );
        assert_eq!(
            task_types(&p),
            BTreeSet::from(["full-load-and-cdc".to_owned()])
        );
    }

    let cutover = plan("cutover", 100);
    assert_eq!(weights_of_listener(&cutover), Some((100, 0)));
    assert_eq!(dns_weight(&cutover, "dns-aws-dev-a1b2"), Some(100));
    assert_eq!(
        task_types(&cutover),
        BTreeSet::from(["cdc".to_owned()]),
        "only the reverse task, ready for rollback"
    );
    let reverse = of_type(&cutover, "aws:dms/replicationTask:ReplicationTask")[0];
    let rds_source = named(
        &cutover,
        "aws:dms/endpoint:Endpoint",
        "dms-rds-source-dev-a1b2",
    );
    assert!(
        reverse.dependencies.contains(&rds_source.urn),
        "reverse task reads from RDS"
    );

    let decommission = plan("decommission", 100);
    for ty in [
        "aws:ec2/vpnConnection:VpnConnection",
        "aws:ec2/customerGateway:CustomerGateway",
        "aws:dms/replicationInstance:ReplicationInstance",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:route53/healthCheck:HealthCheck",
    ] {
        assert_eq!(
            count(&decommission, ty),
            0,
            "{ty} is removed at decommission"
        );
    }
    assert_eq!(
        dns_weight(&decommission, "dns-aws-dev-a1b2"),
        Some(100),
        "the AWS record stays"
    );
    assert!(
        of_type(&decommission, "aws:route53/record:Record")
            .iter()
            .all(|r| r.name != "dns-onprem-dev-a1b2")
    );
    assert_eq!(weights_of_listener(&decommission), None);
}

#[test]
fn every_resource_is_tagged_with_the_current_phase() {
    for (phase, weight) in [("parallel", 5), ("cutover", 100)] {
        let p = plan(phase, weight);
        // Both aws providers: the stack's and the backups' copy region's.
        for provider in of_type(&p, "pulumi:providers:aws") {
            let tags: Value =
                serde_json::from_str(provider.inputs["defaultTags"].as_str().expect("text"))
                    .expect("json");
            assert_eq!(tags["tags"]["MigrationPhase"], phase);
        }
        for resource in p
            .resources
            .iter()
            .filter(|r| r.inputs.get("tags").is_some_and(Value::is_object))
            .filter(|r| r.ty != LAUNCH_TEMPLATE)
        {
            assert_eq!(
                resource.inputs["tags"]["MigrationPhase"], phase,
                "{}",
                resource.name
            );
        }
        // Instances get the phase from the group, propagated at launch; the template carries no
        // phase (its own tags get it from the provider's default tags), and the volumes and
        // network interfaces, which group tags never reach, point to their instance.
        let asg = named(&p, ASG, "asg-app-dev-a1b2");
        let propagated: Vec<&Value> = asg.inputs["tags"]
            .as_array()
            .expect("group tags")
            .iter()
            .filter(|t| t["key"] == "MigrationPhase")
            .collect();
        assert_eq!(
            propagated,
            [&json!({"key": "MigrationPhase", "value": phase, "propagateAtLaunch": true})]
        );
        let template = named(&p, LAUNCH_TEMPLATE, "lt-app-dev-a1b2");
        assert_eq!(template.inputs["tags"].get("MigrationPhase"), None);
        for spec in template.inputs["tagSpecifications"]
            .as_array()
            .expect("tag specifications")
        {
            let expected = match spec["resourceType"].as_str() {
                Some("instance") => Value::Null,
                _ => json!("see-instance"),
            };
            assert_eq!(
                spec["tags"].get("MigrationPhase").unwrap_or(&Value::Null),
                &expected,
                "{spec}"
            );
        }
    }
}

const LAUNCH_TEMPLATE: &str = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG: &str = "aws:autoscaling/group:Group";

/// The template's inputs that make a new template version when they change: all but its own tags,
/// description and default-version flag (the provider updates those in place).
fn versioned_inputs(template: &PlanResource) -> BTreeMap<&String, &Value> {
    template
        .inputs
        .iter()
        .filter(|(k, _)| !["tags", "description", "updateDefaultVersion"].contains(&k.as_str()))
        .collect()
}

/// The group's launch template reference: its input and the resources it comes from.
fn template_reference(plan: &Plan) -> (Value, Vec<String>) {
    let asg = named(plan, ASG, "asg-app-dev-a1b2");
    (
        asg.inputs["launchTemplate"].clone(),
        asg.property_dependencies
            .get("launchTemplate")
            .cloned()
            .unwrap_or_default(),
    )
}

#[test]
fn a_phase_change_keeps_the_launch_template_and_an_ami_change_makes_a_new_version() {
    let walk = [
        ("prepare", 0),
        ("parallel", 5),
        ("shift", 50),
        ("cutover", 100),
        ("decommission", 100),
    ];
    let plans: Vec<Plan> = walk.iter().map(|(p, w)| plan(p, *w)).collect();
    let template = |p: &Plan| named(p, LAUNCH_TEMPLATE, "lt-app-dev-a1b2").inputs.clone();
    for (pair, phases) in plans.windows(2).zip(walk.windows(2)) {
        assert_eq!(
            template(&pair[0]),
            template(&pair[1]),
            "{phases:?}: the launch template changed, so every instance would be replaced"
        );
        assert_eq!(
            template_reference(&pair[0]),
            template_reference(&pair[1]),
            "{phases:?}: the group's launch template reference changed"
        );
    }
    // The group's reference follows the template's latest version, so it moves with every new
    // version; an AMI, instance type or user data change makes one.
    let (reference, sources) = template_reference(&plans[0]);
    let lt = named(&plans[0], LAUNCH_TEMPLATE, "lt-app-dev-a1b2");
    assert_eq!(sources, std::slice::from_ref(&lt.urn));
    assert!(reference.get("version").is_some(), "{reference}");
    let base = yaml("prepare", 0);
    let with = |line: &str| {
        let outcome = outcome_of_yaml(
            &format!("{base}  payments-platform:{line}\n"),
            PlanMode::Deploy,
        )
        .expect("valid config");
        assert!(outcome.succeeded(), "{line}: {:?}", outcome.errors);
        outcome.plan
    };
    let ami_a = with("amiId: ami-0123456789abcdef0");
    let ami_b = with("amiId: ami-0fedcba9876543210");
    let versioned = |p: &Plan| {
        versioned_inputs(named(p, LAUNCH_TEMPLATE, "lt-app-dev-a1b2"))
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<BTreeMap<String, Value>>()
    };
    assert_ne!(
        versioned(&ami_a),
        versioned(&ami_b),
        "an AMI change makes a new version"
    );
    let bigger = outcome_of_yaml(
        &base.replace("instanceType: t3.medium", "instanceType: m6i.large"),
        PlanMode::Deploy,
    )
    .expect("valid")
    .plan;
    assert_ne!(
        versioned(&plans[0]),
        versioned(&bigger),
        "so does an instance type change"
    );
    let other_port = with("appPort: 8443");
    assert_ne!(
        named(&plans[0], LAUNCH_TEMPLATE, "lt-app-dev-a1b2").inputs["userData"],
        named(&other_port, LAUNCH_TEMPLATE, "lt-app-dev-a1b2").inputs["userData"],
    );
    assert_ne!(
        versioned(&plans[0]),
        versioned(&other_port),
        "and a user data change"
    );
    // Across phases, not even the inputs that make a version differ.
    for p in &plans[1..] {
        assert_eq!(versioned(&plans[0]), versioned(p));
    }
}

#[test]
fn migration_rules_never_open_the_world_and_admit_on_prem_only_where_needed() {
    let p = plan("shift", 50);
    for ty in [
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    ] {
        for rule in of_type(&p, ty) {
            let on_prem = rule
                .inputs
                .get("cidrIpv4")
                .and_then(Value::as_str)
                .is_some_and(|c| c.starts_with("172.16."));
            if on_prem {
                assert!(
                    [
                        "egress-alb-to-onprem-",
                        "egress-app-to-onprem-db-",
                        "egress-dms-to-onprem-"
                    ]
                    .iter()
                    .any(|p| rule.name.starts_with(p)),
                    "unexpected on-prem rule {}",
                    rule.name
                );
            }
            if ty.contains("Ingress") {
                assert_ne!(
                    rule.inputs.get("cidrIpv4"),
                    Some(&json!("0.0.0.0/0")),
                    "{}",
                    rule.name
                );
            }
        }
    }
    let cutover = plan("cutover", 100);
    assert!(
        !of_type(
            &cutover,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
        )
        .iter()
        .any(|r| r.name.starts_with("egress-app-to-onprem-db-")),
        "after cutover the app tier writes to RDS only"
    );
}

/// Fields that carry only tags.
const TAG_FIELDS: [&str; 3] = ["tags", "tagSpecifications", "defaultTags"];

fn without_tags(resource: &PlanResource) -> BTreeMap<&String, &Value> {
    resource
        .inputs
        .iter()
        .filter(|(k, _)| !TAG_FIELDS.contains(&k.as_str()))
        .collect()
}

fn component_type(plan: &Plan, resource: &PlanResource) -> String {
    plan.resource(&resource.parent)
        .map(|p| p.ty.clone())
        .unwrap_or_default()
}

/// Whether a phase change may add, remove or change `resource` beyond its tags.
fn may_change(plan: &Plan, resource: &PlanResource) -> bool {
    let in_migration_component = resource.ty.starts_with("payments:migration:")
        || component_type(plan, resource).starts_with("payments:migration:");
    let dms_alarm = resource.ty == "aws:cloudwatch/metricAlarm:MetricAlarm"
        && (resource.name.contains("-forward-") || resource.name.contains("-reverse-"));
    in_migration_component
        || dms_alarm
        || matches!(
            role_of(&resource.ty),
            Role::Routing | Role::Replication | Role::Connectivity
        )
}

/// The changes from `before` to `after`: (added, removed, changed beyond tags), by URN.
fn diff(before: &Plan, after: &Plan) -> (Vec<String>, Vec<String>, Vec<String>) {
    let old: BTreeMap<&str, &PlanResource> = before
        .resources
        .iter()
        .map(|r| (r.urn.as_str(), r))
        .collect();
    let new: BTreeMap<&str, &PlanResource> = after
        .resources
        .iter()
        .map(|r| (r.urn.as_str(), r))
        .collect();
    let added = new
        .keys()
        .filter(|u| !old.contains_key(*u))
        .map(|u| u.to_string())
        .collect();
    let removed = old
        .keys()
        .filter(|u| !new.contains_key(*u))
        .map(|u| u.to_string())
        .collect();
    let changed = new
        .iter()
        .filter(|(urn, r)| {
            old.get(*urn)
                .is_some_and(|o| without_tags(o) != without_tags(r))
        })
        .map(|(urn, _)| urn.to_string())
        .collect();
    (added, removed, changed)
}

fn assert_safe_phase_change(label: &str, before: &Plan, after: &Plan) {
    let (added, removed, changed) = diff(before, after);
    for resource in before
        .resources
        .iter()
        .chain(&after.resources)
        .filter(|r| role_of(&r.ty) == Role::Stateful)
    {
        assert!(
            !added.contains(&resource.urn)
                && !removed.contains(&resource.urn)
                && !changed.contains(&resource.urn),
            "{label}: stateful {} {} changed beyond its tags",
            resource.ty,
            resource.name
        );
    }
    for urn in added.iter().chain(&changed) {
        let resource = after.resource(urn).expect("in after");
        assert!(
            may_change(after, resource),
            "{label}: {} {} may not change",
            resource.ty,
            resource.name
        );
    }
    for urn in &removed {
        let resource = before.resource(urn).expect("in before");
        assert!(
            may_change(before, resource),
            "{label}: {} {} may not be removed",
            resource.ty,
            resource.name
        );
    }
    assert!(
        !(added.is_empty() && removed.is_empty() && changed.is_empty()),
        "{label}: nothing changed"
    );
}

#[test]
fn walking_the_phases_touches_only_routing_replication_and_connectivity() {
    let walk = [
        ("prepare", 0),
        ("parallel", 5),
        ("shift", 10),
        ("shift", 50),
        ("cutover", 100),
        ("decommission", 100),
    ];
    let plans: Vec<(String, Plan)> = walk
        .iter()
        .map(|(p, w)| (format!("{p}({w})"), plan(p, *w)))
        .collect();
    for pair in plans.windows(2) {
        let label = format!("{} -> {}", pair[0].0, pair[1].0);
        assert_safe_phase_change(&label, &pair[0].1, &pair[1].1);
    }
}

#[test]
fn a_rollback_is_the_same_change_reversed() {
    let (ten, fifty) = (plan("shift", 10), plan("shift", 50));
    let forward = diff(&ten, &fifty);
    let back = diff(&fifty, &ten);
    assert_eq!(forward.0, back.1, "added forward = removed backward");
    assert_eq!(forward.1, back.0);
    assert_eq!(forward.2, back.2, "the same resources change");
    assert!(!forward.2.is_empty(), "weights change");
    let listener = |p: &Plan| {
        named(p, "aws:lb/listener:Listener", "listener-https-dev-a1b2")
            .inputs
            .clone()
    };
    assert_eq!(
        listener(&plan("shift", 10)),
        listener(&ten),
        "rolling back restores the exact routing"
    );
}

fn assert_refused(yaml: &str, expected: &[&str]) {
    let err = outcome_of_yaml(yaml, PlanMode::Preview).expect_err("refused");
    for needle in expected {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

#[test]
fn invalid_migration_configs_are_refused_with_one_clear_message_each() {
    assert_refused(
        &yaml("prepare", 0).replace("- 172.16.0.0/16", "- 10.20.128.0/20"),
        &["overlaps the VPC CIDR 10.20.0.0/16"],
    );
    assert_refused(
        &yaml("shift", 150),
        &["awsTrafficWeight must be between 0 and 100"],
    );
    assert_refused(
        &yaml("prepare", 20),
        &[
            "awsTrafficWeight 20 is inconsistent with migrationPhase prepare",
            "0-0",
        ],
    );
    assert_refused(
        &yaml("cutover", 90),
        &["inconsistent with migrationPhase cutover", "100-100"],
    );
    assert_refused(
        &yaml("parallel", 20),
        &["inconsistent with migrationPhase parallel"],
    );
    let without_servers = yaml("parallel", 5);
    let start = without_servers.find("    appServers:").expect("appServers");
    let end = without_servers
        .find("    publicRecord:")
        .expect("publicRecord");
    let without_servers = format!("{}{}", &without_servers[..start], &without_servers[end..]);
    assert_refused(
        &without_servers,
        &["migration.appServers is required in phase parallel"],
    );
    let without_migration = yaml("shift", 50);
    let start = without_migration
        .find("  payments-platform:migration:")
        .expect("migration");
    assert_refused(
        &without_migration[..start],
        &["migrationPhase shift needs the migration settings"],
    );
    assert_refused(
        &yaml("prepare", 0).replace(
            "customerGatewayIp: 198.51.100.10",
            "customerGatewayIp: nope",
        ),
        &["customerGatewayIp is not an IPv4 address"],
    );
    assert_refused(
        &yaml("prepare", 0).replace("- 172.16.0.0/16", "- 0.0.0.0/0"),
        &["may not be a /0"],
    );
}

#[test]
fn every_alarm_the_runbook_names_exists() {
    let runbook =
        std::fs::read_to_string(common::root().join("docs/migration.md")).expect("runbook");
    let named: BTreeSet<String> = runbook
        .split('`')
        .filter(|piece| piece.starts_with("alarm-") && piece.ends_with('*'))
        .map(|piece| piece.trim_end_matches('*').trim_end_matches('-').to_owned())
        .collect();
    assert!(named.len() >= 6, "{named:?}");
    let alarms: Vec<String> = [plan("prepare", 0), plan("cutover", 100)]
        .iter()
        .flat_map(|p| {
            of_type(p, "aws:cloudwatch/metricAlarm:MetricAlarm")
                .into_iter()
                .map(|a| a.name.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    for prefix in &named {
        assert!(
            alarms.iter().any(|a| a.starts_with(prefix.as_str())),
            "{prefix} is named in the runbook but not created: {alarms:?}"
        );
    }
    let reverse = [
        "alarm-reverse-cdc-latency-source",
        "alarm-reverse-validation-failures",
    ];
    assert!(
        reverse
            .iter()
            .all(|r| alarms.iter().any(|a| a.starts_with(r))),
        "reverse task alarms"
    );
}
