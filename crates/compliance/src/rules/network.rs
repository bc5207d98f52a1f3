//! Network rules: flow logs, the default security group, subnets, routes and security groups.

use std::collections::BTreeSet;

use pulumi_runtime::plan::PlanResource;

use crate::net::{self, Ingress, Source, is_world};
use crate::rule::Out;
use crate::tokens::{
    ASG, BUCKET, DEFAULT_SG, DMS_INSTANCE, DMS_SUBNET_GROUP, FLOW_LOG, LAUNCH_TEMPLATE, LB_TYPES,
    LOG_GROUP, RDS_INSTANCE, RDS_SUBNET_GROUP, SG_EGRESS, SG_INGRESS, SG_RULE, SG_TYPES, SUBNET,
    TG_TYPES, VPC,
};
use crate::view::{Got, PlanView, Refs, input, label};

/// The outcome of checking one flow log.
enum FlowLog {
    Good,
    Bad(String),
    Undecided(String),
}

fn check_flow_log(view: &PlanView<'_>, log: &PlanResource) -> FlowLog {
    match input(log, "trafficType").str() {
        Got::Known("ALL") => {}
        Got::Known(other) => {
            return FlowLog::Bad(format!("captures only {other} traffic, not ALL"));
        }
        Got::Absent => return FlowLog::Bad("sets no trafficType".to_owned()),
        Got::Unknown => return FlowLog::Undecided("trafficType is unknown".to_owned()),
    }
    let destination_type = input(log, "logDestinationType").str();
    match destination_type {
        Got::Known("s3") => match view.refs(log, "logDestination", &[BUCKET]) {
            Refs::Resolved(found) if !found.is_empty() => FlowLog::Good,
            Refs::Resolved(_) => {
                FlowLog::Bad("delivers to a bucket that is not the stack's log bucket".to_owned())
            }
            Refs::Absent => FlowLog::Bad("has no logDestination".to_owned()),
            Refs::Unknown => FlowLog::Undecided(
                "logDestination is unknown and has no recorded dependency".to_owned(),
            ),
        },
        Got::Known("cloud-watch-logs") | Got::Absent => {
            let mut refs = view.refs(log, "logDestination", &[LOG_GROUP]);
            if matches!(refs, Refs::Absent) {
                refs = view.refs(log, "logGroupName", &[LOG_GROUP]);
            }
            match refs {
                Refs::Resolved(groups) if !groups.is_empty() => {
                    if groups.iter().any(|g| !input(g, "kmsKeyId").is_absent()) {
                        FlowLog::Good
                    } else {
                        FlowLog::Bad(format!(
                            "delivers to log group \"{}\", which has no KMS key",
                            groups[0].name
                        ))
                    }
                }
                Refs::Resolved(_) => FlowLog::Bad(
                    "delivers to a log group that is not part of this stack".to_owned(),
                ),
                Refs::Absent => FlowLog::Bad("has no log destination".to_owned()),
                Refs::Unknown => FlowLog::Undecided(
                    "the log destination is unknown and has no recorded dependency".to_owned(),
                ),
            }
        }
        Got::Known(other) => FlowLog::Bad(format!(
            "delivers to {other}, neither the log bucket nor a KMS-encrypted log group"
        )),
        Got::Unknown => FlowLog::Undecided("logDestinationType is unknown".to_owned()),
    }
}

/// vpc-flow-logs.
pub(crate) fn vpc_flow_logs(view: &PlanView<'_>, out: &mut Out) {
    let unplaced = view
        .of_type(FLOW_LOG)
        .iter()
        .any(|log| matches!(view.refs(log, "vpcId", &[VPC]), Refs::Unknown));
    for vpc in view.of_type(VPC) {
        let logs = view.referrers(vpc, FLOW_LOG, "vpcId");
        if logs.is_empty() {
            if unplaced {
                out.undecided(
                    vpc,
                    "a flow log's vpcId is unknown and has no recorded dependency",
                );
            } else {
                out.fail(
                    vpc,
                    "has no flow log",
                    "register an aws:ec2/flowLog:FlowLog with vpcId set to this VPC, trafficType ALL \
                     and the log bucket (or a KMS-encrypted log group) as destination",
                );
            }
            continue;
        }
        let results: Vec<(&PlanResource, FlowLog)> = logs
            .iter()
            .map(|log| (*log, check_flow_log(view, log)))
            .collect();
        if results.iter().any(|(_, r)| matches!(r, FlowLog::Good)) {
            continue;
        }
        if let Some((log, FlowLog::Undecided(why))) = results
            .iter()
            .find(|(_, r)| matches!(r, FlowLog::Undecided(_)))
        {
            out.undecided(log, why.clone());
            continue;
        }
        for (log, result) in results {
            if let FlowLog::Bad(problem) = result {
                out.fail(
                    log,
                    format!("the flow log of VPC \"{}\" {problem}", vpc.name),
                    "set trafficType ALL and deliver to the log bucket (logDestinationType s3) or \
                     to a log group that has a kmsKeyId",
                );
            }
        }
    }
}

/// vpc-default-sg-closed.
pub(crate) fn vpc_default_sg_closed(view: &PlanView<'_>, out: &mut Out) {
    let unplaced = view
        .of_type(DEFAULT_SG)
        .iter()
        .any(|g| matches!(view.refs(g, "vpcId", &[VPC]), Refs::Unknown));
    for vpc in view.of_type(VPC) {
        if !view.referrers(vpc, DEFAULT_SG, "vpcId").is_empty() {
            continue;
        }
        if unplaced {
            out.undecided(vpc, "a default security group's vpcId is unknown");
        } else {
            out.fail(
                vpc,
                "its default security group is not managed, so it keeps AWS's rules (all traffic \
                 between members, all egress)",
                "register aws:ec2/defaultSecurityGroup:DefaultSecurityGroup with vpcId set to this \
                 VPC and ingress: [] and egress: []",
            );
        }
    }
    for group in view.of_type(DEFAULT_SG) {
        for direction in ["ingress", "egress"] {
            match input(group, direction).items() {
                Got::Known(items) if !items.is_empty() => out.fail(
                    group,
                    format!(
                        "the default security group has {} {direction} rule(s)",
                        items.len()
                    ),
                    format!(
                        "set {direction}: [] so that the default security group admits nothing"
                    ),
                ),
                Got::Unknown => out.undecided(group, format!("{direction} is unknown")),
                _ => {}
            }
        }
        for ty in [SG_INGRESS, SG_EGRESS, SG_RULE] {
            for rule in view.referrers(group, ty, "securityGroupId") {
                out.fail(
                    rule,
                    format!(
                        "adds a rule to the default security group \"{}\"",
                        group.name
                    ),
                    "put the rule on a dedicated security group; the default group stays empty",
                );
            }
        }
    }
}

/// subnet-no-auto-public-ip.
pub(crate) fn subnet_no_auto_public_ip(view: &PlanView<'_>, out: &mut Out) {
    for subnet in view.of_type(SUBNET) {
        match input(subnet, "mapPublicIpOnLaunch").bool() {
            Got::Known(true) => out.fail(
                subnet,
                "gives every instance launched in it a public IP (mapPublicIpOnLaunch: true)",
                "set mapPublicIpOnLaunch to false; only the load balancer and NAT gateways face \
                 the internet",
            ),
            Got::Unknown => out.undecided(subnet, "mapPublicIpOnLaunch is unknown"),
            _ => {}
        }
    }
}

/// igw-route-public-only.
pub(crate) fn igw_route_public_only(view: &PlanView<'_>, out: &mut Out) {
    let (public, public_unknown) = net::public_subnets(view);
    for route in net::routes(view) {
        let (default, to_igw) = (route.is_default(), route.to_igw.clone());
        match (default, to_igw) {
            (Got::Known(true), Got::Known(true)) => {}
            (Got::Known(false), _) | (_, Got::Known(false)) => continue,
            _ => {
                out.undecided(
                    route.declared_by,
                    "the route's destination or target is unknown",
                );
                continue;
            }
        }
        let destination = route.destination.clone().known().unwrap_or_default();
        let tables = match &route.table {
            Refs::Resolved(tables) => tables.clone(),
            Refs::Unknown | Refs::Absent => {
                out.undecided(route.declared_by, "the route's route table is unknown");
                continue;
            }
        };
        for table in tables {
            if table.ty == VPC {
                out.fail(
                    route.declared_by,
                    format!(
                        "sends {destination} to the internet gateway from the main route table of \
                         VPC \"{}\", which every subnet without an explicit association uses",
                        table.name
                    ),
                    "put the route in a route table associated only with the public subnets",
                );
                continue;
            }
            let (subnets, unknown) = net::subnets_of_table(view, table);
            if unknown {
                out.undecided(
                    route.declared_by,
                    format!(
                        "an association of route table \"{}\" names an unknown subnet",
                        table.name
                    ),
                );
            }
            for subnet in subnets {
                if public.contains(&subnet.urn) {
                    continue;
                }
                if public_unknown {
                    out.undecided(
                        route.declared_by,
                        format!(
                            "the subnets of a load balancer or NAT gateway are unknown, so whether \
                             subnet \"{}\" is public cannot be decided",
                            subnet.name
                        ),
                    );
                } else {
                    out.fail(
                        route.declared_by,
                        format!(
                            "sends {destination} to the internet gateway from route table \"{}\", \
                             which is associated with subnet \"{}\" where neither the \
                             internet-facing load balancer nor a NAT gateway lives",
                            table.name, subnet.name
                        ),
                        "associate this route table only with the public subnets and route private \
                         subnets through a NAT gateway",
                    );
                }
            }
        }
    }
}

/// The private tiers' subnets: those of the ASGs (app) and of RDS and DMS subnet groups (data).
fn private_subnets<'p>(view: &PlanView<'p>) -> Vec<(&'p PlanResource, &'static str)> {
    let mut found: Vec<(&PlanResource, &'static str)> = Vec::new();
    let mut add = |subnets: Refs<'p>, role: &'static str| {
        for subnet in subnets.resources() {
            if !found.iter().any(|(s, _)| s.urn == subnet.urn) {
                found.push((subnet, role));
            }
        }
    };
    for asg in view.of_type(ASG) {
        add(
            view.refs(asg, "vpcZoneIdentifiers", &[SUBNET]),
            "application",
        );
    }
    for group in view.of_type(RDS_SUBNET_GROUP) {
        add(view.refs(group, "subnetIds", &[SUBNET]), "database");
    }
    for group in view.of_type(DMS_SUBNET_GROUP) {
        add(view.refs(group, "subnetIds", &[SUBNET]), "replication");
    }
    found
}

/// private-tiers-private.
pub(crate) fn private_tiers_private(view: &PlanView<'_>, out: &mut Out) {
    let (public, _) = net::public_subnets(view);
    let routes = net::routes(view);
    for asg in view.of_type(ASG) {
        if matches!(
            view.refs(asg, "vpcZoneIdentifiers", &[SUBNET]),
            Refs::Unknown
        ) {
            out.undecided(
                asg,
                "vpcZoneIdentifiers is unknown and has no recorded dependency",
            );
        }
    }
    for (subnet, role) in private_subnets(view) {
        if public.contains(&subnet.urn) {
            out.fail(
                subnet,
                format!(
                    "is used by the {role} tier but the internet-facing load balancer or a NAT \
                     gateway lives in it, so it routes to the internet gateway"
                ),
                format!("place the {role} tier in the private subnets, not the public ones"),
            );
            continue;
        }
        let (mut tables, unknown) = net::tables_of_subnet(view, subnet);
        if unknown {
            out.undecided(
                subnet,
                "a route table association names an unknown subnet or table",
            );
        }
        let vpc = view.refs(subnet, "vpcId", &[VPC]);
        if tables.is_empty() {
            // No explicit association: the VPC's main route table applies.
            tables.extend(vpc.resources().iter().copied());
        }
        for route in &routes {
            let in_table = tables.iter().any(|t| route.table.contains(t));
            if !in_table {
                continue;
            }
            match route.to_igw {
                Got::Known(true) => out.fail(
                    subnet,
                    format!(
                        "is used by the {role} tier and its route table routes {} to the internet \
                         gateway ({})",
                        route
                            .destination
                            .clone()
                            .known()
                            .unwrap_or_else(|| "traffic".into()),
                        label(route.declared_by)
                    ),
                    format!(
                        "route the {role} tier's outbound traffic through a NAT gateway (or not at \
                         all), never to the internet gateway"
                    ),
                ),
                Got::Unknown => out.undecided(
                    subnet,
                    format!("the target of {} is unknown", label(route.declared_by)),
                ),
                _ => {}
            }
        }
    }
}

fn uncertain_or_fail(out: &mut Out, rule: &Ingress<'_>, problem: String, fix: &str) {
    if rule.uncertain {
        out.undecided(
            rule.declared_by,
            format!("the rule's type is unknown; if it is an ingress rule, it {problem}"),
        );
    } else {
        out.fail(rule.declared_by, problem, fix);
    }
}

fn group_name(rule: &Ingress<'_>) -> String {
    match rule.group.resources().first() {
        Some(group) => format!(" into security group \"{}\"", group.name),
        None => String::new(),
    }
}

/// sg-no-world-ingress.
pub(crate) fn sg_no_world_ingress(view: &PlanView<'_>, out: &mut Out) {
    for rule in net::ingress_rules(view) {
        if rule.sources_unknown {
            out.undecided(
                rule.declared_by,
                "some sources of an ingress rule are unknown",
            );
        }
        for source in &rule.sources {
            let Source::Cidr(cidr) = source else { continue };
            match cidr.str() {
                Got::Known(block) if is_world(block) => uncertain_or_fail(
                    out,
                    &rule,
                    format!(
                        "admits the whole internet ({}, {}){}",
                        cidr.shown(),
                        rule.describe_ports(),
                        group_name(&rule)
                    ),
                    "admit only the configured CIDRs or prefix lists (allowedIngressCidrs) or \
                     another security group",
                ),
                Got::Unknown => {
                    out.undecided(rule.declared_by, "an ingress CIDR is unknown");
                }
                _ => {}
            }
        }
    }
}

/// sg-no-all-protocols.
pub(crate) fn sg_no_all_protocols(view: &PlanView<'_>, out: &mut Out) {
    for rule in net::ingress_rules(view) {
        match &rule.protocol {
            Got::Known(net::Proto::All) => uncertain_or_fail(
                out,
                &rule,
                format!(
                    "admits all protocols and ports (protocol -1){}",
                    group_name(&rule)
                ),
                "name the protocol (tcp) and the one port the tier serves",
            ),
            Got::Unknown => out.undecided(rule.declared_by, "the ingress protocol is unknown"),
            _ => {}
        }
    }
}

/// no-ssh.
pub(crate) fn no_ssh(view: &PlanView<'_>, out: &mut Out) {
    for rule in net::ingress_rules(view) {
        for (port, what) in [(22, "SSH"), (3389, "RDP")] {
            match rule.covers(port) {
                Got::Known(true) => uncertain_or_fail(
                    out,
                    &rule,
                    format!(
                        "admits {what} (port {port}, rule covers {}){}",
                        rule.describe_ports(),
                        group_name(&rule)
                    ),
                    "remove the rule; operators reach instances through SSM Session Manager",
                ),
                Got::Unknown => out.undecided(
                    rule.declared_by,
                    format!("the rule's protocol or ports are unknown (port {port})"),
                ),
                _ => {}
            }
        }
    }
}

/// The security groups of a tier, and whether some attachment is unknown (then the set may be
/// incomplete).
#[derive(Default)]
pub(crate) struct Groups {
    urns: BTreeSet<String>,
    unknown: bool,
}

impl Groups {
    /// Adds the groups attached through `property` of every resource of `types`.
    fn add(&mut self, view: &PlanView<'_>, types: &[&str], property: &str) {
        for ty in types {
            for resource in view.of_type(ty) {
                match view.refs(resource, property, &SG_TYPES) {
                    Refs::Resolved(found) => self.urns.extend(found.iter().map(|g| g.urn.clone())),
                    Refs::Unknown => self.unknown = true,
                    Refs::Absent => {}
                }
            }
        }
    }

    /// The groups attached through any of `properties` of every resource of `types`.
    pub(crate) fn of(view: &PlanView<'_>, types: &[&str], properties: &[&str]) -> Self {
        let mut groups = Self::default();
        for property in properties {
            groups.add(view, types, property);
        }
        groups
    }

    /// Whether the group with `urn` is one of them.
    pub(crate) fn contains(&self, urn: &str) -> bool {
        self.urns.contains(urn)
    }

    /// Whether some attachment is unknown (then the set may be incomplete).
    pub(crate) fn incomplete(&self) -> bool {
        self.unknown
    }
}

/// The application port: configured, else the port of the target groups the ASGs attach to.
fn app_ports(view: &PlanView<'_>) -> BTreeSet<i64> {
    if let Some(port) = view.settings().app_port {
        return BTreeSet::from([port]);
    }
    let mut ports = BTreeSet::new();
    for asg in view.of_type(ASG) {
        for tg in view.refs(asg, "targetGroupArns", &TG_TYPES).resources() {
            if let Got::Known(port) = input(tg, "port").int() {
                ports.insert(port);
            }
        }
    }
    ports
}

/// The database ports: each instance's `port`, else MySQL's 3306.
fn db_ports(view: &PlanView<'_>) -> BTreeSet<i64> {
    view.of_type(RDS_INSTANCE)
        .iter()
        .map(|db| input(db, "port").int().known().unwrap_or(3306))
        .collect()
}

/// sg-tier-chain.
pub(crate) fn sg_tier_chain(view: &PlanView<'_>, out: &mut Out) {
    let settings = view.settings();
    let alb = Groups::of(view, &LB_TYPES, &["securityGroups"]);
    let app = Groups::of(
        view,
        &[LAUNCH_TEMPLATE],
        &["networkInterfaces", "vpcSecurityGroupIds"],
    );
    let db = Groups::of(view, &[RDS_INSTANCE], &["vpcSecurityGroupIds"]);
    let dms = Groups::of(view, &[DMS_INSTANCE], &["vpcSecurityGroupIds"]);
    let app_ports = app_ports(view);
    let db_ports = db_ports(view);
    for rule in net::ingress_rules(view) {
        let groups = match &rule.group {
            Refs::Resolved(groups) => groups.clone(),
            Refs::Unknown => {
                out.undecided(rule.declared_by, "the rule's security group is unknown");
                continue;
            }
            Refs::Absent => continue,
        };
        for group in groups {
            let tier = if alb.contains(&group.urn) {
                "load balancer"
            } else if app.contains(&group.urn) {
                "application"
            } else if db.contains(&group.urn) {
                "database"
            } else {
                continue;
            };
            let ports = rule.describe_ports();
            let at = format!("security group \"{}\" ({tier} tier)", group.name);
            let ports_unknown =
                rule.protocol.is_unknown() || rule.from.is_unknown() || rule.to.is_unknown();
            if ports_unknown {
                out.undecided(
                    rule.declared_by,
                    format!("the protocol or ports of a rule of {at} are unknown"),
                );
            }
            match tier {
                "load balancer" => {
                    if !ports_unknown && !matches!(rule.single_tcp_port(), Some(80 | 443)) {
                        uncertain_or_fail(
                            out,
                            &rule,
                            format!(
                                "lets {ports} into {at}; the load balancer serves only tcp 443 and 80"
                            ),
                            "admit tcp 443 (and tcp 80 for the redirect) only",
                        );
                    }
                    for source in &rule.sources {
                        match source {
                            Source::Cidr(cidr) => {
                                if let (Some(allowed), Got::Known(block)) =
                                    (&settings.allowed_ingress_cidrs, cidr.str())
                                    && !allowed.iter().any(|a| a == block)
                                {
                                    uncertain_or_fail(
                                        out,
                                        &rule,
                                        format!(
                                            "admits {} into {at}, which is not a configured ingress CIDR",
                                            cidr.shown()
                                        ),
                                        "admit only the CIDRs of allowedIngressCidrs",
                                    );
                                }
                            }
                            Source::PrefixList(list) => {
                                if let (Some(allowed), Got::Known(id)) =
                                    (&settings.allowed_prefix_lists, list.str())
                                    && !allowed.iter().any(|a| a == id)
                                {
                                    uncertain_or_fail(
                                        out,
                                        &rule,
                                        format!(
                                            "admits prefix list {} into {at}, which is not configured",
                                            list.shown()
                                        ),
                                        "admit only the configured prefix lists",
                                    );
                                }
                            }
                            Source::Group(_) | Source::SelfGroup => uncertain_or_fail(
                                out,
                                &rule,
                                format!(
                                    "admits a security group into {at}; clients reach the load balancer from configured CIDRs or prefix lists"
                                ),
                                "admit the configured CIDRs or prefix lists only",
                            ),
                        }
                    }
                }
                _ => {
                    let (allowed, expected_ports, what) = if tier == "application" {
                        (&alb, &app_ports, "the load balancer's security group")
                    } else {
                        (
                            &app,
                            &db_ports,
                            "the application's (or the replication instance's) security group",
                        )
                    };
                    let port_ok = match rule.single_tcp_port() {
                        Some(port) => expected_ports.is_empty() || expected_ports.contains(&port),
                        None => false,
                    };
                    if !port_ok && !ports_unknown {
                        let expected: Vec<String> =
                            expected_ports.iter().map(ToString::to_string).collect();
                        uncertain_or_fail(
                            out,
                            &rule,
                            format!(
                                "lets {ports} into {at}; the tier serves only tcp {}",
                                if expected.is_empty() {
                                    "on one port".to_owned()
                                } else {
                                    expected.join(", ")
                                }
                            ),
                            "admit exactly the tier's port over tcp",
                        );
                    }
                    for source in &rule.sources {
                        match source {
                            Source::Group(Refs::Resolved(from)) => {
                                let ok = from.iter().any(|g| {
                                    allowed.contains(&g.urn)
                                        || (tier == "database" && dms.contains(&g.urn))
                                });
                                let incomplete =
                                    allowed.unknown || (tier == "database" && dms.unknown);
                                if !ok && incomplete {
                                    out.undecided(
                                        rule.declared_by,
                                        format!("the security groups of the tier in front of {at} are unknown"),
                                    );
                                } else if !ok {
                                    let names: Vec<&str> =
                                        from.iter().map(|g| g.name.as_str()).collect();
                                    uncertain_or_fail(
                                        out,
                                        &rule,
                                        format!(
                                            "admits {} into {at}; only {what} may connect",
                                            if names.is_empty() {
                                                "a security group outside this stack".to_owned()
                                            } else {
                                                format!(
                                                    "security group \"{}\"",
                                                    names.join("\", \"")
                                                )
                                            }
                                        ),
                                        "reference only the security group of the tier in front",
                                    );
                                }
                            }
                            Source::Group(_) => out.undecided(
                                rule.declared_by,
                                format!("the source security group of a rule of {at} is unknown"),
                            ),
                            Source::Cidr(cidr) => uncertain_or_fail(
                                out,
                                &rule,
                                format!(
                                    "admits CIDR {} into {at}; only {what} may connect",
                                    cidr.shown()
                                ),
                                "replace the CIDR with a reference to the security group of the tier in front",
                            ),
                            Source::PrefixList(list) => uncertain_or_fail(
                                out,
                                &rule,
                                format!(
                                    "admits prefix list {} into {at}; only {what} may connect",
                                    list.shown()
                                ),
                                "replace the prefix list with a reference to the security group of the tier in front",
                            ),
                            Source::SelfGroup => uncertain_or_fail(
                                out,
                                &rule,
                                format!(
                                    "admits its own members into {at}; only {what} may connect"
                                ),
                                "remove self: true",
                            ),
                        }
                    }
                }
            }
        }
    }
}
