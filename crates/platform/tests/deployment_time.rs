//! The simulated deployment on tokio's virtual clock, with the per-type creation latencies of
//! `payments_aws::simulator::LATENCIES`: the program registers concurrently enough that the
//! makespan is within 5% of the critical path of its dependency graph.

mod common;

use payments_aws::simulator::latency_of;
use payments_platform::preview::{PlanMode, plan_stack};
use payments_platform::schedule::critical_path;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn makespan_is_within_five_percent_of_the_critical_path() {
    let start = Instant::now();
    let outcome = plan_stack(
        "dev",
        &common::root().join("Pulumi.dev.yaml"),
        PlanMode::TimedDeploy,
    )
    .await
    .expect("valid config");
    let makespan = start.elapsed();
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let path = critical_path(&outcome.plan, latency_of);
    assert!(
        path.duration.as_secs() >= 20 * 60,
        "RDS alone takes 20 minutes: {path:?}"
    );
    assert!(
        makespan >= path.duration,
        "faster than the critical path? {makespan:?} < {path:?}"
    );
    let ratio = makespan.as_secs_f64() / path.duration.as_secs_f64();
    assert!(
        ratio <= 1.05,
        "makespan {makespan:?} vs critical path {:?} ({ratio:.3})",
        path.duration
    );
    assert!(
        path.resources
            .iter()
            .any(|r| r.starts_with("aws:rds/instance:Instance")),
        "{:?}",
        path.resources
    );
}
