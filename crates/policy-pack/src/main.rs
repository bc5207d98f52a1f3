//! `payments-policy-pack`: the payment platform's PCI DSS compliance pack as a Pulumi policy pack.
//!
//! Point the Pulumi CLI at this executable (`pulumi preview --policy-pack
//! target/release/payments-policy-pack`, with an optional `--policy-pack-config FILE`): the engine
//! starts it with its own address as the last argument; it prints its gRPC port on stdout and
//! serves `pulumirpc.Analyzer`, judging any Pulumi program's stack with the rules of the
//! `payments-compliance` crate (the same rules the platform's own preview runs).

use std::process::ExitCode;

use payments_policy_pack::service::AnalyzerService;
use tonic::service::Routes;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let routes = Routes::new(AnalyzerService::default());
    pulumi_runtime::plugin::serve("payments-policy-pack", routes).await
}
