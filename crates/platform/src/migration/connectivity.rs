//! Hybrid connectivity (`payments:migration:Connectivity`): a Site-to-Site VPN (two IPsec
//! tunnels) from the data center's customer gateway to a virtual private gateway attached to the
//! VPC, with static routes or BGP, and route propagation into the private route tables so the app
//! tier and DMS reach the data center.

use payments_aws::args::register;
use payments_aws::ec2::{
    CustomerGatewayArgs, VpnConnectionArgs, VpnConnectionRouteArgs, VpnGatewayArgs,
    VpnGatewayRoutePropagationArgs,
};
use pulumi_runtime::Resource;

use super::Migration;
use crate::network::{Network, Tier};
use crate::scope::{Scope, set};
use crate::tags;

/// Builds the VPN when the phase has one; returns the VPN gateway.
pub fn build(scope: &Scope, network: &Network, migration: Migration<'_>) -> Option<Resource> {
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
    if settings.static_routes {
        for cidr in &settings.on_prem_cidrs {
            register(
                &scope.ctx,
                &naming.label(&format!("vpn-route-{cidr}")),
                &VpnConnectionRouteArgs {
                    vpn_connection_id: set(connection.id()),
                    destination_cidr_block: set(cidr.clone()),
                    ..Default::default()
                },
                opts(),
            );
        }
    }
    for tier in [Tier::App, Tier::Data] {
        for (index, table) in network.route_tables(tier).into_iter().enumerate() {
            register(
                &scope.ctx,
                &naming.label(&format!("vpn-propagation-{tier:?}-{index}")),
                &VpnGatewayRoutePropagationArgs {
                    vpn_gateway_id: set(gateway.id()),
                    route_table_id: set(table.id()),
                    ..Default::default()
                },
                opts(),
            );
        }
    }
    Some(gateway)
}
