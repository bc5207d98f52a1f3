//! The edge (`payments:edge:LoadBalancer`): an internet-facing ALB in the public subnets with
//! invalid header fields dropped, access logs to the ALB log bucket and deletion protection off;
//! an HTTPS listener with the ACM certificate and the configured TLS policy; an HTTP listener that
//! only redirects to HTTPS; the application target group with its health check; and a WAFv2 web
//! ACL of AWS managed rule groups, associated with the ALB and logging to an encrypted log group
//! with the Authorization and Cookie headers redacted.

use payments_aws::args::register;
use payments_aws::cloudwatch::LogGroupArgs;
use payments_aws::lb::{
    ListenerArgs, ListenerDefaultActionArgs, ListenerDefaultActionForwardArgs,
    ListenerDefaultActionForwardStickinessArgs, ListenerDefaultActionForwardTargetGroupArgs,
    ListenerDefaultActionRedirectArgs, LoadBalancerAccessLogsArgs, LoadBalancerArgs,
    TargetGroupArgs, TargetGroupHealthCheckArgs,
};
use payments_aws::wafv2::{
    WebAclArgs, WebAclAssociationArgs, WebAclDefaultActionAllowArgs, WebAclDefaultActionArgs,
    WebAclLoggingConfigurationArgs, WebAclLoggingConfigurationRedactedFieldArgs,
    WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs, WebAclRuleArgs,
    WebAclRuleOverrideActionArgs, WebAclRuleOverrideActionNoneArgs, WebAclRuleVisibilityConfigArgs,
    WebAclVisibilityConfigArgs,
};
use pulumi_runtime::{Output, PropertyMap, PropertyValue, Resource};
use serde_json::json;

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::Keys;
use crate::tiers::migration::traffic::{self, OnPremTargets, STICKINESS_SECONDS};
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::SecurityGroups;
use crate::tiers::storage::{ALB_LOG_PREFIX, Storage};

/// The AWS managed rule groups the web ACL evaluates, in priority order.
pub const MANAGED_RULE_GROUPS: [&str; 4] = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
];

/// The request headers the WAF logs redact: credentials and session cookies (WAF matches
/// header names case-insensitively; the logging configuration takes them in lowercase).
pub const REDACTED_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// What the edge gives the other tiers.
#[derive(Clone)]
pub struct Edge {
    /// The load balancer.
    pub alb: Resource,
    /// The target group of the application instances.
    pub target_group: Resource,
}

fn visibility(metric: &str) -> WebAclRuleVisibilityConfigArgs {
    WebAclRuleVisibilityConfigArgs {
        cloudwatch_metrics_enabled: set(true),
        sampled_requests_enabled: set(true),
        metric_name: set(metric.to_owned()),
    }
}

fn web_acl(scope: &Scope, parent: &Resource, alb: &Resource, keys: &Keys) -> Resource {
    let config = &scope.config;
    let name = config.naming.name(NameKind::WebAcl);
    let rules = (1i64..)
        .zip(MANAGED_RULE_GROUPS)
        .map(|(priority, group)| WebAclRuleArgs {
            name: set(group.to_owned()),
            priority: set(priority),
            override_action: Some(WebAclRuleOverrideActionArgs {
                none: Some(WebAclRuleOverrideActionNoneArgs {}),
                ..Default::default()
            }),
            statement: Some(PropertyValue::Plain(json!({
                "managedRuleGroupStatement": {"name": group, "vendorName": "AWS"}
            }))),
            visibility_config: Some(visibility(group)),
            ..Default::default()
        })
        .collect();
    let acl = register(
        &scope.ctx,
        &name,
        &WebAclArgs {
            name: set(name.clone()),
            description: set("Payments ALB: AWS managed rule groups".to_owned()),
            scope: set("REGIONAL"),
            default_action: Some(WebAclDefaultActionArgs {
                allow: Some(WebAclDefaultActionAllowArgs::default()),
                ..Default::default()
            }),
            rules: Some(rules),
            visibility_config: Some(WebAclVisibilityConfigArgs {
                cloudwatch_metrics_enabled: set(true),
                sampled_requests_enabled: set(true),
                metric_name: set(name.clone()),
            }),
            tags: set(tags::named(config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    register(
        &scope.ctx,
        &config.naming.part_of(NameKind::WebAcl, "association"),
        &WebAclAssociationArgs {
            resource_arn: set(alb.output::<String>("arn")),
            web_acl_arn: set(acl.output::<String>("arn")),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    // WAF requires log group names to start with `aws-waf-logs-`.
    let log_group_name = config.naming.label("aws-waf-logs-payments");
    let log_group = register(
        &scope.ctx,
        &log_group_name,
        &LogGroupArgs {
            name: set(log_group_name.clone()),
            retention_in_days: set(config.log_retention_days),
            kms_key_id: set(keys.compute.output::<String>("arn")),
            tags: set(tags::named(config, &log_group_name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    register(
        &scope.ctx,
        &config.naming.part_of(NameKind::WebAcl, "logging"),
        &WebAclLoggingConfigurationArgs {
            resource_arn: set(acl.output::<String>("arn")),
            log_destination_configs: set(log_group.output::<String>("arn").map(|arn| vec![arn])),
            // Credentials and session tokens never reach the logs (PCI DSS 3.3, 10.2).
            redacted_fields: Some(
                REDACTED_HEADERS
                    .iter()
                    .map(|name| WebAclLoggingConfigurationRedactedFieldArgs {
                        single_header: Some(
                            WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs {
                                name: set((*name).to_owned()),
                            },
                        ),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    acl
}

/// The HTTPS listener's action: forward to the app target group, or, while traffic is shifting,
/// split between it and the on-prem target group by the AWS weight.
fn forward_action(app: &Resource, on_prem: Option<&OnPremTargets>) -> ListenerDefaultActionArgs {
    match on_prem {
        None => ListenerDefaultActionArgs {
            type_: set("forward"),
            target_group_arn: set(app.output::<String>("arn")),
            ..Default::default()
        },
        Some(on_prem) => {
            let group =
                |resource: &Resource, weight: i64| ListenerDefaultActionForwardTargetGroupArgs {
                    arn: set(resource.output::<String>("arn")),
                    weight: set(weight),
                };
            ListenerDefaultActionArgs {
                type_: set("forward"),
                forward: Some(ListenerDefaultActionForwardArgs {
                    target_groups: Some(vec![
                        group(app, on_prem.aws_weight),
                        group(&on_prem.target_group, 100 - on_prem.aws_weight),
                    ]),
                    // A client stays with the group it was sent to, so a checkout never bounces
                    // between the two sides.
                    stickiness: Some(ListenerDefaultActionForwardStickinessArgs {
                        enabled: set(true),
                        duration: set(STICKINESS_SECONDS),
                    }),
                }),
                ..Default::default()
            }
        }
    }
}

/// Builds the edge.
pub fn build(
    scope: &Scope,
    network: &Network,
    groups: &SecurityGroups,
    storage: &Storage,
    keys: &Keys,
    certificate_arn: Output<String>,
    on_prem: Option<&OnPremTargets>,
) -> Edge {
    let component = scope.component("payments:edge:LoadBalancer", "load-balancer");
    let alb = load_balancer(scope, &component, network, groups, storage);
    let target_group = app_target_group(scope, &component, network);
    listeners(
        scope,
        &component,
        &alb,
        &target_group,
        certificate_arn,
        on_prem,
    );
    web_acl(scope, &component, &alb, keys);
    let mut outputs = PropertyMap::new();
    outputs.insert("albDnsName", alb.output::<String>("dnsName"));
    outputs.insert("targetGroupArn", target_group.output::<String>("arn"));
    scope.ctx.register_outputs(&component, outputs);
    Edge { alb, target_group }
}

/// The internet-facing ALB in the public subnets: invalid headers dropped, access logs to the
/// log bucket (once its policy lets the ELB account write).
fn load_balancer(
    scope: &Scope,
    parent: &Resource,
    network: &Network,
    groups: &SecurityGroups,
    storage: &Storage,
) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let alb_name = config.naming.name(NameKind::Alb);
    register(
        &scope.ctx,
        &alb_name,
        &LoadBalancerArgs {
            name: set(alb_name.clone()),
            internal: set(false),
            load_balancer_type: set("application"),
            security_groups: set(Output::all([groups.alb.id()])),
            subnets: set(Output::all(network.subnet_ids(Tier::Public))),
            drop_invalid_header_fields: set(true),
            enable_deletion_protection: set(false),
            enable_http2: set(true),
            idle_timeout: set(60),
            access_logs: Some(LoadBalancerAccessLogsArgs {
                bucket: set(storage.alb_logs.resource.id()),
                prefix: set(ALB_LOG_PREFIX),
                enabled: set(true),
            }),
            tags: set(tags::named(config, &alb_name)),
            ..Default::default()
        },
        opts().with_depends_on([&storage.alb_logs.policy]),
    )
}

/// The target group of the application instances, with its health check and stickiness.
fn app_target_group(scope: &Scope, parent: &Resource, network: &Network) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let health = &config.health_check;
    let tg_name = config.naming.name(NameKind::AppTargetGroup);
    register(
        &scope.ctx,
        &tg_name,
        &TargetGroupArgs {
            name: set(tg_name.clone()),
            port: set(config.app_port),
            protocol: set("HTTP"),
            target_type: set("instance"),
            vpc_id: set(network.vpc.id()),
            deregistration_delay: set(30),
            stickiness: Some(traffic::stickiness()),
            health_check: Some(TargetGroupHealthCheckArgs {
                enabled: set(true),
                path: set(health.path.clone()),
                protocol: set("HTTP"),
                port: set("traffic-port"),
                interval: set(health.interval),
                timeout: set(5),
                healthy_threshold: set(health.healthy_threshold),
                unhealthy_threshold: set(health.unhealthy_threshold),
                matcher: set(health.matcher.clone()),
            }),
            tags: set(tags::named(config, &tg_name)),
            ..Default::default()
        },
        opts(),
    )
}

/// The HTTPS listener (TLS policy from config, forwarding to the app, or shared with the data
/// center while traffic shifts) and the HTTP listener, which only redirects to HTTPS.
fn listeners(
    scope: &Scope,
    parent: &Resource,
    alb: &Resource,
    target_group: &Resource,
    certificate_arn: Output<String>,
    on_prem: Option<&OnPremTargets>,
) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let https_name = config.naming.label("listener-https");
    register(
        &scope.ctx,
        &https_name,
        &ListenerArgs {
            load_balancer_arn: set(alb.output::<String>("arn")),
            port: set(443),
            protocol: set("HTTPS"),
            ssl_policy: set(config.tls_policy.clone()),
            certificate_arn: set(certificate_arn),
            default_actions: Some(vec![forward_action(target_group, on_prem)]),
            tags: set(tags::named(config, &https_name)),
            ..Default::default()
        },
        opts(),
    );
    let http_name = config.naming.label("listener-http");
    register(
        &scope.ctx,
        &http_name,
        &ListenerArgs {
            load_balancer_arn: set(alb.output::<String>("arn")),
            port: set(80),
            protocol: set("HTTP"),
            default_actions: Some(vec![ListenerDefaultActionArgs {
                type_: set("redirect"),
                redirect: Some(ListenerDefaultActionRedirectArgs {
                    port: set("443"),
                    protocol: set("HTTPS"),
                    status_code: set("HTTP_301"),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            tags: set(tags::named(config, &http_name)),
            ..Default::default()
        },
        opts(),
    );
}
