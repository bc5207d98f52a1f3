//! Every rule has a compliant and a non-compliant case: the compliant fixture passes every rule,
//! and each mutation in [`CASES`] makes its rule report a violation naming the mutated resource.

mod common;

use std::collections::BTreeSet;

use common::*;
use payments_compliance::{Severity, evaluate, rules};
use pulumi_runtime::Plan;
use serde_json::json;

/// The rule ids of every row of the control catalog (`shared/reference/pci-dss-controls.md`),
/// in catalog order.
const CATALOG: &[&str] = &[
    // Network
    "vpc-flow-logs",
    "vpc-default-sg-closed",
    "subnet-no-auto-public-ip",
    "igw-route-public-only",
    "private-tiers-private",
    "sg-no-world-ingress",
    "sg-no-all-protocols",
    "sg-tier-chain",
    "no-ssh",
    // Load balancing and TLS
    "alb-https-listener-acm",
    "alb-tls-policy",
    "alb-http-redirects",
    "alb-drop-invalid-headers",
    "alb-access-logs",
    "alb-waf",
    "tg-health-check",
    // Compute
    "asg-elb-health",
    "asg-capacity",
    "lt-no-public-ip",
    "lt-imdsv2",
    "lt-ebs-encrypted",
    "lt-instance-profile",
    "lt-detailed-monitoring",
    // Database
    "rds-encrypted-cmk",
    "rds-multi-az",
    "rds-not-public",
    "rds-backups",
    "rds-logs",
    "rds-tls-only",
    "rds-minor-upgrades",
    "rds-secret-kms",
    // Storage, keys, identity
    "s3-versioning",
    "s3-block-public",
    "s3-kms-default-encryption",
    "s3-tls-only",
    "s3-lifecycle",
    "s3-access-logging",
    "kms-rotation",
    "iam-no-admin",
    "iam-scoped-resources",
    "logs-encrypted-retained",
    // Project rules
    "tags-required",
    "names-suffixed",
    "destroyable",
    "region",
    "dms-not-public",
    // Account-level controls around the stack (PCI DSS v4.0): the catalog's audit trail and
    // intrusion detection rows, one rule per control the stack builds
    "trail-multi-region",
    "trail-log-validation",
    "trail-encrypted",
    "trail-cloudwatch-logs",
    "guardduty-enabled",
    // continuous compliance row
    "config-recorder-on",
    "securityhub-pci-standard",
    "db-backup-cross-region",
    "private-aws-endpoints",
    "app-egress-private",
];

/// A non-compliant case: the rule, the resource a finding must name, and the mutation.
struct Case {
    rule: &'static str,
    resource: &'static str,
    what: &'static str,
    mutate: fn(&mut Plan),
}

const SG_RULE: &str = "aws:ec2/securityGroupRule:SecurityGroupRule";

const CASES: &[Case] = &[
    // Network
    Case {
        rule: "vpc-flow-logs",
        resource: "vpc",
        what: "no flow log",
        mutate: |p| remove_resource(p, "flow-log"),
    },
    Case {
        rule: "vpc-flow-logs",
        resource: "flow-log",
        what: "rejected traffic only",
        mutate: |p| set(p, "flow-log", "trafficType", json!("REJECT")),
    },
    Case {
        rule: "vpc-flow-logs",
        resource: "flow-log",
        what: "unencrypted log group destination",
        mutate: |p| {
            set(
                p,
                "flow-log",
                "logDestinationType",
                json!("cloud-watch-logs"),
            );
            point(p, "flow-log", "logDestination", "log-group-app");
            remove(p, "log-group-app", "kmsKeyId");
        },
    },
    Case {
        rule: "vpc-default-sg-closed",
        resource: "default-sg",
        what: "default SG admits its members",
        mutate: |p| {
            set(
                p,
                "default-sg",
                "ingress",
                json!([{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": true}]),
            )
        },
    },
    Case {
        rule: "vpc-default-sg-closed",
        resource: "vpc",
        what: "default SG unmanaged",
        mutate: |p| remove_resource(p, "default-sg"),
    },
    Case {
        rule: "vpc-default-sg-closed",
        resource: "dsg-rule",
        what: "rule resource on the default SG",
        mutate: |p| {
            duplicate(p, "app-in-alb", "dsg-rule");
            point(p, "dsg-rule", "securityGroupId", "default-sg");
        },
    },
    Case {
        rule: "subnet-no-auto-public-ip",
        resource: "subnet-app-a",
        what: "public IPs on launch",
        mutate: |p| set(p, "subnet-app-a", "mapPublicIpOnLaunch", json!(true)),
    },
    Case {
        rule: "igw-route-public-only",
        resource: "route-app-a-nat",
        what: "app subnet default route to the IGW",
        mutate: |p| {
            remove(p, "route-app-a-nat", "natGatewayId");
            point(p, "route-app-a-nat", "gatewayId", "igw");
        },
    },
    Case {
        rule: "igw-route-public-only",
        resource: "route-main-internet",
        what: "IGW route in the main route table",
        mutate: |p| {
            duplicate(p, "route-public-a-internet", "route-main-internet");
            point(p, "route-main-internet", "routeTableId", "vpc");
        },
    },
    Case {
        rule: "private-tiers-private",
        resource: "subnet-public-a",
        what: "ASG in the public subnets",
        mutate: |p| {
            point_many(
                p,
                "asg-app",
                "vpcZoneIdentifiers",
                &["subnet-public-a", "subnet-public-b"],
            )
        },
    },
    Case {
        rule: "private-tiers-private",
        resource: "subnet-db-a",
        what: "database subnet routes to the IGW",
        mutate: |p| {
            duplicate(p, "route-public-a-internet", "route-db-a-internet");
            point(p, "route-db-a-internet", "routeTableId", "rt-db-a");
            set(
                p,
                "route-db-a-internet",
                "destinationCidrBlock",
                json!("192.0.2.0/24"),
            );
        },
    },
    Case {
        rule: "sg-no-world-ingress",
        resource: "alb-in-443-0",
        what: "ALB open to 0.0.0.0/0",
        mutate: |p| set(p, "alb-in-443-0", "cidrIpv4", json!("0.0.0.0/0")),
    },
    Case {
        rule: "sg-no-world-ingress",
        resource: "sg-app",
        what: "inline ingress from ::/0",
        mutate: |p| {
            set(
                p,
                "sg-app",
                "ingress",
                json!([{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "ipv6CidrBlocks": ["::/0"]}]),
            )
        },
    },
    Case {
        rule: "sg-no-all-protocols",
        resource: "app-in-alb",
        what: "protocol -1",
        mutate: |p| {
            set(p, "app-in-alb", "ipProtocol", json!("-1"));
            remove(p, "app-in-alb", "fromPort");
            remove(p, "app-in-alb", "toPort");
        },
    },
    Case {
        rule: "sg-tier-chain",
        resource: "db-in-app",
        what: "database admits the ALB's group",
        mutate: |p| point(p, "db-in-app", "referencedSecurityGroupId", "sg-alb"),
    },
    Case {
        rule: "sg-tier-chain",
        resource: "app-in-alb",
        what: "application admits a port range",
        mutate: |p| set(p, "app-in-alb", "toPort", json!(8090)),
    },
    Case {
        rule: "sg-tier-chain",
        resource: "alb-in-443-1",
        what: "ALB admits a security group",
        mutate: |p| {
            remove(p, "alb-in-443-1", "cidrIpv4");
            point(p, "alb-in-443-1", "referencedSecurityGroupId", "sg-dms");
        },
    },
    Case {
        rule: "no-ssh",
        resource: "alb-in-ssh",
        what: "SSH from an allowed CIDR",
        mutate: |p| {
            duplicate(p, "alb-in-443-0", "alb-in-ssh");
            set(p, "alb-in-ssh", "fromPort", json!(22));
            set(p, "alb-in-ssh", "toPort", json!(22));
        },
    },
    Case {
        rule: "no-ssh",
        resource: "app-rdp",
        what: "RDP through an ec2 securityGroupRule",
        mutate: |p| {
            let rule = duplicate(p, "app-in-alb", "app-rdp");
            rule.ty = SG_RULE.to_owned();
            rule.inputs.clear();
            set(p, "app-rdp", "type", json!("ingress"));
            set(p, "app-rdp", "protocol", json!("tcp"));
            set(p, "app-rdp", "fromPort", json!(3389));
            set(p, "app-rdp", "toPort", json!(3389));
            set(p, "app-rdp", "cidrBlocks", json!(["10.20.0.0/16"]));
            point(p, "app-rdp", "securityGroupId", "sg-app");
        },
    },
    // Load balancing and TLS
    Case {
        rule: "alb-https-listener-acm",
        resource: "listener-https",
        what: "no certificate",
        mutate: |p| remove(p, "listener-https", "certificateArn"),
    },
    Case {
        rule: "alb-https-listener-acm",
        resource: "listener-https",
        what: "IAM server certificate",
        mutate: |p| {
            set(
                p,
                "listener-https",
                "certificateArn",
                json!("arn:aws:iam::123456789012:server-certificate/legacy"),
            );
            res(p, "listener-https")
                .property_dependencies
                .remove("certificateArn");
        },
    },
    Case {
        rule: "alb-tls-policy",
        resource: "listener-https",
        what: "TLS 1.0 policy",
        mutate: |p| {
            set(
                p,
                "listener-https",
                "sslPolicy",
                json!("ELBSecurityPolicy-2016-08"),
            )
        },
    },
    Case {
        rule: "alb-tls-policy",
        resource: "listener-https",
        what: "no policy",
        mutate: |p| remove(p, "listener-https", "sslPolicy"),
    },
    Case {
        rule: "alb-http-redirects",
        resource: "listener-http",
        what: "HTTP forwards instead of redirecting",
        mutate: |p| {
            let forward = res(p, "listener-https").inputs["defaultActions"].clone();
            set(p, "listener-http", "defaultActions", forward);
        },
    },
    Case {
        rule: "alb-http-redirects",
        resource: "listener-http",
        what: "redirect to HTTP",
        mutate: |p| {
            set(
                p,
                "listener-http",
                "defaultActions.0.redirect.protocol",
                json!("HTTP"),
            )
        },
    },
    Case {
        rule: "alb-drop-invalid-headers",
        resource: "alb",
        what: "invalid headers forwarded",
        mutate: |p| set(p, "alb", "dropInvalidHeaderFields", json!(false)),
    },
    Case {
        rule: "alb-access-logs",
        resource: "alb",
        what: "access logs off",
        mutate: |p| set(p, "alb", "accessLogs.enabled", json!(false)),
    },
    Case {
        rule: "alb-waf",
        resource: "alb",
        what: "no web ACL",
        mutate: |p| remove_resource(p, "waf-association"),
    },
    Case {
        rule: "alb-waf",
        resource: "waf-alb",
        what: "web ACL not logged",
        mutate: |p| remove_resource(p, "waf-logging"),
    },
    Case {
        rule: "alb-waf",
        resource: "waf-logging",
        what: "WAF logs keep the Cookie header",
        mutate: |p| {
            set(
                p,
                "waf-logging",
                "redactedFields",
                json!([{"singleHeader": {"name": "authorization"}}]),
            )
        },
    },
    Case {
        rule: "alb-waf",
        resource: "waf-logging",
        what: "WAF logs redact nothing",
        mutate: |p| remove(p, "waf-logging", "redactedFields"),
    },
    Case {
        rule: "alb-waf",
        resource: "waf-alb",
        what: "no AWS managed rule group",
        mutate: |p| set(p, "waf-alb", "rules", json!([])),
    },
    Case {
        rule: "tg-health-check",
        resource: "tg-app",
        what: "probes /",
        mutate: |p| set(p, "tg-app", "healthCheck.path", json!("/")),
    },
    Case {
        rule: "tg-health-check",
        resource: "tg-app",
        what: "slow to recover",
        mutate: |p| set(p, "tg-app", "healthCheck.healthyThreshold", json!(10)),
    },
    Case {
        rule: "tg-health-check",
        resource: "tg-app",
        what: "no health check",
        mutate: |p| remove(p, "tg-app", "healthCheck"),
    },
    // Compute
    Case {
        rule: "asg-elb-health",
        resource: "asg-app",
        what: "EC2 health checks",
        mutate: |p| set(p, "asg-app", "healthCheckType", json!("EC2")),
    },
    Case {
        rule: "asg-capacity",
        resource: "asg-app",
        what: "one instance",
        mutate: |p| set(p, "asg-app", "minSize", json!(1)),
    },
    Case {
        rule: "asg-capacity",
        resource: "asg-app",
        what: "ten instances",
        mutate: |p| set(p, "asg-app", "maxSize", json!(10)),
    },
    Case {
        rule: "asg-capacity",
        resource: "asg-app",
        what: "one zone",
        mutate: |p| set(p, "subnet-app-b", "availabilityZone", json!("us-east-1a")),
    },
    Case {
        rule: "lt-no-public-ip",
        resource: "lt-app",
        what: "public IP",
        mutate: |p| {
            set(
                p,
                "lt-app",
                "networkInterfaces.0.associatePublicIpAddress",
                json!("true"),
            )
        },
    },
    Case {
        rule: "lt-imdsv2",
        resource: "lt-app",
        what: "IMDSv1 allowed",
        mutate: |p| set(p, "lt-app", "metadataOptions.httpTokens", json!("optional")),
    },
    Case {
        rule: "lt-imdsv2",
        resource: "lt-app",
        what: "hop limit 2",
        mutate: |p| {
            set(
                p,
                "lt-app",
                "metadataOptions.httpPutResponseHopLimit",
                json!(2),
            )
        },
    },
    Case {
        rule: "lt-ebs-encrypted",
        resource: "lt-app",
        what: "unencrypted volume",
        mutate: |p| {
            set(
                p,
                "lt-app",
                "blockDeviceMappings.0.ebs.encrypted",
                json!("false"),
            )
        },
    },
    Case {
        rule: "lt-ebs-encrypted",
        resource: "lt-app",
        what: "AWS managed EBS key",
        mutate: |p| {
            remove(p, "lt-app", "blockDeviceMappings.0.ebs.kmsKeyId");
            res(p, "lt-app")
                .property_dependencies
                .remove("blockDeviceMappings");
        },
    },
    Case {
        rule: "lt-instance-profile",
        resource: "lt-app",
        what: "no instance profile",
        mutate: |p| remove(p, "lt-app", "iamInstanceProfile"),
    },
    Case {
        rule: "lt-detailed-monitoring",
        resource: "lt-app",
        what: "basic monitoring",
        mutate: |p| set(p, "lt-app", "monitoring.enabled", json!(false)),
    },
    // Database
    Case {
        rule: "rds-encrypted-cmk",
        resource: "db",
        what: "unencrypted",
        mutate: |p| set(p, "db", "storageEncrypted", json!(false)),
    },
    Case {
        rule: "rds-encrypted-cmk",
        resource: "db",
        what: "AWS managed key",
        mutate: |p| remove(p, "db", "kmsKeyId"),
    },
    Case {
        rule: "rds-multi-az",
        resource: "db",
        what: "single AZ",
        mutate: |p| set(p, "db", "multiAz", json!(false)),
    },
    Case {
        rule: "rds-not-public",
        resource: "db",
        what: "public",
        mutate: |p| set(p, "db", "publiclyAccessible", json!(true)),
    },
    Case {
        rule: "rds-not-public",
        resource: "db",
        what: "not explicit",
        mutate: |p| remove(p, "db", "publiclyAccessible"),
    },
    Case {
        rule: "rds-backups",
        resource: "db",
        what: "one day",
        mutate: |p| set(p, "db", "backupRetentionPeriod", json!(1)),
    },
    Case {
        rule: "rds-logs",
        resource: "db",
        what: "audit log not exported",
        mutate: |p| {
            set(
                p,
                "db",
                "enabledCloudwatchLogsExports",
                json!(["error", "general", "slowquery"]),
            )
        },
    },
    Case {
        rule: "rds-logs",
        resource: "db",
        what: "general query log on (card numbers in logs)",
        mutate: |p| {
            set(
                p,
                "db-params",
                "parameters",
                json!([
                    {"name": "require_secure_transport", "value": "ON"},
                    {"name": "general_log", "value": "1"},
                    {"name": "slow_query_log", "value": "1"}]),
            )
        },
    },
    Case {
        rule: "rds-logs",
        resource: "db",
        what: "audit plugin without data access events",
        mutate: |p| {
            set(
                p,
                "db-options",
                "options",
                json!([{"optionName": "MARIADB_AUDIT_PLUGIN", "optionSettings": [
                    {"name": "SERVER_AUDIT_EVENTS", "value": "CONNECT,QUERY_DDL,QUERY_DCL"}]}]),
            )
        },
    },
    Case {
        rule: "rds-logs",
        resource: "db",
        what: "no audit plugin",
        mutate: |p| set(p, "db-options", "options", json!([])),
    },
    Case {
        rule: "rds-logs",
        resource: "db",
        what: "slow query log off",
        mutate: |p| set(p, "db-params", "parameters.2.value", json!("0")),
    },
    Case {
        rule: "rds-tls-only",
        resource: "db",
        what: "TLS not required",
        mutate: |p| set(p, "db-params", "parameters.0.value", json!("OFF")),
    },
    Case {
        rule: "rds-tls-only",
        resource: "db",
        what: "default parameter group",
        mutate: |p| remove(p, "db", "parameterGroupName"),
    },
    Case {
        rule: "rds-minor-upgrades",
        resource: "db",
        what: "minor upgrades off",
        mutate: |p| set(p, "db", "autoMinorVersionUpgrade", json!(false)),
    },
    Case {
        rule: "rds-secret-kms",
        resource: "db",
        what: "plaintext password",
        mutate: |p| {
            remove(p, "db", "manageMasterUserPassword");
            remove(p, "db", "masterUserSecretKmsKeyId");
            set(p, "db", "password", json!("hunter2-plaintext"));
        },
    },
    Case {
        rule: "rds-secret-kms",
        resource: "db",
        what: "managed secret under the AWS key",
        mutate: |p| remove(p, "db", "masterUserSecretKmsKeyId"),
    },
    // Storage, keys, identity
    Case {
        rule: "s3-versioning",
        resource: "bucket-static",
        what: "no versioning",
        mutate: |p| remove_resource(p, "bucket-static-versioning"),
    },
    Case {
        rule: "s3-versioning",
        resource: "bucket-logs",
        what: "versioning suspended",
        mutate: |p| {
            set(
                p,
                "bucket-logs-versioning",
                "versioningConfiguration.status",
                json!("Suspended"),
            )
        },
    },
    Case {
        rule: "s3-block-public",
        resource: "bucket-logs",
        what: "public policies allowed",
        mutate: |p| {
            set(
                p,
                "bucket-logs-public-access-block",
                "blockPublicPolicy",
                json!(false),
            )
        },
    },
    Case {
        rule: "s3-block-public",
        resource: "bucket-alb-logs",
        what: "no public access block",
        mutate: |p| remove_resource(p, "bucket-alb-logs-public-access-block"),
    },
    Case {
        rule: "s3-kms-default-encryption",
        resource: "bucket-static",
        what: "SSE-S3",
        mutate: |p| {
            set(
                p,
                "bucket-static-encryption",
                "rules.0.applyServerSideEncryptionByDefault",
                json!({"sseAlgorithm": "AES256"}),
            );
            res(p, "bucket-static-encryption")
                .property_dependencies
                .remove("rules");
        },
    },
    Case {
        rule: "s3-kms-default-encryption",
        resource: "bucket-logs",
        what: "bucket keys off",
        mutate: |p| {
            set(
                p,
                "bucket-logs-encryption",
                "rules.0.bucketKeyEnabled",
                json!(false),
            )
        },
    },
    Case {
        rule: "s3-tls-only",
        resource: "bucket-static",
        what: "no TLS-only statement",
        mutate: |p| {
            set(
                p,
                "bucket-static-policy",
                "policy",
                json!(json!({"Version": "2012-10-17", "Statement": []}).to_string()),
            )
        },
    },
    Case {
        rule: "s3-tls-only",
        resource: "bucket-logs",
        what: "deny covers the bucket only",
        mutate: |p| {
            let policy = json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                "Resource": "arn:aws:s3:::payments-logs-dev-a1b2",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
            set(p, "bucket-logs-policy", "policy", json!(policy.to_string()));
        },
    },
    Case {
        rule: "s3-lifecycle",
        resource: "bucket-logs",
        what: "no lifecycle",
        mutate: |p| remove_resource(p, "bucket-logs-lifecycle"),
    },
    Case {
        rule: "s3-lifecycle",
        resource: "bucket-static",
        what: "no noncurrent expiry",
        mutate: |p| {
            remove(
                p,
                "bucket-static-lifecycle",
                "rules.0.noncurrentVersionExpiration",
            )
        },
    },
    Case {
        rule: "s3-access-logging",
        resource: "bucket-static",
        what: "no access logging",
        mutate: |p| remove_resource(p, "bucket-static-access-logging"),
    },
    Case {
        rule: "s3-access-logging",
        resource: "bucket-static",
        what: "access logs to an SSE-KMS bucket (never delivered)",
        mutate: |p| {
            point(
                p,
                "bucket-static-access-logging",
                "targetBucket",
                "bucket-logs",
            )
        },
    },
    Case {
        rule: "kms-rotation",
        resource: "key-data",
        what: "no rotation",
        mutate: |p| set(p, "key-data", "enableKeyRotation", json!(false)),
    },
    Case {
        rule: "iam-no-admin",
        resource: "policy-app",
        what: "Action *",
        mutate: |p| {
            set(
                p,
                "policy-app",
                "policy",
                json!(
                    json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
                    .to_string()
                ),
            )
        },
    },
    Case {
        rule: "iam-no-admin",
        resource: "policy-app",
        what: "s3:*",
        mutate: |p| {
            set(p, "policy-app", "policy", json!(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::payments-static-dev-a1b2/*"]}]}).to_string()))
        },
    },
    Case {
        rule: "iam-no-admin",
        resource: "attach-ssm",
        what: "AdministratorAccess attached",
        mutate: |p| {
            set(
                p,
                "attach-ssm",
                "policyArn",
                json!("arn:aws:iam::aws:policy/AdministratorAccess"),
            )
        },
    },
    Case {
        rule: "iam-scoped-resources",
        resource: "policy-app",
        what: "s3 on *",
        mutate: |p| {
            set(
                p,
                "policy-app",
                "policy",
                json!(
                    json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
                    .to_string()
                ),
            )
        },
    },
    Case {
        rule: "iam-scoped-resources",
        resource: "policy-app",
        what: "kms on key/*",
        mutate: |p| {
            set(
                p,
                "policy-app",
                "policy",
                json!(
                    json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:Decrypt",
             "Resource": "arn:aws:kms:us-east-1:123456789012:key/*"}]})
                    .to_string()
                ),
            )
        },
    },
    Case {
        rule: "iam-scoped-resources",
        resource: "policy-app",
        what: "kms on the account's keys narrowed to a foreign alias",
        mutate: |p| {
            set(
                p,
                "policy-app",
                "policy",
                alias_scoped_policy("ForAnyValue:StringEquals", "alias/payments-data-prod-a1b2"),
            )
        },
    },
    Case {
        rule: "iam-scoped-resources",
        resource: "policy-app",
        what: "kms aliases under ForAllValues",
        mutate: |p| {
            set(
                p,
                "policy-app",
                "policy",
                alias_scoped_policy("ForAllValues:StringEquals", "alias/payments-data-dev-a1b2"),
            )
        },
    },
    Case {
        rule: "iam-scoped-resources",
        resource: "role-app",
        what: "inline policy on a foreign bucket",
        mutate: |p| {
            set(
                p,
                "role-app",
                "inlinePolicies",
                json!([{"name": "extra", "policy":
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::someone-elses-bucket/*"}]}).to_string()}]),
            )
        },
    },
    Case {
        rule: "logs-encrypted-retained",
        resource: "log-group-app",
        what: "unencrypted",
        mutate: |p| remove(p, "log-group-app", "kmsKeyId"),
    },
    Case {
        rule: "logs-encrypted-retained",
        resource: "waf-log-group",
        what: "no retention",
        mutate: |p| remove(p, "waf-log-group", "retentionInDays"),
    },
    // Project rules
    Case {
        rule: "tags-required",
        resource: "vpc",
        what: "CostCenter missing from default tags",
        mutate: |p| {
            set_default_tags(
                p,
                json!({"Environment": "dev", "MigrationPhase": "prepare"}),
            )
        },
    },
    Case {
        rule: "tags-required",
        resource: "subnet-app-a",
        what: "CostCenter overridden empty",
        mutate: |p| set(p, "subnet-app-a", "tags.CostCenter", json!("")),
    },
    Case {
        rule: "tags-required",
        resource: "asg-app",
        what: "ASG without MigrationPhase",
        mutate: |p| {
            let tags = res(p, "asg-app").inputs["tags"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let kept: Vec<_> = tags
                .into_iter()
                .filter(|t| t["key"] != "MigrationPhase")
                .collect();
            set(p, "asg-app", "tags", json!(kept));
        },
    },
    Case {
        rule: "tags-required",
        resource: "asg-app",
        what: "volumes untagged",
        mutate: |p| {
            let specs = res(p, "lt-app").inputs["tagSpecifications"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let kept: Vec<_> = specs
                .into_iter()
                .filter(|s| s["resourceType"] != "volume")
                .collect();
            set(p, "lt-app", "tagSpecifications", json!(kept));
        },
    },
    Case {
        rule: "names-suffixed",
        resource: "bucket-static",
        what: "name off the scheme",
        mutate: |p| set(p, "bucket-static", "bucket", json!("static-content-bucket")),
    },
    Case {
        rule: "names-suffixed",
        resource: "tg-app",
        what: "target group name over 32 characters",
        mutate: |p| {
            set(
                p,
                "tg-app",
                "name",
                json!("tg-application-servers-blue-dev-a1b2"),
            )
        },
    },
    Case {
        rule: "names-suffixed",
        resource: "db",
        what: "RDS identifier with uppercase",
        mutate: |p| set(p, "db", "identifier", json!("MySQL-dev-a1b2")),
    },
    Case {
        rule: "destroyable",
        resource: "db",
        what: "protect",
        mutate: |p| res(p, "db").options.protect = true,
    },
    Case {
        rule: "destroyable",
        resource: "bucket-logs",
        what: "no forceDestroy",
        mutate: |p| set(p, "bucket-logs", "forceDestroy", json!(false)),
    },
    Case {
        rule: "destroyable",
        resource: "alb",
        what: "ALB deletion protection",
        mutate: |p| set(p, "alb", "enableDeletionProtection", json!(true)),
    },
    Case {
        rule: "destroyable",
        resource: "key-compute",
        what: "no deletion window",
        mutate: |p| remove(p, "key-compute", "deletionWindowInDays"),
    },
    Case {
        rule: "region",
        resource: PROVIDER,
        what: "provider in eu-west-1",
        mutate: |p| set(p, PROVIDER, "region", json!("eu-west-1")),
    },
    Case {
        rule: "region",
        resource: "vpc",
        what: "default provider",
        mutate: |p| res(p, "vpc").provider.clear(),
    },
    Case {
        rule: "region",
        resource: "bucket-static",
        what: "per-resource region override",
        mutate: |p| set(p, "bucket-static", "region", json!("us-west-2")),
    },
    Case {
        rule: "dms-not-public",
        resource: "dms",
        what: "public replication instance",
        mutate: |p| set(p, "dms", "publiclyAccessible", json!(true)),
    },
    Case {
        rule: "dms-not-public",
        resource: "dms",
        what: "not explicit",
        mutate: |p| remove(p, "dms", "publiclyAccessible"),
    },
    Case {
        rule: "trail-multi-region",
        resource: "trail",
        what: "single-region trail",
        mutate: |p| set(p, "trail", "isMultiRegionTrail", json!(false)),
    },
    Case {
        rule: "trail-multi-region",
        resource: "trail",
        what: "no global service events",
        mutate: |p| remove(p, "trail", "includeGlobalServiceEvents"),
    },
    Case {
        rule: "trail-multi-region",
        resource: PROVIDER,
        what: "no trail at all",
        mutate: |p| remove_resource(p, "trail"),
    },
    Case {
        rule: "trail-log-validation",
        resource: "trail",
        what: "log file validation off",
        mutate: |p| set(p, "trail", "enableLogFileValidation", json!(false)),
    },
    Case {
        rule: "trail-encrypted",
        resource: "trail",
        what: "no KMS key",
        mutate: |p| remove(p, "trail", "kmsKeyId"),
    },
    Case {
        rule: "trail-cloudwatch-logs",
        resource: "trail",
        what: "not delivered to CloudWatch Logs",
        mutate: |p| remove(p, "trail", "cloudWatchLogsGroupArn"),
    },
    Case {
        rule: "guardduty-enabled",
        resource: "guardduty",
        what: "detector disabled",
        mutate: |p| set(p, "guardduty", "enable", json!(false)),
    },
    Case {
        rule: "guardduty-enabled",
        resource: "guardduty",
        what: "RDS login protection off",
        mutate: |p| set(p, "guardduty-rds-login-events", "status", json!("DISABLED")),
    },
    Case {
        rule: "config-recorder-on",
        resource: "config-recorder",
        what: "global resource types not recorded",
        mutate: |p| {
            set(
                p,
                "config-recorder",
                "recordingGroup.includeGlobalResourceTypes",
                json!(false),
            )
        },
    },
    Case {
        rule: "config-recorder-on",
        resource: "config-recorder",
        what: "recorder never switched on",
        mutate: |p| set(p, "config-recorder-status", "isEnabled", json!(false)),
    },
    Case {
        rule: "config-recorder-on",
        resource: "config-recorder",
        what: "no delivery channel",
        mutate: |p| remove_resource(p, "config-delivery"),
    },
    Case {
        rule: "config-recorder-on",
        resource: PROVIDER,
        what: "no recorder",
        mutate: |p| remove_resource(p, "config-recorder"),
    },
    Case {
        rule: "securityhub-pci-standard",
        resource: PROVIDER,
        what: "PCI DSS v3.2.1 only",
        mutate: |p| {
            set(
                p,
                "securityhub-pci-dss",
                "standardsArn",
                json!("arn:aws:securityhub:us-east-1::standards/pci-dss/v/3.2.1"),
            )
        },
    },
    Case {
        rule: "securityhub-pci-standard",
        resource: PROVIDER,
        what: "Security Hub not enabled",
        mutate: |p| remove_resource(p, "securityhub"),
    },
    Case {
        rule: "guardduty-enabled",
        resource: PROVIDER,
        what: "no detector",
        mutate: |p| {
            remove_resource(p, "guardduty");
        },
    },
    Case {
        rule: "db-backup-cross-region",
        resource: "db",
        what: "no backup selection",
        mutate: |p| remove_resource(p, "backup-selection"),
    },
    Case {
        rule: "db-backup-cross-region",
        resource: "db",
        what: "plan without a copy action",
        mutate: |p| set(p, "backup-plan", "rules.0.copyActions", json!([])),
    },
    Case {
        rule: "db-backup-cross-region",
        resource: "db",
        what: "copy to a vault in the same region",
        mutate: |p| {
            set(
                p,
                "backup-plan",
                "rules.0.copyActions.0.destinationVaultArn",
                json!("arn:aws:backup:us-east-1:123456789012:backup-vault:same-region"),
            )
        },
    },
    Case {
        rule: "private-aws-endpoints",
        resource: "vpc",
        what: "no S3 gateway endpoint",
        mutate: |p| remove_resource(p, "vpce-s3"),
    },
    Case {
        rule: "private-aws-endpoints",
        resource: "vpc",
        what: "S3 gateway endpoint off the app route tables",
        mutate: |p| point_many(p, "vpce-s3", "routeTableIds", &["rt-db-a", "rt-db-b"]),
    },
    Case {
        rule: "private-aws-endpoints",
        resource: "vpc",
        what: "no ssmmessages endpoint (Session Manager)",
        mutate: |p| remove_resource(p, "vpce-ssmmessages"),
    },
    Case {
        rule: "private-aws-endpoints",
        resource: "vpce-logs",
        what: "interface endpoint without private DNS",
        mutate: |p| set(p, "vpce-logs", "privateDnsEnabled", json!(false)),
    },
    Case {
        rule: "private-aws-endpoints",
        resource: "vpce-kms",
        what: "endpoint without a policy",
        mutate: |p| remove(p, "vpce-kms", "policy"),
    },
    Case {
        rule: "app-egress-private",
        resource: "app-out-world",
        what: "app egress 443 to 0.0.0.0/0",
        mutate: |p| {
            duplicate(p, "app-out-s3", "app-out-world");
            remove(p, "app-out-world", "prefixListId");
            set(p, "app-out-world", "cidrIpv4", json!("0.0.0.0/0"));
        },
    },
    Case {
        rule: "app-egress-private",
        resource: "sg-app",
        what: "inline egress to ::/0",
        mutate: |p| {
            set(
                p,
                "sg-app",
                "egress",
                json!([{"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}]),
            )
        },
    },
    Case {
        rule: "region",
        resource: "aws-backup-copy-dev-a1b2",
        what: "the copy region's provider also carries a bucket",
        mutate: |p| {
            let copy = res(p, "backup-vault-copy").provider.clone();
            res(p, "bucket-static").provider = copy;
        },
    },
    Case {
        rule: "destroyable",
        resource: "backup-vault",
        what: "backup vault without forceDestroy",
        mutate: |p| set(p, "backup-vault", "forceDestroy", json!(false)),
    },
    Case {
        rule: "destroyable",
        resource: "backup-vault-lock",
        what: "vault lock outside production",
        mutate: |p| {
            let lock = duplicate(p, "backup-vault", "backup-vault-lock");
            lock.ty = "aws:backup/vaultLockConfiguration:VaultLockConfiguration".to_owned();
            lock.inputs = serde_json::from_value(json!({
                "backupVaultName": "backup-vault-dev-a1b2", "changeableForDays": 3,
                "minRetentionDays": 7, "maxRetentionDays": 365}))
            .unwrap_or_default();
            lock.property_dependencies.clear();
        },
    },
];

/// The application policy with its KMS grant in the alias form: the fixture account's keys in the
/// region, narrowed by `kms:ResourceAliases` under `operator` to `alias`.
fn alias_scoped_policy(operator: &str, alias: &str) -> serde_json::Value {
    json!(
        json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadStatic", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::payments-static-dev-a1b2/*"]},
        {"Sid": "UseDataKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": [format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/*")],
         "Condition": {operator: {"kms:ResourceAliases": [alias]},
                       "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]})
        .to_string()
    )
}

#[test]
fn kms_grants_narrowed_to_the_stack_aliases_are_scoped() {
    let mut plan = fixture();
    set(
        &mut plan,
        "policy-app",
        "policy",
        alias_scoped_policy("ForAnyValue:StringEquals", "alias/payments-data-dev-a1b2"),
    );
    let report = evaluate(&plan);
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
    assert!(report.undecided.is_empty(), "{}", report.to_text(false));
}

#[test]
fn the_compliant_fixture_has_no_violation_and_nothing_undecided() {
    let report = evaluate(&fixture());
    assert!(
        report.violations.is_empty(),
        "violations on the compliant fixture:\n{}",
        report.to_text(false)
    );
    assert!(
        report.undecided.is_empty(),
        "undecided on the compliant (deployed) fixture:\n{}",
        report.to_text(false)
    );
    assert_eq!(report.mandatory_violations(), 0);
    assert_eq!(report.counts.rules_passed, rules().len());
}

#[test]
fn every_catalog_row_has_a_rule_and_every_rule_a_catalog_row() {
    let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
    assert_eq!(
        ids, CATALOG,
        "rules() must list the catalog's rule ids in catalog order"
    );
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
}

#[test]
fn every_rule_has_a_failing_case_and_every_case_a_rule() {
    let with_cases: BTreeSet<&str> = CASES.iter().map(|c| c.rule).collect();
    let missing: Vec<&str> = rules()
        .iter()
        .map(|r| r.id)
        .filter(|id| !with_cases.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a failing case: {missing:?}"
    );
    for case in CASES {
        assert!(
            rules().iter().any(|r| r.id == case.rule),
            "case {:?} names no rule",
            case.what
        );
    }
}

#[test]
fn every_rule_passes_on_the_fixture_and_fails_on_its_mutations() {
    let compliant = evaluate(&fixture());
    let mut failures = Vec::new();
    for rule in rules() {
        if compliant.violations_of(rule.id).next().is_some() {
            failures.push(format!("{}: fails on the compliant fixture", rule.id));
        }
    }
    for case in CASES {
        let mut plan = fixture();
        (case.mutate)(&mut plan);
        let report = evaluate(&plan);
        let urn = urn_of(&plan, case.resource);
        let hit = report.violations_of(case.rule).find(|f| f.urn == urn);
        match hit {
            None => failures.push(format!(
                "{} ({}): no violation on {}; the rule reported {:?}; undecided {:?}",
                case.rule,
                case.what,
                case.resource,
                report
                    .violations_of(case.rule)
                    .map(|f| &f.message)
                    .collect::<Vec<_>>(),
                report
                    .undecided
                    .iter()
                    .filter(|f| f.rule == case.rule)
                    .map(|f| &f.message)
                    .collect::<Vec<_>>(),
            )),
            Some(finding) => {
                let label = format!("{} \"{}\"", finding.resource_type, case.resource);
                if !finding.message.starts_with(&label) || !finding.message.contains(". Fix: ") {
                    failures.push(format!(
                        "{} ({}): the message must name {label} and carry a fix: {}",
                        case.rule, case.what, finding.message
                    ));
                }
                let severity = rules()
                    .iter()
                    .find(|r| r.id == case.rule)
                    .map(|r| r.severity);
                if Some(finding.severity) != severity {
                    failures.push(format!(
                        "{}: finding severity differs from the rule's",
                        case.rule
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn advisory_rules_do_not_count_as_mandatory() {
    let mut plan = fixture();
    set(&mut plan, "lt-app", "monitoring.enabled", json!(false));
    res(&mut plan, "db").options.retain_on_delete = true;
    let report = evaluate(&plan);
    assert_eq!(report.mandatory_violations(), 0);
    assert_eq!(report.advisory_violations(), 2);
    assert!(
        report
            .violations
            .iter()
            .all(|f| f.severity == Severity::Advisory)
    );
}

#[test]
fn references_fall_back_to_values_when_no_dependency_is_recorded() {
    // A literal bucket name written into the program: no propertyDependencies, the value names
    // the bucket (the fixture's bucket ids are their names, as in AWS).
    let mut plan = fixture();
    for resource in &mut plan.resources {
        if resource.ty.starts_with("aws:s3/bucket") && resource.ty != "aws:s3/bucket:Bucket" {
            resource.property_dependencies.remove("bucket");
        }
    }
    let report = evaluate(&plan);
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
}

#[test]
fn hierarchical_names_pass_when_a_segment_follows_the_scheme() {
    // RDS exports to log groups whose names AWS fixes; the identifier segment carries the scheme.
    let mut plan = fixture();
    set(
        &mut plan,
        "log-group-app",
        "name",
        json!("/aws/rds/instance/mysql-dev-a1b2/audit"),
    );
    assert!(evaluate(&plan).violations.is_empty());
    set(&mut plan, "log-group-app", "name", json!("/payments/app"));
    let report = evaluate(&plan);
    let urn = urn_of(&plan, "log-group-app");
    assert!(report.violations_of("names-suffixed").any(|f| f.urn == urn));
}

#[test]
fn settings_narrow_the_checks_to_the_stack_configuration() {
    use payments_compliance::{Settings, evaluate_with};
    let configured = Settings {
        allowed_ingress_cidrs: Some(vec!["198.51.100.0/24".to_owned()]),
        app_port: Some(8080),
        environment: Some("dev".to_owned()),
        suffix: Some("a1b2".to_owned()),
        ..Settings::default()
    };
    let report = evaluate_with(&fixture(), &configured);
    let urn = urn_of(&fixture(), "alb-in-443-1");
    assert!(
        report.violations_of("sg-tier-chain").any(|f| f.urn == urn),
        "203.0.113.0/24 is not configured: {}",
        report.to_text(false)
    );
    let elsewhere = Settings {
        region: "eu-west-1".to_owned(),
        ..Settings::default()
    };
    let report = evaluate_with(&fixture(), &elsewhere);
    assert!(
        report
            .violations_of("region")
            .any(|f| f.resource_name == PROVIDER)
    );
    let other_suffix = Settings {
        suffix: Some("zz99".to_owned()),
        ..Settings::default()
    };
    assert!(
        evaluate_with(&fixture(), &other_suffix)
            .violations_of("names-suffixed")
            .count()
            > 10
    );
}

/// The account-level rules: with the organization's evidence they are waived (with the evidence
/// as the reason, on the provider) and not counted as passed, whether or not the plan has a trail
/// or a detector; without it, a plan without them fails.
#[test]
fn organization_evidence_waives_the_account_controls() {
    const ACCOUNT_RULES: [&str; 7] = [
        "trail-multi-region",
        "trail-log-validation",
        "trail-encrypted",
        "trail-cloudwatch-logs",
        "guardduty-enabled",
        "config-recorder-on",
        "securityhub-pci-standard",
    ];
    let mut plan = fixture();
    for name in [
        "trail",
        "guardduty",
        "guardduty-s3-data-events",
        "guardduty-ebs-malware-protection",
        "guardduty-rds-login-events",
        "config-recorder",
        "config-delivery",
        "config-recorder-status",
        "securityhub",
        "securityhub-pci-dss",
    ] {
        remove_resource(&mut plan, name);
    }
    let without = evaluate(&plan);
    for rule in ACCOUNT_RULES {
        assert!(
            without
                .violations_of(rule)
                .any(|f| f.urn == urn_of(&plan, PROVIDER)),
            "{rule} must fail without the control and without evidence"
        );
    }
    let evidence = "provided by the AWS Organization: organization trail \
                    arn:aws:cloudtrail:us-east-1:111122223333:trail/org, administrator 111122223333";
    let settings = payments_compliance::Settings {
        organization_evidence: Some(evidence.to_owned()),
        ..payments_compliance::Settings::default()
    };
    for plan in [plan.clone(), fixture()] {
        let report = payments_compliance::evaluate_with(&plan, &settings);
        assert!(report.violations.is_empty(), "{}", report.to_text(false));
        for rule in ACCOUNT_RULES {
            let waived: Vec<_> = report
                .waived
                .iter()
                .filter(|w| w.finding.rule == rule)
                .collect();
            assert_eq!(waived.len(), 1, "{rule} is waived once");
            assert_eq!(waived[0].reason, evidence);
            assert_eq!(waived[0].finding.urn, urn_of(&plan, PROVIDER));
        }
        assert_eq!(
            report.counts.rules_passed,
            rules().len() - ACCOUNT_RULES.len(),
            "a waived control is not reported as passed"
        );
    }
    // The same evidence from the plan's `accountControls` output (a plan file).
    let mut from_output = plan;
    from_output.outputs.insert(
        "accountControls".to_owned(),
        json!({"mode": "organization", "evidence": evidence}),
    );
    let report = evaluate(&from_output);
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
    let waived = report
        .waived
        .iter()
        .filter(|w| ACCOUNT_RULES.contains(&w.finding.rule.as_str()) && w.reason == evidence)
        .count();
    assert_eq!(waived, ACCOUNT_RULES.len());
}

/// pulumi-aws 7 lets a resource name its own region: the `region` rule admits that for the
/// backups' copy types only (a vault, its lock, key and alias), and refuses it on anything else.
#[test]
fn only_the_backup_copies_may_name_another_region() {
    let mut plan = fixture();
    set(&mut plan, "backup-vault-copy", "region", json!("us-west-2"));
    let report = evaluate(&plan);
    assert_eq!(
        report.violations_of("region").count(),
        0,
        "{}",
        report.to_text(false)
    );
    set(&mut plan, "bucket-static", "region", json!("us-west-2"));
    let urn = urn_of(&plan, "bucket-static");
    assert!(
        evaluate(&plan)
            .violations_of("region")
            .any(|f| f.urn == urn)
    );
}
