//! Compute rules: the Auto Scaling group and its launch template.

use std::collections::BTreeSet;

use crate::rule::Out;
use crate::tokens::{ASG, INSTANCE_PROFILE, KMS_KEY, LAUNCH_TEMPLATE, SUBNET, TG_TYPES};
use crate::view::{Got, PlanView, Refs, input};

/// The capacity the request fixes for the application tier.
pub const ASG_MIN: i64 = 2;
/// The largest capacity the request allows.
pub const ASG_MAX: i64 = 6;

/// asg-elb-health.
pub(crate) fn asg_elb_health(view: &PlanView<'_>, out: &mut Out) {
    for asg in view.of_type(ASG) {
        let attached = match input(asg, "targetGroupArns").items() {
            Got::Known(items) => !items.is_empty(),
            Got::Unknown => !view
                .refs(asg, "targetGroupArns", &TG_TYPES)
                .resources()
                .is_empty(),
            Got::Absent => false,
        };
        if !attached {
            continue;
        }
        match input(asg, "healthCheckType").str() {
            Got::Known("ELB") => {}
            Got::Unknown => out.undecided(asg, "healthCheckType is unknown"),
            other => out.fail(
                asg,
                format!(
                    "serves target groups but replaces instances on EC2 status checks only \
                     (healthCheckType {})",
                    other.known().unwrap_or("not set")
                ),
                "set healthCheckType: ELB (and a healthCheckGracePeriod)",
            ),
        }
    }
}

/// asg-capacity.
pub(crate) fn asg_capacity(view: &PlanView<'_>, out: &mut Out) {
    let fix = format!(
        "set minSize >= {ASG_MIN}, maxSize <= {ASG_MAX} and vpcZoneIdentifiers to the private \
         application subnets of two availability zones"
    );
    for asg in view.of_type(ASG) {
        let min = input(asg, "minSize").int();
        let max = input(asg, "maxSize").int();
        let mut problems = Vec::new();
        match (&min, &max) {
            (Got::Known(min), Got::Known(max)) => {
                if *min < ASG_MIN {
                    problems.push(format!("minSize {min} is below {ASG_MIN}"));
                }
                if *max > ASG_MAX {
                    problems.push(format!("maxSize {max} is above {ASG_MAX}"));
                }
                if min > max {
                    problems.push(format!("minSize {min} exceeds maxSize {max}"));
                }
            }
            (Got::Absent, _) | (_, Got::Absent) => {
                problems.push("minSize or maxSize is not set".to_owned());
            }
            _ => out.undecided(asg, "minSize or maxSize is unknown"),
        }
        match view.refs(asg, "vpcZoneIdentifiers", &[SUBNET]) {
            Refs::Resolved(subnets) => {
                let mut zones = BTreeSet::new();
                let mut unknown = false;
                for subnet in &subnets {
                    let zone = match input(subnet, "availabilityZone").str() {
                        Got::Absent => input(subnet, "availabilityZoneId").str(),
                        other => other,
                    };
                    match zone {
                        Got::Known(zone) => {
                            zones.insert(zone);
                        }
                        _ => unknown = true,
                    }
                }
                if zones.len() < 2 {
                    if unknown {
                        out.undecided(asg, "the availability zone of a subnet is unknown");
                    } else {
                        problems.push(format!(
                            "its {} subnet(s) span {} availability zone(s), not two",
                            subnets.len(),
                            zones.len()
                        ));
                    }
                }
            }
            Refs::Absent => problems.push("it names no subnets (vpcZoneIdentifiers)".to_owned()),
            Refs::Unknown => {
                out.undecided(
                    asg,
                    "vpcZoneIdentifiers is unknown and has no recorded dependency",
                );
            }
        }
        if !problems.is_empty() {
            out.fail(asg, problems.join("; "), fix.clone());
        }
    }
}

/// lt-no-public-ip.
pub(crate) fn lt_no_public_ip(view: &PlanView<'_>, out: &mut Out) {
    for template in view.of_type(LAUNCH_TEMPLATE) {
        match input(template, "networkInterfaces").items() {
            Got::Known(interfaces) => {
                for interface in interfaces {
                    match interface.get("associatePublicIpAddress").bool() {
                        Got::Known(true) => out.fail(
                            template,
                            "gives instances a public IP (networkInterfaces[].associatePublicIpAddress \
                             \"true\")",
                            "set associatePublicIpAddress to \"false\"; instances sit in private \
                             subnets behind the load balancer",
                        ),
                        Got::Unknown => {
                            out.undecided(template, "associatePublicIpAddress is unknown");
                        }
                        _ => {}
                    }
                }
            }
            Got::Unknown => out.undecided(template, "networkInterfaces is unknown"),
            Got::Absent => {}
        }
    }
}

/// lt-imdsv2.
pub(crate) fn lt_imdsv2(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set metadataOptions {httpTokens: required, httpPutResponseHopLimit: 1}";
    for template in view.of_type(LAUNCH_TEMPLATE) {
        let options = input(template, "metadataOptions");
        if options.get("httpEndpoint").str() == Got::Known("disabled") {
            continue;
        }
        let mut problems = Vec::new();
        match options.get("httpTokens").str() {
            Got::Known("required") => {}
            Got::Unknown => {
                out.undecided(template, "metadataOptions.httpTokens is unknown");
                continue;
            }
            Got::Known(other) => problems.push(format!(
                "instance metadata accepts IMDSv1 (httpTokens {other:?})"
            )),
            Got::Absent => {
                problems.push("instance metadata accepts IMDSv1 (httpTokens not set)".to_owned());
            }
        }
        match options.get("httpPutResponseHopLimit").int() {
            Got::Known(1) => {}
            Got::Known(n) => problems.push(format!(
                "the metadata hop limit is {n}, so containers on the instance can reach it"
            )),
            Got::Absent => problems.push(
                "the metadata hop limit is not set (the AMI's default applies, 2 for Amazon \
                 Linux 2023)"
                    .to_owned(),
            ),
            Got::Unknown => {
                out.undecided(
                    template,
                    "metadataOptions.httpPutResponseHopLimit is unknown",
                );
                continue;
            }
        }
        if !problems.is_empty() {
            out.fail(template, problems.join("; "), fix);
        }
    }
}

/// lt-ebs-encrypted.
pub(crate) fn lt_ebs_encrypted(view: &PlanView<'_>, out: &mut Out) {
    let fix = "give every blockDeviceMappings[].ebs encrypted \"true\" and kmsKeyId set to the \
               compute key's ARN";
    for template in view.of_type(LAUNCH_TEMPLATE) {
        let mappings = match input(template, "blockDeviceMappings").items() {
            Got::Known(mappings) => mappings,
            Got::Unknown => {
                out.undecided(template, "blockDeviceMappings is unknown");
                continue;
            }
            Got::Absent => Vec::new(),
        };
        let volumes: Vec<_> = mappings
            .into_iter()
            .filter(|m| !m.get("ebs").is_absent())
            .collect();
        if volumes.is_empty() {
            out.fail(
                template,
                "declares no EBS block device, so the root volume's encryption follows the AMI \
                 and the account default",
                fix,
            );
            continue;
        }
        let key_refs = view.refs(template, "blockDeviceMappings", &[KMS_KEY]);
        for volume in volumes {
            let device = volume.get("deviceName").str().known().unwrap_or("a volume");
            let ebs = volume.get("ebs");
            match ebs.get("encrypted").bool() {
                Got::Known(true) => {}
                Got::Unknown => {
                    out.undecided(template, format!("{device}: ebs.encrypted is unknown"));
                    continue;
                }
                _ => {
                    out.fail(
                        template,
                        format!("{device} is not encrypted (ebs.encrypted)"),
                        fix,
                    );
                    continue;
                }
            }
            let key = ebs.get("kmsKeyId");
            if key.is_absent() {
                out.fail(
                    template,
                    format!(
                        "{device} is encrypted with the AWS managed key aws/ebs, not the \
                             project's customer-managed key"
                    ),
                    fix,
                );
            } else if key_refs.resources().is_empty() {
                if key.contains_unknown() {
                    out.undecided(template, format!("{device}: ebs.kmsKeyId is unknown"));
                } else {
                    out.fail(
                        template,
                        format!(
                            "{device} is encrypted with a key that is not a KMS key of this stack"
                        ),
                        fix,
                    );
                }
            }
        }
    }
}

/// lt-instance-profile.
pub(crate) fn lt_instance_profile(view: &PlanView<'_>, out: &mut Out) {
    for template in view.of_type(LAUNCH_TEMPLATE) {
        let profile = input(template, "iamInstanceProfile");
        let named = ["arn", "name"]
            .iter()
            .any(|key| matches!(profile.get(key).str(), Got::Known(v) if !v.is_empty()));
        if named {
            continue;
        }
        match view.refs(template, "iamInstanceProfile", &[INSTANCE_PROFILE]) {
            Refs::Resolved(found) if !found.is_empty() => {}
            Refs::Unknown => out.undecided(template, "iamInstanceProfile is unknown"),
            _ => out.fail(
                template,
                "launches instances without an IAM instance profile",
                "set iamInstanceProfile {arn: the application's aws:iam/instanceProfile}",
            ),
        }
    }
}

/// lt-detailed-monitoring.
pub(crate) fn lt_detailed_monitoring(view: &PlanView<'_>, out: &mut Out) {
    for template in view.of_type(LAUNCH_TEMPLATE) {
        match input(template, "monitoring.enabled").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(template, "monitoring.enabled is unknown"),
            _ => out.fail(
                template,
                "launches instances with basic (5-minute) monitoring",
                "set monitoring {enabled: true} for 1-minute CloudWatch metrics",
            ),
        }
    }
}
