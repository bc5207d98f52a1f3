//! The platform's configuration: every environment-specific value, read from the stack config
//! under the `payments-platform:` namespace, validated, with every problem reported together
//! before anything is registered.

use pulumi_runtime::{Config, ConfigErrors, Output};

use crate::account::{self, AccountControls};
use crate::naming::Naming;
use crate::reader::{Expected, Reader, shown};
use migration::MigrationSettings;
use serde_json::Value;

pub mod migration;

/// CIDR parsing, shared with the `migration` object's checks.
pub use crate::reader::parse_cidr;
/// The migration phase, defined with what each phase has in [`migration`].
pub use migration::MigrationPhase;

/// The Pulumi project name, which is also the config namespace.
pub const PROJECT: &str = "payments-platform";

/// The strongest ALB TLS policies accepted (TLS 1.2+ with forward secrecy, or TLS 1.3 only).
pub const ACCEPTED_TLS_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

/// Retention periods CloudWatch Logs accepts, in days.
pub const LOG_RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Whether the stack creates an account-level resource (a service-linked role, the Session Manager
/// preferences) or uses the one the account has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountLevel {
    /// The stack creates it (a fresh account, where it does not exist yet).
    Create,
    /// The account already has it, managed elsewhere.
    Existing,
}

impl Expected for AccountLevel {
    fn expected() -> String {
        "one of `create`, `existing`".to_owned()
    }

    fn choices() -> &'static [&'static str] {
        &["create", "existing"]
    }
}

/// How the HTTPS certificate is obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateSource {
    /// An existing ACM certificate (`certificateArn`).
    Existing(String),
    /// A new ACM certificate validated through DNS in a Route 53 zone.
    DnsValidated {
        /// The certificate's domain name.
        domain_name: String,
        /// The Route 53 hosted zone for the validation records.
        hosted_zone_id: String,
    },
    /// A self-signed certificate imported into ACM (test stacks only).
    SelfSigned,
}

/// Target group health check settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// HTTP path probed.
    pub path: String,
    /// Seconds between probes.
    pub interval: i64,
    /// Consecutive successes to become healthy.
    pub healthy_threshold: i64,
    /// Consecutive failures to become unhealthy.
    pub unhealthy_threshold: i64,
    /// Accepted HTTP status codes.
    pub matcher: String,
}

/// The typed, validated configuration.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    /// Environment name (`dev`, `staging`, `prod` ...), in tags and names.
    pub environment: String,
    /// Suffix that makes physical names unique.
    pub environment_suffix: String,
    /// Cost allocation tag.
    pub cost_center: String,
    /// Migration phase, in the MigrationPhase tag.
    pub migration_phase: MigrationPhase,
    /// AWS region.
    pub region: String,
    /// VPC CIDR block.
    pub vpc_cidr: String,
    /// Availability zones to use (first two of getAvailabilityZones when empty).
    pub availability_zones: Vec<String>,
    /// CIDRs allowed to reach the ALB.
    pub allowed_ingress_cidrs: Vec<String>,
    /// Managed prefix lists allowed to reach the ALB.
    pub allowed_prefix_list_ids: Vec<String>,
    /// EC2 instance type.
    pub instance_type: String,
    /// AMI id; when unset, the latest Amazon Linux 2023 from the SSM public parameter.
    pub ami_id: Option<String>,
    /// Port the application listens on.
    pub app_port: i64,
    /// ASG minimum size (2-6).
    pub asg_min_size: i64,
    /// ASG maximum size (2-6).
    pub asg_max_size: i64,
    /// ASG desired capacity (between min and max).
    pub asg_desired_capacity: i64,
    /// Target CPU utilisation for the scaling policy.
    pub cpu_target_percent: f64,
    /// ALB TLS policy.
    pub tls_policy: String,
    /// Target group health check.
    pub health_check: HealthCheck,
    /// Certificate source.
    pub certificate: CertificateSource,
    /// RDS instance class.
    pub db_instance_class: String,
    /// RDS MySQL engine version.
    pub db_engine_version: String,
    /// RDS allocated storage in GiB.
    pub db_allocated_storage: i64,
    /// Whether the stack creates `AWSServiceRoleForAutoScaling`, which the compute key's policy
    /// names (KMS refuses a key policy naming a principal that does not exist).
    pub autoscaling_service_role: AccountLevel,
    /// The IAM principals (ARNs) that administer the keys (the deploying role among them) and
    /// never use them; key use is granted apart, to the services and roles that need it. `None`:
    /// the account root administers them (warned).
    pub key_administrators: Option<Vec<String>>,
    /// Whether the stack creates the account's Session Manager preferences (the
    /// `SSM-SessionManagerRunShell` document): sessions encrypted with the compute key and logged
    /// to an encrypted log group.
    pub session_manager_preferences: AccountLevel,
    /// Master user name (break-glass administration only).
    pub db_username: String,
    /// The application's database user, authenticated with IAM database authentication.
    pub db_app_username: String,
    /// Master password from config (secret); `None` means RDS manages it in Secrets Manager.
    pub db_password: Option<Output<String>>,
    /// Automated backup retention in days (>= 7).
    pub backup_retention_days: i64,
    /// The region AWS Backup copies every recovery point of the database to (disaster recovery).
    pub backup_copy_region: String,
    /// Daily backup window (UTC).
    pub backup_window: String,
    /// Weekly maintenance window (UTC).
    pub maintenance_window: String,
    /// Skip the final snapshot on destroy (test stacks).
    pub skip_final_snapshot: bool,
    /// CloudWatch log retention in days.
    pub log_retention_days: i64,
    /// Days before objects move to infrequent access.
    pub lifecycle_transition_days: i64,
    /// Days before noncurrent object versions expire.
    pub noncurrent_version_expiration_days: i64,
    /// The migration from the data center (`None`: no hybrid resources).
    pub migration: Option<MigrationSettings>,
    /// Who provides the account-level controls (audit trail, threat detection).
    pub account_controls: AccountControls,
    /// Derived physical names.
    pub naming: Naming,
}

/// Whether `environment` names production (stricter checks, Multi-AZ replication).
pub fn is_production(environment: &str) -> bool {
    matches!(environment, "prod" | "production")
}

/// Whether `text` is the ARN of an IAM role or user (`arn:<partition>:iam::<account>:role/...`).
pub fn is_iam_principal_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            !partition.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && (resource.starts_with("role/") || resource.starts_with("user/"))
                && resource.len() > 5
                && !resource.contains('*')
        }
        _ => false,
    }
}

/// Whether `text` is a MySQL user name the platform accepts: 1-32 ASCII letters, digits or
/// underscores, starting with a letter.
pub fn is_mysql_user(text: &str) -> bool {
    (1..=32).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// When the daily AWS Backup job of the database may start: 06:00 UTC, and within an hour. AWS
/// Backup starts no RDS backup during the maintenance window or in the hour before it, so
/// the configuration loader keeps the RDS windows clear of it.
pub const BACKUP_JOB_START_MINUTE_UTC: u32 = 6 * 60;
/// The AWS Backup start window, in minutes.
pub const BACKUP_JOB_START_WINDOW_MINUTES: u32 = 60;

/// The minutes of the day a `HH:MM-HH:MM` window covers (RDS `backupWindow`; a
/// `ddd:HH:MM-ddd:HH:MM` maintenance window is read by its times), as one or two ranges when it
/// wraps around midnight. `None` if it is not such a window.
pub fn window_ranges(text: &str) -> Option<Vec<(u32, u32)>> {
    // `HH:MM`, or `ddd:HH:MM`: the last two fields are the time.
    let minute = |part: &str| -> Option<u32> {
        let fields: Vec<&str> = part.split(':').collect();
        let [.., hours, minutes] = fields.as_slice() else {
            return None;
        };
        let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return None;
        }
        let (h, m) = (hours.parse::<u32>().ok()?, minutes.parse::<u32>().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (from, to) = text.split_once('-')?;
    let (from, to) = (minute(from)?, minute(to)?);
    Some(if from <= to {
        vec![(from, to)]
    } else {
        vec![(from, 24 * 60), (0, to)]
    })
}

/// Whether two sets of minute ranges of the day overlap.
fn overlaps(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    a.iter()
        .any(|(from, to)| b.iter().any(|(f, t)| from < t && f < to))
}

/// The minutes a set of ranges covers.
fn length(ranges: &[(u32, u32)]) -> u32 {
    ranges.iter().map(|(from, to)| to - from).sum()
}

/// The RDS windows: well formed, at least 30 minutes, apart from each other (RDS refuses them
/// otherwise), and clear of the AWS Backup job: the maintenance window must not begin within the
/// hour after the job may start (AWS Backup starts no RDS backup during, or in the hour before, a
/// maintenance window), and the backup window must not meet the job's start window (the two
/// backups never run together).
fn check_windows(r: &mut Reader<'_>, k: &Keys) {
    let job_start = BACKUP_JOB_START_MINUTE_UTC;
    let job = [(job_start, job_start + BACKUP_JOB_START_WINDOW_MINUTES)];
    let before_maintenance = [(job_start, job_start + BACKUP_JOB_START_WINDOW_MINUTES + 60)];
    let windows = [
        RdsWindow {
            key: "backupWindow",
            value: &k.backup_window,
            format: "HH:MM-HH:MM",
            example: "03:00-04:00",
            clear_of: &job,
            clear_text: "06:00-07:00 UTC, when the daily AWS Backup job of the database may start",
        },
        RdsWindow {
            key: "maintenanceWindow",
            value: &k.maintenance_window,
            format: "ddd:HH:MM-ddd:HH:MM",
            example: "sun:04:30-sun:05:30",
            clear_of: &before_maintenance,
            clear_text: "06:00-08:00 UTC: AWS Backup starts no RDS backup during a maintenance \
                         window or in the hour before it, and the daily job may start from 06:00 \
                         to 07:00",
        },
    ];
    let mut parsed = Vec::new();
    for window in &windows {
        let (key, value) = (window.key, window.value);
        let fix = format!("e.g. `pulumi config set {key} {}`", window.example);
        let Some(ranges) = window_ranges(value) else {
            let problem = format!("is not a UTC time window ({})", window.format);
            r.invalid(key, Some(value.to_owned()), &problem, &fix);
            continue;
        };
        if length(&ranges) < 30 {
            r.invalid(
                key,
                Some(value.to_owned()),
                "is shorter than 30 minutes, which RDS refuses",
                &fix,
            );
        }
        if overlaps(&ranges, window.clear_of) {
            let problem = format!("overlaps {}", window.clear_text);
            r.invalid(key, Some(value.to_owned()), &problem, &fix);
        }
        parsed.push(ranges);
    }
    if let [backup, maintenance] = parsed.as_slice()
        && overlaps(backup, maintenance)
    {
        r.invalid(
            "backupWindow",
            Some(k.backup_window.clone()),
            &format!(
                "overlaps maintenanceWindow {}, which RDS refuses",
                k.maintenance_window
            ),
            "give them times that do not meet, e.g. backupWindow 03:00-04:00 and \
             maintenanceWindow sun:04:30-sun:05:30",
        );
    }
}

/// An RDS window key, its value and what it must stay clear of.
struct RdsWindow<'a> {
    key: &'static str,
    value: &'a str,
    format: &'static str,
    example: &'static str,
    clear_of: &'a [(u32, u32)],
    clear_text: &'static str,
}

/// Whether `text` has the shape of an AWS region name: lowercase words and a number joined by
/// dashes (`us-west-2`, `eu-central-1`, `us-gov-west-1`).
pub fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Whether `text` is an AMI id: `ami-` and 8 or 17 lowercase hexadecimal digits.
pub fn is_ami_id(text: &str) -> bool {
    text.strip_prefix("ami-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Reads and validates the configuration. All problems come back together, unknown keys (typos)
/// and values of the wrong type included.
pub fn load(config: &Config) -> Result<PlatformConfig, ConfigErrors> {
    let mut r = Reader::new(config, PROJECT);
    let k = read_keys(&mut r, config);
    check_values(&mut r, &k);
    let certificate = certificate_source(
        &mut r,
        k.certificate_arn.clone(),
        k.domain_name.clone(),
        k.hosted_zone_id.clone(),
    );
    if k.environment.as_deref().is_some_and(is_production) {
        check_production(&mut r, &k, &certificate);
    }
    let naming = naming_of(&mut r, &k);
    r.finish()?;
    // `finish` succeeded, so every required value was read.
    assemble(k, certificate, naming).ok_or_else(|| ConfigErrors(Vec::new()))
}

/// Every key as read, before the checks across keys (required keys are `None` when missing).
struct Keys {
    environment: Option<String>,
    environment_suffix: Option<String>,
    cost_center: Option<String>,
    migration_phase: MigrationPhase,
    region: String,
    vpc_cidr: String,
    availability_zones: Vec<String>,
    allowed_ingress_cidrs: Option<Vec<String>>,
    allowed_prefix_list_ids: Vec<String>,
    instance_type: String,
    ami_id: Option<String>,
    app_port: i64,
    asg_min_size: i64,
    asg_max_size: i64,
    asg_desired_capacity: i64,
    cpu_target_percent: f64,
    tls_policy: String,
    health_check: HealthCheck,
    certificate_arn: Option<String>,
    domain_name: Option<String>,
    hosted_zone_id: Option<String>,
    db_instance_class: String,
    db_engine_version: String,
    db_allocated_storage: i64,
    autoscaling_service_role: AccountLevel,
    key_administrators: Option<Vec<String>>,
    session_manager_preferences: AccountLevel,
    db_username: String,
    db_app_username: String,
    db_password: Option<Output<String>>,
    backup_retention_days: i64,
    backup_copy_region: String,
    backup_window: String,
    maintenance_window: String,
    skip_final_snapshot: bool,
    log_retention_days: i64,
    lifecycle_transition_days: i64,
    noncurrent_version_expiration_days: i64,
    migration: Option<MigrationSettings>,
    account_controls: AccountControls,
}

/// Step 1: reads every key in the order of the README's reference; the checks of a single key
/// that need no other key (key administrators, the `migration` object) happen as it is read.
fn read_keys(r: &mut Reader<'_>, config: &Config) -> Keys {
    let environment: Option<String> = r.require("environment");
    let environment_suffix: Option<String> = r.require("environmentSuffix");
    let cost_center: Option<String> = r.require("costCenter");
    let migration_phase = r.get_or("migrationPhase", MigrationPhase::Prepare);
    let region = r.get_other_or("aws:region", "us-east-1".to_owned());
    let vpc_cidr = r.get_or("vpcCidr", "10.0.0.0/16".to_owned());
    let availability_zones: Vec<String> = r.get_or("availabilityZones", Vec::new());
    retired_nat_gateway_key(r);
    let allowed_ingress_cidrs: Option<Vec<String>> = r.require("allowedIngressCidrs");
    let allowed_prefix_list_ids: Vec<String> = r.get_or("allowedPrefixListIds", Vec::new());
    let instance_type = r.get_or("instanceType", "t3.medium".to_owned());
    let ami_id: Option<String> = r.get("amiId");
    let app_port = r.get_or("appPort", 8080_i64);
    let asg_min_size = r.get_or("asgMinSize", 2_i64);
    let asg_max_size = r.get_or("asgMaxSize", 6_i64);
    let asg_desired_capacity = r.get_or("asgDesiredCapacity", asg_min_size);
    let cpu_target_percent = r.get_or("cpuTargetPercent", 60.0_f64);
    let tls_policy = r.get_or("tlsPolicy", ACCEPTED_TLS_POLICIES[0].to_owned());
    let health_check = HealthCheck {
        path: r.get_or("healthCheckPath", "/health".to_owned()),
        interval: r.get_or("healthCheckInterval", 15_i64),
        healthy_threshold: r.get_or("healthCheckHealthyThreshold", 3_i64),
        unhealthy_threshold: r.get_or("healthCheckUnhealthyThreshold", 3_i64),
        matcher: r.get_or("healthCheckMatcher", "200".to_owned()),
    };
    let certificate_arn: Option<String> = r.get("certificateArn");
    let domain_name: Option<String> = r.get("domainName");
    let hosted_zone_id: Option<String> = r.get("hostedZoneId");
    let db_instance_class = r.get_or("dbInstanceClass", "db.r6g.large".to_owned());
    let db_engine_version = r.get_or("dbEngineVersion", "8.4.6".to_owned());
    let db_allocated_storage = r.get_or("dbAllocatedStorage", 50_i64);
    let autoscaling_service_role = r.get_or("autoScalingServiceRole", AccountLevel::Create);
    let key_administrators: Option<Vec<String>> = r.get("keyAdministrators");
    check_key_administrators(r, key_administrators.as_deref());
    let session_manager_preferences = r.get_or("sessionManagerPreferences", AccountLevel::Create);
    let db_username = r.get_or("dbUsername", "paymentsadmin".to_owned());
    let db_app_username = r.get_or("dbAppUsername", "payments_app".to_owned());
    let db_password = r.get_secret::<String>("dbPassword");
    let backup_retention_days = r.get_or("backupRetentionDays", 7_i64);
    let backup_copy_region = r.get_or("backupCopyRegion", "us-west-2".to_owned());
    let backup_window = r.get_or("backupWindow", "03:00-04:00".to_owned());
    let maintenance_window = r.get_or("maintenanceWindow", "sun:04:30-sun:05:30".to_owned());
    let skip_final_snapshot = r.get_or("skipFinalSnapshot", false);
    let log_retention_days = r.get_or("logRetentionDays", 365_i64);
    let lifecycle_transition_days = r.get_or("lifecycleTransitionDays", 30_i64);
    let noncurrent_version_expiration_days = r.get_or("noncurrentVersionExpirationDays", 90_i64);
    let migration: Option<MigrationSettings> = r.get("migration");
    let account_controls = account::read(r);
    check_migration(r, config, migration_phase, migration.as_ref(), &vpc_cidr);
    Keys {
        environment,
        environment_suffix,
        cost_center,
        migration_phase,
        region,
        vpc_cidr,
        availability_zones,
        allowed_ingress_cidrs,
        allowed_prefix_list_ids,
        instance_type,
        ami_id,
        app_port,
        asg_min_size,
        asg_max_size,
        asg_desired_capacity,
        cpu_target_percent,
        tls_policy,
        health_check,
        certificate_arn,
        domain_name,
        hosted_zone_id,
        db_instance_class,
        db_engine_version,
        db_allocated_storage,
        autoscaling_service_role,
        key_administrators,
        session_manager_preferences,
        db_username,
        db_app_username,
        db_password,
        backup_retention_days,
        backup_copy_region,
        backup_window,
        maintenance_window,
        skip_final_snapshot,
        log_retention_days,
        lifecycle_transition_days,
        noncurrent_version_expiration_days,
        migration,
        account_controls,
    }
}

/// The key administrators are IAM role or user ARNs, and at least one.
fn check_key_administrators(r: &mut Reader<'_>, key_administrators: Option<&[String]>) {
    for admin in key_administrators.into_iter().flatten() {
        if !is_iam_principal_arn(admin) {
            r.invalid(
                "keyAdministrators",
                Some(admin.clone()),
                "is not the ARN of an IAM role or user",
                "list role or user ARNs, e.g. arn:aws:iam::123456789012:role/payments-key-admin \
                 (include the role that deploys the stack: it tags, rotates and deletes the keys)",
            );
        }
    }
    if key_administrators.is_some_and(<[String]>::is_empty) {
        r.invalid(
            "keyAdministrators",
            None,
            "is empty: nobody could administer the keys",
            "list at least the role that deploys the stack",
        );
    }
}

/// The `migration` object is valid for the phase, and present when the phase needs it.
fn check_migration(
    r: &mut Reader<'_>,
    config: &Config,
    migration_phase: MigrationPhase,
    migration: Option<&MigrationSettings>,
    vpc_cidr: &str,
) {
    match migration {
        Some(migration) => migration::validate(r, migration_phase, migration, vpc_cidr),
        // An invalid migration object is reported as such, not as a missing one.
        None if migration_phase != MigrationPhase::Prepare
            && !config.keys_in(PROJECT).iter().any(|key| key == "migration") =>
        {
            r.invalid(
                "migration",
                None,
                &format!(
                    "migrationPhase {} needs the migration settings",
                    migration_phase.as_str()
                ),
                "set the `migration` object (see docs/migration.md)",
            )
        }
        None => {}
    }
}

/// Step 2: the values in their ranges and the checks across keys.
/// `singleNatGateway` chose how many NAT gateways the stack had. It has none since the private
/// tiers reach AWS through VPC endpoints, so a stack that still sets the key is told so.
fn retired_nat_gateway_key(r: &mut Reader<'_>) {
    if let Some(value) = r.get::<Value>("singleNatGateway") {
        r.invalid(
            "singleNatGateway",
            Some(shown(&value)),
            "no longer exists: the stack has no NAT gateways (the app and database tiers reach AWS \
             through VPC endpoints and nothing else leaves the VPC)",
            "remove it: `pulumi config rm singleNatGateway`",
        );
    }
}

fn check_values(r: &mut Reader<'_>, k: &Keys) {
    check_network(r, k);
    check_fleet_and_users(r, k);
    check_versions_and_limits(r, k);
}

/// The VPC range and who may reach the load balancer.
fn check_network(r: &mut Reader<'_>, k: &Keys) {
    if parse_cidr(&k.vpc_cidr).is_none_or(|(_, prefix)| !(16..=24).contains(&prefix)) {
        r.invalid(
            "vpcCidr",
            Some(k.vpc_cidr.clone()),
            "must be an IPv4 CIDR with a prefix between /16 and /24",
            "e.g. `pulumi config set vpcCidr 10.20.0.0/16`",
        );
    }
    for cidr in k.allowed_ingress_cidrs.iter().flatten() {
        check_ingress_cidr(r, cidr);
    }
    if k.allowed_ingress_cidrs.as_ref().is_some_and(Vec::is_empty)
        && k.allowed_prefix_list_ids.is_empty()
    {
        r.invalid(
            "allowedIngressCidrs",
            Some("[]".to_owned()),
            "admits nobody: give at least one CIDR or a prefix list in allowedPrefixListIds",
            "e.g. `pulumi config set --path 'allowedIngressCidrs[0]' 198.51.100.0/24`",
        );
    }
}

/// The group's sizes, the AMI, and the database users.
fn check_fleet_and_users(r: &mut Reader<'_>, k: &Keys) {
    for (key, value) in [
        ("asgMinSize", k.asg_min_size),
        ("asgMaxSize", k.asg_max_size),
    ] {
        if !(2..=6).contains(&value) {
            r.invalid(
                key,
                Some(value.to_string()),
                "must be between 2 and 6",
                "set a value from 2 to 6",
            );
        }
    }
    if let Some(ami) = &k.ami_id
        && !is_ami_id(ami)
    {
        r.invalid(
            "amiId",
            Some(ami.clone()),
            "is not an AMI id",
            "use `ami-` followed by 8 or 17 hexadecimal digits, e.g. the value of the SSM \
             parameter /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        );
    }
    if !is_mysql_user(&k.db_app_username) || k.db_app_username == k.db_username {
        r.invalid(
            "dbAppUsername",
            Some(k.db_app_username.clone()),
            "is not a MySQL user name distinct from dbUsername",
            "use 1-32 letters, digits or underscores, starting with a letter, other than the \
             master user",
        );
    }
    if k.asg_min_size > k.asg_max_size {
        r.invalid(
            "asgMinSize",
            Some(k.asg_min_size.to_string()),
            "is larger than asgMaxSize",
            "make asgMinSize <= asgMaxSize",
        );
    }
    if !(k.asg_min_size..=k.asg_max_size).contains(&k.asg_desired_capacity) {
        r.invalid(
            "asgDesiredCapacity",
            Some(k.asg_desired_capacity.to_string()),
            "must lie between asgMinSize and asgMaxSize",
            "set it within the ASG size range",
        );
    }
}

/// Backups, TLS policy, engine version, the application port, log retention, the health check.
fn check_versions_and_limits(r: &mut Reader<'_>, k: &Keys) {
    if !(7..=35).contains(&k.backup_retention_days) {
        r.invalid(
            "backupRetentionDays",
            Some(k.backup_retention_days.to_string()),
            "must be between 7 and 35 days (PCI DSS point-in-time recovery)",
            "e.g. `pulumi config set backupRetentionDays 14`",
        );
    }
    check_windows(r, k);
    if !is_region(&k.backup_copy_region) {
        r.invalid(
            "backupCopyRegion",
            Some(k.backup_copy_region.clone()),
            "is not an AWS region name",
            "e.g. `pulumi config set backupCopyRegion us-west-2`",
        );
    } else if k.backup_copy_region == k.region {
        r.invalid(
            "backupCopyRegion",
            Some(k.backup_copy_region.clone()),
            "is the stack's own region, so the backup copies would share its fate (PCI DSS 12.10)",
            "choose another region, e.g. `pulumi config set backupCopyRegion us-west-2`",
        );
    }
    if !ACCEPTED_TLS_POLICIES.contains(&k.tls_policy.as_str()) {
        r.invalid(
            "tlsPolicy",
            Some(k.tls_policy.clone()),
            "is not a TLS 1.2+ forward-secrecy policy this platform accepts",
            &format!("use one of: {}", ACCEPTED_TLS_POLICIES.join(", ")),
        );
    }
    if !k.db_engine_version.starts_with("8.0.") && !k.db_engine_version.starts_with("8.4.") {
        r.invalid(
            "dbEngineVersion",
            Some(k.db_engine_version.clone()),
            "must be a MySQL 8.0.x or 8.4.x release",
            "e.g. `pulumi config set dbEngineVersion 8.4.6`",
        );
    }
    if !(1..=65535).contains(&k.app_port) || k.app_port == 22 || k.app_port == 3389 {
        r.invalid(
            "appPort",
            Some(k.app_port.to_string()),
            "must be a port from 1 to 65535 other than 22 and 3389",
            "e.g. 8080",
        );
    }
    if !LOG_RETENTION_DAYS.contains(&k.log_retention_days) {
        r.invalid(
            "logRetentionDays",
            Some(k.log_retention_days.to_string()),
            "is not a retention CloudWatch Logs accepts",
            &format!(
                "use one of {}",
                LOG_RETENTION_DAYS
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if !k.health_check.path.starts_with('/') {
        r.invalid(
            "healthCheckPath",
            Some(k.health_check.path.clone()),
            "must start with /",
            "e.g. /health",
        );
    }
}

/// Step 3: where the certificate comes from (an ARN, a DNS-validated domain, or self-signed).
fn certificate_source(
    r: &mut Reader<'_>,
    certificate_arn: Option<String>,
    domain_name: Option<String>,
    hosted_zone_id: Option<String>,
) -> CertificateSource {
    match (certificate_arn, domain_name, hosted_zone_id) {
        (Some(arn), None, None) => CertificateSource::Existing(arn),
        (None, Some(domain_name), Some(hosted_zone_id)) => CertificateSource::DnsValidated {
            domain_name,
            hosted_zone_id,
        },
        (None, None, None) => CertificateSource::SelfSigned,
        _ => {
            r.invalid(
                "certificateArn",
                None,
                "certificate settings conflict: give certificateArn alone, or domainName with hostedZoneId, or none of them (self-signed, test stacks only)",
                "remove the extra keys with `pulumi config rm`",
            );
            CertificateSource::SelfSigned
        }
    }
}

/// Step 4: what production stacks may not relax.
fn check_production(r: &mut Reader<'_>, k: &Keys, certificate: &CertificateSource) {
    if *certificate == CertificateSource::SelfSigned {
        r.invalid(
            "certificateArn",
            None,
            "production needs a real certificate; self-signed is for test stacks only",
            "set certificateArn, or domainName and hostedZoneId",
        );
    }
    if k.log_retention_days < 365 {
        r.invalid(
            "logRetentionDays",
            Some(k.log_retention_days.to_string()),
            "production keeps logs at least a year (PCI DSS 10.5.1)",
            "set 365 or more",
        );
    }
    if k.skip_final_snapshot {
        r.invalid(
            "skipFinalSnapshot",
            Some("true".to_owned()),
            "production keeps a final snapshot",
            "remove it from the production stack",
        );
    }
}

/// Step 5: the names, derived from the environment and its suffix.
fn naming_of(r: &mut Reader<'_>, k: &Keys) -> Option<Naming> {
    match (&k.environment, &k.environment_suffix) {
        (Some(environment), Some(suffix)) => {
            match Naming::new(environment, suffix) {
                Ok(naming) => Some(naming),
                Err(problem) => {
                    r.invalid("environmentSuffix", Some(suffix.clone()), &problem, "use a shorter suffix of lowercase letters and digits, starting with a letter");
                    None
                }
            }
        }
        _ => None,
    }
}

/// Step 6: the configuration, once every required value is there.
fn assemble(
    k: Keys,
    certificate: CertificateSource,
    naming: Option<Naming>,
) -> Option<PlatformConfig> {
    Some(PlatformConfig {
        environment: k.environment?,
        environment_suffix: k.environment_suffix?,
        cost_center: k.cost_center?,
        allowed_ingress_cidrs: k.allowed_ingress_cidrs?,
        naming: naming?,
        certificate,
        migration_phase: k.migration_phase,
        region: k.region,
        vpc_cidr: k.vpc_cidr,
        availability_zones: k.availability_zones,
        allowed_prefix_list_ids: k.allowed_prefix_list_ids,
        instance_type: k.instance_type,
        ami_id: k.ami_id,
        app_port: k.app_port,
        asg_min_size: k.asg_min_size,
        asg_max_size: k.asg_max_size,
        asg_desired_capacity: k.asg_desired_capacity,
        cpu_target_percent: k.cpu_target_percent,
        tls_policy: k.tls_policy,
        health_check: k.health_check,
        db_instance_class: k.db_instance_class,
        db_engine_version: k.db_engine_version,
        db_allocated_storage: k.db_allocated_storage,
        autoscaling_service_role: k.autoscaling_service_role,
        key_administrators: k.key_administrators,
        session_manager_preferences: k.session_manager_preferences,
        db_username: k.db_username,
        db_app_username: k.db_app_username,
        db_password: k.db_password,
        backup_retention_days: k.backup_retention_days,
        backup_copy_region: k.backup_copy_region,
        backup_window: k.backup_window,
        maintenance_window: k.maintenance_window,
        skip_final_snapshot: k.skip_final_snapshot,
        log_retention_days: k.log_retention_days,
        lifecycle_transition_days: k.lifecycle_transition_days,
        noncurrent_version_expiration_days: k.noncurrent_version_expiration_days,
        migration: k.migration,
        account_controls: k.account_controls,
    })
}

fn check_ingress_cidr(r: &mut Reader<'_>, cidr: &str) {
    if cidr == "::/0" || cidr.trim() == "0.0.0.0/0" {
        r.invalid(
            "allowedIngressCidrs",
            Some(cidr.to_owned()),
            "opens the load balancer to the whole internet, which PCI DSS 1.3 forbids here",
            "list the networks that may reach the platform (CDN, partner or office ranges), or a managed prefix list in allowedPrefixListIds",
        );
    } else if parse_cidr(cidr).is_none() {
        r.invalid(
            "allowedIngressCidrs",
            Some(cidr.to_owned()),
            "is not an IPv4 CIDR",
            "write it as a.b.c.d/n, e.g. 198.51.100.0/24",
        );
    } else if parse_cidr(cidr).is_some_and(|(_, prefix)| prefix == 0) {
        r.invalid(
            "allowedIngressCidrs",
            Some(cidr.to_owned()),
            "a /0 prefix admits every address",
            "use a narrower prefix",
        );
    }
}
