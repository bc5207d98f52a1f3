//! The PCI DSS compliance pack of the payment platform.
//!
//! The pack reads the same registration records the engine receives (a [`Plan`]) and checks
//! them against the project's control catalog (`shared/reference/pci-dss-controls.md`): one
//! [`Rule`] per catalog row, each anchored to the cdk-nag, awsguard or AWS Config rule it traces
//! to. [`evaluate`] runs every rule and returns a [`Report`]:
//!
//! - **violations**, each naming the resource (type and logical name), what is wrong and the fix;
//!   a mandatory one fails `preview` ([`Report::mandatory_violations`]);
//! - **waived** findings, covered by an [`Exception`] recorded in code with its reason
//!   ([`EXCEPTIONS`]);
//! - **undecided** checks: where a value the rule needs is unknown until deployment (a preview),
//!   the rule says so instead of guessing. Unknown values are never violations.
//!
//! The report renders as text ([`Report::to_text`]), JSON ([`Report::to_json`]) and SARIF 2.1.0
//! ([`Report::to_sarif`]), and [`Report::attach`] fills the plan's `policy` section.
//!
//! Rules follow references across resources (a rule to its security group, a bucket to its
//! configuration resources, a listener to its load balancer, an ASG to its launch template, a
//! resource to its KMS key) through [`view::PlanView::refs`], which reads `propertyDependencies`
//! first and compares values only as a fallback. Secret values are stripped of their envelopes
//! for checking and never copied into a message.
//!
//! - [`rules`](mod@rules): the rule table ([`rules::RULES`]) and the checks, by catalog section.
//! - [`view`]: the indexed plan, value access and reference resolution.
//! - [`exceptions`]: the recorded exceptions.
//! - [`report`]: the report and its renderings.

pub mod exceptions;
mod net;
mod policy_doc;
pub mod report;
pub mod rule;
pub mod rules;
mod tokens;
pub mod view;

use pulumi_runtime::Plan;

pub use exceptions::{EXCEPTIONS, Exception};
pub use report::{Counts, Format, Report, RuleSummary, Waived};
pub use rule::{Finding, Rule, RuleRun, Section, Severity};
pub use view::PlanView;

/// Errors of the pack.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// A report format other than text, json or sarif.
    #[error("unknown report format `{0}` (expected text, json or sarif)")]
    UnknownFormat(String),
}

/// What the rules need to know beyond the plan (the stack's configuration). Every field has a
/// sound default, so [`evaluate`] needs none of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The region the providers must use (`aws:region`).
    pub region: String,
    /// The environment names must carry; default: the provider's `Environment` default tag.
    pub environment: Option<String>,
    /// The suffix names must carry; default: the one most physical names of the plan end with.
    pub suffix: Option<String>,
    /// The CIDRs the load balancer may admit (`allowedIngressCidrs`); default: any CIDR that is
    /// not the whole internet.
    pub allowed_ingress_cidrs: Option<Vec<String>>,
    /// The prefix lists the load balancer may admit; default: any.
    pub allowed_prefix_lists: Option<Vec<String>>,
    /// The application port; default: the port of the target groups the ASGs attach to.
    pub app_port: Option<i64>,
    /// The evidence that the AWS Organization provides the account-level controls (audit
    /// trail, threat detection): when set, their rules report the controls as waived with it
    /// instead of requiring them in the plan. Default: the plan's `accountControls` output
    /// (`mode: organization` with its `evidence`), else none (the stack must create them).
    pub organization_evidence: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_owned(),
            environment: None,
            suffix: None,
            allowed_ingress_cidrs: None,
            allowed_prefix_lists: None,
            app_port: None,
            organization_evidence: None,
        }
    }
}

/// Every rule of the pack, in catalog order.
pub fn rules() -> &'static [Rule] {
    rules::RULES
}

/// Evaluates every rule over `plan` with default [`Settings`] and the recorded [`EXCEPTIONS`].
pub fn evaluate(plan: &Plan) -> Report {
    evaluate_with(plan, &Settings::default())
}

/// Evaluates every rule over `plan` with `settings` and the recorded [`EXCEPTIONS`].
pub fn evaluate_with(plan: &Plan, settings: &Settings) -> Report {
    evaluate_with_exceptions(plan, settings, EXCEPTIONS)
}

/// Evaluates every rule over `plan` with `settings`, waiving what `exceptions` cover. Only
/// [`EXCEPTIONS`] is the pack's policy; other tables are for tests.
pub fn evaluate_with_exceptions(
    plan: &Plan,
    settings: &Settings,
    exceptions: &[Exception<'_>],
) -> Report {
    evaluate_selected(plan, settings, exceptions, |_| true)
}

/// Evaluates the rules `selected` accepts (the others are not run and not listed), waiving what
/// `exceptions` cover: the policy pack's entry point, where configuration disables rules and adds
/// exceptions.
pub fn evaluate_selected(
    plan: &Plan,
    settings: &Settings,
    exceptions: &[Exception<'_>],
    selected: impl Fn(&Rule) -> bool,
) -> Report {
    let chosen: Vec<&Rule> = rules::RULES.iter().filter(|rule| selected(rule)).collect();
    let mut settings = settings.clone();
    if settings.organization_evidence.is_none() {
        settings.organization_evidence = organization_evidence(plan);
    }
    let view = PlanView::new(plan, &settings);
    let mut report = Report {
        project: plan.project.clone(),
        stack: plan.stack.clone(),
        dry_run: plan.dry_run,
        counts: Counts {
            resources: plan.resources.len(),
            rules: chosen.len(),
            ..Counts::default()
        },
        rules: Vec::with_capacity(chosen.len()),
        violations: Vec::new(),
        waived: Vec::new(),
        undecided: Vec::new(),
    };
    for rule in chosen {
        let mut summary = RuleSummary::new(rule);
        let run = rule.run_with_evidence(&view);
        let (mut violations, mut undecided) = (run.violations, run.undecided);
        // A control waived with the organization's evidence is reported as waived, not passed.
        let waived_with_evidence = !run.waived.is_empty();
        for (finding, evidence) in run.waived {
            summary.waived += 1;
            report.waived.push(Waived {
                finding,
                reason: evidence,
            });
        }
        sort_dedup(&mut violations);
        for mut finding in violations {
            let waiver = view
                .resource(&finding.urn)
                .map_or(exceptions::Waiver::None, |resource| {
                    exceptions::waiver(exceptions, rule.id, resource)
                });
            match waiver {
                exceptions::Waiver::Undecidable(exception) => {
                    finding.problem = format!(
                        "{}, unless exception {:?} applies, which depends on its physical name, \
                         unknown until deployment",
                        finding.problem, exception.name_pattern
                    );
                    finding.message = format!(
                        "{} \"{}\": cannot decide: {}.",
                        finding.resource_type, finding.resource_name, finding.problem
                    );
                    finding.fix = None;
                    undecided.push(finding);
                }
                exceptions::Waiver::Covered(exception) => {
                    summary.waived += 1;
                    report.waived.push(Waived {
                        finding,
                        reason: exception.reason.to_owned(),
                    });
                }
                exceptions::Waiver::None => {
                    summary.violations += 1;
                    match rule.severity {
                        Severity::Mandatory => report.counts.mandatory += 1,
                        Severity::Advisory => report.counts.advisory += 1,
                    }
                    report.violations.push(finding);
                }
            }
        }
        sort_dedup(&mut undecided);
        summary.undecided = undecided.len();
        report.undecided.extend(undecided);
        if summary.violations == 0 && !waived_with_evidence {
            report.counts.rules_passed += 1;
        }
        report.rules.push(summary);
    }
    report.counts.waived = report.waived.len();
    report.counts.undecided = report.undecided.len();
    report
}

/// The evidence sentence of organization-provided account controls, as every waiver of an
/// account-level rule reports it: the organization trail's ARN and the delegated
/// GuardDuty/Security Hub administrator account. One wording for the platform, its stack output
/// and the policy pack.
pub fn organization_evidence_text(trail_arn: &str, security_admin_account_id: &str) -> String {
    format!(
        "provided by the AWS Organization (accountControls organization): organization trail \
         {trail_arn}, delegated GuardDuty/Security Hub administrator account \
         {security_admin_account_id}"
    )
}

/// The evidence of organization-provided account controls that the plan's `accountControls`
/// output records (`{"mode": "organization", "evidence": "..."}`), if any.
fn organization_evidence(plan: &Plan) -> Option<String> {
    let controls = plan.outputs.get("accountControls")?;
    (controls.get("mode")?.as_str()? == "organization")
        .then(|| controls.get("evidence")?.as_str().map(str::to_owned))
        .flatten()
}

fn sort_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| (&a.urn, &a.message).cmp(&(&b.urn, &b.message)));
    findings.dedup();
}
