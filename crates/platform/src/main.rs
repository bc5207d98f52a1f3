//! `payments-platform`: the PCI DSS payment platform on AWS as a Pulumi program.
//!
//! Started by a language host (no arguments, `PULUMI_MONITOR` set) it runs against the engine;
//! `preview` runs it offline on the local engine; `get-packages` answers the rust host's
//! discovery call.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use payments_platform::cli::{engine_mode, graph_cmd, packages, policy_cmd, preview};

#[derive(Parser)]
#[command(
    name = "payments-platform",
    version,
    about = "The PCI DSS payment platform on AWS, as a Pulumi program"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the provider packages the program needs as JSON to FILE (the rust language host
    /// calls this before a run).
    GetPackages {
        /// Where to write the JSON array.
        file: PathBuf,
    },
    /// Run the whole program offline on the local engine and print the plan.
    Preview(preview::PreviewArgs),
    /// Evaluate the PCI DSS compliance pack on a stack's plan or a plan file.
    Policy(policy_cmd::PolicyArgs),
    /// Draw the architecture (Graphviz DOT, Mermaid, SVG or PNG) from the registrations.
    Graph(graph_cmd::GraphArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    let code = match cli.command {
        Some(Command::GetPackages { file }) => packages::write(&file),
        Some(Command::Preview(args)) => runtime.block_on(preview::run(&args)),
        Some(Command::Graph(args)) => runtime.block_on(graph_cmd::run(&args)),
        Some(Command::Policy(args)) => runtime.block_on(policy_cmd::run(&args)),
        None => runtime.block_on(engine_mode::run()),
    };
    ExitCode::from(code)
}
