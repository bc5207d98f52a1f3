//! A small, strict Pulumi runtime for Rust programs.
//!
//! - [`output`]: `Output<T>` and `Input<T>` (known/unknown, secret, dependencies).
//! - [`property`]: resource arguments and their resolution into the wire form.
//! - [`wire`]: the protocol's value encoding and `google.protobuf.Struct` conversion.
//! - [`context`]: registrations, invokes and logs, concurrent by construction; [`errors`] collects
//!   the errors of a run.
//! - [`config`]: stack configuration from the engine or a stack file, with secrets honoured.
//! - [`monitor`]: the engine interface; [`grpc`] talks to the real engine, [`local`] is in process.
//! - [`plan`]: the record of everything sent, in the plan JSON format.
//! - [`plugin`]: serving a plugin (provider, analyzer) the way the engine starts one.
//! - [`run`]: a program's life from the stack resource to shutdown.
//!
//! Nothing here knows AWS or the payment platform.

pub mod config;
pub mod context;
pub mod errors;
pub mod grpc;
pub mod local;
pub mod monitor;
pub mod output;
pub mod plan;
pub mod plugin;
pub mod property;
pub mod resource;
pub mod run;
pub mod urn;
pub mod wire;

pub use config::{Config, ConfigError, ConfigErrors, ConfigReader};
pub use context::{Context, Registration, RunInfo};
pub use output::{Input, Output, OutputData, OutputValue};
pub use plan::Plan;
pub use property::{PropertyMap, PropertyValue, ToProperty};
pub use resource::{Alias, CustomTimeouts, Resource, ResourceOptions};
