//! `preview`: the whole program on the local engine, with the stack's config file; prints the
//! resource tree, the counts per type and the stack outputs (secrets masked), optionally writes
//! the plan JSON.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use payments_aws::simulator::AwsSimulator;
use pulumi_runtime::local::LocalEngine;
use pulumi_runtime::plan::{Plan, PlanResource};
use pulumi_runtime::run::{RunOutcome, run as run_program};
use pulumi_runtime::{Config, RunInfo, wire};
use serde_json::Value;

use crate::config::{self, PROJECT};
use crate::{policy, program};
use payments_compliance::Report;

/// Exit code for a configuration error.
pub const EXIT_CONFIG: u8 = 2;
/// Exit code for a program error.
pub const EXIT_FAILED: u8 = 1;

/// Arguments of `preview`.
#[derive(Args, Debug, Clone)]
pub struct PreviewArgs {
    /// The stack to preview (reads Pulumi.<stack>.yaml).
    #[arg(long, default_value = "dev")]
    pub stack: String,
    /// A stack config file to use instead of Pulumi.<stack>.yaml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write the plan JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// How the local engine runs the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanMode {
    /// A preview: computed outputs unknown.
    Preview,
    /// A simulated deployment: ids and computed outputs known, no latency.
    Deploy,
    /// A simulated deployment where each resource takes its type's creation latency (on tokio's
    /// clock; pause it to simulate instantly).
    TimedDeploy,
}

/// The stack file of `stack`: `config` when given, else `Pulumi.<stack>.yaml`.
pub fn stack_file(stack: &str, config: Option<&std::path::Path>) -> PathBuf {
    config.map_or_else(
        || PathBuf::from(format!("Pulumi.{stack}.yaml")),
        std::path::Path::to_path_buf,
    )
}

/// Runs the program offline for `stack` with the config at `path`; config problems come back as
/// one message listing all of them.
pub async fn plan_stack(
    stack: &str,
    path: &std::path::Path,
    mode: PlanMode,
) -> Result<RunOutcome, String> {
    plan_stack_with_report(stack, path, mode)
        .await
        .map(|(outcome, _)| outcome)
}

/// Runs the program offline for `stack` with `config`; the plan carries the policy report.
pub async fn plan_config(
    stack: &str,
    config: &Config,
    mode: PlanMode,
) -> Result<RunOutcome, String> {
    plan_config_with_report(stack, config, mode)
        .await
        .map(|(outcome, _)| outcome)
}

/// [`plan_stack`], with the compliance report of the plan.
pub async fn plan_stack_with_report(
    stack: &str,
    path: &std::path::Path,
    mode: PlanMode,
) -> Result<(RunOutcome, Report), String> {
    let config = Config::from_stack_file(path, PROJECT, |name| std::env::var(name).ok())
        .map_err(|e| e.to_string())?;
    plan_config_with_report(stack, &config, mode).await
}

/// Runs the program offline for `stack` with `config`, evaluates the compliance pack on the plan
/// and attaches the report to it.
pub async fn plan_config_with_report(
    stack: &str,
    config: &Config,
    mode: PlanMode,
) -> Result<(RunOutcome, Report), String> {
    let platform = config::load(config).map_err(|e| e.to_string())?;
    let settings = policy::settings(&platform);
    let dry_run = mode == PlanMode::Preview;
    let simulator = AwsSimulator {
        latencies: mode == PlanMode::TimedDeploy,
    };
    let engine = Arc::new(LocalEngine::new(
        PROJECT,
        stack,
        dry_run,
        Arc::new(simulator),
    ));
    let info = RunInfo {
        project: PROJECT.to_owned(),
        stack: stack.to_owned(),
        dry_run,
        parallel: None,
    };
    let mut outcome = run_program(info, engine, |ctx| program::build(ctx, platform), None).await;
    let report = payments_compliance::evaluate_with(&outcome.plan, &settings);
    report.attach(&mut outcome.plan);
    Ok((outcome, report))
}

/// Runs `preview`; returns the exit code.
pub async fn run(args: &PreviewArgs) -> u8 {
    let path = stack_file(&args.stack, args.config.as_deref());
    let (outcome, report) =
        match plan_stack_with_report(&args.stack, &path, PlanMode::Preview).await {
            Ok(result) => result,
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_CONFIG;
            }
        };
    let colour = std::io::stdout().is_terminal();
    print!("{}", render(&outcome.plan, colour));
    print!("{}", policy_summary(&report));
    if let Some(json) = &args.json
        && let Err(err) = std::fs::write(json, outcome.plan.to_json_pretty())
    {
        eprintln!("error: cannot write {}: {err}", json.display());
        return EXIT_FAILED;
    }
    for error in &outcome.errors {
        eprintln!("error: {error}");
    }
    for message in policy::mandatory_messages(&report) {
        eprintln!("error: {message}");
    }
    if outcome.succeeded() && report.mandatory_violations() == 0 {
        0
    } else {
        EXIT_FAILED
    }
}

/// The compliance summary under the preview: counts, and each violation.
pub fn policy_summary(report: &Report) -> String {
    let counts = report.counts;
    let mut out = format!(
        "\nPolicy (PCI DSS pack): {} rules, {} passed; {} mandatory and {} advisory violations, {} waived, {} undecided until deployment\n",
        counts.rules,
        counts.rules_passed,
        counts.mandatory,
        counts.advisory,
        counts.waived,
        counts.undecided
    );
    for finding in &report.violations {
        out.push_str(&format!(
            "  {} [{}] {}\n",
            finding.severity.as_str(),
            finding.rule,
            finding.message
        ));
    }
    if !report.violations.is_empty() || counts.waived > 0 {
        out.push_str("  details: payments-platform policy (text, --format json, --format sarif)\n");
    }
    out
}

/// The human view of a plan: tree, counts, warnings and outputs.
pub fn render(plan: &Plan, colour: bool) -> String {
    let (green, dim, bold, reset) = if colour {
        ("\x1b[32m", "\x1b[2m", "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    let mut out = format!(
        "{bold}Previewing {} (stack {}){reset} on the local engine\n\n",
        plan.project, plan.stack
    );
    let mut children: BTreeMap<&str, Vec<&PlanResource>> = BTreeMap::new();
    for resource in &plan.resources {
        children
            .entry(resource.parent.as_str())
            .or_default()
            .push(resource);
    }
    let mut lines = Vec::new();
    tree_lines(&children, "", "", &mut lines);
    for (prefix, resource) in lines {
        out.push_str(&format!(
            "{green}+{reset} {prefix}{} {dim}{}{reset}\n",
            resource.ty, resource.name
        ));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for resource in &plan.resources {
        *counts.entry(resource.ty.as_str()).or_default() += 1;
    }
    out.push_str(&format!(
        "\n{bold}Resources:{reset} {} to create\n",
        plan.resources.len()
    ));
    for (ty, count) in &counts {
        out.push_str(&format!("  {count:>4}  {ty}\n"));
    }
    out.push_str(&policy_documents(plan, bold, reset));
    let warnings: Vec<_> = plan
        .logs
        .iter()
        .filter(|l| l.severity == "warning")
        .collect();
    if !warnings.is_empty() {
        out.push_str(&format!("\n{bold}Warnings:{reset}\n"));
        for warning in warnings {
            out.push_str(&format!("  warning: {}\n", warning.message));
        }
    }
    if let Some(migration) = plan.outputs.get("migration") {
        out.push_str(&format!(
            "\n{bold}Migration:{reset}\n{}",
            migration_summary(migration)
        ));
    }
    out.push_str(&format!("\n{bold}Outputs:{reset}\n"));
    for (key, value) in plan.outputs.iter().filter(|(key, _)| *key != "migration") {
        out.push_str(&format!("  {key}: {}\n", display_value(value)));
    }
    out
}

/// The customer-managed IAM policies with their documents as the preview sends them, so a
/// reviewer reads every grant before `up`; a document that is not known yet says so.
fn policy_documents(plan: &Plan, bold: &str, reset: &str) -> String {
    let policies: Vec<&PlanResource> = plan
        .resources
        .iter()
        .filter(|r| r.ty == "aws:iam/policy:Policy")
        .collect();
    if policies.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{bold}IAM policies:{reset}\n");
    for policy in policies {
        out.push_str(&format!("  {}:\n", policy.name));
        let document = match policy.inputs.get("policy") {
            Some(Value::String(text)) => serde_json::from_str::<Value>(text)
                .and_then(|doc| serde_json::to_string_pretty(&doc))
                .unwrap_or_else(|_| text.clone()),
            Some(other) => display_value(other),
            None => "(none)".to_owned(),
        };
        for line in document.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out
}

/// The migration state as lines: phase, weights, what exists.
pub fn migration_summary(summary: &Value) -> String {
    let field = |key: &str| summary.get(key).map(display_value).unwrap_or_default();
    if summary.get("configured") != Some(&Value::Bool(true)) {
        return format!(
            "  phase {} (no migration settings: no hybrid resources)\n",
            field("phase")
        );
    }
    let yes_no = |key: &str| {
        if summary.get(key) == Some(&Value::Bool(true)) {
            "yes"
        } else {
            "no"
        }
    };
    let list = |key: &str| {
        summary
            .get(key)
            .and_then(Value::as_array)
            .map(|tasks| {
                tasks
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|tasks| !tasks.is_empty())
            .unwrap_or_else(|| "none".to_owned())
    };
    format!(
        "  phase {}: AWS {}% / on-prem {}% (end to end, by the ALB listener weights)\n  front door (DNS): {}; public record adopted: {}\n  VPN to the data center: {}\n  weighted DNS and ALB routing: {}\n  DMS replication tasks: {} (started: {})\n  RDS binlog retention (run as the master user): {}\n",
        field("phase"),
        field("awsTrafficWeight"),
        field("onPremTrafficWeight"),
        field("frontDoor"),
        yes_no("publicRecordAdopted"),
        yes_no("vpn"),
        yes_no("weightedTraffic"),
        list("replicationTasks"),
        list("startedTasks"),
        field("rdsBinlogRetention"),
    )
}

fn tree_lines<'a>(
    children: &BTreeMap<&str, Vec<&'a PlanResource>>,
    parent: &str,
    indent: &str,
    lines: &mut Vec<(String, &'a PlanResource)>,
) {
    let Some(kids) = children.get(parent) else {
        return;
    };
    for (i, resource) in kids.iter().enumerate() {
        let last = i + 1 == kids.len();
        let (branch, next) = if parent.is_empty() {
            ("", String::new())
        } else if last {
            ("└─ ", format!("{indent}   "))
        } else {
            ("├─ ", format!("{indent}│  "))
        };
        lines.push((format!("{indent}{branch}"), resource));
        tree_lines(children, &resource.urn, &next, lines);
    }
}

/// A wire value for display: secrets masked, unknowns shown as `(known after deploy)`.
pub fn display_value(value: &Value) -> String {
    let decoded = wire::decode(value);
    if decoded.secret {
        return "[secret]".to_owned();
    }
    match decoded.value {
        None => "(known after deploy)".to_owned(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    }
}
