//! The AWS and TLS side of the payment platform: what the program sends to pulumi-aws 7.51.1 and
//! pulumi-tls 5.6.2, and the checks that keep it conformant to those providers' schemas.
//!
//! - [`schema`]: the pinned versions, the committed schema index and [`schema::check_plan`].
//! - [`args`]: what typed resource and function arguments provide, and registering them.
//! - [`generated`]: the typed arguments themselves, one module per provider module, re-exported
//!   at the crate root (`payments_aws::ec2::VpcArgs`).
//! - [`provider`]: the explicit `aws` and `tls` provider resources.
//! - [`simulator`]: AWS behaviour for the local engine (computed outputs, functions, latencies).

pub mod args;
pub mod generated;
pub mod provider;
pub mod schema;
pub mod simulator;

pub use generated::*;
