//! Times `evaluate` over the platform-shaped fixture plan (deployed and preview) and prints the
//! mean per evaluation. Target: under 5 ms on the full plan.
//!
//! Run: `cargo bench -p payments-compliance --bench evaluate` (optimised), or without a release
//! build: `cargo test -p payments-compliance --bench evaluate` (unoptimised, an upper bound).

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use payments_compliance::evaluate;

const ITERATIONS: u32 = 300;
const TARGET: Duration = Duration::from_millis(5);

fn main() {
    let deployed = common::fixture();
    let preview = common::preview_fixture();
    // The first evaluation parses the committed pulumi-aws schema index (tags-required); time
    // it apart from the steady state.
    let start = Instant::now();
    let first = evaluate(&deployed);
    let cold = start.elapsed();
    println!(
        "evaluate: first call (loads the schema index): {:.3} ms",
        cold.as_secs_f64() * 1e3
    );
    assert_eq!(first.mandatory_violations(), 0);
    for (label, plan) in [("deployed", &deployed), ("preview", &preview)] {
        for _ in 0..10 {
            black_box(evaluate(black_box(plan)));
        }
        let start = Instant::now();
        for _ in 0..ITERATIONS {
            black_box(evaluate(black_box(plan)));
        }
        let mean = start.elapsed() / ITERATIONS;
        println!(
            "evaluate: {label} plan, {} resources, {} rules: {:.3} ms mean over {ITERATIONS} runs ({})",
            plan.resources.len(),
            payments_compliance::rules().len(),
            mean.as_secs_f64() * 1e3,
            if mean < TARGET {
                "under the 5 ms target"
            } else {
                "OVER the 5 ms target"
            }
        );
    }
}
