//! Network facts the rules share: security group ingress rules normalised from their three
//! forms, routes from both forms, route table associations, and which subnets are public.

use std::collections::BTreeSet;

use pulumi_runtime::plan::PlanResource;

use crate::tokens::{
    DEFAULT_SG, IGW, LB_TYPES, NAT, ROUTE, ROUTE_TABLE, RTA, SG, SG_EGRESS, SG_INGRESS, SG_RULE,
    SG_TYPES, SUBNET, VPC,
};
use crate::view::{Got, PlanView, Refs, Val, input};

/// An IP protocol as security groups name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Proto {
    /// `-1` / `all`: every protocol and port.
    All,
    /// `tcp` / `6`.
    Tcp,
    /// `udp` / `17`.
    Udp,
    /// Anything else (ICMP, ...), which has no ports.
    Other(String),
}

impl Proto {
    fn parse(val: &Val<'_>) -> Got<Self> {
        let text = match (val.str(), val.int()) {
            (Got::Known(text), _) => text.to_ascii_lowercase(),
            (_, Got::Known(number)) => number.to_string(),
            (Got::Unknown, _) | (_, Got::Unknown) => return Got::Unknown,
            (Got::Absent, Got::Absent) => return Got::Absent,
        };
        Got::Known(match text.as_str() {
            "-1" | "all" => Self::All,
            "tcp" | "6" => Self::Tcp,
            "udp" | "17" => Self::Udp,
            _ => Self::Other(text),
        })
    }
}

/// Which way a security group rule goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Traffic into the group.
    Ingress,
    /// Traffic out of the group.
    Egress,
}

impl Direction {
    /// The name AWS and the providers use (`ingress`, `egress`).
    fn as_str(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }
}

/// Where an ingress rule admits traffic from (or an egress rule lets it go to).
#[derive(Clone, Debug)]
pub(crate) enum Source<'p> {
    /// An IPv4 or IPv6 CIDR block.
    Cidr(Val<'p>),
    /// A managed prefix list.
    PrefixList(Val<'p>),
    /// Another security group.
    Group(Refs<'p>),
    /// The group itself (`self: true`).
    SelfGroup,
}

/// One ingress (or egress) rule, whichever way it was declared.
#[derive(Clone, Debug)]
pub(crate) struct Ingress<'p> {
    /// The resource that declares it (a rule resource, or the group for inline rules).
    pub declared_by: &'p PlanResource,
    /// The security group it belongs to.
    pub group: Refs<'p>,
    /// Its protocol.
    pub protocol: Got<Proto>,
    /// First port.
    pub from: Got<i64>,
    /// Last port.
    pub to: Got<i64>,
    /// Its sources.
    pub sources: Vec<Source<'p>>,
    /// Whether some sources are unknown.
    pub sources_unknown: bool,
    /// Whether it is only possibly an ingress rule (a `securityGroupRule` of unknown type):
    /// rules report it as undecided, never as a violation.
    pub uncertain: bool,
}

impl Ingress<'_> {
    /// Whether it admits traffic to `port` (TCP or UDP).
    pub fn covers(&self, port: i64) -> Got<bool> {
        match &self.protocol {
            Got::Unknown => Got::Unknown,
            Got::Known(Proto::All) => Got::Known(true),
            Got::Known(Proto::Other(_)) => Got::Known(false),
            Got::Absent | Got::Known(Proto::Tcp | Proto::Udp) => match (&self.from, &self.to) {
                (Got::Unknown, _) | (_, Got::Unknown) => Got::Unknown,
                (Got::Absent, Got::Absent) => Got::Known(true),
                (from, to) => {
                    let from = from.clone().known().unwrap_or(0);
                    let to = to.clone().known().unwrap_or(65535);
                    Got::Known(from <= port && port <= to)
                }
            },
        }
    }

    /// `tcp 443`, `tcp 1024-65535`, `all protocols and ports`.
    pub fn describe_ports(&self) -> String {
        let proto = match &self.protocol {
            Got::Known(Proto::All) => return "all protocols and ports".to_owned(),
            Got::Known(Proto::Tcp) => "tcp",
            Got::Known(Proto::Udp) => "udp",
            Got::Known(Proto::Other(p)) => p.as_str(),
            Got::Unknown => "an unknown protocol",
            Got::Absent => "an unset protocol",
        };
        match (&self.from, &self.to) {
            (Got::Known(a), Got::Known(b)) if a == b => format!("{proto} {a}"),
            (Got::Known(a), Got::Known(b)) => format!("{proto} {a}-{b}"),
            _ => proto.to_owned(),
        }
    }

    /// The single TCP port it admits, if that is what it does.
    pub fn single_tcp_port(&self) -> Option<i64> {
        match (&self.protocol, &self.from, &self.to) {
            (Got::Known(Proto::Tcp), Got::Known(a), Got::Known(b)) if a == b => Some(*a),
            _ => None,
        }
    }
}

fn list_of<'p>(val: Val<'p>) -> (Vec<Val<'p>>, bool) {
    match val.items() {
        Got::Known(items) => (items, false),
        Got::Unknown => (Vec::new(), true),
        Got::Absent => (Vec::new(), false),
    }
}

/// Inline rules of a security group or default security group (`ingress` or `egress`).
fn inline_rules<'p>(
    view: &PlanView<'p>,
    group: &'p PlanResource,
    property: &str,
    out: &mut Vec<Ingress<'p>>,
) {
    let Got::Known(items) = input(group, property).items() else {
        return;
    };
    // Dependencies are recorded for the whole list: group references resolve through them.
    let group_refs = view.refs(group, property, &SG_TYPES);
    for item in items {
        let mut sources = Vec::new();
        let mut sources_unknown = item.is_unknown();
        for (key, as_cidr) in [
            ("cidrBlocks", true),
            ("ipv6CidrBlocks", true),
            ("prefixListIds", false),
        ] {
            let (values, unknown) = list_of(item.get(key));
            sources_unknown |= unknown;
            sources.extend(values.into_iter().map(|v| {
                if as_cidr {
                    Source::Cidr(v)
                } else {
                    Source::PrefixList(v)
                }
            }));
        }
        let (groups, unknown) = list_of(item.get("securityGroups"));
        sources_unknown |= unknown;
        if !groups.is_empty() {
            sources.push(Source::Group(group_refs.clone()));
        }
        if item.get("self").bool() == Got::Known(true) {
            sources.push(Source::SelfGroup);
        }
        out.push(Ingress {
            declared_by: group,
            group: Refs::Resolved(vec![group]),
            protocol: Proto::parse(&item.get("protocol")),
            from: item.get("fromPort").int(),
            to: item.get("toPort").int(),
            sources,
            sources_unknown,
            uncertain: false,
        });
    }
}

/// Every ingress rule of the plan: `aws:vpc/securityGroupIngressRule`, ingress
/// `aws:ec2/securityGroupRule`, and inline `ingress` of security groups and default security
/// groups.
pub(crate) fn ingress_rules<'p>(view: &PlanView<'p>) -> Vec<Ingress<'p>> {
    rules_of(view, Direction::Ingress)
}

/// Every rule of `direction` in the plan, declared in any of the three ways (the sources of an
/// egress rule are its destinations).
pub(crate) fn rules_of<'p>(view: &PlanView<'p>, direction: Direction) -> Vec<Ingress<'p>> {
    let mut out = Vec::new();
    let rule_type = match direction {
        Direction::Ingress => SG_INGRESS,
        Direction::Egress => SG_EGRESS,
    };
    for rule in view.of_type(rule_type) {
        let mut sources = Vec::new();
        for key in ["cidrIpv4", "cidrIpv6"] {
            let val = input(rule, key);
            if !val.is_absent() {
                sources.push(Source::Cidr(val));
            }
        }
        let prefix = input(rule, "prefixListId");
        if !prefix.is_absent() {
            sources.push(Source::PrefixList(prefix));
        }
        if !input(rule, "referencedSecurityGroupId").is_absent() {
            sources.push(Source::Group(view.refs(
                rule,
                "referencedSecurityGroupId",
                &SG_TYPES,
            )));
        }
        out.push(Ingress {
            declared_by: rule,
            group: view.refs(rule, "securityGroupId", &SG_TYPES),
            protocol: Proto::parse(&input(rule, "ipProtocol")),
            from: input(rule, "fromPort").int(),
            to: input(rule, "toPort").int(),
            sources,
            sources_unknown: false,
            uncertain: false,
        });
    }
    for rule in view.of_type(SG_RULE) {
        let declared = input(rule, "type").str();
        if matches!(declared, Got::Known(d) if d != direction.as_str()) {
            continue;
        }
        let mut sources = Vec::new();
        let mut sources_unknown = false;
        for (key, as_cidr) in [
            ("cidrBlocks", true),
            ("ipv6CidrBlocks", true),
            ("prefixListIds", false),
        ] {
            let (values, unknown) = list_of(input(rule, key));
            sources_unknown |= unknown;
            sources.extend(values.into_iter().map(|v| {
                if as_cidr {
                    Source::Cidr(v)
                } else {
                    Source::PrefixList(v)
                }
            }));
        }
        if !input(rule, "sourceSecurityGroupId").is_absent() {
            sources.push(Source::Group(view.refs(
                rule,
                "sourceSecurityGroupId",
                &SG_TYPES,
            )));
        }
        if input(rule, "self").bool() == Got::Known(true) {
            sources.push(Source::SelfGroup);
        }
        out.push(Ingress {
            declared_by: rule,
            group: view.refs(rule, "securityGroupId", &SG_TYPES),
            protocol: Proto::parse(&input(rule, "protocol")),
            from: input(rule, "fromPort").int(),
            to: input(rule, "toPort").int(),
            sources,
            sources_unknown,
            uncertain: !matches!(declared, Got::Known(_)),
        });
    }
    for ty in [SG, DEFAULT_SG] {
        for group in view.of_type(ty) {
            inline_rules(view, group, direction.as_str(), &mut out);
        }
    }
    out
}

/// One route.
#[derive(Clone, Debug)]
pub(crate) struct Route<'p> {
    /// The route resource, or the route table for inline routes.
    pub declared_by: &'p PlanResource,
    /// The route table it is in (a VPC for its main route table).
    pub table: Refs<'p>,
    /// The destination CIDR (IPv4 or IPv6) or prefix list.
    pub destination: Got<String>,
    /// Whether its target is an internet gateway.
    pub to_igw: Got<bool>,
}

impl Route<'_> {
    /// Whether the destination is a default route (`0.0.0.0/0` or `::/0`).
    pub fn is_default(&self) -> Got<bool> {
        match &self.destination {
            Got::Known(d) => Got::Known(is_world(d)),
            Got::Unknown => Got::Unknown,
            Got::Absent => Got::Known(false),
        }
    }
}

/// Whether a CIDR block is the whole address space.
pub(crate) fn is_world(cidr: &str) -> bool {
    cidr.trim()
        .rsplit_once('/')
        .is_some_and(|(_, prefix)| prefix.trim() == "0")
}

fn destination<'a>(get: impl Fn(&str) -> Val<'a>, keys: &[&str]) -> Got<String> {
    let mut result = Got::Absent;
    for key in keys {
        match get(key).str() {
            Got::Known(d) => return Got::Known(d.to_owned()),
            Got::Unknown => result = Got::Unknown,
            Got::Absent => {}
        }
    }
    result
}

fn gateway_is_igw(gateway: &Val<'_>, refs: &Refs<'_>) -> Got<bool> {
    if gateway.is_absent() {
        return Got::Known(false);
    }
    match (gateway.str(), refs) {
        (Got::Known(id), _) if id.starts_with("igw-") => Got::Known(true),
        (Got::Known(id), Refs::Resolved(found)) => {
            Got::Known(!found.is_empty() || id.starts_with("igw-"))
        }
        (Got::Known(id), _) => Got::Known(id.starts_with("igw-")),
        (_, Refs::Resolved(found)) => Got::Known(!found.is_empty()),
        (_, Refs::Unknown) => Got::Unknown,
        (_, Refs::Absent) => Got::Unknown,
    }
}

/// Every route: `aws:ec2/route:Route` and inline `routes` of route tables.
pub(crate) fn routes<'p>(view: &PlanView<'p>) -> Vec<Route<'p>> {
    let mut out = Vec::new();
    for route in view.of_type(ROUTE) {
        let gateway = input(route, "gatewayId");
        let igw = view.refs(route, "gatewayId", &[IGW]);
        out.push(Route {
            declared_by: route,
            table: view.refs(route, "routeTableId", &[ROUTE_TABLE, VPC]),
            destination: destination(
                |key| input(route, key),
                &[
                    "destinationCidrBlock",
                    "destinationIpv6CidrBlock",
                    "destinationPrefixListId",
                ],
            ),
            to_igw: gateway_is_igw(&gateway, &igw),
        });
    }
    for table in view.of_type(ROUTE_TABLE) {
        let Got::Known(items) = input(table, "routes").items() else {
            continue;
        };
        let igw = view.refs(table, "routes", &[IGW]);
        for item in items {
            out.push(Route {
                declared_by: table,
                table: Refs::Resolved(vec![table]),
                destination: destination(
                    |key| item.get(key),
                    &["cidrBlock", "ipv6CidrBlock", "destinationPrefixListId"],
                ),
                to_igw: gateway_is_igw(&item.get("gatewayId"), &igw),
            });
        }
    }
    out
}

/// The route tables explicitly associated with `subnet` (by `aws:ec2/routeTableAssociation`),
/// and whether some association's subnet or table is unknown.
pub(crate) fn tables_of_subnet<'p>(
    view: &PlanView<'p>,
    subnet: &PlanResource,
) -> (Vec<&'p PlanResource>, bool) {
    let mut tables = Vec::new();
    let mut unknown = false;
    for association in view.of_type(RTA) {
        match view.refs(association, "subnetId", &[SUBNET]) {
            Refs::Resolved(found) if found.iter().any(|s| s.urn == subnet.urn) => {}
            Refs::Unknown => {
                unknown = true;
                continue;
            }
            _ => continue,
        }
        match view.refs(association, "routeTableId", &[ROUTE_TABLE]) {
            Refs::Resolved(found) => tables.extend(found),
            Refs::Unknown => unknown = true,
            Refs::Absent => {}
        }
    }
    (tables, unknown)
}

/// The subnets explicitly associated with `table`, and whether some association is unknown.
pub(crate) fn subnets_of_table<'p>(
    view: &PlanView<'p>,
    table: &PlanResource,
) -> (Vec<&'p PlanResource>, bool) {
    let mut subnets = Vec::new();
    let mut unknown = false;
    for association in view.of_type(RTA) {
        match view.refs(association, "routeTableId", &[ROUTE_TABLE]) {
            Refs::Resolved(found) if found.iter().any(|t| t.urn == table.urn) => {}
            Refs::Unknown => {
                unknown = true;
                continue;
            }
            _ => continue,
        }
        match view.refs(association, "subnetId", &[SUBNET]) {
            Refs::Resolved(found) => subnets.extend(found),
            Refs::Unknown => unknown = true,
            Refs::Absent => {}
        }
    }
    (subnets, unknown)
}

/// The public subnets: those the internet-facing load balancers and the NAT gateways live in;
/// and whether some of them are unknown (then a subnet missing from the set may be public).
pub(crate) fn public_subnets(view: &PlanView<'_>) -> (BTreeSet<String>, bool) {
    let mut public = BTreeSet::new();
    let mut unknown = false;
    let mut add = |refs: Refs<'_>| match refs {
        Refs::Resolved(found) => public.extend(found.iter().map(|s| s.urn.clone())),
        Refs::Unknown => unknown = true,
        Refs::Absent => {}
    };
    for ty in LB_TYPES {
        for lb in view.of_type(ty) {
            if input(lb, "internal").bool() == Got::Known(true) {
                continue;
            }
            for property in ["subnets", "subnetMappings"] {
                add(view.refs(lb, property, &[SUBNET]));
            }
        }
    }
    for nat in view.of_type(NAT) {
        if input(nat, "connectivityType").str() == Got::Known("private") {
            continue;
        }
        add(view.refs(nat, "subnetId", &[SUBNET]));
    }
    (public, unknown)
}
