//! Hybrid connectivity (`payments:migration:Connectivity`): a Site-to-Site VPN (two IPsec
//! tunnels) from the data center's customer gateway to a virtual private gateway attached to the
//! VPC, with static routes or BGP, and route propagation into every route table (public, app,
//! database), so the ALB (its nodes live in the public subnets and reach the on-prem IP targets),
//! the app tier and DMS all route the data center's ranges to the virtual private gateway. A
//! propagated on-prem route is more specific than the public tables' `0.0.0.0/0` to the internet
//! gateway, so it wins.

use payments_aws::args::register;
use payments_aws::ec2::{
    CustomerGatewayArgs, VpnConnectionArgs, VpnConnectionRouteArgs, VpnGatewayArgs,
    VpnGatewayRoutePropagationArgs,
};
use pulumi_runtime::Resource;

use super::Migration;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::network::{Network, Tier};

/// The VPN: its gateway and everything a flow to the data center needs to be routed.
pub struct Vpn {
    /// The virtual private gateway.
    pub gateway: Resource,
    /// The connection, its static routes and the route propagations: what DMS tasks wait for.
    pub routes: Vec<Resource>,
}

/// The route tables the VPN's routes are propagated into: every tier's, since the ALB (public),
/// the app tier and DMS (database subnets) all reach the data center.
pub const PROPAGATED_TIERS: [Tier; 3] = [Tier::Public, Tier::App, Tier::Data];

/// Builds the VPN when the phase has one.
pub fn build(scope: &Scope, network: &Network, migration: Migration<'_>) -> Option<Vpn> {
    if !migration.phase.has_vpn() {
        return None;
    }
    let settings = migration.settings;
    let config = &scope.config;
    let component = scope.component("payments:migration:Connectivity", "connectivity");
    let opts = || scope.child_of(&component);
    let naming = &config.naming;
    let customer_gateway_name = naming.label("cgw-datacenter");
    let customer_gateway = register(
        &scope.ctx,
        &customer_gateway_name,
        &CustomerGatewayArgs {
            ip_address: settings.customer_gateway_ip.clone().map(Into::into),
            bgp_asn: set(settings.bgp_asn.to_string()),
            type_: set("ipsec.1"),
            tags: set(tags::named(config, &customer_gateway_name)),
            ..Default::default()
        },
        opts(),
    );
    let gateway_name = naming.label("vgw");
    let gateway = register(
        &scope.ctx,
        &gateway_name,
        &VpnGatewayArgs {
            vpc_id: set(network.vpc.id()),
            tags: set(tags::named(config, &gateway_name)),
            ..Default::default()
        },
        opts(),
    );
    let connection_name = naming.label("vpn-datacenter");
    let connection = register(
        &scope.ctx,
        &connection_name,
        &VpnConnectionArgs {
            customer_gateway_id: set(customer_gateway.id()),
            vpn_gateway_id: set(gateway.id()),
            type_: set("ipsec.1"),
            static_routes_only: set(settings.static_routes),
            tunnel1_ike_versions: set(vec!["ikev2".to_owned()]),
            tunnel2_ike_versions: set(vec!["ikev2".to_owned()]),
            tags: set(tags::named(config, &connection_name)),
            ..Default::default()
        },
        opts(),
    );
    let mut routes = Vec::new();
    if settings.static_routes {
        for cidr in &settings.on_prem_cidrs {
            routes.push(register(
                &scope.ctx,
                &naming.label(&format!("vpn-route-{cidr}")),
                &VpnConnectionRouteArgs {
                    vpn_connection_id: set(connection.id()),
                    destination_cidr_block: set(cidr.clone()),
                    ..Default::default()
                },
                opts(),
            ));
        }
    }
    for tier in PROPAGATED_TIERS {
        for (index, table) in network.route_tables(tier).into_iter().enumerate() {
            routes.push(register(
                &scope.ctx,
                &naming.label(&format!("vpn-propagation-{tier:?}-{index}")),
                &VpnGatewayRoutePropagationArgs {
                    vpn_gateway_id: set(gateway.id()),
                    route_table_id: set(table.id()),
                    ..Default::default()
                },
                opts(),
            ));
        }
    }
    routes.push(connection);
    Some(Vpn { gateway, routes })
}
