//! A small but complete platform-shaped plan, and helpers to mutate it.
//!
//! [`fixture`] builds what the platform registers (provider, VPC, subnets, routes, security
//! groups and rules, ALB with listeners, target group and WAF, launch template and ASG, RDS with
//! its groups, buckets with their configuration resources, keys, IAM, log groups, DMS), in the
//! wire form the recorder writes: references carry the resolved id or ARN after a deployment, or
//! the unknown sentinel in a preview, and `propertyDependencies` always names where they came
//! from. The compliant fixture produces no violation; each test mutates one thing.

#![allow(dead_code)]

use std::collections::BTreeMap;

use pulumi_runtime::Plan;
use pulumi_runtime::plan::{PlanOptions, PlanResource};
use pulumi_runtime::wire;
use serde_json::{Map, Value, json};

pub const PROJECT: &str = "payments-platform";
pub const STACK: &str = "dev";
pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";
pub const PROVIDER: &str = "aws-dev-a1b2";

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Builds a plan the way the recorder does.
pub struct Builder {
    plan: Plan,
    dry_run: bool,
    stack_urn: String,
    provider_ref: String,
    by_name: BTreeMap<String, usize>,
}

impl Builder {
    pub fn new(dry_run: bool) -> Self {
        let mut builder = Self {
            plan: Plan {
                project: PROJECT.to_owned(),
                stack: STACK.to_owned(),
                dry_run,
                ..Plan::default()
            },
            dry_run,
            stack_urn: String::new(),
            provider_ref: String::new(),
            by_name: BTreeMap::new(),
        };
        builder.stack_urn = builder.push(
            "",
            "",
            "pulumi:pulumi:Stack",
            &format!("{PROJECT}-{STACK}"),
            false,
            Map::new(),
        );
        builder.provider_ref = builder.provider(PROVIDER, REGION);
        builder
    }

    /// Registers an aws provider for `region` with the stack's default tags; returns its
    /// reference (`urn::id`).
    pub fn provider(&mut self, name: &str, region: &str) -> String {
        let tags = json!({"tags": {
            "CostCenter": "cc-payments-1001", "Environment": "dev", "ManagedBy": "pulumi",
            "MigrationPhase": "prepare", "Project": PROJECT}});
        let mut inputs = Map::new();
        inputs.insert("defaultTags".into(), json!(tags.to_string()));
        inputs.insert("region".into(), json!(region));
        let stack = self.stack_urn.clone();
        let provider_urn = self.push(&stack, "", "pulumi:providers:aws", name, true, inputs);
        let provider_id = if self.dry_run {
            wire::UNKNOWN.to_owned()
        } else {
            format!("{:016x}", fnv(&provider_urn))
        };
        format!("{provider_urn}::{provider_id}")
    }

    /// Makes `provider` (a reference from [`Builder::provider`]) the one later resources use;
    /// returns the previous one.
    pub fn use_provider(&mut self, provider: String) -> String {
        std::mem::replace(&mut self.provider_ref, provider)
    }

    fn push(
        &mut self,
        parent: &str,
        parent_type: &str,
        ty: &str,
        name: &str,
        custom: bool,
        inputs: Map<String, Value>,
    ) -> String {
        let qualified = if parent_type.is_empty() || parent_type == "pulumi:pulumi:Stack" {
            ty.to_owned()
        } else {
            format!("{parent_type}${ty}")
        };
        let urn = format!("urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}");
        self.by_name
            .insert(name.to_owned(), self.plan.resources.len());
        self.plan.resources.push(PlanResource {
            urn: urn.clone(),
            ty: ty.to_owned(),
            name: name.to_owned(),
            custom,
            parent: parent.to_owned(),
            provider: String::new(),
            version: if custom {
                "7.51.1".to_owned()
            } else {
                String::new()
            },
            inputs,
            dependencies: Vec::new(),
            property_dependencies: BTreeMap::new(),
            options: PlanOptions::default(),
            outputs: None,
        });
        urn
    }

    /// A component resource under the stack; returns its name.
    pub fn component(&mut self, ty: &str, name: &str) -> String {
        let stack = self.stack_urn.clone();
        self.push(&stack, "pulumi:pulumi:Stack", ty, name, false, Map::new());
        name.to_owned()
    }

    fn resource(&self, name: &str) -> &PlanResource {
        let index = self
            .by_name
            .get(name)
            .copied()
            .unwrap_or_else(|| panic!("no resource {name}"));
        &self.plan.resources[index]
    }

    /// The resolved id of the resource `name` (deployed).
    fn id_of(&self, name: &str) -> String {
        let r = self.resource(name);
        let physical = ["bucket", "name", "identifier"]
            .iter()
            .find_map(|k| r.inputs.get(*k).and_then(Value::as_str));
        match r.ty.as_str() {
            "aws:s3/bucket:Bucket"
            | "aws:iam/role:Role"
            | "aws:iam/instanceProfile:InstanceProfile"
            | "aws:rds/subnetGroup:SubnetGroup"
            | "aws:rds/parameterGroup:ParameterGroup"
            | "aws:rds/optionGroup:OptionGroup" => physical.unwrap_or(name).to_owned(),
            ty => {
                let prefix: String = ty
                    .rsplit(':')
                    .next()
                    .unwrap_or(ty)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                format!("{prefix}-{:017x}", fnv(&r.urn))
            }
        }
    }

    /// The resolved ARN of the resource `name` (deployed).
    fn arn_of(&self, name: &str) -> String {
        let r = self.resource(name);
        let id = self.id_of(name);
        let service =
            r.ty.split(':')
                .nth(1)
                .and_then(|m| m.split('/').next())
                .unwrap_or("aws");
        match r.ty.as_str() {
            "aws:s3/bucket:Bucket" => format!("arn:aws:s3:::{id}"),
            "aws:kms/key:Key" => format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}"),
            "aws:iam/policy:Policy"
            | "aws:iam/role:Role"
            | "aws:iam/instanceProfile:InstanceProfile" => {
                let kind = r.ty.rsplit(':').next().unwrap_or("x").to_ascii_lowercase();
                let physical = r.inputs.get("name").and_then(Value::as_str).unwrap_or(name);
                format!("arn:aws:iam::{ACCOUNT}:{kind}/{physical}")
            }
            "aws:cloudwatch/logGroup:LogGroup" => {
                let physical = r.inputs.get("name").and_then(Value::as_str).unwrap_or(name);
                format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{physical}")
            }
            "aws:backup/vault:Vault" => {
                let physical = r.inputs.get("name").and_then(Value::as_str).unwrap_or(name);
                let region = self.region_of(r);
                format!("arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{physical}")
            }
            _ => {
                let physical = r.inputs.get("name").and_then(Value::as_str).unwrap_or(name);
                format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{physical}/{id}")
            }
        }
    }

    /// The region of the provider `r` is created through.
    fn region_of(&self, r: &PlanResource) -> String {
        let urn = r.provider.rsplit_once("::").map_or("", |(urn, _)| urn);
        self.plan
            .resources
            .iter()
            .find(|p| p.urn == urn)
            .and_then(|p| p.inputs.get("region"))
            .and_then(Value::as_str)
            .unwrap_or(REGION)
            .to_owned()
    }

    /// Replaces `{{id:NAME}}` and `{{arn:NAME}}` markers in `value`; collects the URNs.
    fn resolve(&self, value: &Value, deps: &mut Vec<String>) -> Value {
        match value {
            Value::String(text) if text.contains("{{") => {
                let mut out = String::new();
                let mut rest = text.as_str();
                while let Some(start) = rest.find("{{") {
                    out.push_str(&rest[..start]);
                    let after = &rest[start + 2..];
                    let end = after
                        .find("}}")
                        .unwrap_or_else(|| panic!("unclosed marker in {text}"));
                    let (kind, name) = after[..end]
                        .split_once(':')
                        .unwrap_or_else(|| panic!("bad marker"));
                    deps.push(self.resource(name).urn.clone());
                    out.push_str(&match kind {
                        "id" => self.id_of(name),
                        "arn" => self.arn_of(name),
                        other => panic!("unknown marker kind {other}"),
                    });
                    rest = &after[end + 2..];
                }
                out.push_str(rest);
                if self.dry_run {
                    wire::unknown_value()
                } else {
                    Value::String(out)
                }
            }
            Value::Array(items) => {
                let resolved: Vec<Value> = items.iter().map(|i| self.resolve(i, deps)).collect();
                // As the runtime sends it: a list of references with an unknown in it is unknown
                // as a whole (`vpcZoneIdentifiers: "04da6b54-..."`).
                let unknown = wire::unknown_value();
                if self.dry_run
                    && resolved.iter().all(Value::is_string)
                    && resolved.contains(&unknown)
                {
                    unknown
                } else {
                    Value::Array(resolved)
                }
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v, deps)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// A custom AWS resource under component `parent`, through the stack's provider. `inputs`
    /// may hold `{{id:NAME}}` / `{{arn:NAME}}` markers naming earlier resources.
    pub fn add(&mut self, parent: &str, ty: &str, name: &str, inputs: Value) {
        let parent_resource = self.resource(parent);
        let (parent_urn, parent_type) = (parent_resource.urn.clone(), parent_resource.ty.clone());
        let Value::Object(raw) = inputs else {
            panic!("inputs of {name} must be an object")
        };
        let mut resolved = Map::new();
        let mut property_dependencies = BTreeMap::new();
        let mut all = Vec::new();
        for (key, value) in &raw {
            let mut deps = Vec::new();
            resolved.insert(key.clone(), self.resolve(value, &mut deps));
            deps.sort();
            deps.dedup();
            if !deps.is_empty() {
                all.extend(deps.iter().cloned());
                property_dependencies.insert(key.clone(), deps);
            }
        }
        all.sort();
        all.dedup();
        let provider_ref = self.provider_ref.clone();
        self.push(&parent_urn, &parent_type, ty, name, true, resolved);
        let resource = self
            .plan
            .resources
            .last_mut()
            .unwrap_or_else(|| panic!("pushed"));
        resource.provider = provider_ref;
        resource.dependencies = all;
        resource.property_dependencies = property_dependencies;
    }

    pub fn finish(mut self) -> Plan {
        self.plan.resources.sort_by(|a, b| a.urn.cmp(&b.urn));
        self.plan
    }
}

fn name_tag(name: &str) -> Value {
    json!({"Name": format!("{name}-dev-a1b2")})
}

fn instance_tags(name: &str) -> Value {
    json!({"Environment": "dev", "CostCenter": "cc-payments-1001", "MigrationPhase": "prepare",
           "Name": format!("{name}-dev-a1b2")})
}

fn deny_insecure(bucket: &str) -> Value {
    json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
           "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
}

fn bucket(b: &mut Builder, purpose: &str, kms: bool, extra: Vec<Value>) {
    let physical = format!("payments-{purpose}-dev-a1b2");
    let name = format!("bucket-{purpose}");
    let id = format!("{{{{id:{name}}}}}");
    b.add(
        "storage",
        "aws:s3/bucket:Bucket",
        &name,
        json!({"bucket": physical, "forceDestroy": true, "tags": {"Name": physical}}),
    );
    b.add(
        "storage",
        "aws:s3/bucketVersioning:BucketVersioning",
        &format!("{name}-versioning"),
        json!({"bucket": id, "versioningConfiguration": {"status": "Enabled"}}),
    );
    b.add(
        "storage",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        &format!("{name}-public-access-block"),
        json!({"bucket": id, "blockPublicAcls": true, "blockPublicPolicy": true,
                 "ignorePublicAcls": true, "restrictPublicBuckets": true}),
    );
    let default = if kms {
        json!({"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "{{arn:key-data}}"})
    } else {
        json!({"sseAlgorithm": "AES256"})
    };
    b.add(
        "storage",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        &format!("{name}-encryption"),
        json!({"bucket": id, "rules": [{"applyServerSideEncryptionByDefault": default,
                                           "bucketKeyEnabled": true}]}),
    );
    b.add(
        "storage",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        &format!("{name}-ownership"),
        json!({"bucket": id, "rule": {"objectOwnership": "BucketOwnerEnforced"}}),
    );
    b.add("storage", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          &format!("{name}-lifecycle"),
          json!({"bucket": id, "rules": [{
              "id": "transition-and-expire-noncurrent", "status": "Enabled", "filter": {"prefix": ""},
              "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}],
              "noncurrentVersionExpiration": {"noncurrentDays": 90}}]}));
    let mut statements = vec![deny_insecure(&physical)];
    statements.extend(extra);
    b.add(
        "storage",
        "aws:s3/bucketPolicy:BucketPolicy",
        &format!("{name}-policy"),
        json!({"bucket": id,
                 "policy": json!({"Version": "2012-10-17", "Statement": statements}).to_string()}),
    );
}

/// The compliant platform-shaped plan: deployed (`dry_run` false: references resolved) or a
/// preview (references unknown).
pub fn fixture_with(dry_run: bool) -> Plan {
    let mut b = Builder::new(dry_run);
    let keys = b.component("payments:security:Keys", "keys");
    let storage = b.component("payments:storage:Storage", "storage");
    let network = b.component("payments:network:Network", "network");
    let sgs = b.component("payments:network:SecurityGroups", "security-groups");
    let edge = b.component("payments:edge:Edge", "edge");
    let compute = b.component("payments:compute:Compute", "compute");
    let database = b.component("payments:data:Database", "database");
    let migration = b.component("payments:migration:Migration", "migration");

    // Keys
    for purpose in ["data", "compute"] {
        let key_policy = json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "AccountAdministersKeyThroughIam", "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
            "Action": "kms:*", "Resource": "*"}]});
        b.add(
            &keys,
            "aws:kms/key:Key",
            &format!("key-{purpose}"),
            json!({
            "description": format!("Payments platform {purpose} key"),
            "enableKeyRotation": true, "deletionWindowInDays": 7, "keyUsage": "ENCRYPT_DECRYPT",
            "customerMasterKeySpec": "SYMMETRIC_DEFAULT", "policy": key_policy.to_string(),
            "tags": name_tag(&format!("kms-{purpose}"))}),
        );
        b.add(
            &keys,
            "aws:kms/alias:Alias",
            &format!("alias-{purpose}"),
            json!({
            "name": format!("alias/payments-{purpose}-dev-a1b2"),
            "targetKeyId": format!("{{{{id:key-{purpose}}}}}")}),
        );
    }

    // Storage
    bucket(
        &mut b,
        "logs",
        true,
        vec![json!({
        "Sid": "FlowLogDelivery", "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::payments-logs-dev-a1b2/vpc-flow-logs/AWSLogs/123456789012/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})],
    );
    bucket(&mut b, "static", true, Vec::new());
    bucket(
        &mut b,
        "alb-logs",
        false,
        vec![json!({
        "Sid": "AlbAccessLogDelivery", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::127311923021:root"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::payments-alb-logs-dev-a1b2/alb/AWSLogs/123456789012/*"})],
    );
    b.add(
        &storage,
        "aws:s3/bucketLogging:BucketLogging",
        "bucket-static-access-logging",
        json!({
        "bucket": "{{id:bucket-static}}", "targetBucket": "{{id:bucket-alb-logs}}",
        "targetPrefix": "s3-access/static/"}),
    );

    // Network
    b.add(
        &network,
        "aws:ec2/vpc:Vpc",
        "vpc",
        json!({
        "cidrBlock": "10.20.0.0/16", "enableDnsHostnames": true, "enableDnsSupport": true,
        "tags": name_tag("vpc")}),
    );
    b.add(
        &network,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "default-sg",
        json!({
        "vpcId": "{{id:vpc}}", "ingress": [], "egress": [], "tags": name_tag("default-sg-closed")}),
    );
    b.add(
        &network,
        "aws:ec2/flowLog:FlowLog",
        "flow-log",
        json!({
        "vpcId": "{{id:vpc}}", "trafficType": "ALL", "logDestinationType": "s3",
        "logDestination": "{{arn:bucket-logs}}/vpc-flow-logs/", "maxAggregationInterval": 60,
        "tags": name_tag("flowlog")}),
    );
    b.add(
        &network,
        "aws:ec2/internetGateway:InternetGateway",
        "igw",
        json!({
        "vpcId": "{{id:vpc}}", "tags": name_tag("igw")}),
    );
    let mut block = 0;
    for tier in ["public", "app", "db"] {
        for zone in ["a", "b"] {
            let name = format!("{tier}-{zone}");
            b.add(
                &network,
                "aws:ec2/subnet:Subnet",
                &format!("subnet-{name}"),
                json!({
                "vpcId": "{{id:vpc}}", "cidrBlock": format!("10.20.{}.0/20", block * 16),
                "availabilityZone": format!("us-east-1{zone}"), "mapPublicIpOnLaunch": false,
                "tags": name_tag(&format!("subnet-{name}"))}),
            );
            b.add(
                &network,
                "aws:ec2/routeTable:RouteTable",
                &format!("rt-{name}"),
                json!({
                "vpcId": "{{id:vpc}}", "tags": name_tag(&format!("rt-{name}"))}),
            );
            b.add(
                &network,
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                &format!("rta-{name}"),
                json!({
                "routeTableId": format!("{{{{id:rt-{name}}}}}"),
                "subnetId": format!("{{{{id:subnet-{name}}}}}")}),
            );
            block += 1;
        }
    }
    b.add(
        &network,
        "aws:ec2/eip:Eip",
        "eip-nat-a",
        json!({"domain": "vpc", "tags": name_tag("eip-nat-a")}),
    );
    b.add(
        &network,
        "aws:ec2/natGateway:NatGateway",
        "nat-a",
        json!({
        "allocationId": "{{id:eip-nat-a}}", "subnetId": "{{id:subnet-public-a}}",
        "tags": name_tag("nat-a")}),
    );
    for zone in ["a", "b"] {
        b.add(
            &network,
            "aws:ec2/route:Route",
            &format!("route-public-{zone}-internet"),
            json!({
            "routeTableId": format!("{{{{id:rt-public-{zone}}}}}"),
            "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "{{id:igw}}"}),
        );
        b.add(
            &network,
            "aws:ec2/route:Route",
            &format!("route-app-{zone}-nat"),
            json!({
            "routeTableId": format!("{{{{id:rt-app-{zone}}}}}"),
            "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "{{id:nat-a}}"}),
        );
    }

    // Security groups and their rules
    for tier in ["alb", "app", "db", "dms"] {
        b.add(
            &sgs,
            "aws:ec2/securityGroup:SecurityGroup",
            &format!("sg-{tier}"),
            json!({
            "name": format!("secgroup-{tier}-dev-a1b2"),
            "description": format!("{tier} tier"), "vpcId": "{{id:vpc}}",
            "tags": name_tag(&format!("secgroup-{tier}"))}),
        );
    }
    let ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    let egress = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
    for (index, cidr) in ["198.51.100.0/24", "203.0.113.0/24"].iter().enumerate() {
        for port in [443, 80] {
            b.add(&sgs, ingress, &format!("alb-in-{port}-{index}"), json!({
                "securityGroupId": "{{id:sg-alb}}", "cidrIpv4": cidr, "ipProtocol": "tcp",
                "fromPort": port, "toPort": port, "tags": name_tag(&format!("alb-in-{port}-{index}"))}));
        }
    }
    b.add(
        &sgs,
        egress,
        "alb-out-app",
        json!({
        "securityGroupId": "{{id:sg-alb}}", "referencedSecurityGroupId": "{{id:sg-app}}",
        "ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080}),
    );
    b.add(
        &sgs,
        ingress,
        "app-in-alb",
        json!({
        "securityGroupId": "{{id:sg-app}}", "referencedSecurityGroupId": "{{id:sg-alb}}",
        "ipProtocol": "tcp", "fromPort": 8080, "toPort": 8080}),
    );
    b.add(
        &sgs,
        "aws:ec2/securityGroup:SecurityGroup",
        "sg-endpoints",
        json!({
        "name": "secgroup-endpoints-dev-a1b2", "description": "interface endpoints",
        "vpcId": "{{id:vpc}}", "tags": name_tag("secgroup-endpoints")}),
    );
    b.add(
        &sgs,
        egress,
        "app-out-endpoints",
        json!({
        "securityGroupId": "{{id:sg-app}}", "referencedSecurityGroupId": "{{id:sg-endpoints}}",
        "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
    );
    b.add(
        &sgs,
        ingress,
        "endpoints-in-app",
        json!({
        "securityGroupId": "{{id:sg-endpoints}}", "referencedSecurityGroupId": "{{id:sg-app}}",
        "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
    );
    b.add(
        &sgs,
        egress,
        "app-out-s3",
        json!({
        "securityGroupId": "{{id:sg-app}}", "prefixListId": "pl-63a5400a",
        "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
    );
    let endpoint_policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}]})
    .to_string();
    b.add(
        &network,
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "vpce-s3",
        json!({
        "vpcId": "{{id:vpc}}", "serviceName": "com.amazonaws.us-east-1.s3",
        "vpcEndpointType": "Gateway", "policy": endpoint_policy,
        "routeTableIds": ["{{id:rt-app-a}}", "{{id:rt-app-b}}", "{{id:rt-db-a}}", "{{id:rt-db-b}}"],
        "tags": name_tag("vpce-s3")}),
    );
    for service in payments_compliance::rules::endpoints::INSTANCE_SERVICES {
        b.add(
            &network,
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            &format!("vpce-{service}"),
            json!({
            "vpcId": "{{id:vpc}}", "serviceName": format!("com.amazonaws.us-east-1.{service}"),
            "vpcEndpointType": "Interface", "privateDnsEnabled": true, "policy": endpoint_policy,
            "subnetIds": ["{{id:subnet-app-a}}", "{{id:subnet-app-b}}"],
            "securityGroupIds": ["{{id:sg-endpoints}}"],
            "tags": name_tag(&format!("vpce-{service}"))}),
        );
    }
    b.add(
        &sgs,
        egress,
        "app-out-db",
        json!({
        "securityGroupId": "{{id:sg-app}}", "referencedSecurityGroupId": "{{id:sg-db}}",
        "ipProtocol": "tcp", "fromPort": 3306, "toPort": 3306}),
    );
    b.add(
        &sgs,
        ingress,
        "db-in-app",
        json!({
        "securityGroupId": "{{id:sg-db}}", "referencedSecurityGroupId": "{{id:sg-app}}",
        "ipProtocol": "tcp", "fromPort": 3306, "toPort": 3306}),
    );
    b.add(
        &sgs,
        ingress,
        "db-in-dms",
        json!({
        "securityGroupId": "{{id:sg-db}}", "referencedSecurityGroupId": "{{id:sg-dms}}",
        "ipProtocol": "tcp", "fromPort": 3306, "toPort": 3306}),
    );
    b.add(
        &sgs,
        egress,
        "dms-out-db",
        json!({
        "securityGroupId": "{{id:sg-dms}}", "referencedSecurityGroupId": "{{id:sg-db}}",
        "ipProtocol": "tcp", "fromPort": 3306, "toPort": 3306}),
    );

    // Edge
    b.add(&edge, "aws:acm/certificate:Certificate", "cert", json!({
        "domainName": "payments-dev.example.com", "validationMethod": "DNS", "tags": name_tag("cert")}));
    b.add(
        &edge,
        "aws:lb/loadBalancer:LoadBalancer",
        "alb",
        json!({
        "name": "alb-dev-a1b2", "internal": false, "loadBalancerType": "application",
        "securityGroups": ["{{id:sg-alb}}"],
        "subnets": ["{{id:subnet-public-a}}", "{{id:subnet-public-b}}"],
        "dropInvalidHeaderFields": true, "enableDeletionProtection": false,
        "accessLogs": {"bucket": "{{id:bucket-alb-logs}}", "prefix": "alb", "enabled": true},
        "tags": name_tag("alb")}),
    );
    b.add(&edge, "aws:lb/targetGroup:TargetGroup", "tg-app", json!({
        "name": "tg-app-dev-a1b2", "port": 8080, "protocol": "HTTP", "targetType": "instance",
        "vpcId": "{{id:vpc}}",
        "healthCheck": {"enabled": true, "path": "/health", "protocol": "HTTP", "interval": 15,
                        "timeout": 5, "healthyThreshold": 3, "unhealthyThreshold": 3, "matcher": "200"},
        "tags": name_tag("tg-app")}));
    b.add(
        &edge,
        "aws:lb/listener:Listener",
        "listener-https",
        json!({
        "loadBalancerArn": "{{arn:alb}}", "port": 443, "protocol": "HTTPS",
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificateArn": "{{arn:cert}}",
        "defaultActions": [{"type": "forward", "targetGroupArn": "{{arn:tg-app}}"}]}),
    );
    b.add(&edge, "aws:lb/listener:Listener", "listener-http", json!({
        "loadBalancerArn": "{{arn:alb}}", "port": 80, "protocol": "HTTP",
        "defaultActions": [{"type": "redirect",
                            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]}));
    let visibility = |metric: &str| {
        json!({"cloudwatchMetricsEnabled": true, "metricName": metric,
                                            "sampledRequestsEnabled": true})
    };
    b.add(&edge, "aws:wafv2/webAcl:WebAcl", "waf-alb", json!({
        "name": "waf-alb-dev-a1b2", "scope": "REGIONAL", "defaultAction": {"allow": {}},
        "rules": [
            {"name": "aws-common", "priority": 0, "overrideAction": {"none": {}},
             "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"}},
             "visibilityConfig": visibility("aws-common")},
            {"name": "aws-sqli", "priority": 1, "overrideAction": {"none": {}},
             "statement": {"managedRuleGroupStatement": {"name": "AWSManagedRulesSQLiRuleSet", "vendorName": "AWS"}},
             "visibilityConfig": visibility("aws-sqli")}],
        "visibilityConfig": visibility("waf-alb"), "tags": name_tag("waf-alb")}));
    b.add(
        &edge,
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "waf-association",
        json!({
        "resourceArn": "{{arn:alb}}", "webAclArn": "{{arn:waf-alb}}"}),
    );
    b.add(
        &edge,
        "aws:cloudwatch/logGroup:LogGroup",
        "waf-log-group",
        json!({
        "name": "aws-waf-logs-payments-dev-a1b2", "kmsKeyId": "{{arn:key-compute}}",
        "retentionInDays": 365, "tags": name_tag("waf-logs")}),
    );
    b.add(
        &edge,
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "waf-logging",
        json!({
        "resourceArn": "{{arn:waf-alb}}", "logDestinationConfigs": ["{{arn:waf-log-group}}"],
        "redactedFields": [{"singleHeader": {"name": "authorization"}},
                           {"singleHeader": {"name": "Cookie"}}]}),
    );

    // Compute
    b.add(
        &compute,
        "aws:cloudwatch/logGroup:LogGroup",
        "log-group-app",
        json!({
        "name": "/payments/app-dev-a1b2", "kmsKeyId": "{{arn:key-compute}}",
        "retentionInDays": 365, "tags": name_tag("log-group-app")}),
    );
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    b.add(&compute, "aws:iam/role:Role", "role-app", json!({
        "name": "role-app-dev-a1b2", "assumeRolePolicy": trust.to_string(), "tags": name_tag("role-app")}));
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadStatic", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::payments-static-dev-a1b2/*"]},
        {"Sid": "WriteAppLogs", "Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": ["arn:aws:s3:::payments-logs-dev-a1b2/app/*"]},
        {"Sid": "UseDataKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": ["{{arn:key-data}}"]},
        {"Sid": "WriteLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": ["{{arn:log-group-app}}:*"]}]});
    b.add(&compute, "aws:iam/policy:Policy", "policy-app", json!({
        "name": "policy-app-dev-a1b2", "policy": policy.to_string(), "tags": name_tag("policy-app")}));
    b.add(
        &compute,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "attach-app",
        json!({
        "role": "{{id:role-app}}", "policyArn": "{{arn:policy-app}}"}),
    );
    b.add(&compute, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach-ssm", json!({
        "role": "{{id:role-app}}", "policyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}));
    b.add(&compute, "aws:iam/instanceProfile:InstanceProfile", "profile-app", json!({
        "name": "profile-app-dev-a1b2", "role": "{{id:role-app}}", "tags": name_tag("profile-app")}));
    b.add(&compute, "aws:ec2/launchTemplate:LaunchTemplate", "lt-app", json!({
        "name": "lt-app-dev-a1b2", "imageId": "ami-0123456789abcdef0", "instanceType": "t3.medium",
        "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1},
        "networkInterfaces": [{"deviceIndex": 0, "associatePublicIpAddress": "false",
                               "securityGroups": ["{{id:sg-app}}"]}],
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
            "encrypted": "true", "kmsKeyId": "{{arn:key-compute}}", "volumeType": "gp3",
            "volumeSize": 20, "deleteOnTermination": "true"}}],
        "iamInstanceProfile": {"arn": "{{arn:profile-app}}"},
        "monitoring": {"enabled": true},
        "tagSpecifications": [{"resourceType": "instance", "tags": instance_tags("app")},
                              {"resourceType": "volume", "tags": instance_tags("app-volume")}],
        "tags": name_tag("lt-app")}));
    let asg_tags: Vec<Value> = [
        ("Environment", "dev"),
        ("CostCenter", "cc-payments-1001"),
        ("MigrationPhase", "prepare"),
        ("Name", "app-dev-a1b2"),
    ]
    .iter()
    .map(|(k, v)| json!({"key": k, "value": v, "propagateAtLaunch": true}))
    .collect();
    b.add(
        &compute,
        "aws:autoscaling/group:Group",
        "asg-app",
        json!({
        "name": "asg-app-dev-a1b2", "minSize": 2, "maxSize": 4, "desiredCapacity": 2,
        "vpcZoneIdentifiers": ["{{id:subnet-app-a}}", "{{id:subnet-app-b}}"],
        "healthCheckType": "ELB", "healthCheckGracePeriod": 300,
        "targetGroupArns": ["{{arn:tg-app}}"],
        "launchTemplate": {"id": "{{id:lt-app}}", "version": "$Latest"}, "tags": asg_tags}),
    );

    // Database
    b.add(
        &database,
        "aws:rds/subnetGroup:SubnetGroup",
        "db-subnets",
        json!({
        "name": "dbsubnets-dev-a1b2", "subnetIds": ["{{id:subnet-db-a}}", "{{id:subnet-db-b}}"],
        "tags": name_tag("dbsubnets")}),
    );
    b.add(
        &database,
        "aws:rds/parameterGroup:ParameterGroup",
        "db-params",
        json!({
        "name": "dbparams-dev-a1b2", "family": "mysql8.4", "parameters": [
            {"name": "require_secure_transport", "value": "ON", "applyMethod": "immediate"},
            {"name": "general_log", "value": "0", "applyMethod": "immediate"},
            {"name": "slow_query_log", "value": "1", "applyMethod": "immediate"},
            {"name": "log_output", "value": "FILE", "applyMethod": "immediate"}],
        "tags": name_tag("dbparams")}),
    );
    b.add(&database, "aws:rds/optionGroup:OptionGroup", "db-options", json!({
        "name": "dboptions-dev-a1b2", "engineName": "mysql", "majorEngineVersion": "8.4",
        "optionGroupDescription": "audit plugin", "options": [{"optionName": "MARIADB_AUDIT_PLUGIN",
            "optionSettings": [{"name": "SERVER_AUDIT_EVENTS", "value": "CONNECT,QUERY_DDL,QUERY_DCL,QUERY_DML"}]}],
        "tags": name_tag("dboptions")}));
    b.add(
        &database,
        "aws:rds/instance:Instance",
        "db",
        json!({
        "identifier": "mysql-dev-a1b2", "engine": "mysql", "engineVersion": "8.4.6",
        "instanceClass": "db.t3.medium", "allocatedStorage": 20, "storageEncrypted": true,
        "kmsKeyId": "{{arn:key-data}}", "multiAz": true, "publiclyAccessible": false,
        "backupRetentionPeriod": 7, "enabledCloudwatchLogsExports": ["audit", "error", "slowquery"],
        "dbSubnetGroupName": "{{id:db-subnets}}", "parameterGroupName": "{{id:db-params}}",
        "optionGroupName": "{{id:db-options}}", "vpcSecurityGroupIds": ["{{id:sg-db}}"],
        "autoMinorVersionUpgrade": true, "username": "paymentsadmin",
        "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": "{{arn:key-data}}",
        "deletionProtection": false, "skipFinalSnapshot": true, "tags": name_tag("mysql")}),
    );

    // Migration
    b.add(
        &migration,
        "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
        "dms-subnets",
        json!({
        "replicationSubnetGroupId": "dmssubnets-dev-a1b2",
        "replicationSubnetGroupDescription": "replication",
        "subnetIds": ["{{id:subnet-db-a}}", "{{id:subnet-db-b}}"], "tags": name_tag("dmssubnets")}),
    );
    b.add(
        &migration,
        "aws:dms/replicationInstance:ReplicationInstance",
        "dms",
        json!({
        "replicationInstanceId": "dms-dev-a1b2", "replicationInstanceClass": "dms.t3.medium",
        "allocatedStorage": 50, "publiclyAccessible": false, "multiAz": false,
        "kmsKeyArn": "{{arn:key-data}}", "vpcSecurityGroupIds": ["{{id:sg-dms}}"],
        "replicationSubnetGroupId": "{{id:dms-subnets}}", "tags": name_tag("dms")}),
    );

    // Account-level controls: the audit trail and GuardDuty
    let audit = b.component("payments:audit:AuditTrail", "audit");
    b.add(
        &audit,
        "aws:cloudwatch/logGroup:LogGroup",
        "log-group-trail",
        json!({
        "name": "/payments/audit/cloudtrail-logs-dev-a1b2", "kmsKeyId": "{{arn:key-data}}",
        "retentionInDays": 365, "tags": name_tag("cloudtrail-logs")}),
    );
    let trail_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    b.add(
        &audit,
        "aws:iam/role:Role",
        "role-trail-logs",
        json!({
        "name": "role-cloudtrail-logs-dev-a1b2", "assumeRolePolicy": trail_trust.to_string(),
        "tags": name_tag("role-cloudtrail-logs")}),
    );
    b.add(
        &audit,
        "aws:cloudtrail/trail:Trail",
        "trail",
        json!({
        "name": "trail-dev-a1b2", "s3BucketName": "{{id:bucket-logs}}",
        "kmsKeyId": "{{arn:key-data}}", "isMultiRegionTrail": true,
        "includeGlobalServiceEvents": true, "enableLogFileValidation": true,
        "cloudWatchLogsGroupArn": "{{arn:log-group-trail}}:*",
        "cloudWatchLogsRoleArn": "{{arn:role-trail-logs}}", "tags": name_tag("trail")}),
    );
    let threat = b.component("payments:security:ThreatDetection", "threat-detection");
    b.add(
        &threat,
        "aws:guardduty/detector:Detector",
        "guardduty",
        json!({"enable": true, "tags": name_tag("guardduty")}),
    );
    for feature in [
        "S3_DATA_EVENTS",
        "EBS_MALWARE_PROTECTION",
        "RDS_LOGIN_EVENTS",
    ] {
        b.add(
            &threat,
            "aws:guardduty/detectorFeature:DetectorFeature",
            &format!(
                "guardduty-{}",
                feature.to_ascii_lowercase().replace('_', "-")
            ),
            json!({"detectorId": "{{id:guardduty}}", "name": feature, "status": "ENABLED"}),
        );
    }

    b.add(
        &audit,
        "aws:cfg/recorder:Recorder",
        "config-recorder",
        json!({"name": "config-recorder-dev-a1b2", "roleArn": "{{arn:role-trail-logs}}",
               "recordingGroup": {"allSupported": true, "includeGlobalResourceTypes": true}}),
    );
    b.add(
        &audit,
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "config-delivery",
        json!({"name": "config-delivery-dev-a1b2", "s3BucketName": "{{id:bucket-logs}}"}),
    );
    b.add(
        &audit,
        "aws:cfg/recorderStatus:RecorderStatus",
        "config-recorder-status",
        json!({"name": "config-recorder-dev-a1b2", "isEnabled": true}),
    );
    b.add(
        &audit,
        "aws:securityhub/account:Account",
        "securityhub",
        json!({"enableDefaultStandards": false}),
    );
    b.add(
        &audit,
        "aws:securityhub/standardsSubscription:StandardsSubscription",
        "securityhub-pci-dss",
        json!({"standardsArn": "arn:aws:securityhub:us-east-1::standards/pci-dss/v/4.0.1"}),
    );

    // Backups: a vault here, a copy vault and its key in the copy region, the plan, the selection
    let backup = b.component("payments:data:Backup", "backup");
    b.add(
        &backup,
        "aws:backup/vault:Vault",
        "backup-vault",
        json!({"name": "backup-vault-dev-a1b2", "kmsKeyArn": "{{arn:key-data}}",
               "forceDestroy": true, "tags": name_tag("backup-vault")}),
    );
    let copy_region = b.provider("aws-backup-copy-dev-a1b2", "us-west-2");
    let home = b.use_provider(copy_region);
    b.add(
        &backup,
        "aws:kms/key:Key",
        "key-backup-copy",
        json!({"description": "backup copies", "enableKeyRotation": true,
               "deletionWindowInDays": 7, "tags": name_tag("kms-backup-copy")}),
    );
    b.add(
        &backup,
        "aws:backup/vault:Vault",
        "backup-vault-copy",
        json!({"name": "backup-vault-copy-dev-a1b2", "kmsKeyArn": "{{arn:key-backup-copy}}",
               "forceDestroy": true, "tags": name_tag("backup-vault-copy")}),
    );
    b.use_provider(home);
    b.add(
        &backup,
        "aws:backup/plan:Plan",
        "backup-plan",
        json!({"name": "backup-plan-dev-a1b2", "tags": name_tag("backup-plan"), "rules": [{
            "ruleName": "daily-database", "targetVaultName": "{{id:backup-vault}}",
            "schedule": "cron(0 6 ? * * *)", "lifecycle": {"deleteAfter": 7},
            "copyActions": [{"destinationVaultArn": "{{arn:backup-vault-copy}}",
                             "lifecycle": {"deleteAfter": 7}}]}]}),
    );
    b.add(
        &backup,
        "aws:backup/selection:Selection",
        "backup-selection",
        json!({"name": "backup-selection-db-dev-a1b2", "planId": "{{id:backup-plan}}",
               "iamRoleArn": "{{arn:role-trail-logs}}", "resources": ["{{arn:db}}"]}),
    );

    b.finish()
}

/// The compliant fixture after a deployment (references resolved).
pub fn fixture() -> Plan {
    fixture_with(false)
}

/// The compliant fixture as a preview (references unknown).
pub fn preview_fixture() -> Plan {
    fixture_with(true)
}

// ---- mutation helpers -------------------------------------------------------------------

/// The resource with logical name `name`.
pub fn res<'a>(plan: &'a mut Plan, name: &str) -> &'a mut PlanResource {
    plan.resources
        .iter_mut()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("the fixture has no resource {name}"))
}

/// The URN of resource `name`.
pub fn urn_of(plan: &Plan, name: &str) -> String {
    plan.resources
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.urn.clone())
        .unwrap_or_else(|| panic!("the fixture has no resource {name}"))
}

fn slot<'a>(value: &'a mut Value, path: &str) -> &'a mut Value {
    path.split('.')
        .fold(value, |node, key| match key.parse::<usize>() {
            Ok(index) if node.is_array() => &mut node[index],
            _ => {
                if !node.is_object() {
                    *node = json!({});
                }
                &mut node[key]
            }
        })
}

/// Sets the input at dotted `path` (numeric segments index lists) of resource `name`.
pub fn set(plan: &mut Plan, name: &str, path: &str, value: Value) {
    let resource = res(plan, name);
    let mut inputs = Value::Object(std::mem::take(&mut resource.inputs));
    *slot(&mut inputs, path) = value;
    if let Value::Object(map) = inputs {
        resource.inputs = map;
    }
}

/// Removes the input at dotted `path` of resource `name` (and, for a top-level property, its
/// recorded dependencies).
pub fn remove(plan: &mut Plan, name: &str, path: &str) {
    let resource = res(plan, name);
    match path.rsplit_once('.') {
        None => {
            resource.inputs.remove(path);
            resource.property_dependencies.remove(path);
        }
        Some((parent, key)) => {
            let mut inputs = Value::Object(std::mem::take(&mut resource.inputs));
            if let Some(map) = slot(&mut inputs, parent).as_object_mut() {
                map.remove(key);
            }
            if let Value::Object(map) = inputs {
                resource.inputs = map;
            }
        }
    }
}

/// Makes the input at `path` unknown, as in a preview, and drops the top-level property's
/// recorded dependencies so nothing says where it came from.
pub fn make_unknown(plan: &mut Plan, name: &str, path: &str) {
    set(plan, name, path, wire::unknown_value());
    let top = path.split('.').next().unwrap_or(path).to_owned();
    res(plan, name).property_dependencies.remove(&top);
}

/// Removes the resource `name`.
pub fn remove_resource(plan: &mut Plan, name: &str) {
    plan.resources.retain(|r| r.name != name);
}

/// Adds a copy of resource `from` named `to` and returns it.
pub fn duplicate<'a>(plan: &'a mut Plan, from: &str, to: &str) -> &'a mut PlanResource {
    let mut copy = res(plan, from).clone();
    copy.urn = format!(
        "{}::{to}",
        copy.urn.rsplit_once("::").map_or("", |(head, _)| head)
    );
    copy.name = to.to_owned();
    plan.resources.push(copy);
    plan.resources
        .last_mut()
        .unwrap_or_else(|| panic!("just pushed"))
}

/// Points the top-level property `property` of `name` at resource `target`: the value becomes
/// the target's (fixture-style) id and the recorded dependency names the target.
pub fn point(plan: &mut Plan, name: &str, property: &str, target: &str) {
    let target_urn = urn_of(plan, target);
    let resource = res(plan, name);
    resource
        .inputs
        .insert(property.to_owned(), json!(format!("id-of-{target}")));
    resource
        .property_dependencies
        .insert(property.to_owned(), vec![target_urn]);
}

/// Points the list property `property` of `name` at resources `targets`.
pub fn point_many(plan: &mut Plan, name: &str, property: &str, targets: &[&str]) {
    let urns: Vec<String> = targets.iter().map(|t| urn_of(plan, t)).collect();
    let resource = res(plan, name);
    resource.inputs.insert(
        property.to_owned(),
        Value::Array(
            targets
                .iter()
                .map(|t| json!(format!("id-of-{t}")))
                .collect(),
        ),
    );
    resource
        .property_dependencies
        .insert(property.to_owned(), urns);
}

/// Replaces the provider's default tags.
pub fn set_default_tags(plan: &mut Plan, tags: Value) {
    set(
        plan,
        PROVIDER,
        "defaultTags",
        json!(json!({"tags": tags}).to_string()),
    );
}

/// Wraps a value in a secret envelope.
pub fn secret(value: Value) -> Value {
    wire::secret_envelope(value)
}
