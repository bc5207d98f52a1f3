//! The payment platform program: the tiers in dependency order, each a component resource, and
//! the stack exports.

use payments_aws::args::invoke;
use payments_aws::elb::GetServiceAccountArgs;
use payments_aws::index::{GetCallerIdentityArgs, GetPartitionArgs};
use payments_aws::provider;
use payments_aws::secretsmanager::GetRandomPasswordArgs;
use pulumi_runtime::{Context, Output, PropertyMap, Resource, ResourceOptions};
use serde_json::Value;

use crate::account::AccountControls;
use crate::config::PlatformConfig;
use crate::config::migration::FrontDoor;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::{self, Account};
use crate::tiers::migration::{Migration, connectivity, replication, traffic};
use crate::tiers::network::{self, Tier};
use crate::tiers::{
    audit, backup, certificate, compute, database, endpoints, iam, loadbalancer, operations,
    posture, security, storage, threat,
};

fn text(answer: &serde_json::Map<String, Value>, key: &str, what: &str) -> Result<String, String> {
    answer
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{what} did not return `{key}`"))
}

async fn account(ctx: &Context, provider: &Resource) -> Result<Account, String> {
    let identity = invoke(ctx, &GetCallerIdentityArgs::default(), provider).await?;
    let partition = invoke(ctx, &GetPartitionArgs::default(), provider).await?;
    Ok(Account {
        id: text(&identity, "accountId", "getCallerIdentity")?,
        partition: text(&partition, "partition", "getPartition")?,
    })
}

/// A generated password for the RDS replication user, from Secrets Manager (a secret; the secret
/// version keeps the first one, see `replication`).
async fn replication_password(
    ctx: &Context,
    provider: &Resource,
) -> Result<Output<String>, String> {
    let args = GetRandomPasswordArgs {
        password_length: set(32),
        exclude_punctuation: set(true),
        require_each_included_type: set(true),
        ..Default::default()
    };
    let answer = invoke(ctx, &args, provider).await?;
    // The provider marks the password secret; it stays secret here either way.
    let password = answer
        .get("randomPassword")
        .and_then(|value| pulumi_runtime::wire::decode(value).value)
        .and_then(|value| value.as_str().map(str::to_owned))
        .ok_or_else(|| "getRandomPassword did not return `randomPassword`".to_owned())?;
    Ok(Output::secret(password))
}

/// Builds the whole platform and returns the stack exports.
pub async fn build(ctx: Context, config: PlatformConfig) -> Result<PropertyMap, String> {
    let provider = provider::aws(
        &ctx,
        &config.naming.label("aws"),
        &config.region,
        &tags::default_tags(&config),
        ResourceOptions::default(),
    );
    let scope = Scope {
        ctx: ctx.clone(),
        config,
        provider,
    };
    let account = account(&ctx, &scope.provider).await?;
    let elb = invoke(&ctx, &GetServiceAccountArgs::default(), &scope.provider).await?;
    let elb_account_arn = text(&elb, "arn", "getServiceAccount")?;
    let keys = kms::build(&scope, &account);
    let storage = storage::build(&scope, &keys, &account, &elb_account_arn);
    let network = network::build(&scope, storage.logs.resource.output::<String>("arn")).await?;
    let migration = Migration::of(&scope.config);
    let vpn = migration.and_then(|migration| connectivity::build(&scope, &network, migration));
    let endpoints = endpoints::build(&scope, &network, &account);
    let groups = security::build(&scope, &network, migration);
    endpoints::allow(&scope, &endpoints.component, &endpoints, &groups.app, "app");
    endpoints::allow_s3(&scope, &endpoints.component, &endpoints, &groups.app, "app");
    let identity = iam::build(
        &scope,
        &account,
        &storage,
        &keys,
        &compute::app_log_group_name(&scope),
    );
    let certificate_arn = certificate::build(&scope);
    let traffic = traffic::component(&scope, migration);
    let on_prem = traffic::on_prem_targets(&scope, traffic.as_ref(), &network, migration);
    let edge = loadbalancer::build(
        &scope,
        &network,
        &groups,
        &storage,
        &keys,
        certificate_arn.clone(),
        on_prem.as_ref(),
    );
    traffic::records(&scope, traffic.as_ref(), &edge.alb, migration);
    let app = compute::build(&scope, &network, &groups, &identity, &keys, &edge).await?;
    let database = database::build(&scope, &network, &groups, &identity, &keys);
    let backup = backup::build(&scope, &account, &keys, &database.instance);
    let replication = match migration.filter(|m| replication::exists(*m)) {
        Some(migration) => {
            let inputs = replication::Inputs {
                network: &network,
                groups: &groups,
                keys: &keys,
                account: &account,
                database: &database.instance,
                vpn: vpn.as_ref(),
                endpoints: &endpoints,
                rds_replication_password: replication_password(&ctx, &scope.provider).await?,
            };
            replication::build(&scope, &inputs, migration)
        }
        None => None,
    };
    let topic = operations::build(&scope, &keys, &edge, replication.as_ref());
    if scope.config.account_controls.creates() {
        let audit = audit::build(&scope, &account, &keys.administrators, &storage, &topic);
        threat::build(&scope, &account, &topic);
        posture::build(&scope, &account, &audit);
    }

    Ok(exports(
        &scope.config,
        &Built {
            network: &network,
            storage: &storage,
            keys: &keys,
            edge: &edge,
            certificate_arn,
            app: &app,
            database: &database,
            backup: &backup,
            replication: replication.as_ref(),
        },
    ))
}

/// What the tiers built that the stack exports.
struct Built<'a> {
    network: &'a network::Network,
    storage: &'a storage::Storage,
    keys: &'a kms::Keys,
    edge: &'a loadbalancer::Edge,
    certificate_arn: Output<String>,
    app: &'a compute::AppTier,
    database: &'a database::Database,
    backup: &'a backup::Backup,
    replication: Option<&'a replication::Replication>,
}

/// The stack exports: ids, names and endpoints a deployment or an operator needs, the migration
/// summary, the key ARNs.
fn exports(config: &PlatformConfig, built: &Built<'_>) -> PropertyMap {
    let Built {
        network,
        storage,
        keys,
        edge,
        app,
        database,
        backup,
        replication,
        ..
    } = *built;
    let mut exports = PropertyMap::new();
    exports.insert("vpcId", network.vpc.id());
    for tier in Tier::ALL {
        exports.insert(
            &format!("{}SubnetIds", tier_key(tier)),
            network.subnet_ids(tier),
        );
    }
    exports.insert(
        "logBucketName",
        storage.logs.resource.output::<String>("bucket"),
    );
    exports.insert(
        "staticBucketName",
        storage.static_content.resource.output::<String>("bucket"),
    );
    exports.insert(
        "albLogBucketName",
        storage.alb_logs.resource.output::<String>("bucket"),
    );
    exports.insert("albDnsName", edge.alb.output::<String>("dnsName"));
    exports.insert("targetGroupArn", edge.target_group.output::<String>("arn"));
    exports.insert("certificateArn", built.certificate_arn.clone());
    exports.insert("autoScalingGroupName", app.group.output::<String>("name"));
    exports.insert(
        "rdsEndpoint",
        database.instance.output::<String>("endpoint"),
    );
    exports.insert(
        "dbMasterUserSecrets",
        database
            .instance
            .output::<serde_json::Value>("masterUserSecrets")
            .into_secret(),
    );
    exports.insert("backupVaultName", backup.vault.output::<String>("name"));
    exports.insert(
        "backupCopyVaultArn",
        backup.copy_vault.output::<String>("arn"),
    );
    exports.insert("migration", migration_summary(config, replication));
    exports.insert("dataKeyArn", keys.data.output::<String>("arn"));
    exports.insert("computeKeyArn", keys.compute.output::<String>("arn"));
    exports.insert(
        "accountControls",
        account_controls_summary(&config.account_controls),
    );
    exports
}

/// Who provides the account-level controls, for the stack outputs and the compliance pack (which
/// reports the controls as waived with this evidence in `organization` mode).
fn account_controls_summary(controls: &AccountControls) -> Value {
    match controls {
        AccountControls::Create => serde_json::json!({"mode": "create"}),
        AccountControls::Organization(evidence) => serde_json::json!({
            "mode": "organization",
            "organizationTrailArn": evidence.trail_arn,
            "securityAdminAccountId": evidence.security_admin_account_id,
            "evidence": evidence.describe(),
        }),
    }
}

fn tier_key(tier: Tier) -> &'static str {
    match tier {
        Tier::Public => "public",
        Tier::App => "app",
        Tier::Data => "database",
    }
}

/// The migration state for the stack outputs and the preview summary.
fn migration_summary(
    config: &PlatformConfig,
    replication: Option<&replication::Replication>,
) -> Value {
    let phase = config.migration_phase;
    match Migration::of(config) {
        None => serde_json::json!({"phase": phase.as_str(), "configured": false}),
        Some(migration) => serde_json::json!({
            "phase": phase.as_str(),
            "configured": true,
            "awsTrafficWeight": migration.aws_weight(),
            "onPremTrafficWeight": 100 - migration.aws_weight(),
            "frontDoor": match migration.settings.front_door {
                FrontDoor::Onprem => "onprem",
                FrontDoor::Alb => "alb",
            },
            "publicRecordAdopted": migration.settings.record_adopted(),
            "onPremCidrs": migration.settings.on_prem_cidrs,
            "vpn": phase.has_vpn(),
            "weightedTraffic": phase.has_weighted_traffic(),
            "replicationTasks": replication
                .map(|r| r.tasks.iter().map(|task| task.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default(),
            "startedTasks": replication
                .map(|r| {
                    r.tasks
                        .iter()
                        .filter(|task| match task.direction {
                            "forward" => migration.settings.forward.start,
                            _ => migration.settings.reverse.start,
                        })
                        .map(|task| task.id.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
            "rdsBinlogRetention": replication::binlog_retention_statement(
                migration.settings.binlog_retention_hours
            ),
        }),
    }
}
