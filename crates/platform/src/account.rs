//! `accountControls`: who provides the PCI DSS account-level controls around the stack (the audit
//! trail, threat detection). `create` (the default) builds them in this stack (`audit`,
//! `threat`); `organization` means the AWS Organization provides them centrally: the stack then
//! creates none of them, the configuration names the evidence (the organization trail's ARN and
//! the delegated GuardDuty/Security Hub administrator account), and the compliance pack reports
//! each account control as waived with that evidence. Both modes are accepted in production.

use serde::Deserialize;

use crate::reader::{Expected, Reader};

/// The config key of the mode.
pub const MODE_KEY: &str = "accountControls";
/// The config key of the organization trail's ARN (evidence, `organization` mode only).
pub const TRAIL_KEY: &str = "organizationTrailArn";
/// The config key of the delegated security administrator account (evidence, `organization`
/// mode only).
pub const ADMIN_KEY: &str = "securityAdminAccountId";

/// The mode as written in config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The stack builds the account-level services.
    Create,
    /// The organization provides them centrally.
    Organization,
}

impl Expected for Mode {
    fn expected() -> String {
        "one of `create`, `organization`".to_owned()
    }

    fn choices() -> &'static [&'static str] {
        &["create", "organization"]
    }
}

/// The evidence that the organization provides the account-level controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationEvidence {
    /// The ARN of the organization's multi-region trail.
    pub trail_arn: String,
    /// The delegated GuardDuty/Security Hub administrator account.
    pub security_admin_account_id: String,
}

impl OrganizationEvidence {
    /// The evidence in one sentence, as the compliance pack reports it.
    pub fn describe(&self) -> String {
        payments_compliance::organization_evidence_text(
            &self.trail_arn,
            &self.security_admin_account_id,
        )
    }
}

/// Who provides the account-level controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountControls {
    /// This stack builds them.
    Create,
    /// The organization provides them; the evidence.
    Organization(OrganizationEvidence),
}

impl AccountControls {
    /// Whether this stack builds the account-level services.
    pub fn creates(&self) -> bool {
        matches!(self, Self::Create)
    }
}

/// Whether `text` is a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` is a CloudTrail trail ARN (`arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`).
pub fn is_trail_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "cloudtrail", region, account, resource]
            if partition.starts_with("aws")
                && !region.is_empty()
                && is_account_id(account)
                && resource.strip_prefix("trail/").is_some_and(|name| !name.is_empty())
    )
}

/// Reads and validates `accountControls` and its evidence keys; problems go to `r`.
pub fn read(r: &mut Reader<'_>) -> AccountControls {
    // Literal keys: the README's configuration reference is checked against them
    // (tests/docs.rs).
    let mode = r.get_or("accountControls", Mode::Create);
    let trail_arn: Option<String> = r.get("organizationTrailArn");
    let admin: Option<String> = r.get("securityAdminAccountId");
    match mode {
        Mode::Create => {
            for (key, value) in [(TRAIL_KEY, &trail_arn), (ADMIN_KEY, &admin)] {
                if let Some(value) = value {
                    r.invalid(
                        key,
                        Some(value.clone()),
                        "is evidence of organization-provided account controls, but accountControls is `create` (this stack builds them)",
                        &format!("remove it (`pulumi config rm {key}`), or set `pulumi config set {MODE_KEY} organization`"),
                    );
                }
            }
            AccountControls::Create
        }
        Mode::Organization => {
            let trail_arn = match trail_arn {
                None => {
                    r.invalid(
                        TRAIL_KEY,
                        None,
                        "is required when accountControls is `organization`: it is the evidence of the organization's audit trail",
                        &format!("run `pulumi config set {TRAIL_KEY} arn:aws:cloudtrail:us-east-1:111122223333:trail/<organization trail>`"),
                    );
                    String::new()
                }
                Some(arn) if !is_trail_arn(&arn) => {
                    r.invalid(
                        TRAIL_KEY,
                        Some(arn.clone()),
                        "is not a CloudTrail trail ARN",
                        "write it as arn:aws:cloudtrail:<region>:<12-digit account>:trail/<name>",
                    );
                    arn
                }
                Some(arn) => arn,
            };
            let security_admin_account_id = match admin {
                None => {
                    r.invalid(
                        ADMIN_KEY,
                        None,
                        "is required when accountControls is `organization`: it is the evidence of the delegated GuardDuty/Security Hub administrator",
                        &format!("run `pulumi config set {ADMIN_KEY} <12-digit account id>`"),
                    );
                    String::new()
                }
                Some(id) if !is_account_id(&id) => {
                    r.invalid(
                        ADMIN_KEY,
                        Some(id.clone()),
                        "is not a 12-digit AWS account id",
                        "give the delegated administrator account's 12-digit id (quote it in YAML)",
                    );
                    id
                }
                Some(id) => id,
            };
            AccountControls::Organization(OrganizationEvidence {
                trail_arn,
                security_admin_account_id,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_arns_and_account_ids() {
        assert!(is_trail_arn(
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"
        ));
        assert!(!is_trail_arn("arn:aws:cloudtrail:us-east-1:1111:trail/org"));
        assert!(!is_trail_arn(
            "arn:aws:s3:us-east-1:111122223333:trail/org-trail"
        ));
        assert!(!is_trail_arn(
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/"
        ));
        assert!(is_account_id("111122223333"));
        assert!(!is_account_id("11112222333a"));
    }
}
