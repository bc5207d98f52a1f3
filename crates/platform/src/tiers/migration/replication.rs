//! Database replication (`payments:migration:Replication`). DMS is one-way, so exactly one
//! database writes at a time: until cutover the on-prem MySQL is the writer and a
//! `full-load-and-cdc` task streams it into RDS; from cutover on, a reverse `cdc` task streams RDS
//! back to the data center so a rollback loses nothing.
//!
//! The replication instance is private, KMS-encrypted, Multi-AZ in production, in the database
//! subnets, behind its own security group (3306 to the on-prem networks and to the database only).
//! Endpoints read their credentials from Secrets Manager through a dedicated role, and use TLS:
//! each side has a dedicated replication user whose secret holds `host`, `port`, `username` and
//! `password` (with a secret, DMS reads only the secret). The RDS side's secret is created here,
//! under the data key, with a generated password; the on-prem one is created by the operator
//! (docs/migration.md). DMS reaches Secrets Manager through the interface endpoint
//! (`crate::tiers::endpoints`), the database subnets having no NAT route.
//!
//! Tasks are created stopped unless their direction's `start` flag is set, and wait for the
//! secrets policy, their security-group rules and the VPN routes.

use payments_aws::args::register;
use payments_aws::dms::{
    EndpointArgs, ReplicationInstanceArgs, ReplicationSubnetGroupArgs, ReplicationTaskArgs,
};
use payments_aws::iam::{PolicyArgs, RoleArgs, RolePolicyAttachmentArgs};
use payments_aws::secretsmanager::{SecretArgs, SecretVersionArgs};
use pulumi_runtime::{Output, Resource, ResourceOptions};
use serde_json::{Value, json};

use super::Migration;
use super::connectivity::Vpn;
use crate::config::migration::TaskSettings;
use crate::naming::{AWS_FIXED_NAMES, NameKind};
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::endpoints::{self, Endpoints};
use crate::tiers::iam::trust_policy;
use crate::tiers::kms::{Account, Keys};
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::{self, MYSQL_PORT, Peer, Rule, SecurityGroups};

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
pub fn task_settings_json() -> Value {
    json!({
        "TargetMetadata": {"SupportLobs": true, "LimitedSizeLobMode": true, "LobMaxSize": 64},
        "FullLoadSettings": {"TargetTablePrepMode": "DO_NOTHING"},
        "Logging": {"EnableLogging": true},
        "ValidationSettings": {"EnableValidation": true, "ValidationMode": "ROW_LEVEL", "ThreadCount": 5}
    })
}

/// Creates `dms-vpc-role` and `dms-cloudwatch-logs-role`; returns the `dms-vpc-role` policy
/// attachment (DMS checks it when a subnet group is created).
fn account_roles(scope: &Scope, parent: &Resource) -> Resource {
    let naming = &scope.config.naming;
    let mut attachments = Vec::new();
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
        attachments.push(register(
            &scope.ctx,
            &naming.label(&format!("attach-{label}")),
            &RolePolicyAttachmentArgs {
                role: set(role.output::<String>("name")),
                policy_arn: set(format!("arn:aws:iam::aws:policy/{policy}")),
            },
            scope.child_of(parent),
        ));
    }
    attachments.swap_remove(0)
}

/// The statements that let DMS read the endpoints' credentials, known in a preview: the on-prem
/// secret by its configured ARN and the stack's RDS replication secret by its name (Secrets
/// Manager appends six random characters to a secret's name in its ARN, hence `-??????`).
fn secret_grants(
    account: &Account,
    region: &str,
    on_prem_secret_arn: &str,
    rds_secret_name: &str,
) -> Vec<Value> {
    let (partition, id) = (&account.partition, &account.id);
    let rds_secret_arn =
        format!("arn:{partition}:secretsmanager:{region}:{id}:secret:{rds_secret_name}-??????");
    vec![json!({"Sid": "ReadEndpointCredentials", "Effect": "Allow",
        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        "Resource": [on_prem_secret_arn, rds_secret_arn]})]
}

fn secrets_role(
    scope: &Scope,
    parent: &Resource,
    account: &Account,
    secret_grants: Vec<Value>,
    keys: &Keys,
) -> (Resource, Resource) {
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
    statements.push(crate::tiers::iam::key_grant(
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
    let attachment = register(
        &scope.ctx,
        &config.naming.attachment(NameKind::DmsSecretsPolicy, None),
        &RolePolicyAttachmentArgs {
            role: set(role.output::<String>("name")),
            policy_arn: set(policy.output::<String>("arn")),
        },
        scope.child_of(parent),
    );
    (role, attachment)
}

/// What replication needs from the rest of the program.
pub struct Inputs<'a> {
    /// The network.
    pub network: &'a Network,
    /// The platform's security groups.
    pub groups: &'a SecurityGroups,
    /// The KMS keys.
    pub keys: &'a Keys,
    /// The account.
    pub account: &'a Account,
    /// The RDS instance.
    pub database: &'a Resource,
    /// The VPN, whose routes the tasks wait for.
    pub vpn: Option<&'a Vpn>,
    /// The interface endpoints (Secrets Manager), which DMS reaches on 443.
    pub endpoints: &'a Endpoints,
    /// The generated password of the RDS replication user (a secret).
    pub rds_replication_password: Output<String>,
}

/// Whether replication resources exist for `migration`.
pub fn exists(migration: Migration<'_>) -> bool {
    let (settings, phase) = (migration.settings, migration.phase);
    settings.database.is_some()
        && settings.run_dms
        && (phase.has_forward_replication() || phase.has_reverse_replication())
}

/// The JSON DMS reads from an endpoint's secret: it needs all four fields.
pub fn endpoint_secret(host: &str, port: i64, username: &str, password: &str) -> String {
    json!({"host": host, "port": port, "username": username, "password": password}).to_string()
}

/// The statement that keeps RDS binary logs for `hours` (run once as the master user).
pub fn binlog_retention_statement(hours: i64) -> String {
    format!("CALL mysql.rds_set_configuration('binlog retention hours', {hours});")
}

/// The secret of the RDS side's replication user: host, port, username and the generated
/// password, under the data key. The version ignores later changes of its value, so the password
/// generated at creation stays (the operator creates the user with it, docs/migration.md).
fn rds_secret(
    scope: &Scope,
    parent: &Resource,
    inputs: &Inputs<'_>,
    username: &str,
) -> (Resource, Resource) {
    let config = &scope.config;
    let name = config.naming.name(NameKind::DmsRdsSecret);
    let secret = register(
        &scope.ctx,
        &name,
        &SecretArgs {
            name: set(name.clone()),
            description: set(
                "DMS: the RDS replication user (host, port, username, password)".to_owned(),
            ),
            kms_key_id: set(inputs.keys.data.output::<String>("arn")),
            recovery_window_in_days: set(if crate::config::is_production(&config.environment) {
                7
            } else {
                0
            }),
            tags: set(tags::named(config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    let username = username.to_owned();
    let value = inputs
        .database
        .output::<String>("address")
        .zip(&inputs.rds_replication_password)
        .map(move |(host, password)| endpoint_secret(&host, MYSQL_PORT, &username, &password))
        .into_secret();
    let version = register(
        &scope.ctx,
        &config.naming.part_of(NameKind::DmsRdsSecret, "value"),
        &SecretVersionArgs {
            secret_id: set(secret.output::<String>("arn")),
            secret_string: set(value),
            ..Default::default()
        },
        ResourceOptions {
            ignore_changes: vec!["secretString".to_owned()],
            ..scope.child_of(parent)
        },
    );
    (secret, version)
}

/// Builds replication for the phase; `None` when the phase has no task or DMS is off.
pub fn build(scope: &Scope, inputs: &Inputs<'_>, migration: Migration<'_>) -> Option<Replication> {
    let (settings, phase) = (migration.settings, migration.phase);
    let source = settings.database.as_ref()?;
    if !exists(migration) {
        return None;
    }
    let keys = inputs.keys;
    let config = &scope.config;
    let naming = &config.naming;
    let component = scope.component("payments:migration:Replication", "replication");
    let opts = || scope.child_of(&component);
    let vpc_role_attachment = (settings.dms_roles == crate::config::migration::DmsRoles::Create)
        .then(|| account_roles(scope, &component));
    let (dms_group, rules) = network_access(scope, &component, inputs, migration, source.port);
    let instance = replication_instance(
        scope,
        &component,
        inputs,
        migration,
        &dms_group,
        vpc_role_attachment.as_ref(),
    );
    let (rds_secret, rds_secret_value) =
        rds_secret(scope, &component, inputs, &settings.rds_replication_user);
    let rds_secret_arn = rds_secret.output::<String>("arn");
    let grants = secret_grants(
        inputs.account,
        &config.region,
        &source.secret_arn,
        &naming.name(NameKind::DmsRdsSecret),
    );
    let (access_role, secrets_attachment) =
        secrets_role(scope, &component, inputs.account, grants, keys);
    let endpoint = |name: &str, endpoint_type: &str, secret_arn: Output<String>| {
        let access = EndpointAccess {
            secret_arn,
            role: &access_role,
            keys,
        };
        endpoint(scope, &component, name, endpoint_type, access)
    };
    let onprem_secret = || Output::known(source.secret_arn.clone());
    let mappings = settings
        .table_mappings
        .clone()
        .unwrap_or_else(default_table_mappings)
        .to_string();
    // A task starts only when the secrets policy, the RDS secret's value, its network rules and
    // the VPN routes exist.
    let mut task_dependencies = vec![secrets_attachment, rds_secret_value];
    task_dependencies.extend(rules);
    task_dependencies.extend(inputs.vpn.iter().flat_map(|vpn| vpn.routes.iter().cloned()));
    let task = |direction: &'static str,
                task_settings: &TaskSettings,
                migration_type: &str,
                from: &Resource,
                to: &Resource| {
        let id = naming.label(&format!("dms-{direction}"));
        let task = register(
            &scope.ctx,
            &id,
            &ReplicationTaskArgs {
                replication_task_id: set(id.clone()),
                migration_type: set(migration_type.to_owned()),
                cdc_start_position: task_settings.cdc_start_position.clone().map(Into::into),
                replication_instance_arn: set(instance.output::<String>("replicationInstanceArn")),
                source_endpoint_arn: set(from.output::<String>("endpointArn")),
                target_endpoint_arn: set(to.output::<String>("endpointArn")),
                table_mappings: set(mappings.clone()),
                replication_task_settings: set(task_settings_json().to_string()),
                start_replication_task: set(task_settings.start),
                tags: set(tags::named(config, &id)),
                ..Default::default()
            },
            opts().with_depends_on(task_dependencies.iter()),
        );
        Task {
            direction,
            id,
            resource: task,
        }
    };
    let mut tasks = Vec::new();
    if phase.has_forward_replication() {
        let from = endpoint("onprem-source", "source", onprem_secret());
        let to = endpoint("rds-target", "target", rds_secret_arn.clone());
        tasks.push(task(
            "forward",
            &settings.forward,
            settings.forward_type(),
            &from,
            &to,
        ));
    }
    if phase.has_reverse_replication() {
        let from = endpoint("rds-source", "source", rds_secret_arn.clone());
        let to = endpoint("onprem-target", "target", onprem_secret());
        tasks.push(task(
            "reverse",
            &settings.reverse,
            settings.reverse_type(),
            &from,
            &to,
        ));
    }
    Some(Replication { instance, tasks })
}

/// What a DMS endpoint reads its connection from: the secret, the role that may read it, the key.
struct EndpointAccess<'a> {
    secret_arn: Output<String>,
    role: &'a Resource,
    keys: &'a Keys,
}

/// A DMS MySQL endpoint (TLS required). With a secret, DMS reads host, port, username and password
/// from it alone.
fn endpoint(
    scope: &Scope,
    parent: &Resource,
    name: &str,
    endpoint_type: &str,
    access: EndpointAccess<'_>,
) -> Resource {
    let config = &scope.config;
    let id = config.naming.label(&format!("dms-{name}"));
    register(
        &scope.ctx,
        &id,
        &EndpointArgs {
            endpoint_id: set(id.clone()),
            endpoint_type: set(endpoint_type.to_owned()),
            engine_name: set("mysql"),
            ssl_mode: set("require"),
            secrets_manager_arn: set(access.secret_arn),
            secrets_manager_access_role_arn: set(access.role.output::<String>("arn")),
            kms_key_arn: set(access.keys.data.output::<String>("arn")),
            tags: set(tags::named(config, &id)),
            ..Default::default()
        },
        scope.child_of(parent),
    )
}

/// The replication instance's security group and its rules: MySQL to the data center and to the
/// database (and the database's rule from it), HTTPS to the interface endpoints. The rules come
/// back for the tasks to wait for.
fn network_access(
    scope: &Scope,
    parent: &Resource,
    inputs: &Inputs<'_>,
    migration: Migration<'_>,
    source_port: i64,
) -> (Resource, Vec<Resource>) {
    let (network, groups, settings) = (inputs.network, inputs.groups, migration.settings);
    let config = &scope.config;
    let naming = &config.naming;
    let opts = || scope.child_of(parent);
    let dms_group = {
        let name = naming.name(NameKind::DmsSecurityGroup);
        register(
            &scope.ctx,
            &name,
            &payments_aws::ec2::SecurityGroupArgs {
                name: set(name.clone()),
                description: set(
                    "Payments DMS: MySQL to the data center and the database, HTTPS to the Secrets Manager endpoint".to_owned(),
                ),
                vpc_id: set(network.vpc.id()),
                revoke_rules_on_delete: set(true),
                tags: set(tags::named(config, &name)),
                ..Default::default()
            },
            opts(),
        )
    };
    let mut rules = Vec::new();
    for cidr in &settings.on_prem_cidrs {
        rules.push(security::egress(
            scope,
            parent,
            &dms_group,
            Rule {
                name: &format!("dms-to-onprem-{cidr}"),
                description: "DMS to the on-prem MySQL over the VPN",
                port: source_port,
                peer: Peer::Cidr(cidr.clone()),
            },
        ));
    }
    rules.push(security::egress(
        scope,
        parent,
        &dms_group,
        Rule {
            name: "dms-to-db",
            description: "DMS to the RDS database",
            port: MYSQL_PORT,
            peer: Peer::Group(groups.db.id()),
        },
    ));
    rules.push(security::ingress(
        scope,
        parent,
        &groups.db,
        Rule {
            name: "db-from-dms",
            description: "MySQL from the DMS replication instance",
            port: MYSQL_PORT,
            peer: Peer::Group(dms_group.id()),
        },
    ));
    rules.extend(endpoints::allow(
        scope,
        parent,
        inputs.endpoints,
        &dms_group,
        "dms",
    ));
    (dms_group, rules)
}

/// The replication instance in the database subnets (its subnet group waits for `dms-vpc-role`'s
/// policy when the stack creates it).
fn replication_instance(
    scope: &Scope,
    parent: &Resource,
    inputs: &Inputs<'_>,
    migration: Migration<'_>,
    dms_group: &Resource,
    vpc_role_attachment: Option<&Resource>,
) -> Resource {
    let (network, keys, settings) = (inputs.network, inputs.keys, migration.settings);
    let config = &scope.config;
    let naming = &config.naming;
    let opts = || scope.child_of(parent);
    let subnet_group_id = naming.name(NameKind::DmsSubnetGroup);
    // DMS checks dms-vpc-role when the subnet group is created: wait for its policy.
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
        opts().with_depends_on(vpc_role_attachment),
    );
    let instance_id = naming.name(NameKind::DmsInstance);
    register(
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
    )
}
