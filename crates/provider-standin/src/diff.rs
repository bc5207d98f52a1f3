//! Diff: which top-level inputs changed, and which of those force a new resource.
//!
//! The real providers (Terraform-bridged) know a `ForceNew` flag per property; the schema index
//! does not carry it, so [`FORCE_NEW`] lists the properties this project knows to force
//! replacement for the types it uses (from the Terraform AWS provider's resource docs: "Changing
//! this forces a new resource"). A property missing from the table is treated as updatable: a
//! stand-in diff may show an update where AWS would replace, never the reverse for listed ones.

use pulumi_runtime::wire;
use serde_json::{Map, Value};

/// Properties that force a new resource, per type.
pub const FORCE_NEW: &[(&str, &[&str])] = &[
    ("aws:ec2/vpc:Vpc", &["cidrBlock"]),
    (
        "aws:ec2/subnet:Subnet",
        &["cidrBlock", "availabilityZone", "vpcId"],
    ),
    (
        "aws:ec2/securityGroup:SecurityGroup",
        &["name", "vpcId", "description"],
    ),
    ("aws:ec2/routeTable:RouteTable", &["vpcId"]),
    (
        "aws:ec2/route:Route",
        &["routeTableId", "destinationCidrBlock"],
    ),
    (
        "aws:ec2/natGateway:NatGateway",
        &["subnetId", "allocationId"],
    ),
    ("aws:ec2/launchTemplate:LaunchTemplate", &["name"]),
    (
        "aws:ec2/customerGateway:CustomerGateway",
        &["bgpAsn", "ipAddress", "type"],
    ),
    (
        "aws:ec2/vpnConnection:VpnConnection",
        &["type", "staticRoutesOnly"],
    ),
    ("aws:autoscaling/group:Group", &["name"]),
    (
        "aws:lb/loadBalancer:LoadBalancer",
        &["name", "internal", "loadBalancerType"],
    ),
    (
        "aws:lb/targetGroup:TargetGroup",
        &["name", "port", "protocol", "vpcId", "targetType"],
    ),
    (
        "aws:rds/instance:Instance",
        &[
            "identifier",
            "engine",
            "storageEncrypted",
            "kmsKeyId",
            "username",
        ],
    ),
    ("aws:rds/subnetGroup:SubnetGroup", &["name"]),
    ("aws:rds/parameterGroup:ParameterGroup", &["name", "family"]),
    (
        "aws:rds/optionGroup:OptionGroup",
        &["name", "engineName", "majorEngineVersion"],
    ),
    ("aws:s3/bucket:Bucket", &["bucket"]),
    ("aws:kms/key:Key", &["customerMasterKeySpec", "keyUsage"]),
    ("aws:kms/alias:Alias", &["name"]),
    ("aws:iam/role:Role", &["name", "path"]),
    ("aws:iam/policy:Policy", &["name", "path"]),
    ("aws:iam/instanceProfile:InstanceProfile", &["name"]),
    ("aws:cloudwatch/logGroup:LogGroup", &["name"]),
    ("aws:wafv2/webAcl:WebAcl", &["name", "scope"]),
    (
        "aws:acm/certificate:Certificate",
        &["domainName", "validationMethod"],
    ),
    (
        "aws:route53/record:Record",
        &["name", "type", "zoneId", "setIdentifier"],
    ),
    (
        "aws:dms/replicationInstance:ReplicationInstance",
        &["replicationInstanceId"],
    ),
    ("aws:dms/endpoint:Endpoint", &["endpointId"]),
    (
        "aws:dms/replicationTask:ReplicationTask",
        &["replicationTaskId"],
    ),
    (
        "tls:index/privateKey:PrivateKey",
        &["algorithm", "rsaBits", "ecdsaCurve"],
    ),
    (
        "tls:index/selfSignedCert:SelfSignedCert",
        &[
            "privateKeyPem",
            "subject",
            "validityPeriodHours",
            "allowedUses",
            "dnsNames",
        ],
    ),
];

/// The property that carries a type's explicit physical name, for the types that have one.
const NAME_PROPERTIES: &[&str] = &[
    "name",
    "bucket",
    "identifier",
    "replicationInstanceId",
    "endpointId",
    "replicationTaskId",
];

/// The result of comparing old and new inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Top-level properties whose value changed (sorted).
    pub changed: Vec<String>,
    /// The changed properties that force a new resource (sorted).
    pub replaces: Vec<String>,
    /// Whether the old resource must be deleted first: a replacement of a resource whose physical
    /// name is set explicitly (two resources cannot hold one name), as the bridged providers do.
    pub delete_before_replace: bool,
}

/// Compares `news` with `olds` (the old inputs), skipping `ignore` (top-level names).
pub fn compare(
    ty: &str,
    olds: &Map<String, Value>,
    news: &Map<String, Value>,
    ignore: &[String],
) -> Changes {
    let mut keys: Vec<&String> = olds.keys().chain(news.keys()).collect();
    keys.sort();
    keys.dedup();
    let changed: Vec<String> = keys
        .into_iter()
        .filter(|key| !ignore.iter().any(|i| i == *key))
        .filter(|key| differs(olds.get(*key), news.get(*key)))
        .cloned()
        .collect();
    let forcing = FORCE_NEW
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(&[][..], |(_, properties)| *properties);
    let replaces: Vec<String> = changed
        .iter()
        .filter(|key| forcing.contains(&key.as_str()))
        .cloned()
        .collect();
    let named = NAME_PROPERTIES
        .iter()
        .any(|key| news.get(*key).is_some_and(|v| !v.is_null()));
    Changes {
        delete_before_replace: !replaces.is_empty() && named,
        changed,
        replaces,
    }
}

/// Whether two values differ; an unknown new value always differs, secrecy alone does not.
fn differs(old: Option<&Value>, new: Option<&Value>) -> bool {
    let old = old.map(plain).filter(|v| !v.is_null());
    let new = new.map(plain).filter(|v| !v.is_null());
    if new.as_ref().is_some_and(contains_unknown) {
        return true;
    }
    old != new
}

/// The value with every secret envelope replaced by its content.
fn plain(value: &Value) -> Value {
    match value {
        Value::Object(map)
            if map.get(wire::SIG_KEY).and_then(Value::as_str) == Some(wire::SECRET_SIG) =>
        {
            map.get("value").map(plain).unwrap_or(Value::Null)
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(plain).collect()),
        other => other.clone(),
    }
}

/// Whether a value holds the unknown sentinel anywhere.
pub fn contains_unknown(value: &Value) -> bool {
    match value {
        Value::String(text) => text == wire::UNKNOWN,
        Value::Array(items) => items.iter().any(contains_unknown),
        Value::Object(map) => map.values().any(contains_unknown),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn equal_inputs_have_no_changes() {
        let inputs = map(json!({"cidrBlock": "10.0.0.0/16", "tags": {"A": "b"}}));
        assert_eq!(
            compare("aws:ec2/vpc:Vpc", &inputs, &inputs, &[]),
            Changes::default()
        );
    }

    #[test]
    fn a_tag_change_is_an_update_and_a_cidr_change_a_replacement() {
        let olds = map(json!({"cidrBlock": "10.0.0.0/16", "tags": {"A": "b"}}));
        let tags = map(json!({"cidrBlock": "10.0.0.0/16", "tags": {"A": "c"}}));
        let update = compare("aws:ec2/vpc:Vpc", &olds, &tags, &[]);
        assert_eq!(update.changed, vec!["tags"]);
        assert!(update.replaces.is_empty());
        let cidr = map(json!({"cidrBlock": "10.1.0.0/16", "tags": {"A": "b"}}));
        let replace = compare("aws:ec2/vpc:Vpc", &olds, &cidr, &[]);
        assert_eq!(replace.replaces, vec!["cidrBlock"]);
        assert!(!replace.delete_before_replace, "a VPC has no physical name");
    }

    #[test]
    fn replacing_a_named_resource_deletes_first() {
        let olds = map(json!({"identifier": "db-dev-a1", "instanceClass": "db.t3.medium"}));
        let news = map(json!({"identifier": "db-dev-a2", "instanceClass": "db.t3.medium"}));
        let changes = compare("aws:rds/instance:Instance", &olds, &news, &[]);
        assert_eq!(changes.replaces, vec!["identifier"]);
        assert!(changes.delete_before_replace);
    }

    #[test]
    fn unknowns_differ_secrecy_does_not_and_ignored_keys_are_skipped() {
        let olds = map(json!({"password": "p", "vpcId": "vpc-1", "tags": {"A": "b"}}));
        let news = map(json!({
            "password": {wire::SIG_KEY: wire::SECRET_SIG, "value": "p"},
            "vpcId": wire::UNKNOWN,
            "tags": {"A": "z"}}));
        let changes = compare("aws:ec2/subnet:Subnet", &olds, &news, &["tags".to_owned()]);
        assert_eq!(changes.changed, vec!["vpcId"]);
        assert_eq!(changes.replaces, vec!["vpcId"]);
    }

    #[test]
    fn a_removed_property_is_a_change() {
        let olds = map(json!({"description": "x", "name": "n"}));
        let news = map(json!({"name": "n"}));
        let changes = compare("aws:iam/policy:Policy", &olds, &news, &[]);
        assert_eq!(changes.changed, vec!["description"]);
    }
}
