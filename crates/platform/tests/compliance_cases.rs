//! Every rule of the PCI DSS pack against the real dev plan (deployed, so every value is known):
//! the plan as the program registers it has no violation, and each mutation in [`CASES`] (a
//! change a careless edit of the program could register) makes its rule report the mutated
//! resource. Every rule of `payments_compliance::rules()` has at least one case.

mod common;

use std::collections::BTreeSet;

use payments_compliance::{Report, Settings, evaluate_with, rules};
use payments_platform::policy;
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::{Map, Value, json};

// Type tokens of the resources the cases touch.
const AWS_PROVIDER: &str = "pulumi:providers:aws";
const VPC: &str = "aws:ec2/vpc:Vpc";
const SUBNET: &str = "aws:ec2/subnet:Subnet";
const ROUTE: &str = "aws:ec2/route:Route";
const RTA: &str = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const DEFAULT_SG: &str = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const FLOW_LOG: &str = "aws:ec2/flowLog:FlowLog";
const SG: &str = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS: &str = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const LB: &str = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER: &str = "aws:lb/listener:Listener";
const LISTENER_RULE: &str = "aws:lb/listenerRule:ListenerRule";
const TG: &str = "aws:lb/targetGroup:TargetGroup";
const WEB_ACL: &str = "aws:wafv2/webAcl:WebAcl";
const WEB_ACL_ASSOCIATION: &str = "aws:wafv2/webAclAssociation:WebAclAssociation";
const WEB_ACL_LOGGING: &str = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const ASG: &str = "aws:autoscaling/group:Group";
const LT: &str = "aws:ec2/launchTemplate:LaunchTemplate";
const RDS: &str = "aws:rds/instance:Instance";
const RDS_PARAMS: &str = "aws:rds/parameterGroup:ParameterGroup";
const RDS_OPTIONS: &str = "aws:rds/optionGroup:OptionGroup";
const DMS: &str = "aws:dms/replicationInstance:ReplicationInstance";
const DMS_SUBNETS: &str = "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup";
const BUCKET: &str = "aws:s3/bucket:Bucket";
const VERSIONING: &str = "aws:s3/bucketVersioning:BucketVersioning";
const PUBLIC_ACCESS_BLOCK: &str = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ENCRYPTION: &str =
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_POLICY: &str = "aws:s3/bucketPolicy:BucketPolicy";
const LIFECYCLE: &str = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const BUCKET_LOGGING: &str = "aws:s3/bucketLogging:BucketLogging";
const BUCKET_VERSIONING: &str = "aws:s3/bucketVersioning:BucketVersioning";
const KMS_KEY: &str = "aws:kms/key:Key";
const IAM_POLICY: &str = "aws:iam/policy:Policy";
const ROLE_ATTACHMENT: &str = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const LOG_GROUP: &str = "aws:cloudwatch/logGroup:LogGroup";
const TRAIL: &str = "aws:cloudtrail/trail:Trail";
const DETECTOR: &str = "aws:guardduty/detector:Detector";
const DETECTOR_FEATURE: &str = "aws:guardduty/detectorFeature:DetectorFeature";
const RECORDER: &str = "aws:cfg/recorder:Recorder";
const RECORDER_STATUS: &str = "aws:cfg/recorderStatus:RecorderStatus";
const CHANNEL: &str = "aws:cfg/deliveryChannel:DeliveryChannel";
const SECURITY_HUB: &str = "aws:securityhub/account:Account";
const STANDARD: &str = "aws:securityhub/standardsSubscription:StandardsSubscription";
const VPC_ENDPOINT: &str = "aws:ec2/vpcEndpoint:VpcEndpoint";
const EGRESS: &str = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const BACKUP_PLAN: &str = "aws:backup/plan:Plan";
const BACKUP_SELECTION: &str = "aws:backup/selection:Selection";
const BACKUP_VAULT: &str = "aws:backup/vault:Vault";

// Logical names of the dev stack's resources the cases touch most.
const PROVIDER_NAME: &str = "aws-dev-a1b2";
const ALB: &str = "alb-dev-a1b2";
const APP_SG: &str = "secgroup-app-dev-a1b2";
const ALB_HTTPS_IN: &str = "ingress-alb-https-198-51-100-0-24-dev-a1b2";
const APP_IN: &str = "ingress-app-from-alb-dev-a1b2";
const DB_IN: &str = "ingress-db-from-app-dev-a1b2";
const HTTPS_LISTENER: &str = "listener-https-dev-a1b2";
const HTTP_LISTENER: &str = "listener-http-dev-a1b2";
const TG_APP: &str = "tg-app-dev-a1b2";
const WAF: &str = "waf-alb-dev-a1b2";
const ASG_APP: &str = "asg-app-dev-a1b2";
const LT_APP: &str = "lt-app-dev-a1b2";
const MYSQL: &str = "mysql-dev-a1b2";
const DB_PARAMS: &str = "dbparams-dev-a1b2";
const DMS_INSTANCE: &str = "dms-dev-a1b2";
const APP_POLICY: &str = "policy-app-dev-a1b2";
const TRAIL_NAME: &str = "trail-dev-a1b2";
const GUARDDUTY: &str = "guardduty-dev-a1b2";

/// The HTTP listener's ARN (a computed output, which the plan does not record).
const HTTP_LISTENER_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:\
                                 listener/app/alb-dev-a1b2/0a1b2c3d/4e5f6a7b";
/// A KMS key of another account: no key of the stack.
const FOREIGN_KEY: &str =
    "arn:aws:kms:us-east-1:999999999999:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

/// A change of the plan.
type Mutation = fn(&mut Plan);

/// A non-compliant case: the rule, the logical name of the resource a finding of it must name,
/// what the change is, and the change.
struct Case {
    rule: &'static str,
    resource: &'static str,
    what: &'static str,
    mutate: Mutation,
}

const fn case(
    rule: &'static str,
    resource: &'static str,
    what: &'static str,
    mutate: Mutation,
) -> Case {
    Case {
        rule,
        resource,
        what,
        mutate,
    }
}

// ---- Helpers: find and change resources of the plan. ----

/// The resource of type `ty` named `name`, mutably.
fn resource<'a>(plan: &'a mut Plan, ty: &str, name: &str) -> &'a mut PlanResource {
    plan.resources
        .iter_mut()
        .find(|r| r.ty == ty && r.name == name)
        .unwrap_or_else(|| panic!("no {ty} named {name}"))
}

/// The URN of the resource of type `ty` named `name`.
fn urn(plan: &Plan, ty: &str, name: &str) -> String {
    common::named(plan, ty, name).urn.clone()
}

/// The input at a dotted `path` (numeric segments index lists), mutably.
fn value_at<'a>(resource: &'a mut PlanResource, path: &str) -> &'a mut Value {
    let (ty, name) = (resource.ty.clone(), resource.name.clone());
    let (first, rest) = path.split_once('.').unwrap_or((path, ""));
    let top = resource
        .inputs
        .get_mut(first)
        .unwrap_or_else(|| panic!("{ty} {name} has no input {first}"));
    if rest.is_empty() {
        return top;
    }
    top.pointer_mut(&format!("/{}", rest.replace('.', "/")))
        .unwrap_or_else(|| panic!("{ty} {name} has no input {path}"))
}

/// Sets the input at `path` (its parent must exist) to `value`.
fn set(plan: &mut Plan, ty: &str, name: &str, path: &str, value: Value) {
    let resource = resource(plan, ty, name);
    let Some((parent, last)) = path.rsplit_once('.') else {
        resource.inputs.insert(path.to_owned(), value);
        return;
    };
    match value_at(resource, parent) {
        Value::Object(map) => {
            map.insert(last.to_owned(), value);
        }
        Value::Array(items) => {
            let index: usize = last.parse().expect("a list index");
            *items.get_mut(index).expect("an existing list item") = value;
        }
        other => panic!("{ty} {name}: {parent} is {other}, not an object or a list"),
    }
}

/// Removes the input at `path`; a top-level input loses its recorded dependencies too.
fn remove(plan: &mut Plan, ty: &str, name: &str, path: &str) {
    let resource = resource(plan, ty, name);
    let removed = match path.rsplit_once('.') {
        None => {
            resource.property_dependencies.remove(path);
            resource.inputs.remove(path)
        }
        Some((parent, last)) => match value_at(resource, parent) {
            Value::Object(map) => map.remove(last),
            Value::Array(items) => {
                let index: usize = last.parse().expect("a list index");
                (index < items.len()).then(|| items.remove(index))
            }
            _ => None,
        },
    };
    assert!(removed.is_some(), "{ty} {name} has no input {path}");
}

/// Sets the top-level input `property` to a literal written in the program: the value, and no
/// recorded dependency.
fn literal(plan: &mut Plan, ty: &str, name: &str, property: &str, value: Value) {
    let resource = resource(plan, ty, name);
    resource.property_dependencies.remove(property);
    resource.inputs.insert(property.to_owned(), value);
}

/// Sets the top-level input `property` to `value`, taken from the outputs of `targets`, with
/// the dependencies that records.
fn refer(
    plan: &mut Plan,
    (ty, name): (&str, &str),
    property: &str,
    value: Value,
    targets: &[(&str, &str)],
) {
    let urns: Vec<String> = targets.iter().map(|(t, n)| urn(plan, t, n)).collect();
    let resource = resource(plan, ty, name);
    resource.inputs.insert(property.to_owned(), value);
    for urn in &urns {
        if !resource.dependencies.contains(urn) {
            resource.dependencies.push(urn.clone());
        }
    }
    resource.dependencies.sort();
    resource
        .property_dependencies
        .insert(property.to_owned(), urns);
}

/// Gives `to` the value and the recorded dependencies of `from` (`(type, name, property)`): the
/// program passing the same output to another input.
fn copy_ref(plan: &mut Plan, from: (&str, &str, &str), to: (&str, &str, &str)) {
    let source = common::named(plan, from.0, from.1);
    let value = source
        .inputs
        .get(from.2)
        .cloned()
        .unwrap_or_else(|| panic!("{} {} has no input {}", from.0, from.1, from.2));
    let urns = source
        .property_dependencies
        .get(from.2)
        .cloned()
        .unwrap_or_default();
    let target = resource(plan, to.0, to.1);
    target.inputs.insert(to.2.to_owned(), value);
    for urn in &urns {
        if !target.dependencies.contains(urn) {
            target.dependencies.push(urn.clone());
        }
    }
    target.dependencies.sort();
    target.property_dependencies.insert(to.2.to_owned(), urns);
}

/// Removes the resource of type `ty` named `name` from the plan.
fn remove_resource(plan: &mut Plan, ty: &str, name: &str) {
    let before = plan.resources.len();
    plan.resources.retain(|r| !(r.ty == ty && r.name == name));
    assert_eq!(plan.resources.len() + 1, before, "no {ty} named {name}");
}

/// Registers a new resource of type `ty` named `name` next to `like` (same parent, provider
/// and options), with `inputs` and no dependencies yet.
fn add(plan: &mut Plan, like: (&str, &str), ty: &str, name: &str, inputs: Value) {
    let mut added = common::named(plan, like.0, like.1).clone();
    added.urn = added
        .urn
        .replace(&format!("{}::{}", like.0, like.1), &format!("{ty}::{name}"));
    added.ty = ty.to_owned();
    added.name = name.to_owned();
    added.inputs = match inputs {
        Value::Object(map) => map,
        other => panic!("inputs must be an object, not {other}"),
    };
    added.dependencies.clear();
    added.property_dependencies.clear();
    plan.resources.push(added);
}

/// Registers a copy of the resource of type `ty` named `like` under `name`.
fn add_copy(plan: &mut Plan, ty: &str, like: &str, name: &str) {
    let mut added = common::named(plan, ty, like).clone();
    added.urn = added
        .urn
        .replace(&format!("{ty}::{like}"), &format!("{ty}::{name}"));
    added.name = name.to_owned();
    plan.resources.push(added);
}

/// Edits an input that holds JSON text (a policy document, the provider's `defaultTags`):
/// parses it, applies `edit`, serialises it back.
fn edit_json_text(plan: &mut Plan, ty: &str, name: &str, property: &str, edit: fn(&mut Value)) {
    let resource = resource(plan, ty, name);
    let text = resource
        .inputs
        .get(property)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{ty} {name}: {property} is not JSON text"));
    let mut document: Value = serde_json::from_str(text).expect("JSON text");
    edit(&mut document);
    resource
        .inputs
        .insert(property.to_owned(), Value::String(document.to_string()));
}

/// The statement of a policy document with `sid`.
fn statement<'a>(document: &'a mut Value, sid: &str) -> &'a mut Map<String, Value> {
    document
        .get_mut("Statement")
        .and_then(Value::as_array_mut)
        .and_then(|statements| {
            statements
                .iter_mut()
                .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
        })
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no statement {sid}"))
}

/// Edits the document of the application's IAM policy.
fn edit_app_policy(plan: &mut Plan, edit: fn(&mut Value)) {
    edit_json_text(plan, IAM_POLICY, APP_POLICY, "policy", edit);
}

/// Sets the parameter `name` of the database's parameter group to `value`.
fn set_db_parameter(plan: &mut Plan, name: &str, value: &str) {
    let parameters = value_at(resource(plan, RDS_PARAMS, DB_PARAMS), "parameters");
    let parameter = parameters
        .as_array_mut()
        .and_then(|items| items.iter_mut().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no parameter {name}"));
    parameter["value"] = json!(value);
}

/// A list input, mutably.
fn list<'a>(plan: &'a mut Plan, ty: &str, name: &str, path: &str) -> &'a mut Vec<Value> {
    value_at(resource(plan, ty, name), path)
        .as_array_mut()
        .unwrap_or_else(|| panic!("{ty} {name}: {path} is not a list"))
}

// ---- Mutations shared by several cases. ----

/// The first database subnet associated with the public route table (default route to the
/// internet gateway).
fn db_subnet_on_public_route_table(p: &mut Plan) {
    copy_ref(
        p,
        (RTA, "rta-public-a-dev-a1b2", "routeTableId"),
        (RTA, "rta-db-a-dev-a1b2", "routeTableId"),
    );
}

/// The application's instances launched in the load balancer's (public) subnets.
fn asg_in_public_subnets(p: &mut Plan) {
    copy_ref(
        p,
        (LB, ALB, "subnets"),
        (ASG, ASG_APP, "vpcZoneIdentifiers"),
    );
}

/// A new ingress rule on the application's security group, from the VPC's CIDR, on `port`.
fn app_ingress_from_vpc(p: &mut Plan, name: &str, port: i64) {
    add_copy(p, INGRESS, APP_IN, name);
    remove(p, INGRESS, name, "referencedSecurityGroupId");
    set(p, INGRESS, name, "cidrIpv4", json!("10.20.0.0/16"));
    set(p, INGRESS, name, "fromPort", json!(port));
    set(p, INGRESS, name, "toPort", json!(port));
}

/// The provider's `defaultTags` without `CostCenter`.
fn default_tags_without_cost_center(p: &mut Plan) {
    edit_json_text(p, AWS_PROVIDER, PROVIDER_NAME, "defaultTags", |tags| {
        tags["tags"]
            .as_object_mut()
            .expect("tags object")
            .remove("CostCenter");
    });
}

/// Every case, by catalog section. At least one per rule.
const CASES: &[Case] = &[
    // Network
    case("vpc-flow-logs", "vpc-dev-a1b2", "flow log removed", |p| {
        remove_resource(p, FLOW_LOG, "flowlog-dev-a1b2")
    }),
    case(
        "vpc-flow-logs",
        "flowlog-dev-a1b2",
        "rejected traffic only",
        |p| {
            set(
                p,
                FLOW_LOG,
                "flowlog-dev-a1b2",
                "trafficType",
                json!("REJECT"),
            )
        },
    ),
    case(
        "vpc-flow-logs",
        "flowlog-dev-a1b2",
        "delivered to a bucket outside the stack",
        |p| {
            literal(
                p,
                FLOW_LOG,
                "flowlog-dev-a1b2",
                "logDestination",
                json!("arn:aws:s3:::central-flow-logs-123456789012/"),
            )
        },
    ),
    case(
        "vpc-default-sg-closed",
        "default-sg-closed-dev-a1b2",
        "default SG admits its members",
        |p| {
            set(
                p,
                DEFAULT_SG,
                "default-sg-closed-dev-a1b2",
                "ingress",
                json!([{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": true}]),
            )
        },
    ),
    case(
        "vpc-default-sg-closed",
        "default-sg-closed-dev-a1b2",
        "default SG keeps AWS's egress",
        |p| {
            set(
                p,
                DEFAULT_SG,
                "default-sg-closed-dev-a1b2",
                "egress",
                json!([{
                    "protocol": "-1",
                    "fromPort": 0,
                    "toPort": 0,
                    "cidrBlocks": ["0.0.0.0/0"]
                }]),
            )
        },
    ),
    case(
        "vpc-default-sg-closed",
        "vpc-dev-a1b2",
        "default SG no longer managed",
        |p| remove_resource(p, DEFAULT_SG, "default-sg-closed-dev-a1b2"),
    ),
    case(
        "vpc-default-sg-closed",
        "ingress-default-from-alb",
        "rule resource added to the default SG",
        |p| {
            add_copy(p, INGRESS, APP_IN, "ingress-default-from-alb");
            refer(
                p,
                (INGRESS, "ingress-default-from-alb"),
                "securityGroupId",
                json!("sg-0123456789abcdef0"),
                &[(DEFAULT_SG, "default-sg-closed-dev-a1b2")],
            );
        },
    ),
    case(
        "subnet-no-auto-public-ip",
        "subnet-public-a-dev-a1b2",
        "public IPs on launch",
        |p| {
            set(
                p,
                SUBNET,
                "subnet-public-a-dev-a1b2",
                "mapPublicIpOnLaunch",
                json!(true),
            )
        },
    ),
    case(
        "subnet-no-auto-public-ip",
        "subnet-app-a-dev-a1b2",
        "public IPs on launch",
        |p| {
            set(
                p,
                SUBNET,
                "subnet-app-a-dev-a1b2",
                "mapPublicIpOnLaunch",
                json!(true),
            )
        },
    ),
    case(
        "igw-route-public-only",
        "route-app-a-internet",
        "app default route to the IGW",
        |p| {
            add_copy(
                p,
                ROUTE,
                "route-public-a-internet-dev-a1b2",
                "route-app-a-internet",
            );
            copy_ref(
                p,
                (RTA, "rta-app-a-dev-a1b2", "routeTableId"),
                (ROUTE, "route-app-a-internet", "routeTableId"),
            );
        },
    ),
    case(
        "igw-route-public-only",
        "route-main-internet",
        "IGW route in the main route table",
        |p| {
            add_copy(
                p,
                ROUTE,
                "route-public-a-internet-dev-a1b2",
                "route-main-internet",
            );
            refer(
                p,
                (ROUTE, "route-main-internet"),
                "routeTableId",
                json!("rtb-0123456789abcdef0"),
                &[(VPC, "vpc-dev-a1b2")],
            );
        },
    ),
    case(
        "igw-route-public-only",
        "route-public-a-internet-dev-a1b2",
        "public route table associated with a database subnet",
        db_subnet_on_public_route_table,
    ),
    case(
        "private-tiers-private",
        "subnet-db-a-dev-a1b2",
        "database subnet on the public route table",
        db_subnet_on_public_route_table,
    ),
    case(
        "private-tiers-private",
        "subnet-public-a-dev-a1b2",
        "ASG in the load balancer's subnets",
        asg_in_public_subnets,
    ),
    case(
        "private-tiers-private",
        "subnet-public-a-dev-a1b2",
        "DMS in the public subnets",
        |p| {
            copy_ref(
                p,
                (LB, ALB, "subnets"),
                (DMS_SUBNETS, "dms-subnets-dev-a1b2", "subnetIds"),
            )
        },
    ),
    case(
        "private-tiers-private",
        "subnet-app-b-dev-a1b2",
        "app subnet routes to the IGW",
        |p| {
            add_copy(
                p,
                ROUTE,
                "route-public-b-internet-dev-a1b2",
                "route-app-b-internet",
            );
            copy_ref(
                p,
                (RTA, "rta-app-b-dev-a1b2", "routeTableId"),
                (ROUTE, "route-app-b-internet", "routeTableId"),
            );
        },
    ),
    case(
        "sg-no-world-ingress",
        ALB_HTTPS_IN,
        "ALB HTTPS from 0.0.0.0/0",
        |p| set(p, INGRESS, ALB_HTTPS_IN, "cidrIpv4", json!("0.0.0.0/0")),
    ),
    case(
        "sg-no-world-ingress",
        "ingress-alb-https-ipv6-any",
        "new ALB rule from ::/0",
        |p| {
            add_copy(p, INGRESS, ALB_HTTPS_IN, "ingress-alb-https-ipv6-any");
            remove(p, INGRESS, "ingress-alb-https-ipv6-any", "cidrIpv4");
            set(
                p,
                INGRESS,
                "ingress-alb-https-ipv6-any",
                "cidrIpv6",
                json!("::/0"),
            );
        },
    ),
    case(
        "sg-no-world-ingress",
        DB_IN,
        "database from 0.0.0.0/0",
        |p| {
            remove(p, INGRESS, DB_IN, "referencedSecurityGroupId");
            set(p, INGRESS, DB_IN, "cidrIpv4", json!("0.0.0.0/0"));
        },
    ),
    case(
        "sg-no-all-protocols",
        APP_IN,
        "app rule on all protocols",
        |p| {
            set(p, INGRESS, APP_IN, "ipProtocol", json!("-1"));
            remove(p, INGRESS, APP_IN, "fromPort");
            remove(p, INGRESS, APP_IN, "toPort");
        },
    ),
    case(
        "sg-tier-chain",
        DB_IN,
        "database admits the load balancer's SG",
        |p| {
            copy_ref(
                p,
                (INGRESS, APP_IN, "referencedSecurityGroupId"),
                (INGRESS, DB_IN, "referencedSecurityGroupId"),
            )
        },
    ),
    case(
        "sg-tier-chain",
        DB_IN,
        "database admits the whole VPC CIDR",
        |p| {
            remove(p, INGRESS, DB_IN, "referencedSecurityGroupId");
            set(p, INGRESS, DB_IN, "cidrIpv4", json!("10.20.0.0/16"));
        },
    ),
    case(
        "sg-tier-chain",
        APP_IN,
        "app admits every TCP port from the ALB",
        |p| {
            set(p, INGRESS, APP_IN, "fromPort", json!(0));
            set(p, INGRESS, APP_IN, "toPort", json!(65535));
        },
    ),
    case(
        "sg-tier-chain",
        ALB_HTTPS_IN,
        "ALB admits an unconfigured CIDR",
        |p| set(p, INGRESS, ALB_HTTPS_IN, "cidrIpv4", json!("192.0.2.0/24")),
    ),
    case(
        "sg-tier-chain",
        ALB_HTTPS_IN,
        "ALB admits the app's security group",
        |p| {
            remove(p, INGRESS, ALB_HTTPS_IN, "cidrIpv4");
            copy_ref(
                p,
                (INGRESS, DB_IN, "referencedSecurityGroupId"),
                (INGRESS, ALB_HTTPS_IN, "referencedSecurityGroupId"),
            );
        },
    ),
    case(
        "sg-tier-chain",
        ALB_HTTPS_IN,
        "ALB admits a non-web port",
        |p| {
            set(p, INGRESS, ALB_HTTPS_IN, "fromPort", json!(8443));
            set(p, INGRESS, ALB_HTTPS_IN, "toPort", json!(8443));
        },
    ),
    case(
        "no-ssh",
        "ingress-app-ssh-from-vpc",
        "SSH from the VPC to the app",
        |p| app_ingress_from_vpc(p, "ingress-app-ssh-from-vpc", 22),
    ),
    case(
        "no-ssh",
        "ingress-app-rdp-from-vpc",
        "RDP from the VPC to the app",
        |p| app_ingress_from_vpc(p, "ingress-app-rdp-from-vpc", 3389),
    ),
    case("no-ssh", APP_IN, "the ALB rule moved to port 22", |p| {
        set(p, INGRESS, APP_IN, "fromPort", json!(22));
        set(p, INGRESS, APP_IN, "toPort", json!(22));
    }),
    // Load balancing and TLS
    case(
        "alb-https-listener-acm",
        HTTPS_LISTENER,
        "IAM server certificate",
        |p| {
            literal(
                p,
                LISTENER,
                HTTPS_LISTENER,
                "certificateArn",
                json!("arn:aws:iam::123456789012:server-certificate/payments-dev"),
            )
        },
    ),
    case(
        "alb-https-listener-acm",
        HTTPS_LISTENER,
        "no certificate",
        |p| remove(p, LISTENER, HTTPS_LISTENER, "certificateArn"),
    ),
    case("alb-tls-policy", HTTPS_LISTENER, "TLS 1.0 policy", |p| {
        set(
            p,
            LISTENER,
            HTTPS_LISTENER,
            "sslPolicy",
            json!("ELBSecurityPolicy-2016-08"),
        )
    }),
    case(
        "alb-tls-policy",
        HTTPS_LISTENER,
        "Ext (CBC-SHA1) policy",
        |p| {
            set(
                p,
                LISTENER,
                HTTPS_LISTENER,
                "sslPolicy",
                json!("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06"),
            )
        },
    ),
    case("alb-tls-policy", HTTPS_LISTENER, "sslPolicy dropped", |p| {
        remove(p, LISTENER, HTTPS_LISTENER, "sslPolicy")
    }),
    case(
        "alb-http-redirects",
        HTTP_LISTENER,
        "HTTP forwards to the app",
        |p| {
            copy_ref(
                p,
                (LISTENER, HTTPS_LISTENER, "defaultActions"),
                (LISTENER, HTTP_LISTENER, "defaultActions"),
            )
        },
    ),
    case(
        "alb-http-redirects",
        HTTP_LISTENER,
        "redirect keeps HTTP",
        |p| {
            set(
                p,
                LISTENER,
                HTTP_LISTENER,
                "defaultActions.0.redirect.protocol",
                json!("HTTP"),
            )
        },
    ),
    case(
        "alb-http-redirects",
        "listener-rule-http-api",
        "HTTP rule forwards /api",
        |p| {
            let tg_arn = common::named(p, LISTENER, HTTPS_LISTENER)
                .inputs
                .get("defaultActions")
                .and_then(|actions| actions.pointer("/0/targetGroupArn"))
                .cloned()
                .expect("the HTTPS listener forwards to the target group");
            add(
                p,
                (LISTENER, HTTP_LISTENER),
                LISTENER_RULE,
                "listener-rule-http-api",
                json!({
                    "listenerArn": HTTP_LISTENER_ARN,
                    "priority": 10,
                    "actions": [{"type": "forward", "targetGroupArn": tg_arn}],
                    "conditions": [{"pathPattern": {"values": ["/api/*"]}}],
                }),
            );
            let listener = urn(p, LISTENER, HTTP_LISTENER);
            let tg = urn(p, TG, TG_APP);
            let rule = resource(p, LISTENER_RULE, "listener-rule-http-api");
            rule.dependencies = vec![listener.clone(), tg.clone()];
            rule.property_dependencies
                .insert("listenerArn".into(), vec![listener]);
            rule.property_dependencies
                .insert("actions".into(), vec![tg]);
        },
    ),
    case(
        "alb-drop-invalid-headers",
        ALB,
        "invalid headers forwarded",
        |p| set(p, LB, ALB, "dropInvalidHeaderFields", json!(false)),
    ),
    case(
        "alb-drop-invalid-headers",
        ALB,
        "dropInvalidHeaderFields dropped",
        |p| remove(p, LB, ALB, "dropInvalidHeaderFields"),
    ),
    case("alb-access-logs", ALB, "access logs disabled", |p| {
        set(p, LB, ALB, "accessLogs.enabled", json!(false))
    }),
    case(
        "alb-access-logs",
        ALB,
        "access logs to a bucket outside the stack",
        |p| {
            literal(
                p,
                LB,
                ALB,
                "accessLogs",
                json!({
                    "bucket": "central-alb-logs-123456789012",
                    "enabled": true,
                    "prefix": "alb"
                }),
            )
        },
    ),
    case("alb-waf", ALB, "web ACL association removed", |p| {
        remove_resource(p, WEB_ACL_ASSOCIATION, "waf-alb-association-dev-a1b2")
    }),
    case("alb-waf", WAF, "web ACL logging removed", |p| {
        remove_resource(p, WEB_ACL_LOGGING, "waf-alb-logging-dev-a1b2")
    }),
    // Issue 10 point 15: WAF logs redact the Authorization and Cookie headers.
    case(
        "alb-waf",
        "waf-alb-logging-dev-a1b2",
        "WAF logs keep the Authorization header",
        |p| {
            set(
                p,
                WEB_ACL_LOGGING,
                "waf-alb-logging-dev-a1b2",
                "redactedFields",
                json!([{"singleHeader": {"name": "cookie"}}]),
            )
        },
    ),
    case("alb-waf", WAF, "web ACL with a rate limit only", |p| {
        set(
            p,
            WEB_ACL,
            WAF,
            "rules",
            json!([{
                "name": "rate-limit",
                "priority": 1,
                "action": {"block": {}},
                "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP"}},
                "visibilityConfig": {
                    "cloudwatchMetricsEnabled": true,
                    "metricName": "rate-limit",
                    "sampledRequestsEnabled": true
                }
            }]),
        )
    }),
    case(
        "alb-waf",
        "waf-alb-association-dev-a1b2",
        "associated with a web ACL outside the stack",
        |p| {
            literal(
                p,
                WEB_ACL_ASSOCIATION,
                "waf-alb-association-dev-a1b2",
                "webAclArn",
                json!("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/0a1b2c3d"),
            )
        },
    ),
    case("tg-health-check", TG_APP, "health check probes /", |p| {
        set(p, TG, TG_APP, "healthCheck.path", json!("/"))
    }),
    case("tg-health-check", TG_APP, "matcher accepts 4xx", |p| {
        set(p, TG, TG_APP, "healthCheck.matcher", json!("200-499"))
    }),
    case("tg-health-check", TG_APP, "health check disabled", |p| {
        set(p, TG, TG_APP, "healthCheck.enabled", json!(false))
    }),
    case(
        "tg-health-check",
        TG_APP,
        "timeout not below the interval",
        |p| set(p, TG, TG_APP, "healthCheck.timeout", json!(15)),
    ),
    case("tg-health-check", TG_APP, "health check removed", |p| {
        remove(p, TG, TG_APP, "healthCheck")
    }),
    // Compute
    case("asg-elb-health", ASG_APP, "EC2 health checks", |p| {
        set(p, ASG, ASG_APP, "healthCheckType", json!("EC2"))
    }),
    case("asg-elb-health", ASG_APP, "healthCheckType dropped", |p| {
        remove(p, ASG, ASG_APP, "healthCheckType")
    }),
    case("asg-capacity", ASG_APP, "minSize 1", |p| {
        set(p, ASG, ASG_APP, "minSize", json!(1));
        set(p, ASG, ASG_APP, "desiredCapacity", json!(1));
    }),
    case("asg-capacity", ASG_APP, "maxSize 10", |p| {
        set(p, ASG, ASG_APP, "maxSize", json!(10))
    }),
    case("asg-capacity", ASG_APP, "one availability zone", |p| {
        let first = list(p, ASG, ASG_APP, "vpcZoneIdentifiers")[0].clone();
        refer(
            p,
            (ASG, ASG_APP),
            "vpcZoneIdentifiers",
            json!([first]),
            &[(SUBNET, "subnet-app-a-dev-a1b2")],
        );
    }),
    case(
        "lt-no-public-ip",
        LT_APP,
        "public IP on the interface",
        |p| {
            set(
                p,
                LT,
                LT_APP,
                "networkInterfaces.0.associatePublicIpAddress",
                json!("true"),
            )
        },
    ),
    case("lt-imdsv2", LT_APP, "IMDSv1 allowed", |p| {
        set(
            p,
            LT,
            LT_APP,
            "metadataOptions.httpTokens",
            json!("optional"),
        )
    }),
    case("lt-imdsv2", LT_APP, "hop limit 2", |p| {
        set(
            p,
            LT,
            LT_APP,
            "metadataOptions.httpPutResponseHopLimit",
            json!(2),
        )
    }),
    case("lt-imdsv2", LT_APP, "metadata options dropped", |p| {
        remove(p, LT, LT_APP, "metadataOptions")
    }),
    case("lt-ebs-encrypted", LT_APP, "root volume unencrypted", |p| {
        set(
            p,
            LT,
            LT_APP,
            "blockDeviceMappings.0.ebs.encrypted",
            json!("false"),
        )
    }),
    case(
        "lt-ebs-encrypted",
        LT_APP,
        "root volume under aws/ebs",
        |p| {
            remove(p, LT, LT_APP, "blockDeviceMappings.0.ebs.kmsKeyId");
            resource(p, LT, LT_APP)
                .property_dependencies
                .remove("blockDeviceMappings");
        },
    ),
    case(
        "lt-ebs-encrypted",
        LT_APP,
        "root volume under a foreign key",
        |p| {
            set(
                p,
                LT,
                LT_APP,
                "blockDeviceMappings.0.ebs.kmsKeyId",
                json!(FOREIGN_KEY),
            );
            resource(p, LT, LT_APP)
                .property_dependencies
                .remove("blockDeviceMappings");
        },
    ),
    case(
        "lt-ebs-encrypted",
        LT_APP,
        "block device mappings dropped",
        |p| remove(p, LT, LT_APP, "blockDeviceMappings"),
    ),
    case(
        "lt-instance-profile",
        LT_APP,
        "instance profile dropped",
        |p| remove(p, LT, LT_APP, "iamInstanceProfile"),
    ),
    case("lt-detailed-monitoring", LT_APP, "basic monitoring", |p| {
        set(p, LT, LT_APP, "monitoring.enabled", json!(false))
    }),
    // Database
    case("rds-encrypted-cmk", MYSQL, "storage unencrypted", |p| {
        set(p, RDS, MYSQL, "storageEncrypted", json!(false))
    }),
    case(
        "rds-encrypted-cmk",
        MYSQL,
        "kmsKeyId dropped (aws/rds)",
        |p| remove(p, RDS, MYSQL, "kmsKeyId"),
    ),
    case(
        "rds-encrypted-cmk",
        MYSQL,
        "kmsKeyId the AWS managed alias",
        |p| literal(p, RDS, MYSQL, "kmsKeyId", json!("alias/aws/rds")),
    ),
    case("rds-multi-az", MYSQL, "single AZ", |p| {
        set(p, RDS, MYSQL, "multiAz", json!(false))
    }),
    case("rds-not-public", MYSQL, "publicly accessible", |p| {
        set(p, RDS, MYSQL, "publiclyAccessible", json!(true))
    }),
    case("rds-not-public", MYSQL, "publiclyAccessible dropped", |p| {
        remove(p, RDS, MYSQL, "publiclyAccessible")
    }),
    case("rds-backups", MYSQL, "one day of backups", |p| {
        set(p, RDS, MYSQL, "backupRetentionPeriod", json!(1))
    }),
    case("rds-backups", MYSQL, "backups off", |p| {
        set(p, RDS, MYSQL, "backupRetentionPeriod", json!(0))
    }),
    case("rds-backups", MYSQL, "backupRetentionPeriod dropped", |p| {
        remove(p, RDS, MYSQL, "backupRetentionPeriod")
    }),
    case("rds-logs", MYSQL, "audit log not exported", |p| {
        list(p, RDS, MYSQL, "enabledCloudwatchLogsExports").retain(|log| log != "audit")
    }),
    case("rds-logs", MYSQL, "no log exports", |p| {
        remove(p, RDS, MYSQL, "enabledCloudwatchLogsExports")
    }),
    case(
        "rds-logs",
        MYSQL,
        "option group without the audit plugin",
        |p| set(p, RDS_OPTIONS, "dboptions-dev-a1b2", "options", json!([])),
    ),
    case("rds-logs", MYSQL, "default option group", |p| {
        remove(p, RDS, MYSQL, "optionGroupName")
    }),
    // Issue 10 point 13: no card data in logs, data access in the audit log.
    case("rds-logs", MYSQL, "general query log on", |p| {
        set_db_parameter(p, "general_log", "1")
    }),
    case("rds-logs", MYSQL, "audit plugin without data access", |p| {
        let options = value_at(resource(p, RDS_OPTIONS, "dboptions-dev-a1b2"), "options");
        let settings = options[0]["optionSettings"]
            .as_array_mut()
            .expect("option settings");
        for setting in settings.iter_mut() {
            if setting["name"] == "SERVER_AUDIT_EVENTS" {
                setting["value"] = json!("CONNECT,QUERY_DDL,QUERY_DCL");
            }
        }
    }),
    case("rds-logs", MYSQL, "logs to a table", |p| {
        set_db_parameter(p, "log_output", "TABLE")
    }),
    case("rds-tls-only", MYSQL, "require_secure_transport OFF", |p| {
        set_db_parameter(p, "require_secure_transport", "OFF")
    }),
    case(
        "rds-tls-only",
        MYSQL,
        "require_secure_transport dropped",
        |p| {
            list(p, RDS_PARAMS, DB_PARAMS, "parameters")
                .retain(|param| param["name"] != "require_secure_transport")
        },
    ),
    case("rds-tls-only", MYSQL, "default parameter group", |p| {
        remove(p, RDS, MYSQL, "parameterGroupName")
    }),
    case("rds-minor-upgrades", MYSQL, "minor upgrades off", |p| {
        set(p, RDS, MYSQL, "autoMinorVersionUpgrade", json!(false))
    }),
    case(
        "rds-secret-kms",
        MYSQL,
        "managed secret under aws/secretsmanager",
        |p| remove(p, RDS, MYSQL, "masterUserSecretKmsKeyId"),
    ),
    case(
        "rds-secret-kms",
        MYSQL,
        "managed secret under a foreign key",
        |p| {
            literal(
                p,
                RDS,
                MYSQL,
                "masterUserSecretKmsKeyId",
                json!(FOREIGN_KEY),
            )
        },
    ),
    case("rds-secret-kms", MYSQL, "plaintext master password", |p| {
        remove(p, RDS, MYSQL, "manageMasterUserPassword");
        remove(p, RDS, MYSQL, "masterUserSecretKmsKeyId");
        set(p, RDS, MYSQL, "password", json!("correct-horse-battery"));
    }),
    case("rds-secret-kms", MYSQL, "no master credentials", |p| {
        remove(p, RDS, MYSQL, "manageMasterUserPassword");
        remove(p, RDS, MYSQL, "masterUserSecretKmsKeyId");
    }),
    // Storage, keys, identity
    case(
        "s3-versioning",
        "payments-static-dev-a1b2",
        "versioning resource removed",
        |p| remove_resource(p, VERSIONING, "payments-static-versioning-dev-a1b2"),
    ),
    case(
        "s3-versioning",
        "payments-logs-dev-a1b2",
        "versioning suspended",
        |p| {
            set(
                p,
                VERSIONING,
                "payments-logs-versioning-dev-a1b2",
                "versioningConfiguration.status",
                json!("Suspended"),
            )
        },
    ),
    case(
        "s3-block-public",
        "payments-static-dev-a1b2",
        "public access block removed",
        |p| {
            remove_resource(
                p,
                PUBLIC_ACCESS_BLOCK,
                "payments-static-public-access-block-dev-a1b2",
            )
        },
    ),
    case(
        "s3-block-public",
        "payments-static-dev-a1b2",
        "public policies allowed",
        |p| {
            set(
                p,
                PUBLIC_ACCESS_BLOCK,
                "payments-static-public-access-block-dev-a1b2",
                "blockPublicPolicy",
                json!(false),
            )
        },
    ),
    case(
        "s3-block-public",
        "payments-alb-logs-dev-a1b2",
        "public ACLs honoured",
        |p| {
            set(
                p,
                PUBLIC_ACCESS_BLOCK,
                "payments-alb-logs-public-access-block-dev-a1b2",
                "ignorePublicAcls",
                json!(false),
            )
        },
    ),
    case(
        "s3-kms-default-encryption",
        "payments-static-dev-a1b2",
        "SSE-S3",
        |p| {
            set(
                p,
                ENCRYPTION,
                "payments-static-encryption-dev-a1b2",
                "rules",
                json!([{
                    "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                    "bucketKeyEnabled": true
                }]),
            );
            resource(p, ENCRYPTION, "payments-static-encryption-dev-a1b2")
                .property_dependencies
                .remove("rules");
        },
    ),
    case(
        "s3-kms-default-encryption",
        "payments-static-dev-a1b2",
        "aws/s3 key",
        |p| {
            remove(
                p,
                ENCRYPTION,
                "payments-static-encryption-dev-a1b2",
                "rules.0.applyServerSideEncryptionByDefault.kmsMasterKeyId",
            );
            resource(p, ENCRYPTION, "payments-static-encryption-dev-a1b2")
                .property_dependencies
                .remove("rules");
        },
    ),
    case(
        "s3-kms-default-encryption",
        "payments-static-dev-a1b2",
        "bucket keys off",
        |p| {
            set(
                p,
                ENCRYPTION,
                "payments-static-encryption-dev-a1b2",
                "rules.0.bucketKeyEnabled",
                json!(false),
            )
        },
    ),
    case(
        "s3-kms-default-encryption",
        "payments-logs-dev-a1b2",
        "encryption resource removed",
        |p| remove_resource(p, ENCRYPTION, "payments-logs-encryption-dev-a1b2"),
    ),
    case(
        "s3-tls-only",
        "payments-static-dev-a1b2",
        "policy replaced by a CloudFront grant",
        |p| {
            edit_json_text(
                p,
                BUCKET_POLICY,
                "payments-static-policy-dev-a1b2",
                "policy",
                |doc| {
                    *doc = json!({
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "CloudFrontReadsObjects",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::payments-static-dev-a1b2/*"
                        }]
                    });
                },
            )
        },
    ),
    case(
        "s3-tls-only",
        "payments-logs-dev-a1b2",
        "TLS condition inverted",
        |p| {
            edit_json_text(
                p,
                BUCKET_POLICY,
                "payments-logs-policy-dev-a1b2",
                "policy",
                |doc| {
                    statement(doc, "DenyInsecureTransport").insert(
                        "Condition".into(),
                        json!({"Bool": {"aws:SecureTransport": "true"}}),
                    );
                },
            )
        },
    ),
    case(
        "s3-tls-only",
        "payments-static-dev-a1b2",
        "deny covers the objects only",
        |p| {
            edit_json_text(
                p,
                BUCKET_POLICY,
                "payments-static-policy-dev-a1b2",
                "policy",
                |doc| {
                    statement(doc, "DenyInsecureTransport").insert(
                        "Resource".into(),
                        json!("arn:aws:s3:::payments-static-dev-a1b2/*"),
                    );
                },
            )
        },
    ),
    case(
        "s3-tls-only",
        "payments-alb-logs-dev-a1b2",
        "bucket policy removed",
        |p| remove_resource(p, BUCKET_POLICY, "payments-alb-logs-policy-dev-a1b2"),
    ),
    case(
        "s3-lifecycle",
        "payments-static-dev-a1b2",
        "lifecycle removed",
        |p| remove_resource(p, LIFECYCLE, "payments-static-lifecycle-dev-a1b2"),
    ),
    case(
        "s3-lifecycle",
        "payments-logs-dev-a1b2",
        "lifecycle rule disabled",
        |p| {
            set(
                p,
                LIFECYCLE,
                "payments-logs-lifecycle-dev-a1b2",
                "rules.0.status",
                json!("Disabled"),
            )
        },
    ),
    case(
        "s3-lifecycle",
        "payments-alb-logs-dev-a1b2",
        "no noncurrent expiry",
        |p| {
            remove(
                p,
                LIFECYCLE,
                "payments-alb-logs-lifecycle-dev-a1b2",
                "rules.0.noncurrentVersionExpiration",
            )
        },
    ),
    case(
        "s3-lifecycle",
        "payments-static-dev-a1b2",
        "no transition",
        |p| {
            remove(
                p,
                LIFECYCLE,
                "payments-static-lifecycle-dev-a1b2",
                "rules.0.transitions",
            )
        },
    ),
    case(
        "s3-access-logging",
        "payments-static-dev-a1b2",
        "access logging removed",
        |p| remove_resource(p, BUCKET_LOGGING, "payments-static-access-logging-dev-a1b2"),
    ),
    case(
        "s3-access-logging",
        "payments-static-dev-a1b2",
        "access logs to a bucket outside the stack",
        |p| {
            literal(
                p,
                BUCKET_LOGGING,
                "payments-static-access-logging-dev-a1b2",
                "targetBucket",
                json!("central-access-logs-123456789012"),
            )
        },
    ),
    // Issue 10 point 11: S3 does not deliver server access logs to an SSE-KMS bucket.
    case(
        "s3-access-logging",
        "payments-static-dev-a1b2",
        "access logs to the SSE-KMS log bucket",
        |p| {
            copy_ref(
                p,
                (
                    BUCKET_VERSIONING,
                    "payments-logs-versioning-dev-a1b2",
                    "bucket",
                ),
                (
                    BUCKET_LOGGING,
                    "payments-static-access-logging-dev-a1b2",
                    "targetBucket",
                ),
            )
        },
    ),
    case("kms-rotation", "kms-data-dev-a1b2", "rotation off", |p| {
        set(
            p,
            KMS_KEY,
            "kms-data-dev-a1b2",
            "enableKeyRotation",
            json!(false),
        )
    }),
    case(
        "kms-rotation",
        "kms-compute-dev-a1b2",
        "enableKeyRotation dropped",
        |p| remove(p, KMS_KEY, "kms-compute-dev-a1b2", "enableKeyRotation"),
    ),
    case("iam-no-admin", APP_POLICY, "Action * on *", |p| {
        edit_app_policy(p, |doc| {
            doc["Statement"]
                .as_array_mut()
                .expect("statements")
                .push(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
        })
    }),
    case(
        "iam-no-admin",
        APP_POLICY,
        "s3:* on the static bucket",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "ReadStaticContent").insert("Action".into(), json!(["s3:*"]));
            })
        },
    ),
    case("iam-no-admin", APP_POLICY, "Allow with NotAction", |p| {
        edit_app_policy(p, |doc| {
            doc["Statement"]
                .as_array_mut()
                .expect("statements")
                .push(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}));
        })
    }),
    case(
        "iam-no-admin",
        "role-app-dev-a1b2-AdministratorAccess",
        "AdministratorAccess attached",
        |p| {
            let name = "role-app-dev-a1b2-AdministratorAccess";
            add_copy(
                p,
                ROLE_ATTACHMENT,
                "attach-role-app-amazonssmmanagedinstancecore-dev-a1b2",
                name,
            );
            set(
                p,
                ROLE_ATTACHMENT,
                name,
                "policyArn",
                json!("arn:aws:iam::aws:policy/AdministratorAccess"),
            );
        },
    ),
    case(
        "iam-no-admin",
        "role-app-dev-a1b2-AmazonS3FullAccess",
        "AmazonS3FullAccess attached",
        |p| {
            let name = "role-app-dev-a1b2-AmazonS3FullAccess";
            add_copy(
                p,
                ROLE_ATTACHMENT,
                "attach-role-app-amazonssmmanagedinstancecore-dev-a1b2",
                name,
            );
            set(
                p,
                ROLE_ATTACHMENT,
                name,
                "policyArn",
                json!("arn:aws:iam::aws:policy/AmazonS3FullAccess"),
            );
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "S3 read on every bucket",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "ReadStaticContent").insert("Resource".into(), json!("*"));
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "S3 read on the prod bucket",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "ReadStaticContent").insert(
                    "Resource".into(),
                    json!([
                        "arn:aws:s3:::payments-static-prod-a1b2",
                        "arn:aws:s3:::payments-static-prod-a1b2/*"
                    ]),
                );
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "S3 with NotResource",
        |p| {
            edit_app_policy(p, |doc| {
                let s = statement(doc, "WriteApplicationLogs");
                let resources = s.remove("Resource").expect("Resource");
                s.insert("NotResource".into(), resources);
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS on every key",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "UseDataKeyThroughS3").insert("Resource".into(), json!("*"));
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS only on hard-coded foreign keys",
        |p| {
            edit_app_policy(p, |doc| {
                for sid in ["UseDataKeyThroughS3", "UseComputeKeyForVolumes"] {
                    statement(doc, sid).insert("Resource".into(), json!([FOREIGN_KEY]));
                }
            });
            // No key of the stack flows into the document any more.
            resource(p, IAM_POLICY, APP_POLICY)
                .property_dependencies
                .remove("policy");
        },
    ),
    case(
        "logs-encrypted-retained",
        "app-logs-dev-a1b2",
        "log group unencrypted",
        |p| remove(p, LOG_GROUP, "app-logs-dev-a1b2", "kmsKeyId"),
    ),
    case(
        "logs-encrypted-retained",
        "aws-waf-logs-payments-dev-a1b2",
        "retention dropped",
        |p| {
            remove(
                p,
                LOG_GROUP,
                "aws-waf-logs-payments-dev-a1b2",
                "retentionInDays",
            )
        },
    ),
    case(
        "logs-encrypted-retained",
        "rds-audit-logs-dev-a1b2",
        "kept forever",
        |p| {
            set(
                p,
                LOG_GROUP,
                "rds-audit-logs-dev-a1b2",
                "retentionInDays",
                json!(0),
            )
        },
    ),
    // Project rules
    case(
        "tags-required",
        "egress-app-to-s3-dev-a1b2",
        "CostCenter dropped from the provider's default tags",
        default_tags_without_cost_center,
    ),
    case(
        "tags-required",
        APP_IN,
        "provider without default tags",
        |p| remove(p, AWS_PROVIDER, PROVIDER_NAME, "defaultTags"),
    ),
    case(
        "tags-required",
        "payments-static-dev-a1b2",
        "own tags blank the Environment",
        |p| {
            set(
                p,
                BUCKET,
                "payments-static-dev-a1b2",
                "tags.Environment",
                json!(""),
            )
        },
    ),
    case(
        "tags-required",
        ASG_APP,
        "MigrationPhase dropped from the ASG's tags",
        |p| list(p, ASG, ASG_APP, "tags").retain(|tag| tag["key"] != "MigrationPhase"),
    ),
    case(
        "tags-required",
        ASG_APP,
        "MigrationPhase kept on the group but not propagated to its instances",
        |p| {
            for tag in list(p, ASG, ASG_APP, "tags") {
                if tag["key"] == "MigrationPhase" {
                    tag["propagateAtLaunch"] = json!(false);
                }
            }
        },
    ),
    case(
        "tags-required",
        ASG_APP,
        "volume tag specification dropped",
        |p| {
            list(p, LT, LT_APP, "tagSpecifications").retain(|spec| spec["resourceType"] != "volume")
        },
    ),
    case(
        "tags-required",
        ASG_APP,
        "instance tags neither specified nor propagated",
        |p| {
            list(p, LT, LT_APP, "tagSpecifications")
                .retain(|spec| spec["resourceType"] != "instance");
            for tag in list(p, ASG, ASG_APP, "tags") {
                tag["propagateAtLaunch"] = json!(false);
            }
        },
    ),
    case(
        "names-suffixed",
        APP_SG,
        "name without environment and suffix",
        |p| set(p, SG, APP_SG, "name", json!("secgroup-app")),
    ),
    case(
        "names-suffixed",
        APP_SG,
        "name of another environment",
        |p| set(p, SG, APP_SG, "name", json!("secgroup-app-prod-a1b2")),
    ),
    case(
        "names-suffixed",
        LT_APP,
        "namePrefix instead of name",
        |p| {
            remove(p, LT, LT_APP, "name");
            set(p, LT, LT_APP, "namePrefix", json!("lt-app-dev-a1b2-"));
        },
    ),
    case(
        "names-suffixed",
        "app-logs-dev-a1b2",
        "log group path without the scheme",
        |p| {
            set(
                p,
                LOG_GROUP,
                "app-logs-dev-a1b2",
                "name",
                json!("/payments/app"),
            )
        },
    ),
    case(
        "names-suffixed",
        TG_APP,
        "target group name over 32 characters",
        |p| {
            set(
                p,
                TG,
                TG_APP,
                "name",
                json!("tg-payments-web-application-dev-a1b2"),
            )
        },
    ),
    case("destroyable", MYSQL, "protect", |p| {
        resource(p, RDS, MYSQL).options.protect = true;
    }),
    case(
        "destroyable",
        "payments-logs-dev-a1b2",
        "retainOnDelete",
        |p| {
            resource(p, BUCKET, "payments-logs-dev-a1b2")
                .options
                .retain_on_delete = true;
        },
    ),
    case("destroyable", MYSQL, "RDS deletion protection", |p| {
        set(p, RDS, MYSQL, "deletionProtection", json!(true))
    }),
    case("destroyable", ALB, "ALB deletion protection", |p| {
        set(p, LB, ALB, "enableDeletionProtection", json!(true))
    }),
    case(
        "destroyable",
        "rds-error-logs-dev-a1b2",
        "log group skipDestroy",
        |p| {
            set(
                p,
                LOG_GROUP,
                "rds-error-logs-dev-a1b2",
                "skipDestroy",
                json!(true),
            )
        },
    ),
    case(
        "destroyable",
        "payments-static-dev-a1b2",
        "forceDestroy off",
        |p| {
            set(
                p,
                BUCKET,
                "payments-static-dev-a1b2",
                "forceDestroy",
                json!(false),
            )
        },
    ),
    case(
        "destroyable",
        "kms-data-dev-a1b2",
        "no deletion window",
        |p| remove(p, KMS_KEY, "kms-data-dev-a1b2", "deletionWindowInDays"),
    ),
    case("region", PROVIDER_NAME, "provider in another region", |p| {
        set(p, AWS_PROVIDER, PROVIDER_NAME, "region", json!("us-west-2"))
    }),
    case("region", PROVIDER_NAME, "provider region dropped", |p| {
        remove(p, AWS_PROVIDER, PROVIDER_NAME, "region")
    }),
    case(
        "region",
        "payments-static-dev-a1b2",
        "resource overrides the region",
        |p| {
            set(
                p,
                BUCKET,
                "payments-static-dev-a1b2",
                "region",
                json!("eu-west-1"),
            )
        },
    ),
    case(
        "region",
        "payments-static-dev-a1b2",
        "default provider",
        |p| {
            resource(p, BUCKET, "payments-static-dev-a1b2")
                .provider
                .clear();
        },
    ),
    case("dms-not-public", DMS_INSTANCE, "publicly accessible", |p| {
        set(p, DMS, DMS_INSTANCE, "publiclyAccessible", json!(true))
    }),
    case(
        "dms-not-public",
        DMS_INSTANCE,
        "publiclyAccessible dropped",
        |p| remove(p, DMS, DMS_INSTANCE, "publiclyAccessible"),
    ),
    // The catalog: "logs its access to *another* bucket of the stack": logging to itself does not
    // make a bucket a log destination (found by this file; fixed in the pack).
    case(
        "s3-access-logging",
        "payments-static-dev-a1b2",
        "access logs to itself",
        |p| {
            copy_ref(
                p,
                (
                    BUCKET_LOGGING,
                    "payments-static-access-logging-dev-a1b2",
                    "bucket",
                ),
                (
                    BUCKET_LOGGING,
                    "payments-static-access-logging-dev-a1b2",
                    "targetBucket",
                ),
            )
        },
    ),
    // The catalog: KMS grants "name specific key ARNs taken from keys of the stack", per ARN, even
    // when another statement of the document uses a stack key (found by this file; fixed in the pack).
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS on a hard-coded foreign key",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "UseComputeKeyForVolumes")
                    .insert("Resource".into(), json!([FOREIGN_KEY]));
            });
            // The compute key no longer flows into the document; the data key still does.
            let key_data = urn(p, KMS_KEY, "kms-data-dev-a1b2");
            resource(p, IAM_POLICY, APP_POLICY)
                .property_dependencies
                .insert("policy".into(), vec![key_data]);
        },
    ),
    // Issue 11 point 2: the documents name keys through `kms:ResourceAliases` (known in a
    // preview). The account's keys are in scope only when narrowed to the stack's own aliases.
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS narrowed to an alias the stack does not own",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "UseDataKeyThroughS3")["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] =
                    json!(["alias/payments-data-prod-a1b2"]);
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS on the account's keys without the alias condition",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "UseComputeKeyForVolumes")["Condition"]
                    .as_object_mut()
                    .expect("condition")
                    .remove("ForAnyValue:StringEquals");
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS aliases under ForAllValues (matches keys without any alias)",
        |p| {
            edit_app_policy(p, |doc| {
                let condition = statement(doc, "UseComputeKeyForVolumes")["Condition"]
                    .as_object_mut()
                    .expect("condition");
                let aliases = condition
                    .remove("ForAnyValue:StringEquals")
                    .expect("aliases");
                condition.insert("ForAllValues:StringEquals".into(), aliases);
            })
        },
    ),
    case(
        "iam-scoped-resources",
        APP_POLICY,
        "KMS on another account's keys",
        |p| {
            edit_app_policy(p, |doc| {
                statement(doc, "UseDataKeyThroughS3").insert(
                    "Resource".into(),
                    json!(["arn:aws:kms:us-east-1:210987654321:key/*"]),
                );
            })
        },
    ),
    // Account-level controls (accountControls create, the dev stack's default).
    case(
        "trail-multi-region",
        TRAIL_NAME,
        "single-region trail",
        |p| set(p, TRAIL, TRAIL_NAME, "isMultiRegionTrail", json!(false)),
    ),
    case(
        "trail-multi-region",
        TRAIL_NAME,
        "no global service events",
        |p| {
            set(
                p,
                TRAIL,
                TRAIL_NAME,
                "includeGlobalServiceEvents",
                json!(false),
            )
        },
    ),
    case(
        "trail-multi-region",
        PROVIDER_NAME,
        "no trail at all",
        |p| remove_resource(p, TRAIL, TRAIL_NAME),
    ),
    case(
        "trail-log-validation",
        TRAIL_NAME,
        "log file validation dropped",
        |p| remove(p, TRAIL, TRAIL_NAME, "enableLogFileValidation"),
    ),
    case(
        "trail-encrypted",
        TRAIL_NAME,
        "SSE-S3 only (no kmsKeyId)",
        |p| remove(p, TRAIL, TRAIL_NAME, "kmsKeyId"),
    ),
    case("trail-encrypted", TRAIL_NAME, "a foreign key", |p| {
        literal(p, TRAIL, TRAIL_NAME, "kmsKeyId", json!(FOREIGN_KEY))
    }),
    case(
        "trail-cloudwatch-logs",
        TRAIL_NAME,
        "no CloudWatch Logs delivery",
        |p| remove(p, TRAIL, TRAIL_NAME, "cloudWatchLogsGroupArn"),
    ),
    case(
        "trail-cloudwatch-logs",
        TRAIL_NAME,
        "no delivery role",
        |p| remove(p, TRAIL, TRAIL_NAME, "cloudWatchLogsRoleArn"),
    ),
    case("guardduty-enabled", GUARDDUTY, "detector disabled", |p| {
        set(p, DETECTOR, GUARDDUTY, "enable", json!(false))
    }),
    case(
        "guardduty-enabled",
        GUARDDUTY,
        "EBS malware protection disabled",
        |p| {
            set(
                p,
                DETECTOR_FEATURE,
                "guardduty-ebs-malware-protection-dev-a1b2",
                "status",
                json!("DISABLED"),
            )
        },
    ),
    case("guardduty-enabled", PROVIDER_NAME, "no detector", |p| {
        remove_resource(p, DETECTOR, GUARDDUTY)
    }),
    case(
        "config-recorder-on",
        "config-recorder-dev-a1b2",
        "only some resource types",
        |p| {
            set(
                p,
                RECORDER,
                "config-recorder-dev-a1b2",
                "recordingGroup.allSupported",
                json!(false),
            )
        },
    ),
    case(
        "config-recorder-on",
        "config-recorder-dev-a1b2",
        "recorder left off",
        |p| {
            set(
                p,
                RECORDER_STATUS,
                "config-recorder-status-dev-a1b2",
                "isEnabled",
                json!(false),
            )
        },
    ),
    case(
        "config-recorder-on",
        "config-recorder-dev-a1b2",
        "no delivery channel",
        |p| remove_resource(p, CHANNEL, "config-delivery-dev-a1b2"),
    ),
    case(
        "securityhub-pci-standard",
        PROVIDER_NAME,
        "PCI DSS v4.0.1 not subscribed",
        |p| remove_resource(p, STANDARD, "securityhub-pci-dss-dev-a1b2"),
    ),
    case(
        "securityhub-pci-standard",
        PROVIDER_NAME,
        "Security Hub not enabled",
        |p| remove_resource(p, SECURITY_HUB, "securityhub-dev-a1b2"),
    ),
    case(
        "db-backup-cross-region",
        MYSQL,
        "the database in no backup plan",
        |p| remove_resource(p, BACKUP_SELECTION, "backup-selection-db-dev-a1b2"),
    ),
    case(
        "db-backup-cross-region",
        MYSQL,
        "copies to the vault of the same region",
        |p| {
            set(
                p,
                BACKUP_PLAN,
                "backup-plan-dev-a1b2",
                "rules.0.copyActions.0.destinationVaultArn",
                json!("arn:aws:backup:us-east-1:123456789012:backup-vault:backup-vault-dev-a1b2"),
            )
        },
    ),
    case(
        "destroyable",
        "backup-vault-dev-a1b2",
        "backup vault without forceDestroy",
        |p| {
            set(
                p,
                BACKUP_VAULT,
                "backup-vault-dev-a1b2",
                "forceDestroy",
                json!(false),
            )
        },
    ),
    case(
        "private-aws-endpoints",
        "vpc-dev-a1b2",
        "no Session Manager endpoint",
        |p| remove_resource(p, VPC_ENDPOINT, "vpce-ssmmessages-dev-a1b2"),
    ),
    case(
        "private-aws-endpoints",
        "vpc-dev-a1b2",
        "no S3 gateway endpoint",
        |p| remove_resource(p, VPC_ENDPOINT, "vpce-s3-dev-a1b2"),
    ),
    case(
        "private-aws-endpoints",
        "vpce-logs-dev-a1b2",
        "CloudWatch Logs endpoint without private DNS",
        |p| {
            set(
                p,
                VPC_ENDPOINT,
                "vpce-logs-dev-a1b2",
                "privateDnsEnabled",
                json!(false),
            )
        },
    ),
    case(
        "private-aws-endpoints",
        "vpce-sts-dev-a1b2",
        "STS endpoint with the default (open) policy",
        |p| remove(p, VPC_ENDPOINT, "vpce-sts-dev-a1b2", "policy"),
    ),
    case(
        "app-egress-private",
        "egress-app-https-world",
        "app HTTPS to the whole internet",
        |p| {
            add_copy(
                p,
                EGRESS,
                "egress-app-to-s3-dev-a1b2",
                "egress-app-https-world",
            );
            remove(p, EGRESS, "egress-app-https-world", "prefixListId");
            literal(
                p,
                EGRESS,
                "egress-app-https-world",
                "cidrIpv4",
                json!("0.0.0.0/0"),
            );
        },
    ),
];

/// The pack's settings from the dev stack's config, as the preview gate uses them.
fn dev_settings() -> Settings {
    let config = pulumi_runtime::Config::from_stack_file(
        &common::root().join("Pulumi.dev.yaml"),
        "payments-platform",
        |_| None,
    )
    .expect("config");
    policy::settings(&payments_platform::config::load(&config).expect("valid"))
}

/// The dev stack's deployed plan, without the report the run attached.
fn dev_deploy_plan() -> Plan {
    let mut plan = common::outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    plan.policy = None;
    plan
}

fn caught(report: &Report, case: &Case) -> bool {
    report
        .violations_of(case.rule)
        .any(|finding| finding.resource_name == case.resource)
}

#[test]
fn the_real_dev_plan_has_no_violation() {
    let report = evaluate_with(&dev_deploy_plan(), &dev_settings());
    assert_eq!(
        report.mandatory_violations(),
        0,
        "{}",
        report.to_text(false)
    );
    assert_eq!(report.advisory_violations(), 0, "{}", report.to_text(false));
    assert!(report.violations.is_empty(), "{}", report.to_text(false));
}

#[test]
fn every_rule_has_a_case_and_every_case_a_rule() {
    let known: BTreeSet<&str> = rules().iter().map(|rule| rule.id).collect();
    let covered: BTreeSet<&str> = CASES.iter().map(|case| case.rule).collect();
    let uncovered: Vec<&&str> = known.difference(&covered).collect();
    let unknown: Vec<&&str> = covered.difference(&known).collect();
    assert!(uncovered.is_empty(), "rules without a case: {uncovered:?}");
    assert!(unknown.is_empty(), "cases naming no rule: {unknown:?}");
    assert_eq!(known.len(), 56, "the pack has 56 rules");
}

#[test]
fn every_mutation_of_the_real_dev_plan_is_caught_by_its_rule() {
    let settings = dev_settings();
    let compliant = dev_deploy_plan();
    let mut missed = Vec::new();
    let mut first_report = None;
    for case in CASES {
        let mut plan = compliant.clone();
        (case.mutate)(&mut plan);
        let report = evaluate_with(&plan, &settings);
        if caught(&report, case) {
            continue;
        }
        let reported: Vec<&str> = report
            .violations_of(case.rule)
            .map(|finding| finding.resource_name.as_str())
            .collect();
        missed.push(format!(
            "{} did not report {} ({}); it reported {reported:?}",
            case.rule, case.resource, case.what
        ));
        first_report.get_or_insert_with(|| report.to_text(false));
    }
    assert!(
        missed.is_empty(),
        "{} of {} cases not caught:\n{}\n\nreport of the first:\n{}",
        missed.len(),
        CASES.len(),
        missed.join("\n"),
        first_report.unwrap_or_default()
    );
}
