//! The `graph` command: renders the architecture of a stack's plan.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use clap::{Args, ValueEnum};

use crate::cli::graph::Architecture;
use crate::cli::preview::{EXIT_CONFIG, EXIT_FAILED, PlanMode, plan_stack, stack_file};

/// Output formats of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphviz DOT text.
    Dot,
    /// Mermaid flowchart text (renders on GitHub).
    Mermaid,
    /// SVG, rendered by Graphviz `dot`.
    Svg,
    /// PNG, rendered by Graphviz `dot`.
    Png,
}

/// Arguments of `graph`.
#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// The stack to draw (reads Pulumi.<stack>.yaml).
    #[arg(long, default_value = "dev")]
    pub stack: String,
    /// A stack config file to use instead of Pulumi.<stack>.yaml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: Format,
    /// Write here instead of standard output (required for svg and png).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// Renders DOT text with Graphviz `dot -T<kind>`.
pub fn render_with_graphviz(dot: &str, kind: &str) -> Result<Vec<u8>, String> {
    let mut child = Command::new("dot")
        .arg(format!("-T{kind}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run Graphviz `dot` ({e}); install it (Debian: apt-get install graphviz) or use --format dot|mermaid"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin for dot")?
        .write_all(dot.as_bytes())
        .map_err(|e| format!("writing to dot: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("dot failed: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "dot failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Runs `graph`; returns the exit code.
pub async fn run(args: &GraphArgs) -> u8 {
    let path = stack_file(&args.stack, args.config.as_deref());
    let outcome = match plan_stack(&args.stack, &path, PlanMode::Preview).await {
        Ok(outcome) => outcome,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_CONFIG;
        }
    };
    let architecture = Architecture::of(&outcome.plan);
    let bytes = match args.format {
        Format::Dot => Ok(architecture.dot().into_bytes()),
        Format::Mermaid => Ok(architecture.mermaid().into_bytes()),
        Format::Svg => render_with_graphviz(&architecture.dot(), "svg"),
        Format::Png => render_with_graphviz(&architecture.dot(), "png"),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_FAILED;
        }
    };
    let written = match &args.output {
        Some(file) => std::fs::write(file, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", file.display())),
        None if matches!(args.format, Format::Svg | Format::Png) => {
            Err("--output FILE is required for svg and png".to_owned())
        }
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_FAILED
        }
    }
}
