//! Interface VPC endpoints (`payments:network:Endpoints`): private access to AWS APIs from
//! subnets that have no NAT route. Every interface endpoint of the platform is declared here, in
//! [`INTERFACE_ENDPOINTS`], behind one security group that admits HTTPS only from the groups given
//! to [`allow`].
//!
//! Today: Secrets Manager in the database subnets, for DMS (3.4.7 and later), which reads its
//! endpoint credentials from Secrets Manager and, in the database subnets, has no other way out.

use payments_aws::args::register;
use payments_aws::ec2::{SecurityGroupArgs, VpcEndpointArgs};
use pulumi_runtime::{Output, Resource};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::{self, Peer, Rule};

/// HTTPS, the port of every AWS API.
pub const HTTPS_PORT: i64 = 443;

/// The interface endpoints: the service (the last part of `com.amazonaws.<region>.<service>`) and
/// the tier whose subnets hold its network interfaces.
pub const INTERFACE_ENDPOINTS: &[(&str, Tier)] = &[("secretsmanager", Tier::Data)];

/// The endpoints and their security group.
pub struct Endpoints {
    /// The component.
    pub component: Resource,
    /// The security group of every interface endpoint.
    pub group: Resource,
    /// The endpoints, by service.
    pub endpoints: Vec<(&'static str, Resource)>,
}

/// Builds the interface endpoints (private DNS on, so the usual API names resolve to them).
pub fn build(scope: &Scope, network: &Network) -> Endpoints {
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
    let endpoints = INTERFACE_ENDPOINTS
        .iter()
        .map(|(service, tier)| {
            let name = config.naming.label(&format!("vpce-{service}"));
            let endpoint = register(
                &scope.ctx,
                &name,
                &VpcEndpointArgs {
                    vpc_id: set(network.vpc.id()),
                    service_name: set(format!("com.amazonaws.{}.{service}", config.region)),
                    vpc_endpoint_type: set("Interface"),
                    private_dns_enabled: set(true),
                    subnet_ids: set(Output::all(network.subnet_ids(*tier))),
                    security_group_ids: set(Output::all([group.id()])),
                    tags: set(tags::named(config, &name)),
                    ..Default::default()
                },
                scope.child_of(&component),
            );
            (*service, endpoint)
        })
        .collect();
    Endpoints {
        component,
        group,
        endpoints,
    }
}

/// Lets `client` (a security group, `label` in rule names) reach the endpoints on 443: egress
/// from the client, ingress on the endpoints' group. Returns both rules.
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
