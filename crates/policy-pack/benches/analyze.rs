//! Times the pack's own work on one `AnalyzeStack` of the dev stack: decoding the request,
//! building the plan, running every rule and encoding the answer (the gRPC transport excluded).
//! The stack is the platform's reviewed dev plan (the insta snapshot, 150+ resources), sent as
//! the engine sends it. Target: under 50 ms.
//!
//! Run: `cargo bench -p payments-policy-pack --bench analyze`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use payments_compliance::Settings;
use payments_policy_pack::pack::{self, PackConfig};
use payments_policy_pack::proto::{
    AnalyzeStackRequest, AnalyzerPropertyDependencies, AnalyzerProviderResource, AnalyzerResource,
};
use prost::Message;
use pulumi_runtime::{Plan, wire};

const ITERATIONS: u32 = 100;
const TARGET: Duration = Duration::from_millis(50);
const SNAPSHOT: &str = "../platform/tests/snapshots/snapshot__dev-plan.snap";

/// The dev plan of the reviewed snapshot (the JSON after the insta header).
fn dev_plan() -> Plan {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    let text = std::fs::read_to_string(&path).expect("the dev plan snapshot");
    let json = text.splitn(3, "---\n").nth(2).expect("an insta snapshot");
    serde_json::from_str(json).expect("a plan")
}

/// The request the engine would send for `plan`.
fn request_of(plan: &Plan) -> Vec<u8> {
    let resources = plan
        .resources
        .iter()
        .map(|r| AnalyzerResource {
            r#type: r.ty.clone(),
            properties: Some(wire::to_struct(&r.inputs)),
            urn: r.urn.clone(),
            name: r.name.clone(),
            provider: (!r.provider.is_empty()).then(|| AnalyzerProviderResource {
                r#type: "pulumi:providers:aws".to_owned(),
                urn: r
                    .provider
                    .rsplit_once("::")
                    .map_or(r.provider.clone(), |(u, _)| u.to_owned()),
            }),
            parent: r.parent.clone(),
            dependencies: r.dependencies.clone(),
            property_dependencies: r
                .property_dependencies
                .iter()
                .map(|(k, urns)| {
                    (
                        k.clone(),
                        AnalyzerPropertyDependencies { urns: urns.clone() },
                    )
                })
                .collect::<HashMap<_, _>>(),
        })
        .collect();
    AnalyzeStackRequest { resources }.encode_to_vec()
}

fn analyze(bytes: &[u8], settings: &Settings, config: &PackConfig) -> Vec<u8> {
    let request = AnalyzeStackRequest::decode(bytes).expect("decodes");
    let plan = pack::plan_of(&request.resources, "payments-platform", "dev", true);
    pack::analyze_stack(&plan, settings, config).encode_to_vec()
}

fn main() {
    let plan = dev_plan();
    let bytes = request_of(&plan);
    let settings = Settings::default();
    let config = PackConfig::default();
    let start = Instant::now();
    black_box(analyze(&bytes, &settings, &config));
    println!(
        "AnalyzeStack of the dev stack ({} resources, {} KB request): first call (loads the schema index) {:.2} ms",
        plan.resources.len(),
        bytes.len() / 1024,
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut times: Vec<Duration> = (0..ITERATIONS)
        .map(|_| {
            let start = Instant::now();
            black_box(analyze(black_box(&bytes), &settings, &config));
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "AnalyzeStack: median {:.2} ms, max {:.2} ms over {ITERATIONS} runs (target < {} ms)",
        median.as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        TARGET.as_millis()
    );
    assert!(
        median < TARGET,
        "median {median:?} exceeds the {TARGET:?} target"
    );
}
