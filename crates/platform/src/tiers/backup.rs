//! Backup and disaster recovery (`payments:data:Backup`), PCI DSS 9.4 and 12.10: AWS Backup takes
//! a daily snapshot of the database into a vault under the data key and copies every recovery
//! point to a vault in a second region (`backupCopyRegion`, through a second explicit provider)
//! under a key of that region. The database's own automated backups (`backupRetentionDays`) stay
//! the point-in-time recovery; these are the copies kept apart from it.
//!
//! Outside production both vaults are `forceDestroy`, so a test stack destroys cleanly. In
//! production the recovery points are kept [`PRODUCTION_RETENTION_DAYS`] and both vaults are
//! locked in compliance mode: after [`LOCK_GRACE_DAYS`] nobody, the account root included, can
//! shorten the retention or delete a recovery point early.

use std::collections::BTreeMap;

use payments_aws::args::register;
use payments_aws::backup::{
    PlanArgs, PlanRuleArgs, PlanRuleCopyActionArgs, PlanRuleCopyActionLifecycleArgs,
    PlanRuleLifecycleArgs, SelectionArgs, VaultArgs, VaultLockConfigurationArgs,
};
use payments_aws::provider;
use pulumi_runtime::{Output, PropertyMap, Resource, ResourceOptions};

use crate::config::{
    BACKUP_JOB_START_MINUTE_UTC, BACKUP_JOB_START_WINDOW_MINUTES, PlatformConfig, is_production,
};
use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::iam;
use crate::tiers::kms::{self, Account, Keys};

/// How long production keeps each recovery point, in both regions.
pub const PRODUCTION_RETENTION_DAYS: i64 = 35;

/// The days during which a production vault lock can still be removed; after them it is
/// immutable (AWS Backup Vault Lock, compliance mode; AWS's minimum is 3).
pub const LOCK_GRACE_DAYS: i64 = 3;

/// The longest retention a locked vault accepts.
pub const LOCK_MAX_RETENTION_DAYS: i64 = 365;

/// The daily backup's schedule: at [`BACKUP_JOB_START_MINUTE_UTC`] (within
/// [`BACKUP_JOB_START_WINDOW_MINUTES`]), after the default RDS backup window (03:00-04:00) and
/// maintenance window (Sunday 04:30-05:30); the configuration keeps both clear of it.
pub fn schedule() -> String {
    format!(
        "cron({} {} ? * * *)",
        BACKUP_JOB_START_MINUTE_UTC % 60,
        BACKUP_JOB_START_MINUTE_UTC / 60
    )
}

/// The AWS managed policies of the backup role: back up and restore, nothing else.
pub const ROLE_POLICIES: [&str; 2] = [
    "service-role/AWSBackupServiceRolePolicyForBackup",
    "service-role/AWSBackupServiceRolePolicyForRestores",
];

/// How long recovery points are kept: [`PRODUCTION_RETENTION_DAYS`] in production, else the
/// database's own `backupRetentionDays`.
pub fn retention_days(config: &PlatformConfig) -> i64 {
    if is_production(&config.environment) {
        PRODUCTION_RETENTION_DAYS
    } else {
        config.backup_retention_days
    }
}

/// The tags of each recovery point: the stack's, without the migration phase (which would change
/// the plan at every phase change; a recovery point's date says when it was taken).
pub fn recovery_point_tags(config: &PlatformConfig) -> BTreeMap<String, String> {
    let mut tags = tags::default_tags(config);
    tags.remove(tags::PHASE_TAG);
    tags
}

/// What the backup tier built.
pub struct Backup {
    /// The vault in the stack's region.
    pub vault: Resource,
    /// The vault in the copy region.
    pub copy_vault: Resource,
}

/// A vault named by `kind` under `key_arn`, through `scope`'s provider; locked in production only.
fn locked_vault(
    scope: &Scope,
    parent: &Resource,
    kind: NameKind,
    key_arn: Output<String>,
) -> Resource {
    let config = &scope.config;
    let production = is_production(&config.environment);
    let name = config.naming.name(kind);
    let vault = register(
        &scope.ctx,
        &name,
        &VaultArgs {
            name: set(name.clone()),
            kms_key_arn: set(key_arn),
            force_destroy: set(!production),
            tags: set(tags::named(config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    if production {
        register(
            &scope.ctx,
            &config.naming.part_of(kind, "lock"),
            &VaultLockConfigurationArgs {
                backup_vault_name: set(vault.output::<String>("name")),
                changeable_for_days: set(LOCK_GRACE_DAYS),
                min_retention_days: set(PRODUCTION_RETENTION_DAYS),
                max_retention_days: set(LOCK_MAX_RETENTION_DAYS),
                ..Default::default()
            },
            scope.child_of(parent),
        );
    }
    vault
}

/// Builds the vaults, the copy region's provider and key, the plan, the role and the selection
/// of `database`.
pub fn build(scope: &Scope, account: &Account, keys: &Keys, database: &Resource) -> Backup {
    let config = &scope.config;
    let component = scope.component("payments:data:Backup", "backup");
    let copy_scope = Scope {
        provider: provider::aws(
            &scope.ctx,
            &config.naming.label("aws-backup-copy"),
            &config.backup_copy_region,
            &tags::default_tags(config),
            ResourceOptions::default(),
        ),
        ..scope.clone()
    };
    let copy_key = kms::key(
        &copy_scope,
        &component,
        "backup-copy",
        "Payments platform backup copies in the disaster-recovery region",
        kms::base_statements_policy(account, &keys.administrators),
        None,
    );
    let vault = locked_vault(
        scope,
        &component,
        NameKind::BackupVault,
        keys.data.output::<String>("arn"),
    );
    let copy_vault = locked_vault(
        &copy_scope,
        &component,
        NameKind::BackupCopyVault,
        copy_key.output::<String>("arn"),
    );
    let retention = retention_days(config);
    let plan_name = config.naming.name(NameKind::BackupPlan);
    let plan = register(
        &scope.ctx,
        &plan_name,
        &PlanArgs {
            name: set(plan_name.clone()),
            rules: Some(vec![PlanRuleArgs {
                rule_name: set("daily-database".to_owned()),
                target_vault_name: set(vault.output::<String>("name")),
                schedule: set(schedule()),
                start_window: set(i64::from(BACKUP_JOB_START_WINDOW_MINUTES)),
                completion_window: set(180),
                lifecycle: Some(PlanRuleLifecycleArgs {
                    delete_after: set(retention),
                    ..Default::default()
                }),
                copy_actions: Some(vec![PlanRuleCopyActionArgs {
                    destination_vault_arn: set(copy_vault.output::<String>("arn")),
                    lifecycle: Some(PlanRuleCopyActionLifecycleArgs {
                        delete_after: set(retention),
                        ..Default::default()
                    }),
                }]),
                recovery_point_tags: set(recovery_point_tags(config)),
                ..Default::default()
            }]),
            tags: set(tags::named(config, &plan_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    let (role, attachments) = iam::role(
        scope,
        &component,
        NameKind::BackupRole,
        "backup.amazonaws.com",
        &ROLE_POLICIES,
    );
    let selection_name = config.naming.name(NameKind::BackupSelection);
    register(
        &scope.ctx,
        &selection_name,
        &SelectionArgs {
            name: set(selection_name.clone()),
            plan_id: set(plan.id()),
            iam_role_arn: set(role.output::<String>("arn")),
            resources: set(Output::all([database.output::<String>("arn")])),
            ..Default::default()
        },
        scope.child_of(&component).with_depends_on(&attachments),
    );
    let mut outputs = PropertyMap::new();
    outputs.insert("vaultArn", vault.output::<String>("arn"));
    outputs.insert("copyVaultArn", copy_vault.output::<String>("arn"));
    scope.ctx.register_outputs(&component, outputs);
    Backup { vault, copy_vault }
}
