//! The PCI DSS payment platform on AWS as a Pulumi program: configuration, naming, tags, one
//! component per tier, and the binary's modes (engine, preview, get-packages).

pub mod account;
pub mod audit;
pub mod certificate;
pub mod compute;
pub mod config;
pub mod database;
pub mod endpoints;
pub mod engine_mode;
pub mod graph;
pub mod graph_cmd;
pub mod iam;
pub mod kms;
pub mod loadbalancer;
pub mod migration;
pub mod naming;
pub mod network;
pub mod operations;
pub mod packages;
pub mod policy;
pub mod posture;
pub mod preview;
pub mod program;
pub mod reader;
pub mod schedule;
pub mod scope;
pub mod security;
pub mod storage;
pub mod tags;
pub mod threat;
