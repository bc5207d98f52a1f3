//! Threat detection (`payments:security:ThreatDetection`, PCI DSS 11.5), built when
//! `accountControls` is `create`: a GuardDuty detector with the S3 data event, EBS malware and
//! RDS login protection features, and an EventBridge rule that routes findings of high severity
//! (7.0 and above: high and critical) to the alarm topic. The topic's policy keeps the default
//! owner statement and lets EventBridge publish for this rule only (`aws:SourceArn`).

use payments_aws::args::register;
use payments_aws::cloudwatch::{EventRuleArgs, EventTargetArgs};
use payments_aws::guardduty::{DetectorArgs, DetectorFeatureArgs};
use payments_aws::sns::TopicPolicyArgs;
use pulumi_runtime::Resource;
use serde_json::{Value, json};

use crate::kms::Account;
use crate::scope::{Scope, set};
use crate::tags;

/// The GuardDuty features the detector enables (GuardDuty's feature names).
pub const DETECTOR_FEATURES: [&str; 3] = [
    "S3_DATA_EVENTS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
];

/// The lowest GuardDuty severity routed to the alarm topic (high is 7.0-8.9, critical 9.0+).
pub const ALARM_SEVERITY: f64 = 7.0;

/// What threat detection gives later components.
#[derive(Clone)]
pub struct Threat {
    /// The GuardDuty detector.
    pub detector: Resource,
    /// The rule routing high-severity findings.
    pub rule: Resource,
}

/// The EventBridge pattern of high-severity GuardDuty findings.
pub fn finding_pattern() -> Value {
    json!({
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", ALARM_SEVERITY]}]}
    })
}

/// The alarm topic's policy: SNS's default owner statement plus EventBridge for `rule_arn` only.
pub fn topic_policy(account: &Account, topic_arn: &str, rule_arn: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnerAccountManagesAndPublishes",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                           "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                           "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account.id}}
            },
            {
                "Sid": "GuardDutyFindingsRulePublishes",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}
            }
        ]
    })
}

/// Builds the detector, its features and the findings route to `topic`.
pub fn build(scope: &Scope, account: &Account, topic: &Resource) -> Threat {
    let config = &scope.config;
    let component = scope.component("payments:security:ThreatDetection", "threat-detection");
    let opts = || scope.child_of(&component);
    let detector_name = config.naming.label("guardduty");
    let detector = register(
        &scope.ctx,
        &detector_name,
        &DetectorArgs {
            enable: set(true),
            finding_publishing_frequency: set("FIFTEEN_MINUTES"),
            tags: set(tags::named(config, &detector_name)),
            ..Default::default()
        },
        opts(),
    );
    for feature in DETECTOR_FEATURES {
        register(
            &scope.ctx,
            &config.naming.label(&format!("guardduty-{feature}")),
            &DetectorFeatureArgs {
                detector_id: set(detector.id()),
                name: set(feature.to_owned()),
                status: set("ENABLED"),
                ..Default::default()
            },
            opts(),
        );
    }
    let rule_name = config.naming.label("events-guardduty-high");
    let rule = register(
        &scope.ctx,
        &rule_name,
        &EventRuleArgs {
            name: set(rule_name.clone()),
            description: set(
                "GuardDuty findings of high or critical severity to the alarm topic".to_owned(),
            ),
            event_pattern: set(finding_pattern().to_string()),
            state: set("ENABLED"),
            tags: set(tags::named(config, &rule_name)),
            ..Default::default()
        },
        opts(),
    );
    let topic_arn = topic.output::<String>("arn");
    let policy = topic_arn.zip(&rule.output::<String>("arn")).map({
        let account = account.clone();
        move |(topic, rule)| topic_policy(&account, &topic, &rule).to_string()
    });
    let topic_policy = register(
        &scope.ctx,
        &config.naming.label("payments-alarms-policy"),
        &TopicPolicyArgs {
            arn: set(topic_arn.clone()),
            policy: set(policy),
            ..Default::default()
        },
        opts(),
    );
    register(
        &scope.ctx,
        &config.naming.label("events-guardduty-high-target"),
        &EventTargetArgs {
            rule: set(rule.output::<String>("name")),
            arn: set(topic_arn),
            target_id: set("alarm-topic"),
            ..Default::default()
        },
        opts().with_depends_on([&topic_policy]),
    );
    Threat { detector, rule }
}
