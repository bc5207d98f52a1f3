//! Customer-managed KMS keys (`payments:security:Keys`): one for data at rest (RDS storage,
//! Performance Insights, the RDS-managed master secret, S3 buckets, flow log delivery) and one for
//! compute (EBS volumes of the ASG's instances, CloudWatch log groups, the alarm topic). Rotation on, 7-day deletion
//! window, aliases, and key policies that name exactly the principals that use each key. The Auto
//! Scaling service-linked role the compute key's policy names is created first (configurable).

use payments_aws::args::register;
use payments_aws::iam::ServiceLinkedRoleArgs;
use payments_aws::kms::{AliasArgs, KeyArgs};
use pulumi_runtime::{PropertyMap, Resource};
use serde_json::{Value, json};

use crate::config::AccountLevel;
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
    /// The data key's alias (`alias/payments-data-<env>-<suffix>`), known before deployment.
    pub data_alias: String,
    /// The compute key's alias (`alias/payments-compute-<env>-<suffix>`), known before deployment.
    pub compute_alias: String,
    /// The principals that administer every key of the stack (never use them).
    pub administrators: Vec<String>,
}

/// The warning of a stack that names no key administrators.
pub const NO_KEY_ADMINISTRATORS_WARNING: &str = "keyAdministrators is not set: the account root \
     administers the keys, so key administration is not separated from key use (PCI DSS 3.6.1). \
     Set it to the roles that administer the keys, the deploying role included";

/// What a key administrator may do: manage the key and its policy, never use it (AWS's key
/// administrator actions, plus on-demand rotation, without `kms:CreateGrant`, through which an
/// administrator could hand itself the use of the key).
pub const KEY_ADMIN_ACTIONS: [&str; 16] = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
    "kms:ImportKeyMaterial",
];

/// What IAM policies of the account may grant on the key: using it, never administering it.
pub const KEY_USE_ACTIONS: [&str; 5] = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
];

/// The statements every key policy starts with: administration for the configured key
/// administrators only; key use delegated to the account's IAM policies (the stack's roles are
/// scoped by alias), grants only for AWS services acting for a user; and the account root keeps
/// only `kms:GetKeyPolicy`/`kms:PutKeyPolicy`, which AWS requires so that the key can never
/// become unmanageable (the policy lock-out safety check).
pub fn base_statements(account: &Account, administrators: &[String]) -> Vec<Value> {
    let root = format!("arn:{}:iam::{}:root", account.partition, account.id);
    vec![
        json!({
            "Sid": "KeyAdministratorsManageButNeverUse",
            "Effect": "Allow",
            "Principal": {"AWS": administrators},
            "Action": KEY_ADMIN_ACTIONS,
            "Resource": "*"
        }),
        json!({
            "Sid": "AccountRootPreventsLockOut",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": ["kms:GetKeyPolicy", "kms:PutKeyPolicy"],
            "Resource": "*"
        }),
        json!({
            "Sid": "IamPoliciesGrantKeyUseOnly",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": KEY_USE_ACTIONS,
            "Resource": "*"
        }),
        json!({
            "Sid": "IamPoliciesGrantForAwsServicesOnly",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": true}}
        }),
    ]
}

/// A key policy of the base statements only (a key no AWS service principal uses directly).
pub fn base_statements_policy(account: &Account, administrators: &[String]) -> Value {
    json!({"Version": "2012-10-17", "Statement": base_statements(account, administrators)})
}

/// The key policy of the data key.
pub fn data_key_policy(account: &Account, region: &str, administrators: &[String]) -> Value {
    let mut statements = base_statements(account, administrators);
    let extra = json!([
            {
                "Sid": "FlowLogDeliveryToEncryptedBucket",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account.id},
                              "ArnLike": {"aws:SourceArn": format!("arn:{}:logs:{region}:{}:*", account.partition, account.id)}}
            }
    ]);
    if let Value::Array(items) = extra {
        statements.extend(items);
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The key policy of the compute key.
pub fn compute_key_policy(account: &Account, region: &str, administrators: &[String]) -> Value {
    let asg_role = format!(
        "arn:{}:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        account.partition, account.id
    );
    let mut statements = base_statements(account, administrators);
    let extra = json!([
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
            topic_publisher("CloudWatchAlarmsPublishToEncryptedTopic", "cloudwatch.amazonaws.com", account),
            topic_publisher("DmsEventsPublishToEncryptedTopic", "dms.amazonaws.com", account),
            topic_publisher("EventBridgePublishesToEncryptedTopic", "events.amazonaws.com", account),
            {
                "Sid": "CloudWatchLogsEncryptsLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                    format!("arn:{}:logs:{region}:{}:*", account.partition, account.id)}}
            }
    ]);
    if let Value::Array(items) = extra {
        statements.extend(items);
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A service of this account that publishes to the encrypted alarm topic.
fn topic_publisher(sid: &str, service: &str, account: &Account) -> Value {
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account.id}}
    })
}

/// The Auto Scaling service-linked role, when the stack creates it. It exists in an account only
/// once an Auto Scaling group ever existed there, and KMS refuses a key policy that names a
/// principal which does not exist, so the compute key waits for it.
fn autoscaling_service_role(scope: &Scope, parent: &Resource) -> Option<Resource> {
    let config = &scope.config;
    if config.autoscaling_service_role == AccountLevel::Existing {
        return None;
    }
    let label = config.naming.label("slr-autoscaling");
    Some(register(
        &scope.ctx,
        &label,
        &ServiceLinkedRoleArgs {
            aws_service_name: set(AUTOSCALING_SERVICE.to_owned()),
            description: set("Auto Scaling uses the compute key for instance volumes".to_owned()),
            tags: set(tags::named(config, &label)),
            ..Default::default()
        },
        scope.child_of(parent),
    ))
}

/// The service principal of Auto Scaling's service-linked role.
pub const AUTOSCALING_SERVICE: &str = "autoscaling.amazonaws.com";

/// A rotating symmetric key for `purpose` with `policy` and its alias, through `scope`'s provider
/// (so in its region), after `after` if given.
pub fn key(
    scope: &Scope,
    parent: &Resource,
    purpose: &str,
    description: &str,
    policy: Value,
    after: Option<&Resource>,
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
        scope.child_of(parent).with_depends_on(after),
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
    let service_role = autoscaling_service_role(scope, &component);
    let administrators = match &scope.config.key_administrators {
        Some(administrators) => administrators.clone(),
        None => {
            scope.ctx.warn(NO_KEY_ADMINISTRATORS_WARNING);
            vec![format!(
                "arn:{}:iam::{}:root",
                account.partition, account.id
            )]
        }
    };
    let keys = Keys {
        data: key(
            scope,
            &component,
            "data",
            "Payments platform data at rest: RDS, S3, secrets, replication",
            data_key_policy(account, region, &administrators),
            None,
        ),
        compute: key(
            scope,
            &component,
            "compute",
            "Payments platform compute: EBS volumes and CloudWatch Logs",
            compute_key_policy(account, region, &administrators),
            service_role.as_ref(),
        ),
        data_alias: scope.config.naming.kms_alias("data").0,
        compute_alias: scope.config.naming.kms_alias("compute").0,
        administrators,
    };
    let mut outputs = PropertyMap::new();
    outputs.insert("dataKeyArn", keys.data.output::<String>("arn"));
    outputs.insert("computeKeyArn", keys.compute.output::<String>("arn"));
    scope.ctx.register_outputs(&component, outputs);
    keys
}
