//! The compliance pack wired into the platform: its settings from the stack config and the gate that
//! fails a real `pulumi preview` on a mandatory violation (the `policy` command is
//! `cli::policy_cmd`).

use payments_compliance::{Report, Settings, evaluate_with};
use pulumi_runtime::plan::Plan;
use pulumi_runtime::run::PlanCheck;

use crate::account::AccountControls;
use crate::config::PlatformConfig;

/// What the rules need from the stack config.
pub fn settings(config: &PlatformConfig) -> Settings {
    Settings {
        region: config.region.clone(),
        environment: Some(config.environment.clone()),
        suffix: Some(config.environment_suffix.clone()),
        allowed_ingress_cidrs: Some(config.allowed_ingress_cidrs.clone()),
        allowed_prefix_lists: Some(config.allowed_prefix_list_ids.clone()),
        app_port: Some(config.app_port),
        organization_evidence: match &config.account_controls {
            AccountControls::Create => None,
            AccountControls::Organization(evidence) => Some(evidence.describe()),
        },
    }
}

/// One error message per mandatory violation (empty when compliant).
pub fn mandatory_messages(report: &Report) -> Vec<String> {
    report
        .violations
        .iter()
        .filter(|f| f.severity == payments_compliance::Severity::Mandatory)
        .map(|f| format!("PCI DSS policy {}: {}", f.rule, f.message))
        .collect()
}

/// The check a real preview runs after the program: a mandatory violation fails it (logged
/// through the engine, exit 32), so a non-compliant change never reaches `pulumi up`.
pub fn gate(settings: Settings) -> PlanCheck {
    Box::new(move |plan: &Plan| mandatory_messages(&evaluate_with(plan, &settings)))
}
