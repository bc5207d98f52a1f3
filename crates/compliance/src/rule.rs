//! Rules, severities and findings.

use std::fmt;

use pulumi_runtime::plan::PlanResource;
use serde::{Deserialize, Serialize};

use crate::view::{PlanView, label};

/// How much a violation matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `preview`, the tests and a real `pulumi preview`.
    Mandatory,
    /// Reported, not fatal.
    Advisory,
}

impl Severity {
    /// `mandatory` or `advisory`, as in the plan's `policy` section.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mandatory => "mandatory",
            Self::Advisory => "advisory",
        }
    }

    /// The SARIF level: `error` for mandatory, `warning` for advisory.
    pub const fn sarif_level(self) -> &'static str {
        match self {
            Self::Mandatory => "error",
            Self::Advisory => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The section of the control catalog a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// Network.
    Network,
    /// Load balancing and TLS.
    LoadBalancing,
    /// Compute.
    Compute,
    /// Database.
    Database,
    /// Storage, keys, identity.
    StorageKeysIdentity,
    /// Project rules from the request.
    Project,
    /// Account-level controls around the stack (PCI DSS v4.0).
    AccountControls,
}

impl Section {
    /// The catalog's heading.
    pub const fn title(self) -> &'static str {
        match self {
            Self::Network => "Network",
            Self::LoadBalancing => "Load balancing and TLS",
            Self::Compute => "Compute",
            Self::Database => "Database",
            Self::StorageKeysIdentity => "Storage, keys, identity",
            Self::Project => "Project rules",
            Self::AccountControls => "Account-level controls",
        }
    }
}

/// The check of a rule: reads the plan, reports through [`Out`].
pub(crate) type Check = fn(&PlanView<'_>, &mut Out);

/// One rule of the pack.
#[derive(Clone, Copy)]
pub struct Rule {
    /// The catalog's rule id, e.g. `vpc-flow-logs`.
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// Mandatory or advisory.
    pub severity: Severity,
    /// The catalog section.
    pub section: Section,
    /// The anchor: the cdk-nag, awsguard or AWS Config rule it traces to, or `beyond`, `seed`,
    /// `project`.
    pub anchor: &'static str,
    /// What the rule checks, in one or two sentences.
    pub checks: &'static str,
    pub(crate) check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("severity", &self.severity)
            .field("anchor", &self.anchor)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// Runs the rule alone over `view`: its violations and its undecided findings.
    pub fn run(&self, view: &PlanView<'_>) -> (Vec<Finding>, Vec<Finding>) {
        let mut out = Out::new(self);
        (self.check)(view, &mut out);
        (out.violations, out.undecided)
    }

    /// Runs the rule alone over `view`: its violations, its undecided findings, and the findings
    /// it waives itself with the evidence the stack configuration gives (account-level controls
    /// the organization provides).
    pub fn run_with_evidence(&self, view: &PlanView<'_>) -> RuleRun {
        let mut out = Out::new(self);
        (self.check)(view, &mut out);
        RuleRun {
            violations: out.violations,
            undecided: out.undecided,
            waived: out.waived,
        }
    }
}

/// What one rule found.
#[derive(Clone, Debug, Default)]
pub struct RuleRun {
    /// Violations.
    pub violations: Vec<Finding>,
    /// Undecided checks.
    pub undecided: Vec<Finding>,
    /// Findings waived with evidence (the finding and the evidence).
    pub waived: Vec<(Finding, String)>,
}

/// One finding: a violation (with its fix) or an undecided check (with why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule id.
    pub rule: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The URN of the resource.
    pub urn: String,
    /// Its type token.
    pub resource_type: String,
    /// Its logical name.
    pub resource_name: String,
    /// What is wrong (or, when undecided, why the rule cannot tell).
    pub problem: String,
    /// How to fix it (absent for undecided findings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The whole message: the resource, the problem and the fix.
    pub message: String,
}

impl Finding {
    fn new(rule: &Rule, resource: &PlanResource, problem: String, fix: Option<String>) -> Self {
        let message = match &fix {
            Some(fix) => format!("{}: {problem}. Fix: {fix}.", label(resource)),
            None => format!("{}: cannot decide: {problem}.", label(resource)),
        };
        Self {
            rule: rule.id.to_owned(),
            severity: rule.severity,
            urn: resource.urn.clone(),
            resource_type: resource.ty.clone(),
            resource_name: resource.name.clone(),
            problem,
            fix,
            message,
        }
    }
}

/// Collects the findings of one rule.
pub(crate) struct Out {
    rule: Rule,
    violations: Vec<Finding>,
    undecided: Vec<Finding>,
    waived: Vec<(Finding, String)>,
}

impl Out {
    fn new(rule: &Rule) -> Self {
        Self {
            rule: *rule,
            violations: Vec::new(),
            undecided: Vec::new(),
            waived: Vec::new(),
        }
    }

    /// Reports a finding on `resource` that `evidence` waives (a control the organization
    /// provides): what the stack lacks, the fix if the evidence did not hold, and the evidence.
    pub(crate) fn waive(
        &mut self,
        resource: &PlanResource,
        problem: impl Into<String>,
        fix: impl Into<String>,
        evidence: impl Into<String>,
    ) {
        let finding = Finding::new(&self.rule, resource, problem.into(), Some(fix.into()));
        self.waived.push((finding, evidence.into()));
    }

    /// Reports a violation on `resource`: what is wrong and the fix (no trailing full stops).
    pub(crate) fn fail(
        &mut self,
        resource: &PlanResource,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let finding = Finding::new(&self.rule, resource, problem.into(), Some(fix.into()));
        self.violations.push(finding);
    }

    /// Reports that the rule cannot decide for `resource`, and why.
    pub(crate) fn undecided(&mut self, resource: &PlanResource, why: impl Into<String>) {
        let finding = Finding::new(&self.rule, resource, why.into(), None);
        self.undecided.push(finding);
    }
}
