//! Physical names: `<resource-type>-<environment>-<suffix>`, checked against each AWS type's
//! length and character rules when the configuration is read. A suffix that makes any name too
//! long is rejected; names are never truncated (truncation could make two names collide).

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
}

impl NameKind {
    /// Every kind, for validation.
    pub const ALL: [NameKind; 25] = [
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
    ];

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

    /// A `<resource-type>-<environment>-<suffix>` name for a logical or tag name (`Name` tags,
    /// log group and alias names), where AWS's limits are generous.
    pub fn label(&self, resource_type: &str) -> String {
        format!("{resource_type}-{}-{}", self.environment, self.suffix)
    }
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
    fn uppercase_or_symbols_are_rejected() {
        assert!(Naming::new("dev", "A1").is_err());
        assert!(Naming::new("dev", "a_1").is_err());
        assert!(Naming::new("Dev", "a1").is_err());
        assert!(Naming::new("dev", "1a").is_err());
    }
}
