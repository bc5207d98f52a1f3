//! Exceptions: the only way to waive a rule for a resource. Each is recorded here, in code, with
//! its reason; the report lists what each one waived.
//!
//! `igw-route-public-only` needs no entry: the rule itself encodes the exception to cdk-nag's
//! VPCNoUnrestrictedRouteToIGW (the internet-facing load balancer's subnets route to the internet
//! gateway).

use pulumi_runtime::plan::PlanResource;
use serde::Serialize;

use crate::view::{Got, physical_name};

/// A recorded exception. The pack's own are `'static` ([`EXCEPTIONS`]); a policy pack's
/// configuration adds exceptions that borrow from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception<'a> {
    /// The rule it waives.
    pub rule: &'a str,
    /// The type token of the resources it applies to.
    pub resource_type: &'a str,
    /// A pattern (`*` matches any run of characters) matched against the resource's physical
    /// name, or its logical name when the physical name is not known.
    pub name_pattern: &'a str,
    /// Why the rule cannot hold for these resources.
    pub reason: &'a str,
}

/// Every exception of the pack.
pub const EXCEPTIONS: &[Exception<'static>] = &[
    Exception {
        rule: "destroyable",
        resource_type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        name_pattern: "backup-vault*-lock-prod*",
        reason: "Production recovery points are immutable (PCI DSS 9.4, 12.10): AWS Backup Vault \
                 Lock in compliance mode keeps every recovery point for its retention, so a \
                 production stack can be destroyed only after its last recovery point expires. \
                 Test stacks have no lock and force-destroy their vaults.",
    },
    Exception {
        rule: "s3-kms-default-encryption",
        resource_type: "aws:s3/bucket:Bucket",
        name_pattern: "payments-alb-logs-*",
        reason: "Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3 \
                 (AES256); SSE-KMS is not supported for ALB access logs, nor for S3 server access \
                 logs. Both therefore go to this dedicated bucket, which keeps every other control \
                 (versioning, public access block, TLS-only policy, lifecycle).",
    },
    Exception {
        rule: "names-suffixed",
        resource_type: "aws:iam/role:Role",
        name_pattern: "dms-vpc-role",
        reason: "AWS DMS looks up this account-level role by this exact name to manage its network \
                 interfaces; it cannot carry the stack's suffix.",
    },
    Exception {
        rule: "names-suffixed",
        resource_type: "aws:iam/role:Role",
        name_pattern: "dms-cloudwatch-logs-role",
        reason: "AWS DMS looks up this account-level role by this exact name to write task logs to \
                 CloudWatch; it cannot carry the stack's suffix.",
    },
    Exception {
        rule: "names-suffixed",
        resource_type: "aws:ssm/document:Document",
        name_pattern: "SSM-SessionManagerRunShell",
        reason: "Session Manager reads the account's session preferences (encryption, logging) \
                 from the document of this exact name; it cannot carry the stack's suffix.",
    },
];

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl Exception<'_> {
    /// Whether this exception covers `rule` for `resource`: unknown when the resource's physical
    /// name is unknown (a preview) and the rule and type match.
    pub fn covers(&self, rule: &str, resource: &PlanResource) -> Got<bool> {
        if self.rule != rule || self.resource_type != resource.ty {
            return Got::Known(false);
        }
        let name = match physical_name(resource).map(|(_, val)| val.str()) {
            None | Some(Got::Absent) => resource.name.as_str(),
            Some(Got::Known(name)) => name,
            Some(Got::Unknown) => return Got::Unknown,
        };
        Got::Known(glob_match(self.name_pattern, name))
    }
}

/// Whether a finding is waived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiver<'e, 'a> {
    /// No exception covers it.
    None,
    /// This exception covers it.
    Covered(&'e Exception<'a>),
    /// This exception may cover it, but the resource's physical name is unknown.
    Undecidable(&'e Exception<'a>),
}

/// Which exception of `exceptions`, if any, covers `rule` for `resource`.
pub fn waiver<'e, 'a>(
    exceptions: &'e [Exception<'a>],
    rule: &str,
    resource: &PlanResource,
) -> Waiver<'e, 'a> {
    let mut result = Waiver::None;
    for exception in exceptions {
        match exception.covers(rule, resource) {
            Got::Known(true) => return Waiver::Covered(exception),
            Got::Unknown => result = Waiver::Undecidable(exception),
            Got::Known(false) | Got::Absent => {}
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn stars_match_any_run() {
        assert!(glob_match(
            "payments-alb-logs-*",
            "payments-alb-logs-dev-a1b2"
        ));
        assert!(!glob_match("payments-alb-logs-*", "payments-logs-dev-a1b2"));
        assert!(glob_match("dms-vpc-role", "dms-vpc-role"));
        assert!(!glob_match("dms-vpc-role", "dms-vpc-role-x"));
        assert!(glob_match("*-logs-*", "payments-logs-dev"));
        assert!(glob_match("a*a", "aa"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
