//! The zero-downtime migration from the data center (docs/migration.md): hybrid connectivity
//! (`connectivity`), database replication (`replication`) and gradual, reversible traffic shifting
//! (`traffic`), all driven by `migrationPhase` and the `migration` config object. Which resources
//! exist in which phase is decided by the phase predicates in `settings` (the `migration` config
//! object, defined in `config::migration`).

pub mod connectivity;
pub mod replication;
pub mod traffic;

/// The `migration` config object at its former path (`migration::settings`).
pub use crate::config::migration as settings;

use crate::config::PlatformConfig;
use crate::config::migration::{MigrationPhase, MigrationSettings};

/// The active migration: its settings and the current phase.
#[derive(Clone, Copy, Debug)]
pub struct Migration<'a> {
    /// The `migration` config object.
    pub settings: &'a MigrationSettings,
    /// The current phase.
    pub phase: MigrationPhase,
}

impl<'a> Migration<'a> {
    /// The migration of `config`, if it has one.
    pub fn of(config: &'a PlatformConfig) -> Option<Self> {
        config.migration.as_ref().map(|settings| Migration {
            settings,
            phase: config.migration_phase,
        })
    }

    /// The AWS share of the traffic.
    pub fn aws_weight(&self) -> i64 {
        self.settings.aws_traffic_weight
    }
}

/// What kind of resource a type is, for the phase-change rules: a phase change may add, change or
/// remove only routing, replication and connectivity resources; stateful resources change tags at
/// most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Holds data or identity that a replacement would lose or disrupt.
    Stateful,
    /// Decides where traffic goes.
    Routing,
    /// Moves data between the databases.
    Replication,
    /// Connects the data center.
    Connectivity,
    /// Anything else (monitoring, policies, configuration).
    Other,
}

/// The role of a resource type.
pub fn role_of(ty: &str) -> Role {
    match ty {
        "aws:rds/instance:Instance"
        | "aws:s3/bucket:Bucket"
        | "aws:kms/key:Key"
        | "aws:lb/loadBalancer:LoadBalancer"
        | "aws:autoscaling/group:Group"
        | "aws:ec2/launchTemplate:LaunchTemplate"
        | "aws:ec2/vpc:Vpc"
        | "aws:ec2/subnet:Subnet"
        // Account controls (issue 12): the audit trail, its log group, the GuardDuty detector, the
        // AWS Config recorder.
        | "aws:cloudtrail/trail:Trail"
        | "aws:cloudwatch/logGroup:LogGroup"
        | "aws:guardduty/detector:Detector"
        | "aws:cfg/recorder:Recorder"
        // Backups (issue 12): the vaults hold the recovery points; a lock cannot be undone.
        | "aws:backup/vault:Vault"
        | "aws:backup/vaultLockConfiguration:VaultLockConfiguration" => Role::Stateful,
        "aws:route53/record:Record"
        | "aws:route53/healthCheck:HealthCheck"
        | "aws:lb/listener:Listener"
        | "aws:lb/targetGroup:TargetGroup"
        | "aws:lb/targetGroupAttachment:TargetGroupAttachment"
        | "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
        | "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule" => Role::Routing,
        ty if ty.starts_with("aws:dms/") => Role::Replication,
        "aws:ec2/customerGateway:CustomerGateway"
        | "aws:ec2/vpnGateway:VpnGateway"
        | "aws:ec2/vpnConnection:VpnConnection"
        | "aws:ec2/vpnConnectionRoute:VpnConnectionRoute"
        | "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation" => Role::Connectivity,
        _ => Role::Other,
    }
}
