//! VPC endpoints (`payments:network:Endpoints`): private access to AWS APIs, so that no private
//! subnet needs a way to the internet (PCI DSS 1.3, 1.4).
//! - An S3 gateway endpoint on the app and database route tables: package repositories, SSM Agent
//!   buckets and the stack's own buckets.
//! - Interface endpoints with private DNS, in the app subnets, for every AWS API the instances (and
//!   DMS, during a migration) call: [`INTERFACE_SERVICES`]. They sit behind one security group that
//!   admits HTTPS only from the groups given to [`allow`].
//!
//! Every endpoint has a policy (a boundary, not a grant: IAM still decides) that admits only this
//! account's principals, and, where the calls name a resource, only this account's resources;
//! [`endpoint_policy`] says which AWS-owned resources are the exceptions and why.

use payments_aws::args::register;
use payments_aws::ec2::{SecurityGroupArgs, VpcEndpointArgs};
use pulumi_runtime::{Output, Resource};
use serde_json::{Value, json};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::kms::Account;
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::{self, Peer, Rule};

/// HTTPS, the port of every AWS API.
pub const HTTPS_PORT: i64 = 443;

/// The interface endpoints (the last part of `com.amazonaws.<region>.<service>`): the ones the
/// pack's `private-aws-endpoints` rule requires, Session Manager and the SSM Agent (ssm,
/// ssmmessages, ec2messages), the CloudWatch agent (logs, monitoring), KMS, Secrets Manager (the
/// database credentials; DMS endpoints) and STS.
pub const INTERFACE_SERVICES: [&str; 8] = payments_compliance::rules::endpoints::INSTANCE_SERVICES;

/// The services whose calls carry no resource of the account (agent message channels,
/// `cloudwatch:PutMetricData`, `sts:GetCallerIdentity`): their policy conditions on the principal's
/// account only, since a resource-account condition could not be met by such calls.
const PRINCIPAL_ONLY_SERVICES: [&str; 4] = ["ssmmessages", "ec2messages", "monitoring", "sts"];

/// The tier whose subnets hold the interface endpoints' network interfaces (one per zone).
pub const INTERFACE_TIER: Tier = Tier::App;

/// The tiers whose route tables get the S3 gateway endpoint.
pub const GATEWAY_TIERS: [Tier; 2] = [Tier::App, Tier::Data];

/// What the clients of the endpoints need: the component, the interface endpoints' security group
/// and the S3 gateway endpoint (its prefix list).
pub struct Endpoints {
    /// The component.
    pub component: Resource,
    /// The security group of every interface endpoint.
    pub group: Resource,
    /// The S3 gateway endpoint.
    pub s3: Resource,
}

/// The IAM action prefix of an endpoint service.
fn action_prefix(service: &str) -> &str {
    match service {
        "monitoring" => "cloudwatch",
        other => other,
    }
}

/// The AWS-owned S3 buckets the instances read from through the gateway endpoint: the Amazon
/// Linux 2023 repositories `dnf` installs from, and the buckets the SSM Agent reads documents,
/// plugins and patch baselines from (AWS: data-perimeter-policy-examples, "AWS owned resources";
/// Systems Manager "SSM Agent communications with AWS managed S3 buckets").
pub fn aws_owned_buckets(region: &str) -> Vec<String> {
    vec![
        format!("al2023-repos-{region}-de612dc2"),
        format!("amazon-ssm-{region}"),
        format!("amazon-ssm-packages-{region}"),
        format!("aws-ssm-{region}"),
        format!("aws-ssm-document-attachments-{region}"),
        format!("{region}-birdwatcher-prod"),
        format!("patch-baseline-snapshot-{region}"),
    ]
}

/// The policy of the endpoint of `service` (`s3` for the gateway endpoint).
/// - Every endpoint: this account's principals, on this account's resources.
/// - The agent channels, `monitoring` and `sts` (their calls name no resource): this account's
///   principals.
/// - `ssm`: also read AWS public parameters and AWS-owned documents (Session Manager's).
/// - `s3`: also anonymous reads of [`aws_owned_buckets`] (`dnf` does not sign its requests).
pub fn endpoint_policy(service: &str, account: &Account, region: &str) -> Value {
    let prefix = action_prefix(service);
    let partition = &account.partition;
    let mut statements = vec![if PRINCIPAL_ONLY_SERVICES.contains(&service) {
        json!({
            "Sid": "ThisAccountsPrincipals",
            "Effect": "Allow",
            "Principal": "*",
            "Action": format!("{prefix}:*"),
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": account.id}}
        })
    } else {
        json!({
            "Sid": "ThisAccountsPrincipalsOnThisAccountsResources",
            "Effect": "Allow",
            "Principal": "*",
            "Action": format!("{prefix}:*"),
            "Resource": "*",
            "Condition": {"StringEquals": {
                "aws:PrincipalAccount": account.id,
                "aws:ResourceAccount": account.id
            }}
        })
    }];
    match service {
        "ssm" => statements.push(json!({
            "Sid": "ThisAccountsPrincipalsReadAwsOwnedParametersAndDocuments",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetDocument", "ssm:DescribeDocument"],
            "Resource": [
                format!("arn:{partition}:ssm:{region}::parameter/aws/*"),
                format!("arn:{partition}:ssm:{region}::document/*")
            ],
            "Condition": {"StringEquals": {"aws:PrincipalAccount": account.id}}
        })),
        "s3" => statements.push(json!({
            "Sid": "ReadAwsOwnedPackageAndAgentBuckets",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": aws_owned_buckets(region)
                .iter()
                .map(|bucket| format!("arn:{partition}:s3:::{bucket}/*"))
                .collect::<Vec<_>>()
        })),
        _ => {}
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Builds the S3 gateway endpoint and the interface endpoints (private DNS on, so the usual API
/// names resolve to them) with their security group.
pub fn build(scope: &Scope, network: &Network, account: &Account) -> Endpoints {
    let config = &scope.config;
    let component = scope.component("payments:network:Endpoints", "endpoints");
    let group_name = config.naming.name(NameKind::EndpointSecurityGroup);
    let group = register(
        &scope.ctx,
        &group_name,
        &SecurityGroupArgs {
            name: set(group_name.clone()),
            description: set(
                "Payments interface endpoints: HTTPS from their clients only".to_owned(),
            ),
            vpc_id: set(network.vpc.id()),
            revoke_rules_on_delete: set(true),
            tags: set(tags::named(config, &group_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    for service in INTERFACE_SERVICES {
        let name = config.naming.label(&format!("vpce-{service}"));
        register(
            &scope.ctx,
            &name,
            &VpcEndpointArgs {
                vpc_id: set(network.vpc.id()),
                service_name: set(format!("com.amazonaws.{}.{service}", config.region)),
                vpc_endpoint_type: set("Interface"),
                private_dns_enabled: set(true),
                subnet_ids: set(Output::all(network.subnet_ids(INTERFACE_TIER))),
                security_group_ids: set(Output::all([group.id()])),
                policy: set(endpoint_policy(service, account, &config.region).to_string()),
                tags: set(tags::named(config, &name)),
                ..Default::default()
            },
            scope.child_of(&component),
        );
    }
    let s3_name = config.naming.label("vpce-s3");
    let route_tables = GATEWAY_TIERS
        .iter()
        .flat_map(|tier| network.route_tables(*tier))
        .map(Resource::id);
    let s3 = register(
        &scope.ctx,
        &s3_name,
        &VpcEndpointArgs {
            vpc_id: set(network.vpc.id()),
            service_name: set(format!("com.amazonaws.{}.s3", config.region)),
            vpc_endpoint_type: set("Gateway"),
            route_table_ids: set(Output::all(route_tables)),
            policy: set(endpoint_policy("s3", account, &config.region).to_string()),
            tags: set(tags::named(config, &s3_name)),
            ..Default::default()
        },
        scope.child_of(&component),
    );
    Endpoints {
        component,
        group,
        s3,
    }
}

/// Lets `client` (a security group, `label` in rule names) reach the interface endpoints on 443:
/// egress from the client, ingress on the endpoints' group, both under `parent`. Returns both rules.
pub fn allow(
    scope: &Scope,
    parent: &Resource,
    endpoints: &Endpoints,
    client: &Resource,
    label: &str,
) -> Vec<Resource> {
    vec![
        security::egress(
            scope,
            parent,
            client,
            Rule {
                name: &format!("{label}-to-endpoints"),
                description: "HTTPS to the interface VPC endpoints (AWS APIs)",
                port: HTTPS_PORT,
                peer: Peer::Group(endpoints.group.id()),
            },
        ),
        security::ingress(
            scope,
            parent,
            &endpoints.group,
            Rule {
                name: &format!("endpoints-from-{label}"),
                description: "HTTPS from a client of the interface endpoints",
                port: HTTPS_PORT,
                peer: Peer::Group(client.id()),
            },
        ),
    ]
}

/// Lets `client` reach S3 through the gateway endpoint: egress on 443 to the endpoint's prefix
/// list (the S3 address ranges of the region), under `parent`.
pub fn allow_s3(
    scope: &Scope,
    parent: &Resource,
    endpoints: &Endpoints,
    client: &Resource,
    label: &str,
) -> Resource {
    security::egress(
        scope,
        parent,
        client,
        Rule {
            name: &format!("{label}-to-s3"),
            description: "HTTPS to S3 through the gateway endpoint (its prefix list)",
            port: HTTPS_PORT,
            peer: Peer::PrefixList(endpoints.s3.output::<String>("prefixListId")),
        },
    )
}
