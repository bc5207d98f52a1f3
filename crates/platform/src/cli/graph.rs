//! `graph`: the architecture drawn from the registrations of a plan, the way AWS reference
//! architectures are drawn: the region and the VPC as frames; one column per availability zone
//! (sorted, so `a` comes before `b`); a row per tier (public, app, data) with each subnet framed
//! inside its zone; the ALB across the public row; the Auto Scaling group's instances in the app
//! subnet of every zone; the RDS primary and its Multi-AZ standby in the data subnets of their
//! zones; the VPC endpoints (interface endpoints in the app subnets, the S3 gateway in the gateway
//! row); buckets, keys, backups and the audit services beside the VPC; the backups' copy region to
//! the right of the region; the data center outside the region with the VPN and DMS paths. Edges
//! carry the ports the security-group rules admit and, during a migration, the traffic weights.
//!
//! Output as Graphviz DOT or Mermaid; SVG/PNG through Graphviz's `dot` when it is installed. The
//! DOT pins every node and frame to the grid (`layout=neato`, positions with `!`), so the picture
//! is the same on every run and does not depend on a layout engine's heuristics.

use std::collections::{BTreeMap, BTreeSet};

use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::Value;

/// One frame (a box drawn behind the nodes; a Mermaid subgraph) on a node's path, outermost first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Frame {
    /// Sort key and name: frames are listed in this order.
    key: String,
    /// The caption.
    label: String,
}

/// The tiers of subnets, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// Public subnets.
    Public,
    /// Application subnets.
    App,
    /// Database subnets.
    Data,
}

/// The tiers by the word in a subnet's name, with their captions.
const TIERS: [(&str, Tier, &str); 3] = [
    ("public", Tier::Public, "Public subnet"),
    ("app", Tier::App, "App subnet (private)"),
    ("db", Tier::Data, "Data subnet (private)"),
];

/// Where a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// Above the region, over the VPC.
    Internet,
    /// Outside the region, on the left.
    DataCenter,
    /// The VPN gateway (left) in the VPC's gateway row.
    VpnGateway,
    /// The internet gateway (centre) in the VPC's gateway row.
    InternetGateway,
    /// A gateway VPC endpoint (right) in the VPC's gateway row.
    EndpointGateway,
    /// Across the public subnets of every zone.
    Balancer,
    /// Inside the subnet of `tier` in the `zone`-th zone, the `slot`-th from the left.
    Subnet {
        zone: usize,
        tier: Tier,
        slot: usize,
    },
    /// The web ACL, at the top of the services frame beside the ALB.
    Firewall,
    /// The `slot`-th entry (top to bottom) of a column of the services frame.
    Service { column: usize, slot: usize },
    /// The `slot`-th entry (top to bottom) of the backups' copy region, right of the region.
    CopyRegion { slot: usize },
}

/// A node of the architecture.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    id: String,
    label: String,
    /// The frames it is drawn in, outermost first; empty outside the region.
    frames: Vec<Frame>,
    place: Place,
}

/// How an edge is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Traffic or data flow (solid arrow).
    Flow,
    /// Two ends of one connection (arrows both ways).
    Both,
    /// An attachment (dashed, no arrow).
    Part,
}

/// A labelled edge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    label: String,
    kind: Kind,
}

/// The architecture extracted from a plan.
#[derive(Debug, Default)]
pub struct Architecture {
    nodes: BTreeSet<Node>,
    edges: BTreeSet<Edge>,
    /// The region frame, the VPC frame and the services frame.
    region: Option<Frame>,
    vpc: Option<Frame>,
    services: Option<Frame>,
    /// The zones, sorted (`a` before `b`), with their frames.
    zones: Vec<(String, Frame)>,
    /// Every subnet's frame by zone index and tier (drawn even when nothing is inside).
    subnets: Vec<(usize, Tier, Frame)>,
    /// The columns of the services frame, left to right.
    service_columns: Vec<Frame>,
    /// The frame of the region the backups are copied to, when there is one.
    copy_region: Option<Frame>,
}

fn input_str<'a>(resource: &'a PlanResource, key: &str) -> Option<&'a str> {
    resource.inputs.get(key).and_then(Value::as_str)
}

fn node_id(resource: &PlanResource) -> String {
    id_of(&resource.name)
}

fn id_of(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The region of the provider `resource` is created through.
fn region_of<'p>(plan: &'p Plan, resource: &PlanResource) -> Option<&'p str> {
    let urn = resource.provider.rsplit_once("::").map(|(urn, _)| urn)?;
    plan.resources
        .iter()
        .find(|p| p.urn == urn)
        .and_then(|p| input_str(p, "region"))
}

/// The first port of a security group rule (-1 when it has none).
fn port_of(rule: &PlanResource) -> i64 {
    rule.inputs
        .get("fromPort")
        .and_then(Value::as_i64)
        .unwrap_or(-1)
}

fn depends_on(resource: &PlanResource, property: &str, urn: &str) -> bool {
    resource
        .property_dependencies
        .get(property)
        .is_some_and(|urns| urns.iter().any(|u| u == urn))
}

/// One subnet as drawn.
#[derive(Clone, Debug)]
struct Subnet {
    urn: String,
    zone: usize,
    tier: Tier,
    frames: Vec<Frame>,
}

/// What the extraction steps share: the plan, the outer frames and the subnets.
struct Layout<'p> {
    plan: &'p Plan,
    /// The stack's region (its VPC's provider's).
    region: String,
    vpc: Vec<Frame>,
    services: Vec<Frame>,
    subnets: Vec<Subnet>,
    /// Logical owner (ASG, RDS) -> the nodes drawn for it, with their zone index.
    placed: BTreeMap<String, Vec<(String, Option<usize>)>>,
}

impl<'p> Layout<'p> {
    fn of_type(&self, ty: &'static str) -> impl Iterator<Item = &'p PlanResource> + 'p {
        self.plan.resources.iter().filter(move |r| r.ty == ty)
    }

    /// The subnets `resource` places itself in through `property`.
    fn subnets_of(&self, resource: &PlanResource, property: &str) -> Vec<Subnet> {
        self.subnets
            .iter()
            .filter(|s| depends_on(resource, property, &s.urn))
            .cloned()
            .collect()
    }

    /// The subnet of `tier` in the `zone`-th zone.
    fn subnet(&self, tier: Tier, zone: usize) -> Option<&Subnet> {
        self.subnets
            .iter()
            .find(|s| s.tier == tier && s.zone == zone)
    }
}

impl Architecture {
    /// Extracts the architecture from `plan`.
    pub fn of(plan: &Plan) -> Self {
        let mut arch = Architecture::default();
        let mut layout = arch.frames(plan);
        arch.gateways(&layout);
        arch.load_balancer(&layout);
        arch.app_tier(&mut layout);
        arch.data_tier(&mut layout);
        arch.services(&layout);
        arch.security_edges(&layout);
        arch.migration(&layout);
        arch
    }

    fn add(&mut self, id: &str, label: String, frames: &[Frame], place: Place) {
        self.nodes.insert(Node {
            id: id.to_owned(),
            label,
            frames: frames.to_vec(),
            place,
        });
    }

    /// The next free slot of the subnet of `tier` in the `zone`-th zone.
    fn slot(&self, zone: usize, tier: Tier) -> Place {
        let slot = self
            .nodes
            .iter()
            .filter(|n| matches!(n.place, Place::Subnet { zone: z, tier: t, .. } if z == zone && t == tier))
            .count();
        Place::Subnet { zone, tier, slot }
    }

    fn edge(&mut self, from: &str, to: &str, label: impl Into<String>, kind: Kind) {
        self.edges.insert(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            label: label.into(),
            kind,
        });
    }

    /// Step 1: the region, VPC, services, zone and subnet frames.
    fn frames<'p>(&mut self, plan: &'p Plan) -> Layout<'p> {
        let home = plan
            .resources
            .iter()
            .find(|r| r.ty == "aws:ec2/vpc:Vpc")
            .and_then(|vpc| region_of(plan, vpc))
            .unwrap_or("?");
        let region = Frame {
            key: "region".into(),
            label: format!("AWS Cloud: region {home}"),
        };
        let vpc_label = plan
            .resources
            .iter()
            .find(|r| r.ty == "aws:ec2/vpc:Vpc")
            .map(|vpc| {
                format!(
                    "VPC {} ({})",
                    vpc.name,
                    input_str(vpc, "cidrBlock").unwrap_or("?")
                )
            })
            .unwrap_or_else(|| "VPC".to_owned());
        let vpc_frame = Frame {
            key: "1_vpc".into(),
            label: vpc_label,
        };
        let services_frame = Frame {
            key: "2_services".into(),
            label: "Regional services: storage, keys, backups, audit".into(),
        };
        let vpc = vec![region.clone(), vpc_frame.clone()];
        let services = vec![region.clone(), services_frame.clone()];
        self.region = Some(region);
        self.vpc = Some(vpc_frame);
        self.services = Some(services_frame);
        let subnets_in_plan: Vec<(&PlanResource, Tier, &str, String)> = plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:ec2/subnet:Subnet")
            .filter_map(|subnet| {
                let word = subnet.name.split('-').nth(1).unwrap_or("");
                let &(_, tier, caption) = TIERS.iter().find(|(w, _, _)| *w == word)?;
                let zone = input_str(subnet, "availabilityZone").unwrap_or("?");
                Some((subnet, tier, caption, zone.to_owned()))
            })
            .collect();
        let zones: BTreeSet<&str> = subnets_in_plan.iter().map(|s| s.3.as_str()).collect();
        self.zones = zones
            .iter()
            .map(|zone| {
                (
                    (*zone).to_owned(),
                    Frame {
                        key: format!("zone_{}", id_of(zone)),
                        label: format!("Availability zone {zone}"),
                    },
                )
            })
            .collect();
        let mut subnets = Vec::new();
        for (subnet, tier, caption, zone) in &subnets_in_plan {
            let index = self.zones.iter().position(|(z, _)| z == zone).unwrap_or(0);
            let frame = Frame {
                key: format!("{}_{}", *tier as u8, id_of(&subnet.name)),
                label: format!(
                    "{caption} {}\\n{}",
                    subnet.name,
                    input_str(subnet, "cidrBlock").unwrap_or("?")
                ),
            };
            let mut frames = vpc.clone();
            frames.push(self.zones[index].1.clone());
            frames.push(frame.clone());
            self.subnets.push((index, *tier, frame));
            subnets.push(Subnet {
                urn: subnet.urn.clone(),
                zone: index,
                tier: *tier,
                frames,
            });
        }
        self.subnets.sort();
        subnets.sort_by_key(|s| (s.zone, s.tier));
        Layout {
            plan,
            region: home.to_owned(),
            vpc,
            services,
            subnets,
            placed: BTreeMap::new(),
        }
    }

    /// Step 2: the VPN and internet gateways, the gateway VPC endpoints, and the NAT gateways
    /// in their public subnets.
    fn gateways(&mut self, layout: &Layout<'_>) {
        for endpoint in layout
            .of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            .filter(|e| input_str(e, "vpcEndpointType") == Some("Gateway"))
        {
            let service = input_str(endpoint, "serviceName")
                .and_then(|name| name.rsplit('.').next())
                .unwrap_or("?");
            self.add(
                &node_id(endpoint),
                format!(
                    "{} gateway endpoint\\n{}",
                    service.to_uppercase(),
                    endpoint.name
                ),
                &layout.vpc,
                Place::EndpointGateway,
            );
        }
        for vgw in layout.of_type("aws:ec2/vpnGateway:VpnGateway") {
            self.add(
                &node_id(vgw),
                format!("Virtual private gateway\\n{}", vgw.name),
                &layout.vpc,
                Place::VpnGateway,
            );
        }
        for igw in layout.of_type("aws:ec2/internetGateway:InternetGateway") {
            self.add(
                &node_id(igw),
                format!("Internet gateway\\n{}", igw.name),
                &layout.vpc,
                Place::InternetGateway,
            );
        }
        for nat in layout.of_type("aws:ec2/natGateway:NatGateway") {
            for subnet in layout.subnets_of(nat, "subnetId") {
                let place = self.slot(subnet.zone, subnet.tier);
                self.add(
                    &node_id(nat),
                    format!("NAT gateway\\n{}", nat.name),
                    &subnet.frames,
                    place,
                );
            }
        }
    }

    /// Step 3: the ALB across the public row, and its web ACL beside it.
    fn load_balancer(&mut self, layout: &Layout<'_>) {
        for alb in layout.of_type("aws:lb/loadBalancer:LoadBalancer") {
            let zones: Vec<String> = layout
                .subnets_of(alb, "subnets")
                .iter()
                .filter_map(|s| self.zones.get(s.zone).map(|(z, _)| z.clone()))
                .collect();
            self.add(
                &node_id(alb),
                format!(
                    "Application Load Balancer {}, internet-facing, in {}\\nHTTPS 443 (HTTP 80 redirects)",
                    alb.name,
                    zones.join(" and ")
                ),
                &layout.vpc,
                Place::Balancer,
            );
        }
        for acl in layout.of_type("aws:wafv2/webAcl:WebAcl") {
            self.add(
                &node_id(acl),
                format!("AWS WAF web ACL {}\\nmanaged rule groups, logged", acl.name),
                &layout.services,
                Place::Firewall,
            );
            for alb in layout.of_type("aws:lb/loadBalancer:LoadBalancer") {
                self.edge(&node_id(alb), &node_id(acl), "inspected by", Kind::Part);
            }
        }
    }

    /// Step 4: the Auto Scaling group's instances in the app subnet of each zone.
    fn app_tier(&mut self, layout: &mut Layout<'_>) {
        for asg in layout.of_type("aws:autoscaling/group:Group") {
            let id = node_id(asg);
            let size = |key: &str| {
                asg.inputs
                    .get(key)
                    .map(Value::to_string)
                    .unwrap_or_default()
            };
            let mut parts = Vec::new();
            for subnet in layout.subnets_of(asg, "vpcZoneIdentifiers") {
                let part = format!("{id}_{}", subnet.zone);
                let place = self.slot(subnet.zone, subnet.tier);
                self.add(
                    &part,
                    format!(
                        "EC2 instances of ASG\\n{}\\n{}-{} across the zones",
                        asg.name,
                        size("minSize"),
                        size("maxSize")
                    ),
                    &subnet.frames,
                    place,
                );
                parts.push((part, Some(subnet.zone)));
            }
            layout.placed.insert(id, parts);
        }
        self.interface_endpoints(layout);
    }

    /// The interface VPC endpoints, one node per subnet that holds their network interfaces.
    fn interface_endpoints(&mut self, layout: &mut Layout<'_>) {
        let endpoints: Vec<&PlanResource> = layout
            .of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            .filter(|e| input_str(e, "vpcEndpointType") == Some("Interface"))
            .collect();
        let mut parts = Vec::new();
        for subnet in layout.subnets.clone() {
            if !endpoints
                .iter()
                .any(|e| depends_on(e, "subnetIds", &subnet.urn))
            {
                continue;
            }
            let part = format!("{INTERFACE_ENDPOINTS}_{}", subnet.zone);
            let place = self.slot(subnet.zone, subnet.tier);
            self.add(
                &part,
                format!(
                    "Interface endpoints ({})\\nAWS APIs, private DNS",
                    endpoints.len()
                ),
                &subnet.frames,
                place,
            );
            parts.push((part, Some(subnet.zone)));
        }
        if !parts.is_empty() {
            layout.placed.insert(INTERFACE_ENDPOINTS.to_owned(), parts);
        }
    }

    /// Step 5: the RDS primary and standby, and the DMS replication instance, in the data row.
    fn data_tier(&mut self, layout: &mut Layout<'_>) {
        for dms in layout.of_type("aws:dms/replicationInstance:ReplicationInstance") {
            let Some(subnet) = layout.subnet(Tier::Data, 0) else {
                continue;
            };
            let multi_az = if dms.inputs.get("multiAz") == Some(&Value::Bool(true)) {
                "Multi-AZ"
            } else {
                "single-AZ"
            };
            let place = self.slot(subnet.zone, subnet.tier);
            self.add(
                &node_id(dms),
                format!("DMS {}\\n({multi_az})", dms.name),
                &subnet.frames,
                place,
            );
        }
        for db in layout.of_type("aws:rds/instance:Instance") {
            let id = node_id(db);
            let engine = format!("MySQL {}", input_str(db, "engineVersion").unwrap_or(""));
            let primary = input_str(db, "availabilityZone")
                .and_then(|zone| self.zones.iter().position(|(z, _)| z == zone))
                .unwrap_or(0);
            let mut parts = Vec::new();
            if let Some(subnet) = layout.subnet(Tier::Data, primary) {
                let place = self.slot(subnet.zone, subnet.tier);
                self.add(
                    &id,
                    format!("RDS {} primary\\n{engine}, encrypted", db.name),
                    &subnet.frames,
                    place,
                );
                parts.push((id.clone(), Some(primary)));
            }
            let standby = (0..self.zones.len()).find(|z| *z != primary);
            if db.inputs.get("multiAz") == Some(&Value::Bool(true))
                && let Some(subnet) = standby.and_then(|z| layout.subnet(Tier::Data, z))
            {
                let place = self.slot(subnet.zone, subnet.tier);
                self.add(
                    &format!("{id}_standby"),
                    format!("RDS {} standby\\nMulti-AZ, synchronous replica", db.name),
                    &subnet.frames,
                    place,
                );
            }
            layout.placed.insert(id, parts);
        }
    }

    /// Step 6: buckets, keys and the audit services beside the VPC, one column each.
    fn services(&mut self, layout: &Layout<'_>) {
        let mut columns: Vec<(&str, Vec<(String, String)>)> = Vec::new();
        let buckets = layout
            .of_type("aws:s3/bucket:Bucket")
            .map(|b| {
                let name = input_str(b, "bucket").unwrap_or(&b.name);
                (node_id(b), format!("S3 {name}"))
            })
            .collect();
        columns.push(("Amazon S3", buckets));
        let home = |r: &PlanResource| region_of(layout.plan, r).is_none_or(|r| r == layout.region);
        let keys = layout
            .of_type("aws:kms/key:Key")
            .filter(|k| home(k))
            .map(|k| (node_id(k), format!("KMS {} (rotating)", k.name)))
            .collect();
        columns.push(("AWS KMS", keys));
        let count = |ty: &'static str| layout.of_type(ty).count();
        let mut audit = Vec::new();
        if count("aws:ec2/flowLog:FlowLog") > 0 {
            audit.push((
                "flow_logs".to_owned(),
                "VPC flow logs (all traffic)\\nto the log bucket".to_owned(),
            ));
        }
        let groups = count("aws:cloudwatch/logGroup:LogGroup");
        if groups > 0 {
            audit.push((
                "log_groups".to_owned(),
                format!("CloudWatch Logs\\n{groups} encrypted log groups"),
            ));
        }
        let alarms = count("aws:cloudwatch/metricAlarm:MetricAlarm");
        if alarms > 0 {
            audit.push((
                "alarms".to_owned(),
                format!("CloudWatch alarms ({alarms})\\nto the encrypted SNS topic"),
            ));
        }
        columns.push(("Audit and monitoring", audit));
        // Last, next to the copy region its vaults copy to.
        columns.push(("AWS Backup", self.backups(layout)));
        for (name, entries) in columns.into_iter().filter(|(_, e)| !e.is_empty()) {
            let column = self.service_columns.len();
            let frame = Frame {
                key: format!("{column}_{}", id_of(name)),
                label: name.to_owned(),
            };
            let mut frames = layout.services.clone();
            frames.push(frame.clone());
            self.service_columns.push(frame);
            for (slot, (id, label)) in entries.into_iter().enumerate() {
                self.add(&id, label, &frames, Place::Service { column, slot });
            }
        }
    }

    /// The backup vaults and plans of the stack's region (for the services column), and the
    /// copy region's vaults and keys in their own frame, with the copy edges.
    fn backups(&mut self, layout: &Layout<'_>) -> Vec<(String, String)> {
        let plan = layout.plan;
        let locked = |vault: &PlanResource| {
            layout
                .of_type("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
                .any(|lock| depends_on(lock, "backupVaultName", &vault.urn))
        };
        let vault_label = |vault: &PlanResource| {
            let lock = if locked(vault) { ", locked" } else { "" };
            format!("Backup vault {}\\nencrypted{lock}", vault.name)
        };
        let (home, away): (Vec<&PlanResource>, Vec<&PlanResource>) = layout
            .of_type("aws:backup/vault:Vault")
            .partition(|v| region_of(plan, v).is_none_or(|r| r == layout.region));
        let mut entries: Vec<(String, String)> = home
            .iter()
            .map(|vault| (node_id(vault), vault_label(vault)))
            .collect();
        for backup_plan in layout.of_type("aws:backup/plan:Plan") {
            let days = backup_plan
                .inputs
                .get("rules")
                .and_then(|rules| rules[0]["lifecycle"]["deleteAfter"].as_i64())
                .map_or_else(String::new, |days| format!(", kept {days} days"));
            entries.push((
                node_id(backup_plan),
                format!("Backup plan {}\\ndaily{days}", backup_plan.name),
            ));
        }
        let Some(region) = away.first().and_then(|v| region_of(plan, v)) else {
            return entries;
        };
        let frame = Frame {
            key: "region_copy".into(),
            label: format!("AWS Cloud: region {region}\\n(backup copies)"),
        };
        let frames = [frame.clone()];
        self.copy_region = Some(frame);
        let keys = layout
            .of_type("aws:kms/key:Key")
            .filter(|k| region_of(plan, k) == Some(region));
        let mut slot = 0;
        for vault in &away {
            self.add(
                &node_id(vault),
                vault_label(vault),
                &frames,
                Place::CopyRegion { slot },
            );
            slot += 1;
            for source in &home {
                self.edge(
                    &node_id(source),
                    &node_id(vault),
                    "copy of every recovery point",
                    Kind::Flow,
                );
            }
        }
        for key in keys {
            self.add(
                &node_id(key),
                format!("KMS {} (rotating)", key.name),
                &frames,
                Place::CopyRegion { slot },
            );
            slot += 1;
        }
        entries
    }

    /// The nodes drawn for the logical owner `id`, keeping only those in `zone` when it is
    /// given and the owner has a node there.
    fn expand(layout: &Layout<'_>, id: &str, zone: Option<usize>) -> Vec<(String, Option<usize>)> {
        let Some(parts) = layout.placed.get(id) else {
            return vec![(id.to_owned(), None)];
        };
        let same: Vec<_> = parts
            .iter()
            .filter(|(_, z)| zone.is_some() && *z == zone)
            .cloned()
            .collect();
        if same.is_empty() { parts.clone() } else { same }
    }

    /// Step 7: edges between security groups' owners, labelled with the ports the rules admit;
    /// within the VPC, zone by zone.
    fn security_edges(&mut self, layout: &Layout<'_>) {
        let plan = layout.plan;
        // Which node each security group belongs to: the ALB, the instances, the database, DMS.
        let owners: BTreeMap<String, String> = plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:ec2/securityGroup:SecurityGroup")
            .filter_map(|group| {
                let owner = plan.resources.iter().find(|r| {
                    (r.ty == "aws:lb/loadBalancer:LoadBalancer"
                        && depends_on(r, "securityGroups", &group.urn))
                        || (r.ty == "aws:ec2/launchTemplate:LaunchTemplate"
                            && depends_on(r, "networkInterfaces", &group.urn))
                        || (r.ty == "aws:rds/instance:Instance"
                            && depends_on(r, "vpcSecurityGroupIds", &group.urn))
                        || (r.ty == "aws:dms/replicationInstance:ReplicationInstance"
                            && depends_on(r, "vpcSecurityGroupIds", &group.urn))
                        || (r.ty == "aws:ec2/vpcEndpoint:VpcEndpoint"
                            && depends_on(r, "securityGroupIds", &group.urn))
                })?;
                let node = if owner.ty == "aws:ec2/vpcEndpoint:VpcEndpoint" {
                    INTERFACE_ENDPOINTS.to_owned()
                } else if owner.ty == "aws:ec2/launchTemplate:LaunchTemplate" {
                    plan.resources
                        .iter()
                        .find(|r| {
                            r.ty == "aws:autoscaling/group:Group"
                                && depends_on(r, "launchTemplate", &owner.urn)
                        })
                        .map_or_else(|| node_id(owner), node_id)
                } else {
                    node_id(owner)
                };
                Some((group.urn.clone(), node))
            })
            .collect();
        let owner_of = |rule: &PlanResource, property: &str| {
            rule.property_dependencies
                .get(property)
                .and_then(|urns| urns.iter().find_map(|u| owners.get(u)))
                .cloned()
        };
        // (source, target) -> ports, so one edge carries every port between two nodes.
        let mut ports: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
        for rule in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        {
            let Some(target) = owner_of(rule, "securityGroupId") else {
                continue;
            };
            let port = port_of(rule);
            match owner_of(rule, "referencedSecurityGroupId") {
                Some(source) => {
                    for (from, zone) in Self::expand(layout, &source, None) {
                        for (to, _) in Self::expand(layout, &target, zone) {
                            ports.entry((from.clone(), to)).or_default().insert(port);
                        }
                    }
                }
                None => {
                    // From outside: to the resource itself, not its per-zone nodes.
                    ports
                        .entry(("allowed_networks".into(), target))
                        .or_default()
                        .insert(port);
                }
            }
        }
        // Egress to a gateway endpoint's prefix list (S3): from the group's owner to the endpoint.
        for rule in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        {
            let (Some(source), Some(gateway)) = (
                owner_of(rule, "securityGroupId"),
                rule.property_dependencies
                    .get("prefixListId")
                    .and_then(|urns| urns.iter().find_map(|u| plan.resource(u))),
            ) else {
                continue;
            };
            let port = port_of(rule);
            for (from, _) in Self::expand(layout, &source, None) {
                ports
                    .entry((from, node_id(gateway)))
                    .or_default()
                    .insert(port);
            }
        }
        // Traffic from outside enters through the internet gateway.
        let igw = layout
            .of_type("aws:ec2/internetGateway:InternetGateway")
            .next()
            .map(node_id);
        for ((mut from, to), ports) in ports {
            if from == "allowed_networks" {
                self.add(
                    "allowed_networks",
                    "Allowed networks\\n(allowedIngressCidrs, prefix lists)".into(),
                    &[],
                    Place::Internet,
                );
                if let Some(igw) = &igw {
                    self.edge(&from, igw, "", Kind::Flow);
                    from.clone_from(igw);
                }
            }
            let ports: Vec<String> = ports.iter().map(i64::to_string).collect();
            self.edge(&from, &to, format!("tcp {}", ports.join(", ")), Kind::Flow);
        }
    }

    /// Step 8: the data center, the VPN, the DMS tasks and the traffic weights.
    fn migration(&mut self, layout: &Layout<'_>) {
        let plan = layout.plan;
        let vpn = layout.of_type("aws:ec2/vpnConnection:VpnConnection").next();
        let on_prem_tg = plan.resources.iter().find(|r| {
            r.ty == "aws:lb/targetGroup:TargetGroup" && input_str(r, "targetType") == Some("ip")
        });
        if vpn.is_none() && on_prem_tg.is_none() {
            return;
        }
        self.add(
            "datacenter",
            "Data center\\n(on-prem app + MySQL)".into(),
            &[],
            Place::DataCenter,
        );
        if let Some(vpn) = vpn {
            let routing = if vpn.inputs.get("staticRoutesOnly") == Some(&Value::Bool(true)) {
                "static"
            } else {
                "BGP"
            };
            for vgw in layout.of_type("aws:ec2/vpnGateway:VpnGateway") {
                self.edge(
                    &node_id(vgw),
                    "datacenter",
                    format!("Site-to-Site VPN, 2 tunnels ({routing})"),
                    Kind::Both,
                );
            }
        }
        let dms_instance = layout
            .of_type("aws:dms/replicationInstance:ReplicationInstance")
            .next();
        for task in layout.of_type("aws:dms/replicationTask:ReplicationTask") {
            let kind = input_str(task, "migrationType").unwrap_or("?");
            let direction = if task.name.contains("reverse") {
                "reverse"
            } else {
                "forward"
            };
            if let Some(instance) = dms_instance {
                self.edge(
                    &node_id(instance),
                    "datacenter",
                    format!("DMS {direction} {kind} (over the VPN)"),
                    Kind::Both,
                );
            }
        }
        self.weights(layout);
    }

    /// The listener's weights on the ALB's edges to the instances and to the data center.
    fn weights(&mut self, layout: &Layout<'_>) {
        let plan = layout.plan;
        let listener = plan.resources.iter().find(|r| {
            r.ty == "aws:lb/listener:Listener" && input_str(r, "protocol") == Some("HTTPS")
        });
        let Some(weights) = listener
            .and_then(|l| l.inputs.get("defaultActions"))
            .and_then(|a| a[0]["forward"]["targetGroups"].as_array().cloned())
        else {
            return;
        };
        let weight = |i: usize| {
            weights
                .get(i)
                .map(|g| g["weight"].to_string())
                .unwrap_or_default()
        };
        let Some(alb) = layout
            .of_type("aws:lb/loadBalancer:LoadBalancer")
            .next()
            .map(node_id)
        else {
            return;
        };
        let instances: BTreeSet<String> = layout
            .of_type("aws:autoscaling/group:Group")
            .flat_map(|asg| Self::expand(layout, &node_id(asg), None))
            .map(|(id, _)| id)
            .collect();
        let alb_parts: BTreeSet<String> = Self::expand(layout, &alb, None)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let to_instances: Vec<Edge> = self
            .edges
            .iter()
            .filter(|e| alb_parts.contains(&e.from) && instances.contains(&e.to))
            .cloned()
            .collect();
        for edge in to_instances {
            self.edges.remove(&edge);
            self.edge(
                &edge.from,
                &edge.to,
                format!("{}, weight {}%", edge.label, weight(0)),
                edge.kind,
            );
        }
        self.edge(
            &alb,
            "datacenter",
            format!("weight {}% (IP targets over VPN)", weight(1)),
            Kind::Flow,
        );
    }

    /// Graphviz DOT: frames as boxes behind the nodes, every position pinned on the grid.
    pub fn dot(&self) -> String {
        let grid = Grid::new(self.zones.len(), self.service_columns.len());
        let mut out = String::from(
            "digraph payments {\n  layout=neato;\n  splines=false;\n  overlap=true;\n  \
             outputorder=nodesfirst;\n  fontname=\"Helvetica\";\n  \
             node [shape=box, style=\"rounded,filled\", fillcolor=\"white\", fontname=\"Helvetica\", fontsize=10, margin=\"0.1,0.04\"];\n  \
             edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        for (frame, rect, style) in self.frame_boxes(&grid) {
            out.push_str(&format!(
                "  frame_{} [label=\"{}\", labelloc=t, fixedsize=true, fontsize=12, width={:.2}, height={:.2}, pos=\"{:.2},{:.2}!\", {style}];\n",
                id_of(&frame.key),
                frame.label,
                rect.width(),
                rect.height(),
                rect.centre_x(),
                rect.centre_y()
            ));
        }
        for node in &self.nodes {
            let (x, y) = grid.position(node.place, self.cell_size(node.place));
            let (width, height) = text_box(&node.label);
            let width = if node.place == Place::Balancer {
                grid.zones_width() - 1.0
            } else {
                width
            };
            out.push_str(&format!(
                "  {} [label=\"{}\", pos=\"{x:.2},{y:.2}!\", fixedsize=true, width={width:.2}, height={height:.2}];\n",
                node.id, node.label
            ));
        }
        for edge in &self.edges {
            let style = match edge.kind {
                Kind::Flow => "",
                Kind::Both => ", dir=both, color=\"#DD344C\", fontcolor=\"#DD344C\"",
                Kind::Part => ", style=dashed, arrowhead=none",
            };
            out.push_str(&format!(
                "  {} -> {} [label=\"{}\"{style}];\n",
                edge.from, edge.to, edge.label
            ));
        }
        out.push_str("}\n");
        out
    }

    /// How many nodes share the subnet cell of `place`.
    fn cell_size(&self, place: Place) -> usize {
        match place {
            Place::Subnet { zone, tier, .. } => self
                .nodes
                .iter()
                .filter(|n| {
                    matches!(n.place, Place::Subnet { zone: z, tier: t, .. } if z == zone && t == tier)
                })
                .count(),
            _ => 1,
        }
    }

    /// Every frame with its box and style, outermost first (drawn first, so behind).
    fn frame_boxes(&self, grid: &Grid) -> Vec<(Frame, Rect, &'static str)> {
        let mut boxes = Vec::new();
        if let Some(region) = &self.region {
            boxes.push((region.clone(), grid.region(), REGION_STYLE));
        }
        if let Some(vpc) = &self.vpc {
            boxes.push((vpc.clone(), grid.vpc(), VPC_STYLE));
        }
        for (index, (_, frame)) in self.zones.iter().enumerate() {
            boxes.push((frame.clone(), grid.zone(index), ZONE_STYLE));
        }
        for (zone, tier, frame) in &self.subnets {
            let style = if *tier == Tier::Public {
                PUBLIC_STYLE
            } else {
                PRIVATE_STYLE
            };
            boxes.push((frame.clone(), grid.subnet(*zone, *tier), style));
        }
        if let Some(services) = &self.services {
            boxes.push((services.clone(), grid.services(), SERVICES_STYLE));
        }
        for (index, frame) in self.service_columns.iter().enumerate() {
            boxes.push((frame.clone(), grid.service_column(index), COLUMN_STYLE));
        }
        if let Some(copy) = &self.copy_region {
            boxes.push((copy.clone(), grid.copy_region(), REGION_STYLE));
        }
        boxes
    }

    /// Mermaid flowchart: the same frames as nested subgraphs and the same edges.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart TB\n");
        let mut opened: Vec<Frame> = Vec::new();
        let mut nodes: Vec<&Node> = self.nodes.iter().collect();
        nodes.sort_by(|a, b| (&a.frames, a.place, &a.id).cmp(&(&b.frames, b.place, &b.id)));
        for node in nodes {
            while !node.frames.starts_with(&opened) {
                opened.pop();
                out.push_str(&format!("{}end\n", "  ".repeat(opened.len() + 1)));
            }
            while opened.len() < node.frames.len() {
                let frame = node.frames[opened.len()].clone();
                out.push_str(&format!(
                    "{}subgraph {}[\"{}\"]\n",
                    "  ".repeat(opened.len() + 1),
                    id_of(&frame.key),
                    frame.label.replace("\\n", "<br/>")
                ));
                opened.push(frame);
            }
            out.push_str(&format!(
                "{}{}[\"{}\"]\n",
                "  ".repeat(opened.len() + 1),
                node.id,
                node.label.replace("\\n", "<br/>")
            ));
        }
        while !opened.is_empty() {
            opened.pop();
            out.push_str(&format!("{}end\n", "  ".repeat(opened.len() + 1)));
        }
        for edge in &self.edges {
            let arrow = match edge.kind {
                Kind::Flow => "-->",
                Kind::Both => "<-->",
                Kind::Part => "-.-",
            };
            if edge.label.is_empty() {
                out.push_str(&format!("  {} {arrow} {}\n", edge.from, edge.to));
            } else {
                out.push_str(&format!(
                    "  {} {arrow}|{}| {}\n",
                    edge.from, edge.label, edge.to
                ));
            }
        }
        out
    }
}

const REGION_STYLE: &str = "style=\"dashed\", color=\"#232F3E\", fontcolor=\"#232F3E\"";
const VPC_STYLE: &str = "style=\"solid\", color=\"#8C4FFF\", fontcolor=\"#8C4FFF\", penwidth=1.5";
const ZONE_STYLE: &str = "style=\"dashed\", color=\"#147EBA\", fontcolor=\"#147EBA\"";
const PUBLIC_STYLE: &str =
    "style=\"filled\", fillcolor=\"#F2F8EC\", color=\"#7AA116\", fontcolor=\"#248814\"";
const PRIVATE_STYLE: &str =
    "style=\"filled\", fillcolor=\"#E6F6F7\", color=\"#00A4A6\", fontcolor=\"#007D7F\"";
const SERVICES_STYLE: &str = "style=\"rounded\", color=\"#7D8998\", fontcolor=\"#232F3E\"";
const COLUMN_STYLE: &str =
    "style=\"rounded,filled\", fillcolor=\"#F7F8F8\", color=\"#AAB7B8\", fontcolor=\"#232F3E\"";

/// The logical owner of the interface endpoints' nodes (one per subnet).
const INTERFACE_ENDPOINTS: &str = "vpc_interface_endpoints";

/// The size (inches) of a node for `label` at 10 points, estimated from its longest line, so
/// the geometry does not depend on the fonts installed where Graphviz runs.
fn text_box(label: &str) -> (f64, f64) {
    let lines: Vec<&str> = label.split("\\n").collect();
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    (
        longest as f64 * 0.075 + 0.3,
        lines.len() as f64 * 0.17 + 0.16,
    )
}

/// A box on the page, in inches (y grows upwards, as in Graphviz).
#[derive(Clone, Copy, Debug)]
struct Rect {
    left: f64,
    bottom: f64,
    right: f64,
    top: f64,
}

impl Rect {
    fn width(&self) -> f64 {
        self.right - self.left
    }
    fn height(&self) -> f64 {
        self.top - self.bottom
    }
    fn centre_x(&self) -> f64 {
        (self.left + self.right) / 2.0
    }
    fn centre_y(&self) -> f64 {
        (self.top + self.bottom) / 2.0
    }
}

/// The grid of the picture: columns for the data center, each zone and each services column;
/// rows for the internet, the gateways and each tier.
struct Grid {
    zones: usize,
    columns: usize,
}

const ZONE_WIDTH: f64 = 5.6;
const ZONE_GAP: f64 = 0.3;
const COLUMN_WIDTH: f64 = 2.9;
const VPC_LEFT: f64 = 3.6;
const PAD: f64 = 0.25;

impl Grid {
    fn new(zones: usize, columns: usize) -> Self {
        Grid {
            zones: zones.max(1),
            columns: columns.max(1),
        }
    }

    fn zone(&self, index: usize) -> Rect {
        let left = VPC_LEFT + PAD + index as f64 * (ZONE_WIDTH + ZONE_GAP);
        Rect {
            left,
            bottom: 1.1,
            right: left + ZONE_WIDTH,
            top: 7.6,
        }
    }

    fn zones_width(&self) -> f64 {
        self.zone(self.zones - 1).right - self.zone(0).left
    }

    fn vpc(&self) -> Rect {
        Rect {
            left: VPC_LEFT,
            bottom: 0.8,
            right: self.zone(self.zones - 1).right + PAD,
            top: 8.6,
        }
    }

    fn subnet(&self, zone: usize, tier: Tier) -> Rect {
        let zone = self.zone(zone);
        let (top, bottom) = match tier {
            Tier::Public => (7.3, 5.2),
            Tier::App => (4.9, 3.3),
            Tier::Data => (3.0, 1.4),
        };
        Rect {
            left: zone.left + 0.2,
            bottom,
            right: zone.right - 0.2,
            top,
        }
    }

    fn services(&self) -> Rect {
        let left = self.vpc().right + 0.4;
        Rect {
            left,
            bottom: 1.1,
            right: left + 0.2 + self.columns as f64 * (COLUMN_WIDTH + 0.2),
            top: 7.6,
        }
    }

    fn service_column(&self, index: usize) -> Rect {
        let left = self.services().left + 0.2 + index as f64 * (COLUMN_WIDTH + 0.2);
        Rect {
            left,
            bottom: 1.4,
            right: left + COLUMN_WIDTH,
            top: 6.15,
        }
    }

    fn region(&self) -> Rect {
        Rect {
            left: VPC_LEFT - 0.3,
            bottom: 0.5,
            right: self.services().right + 0.3,
            top: 8.9,
        }
    }

    fn copy_region(&self) -> Rect {
        let left = self.region().right + 0.4;
        Rect {
            left,
            bottom: 2.5,
            right: left + COLUMN_WIDTH + 0.6,
            top: 6.6,
        }
    }

    /// The centre of a node at `place`, one of `count` in its cell.
    fn position(&self, place: Place, count: usize) -> (f64, f64) {
        let vpc = self.vpc();
        match place {
            Place::Internet => (vpc.centre_x(), 9.4),
            Place::DataCenter => (VPC_LEFT - 1.9, 3.1),
            Place::VpnGateway => (self.zone(0).left + 1.0, 8.1),
            Place::InternetGateway => (vpc.centre_x(), 8.1),
            Place::EndpointGateway => (self.zone(self.zones - 1).right - 1.3, 8.1),
            Place::Balancer => (vpc.centre_x(), 6.55),
            Place::Subnet { zone, tier, slot } => {
                let y = match tier {
                    Tier::Public => 5.7,
                    Tier::App => 4.1,
                    Tier::Data => 2.1,
                };
                let offset = slot as f64 - (count.max(1) - 1) as f64 / 2.0;
                (self.zone(zone).centre_x() + offset * 2.7, y)
            }
            Place::Firewall => (self.services().centre_x(), 6.55),
            Place::CopyRegion { slot } => (self.copy_region().centre_x(), 5.7 - slot as f64 * 1.2),
            Place::Service { column, slot } => {
                let y = [5.7, 4.1, 2.1]
                    .get(slot)
                    .copied()
                    .unwrap_or(2.1 - (slot as f64 - 2.0) * 0.6);
                (self.service_column(column).centre_x(), y)
            }
        }
    }
}
