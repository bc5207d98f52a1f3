//! The command-line program over the platform's library: the run under the Pulumi engine, the
//! offline `preview`, the `policy` report, the `graph` drawing and the language host's
//! `get-packages` call. Nothing in the infrastructure program imports from here.

pub mod engine_mode;
pub mod graph;
pub mod graph_cmd;
pub mod packages;
pub mod policy_cmd;
pub mod preview;
