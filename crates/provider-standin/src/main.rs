//! `pulumi-provider-standin`: a STAND-IN for the `pulumi-resource-aws` (7.51.1) and
//! `pulumi-resource-tls` (5.6.2) provider plugins, which cannot be downloaded on this project's
//! machines. It exists only so that the real Pulumi CLI and engine can run the program end to end
//! in tests; it never calls AWS.
//!
//! Installed as `pulumi-resource-aws` or `pulumi-resource-tls` (a copy or link of this binary; the
//! file name chooses the package), it behaves as the engine expects of a provider plugin: started
//! with the engine's address as its last argument, it prints its gRPC port on stdout and serves
//! `pulumirpc.ResourceProvider`.
//!
//! Environment (all optional):
//! - `PULUMI_PROVIDER_STANDIN_JOURNAL`: a file to which every call is appended as a JSON line.
//! - `PULUMI_PROVIDER_STANDIN_FAULTS`: a JSON file `[{"type": "...", "operation": "create",
//!   "count": 1}]`; matching calls fail and decrement the count in the file.

mod diff;
mod faults;
mod journal;
mod provider;
mod schema_doc;

use std::path::Path;
use std::process::ExitCode;

use payments_aws::schema::Package;
use pulumi_gestalt_proto::pulumi::pulumirpc::resource_provider_server::ResourceProviderServer;
use tonic::service::Routes;

use crate::provider::StandinProvider;

/// The package this binary serves, from its file name (`pulumi-resource-<package>`).
fn package_from_program_name(program: &str) -> Option<Package> {
    let file = Path::new(program).file_name()?.to_str()?;
    match file.strip_prefix("pulumi-resource-")? {
        "aws" => Some(Package::Aws),
        "tls" => Some(Package::Tls),
        _ => None,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let program = std::env::args().next().unwrap_or_default();
    let Some(package) = package_from_program_name(&program) else {
        eprintln!(
            "pulumi-provider-standin: install this binary as pulumi-resource-aws or \
             pulumi-resource-tls (the file name chooses the package); it was started as {program:?}"
        );
        return ExitCode::from(2);
    };
    let provider = match StandinProvider::from_env(package) {
        Ok(provider) => provider,
        Err(error) => {
            eprintln!("pulumi-provider-standin: {error}");
            return ExitCode::from(2);
        }
    };
    let routes = Routes::new(ResourceProviderServer::new(provider));
    pulumi_runtime::plugin::serve("pulumi-provider-standin", routes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_chooses_the_package() {
        assert_eq!(
            package_from_program_name("/x/plugins/pulumi-resource-aws"),
            Some(Package::Aws)
        );
        assert_eq!(
            package_from_program_name("pulumi-resource-tls"),
            Some(Package::Tls)
        );
        assert_eq!(package_from_program_name("pulumi-provider-standin"), None);
        assert_eq!(package_from_program_name("pulumi-resource-gcp"), None);
    }
}
