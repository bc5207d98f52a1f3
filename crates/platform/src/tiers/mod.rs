//! One component per tier of the platform, in the order `program` builds them: keys, storage,
//! network, security groups, IAM, certificate, endpoints, load balancer, compute, database,
//! migration, operations, and the account controls (audit trail, threat detection, posture).

pub mod audit;
pub mod certificate;
pub mod compute;
pub mod database;
pub mod endpoints;
pub mod iam;
pub mod kms;
pub mod loadbalancer;
pub mod migration;
pub mod network;
pub mod operations;
pub mod posture;
pub mod security;
pub mod storage;
pub mod threat;
