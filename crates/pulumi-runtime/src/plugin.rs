//! Serving a Pulumi plugin (provider, analyzer) the way the engine starts one: listen on a free
//! port of 127.0.0.1, print the port as the first line of stdout, serve gRPC until stopped.

use std::net::SocketAddr;
use std::process::ExitCode;

use tokio::io::AsyncWriteExt;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

/// Serves `routes` as the plugin `name` (used in error messages on stderr); returns the process
/// exit code.
pub async fn serve(name: &str, routes: Routes) -> ExitCode {
    let incoming = match TcpIncoming::bind(SocketAddr::from(([127, 0, 0, 1], 0))) {
        Ok(incoming) => incoming,
        Err(error) => {
            eprintln!("{name}: cannot listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    let port = match incoming.local_addr() {
        Ok(address) => address.port(),
        Err(error) => {
            eprintln!("{name}: no local address: {error}");
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
    match Server::builder()
        .add_routes(routes)
        .serve_with_incoming(incoming)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error}");
            ExitCode::FAILURE
        }
    }
}
