//! Gradual, reversible traffic shifting (`payments:migration:Traffic`), driven by one number, the
//! AWS traffic weight `w`: the end-to-end share of requests AWS serves, applied in one place only,
//! the ALB's HTTPS listener.
//! - The listener forwards to the ASG target group (weight `w`) and to an IP target group of the
//!   on-prem servers (reached over the VPN, `availabilityZone: all`, weight `100 - w`), with
//!   group stickiness so a session stays on one side.
//! - DNS only chooses the front door (`migration.frontDoor`): Route 53 weighted `A` records share
//!   the public name, the on-prem entry point's public IPs (TTL 60 s, with a health check) and an
//!   alias to the ALB (evaluating target health); the front door has weight 100, the other 0
//!   (used only if the front door is unhealthy). While the front door is on-prem AWS serves
//!   nothing, so the weight must be 0 then; once it is the ALB, AWS serves exactly `w`%.
//! - The ALB alias evaluates target health only while the data center is the writer (`parallel`,
//!   `shift`): then an unhealthy ALB falls back to the on-prem record. From `cutover` on, RDS is
//!   the writer and a fallback to the data center would write to the copy, so it never happens.
//! - The on-prem record is the live record taken over before `parallel` and imported into the
//!   stack (`publicRecord.adopted`); from then on the program declares it in every phase until
//!   decommission.

use payments_aws::args::register;
use payments_aws::lb::{
    TargetGroupArgs, TargetGroupAttachmentArgs, TargetGroupHealthCheckArgs,
    TargetGroupStickinessArgs,
};
use payments_aws::route53::{
    HealthCheckArgs, RecordAliasArgs, RecordArgs, RecordWeightedRoutingPolicyArgs,
};
use pulumi_runtime::Resource;

use super::Migration;
use crate::config::migration::{FrontDoor, MigrationPhase};
use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::network::Network;

/// The on-prem target group and its AWS weight, when the phase weights traffic.
pub struct OnPremTargets {
    /// The IP target group of the on-prem servers.
    pub target_group: Resource,
    /// The AWS share of the traffic (the on-prem group gets the rest).
    pub aws_weight: i64,
}

/// How long a client stays on one side (the listener's group stickiness and the target groups'
/// load balancer cookie), in seconds: long enough for a checkout.
pub const STICKINESS_SECONDS: i64 = 3600;

/// The DNS weights (AWS record, on-prem record) of a front door.
pub fn dns_weights(front_door: FrontDoor) -> (i64, i64) {
    match front_door {
        FrontDoor::Onprem => (0, 100),
        FrontDoor::Alb => (100, 0),
    }
}

/// Whether the on-prem weighted record is declared: from its adoption until decommission.
pub fn has_onprem_record(migration: Migration<'_>) -> bool {
    migration.settings.record_adopted()
        && migration.settings.app_servers.is_some()
        && migration.phase != MigrationPhase::Decommission
}

/// The component of the traffic resources: it exists whenever a public record is configured, so
/// that the adopted on-prem record can be imported under it (`pulumi import --parent`).
pub fn component(scope: &Scope, migration: Option<Migration<'_>>) -> Option<Resource> {
    let migration = migration?;
    migration
        .settings
        .public_record
        .as_ref()
        .map(|_| scope.component("payments:migration:Traffic", "traffic"))
}

/// Registers the IP target group of the on-prem servers when the phase weights traffic.
pub fn on_prem_targets(
    scope: &Scope,
    parent: Option<&Resource>,
    network: &Network,
    migration: Option<Migration<'_>>,
) -> Option<OnPremTargets> {
    let migration = migration?;
    let (parent, app) = (parent?, migration.settings.app_servers.as_ref()?);
    if !migration.phase.has_weighted_traffic() || app.ips.is_empty() {
        return None;
    }
    let config = &scope.config;
    let name = config.naming.name(NameKind::OnPremTargetGroup);
    let target_group = register(
        &scope.ctx,
        &name,
        &TargetGroupArgs {
            name: set(name.clone()),
            target_type: set("ip"),
            port: set(app.port),
            protocol: set("HTTPS"),
            vpc_id: set(network.vpc.id()),
            deregistration_delay: set(30),
            stickiness: Some(stickiness()),
            health_check: Some(TargetGroupHealthCheckArgs {
                enabled: set(true),
                protocol: set("HTTPS"),
                path: set(app.health_check_path.clone()),
                port: set("traffic-port"),
                interval: set(config.health_check.interval),
                timeout: set(5),
                healthy_threshold: set(config.health_check.healthy_threshold),
                unhealthy_threshold: set(config.health_check.unhealthy_threshold),
                matcher: set(config.health_check.matcher.clone()),
            }),
            tags: set(tags::named(config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    for ip in &app.ips {
        register(
            &scope.ctx,
            &config.naming.label(&format!("onprem-target-{ip}")),
            &TargetGroupAttachmentArgs {
                target_group_arn: set(target_group.output::<String>("arn")),
                target_id: set(ip.clone()),
                port: set(app.port),
                availability_zone: set("all"),
                ..Default::default()
            },
            scope.child_of(parent),
        );
    }
    Some(OnPremTargets {
        target_group,
        aws_weight: migration.aws_weight(),
    })
}

/// Load balancer cookie stickiness of a target group.
pub fn stickiness() -> TargetGroupStickinessArgs {
    TargetGroupStickinessArgs {
        type_: set("lb_cookie"),
        enabled: set(true),
        cookie_duration: set(STICKINESS_SECONDS),
        ..Default::default()
    }
}

/// Registers the weighted DNS records (and the on-prem health check) for the phase.
pub fn records(
    scope: &Scope,
    parent: Option<&Resource>,
    alb: &Resource,
    migration: Option<Migration<'_>>,
) {
    let (Some(migration), Some(parent)) = (migration, parent) else {
        return;
    };
    let Some(record) = &migration.settings.public_record else {
        return;
    };
    let (aws_weight, onprem_weight) = dns_weights(migration.settings.front_door);
    let opts = || scope.child_of(parent);
    let naming = &scope.config.naming;
    let phase = migration.phase;
    if phase.has_weighted_traffic() || phase == MigrationPhase::Decommission {
        register(
            &scope.ctx,
            &naming.label("dns-aws"),
            &RecordArgs {
                zone_id: set(record.hosted_zone_id.clone()),
                name: set(record.name.clone()),
                type_: set("A"),
                set_identifier: set("aws"),
                weighted_routing_policies: Some(vec![RecordWeightedRoutingPolicyArgs {
                    weight: set(aws_weight),
                }]),
                aliases: Some(vec![RecordAliasArgs {
                    name: set(alb.output::<String>("dnsName")),
                    zone_id: set(alb.output::<String>("zoneId")),
                    // While the data center writes, an unhealthy ALB falls back to the on-prem
                    // record; from cutover on RDS is the writer, and a fallback would send
                    // writes to the on-prem copy (split brain), so the alias always answers.
                    evaluate_target_health: set(phase.on_prem_writes()),
                }]),
                ..Default::default()
            },
            opts(),
        );
    }
    let Some(app) = migration
        .settings
        .app_servers
        .as_ref()
        .filter(|_| has_onprem_record(migration))
    else {
        return;
    };
    let config = &scope.config;
    let health_check_name = naming.label("onprem-health");
    let health_check = register(
        &scope.ctx,
        &health_check_name,
        &HealthCheckArgs {
            type_: set("HTTPS"),
            ip_address: app.public_ips.first().cloned().map(Into::into),
            fqdn: set(record.name.clone()),
            port: set(app.port),
            resource_path: set(app.health_check_path.clone()),
            failure_threshold: set(3),
            request_interval: set(30),
            enable_sni: set(true),
            tags: set(tags::named(config, &health_check_name)),
            ..Default::default()
        },
        opts(),
    );
    register(
        &scope.ctx,
        &naming.label("dns-onprem"),
        &RecordArgs {
            zone_id: set(record.hosted_zone_id.clone()),
            name: set(record.name.clone()),
            type_: set("A"),
            ttl: set(60),
            records: set(app.public_ips.clone()),
            set_identifier: set("onprem"),
            weighted_routing_policies: Some(vec![RecordWeightedRoutingPolicyArgs {
                weight: set(onprem_weight),
            }]),
            health_check_id: set(health_check.id()),
            ..Default::default()
        },
        opts(),
    );
}
