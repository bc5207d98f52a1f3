//! Storage (`payments:storage:Storage`): versioned buckets for application logs and static
//! content, encrypted with the data key (bucket keys on), all public access blocked, TLS-only
//! bucket policies, lifecycle rules from config, owner-enforced object ownership, access logging of
//! the static bucket (to the SSE-S3 bucket), and `forceDestroy` so test stacks can be destroyed.
//!
//! Documented exception: ALB access logs and S3 server access logs can only be delivered to a
//! bucket encrypted with SSE-S3, so both go to a dedicated bucket (`payments-alb-logs-...`) that
//! has every other control.

use payments_aws::args::register;
use payments_aws::s3::{
    BucketArgs, BucketLifecycleConfigurationArgs, BucketLifecycleConfigurationRuleArgs,
    BucketLifecycleConfigurationRuleFilterArgs,
    BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs,
    BucketLifecycleConfigurationRuleTransitionArgs, BucketLoggingArgs, BucketOwnershipControlsArgs,
    BucketOwnershipControlsRuleArgs, BucketPolicyArgs, BucketPublicAccessBlockArgs,
    BucketServerSideEncryptionConfigurationArgs,
    BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs,
    BucketServerSideEncryptionConfigurationRuleArgs, BucketVersioningArgs,
    BucketVersioningVersioningConfigurationArgs,
};
use pulumi_runtime::{Output, PropertyMap, Resource};
use serde_json::{Value, json};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::{Account, Keys};

/// Prefix under which the ALB writes its access logs.
pub const ALB_LOG_PREFIX: &str = "alb";

/// Prefix under which S3 writes the static bucket's server access logs (in the SSE-S3 bucket).
pub const S3_ACCESS_LOG_PREFIX: &str = "s3-access";

/// A bucket and its name.
#[derive(Clone)]
pub struct Bucket {
    /// The bucket resource.
    pub resource: Resource,
    /// Its (physical) name.
    pub name: String,
    /// Its bucket policy (log delivery waits for it).
    pub policy: Resource,
}

impl Bucket {
    /// The bucket ARN (known from the name).
    pub fn arn(&self, partition: &str) -> String {
        bucket_arn(partition, &self.name)
    }
}

/// The platform's buckets.
#[derive(Clone)]
pub struct Storage {
    /// Application, audit and flow logs (SSE-KMS).
    pub logs: Bucket,
    /// Static content (SSE-KMS).
    pub static_content: Bucket,
    /// ALB access logs (SSE-S3, the documented exception).
    pub alb_logs: Bucket,
}

/// The ARN of the bucket named `name`.
fn bucket_arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:s3:::{name}")
}

/// How a bucket is encrypted.
pub enum Encryption {
    /// SSE-KMS under the given key, with an S3 Bucket Key.
    Kms(Output<String>),
    /// SSE-S3 (where AWS refuses SSE-KMS: log delivery targets).
    S3Managed,
}

/// Where current objects move, and when: the lifecycle rule of a bucket (noncurrent versions
/// expire after `noncurrentVersionExpirationDays` in every bucket).
pub struct Tiering {
    /// The rule's id.
    pub rule_id: &'static str,
    /// Days before the transition.
    pub days: i64,
    /// The storage class objects move to.
    pub storage_class: &'static str,
}

impl Tiering {
    /// Infrequent access after `lifecycleTransitionDays` (the platform's buckets).
    fn infrequent_access(days: i64) -> Self {
        Self {
            rule_id: "transition-and-expire-noncurrent",
            days,
            storage_class: "STANDARD_IA",
        }
    }
}

/// A statement denying any request that does not use TLS, on the bucket and its objects.
fn deny_insecure_transport(bucket_arn: &str) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// A bucket with its settings (versioning, public access blocked, default encryption, owner
/// enforced, lifecycle) and its policy: TLS only, plus `extra_statements` of its ARN.
pub fn bucket(
    scope: &Scope,
    parent: &Resource,
    partition: &str,
    kind: NameKind,
    encryption: Encryption,
    tiering: Tiering,
    extra_statements: impl FnOnce(&str) -> Vec<Value>,
) -> Bucket {
    let config = &scope.config;
    let name = config.naming.name(kind);
    let opts = || scope.child_of(parent);
    let resource = register(
        &scope.ctx,
        &name,
        &BucketArgs {
            bucket: set(name.clone()),
            force_destroy: set(true),
            tags: set(tags::named(config, &name)),
            ..Default::default()
        },
        opts(),
    );
    let bucket_id = || set(resource.id());
    versioning(scope, parent, kind, &resource);
    block_public_access(scope, parent, kind, &resource);
    default_encryption(scope, parent, kind, &resource, encryption);
    ownership(scope, parent, kind, &resource);
    lifecycle(scope, parent, kind, &resource, tiering);
    let arn = bucket_arn(partition, &name);
    let mut statements = vec![deny_insecure_transport(&arn)];
    statements.extend(extra_statements(&arn));
    let policy = register(
        &scope.ctx,
        &config.naming.part_of(kind, "policy"),
        &BucketPolicyArgs {
            bucket: bucket_id(),
            policy: set(json!({"Version": "2012-10-17", "Statement": statements}).to_string()),
            ..Default::default()
        },
        opts(),
    );
    Bucket {
        resource,
        name,
        policy,
    }
}

/// Versioning on.
fn versioning(scope: &Scope, parent: &Resource, kind: NameKind, bucket: &Resource) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let bucket_id = || set(bucket.id());
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "versioning"),
        &BucketVersioningArgs {
            bucket: bucket_id(),
            versioning_configuration: Some(BucketVersioningVersioningConfigurationArgs {
                status: set("Enabled"),
                ..Default::default()
            }),
            ..Default::default()
        },
        opts(),
    );
}

/// Every public access blocked.
fn block_public_access(scope: &Scope, parent: &Resource, kind: NameKind, bucket: &Resource) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let bucket_id = || set(bucket.id());
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "public-access-block"),
        &BucketPublicAccessBlockArgs {
            bucket: bucket_id(),
            block_public_acls: set(true),
            block_public_policy: set(true),
            ignore_public_acls: set(true),
            restrict_public_buckets: set(true),
            ..Default::default()
        },
        opts(),
    );
}

/// Default encryption: the given KMS key, or SSE-S3 (the access log bucket).
fn default_encryption(
    scope: &Scope,
    parent: &Resource,
    kind: NameKind,
    bucket: &Resource,
    encryption: Encryption,
) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let bucket_id = || set(bucket.id());
    let default_encryption = match encryption {
        Encryption::Kms(key_arn) => {
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs {
                sse_algorithm: set("aws:kms"),
                kms_master_key_id: set(key_arn),
            }
        }
        Encryption::S3Managed => {
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs {
                sse_algorithm: set("AES256"),
                kms_master_key_id: None,
            }
        }
    };
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "encryption"),
        &BucketServerSideEncryptionConfigurationArgs {
            bucket: bucket_id(),
            rules: Some(vec![BucketServerSideEncryptionConfigurationRuleArgs {
                apply_server_side_encryption_by_default: Some(default_encryption),
                bucket_key_enabled: set(true),
                ..Default::default()
            }]),
            ..Default::default()
        },
        opts(),
    );
}

/// The bucket owner owns every object (ACLs off).
fn ownership(scope: &Scope, parent: &Resource, kind: NameKind, bucket: &Resource) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let bucket_id = || set(bucket.id());
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "ownership"),
        &BucketOwnershipControlsArgs {
            bucket: bucket_id(),
            rule: Some(BucketOwnershipControlsRuleArgs {
                object_ownership: set("BucketOwnerEnforced"),
            }),
            ..Default::default()
        },
        opts(),
    );
}

/// Current objects move as `tiering` says, noncurrent versions expire.
fn lifecycle(
    scope: &Scope,
    parent: &Resource,
    kind: NameKind,
    bucket: &Resource,
    tiering: Tiering,
) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let bucket_id = || set(bucket.id());
    register(
        &scope.ctx,
        &config.naming.part_of(kind, "lifecycle"),
        &BucketLifecycleConfigurationArgs {
            bucket: bucket_id(),
            rules: Some(vec![BucketLifecycleConfigurationRuleArgs {
                id: set(tiering.rule_id),
                status: set("Enabled"),
                filter: Some(BucketLifecycleConfigurationRuleFilterArgs {
                    prefix: set(""),
                    ..Default::default()
                }),
                transitions: Some(vec![BucketLifecycleConfigurationRuleTransitionArgs {
                    days: set(tiering.days),
                    storage_class: set(tiering.storage_class),
                    ..Default::default()
                }]),
                noncurrent_version_expiration: Some(
                    BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs {
                        noncurrent_days: set(config.noncurrent_version_expiration_days),
                        ..Default::default()
                    },
                ),
                ..Default::default()
            }]),
            ..Default::default()
        },
        opts(),
    );
}

/// Builds the buckets. `elb_account_arn` is the regional ELB log delivery principal.
pub fn build(scope: &Scope, keys: &Keys, account: &Account, elb_account_arn: &str) -> Storage {
    let component = scope.component("payments:storage:Storage", "storage");
    let data_key_arn = keys.data.output::<String>("arn");
    let account_id = account.id.clone();
    let logs = bucket(
        scope,
        &component,
        &account.partition,
        NameKind::LogBucket,
        Encryption::Kms(data_key_arn.clone()),
        Tiering::infrequent_access(scope.config.lifecycle_transition_days),
        |arn| {
            vec![
                json!({
                    "Sid": "FlowLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": format!("{arn}/vpc-flow-logs/AWSLogs/{account_id}/*"),
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}
                }),
                json!({
                    "Sid": "FlowLogDeliveryAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                    "Resource": arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}
                }),
            ]
        },
    );
    let static_content = bucket(
        scope,
        &component,
        &account.partition,
        NameKind::StaticBucket,
        Encryption::Kms(data_key_arn),
        Tiering::infrequent_access(scope.config.lifecycle_transition_days),
        |_| Vec::new(),
    );
    let account_id = account.id.clone();
    let elb_principal = elb_account_arn.to_owned();
    // The buckets whose server access logs land in the SSE-S3 log bucket: the static bucket and,
    // when the stack builds the account controls, the audit bucket.
    let mut access_log_sources = vec![static_content.arn(&account.partition)];
    if scope.config.account_controls.creates() {
        access_log_sources.push(format!(
            "arn:{}:s3:::{}",
            account.partition,
            scope.config.naming.name(NameKind::AuditBucket)
        ));
    }
    // Both AWS log deliveries that refuse SSE-KMS targets land here: ALB access logs and S3
    // server access logs.
    let alb_logs = bucket(
        scope,
        &component,
        &account.partition,
        NameKind::AlbLogBucket,
        Encryption::S3Managed,
        Tiering::infrequent_access(scope.config.lifecycle_transition_days),
        |arn| {
            vec![
                json!({
                    "Sid": "AlbAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"AWS": elb_principal},
                    "Action": "s3:PutObject",
                    "Resource": format!("{arn}/{ALB_LOG_PREFIX}/AWSLogs/{account_id}/*")
                }),
                json!({
                    "Sid": "ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": format!("{arn}/{S3_ACCESS_LOG_PREFIX}/*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": access_log_sources}
                    }
                }),
            ]
        },
    );
    register(
        &scope.ctx,
        &scope
            .config
            .naming
            .part_of(NameKind::StaticBucket, "access-logging"),
        &BucketLoggingArgs {
            bucket: set(static_content.resource.id()),
            // S3 does not deliver server access logs to a bucket whose default encryption is
            // SSE-KMS: they go to the SSE-S3 log bucket.
            target_bucket: set(alb_logs.resource.id()),
            target_prefix: set(format!("{S3_ACCESS_LOG_PREFIX}/static/")),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    let mut outputs = PropertyMap::new();
    outputs.insert("logBucket", logs.resource.id());
    outputs.insert("staticBucket", static_content.resource.id());
    scope.ctx.register_outputs(&component, outputs);
    Storage {
        logs,
        static_content,
        alb_logs,
    }
}
