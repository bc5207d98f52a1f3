//! The rule table: one rule per row of the control catalog
//! (`shared/reference/pci-dss-controls.md`), in catalog order.

pub(crate) mod account;
pub(crate) mod backup;
pub mod compute;
pub mod database;
pub mod edge;
pub mod endpoints;
pub(crate) mod network;
pub mod project;
pub(crate) mod storage;

use crate::rule::{Rule, Section, Severity};

use Section::{
    AccountControls, Compute, Database, LoadBalancing, Network, Project, StorageKeysIdentity,
};
use Severity::{Advisory, Mandatory};

/// Every rule of the pack, in catalog order.
pub static RULES: &[Rule] = &[
    // Network
    Rule {
        id: "vpc-flow-logs",
        title: "VPC flow logs capture all traffic",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag VPCFlowLogsEnabled",
        checks: "Every VPC has a flow log of ALL traffic delivered to an S3 bucket of the stack or \
                 to a log group that has a KMS key.",
        check: network::vpc_flow_logs,
    },
    Rule {
        id: "vpc-default-sg-closed",
        title: "The default security group is closed",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag VPCDefaultSecurityGroupClosed",
        checks: "Every VPC's default security group is managed (aws:ec2/defaultSecurityGroup) with \
                 no ingress and no egress rules, and no rule resource adds rules to it.",
        check: network::vpc_default_sg_closed,
    },
    Rule {
        id: "subnet-no-auto-public-ip",
        title: "Subnets do not assign public IPs",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag VPCSubnetAutoAssignPublicIpDisabled",
        checks: "No subnet sets mapPublicIpOnLaunch.",
        check: network::subnet_no_auto_public_ip,
    },
    Rule {
        id: "igw-route-public-only",
        title: "Only public subnets route to the internet gateway",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag VPCNoUnrestrictedRouteToIGW (with exception)",
        checks: "A 0.0.0.0/0 (or ::/0) route to an internet gateway exists only in route tables \
                 associated exclusively with public subnets, i.e. subnets where the internet-facing \
                 load balancer or a NAT gateway lives; never in a VPC's main route table. This is \
                 the documented exception to VPCNoUnrestrictedRouteToIGW that the internet-facing \
                 ALB needs.",
        check: network::igw_route_public_only,
    },
    Rule {
        id: "private-tiers-private",
        title: "Application and database tiers are private",
        severity: Mandatory,
        section: Network,
        anchor: "beyond",
        checks: "The subnets of the Auto Scaling groups and of the RDS and DMS subnet groups are \
                 not public subnets and their route tables (or the main route table) have no route \
                 to an internet gateway: they reach out through NAT or not at all.",
        check: network::private_tiers_private,
    },
    Rule {
        id: "sg-no-world-ingress",
        title: "No ingress from the whole internet",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag EC2RestrictedCommonPorts, EC2RestrictedSSH (stricter)",
        checks: "No security group ingress rule (rule resources or inline) admits 0.0.0.0/0 or \
                 ::/0, on any port.",
        check: network::sg_no_world_ingress,
    },
    Rule {
        id: "sg-no-all-protocols",
        title: "No all-protocol ingress",
        severity: Mandatory,
        section: Network,
        anchor: "cdk-nag EC2RestrictedCommonPorts",
        checks: "No ingress rule uses protocol -1 (all protocols and ports).",
        check: network::sg_no_all_protocols,
    },
    Rule {
        id: "sg-tier-chain",
        title: "Security groups chain the tiers",
        severity: Mandatory,
        section: Network,
        anchor: "seed, beyond",
        checks: "The load balancer's groups admit only tcp 443/80 from CIDRs or prefix lists (the \
                 configured ones when given); the application's groups admit only the application \
                 port from the load balancer's groups; the database's groups admit only the \
                 database port from the application's (or the DMS replication instance's) groups.",
        check: network::sg_tier_chain,
    },
    Rule {
        id: "no-ssh",
        title: "No SSH or RDP ingress",
        severity: Mandatory,
        section: Network,
        anchor: "beyond",
        checks: "No ingress rule, from any source, admits port 22 or 3389; operators use SSM \
                 Session Manager.",
        check: network::no_ssh,
    },
    // Load balancing and TLS
    Rule {
        id: "alb-https-listener-acm",
        title: "HTTPS listeners use ACM certificates",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "cdk-nag ELBv2ACMCertificateRequired",
        checks: "Every HTTPS or TLS listener has a certificateArn that comes from an ACM \
                 certificate of the stack (or is an ACM ARN).",
        check: edge::alb_https_listener_acm,
    },
    Rule {
        id: "alb-tls-policy",
        title: "Listeners use a TLS 1.2+ forward-secrecy policy",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "awsguard successor aws-alb-listener-configure-secure-tls, beyond",
        checks: "Every HTTPS or TLS listener sets sslPolicy to \
                 ELBSecurityPolicy-TLS13-1-2-2021-06 or a stricter TLS 1.2+ policy whose ciphers \
                 all have forward secrecy (the TLS13 Res/1-3/FIPS/PQ variants, FS-1-2-Res).",
        check: edge::alb_tls_policy,
    },
    Rule {
        id: "alb-http-redirects",
        title: "Plain HTTP only redirects to HTTPS",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "cdk-nag ALBHttpToHttpsRedirection, awsguard alb-http-to-https-redirection",
        checks: "A plain HTTP listener has exactly one default action, a redirect to HTTPS, and no \
                 listener rule of it does anything else (the documented exception to \
                 ELBv2ACMCertificateRequired).",
        check: edge::alb_http_redirects,
    },
    Rule {
        id: "alb-drop-invalid-headers",
        title: "The ALB drops invalid header fields",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "cdk-nag ALBHttpDropInvalidHeaderEnabled",
        checks: "Every application load balancer sets dropInvalidHeaderFields: true.",
        check: edge::alb_drop_invalid_headers,
    },
    Rule {
        id: "alb-access-logs",
        title: "The ALB writes access logs",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "cdk-nag ELBLoggingEnabled, awsguard elb-logging-enabled",
        checks: "Every application load balancer has accessLogs.enabled true with a bucket of the \
                 stack.",
        check: edge::alb_access_logs,
    },
    Rule {
        id: "alb-waf",
        title: "A logged WAF protects the ALB",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "cdk-nag ALBWAFEnabled, WAFv2LoggingEnabled",
        checks: "Every application load balancer is associated with a WAFv2 web ACL of the stack \
                 that has at least one AWS managed rule group and a logging configuration, which \
                 redacts the Authorization and Cookie headers.",
        check: edge::alb_waf,
    },
    Rule {
        id: "tg-health-check",
        title: "Target groups have a real HTTP health check",
        severity: Mandatory,
        section: LoadBalancing,
        anchor: "seed",
        checks: "Every HTTP(S) target group has an enabled HTTP(S) health check on a dedicated \
                 path (not /), interval 5-60 s, healthy and unhealthy thresholds 2-5, a timeout \
                 below the interval and a success-only matcher.",
        check: edge::tg_health_check,
    },
    // Compute
    Rule {
        id: "asg-elb-health",
        title: "The ASG uses load balancer health checks",
        severity: Mandatory,
        section: Compute,
        anchor: "cdk-nag AutoScalingGroupELBHealthCheckRequired",
        checks: "An Auto Scaling group attached to target groups sets healthCheckType ELB.",
        check: compute::asg_elb_health,
    },
    Rule {
        id: "asg-capacity",
        title: "The ASG runs 2-6 instances across two zones",
        severity: Mandatory,
        section: Compute,
        anchor: "seed",
        checks: "minSize >= 2, maxSize <= 6, minSize <= maxSize, and vpcZoneIdentifiers span at \
                 least two availability zones.",
        check: compute::asg_capacity,
    },
    Rule {
        id: "lt-no-public-ip",
        title: "Instances get no public IP",
        severity: Mandatory,
        section: Compute,
        anchor: "cdk-nag EC2InstanceNoPublicIp, AutoScalingLaunchConfigPublicIpDisabled",
        checks: "No network interface of a launch template sets associatePublicIpAddress.",
        check: compute::lt_no_public_ip,
    },
    Rule {
        id: "lt-imdsv2",
        title: "Instances require IMDSv2",
        severity: Mandatory,
        section: Compute,
        anchor: "beyond (AWS Config ec2-imdsv2-check)",
        checks: "Every launch template sets metadataOptions.httpTokens required and \
                 httpPutResponseHopLimit 1 (or disables the metadata endpoint).",
        check: compute::lt_imdsv2,
    },
    Rule {
        id: "lt-ebs-encrypted",
        title: "Instance volumes are encrypted with the CMK",
        severity: Mandatory,
        section: Compute,
        anchor: "awsguard encrypted-volumes, Config encrypted-volumes",
        checks: "Every launch template declares its EBS volumes, each with encrypted \"true\" and \
                 a kmsKeyId from a KMS key of the stack.",
        check: compute::lt_ebs_encrypted,
    },
    Rule {
        id: "lt-instance-profile",
        title: "Instances get an instance profile",
        severity: Mandatory,
        section: Compute,
        anchor: "cdk-nag EC2InstanceProfileAttached",
        checks: "Every launch template sets iamInstanceProfile (arn or name).",
        check: compute::lt_instance_profile,
    },
    Rule {
        id: "lt-detailed-monitoring",
        title: "Instances have detailed monitoring",
        severity: Advisory,
        section: Compute,
        anchor: "awsguard ec2-instance-detailed-monitoring-enabled",
        checks: "Every launch template sets monitoring.enabled true (1-minute metrics).",
        check: compute::lt_detailed_monitoring,
    },
    // Database
    Rule {
        id: "rds-encrypted-cmk",
        title: "The database is encrypted with the CMK",
        severity: Mandatory,
        section: Database,
        anchor: "cdk-nag RDSStorageEncrypted, awsguard rds-storage-encrypted",
        checks: "storageEncrypted true and kmsKeyId from a customer-managed KMS key of the stack.",
        check: database::rds_encrypted_cmk,
    },
    Rule {
        id: "rds-multi-az",
        title: "The database is Multi-AZ",
        severity: Mandatory,
        section: Database,
        anchor: "awsguard rds-instance-multi-az-enabled",
        checks: "multiAz true.",
        check: database::rds_multi_az,
    },
    Rule {
        id: "rds-not-public",
        title: "The database is not public",
        severity: Mandatory,
        section: Database,
        anchor: "cdk-nag RDSInstancePublicAccess",
        checks: "publiclyAccessible set explicitly to false.",
        check: database::rds_not_public,
    },
    Rule {
        id: "rds-backups",
        title: "The database keeps a week of backups",
        severity: Mandatory,
        section: Database,
        anchor: "awsguard rds-instance-backup-enabled",
        checks: "backupRetentionPeriod >= 7 days (point-in-time recovery).",
        check: database::rds_backups,
    },
    Rule {
        id: "rds-logs",
        title: "The database exports its logs",
        severity: Mandatory,
        section: Database,
        anchor: "cdk-nag RDSLoggingEnabled",
        checks: "A MySQL/MariaDB instance exports the audit, error and slowquery logs; its \
                 option group has MARIADB_AUDIT_PLUGIN logging data access (SERVER_AUDIT_EVENTS \
                 with QUERY_DML or QUERY, or unset); its parameter group sets slow_query_log and \
                 leaves general_log off, which would write card numbers to the logs (log_output \
                 FILE if set).",
        check: database::rds_logs,
    },
    Rule {
        id: "rds-tls-only",
        title: "The database requires TLS",
        severity: Mandatory,
        section: Database,
        anchor: "beyond",
        checks: "The instance's parameter group sets require_secure_transport=ON.",
        check: database::rds_tls_only,
    },
    Rule {
        id: "rds-minor-upgrades",
        title: "The database takes minor upgrades",
        severity: Mandatory,
        section: Database,
        anchor: "cdk-nag RDSAutomaticMinorVersionUpgradeEnabled",
        checks: "autoMinorVersionUpgrade is not false.",
        check: database::rds_minor_upgrades,
    },
    Rule {
        id: "rds-secret-kms",
        title: "Master credentials are managed or secret",
        severity: Mandatory,
        section: Database,
        anchor: "cdk-nag SecretsManagerUsingKMSKey, beyond",
        checks: "Either manageMasterUserPassword true with masterUserSecretKmsKeyId from a KMS key \
                 of the stack, or password/passwordWo is a Pulumi secret; never a plaintext input.",
        check: database::rds_secret_kms,
    },
    // Storage, keys, identity
    Rule {
        id: "s3-versioning",
        title: "Buckets are versioned",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "seed, cdk-nag S3BucketVersioningEnabled",
        checks: "Every bucket has a versioning configuration with status Enabled.",
        check: storage::s3_versioning,
    },
    Rule {
        id: "s3-block-public",
        title: "Buckets block public access",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag S3BucketLevelPublicAccessProhibited",
        checks: "Every bucket has a public access block with all four flags true.",
        check: storage::s3_block_public,
    },
    Rule {
        id: "s3-kms-default-encryption",
        title: "Buckets default to SSE-KMS with the CMK",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag S3DefaultEncryptionKMS",
        checks: "Every bucket's default encryption is aws:kms with a KMS key of the stack and \
                 bucket keys on. The ALB access-log bucket is a recorded exception (AWS only \
                 delivers ALB logs to SSE-S3 buckets).",
        check: storage::s3_kms_default_encryption,
    },
    Rule {
        id: "s3-tls-only",
        title: "Buckets deny requests without TLS",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag S3BucketSSLRequestsOnly",
        checks: "The bucket policy has a statement denying s3:* to everyone on the bucket and its \
                 objects when aws:SecureTransport is false.",
        check: storage::s3_tls_only,
    },
    Rule {
        id: "s3-lifecycle",
        title: "Buckets have lifecycle rules",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "seed",
        checks: "Every bucket's enabled lifecycle rules include a storage-class transition and a \
                 noncurrent version expiry.",
        check: storage::s3_lifecycle,
    },
    Rule {
        id: "s3-access-logging",
        title: "Buckets log access",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag S3BucketLoggingEnabled",
        checks: "Every bucket that is not itself a log destination (of access logs, flow logs, the \
                 ALB or WAF) logs its access to another bucket of the stack, whose default \
                 encryption is SSE-S3 (S3 does not deliver server access logs to SSE-KMS \
                 buckets); in the platform that is the static-content bucket logging to the ALB \
                 log bucket.",
        check: storage::s3_access_logging,
    },
    Rule {
        id: "kms-rotation",
        title: "Symmetric keys rotate",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag KMSBackingKeyRotationEnabled",
        checks: "Every symmetric encrypt/decrypt customer-managed key sets enableKeyRotation true.",
        check: storage::kms_rotation,
    },
    Rule {
        id: "iam-no-admin",
        title: "No administrator or full-service grants",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag IAMPolicyNoStatementsWithAdminAccess / FullAccess",
        checks: "No Allow statement of an IAM policy (managed, role, user, group or inline) has \
                 Action * or <service>:*, or NotAction; no AWS managed AdministratorAccess, \
                 PowerUserAccess or *FullAccess policy is attached.",
        check: storage::iam_no_admin,
    },
    Rule {
        id: "iam-scoped-resources",
        title: "S3 and KMS grants name the project's resources",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "seed (least privilege), beyond",
        checks: "Allow statements with S3 actions name only buckets of the stack (or their \
                 objects); those with KMS actions name specific key ARNs taken from keys of the \
                 stack, or the keys of the stack's account narrowed by \
                 ForAnyValue:StringEquals kms:ResourceAliases to aliases of the stack; never * \
                 or NotResource.",
        check: storage::iam_scoped_resources,
    },
    Rule {
        id: "logs-encrypted-retained",
        title: "Log groups are encrypted and retained",
        severity: Mandatory,
        section: StorageKeysIdentity,
        anchor: "cdk-nag CloudWatchLogGroupEncrypted, CloudWatchLogGroupRetentionPeriod",
        checks: "Every CloudWatch log group has a kmsKeyId and an explicit, finite retentionInDays.",
        check: storage::logs_encrypted_retained,
    },
    // Project rules
    Rule {
        id: "tags-required",
        title: "Everything carries the required tags",
        severity: Mandatory,
        section: Project,
        anchor: "project",
        checks: "Every resource whose type takes tags (per the pinned pulumi-aws schema) carries \
                 Environment, CostCenter and MigrationPhase, counting its provider's defaultTags; \
                 Auto Scaling groups carry them in their own tags, the instances they launch \
                 through launch template tagSpecifications or propagated group tags, and the \
                 volumes through tagSpecifications.",
        check: project::tags_required,
    },
    Rule {
        id: "names-suffixed",
        title: "Physical names follow the naming scheme",
        severity: Mandatory,
        section: Project,
        anchor: "project",
        checks: "Every physical name (name, bucket, identifier, DMS ids; the last path segment of \
                 log group and alias names) is <resource-type>-<environment>-<suffix>, where the \
                 environment is the provider's Environment tag and the suffix is shared by the \
                 stack, and fits its type's AWS length and character limits.",
        check: project::names_suffixed,
    },
    Rule {
        id: "destroyable",
        title: "The stack can be destroyed",
        severity: Advisory,
        section: Project,
        anchor: "project",
        checks: "No protect or retainOnDelete; RDS, load balancer and log group deletion \
                 protection off; buckets and backup vaults forceDestroy; no backup vault lock; KMS \
                 keys set deletionWindowInDays (7-30).",
        check: project::destroyable,
    },
    Rule {
        id: "region",
        title: "Everything deploys to the configured region",
        severity: Mandatory,
        section: Project,
        anchor: "project",
        checks: "Every aws provider sets region to the configured one (us-east-1 by default), \
                 except one that creates only backup copy vaults, their locks, keys and aliases \
                 (the disaster-recovery region); every AWS resource uses an explicit provider of \
                 the plan, and none but those overrides the region.",
        check: project::region,
    },
    Rule {
        id: "dms-not-public",
        title: "The DMS replication instance is not public",
        severity: Mandatory,
        section: Project,
        anchor: "cdk-nag DMSReplicationNotPublic",
        checks: "Every DMS replication instance sets publiclyAccessible: false explicitly.",
        check: project::dms_not_public,
    },
    // Account-level controls around the stack (PCI DSS v4.0)
    Rule {
        id: "trail-multi-region",
        title: "A multi-region trail records every API call",
        severity: Mandatory,
        section: AccountControls,
        anchor: "AWS Config multi-region-cloudtrail-enabled, CIS AWS Foundations 3.1",
        checks: "The account has a CloudTrail trail, and every trail of the stack sets \
                 isMultiRegionTrail and includeGlobalServiceEvents true; waived with evidence \
                 when the organization provides the trail.",
        check: account::trail_multi_region,
    },
    Rule {
        id: "trail-log-validation",
        title: "Trail log files are validated",
        severity: Mandatory,
        section: AccountControls,
        anchor: "cdk-nag CloudTrailLogFileValidationEnabled",
        checks: "The account has a CloudTrail trail, and every trail of the stack sets \
                 enableLogFileValidation true; waived with evidence when the organization \
                 provides the trail.",
        check: account::trail_log_validation,
    },
    Rule {
        id: "trail-encrypted",
        title: "Trail logs are encrypted with a customer-managed key",
        severity: Mandatory,
        section: AccountControls,
        anchor: "cdk-nag CloudTrailEncryptionEnabled",
        checks: "The account has a CloudTrail trail, and every trail of the stack sets kmsKeyId \
                 to a KMS key of the stack; waived with evidence when the organization provides \
                 the trail.",
        check: account::trail_encrypted,
    },
    Rule {
        id: "trail-cloudwatch-logs",
        title: "The trail is delivered to CloudWatch Logs",
        severity: Mandatory,
        section: AccountControls,
        anchor: "cdk-nag CloudTrailCloudWatchLogsEnabled",
        checks: "The account has a CloudTrail trail, and every trail of the stack delivers to a \
                 log group of the stack (cloudWatchLogsGroupArn) through a role \
                 (cloudWatchLogsRoleArn); waived with evidence when the organization provides the \
                 trail.",
        check: account::trail_cloudwatch_logs,
    },
    Rule {
        id: "guardduty-enabled",
        title: "GuardDuty watches the account",
        severity: Mandatory,
        section: AccountControls,
        anchor: "cdk-nag GuardDutyEnabledCentralized",
        checks: "The account has a GuardDuty detector of the stack that is not disabled, with \
                 the S3_DATA_EVENTS, EBS_MALWARE_PROTECTION and RDS_LOGIN_EVENTS features \
                 ENABLED; waived with evidence when the organization's delegated administrator \
                 provides it.",
        check: account::guardduty_enabled,
    },
    Rule {
        id: "config-recorder-on",
        title: "AWS Config records and delivers",
        severity: Mandatory,
        section: AccountControls,
        anchor: "AWS Config PCI conformance pack, cdk-nag (account level)",
        checks: "The account has an AWS Config recorder of the stack recording all supported \
                 resource types, global types included, a delivery channel, and a recorder status \
                 with isEnabled true for it; waived with evidence when the organization provides \
                 it.",
        check: account::config_recorder_on,
    },
    Rule {
        id: "securityhub-pci-standard",
        title: "Security Hub checks PCI DSS v4.0.1",
        severity: Mandatory,
        section: AccountControls,
        anchor: "Security Hub PCI DSS v4.0.1 standard",
        checks: "Security Hub is enabled by the stack and subscribed to the PCI DSS v4.0.1 \
                 standard; waived with evidence when the organization's delegated administrator \
                 provides it.",
        check: account::securityhub_pci_standard,
    },
    Rule {
        id: "db-backup-cross-region",
        title: "Database backups are copied to another region",
        severity: Mandatory,
        section: AccountControls,
        anchor: "cdk-nag RDSInBackupPlan (stricter)",
        checks: "Every RDS instance is selected (aws:backup/selection resources) in an AWS Backup \
                 plan with a rule whose copy action leads to a vault in a region other than the \
                 instance's (by the vault's provider or ARN). Not waivable by the organization: \
                 the copies are of this stack's database.",
        check: backup::db_backup_cross_region,
    },
    Rule {
        id: "private-aws-endpoints",
        title: "Instances reach AWS through VPC endpoints",
        severity: Mandatory,
        section: AccountControls,
        anchor: "AWS PCI DSS on AWS guide (private connectivity), beyond",
        checks: "Every VPC with Auto Scaling groups has an S3 gateway endpoint on the route tables \
                 of the groups' subnets and an interface endpoint with private DNS for each of \
                 ssm, ssmmessages, ec2messages, kms, logs, monitoring, secretsmanager and sts; \
                 every endpoint of the VPC has an endpoint policy.",
        check: endpoints::private_aws_endpoints,
    },
    Rule {
        id: "app-egress-private",
        title: "Instances send nothing to the internet",
        severity: Mandatory,
        section: AccountControls,
        anchor: "PCI DSS 1.3.2, 1.4.4, beyond",
        checks: "No egress rule (rule resources or inline) of the launch templates' security \
                 groups lets traffic out to 0.0.0.0/0 or ::/0: AWS is reached through the \
                 endpoints, everything else by name.",
        check: endpoints::app_egress_private,
    },
];
