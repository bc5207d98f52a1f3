//! One component per tier of the platform, in the order `program` builds them: keys, storage,
//! network, endpoints, security groups, IAM, certificate, load balancer, compute, database, backup,
//! migration, operations, and the account controls (audit trail, threat detection, posture).

pub mod audit;
pub mod backup;
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
