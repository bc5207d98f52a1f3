//! The `migration` config object and its validation against the phase.

use serde::Deserialize;

use crate::config::{MigrationPhase, parse_cidr};
use pulumi_runtime::ConfigReader;

/// The on-premises MySQL server DMS replicates from (and, after cutover, back to).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnPremDatabase {
    /// Host name or IP address, reached over the VPN.
    pub host: String,
    /// MySQL port.
    #[serde(default = "default_mysql_port")]
    pub port: i64,
    /// Secrets Manager secret holding `username` and `password` of the replication user.
    pub secret_arn: String,
}

fn default_mysql_port() -> i64 {
    3306
}

/// The on-premises application servers that take the traffic AWS does not.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnPremApp {
    /// Private IPs (reached over the VPN) for the ALB's IP target group.
    #[serde(default)]
    pub ips: Vec<String>,
    /// HTTPS port of the servers.
    #[serde(default = "default_https_port")]
    pub port: i64,
    /// Public IPs of the on-premises entry point, for the weighted DNS record (an `A` record, like
    /// the ALB alias it shares the name with).
    pub public_ips: Vec<String>,
    /// Health check path of the on-premises application.
    #[serde(default = "default_health_path")]
    pub health_check_path: String,
}

fn default_https_port() -> i64 {
    443
}

fn default_health_path() -> String {
    "/health".to_owned()
}

/// The public record both sides share, weighted between them.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicRecord {
    /// The record name, e.g. `pay.example.com`.
    pub name: String,
    /// The Route 53 hosted zone holding it.
    pub hosted_zone_id: String,
}

/// Whether the account-wide DMS roles are created here or already exist.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DmsRoles {
    /// Create `dms-vpc-role` and `dms-cloudwatch-logs-role` (first stack in the account).
    Create,
    /// They exist already (another stack or the console created them).
    Existing,
}

/// The `migration` config object.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MigrationSettings {
    /// On-premises networks.
    pub on_prem_cidrs: Vec<String>,
    /// Public IP of the data center's VPN device.
    #[serde(default)]
    pub customer_gateway_ip: Option<String>,
    /// BGP ASN of the data center's VPN device.
    #[serde(default = "default_bgp_asn")]
    pub bgp_asn: i64,
    /// Static routes (true) or BGP (false) over the VPN.
    #[serde(default = "default_true")]
    pub static_routes: bool,
    /// The on-premises database.
    #[serde(default)]
    pub database: Option<OnPremDatabase>,
    /// The on-premises application servers.
    #[serde(default)]
    pub app_servers: Option<OnPremApp>,
    /// The public record shared by both sides.
    #[serde(default)]
    pub public_record: Option<PublicRecord>,
    /// Share of traffic AWS takes, 0-100.
    pub aws_traffic_weight: i64,
    /// DMS table mappings (JSON); default: every table of every user schema.
    #[serde(default)]
    pub table_mappings: Option<serde_json::Value>,
    /// Whether DMS replication runs.
    #[serde(default = "default_true")]
    pub run_dms: bool,
    /// Create or reference the account-wide DMS roles.
    #[serde(default = "default_dms_roles")]
    pub dms_roles: DmsRoles,
    /// DMS replication instance class.
    #[serde(default = "default_dms_class")]
    pub dms_instance_class: String,
}

fn default_bgp_asn() -> i64 {
    65000
}

fn default_true() -> bool {
    true
}

fn default_dms_roles() -> DmsRoles {
    DmsRoles::Create
}

fn default_dms_class() -> String {
    "dms.t3.medium".to_owned()
}

/// What each phase has (docs/migration.md, "Phases").
impl MigrationPhase {
    /// The VPN to the data center exists.
    pub fn has_vpn(self) -> bool {
        self != MigrationPhase::Decommission
    }

    /// The forward (on-prem -> RDS) full-load-and-CDC task exists.
    pub fn has_forward_replication(self) -> bool {
        matches!(
            self,
            MigrationPhase::Prepare | MigrationPhase::Parallel | MigrationPhase::Shift
        )
    }

    /// The reverse (RDS -> on-prem) CDC task exists, ready for a rollback.
    pub fn has_reverse_replication(self) -> bool {
        self == MigrationPhase::Cutover
    }

    /// Traffic is weighted between AWS and on-prem (DNS records and ALB target groups).
    pub fn has_weighted_traffic(self) -> bool {
        matches!(
            self,
            MigrationPhase::Parallel | MigrationPhase::Shift | MigrationPhase::Cutover
        )
    }

    /// The on-prem database is the writer, so the app tier may reach it over the VPN.
    pub fn on_prem_writes(self) -> bool {
        matches!(self, MigrationPhase::Parallel | MigrationPhase::Shift)
    }

    /// The AWS traffic weights this phase allows.
    pub fn weight_range(self) -> (i64, i64) {
        match self {
            MigrationPhase::Prepare => (0, 0),
            MigrationPhase::Parallel => (0, 10),
            MigrationPhase::Shift => (10, 100),
            MigrationPhase::Cutover | MigrationPhase::Decommission => (100, 100),
        }
    }
}

fn overlaps(a: &str, b: &str) -> bool {
    match (parse_cidr(a), parse_cidr(b)) {
        (Some((a_addr, a_len)), Some((b_addr, b_len))) => {
            let shorter = a_len.min(b_len);
            let mask = u32::MAX.checked_shl(32 - u32::from(shorter)).unwrap_or(0);
            u32::from(a_addr) & mask == u32::from(b_addr) & mask
        }
        _ => false,
    }
}

/// Validates `settings` against the phase and the VPC; every problem is recorded on `r`.
pub fn validate(
    r: &mut ConfigReader<'_>,
    phase: MigrationPhase,
    settings: &MigrationSettings,
    vpc_cidr: &str,
) {
    let key = "migration";
    if settings.on_prem_cidrs.is_empty() && phase != MigrationPhase::Decommission {
        r.invalid(
            key,
            None,
            "migration.onPremCidrs is empty",
            "list the data center networks, e.g. [\"172.16.0.0/16\"]",
        );
    }
    for cidr in &settings.on_prem_cidrs {
        match parse_cidr(cidr) {
            None => r.invalid(key, Some(cidr.clone()), "migration.onPremCidrs holds an invalid IPv4 CIDR", "write it as a.b.c.d/n"),
            Some((_, 0)) => r.invalid(key, Some(cidr.clone()), "migration.onPremCidrs may not be a /0 (that is the whole internet)", "list the data center networks only"),
            Some(_) if overlaps(cidr, vpc_cidr) => r.invalid(
                key,
                Some(cidr.clone()),
                &format!("migration.onPremCidrs overlaps the VPC CIDR {vpc_cidr}; routing over the VPN would be ambiguous"),
                "choose a vpcCidr that does not overlap the data center",
            ),
            Some(_) => {}
        }
    }
    let weight = settings.aws_traffic_weight;
    let (low, high) = phase.weight_range();
    if !(0..=100).contains(&weight) {
        r.invalid(
            key,
            Some(weight.to_string()),
            "migration.awsTrafficWeight must be between 0 and 100",
            "set a percentage from 0 to 100",
        );
    } else if !(low..=high).contains(&weight) {
        r.invalid(
            key,
            Some(weight.to_string()),
            &format!(
                "migration.awsTrafficWeight {weight} is inconsistent with migrationPhase {}: it allows {low}-{high}",
                phase.as_str()
            ),
            "change the weight or the phase (see docs/migration.md)",
        );
    }
    let mut need = |present: bool, what: &str, why: &str| {
        if !present {
            r.invalid(
                key,
                None,
                &format!("migration.{what} is required in phase {}", phase.as_str()),
                why,
            );
        }
    };
    if phase.has_vpn() {
        need(
            settings.customer_gateway_ip.is_some(),
            "customerGatewayIp",
            "set the data center VPN device's public IP",
        );
    }
    if settings.run_dms && (phase.has_forward_replication() || phase.has_reverse_replication()) {
        need(
            settings.database.is_some(),
            "database",
            "set host, port and secretArn of the on-prem MySQL",
        );
    }
    if phase.has_weighted_traffic() {
        need(
            settings.app_servers.is_some(),
            "appServers",
            "set the on-prem servers (ips, port, publicIps)",
        );
        need(
            settings.public_record.is_some(),
            "publicRecord",
            "set the shared record's name and hostedZoneId",
        );
    }
    if phase == MigrationPhase::Decommission {
        need(
            settings.public_record.is_some(),
            "publicRecord",
            "the AWS record stays after the on-prem side is gone",
        );
    }
    if let Some(ip) = &settings.customer_gateway_ip
        && ip.parse::<std::net::Ipv4Addr>().is_err()
    {
        r.invalid(
            key,
            Some(ip.clone()),
            "migration.customerGatewayIp is not an IPv4 address",
            "e.g. 203.0.113.10",
        );
    }
    if !(1..=4_294_967_294).contains(&settings.bgp_asn) {
        r.invalid(
            key,
            Some(settings.bgp_asn.to_string()),
            "migration.bgpAsn is not a valid ASN",
            "use a private ASN such as 65010",
        );
    }
    if let Some(app) = &settings.app_servers {
        if app.public_ips.is_empty()
            || app
                .public_ips
                .iter()
                .any(|ip| ip.parse::<std::net::Ipv4Addr>().is_err())
        {
            r.invalid(key, Some(app.public_ips.join(",")), "migration.appServers.publicIps must list the IPv4 addresses of the on-prem entry point", "e.g. [\"203.0.113.20\"]");
        }
        for ip in &app.ips {
            let inside = ip.parse::<std::net::Ipv4Addr>().is_ok()
                && settings
                    .on_prem_cidrs
                    .iter()
                    .any(|cidr| overlaps(&format!("{ip}/32"), cidr));
            if !inside {
                r.invalid(
                    key,
                    Some(ip.clone()),
                    "migration.appServers.ips must be IPv4 addresses inside onPremCidrs",
                    "list the servers' private addresses",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_symmetric_and_prefix_aware() {
        assert!(overlaps("10.0.0.0/8", "10.20.0.0/16"));
        assert!(overlaps("10.20.0.0/16", "10.0.0.0/8"));
        assert!(!overlaps("172.16.0.0/16", "10.20.0.0/16"));
    }
}
