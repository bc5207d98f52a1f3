//! The `migration` config object and its validation against the phase.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::config::{MigrationPhase, parse_cidr};
use crate::reader::{Expected, Problem, Reader, closest, shown};
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
    optional("tableMappings", Shape::AnyJson),
    optional("runDms", Shape::Bool),
    optional("dmsRoles", Shape::Choice(&["create", "existing"])),
    optional("dmsInstanceClass", Shape::Text),
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
    }

    fn full() -> Value {
        json!({
            "onPremCidrs": ["172.16.0.0/16"], "customerGatewayIp": "198.51.100.10", "bgpAsn": 65010,
            "staticRoutes": true,
            "database": {"host": "172.16.10.5", "port": 3306, "secretArn": "arn:aws:secretsmanager:x"},
            "appServers": {"ips": ["172.16.20.10"], "port": 443, "publicIps": ["198.51.100.20"],
                           "healthCheckPath": "/health"},
            "publicRecord": {"name": "pay.example.com", "hostedZoneId": "Z1"},
            "awsTrafficWeight": 0, "tableMappings": {"rules": []}, "runDms": true,
            "dmsRoles": "existing", "dmsInstanceClass": "dms.t3.medium"
        })
    }

    #[test]
    fn every_key_of_the_schema_parses() {
        let settings = parse("migration", &full()).expect("valid");
        assert_eq!(settings.dms_roles, DmsRoles::Existing);
        assert_eq!(settings.database.map(|d| d.port), Some(3306));
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
    fn overlap_is_symmetric_and_prefix_aware() {
        assert!(overlaps("10.0.0.0/8", "10.20.0.0/16"));
        assert!(overlaps("10.20.0.0/16", "10.0.0.0/8"));
        assert!(!overlaps("172.16.0.0/16", "10.20.0.0/16"));
    }
}
