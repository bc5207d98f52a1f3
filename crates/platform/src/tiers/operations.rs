//! Operations (`payments:operations:Alarms`): the alarms the migration runbook watches
//! (docs/migration.md), publishing to an encrypted SNS topic: ALB and target 5xx, target response
//! time, unhealthy targets, and for each DMS task its CDC latency and validation failures.
//!
//! DMS publishes task metrics under the task's resource id (the last part of its ARN), not its
//! name, so that is the `ReplicationTaskIdentifier` dimension. The task alarms are the go/no-go
//! signals of the runbook: missing data (a stopped or failed task) is breaching. A DMS event
//! subscription sends task failures to the same topic.

use std::collections::BTreeMap;

use payments_aws::args::register;
use payments_aws::cloudwatch::MetricAlarmArgs;
use payments_aws::dms::EventSubscriptionArgs;
use payments_aws::sns::TopicArgs;
use pulumi_runtime::{Output, Resource};

use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::Keys;
use crate::tiers::loadbalancer::Edge;
use crate::tiers::migration::replication::Replication;

/// One alarm: a metric, its statistic and threshold.
struct Alarm<'a> {
    name: &'a str,
    description: &'a str,
    namespace: &'a str,
    metric: &'a str,
    statistic: Statistic<'a>,
    threshold: f64,
    dimensions: Output<BTreeMap<String, String>>,
    /// A go/no-go alarm: no data means no evidence, so it alarms.
    go_no_go: bool,
}

/// The resource id of a DMS task: the last part of its ARN, the value DMS publishes its metrics
/// under (`arn:aws:dms:us-east-1:123456789012:task:ABCDEF...` -> `ABCDEF...`).
pub fn task_resource_id(arn: &str) -> String {
    arn.rsplit(':').next().unwrap_or_default().to_owned()
}

/// The DMS event categories that reach the alarm topic.
pub const DMS_TASK_EVENT_CATEGORIES: [&str; 1] = ["failure"];

enum Statistic<'a> {
    Simple(&'a str),
    Percentile(&'a str),
}

fn alarm(scope: &Scope, parent: &Resource, topic: &Resource, spec: Alarm<'_>) -> Resource {
    let name = scope.config.naming.label(&format!("alarm-{}", spec.name));
    let (statistic, extended) = match spec.statistic {
        Statistic::Simple(s) => (Some(s.to_owned().into()), None),
        Statistic::Percentile(p) => (None, Some(p.to_owned().into())),
    };
    let actions = set(topic.output::<String>("arn").map(|arn| vec![arn]));
    register(
        &scope.ctx,
        &name,
        &MetricAlarmArgs {
            name: set(name.clone()),
            alarm_description: set(spec.description.to_owned()),
            namespace: set(spec.namespace.to_owned()),
            metric_name: set(spec.metric.to_owned()),
            statistic,
            extended_statistic: extended,
            period: set(60),
            evaluation_periods: set(5),
            datapoints_to_alarm: set(3),
            threshold: set(spec.threshold),
            comparison_operator: set("GreaterThanThreshold"),
            treat_missing_data: set(if spec.go_no_go {
                "breaching"
            } else {
                "notBreaching"
            }),
            dimensions: set(spec.dimensions),
            alarm_actions: actions.clone(),
            ok_actions: actions,
            tags: set(tags::named(&scope.config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    )
}

/// Builds the alarm topic and the alarms; returns the topic (the audit alarms and the GuardDuty
/// findings publish to it too).
pub fn build(
    scope: &Scope,
    keys: &Keys,
    edge: &Edge,
    replication: Option<&Replication>,
) -> Resource {
    let component = scope.component("payments:operations:Alarms", "alarms");
    let topic = alarm_topic(scope, &component, keys);
    load_balancer_alarms(scope, &component, &topic, edge);
    if let Some(replication) = replication {
        task_events(scope, &component, &topic, replication);
        replication_alarms(scope, &component, &topic, replication);
    }
    topic
}

/// The SNS topic of the alarms, encrypted with the compute key.
fn alarm_topic(scope: &Scope, component: &Resource, keys: &Keys) -> Resource {
    let config = &scope.config;
    let topic_name = config.naming.label("payments-alarms");
    register(
        &scope.ctx,
        &topic_name,
        &TopicArgs {
            name: set(topic_name.clone()),
            kms_master_key_id: set(keys.compute.output::<String>("arn")),
            tags: set(tags::named(config, &topic_name)),
            ..Default::default()
        },
        scope.child_of(component),
    )
}

/// The load balancer's alarms: its own 5xx, the targets' 5xx, p99 response time, unhealthy
/// targets.
fn load_balancer_alarms(scope: &Scope, component: &Resource, topic: &Resource, edge: &Edge) {
    let load_balancer = edge.alb.output::<String>("arnSuffix");
    let target_group = edge.target_group.output::<String>("arnSuffix");
    let alb_only = load_balancer.map(|lb| BTreeMap::from([("LoadBalancer".to_owned(), lb)]));
    let alb_and_group = load_balancer.zip(&target_group).map(|(lb, tg)| {
        BTreeMap::from([
            ("LoadBalancer".to_owned(), lb),
            ("TargetGroup".to_owned(), tg),
        ])
    });
    let alb_alarms = [
        Alarm {
            name: "alb-5xx",
            description: "The load balancer itself answers 5xx: check targets and the listener",
            namespace: "AWS/ApplicationELB",
            metric: "HTTPCode_ELB_5XX_Count",
            statistic: Statistic::Simple("Sum"),
            threshold: 10.0,
            dimensions: alb_only.clone(),
            go_no_go: false,
        },
        Alarm {
            name: "target-5xx",
            description: "Targets answer 5xx: during a shift, lower the AWS weight",
            namespace: "AWS/ApplicationELB",
            metric: "HTTPCode_Target_5XX_Count",
            statistic: Statistic::Simple("Sum"),
            threshold: 10.0,
            dimensions: alb_only,
            go_no_go: false,
        },
        Alarm {
            name: "target-response-time",
            description: "p99 target response time above 1 s",
            namespace: "AWS/ApplicationELB",
            metric: "TargetResponseTime",
            statistic: Statistic::Percentile("p99"),
            threshold: 1.0,
            dimensions: alb_and_group.clone(),
            go_no_go: false,
        },
        Alarm {
            name: "unhealthy-targets",
            description: "Application instances fail their health check",
            namespace: "AWS/ApplicationELB",
            metric: "UnHealthyHostCount",
            statistic: Statistic::Simple("Maximum"),
            threshold: 0.0,
            dimensions: alb_and_group,
            go_no_go: false,
        },
    ];
    for spec in alb_alarms {
        alarm(scope, component, topic, spec);
    }
}

/// The DMS task-failure event subscription to the topic.
fn task_events(scope: &Scope, component: &Resource, topic: &Resource, replication: &Replication) {
    let config = &scope.config;
    register(
        &scope.ctx,
        &config.naming.label("dms-task-events"),
        &EventSubscriptionArgs {
            name: set(config.naming.label("dms-task-events")),
            enabled: set(true),
            source_type: set("replication-task"),
            source_ids: set(Output::all(
                replication
                    .tasks
                    .iter()
                    .map(|task| task.resource.output::<String>("replicationTaskId")),
            )),
            event_categories: set(DMS_TASK_EVENT_CATEGORIES
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>()),
            sns_topic_arn: set(topic.output::<String>("arn")),
            tags: set(tags::named(config, &config.naming.label("dms-task-events"))),
            ..Default::default()
        },
        scope.child_of(component),
    );
}

/// The go/no-go alarms of each replication task: CDC latency at source and target, validation
/// failures.
fn replication_alarms(
    scope: &Scope,
    component: &Resource,
    topic: &Resource,
    replication: &Replication,
) {
    let instance_id = replication
        .instance
        .output::<String>("replicationInstanceId");
    for task in &replication.tasks {
        let task_resource = task
            .resource
            .output::<String>("replicationTaskArn")
            .map(|arn| task_resource_id(&arn));
        let dimensions = instance_id.zip(&task_resource).map(|(instance, task)| {
            BTreeMap::from([
                ("ReplicationInstanceIdentifier".to_owned(), instance),
                ("ReplicationTaskIdentifier".to_owned(), task),
            ])
        });
        let short = task.direction;
        for (metric, threshold, what) in [
            ("CDCLatencySource", 60.0, "source"),
            ("CDCLatencyTarget", 60.0, "target"),
        ] {
            alarm(
                scope,
                component,
                topic,
                Alarm {
                    name: &format!("{short}-cdc-latency-{what}"),
                    description: "DMS change data capture is more than a minute behind: do not cut over",
                    namespace: "AWS/DMS",
                    metric,
                    statistic: Statistic::Simple("Maximum"),
                    threshold,
                    dimensions: dimensions.clone(),
                    go_no_go: true,
                },
            );
        }
        alarm(
            scope,
            component,
            topic,
            Alarm {
                name: &format!("{short}-validation-failures"),
                description: "DMS validation found rows that differ between the databases",
                namespace: "AWS/DMS",
                metric: "ValidationFailedOverallCount",
                statistic: Statistic::Simple("Maximum"),
                threshold: 0.0,
                dimensions,
                go_no_go: true,
            },
        );
    }
}
