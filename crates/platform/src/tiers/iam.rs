//! Identity (`payments:security:Identity`): the EC2 instance role with the SSM core and
//! CloudWatch agent managed policies plus one customer-managed policy granting only the actions the
//! application needs on its two buckets, its log group and the keys; the instance profile; and the
//! RDS enhanced monitoring role. No `*` resource, no inline policy.

use payments_aws::args::register;
use payments_aws::iam::{InstanceProfileArgs, PolicyArgs, RoleArgs, RolePolicyAttachmentArgs};
use pulumi_runtime::Resource;
use serde_json::{Value, json};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::{Account, Keys};
use crate::tiers::storage::Storage;

/// The roles the platform creates.
#[derive(Clone)]
pub struct Identity {
    /// EC2 instance profile.
    pub instance_profile: Resource,
    /// RDS enhanced monitoring role.
    pub monitoring_role: Resource,
    /// The attachment of `AmazonRDSEnhancedMonitoringRole` to the monitoring role: RDS checks
    /// the role's permissions when the instance is created, so the instance waits for it.
    pub monitoring_attachment: Resource,
}

/// A trust policy letting `service` assume the role.
pub fn trust_policy(service: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    })
    .to_string()
}

/// An Allow statement on one key of the stack that is known before deployment: the account's
/// keys in the region, narrowed by `kms:ResourceAliases` to the alias the stack owns for that key
/// (alias names are unique per account and region) and by `kms:ViaService` to the service that
/// uses the key on the caller's behalf (if any). A key ARN is only known once the key exists; the alias is
/// configuration.
pub fn key_grant(
    sid: &str,
    actions: &[&str],
    account: &Account,
    region: &str,
    alias: &str,
    via_service: Option<&str>,
) -> Value {
    let mut condition = json!({"ForAnyValue:StringEquals": {"kms:ResourceAliases": [alias]}});
    if let Some(service) = via_service {
        condition["StringEquals"] =
            json!({"kms:ViaService": format!("{service}.{region}.amazonaws.com")});
    }
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": [format!("arn:{}:kms:{region}:{}:key/*", account.partition, account.id)],
        "Condition": condition
    })
}

/// The application's least-privilege policy document, known in a preview: buckets by their
/// configured names, keys through their aliases ([`key_grant`]), the log group by its name, and
/// IAM database authentication as the application's database user only.
pub fn app_policy(
    account: &Account,
    region: &str,
    storage: &Storage,
    log_group: &str,
    keys: &Keys,
    db_app_user: &str,
) -> Value {
    let partition = &account.partition;
    let static_arn = storage.static_content.arn(partition);
    let logs_arn = storage.logs.arn(partition);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadStaticContent", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [static_arn, format!("{static_arn}/*")]},
            {"Sid": "WriteApplicationLogs", "Effect": "Allow",
             "Action": ["s3:PutObject"],
             "Resource": [format!("{logs_arn}/app/*")]},
            key_grant("UseDataKeyThroughS3", &["kms:Decrypt", "kms:GenerateDataKey"],
                      account, region, &keys.data_alias, Some("s3")),
            key_grant("UseComputeKeyForVolumes", &["kms:Decrypt", "kms:DescribeKey"],
                      account, region, &keys.compute_alias, Some("ec2")),
            // The SSM agent decrypts admin sessions itself (Session Manager preferences).
            key_grant("DecryptAdminSessions", &["kms:Decrypt"],
                      account, region, &keys.compute_alias, None),
            // IAM database authentication as the application's user only (never the master
            // user). The DB's resource id is assigned at creation, so it stays a wildcard: the
            // grant is for this user name in this account and region.
            {"Sid": "ConnectAsApplicationDbUser", "Effect": "Allow",
             "Action": ["rds-db:connect"],
             "Resource": [format!("arn:{partition}:rds-db:{region}:{}:dbuser:*/{db_app_user}", account.id)]},
            {"Sid": "ShipApplicationLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
             "Resource": [format!("arn:{partition}:logs:{region}:{}:log-group:{log_group}:*", account.id)]}
        ]
    })
}

/// A role `service` assumes, named by `kind`, with the AWS managed policies `managed` (paths under
/// `arn:aws:iam::aws:policy/`) attached; returns the role and the attachments.
pub fn role(
    scope: &Scope,
    parent: &Resource,
    kind: NameKind,
    service: &str,
    managed: &[&str],
) -> (Resource, Vec<Resource>) {
    let name = scope.config.naming.name(kind);
    let role = register(
        &scope.ctx,
        &name,
        &RoleArgs {
            name: set(name.clone()),
            assume_role_policy: set(trust_policy(service)),
            force_detach_policies: set(true),
            tags: set(tags::named(&scope.config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    let mut attachments = Vec::new();
    for policy in managed {
        let short = policy.rsplit('/').next().unwrap_or(policy);
        let attachment = register(
            &scope.ctx,
            &scope.config.naming.attachment(kind, Some(short)),
            &RolePolicyAttachmentArgs {
                role: set(role.output::<String>("name")),
                policy_arn: set(format!("arn:aws:iam::aws:policy/{policy}")),
            },
            scope.child_of(parent),
        );
        attachments.push(attachment);
    }
    (role, attachments)
}

/// Builds the roles, the application policy and the instance profile.
pub fn build(
    scope: &Scope,
    account: &Account,
    storage: &Storage,
    keys: &Keys,
    log_group: &str,
) -> Identity {
    let config = &scope.config;
    let component = scope.component("payments:security:Identity", "identity");
    let (app_role, _) = role(
        scope,
        &component,
        NameKind::AppRole,
        "ec2.amazonaws.com",
        &[
            "AmazonSSMManagedInstanceCore",
            "CloudWatchAgentServerPolicy",
        ],
    );
    let document = app_policy(
        account,
        &config.region,
        storage,
        log_group,
        keys,
        &config.db_app_username,
    )
    .to_string();
    let policy_name = config.naming.name(NameKind::AppPolicy);
    let policy = register(
        &scope.ctx,
        &policy_name,
        &PolicyArgs {
            name: set(policy_name.clone()),
            description: set("Payments app: its buckets, log group and keys only".to_owned()),
            policy: set(document),
            tags: set(tags::named(config, &policy_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    register(
        &scope.ctx,
        &config.naming.attachment(NameKind::AppPolicy, None),
        &RolePolicyAttachmentArgs {
            role: set(app_role.output::<String>("name")),
            policy_arn: set(policy.output::<String>("arn")),
        },
        scope.child_of(&component),
    );
    let profile_name = config.naming.name(NameKind::InstanceProfile);
    let instance_profile = register(
        &scope.ctx,
        &profile_name,
        &InstanceProfileArgs {
            name: set(profile_name.clone()),
            role: set(app_role.output::<String>("name")),
            tags: set(tags::named(config, &profile_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    let (monitoring_role, attachments) = role(
        scope,
        &component,
        NameKind::MonitoringRole,
        "monitoring.rds.amazonaws.com",
        &["service-role/AmazonRDSEnhancedMonitoringRole"],
    );
    let monitoring_attachment = attachments
        .into_iter()
        .next()
        .unwrap_or_else(|| monitoring_role.clone());
    Identity {
        instance_profile,
        monitoring_role,
        monitoring_attachment,
    }
}
