//! A small Pulumi program on the platform's runtime and policy gate, for tests and benchmarks
//! under the real engine. Its stack config key `engine-probe:mode` chooses what it registers:
//!
//! - `noncompliant` (default): one AWS provider and an S3 bucket with no versioning, encryption,
//!   public access block, TLS-only policy, lifecycle or logging. `scripts/e2e.sh` uses it to prove
//!   that a real `pulumi preview` (and `pulumi up`) fails on a mandatory PCI DSS violation: no
//!   valid configuration of the platform itself can produce one (its config validation refuses
//!   every such setting first).
//! - `providers-only`: the AWS and TLS providers and nothing else, the engine's floor for
//!   `scripts/bench-engine.sh`.
//!
//! Like the platform binary, `get-packages FILE` writes the provider packages; started by a
//! language host it runs against the engine.

use std::process::ExitCode;
use std::sync::Arc;

use payments_aws::args::register;
use payments_aws::s3::BucketArgs;
use payments_aws::schema::{AWS_VERSION, TLS_VERSION};
use payments_compliance::Settings;
use pulumi_runtime::grpc::GrpcMonitor;
use pulumi_runtime::run::{EXIT_BAIL, EngineEnv, run};
use pulumi_runtime::{Input, PropertyMap, ResourceOptions, RunInfo};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, command, file] = args.as_slice()
        && command == "get-packages"
    {
        let packages = serde_json::json!([
            {"name": "aws", "version": AWS_VERSION},
            {"name": "tls", "version": TLS_VERSION},
        ]);
        return match std::fs::write(file, packages.to_string()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("cannot write {file}: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let env = EngineEnv::from_process();
    let Some(address) = env.monitor.clone() else {
        eprintln!("policy_gate_probe runs under the Pulumi engine (PULUMI_MONITOR is not set)");
        return ExitCode::from(2);
    };
    let monitor = match GrpcMonitor::connect(&address, env.engine.as_deref()).await {
        Ok(monitor) => Arc::new(monitor),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let providers_only = env
        .config
        .as_deref()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|config| config.get("engine-probe:mode").cloned())
        .is_some_and(|mode| mode == "providers-only");
    let info = RunInfo {
        project: env.project.unwrap_or_else(|| "engine-probe".to_owned()),
        stack: env.stack.unwrap_or_else(|| "probe".to_owned()),
        dry_run: env.dry_run,
        parallel: env.parallel,
    };
    let settings = Settings::default();
    let gate = payments_platform::policy::gate(settings);
    let outcome = run(
        info,
        monitor,
        |ctx| async move {
            let provider = payments_aws::provider::aws(
                &ctx,
                "aws-probe",
                "us-east-1",
                &Default::default(),
                ResourceOptions::parent(ctx.stack()),
            );
            if providers_only {
                payments_aws::provider::tls(
                    &ctx,
                    "tls-probe",
                    ResourceOptions::parent(ctx.stack()),
                );
                return Ok(PropertyMap::new());
            }
            register(
                &ctx,
                "bucket-probe-p1",
                &BucketArgs {
                    bucket: Some(Input::from("bucket-probe-p1".to_owned())),
                    force_destroy: Some(Input::from(true)),
                    ..Default::default()
                },
                ResourceOptions {
                    provider: Some(provider),
                    ..ResourceOptions::parent(ctx.stack())
                },
            );
            Ok(PropertyMap::new())
        },
        Some(gate),
    )
    .await;
    if outcome.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BAIL as u8)
    }
}
