//! Audit trail (`payments:audit:AuditTrail`, PCI DSS 10.2-10.5), built when `accountControls` is
//! `create`:
//!
//! - a dedicated audit KMS key (rotating) whose policy lets CloudTrail use it only for this
//!   stack's trail (`aws:SourceArn` condition) and CloudWatch Logs only for the trail's log group;
//! - a dedicated audit bucket: versioned, SSE-KMS under the audit key, public access blocked,
//!   TLS-only, a bucket policy that admits only CloudTrail (this trail) and AWS Config of this
//!   account, a lifecycle to cold storage (Glacier after [`COLD_STORAGE_DAYS`], the three months
//!   PCI DSS 10.5.1 wants immediately available), access logging to the log bucket;
//! - a multi-region trail with global service events, log file validation and S3 data events for
//!   the platform's buckets, delivered to the bucket and to an encrypted CloudWatch log group
//!   through a role that may only write that group's streams;
//! - metric filters and alarms (to the alarm topic) for the CIS AWS Foundations monitoring set
//!   ([`CIS_FILTERS`]).

use payments_aws::args::register;
use payments_aws::cloudtrail::{
    TrailArgs, TrailEventSelectorArgs, TrailEventSelectorDataResourceArgs,
};
use payments_aws::cloudwatch::{
    LogGroupArgs, LogMetricFilterArgs, LogMetricFilterMetricTransformationArgs, MetricAlarmArgs,
};
use payments_aws::iam::{RoleArgs, RolePolicyArgs};
use payments_aws::kms::{AliasArgs, KeyArgs};
use payments_aws::s3::BucketLoggingArgs;
use pulumi_runtime::{PropertyMap, Resource};
use serde_json::{Value, json};

use crate::kms::Account;
use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::storage::{Encryption, Storage, Tiering};
use crate::tags;

/// Days before audit objects move to Glacier: PCI DSS 10.5.1 keeps the last three months
/// immediately available.
pub const COLD_STORAGE_DAYS: i64 = 90;

/// The CloudWatch namespace of the CIS metric filters.
pub const CIS_NAMESPACE: &str = "PaymentsAudit";

/// One CIS AWS Foundations monitoring control (section 4 of the benchmark, Security Hub
/// CloudWatch.1-14): a short name, the metric and the filter pattern over CloudTrail events.
pub struct CisFilter {
    /// The name part of the filter and alarm.
    pub name: &'static str,
    /// The metric the filter counts.
    pub metric: &'static str,
    /// The CloudWatch Logs filter pattern.
    pub pattern: &'static str,
}

/// The CIS AWS Foundations monitoring set, with the benchmark's filter patterns.
pub const CIS_FILTERS: [CisFilter; 14] = [
    CisFilter {
        name: "root-use",
        metric: "RootAccountUsage",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    },
    CisFilter {
        name: "unauthorized-api-calls",
        metric: "UnauthorizedApiCalls",
        pattern: r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#,
    },
    CisFilter {
        name: "console-signin-without-mfa",
        metric: "ConsoleSigninWithoutMfa",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    },
    CisFilter {
        name: "iam-policy-changes",
        metric: "IamPolicyChanges",
        pattern: r#"{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }"#,
    },
    CisFilter {
        name: "cloudtrail-changes",
        metric: "CloudTrailChanges",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
    },
    CisFilter {
        name: "console-signin-failures",
        metric: "ConsoleSigninFailures",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    },
    CisFilter {
        name: "cmk-disable-or-deletion",
        metric: "CmkDisableOrDeletion",
        pattern: r#"{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"#,
    },
    CisFilter {
        name: "s3-bucket-policy-changes",
        metric: "S3BucketPolicyChanges",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
    },
    CisFilter {
        name: "config-changes",
        metric: "AwsConfigChanges",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }"#,
    },
    CisFilter {
        name: "security-group-changes",
        metric: "SecurityGroupChanges",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
    },
    CisFilter {
        name: "nacl-changes",
        metric: "NaclChanges",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
    },
    CisFilter {
        name: "network-gateway-changes",
        metric: "NetworkGatewayChanges",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
    },
    CisFilter {
        name: "route-table-changes",
        metric: "RouteTableChanges",
        pattern: r#"{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }"#,
    },
    CisFilter {
        name: "vpc-changes",
        metric: "VpcChanges",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
    },
];

/// What the audit trail gives later components.
#[derive(Clone)]
pub struct Audit {
    /// The audit key.
    pub key: Resource,
    /// The audit bucket.
    pub bucket: Resource,
    /// The audit bucket's name.
    pub bucket_name: String,
    /// The audit bucket's policy (AWS Config delivery waits for it).
    pub bucket_policy: Resource,
    /// The trail.
    pub trail: Resource,
}

/// The ARN of the trail named `name` (known before it exists, for the key and bucket policies).
pub fn trail_arn(account: &Account, region: &str, name: &str) -> String {
    format!(
        "arn:{}:cloudtrail:{region}:{}:trail/{name}",
        account.partition, account.id
    )
}

/// The name of the trail's CloudWatch log group.
pub fn log_group_name(scope: &Scope) -> String {
    format!(
        "/payments/audit/{}",
        scope.config.naming.label("cloudtrail-logs")
    )
}

/// The audit key's policy: the account administers it through IAM; CloudTrail may generate data
/// keys, decrypt (which CloudTrail needs when the bucket uses an S3 Bucket Key) and describe it
/// only for this trail; CloudWatch Logs may use it only for the trail's log
/// group; AWS Config may use it for its deliveries to the audit bucket (this account only).
pub fn audit_key_policy(
    account: &Account,
    administrators: &[String],
    region: &str,
    trail_arn: &str,
    log_group: &str,
) -> Value {
    let partition = &account.partition;
    let id = &account.id;
    let mut statements = crate::kms::base_statements(account, administrators);
    statements.extend(audit_service_statements(
        partition, id, region, trail_arn, log_group,
    ));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// What the audit services may do with the audit key.
fn audit_service_statements(
    partition: &str,
    id: &str,
    region: &str,
    trail_arn: &str,
    log_group: &str,
) -> Vec<Value> {
    let statements = json!([
            {
                "Sid": "CloudTrailEncryptsThisTrailsLogs",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                        format!("arn:{partition}:cloudtrail:*:{id}:trail/*")}
                }
            },
            {
                "Sid": "CloudTrailDecryptsForTheBucketKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}
            },
            {
                "Sid": "CloudTrailDescribesKeyForThisTrail",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}
            },
            {
                "Sid": "CloudWatchLogsEncryptsTheTrailLogGroup",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn":
                    format!("arn:{partition}:logs:{region}:{id}:log-group:{log_group}")}}
            },
            {
                "Sid": "ConfigEncryptsItsDeliveries",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": id}}
            }
    ]);
    match statements {
        Value::Array(statements) => statements,
        _ => Vec::new(),
    }
}

/// The audit bucket's policy statements besides TLS-only: CloudTrail (this trail) and AWS Config
/// (this account) only.
pub fn audit_bucket_statements(account: &Account, bucket_arn: &str, trail_arn: &str) -> Vec<Value> {
    let id = &account.id;
    vec![
        json!({
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}
        }),
        json!({
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{bucket_arn}/cloudtrail/AWSLogs/{id}/*"),
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn,
                                           "s3:x-amz-acl": "bucket-owner-full-control"}}
        }),
        json!({
            "Sid": "ConfigAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": id}}
        }),
        json!({
            "Sid": "ConfigWrite",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{bucket_arn}/config/AWSLogs/{id}/Config/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": id,
                                           "s3:x-amz-acl": "bucket-owner-full-control"}}
        }),
    ]
}

fn audit_bucket(
    scope: &Scope,
    parent: &Resource,
    account: &Account,
    key: &Resource,
    storage: &Storage,
    trail_arn: &str,
) -> (Resource, String, Resource) {
    let config = &scope.config;
    let kind = NameKind::AuditBucket;
    let bucket = crate::storage::bucket(
        scope,
        parent,
        &account.partition,
        kind,
        Encryption::Kms(key.output::<String>("arn")),
        Tiering {
            rule_id: "cold-storage-and-expire-noncurrent",
            days: COLD_STORAGE_DAYS,
            storage_class: "GLACIER",
        },
        |arn| audit_bucket_statements(account, arn, trail_arn),
    );
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "access-logging"),
        &BucketLoggingArgs {
            bucket: set(bucket.resource.id()),
            // S3 does not deliver server access logs to an SSE-KMS bucket: the SSE-S3 log bucket.
            target_bucket: set(storage.alb_logs.resource.id()),
            target_prefix: set(format!("{}/audit/", crate::storage::S3_ACCESS_LOG_PREFIX)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    (bucket.resource, bucket.name, bucket.policy)
}

/// Builds the audit trail; `topic` is the alarm topic.
pub fn build(
    scope: &Scope,
    account: &Account,
    administrators: &[String],
    storage: &Storage,
    topic: &Resource,
) -> Audit {
    let config = &scope.config;
    let component = scope.component("payments:audit:AuditTrail", "audit");
    let opts = || scope.child_of(&component);
    let trail_name = config.naming.label("trail");
    let trail_arn = trail_arn(account, &config.region, &trail_name);
    let log_group = log_group_name(scope);

    let key_name = config.naming.label("kms-audit");
    let key = register(
        &scope.ctx,
        &key_name,
        &KeyArgs {
            description: set(
                "Payments platform audit trail: CloudTrail, its log group, AWS Config".to_owned(),
            ),
            enable_key_rotation: set(true),
            deletion_window_in_days: set(7),
            key_usage: set("ENCRYPT_DECRYPT"),
            customer_master_key_spec: set("SYMMETRIC_DEFAULT"),
            policy: set(audit_key_policy(
                account,
                administrators,
                &config.region,
                &trail_arn,
                &log_group,
            )
            .to_string()),
            tags: set(tags::named(config, &key_name)),
            ..Default::default()
        },
        opts(),
    );
    let (alias, alias_logical) = config.naming.kms_alias("audit");
    register(
        &scope.ctx,
        &alias_logical,
        &AliasArgs {
            name: set(alias),
            target_key_id: set(key.id()),
            ..Default::default()
        },
        opts(),
    );
    let (bucket, bucket_name, bucket_policy) =
        audit_bucket(scope, &component, account, &key, storage, &trail_arn);

    let log_group_label = config.naming.label("cloudtrail-logs");
    let group = register(
        &scope.ctx,
        &log_group_label,
        &LogGroupArgs {
            name: set(log_group.clone()),
            retention_in_days: set(config.log_retention_days),
            kms_key_id: set(key.output::<String>("arn")),
            tags: set(tags::named(config, &log_group_label)),
            ..Default::default()
        },
        opts(),
    );
    let role_name = config.naming.name(NameKind::TrailLogsRole);
    let role = register(
        &scope.ctx,
        &role_name,
        &RoleArgs {
            name: set(role_name.clone()),
            description: set("CloudTrail delivers the trail to its CloudWatch log group".to_owned()),
            assume_role_policy: set(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}
                }]
            })
            .to_string()),
            tags: set(tags::named(config, &role_name)),
            ..Default::default()
        },
        opts(),
    );
    let streams = format!(
        "arn:{}:logs:{}:{}:log-group:{log_group}:log-stream:*",
        account.partition, config.region, account.id
    );
    let role_policy_name = config.naming.part_of(NameKind::TrailLogsRole, "policy");
    let role_policy = register(
        &scope.ctx,
        &role_policy_name,
        &RolePolicyArgs {
            name: set(role_policy_name.clone()),
            role: set(role.id()),
            policy: set(json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "WriteTheTrailLogGroupOnly",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": streams
                }]
            })
            .to_string()),
            ..Default::default()
        },
        opts(),
    );
    let data_buckets: Vec<String> = [&storage.logs, &storage.static_content, &storage.alb_logs]
        .iter()
        .map(|b| format!("{}/", b.arn(&account.partition)))
        .collect();
    let trail = register(
        &scope.ctx,
        &trail_name,
        &TrailArgs {
            name: set(trail_name.clone()),
            s3_bucket_name: set(bucket.id()),
            s3_key_prefix: set("cloudtrail"),
            kms_key_id: set(key.output::<String>("arn")),
            is_multi_region_trail: set(true),
            include_global_service_events: set(true),
            enable_log_file_validation: set(true),
            enable_logging: set(true),
            cloud_watch_logs_group_arn: set(group
                .output::<String>("arn")
                .map(|arn| format!("{arn}:*"))),
            cloud_watch_logs_role_arn: set(role.output::<String>("arn")),
            event_selectors: Some(vec![TrailEventSelectorArgs {
                read_write_type: set("All"),
                include_management_events: set(true),
                data_resources: Some(vec![TrailEventSelectorDataResourceArgs {
                    type_: set("AWS::S3::Object"),
                    values: set(data_buckets),
                }]),
                ..Default::default()
            }]),
            tags: set(tags::named(config, &trail_name)),
            ..Default::default()
        },
        opts().with_depends_on([&bucket_policy, &role_policy]),
    );
    let actions = set(topic.output::<String>("arn").map(|arn| vec![arn]));
    for filter in &CIS_FILTERS {
        let filter_name = config.naming.label(&format!("cis-{}", filter.name));
        register(
            &scope.ctx,
            &filter_name,
            &LogMetricFilterArgs {
                name: set(filter_name.clone()),
                log_group_name: set(group.output::<String>("name")),
                pattern: set(filter.pattern.to_owned()),
                metric_transformation: Some(LogMetricFilterMetricTransformationArgs {
                    name: set(filter.metric.to_owned()),
                    namespace: set(CIS_NAMESPACE.to_owned()),
                    value: set("1"),
                    ..Default::default()
                }),
                ..Default::default()
            },
            opts(),
        );
        let alarm_name = config.naming.label(&format!("alarm-cis-{}", filter.name));
        register(
            &scope.ctx,
            &alarm_name,
            &MetricAlarmArgs {
                name: set(alarm_name.clone()),
                alarm_description: set(format!(
                    "CIS AWS Foundations monitoring: {} in the audit trail",
                    filter.name.replace('-', " ")
                )),
                namespace: set(CIS_NAMESPACE.to_owned()),
                metric_name: set(filter.metric.to_owned()),
                statistic: set("Sum"),
                period: set(300),
                evaluation_periods: set(1),
                threshold: set(1.0),
                comparison_operator: set("GreaterThanOrEqualToThreshold"),
                treat_missing_data: set("notBreaching"),
                alarm_actions: actions.clone(),
                tags: set(tags::named(config, &alarm_name)),
                ..Default::default()
            },
            opts(),
        );
    }
    let mut outputs = PropertyMap::new();
    outputs.insert("auditBucket", bucket.id());
    outputs.insert("trailArn", trail.output::<String>("arn"));
    scope.ctx.register_outputs(&component, outputs);
    Audit {
        key,
        bucket,
        bucket_name,
        bucket_policy,
        trail,
    }
}
