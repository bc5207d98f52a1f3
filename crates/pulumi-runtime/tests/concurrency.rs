//! Registration concurrency on tokio's virtual clock: independent resources are in flight together,
//! a chain takes the sum of its latencies, and PULUMI_PARALLEL bounds what is in flight.

mod common;

use std::time::Duration;

use pulumi_runtime::PropertyMap;
use pulumi_runtime::run::run;
use tokio::time::Instant;

const L: Duration = Duration::from_secs(60);

async fn makespan(parallel: Option<usize>, program: fn(pulumi_runtime::Context)) -> Duration {
    let start = Instant::now();
    let outcome = run(
        common::info(false, parallel),
        common::engine(false, L),
        |ctx| async move {
            program(ctx);
            Ok(PropertyMap::new())
        },
        None,
    )
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    start.elapsed()
}

fn twenty_independent(ctx: pulumi_runtime::Context) {
    for i in 0..20 {
        common::register(&ctx, &format!("r{i}"), PropertyMap::new());
    }
}

fn chain_of_five(ctx: pulumi_runtime::Context) {
    let mut previous = common::register(&ctx, "c0", PropertyMap::new());
    for i in 1..5 {
        let mut args = PropertyMap::new();
        args.insert("upstream", previous.output::<String>("arn"));
        previous = common::register(&ctx, &format!("c{i}"), args);
    }
}

fn assert_about(actual: Duration, expected: Duration) {
    let tolerance = expected / 100;
    assert!(
        actual >= expected && actual <= expected + tolerance,
        "expected about {expected:?}, took {actual:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn twenty_independent_resources_take_one_latency() {
    assert_about(makespan(None, twenty_independent).await, L);
}

#[tokio::test(start_paused = true)]
async fn a_chain_of_five_takes_five_latencies() {
    assert_about(makespan(None, chain_of_five).await, 5 * L);
}

#[tokio::test(start_paused = true)]
async fn pulumi_parallel_bounds_registrations_in_flight() {
    assert_about(makespan(Some(5), twenty_independent).await, 4 * L);
}
