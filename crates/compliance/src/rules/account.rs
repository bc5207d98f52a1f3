//! Account-level controls around the stack (PCI DSS v4.0 10.2-10.4, 11.5): the audit trail and
//! threat detection. Each control is either in the plan (`accountControls: create`) or provided
//! by the AWS Organization; then [`crate::Settings::organization_evidence`] names the evidence
//! and each rule reports the control as waived with it, on the stack's aws provider.
//!
//! A missing control has no resource of its own to point at, so its violation names the stack's
//! aws provider (the account the stack deploys into).

use pulumi_runtime::plan::PlanResource;

use crate::rule::Out;
use crate::tokens::{
    CONFIG_DELIVERY_CHANNEL, CONFIG_RECORDER, CONFIG_RECORDER_STATUS, DETECTOR, DETECTOR_FEATURE,
    KMS_KEY, LOG_GROUP, SECURITY_HUB, SECURITY_HUB_STANDARD, TRAIL,
};
use crate::view::{AWS_PROVIDER, Got, PlanView, Refs, input};

/// The GuardDuty features the detector must enable.
pub const DETECTOR_FEATURES: [&str; 3] = [
    "S3_DATA_EVENTS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
];

/// The account the stack deploys into: its first aws provider in the stack's region (else its
/// first aws provider).
fn account<'p>(view: &PlanView<'p>) -> Option<&'p PlanResource> {
    let providers = view.of_type(AWS_PROVIDER);
    let home = view.settings().region.as_str();
    providers
        .iter()
        .find(|p| input(p, "region").str() == Got::Known(home))
        .or(providers.first())
        .copied()
}

/// The trails to check, or `None` when the rule is done: waived with the organization's
/// evidence, or no trail at all (a violation on the provider).
fn trails<'p>(view: &PlanView<'p>, out: &mut Out, control: &str) -> Option<Vec<&'p PlanResource>> {
    let account = account(view)?;
    if let Some(evidence) = &view.settings().organization_evidence {
        out.waive(
            account,
            format!("the stack creates no {control}"),
            "set accountControls create, or keep the organization's evidence current",
            evidence.clone(),
        );
        return None;
    }
    let trails = view.of_type(TRAIL).to_vec();
    if trails.is_empty() {
        out.fail(
            account,
            format!("the account has no CloudTrail trail, so no {control}"),
            "create the audit trail (accountControls create), or set accountControls organization with the organization trail's ARN",
        );
        return None;
    }
    Some(trails)
}

/// `property` of `resource` must be true.
fn require_true(out: &mut Out, resource: &PlanResource, property: &str, fix: &str) {
    match input(resource, property).bool() {
        Got::Known(true) => {}
        Got::Unknown => out.undecided(resource, format!("{property} is unknown")),
        Got::Known(false) => out.fail(resource, format!("sets {property} false"), fix),
        Got::Absent => out.fail(resource, format!("does not set {property} true"), fix),
    }
}

/// trail-multi-region.
pub(crate) fn trail_multi_region(view: &PlanView<'_>, out: &mut Out) {
    let Some(trails) = trails(view, out, "multi-region audit trail") else {
        return;
    };
    for trail in trails {
        require_true(
            out,
            trail,
            "isMultiRegionTrail",
            "set isMultiRegionTrail true: API calls in every region are recorded",
        );
        require_true(
            out,
            trail,
            "includeGlobalServiceEvents",
            "set includeGlobalServiceEvents true: IAM, STS and CloudFront calls are recorded",
        );
    }
}

/// trail-log-validation.
pub(crate) fn trail_log_validation(view: &PlanView<'_>, out: &mut Out) {
    let Some(trails) = trails(view, out, "validated audit trail") else {
        return;
    };
    for trail in trails {
        require_true(
            out,
            trail,
            "enableLogFileValidation",
            "set enableLogFileValidation true (digest files prove the logs were not altered)",
        );
    }
}

/// trail-encrypted.
pub(crate) fn trail_encrypted(view: &PlanView<'_>, out: &mut Out) {
    let Some(trails) = trails(view, out, "encrypted audit trail") else {
        return;
    };
    let fix = "set kmsKeyId to the audit key of the stack (SSE-KMS)";
    for trail in trails {
        match view.refers_to(trail, "kmsKeyId", &[KMS_KEY]) {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(trail, "kmsKeyId is unknown"),
            Got::Known(false) => out.fail(
                trail,
                "kmsKeyId is not a customer-managed key of the stack",
                fix,
            ),
            Got::Absent => out.fail(trail, "sets no kmsKeyId, so logs are only SSE-S3", fix),
        }
    }
}

/// trail-cloudwatch-logs.
pub(crate) fn trail_cloudwatch_logs(view: &PlanView<'_>, out: &mut Out) {
    let Some(trails) = trails(view, out, "audit trail delivered to CloudWatch Logs") else {
        return;
    };
    let fix = "set cloudWatchLogsGroupArn to a log group of the stack and cloudWatchLogsRoleArn to \
               the role CloudTrail delivers through";
    for trail in trails {
        match view.refers_to(trail, "cloudWatchLogsGroupArn", &[LOG_GROUP]) {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(trail, "cloudWatchLogsGroupArn is unknown"),
            Got::Known(false) => out.fail(
                trail,
                "cloudWatchLogsGroupArn is not a log group of the stack",
                fix,
            ),
            Got::Absent => out.fail(
                trail,
                "is not delivered to CloudWatch Logs, so no metric filter or alarm sees it",
                fix,
            ),
        }
        if input(trail, "cloudWatchLogsRoleArn").is_absent() {
            out.fail(trail, "sets no cloudWatchLogsRoleArn", fix);
        }
    }
}

/// The account for an account-level control, or `None` when the rule is done: waived with the
/// organization's evidence (or no provider to report on).
fn unless_waived<'p>(
    view: &PlanView<'p>,
    out: &mut Out,
    control: &str,
) -> Option<&'p PlanResource> {
    let account = account(view)?;
    if let Some(evidence) = &view.settings().organization_evidence {
        out.waive(
            account,
            format!("the stack creates no {control}"),
            "set accountControls create, or keep the organization's evidence current",
            evidence.clone(),
        );
        return None;
    }
    Some(account)
}

/// The ARN path of the Security Hub PCI DSS v4 standard.
pub const PCI_STANDARD: &str = "standards/pci-dss/v/4.0.1";

/// config-recorder-on.
pub(crate) fn config_recorder_on(view: &PlanView<'_>, out: &mut Out) {
    let Some(account) = unless_waived(view, out, "AWS Config recorder") else {
        return;
    };
    let recorders = view.of_type(CONFIG_RECORDER);
    if recorders.is_empty() {
        out.fail(
            account,
            "the account has no AWS Config recorder, so no configuration history or managed rules",
            "create the recorder (accountControls create), or set accountControls organization with the evidence",
        );
        return;
    }
    let channels = view.of_type(CONFIG_DELIVERY_CHANNEL);
    for recorder in recorders {
        for flag in [
            "recordingGroup.allSupported",
            "recordingGroup.includeGlobalResourceTypes",
        ] {
            match input(recorder, flag).bool() {
                Got::Known(true) => {}
                Got::Unknown => out.undecided(recorder, format!("{flag} is unknown")),
                _ => out.fail(
                    recorder,
                    format!("does not set {flag} true"),
                    "record every supported resource type, global types included",
                ),
            }
        }
        if channels.is_empty() {
            out.fail(
                recorder,
                "has no delivery channel, so nothing is delivered",
                "register an aws:cfg/deliveryChannel to the audit bucket",
            );
        }
        let mut on = Got::Known(false);
        for status in view.of_type(CONFIG_RECORDER_STATUS) {
            let names_it = match view.refs(status, "name", &[CONFIG_RECORDER]) {
                Refs::Resolved(found) if found.contains(recorder) => Got::Known(true),
                Refs::Unknown => Got::Unknown,
                _ => match (input(status, "name").str(), input(recorder, "name").str()) {
                    (Got::Known(a), Got::Known(b)) => Got::Known(a == b),
                    (Got::Unknown, _) | (_, Got::Unknown) => Got::Unknown,
                    _ => Got::Known(false),
                },
            };
            let enabled = input(status, "isEnabled").bool();
            match (names_it, enabled) {
                (Got::Known(true), Got::Known(true)) => {
                    on = Got::Known(true);
                    break;
                }
                (Got::Known(true) | Got::Unknown, Got::Known(true) | Got::Unknown) => {
                    on = Got::Unknown;
                }
                _ => {}
            }
        }
        match on {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(recorder, "whether its status is enabled is unknown"),
            _ => out.fail(
                recorder,
                "is never switched on (no aws:cfg/recorderStatus with isEnabled true)",
                "register an aws:cfg/recorderStatus for it with isEnabled true",
            ),
        }
    }
}

/// securityhub-pci-standard.
pub(crate) fn securityhub_pci_standard(view: &PlanView<'_>, out: &mut Out) {
    let Some(account) = unless_waived(view, out, "Security Hub with the PCI DSS standard") else {
        return;
    };
    if view.of_type(SECURITY_HUB).is_empty() {
        out.fail(
            account,
            "Security Hub is not enabled",
            "enable Security Hub (accountControls create), or set accountControls organization with the delegated administrator",
        );
        return;
    }
    let mut subscribed = Got::Known(false);
    for subscription in view.of_type(SECURITY_HUB_STANDARD) {
        match input(subscription, "standardsArn").str() {
            Got::Known(arn) if arn.ends_with(PCI_STANDARD) => {
                subscribed = Got::Known(true);
                break;
            }
            Got::Unknown => subscribed = Got::Unknown,
            _ => {}
        }
    }
    match subscribed {
        Got::Known(true) => {}
        Got::Unknown => out.undecided(account, "a standards subscription's ARN is unknown"),
        _ => out.fail(
            account,
            "Security Hub is not subscribed to the PCI DSS v4.0.1 standard",
            format!("register an aws:securityhub/standardsSubscription of arn:aws:securityhub:<region>::{PCI_STANDARD}"),
        ),
    }
}

/// guardduty-enabled.
pub(crate) fn guardduty_enabled(view: &PlanView<'_>, out: &mut Out) {
    let Some(account) = account(view) else {
        return;
    };
    if let Some(evidence) = &view.settings().organization_evidence {
        out.waive(
            account,
            "the stack creates no GuardDuty detector",
            "set accountControls create, or keep the organization's evidence current",
            evidence.clone(),
        );
        return;
    }
    let detectors = view.of_type(DETECTOR);
    if detectors.is_empty() {
        out.fail(
            account,
            "the account has no GuardDuty detector, so no intrusion detection",
            "create the detector (accountControls create), or set accountControls organization with the delegated GuardDuty administrator",
        );
        return;
    }
    for detector in detectors {
        match input(detector, "enable").bool() {
            Got::Known(false) => {
                out.fail(detector, "is disabled (enable false)", "set enable true")
            }
            Got::Unknown => out.undecided(detector, "enable is unknown"),
            Got::Known(true) | Got::Absent => {}
        }
        for wanted in DETECTOR_FEATURES {
            // Each feature resource: Known(true) is this feature enabled on this detector,
            // Unknown when an unknown value could make it so.
            let mut answer = Got::Known(false);
            for feature in view.of_type(DETECTOR_FEATURE) {
                let parts = [
                    match view.refs(feature, "detectorId", &[DETECTOR]) {
                        Refs::Unknown => Got::Unknown,
                        refs => Got::Known(refs.contains(detector)),
                    },
                    input(feature, "name").str().map(|name| name == wanted),
                    input(feature, "status")
                        .str()
                        .map(|status| status == "ENABLED"),
                ];
                if parts.iter().all(|part| *part == Got::Known(true)) {
                    answer = Got::Known(true);
                    break;
                }
                if parts
                    .iter()
                    .all(|part| matches!(part, Got::Known(true) | Got::Unknown))
                {
                    answer = Got::Unknown;
                }
            }
            match answer {
                Got::Known(true) => {}
                Got::Unknown => out.undecided(
                    detector,
                    format!("whether its {wanted} feature is enabled depends on unknown values"),
                ),
                _ => out.fail(
                    detector,
                    format!("has no {wanted} feature with status ENABLED"),
                    format!(
                        "register an aws:guardduty/detectorFeature {wanted} with status ENABLED for it"
                    ),
                ),
            }
        }
    }
}
