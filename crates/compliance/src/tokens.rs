//! The type tokens the rules read (pulumi-aws 7.51.1). Where the provider keeps an alias module
//! (`aws:alb/*` for `aws:lb/*`), both tokens are listed.

pub(crate) const VPC: &str = "aws:ec2/vpc:Vpc";
pub(crate) const SUBNET: &str = "aws:ec2/subnet:Subnet";
pub(crate) const ROUTE_TABLE: &str = "aws:ec2/routeTable:RouteTable";
pub(crate) const ROUTE: &str = "aws:ec2/route:Route";
pub(crate) const RTA: &str = "aws:ec2/routeTableAssociation:RouteTableAssociation";
pub(crate) const IGW: &str = "aws:ec2/internetGateway:InternetGateway";
pub(crate) const NAT: &str = "aws:ec2/natGateway:NatGateway";
pub(crate) const DEFAULT_SG: &str = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
pub(crate) const FLOW_LOG: &str = "aws:ec2/flowLog:FlowLog";
pub(crate) const SG: &str = "aws:ec2/securityGroup:SecurityGroup";
pub(crate) const SG_INGRESS: &str = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
pub(crate) const SG_EGRESS: &str = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
pub(crate) const SG_RULE: &str = "aws:ec2/securityGroupRule:SecurityGroupRule";
/// Security groups a rule can point at.
pub(crate) const SG_TYPES: [&str; 2] = [SG, DEFAULT_SG];

pub(crate) const LB_TYPES: [&str; 2] = [
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
];
pub(crate) const LISTENER_TYPES: [&str; 2] =
    ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
pub(crate) const LISTENER_RULE_TYPES: [&str; 2] = [
    "aws:lb/listenerRule:ListenerRule",
    "aws:alb/listenerRule:ListenerRule",
];
pub(crate) const TG_TYPES: [&str; 2] = [
    "aws:lb/targetGroup:TargetGroup",
    "aws:alb/targetGroup:TargetGroup",
];
pub(crate) const ACM_TYPES: [&str; 2] = [
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
];
pub(crate) const WEB_ACL: &str = "aws:wafv2/webAcl:WebAcl";
pub(crate) const WEB_ACL_ASSOCIATION: &str = "aws:wafv2/webAclAssociation:WebAclAssociation";
pub(crate) const WEB_ACL_LOGGING: &str =
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

pub(crate) const LAUNCH_TEMPLATE: &str = "aws:ec2/launchTemplate:LaunchTemplate";
pub(crate) const ASG: &str = "aws:autoscaling/group:Group";
pub(crate) const INSTANCE_PROFILE: &str = "aws:iam/instanceProfile:InstanceProfile";

pub(crate) const RDS_INSTANCE: &str = "aws:rds/instance:Instance";
pub(crate) const RDS_SUBNET_GROUP: &str = "aws:rds/subnetGroup:SubnetGroup";
pub(crate) const RDS_PARAMETER_GROUP: &str = "aws:rds/parameterGroup:ParameterGroup";
pub(crate) const RDS_OPTION_GROUP: &str = "aws:rds/optionGroup:OptionGroup";
pub(crate) const DMS_INSTANCE: &str = "aws:dms/replicationInstance:ReplicationInstance";
pub(crate) const DMS_SUBNET_GROUP: &str = "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup";

pub(crate) const BUCKET: &str = "aws:s3/bucket:Bucket";
pub(crate) const BUCKET_VERSIONING: &str = "aws:s3/bucketVersioning:BucketVersioning";
pub(crate) const BUCKET_SSE: &str =
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
pub(crate) const BUCKET_PAB: &str = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
pub(crate) const BUCKET_LIFECYCLE: &str =
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
pub(crate) const BUCKET_POLICY: &str = "aws:s3/bucketPolicy:BucketPolicy";
pub(crate) const BUCKET_LOGGING: &str = "aws:s3/bucketLogging:BucketLogging";

pub(crate) const VPC_ENDPOINT: &str = "aws:ec2/vpcEndpoint:VpcEndpoint";

pub(crate) const BACKUP_VAULT: &str = "aws:backup/vault:Vault";
pub(crate) const BACKUP_VAULT_LOCK: &str =
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
pub(crate) const BACKUP_PLAN: &str = "aws:backup/plan:Plan";
pub(crate) const BACKUP_SELECTION: &str = "aws:backup/selection:Selection";

pub(crate) const KMS_KEY: &str = "aws:kms/key:Key";
pub(crate) const KMS_ALIAS: &str = "aws:kms/alias:Alias";
pub(crate) const LOG_GROUP: &str = "aws:cloudwatch/logGroup:LogGroup";

/// Resources that carry an IAM policy document, and the property it is in.
pub(crate) const IAM_DOCUMENTS: [(&str, &str); 5] = [
    ("aws:iam/policy:Policy", "policy"),
    ("aws:iam/rolePolicy:RolePolicy", "policy"),
    ("aws:iam/userPolicy:UserPolicy", "policy"),
    ("aws:iam/groupPolicy:GroupPolicy", "policy"),
    ("aws:iam/role:Role", "inlinePolicies"),
];
/// Resources that attach a managed policy by ARN, and the property it is in.
pub(crate) const IAM_ATTACHMENTS: [(&str, &str); 5] = [
    (
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "policyArn",
    ),
    (
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "policyArn",
    ),
    (
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "policyArn",
    ),
    ("aws:iam/policyAttachment:PolicyAttachment", "policyArn"),
    ("aws:iam/role:Role", "managedPolicyArns"),
];
pub(crate) const TRAIL: &str = "aws:cloudtrail/trail:Trail";
pub(crate) const DETECTOR: &str = "aws:guardduty/detector:Detector";
pub(crate) const DETECTOR_FEATURE: &str = "aws:guardduty/detectorFeature:DetectorFeature";
pub(crate) const CONFIG_RECORDER: &str = "aws:cfg/recorder:Recorder";
pub(crate) const CONFIG_DELIVERY_CHANNEL: &str = "aws:cfg/deliveryChannel:DeliveryChannel";
pub(crate) const CONFIG_RECORDER_STATUS: &str = "aws:cfg/recorderStatus:RecorderStatus";
pub(crate) const SECURITY_HUB: &str = "aws:securityhub/account:Account";
pub(crate) const SECURITY_HUB_STANDARD: &str =
    "aws:securityhub/standardsSubscription:StandardsSubscription";
