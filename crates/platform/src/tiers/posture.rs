//! Continuous compliance (`payments:audit:Posture`, PCI DSS 11.3, 12.4), built when
//! `accountControls` is `create`:
//!
//! - an AWS Config recorder of every supported resource type, global types included (recorded in
//!   this region only: the stack is single-region), through a role of its own (the AWS managed
//!   `AWS_ConfigRole` plus delivery to the audit bucket's `config/` prefix under the audit key), a
//!   delivery channel to the audit bucket, and the recorder switched on;
//! - AWS managed Config rules for the catalog's controls that AWS evaluates continuously
//!   ([`MANAGED_RULES`], by their managed rule identifiers);
//! - Security Hub with the PCI DSS v4.0.1 and AWS Foundational Security Best Practices standards
//!   ([`STANDARDS`]), default standards off (only these two), consolidated control findings.

use payments_aws::args::register;
use payments_aws::cfg::{
    DeliveryChannelArgs, DeliveryChannelSnapshotDeliveryPropertiesArgs, RecorderArgs,
    RecorderRecordingGroupArgs, RecorderStatusArgs, RuleArgs, RuleSourceArgs,
};
use payments_aws::iam::{RoleArgs, RolePolicyArgs, RolePolicyAttachmentArgs};
use payments_aws::securityhub::{AccountArgs, StandardsSubscriptionArgs};
use pulumi_runtime::Resource;
use serde_json::json;

use crate::audit::Audit;
use crate::kms::Account;
use crate::naming::{NameKind, fragment};
use crate::scope::{Scope, set};
use crate::tags;

/// The AWS managed policy of the Config recorder's role.
pub const CONFIG_MANAGED_POLICY: &str = "service-role/AWS_ConfigRole";

/// The AWS Config managed rules: (identifier, the pack rule of the catalog it evaluates
/// continuously in the account).
pub const MANAGED_RULES: [(&str, &str); 20] = [
    ("MULTI_REGION_CLOUD_TRAIL_ENABLED", "trail-multi-region"),
    (
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "trail-log-validation",
    ),
    ("CLOUD_TRAIL_ENCRYPTION_ENABLED", "trail-encrypted"),
    (
        "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
        "trail-cloudwatch-logs",
    ),
    ("GUARDDUTY_ENABLED_CENTRALIZED", "guardduty-enabled"),
    ("VPC_FLOW_LOGS_ENABLED", "vpc-flow-logs"),
    ("VPC_DEFAULT_SECURITY_GROUP_CLOSED", "vpc-default-sg-closed"),
    ("INCOMING_SSH_DISABLED", "no-ssh"),
    (
        "ALB_HTTP_DROP_INVALID_HEADER_ENABLED",
        "alb-drop-invalid-headers",
    ),
    ("ELB_LOGGING_ENABLED", "alb-access-logs"),
    ("EC2_IMDSV2_CHECK", "lt-imdsv2"),
    ("RDS_STORAGE_ENCRYPTED", "rds-encrypted-cmk"),
    ("RDS_MULTI_AZ_SUPPORT", "rds-multi-az"),
    ("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "rds-not-public"),
    ("DB_INSTANCE_BACKUP_ENABLED", "rds-backups"),
    ("S3_BUCKET_VERSIONING_ENABLED", "s3-versioning"),
    (
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "s3-block-public",
    ),
    ("S3_BUCKET_SSL_REQUESTS_ONLY", "s3-tls-only"),
    ("CMK_BACKING_KEY_ROTATION_ENABLED", "kms-rotation"),
    ("CLOUDWATCH_LOG_GROUP_ENCRYPTED", "logs-encrypted-retained"),
];

/// The Security Hub standards subscribed: (name part, ARN path after `standards/`).
pub const STANDARDS: [(&str, &str); 2] = [
    ("pci-dss", "pci-dss/v/4.0.1"),
    ("fsbp", "aws-foundational-security-best-practices/v/1.0.0"),
];

/// The ARN of the Security Hub standard at `path` in `region`.
pub fn standard_arn(partition: &str, region: &str, path: &str) -> String {
    format!("arn:{partition}:securityhub:{region}::standards/{path}")
}

/// What continuous compliance gives later components.
#[derive(Clone)]
pub struct Posture {
    /// The Config recorder.
    pub recorder: Resource,
    /// The Security Hub account.
    pub security_hub: Resource,
}

/// Builds the recorder, its delivery, the managed rules and Security Hub.
pub fn build(scope: &Scope, account: &Account, audit: &Audit) -> Posture {
    let config = &scope.config;
    let component = scope.component("payments:audit:Posture", "posture");
    let opts = || scope.child_of(&component);
    let partition = &account.partition;

    let role_name = config.naming.name(NameKind::ConfigRole);
    let role = register(
        &scope.ctx,
        &role_name,
        &RoleArgs {
            name: set(role_name.clone()),
            description: set(
                "AWS Config records the account's resources and delivers to the audit bucket"
                    .to_owned(),
            ),
            assume_role_policy: set(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"AWS:SourceAccount": account.id}}
                }]
            })
            .to_string()),
            tags: set(tags::named(config, &role_name)),
            ..Default::default()
        },
        opts(),
    );
    let managed = register(
        &scope.ctx,
        &config
            .naming
            .attachment(NameKind::ConfigRole, Some("AWS_ConfigRole")),
        &RolePolicyAttachmentArgs {
            role: set(role.id()),
            policy_arn: set(format!(
                "arn:{partition}:iam::aws:policy/{CONFIG_MANAGED_POLICY}"
            )),
        },
        opts(),
    );
    let bucket_arn = format!("arn:{partition}:s3:::{}", audit.bucket_name);
    // Known in a preview: the audit key through its alias, as every policy of the stack names keys.
    let (audit_alias, _) = config.naming.kms_alias("audit");
    let key_grant = crate::iam::key_grant(
        "EncryptWithTheAuditKey",
        &["kms:Decrypt", "kms:GenerateDataKey"],
        account,
        &config.region,
        &audit_alias,
        Some("s3"),
    );
    let delivery_policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DeliverToTheAuditBucket",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                "Resource": format!("{bucket_arn}/config/AWSLogs/{}/*", account.id),
                "Condition": {"StringLike": {"s3:x-amz-acl": "bucket-owner-full-control"}}
            },
            {
                "Sid": "CheckTheAuditBucket",
                "Effect": "Allow",
                "Action": "s3:GetBucketAcl",
                "Resource": bucket_arn
            },
            key_grant
        ]
    })
    .to_string();
    let role_policy_name = config.naming.part_of(NameKind::ConfigRole, "delivery");
    let role_policy = register(
        &scope.ctx,
        &role_policy_name,
        &RolePolicyArgs {
            name: set(role_policy_name.clone()),
            role: set(role.id()),
            policy: set(delivery_policy),
            ..Default::default()
        },
        opts(),
    );
    let recorder_name = config.naming.label("config-recorder");
    let recorder = register(
        &scope.ctx,
        &recorder_name,
        &RecorderArgs {
            name: set(recorder_name.clone()),
            role_arn: set(role.output::<String>("arn")),
            recording_group: Some(RecorderRecordingGroupArgs {
                all_supported: set(true),
                include_global_resource_types: set(true),
                ..Default::default()
            }),
            ..Default::default()
        },
        opts().with_depends_on([&managed]),
    );
    let channel_name = config.naming.label("config-delivery");
    let channel = register(
        &scope.ctx,
        &channel_name,
        &DeliveryChannelArgs {
            name: set(channel_name.clone()),
            s3_bucket_name: set(audit.bucket.id()),
            s3_key_prefix: set("config"),
            s3_kms_key_arn: set(audit.key.output::<String>("arn")),
            snapshot_delivery_properties: Some(DeliveryChannelSnapshotDeliveryPropertiesArgs {
                delivery_frequency: set("TwentyFour_Hours"),
            }),
            ..Default::default()
        },
        opts().with_depends_on([&recorder, &audit.bucket_policy, &role_policy]),
    );
    let status = register(
        &scope.ctx,
        &config.naming.label("config-recorder-status"),
        &RecorderStatusArgs {
            name: set(recorder.output::<String>("name")),
            is_enabled: set(true),
            ..Default::default()
        },
        opts().with_depends_on([&channel]),
    );
    for (identifier, rule) in MANAGED_RULES {
        let name = config
            .naming
            .label(&format!("config-rule-{}", fragment(identifier)));
        register(
            &scope.ctx,
            &name,
            &RuleArgs {
                name: set(name.clone()),
                description: set(format!(
                    "AWS managed rule {identifier}: the pack's {rule} control, evaluated continuously"
                )),
                source: Some(RuleSourceArgs {
                    owner: set("AWS"),
                    source_identifier: set(identifier.to_owned()),
                    ..Default::default()
                }),
                tags: set(tags::named(config, &name)),
                ..Default::default()
            },
            opts().with_depends_on([&status]),
        );
    }
    let security_hub = register(
        &scope.ctx,
        &config.naming.label("securityhub"),
        &AccountArgs {
            enable_default_standards: set(false),
            control_finding_generator: set("SECURITY_CONTROL"),
            auto_enable_controls: set(true),
            ..Default::default()
        },
        opts(),
    );
    for (name, path) in STANDARDS {
        register(
            &scope.ctx,
            &config.naming.label(&format!("securityhub-{name}")),
            &StandardsSubscriptionArgs {
                standards_arn: set(standard_arn(partition, &config.region, path)),
                ..Default::default()
            },
            opts().with_depends_on([&security_hub]),
        );
    }
    Posture {
        recorder,
        security_hub,
    }
}
