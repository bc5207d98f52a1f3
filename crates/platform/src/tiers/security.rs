//! Security groups (`payments:security:SecurityGroups`): a chain of least privilege.
//! - ALB: 443 (and 80, which only redirects) from `allowedIngressCidrs` and prefix lists; egress
//!   only to the app port of the app group.
//! - App: the app port from the ALB group only; egress 3306 to the database group, and 443 only to
//!   the VPC endpoints (added by `crate::tiers::endpoints`): no egress to the internet at all.
//! - Database: 3306 from the app group only; no egress.
//!
//! No SSH or RDP anywhere: operators use SSM Session Manager. No rule admits 0.0.0.0/0 or ::/0
//! (the config loader rejects them before anything is registered).

use payments_aws::args::register;
use payments_aws::ec2::SecurityGroupArgs;
use payments_aws::vpc::{SecurityGroupEgressRuleArgs, SecurityGroupIngressRuleArgs};
use pulumi_runtime::{Output, Resource};

use crate::naming::NameKind;
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::migration::Migration;
use crate::tiers::network::Network;

/// MySQL's port.
pub const MYSQL_PORT: i64 = 3306;

/// The platform's security groups.
#[derive(Clone)]
pub struct SecurityGroups {
    /// Load balancer group.
    pub alb: Resource,
    /// Application instances group.
    pub app: Resource,
    /// Database group.
    pub db: Resource,
}

/// Where a rule's traffic comes from or goes to.
#[derive(Clone)]
pub enum Peer {
    /// An IPv4 CIDR.
    Cidr(String),
    /// A managed prefix list (configured, or the S3 gateway endpoint's).
    PrefixList(Output<String>),
    /// Another security group.
    Group(Output<String>),
}

/// One TCP rule.
pub struct Rule<'a> {
    /// Logical name suffix.
    pub name: &'a str,
    /// Description shown in the console.
    pub description: &'a str,
    /// The TCP port.
    pub port: i64,
    /// The peer.
    pub peer: Peer,
}

fn peer_fields(
    peer: Peer,
) -> (
    Option<String>,
    Option<Output<String>>,
    Option<Output<String>>,
) {
    match peer {
        Peer::Cidr(cidr) => (Some(cidr), None, None),
        Peer::PrefixList(id) => (None, Some(id), None),
        Peer::Group(id) => (None, None, Some(id)),
    }
}

/// The inputs of a TCP rule on `group` from or to `rule.peer`. Ingress and egress rules are
/// different resource types with the same inputs, hence a macro rather than a function.
macro_rules! tcp_rule {
    ($args:ident, $group:expr, $rule:expr) => {{
        let rule: Rule<'_> = $rule;
        let (cidr, prefix_list, peer_group) = peer_fields(rule.peer);
        $args {
            security_group_id: set($group.id()),
            ip_protocol: set("tcp"),
            from_port: set(rule.port),
            to_port: set(rule.port),
            cidr_ipv4: cidr.map(Into::into),
            prefix_list_id: prefix_list.map(Into::into),
            referenced_security_group_id: peer_group.map(Into::into),
            description: set(rule.description.to_owned()),
            ..Default::default()
        }
    }};
}

/// Adds an ingress rule to `group`.
pub fn ingress(scope: &Scope, parent: &Resource, group: &Resource, rule: Rule<'_>) -> Resource {
    let name = scope.config.naming.label(&format!("ingress-{}", rule.name));
    let args = tcp_rule!(SecurityGroupIngressRuleArgs, group, rule);
    register(&scope.ctx, &name, &args, scope.child_of(parent))
}

/// Adds an egress rule to `group`.
pub fn egress(scope: &Scope, parent: &Resource, group: &Resource, rule: Rule<'_>) -> Resource {
    let name = scope.config.naming.label(&format!("egress-{}", rule.name));
    let args = tcp_rule!(SecurityGroupEgressRuleArgs, group, rule);
    register(&scope.ctx, &name, &args, scope.child_of(parent))
}

fn group(
    scope: &Scope,
    parent: &Resource,
    network: &Network,
    kind: NameKind,
    description: &str,
) -> Resource {
    let name = scope.config.naming.name(kind);
    register(
        &scope.ctx,
        &name,
        &SecurityGroupArgs {
            name: set(name.clone()),
            description: set(description.to_owned()),
            vpc_id: set(network.vpc.id()),
            revoke_rules_on_delete: set(true),
            tags: set(tags::named(&scope.config, &name)),
            ..Default::default()
        },
        scope.child_of(parent),
    )
}

/// Builds the three groups and their rules. During a migration, the on-prem networks are admitted
/// only where the migration needs them: ALB to the on-prem app servers while traffic is weighted,
/// the app tier to the on-prem MySQL while it is the writer.
pub fn build(scope: &Scope, network: &Network, migration: Option<Migration<'_>>) -> SecurityGroups {
    let component = scope.component("payments:security:SecurityGroups", "security-groups");
    let alb = group(
        scope,
        &component,
        network,
        NameKind::AlbSecurityGroup,
        "Payments ALB: HTTPS from allowed networks",
    );
    let app = group(
        scope,
        &component,
        network,
        NameKind::AppSecurityGroup,
        "Payments app: app port from the ALB only",
    );
    let db = group(
        scope,
        &component,
        network,
        NameKind::DbSecurityGroup,
        "Payments MySQL: 3306 from the app tier only",
    );
    alb_ingress(scope, &component, &alb);
    let groups = Groups {
        alb: &alb,
        app: &app,
        db: &db,
    };
    tier_rules(scope, &component, &groups);
    if let Some(migration) = migration {
        migration_rules(scope, &component, &alb, &app, migration);
    }
    SecurityGroups { alb, app, db }
}

/// The three groups, borrowed for the rules between them.
struct Groups<'a> {
    alb: &'a Resource,
    app: &'a Resource,
    db: &'a Resource,
}

/// HTTPS (and HTTP, which only redirects) to the ALB from every allowed network and prefix list.
fn alb_ingress(scope: &Scope, component: &Resource, alb: &Resource) {
    let config = &scope.config;
    let sources = config
        .allowed_ingress_cidrs
        .iter()
        .map(|cidr| (cidr.replace(['.', '/'], "-"), Peer::Cidr(cidr.clone())))
        .chain(
            config
                .allowed_prefix_list_ids
                .iter()
                .map(|id| (id.clone(), Peer::PrefixList(Output::known(id.clone())))),
        );
    for (label, peer) in sources {
        for (port, what) in [(443, "https"), (80, "http-redirect")] {
            ingress(
                scope,
                component,
                alb,
                Rule {
                    name: &format!("alb-{what}-{label}"),
                    description: if port == 443 {
                        "HTTPS from an allowed network"
                    } else {
                        "HTTP, redirected to HTTPS"
                    },
                    port,
                    peer: peer.clone(),
                },
            );
        }
    }
}

/// The chain ALB -> app -> database, each hop admitted on both sides.
fn tier_rules(scope: &Scope, component: &Resource, groups: &Groups<'_>) {
    let config = &scope.config;
    let Groups { alb, app, db } = *groups;
    egress(
        scope,
        component,
        alb,
        Rule {
            name: "alb-to-app",
            description: "ALB to the app port of the instances",
            port: config.app_port,
            peer: Peer::Group(app.id()),
        },
    );
    ingress(
        scope,
        component,
        app,
        Rule {
            name: "app-from-alb",
            description: "App port from the ALB only",
            port: config.app_port,
            peer: Peer::Group(alb.id()),
        },
    );
    egress(
        scope,
        component,
        app,
        Rule {
            name: "app-to-db",
            description: "MySQL to the database",
            port: MYSQL_PORT,
            peer: Peer::Group(db.id()),
        },
    );
    ingress(
        scope,
        component,
        db,
        Rule {
            name: "db-from-app",
            description: "MySQL from the app tier only",
            port: MYSQL_PORT,
            peer: Peer::Group(app.id()),
        },
    );
}

fn migration_rules(
    scope: &Scope,
    parent: &Resource,
    alb: &Resource,
    app: &Resource,
    migration: Migration<'_>,
) {
    let settings = migration.settings;
    for cidr in &settings.on_prem_cidrs {
        let label = cidr.replace(['.', '/'], "-");
        if let Some(servers) = settings
            .app_servers
            .as_ref()
            .filter(|_| migration.phase.has_weighted_traffic())
        {
            egress(
                scope,
                parent,
                alb,
                Rule {
                    name: &format!("alb-to-onprem-{label}"),
                    description: "ALB to the on-prem app servers over the VPN (weighted traffic)",
                    port: servers.port,
                    peer: Peer::Cidr(cidr.clone()),
                },
            );
        }
        if let Some(database) = settings
            .database
            .as_ref()
            .filter(|_| migration.phase.on_prem_writes())
        {
            egress(
                scope,
                parent,
                app,
                Rule {
                    name: &format!("app-to-onprem-db-{label}"),
                    description: "App tier to the on-prem MySQL while it is the writer",
                    port: database.port,
                    peer: Peer::Cidr(cidr.clone()),
                },
            );
        }
    }
}
