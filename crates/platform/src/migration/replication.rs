//! Database replication (`payments:migration:Replication`). DMS is one-way, so exactly one
//! database writes at a time: until cutover the on-prem MySQL is the writer and a
//! `full-load-and-cdc` task streams it into RDS; from cutover on, a reverse `cdc` task streams RDS
//! back to the data center so a rollback loses nothing.
//!
//! The replication instance is private, KMS-encrypted, Multi-AZ in production, in the database
//! subnets, behind its own security group (3306 to the on-prem networks and to the database only).
//! Endpoints read their credentials from Secrets Manager through a dedicated role, and use TLS.

use payments_aws::args::register;
use payments_aws::dms::{
    EndpointArgs, ReplicationInstanceArgs, ReplicationSubnetGroupArgs, ReplicationTaskArgs,
};
use payments_aws::iam::{PolicyArgs, RoleArgs, RolePolicyAttachmentArgs};
use pulumi_runtime::{Input, Output, Resource};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Migration;
use crate::iam::trust_policy;
use crate::kms::{Account, Keys};
use crate::naming::{AWS_FIXED_NAMES, NameKind};
use crate::network::{Network, Tier};
use crate::scope::{Scope, set};
use crate::security::{self, MYSQL_PORT, Peer, Rule, SecurityGroups};
use crate::tags;

/// The replication resources that monitoring needs.
pub struct Replication {
    /// The replication instance.
    pub instance: Resource,
    /// The running tasks: `forward` before cutover, `reverse` after.
    pub tasks: Vec<Task>,
}

/// One replication task.
pub struct Task {
    /// `forward` (on-prem -> RDS) or `reverse` (RDS -> on-prem).
    pub direction: &'static str,
    /// The task identifier.
    pub id: String,
    /// The task resource.
    pub resource: Resource,
}

/// One entry of `masterUserSecrets`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterUserSecret {
    secret_arn: String,
}

/// The default table mappings: every table of every schema except MySQL's own.
pub fn default_table_mappings() -> Value {
    json!({"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "include-all",
         "object-locator": {"schema-name": "%", "table-name": "%"}, "rule-action": "include"},
        {"rule-type": "selection", "rule-id": "2", "rule-name": "exclude-system",
         "object-locator": {"schema-name": "mysql", "table-name": "%"}, "rule-action": "exclude"}
    ]})
}

/// Task settings: validation on, logging on, full LOBs limited.
pub fn task_settings() -> Value {
    json!({
        "TargetMetadata": {"SupportLobs": true, "LimitedSizeLobMode": true, "LobMaxSize": 64},
        "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"},
        "Logging": {"EnableLogging": true},
        "ValidationSettings": {"EnableValidation": true, "ValidationMode": "ROW_LEVEL", "ThreadCount": 5}
    })
}

fn account_roles(scope: &Scope, parent: &Resource) {
    let naming = &scope.config.naming;
    for (name, label, policy) in [
        (
            AWS_FIXED_NAMES[0],
            "role-dms-vpc",
            "service-role/AmazonDMSVPCManagementRole",
        ),
        (
            AWS_FIXED_NAMES[1],
            "role-dms-cloudwatch-logs",
            "service-role/AmazonDMSCloudWatchLogsRole",
        ),
    ] {
        // AWS requires these exact physical names (account-wide, outside the naming scheme);
        // the logical name and the Name tag follow the scheme.
        let logical = naming.label(label);
        let role = register(
            &scope.ctx,
            &logical,
            &RoleArgs {
                name: set(name.to_owned()),
                assume_role_policy: set(trust_policy("dms.amazonaws.com")),
                tags: set(tags::named(&scope.config, &logical)),
                ..Default::default()
            },
            scope.child_of(parent),
        );
        register(
            &scope.ctx,
            &naming.label(&format!("attach-{label}")),
            &RolePolicyAttachmentArgs {
                role: set(role.output::<String>("name")),
                policy_arn: set(format!("arn:aws:iam::aws:policy/{policy}")),
            },
            scope.child_of(parent),
        );
    }
}

/// The statements that let DMS read the endpoints' credentials, known in a preview: the on-prem
/// secret by its configured ARN and, when RDS manages the master password, the RDS-managed
/// secret (named `rds!db-<id>` by RDS, so not known before the database exists) through the
/// `aws:rds:primaryDBInstanceArn` tag RDS puts on it, naming this stack's database.
fn secret_grants(
    account: &Account,
    region: &str,
    on_prem_secret_arn: &str,
    rds_managed_secret_of: Option<String>,
) -> Vec<Value> {
    let actions = [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    ];
    let (partition, id) = (&account.partition, &account.id);
    let mut grants = vec![json!({"Sid": "ReadEndpointCredentials", "Effect": "Allow",
        "Action": actions, "Resource": [on_prem_secret_arn]})];
    if let Some(identifier) = rds_managed_secret_of {
        grants.push(json!({"Sid": "ReadRdsManagedCredentials", "Effect": "Allow",
            "Action": actions,
            "Resource": [format!("arn:{partition}:secretsmanager:{region}:{id}:secret:rds!db-*")],
            "Condition": {"StringEquals": {"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn":
                format!("arn:{partition}:rds:{region}:{id}:db:{identifier}")}}}));
    }
    grants
}

fn secrets_role(
    scope: &Scope,
    parent: &Resource,
    account: &Account,
    secret_grants: Vec<Value>,
    keys: &Keys,
) -> Resource {
    let config = &scope.config;
    let role_name = config.naming.name(NameKind::DmsSecretsRole);
    let role = register(
        &scope.ctx,
        &role_name,
        &RoleArgs {
            name: set(role_name.clone()),
            assume_role_policy: set(trust_policy(&format!(
                "dms.{}.amazonaws.com",
                config.region
            ))),
            tags: set(tags::named(config, &role_name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    // Known in a preview: the secrets by ARN or ARN pattern, the data key through its alias.
    let mut statements = secret_grants;
    statements.push(crate::iam::key_grant(
        "DecryptEndpointCredentials",
        &["kms:Decrypt"],
        account,
        &config.region,
        &keys.data_alias,
        Some("secretsmanager"),
    ));
    let document = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    let policy_name = config.naming.name(NameKind::DmsSecretsPolicy);
    let policy = register(
        &scope.ctx,
        &policy_name,
        &PolicyArgs {
            name: set(policy_name.clone()),
            description: set("DMS: read the replication endpoints' credentials".to_owned()),
            policy: set(document),
            tags: set(tags::named(config, &policy_name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    register(
        &scope.ctx,
        &config.naming.attachment(NameKind::DmsSecretsPolicy, None),
        &RolePolicyAttachmentArgs {
            role: set(role.output::<String>("name")),
            policy_arn: set(policy.output::<String>("arn")),
        },
        scope.child_of(parent),
    );
    role
}

/// Credentials of the RDS side: the RDS-managed secret, or the configured password (a secret).
enum RdsCredentials {
    Managed(Output<String>),
    Password(Output<String>),
}

/// Everything needed to build one endpoint.
struct EndpointSpec<'a> {
    name: &'a str,
    endpoint_type: &'a str,
    server: Input<String>,
    port: i64,
    secret_arn: Option<Output<String>>,
    password: Option<Output<String>>,
}

/// Builds replication for the phase; `None` when the phase has no task or DMS is off.
#[allow(clippy::too_many_arguments)]
pub fn build(
    scope: &Scope,
    network: &Network,
    groups: &SecurityGroups,
    keys: &Keys,
    account: &Account,
    database: &Resource,
    migration: Migration<'_>,
) -> Option<Replication> {
    let (settings, phase) = (migration.settings, migration.phase);
    let source = settings.database.as_ref()?;
    if !settings.run_dms || !(phase.has_forward_replication() || phase.has_reverse_replication()) {
        return None;
    }
    let config = &scope.config;
    let naming = &config.naming;
    let component = scope.component("payments:migration:Replication", "replication");
    let opts = || scope.child_of(&component);
    if settings.dms_roles == super::settings::DmsRoles::Create {
        account_roles(scope, &component);
    }
    let dms_group = {
        let name = naming.name(NameKind::DmsSecurityGroup);
        register(
            &scope.ctx,
            &name,
            &payments_aws::ec2::SecurityGroupArgs {
                name: set(name.clone()),
                description: set(
                    "Payments DMS: MySQL to the data center and the database only".to_owned(),
                ),
                vpc_id: set(network.vpc.id()),
                revoke_rules_on_delete: set(true),
                tags: set(tags::named(config, &name)),
                ..Default::default()
            },
            opts(),
        )
    };
    for cidr in &settings.on_prem_cidrs {
        security::egress(
            scope,
            &component,
            &dms_group,
            Rule {
                name: &format!("dms-to-onprem-{cidr}"),
                description: "DMS to the on-prem MySQL over the VPN",
                port: source.port,
                peer: Peer::Cidr(cidr.clone()),
            },
        );
    }
    security::egress(
        scope,
        &component,
        &dms_group,
        Rule {
            name: "dms-to-db",
            description: "DMS to the RDS database",
            port: MYSQL_PORT,
            peer: Peer::Group(groups.db.id()),
        },
    );
    security::ingress(
        scope,
        &component,
        &groups.db,
        Rule {
            name: "db-from-dms",
            description: "MySQL from the DMS replication instance",
            port: MYSQL_PORT,
            peer: Peer::Group(dms_group.id()),
        },
    );
    let subnet_group_id = naming.name(NameKind::DmsSubnetGroup);
    let subnet_group = register(
        &scope.ctx,
        &subnet_group_id,
        &ReplicationSubnetGroupArgs {
            replication_subnet_group_id: set(subnet_group_id.clone()),
            replication_subnet_group_description: set("Payments DMS: database subnets".to_owned()),
            subnet_ids: set(Output::all(network.subnet_ids(Tier::Data))),
            tags: set(tags::named(config, &subnet_group_id)),
            ..Default::default()
        },
        opts(),
    );
    let instance_id = naming.name(NameKind::DmsInstance);
    let instance = register(
        &scope.ctx,
        &instance_id,
        &ReplicationInstanceArgs {
            replication_instance_id: set(instance_id.clone()),
            replication_instance_class: set(settings.dms_instance_class.clone()),
            allocated_storage: set(100),
            publicly_accessible: set(false),
            multi_az: set(crate::config::is_production(&config.environment)),
            kms_key_arn: set(keys.data.output::<String>("arn")),
            replication_subnet_group_id: set(
                subnet_group.output::<String>("replicationSubnetGroupId")
            ),
            vpc_security_group_ids: set(Output::all([dms_group.id()])),
            auto_minor_version_upgrade: set(true),
            tags: set(tags::named(config, &instance_id)),
            ..Default::default()
        },
        opts(),
    );
    let rds = match &config.db_password {
        Some(password) => RdsCredentials::Password(password.clone()),
        None => RdsCredentials::Managed(
            database
                .output::<Vec<MasterUserSecret>>("masterUserSecrets")
                .map(|secrets| {
                    secrets
                        .into_iter()
                        .next()
                        .map(|s| s.secret_arn)
                        .unwrap_or_default()
                }),
        ),
    };
    let secret_grants = secret_grants(
        account,
        &config.region,
        &source.secret_arn,
        matches!(rds, RdsCredentials::Managed(_)).then(|| naming.name(NameKind::Database)),
    );
    let access_role = secrets_role(scope, &component, account, secret_grants, keys);
    let endpoint = |spec: EndpointSpec<'_>| {
        let id = naming.label(&format!("dms-{}", spec.name));
        let (username, password) = match &spec.password {
            Some(password) => (
                Some(config.db_username.clone().into()),
                Some(password.clone().into()),
            ),
            None => (None, None),
        };
        register(
            &scope.ctx,
            &id,
            &EndpointArgs {
                endpoint_id: set(id.clone()),
                endpoint_type: set(spec.endpoint_type.to_owned()),
                engine_name: set("mysql"),
                server_name: Some(spec.server),
                port: set(spec.port),
                ssl_mode: set("require"),
                secrets_manager_arn: spec.secret_arn.clone().map(Into::into),
                secrets_manager_access_role_arn: spec
                    .secret_arn
                    .as_ref()
                    .map(|_| access_role.output::<String>("arn").into()),
                username,
                password,
                kms_key_arn: set(keys.data.output::<String>("arn")),
                tags: set(tags::named(config, &id)),
                ..Default::default()
            },
            opts(),
        )
    };
    let rds_endpoint = |name: &str, endpoint_type: &str| {
        let (secret_arn, password) = match &rds {
            RdsCredentials::Managed(arn) => (Some(arn.clone()), None),
            RdsCredentials::Password(password) => (None, Some(password.clone())),
        };
        endpoint(EndpointSpec {
            name,
            endpoint_type,
            server: database.output::<String>("address").into(),
            port: MYSQL_PORT,
            secret_arn,
            password,
        })
    };
    let onprem_endpoint = |name: &str, endpoint_type: &str| {
        endpoint(EndpointSpec {
            name,
            endpoint_type,
            server: source.host.clone().into(),
            port: source.port,
            secret_arn: Some(Output::known(source.secret_arn.clone())),
            password: None,
        })
    };
    let mappings = settings
        .table_mappings
        .clone()
        .unwrap_or_else(default_table_mappings)
        .to_string();
    let task = |direction: &'static str, migration_type: &str, from: &Resource, to: &Resource| {
        let id = naming.label(&format!("dms-{direction}"));
        let task = register(
            &scope.ctx,
            &id,
            &ReplicationTaskArgs {
                replication_task_id: set(id.clone()),
                migration_type: set(migration_type.to_owned()),
                replication_instance_arn: set(instance.output::<String>("replicationInstanceArn")),
                source_endpoint_arn: set(from.output::<String>("endpointArn")),
                target_endpoint_arn: set(to.output::<String>("endpointArn")),
                table_mappings: set(mappings.clone()),
                replication_task_settings: set(task_settings().to_string()),
                start_replication_task: set(true),
                tags: set(tags::named(config, &id)),
                ..Default::default()
            },
            opts(),
        );
        Task {
            direction,
            id,
            resource: task,
        }
    };
    let mut tasks = Vec::new();
    if phase.has_forward_replication() {
        let from = onprem_endpoint("onprem-source", "source");
        let to = rds_endpoint("rds-target", "target");
        tasks.push(task("forward", "full-load-and-cdc", &from, &to));
    }
    if phase.has_reverse_replication() {
        let from = rds_endpoint("rds-source", "source");
        let to = onprem_endpoint("onprem-target", "target");
        tasks.push(task("reverse", "cdc", &from, &to));
    }
    Some(Replication { instance, tasks })
}
