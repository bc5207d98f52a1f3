//! The PCI DSS payment platform on AWS as a Pulumi program: configuration, naming, tags, one
//! component per tier, and the binary's modes (engine, preview, get-packages).

pub mod config;
pub mod engine_mode;
pub mod kms;
pub mod naming;
pub mod network;
pub mod packages;
pub mod preview;
pub mod program;
pub mod scope;
pub mod storage;
pub mod tags;
