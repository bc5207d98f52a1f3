//! Operations (`payments:operations:Alarms`): the alarms the migration runbook watches
//! (docs/migration.md), publishing to an encrypted SNS topic: ALB and target 5xx, target response
//! time, unhealthy targets, and for each running DMS task its CDC latency and validation failures.

use std::collections::BTreeMap;

use payments_aws::args::register;
use payments_aws::cloudwatch::MetricAlarmArgs;
use payments_aws::sns::TopicArgs;
use pulumi_runtime::{Output, Resource};

use crate::kms::Keys;
use crate::loadbalancer::Edge;
use crate::migration::replication::Replication;
use crate::scope::{Scope, set};
use crate::tags;

/// One alarm: a metric, its statistic and threshold.
struct Alarm<'a> {
    name: &'a str,
    description: &'a str,
    namespace: &'a str,
    metric: &'a str,
    statistic: Statistic<'a>,
    threshold: f64,
    dimensions: Output<BTreeMap<String, String>>,
}

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
            treat_missing_data: set("notBreaching"),
            dimensions: set(spec.dimensions),
            alarm_actions: actions.clone(),
            ok_actions: actions,
            tags: set(tags::named(&scope.config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    )
}

/// Builds the alarm topic and the alarms.
pub fn build(scope: &Scope, keys: &Keys, edge: &Edge, replication: Option<&Replication>) {
    let config = &scope.config;
    let component = scope.component("payments:operations:Alarms", "alarms");
    let topic_name = config.naming.label("payments-alarms");
    let topic = register(
        &scope.ctx,
        &topic_name,
        &TopicArgs {
            name: set(topic_name.clone()),
            kms_master_key_id: set(keys.compute.output::<String>("arn")),
            tags: set(tags::named(config, &topic_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
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
        },
        Alarm {
            name: "target-5xx",
            description: "Targets answer 5xx: during a shift, lower the AWS weight",
            namespace: "AWS/ApplicationELB",
            metric: "HTTPCode_Target_5XX_Count",
            statistic: Statistic::Simple("Sum"),
            threshold: 10.0,
            dimensions: alb_only,
        },
        Alarm {
            name: "target-response-time",
            description: "p99 target response time above 1 s",
            namespace: "AWS/ApplicationELB",
            metric: "TargetResponseTime",
            statistic: Statistic::Percentile("p99"),
            threshold: 1.0,
            dimensions: alb_and_group.clone(),
        },
        Alarm {
            name: "unhealthy-targets",
            description: "Application instances fail their health check",
            namespace: "AWS/ApplicationELB",
            metric: "UnHealthyHostCount",
            statistic: Statistic::Simple("Maximum"),
            threshold: 0.0,
            dimensions: alb_and_group,
        },
    ];
    for spec in alb_alarms {
        alarm(scope, &component, &topic, spec);
    }
    let Some(replication) = replication else {
        return;
    };
    let instance_id = replication
        .instance
        .output::<String>("replicationInstanceId");
    for task in &replication.tasks {
        let task_resource = task.resource.output::<String>("replicationTaskId");
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
                &component,
                &topic,
                Alarm {
                    name: &format!("{short}-cdc-latency-{what}"),
                    description: "DMS change data capture is more than a minute behind: do not cut over",
                    namespace: "AWS/DMS",
                    metric,
                    statistic: Statistic::Simple("Maximum"),
                    threshold,
                    dimensions: dimensions.clone(),
                },
            );
        }
        alarm(
            scope,
            &component,
            &topic,
            Alarm {
                name: &format!("{short}-validation-failures"),
                description: "DMS validation found rows that differ between the databases",
                namespace: "AWS/DMS",
                metric: "ValidationFailedOverallCount",
                statistic: Statistic::Simple("Maximum"),
                threshold: 0.0,
                dimensions,
            },
        );
    }
}
