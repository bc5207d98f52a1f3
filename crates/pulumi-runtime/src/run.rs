//! Running a program from start to shutdown: feature detection, the stack resource, the program,
//! stack exports, waiting for every outstanding call, error reporting and shutdown.

use std::future::Future;
use std::sync::Arc;

use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;

use crate::context::{Context, RunInfo};
use crate::monitor::Monitor;
use crate::plan::{Plan, Recorder};
use crate::property::PropertyMap;

/// Exit code that tells the engine the program failed and already reported why.
pub const EXIT_BAIL: i32 = 32;

/// The environment a language host gives the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineEnv {
    /// `PULUMI_MONITOR` (host:port).
    pub monitor: Option<String>,
    /// `PULUMI_ENGINE` (host:port).
    pub engine: Option<String>,
    /// `PULUMI_PROJECT`.
    pub project: Option<String>,
    /// `PULUMI_STACK`.
    pub stack: Option<String>,
    /// `PULUMI_DRY_RUN` is `true`.
    pub dry_run: bool,
    /// `PULUMI_PARALLEL`, when a positive integer.
    pub parallel: Option<usize>,
    /// `PULUMI_CONFIG`.
    pub config: Option<String>,
    /// `PULUMI_CONFIG_SECRET_KEYS`.
    pub config_secret_keys: Option<String>,
}

impl EngineEnv {
    /// Reads the variables through `lookup`; a missing or empty variable takes its default.
    pub fn read(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        Self {
            monitor: get("PULUMI_MONITOR"),
            engine: get("PULUMI_ENGINE"),
            project: get("PULUMI_PROJECT"),
            stack: get("PULUMI_STACK"),
            dry_run: get("PULUMI_DRY_RUN").is_some_and(|v| v.eq_ignore_ascii_case("true")),
            parallel: get("PULUMI_PARALLEL")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0),
            config: get("PULUMI_CONFIG"),
            config_secret_keys: get("PULUMI_CONFIG_SECRET_KEYS"),
        }
    }

    /// Reads the process environment.
    pub fn from_process() -> Self {
        Self::read(|name| std::env::var(name).ok())
    }
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// Everything the program sent, in the plan format.
    pub plan: Plan,
    /// Every error the program reports (logged at ERROR).
    pub errors: Vec<String>,
    /// Calls that failed only because the engine had stopped serving the program after a failure
    /// it reported itself (logged at DEBUG, so they do not bury that failure).
    pub engine_stopped: Vec<String>,
}

impl RunOutcome {
    /// Whether the run succeeded.
    pub fn succeeded(&self) -> bool {
        self.errors.is_empty() && self.engine_stopped.is_empty()
    }
}

/// A check over the recorded plan that runs after the program and before shutdown (the policy
/// pack under a real `pulumi preview`). It returns error messages; any makes the run fail.
pub type PlanCheck = Box<dyn FnOnce(&Plan) -> Vec<String> + Send>;

/// Runs `program` against `monitor`. Every error is logged through the engine at ERROR severity;
/// the engine is told to shut down only after a successful run.
/// `program` registers resources through the context and returns the stack exports.
pub async fn run<F, Fut>(
    info: RunInfo,
    monitor: Arc<dyn Monitor>,
    program: F,
    check: Option<PlanCheck>,
) -> RunOutcome
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<PropertyMap, String>>,
{
    let recorder = Arc::new(Recorder::new(
        monitor,
        &info.project,
        &info.stack,
        info.dry_run,
    ));
    let (errors, engine_stopped) = drive(info, recorder.clone(), program, check).await;
    let logs = errors
        .iter()
        .map(|message| (rpc::LogSeverity::Error, message))
        .chain(
            engine_stopped
                .iter()
                .map(|message| (rpc::LogSeverity::Debug, message)),
        );
    for (severity, message) in logs {
        let request = rpc::LogRequest {
            severity: severity.into(),
            message: message.clone(),
            ..Default::default()
        };
        if recorder.log(request).await.is_err() && severity == rpc::LogSeverity::Error {
            eprintln!("error: {message}\n(and it could not be logged through the engine)");
        }
    }
    RunOutcome {
        plan: recorder.plan(),
        errors,
        engine_stopped,
    }
}

/// Runs the program; returns the errors it reports and the calls that failed because the engine
/// had stopped.
async fn drive<F, Fut>(
    info: RunInfo,
    recorder: Arc<Recorder>,
    program: F,
    check: Option<PlanCheck>,
) -> (Vec<String>, Vec<String>)
where
    F: FnOnce(Context) -> Fut,
    Fut: Future<Output = Result<PropertyMap, String>>,
{
    match recorder.supports_feature("secrets").await {
        Ok(true) => {}
        Ok(false) => {
            let message = "the engine does not support secrets; refusing to send them";
            return (vec![message.to_owned()], Vec::new());
        }
        Err(err) => return (vec![err.to_string()], Vec::new()),
    }
    let monitor: Arc<dyn Monitor> = recorder.clone();
    let context = match Context::start(info, monitor.clone()).await {
        Ok(context) => context,
        Err(err) => return (vec![format!("registering the stack: {err}")], Vec::new()),
    };
    if let Some(stack) = context.stack().registered().await
        && let Err(err) = monitor.set_root_resource(&stack.urn).await
    {
        context
            .errors()
            .push_engine_error("setting the root resource", &err);
    }
    match program(context.clone()).await {
        Ok(exports) => context.register_outputs(context.stack(), exports),
        Err(message) => context.errors().push(message),
    }
    context.wait_for_tasks().await;
    let mut errors = context.errors().messages();
    let engine_stopped = context.errors().engine_stopped();
    if errors.is_empty()
        && engine_stopped.is_empty()
        && let Some(check) = check
    {
        errors.extend(check(&recorder.plan()));
    }
    if errors.is_empty()
        && engine_stopped.is_empty()
        && let Err(err) = monitor.signal_and_wait_for_shutdown().await
    {
        errors.push(err.to_string());
    }
    (errors, engine_stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_env_treats_missing_and_empty_as_defaults() {
        let env = EngineEnv::read(|name| match name {
            "PULUMI_MONITOR" => Some("127.0.0.1:1".to_owned()),
            "PULUMI_DRY_RUN" => Some("true".to_owned()),
            "PULUMI_PARALLEL" => Some("not a number".to_owned()),
            "PULUMI_STACK" => Some(String::new()),
            _ => None,
        });
        assert_eq!(env.monitor.as_deref(), Some("127.0.0.1:1"));
        assert!(env.dry_run);
        assert_eq!(env.parallel, None);
        assert_eq!(env.stack, None);
    }
}
