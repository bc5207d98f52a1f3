//! Engine mode: the program started by a Pulumi language host. Configuration comes from
//! `PULUMI_CONFIG`; every error is logged through `Engine.Log` and the process exits 32.

use std::sync::Arc;

use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use pulumi_runtime::grpc::GrpcMonitor;
use pulumi_runtime::monitor::Monitor;
use pulumi_runtime::run::{EXIT_BAIL, EngineEnv, run as run_program};
use pulumi_runtime::{Config, RunInfo};

use crate::config::{self, PROJECT};
use crate::{policy, program};

const EXIT_BAIL_U8: u8 = 32;
const _: () = assert!(EXIT_BAIL == EXIT_BAIL_U8 as i32);

/// Runs the program against the engine named by the environment; returns the exit code.
pub async fn run() -> u8 {
    let env = EngineEnv::from_process();
    let Some(monitor_address) = env.monitor.clone() else {
        eprintln!(
            "payments-platform: PULUMI_MONITOR is not set.\n\
             Run it through Pulumi (`pulumi preview`, `pulumi up`), or offline with \
             `payments-platform preview`. See --help."
        );
        return 2;
    };
    let monitor = match GrpcMonitor::connect(&monitor_address, env.engine.as_deref()).await {
        Ok(monitor) => Arc::new(monitor),
        Err(err) => {
            // Nothing can be logged through an engine we cannot reach: exit 1 so the host
            // reports this as an error and shows stderr (32 would tell it we already reported).
            eprintln!("error: {err}");
            return 1;
        }
    };
    let platform = Config::from_engine(env.config.as_deref(), env.config_secret_keys.as_deref())
        .map_err(|e| vec![e.to_string()])
        .and_then(|c| config::load(&c).map_err(|e| e.0.iter().map(ToString::to_string).collect()));
    let platform = match platform {
        Ok(platform) => platform,
        Err(messages) => {
            log_errors(monitor.as_ref(), &messages).await;
            return EXIT_BAIL_U8;
        }
    };
    let info = RunInfo {
        project: env.project.unwrap_or_else(|| PROJECT.to_owned()),
        stack: env.stack.unwrap_or_else(|| "dev".to_owned()),
        dry_run: env.dry_run,
        parallel: env.parallel,
    };
    // The compliance pack gates every run, preview and update alike (`pulumi up --skip-preview`
    // must not bypass it): a mandatory violation fails the run before the engine shuts down.
    let gate = Some(policy::gate(policy::settings(&platform)));
    let outcome = run_program(info, monitor, |ctx| program::build(ctx, platform), gate).await;
    if outcome.succeeded() { 0 } else { EXIT_BAIL_U8 }
}

async fn log_errors(monitor: &dyn Monitor, messages: &[String]) {
    for message in messages {
        let request = rpc::LogRequest {
            severity: rpc::LogSeverity::Error.into(),
            message: message.clone(),
            ..Default::default()
        };
        if let Err(err) = monitor.log(request).await {
            eprintln!("error: {message} (not logged through the engine: {err})");
        }
    }
}
