//! Benchmarks of the whole platform (issue 3):
//! - offline preview of the dev stack, warm, release: target under 20 ms wall, under 20 MB RSS;
//! - the simulated deployment on the virtual clock: makespan against the critical path.
//!
//! Run: `cargo bench -p payments-platform --bench preview` (from the workspace root).

use std::path::Path;
use std::time::{Duration, Instant};

use payments_aws::simulator::latency_of;
use payments_platform::preview::{PlanMode, plan_stack};
use payments_platform::schedule::critical_path;

const ROUNDS: usize = 30;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn minutes(d: Duration) -> String {
    format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

fn main() {
    let stack = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Pulumi.dev.yaml");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut last_plan = None;
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            let outcome = runtime
                .block_on(plan_stack("dev", &stack, PlanMode::Preview))
                .expect("valid config");
            let elapsed = start.elapsed();
            last_plan = Some(outcome.plan);
            elapsed
        })
        .collect();
    let plan = last_plan.expect("at least one round");
    let resources = plan.resources.len();
    times.sort();
    println!(
        "offline preview of the dev stack ({resources} resources, {ROUNDS} warm rounds): min {:.2} ms, median {:.2} ms",
        times[1].as_secs_f64() * 1e3,
        times[ROUNDS / 2].as_secs_f64() * 1e3,
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS: {:.1} MB", kib as f64 / 1024.0);
    }
    const EVALUATIONS: u32 = 300;
    let start = Instant::now();
    for _ in 0..EVALUATIONS {
        std::hint::black_box(payments_compliance::evaluate(std::hint::black_box(&plan)));
    }
    println!(
        "compliance pack on the full dev preview plan ({resources} resources, {} rules): {:.3} ms mean over {EVALUATIONS} runs",
        payments_compliance::rules::RULES.len(),
        start.elapsed().as_secs_f64() * 1e3 / f64::from(EVALUATIONS)
    );

    let simulated = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("paused runtime");
    let (makespan, plan) = simulated.block_on(async {
        let start = tokio::time::Instant::now();
        let outcome = plan_stack("dev", &stack, PlanMode::TimedDeploy)
            .await
            .expect("valid config");
        (start.elapsed(), outcome.plan)
    });
    let path = critical_path(&plan, latency_of);
    println!(
        "simulated deployment: makespan {} vs critical path {} ({:+.2}%)",
        minutes(makespan),
        minutes(path.duration),
        (makespan.as_secs_f64() / path.duration.as_secs_f64() - 1.0) * 100.0
    );
    println!("critical path:");
    for resource in &path.resources {
        println!(
            "  {resource} ({})",
            minutes(latency_of(resource.split(' ').next().unwrap_or_default()))
        );
    }
}
