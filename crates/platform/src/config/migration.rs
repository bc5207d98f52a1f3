//! The `migration` config object and its validation against the phase.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::reader::{Expected, Problem, Reader, closest, parse_cidr, shown};
use pulumi_runtime::Config;

/// The on-premises MySQL server DMS replicates from (and, after cutover, back to).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnPremDatabase {
    /// Host name or IP address, reached over the VPN.
    pub host: String,
    /// MySQL port.
    #[serde(default = "default_mysql_port")]
    pub port: i64,
    /// Secrets Manager secret of the on-prem replication user: a JSON object with `host`, `port`,
    /// `username` and `password` (DMS reads only the secret when one is given).
    pub secret_arn: String,
}

/// How a DMS task loads and where its change data capture starts (one per direction).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskSettings {
    /// `full-load-and-cdc`, `cdc` or `full-load`; unset: the direction's default.
    #[serde(default)]
    pub migration_type: Option<String>,
    /// Where CDC starts (a binlog position such as `mysql-bin-changelog.000123:4567`), for a
    /// `cdc` task that resumes where another one stopped.
    #[serde(default)]
    pub cdc_start_position: Option<String>,
    /// Whether the task runs; false until the operator says the path is ready.
    #[serde(default)]
    pub start: bool,
}

/// The forward task's default migration type: a full load, then CDC.
pub const FORWARD_DEFAULT_TYPE: &str = "full-load-and-cdc";
/// The reverse task's default migration type: CDC only (never a full load into the rollback
/// target).
pub const REVERSE_DEFAULT_TYPE: &str = "cdc";

/// Which side takes the public name in DNS.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FrontDoor {
    /// DNS sends every client to the data center (the ALB takes none).
    Onprem,
    /// DNS sends every client to the ALB, whose listener weights split the traffic.
    Alb,
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
    /// The live simple record was replaced by the on-prem weighted record (one atomic change
    /// batch) and imported into the stack (docs/migration.md, "Taking over the public record").
    #[serde(default)]
    pub adopted: bool,
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
    /// End-to-end share of the requests AWS serves, 0-100, applied by the listener weights.
    pub aws_traffic_weight: i64,
    /// Where DNS sends clients: the data center or the ALB.
    #[serde(default = "default_front_door")]
    pub front_door: FrontDoor,
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
    /// The dedicated MySQL replication user on RDS (its secret is created by the stack).
    #[serde(default = "default_rds_replication_user")]
    pub rds_replication_user: String,
    /// Hours RDS keeps binary logs (`mysql.rds_set_configuration('binlog retention hours', n)`).
    #[serde(default = "default_binlog_retention_hours")]
    pub binlog_retention_hours: i64,
    /// The forward (on-prem -> RDS) task.
    #[serde(default)]
    pub forward: TaskSettings,
    /// The reverse (RDS -> on-prem) task.
    #[serde(default)]
    pub reverse: TaskSettings,
}

impl MigrationSettings {
    /// The forward task's migration type.
    pub fn forward_type(&self) -> &str {
        self.forward
            .migration_type
            .as_deref()
            .unwrap_or(FORWARD_DEFAULT_TYPE)
    }

    /// The reverse task's migration type.
    pub fn reverse_type(&self) -> &str {
        self.reverse
            .migration_type
            .as_deref()
            .unwrap_or(REVERSE_DEFAULT_TYPE)
    }

    /// Whether the public record was taken over and imported into the stack.
    pub fn record_adopted(&self) -> bool {
        self.public_record.as_ref().is_some_and(|r| r.adopted)
    }
}

/// The shape a value inside the `migration` object must have.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A string.
    Text,
    /// An integer.
    WholeNumber,
    /// `true` or `false`.
    Bool,
    /// A list of strings.
    TextList,
    /// Any JSON value (DMS table mappings, checked by DMS).
    AnyJson,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A nested object with these fields.
    Object(&'static [Field]),
}

impl Shape {
    /// What a value of this shape must be, in words a person uses.
    pub fn expected(self) -> String {
        match self {
            Shape::Text => "text".to_owned(),
            Shape::WholeNumber => "a whole number".to_owned(),
            Shape::Bool => "true or false".to_owned(),
            Shape::TextList => "a list of text values".to_owned(),
            Shape::AnyJson => "any value".to_owned(),
            Shape::Choice(choices) => format!("one of {}", backticked(choices.iter().copied())),
            Shape::Object(fields) => format!(
                "a mapping with the keys {}",
                backticked(fields.iter().map(|f| f.name))
            ),
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            Shape::Text => value.is_string(),
            Shape::WholeNumber => value.as_i64().is_some(),
            Shape::Bool => value.is_boolean(),
            Shape::TextList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            Shape::AnyJson => true,
            Shape::Choice(choices) => value.as_str().is_some_and(|v| choices.contains(&v)),
            Shape::Object(_) => value.is_object(),
        }
    }
}

fn backticked<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One key of the `migration` object (or of an object inside it).
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The key as written in config.
    pub name: &'static str,
    /// What its value must be.
    pub shape: Shape,
    /// Whether it must be set.
    pub required: bool,
}

const fn required(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: true,
    }
}

const fn optional(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: false,
    }
}

/// The keys of `migration.database` ([`OnPremDatabase`]).
pub const DATABASE_FIELDS: &[Field] = &[
    required("host", Shape::Text),
    optional("port", Shape::WholeNumber),
    required("secretArn", Shape::Text),
];

/// The keys of `migration.appServers` ([`OnPremApp`]).
pub const APP_SERVER_FIELDS: &[Field] = &[
    optional("ips", Shape::TextList),
    optional("port", Shape::WholeNumber),
    required("publicIps", Shape::TextList),
    optional("healthCheckPath", Shape::Text),
];

/// The keys of `migration.publicRecord` ([`PublicRecord`]).
pub const PUBLIC_RECORD_FIELDS: &[Field] = &[
    required("name", Shape::Text),
    required("hostedZoneId", Shape::Text),
    optional("adopted", Shape::Bool),
];

/// The DMS migration types.
pub const MIGRATION_TYPES: &[&str] = &["full-load-and-cdc", "cdc", "full-load"];

/// The keys of `migration.forward` and `migration.reverse` ([`TaskSettings`]).
pub const TASK_FIELDS: &[Field] = &[
    optional("migrationType", Shape::Choice(MIGRATION_TYPES)),
    optional("cdcStartPosition", Shape::Text),
    optional("start", Shape::Bool),
];

/// The keys of the `migration` object ([`MigrationSettings`]).
pub const MIGRATION_FIELDS: &[Field] = &[
    required("onPremCidrs", Shape::TextList),
    optional("customerGatewayIp", Shape::Text),
    optional("bgpAsn", Shape::WholeNumber),
    optional("staticRoutes", Shape::Bool),
    optional("database", Shape::Object(DATABASE_FIELDS)),
    optional("appServers", Shape::Object(APP_SERVER_FIELDS)),
    optional("publicRecord", Shape::Object(PUBLIC_RECORD_FIELDS)),
    required("awsTrafficWeight", Shape::WholeNumber),
    optional("frontDoor", Shape::Choice(&["onprem", "alb"])),
    optional("tableMappings", Shape::AnyJson),
    optional("runDms", Shape::Bool),
    optional("dmsRoles", Shape::Choice(&["create", "existing"])),
    optional("dmsInstanceClass", Shape::Text),
    optional("rdsReplicationUser", Shape::Text),
    optional("binlogRetentionHours", Shape::WholeNumber),
    optional("forward", Shape::Object(TASK_FIELDS)),
    optional("reverse", Shape::Object(TASK_FIELDS)),
];

/// Checks `value` (at `path`, e.g. `migration.database`) against `fields`: every unknown key
/// (with the closest known one), every value of the wrong shape and every missing required key
/// is a problem. Returns the object without its `null` values (a `null` means "not set").
fn check_object(
    path: &str,
    value: &Value,
    fields: &'static [Field],
    problems: &mut Vec<Problem>,
) -> Value {
    let Some(map) = value.as_object() else {
        problems.push(Problem {
            key: path.to_owned(),
            value: Some(shown(value)),
            problem: format!("must be {}", Shape::Object(fields).expected()),
            fix: "write it as a YAML mapping (see docs/migration.md)".to_owned(),
        });
        return Value::Null;
    };
    let mut cleaned = Map::new();
    let mut suggested = Vec::new();
    for (key, item) in map {
        let item_path = format!("{path}.{key}");
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            let suggestion = closest(key, fields.iter().map(|f| f.name)).unwrap_or_default();
            suggested.push(suggestion);
            problems.push(Problem {
                key: item_path,
                value: Some(shown(item)),
                problem: format!(
                    "is not a key of the `{path}` object; did you mean `{path}.{suggestion}`?"
                ),
                fix: format!(
                    "rename `{key}` to `{suggestion}` (the keys are in docs/migration.md)"
                ),
            });
            continue;
        };
        if item.is_null() {
            continue;
        }
        match field.shape {
            Shape::Object(inner) => {
                let inner = check_object(&item_path, item, inner, problems);
                cleaned.insert(key.clone(), inner);
            }
            shape if shape.accepts(item) => {
                cleaned.insert(key.clone(), item.clone());
            }
            shape => {
                let fix = match (shape, item.as_str()) {
                    (Shape::Choice(choices), Some(text)) => format!(
                        "did you mean `{}`?",
                        closest(text, choices.iter().copied()).unwrap_or_default()
                    ),
                    _ => format!("set `{key}` to {}", shape.expected()),
                };
                problems.push(Problem {
                    key: item_path,
                    value: Some(shown(item)),
                    problem: format!("must be {}", shape.expected()),
                    fix,
                });
            }
        }
    }
    // A required key that a misspelt one stands for is reported once, as the misspelling.
    for field in fields
        .iter()
        .filter(|f| f.required && !suggested.contains(&f.name))
    {
        if map.get(field.name).is_none_or(Value::is_null) {
            problems.push(Problem {
                key: format!("{path}.{}", field.name),
                value: None,
                problem: "is required but not set".to_owned(),
                fix: format!(
                    "add `{}` ({}) to the `{path}` object (see docs/migration.md)",
                    field.name,
                    field.shape.expected()
                ),
            });
        }
    }
    Value::Object(cleaned)
}

/// Parses the `migration` object at `key`: every problem of every depth, or the settings.
pub fn parse(key: &str, value: &Value) -> Result<MigrationSettings, Vec<Problem>> {
    let mut problems = Vec::new();
    let cleaned = check_object(key, value, MIGRATION_FIELDS, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    serde_json::from_value(cleaned).map_err(|error| {
        vec![Problem {
            key: key.to_owned(),
            value: None,
            problem: format!("is not a valid migration object: {error}"),
            fix: "see docs/migration.md for its keys".to_owned(),
        }]
    })
}

impl Expected for MigrationSettings {
    fn expected() -> String {
        Shape::Object(MIGRATION_FIELDS).expected()
    }

    fn read(config: &Config, key: &str, full_key: &str) -> Result<Option<Self>, Vec<Problem>> {
        let value = <Value as Expected>::read(config, key, full_key)?;
        value.map(|value| parse(key, &value)).transpose()
    }
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

fn default_front_door() -> FrontDoor {
    FrontDoor::Onprem
}

fn default_rds_replication_user() -> String {
    "dms_replication".to_owned()
}

/// The default `binlogRetentionHours`: a day, the least that covers a rollback window overnight.
pub const DEFAULT_BINLOG_RETENTION_HOURS: i64 = 24;

fn default_binlog_retention_hours() -> i64 {
    DEFAULT_BINLOG_RETENTION_HOURS
}

/// The longest binary log retention RDS for MySQL accepts, in hours (7 days).
pub const MAX_BINLOG_RETENTION_HOURS: i64 = 168;

/// The migration phase the stack is in (see docs/migration.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationPhase {
    /// Platform built, replication running, no traffic.
    Prepare,
    /// Canary traffic to AWS.
    Parallel,
    /// Traffic shifting step by step.
    Shift,
    /// AWS takes all traffic; RDS is the writer.
    Cutover,
    /// On-premises side removed.
    Decommission,
}

impl Expected for MigrationPhase {
    fn expected() -> String {
        "one of `prepare`, `parallel`, `shift`, `cutover`, `decommission`".to_owned()
    }

    fn choices() -> &'static [&'static str] {
        &["prepare", "parallel", "shift", "cutover", "decommission"]
    }
}

impl MigrationPhase {
    /// The phase as written in config and tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Parallel => "parallel",
            Self::Shift => "shift",
            Self::Cutover => "cutover",
            Self::Decommission => "decommission",
        }
    }
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
    r: &mut Reader<'_>,
    phase: MigrationPhase,
    settings: &MigrationSettings,
    vpc_cidr: &str,
) {
    validate_on_prem_cidrs(r, phase, settings, vpc_cidr);
    validate_weight(r, phase, settings);
    validate_required_for_phase(r, phase, settings);
    validate_replication(r, phase, settings);
    validate_front_door(r, phase, settings);
    validate_addresses(r, settings);
}

/// The data center networks: present (until decommission), valid, not the internet, apart from
/// the VPC.
fn validate_on_prem_cidrs(
    r: &mut Reader<'_>,
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
}

/// The AWS traffic weight: a percentage, within what the phase allows.
fn validate_weight(r: &mut Reader<'_>, phase: MigrationPhase, settings: &MigrationSettings) {
    let key = "migration";
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
}

/// The objects each phase needs (VPN device, on-prem database, app servers, public record).
fn validate_required_for_phase(
    r: &mut Reader<'_>,
    phase: MigrationPhase,
    settings: &MigrationSettings,
) {
    let key = "migration";
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
}

/// The addresses: the VPN device's IP, the BGP ASN, the on-prem servers' public and private IPs.
fn validate_addresses(r: &mut Reader<'_>, settings: &MigrationSettings) {
    let key = "migration";
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

/// Whether `arn` is a Secrets Manager secret ARN
/// (`arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>`).
pub fn is_secret_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "secretsmanager", region, account, "secret", name]
            if !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && !name.is_empty()
    )
}

/// Whether `name` is a MySQL user name DMS can use (1-32 letters, digits or `_`).
fn is_mysql_user(name: &str) -> bool {
    (1..=32).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn validate_replication(r: &mut Reader<'_>, phase: MigrationPhase, settings: &MigrationSettings) {
    let key = "migration";
    if let Some(database) = &settings.database
        && !is_secret_arn(&database.secret_arn)
    {
        r.invalid(
            key,
            Some(database.secret_arn.clone()),
            "migration.database.secretArn is not a Secrets Manager secret ARN",
            "create the on-prem replication user's secret (host, port, username, password; docs/migration.md) and give its ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>",
        );
    }
    if !is_mysql_user(&settings.rds_replication_user) {
        r.invalid(
            key,
            Some(settings.rds_replication_user.clone()),
            "migration.rdsReplicationUser is not a MySQL user name",
            "use 1 to 32 letters, digits or underscores, e.g. dms_replication",
        );
    }
    if !(DEFAULT_BINLOG_RETENTION_HOURS..=MAX_BINLOG_RETENTION_HOURS)
        .contains(&settings.binlog_retention_hours)
    {
        r.invalid(
            key,
            Some(settings.binlog_retention_hours.to_string()),
            &format!(
                "migration.binlogRetentionHours must be between {DEFAULT_BINLOG_RETENTION_HOURS} and {MAX_BINLOG_RETENTION_HOURS} (RDS keeps binary logs at most 7 days)"
            ),
            "set the hours the reverse task may need to catch up, e.g. 24",
        );
    }
    for (direction, task, default_type) in [
        ("forward", &settings.forward, FORWARD_DEFAULT_TYPE),
        ("reverse", &settings.reverse, REVERSE_DEFAULT_TYPE),
    ] {
        let migration_type = task.migration_type.as_deref().unwrap_or(default_type);
        match (&task.cdc_start_position, migration_type) {
            (Some(position), kind) if kind != "cdc" => r.invalid(
                key,
                Some(position.clone()),
                &format!(
                    "migration.{direction}.cdcStartPosition is set but migration.{direction}.migrationType is {kind}; a start position is for a cdc task"
                ),
                &format!("set migration.{direction}.migrationType to cdc, or remove the position"),
            ),
            (Some(position), _) if position.trim().is_empty() => r.invalid(
                key,
                Some(position.clone()),
                &format!("migration.{direction}.cdcStartPosition is empty"),
                "give the binlog position, e.g. mysql-bin-changelog.000123:4567",
            ),
            _ => {}
        }
    }
    if settings.forward_type() == "cdc"
        && settings.forward.cdc_start_position.is_none()
        && phase.has_forward_replication()
    {
        r.invalid(
            key,
            Some("cdc".to_owned()),
            "migration.forward.migrationType is cdc without migration.forward.cdcStartPosition: changes made before the task starts would be lost",
            "after a rollback, give the on-prem binlog position where the reverse task stopped (docs/migration.md, rollback)",
        );
    }
    if settings.reverse_type() != "cdc" {
        r.invalid(
            key,
            Some(settings.reverse_type().to_owned()),
            "migration.reverse.migrationType must be cdc: a full load into the on-prem database would overwrite the rollback target",
            "remove migration.reverse.migrationType (default cdc)",
        );
    }
    if settings.forward.start && settings.reverse.start {
        r.invalid(
            key,
            Some("true".to_owned()),
            "migration.forward.start and migration.reverse.start are both true: the two tasks would replicate in a loop",
            "start one direction only; at cutover remove the forward task first (docs/migration.md)",
        );
    }
    if settings.reverse.start && !phase.has_reverse_replication() {
        r.invalid(
            key,
            Some("true".to_owned()),
            &format!(
                "migration.reverse.start is true in phase {}; the reverse task exists only in cutover",
                phase.as_str()
            ),
            "set migration.reverse.start to false (a rollback removes the reverse task before the forward one starts)",
        );
    }
}

fn validate_front_door(r: &mut Reader<'_>, phase: MigrationPhase, settings: &MigrationSettings) {
    let key = "migration";
    if settings.front_door == FrontDoor::Alb
        && !phase.has_weighted_traffic()
        && phase != MigrationPhase::Decommission
    {
        r.invalid(
            key,
            Some("alb".to_owned()),
            &format!(
                "migration.frontDoor is alb in phase {}: the ALB forwards to the data center only from parallel on",
                phase.as_str()
            ),
            "keep frontDoor onprem until parallel, and move it once the ALB's on-prem targets are healthy",
        );
    }
    if settings.aws_traffic_weight > 0 && settings.front_door != FrontDoor::Alb {
        r.invalid(
            key,
            Some(settings.aws_traffic_weight.to_string()),
            "migration.awsTrafficWeight is above 0 while migration.frontDoor is onprem: DNS sends no client to the ALB, so AWS would serve nothing",
            "first set frontDoor alb (with weight 0) once the ALB's on-prem target group is healthy, then raise the weight",
        );
    }
    let needs_adoption = phase.has_weighted_traffic() || phase == MigrationPhase::Decommission;
    if needs_adoption && settings.public_record.is_some() && !settings.record_adopted() {
        r.invalid(
            key,
            Some("false".to_owned()),
            &format!(
                "migration.publicRecord.adopted is false in phase {}: Route 53 refuses weighted records beside the existing simple record",
                phase.as_str()
            ),
            "take over the record (one change batch, then pulumi import; docs/migration.md) and set migration.publicRecord.adopted true",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The field names serde knows for `T`, read from its unknown-field error.
    fn serde_fields<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let error = serde_json::from_value::<T>(json!({"zzzUnknown": 0}))
            .expect_err("unknown field")
            .to_string();
        let expected = error.split("expected").nth(1).expect("expected list");
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    fn names(fields: &[Field]) -> Vec<String> {
        fields.iter().map(|f| f.name.to_owned()).collect()
    }

    #[test]
    fn the_schema_has_exactly_the_fields_of_the_structs() {
        assert_eq!(names(MIGRATION_FIELDS), serde_fields::<MigrationSettings>());
        assert_eq!(names(DATABASE_FIELDS), serde_fields::<OnPremDatabase>());
        assert_eq!(names(APP_SERVER_FIELDS), serde_fields::<OnPremApp>());
        assert_eq!(names(PUBLIC_RECORD_FIELDS), serde_fields::<PublicRecord>());
        assert_eq!(names(TASK_FIELDS), serde_fields::<TaskSettings>());
    }

    fn full() -> Value {
        json!({
            "onPremCidrs": ["172.16.0.0/16"], "customerGatewayIp": "198.51.100.10", "bgpAsn": 65010,
            "staticRoutes": true,
            "database": {"host": "172.16.10.5", "port": 3306, "secretArn": "arn:aws:secretsmanager:x"},
            "appServers": {"ips": ["172.16.20.10"], "port": 443, "publicIps": ["198.51.100.20"],
                           "healthCheckPath": "/health"},
            "publicRecord": {"name": "pay.example.com", "hostedZoneId": "Z1", "adopted": true},
            "awsTrafficWeight": 0, "frontDoor": "onprem", "tableMappings": {"rules": []},
            "runDms": true, "dmsRoles": "existing", "dmsInstanceClass": "dms.t3.medium",
            "rdsReplicationUser": "dms_replication", "binlogRetentionHours": 48,
            "forward": {"migrationType": "cdc", "cdcStartPosition": "mysql-bin.000311:4", "start": true},
            "reverse": {"migrationType": "cdc", "start": false}
        })
    }

    #[test]
    fn every_key_of_the_schema_parses() {
        let settings = parse("migration", &full()).expect("valid");
        assert_eq!(settings.dms_roles, DmsRoles::Existing);
        assert_eq!(settings.front_door, FrontDoor::Onprem);
        assert!(settings.record_adopted());
        assert_eq!(settings.binlog_retention_hours, 48);
        assert_eq!(settings.forward_type(), "cdc");
        assert!(settings.forward.start && !settings.reverse.start);
        assert_eq!(settings.database.map(|d| d.port), Some(3306));
        let mut minimal = full();
        for key in [
            "forward",
            "reverse",
            "frontDoor",
            "binlogRetentionHours",
            "rdsReplicationUser",
        ] {
            minimal.as_object_mut().expect("object").remove(key);
        }
        let defaults = parse("migration", &minimal).expect("valid");
        assert_eq!(defaults.forward_type(), FORWARD_DEFAULT_TYPE);
        assert_eq!(defaults.reverse_type(), REVERSE_DEFAULT_TYPE);
        assert!(
            !defaults.forward.start && !defaults.reverse.start,
            "tasks start only when told"
        );
        assert_eq!(defaults.front_door, FrontDoor::Onprem);
        assert_eq!(defaults.rds_replication_user, "dms_replication");
        assert_eq!(
            defaults.binlog_retention_hours,
            DEFAULT_BINLOG_RETENTION_HOURS
        );
    }

    #[test]
    fn unknown_keys_at_every_depth_name_the_closest_key() {
        let mut value = full();
        value["databse"] = json!({});
        value["database"]["hots"] = json!("172.16.10.6");
        let public_ips = value["appServers"]["publicIps"].take();
        value["appServers"]["publicIp"] = public_ips;
        value["appServers"]
            .as_object_mut()
            .expect("object")
            .remove("publicIps");
        let problems = parse("migration", &value).expect_err("typos");
        let by_key = |key: &str| {
            problems
                .iter()
                .find(|p| p.key == key)
                .unwrap_or_else(|| panic!("no problem for {key}: {problems:#?}"))
        };
        assert!(
            by_key("migration.databse")
                .problem
                .contains("did you mean `migration.database`?")
        );
        let host = by_key("migration.database.hots");
        assert!(
            host.problem
                .contains("did you mean `migration.database.host`?")
        );
        assert_eq!(host.value.as_deref(), Some("172.16.10.6"));
        assert!(
            by_key("migration.appServers.publicIp")
                .problem
                .contains("did you mean `migration.appServers.publicIps`?")
        );
        assert_eq!(problems.len(), 3, "{problems:#?}");
    }

    #[test]
    fn wrong_types_and_missing_keys_are_said_in_plain_words() {
        let mut value = full();
        value["bgpAsn"] = json!("lots");
        value["staticRoutes"] = json!("yes");
        value["onPremCidrs"] = json!("172.16.0.0/16");
        value["dmsRoles"] = json!("exsting");
        value["database"]["port"] = json!(3306.5);
        value["publicRecord"] = json!({"name": "pay.example.com"});
        value["awsTrafficWeight"] = Value::Null;
        let problems = parse("migration", &value).expect_err("wrong types");
        let said = |key: &str, words: &str| {
            assert!(
                problems
                    .iter()
                    .any(|p| p.key == key && p.problem.contains(words)),
                "{key}: {words:?} not in {problems:#?}"
            );
        };
        said("migration.bgpAsn", "must be a whole number");
        said("migration.staticRoutes", "must be true or false");
        said("migration.onPremCidrs", "must be a list of text values");
        said("migration.dmsRoles", "must be one of `create`, `existing`");
        said("migration.database.port", "must be a whole number");
        said(
            "migration.publicRecord.hostedZoneId",
            "is required but not set",
        );
        said("migration.awsTrafficWeight", "is required but not set");
        assert!(
            problems
                .iter()
                .any(|p| p.key == "migration.dmsRoles" && p.fix.contains("`existing`"))
        );
        assert_eq!(problems.len(), 7, "{problems:#?}");
        let text = format!("{problems:?}");
        for rust_name in ["i64", "bool", "sequence", "invalid type"] {
            assert!(!text.contains(rust_name), "{rust_name}: {text}");
        }
    }

    #[test]
    fn a_null_means_not_set_and_a_non_object_is_refused() {
        let mut value = full();
        value["bgpAsn"] = Value::Null;
        assert_eq!(parse("migration", &value).expect("valid").bgp_asn, 65000);
        let problems = parse("migration", &json!("vpn")).expect_err("not an object");
        assert!(
            problems[0]
                .problem
                .starts_with("must be a mapping with the keys `onPremCidrs`")
        );
    }

    #[test]
    fn task_keys_are_checked_like_every_other_key() {
        let mut value = full();
        value["forward"]["strat"] = json!(true);
        value["reverse"]["migrationType"] = json!("cdc-only");
        let problems = parse("migration", &value).expect_err("typos");
        assert!(
            problems.iter().any(|p| p.key == "migration.forward.strat"
                && p.problem
                    .contains("did you mean `migration.forward.start`?")),
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.key == "migration.reverse.migrationType"
                    && p.problem
                        .contains("must be one of `full-load-and-cdc`, `cdc`, `full-load`")),
            "{problems:#?}"
        );
    }

    #[test]
    fn secret_arns_are_recognised() {
        assert!(is_secret_arn(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-AbCdEf"
        ));
        assert!(is_secret_arn(
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a"
        ));
        for bad in [
            "onprem-mysql",
            "arn:aws:secretsmanager:us-east-1:1234:secret:x",
            "arn:aws:kms:us-east-1:123456789012:key/x",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:",
        ] {
            assert!(!is_secret_arn(bad), "{bad}");
        }
    }

    #[test]
    fn overlap_is_symmetric_and_prefix_aware() {
        assert!(overlaps("10.0.0.0/8", "10.20.0.0/16"));
        assert!(overlaps("10.20.0.0/16", "10.0.0.0/8"));
        assert!(!overlaps("172.16.0.0/16", "10.20.0.0/16"));
    }
}
