//! Private access to AWS APIs (PCI DSS 1.3, 1.4): the instances reach AWS through VPC endpoints
//! with policies, and their security groups let nothing out to the internet.

use std::collections::{BTreeMap, BTreeSet};

use pulumi_runtime::plan::PlanResource;

use crate::net::{self, Direction, Source, is_world};
use crate::rule::Out;
use crate::rules::network::Groups;
use crate::tokens::{ASG, LAUNCH_TEMPLATE, ROUTE_TABLE, SUBNET, VPC, VPC_ENDPOINT};
use crate::view::{Got, PlanView, Refs, input};

/// The AWS APIs instances of the platform's shape call, each through an interface endpoint (the
/// platform builds exactly these):
/// Session Manager and the SSM Agent (ssm, ssmmessages, ec2messages), the CloudWatch agent (logs,
/// monitoring), KMS, Secrets Manager and STS. S3 goes through a gateway endpoint.
pub const INSTANCE_SERVICES: [&str; 8] = [
    "ssm",
    "ssmmessages",
    "ec2messages",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "sts",
];

/// The service of an endpoint: `s3` of `com.amazonaws.us-east-1.s3`.
fn service_of(endpoint: &PlanResource) -> Got<String> {
    input(endpoint, "serviceName").str().map(|name| {
        name.strip_prefix("com.amazonaws.")
            .and_then(|rest| rest.split_once('.'))
            .map_or(name, |(_, service)| service)
            .to_owned()
    })
}

/// The endpoints of `vpc`, and whether some endpoint's VPC is unknown.
fn endpoints_of<'p>(view: &PlanView<'p>, vpc: &PlanResource) -> (Vec<&'p PlanResource>, bool) {
    let mut found = Vec::new();
    let mut unknown = false;
    for endpoint in view.of_type(VPC_ENDPOINT) {
        match view.refs(endpoint, "vpcId", &[VPC]) {
            Refs::Resolved(vpcs) if vpcs.iter().any(|v| v.urn == vpc.urn) => found.push(*endpoint),
            Refs::Unknown => unknown = true,
            _ => {}
        }
    }
    (found, unknown)
}

/// The VPCs of the Auto Scaling groups, with the route tables of the groups' subnets; an ASG
/// whose subnets are unknown is reported undecided.
fn instance_vpcs<'p>(
    view: &PlanView<'p>,
    out: &mut Out,
) -> Vec<(&'p PlanResource, Vec<&'p PlanResource>)> {
    // By VPC URN: the VPC and its instances' route tables by URN.
    let mut vpcs: BTreeMap<&str, (&PlanResource, BTreeMap<&str, &PlanResource>)> = BTreeMap::new();
    for asg in view.of_type(ASG) {
        let subnets = match view.refs(asg, "vpcZoneIdentifiers", &[SUBNET]) {
            Refs::Resolved(subnets) => subnets,
            Refs::Unknown => {
                out.undecided(asg, "vpcZoneIdentifiers is unknown");
                continue;
            }
            Refs::Absent => continue,
        };
        for subnet in subnets {
            let (tables, _) = net::tables_of_subnet(view, subnet);
            for vpc in view.refs(subnet, "vpcId", &[VPC]).resources() {
                let (_, known) = vpcs
                    .entry(vpc.urn.as_str())
                    .or_insert_with(|| (*vpc, BTreeMap::new()));
                known.extend(tables.iter().map(|t| (t.urn.as_str(), *t)));
            }
        }
    }
    vpcs.into_values()
        .map(|(vpc, tables)| (vpc, tables.into_values().collect()))
        .collect()
}

/// Whether `endpoint` is a `kind` (`Interface`, `Gateway`) endpoint of `service`.
fn is_endpoint_of(endpoint: &PlanResource, service: &str, kind: &str) -> Got<bool> {
    let matches_service = service_of(endpoint).map(|s| s == service);
    // The provider's default type is Gateway.
    let matches_kind = match input(endpoint, "vpcEndpointType").str() {
        Got::Absent => Got::Known(kind == "Gateway"),
        other => other.map(|k| k == kind),
    };
    match (matches_service, matches_kind) {
        (Got::Known(true), Got::Known(true)) => Got::Known(true),
        (Got::Known(false), _) | (_, Got::Known(false)) => Got::Known(false),
        _ => Got::Unknown,
    }
}

/// private-aws-endpoints.
pub(crate) fn private_aws_endpoints(view: &PlanView<'_>, out: &mut Out) {
    for (vpc, tables) in instance_vpcs(view, out) {
        // An endpoint whose VPC is unknown may be the missing one.
        let (endpoints, unknown) = endpoints_of(view, vpc);
        check_s3_gateway(view, out, (vpc, unknown), &endpoints, &tables);
        for service in INSTANCE_SERVICES {
            let answers: Vec<Got<bool>> = endpoints
                .iter()
                .map(|e| is_endpoint_of(e, service, "Interface"))
                .collect();
            let interface: Vec<&&PlanResource> = endpoints
                .iter()
                .zip(&answers)
                .filter(|(_, answer)| **answer == Got::Known(true))
                .map(|(endpoint, _)| endpoint)
                .collect();
            if interface.is_empty() {
                if unknown || answers.contains(&Got::Unknown) {
                    out.undecided(
                        vpc,
                        format!("whether an endpoint serves {service} is unknown"),
                    );
                } else {
                    out.fail(
                        vpc,
                        format!("has no interface endpoint for {service}, so its instances reach {service} only through the internet"),
                        format!("create an Interface endpoint com.amazonaws.<region>.{service} with privateDnsEnabled true in the instances' subnets"),
                    );
                }
                continue;
            }
            for endpoint in interface {
                match input(endpoint, "privateDnsEnabled").bool() {
                    Got::Known(true) => {}
                    Got::Unknown => out.undecided(endpoint, "privateDnsEnabled is unknown"),
                    _ => out.fail(
                        endpoint,
                        "does not enable private DNS, so the usual API name still resolves to the public endpoint",
                        "set privateDnsEnabled true",
                    ),
                }
            }
        }
        for endpoint in &endpoints {
            if input(endpoint, "policy").is_absent() {
                out.fail(
                    endpoint,
                    "has no endpoint policy, so the default one admits any principal to any resource through it",
                    "set a policy that admits this account's principals and resources (and the AWS-owned resources the instances need)",
                );
            }
        }
    }
}

/// The S3 gateway endpoint of `vpc` must exist and serve every route table of the instances.
fn check_s3_gateway(
    view: &PlanView<'_>,
    out: &mut Out,
    (vpc, vpc_unknown): (&PlanResource, bool),
    endpoints: &[&PlanResource],
    tables: &[&PlanResource],
) {
    let gateways: Vec<&PlanResource> = endpoints
        .iter()
        .copied()
        .filter(|e| is_endpoint_of(e, "s3", "Gateway") != Got::Known(false))
        .collect();
    if gateways.is_empty() && vpc_unknown {
        out.undecided(
            vpc,
            "whether an endpoint with an unknown VPC is its S3 gateway is unknown",
        );
        return;
    }
    if gateways.is_empty() {
        out.fail(
            vpc,
            "has no S3 gateway endpoint, so its instances reach S3 (package repositories, agents) only through the internet",
            "create a Gateway endpoint com.amazonaws.<region>.s3 on the instances' route tables",
        );
        return;
    }
    let mut served = BTreeSet::new();
    for gateway in &gateways {
        match view.refs(gateway, "routeTableIds", &[ROUTE_TABLE]) {
            Refs::Resolved(found) => served.extend(found.iter().map(|t| t.urn.clone())),
            Refs::Unknown => {
                out.undecided(gateway, "routeTableIds is unknown");
                return;
            }
            Refs::Absent => {}
        }
    }
    for table in tables {
        if !served.contains(&table.urn) {
            out.fail(
                vpc,
                format!("the S3 gateway endpoint is not on route table \"{}\" of the instances' subnets", table.name),
                "add the instances' route tables to the gateway endpoint's routeTableIds",
            );
        }
    }
}

/// app-egress-private.
pub(crate) fn app_egress_private(view: &PlanView<'_>, out: &mut Out) {
    let app = Groups::of(
        view,
        &[LAUNCH_TEMPLATE],
        &["networkInterfaces", "vpcSecurityGroupIds"],
    );
    for rule in net::rules_of(view, Direction::Egress) {
        let groups = match &rule.group {
            Refs::Resolved(groups) => groups.clone(),
            Refs::Unknown => {
                out.undecided(
                    rule.declared_by,
                    "the egress rule's security group is unknown",
                );
                continue;
            }
            Refs::Absent => continue,
        };
        if !groups.iter().any(|g| app.contains(&g.urn)) {
            if app.incomplete() {
                out.undecided(
                    rule.declared_by,
                    "the instances' security groups are unknown, so this rule may be theirs",
                );
            }
            continue;
        }
        if rule.sources_unknown {
            out.undecided(rule.declared_by, "the rule's destinations are unknown");
        }
        for source in &rule.sources {
            let Source::Cidr(cidr) = source else {
                continue;
            };
            match cidr.str() {
                Got::Known(text) if is_world(text) => out.fail(
                    rule.declared_by,
                    format!(
                        "lets the instances send {} to {text}, the whole internet",
                        rule.describe_ports()
                    ),
                    "reach AWS through the VPC endpoints (their security group, the S3 prefix list) and name every other destination",
                ),
                Got::Unknown => out.undecided(rule.declared_by, "a destination CIDR is unknown"),
                _ => {}
            }
        }
    }
}
