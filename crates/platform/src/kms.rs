//! Customer-managed KMS keys (`payments:security:Keys`): one for data at rest (RDS storage,
//! Performance Insights, the RDS-managed master secret, S3 buckets, flow log delivery) and one for
//! compute (EBS volumes of the ASG's instances, CloudWatch log groups, the alarm topic). Rotation on, 7-day deletion
//! window, aliases, and key policies that name exactly the principals that use each key.

use payments_aws::args::register;
use payments_aws::kms::{AliasArgs, KeyArgs};
use pulumi_runtime::{PropertyMap, Resource};
use serde_json::{Value, json};

use crate::scope::{Scope, set};
use crate::tags;

/// The account facts key policies need.
#[derive(Clone, Debug)]
pub struct Account {
    /// The AWS account id.
    pub id: String,
    /// The partition (`aws`).
    pub partition: String,
}

/// The platform's keys.
#[derive(Clone)]
pub struct Keys {
    /// Data-at-rest key.
    pub data: Resource,
    /// Compute key (EBS, CloudWatch Logs).
    pub compute: Resource,
}

fn root_statement(account: &Account) -> Value {
    json!({
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{}:iam::{}:root", account.partition, account.id)},
        "Action": "kms:*",
        "Resource": "*"
    })
}

/// The key policy of the data key.
pub fn data_key_policy(account: &Account, region: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            root_statement(account),
            {
                "Sid": "FlowLogDeliveryToEncryptedBucket",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.id},
                              "ArnLike": {"aws:SourceArn": format!("arn:{}:logs:{region}:{}:*", account.partition, account.id)}}
            }
        ]
    })
}

/// The key policy of the compute key.
pub fn compute_key_policy(account: &Account, region: &str) -> Value {
    let asg_role = format!(
        "arn:{}:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        account.partition, account.id
    );
    json!({
        "Version": "2012-10-17",
        "Statement": [
            root_statement(account),
            {
                "Sid": "AutoScalingEncryptsInstanceVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*"
            },
            {
                "Sid": "AutoScalingGrantsForAttachedVolumes",
                "Effect": "Allow",
                "Principal": {"AWS": asg_role},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}
            },
            {
                "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.id}}
            },
            {
                "Sid": "DmsEventsPublishToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "dms.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.id}}
            },
            {
                "Sid": "EventBridgePublishesToEncryptedTopic",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.id}}
            },
            {
                "Sid": "CloudWatchLogsEncryptsLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                    format!("arn:{}:logs:{region}:{}:*", account.partition, account.id)}}
            }
        ]
    })
}

fn key(
    scope: &Scope,
    parent: &Resource,
    purpose: &str,
    description: &str,
    policy: Value,
) -> Resource {
    let config = &scope.config;
    let key_name = config.naming.label(&format!("kms-{purpose}"));
    let key = register(
        &scope.ctx,
        &key_name,
        &KeyArgs {
            description: set(description.to_owned()),
            enable_key_rotation: set(true),
            deletion_window_in_days: set(7),
            key_usage: set("ENCRYPT_DECRYPT"),
            customer_master_key_spec: set("SYMMETRIC_DEFAULT"),
            policy: set(policy.to_string()),
            tags: set(tags::named(config, &key_name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    let (alias, alias_logical) = config.naming.kms_alias(purpose);
    register(
        &scope.ctx,
        &alias_logical,
        &AliasArgs {
            name: set(alias),
            target_key_id: set(key.id()),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    key
}

/// Builds both keys.
pub fn build(scope: &Scope, account: &Account) -> Keys {
    let component = scope.component("payments:security:Keys", "keys");
    let region = &scope.config.region;
    let keys = Keys {
        data: key(
            scope,
            &component,
            "data",
            "Payments platform data at rest: RDS, S3, secrets, replication",
            data_key_policy(account, region),
        ),
        compute: key(
            scope,
            &component,
            "compute",
            "Payments platform compute: EBS volumes and CloudWatch Logs",
            compute_key_policy(account, region),
        ),
    };
    let mut outputs = PropertyMap::new();
    outputs.insert("dataKeyArn", keys.data.output::<String>("arn"));
    outputs.insert("computeKeyArn", keys.compute.output::<String>("arn"));
    scope.ctx.register_outputs(&component, outputs);
    keys
}
