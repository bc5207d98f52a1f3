//! The architecture diagram is drawn from the registrations: VPC, zones, subnets per tier, ALB,
//! ASG, RDS primary and standby, buckets, keys, the VPN, traffic weights, and security-group edges
//! with their ports. The committed DOT/Mermaid of the dev stack stay current.

mod common;

use payments_platform::graph::Architecture;
use payments_platform::preview::PlanMode;

fn dev_architecture() -> Architecture {
    Architecture::of(&common::dev_plan())
}

#[test]
fn dot_shows_every_tier_and_the_security_edges() {
    let dot = dev_architecture().dot();
    for needle in [
        "subgraph cluster_vpc ",
        "Availability zone us-east-1a",
        "Availability zone us-east-1b",
        "subnet-public-a-dev-a1b2",
        "subnet-app-b-dev-a1b2",
        "subnet-db-a-dev-a1b2",
        "ALB alb-dev-a1b2",
        "ASG asg-app-dev-a1b2",
        "RDS mysql-dev-a1b2",
        "RDS standby",
        "S3 payments-logs-dev-a1b2",
        "S3 payments-static-dev-a1b2",
        "KMS kms-data-dev-a1b2",
        "Site-to-Site VPN",
        "Data center",
        "allowed_networks -> alb_dev_a1b2 [label=\"tcp 443\"]",
        "alb_dev_a1b2 -> asg_app_dev_a1b2 [label=\"tcp 8080\"]",
        "asg_app_dev_a1b2 -> mysql_dev_a1b2 [label=\"tcp 3306\"]",
    ] {
        assert!(dot.contains(needle), "{needle:?} missing from:\n{dot}");
    }
    assert!(!dot.contains("tcp 22"), "no SSH edge");
}

#[test]
fn shifting_phases_show_the_traffic_weights() {
    let yaml = common::phase_yaml("shift", 40);
    let plan = common::outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let dot = Architecture::of(&plan).dot();
    assert!(dot.contains("weight 40%"), "{dot}");
    assert!(dot.contains("weight 60% (IP targets over VPN)"), "{dot}");
}

#[test]
fn committed_diagrams_are_current() {
    let architecture = dev_architecture();
    let read = |name: &str| {
        std::fs::read_to_string(common::root().join("docs").join(name)).expect("committed diagram")
    };
    assert_eq!(
        read("architecture-dev.dot"),
        architecture.dot(),
        "regenerate with: payments-platform graph --format dot > docs/architecture-dev.dot"
    );
    assert_eq!(
        read("architecture-dev.mmd"),
        architecture.mermaid(),
        "regenerate with: payments-platform graph --format mermaid > docs/architecture-dev.mmd"
    );
    assert!(
        read("architecture-dev.svg").contains("<svg"),
        "docs/architecture-dev.svg is rendered"
    );
}
