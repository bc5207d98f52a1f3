//! Issue 12, points 5 and 6: backups kept apart (AWS Backup with a cross-region copy through a
//! second explicit provider, vault lock in production only) and private access to AWS APIs (VPC
//! endpoints with policies, no NAT, no app egress to the internet), on the plans the program
//! sends; and the configurations the program refuses.

mod common;

use std::collections::BTreeSet;

use common::{
    deps, dev_plan, dev_yaml_with, json_text, named, of_type, outcome_of, outcome_of_yaml,
};
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::{Value, json};

const VAULT: &str = "aws:backup/vault:Vault";
const LOCK: &str = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const PLAN: &str = "aws:backup/plan:Plan";
const SELECTION: &str = "aws:backup/selection:Selection";
const PROVIDER: &str = "pulumi:providers:aws";
const KEY: &str = "aws:kms/key:Key";
const ENDPOINT: &str = "aws:ec2/vpcEndpoint:VpcEndpoint";
const ROLE: &str = "aws:iam/role:Role";
const ATTACHMENT: &str = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

fn prod_plan() -> Plan {
    outcome_of("prod", "Pulumi.prod.yaml", PlanMode::Preview).plan
}

/// The provider resource `resource` is created through.
fn provider_of<'a>(plan: &'a Plan, resource: &PlanResource) -> &'a PlanResource {
    let urn = resource
        .provider
        .rsplit_once("::")
        .map(|(urn, _)| urn)
        .expect("an explicit provider");
    plan.resource(urn).expect("the provider is in the plan")
}

// 5. Backup and DR -------------------------------------------------------------------------------

#[test]
fn the_database_is_backed_up_daily_and_copied_to_the_second_region() {
    for (plan, retention) in [(dev_plan(), 7), (prod_plan(), 35)] {
        let stack = plan.stack.clone();
        let vaults = of_type(&plan, VAULT);
        assert_eq!(vaults.len(), 2, "{stack}");
        let (home, copy): (Vec<&PlanResource>, Vec<&PlanResource>) = vaults
            .into_iter()
            .partition(|v| provider_of(&plan, v).inputs["region"] == "us-east-1");
        let (home, copy) = (home[0], copy[0]);
        // The copy goes through a second explicit provider in the copy region (default us-west-2),
        // with the stack's default tags, under a rotating key of that region.
        let copy_provider = provider_of(&plan, copy);
        assert_eq!(copy_provider.inputs["region"], "us-west-2", "{stack}");
        assert_eq!(
            copy_provider.inputs["defaultTags"],
            provider_of(&plan, home).inputs["defaultTags"]
        );
        let copy_key: Vec<&PlanResource> = of_type(&plan, KEY)
            .into_iter()
            .filter(|k| deps(copy, "kmsKeyArn").contains(k.urn.as_str()))
            .collect();
        assert_eq!(copy_key.len(), 1, "{stack}: the copy vault's key");
        assert_eq!(provider_of(&plan, copy_key[0]).urn, copy_provider.urn);
        assert_eq!(copy_key[0].inputs["enableKeyRotation"], true);
        // The home vault is under the data key.
        let data_key = named(&plan, KEY, &format!("kms-data-{}", suffix(&stack)));
        assert_eq!(
            deps(home, "kmsKeyArn"),
            BTreeSet::from([data_key.urn.as_str()])
        );
        // One daily rule into the home vault, kept `retention` days, copied to the copy vault
        // and kept as long there.
        let backup_plan = of_type(&plan, PLAN)[0];
        let rules = backup_plan.inputs["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), 1);
        let rule = &rules[0];
        assert_eq!(rule["schedule"], "cron(0 6 ? * * *)");
        assert_eq!(rule["lifecycle"]["deleteAfter"], retention, "{stack}");
        assert_eq!(
            rule["copyActions"][0]["lifecycle"]["deleteAfter"], retention,
            "{stack}"
        );
        assert!(deps(backup_plan, "rules").contains(home.urn.as_str()));
        assert!(deps(backup_plan, "rules").contains(copy.urn.as_str()));
        assert!(
            rule["recoveryPointTags"].get("MigrationPhase").is_none(),
            "a phase change must not change the plan"
        );
        // The selection: exactly the database, through the backup role.
        let selection = of_type(&plan, SELECTION)[0];
        let db = of_type(&plan, "aws:rds/instance:Instance")[0];
        assert_eq!(
            deps(selection, "resources"),
            BTreeSet::from([db.urn.as_str()])
        );
        assert_eq!(
            deps(selection, "planId"),
            BTreeSet::from([backup_plan.urn.as_str()])
        );
        let role = named(&plan, ROLE, &format!("role-backup-{}", suffix(&stack)));
        assert_eq!(
            deps(selection, "iamRoleArn"),
            BTreeSet::from([role.urn.as_str()])
        );
        assert_eq!(
            json_text(role, "assumeRolePolicy")["Statement"][0]["Principal"]["Service"],
            "backup.amazonaws.com"
        );
        let attached: BTreeSet<&str> = of_type(&plan, ATTACHMENT)
            .into_iter()
            .filter(|a| deps(a, "role").contains(role.urn.as_str()))
            .filter_map(|a| a.inputs["policyArn"].as_str())
            .collect();
        assert_eq!(
            attached,
            BTreeSet::from([
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
            ])
        );
        // Only the copy vault, its key and alias use the copy region's provider.
        for resource in plan
            .resources
            .iter()
            .filter(|r| r.custom && !r.provider.is_empty())
        {
            if provider_of(&plan, resource).urn == copy_provider.urn {
                assert!(
                    [VAULT, KEY, "aws:kms/alias:Alias", LOCK].contains(&resource.ty.as_str()),
                    "{stack}: {} {} in the copy region",
                    resource.ty,
                    resource.name
                );
            }
        }
    }
}

/// The `<env>-<suffix>` of the example stacks.
fn suffix(stack: &str) -> &'static str {
    if stack == "prod" {
        "prod-p01"
    } else {
        "dev-a1b2"
    }
}

#[test]
fn vaults_are_locked_in_production_only_and_test_stacks_destroy_them() {
    let dev = dev_plan();
    assert!(
        of_type(&dev, LOCK).is_empty(),
        "no vault lock outside production"
    );
    for vault in of_type(&dev, VAULT) {
        assert_eq!(vault.inputs["forceDestroy"], true, "{}", vault.name);
    }
    let prod = prod_plan();
    let locks = of_type(&prod, LOCK);
    assert_eq!(locks.len(), 2, "both production vaults are locked");
    for vault in of_type(&prod, VAULT) {
        assert_eq!(vault.inputs["forceDestroy"], false, "{}", vault.name);
        let lock = locks
            .iter()
            .find(|l| deps(l, "backupVaultName").contains(vault.urn.as_str()))
            .unwrap_or_else(|| panic!("{} has no lock", vault.name));
        // Compliance mode (a grace period), no recovery point kept less than the plan's 35 days.
        assert_eq!(lock.inputs["changeableForDays"], 3);
        assert_eq!(lock.inputs["minRetentionDays"], 35);
        assert_eq!(lock.inputs["maxRetentionDays"], 365);
        // The lock goes through the vault's own provider (a lock is regional).
        assert_eq!(provider_of(&prod, lock).urn, provider_of(&prod, vault).urn);
    }
}

#[test]
fn the_copy_region_is_configurable_and_never_the_stacks_own() {
    let west = dev_yaml_with(|y| y + "  payments-platform:backupCopyRegion: eu-central-1\n");
    let plan = outcome_of_yaml(&west, PlanMode::Preview)
        .expect("valid")
        .plan;
    let regions: BTreeSet<&str> = of_type(&plan, PROVIDER)
        .iter()
        .filter_map(|p| p.inputs["region"].as_str())
        .collect();
    assert_eq!(regions, BTreeSet::from(["eu-central-1", "us-east-1"]));
    for (value, problem) in [
        ("us-east-1", "is the stack's own region"),
        ("west", "is not an AWS region name"),
        ("US-WEST-2", "is not an AWS region name"),
    ] {
        let yaml =
            dev_yaml_with(|y| y + &format!("  payments-platform:backupCopyRegion: {value}\n"));
        let err = outcome_of_yaml(&yaml, PlanMode::Preview).expect_err("refused");
        assert!(
            err.contains("payments-platform:backupCopyRegion")
                && err.contains(value)
                && err.contains(problem),
            "{err}"
        );
    }
}

#[test]
fn the_database_windows_are_valid_for_rds_and_clear_of_the_backup_job() {
    // Neither key is in the dev stack file: each case adds one.
    let refused = |key: &str, value: &str| {
        let yaml = dev_yaml_with(|y| y + &format!("  payments-platform:{key}: \"{value}\"\n"));
        outcome_of_yaml(&yaml, PlanMode::Preview).expect_err("refused")
    };
    for (key, value, problem) in [
        // The AWS Backup job may start 06:00-07:00 UTC.
        ("backupWindow", "05:30-06:30", "06:00-07:00 UTC"),
        ("backupWindow", "23:00-07:00", "06:00-07:00 UTC"),
        // No RDS backup starts during a maintenance window or in the hour before it.
        (
            "maintenanceWindow",
            "mon:07:30-mon:08:00",
            "06:00-08:00 UTC",
        ),
        (
            "maintenanceWindow",
            "mon:06:30-mon:07:30",
            "06:00-08:00 UTC",
        ),
        // RDS: at least 30 minutes, and well formed.
        ("backupWindow", "02:00-02:20", "shorter than 30 minutes"),
        (
            "backupWindow",
            "3am",
            "is not a UTC time window (HH:MM-HH:MM)",
        ),
        (
            "maintenanceWindow",
            "sunday",
            "is not a UTC time window (ddd:HH:MM-ddd:HH:MM)",
        ),
        // RDS: the backup window may not meet the maintenance window.
        (
            "backupWindow",
            "04:00-05:00",
            "overlaps maintenanceWindow sun:04:30-sun:05:30",
        ),
    ] {
        let err = refused(key, value);
        assert!(
            err.contains(&format!("payments-platform:{key}"))
                && err.contains(value)
                && err.contains(problem),
            "{key} {value}: {err}"
        );
    }
    let yaml = dev_yaml_with(|y| y + "  payments-platform:backupWindow: \"08:00-09:00\"\n");
    assert!(
        outcome_of_yaml(&yaml, PlanMode::Preview).is_ok(),
        "a window after the job is fine"
    );
}

#[test]
fn backups_and_endpoints_stay_in_organization_mode() {
    let yaml = dev_yaml_with(|y| {
        y + "  payments-platform:accountControls: organization\n  payments-platform:organizationTrailArn: arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail\n  payments-platform:securityAdminAccountId: \"444455556666\"\n"
    });
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert_eq!(of_type(&plan, VAULT).len(), 2);
    assert_eq!(of_type(&plan, SELECTION).len(), 1);
    assert_eq!(of_type(&plan, ENDPOINT).len(), 9);
}

/// The restore runbook: its commands, and every name it uses is one the dev stack has.
#[test]
fn the_restore_runbook_names_what_the_stack_has() {
    let runbook =
        std::fs::read_to_string(common::root().join("docs/migration.md")).expect("runbook");
    for command in [
        "aws rds restore-db-instance-to-point-in-time",
        "aws rds modify-db-instance --db-instance-identifier mysql-dev-a1b2",
        "aws backup list-recovery-points-by-backup-vault --backup-vault-name \"$VAULT\"",
        "aws backup get-recovery-point-restore-metadata",
        "aws backup start-restore-job",
        "aws backup list-recovery-points-by-backup-vault --region us-west-2",
        "pulumi stack output backupVaultName",
        "pulumi refresh",
    ] {
        assert!(runbook.contains(command), "the runbook lacks {command:?}");
    }
    let plan = dev_plan();
    let names: BTreeSet<String> = plan
        .resources
        .iter()
        .flat_map(|r| {
            ["name", "identifier", "bucket"]
                .iter()
                .filter_map(|k| r.inputs.get(*k).and_then(Value::as_str))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    for name in [
        "mysql-dev-a1b2",
        "dbsubnets-dev-a1b2",
        "dbparams-dev-a1b2",
        "dboptions-dev-a1b2",
        "secgroup-db-dev-a1b2",
        "backup-vault-dev-a1b2",
        "backup-vault-copy-dev-a1b2",
        "role-backup-dev-a1b2",
    ] {
        assert!(runbook.contains(name), "the runbook does not use {name}");
        assert!(names.contains(name), "the dev stack has no {name}");
    }
    assert!(plan.outputs.contains_key("backupVaultName"));
    assert!(plan.outputs.contains_key("backupCopyVaultArn"));
}

// 6. Private access to AWS APIs ------------------------------------------------------------------

/// The services of the interface endpoints, by the last part of their service name.
const INTERFACE_SERVICES: [&str; 8] = [
    "ec2messages",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "ssm",
    "ssmmessages",
    "sts",
];

#[test]
fn interface_endpoints_serve_every_api_the_instances_call_from_the_app_subnets() {
    let plan = dev_plan();
    let app_subnets: BTreeSet<&str> = of_type(&plan, "aws:ec2/subnet:Subnet")
        .iter()
        .filter(|s| s.name.starts_with("subnet-app-"))
        .map(|s| s.urn.as_str())
        .collect();
    let group = named(
        &plan,
        "aws:ec2/securityGroup:SecurityGroup",
        "secgroup-endpoints-dev-a1b2",
    );
    let mut services = BTreeSet::new();
    for endpoint in of_type(&plan, ENDPOINT)
        .into_iter()
        .filter(|e| e.inputs["vpcEndpointType"] == "Interface")
    {
        let service = endpoint.inputs["serviceName"]
            .as_str()
            .and_then(|n| n.strip_prefix("com.amazonaws.us-east-1."))
            .expect("a service of the region");
        services.insert(service);
        assert_eq!(endpoint.inputs["privateDnsEnabled"], true, "{service}");
        assert_eq!(deps(endpoint, "subnetIds"), app_subnets, "{service}");
        assert_eq!(
            deps(endpoint, "securityGroupIds"),
            BTreeSet::from([group.urn.as_str()])
        );
        // A boundary for this account's principals (and resources, where calls name one).
        let policy = json_text(endpoint, "policy");
        let first = &policy["Statement"][0];
        assert_eq!(
            first["Condition"]["StringEquals"]["aws:PrincipalAccount"],
            "123456789012"
        );
        let principal_only = ["ssmmessages", "ec2messages", "monitoring", "sts"].contains(&service);
        assert_eq!(
            first["Condition"]["StringEquals"]
                .get("aws:ResourceAccount")
                .is_none(),
            principal_only,
            "{service}"
        );
        let prefix = if service == "monitoring" {
            "cloudwatch"
        } else {
            service
        };
        assert_eq!(first["Action"], format!("{prefix}:*"));
        for statement in policy["Statement"].as_array().expect("statements") {
            assert_eq!(statement["Effect"], "Allow");
            assert!(
                statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == "123456789012",
                "{service}: every statement is for this account's principals: {statement}"
            );
        }
    }
    assert_eq!(services, BTreeSet::from(INTERFACE_SERVICES));
}

#[test]
fn the_s3_gateway_serves_the_private_route_tables_and_only_named_aws_buckets() {
    let plan = dev_plan();
    let gateway = named(&plan, ENDPOINT, "vpce-s3-dev-a1b2");
    assert_eq!(gateway.inputs["vpcEndpointType"], "Gateway");
    let private_tables: BTreeSet<&str> = of_type(&plan, "aws:ec2/routeTable:RouteTable")
        .iter()
        .filter(|t| t.name.starts_with("rt-app-") || t.name.starts_with("rt-db-"))
        .map(|t| t.urn.as_str())
        .collect();
    assert_eq!(private_tables.len(), 4);
    assert_eq!(deps(gateway, "routeTableIds"), private_tables);
    let policy = json_text(gateway, "policy");
    let statements = policy["Statement"].as_array().expect("statements");
    assert_eq!(
        statements[0]["Condition"]["StringEquals"],
        json!({"aws:PrincipalAccount": "123456789012", "aws:ResourceAccount": "123456789012"})
    );
    // The anonymous reads: object reads of named AWS buckets only, the package repositories first.
    let anonymous = &statements[1];
    assert_eq!(anonymous["Action"], "s3:GetObject");
    let buckets: Vec<&str> = anonymous["Resource"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(buckets.contains(&"arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*"));
    assert!(buckets.contains(&"arn:aws:s3:::amazon-ssm-us-east-1/*"));
    for bucket in buckets {
        assert!(
            bucket.ends_with("/*") && !bucket.contains("*/") && bucket.matches('*').count() == 1,
            "{bucket}"
        );
    }
    assert_eq!(statements.len(), 2);
}

#[test]
fn the_instances_install_from_repositories_the_gateway_admits() {
    // The user data installs with dnf from the Amazon Linux 2023 repositories, which the S3
    // gateway's policy names: the one internet dependency the instances had, now private.
    let plan = dev_plan();
    let template = of_type(&plan, "aws:ec2/launchTemplate:LaunchTemplate")[0];
    let user_data = template.inputs["userData"].as_str().expect("user data");
    let script = {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(user_data)
            .expect("base64 user data");
        String::from_utf8(bytes).expect("utf-8")
    };
    assert!(script.contains("dnf install"), "{script}");
    let ami = plan.invokes.iter().any(|i| {
        i.token == "aws:ssm/getParameter:getParameter"
            && Value::Object(i.args.clone()).to_string().contains("al2023")
    });
    assert!(ami, "the instances run Amazon Linux 2023");
}
