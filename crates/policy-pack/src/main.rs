//! `payments-policy-pack`: the payment platform's PCI DSS compliance pack as a Pulumi policy pack.
//!
//! Point the Pulumi CLI at this executable (`pulumi preview --policy-pack
//! target/release/payments-policy-pack`, with an optional `--policy-pack-config FILE`): the engine
//! starts it with its own address as the last argument; it prints its gRPC port on stdout and
//! serves `pulumirpc.Analyzer`, judging any Pulumi program's stack with the rules of the
//! `payments-compliance` crate (the same rules the platform's own preview runs).

use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::io::AsyncWriteExt;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use payments_policy_pack::service::AnalyzerService;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let incoming = match TcpIncoming::bind(SocketAddr::from(([127, 0, 0, 1], 0))) {
        Ok(incoming) => incoming,
        Err(error) => {
            eprintln!("payments-policy-pack: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = match incoming.local_addr() {
        Ok(address) => address.port(),
        Err(error) => {
            eprintln!("payments-policy-pack: no local address: {error}");
            return ExitCode::FAILURE;
        }
    };
    // The engine reads the port from the first line of stdout.
    let mut stdout = tokio::io::stdout();
    if stdout
        .write_all(format!("{port}\n").as_bytes())
        .await
        .is_err()
        || stdout.flush().await.is_err()
    {
        return ExitCode::FAILURE;
    }
    let served = Server::builder()
        .add_service(AnalyzerService::default())
        .serve_with_incoming(incoming)
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("payments-policy-pack: {error}");
            ExitCode::FAILURE
        }
    }
}
