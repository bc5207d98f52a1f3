//! Shared helpers for the runtime's integration tests.

use std::sync::Arc;
use std::time::Duration;

use pulumi_runtime::local::{LocalEngine, Simulator};
use pulumi_runtime::{Context, PropertyMap, Registration, ResourceOptions, RunInfo};
use serde_json::{Map, Value};

/// A simulator where every custom resource takes `latency` and gets an `arn`.
pub struct Uniform {
    pub latency: Duration,
}

impl Simulator for Uniform {
    fn computed_outputs(
        &self,
        _: &str,
        name: &str,
        _: &str,
        _: &Map<String, Value>,
        _: &Map<String, Value>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert("arn".to_owned(), Value::String(format!("arn:test:{name}")));
        out
    }
    fn invoke(&self, token: &str, args: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        match token {
            "test:index:echo" => Ok(args.clone()),
            _ => Err(format!("no such function {token}")),
        }
    }
    fn latency(&self, _: &str) -> Duration {
        self.latency
    }
}

/// Run facts for tests.
pub fn info(dry_run: bool, parallel: Option<usize>) -> RunInfo {
    RunInfo {
        project: "proj".to_owned(),
        stack: "test".to_owned(),
        dry_run,
        parallel,
    }
}

/// A local engine with the uniform simulator.
pub fn engine(dry_run: bool, latency: Duration) -> Arc<LocalEngine> {
    Arc::new(LocalEngine::new(
        "proj",
        "test",
        dry_run,
        Arc::new(Uniform { latency }),
    ))
}

/// A custom resource registration of type `test:index:Thing`.
pub fn thing(name: &str, args: PropertyMap, options: ResourceOptions) -> Registration {
    Registration {
        ty: "test:index:Thing".to_owned(),
        name: name.to_owned(),
        custom: true,
        args,
        version: "1.0.0".to_owned(),
        options,
    }
}

/// Registers a thing on `ctx`.
#[allow(dead_code)]
pub fn register(ctx: &Context, name: &str, args: PropertyMap) -> pulumi_runtime::Resource {
    ctx.register(thing(name, args, ResourceOptions::default()))
}
