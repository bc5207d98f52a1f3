//! Issue 12, PCI DSS account controls: `accountControls` (create / organization with evidence),
//! the audit trail (key, bucket, trail, CloudWatch Logs delivery, CIS metric filters and alarms)
//! and GuardDuty with its findings route, each on the plan the program sends to the local engine.

mod common;

use std::collections::BTreeSet;

use common::{deps, dev_plan, dev_yaml_with, named, of_type, outcome_of, root};
use payments_compliance::Report;
use payments_platform::preview::{PlanMode, plan_config_with_report};
use pulumi_runtime::Config;
use pulumi_runtime::plan::{Plan, PlanResource};
use pulumi_runtime::wire;
use serde_json::{Value, json};

const TRAIL: &str = "aws:cloudtrail/trail:Trail";
const KEY: &str = "aws:kms/key:Key";
const BUCKET: &str = "aws:s3/bucket:Bucket";
const LOG_GROUP: &str = "aws:cloudwatch/logGroup:LogGroup";
const ROLE: &str = "aws:iam/role:Role";
const ROLE_POLICY: &str = "aws:iam/rolePolicy:RolePolicy";
const FILTER: &str = "aws:cloudwatch/logMetricFilter:LogMetricFilter";
const ALARM: &str = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC: &str = "aws:sns/topic:Topic";
const TOPIC_POLICY: &str = "aws:sns/topicPolicy:TopicPolicy";
const DETECTOR: &str = "aws:guardduty/detector:Detector";
const FEATURE: &str = "aws:guardduty/detectorFeature:DetectorFeature";
const EVENT_RULE: &str = "aws:cloudwatch/eventRule:EventRule";
const EVENT_TARGET: &str = "aws:cloudwatch/eventTarget:EventTarget";
const RECORDER: &str = "aws:cfg/recorder:Recorder";
const CHANNEL: &str = "aws:cfg/deliveryChannel:DeliveryChannel";
const RECORDER_STATUS: &str = "aws:cfg/recorderStatus:RecorderStatus";
const CONFIG_RULE: &str = "aws:cfg/rule:Rule";
const SECURITY_HUB: &str = "aws:securityhub/account:Account";
const STANDARD: &str = "aws:securityhub/standardsSubscription:StandardsSubscription";
const ATTACHMENT: &str = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/// The types only the account controls register (the alarms and keys have others too).
const ACCOUNT_TYPES: [&str; 13] = [
    TRAIL,
    FILTER,
    DETECTOR,
    FEATURE,
    EVENT_RULE,
    EVENT_TARGET,
    TOPIC_POLICY,
    RECORDER,
    CHANNEL,
    RECORDER_STATUS,
    CONFIG_RULE,
    SECURITY_HUB,
    STANDARD,
];

const ACCOUNT_RULES: [&str; 7] = [
    "trail-multi-region",
    "trail-log-validation",
    "trail-encrypted",
    "trail-cloudwatch-logs",
    "guardduty-enabled",
    "config-recorder-on",
    "securityhub-pci-standard",
];

const ORG_TRAIL: &str = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail";
const ORG_ADMIN: &str = "444455556666";

fn input<'a>(resource: &'a PlanResource, key: &str) -> &'a Value {
    let value = resource.inputs.get(key).unwrap_or(&Value::Null);
    if value.get(wire::SIG_KEY).is_some() {
        value.get("value").unwrap_or(&Value::Null)
    } else {
        value
    }
}

fn document(resource: &PlanResource, key: &str) -> Value {
    serde_json::from_str(input(resource, key).as_str().expect("policy text")).expect("json")
}

fn statement<'a>(doc: &'a Value, sid: &str) -> &'a Value {
    doc["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {doc}"))
}

/// The plan and report of a config given as YAML text, or the config errors.
fn run_yaml(yaml: &str, mode: PlanMode) -> Result<(Plan, Report), String> {
    let config = Config::from_stack_yaml(yaml, "test.yaml", "payments-platform", |_| None)
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime
        .block_on(plan_config_with_report("dev", &config, mode))
        .map(|(outcome, report)| {
            assert!(outcome.succeeded(), "{:?}", outcome.errors);
            (outcome.plan, report)
        })
}

fn with_keys(yaml: &str, keys: &str) -> String {
    format!("{}\n{keys}", yaml.trim_end())
}

fn organization_keys() -> String {
    format!(
        "  payments-platform:accountControls: organization\n  payments-platform:organizationTrailArn: {ORG_TRAIL}\n  payments-platform:securityAdminAccountId: \"{ORG_ADMIN}\"\n"
    )
}

fn prod_yaml() -> String {
    std::fs::read_to_string(root().join("Pulumi.prod.yaml")).expect("prod stack")
}

// 1. accountControls ----------------------------------------------------------------------------

#[test]
fn create_is_the_default_and_builds_the_account_controls_in_dev_and_prod() {
    for plan in [
        dev_plan(),
        outcome_of("prod", "Pulumi.prod.yaml", PlanMode::Preview).plan,
    ] {
        for ty in ACCOUNT_TYPES {
            assert!(
                !of_type(&plan, ty).is_empty(),
                "{ty} missing in {}",
                plan.stack
            );
        }
        assert_eq!(plan.outputs["accountControls"], json!({"mode": "create"}));
    }
}

#[test]
fn organization_mode_creates_none_of_them_and_the_pack_waives_them_with_the_evidence() {
    for yaml in [
        with_keys(&dev_yaml_with(|y| y), &organization_keys()),
        with_keys(&prod_yaml(), &organization_keys()),
    ] {
        let (plan, report) = run_yaml(&yaml, PlanMode::Preview).expect("valid config");
        for ty in ACCOUNT_TYPES {
            assert!(
                of_type(&plan, ty).is_empty(),
                "{ty} created in organization mode"
            );
        }
        assert!(
            !plan
                .resources
                .iter()
                .any(|r| r.name.contains("payments-audit")
                    || r.name.contains("kms-audit")
                    || r.name.contains("cloudtrail")
                    || r.name.contains("cis-")
                    || r.name.contains("guardduty")
                    || r.name.contains("config-")
                    || r.name.contains("securityhub")),
            "no audit resource in organization mode"
        );
        assert_eq!(
            report.mandatory_violations(),
            0,
            "{}",
            report.to_text(false)
        );
        for rule in ACCOUNT_RULES {
            let waived: Vec<_> = report
                .waived
                .iter()
                .filter(|w| w.finding.rule == rule)
                .collect();
            assert_eq!(waived.len(), 1, "{rule} waived once");
            assert!(
                waived[0].reason.contains(ORG_TRAIL) && waived[0].reason.contains(ORG_ADMIN),
                "{rule}: the evidence is the reason: {}",
                waived[0].reason
            );
            assert!(
                !report.rules.iter().any(|r| r.id == rule && r.waived == 0),
                "{rule} is reported as waived, not passed"
            );
        }
        assert_eq!(plan.outputs["accountControls"]["mode"], "organization");
        assert_eq!(
            plan.outputs["accountControls"]["organizationTrailArn"],
            ORG_TRAIL
        );
    }
}

fn config_errors(yaml: &str) -> String {
    run_yaml(yaml, PlanMode::Preview).expect_err("refused")
}

#[test]
fn organization_mode_requires_its_evidence() {
    let err = config_errors(&with_keys(
        &dev_yaml_with(|y| y),
        "  payments-platform:accountControls: organization\n",
    ));
    for key in ["organizationTrailArn", "securityAdminAccountId"] {
        assert!(
            err.contains(&format!("payments-platform:{key}")) && err.contains("is required"),
            "{key} missing from:\n{err}"
        );
    }
    let err = config_errors(&with_keys(
        &prod_yaml(),
        "  payments-platform:accountControls: organization\n  payments-platform:organizationTrailArn: arn:aws:s3:::org-trail\n  payments-platform:securityAdminAccountId: \"12345\"\n",
    ));
    assert!(
        err.contains("arn:aws:s3:::org-trail") && err.contains("is not a CloudTrail trail ARN"),
        "{err}"
    );
    assert!(err.contains("12345") && err.contains("12-digit"), "{err}");
}

#[test]
fn evidence_keys_are_refused_in_create_mode_and_typos_in_the_mode_are_named() {
    let err = config_errors(&with_keys(
        &dev_yaml_with(|y| y),
        &format!("  payments-platform:organizationTrailArn: {ORG_TRAIL}\n"),
    ));
    assert!(
        err.contains("payments-platform:organizationTrailArn")
            && err.contains("accountControls organization"),
        "{err}"
    );
    let err = config_errors(&with_keys(
        &dev_yaml_with(|y| y),
        "  payments-platform:accountControls: organisation\n",
    ));
    assert!(
        err.contains("payments-platform:accountControls")
            && err.contains("did you mean `organization`"),
        "{err}"
    );
}

// 2. Audit trail --------------------------------------------------------------------------------

#[test]
fn the_trail_is_multi_region_validated_encrypted_and_delivered_to_logs_and_the_audit_bucket() {
    let plan = dev_plan();
    let trail = named(&plan, TRAIL, "trail-dev-a1b2");
    for flag in [
        "isMultiRegionTrail",
        "includeGlobalServiceEvents",
        "enableLogFileValidation",
        "enableLogging",
    ] {
        assert_eq!(input(trail, flag), true, "{flag}");
    }
    let key = named(&plan, KEY, "kms-audit-dev-a1b2");
    let bucket = named(&plan, BUCKET, "payments-audit-dev-a1b2");
    let group = named(&plan, LOG_GROUP, "cloudtrail-logs-dev-a1b2");
    let role = named(&plan, ROLE, "role-cloudtrail-logs-dev-a1b2");
    assert!(deps(trail, "kmsKeyId").contains(key.urn.as_str()));
    assert!(deps(trail, "s3BucketName").contains(bucket.urn.as_str()));
    assert!(deps(trail, "cloudWatchLogsGroupArn").contains(group.urn.as_str()));
    assert!(deps(trail, "cloudWatchLogsRoleArn").contains(role.urn.as_str()));
    // The bucket policy and the role's policy exist before CloudTrail checks them.
    let bucket_policy = named(
        &plan,
        "aws:s3/bucketPolicy:BucketPolicy",
        "payments-audit-policy-dev-a1b2",
    );
    let role_policy = named(&plan, ROLE_POLICY, "role-cloudtrail-logs-policy-dev-a1b2");
    assert!(trail.dependencies.contains(&bucket_policy.urn));
    assert!(trail.dependencies.contains(&role_policy.urn));
    // S3 data events for the platform's own buckets, not the audit bucket (no loop).
    let selector = &input(trail, "eventSelectors")[0];
    assert_eq!(selector["readWriteType"], "All");
    assert_eq!(selector["includeManagementEvents"], true);
    assert_eq!(selector["dataResources"][0]["type"], "AWS::S3::Object");
    let values: BTreeSet<&str> = selector["dataResources"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        values,
        BTreeSet::from([
            "arn:aws:s3:::payments-logs-dev-a1b2/",
            "arn:aws:s3:::payments-static-dev-a1b2/",
            "arn:aws:s3:::payments-alb-logs-dev-a1b2/",
        ])
    );
    // The log group: encrypted with the audit key, retained per config.
    assert!(deps(group, "kmsKeyId").contains(key.urn.as_str()));
    assert_eq!(
        input(group, "retentionInDays"),
        90,
        "dev's logRetentionDays"
    );
}

#[test]
fn the_audit_key_rotates_and_lets_cloudtrail_use_it_only_for_this_trail() {
    let plan = dev_plan();
    let key = named(&plan, KEY, "kms-audit-dev-a1b2");
    assert_eq!(input(key, "enableKeyRotation"), true);
    assert_eq!(input(key, "deletionWindowInDays"), 7);
    let policy = document(key, "policy");
    let trail_arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-dev-a1b2";
    for sid in [
        "CloudTrailEncryptsThisTrailsLogs",
        "CloudTrailDecryptsForTheBucketKey",
        "CloudTrailDescribesKeyForThisTrail",
    ] {
        let s = statement(&policy, sid);
        assert_eq!(s["Principal"]["Service"], "cloudtrail.amazonaws.com");
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceArn"], trail_arn,
            "{sid}"
        );
    }
    let logs = statement(&policy, "CloudWatchLogsEncryptsTheTrailLogGroup");
    assert_eq!(
        logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/payments/audit/cloudtrail-logs-dev-a1b2"
    );
    // The stack's key administrators (the same as every key's, issue 10 point 16), the account
    // root only as every key policy grants it, and the named services.
    let administrators = statement(&policy, "KeyAdministratorsManageButNeverUse");
    assert_eq!(
        administrators["Principal"]["AWS"],
        statement(
            &data_key_policy(&plan),
            "KeyAdministratorsManageButNeverUse"
        )["Principal"]["AWS"]
    );
    for s in policy["Statement"].as_array().expect("statements") {
        let principal = &s["Principal"];
        assert!(
            principal["AWS"] == "arn:aws:iam::123456789012:root"
                || s == administrators
                || principal["Service"].is_string(),
            "{s}"
        );
    }
    let alias = named(
        &plan,
        "aws:kms/alias:Alias",
        "alias-payments-audit-dev-a1b2",
    );
    assert_eq!(input(alias, "name"), "alias/payments-audit-dev-a1b2");
}

#[test]
fn the_audit_bucket_is_private_versioned_encrypted_tls_only_lifecycled_and_logged() {
    let plan = dev_plan();
    let bucket = named(&plan, BUCKET, "payments-audit-dev-a1b2");
    let key = named(&plan, KEY, "kms-audit-dev-a1b2");
    let part = |ty: &str, part: &str| named(&plan, ty, &format!("payments-audit-{part}-dev-a1b2"));
    let versioning = part("aws:s3/bucketVersioning:BucketVersioning", "versioning");
    assert_eq!(
        input(versioning, "versioningConfiguration")["status"],
        "Enabled"
    );
    let block = part(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "public-access-block",
    );
    for flag in [
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ] {
        assert_eq!(input(block, flag), true, "{flag}");
    }
    let encryption = part(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "encryption",
    );
    assert_eq!(
        input(encryption, "rules")[0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
        "aws:kms"
    );
    assert!(deps(encryption, "rules").contains(key.urn.as_str()));
    let lifecycle = part(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "lifecycle",
    );
    let transition = &input(lifecycle, "rules")[0]["transitions"][0];
    assert_eq!(transition["storageClass"], "GLACIER");
    assert_eq!(
        transition["days"], 90,
        "three months immediately available (10.5.1)"
    );
    let logging = part("aws:s3/bucketLogging:BucketLogging", "access-logging");
    // S3 delivers server access logs only to an SSE-S3 bucket: the ALB log bucket.
    let logs = named(&plan, BUCKET, "payments-alb-logs-dev-a1b2");
    assert!(deps(logging, "targetBucket").contains(logs.urn.as_str()));
    assert_eq!(input(logging, "targetPrefix"), "s3-access/audit/");
    // The policy: TLS only, and only CloudTrail (this trail) and AWS Config (this account).
    let policy = document(part("aws:s3/bucketPolicy:BucketPolicy", "policy"), "policy");
    let deny = statement(&policy, "DenyInsecureTransport");
    assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
    let mut services = BTreeSet::new();
    for s in policy["Statement"].as_array().expect("statements") {
        if s["Effect"] == "Allow" {
            let service = s["Principal"]["Service"]
                .as_str()
                .expect("service principals only");
            services.insert(service.to_owned());
            let condition = &s["Condition"]["StringEquals"];
            assert!(
                condition["aws:SourceArn"]
                    == "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-dev-a1b2"
                    || condition["aws:SourceAccount"] == "123456789012",
                "{s}"
            );
        }
    }
    assert_eq!(
        services,
        BTreeSet::from([
            "cloudtrail.amazonaws.com".to_owned(),
            "config.amazonaws.com".to_owned()
        ])
    );
    assert_eq!(input(bucket, "forceDestroy"), true, "destroyable");
}

#[test]
fn cloudtrail_writes_logs_through_a_role_that_may_only_write_the_trail_log_group() {
    let plan = dev_plan();
    let role = named(&plan, ROLE, "role-cloudtrail-logs-dev-a1b2");
    let trust = document(role, "assumeRolePolicy");
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "cloudtrail.amazonaws.com"
    );
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceArn"],
        "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail-dev-a1b2"
    );
    let policy = document(
        named(&plan, ROLE_POLICY, "role-cloudtrail-logs-policy-dev-a1b2"),
        "policy",
    );
    let statements = policy["Statement"].as_array().expect("statements");
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0]["Action"],
        json!(["logs:CreateLogStream", "logs:PutLogEvents"])
    );
    assert_eq!(
        statements[0]["Resource"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/payments/audit/cloudtrail-logs-dev-a1b2:log-stream:*"
    );
}

#[test]
fn the_cis_monitoring_set_has_a_metric_filter_and_an_alarm_to_the_alarm_topic() {
    let plan = dev_plan();
    let group = named(&plan, LOG_GROUP, "cloudtrail-logs-dev-a1b2");
    let topic = named(&plan, TOPIC, "payments-alarms-dev-a1b2");
    let filters = of_type(&plan, FILTER);
    let expected = [
        "root-use",
        "unauthorized-api-calls",
        "console-signin-without-mfa",
        "iam-policy-changes",
        "cloudtrail-changes",
        "console-signin-failures",
        "cmk-disable-or-deletion",
        "s3-bucket-policy-changes",
        "config-changes",
        "security-group-changes",
        "nacl-changes",
        "network-gateway-changes",
        "route-table-changes",
        "vpc-changes",
    ];
    assert_eq!(filters.len(), expected.len());
    for name in expected {
        let filter = named(&plan, FILTER, &format!("cis-{name}-dev-a1b2"));
        assert!(
            deps(filter, "logGroupName").contains(group.urn.as_str()),
            "{name}"
        );
        let metric = &input(filter, "metricTransformation");
        assert_eq!(metric["namespace"], "PaymentsAudit");
        let alarm = named(&plan, ALARM, &format!("alarm-cis-{name}-dev-a1b2"));
        assert_eq!(input(alarm, "metricName"), &metric["name"], "{name}");
        assert_eq!(input(alarm, "namespace"), "PaymentsAudit");
        assert_eq!(input(alarm, "threshold"), 1.0);
        assert_eq!(
            input(alarm, "comparisonOperator"),
            "GreaterThanOrEqualToThreshold"
        );
        assert!(
            deps(alarm, "alarmActions").contains(topic.urn.as_str()),
            "{name}"
        );
    }
    let root = named(&plan, FILTER, "cis-root-use-dev-a1b2");
    assert!(
        input(root, "pattern")
            .as_str()
            .expect("pattern")
            .contains("$.userIdentity.type = \"Root\"")
    );
}

// 3. Threat detection ---------------------------------------------------------------------------

#[test]
fn guardduty_protects_s3_ebs_and_rds_and_high_findings_reach_the_alarm_topic() {
    let plan = dev_plan();
    let detector = named(&plan, DETECTOR, "guardduty-dev-a1b2");
    assert_eq!(input(detector, "enable"), true);
    let features: BTreeSet<&str> = of_type(&plan, FEATURE)
        .into_iter()
        .filter(|f| deps(f, "detectorId").contains(detector.urn.as_str()))
        .filter(|f| input(f, "status") == "ENABLED")
        .filter_map(|f| input(f, "name").as_str())
        .collect();
    assert_eq!(
        features,
        BTreeSet::from([
            "S3_DATA_EVENTS",
            "EBS_MALWARE_PROTECTION",
            "RDS_LOGIN_EVENTS"
        ])
    );
    let rule = named(&plan, EVENT_RULE, "events-guardduty-high-dev-a1b2");
    let pattern: Value =
        serde_json::from_str(input(rule, "eventPattern").as_str().expect("text")).expect("json");
    assert_eq!(pattern["source"], json!(["aws.guardduty"]));
    assert_eq!(
        pattern["detail"]["severity"],
        json!([{"numeric": [">=", 7.0]}])
    );
    let topic = named(&plan, TOPIC, "payments-alarms-dev-a1b2");
    let target = named(&plan, EVENT_TARGET, "events-guardduty-high-target-dev-a1b2");
    assert!(deps(target, "arn").contains(topic.urn.as_str()));
    assert!(deps(target, "rule").contains(rule.urn.as_str()));
    // EventBridge may publish to the encrypted topic: the topic policy (for this rule) and the
    // compute key (which encrypts the topic).
    let topic_policy = named(&plan, TOPIC_POLICY, "payments-alarms-policy-dev-a1b2");
    assert!(deps(topic_policy, "policy").contains(rule.urn.as_str()));
    assert!(target.dependencies.contains(&topic_policy.urn));
    let compute = document(named(&plan, KEY, "kms-compute-dev-a1b2"), "policy");
    assert_eq!(
        statement(&compute, "EventBridgePublishesToEncryptedTopic")["Principal"]["Service"],
        "events.amazonaws.com"
    );
}

#[test]
fn the_topic_policy_keeps_the_owner_and_admits_only_the_findings_rule() {
    let (plan, _) = run_yaml(&dev_yaml_with(|y| y), PlanMode::Deploy).expect("valid");
    let policy = document(
        named(&plan, TOPIC_POLICY, "payments-alarms-policy-dev-a1b2"),
        "policy",
    );
    let owner = statement(&policy, "OwnerAccountManagesAndPublishes");
    assert_eq!(
        owner["Condition"]["StringEquals"]["AWS:SourceOwner"],
        "123456789012"
    );
    let events = statement(&policy, "GuardDutyFindingsRulePublishes");
    assert_eq!(events["Principal"]["Service"], "events.amazonaws.com");
    // The simulator's ARN of the rule (an EventBridge rule ARN ends with rule/<name>).
    let rule_arn = events["Condition"]["ArnEquals"]["aws:SourceArn"]
        .as_str()
        .expect("rule arn after deploy");
    assert!(
        rule_arn.starts_with("arn:aws:") && rule_arn.contains("events-guardduty-high-dev-a1b2"),
        "{rule_arn}"
    );
}

// The migration walk (tests/migration.rs) checks every stateful resource across the phases: the
// account controls' stateful resources are classified so.
#[test]
fn the_phase_walk_treats_the_account_controls_state_as_stateful() {
    use payments_platform::migration::{Role, role_of};
    for ty in [TRAIL, KEY, BUCKET, LOG_GROUP, DETECTOR, RECORDER] {
        assert_eq!(role_of(ty), Role::Stateful, "{ty}");
    }
    // And they exist in every phase's plan the walk compares (create mode in every phase).
    for phase in ["parallel", "decommission"] {
        let yaml = common::phase_yaml(phase, if phase == "parallel" { 5 } else { 100 });
        let (plan, _) = run_yaml(&yaml, PlanMode::Preview).expect("valid phase config");
        assert_eq!(of_type(&plan, TRAIL).len(), 1, "{phase}");
        assert_eq!(of_type(&plan, DETECTOR).len(), 1, "{phase}");
    }
}

// 4. Continuous compliance ----------------------------------------------------------------------

#[test]
fn aws_config_records_everything_delivers_to_the_audit_bucket_and_is_switched_on() {
    let plan = dev_plan();
    let recorder = named(&plan, RECORDER, "config-recorder-dev-a1b2");
    assert_eq!(input(recorder, "recordingGroup")["allSupported"], true);
    assert_eq!(
        input(recorder, "recordingGroup")["includeGlobalResourceTypes"],
        true
    );
    let role = named(&plan, ROLE, "role-config-dev-a1b2");
    assert!(deps(recorder, "roleArn").contains(role.urn.as_str()));
    let trust = document(role, "assumeRolePolicy");
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "config.amazonaws.com"
    );
    let attachment = named(
        &plan,
        ATTACHMENT,
        "attach-role-config-aws-configrole-dev-a1b2",
    );
    assert_eq!(
        input(attachment, "policyArn"),
        "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"
    );
    let channel = named(&plan, CHANNEL, "config-delivery-dev-a1b2");
    let bucket = named(&plan, BUCKET, "payments-audit-dev-a1b2");
    let key = named(&plan, KEY, "kms-audit-dev-a1b2");
    assert!(deps(channel, "s3BucketName").contains(bucket.urn.as_str()));
    assert!(deps(channel, "s3KmsKeyArn").contains(key.urn.as_str()));
    assert_eq!(input(channel, "s3KeyPrefix"), "config");
    assert!(
        channel.dependencies.contains(&recorder.urn),
        "the recorder exists first"
    );
    let status = named(&plan, RECORDER_STATUS, "config-recorder-status-dev-a1b2");
    assert_eq!(input(status, "isEnabled"), true);
    assert!(deps(status, "name").contains(recorder.urn.as_str()));
    assert!(
        status.dependencies.contains(&channel.urn),
        "switched on after the channel"
    );
    // Managed rules by identifier, each depending on the running recorder.
    let identifiers: BTreeSet<&str> = of_type(&plan, CONFIG_RULE)
        .into_iter()
        .inspect(|rule| {
            assert_eq!(input(rule, "source")["owner"], "AWS");
            assert!(rule.dependencies.contains(&status.urn));
        })
        .filter_map(|rule| input(rule, "source")["sourceIdentifier"].as_str())
        .collect();
    for identifier in [
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "GUARDDUTY_ENABLED_CENTRALIZED",
        "RDS_STORAGE_ENCRYPTED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "EC2_IMDSV2_CHECK",
    ] {
        assert!(identifiers.contains(identifier), "{identifier}");
    }
    assert_eq!(identifiers.len(), 20);
    // The role may deliver only to the audit bucket's config prefix, with the audit key (named
    // through its alias, so the document is known in a preview too).
    let policy = document(
        named(&plan, ROLE_POLICY, "role-config-delivery-dev-a1b2"),
        "policy",
    );
    assert_eq!(
        statement(&policy, "DeliverToTheAuditBucket")["Resource"],
        "arn:aws:s3:::payments-audit-dev-a1b2/config/AWSLogs/123456789012/*"
    );
    let key = statement(&policy, "EncryptWithTheAuditKey");
    assert_eq!(
        key["Resource"],
        json!(["arn:aws:kms:us-east-1:123456789012:key/*"])
    );
    assert_eq!(
        key["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"],
        json!(["alias/payments-audit-dev-a1b2"])
    );
}

#[test]
fn security_hub_subscribes_pci_dss_4_0_1_and_fsbp_only() {
    let plan = dev_plan();
    let hub = named(&plan, SECURITY_HUB, "securityhub-dev-a1b2");
    assert_eq!(input(hub, "enableDefaultStandards"), false);
    let arns: BTreeSet<&str> = of_type(&plan, STANDARD)
        .into_iter()
        .inspect(|s| assert!(s.dependencies.contains(&hub.urn)))
        .filter_map(|s| input(s, "standardsArn").as_str())
        .collect();
    assert_eq!(
        arns,
        BTreeSet::from([
            "arn:aws:securityhub:us-east-1::standards/pci-dss/v/4.0.1",
            "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        ])
    );
}

/// The data key's policy document in `plan`.
fn data_key_policy(plan: &Plan) -> Value {
    let key = plan
        .resources
        .iter()
        .find(|r| r.ty == "aws:kms/key:Key" && r.name.starts_with("kms-data-"))
        .expect("the data key");
    serde_json::from_str(key.inputs["policy"].as_str().expect("known policy")).expect("json")
}
