//! The data tier (`payments:data:Database`): RDS MySQL, Multi-AZ, in the database subnets,
//! encrypted with the data key, gp3, backups with point-in-time recovery, not publicly accessible,
//! TLS-only with row-based binlogs (for DMS), the MariaDB audit plugin, every log exported to
//! encrypted log groups with retention, Performance Insights under the data key, enhanced
//! monitoring, IAM database authentication, deletion protection off.
//!
//! Credentials: `dbUsername` from config; the password is either the Pulumi secret `dbPassword`
//! or, by default, managed by RDS in Secrets Manager under the data key.

use payments_aws::args::register;
use payments_aws::cloudwatch::LogGroupArgs;
use payments_aws::rds::{
    InstanceArgs, OptionGroupArgs, OptionGroupOptionArgs, OptionGroupOptionOptionSettingArgs,
    ParameterGroupArgs, ParameterGroupParameterArgs, SubnetGroupArgs,
};
use pulumi_runtime::{Output, Resource, ResourceOptions};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::iam::Identity;
use crate::tiers::kms::Keys;
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::{MYSQL_PORT, SecurityGroups};

/// The logs RDS exports to CloudWatch. The general query log is not among them: it records every
/// statement with its literal values (card numbers), so it is off and data access is logged by
/// the audit plugin instead.
pub const LOG_EXPORTS: [&str; 3] = ["audit", "error", "slowquery"];

/// The audit plugin's events: connections, schema and privilege changes, and data access (DML,
/// reads included).
pub const AUDIT_EVENTS: &str = "CONNECT,QUERY_DDL,QUERY_DCL,QUERY_DML";

/// Parameters of the parameter group: TLS only, row-based binlogs for replication, the general
/// query log off and the slow query log on.
pub const PARAMETERS: [(&str, &str, &str); 6] = [
    ("require_secure_transport", "ON", "immediate"),
    ("binlog_format", "ROW", "immediate"),
    ("binlog_row_image", "FULL", "immediate"),
    ("general_log", "0", "immediate"),
    ("slow_query_log", "1", "immediate"),
    ("log_output", "FILE", "immediate"),
];

/// The data tier's handles.
#[derive(Clone)]
pub struct Database {
    /// The RDS instance.
    pub instance: Resource,
}

/// The parameter group family and major version of a MySQL engine version (`8.4.6` ->
/// (`mysql8.4`, `8.4`)).
pub fn family(engine_version: &str) -> (String, String) {
    let major: String = engine_version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    (format!("mysql{major}"), major)
}

/// Builds the data tier.
pub fn build(
    scope: &Scope,
    network: &Network,
    groups: &SecurityGroups,
    identity: &Identity,
    keys: &Keys,
) -> Database {
    let config = &scope.config;
    let component = scope.component("payments:data:Database", "database");
    let (family, major) = family(&config.db_engine_version);
    let identifier = config.naming.name(NameKind::Database);
    let instance_groups = InstanceGroups {
        subnet: subnet_group(scope, &component, network),
        parameter: parameter_group(scope, &component, family),
        option: option_group(scope, &component, major),
        logs: log_groups(scope, &component, &identifier, keys),
    };
    let instance = instance(
        scope,
        &component,
        &identifier,
        &instance_groups,
        groups,
        identity,
        keys,
    );
    Database { instance }
}

/// The subnet, parameter and option groups the instance uses, and the log groups it waits for.
struct InstanceGroups {
    subnet: Resource,
    parameter: Resource,
    option: Resource,
    logs: Vec<Resource>,
}

/// The database subnet group (the data subnets of both zones).
fn subnet_group(scope: &Scope, parent: &Resource, network: &Network) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let subnet_group_name = naming.name(NameKind::DbSubnetGroup);
    register(
        &scope.ctx,
        &subnet_group_name,
        &SubnetGroupArgs {
            name: set(subnet_group_name.clone()),
            description: set("Payments database subnets".to_owned()),
            subnet_ids: set(Output::all(network.subnet_ids(Tier::Data))),
            tags: set(tags::named(config, &subnet_group_name)),
            ..Default::default()
        },
        opts(),
    )
}

/// The parameter group: TLS only, row binlogs, the general log off ([`PARAMETERS`]).
fn parameter_group(scope: &Scope, parent: &Resource, family: String) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let parameter_group_name = naming.name(NameKind::DbParameterGroup);
    register(
        &scope.ctx,
        &parameter_group_name,
        &ParameterGroupArgs {
            name: set(parameter_group_name.clone()),
            family: set(family),
            description: set("Payments MySQL: TLS only, row binlogs, logging".to_owned()),
            parameters: Some(
                PARAMETERS
                    .iter()
                    .map(|(name, value, apply)| ParameterGroupParameterArgs {
                        name: set(*name),
                        value: set(*value),
                        apply_method: set(*apply),
                    })
                    .collect(),
            ),
            tags: set(tags::named(config, &parameter_group_name)),
            ..Default::default()
        },
        opts(),
    )
}

/// The option group: the MariaDB audit plugin on the application and master users.
fn option_group(scope: &Scope, parent: &Resource, major: String) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let option_group_name = naming.name(NameKind::DbOptionGroup);
    register(
        &scope.ctx,
        &option_group_name,
        &OptionGroupArgs {
            name: set(option_group_name.clone()),
            engine_name: set("mysql"),
            major_engine_version: set(major),
            option_group_description: set("Payments MySQL: MariaDB audit plugin".to_owned()),
            options: Some(vec![OptionGroupOptionArgs {
                option_name: set("MARIADB_AUDIT_PLUGIN"),
                option_settings: Some(vec![
                    OptionGroupOptionOptionSettingArgs {
                        name: set("SERVER_AUDIT_EVENTS"),
                        value: set(AUDIT_EVENTS),
                    },
                    // The application's user and the break-glass master user; RDS's own
                    // `rdsadmin` housekeeping stays out of the audit log.
                    OptionGroupOptionOptionSettingArgs {
                        name: set("SERVER_AUDIT_INCL_USERS"),
                        value: set(format!("{},{}", config.db_app_username, config.db_username)),
                    },
                    OptionGroupOptionOptionSettingArgs {
                        name: set("SERVER_AUDIT_FILE_ROTATIONS"),
                        value: set("10"),
                    },
                ]),
                ..Default::default()
            }]),
            tags: set(tags::named(config, &option_group_name)),
            ..Default::default()
        },
        opts(),
    )
}

/// The log groups of the exported logs, encrypted and with retention, created before RDS would
/// create them itself.
fn log_groups(scope: &Scope, parent: &Resource, identifier: &str, keys: &Keys) -> Vec<Resource> {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    // RDS would create these log groups itself, unencrypted and kept forever: create them first.
    LOG_EXPORTS
        .iter()
        .map(|log| {
            let label = naming.label(&format!("rds-{log}-logs"));
            register(
                &scope.ctx,
                &label,
                &LogGroupArgs {
                    name: set(format!("/aws/rds/instance/{identifier}/{log}")),
                    retention_in_days: set(config.log_retention_days),
                    kms_key_id: set(keys.compute.output::<String>("arn")),
                    tags: set(tags::named(config, &label)),
                    ..Default::default()
                },
                opts(),
            )
        })
        .collect()
}

/// The RDS instance itself.
fn instance(
    scope: &Scope,
    parent: &Resource,
    identifier: &str,
    instance_groups: &InstanceGroups,
    groups: &SecurityGroups,
    identity: &Identity,
    keys: &Keys,
) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let data_key = keys.data.output::<String>("arn");
    let (password, managed) = match &config.db_password {
        Some(password) => (Some(password.clone().into()), None),
        None => (None, Some(true.into())),
    };
    register(
        &scope.ctx,
        identifier,
        &InstanceArgs {
            identifier: set(identifier.to_owned()),
            engine: set("mysql"),
            engine_version: set(config.db_engine_version.clone()),
            instance_class: set(config.db_instance_class.clone()),
            allocated_storage: set(config.db_allocated_storage),
            max_allocated_storage: set(config.db_allocated_storage * 4),
            storage_type: set("gp3"),
            storage_encrypted: set(true),
            kms_key_id: set(data_key.clone()),
            multi_az: set(true),
            db_subnet_group_name: set(instance_groups.subnet.output::<String>("name")),
            vpc_security_group_ids: set(Output::all([groups.db.id()])),
            publicly_accessible: set(false),
            port: set(MYSQL_PORT),
            username: set(config.db_username.clone()),
            password,
            manage_master_user_password: managed,
            master_user_secret_kms_key_id: config
                .db_password
                .is_none()
                .then(|| data_key.clone().into()),
            backup_retention_period: set(config.backup_retention_days),
            backup_window: set(config.backup_window.clone()),
            maintenance_window: set(config.maintenance_window.clone()),
            copy_tags_to_snapshot: set(true),
            delete_automated_backups: set(true),
            deletion_protection: set(false),
            skip_final_snapshot: set(config.skip_final_snapshot),
            final_snapshot_identifier: (!config.skip_final_snapshot)
                .then(|| format!("{identifier}-final").into()),
            parameter_group_name: set(instance_groups.parameter.output::<String>("name")),
            option_group_name: set(instance_groups.option.output::<String>("name")),
            enabled_cloudwatch_logs_exports: set(LOG_EXPORTS
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()),
            performance_insights_enabled: set(true),
            performance_insights_kms_key_id: set(data_key),
            performance_insights_retention_period: set(7),
            monitoring_interval: set(60),
            monitoring_role_arn: set(identity.monitoring_role.output::<String>("arn")),
            iam_database_authentication_enabled: set(true),
            auto_minor_version_upgrade: set(true),
            ca_cert_identifier: set("rds-ca-rsa2048-g1"),
            apply_immediately: set(false),
            tags: set(tags::named(config, identifier)),
            ..Default::default()
        },
        ResourceOptions {
            additional_secret_outputs: vec!["password".to_owned()],
            // IAM is eventually consistent: RDS refuses a monitoring role whose policy is
            // not attached yet, so the instance waits for the attachment.
            ..opts().with_depends_on(
                instance_groups
                    .logs
                    .iter()
                    .chain(std::iter::once(&identity.monitoring_attachment)),
            )
        },
    )
}
