//! What AWS enforces at deploy time for the migration (issue 10, points 1 to 8 and the DMS part of
//! point 10), each checked on the dev and the prod plans: DMS credentials and their path to
//! Secrets Manager, routes to the data center, the end-to-end traffic share, stickiness, the
//! takeover of the public record, replication that can roll back, alarms that see the tasks, and
//! the dependencies that IAM and routing propagation need.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{deps, named, of_type, outcome_of_yaml, phase_yaml_of};
use payments_platform::migration::replication::endpoint_secret;
use payments_platform::operations::task_resource_id;
use payments_platform::preview::{PlanMode, migration_summary};
use pulumi_runtime::plan::{Plan, PlanResource};
use pulumi_runtime::wire;
use serde_json::Value;

const STACKS: [(&str, &str); 2] = [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")];

const TASK: &str = "aws:dms/replicationTask:ReplicationTask";
const ENDPOINT: &str = "aws:dms/endpoint:Endpoint";
const RECORD: &str = "aws:route53/record:Record";

/// The plan of a YAML stack text (deploy mode: outputs known), which must succeed.
fn plan_of(yaml: &str) -> Plan {
    let outcome = outcome_of_yaml(yaml, PlanMode::Deploy).expect("valid config");
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    outcome.plan
}

/// The plan of `file` in `phase` at `weight`, with `edit` applied to the YAML.
fn plan(file: &str, phase: &str, weight: i64, edit: impl FnOnce(String) -> String) -> Plan {
    plan_of(&edit(phase_yaml_of(file, phase, weight)))
}

/// The configuration error of a YAML stack text.
fn refused(yaml: &str) -> String {
    outcome_of_yaml(yaml, PlanMode::Preview).expect_err("refused")
}

/// Adds `lines` (indented four spaces, inside the migration object) after `awsTrafficWeight`.
fn with_migration(lines: &str) -> impl FnOnce(String) -> String + '_ {
    move |yaml: String| {
        let mut out = String::new();
        for line in yaml.lines() {
            out.push_str(line);
            out.push('\n');
            if line.trim_start().starts_with("awsTrafficWeight:") {
                for extra in lines.lines() {
                    out.push_str("    ");
                    out.push_str(extra);
                    out.push('\n');
                }
            }
        }
        out
    }
}

fn by_name<'a>(plan: &'a Plan, ty: &str, prefix: &str) -> Vec<&'a PlanResource> {
    of_type(plan, ty)
        .into_iter()
        .filter(|r| r.name.starts_with(prefix))
        .collect()
}

fn one<'a>(plan: &'a Plan, ty: &str, prefix: &str) -> &'a PlanResource {
    let found = by_name(plan, ty, prefix);
    assert_eq!(found.len(), 1, "{ty} {prefix}*: {found:?}");
    found[0]
}

fn plain(value: &Value) -> Value {
    wire::decode(value).value.unwrap_or(Value::Null)
}

// 1. DMS endpoints read a dedicated replication user's secret with host, port, username, password.
#[test]
fn dms_endpoints_use_dedicated_replication_users_with_complete_secrets() {
    for (stack, file) in STACKS {
        for (phase, weight) in [("prepare", 0), ("cutover", 100)] {
            let p = plan(file, phase, weight, |y| y);
            let secret = one(&p, "aws:secretsmanager/secret:Secret", "secret-dms-rds-");
            let data_key = one(&p, "aws:kms/key:Key", "kms-data-");
            assert!(
                deps(secret, "kmsKeyId").contains(data_key.urn.as_str()),
                "{stack}: the RDS replication secret is under the data key"
            );
            let version = one(
                &p,
                "aws:secretsmanager/secretVersion:SecretVersion",
                "secret-dms-rds-",
            );
            let value = &version.inputs["secretString"];
            assert!(
                wire::decode(value).secret,
                "{stack}: the secret's value is a secret"
            );
            assert_eq!(
                version.options.ignore_changes,
                ["secretString"],
                "{stack}: the generated password stays"
            );
            let endpoints = of_type(&p, ENDPOINT);
            assert_eq!(endpoints.len(), 2, "{stack} {phase}");
            for endpoint in endpoints {
                for absent in ["serverName", "port", "username", "password"] {
                    assert!(
                        endpoint.inputs.get(absent).is_none(),
                        "{stack} {}: {absent} comes from the secret",
                        endpoint.name
                    );
                }
                assert!(endpoint.inputs.contains_key("secretsManagerAccessRoleArn"));
                let arn = plain(&endpoint.inputs["secretsManagerArn"]);
                if endpoint.name.starts_with("dms-rds-") {
                    assert!(
                        deps(endpoint, "secretsManagerArn").contains(secret.urn.as_str()),
                        "{stack} {}: the RDS side uses the stack's replication secret, not the master secret",
                        endpoint.name
                    );
                } else {
                    assert!(
                        arn.as_str().is_some_and(
                            |a| a.contains(":secretsmanager:") && a.contains(":secret:")
                        ),
                        "{stack} {}: {arn}",
                        endpoint.name
                    );
                }
            }
        }
    }
    let shape: Value = serde_json::from_str(&endpoint_secret(
        "db.example",
        3306,
        "dms_replication",
        "pw",
    ))
    .expect("json");
    let keys: BTreeSet<&str> = shape
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["host", "port", "username", "password"])
    );
    let base = phase_yaml_of("Pulumi.dev.yaml", "prepare", 0);
    let err = refused(&base.replace(
        "secretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-mysql-replication-AbCdEf",
        "secretArn: onprem-mysql-replication",
    ));
    assert!(
        err.contains("migration.database.secretArn is not a Secrets Manager secret ARN")
            && err.contains("host, port, username, password"),
        "{err}"
    );
    let err = refused(&with_migration("rdsReplicationUser: \"dms-replication!\"")(
        base.clone(),
    ));
    assert!(
        err.contains("rdsReplicationUser is not a MySQL user name"),
        "{err}"
    );
}

// 2. DMS reaches Secrets Manager through an interface endpoint, 443 from the DMS group only.
#[test]
fn dms_reaches_secrets_manager_through_an_interface_endpoint() {
    for (stack, file) in STACKS {
        let p = plan(file, "prepare", 0, |y| y);
        let endpoint = one(
            &p,
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "vpce-secretsmanager-",
        );
        assert_eq!(endpoint.inputs["vpcEndpointType"], "Interface");
        assert_eq!(
            endpoint.inputs["serviceName"],
            "com.amazonaws.us-east-1.secretsmanager"
        );
        assert_eq!(endpoint.inputs["privateDnsEnabled"], true);
        let subnet_group = one(
            &p,
            "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
            "dms-subnets-",
        );
        // One endpoint interface in every zone DMS uses (the endpoints live in the app subnets,
        // which the database subnets reach through the VPC's local route).
        let zones = |property_of: &PlanResource, property: &str| -> BTreeSet<String> {
            deps(property_of, property)
                .iter()
                .filter_map(|urn| p.resources.iter().find(|r| r.urn == *urn))
                .filter_map(|subnet| {
                    subnet.inputs["availabilityZone"]
                        .as_str()
                        .map(str::to_owned)
                })
                .collect()
        };
        assert_eq!(
            zones(endpoint, "subnetIds"),
            zones(subnet_group, "subnetIds"),
            "{stack}: an endpoint interface in every zone DMS uses"
        );
        let endpoint_group = one(
            &p,
            "aws:ec2/securityGroup:SecurityGroup",
            "secgroup-endpoints-",
        );
        let dms_group = one(&p, "aws:ec2/securityGroup:SecurityGroup", "secgroup-dms-");
        assert!(deps(endpoint, "securityGroupIds").contains(endpoint_group.urn.as_str()));
        let ingress = by_name(
            &p,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "ingress-endpoints-from-dms-",
        );
        assert_eq!(ingress.len(), 1, "{stack}: DMS reaches the endpoints");
        assert!(deps(ingress[0], "securityGroupId").contains(endpoint_group.urn.as_str()));
        assert!(deps(ingress[0], "referencedSecurityGroupId").contains(dms_group.urn.as_str()));
        let egress = one(
            &p,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "egress-dms-to-endpoints-",
        );
        assert!(deps(egress, "securityGroupId").contains(dms_group.urn.as_str()));
        assert!(deps(egress, "referencedSecurityGroupId").contains(endpoint_group.urn.as_str()));
        for rule in [ingress[0], egress] {
            assert_eq!(
                (
                    rule.inputs["fromPort"].as_i64(),
                    rule.inputs["toPort"].as_i64()
                ),
                (Some(443), Some(443))
            );
        }
    }
}

/// The route table of every subnet, by subnet URN.
fn route_table_of(plan: &Plan) -> BTreeMap<&str, &str> {
    of_type(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation")
        .into_iter()
        .filter_map(|a| {
            let subnet = deps(a, "subnetId").into_iter().next()?;
            let table = deps(a, "routeTableId").into_iter().next()?;
            Some((subnet, table))
        })
        .collect()
}

// 3. Every subnet hosting something that reaches on-prem routes every on-prem CIDR to the VGW.
#[test]
fn every_subnet_that_reaches_on_prem_routes_every_on_prem_cidr_to_the_vgw() {
    for (stack, file) in STACKS {
        for (phase, weight) in [
            ("prepare", 0),
            ("parallel", 0),
            ("shift", 50),
            ("cutover", 100),
        ] {
            let p = plan(file, phase, weight, |y| y);
            let cidrs: Vec<String> = p.outputs["migration"]["onPremCidrs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            assert!(!cidrs.is_empty(), "{stack}: on-prem CIDRs in the summary");
            let vgw = one(&p, "aws:ec2/vpnGateway:VpnGateway", "vgw-");
            let static_routes = by_name(
                &p,
                "aws:ec2/vpnConnectionRoute:VpnConnectionRoute",
                "vpn-route-",
            );
            let statically_routed: BTreeSet<&str> = static_routes
                .iter()
                .filter_map(|r| r.inputs["destinationCidrBlock"].as_str())
                .collect();
            let bgp = static_routes.is_empty();
            let propagated: BTreeSet<&str> = of_type(
                &p,
                "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation",
            )
            .into_iter()
            .filter(|r| deps(r, "vpnGatewayId").contains(vgw.urn.as_str()))
            .flat_map(|r| deps(r, "routeTableId"))
            .collect();
            let routes = of_type(&p, "aws:ec2/route:Route");
            let tables = route_table_of(&p);
            let alb = one(&p, "aws:lb/loadBalancer:LoadBalancer", "alb-");
            let asg = one(&p, "aws:autoscaling/group:Group", "asg-app-");
            let dms = one(
                &p,
                "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
                "dms-subnets-",
            );
            let hosts = [
                ("ALB", deps(alb, "subnets")),
                ("app", deps(asg, "vpcZoneIdentifiers")),
                ("DMS", deps(dms, "subnetIds")),
            ];
            for (what, subnets) in hosts {
                assert_eq!(subnets.len(), 2, "{stack} {what}");
                for subnet in subnets {
                    let table = tables[subnet];
                    for cidr in &cidrs {
                        let by_route = routes.iter().any(|r| {
                            deps(r, "routeTableId").contains(table)
                                && r.inputs["destinationCidrBlock"] == cidr.as_str()
                                && deps(r, "gatewayId").contains(vgw.urn.as_str())
                        });
                        let by_propagation = propagated.contains(table)
                            && (bgp || statically_routed.contains(cidr.as_str()));
                        assert!(
                            by_route || by_propagation,
                            "{stack} {phase}: the {what} subnet {subnet} does not route {cidr} to the VGW"
                        );
                    }
                }
            }
        }
    }
}

/// The share of requests AWS serves, computed from the plan: the DNS share of the ALB (the
/// existing simple record, on-prem, when no weighted record exists) times the listener's share of
/// the ASG target group (all of it when the listener does not split).
fn effective_aws_share(p: &Plan) -> f64 {
    let weight = |name: &str| {
        of_type(p, RECORD)
            .into_iter()
            .find(|r| r.name.starts_with(name))
            .and_then(|r| r.inputs["weightedRoutingPolicies"][0]["weight"].as_f64())
    };
    let (aws, onprem) = (weight("dns-aws-"), weight("dns-onprem-"));
    let dns_share = match (aws, onprem) {
        (None, _) => 0.0,
        (Some(a), None) => {
            if a > 0.0 {
                1.0
            } else {
                0.0
            }
        }
        (Some(a), Some(o)) => a / (a + o),
    };
    let listener = one(p, "aws:lb/listener:Listener", "listener-https-");
    let action = &listener.inputs["defaultActions"][0];
    let app_group = one(p, "aws:lb/targetGroup:TargetGroup", "tg-app-");
    let listener_share = match action["forward"]["targetGroups"].as_array() {
        None => 1.0,
        Some(groups) => {
            let total: f64 = groups.iter().filter_map(|g| g["weight"].as_f64()).sum();
            let app: f64 = groups
                .iter()
                .filter(|g| {
                    plain(&g["arn"])
                        .as_str()
                        .is_some_and(|arn| arn.contains(&app_group.name))
                })
                .filter_map(|g| g["weight"].as_f64())
                .sum();
            app / total
        }
    };
    dns_share * listener_share * 100.0
}

// 4. awsTrafficWeight is the end-to-end share, applied once.
#[test]
fn the_configured_weight_is_the_end_to_end_share_in_every_phase() {
    for (stack, file) in STACKS {
        for (phase, weight, front_door) in [
            ("prepare", 0, "onprem"),
            ("parallel", 0, "onprem"),
            ("parallel", 0, "alb"),
            ("parallel", 5, "alb"),
            ("parallel", 10, "alb"),
            ("shift", 10, "alb"),
            ("shift", 25, "alb"),
            ("shift", 50, "alb"),
            ("shift", 75, "alb"),
            ("shift", 100, "alb"),
            ("cutover", 100, "alb"),
            ("decommission", 100, "alb"),
        ] {
            let yaml = phase_yaml_of(file, phase, weight).replace("    frontDoor: alb\n", "");
            let yaml = if front_door == "alb" {
                with_migration("frontDoor: alb")(yaml)
            } else {
                yaml
            };
            let p = plan_of(&yaml);
            let share = effective_aws_share(&p);
            assert!(
                (share - weight as f64).abs() < 1e-9,
                "{stack} {phase} {weight} (front door {front_door}): AWS serves {share}%"
            );
        }
        for (phase, weight, fallback) in [
            ("parallel", 0, true),
            ("shift", 50, true),
            ("cutover", 100, false),
            ("decommission", 100, false),
        ] {
            let p = plan(file, phase, weight, |y| y);
            let alias = &one(&p, RECORD, "dns-aws-").inputs["aliases"][0];
            assert_eq!(
                alias["evaluateTargetHealth"], fallback,
                "{stack} {phase}: DNS falls back to the data center only while it is the writer"
            );
        }
        let err = refused(&phase_yaml_of(file, "shift", 50).replace("    frontDoor: alb\n", ""));
        assert!(
            err.contains("awsTrafficWeight is above 0 while migration.frontDoor is onprem"),
            "{err}"
        );
        let err = refused(&with_migration("frontDoor: alb")(phase_yaml_of(
            file, "prepare", 0,
        )));
        assert!(
            err.contains("migration.frontDoor is alb in phase prepare"),
            "{err}"
        );
    }
}

// 5. Sessions stay on one side.
#[test]
fn the_weighted_forward_and_both_target_groups_are_sticky() {
    for (stack, file) in STACKS {
        let p = plan(file, "shift", 50, |y| y);
        let listener = one(&p, "aws:lb/listener:Listener", "listener-https-");
        let stickiness = &listener.inputs["defaultActions"][0]["forward"]["stickiness"];
        assert_eq!(stickiness["enabled"], true, "{stack}");
        assert!(
            stickiness["duration"].as_i64().is_some_and(|d| d > 0),
            "{stack}"
        );
        for group in ["tg-app-", "tg-onprem-"] {
            let tg = one(&p, "aws:lb/targetGroup:TargetGroup", group);
            assert_eq!(tg.inputs["stickiness"]["enabled"], true, "{stack} {group}");
            assert_eq!(
                tg.inputs["stickiness"]["type"], "lb_cookie",
                "{stack} {group}"
            );
            assert!(
                tg.inputs["stickiness"]["cookieDuration"]
                    .as_i64()
                    .is_some_and(|d| d > 0)
            );
        }
    }
}

// 6. The live public record is taken over, adopted, and only then weighted.
#[test]
fn the_public_record_is_taken_over_before_weighted_routing() {
    for (stack, file) in STACKS {
        let before = plan(file, "prepare", 0, |y| y);
        assert!(
            by_name(&before, RECORD, "dns-").is_empty(),
            "{stack}: nothing touches the live record"
        );
        assert_eq!(
            by_name(&before, "payments:migration:Traffic", "traffic").len(),
            1,
            "{stack}: the parent the record is imported under exists before the import"
        );
        let adopted = plan(file, "prepare", 0, |y| {
            y.replace(
                "      hostedZoneId: Z0123456789",
                "      adopted: true\n      hostedZoneId: Z0123456789",
            )
        });
        let onprem = one(&adopted, RECORD, "dns-onprem-");
        assert_eq!(onprem.inputs["weightedRoutingPolicies"][0]["weight"], 100);
        assert_eq!(onprem.inputs["setIdentifier"], "onprem");
        assert_eq!(onprem.inputs["ttl"], 60);
        assert!(by_name(&adopted, RECORD, "dns-aws-").is_empty());
        assert_eq!(adopted.outputs["migration"]["publicRecordAdopted"], true);
        let err = refused(&phase_yaml_of(file, "parallel", 0).replace("      adopted: true\n", ""));
        assert!(
            err.contains("migration.publicRecord.adopted is false in phase parallel")
                && err.contains("pulumi import"),
            "{stack}: {err}"
        );
    }
    let runbook =
        std::fs::read_to_string(common::root().join("docs/migration.md")).expect("runbook");
    for needle in [
        "aws route53 change-resource-record-sets",
        "\"Action\": \"DELETE\"",
        "\"Action\": \"CREATE\"",
        "pulumi import aws:route53/record:Record dns-onprem-",
        "--parent",
        "--provider",
        "pulumi config set --path migration.publicRecord.adopted true",
    ] {
        assert!(runbook.contains(needle), "the runbook lacks {needle:?}");
    }
}

fn tasks(p: &Plan) -> Vec<&PlanResource> {
    of_type(p, TASK)
}

fn started(p: &Plan) -> Vec<String> {
    tasks(p)
        .into_iter()
        .filter(|t| t.inputs["startReplicationTask"] == true)
        .map(|t| t.name.clone())
        .collect()
}

// 7. Replication that can roll back.
#[test]
fn replication_is_configurable_per_direction_and_never_loops() {
    for (stack, file) in STACKS {
        let prepare = plan(file, "prepare", 0, |y| y);
        let forward = one(&prepare, TASK, "dms-forward-");
        assert_eq!(
            forward.inputs["startReplicationTask"], false,
            "{stack}: no task starts before the tunnels are up"
        );
        assert_eq!(forward.inputs["migrationType"], "full-load-and-cdc");
        assert_eq!(
            prepare.outputs["migration"]["rdsBinlogRetention"],
            "CALL mysql.rds_set_configuration('binlog retention hours', 24);"
        );
        let summary = migration_summary(&prepare.outputs["migration"]);
        for line in [
            "front door (DNS): onprem; public record adopted: no",
            "(started: none)",
            "RDS binlog retention (run as the master user): CALL mysql.rds_set_configuration('binlog retention hours', 24);",
        ] {
            assert!(
                summary.contains(line),
                "{stack}: {line:?} not in the preview summary:\n{summary}"
            );
        }
        // The runbook's walk: each step's plan runs at most one task, and the update that removes
        // one direction's task never starts the other's.
        let walk = [
            ("shift", 100, "forward:\n  start: true\n"),
            ("cutover", 100, ""),
            (
                "cutover",
                100,
                "reverse:\n  start: true\n  cdcStartPosition: mysql-bin-changelog.000042:1234\n",
            ),
            (
                "shift",
                90,
                "forward:\n  migrationType: cdc\n  cdcStartPosition: mysql-bin.000311:4\n",
            ),
            (
                "shift",
                90,
                "forward:\n  migrationType: cdc\n  cdcStartPosition: mysql-bin.000311:4\n  start: true\n",
            ),
        ];
        let plans: Vec<Plan> = walk
            .iter()
            .map(|(phase, weight, extra)| plan(file, phase, *weight, with_migration(extra)))
            .collect();
        for (p, step) in plans.iter().zip(&walk) {
            assert!(tasks(p).len() <= 1, "{stack} {step:?}: both tasks exist");
        }
        for (pair, steps) in plans.windows(2).zip(walk.windows(2)) {
            let directions = |p: &Plan| -> BTreeSet<String> {
                tasks(p).iter().map(|t| t.name.clone()).collect()
            };
            if directions(&pair[0]) != directions(&pair[1]) {
                assert!(
                    started(&pair[1]).is_empty(),
                    "{stack} {steps:?}: a task starts in the update that removes the other"
                );
            }
        }
        let reverse = one(&plans[2], TASK, "dms-reverse-");
        assert_eq!(reverse.inputs["migrationType"], "cdc");
        assert_eq!(
            reverse.inputs["cdcStartPosition"],
            "mysql-bin-changelog.000042:1234"
        );
        assert_eq!(reverse.inputs["startReplicationTask"], true);
        let resumed = one(&plans[4], TASK, "dms-forward-");
        assert_eq!(
            resumed.inputs["migrationType"], "cdc",
            "{stack}: no full reload after a rollback"
        );
        assert_eq!(resumed.inputs["cdcStartPosition"], "mysql-bin.000311:4");
        let base = phase_yaml_of(file, "cutover", 100);
        for (extra, message) in [
            (
                "forward:\n  start: true\nreverse:\n  start: true\n",
                "migration.forward.start and migration.reverse.start are both true",
            ),
            (
                "reverse:\n  migrationType: full-load-and-cdc\n",
                "migration.reverse.migrationType must be cdc",
            ),
            (
                "binlogRetentionHours: 2\n",
                "migration.binlogRetentionHours must be between 24 and 168",
            ),
        ] {
            let err = refused(&with_migration(extra)(base.clone()));
            assert!(err.contains(message), "{stack}: {message}: {err}");
        }
        let err = refused(&with_migration("forward:\n  migrationType: cdc\n")(
            phase_yaml_of(file, "shift", 50),
        ));
        assert!(
            err.contains("without migration.forward.cdcStartPosition"),
            "{err}"
        );
        let err = refused(&with_migration("reverse:\n  start: true\n")(phase_yaml_of(
            file, "shift", 50,
        )));
        assert!(
            err.contains("the reverse task exists only in cutover"),
            "{err}"
        );
    }
    let runbook =
        std::fs::read_to_string(common::root().join("docs/migration.md")).expect("runbook");
    for needle in [
        "CALL mysql.rds_set_configuration('binlog retention hours'",
        "migration.forward.cdcStartPosition",
        "migration.reverse.start true",
    ] {
        assert!(runbook.contains(needle), "the runbook lacks {needle:?}");
    }
}

#[test]
fn the_resource_id_is_the_last_part_of_the_task_arn() {
    assert_eq!(
        task_resource_id("arn:aws:dms:us-east-1:123456789012:task:FJ4ZUMKXQ7ZOLAFXNF5EXAMPLE"),
        "FJ4ZUMKXQ7ZOLAFXNF5EXAMPLE"
    );
}

// 8. Alarms see the tasks; a failed task reaches the topic.
#[test]
fn task_alarms_use_the_resource_id_and_treat_missing_data_as_breaching() {
    for (stack, file) in STACKS {
        for (phase, weight) in [("prepare", 0), ("cutover", 100)] {
            let p = plan(file, phase, weight, |y| y);
            let task = tasks(&p)[0];
            let alarms: Vec<&PlanResource> = of_type(&p, "aws:cloudwatch/metricAlarm:MetricAlarm")
                .into_iter()
                .filter(|a| a.inputs["namespace"] == "AWS/DMS")
                .collect();
            assert_eq!(alarms.len(), 3, "{stack} {phase}");
            for alarm in alarms {
                let dimension =
                    plain(&alarm.inputs["dimensions"])["ReplicationTaskIdentifier"].clone();
                let dimension = dimension.as_str().expect("task dimension");
                assert!(
                    !dimension.is_empty()
                        && !dimension.contains(':')
                        && dimension != task.name
                        && dimension != task.inputs["replicationTaskId"],
                    "{stack} {}: {dimension} is not the task's resource id",
                    alarm.name
                );
                assert!(deps(alarm, "dimensions").contains(task.urn.as_str()));
                assert_eq!(
                    alarm.inputs["treatMissingData"], "breaching",
                    "{stack} {}",
                    alarm.name
                );
            }
            let topic = one(&p, "aws:sns/topic:Topic", "payments-alarms-");
            let events = one(
                &p,
                "aws:dms/eventSubscription:EventSubscription",
                "dms-task-events-",
            );
            assert_eq!(events.inputs["sourceType"], "replication-task");
            assert!(
                events.inputs["eventCategories"]
                    .as_array()
                    .is_some_and(|c| c.contains(&Value::from("failure")))
            );
            assert!(deps(events, "snsTopicArn").contains(topic.urn.as_str()));
            assert!(deps(events, "sourceIds").contains(task.urn.as_str()));
        }
    }
}

// 10 (DMS). IAM propagation and routing: what DMS waits for.
#[test]
fn dms_waits_for_its_roles_policies_rules_and_routes() {
    for (stack, file) in STACKS {
        for (phase, weight) in [("prepare", 0), ("cutover", 100)] {
            let p = plan(file, phase, weight, |y| y);
            let subnet_group = one(
                &p,
                "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
                "dms-subnets-",
            );
            let creates_roles = !by_name(&p, "aws:iam/role:Role", "role-dms-vpc-").is_empty();
            assert_eq!(
                creates_roles,
                stack == "dev",
                "dev creates the DMS roles, prod has them"
            );
            if creates_roles {
                let attachment = one(
                    &p,
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    "attach-role-dms-vpc-",
                );
                assert!(
                    subnet_group.dependencies.contains(&attachment.urn),
                    "{stack}: the subnet group waits for dms-vpc-role's policy"
                );
            }
            let secrets_attachment =
                by_name(&p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "")
                    .into_iter()
                    .find(|a| a.name.contains("policy-dms-secrets"))
                    .expect("secrets policy attachment");
            let rules: Vec<&PlanResource> = p
                .resources
                .iter()
                .filter(|r| r.ty.starts_with("aws:vpc/securityGroup") && r.name.contains("dms"))
                .collect();
            assert!(rules.len() >= 4, "{stack}: {rules:?}");
            let routes: Vec<&PlanResource> = p
                .resources
                .iter()
                .filter(|r| {
                    matches!(
                        r.ty.as_str(),
                        "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation"
                            | "aws:ec2/vpnConnectionRoute:VpnConnectionRoute"
                            | "aws:ec2/vpnConnection:VpnConnection"
                    )
                })
                .collect();
            let secret_value = one(
                &p,
                "aws:secretsmanager/secretVersion:SecretVersion",
                "secret-dms-rds-",
            );
            for task in tasks(&p) {
                for needed in [secrets_attachment, secret_value]
                    .into_iter()
                    .chain(rules.iter().copied())
                    .chain(routes.iter().copied())
                {
                    assert!(
                        task.dependencies.contains(&needed.urn),
                        "{stack} {phase}: {} does not wait for {} {}",
                        task.name,
                        needed.ty,
                        needed.name
                    );
                }
            }
        }
    }
}

#[test]
fn the_runbook_walk_keeps_the_plan_named_fixtures() {
    // The tasks, their alarms and the event subscription share the component names the walk
    // test relies on (a guard against a rename that would hide a resource from the walk).
    let p = plan("Pulumi.dev.yaml", "prepare", 0, |y| y);
    let task = named(&p, TASK, "dms-forward-dev-a1b2");
    assert_eq!(task.inputs["replicationTaskId"], "dms-forward-dev-a1b2");
}
