//! Every name the platform gives: `<resource-type>-<environment>-<suffix>`.
//!
//! - Physical names ([`NameKind`]) are checked against each AWS type's length and character rules
//!   when the configuration is read. A suffix that makes any name too long is rejected; names are
//!   never truncated (truncation could make two names collide).
//! - Logical names of AWS and TLS resources are the same string as the physical name or the `Name`
//!   tag where the resource has one ([`Naming::label`], [`Naming::part_of`],
//!   [`Naming::attachment`], [`Naming::kms_alias`]), so URNs, the console and the diagram show one
//!   name. The only exceptions are the physical names AWS fixes ([`AWS_FIXED_NAMES`]) and
//!   hierarchical ones (log group paths, `alias/`), whose logical name is the `Name` tag or the
//!   alias without its `/`. `tests/naming.rs` checks every registration.

/// Character rules of a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Charset {
    /// Letters, digits and hyphens, no leading/trailing hyphen (ALB, target group).
    AlnumHyphen,
    /// Lowercase letters, digits and hyphens (S3, RDS, DMS identifiers, DB groups).
    LowerHyphen,
    /// Letters, digits and `+=,.@_-` (IAM, security groups, launch templates, ASG, WAF, logs).
    Permissive,
}

/// Every kind of physical name the platform creates, with its AWS limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// Application load balancer.
    Alb,
    /// Target group of the application instances.
    AppTargetGroup,
    /// Target group of the on-premises servers (migration).
    OnPremTargetGroup,
    /// Application and audit log bucket.
    LogBucket,
    /// Static content bucket.
    StaticBucket,
    /// ALB access log bucket (SSE-S3, see docs/compliance.md).
    AlbLogBucket,
    /// RDS instance identifier.
    Database,
    /// RDS subnet group.
    DbSubnetGroup,
    /// RDS parameter group.
    DbParameterGroup,
    /// RDS option group.
    DbOptionGroup,
    /// EC2 instance role.
    AppRole,
    /// RDS enhanced monitoring role.
    MonitoringRole,
    /// EC2 instance profile.
    InstanceProfile,
    /// Customer-managed IAM policy of the application.
    AppPolicy,
    /// Security group of the ALB.
    AlbSecurityGroup,
    /// Security group of the application instances.
    AppSecurityGroup,
    /// Security group of the database.
    DbSecurityGroup,
    /// Security group of the DMS replication instance.
    DmsSecurityGroup,
    /// Launch template.
    LaunchTemplate,
    /// Auto Scaling group.
    AutoScalingGroup,
    /// WAF web ACL.
    WebAcl,
    /// DMS replication instance identifier.
    DmsInstance,
    /// DMS replication subnet group.
    DmsSubnetGroup,
    /// Role DMS assumes to read the endpoint credentials from Secrets Manager.
    DmsSecretsRole,
    /// Its policy.
    DmsSecretsPolicy,
    /// Secrets Manager secret of the RDS replication user (DMS endpoints).
    DmsRdsSecret,
    /// Security group of the interface VPC endpoints.
    EndpointSecurityGroup,
    /// Audit bucket (CloudTrail, AWS Config; SSE-KMS under the audit key).
    AuditBucket,
    /// Role CloudTrail assumes to deliver to CloudWatch Logs.
    TrailLogsRole,
    /// Role the AWS Config recorder assumes.
    ConfigRole,
    /// AWS Backup vault of the database's recovery points (the data key).
    BackupVault,
    /// AWS Backup vault in the copy region (disaster recovery).
    BackupCopyVault,
    /// AWS Backup plan.
    BackupPlan,
    /// AWS Backup selection (the database).
    BackupSelection,
    /// Role AWS Backup assumes to back up and restore.
    BackupRole,
}

impl NameKind {
    /// Every kind, for validation.
    pub const ALL: [NameKind; 35] = [
        Self::Alb,
        Self::AppTargetGroup,
        Self::OnPremTargetGroup,
        Self::LogBucket,
        Self::StaticBucket,
        Self::AlbLogBucket,
        Self::Database,
        Self::DbSubnetGroup,
        Self::DbParameterGroup,
        Self::DbOptionGroup,
        Self::AppRole,
        Self::MonitoringRole,
        Self::InstanceProfile,
        Self::AppPolicy,
        Self::AlbSecurityGroup,
        Self::AppSecurityGroup,
        Self::DbSecurityGroup,
        Self::DmsSecurityGroup,
        Self::LaunchTemplate,
        Self::AutoScalingGroup,
        Self::WebAcl,
        Self::DmsInstance,
        Self::DmsSubnetGroup,
        Self::DmsSecretsRole,
        Self::DmsSecretsPolicy,
        Self::DmsRdsSecret,
        Self::EndpointSecurityGroup,
        Self::AuditBucket,
        Self::TrailLogsRole,
        Self::ConfigRole,
        Self::BackupVault,
        Self::BackupCopyVault,
        Self::BackupPlan,
        Self::BackupSelection,
        Self::BackupRole,
    ];

    /// The `<resource-type>` part of the name (`alb`, `role-app` ...).
    pub fn type_part(self) -> &'static str {
        self.rule().0
    }

    /// The `<resource-type>` part, the maximum length and the character rules.
    fn rule(self) -> (&'static str, usize, Charset) {
        use Charset::{AlnumHyphen, LowerHyphen, Permissive};
        match self {
            Self::Alb => ("alb", 32, AlnumHyphen),
            Self::AppTargetGroup => ("tg-app", 32, AlnumHyphen),
            Self::OnPremTargetGroup => ("tg-onprem", 32, AlnumHyphen),
            Self::LogBucket => ("payments-logs", 63, LowerHyphen),
            Self::StaticBucket => ("payments-static", 63, LowerHyphen),
            Self::AlbLogBucket => ("payments-alb-logs", 63, LowerHyphen),
            Self::Database => ("mysql", 63, LowerHyphen),
            Self::DbSubnetGroup => ("dbsubnets", 255, LowerHyphen),
            Self::DbParameterGroup => ("dbparams", 255, LowerHyphen),
            Self::DbOptionGroup => ("dboptions", 255, LowerHyphen),
            Self::AppRole => ("role-app", 64, Permissive),
            Self::MonitoringRole => ("role-rds-monitoring", 64, Permissive),
            Self::InstanceProfile => ("profile-app", 128, Permissive),
            Self::AppPolicy => ("policy-app", 128, Permissive),
            Self::AlbSecurityGroup => ("secgroup-alb", 255, Permissive),
            Self::AppSecurityGroup => ("secgroup-app", 255, Permissive),
            Self::DbSecurityGroup => ("secgroup-db", 255, Permissive),
            Self::DmsSecurityGroup => ("secgroup-dms", 255, Permissive),
            Self::LaunchTemplate => ("lt-app", 128, Permissive),
            Self::AutoScalingGroup => ("asg-app", 255, Permissive),
            Self::WebAcl => ("waf-alb", 128, Permissive),
            Self::DmsInstance => ("dms", 63, LowerHyphen),
            Self::DmsSubnetGroup => ("dms-subnets", 255, LowerHyphen),
            Self::DmsSecretsRole => ("role-dms-secrets", 64, Permissive),
            Self::DmsSecretsPolicy => ("policy-dms-secrets", 128, Permissive),
            Self::DmsRdsSecret => ("secret-dms-rds", 512, Permissive),
            Self::EndpointSecurityGroup => ("secgroup-endpoints", 255, Permissive),
            Self::AuditBucket => ("payments-audit", 63, LowerHyphen),
            Self::TrailLogsRole => ("role-cloudtrail-logs", 64, Permissive),
            Self::ConfigRole => ("role-config", 64, Permissive),
            Self::BackupVault => ("backup-vault", 50, AlnumHyphen),
            Self::BackupCopyVault => ("backup-vault-copy", 50, AlnumHyphen),
            Self::BackupPlan => ("backup-plan", 50, AlnumHyphen),
            Self::BackupSelection => ("backup-selection-db", 50, AlnumHyphen),
            Self::BackupRole => ("role-backup", 64, Permissive),
        }
    }
}

/// The naming scheme of one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    environment: String,
    suffix: String,
}

fn valid_part(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Checks `name` against the limits of `kind`; returns the problem, if any.
fn check(kind: NameKind, name: &str) -> Option<String> {
    let (_, max, charset) = kind.rule();
    if name.len() > max {
        return Some(format!(
            "makes the {kind:?} name `{name}` {} characters long; AWS allows {max}",
            name.len()
        ));
    }
    let chars_ok = match charset {
        Charset::AlnumHyphen => name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        Charset::LowerHyphen => name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        Charset::Permissive => name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)),
    };
    let hyphens_ok = !name.ends_with('-') && !name.starts_with('-') && !name.contains("--");
    (!chars_ok || !hyphens_ok).then(|| format!("makes the {kind:?} name `{name}` invalid"))
}

impl Naming {
    /// A naming scheme, if every name it produces fits its type's limits.
    pub fn new(environment: &str, suffix: &str) -> Result<Self, String> {
        if !valid_part(environment) {
            return Err(format!(
                "environment `{environment}` must be lowercase letters and digits, starting with a letter"
            ));
        }
        if !valid_part(suffix) {
            return Err("must be lowercase letters and digits, starting with a letter".to_owned());
        }
        let naming = Self {
            environment: environment.to_owned(),
            suffix: suffix.to_owned(),
        };
        match NameKind::ALL
            .iter()
            .find_map(|kind| check(*kind, &naming.compose(*kind)))
        {
            Some(problem) => Err(problem),
            None => Ok(naming),
        }
    }

    fn compose(&self, kind: NameKind) -> String {
        format!("{}-{}-{}", kind.rule().0, self.environment, self.suffix)
    }

    /// The physical name of `kind`.
    pub fn name(&self, kind: NameKind) -> String {
        self.compose(kind)
    }

    /// A `<resource-type>-<environment>-<suffix>` name: the logical name of every AWS and TLS
    /// resource, and its `Name` tag (or log group and alias name part), where AWS's limits are
    /// generous. The type part is made of lowercase letters, digits and single hyphens
    /// ([`fragment`]), so the result always follows the rule.
    pub fn label(&self, resource_type: &str) -> String {
        format!(
            "{}-{}-{}",
            fragment(resource_type),
            self.environment,
            self.suffix
        )
    }

    /// The name of a resource that belongs to the resource named by `kind` (a bucket's
    /// versioning, a policy's attachment): `<kind's type>-<part>-<environment>-<suffix>`, e.g.
    /// `payments-logs-versioning-dev-a1b2`.
    pub fn part_of(&self, kind: NameKind, part: &str) -> String {
        self.label(&format!("{}-{part}", kind.rule().0))
    }

    /// The logical name of the attachment of a policy to the role or policy named by `kind`:
    /// `attach-<kind's type>[-<managed policy>]-<environment>-<suffix>`.
    pub fn attachment(&self, kind: NameKind, managed_policy: Option<&str>) -> String {
        match managed_policy {
            Some(policy) => self.label(&format!("attach-{}-{policy}", kind.type_part())),
            None => self.label(&format!("attach-{}", kind.type_part())),
        }
    }

    /// A KMS alias for `purpose`: its physical name `alias/payments-<purpose>-<env>-<suffix>` and
    /// its logical name, the same without the `/` AWS requires (`alias-payments-...`).
    pub fn kms_alias(&self, purpose: &str) -> (String, String) {
        let label = self.label(&format!("payments-{purpose}"));
        (format!("alias/{label}"), format!("alias-{label}"))
    }
}

/// Physical names AWS fixes (account-wide DMS roles and Session Manager preferences, looked up by
/// exact name): the only
/// physical names outside the `<type>-<env>-<suffix>` scheme. Their logical names and `Name`
/// tags still follow it.
pub const AWS_FIXED_NAMES: [&str; 3] = [
    "dms-vpc-role",
    "dms-cloudwatch-logs-role",
    SESSION_MANAGER_DOCUMENT,
];

/// The document Session Manager reads its account-wide preferences from (a fixed name).
pub const SESSION_MANAGER_DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// `text` as a name part: ASCII letters and digits lowercased, every other run of characters one
/// hyphen, no leading or trailing hyphen (`198.51.100.0/24` -> `198-51-100-0-24`,
/// `AmazonSSMManagedInstanceCore` -> `amazonssmmanagedinstancecore`).
pub fn fragment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_follows_the_pattern_and_fits() {
        let naming = Naming::new("dev", "a1b2").expect("valid");
        assert_eq!(naming.name(NameKind::Alb), "alb-dev-a1b2");
        for kind in NameKind::ALL {
            let name = naming.name(kind);
            assert!(name.ends_with("-dev-a1b2"), "{name}");
            assert_eq!(check(kind, &name), None);
        }
    }

    #[test]
    fn the_longest_fitting_suffix_is_accepted() {
        // tg-onprem-<env>-<suffix> is the tightest name: 32 characters.
        let naming = Naming::new("production", "abcdefghijk").expect("fits exactly");
        assert_eq!(naming.name(NameKind::OnPremTargetGroup).len(), 32);
    }

    #[test]
    fn a_suffix_that_cannot_fit_is_rejected_not_truncated() {
        let err = Naming::new("production", "abcdefghijkl").expect_err("one too long");
        assert!(
            err.contains("33 characters") && err.contains("allows 32"),
            "{err}"
        );
    }

    #[test]
    fn labels_follow_the_rule_whatever_the_type_part() {
        let naming = Naming::new("dev", "a1b2").expect("valid");
        assert_eq!(naming.label("vpc"), "vpc-dev-a1b2");
        assert_eq!(
            naming.label("ingress-alb-https-198.51.100.0/24"),
            "ingress-alb-https-198-51-100-0-24-dev-a1b2"
        );
        assert_eq!(
            naming.label("attach-role-app-AmazonSSMManagedInstanceCore"),
            "attach-role-app-amazonssmmanagedinstancecore-dev-a1b2"
        );
        assert_eq!(
            naming.part_of(NameKind::LogBucket, "versioning"),
            "payments-logs-versioning-dev-a1b2"
        );
        assert_eq!(
            naming.kms_alias("data"),
            (
                "alias/payments-data-dev-a1b2".to_owned(),
                "alias-payments-data-dev-a1b2".to_owned()
            )
        );
        assert_eq!(fragment("--a..B//c--"), "a-b-c");
    }

    #[test]
    fn uppercase_or_symbols_are_rejected() {
        assert!(Naming::new("dev", "A1").is_err());
        assert!(Naming::new("dev", "a_1").is_err());
        assert!(Naming::new("Dev", "a1").is_err());
        assert!(Naming::new("dev", "1a").is_err());
    }
}
