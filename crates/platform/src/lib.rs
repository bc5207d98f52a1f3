//! The PCI DSS payment platform on AWS as a Pulumi program.
//!
//! - The infrastructure program: [`config`] (with the `migration` object in [`config::migration`]
//!   and the account controls in [`account`]), [`reader`], [`naming`], [`tags`], [`scope`], one
//!   component per tier in [`tiers`], the tiers in dependency order in [`program`], the
//!   compliance gate in [`policy`], and [`schedule`].
//! - The command-line program over it, in [`cli`]: engine mode, `preview`, `policy`, `graph`,
//!   `get-packages` (`main.rs` only parses the command line).
//!
//! Imports point one way: `cli` -> `program` -> `tiers` -> `config`, `naming`, `tags`, `scope`.

pub mod account;
pub mod cli;
pub mod config;
pub mod naming;
pub mod policy;
pub mod program;
pub mod reader;
pub mod schedule;
pub mod scope;
pub mod tags;
pub mod tiers;

/// The command-line modules at their former paths (`payments_platform::preview`, ...).
pub use cli::{engine_mode, graph, graph_cmd, packages, preview};
/// The tiers at their former paths (`payments_platform::network`, ...).
pub use tiers::{
    audit, backup, certificate, compute, database, endpoints, iam, kms, loadbalancer, migration,
    network, operations, posture, security, storage, threat,
};
