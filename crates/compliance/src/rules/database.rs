//! Database rules: the RDS instance and its parameter and option groups.

use pulumi_runtime::plan::PlanResource;

use crate::rule::Out;
use crate::tokens::{KMS_KEY, RDS_INSTANCE, RDS_OPTION_GROUP, RDS_PARAMETER_GROUP};
use crate::view::{Got, PlanView, Refs, Val, input};

/// The minimum backup retention (days) for point-in-time recovery.
pub const MIN_BACKUP_RETENTION_DAYS: i64 = 7;

/// The log types a MySQL or MariaDB instance must export.
pub const REQUIRED_LOG_EXPORTS: [&str; 3] = ["audit", "error", "slowquery"];

fn instances<'v, 'p>(view: &'v PlanView<'p>) -> &'v [&'p PlanResource] {
    view.of_type(RDS_INSTANCE)
}

/// Whether `property` resolves to a customer-managed key of the stack; `problem` says why not.
fn cmk(
    view: &PlanView<'_>,
    resource: &PlanResource,
    property: &str,
) -> Got<Result<(), &'static str>> {
    match view.refs(resource, property, &[KMS_KEY]) {
        Refs::Resolved(found) if !found.is_empty() => Got::Known(Ok(())),
        Refs::Resolved(_) => match input(resource, property).str() {
            Got::Known(v) if v.contains("alias/aws/") => Got::Known(Err(
                "is the AWS managed key, not the project's customer-managed key",
            )),
            _ => Got::Known(Err("is not a customer-managed KMS key of this stack")),
        },
        Refs::Absent => Got::Absent,
        Refs::Unknown => Got::Unknown,
    }
}

/// rds-encrypted-cmk.
pub(crate) fn rds_encrypted_cmk(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set storageEncrypted: true and kmsKeyId to the data key's ARN";
    for db in instances(view) {
        match input(db, "storageEncrypted").bool() {
            Got::Known(true) => {}
            Got::Unknown => {
                out.undecided(db, "storageEncrypted is unknown");
                continue;
            }
            _ => {
                out.fail(
                    db,
                    "stores data unencrypted (storageEncrypted is not true)",
                    fix,
                );
                continue;
            }
        }
        match cmk(view, db, "kmsKeyId") {
            Got::Known(Ok(())) => {}
            Got::Known(Err(why)) => out.fail(db, format!("kmsKeyId {why}"), fix),
            Got::Absent => out.fail(
                db,
                "is encrypted with the AWS managed key aws/rds, not the project's customer-managed key",
                fix,
            ),
            Got::Unknown => out.undecided(db, "kmsKeyId is unknown and has no recorded dependency"),
        }
    }
}

/// rds-multi-az.
pub(crate) fn rds_multi_az(view: &PlanView<'_>, out: &mut Out) {
    for db in instances(view) {
        match input(db, "multiAz").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(db, "multiAz is unknown"),
            _ => out.fail(
                db,
                "runs in a single availability zone (multiAz is not true)",
                "set multiAz: true for a synchronous standby in the second zone",
            ),
        }
    }
}

/// rds-not-public.
pub(crate) fn rds_not_public(view: &PlanView<'_>, out: &mut Out) {
    for db in instances(view) {
        match input(db, "publiclyAccessible").bool() {
            Got::Known(false) => {}
            Got::Known(true) => out.fail(
                db,
                "is publicly accessible",
                "set publiclyAccessible: false",
            ),
            Got::Absent => out.fail(
                db,
                "does not set publiclyAccessible explicitly",
                "set publiclyAccessible: false",
            ),
            Got::Unknown => out.undecided(db, "publiclyAccessible is unknown"),
        }
    }
}

/// rds-backups.
pub(crate) fn rds_backups(view: &PlanView<'_>, out: &mut Out) {
    let fix = format!(
        "set backupRetentionPeriod to at least {MIN_BACKUP_RETENTION_DAYS} days (point-in-time \
         recovery)"
    );
    for db in instances(view) {
        match input(db, "backupRetentionPeriod").int() {
            Got::Known(days) if days >= MIN_BACKUP_RETENTION_DAYS => {}
            Got::Known(days) => {
                out.fail(db, format!("keeps backups for {days} day(s)"), fix.clone())
            }
            Got::Absent => out.fail(db, "sets no backupRetentionPeriod", fix.clone()),
            Got::Unknown => out.undecided(db, "backupRetentionPeriod is unknown"),
        }
    }
}

/// The parameter group of `db`: `Known(Some)` a group of the stack, `Known(None)` the default
/// group, `Unknown` when it cannot be found.
fn parameter_group<'p>(view: &PlanView<'p>, db: &PlanResource) -> Got<Option<&'p PlanResource>> {
    match view.refs(db, "parameterGroupName", &[RDS_PARAMETER_GROUP]) {
        Refs::Resolved(found) => match found.first() {
            Some(group) => Got::Known(Some(group)),
            None => Got::Unknown,
        },
        Refs::Absent => Got::Known(None),
        Refs::Unknown => Got::Unknown,
    }
}

/// The value of parameter `name` in `group` (lowercased); unknown if it is not found but some
/// parameter's name is unknown.
fn parameter(group: &PlanResource, name: &str) -> Got<String> {
    match input(group, "parameters").items() {
        Got::Known(items) => {
            let mut unknown = false;
            for item in items {
                match item.get("name").str() {
                    Got::Known(n) if n == name => {
                        return item.get("value").str().map(str::to_ascii_lowercase);
                    }
                    Got::Unknown => unknown = true,
                    _ => {}
                }
            }
            if unknown { Got::Unknown } else { Got::Absent }
        }
        other => other.map(|_| String::new()),
    }
}

/// Whether an audit plugin option logs data access: its `SERVER_AUDIT_EVENTS` lists `QUERY_DML`
/// or `QUERY` (every query). Unset, the plugin logs every event type.
fn audits_data_access(plugins: &[Val<'_>]) -> Got<bool> {
    let mut unknown = false;
    for plugin in plugins {
        let settings = match plugin.get("optionSettings").items() {
            Got::Known(settings) => settings,
            Got::Absent => return Got::Known(true),
            Got::Unknown => {
                unknown = true;
                continue;
            }
        };
        let events = settings
            .iter()
            .find_map(|setting| match setting.get("name").str() {
                Got::Known("SERVER_AUDIT_EVENTS") => Some(setting.get("value").str()),
                _ => None,
            });
        match events {
            None | Some(Got::Absent) => return Got::Known(true),
            Some(Got::Known(events)) => {
                if events
                    .split(',')
                    .map(|e| e.trim().to_ascii_uppercase())
                    .any(|e| e == "QUERY_DML" || e == "QUERY")
                {
                    return Got::Known(true);
                }
            }
            Some(Got::Unknown) => unknown = true,
        }
    }
    if unknown {
        Got::Unknown
    } else {
        Got::Known(false)
    }
}

fn is_on(value: &Got<String>) -> Got<bool> {
    match value {
        Got::Known(v) => Got::Known(matches!(v.as_str(), "1" | "on" | "true")),
        Got::Absent => Got::Known(false),
        Got::Unknown => Got::Unknown,
    }
}

/// rds-logs.
pub(crate) fn rds_logs(view: &PlanView<'_>, out: &mut Out) {
    for db in instances(view) {
        match input(db, "engine").str() {
            Got::Known("mysql" | "mariadb") => {}
            Got::Known(engine) => {
                out.undecided(
                    db,
                    format!("the pack knows MySQL and MariaDB log types, not {engine}"),
                );
                continue;
            }
            Got::Absent => {}
            Got::Unknown => {
                out.undecided(db, "engine is unknown");
                continue;
            }
        }
        let mut problems = Vec::new();
        let mut fixes = Vec::new();
        match input(db, "enabledCloudwatchLogsExports").items() {
            Got::Known(items) => {
                let exported: Vec<&str> = items.iter().filter_map(|i| i.str().known()).collect();
                let missing: Vec<&str> = REQUIRED_LOG_EXPORTS
                    .iter()
                    .copied()
                    .filter(|log| !exported.contains(log))
                    .collect();
                if !missing.is_empty() && items.iter().any(|i| i.is_unknown()) {
                    out.undecided(db, "an entry of enabledCloudwatchLogsExports is unknown");
                } else if !missing.is_empty() {
                    problems.push(format!("does not export the {} log(s)", missing.join(", ")));
                    fixes.push("set enabledCloudwatchLogsExports: [audit, error, slowquery]");
                }
            }
            Got::Absent => {
                problems.push("exports no logs to CloudWatch".to_owned());
                fixes.push("set enabledCloudwatchLogsExports: [audit, error, slowquery]");
            }
            Got::Unknown => out.undecided(db, "enabledCloudwatchLogsExports is unknown"),
        }
        match view.refs(db, "optionGroupName", &[RDS_OPTION_GROUP]) {
            Refs::Resolved(groups) if !groups.is_empty() => {
                let mut unknown = false;
                let mut plugins = Vec::new();
                for group in &groups {
                    match input(group, "options").items() {
                        Got::Known(options) => {
                            for option in options {
                                match option.get("optionName").str() {
                                    Got::Known("MARIADB_AUDIT_PLUGIN") => plugins.push(option),
                                    Got::Unknown => unknown = true,
                                    _ => {}
                                }
                            }
                        }
                        Got::Unknown => unknown = true,
                        Got::Absent => {}
                    }
                }
                if plugins.is_empty() && unknown {
                    out.undecided(db, "the options of its option group are unknown");
                } else if plugins.is_empty() {
                    problems.push(format!(
                        "option group \"{}\" lacks MARIADB_AUDIT_PLUGIN, so there is no audit log",
                        groups[0].name
                    ));
                    fixes.push("add the option MARIADB_AUDIT_PLUGIN to the option group");
                } else {
                    match audits_data_access(&plugins) {
                        Got::Known(true) => {}
                        Got::Known(false) => {
                            problems.push(format!(
                                "the audit plugin of option group \"{}\" does not log data access \
                                 (SERVER_AUDIT_EVENTS has neither QUERY_DML nor QUERY)",
                                groups[0].name
                            ));
                            fixes.push(
                                "set SERVER_AUDIT_EVENTS to CONNECT,QUERY_DDL,QUERY_DCL,QUERY_DML",
                            );
                        }
                        _ => {
                            out.undecided(db, "SERVER_AUDIT_EVENTS of the audit plugin is unknown")
                        }
                    }
                }
            }
            Refs::Resolved(_) => out.undecided(db, "its option group is not part of this stack"),
            Refs::Absent => {
                problems
                    .push("uses the default option group, which has no audit plugin".to_owned());
                fixes.push("attach an option group with MARIADB_AUDIT_PLUGIN (optionGroupName)");
            }
            Refs::Unknown => out.undecided(db, "optionGroupName is unknown"),
        }
        match parameter_group(view, db) {
            Got::Known(Some(group)) => {
                match is_on(&parameter(group, "slow_query_log")) {
                    Got::Known(true) => {}
                    Got::Known(false) => {
                        problems.push(format!(
                            "parameter group \"{}\" leaves slow_query_log off",
                            group.name
                        ));
                        fixes.push("set slow_query_log=1 in the parameter group");
                    }
                    _ => out.undecided(db, "slow_query_log in the parameter group is unknown"),
                }
                // The general query log records every statement with its literal values, card
                // numbers included (PCI DSS 3.3): data access is logged by the audit plugin.
                match is_on(&parameter(group, "general_log")) {
                    Got::Known(false) => {}
                    Got::Known(true) => {
                        problems.push(format!(
                            "parameter group \"{}\" turns general_log on, which writes every \
                             statement with its values (card numbers) to the logs",
                            group.name
                        ));
                        fixes.push(
                            "set general_log=0; log data access with the audit plugin's QUERY_DML events",
                        );
                    }
                    _ => out.undecided(db, "general_log in the parameter group is unknown"),
                }
                if let Got::Known(output) = parameter(group, "log_output")
                    && output != "file"
                {
                    problems.push(format!(
                        "parameter group \"{}\" sets log_output {output}, so nothing reaches CloudWatch",
                        group.name
                    ));
                    fixes.push("set log_output=FILE");
                }
            }
            Got::Known(None) => {
                problems.push(
                    "uses the default parameter group, where slow_query_log is off".to_owned(),
                );
                fixes.push("attach a parameter group with slow_query_log=1 and general_log=0");
            }
            Got::Unknown | Got::Absent => {
                out.undecided(
                    db,
                    "its parameter group is unknown or not part of this stack",
                );
            }
        }
        if !problems.is_empty() {
            fixes.dedup();
            out.fail(db, problems.join("; "), fixes.join("; "));
        }
    }
}

/// rds-tls-only.
pub(crate) fn rds_tls_only(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set require_secure_transport=ON in the instance's parameter group";
    for db in instances(view) {
        match parameter_group(view, db) {
            Got::Known(Some(group)) => match is_on(&parameter(group, "require_secure_transport")) {
                Got::Known(true) => {}
                Got::Known(false) => out.fail(
                    db,
                    format!(
                        "accepts unencrypted connections: parameter group \"{}\" does not set \
                         require_secure_transport",
                        group.name
                    ),
                    fix,
                ),
                _ => out.undecided(db, "require_secure_transport is unknown"),
            },
            Got::Known(None) => out.fail(
                db,
                "accepts unencrypted connections: the default parameter group does not require TLS",
                fix,
            ),
            Got::Unknown | Got::Absent => {
                out.undecided(
                    db,
                    "its parameter group is unknown or not part of this stack",
                );
            }
        }
    }
}

/// rds-minor-upgrades.
pub(crate) fn rds_minor_upgrades(view: &PlanView<'_>, out: &mut Out) {
    for db in instances(view) {
        match input(db, "autoMinorVersionUpgrade").bool() {
            Got::Known(false) => out.fail(
                db,
                "does not take minor engine upgrades (autoMinorVersionUpgrade: false)",
                "set autoMinorVersionUpgrade: true (or leave it unset)",
            ),
            Got::Unknown => out.undecided(db, "autoMinorVersionUpgrade is unknown"),
            _ => {}
        }
    }
}

/// rds-secret-kms.
pub(crate) fn rds_secret_kms(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set manageMasterUserPassword: true with masterUserSecretKmsKeyId set to the data \
               key, or pass the password as a Pulumi secret";
    for db in instances(view) {
        match input(db, "manageMasterUserPassword").bool() {
            Got::Known(true) => {
                match cmk(view, db, "masterUserSecretKmsKeyId") {
                    Got::Known(Ok(())) => {}
                    Got::Known(Err(why)) => {
                        out.fail(db, format!("masterUserSecretKmsKeyId {why}"), fix);
                    }
                    Got::Absent => out.fail(
                        db,
                        "keeps the RDS-managed master secret under the AWS managed key \
                         aws/secretsmanager",
                        fix,
                    ),
                    Got::Unknown => out.undecided(db, "masterUserSecretKmsKeyId is unknown"),
                }
                continue;
            }
            Got::Unknown => {
                out.undecided(db, "manageMasterUserPassword is unknown");
                continue;
            }
            _ => {}
        }
        let passwords: Vec<_> = ["password", "passwordWo"]
            .iter()
            .map(|key| (*key, input(db, key)))
            .filter(|(_, val)| !val.is_absent())
            .collect();
        if passwords.is_empty() {
            let inherited = [
                "replicateSourceDb",
                "snapshotIdentifier",
                "restoreToPointInTime",
            ]
            .iter()
            .any(|key| !input(db, key).is_absent());
            if !inherited {
                out.fail(db, "configures no master credentials", fix);
            }
            continue;
        }
        for (key, val) in passwords {
            if !val.is_secret() {
                // The value itself never appears in a finding.
                out.fail(
                    db,
                    format!(
                        "the master {key} is a plaintext input, visible in the plan and the state"
                    ),
                    fix,
                );
            }
        }
    }
}
