//! The report: violations by rule, waived findings with their reasons, undecided checks, counts;
//! rendered as text, JSON or SARIF 2.1.0, and attached to a plan.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use pulumi_runtime::Plan;
use serde::Serialize;
use serde_json::{Value, json};

use crate::Error;
use crate::rule::{Finding, Rule, Severity};

/// The SARIF schema the output declares.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The SARIF version the output follows.
pub const SARIF_VERSION: &str = "2.1.0";
/// The tool name in SARIF output.
pub const TOOL_NAME: &str = "payments-compliance";

/// A finding that a recorded exception waives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waived {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The exception's reason.
    pub reason: String,
}

/// A rule as listed in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSummary {
    /// The rule id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: Severity,
    /// Its anchor.
    pub anchor: String,
    /// What it checks.
    pub checks: String,
    /// Its violations (not waived).
    pub violations: usize,
    /// Its waived findings.
    pub waived: usize,
    /// Its undecided checks.
    pub undecided: usize,
}

impl RuleSummary {
    pub(crate) fn new(rule: &Rule) -> Self {
        Self {
            id: rule.id.to_owned(),
            title: rule.title.to_owned(),
            severity: rule.severity,
            anchor: rule.anchor.to_owned(),
            checks: rule.checks.to_owned(),
            violations: 0,
            waived: 0,
            undecided: 0,
        }
    }
}

/// The counts of a report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Resources in the plan.
    pub resources: usize,
    /// Rules evaluated.
    pub rules: usize,
    /// Rules with no violation.
    pub rules_passed: usize,
    /// Mandatory violations.
    pub mandatory: usize,
    /// Advisory violations.
    pub advisory: usize,
    /// Waived findings.
    pub waived: usize,
    /// Undecided checks.
    pub undecided: usize,
}

/// The result of evaluating the pack over a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The project of the plan.
    pub project: String,
    /// The stack of the plan.
    pub stack: String,
    /// Whether the plan was a preview.
    pub dry_run: bool,
    /// The counts.
    pub counts: Counts,
    /// Every rule, in catalog order, with its counts.
    pub rules: Vec<RuleSummary>,
    /// Violations, in rule order then by URN.
    pub violations: Vec<Finding>,
    /// Findings waived by a recorded exception.
    pub waived: Vec<Waived>,
    /// Checks a rule could not decide (values unknown until deployment).
    pub undecided: Vec<Finding>,
}

/// An output format of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human text, grouped by rule.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        match text.to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "sarif" => Ok(Self::Sarif),
            _ => Err(Error::UnknownFormat(text.to_owned())),
        }
    }
}

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, severity: Severity) -> String {
        match severity {
            Severity::Mandatory => self.paint("1;31", "MANDATORY"),
            Severity::Advisory => self.paint("1;33", "ADVISORY"),
        }
    }
    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

impl Report {
    /// The number of mandatory violations (a non-zero count fails `preview`).
    pub fn mandatory_violations(&self) -> usize {
        self.counts.mandatory
    }

    /// The number of advisory violations.
    pub fn advisory_violations(&self) -> usize {
        self.counts.advisory
    }

    /// The violations grouped by rule id.
    pub fn by_rule(&self) -> BTreeMap<&str, Vec<&Finding>> {
        let mut grouped: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for finding in &self.violations {
            grouped
                .entry(finding.rule.as_str())
                .or_default()
                .push(finding);
        }
        grouped
    }

    /// The violations of `rule`.
    pub fn violations_of<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.violations.iter().filter(move |f| f.rule == rule)
    }

    /// The report in `format`: text (with ANSI colour only if `colour`), JSON or SARIF.
    pub fn render(&self, format: Format, colour: bool) -> String {
        match format {
            Format::Text => self.to_text(colour),
            Format::Json => self.to_json(),
            Format::Sarif => self.to_sarif_string(),
        }
    }

    /// The report as human text, grouped by rule; ANSI colour only if `colour`.
    pub fn to_text(&self, colour: bool) -> String {
        let style = Style { colour };
        let c = &self.counts;
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{} {}/{}: {} rules over {} resources: {} passed, {} mandatory and {} advisory violation(s), {} waived, {} undecided",
            style.bold("PCI DSS compliance"),
            self.project,
            self.stack,
            c.rules,
            c.resources,
            c.rules_passed,
            c.mandatory,
            c.advisory,
            c.waived,
            c.undecided
        );
        for rule in &self.rules {
            if rule.violations == 0 {
                continue;
            }
            let _ = writeln!(
                text,
                "\n{} {}: {} {}",
                style.severity(rule.severity),
                style.bold(&rule.id),
                rule.title,
                style.dim(&format!("[{}]", rule.anchor))
            );
            for finding in self.violations_of(&rule.id) {
                let _ = writeln!(text, "  - {}", finding.message);
            }
        }
        if !self.waived.is_empty() {
            let _ = writeln!(
                text,
                "\n{}",
                style.bold("Waived by recorded exceptions or organization evidence")
            );
            for waived in &self.waived {
                let _ = writeln!(
                    text,
                    "  - {} {}\n    {} {}",
                    style.bold(&waived.finding.rule),
                    waived.finding.message,
                    style.dim("reason:"),
                    waived.reason
                );
            }
        }
        if !self.undecided.is_empty() {
            let _ = writeln!(
                text,
                "\n{}",
                style.bold("Undecided (values unknown until deployment)")
            );
            for finding in &self.undecided {
                let _ = writeln!(
                    text,
                    "  - {} {}",
                    style.bold(&finding.rule),
                    finding.message
                );
            }
        }
        if c.mandatory == 0 && c.advisory == 0 {
            let _ = writeln!(text, "\n{}", style.paint("1;32", "No violations."));
        }
        text
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialization cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The report as a SARIF 2.1.0 log: one run whose driver lists every rule; violations are
    /// results of level `error` (mandatory) or `warning` (advisory), waived findings carry an
    /// in-source suppression with the exception's reason, undecided checks are results of kind
    /// `open`. Each result names the resource's URN as a logical location.
    pub fn to_sarif(&self) -> Value {
        let index: BTreeMap<&str, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|rule| {
                json!({
                    "id": rule.id,
                    "name": pascal_case(&rule.id),
                    "shortDescription": {"text": rule.title},
                    "fullDescription": {"text": rule.checks},
                    "defaultConfiguration": {"level": rule.severity.sarif_level()},
                    "properties": {"severity": rule.severity.as_str(), "anchor": rule.anchor},
                })
            })
            .collect();
        let result = |finding: &Finding| {
            json!({
                "ruleId": finding.rule,
                "ruleIndex": index.get(finding.rule.as_str()).copied().unwrap_or(0),
                "level": finding.severity.sarif_level(),
                "message": {"text": finding.message},
                "locations": [{
                    "logicalLocations": [{
                        "name": finding.resource_name,
                        "fullyQualifiedName": finding.urn,
                        "kind": "resource",
                    }],
                }],
                "properties": {"resourceType": finding.resource_type},
            })
        };
        let mut results: Vec<Value> = self.violations.iter().map(result).collect();
        for waived in &self.waived {
            let mut value = result(&waived.finding);
            value["suppressions"] = json!([{"kind": "inSource", "justification": waived.reason}]);
            results.push(value);
        }
        for finding in &self.undecided {
            let mut value = result(finding);
            value["kind"] = json!("open");
            value["level"] = json!("none");
            results.push(value);
        }
        json!({
            "$schema": SARIF_SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [{
                "tool": {"driver": {
                    "name": TOOL_NAME,
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "automationDetails": {"id": format!("{}/{}", self.project, self.stack)},
                "results": results,
            }],
        })
    }

    /// [`Report::to_sarif`] as pretty JSON text.
    pub fn to_sarif_string(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.to_sarif()).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The `policy` section of the plan JSON: violations, waived findings, undecided checks and
    /// counts.
    pub fn policy_value(&self) -> Value {
        let entry = |f: &Finding| json!({"rule": f.rule, "severity": f.severity.as_str(), "urn": f.urn, "message": f.message});
        json!({
            "violations": self.violations.iter().map(entry).collect::<Vec<_>>(),
            "waived": self.waived.iter().map(|w| {
                let mut value = entry(&w.finding);
                value["reason"] = json!(w.reason);
                value
            }).collect::<Vec<_>>(),
            "undecided": self.undecided.iter().map(entry).collect::<Vec<_>>(),
            "counts": self.counts,
        })
    }

    /// Fills `plan.policy` with [`Report::policy_value`].
    pub fn attach(&self, plan: &mut Plan) {
        plan.policy = Some(self.policy_value());
    }
}

/// `vpc-flow-logs` -> `VpcFlowLogs`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("vpc-flow-logs"), "VpcFlowLogs");
        assert_eq!(pascal_case("no-ssh"), "NoSsh");
    }

    #[test]
    fn formats_parse_case_insensitively() {
        assert_eq!("SARIF".parse::<Format>().ok(), Some(Format::Sarif));
        assert!("yaml".parse::<Format>().is_err());
    }
}
