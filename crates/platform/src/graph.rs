//! `graph`: the architecture drawn from the registrations of a plan: the VPC, both zones with
//! their subnets per tier, the ALB, the ASG, RDS primary and standby, buckets, keys, the VPN to the
//! data center, the traffic weights, the account controls (trail, GuardDuty, AWS Config, Security
//! Hub), and
//! security-group edges labelled with their ports. Output as
//! Graphviz DOT or Mermaid; SVG/PNG through Graphviz's `dot` when it is installed.

use std::collections::{BTreeMap, BTreeSet};

use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::Value;

/// A node of the architecture.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    id: String,
    label: String,
    /// The cluster it is drawn in: `("vpc", zone, tier)`-like path, empty for outside the VPC.
    cluster: Vec<String>,
}

/// A labelled edge.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    label: String,
}

/// The architecture extracted from a plan.
#[derive(Debug, Default)]
pub struct Architecture {
    nodes: BTreeSet<Node>,
    edges: BTreeSet<Edge>,
}

fn input_str<'a>(resource: &'a PlanResource, key: &str) -> Option<&'a str> {
    resource.inputs.get(key).and_then(Value::as_str)
}

fn node_id(resource: &PlanResource) -> String {
    resource
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn depends_on(resource: &PlanResource, property: &str, urn: &str) -> bool {
    resource
        .property_dependencies
        .get(property)
        .is_some_and(|urns| urns.iter().any(|u| u == urn))
}

impl Architecture {
    /// Extracts the architecture from `plan`.
    pub fn of(plan: &Plan) -> Self {
        let mut arch = Architecture::default();
        let of_type = |ty: &'static str| plan.resources.iter().filter(move |r| r.ty == ty);
        let node = |resource: &PlanResource, label: String, cluster: Vec<String>| Node {
            id: node_id(resource),
            label,
            cluster,
        };
        let zone_of: BTreeMap<&str, String> = of_type("aws:ec2/subnet:Subnet")
            .map(|s| {
                (
                    s.urn.as_str(),
                    input_str(s, "availabilityZone").unwrap_or("?").to_owned(),
                )
            })
            .collect();
        for subnet in of_type("aws:ec2/subnet:Subnet") {
            let zone = zone_of
                .get(subnet.urn.as_str())
                .cloned()
                .unwrap_or_default();
            let cidr = input_str(subnet, "cidrBlock").unwrap_or("?");
            arch.nodes.insert(node(
                subnet,
                format!("{}\\n{cidr}", subnet.name),
                vec!["vpc".into(), zone],
            ));
        }
        let subnets_of = |resource: &PlanResource, property: &str| -> Vec<String> {
            plan.resources
                .iter()
                .filter(|s| {
                    s.ty == "aws:ec2/subnet:Subnet" && depends_on(resource, property, &s.urn)
                })
                .map(node_id)
                .collect()
        };
        let mut placed: Vec<(String, Vec<String>, String)> = Vec::new();
        for alb in of_type("aws:lb/loadBalancer:LoadBalancer") {
            arch.nodes.insert(node(
                alb,
                format!("ALB {}\\nHTTPS 443 (HTTP 80 redirects)", alb.name),
                vec!["vpc".into()],
            ));
            placed.push((node_id(alb), subnets_of(alb, "subnets"), "in".into()));
        }
        for asg in of_type("aws:autoscaling/group:Group") {
            let size = format!(
                "{}-{}",
                asg.inputs
                    .get("minSize")
                    .map(Value::to_string)
                    .unwrap_or_default(),
                asg.inputs
                    .get("maxSize")
                    .map(Value::to_string)
                    .unwrap_or_default()
            );
            arch.nodes.insert(node(
                asg,
                format!("ASG {}\\n{size} instances", asg.name),
                vec!["vpc".into()],
            ));
            placed.push((
                node_id(asg),
                subnets_of(asg, "vpcZoneIdentifiers"),
                "in".into(),
            ));
        }
        for db in of_type("aws:rds/instance:Instance") {
            let engine = format!("MySQL {}", input_str(db, "engineVersion").unwrap_or(""));
            arch.nodes.insert(node(
                db,
                format!("RDS {}\\n{engine} primary", db.name),
                vec!["vpc".into()],
            ));
            if db.inputs.get("multiAz") == Some(&Value::Bool(true)) {
                arch.nodes.insert(Node {
                    id: format!("{}_standby", node_id(db)),
                    label: "RDS standby\\n(Multi-AZ, synchronous)".into(),
                    cluster: vec!["vpc".into()],
                });
                arch.edges.insert(Edge {
                    from: node_id(db),
                    to: format!("{}_standby", node_id(db)),
                    label: "replication".into(),
                });
            }
            let groups: Vec<&PlanResource> = of_type("aws:rds/subnetGroup:SubnetGroup")
                .filter(|g| depends_on(db, "dbSubnetGroupName", &g.urn))
                .collect();
            for group in groups {
                placed.push((node_id(db), subnets_of(group, "subnetIds"), "in".into()));
            }
        }
        for dms in of_type("aws:dms/replicationInstance:ReplicationInstance") {
            arch.nodes
                .insert(node(dms, format!("DMS {}", dms.name), vec!["vpc".into()]));
        }
        for (node, subnets, label) in placed {
            for subnet in subnets {
                arch.edges.insert(Edge {
                    from: node.clone(),
                    to: subnet,
                    label: label.clone(),
                });
            }
        }
        for bucket in of_type("aws:s3/bucket:Bucket") {
            arch.nodes.insert(node(
                bucket,
                format!("S3 {}", input_str(bucket, "bucket").unwrap_or(&bucket.name)),
                vec!["storage".into()],
            ));
        }
        for key in of_type("aws:kms/key:Key") {
            arch.nodes.insert(node(
                key,
                format!("KMS {} (rotating)", key.name),
                vec!["keys".into()],
            ));
        }
        arch.account_controls(plan);
        arch.security_edges(plan);
        arch.migration(plan);
        arch
    }

    /// The account-level controls (issue 12): the trail with its deliveries (audit bucket, log
    /// group) and its key, GuardDuty, AWS Config (delivering to the audit bucket) and Security Hub.
    fn account_controls(&mut self, plan: &Plan) {
        let cluster = || vec!["audit".to_owned()];
        for trail in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:cloudtrail/trail:Trail")
        {
            self.nodes.insert(Node {
                id: node_id(trail),
                label: format!(
                    "CloudTrail {}\\nmulti-region, validated, CIS alarms",
                    trail.name
                ),
                cluster: cluster(),
            });
            for (property, label) in [
                ("s3BucketName", "log files"),
                ("kmsKeyId", "encrypts"),
                ("cloudWatchLogsGroupArn", "CloudWatch Logs"),
            ] {
                for target in plan.resources.iter().filter(|r| {
                    matches!(
                        r.ty.as_str(),
                        "aws:s3/bucket:Bucket"
                            | "aws:kms/key:Key"
                            | "aws:cloudwatch/logGroup:LogGroup"
                    ) && depends_on(trail, property, &r.urn)
                }) {
                    if target.ty == "aws:cloudwatch/logGroup:LogGroup" {
                        self.nodes.insert(Node {
                            id: node_id(target),
                            label: format!("Log group {}", target.name),
                            cluster: cluster(),
                        });
                    }
                    self.edges.insert(Edge {
                        from: node_id(trail),
                        to: node_id(target),
                        label: label.to_owned(),
                    });
                }
            }
        }
        for (ty, label) in [
            (
                "aws:cfg/recorder:Recorder",
                "AWS Config {}\\nall resource types, managed rules",
            ),
            (
                "aws:securityhub/account:Account",
                "Security Hub {}\\nPCI DSS v4.0.1, FSBP",
            ),
        ] {
            for resource in plan.resources.iter().filter(|r| r.ty == ty) {
                self.nodes.insert(Node {
                    id: node_id(resource),
                    label: label.replace("{}", &resource.name),
                    cluster: cluster(),
                });
            }
        }
        for channel in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:cfg/deliveryChannel:DeliveryChannel")
        {
            for recorder in plan
                .resources
                .iter()
                .filter(|r| r.ty == "aws:cfg/recorder:Recorder")
            {
                for bucket in plan.resources.iter().filter(|r| {
                    r.ty == "aws:s3/bucket:Bucket" && depends_on(channel, "s3BucketName", &r.urn)
                }) {
                    self.edges.insert(Edge {
                        from: node_id(recorder),
                        to: node_id(bucket),
                        label: "configuration history".to_owned(),
                    });
                }
            }
        }
        for detector in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:guardduty/detector:Detector")
        {
            self.nodes.insert(Node {
                id: node_id(detector),
                label: format!(
                    "GuardDuty {}\\nS3, EBS malware, RDS login; high findings alarmed",
                    detector.name
                ),
                cluster: cluster(),
            });
        }
    }

    /// Edges between security groups' owners, labelled with the ports the rules admit.
    fn security_edges(&mut self, plan: &Plan) {
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
                })?;
                let node = if owner.ty == "aws:ec2/launchTemplate:LaunchTemplate" {
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
        for rule in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        {
            let Some(target) = owner_of(rule, "securityGroupId") else {
                continue;
            };
            let port = rule
                .inputs
                .get("fromPort")
                .map(Value::to_string)
                .unwrap_or_default();
            let source = match owner_of(rule, "referencedSecurityGroupId") {
                Some(source) => source,
                None => {
                    self.nodes.insert(Node {
                        id: "allowed_networks".into(),
                        label: "Allowed networks\\n(allowedIngressCidrs, prefix lists)".into(),
                        cluster: Vec::new(),
                    });
                    "allowed_networks".into()
                }
            };
            self.edges.insert(Edge {
                from: source,
                to: target,
                label: format!("tcp {port}"),
            });
        }
    }

    /// The VPN to the data center and the traffic weights.
    fn migration(&mut self, plan: &Plan) {
        let vpn = plan
            .resources
            .iter()
            .find(|r| r.ty == "aws:ec2/vpnConnection:VpnConnection");
        let on_prem_tg = plan.resources.iter().find(|r| {
            r.ty == "aws:lb/targetGroup:TargetGroup" && input_str(r, "targetType") == Some("ip")
        });
        if vpn.is_none() && on_prem_tg.is_none() {
            return;
        }
        self.nodes.insert(Node {
            id: "datacenter".into(),
            label: "Data center\\n(on-prem app + MySQL)".into(),
            cluster: Vec::new(),
        });
        if let Some(vpn) = vpn {
            let routing = if vpn.inputs.get("staticRoutesOnly") == Some(&Value::Bool(true)) {
                "static"
            } else {
                "BGP"
            };
            self.edges.insert(Edge {
                from: "datacenter".into(),
                to: "vpc_gateway".into(),
                label: format!("Site-to-Site VPN, 2 tunnels ({routing})"),
            });
            self.nodes.insert(Node {
                id: "vpc_gateway".into(),
                label: "VPN gateway".into(),
                cluster: vec!["vpc".into()],
            });
        }
        for dms in plan
            .resources
            .iter()
            .filter(|r| r.ty == "aws:dms/replicationTask:ReplicationTask")
        {
            let direction = input_str(dms, "migrationType").unwrap_or("?");
            let dms_instance = plan
                .resources
                .iter()
                .find(|r| r.ty == "aws:dms/replicationInstance:ReplicationInstance");
            if let Some(instance) = dms_instance {
                self.edges.insert(Edge {
                    from: node_id(instance),
                    to: "datacenter".into(),
                    label: format!("DMS {direction}"),
                });
            }
        }
        let listener = plan.resources.iter().find(|r| {
            r.ty == "aws:lb/listener:Listener" && input_str(r, "protocol") == Some("HTTPS")
        });
        let weights = listener
            .and_then(|l| l.inputs.get("defaultActions"))
            .and_then(|a| a[0]["forward"]["targetGroups"].as_array().cloned());
        let alb = plan
            .resources
            .iter()
            .find(|r| r.ty == "aws:lb/loadBalancer:LoadBalancer")
            .map(node_id);
        let asg = plan
            .resources
            .iter()
            .find(|r| r.ty == "aws:autoscaling/group:Group")
            .map(node_id);
        if let (Some(weights), Some(alb), Some(asg)) = (weights, alb, asg) {
            let weight = |i: usize| {
                weights
                    .get(i)
                    .map(|g| g["weight"].to_string())
                    .unwrap_or_default()
            };
            self.edges.insert(Edge {
                from: alb.clone(),
                to: asg,
                label: format!("weight {}%", weight(0)),
            });
            self.edges.insert(Edge {
                from: alb,
                to: "datacenter".into(),
                label: format!("weight {}% (IP targets over VPN)", weight(1)),
            });
        }
    }

    /// Graphviz DOT.
    pub fn dot(&self) -> String {
        let mut out = String::from(
            "digraph payments {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        );
        let mut clusters: BTreeMap<Vec<String>, Vec<&Node>> = BTreeMap::new();
        for node in &self.nodes {
            clusters.entry(node.cluster.clone()).or_default().push(node);
        }
        let label = |path: &[String]| match path.last().map(String::as_str) {
            Some("vpc") => "VPC".to_owned(),
            Some("storage") => "S3 buckets".to_owned(),
            Some("keys") => "KMS keys".to_owned(),
            Some("audit") => {
                "Account controls (audit trail, threat detection, continuous compliance)".to_owned()
            }
            Some(zone) => format!("Availability zone {zone}"),
            None => String::new(),
        };
        let mut opened: Vec<String> = Vec::new();
        for (path, nodes) in &clusters {
            while !path.starts_with(&opened) {
                opened.pop();
                out.push_str("  }\n");
            }
            while opened.len() < path.len() {
                opened.push(path[opened.len()].clone());
                out.push_str(&format!(
                    "  subgraph cluster_{} {{\n    label=\"{}\";\n",
                    opened.join("_").replace('-', "_"),
                    label(&opened)
                ));
            }
            for node in nodes {
                out.push_str(&format!("    {} [label=\"{}\"];\n", node.id, node.label));
            }
        }
        for _ in opened {
            out.push_str("  }\n");
        }
        for edge in &self.edges {
            let style = if edge.label == "in" {
                ", style=dotted, arrowhead=none"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {} -> {} [label=\"{}\"{style}];\n",
                edge.from, edge.to, edge.label
            ));
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        let mut clusters: BTreeMap<String, Vec<&Node>> = BTreeMap::new();
        for node in &self.nodes {
            clusters
                .entry(node.cluster.join(" / "))
                .or_default()
                .push(node);
        }
        for (name, nodes) in &clusters {
            let indent = if name.is_empty() { "  " } else { "    " };
            if !name.is_empty() {
                out.push_str(&format!(
                    "  subgraph {}[\"{name}\"]\n",
                    name.replace([' ', '/', '-'], "_")
                ));
            }
            for node in nodes {
                out.push_str(&format!(
                    "{indent}{}[\"{}\"]\n",
                    node.id,
                    node.label.replace("\\n", "<br/>")
                ));
            }
            if !name.is_empty() {
                out.push_str("  end\n");
            }
        }
        for edge in &self.edges {
            let arrow = if edge.label == "in" { "-.-" } else { "-->" };
            out.push_str(&format!(
                "  {} {arrow}|{}| {}\n",
                edge.from, edge.label, edge.to
            ));
        }
        out
    }
}
