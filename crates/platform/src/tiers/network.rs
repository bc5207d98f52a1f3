//! The network tier (`payments:network:Network`): a VPC across two availability zones with a
//! public, a private application and a private database subnet in each, an internet gateway for
//! the public subnets only (no NAT gateway: the private tiers reach AWS through VPC endpoints), one
//! route table per tier and AZ, the default security group closed, and VPC flow logs of all
//! traffic to the log bucket.

use std::net::Ipv4Addr;

use payments_aws::args::{invoke, register};
use payments_aws::ec2::{
    DefaultSecurityGroupArgs, FlowLogArgs, InternetGatewayArgs, RouteArgs, RouteTableArgs,
    RouteTableAssociationArgs, SubnetArgs, VpcArgs,
};
use payments_aws::index::GetAvailabilityZonesArgs;
use pulumi_runtime::{Output, PropertyMap, Resource};

use crate::config::parse_cidr;
use crate::scope::{Scope, set};
use crate::tags;

/// The tiers of subnets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Internet-facing (the ALB).
    Public,
    /// Application instances.
    App,
    /// Database.
    Data,
}

impl Tier {
    /// All tiers, in CIDR allocation order.
    pub const ALL: [Tier; 3] = [Tier::Public, Tier::App, Tier::Data];

    fn label(self) -> &'static str {
        match self {
            Tier::Public => "public",
            Tier::App => "app",
            Tier::Data => "db",
        }
    }
}

/// One subnet of the network.
#[derive(Clone)]
pub struct Subnet {
    /// Its tier.
    pub tier: Tier,
    /// Its availability zone.
    pub zone: String,
    /// The subnet resource.
    pub resource: Resource,
    /// Its route table.
    pub route_table: Resource,
}

/// What the network tier gives the others.
#[derive(Clone)]
pub struct Network {
    /// The VPC.
    pub vpc: Resource,
    /// Every subnet, three per zone.
    pub subnets: Vec<Subnet>,
}

impl Network {
    /// The ids of the subnets of `tier`, in zone order.
    pub fn subnet_ids(&self, tier: Tier) -> Vec<Output<String>> {
        self.subnets
            .iter()
            .filter(|s| s.tier == tier)
            .map(|s| s.resource.id())
            .collect()
    }

    /// The route tables of `tier`, in zone order.
    pub fn route_tables(&self, tier: Tier) -> Vec<&Resource> {
        self.subnets
            .iter()
            .filter(|s| s.tier == tier)
            .map(|s| &s.route_table)
            .collect()
    }
}

/// Splits the VPC CIDR into `/prefix+4` blocks; block `index` (0-based) as text.
pub fn subnet_cidr(vpc_cidr: &str, index: u32) -> Option<String> {
    let (address, prefix) = parse_cidr(vpc_cidr)?;
    let sub_prefix = prefix.checked_add(4).filter(|p| *p <= 28)?;
    let base = u32::from(address) & (u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0));
    let size = 1u32.checked_shl(32 - u32::from(sub_prefix))?;
    let start = base.checked_add(size.checked_mul(index)?)?;
    Some(format!("{}/{sub_prefix}", Ipv4Addr::from(start)))
}

/// The availability zones: from config, else the first two the region reports.
async fn zones(scope: &Scope) -> Result<Vec<String>, String> {
    if scope.config.availability_zones.len() >= 2 {
        return Ok(scope.config.availability_zones[..2].to_vec());
    }
    let args = GetAvailabilityZonesArgs {
        state: set("available"),
        ..Default::default()
    };
    let answer = invoke(&scope.ctx, &args, &scope.provider).await?;
    let names: Vec<String> = answer
        .get("names")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    if names.len() < 2 {
        return Err(format!(
            "region {} reports fewer than two available zones ({names:?})",
            scope.config.region
        ));
    }
    Ok(names[..2].to_vec())
}

/// Builds the network tier; `flow_log_bucket_arn` receives the flow logs.
pub async fn build(scope: &Scope, flow_log_bucket_arn: Output<String>) -> Result<Network, String> {
    let component = scope.component("payments:network:Network", "network");
    let zones = zones(scope).await?;
    let vpc = vpc(scope, &component, flow_log_bucket_arn);
    let igw = internet_gateway(scope, &component, &vpc);
    let subnets = subnets(scope, &component, &vpc, &zones)?;
    public_routes(scope, &component, &subnets, &igw);
    let mut outputs = PropertyMap::new();
    outputs.insert("vpcId", vpc.id());
    scope.ctx.register_outputs(&component, outputs);
    Ok(Network { vpc, subnets })
}

/// The VPC, its default security group closed, and its flow logs (all traffic) to the log bucket.
fn vpc(scope: &Scope, parent: &Resource, flow_log_bucket_arn: Output<String>) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let vpc_name = naming.label("vpc");
    let vpc = register(
        &scope.ctx,
        &vpc_name,
        &VpcArgs {
            cidr_block: set(config.vpc_cidr.clone()),
            enable_dns_hostnames: set(true),
            enable_dns_support: set(true),
            tags: set(tags::named(config, &vpc_name)),
            ..Default::default()
        },
        opts(),
    );
    let default_sg_name = naming.label("default-sg-closed");
    register(
        &scope.ctx,
        &default_sg_name,
        &DefaultSecurityGroupArgs {
            vpc_id: set(vpc.id()),
            ingress: Some(Vec::new()),
            egress: Some(Vec::new()),
            tags: set(tags::named(config, &default_sg_name)),
            ..Default::default()
        },
        opts(),
    );
    let flow_log_name = naming.label("flowlog");
    register(
        &scope.ctx,
        &flow_log_name,
        &FlowLogArgs {
            vpc_id: set(vpc.id()),
            traffic_type: set("ALL"),
            log_destination_type: set("s3"),
            log_destination: set(flow_log_bucket_arn.map(|arn| format!("{arn}/vpc-flow-logs/"))),
            max_aggregation_interval: set(60),
            tags: set(tags::named(config, &flow_log_name)),
            ..Default::default()
        },
        opts(),
    );
    vpc
}

/// The internet gateway of the public subnets.
fn internet_gateway(scope: &Scope, parent: &Resource, vpc: &Resource) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let igw_name = naming.label("igw");
    register(
        &scope.ctx,
        &igw_name,
        &InternetGatewayArgs {
            vpc_id: set(vpc.id()),
            tags: set(tags::named(config, &igw_name)),
            ..Default::default()
        },
        opts(),
    )
}

/// A subnet per tier and zone (consecutive blocks of the VPC), each with its route table.
fn subnets(
    scope: &Scope,
    parent: &Resource,
    vpc: &Resource,
    zones: &[String],
) -> Result<Vec<Subnet>, String> {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let naming = &config.naming;
    let mut subnets = Vec::new();
    for (tier_index, tier) in (0u32..).zip(Tier::ALL) {
        for (zone_index, zone) in (0u32..).zip(zones) {
            let letter = zone.chars().last().unwrap_or('x');
            let name = format!("{}-{letter}", tier.label());
            let cidr = subnet_cidr(&config.vpc_cidr, tier_index * 2 + zone_index)
                .ok_or_else(|| format!("vpcCidr {} cannot hold six subnets", config.vpc_cidr))?;
            let subnet_name = naming.label(&format!("subnet-{name}"));
            let subnet = register(
                &scope.ctx,
                &subnet_name,
                &SubnetArgs {
                    vpc_id: set(vpc.id()),
                    cidr_block: set(cidr),
                    availability_zone: set(zone.clone()),
                    map_public_ip_on_launch: set(false),
                    tags: set(tags::named(config, &subnet_name)),
                    ..Default::default()
                },
                opts(),
            );
            let route_table_name = naming.label(&format!("rt-{name}"));
            let route_table = register(
                &scope.ctx,
                &route_table_name,
                &RouteTableArgs {
                    vpc_id: set(vpc.id()),
                    tags: set(tags::named(config, &route_table_name)),
                    ..Default::default()
                },
                opts(),
            );
            register(
                &scope.ctx,
                &naming.label(&format!("rta-{name}")),
                &RouteTableAssociationArgs {
                    route_table_id: set(route_table.id()),
                    subnet_id: set(subnet.id()),
                    ..Default::default()
                },
                opts(),
            );
            subnets.push(Subnet {
                tier,
                zone: zone.clone(),
                resource: subnet,
                route_table,
            });
        }
    }
    Ok(subnets)
}

/// The default routes of the public subnets, to the internet gateway. The app and database
/// subnets have none: they reach AWS through the VPC endpoints (`crate::tiers::endpoints`) and the
/// data center through the VPN, and nothing else.
fn public_routes(scope: &Scope, parent: &Resource, subnets: &[Subnet], igw: &Resource) {
    let naming = &scope.config.naming;
    for public in subnets.iter().filter(|s| s.tier == Tier::Public) {
        let letter = public.zone.chars().last().unwrap_or('x');
        register(
            &scope.ctx,
            &naming.label(&format!("route-public-{letter}-internet")),
            &RouteArgs {
                route_table_id: set(public.route_table.id()),
                destination_cidr_block: set("0.0.0.0/0"),
                gateway_id: set(igw.id()),
                ..Default::default()
            },
            scope.child_of(parent),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_are_consecutive_blocks_of_the_vpc() {
        assert_eq!(
            subnet_cidr("10.0.0.0/16", 0).as_deref(),
            Some("10.0.0.0/20")
        );
        assert_eq!(
            subnet_cidr("10.0.0.0/16", 5).as_deref(),
            Some("10.0.80.0/20")
        );
        assert_eq!(
            subnet_cidr("10.1.2.0/24", 1).as_deref(),
            Some("10.1.2.16/28")
        );
        assert_eq!(subnet_cidr("10.0.0.0/26", 0), None);
    }
}
