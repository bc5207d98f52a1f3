//! The payment platform's PCI DSS compliance pack as a Pulumi policy pack (`pulumirpc.Analyzer`),
//! so that `pulumi preview --policy-pack` runs the same rules beside any Pulumi program.
//!
//! - [`proto`]: the analyzer protocol messages.
//! - [`pack`]: the pack's info, its configuration, and the judgement of a stack.
//! - [`service`]: the gRPC service that routes the engine's calls to [`pack`].

pub mod pack;
pub mod proto;
pub mod service;
