//! The architecture diagram is drawn from the registrations, the way AWS reference architectures
//! are drawn (issue 11 point 7): region and VPC as frames, one column per zone (a before b), a row
//! per tier with each subnet inside its zone, the ALB across the public row, the instances in the
//! app row of both zones, the RDS primary and standby in the data row of their zones, buckets,
//! keys and audit beside the VPC, the data center outside with the VPN and DMS paths. The layout
//! is checked on what Graphviz renders, and the committed pictures are re-rendered and compared.

mod common;

use std::collections::BTreeMap;

use payments_platform::graph::Architecture;
use payments_platform::graph_cmd::render_with_graphviz;
use payments_platform::preview::PlanMode;

fn dev_architecture() -> Architecture {
    Architecture::of(&common::dev_plan())
}

fn architecture_of(stack: &str) -> Architecture {
    let plan = common::outcome_of(stack, &format!("Pulumi.{stack}.yaml"), PlanMode::Preview).plan;
    Architecture::of(&plan)
}

#[test]
fn dot_shows_every_tier_and_the_security_edges() {
    let dot = dev_architecture().dot();
    for needle in [
        "AWS Cloud: region us-east-1",
        "VPC vpc-dev-a1b2 (10.20.0.0/16)",
        "Availability zone us-east-1a",
        "Availability zone us-east-1b",
        "Public subnet subnet-public-a-dev-a1b2",
        "App subnet (private) subnet-app-b-dev-a1b2",
        "Data subnet (private) subnet-db-a-dev-a1b2",
        "Application Load Balancer alb-dev-a1b2",
        "EC2 instances of ASG\\nasg-app-dev-a1b2",
        "RDS mysql-dev-a1b2 primary",
        "RDS mysql-dev-a1b2 standby",
        "S3 payments-logs-dev-a1b2",
        "S3 payments-static-dev-a1b2",
        "KMS kms-data-dev-a1b2",
        "AWS WAF web ACL",
        "VPC flow logs",
        "Site-to-Site VPN",
        "Data center",
        "allowed_networks -> igw_dev_a1b2 [label=\"\"]",
        "igw_dev_a1b2 -> alb_dev_a1b2 [label=\"tcp 80, 443\"]",
        "alb_dev_a1b2 -> asg_app_dev_a1b2_0 [label=\"tcp 8080\"]",
        "alb_dev_a1b2 -> asg_app_dev_a1b2_1 [label=\"tcp 8080\"]",
        "asg_app_dev_a1b2_0 -> mysql_dev_a1b2 [label=\"tcp 3306\"]",
        "asg_app_dev_a1b2_1 -> mysql_dev_a1b2 [label=\"tcp 3306\"]",
        "dms_dev_a1b2 -> mysql_dev_a1b2 [label=\"tcp 3306\"]",
        "vgw_dev_a1b2 -> datacenter [label=\"Site-to-Site VPN",
        "dms_dev_a1b2 -> datacenter [label=\"DMS forward full-load-and-cdc",
        // Issue 12: the endpoints and the backups with their copy region.
        "S3 gateway endpoint\\nvpce-s3-dev-a1b2",
        "Interface endpoints (8)",
        "asg_app_dev_a1b2_0 -> vpc_interface_endpoints_0 [label=\"tcp 443\"]",
        "asg_app_dev_a1b2_0 -> vpce_s3_dev_a1b2 [label=\"tcp 443\"]",
        "Backup vault backup-vault-dev-a1b2",
        "Backup plan backup-plan-dev-a1b2\\ndaily, kept 7 days",
        "AWS Cloud: region us-west-2\\n(backup copies)",
        "backup_vault_dev_a1b2 -> backup_vault_copy_dev_a1b2 [label=\"copy of every recovery point\"]",
        "KMS kms-backup-copy-dev-a1b2",
    ] {
        assert!(dot.contains(needle), "{needle:?} missing from:\n{dot}");
    }
    assert!(!dot.contains("tcp 22"), "no SSH edge");
    assert!(!dot.contains("NAT gateway"), "no NAT gateway");
}

#[test]
fn shifting_phases_show_the_traffic_weights() {
    let yaml = common::phase_yaml("shift", 40);
    let plan = common::outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let dot = Architecture::of(&plan).dot();
    assert!(dot.contains("tcp 8080, weight 40%"), "{dot}");
    assert!(dot.contains("weight 60% (IP targets over VPN)"), "{dot}");
}

/// A box Graphviz drew: centre and size in inches (y grows upwards).
#[derive(Clone, Copy, Debug)]
struct Drawn {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Drawn {
    fn left(&self) -> f64 {
        self.x - self.w / 2.0
    }
    fn right(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn top(&self) -> f64 {
        self.y + self.h / 2.0
    }
    fn bottom(&self) -> f64 {
        self.y - self.h / 2.0
    }
    fn inside(&self, outer: &Drawn) -> bool {
        self.left() >= outer.left()
            && self.right() <= outer.right()
            && self.bottom() >= outer.bottom()
            && self.top() <= outer.top()
    }
    fn overlaps(&self, other: &Drawn) -> bool {
        self.left() < other.right()
            && other.left() < self.right()
            && self.bottom() < other.top()
            && other.bottom() < self.top()
    }
}

/// Every node as Graphviz lays it out (`-Tplain`), by id.
fn drawn(architecture: &Architecture) -> BTreeMap<String, Drawn> {
    let plain = render_with_graphviz(&architecture.dot(), "plain")
        .expect("Graphviz `dot` renders the diagram (Debian: apt-get install graphviz)");
    let plain = String::from_utf8(plain).expect("utf-8");
    plain
        .lines()
        .filter_map(|line| line.strip_prefix("node "))
        .map(|rest| {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let number = |i: usize| fields[i].parse::<f64>().expect("a number");
            (
                fields[0].to_owned(),
                Drawn {
                    x: number(1),
                    y: number(2),
                    w: number(3),
                    h: number(4),
                },
            )
        })
        .collect()
}

#[test]
fn the_layout_reads_like_an_aws_reference_architecture() {
    for (stack, suffix) in [("dev", "dev-a1b2"), ("prod", "prod-p01")] {
        let boxes = drawn(&architecture_of(stack));
        let get = |id: &str| -> Drawn {
            *boxes
                .get(id)
                .unwrap_or_else(|| panic!("{stack}: {id} is drawn; have {:?}", boxes.keys()))
        };
        let id = |name: &str| name.replace('-', "_");
        let region = get("frame_region");
        let vpc = get("frame_1_vpc");
        let zone_a = get("frame_zone_us_east_1a");
        let zone_b = get("frame_zone_us_east_1b");
        assert!(vpc.inside(&region) && zone_a.inside(&vpc) && zone_b.inside(&vpc));
        assert!(zone_a.right() <= zone_b.left(), "{stack}: zone a left of b");
        let subnet = |tier: usize, word: &str, zone: &str| {
            get(&format!("frame_{tier}_subnet_{word}_{zone}_{}", id(suffix)))
        };
        for (zone, frame) in [("a", zone_a), ("b", zone_b)] {
            let (public, app, data) = (
                subnet(0, "public", zone),
                subnet(1, "app", zone),
                subnet(2, "db", zone),
            );
            for tier in [public, app, data] {
                assert!(tier.inside(&frame), "{stack}: subnet inside zone {zone}");
            }
            assert!(
                public.bottom() >= app.top() && app.bottom() >= data.top(),
                "{stack}: rows public, app, data from the top in zone {zone}"
            );
        }
        // The ALB spans the public row of both zones.
        let alb = get(&id(&format!("alb-{suffix}")));
        let (public_a, public_b) = (subnet(0, "public", "a"), subnet(0, "public", "b"));
        assert!(
            alb.left() < public_a.x && alb.right() > public_b.x,
            "{stack}: ALB across"
        );
        assert!(alb.bottom() >= public_a.bottom() && alb.top() <= public_a.top());
        // Instances in the app row of both zones; primary and standby in their data rows.
        let asg = id(&format!("asg-app-{suffix}"));
        assert!(get(&format!("{asg}_0")).inside(&subnet(1, "app", "a")));
        assert!(get(&format!("{asg}_1")).inside(&subnet(1, "app", "b")));
        let db = id(&format!("mysql-{suffix}"));
        assert!(
            get(&db).inside(&subnet(2, "db", "a")),
            "{stack}: primary in a"
        );
        assert!(
            get(&format!("{db}_standby")).inside(&subnet(2, "db", "b")),
            "{stack}: standby in b"
        );
        // Buckets, keys and audit beside the VPC, in the region.
        let services = get("frame_2_services");
        assert!(services.inside(&region) && services.left() >= vpc.right());
        for service in [
            format!("payments_logs_{}", id(suffix)),
            format!("kms_data_{}", id(suffix)),
            "flow_logs".to_owned(),
            "alarms".to_owned(),
            format!("waf_alb_{}", id(suffix)),
        ] {
            assert!(get(&service).inside(&services), "{stack}: {service} beside");
        }
        // The data center outside the region; the gateways inside the VPC, above the zones.
        let datacenter = get("datacenter");
        assert!(
            !datacenter.overlaps(&region),
            "{stack}: data center outside"
        );
        for gateway in [format!("igw_{}", id(suffix)), format!("vgw_{}", id(suffix))] {
            let gateway = get(&gateway);
            assert!(gateway.inside(&vpc) && gateway.bottom() >= zone_a.top());
        }
        // No two resources overlap (frames aside).
        let resources: Vec<(&String, &Drawn)> = boxes
            .iter()
            .filter(|(id, _)| !id.starts_with("frame_"))
            .collect();
        for (i, (a, box_a)) in resources.iter().enumerate() {
            for (b, box_b) in &resources[i + 1..] {
                assert!(!box_a.overlaps(box_b), "{stack}: {a} overlaps {b}");
            }
        }
    }
}

#[test]
fn committed_diagrams_are_current() {
    let read = |name: &str| {
        std::fs::read_to_string(common::root().join("docs").join(name))
            .unwrap_or_else(|e| panic!("committed diagram {name}: {e}"))
    };
    for stack in ["dev", "prod"] {
        let architecture = architecture_of(stack);
        assert_eq!(
            read(&format!("architecture-{stack}.dot")),
            architecture.dot(),
            "regenerate with: payments-platform graph --stack {stack} --format dot --output docs/architecture-{stack}.dot"
        );
        assert_eq!(
            read(&format!("architecture-{stack}.mmd")),
            architecture.mermaid(),
            "regenerate with: payments-platform graph --stack {stack} --format mermaid --output docs/architecture-{stack}.mmd"
        );
        let svg = render_with_graphviz(&architecture.dot(), "svg")
            .expect("Graphviz `dot` renders the diagram (Debian: apt-get install graphviz)");
        assert_eq!(
            read(&format!("architecture-{stack}.svg")),
            String::from_utf8(svg).expect("utf-8"),
            "regenerate with: payments-platform graph --stack {stack} --format svg --output docs/architecture-{stack}.svg"
        );
    }
}
