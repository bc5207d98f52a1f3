//! The `policy` command: the full compliance report of a stack, or of a plan JSON written earlier,
//! as text, JSON or SARIF.

use std::path::PathBuf;

use clap::Args;
use payments_compliance::Format;
use pulumi_runtime::plan::Plan;

use super::preview::{EXIT_CONFIG, EXIT_FAILED, PlanMode, plan_stack_with_report, stack_file};

/// Arguments of `policy`.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// The stack whose plan to evaluate (reads Pulumi.<stack>.yaml).
    #[arg(long, default_value = "dev")]
    pub stack: String,
    /// A stack config file to use instead of Pulumi.<stack>.yaml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Evaluate this plan JSON (from `preview --json`) instead of running the program.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Report format: text, json or sarif.
    #[arg(long, default_value = "text")]
    pub format: String,
}

/// Runs `policy`; returns the exit code (1 on a mandatory violation).
pub async fn run(args: &PolicyArgs) -> u8 {
    let format: Format = match args.format.parse() {
        Ok(format) => format,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_CONFIG;
        }
    };
    let report = match &args.plan {
        Some(file) => {
            let plan = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))
                .and_then(|text| {
                    serde_json::from_str::<Plan>(&text)
                        .map_err(|e| format!("{} is not a plan JSON file: {e}", file.display()))
                });
            match plan {
                Ok(plan) => payments_compliance::evaluate(&plan),
                Err(message) => {
                    eprintln!("error: {message}");
                    return EXIT_CONFIG;
                }
            }
        }
        None => {
            let path = stack_file(&args.stack, args.config.as_deref());
            match plan_stack_with_report(&args.stack, &path, PlanMode::Preview).await {
                Ok((_, report)) => report,
                Err(message) => {
                    eprintln!("error: {message}");
                    return EXIT_CONFIG;
                }
            }
        }
    };
    let colour = format == Format::Text && std::io::IsTerminal::is_terminal(&std::io::stdout());
    print!("{}", report.render(format, colour));
    if report.mandatory_violations() > 0 {
        EXIT_FAILED
    } else {
        0
    }
}
