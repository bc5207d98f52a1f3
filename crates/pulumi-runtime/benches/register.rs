//! Benchmark: registering 1,000 independent resources on the local engine.
//! Target (issue 2): under 50 ms and under 30 MB peak RSS in release.
//!
//! Run: `cargo bench -p pulumi-runtime --bench register`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pulumi_runtime::local::{LocalEngine, NoSimulator};
use pulumi_runtime::run::run;
use pulumi_runtime::{PropertyMap, Registration, ResourceOptions, RunInfo};
use serde_json::json;

const RESOURCES: usize = 1_000;
const ROUNDS: usize = 20;

async fn register_all() -> Duration {
    let engine = Arc::new(LocalEngine::new(
        "bench",
        "bench",
        true,
        Arc::new(NoSimulator),
    ));
    let info = RunInfo {
        project: "bench".to_owned(),
        stack: "bench".to_owned(),
        dry_run: true,
        parallel: None,
    };
    let start = Instant::now();
    let outcome = run(
        info,
        engine,
        |ctx| async move {
            for i in 0..RESOURCES {
                let mut args = PropertyMap::new();
                args.insert("index", json!(i));
                args.insert("name", json!(format!("resource-{i}")));
                ctx.register(Registration {
                    ty: "bench:index:Thing".to_owned(),
                    name: format!("r{i}"),
                    custom: true,
                    args,
                    version: "1.0.0".to_owned(),
                    options: ResourceOptions::default(),
                });
            }
            Ok(PropertyMap::new())
        },
        None,
    )
    .await;
    let elapsed = start.elapsed();
    assert_eq!(
        outcome.plan.resources.len(),
        RESOURCES + 1,
        "{:?}",
        outcome.errors
    );
    elapsed
}

/// Peak resident set size of this process, from /proc (Linux), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| runtime.block_on(register_all()))
        .collect();
    times.sort();
    println!(
        "register {RESOURCES} independent resources (local engine, {ROUNDS} rounds): min {:.2} ms, median {:.2} ms, max {:.2} ms",
        times[0].as_secs_f64() * 1e3,
        times[ROUNDS / 2].as_secs_f64() * 1e3,
        times[ROUNDS - 1].as_secs_f64() * 1e3,
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS: {:.1} MB", kib as f64 / 1024.0);
    }
}
