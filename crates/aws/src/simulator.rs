//! AWS and TLS behaviour for the local engine: the computed outputs that matter, the functions the
//! platform calls, and per-type creation latencies for the simulated deployment.

use std::time::Duration;

use pulumi_runtime::local::Simulator;
use pulumi_runtime::wire;
use serde_json::{Map, Value, json};

/// The account id the local engine pretends to deploy into.
pub const ACCOUNT_ID: &str = "123456789012";
/// The region the local engine pretends to deploy into.
pub const REGION: &str = "us-east-1";

/// Creation latency per resource type, as observed for typical AWS deployments. Types not listed
/// take [`DEFAULT_LATENCY`].
pub const LATENCIES: &[(&str, Duration)] = &[
    ("aws:rds/instance:Instance", Duration::from_secs(20 * 60)),
    ("aws:ec2/natGateway:NatGateway", Duration::from_secs(2 * 60)),
    (
        "aws:lb/loadBalancer:LoadBalancer",
        Duration::from_secs(3 * 60),
    ),
    (
        "aws:acm/certificateValidation:CertificateValidation",
        Duration::from_secs(5 * 60),
    ),
    ("aws:autoscaling/group:Group", Duration::from_secs(5 * 60)),
    (
        "aws:dms/replicationInstance:ReplicationInstance",
        Duration::from_secs(10 * 60),
    ),
    (
        "aws:ec2/vpnConnection:VpnConnection",
        Duration::from_secs(5 * 60),
    ),
    ("aws:ec2/vpnGateway:VpnGateway", Duration::from_secs(60)),
    ("aws:rds/optionGroup:OptionGroup", Duration::from_secs(30)),
    ("aws:kms/key:Key", Duration::from_secs(10)),
    ("aws:iam/role:Role", Duration::from_secs(5)),
    (
        "aws:iam/instanceProfile:InstanceProfile",
        Duration::from_secs(10),
    ),
    ("aws:ec2/vpc:Vpc", Duration::from_secs(5)),
    ("aws:s3/bucket:Bucket", Duration::from_secs(5)),
    ("aws:wafv2/webAcl:WebAcl", Duration::from_secs(10)),
];

/// Latency of any type not in [`LATENCIES`].
pub const DEFAULT_LATENCY: Duration = Duration::from_secs(2);

/// The AWS simulator. `latencies` off gives an instant engine (previews, most tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct AwsSimulator {
    /// Whether registrations wait their type's latency.
    pub latencies: bool,
}

/// The latency of creating a resource of type `ty`.
pub fn latency_of(ty: &str) -> Duration {
    LATENCIES
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(DEFAULT_LATENCY, |(_, d)| *d)
}

fn service(ty: &str) -> &str {
    ty.split(':')
        .nth(1)
        .and_then(|module| module.split('/').next())
        .unwrap_or("aws")
}

/// An ARN in the shape AWS gives resources of type `ty` in `region`.
fn arn(ty: &str, physical: &str, id: &str, region: &str) -> String {
    let regional =
        |service: &str, rest: String| format!("arn:aws:{service}:{region}:{ACCOUNT_ID}:{rest}");
    match ty {
        "aws:kms/key:Key" => regional("kms", format!("key/{id}")),
        "aws:s3/bucket:Bucket" => format!("arn:aws:s3:::{physical}"),
        "aws:iam/role:Role" => format!("arn:aws:iam::{ACCOUNT_ID}:role/{physical}"),
        "aws:iam/policy:Policy" => format!("arn:aws:iam::{ACCOUNT_ID}:policy/{physical}"),
        "aws:iam/instanceProfile:InstanceProfile" => {
            format!("arn:aws:iam::{ACCOUNT_ID}:instance-profile/{physical}")
        }
        "aws:lb/loadBalancer:LoadBalancer" => regional(
            "elasticloadbalancing",
            format!("loadbalancer/app/{physical}/{id}"),
        ),
        "aws:lb/targetGroup:TargetGroup" => regional(
            "elasticloadbalancing",
            format!("targetgroup/{physical}/{id}"),
        ),
        "aws:rds/instance:Instance" => regional("rds", format!("db:{physical}")),
        "aws:cloudwatch/logGroup:LogGroup" => regional("logs", format!("log-group:{physical}")),
        "aws:sns/topic:Topic" => regional("sns", physical.to_owned()),
        "aws:wafv2/webAcl:WebAcl" => regional("wafv2", format!("regional/webacl/{physical}/{id}")),
        "aws:acm/certificate:Certificate" => regional("acm", format!("certificate/{id}")),
        "aws:cloudtrail/trail:Trail" => regional("cloudtrail", format!("trail/{physical}")),
        "aws:cloudwatch/eventRule:EventRule" => regional("events", format!("rule/{physical}")),
        "aws:guardduty/detector:Detector" => regional("guardduty", format!("detector/{id}")),
        "aws:backup/vault:Vault" => regional("backup", format!("backup-vault:{physical}")),
        _ => regional(service(ty), format!("{physical}/{id}")),
    }
}

fn input_str<'a>(inputs: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    inputs
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| *s != wire::UNKNOWN)
}

impl Simulator for AwsSimulator {
    fn computed_outputs(
        &self,
        ty: &str,
        name: &str,
        id: &str,
        inputs: &Map<String, Value>,
        provider: &Map<String, Value>,
    ) -> Map<String, Value> {
        // pulumi-aws 7: a resource's own `region`, else its provider's.
        let region = input_str(inputs, "region")
            .or_else(|| input_str(provider, "region"))
            .unwrap_or(REGION);
        let physical = input_str(inputs, "name")
            .or_else(|| input_str(inputs, "bucket"))
            .or_else(|| input_str(inputs, "identifier"))
            .unwrap_or(name)
            .to_owned();
        let mut out = Map::new();
        if ty.starts_with("aws:") {
            out.insert("arn".to_owned(), json!(arn(ty, &physical, id, region)));
        }
        let extra = match ty {
            "aws:ec2/vpc:Vpc" => json!({"defaultSecurityGroupId": format!("sg-default-{id}"),
                                        "defaultRouteTableId": format!("rtb-default-{id}"),
                                        "mainRouteTableId": format!("rtb-main-{id}")}),
            "aws:lb/loadBalancer:LoadBalancer" => json!({
                "dnsName": format!("{physical}-1234567890.{region}.elb.amazonaws.com"),
                "zoneId": "Z35SXDOTRQ7X7K",
                "arnSuffix": format!("app/{physical}/{id}")}),
            "aws:lb/targetGroup:TargetGroup" => {
                json!({"arnSuffix": format!("targetgroup/{physical}/{id}")})
            }
            "aws:rds/instance:Instance" => json!({
                "address": format!("{physical}.c0ffee123456.{region}.rds.amazonaws.com"),
                "endpoint": format!("{physical}.c0ffee123456.{region}.rds.amazonaws.com:3306"),
                "port": 3306,
                "resourceId": format!("db-{id}"),
                "masterUserSecrets": [{"secretArn": format!("arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:rds!{id}"),
                                       "secretStatus": "active"}]}),
            "aws:s3/bucket:Bucket" => json!({
                "bucket": physical,
                "bucketDomainName": format!("{physical}.s3.amazonaws.com"),
                "bucketRegionalDomainName": format!("{physical}.s3.{region}.amazonaws.com")}),
            "aws:kms/key:Key" => json!({"keyId": id}),
            "aws:ec2/vpcEndpoint:VpcEndpoint" => match input_str(inputs, "vpcEndpointType") {
                Some("Interface") => json!({}),
                _ => json!({"prefixListId": format!(
                    "pl-{}",
                    id.chars().filter(char::is_ascii_hexdigit).take(8).collect::<String>()
                )}),
            },
            "aws:iam/role:Role"
            | "aws:iam/instanceProfile:InstanceProfile"
            | "aws:iam/policy:Policy" => {
                json!({"name": physical})
            }
            "aws:ec2/launchTemplate:LaunchTemplate" => {
                json!({"latestVersion": 1, "defaultVersion": 1})
            }
            "aws:acm/certificate:Certificate" => {
                let domain = input_str(inputs, "domainName").unwrap_or("example.com");
                json!({"domainValidationOptions": [{
                    "domainName": domain,
                    "resourceRecordName": format!("_c0ffee.{domain}."),
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": "_c0ffee.acm-validations.aws."}]})
            }
            "aws:dms/replicationInstance:ReplicationInstance" => json!({
                "replicationInstanceArn": format!("arn:aws:dms:{region}:{ACCOUNT_ID}:rep:{id}"),
                "replicationInstancePrivateIps": ["10.0.64.10"]}),
            "aws:dms/endpoint:Endpoint" => json!({
                "endpointArn": format!("arn:aws:dms:{region}:{ACCOUNT_ID}:endpoint:{id}")}),
            "aws:dms/replicationTask:ReplicationTask" => json!({
                "replicationTaskArn": format!("arn:aws:dms:{region}:{ACCOUNT_ID}:task:{id}"),
                "status": "running"}),
            "aws:route53/healthCheck:HealthCheck" => json!({}),
            "aws:route53/record:Record" => json!({
                "fqdn": input_str(inputs, "name").unwrap_or(name).trim_end_matches('.')}),
            "aws:ec2/vpnConnection:VpnConnection" => json!({
                "tunnel1Address": "203.0.113.10", "tunnel2Address": "203.0.113.11"}),
            "tls:index/privateKey:PrivateKey" => json!({
                "privateKeyPem": wire::secret_envelope(json!("-----BEGIN PRIVATE KEY-----\nlocal\n-----END PRIVATE KEY-----\n")),
                "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nlocal\n-----END PUBLIC KEY-----\n"}),
            "tls:index/selfSignedCert:SelfSignedCert" => json!({
                "certPem": "-----BEGIN CERTIFICATE-----\nlocal\n-----END CERTIFICATE-----\n"}),
            _ => json!({}),
        };
        if let Value::Object(extra) = extra {
            out.extend(extra);
        }
        out
    }

    fn invoke(&self, token: &str, args: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        let answer = match token {
            "aws:index/getAvailabilityZones:getAvailabilityZones" => json!({
                "names": ["us-east-1a", "us-east-1b", "us-east-1c"],
                "zoneIds": ["use1-az1", "use1-az2", "use1-az4"],
                "id": REGION, "state": "available"}),
            "aws:ssm/getParameter:getParameter" => {
                let name = input_str(args, "name").unwrap_or_default();
                json!({"name": name, "id": name, "type": "String", "version": 1,
                       "value": wire::secret_envelope(json!("ami-0123456789abcdef0")),
                       "insecureValue": "ami-0123456789abcdef0"})
            }
            "aws:index/getCallerIdentity:getCallerIdentity" => json!({
                "accountId": ACCOUNT_ID, "id": ACCOUNT_ID,
                "arn": format!("arn:aws:iam::{ACCOUNT_ID}:user/local"), "userId": "AIDALOCAL"}),
            "aws:index/getPartition:getPartition" => json!({
                "partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}),
            "aws:index/getRegion:getRegion" => {
                json!({"name": REGION, "region": REGION, "id": REGION})
            }
            "aws:elb/getServiceAccount:getServiceAccount" => json!({
                "id": "127311923021", "arn": "arn:aws:iam::127311923021:root"}),
            "aws:ec2/getManagedPrefixList:getManagedPrefixList" => {
                let id = input_str(args, "id").unwrap_or("pl-0123456789abcdef0");
                json!({"id": id, "name": "local", "addressFamily": "IPv4", "maxEntries": 10,
                       "entries": [], "ownerId": ACCOUNT_ID,
                       "arn": format!("arn:aws:ec2:{REGION}:{ACCOUNT_ID}:prefix-list/{id}")})
            }
            "aws:secretsmanager/getRandomPassword:getRandomPassword" => json!({
                "id": REGION,
                "randomPassword": wire::secret_envelope(json!("LocalEngineGeneratedPassword0001"))}),
            other => return Err(format!("the local engine has no answer for {other}")),
        };
        match answer {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        }
    }

    fn latency(&self, ty: &str) -> Duration {
        if self.latencies {
            latency_of(ty)
        } else {
            Duration::ZERO
        }
    }
}
