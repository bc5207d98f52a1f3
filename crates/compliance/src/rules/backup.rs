//! Backups kept apart (PCI DSS 9.4, 12.10): every database is in an AWS Backup plan that copies
//! its recovery points to a vault in another region.

use pulumi_runtime::plan::PlanResource;

use crate::rule::Out;
use crate::tokens::{
    BACKUP_PLAN, BACKUP_SELECTION, BACKUP_VAULT, BACKUP_VAULT_LOCK, KMS_ALIAS, KMS_KEY,
    RDS_INSTANCE,
};
use crate::view::{Got, PlanView, Refs, input};

/// The only types a stack may deploy outside its region: the disaster-recovery copy of its
/// backups (a vault, its lock, its key and the key's alias).
pub const COPY_REGION_TYPES: [&str; 4] = [BACKUP_VAULT, BACKUP_VAULT_LOCK, KMS_KEY, KMS_ALIAS];

/// The region of a backup vault ARN literal (`arn:aws:backup:<region>:<account>:backup-vault:..`).
fn arn_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    (parts.len() > 5 && parts[2] == "backup").then(|| parts[3])
}

/// Whether `plan` copies its recovery points to a vault in a region other than `home`:
/// `Known(true)` if some rule's copy action leads there, `Unknown` if that depends on unknown
/// values.
fn copies_elsewhere(view: &PlanView<'_>, plan: &PlanResource, home: &str) -> Got<bool> {
    let Got::Known(rules) = input(plan, "rules").items() else {
        return Got::Unknown;
    };
    let mut answer = Got::Known(false);
    for rule in rules {
        let Got::Known(actions) = rule.get("copyActions").items() else {
            continue;
        };
        for action in actions {
            match action.get("destinationVaultArn").str() {
                Got::Known(arn) => {
                    if arn_region(arn).is_some_and(|region| region != home) {
                        return Got::Known(true);
                    }
                }
                Got::Unknown => {
                    // An output of a vault of the plan: the vaults the rules refer to tell where.
                    let vaults = match view.refs(plan, "rules", &[BACKUP_VAULT]) {
                        Refs::Resolved(vaults) => vaults,
                        _ => {
                            answer = Got::Unknown;
                            continue;
                        }
                    };
                    for vault in vaults {
                        match view.region_of(vault) {
                            Got::Known(region) if region != home => return Got::Known(true),
                            Got::Known(_) => {}
                            _ => answer = Got::Unknown,
                        }
                    }
                }
                Got::Absent => {}
            }
        }
    }
    answer
}

/// db-backup-cross-region.
pub(crate) fn db_backup_cross_region(view: &PlanView<'_>, out: &mut Out) {
    let fix = "select it (aws:backup/selection resources: its ARN) in an AWS Backup plan whose rule \
               copies each recovery point to a vault in another region";
    for db in view.of_type(RDS_INSTANCE) {
        let home = match view.region_of(db) {
            Got::Known(region) => region,
            Got::Absent => view.settings().region.as_str(),
            Got::Unknown => {
                out.undecided(db, "its region is unknown");
                continue;
            }
        };
        let mut selected = false;
        let mut answer = Got::Known(false);
        for selection in view.of_type(BACKUP_SELECTION) {
            match view.refs(selection, "resources", &[RDS_INSTANCE]) {
                Refs::Resolved(found) if found.iter().any(|r| r.urn == db.urn) => {}
                Refs::Unknown => {
                    answer = Got::Unknown;
                    continue;
                }
                _ => continue,
            }
            selected = true;
            let plans = match view.refs(selection, "planId", &[BACKUP_PLAN]) {
                Refs::Resolved(plans) => plans,
                _ => {
                    answer = Got::Unknown;
                    continue;
                }
            };
            for plan in plans {
                match copies_elsewhere(view, plan, home) {
                    Got::Known(true) => answer = Got::Known(true),
                    Got::Unknown if answer != Got::Known(true) => answer = Got::Unknown,
                    _ => {}
                }
            }
        }
        match answer {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(
                db,
                "whether its backup plan copies to another region depends on unknown values",
            ),
            _ if !selected => out.fail(
                db,
                "is in no AWS Backup plan, so no backup is kept apart from the instance",
                fix,
            ),
            _ => out.fail(
                db,
                format!("is backed up, but no plan copies its recovery points out of {home}"),
                fix,
            ),
        }
    }
}
