//! What AWS enforces at deploy time, outside the migration (issue 10 points 9-17): each fact is a
//! rule the program obeys, tested on the plans of both example stacks, in preview and deployed.

mod common;

use common::{of_type, outcome_of};
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use serde_json::Value;

/// The plans of both example stacks, preview and deployed, with a label.
fn plans() -> Vec<(String, Plan)> {
    let mut plans = Vec::new();
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        for mode in [PlanMode::Preview, PlanMode::Deploy] {
            let outcome = outcome_of(stack, file, mode);
            assert!(outcome.succeeded(), "{stack}: {:?}", outcome.errors);
            plans.push((format!("{stack} {mode:?}"), outcome.plan));
        }
    }
    plans
}

fn only<'a>(plan: &'a Plan, ty: &str) -> &'a PlanResource {
    let found = of_type(plan, ty);
    assert_eq!(found.len(), 1, "one {ty}");
    found[0]
}

/// The value at `key` with a secret envelope unwrapped.
fn plain(value: &Value) -> &Value {
    value
        .get("value")
        .filter(|_| value.get(pulumi_runtime::wire::SIG_KEY).is_some())
        .unwrap_or(value)
}

/// Point 10 (the part outside DMS): RDS checks the enhanced-monitoring role's permissions when
/// it creates the instance, and IAM is eventually consistent, so the instance depends on the
/// policy attachment, not only on the role.
#[test]
fn rds_waits_for_the_enhanced_monitoring_policy_attachment() {
    for (label, plan) in plans() {
        let db = only(&plan, "aws:rds/instance:Instance");
        let attachment = of_type(&plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .into_iter()
            .find(|a| {
                plain(&a.inputs["policyArn"]).as_str()
                    == Some("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
            })
            .expect("the enhanced-monitoring attachment");
        assert!(
            db.dependencies.contains(&attachment.urn),
            "{label}: the database depends on {}",
            attachment.name
        );
    }
}

/// Point 15: the WAF logging configuration redacts the Authorization and Cookie headers, so no
/// credential or session token reaches the logs (PCI DSS 3.3).
#[test]
fn waf_logs_redact_credentials() {
    for (label, plan) in plans() {
        let config = only(
            &plan,
            "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        );
        let headers: Vec<&str> = config.inputs["redactedFields"]
            .as_array()
            .expect("redactedFields")
            .iter()
            .filter_map(|f| f["singleHeader"]["name"].as_str())
            .collect();
        assert_eq!(headers, ["authorization", "cookie"], "{label}");
    }
}

/// Point 12: the AMI is resolved once per change. The prod example pins `amiId` (no SSM lookup,
/// so a new Amazon Linux release does not replace the fleet at the next unrelated update); a
/// production stack without it is warned; a malformed id is a configuration error; and an
/// instance refresh launches before it terminates (100% healthy, room above).
#[test]
fn the_ami_is_pinned_in_prod_and_refreshes_keep_full_capacity() {
    let prod = common::root().join("Pulumi.prod.yaml");
    let text = std::fs::read_to_string(&prod).expect("prod stack file");
    let pinned = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("payments-platform:amiId: "))
        .expect("the prod example pins amiId");
    for mode in [PlanMode::Preview, PlanMode::Deploy] {
        let plan = outcome_of("prod", "Pulumi.prod.yaml", mode).plan;
        let template = only(&plan, "aws:ec2/launchTemplate:LaunchTemplate");
        assert_eq!(template.inputs["imageId"], pinned);
        assert!(
            !plan
                .invokes
                .iter()
                .any(|i| i.token == "aws:ssm/getParameter:getParameter"),
            "prod does not read the AMI from SSM"
        );
        assert!(
            !plan
                .logs
                .iter()
                .any(|l| l.message.contains("amiId is not set"))
        );
    }
    let unpinned: String = text
        .lines()
        .filter(|l| !l.contains("payments-platform:amiId:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let outcome = common::outcome_of_yaml(&unpinned, PlanMode::Preview).expect("valid");
    assert!(
        outcome
            .plan
            .logs
            .iter()
            .any(|l| l.severity == "warning" && l.message.contains("amiId is not set")),
        "an unpinned production stack is warned"
    );
    let bad = text.replace(pinned, "ubuntu-latest");
    let Err(error) = common::outcome_of_yaml(&bad, PlanMode::Preview) else {
        panic!("a malformed amiId is refused");
    };
    assert!(
        error.contains("amiId") && error.contains("ubuntu-latest"),
        "{error}"
    );
    for (label, plan) in plans() {
        let group = only(&plan, "aws:autoscaling/group:Group");
        let preferences = &group.inputs["instanceRefresh"]["preferences"];
        assert_eq!(preferences["minHealthyPercentage"], 100, "{label}");
        assert!(
            preferences["maxHealthyPercentage"]
                .as_i64()
                .is_some_and(|max| max > 100 && max <= 200),
            "{label}: launch before terminate"
        );
    }
}

/// Point 13: no card data in logs. The general query log (every statement with its literal
/// values) is off and not exported; data access is logged by the audit plugin with QUERY_DML
/// events, scoped to the application's and the master user.
#[test]
fn the_general_log_is_off_and_the_audit_plugin_logs_data_access() {
    for (label, plan) in plans() {
        let db = only(&plan, "aws:rds/instance:Instance");
        let exports = db.inputs["enabledCloudwatchLogsExports"]
            .as_array()
            .expect("exports");
        assert!(!exports.iter().any(|e| e == "general"), "{label}");
        assert!(exports.iter().any(|e| e == "audit"), "{label}");
        let params = only(&plan, "aws:rds/parameterGroup:ParameterGroup");
        let general = params.inputs["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "general_log")
            .expect("general_log set explicitly");
        assert_eq!(general["value"], "0", "{label}");
        let options = only(&plan, "aws:rds/optionGroup:OptionGroup");
        let settings = options.inputs["options"][0]["optionSettings"]
            .as_array()
            .expect("audit plugin settings");
        let setting = |name: &str| {
            settings
                .iter()
                .find(|s| s["name"] == name)
                .and_then(|s| s["value"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(
            setting("SERVER_AUDIT_EVENTS")
                .split(',')
                .any(|e| e == "QUERY_DML"),
            "{label}"
        );
        assert_eq!(
            setting("SERVER_AUDIT_INCL_USERS"),
            "payments_app,paymentsadmin",
            "{label}"
        );
        assert!(
            !of_type(&plan, "aws:cloudwatch/logGroup:LogGroup")
                .iter()
                .any(|g| g.name.contains("general")),
            "{label}: no general log group"
        );
    }
}

/// Point 11: S3 server access logging does not deliver to a bucket encrypted with SSE-KMS, so the
/// static bucket logs to the SSE-S3 bucket (the one the ALB logs to), whose policy lets the S3
/// logging service write that prefix, for the static bucket of this account only.
#[test]
fn server_access_logs_go_to_an_sse_s3_bucket() {
    for (label, plan) in plans() {
        let loggings = of_type(&plan, "aws:s3/bucketLogging:BucketLogging");
        // The static bucket, and the audit bucket when the stack builds the account controls.
        assert!(!loggings.is_empty(), "{label}: no server access logging");
        for logging in loggings {
            let target = logging.property_dependencies["targetBucket"]
                .first()
                .expect("the target is a bucket of the stack");
            let source = logging.property_dependencies["bucket"]
                .first()
                .expect("the source is a bucket of the stack");
            let source_name = plan
                .resource(source)
                .and_then(|b| b.inputs["bucket"].as_str())
                .expect("the source bucket's name");
            let encryption = of_type(
                &plan,
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            )
            .into_iter()
            .find(|c| c.property_dependencies["bucket"].contains(target))
            .expect("the target's encryption");
            assert_eq!(
                encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
                "AES256",
                "{label}"
            );
            let policy = of_type(&plan, "aws:s3/bucketPolicy:BucketPolicy")
                .into_iter()
                .find(|p| p.property_dependencies["bucket"].contains(target))
                .expect("the target's policy");
            let document: Value =
                serde_json::from_str(policy.inputs["policy"].as_str().expect("known policy"))
                    .expect("json");
            let delivery = document["Statement"]
                .as_array()
                .expect("statements")
                .iter()
                .find(|s| s["Principal"]["Service"] == "logging.s3.amazonaws.com")
                .expect("S3 server access log delivery is allowed");
            let prefix = logging.inputs["targetPrefix"].as_str().expect("prefix");
            assert!(
                delivery["Resource"].as_str().is_some_and(
                    |r| r.ends_with("/s3-access/*") && prefix.starts_with("s3-access/")
                ),
                "{label}: {delivery}"
            );
            let sources: Vec<&str> = delivery["Condition"]["ArnLike"]["aws:SourceArn"]
                .as_array()
                .expect("source ARNs")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(
                sources.contains(&format!("arn:aws:s3:::{source_name}").as_str()),
                "{label}: {source_name} may not deliver: {delivery}"
            );
        }
    }
}

/// Point 9: the compute key's policy names the Auto Scaling service-linked role, which exists in
/// an account only once an Auto Scaling group ever existed there, and KMS refuses a key policy
/// naming a principal that does not exist. The stack creates the role and the key waits for it;
/// `autoScalingServiceRole: existing` uses the account's.
#[test]
fn the_compute_key_waits_for_the_autoscaling_service_linked_role() {
    for (label, plan) in plans() {
        let role = only(&plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
        assert_eq!(role.inputs["awsServiceName"], "autoscaling.amazonaws.com");
        let key = of_type(&plan, "aws:kms/key:Key")
            .into_iter()
            .find(|k| k.name.starts_with("kms-compute-"))
            .expect("compute key");
        assert!(key.dependencies.contains(&role.urn), "{label}");
        let policy = key.inputs["policy"].as_str().expect("known key policy");
        assert!(
            policy.contains(
                "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
            ),
            "{label}"
        );
    }
    let yaml =
        common::dev_yaml_with(|y| y + "  payments-platform:autoScalingServiceRole: existing\n");
    let plan = common::outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert!(of_type(&plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole").is_empty());
    let yaml =
        common::dev_yaml_with(|y| y + "  payments-platform:autoScalingServiceRole: exists\n");
    let Err(error) = common::outcome_of_yaml(&yaml, PlanMode::Preview) else {
        panic!("a misspelt choice is refused");
    };
    assert!(error.contains("autoScalingServiceRole"), "{error}");
}

/// Point 17: the Session Manager preferences encrypt every admin session with the compute key and
/// stream it to an encrypted CloudWatch log group; the instance role may decrypt with that key.
#[test]
fn admin_sessions_are_encrypted_and_logged() {
    for (label, plan) in plans() {
        let document = only(&plan, "aws:ssm/document:Document");
        assert_eq!(
            document.inputs["name"], "SSM-SessionManagerRunShell",
            "{label}"
        );
        assert_eq!(document.inputs["documentType"], "Session", "{label}");
        let key = of_type(&plan, "aws:kms/key:Key")
            .into_iter()
            .find(|k| k.name.starts_with("kms-compute-"))
            .expect("compute key");
        assert!(
            document.property_dependencies["content"].contains(&key.urn),
            "{label}: the content names the compute key"
        );
        let group = of_type(&plan, "aws:cloudwatch/logGroup:LogGroup")
            .into_iter()
            .find(|g| g.name.starts_with("ssm-session-logs-"))
            .expect("the session log group");
        assert!(
            group.property_dependencies["kmsKeyId"].contains(&key.urn),
            "{label}"
        );
        if let Some(text) = document.inputs["content"]
            .as_str()
            .filter(|t| *t != pulumi_runtime::wire::UNKNOWN)
        {
            let content: Value = serde_json::from_str(text).expect("json");
            let inputs = &content["inputs"];
            assert_eq!(
                inputs["cloudWatchLogGroupName"], group.inputs["name"],
                "{label}"
            );
            assert_eq!(inputs["cloudWatchEncryptionEnabled"], true, "{label}");
            assert_eq!(inputs["cloudWatchStreamingEnabled"], true, "{label}");
            assert!(
                inputs["kmsKeyId"]
                    .as_str()
                    .is_some_and(|k| k.contains(":key/")),
                "{label}"
            );
        } else {
            assert!(label.contains("Preview"), "{label}: known once deployed");
        }
        let policy = of_type(&plan, "aws:iam/policy:Policy")
            .into_iter()
            .find(|p| p.name.starts_with("policy-app-"))
            .expect("app policy");
        let document: Value =
            serde_json::from_str(policy.inputs["policy"].as_str().expect("known")).expect("json");
        let grant = document["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .find(|s| s["Sid"] == "DecryptAdminSessions")
            .expect("the instance may decrypt sessions");
        assert!(
            grant["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"][0]
                .as_str()
                .is_some_and(|a| a.starts_with("alias/payments-compute-")),
            "{label}"
        );
    }
    let yaml =
        common::dev_yaml_with(|y| y + "  payments-platform:sessionManagerPreferences: existing\n");
    let plan = common::outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert!(of_type(&plan, "aws:ssm/document:Document").is_empty());
}

/// Point 14: the application connects as its own database user with IAM database authentication:
/// `rds-db:connect` on that user only, never the master user, and no secret to read.
#[test]
fn the_application_connects_as_its_own_iam_authenticated_user() {
    for (label, plan) in plans() {
        let db = only(&plan, "aws:rds/instance:Instance");
        assert_eq!(
            db.inputs["iamDatabaseAuthenticationEnabled"], true,
            "{label}"
        );
        let policy = of_type(&plan, "aws:iam/policy:Policy")
            .into_iter()
            .find(|p| p.name.starts_with("policy-app-"))
            .expect("app policy");
        let document: Value =
            serde_json::from_str(policy.inputs["policy"].as_str().expect("known")).expect("json");
        let statements = document["Statement"].as_array().expect("statements");
        let connect: Vec<&Value> = statements
            .iter()
            .filter(|s| s["Action"].to_string().contains("rds-db:"))
            .collect();
        assert_eq!(connect.len(), 1, "{label}");
        assert_eq!(connect[0]["Action"], serde_json::json!(["rds-db:connect"]));
        assert_eq!(
            connect[0]["Resource"],
            serde_json::json!(["arn:aws:rds-db:us-east-1:123456789012:dbuser:*/payments_app"]),
            "{label}"
        );
        assert!(
            !statements
                .iter()
                .any(|s| s["Action"].to_string().contains("secretsmanager:")),
            "{label}: the app reads no secret"
        );
    }
    let yaml = common::dev_yaml_with(|y| y + "  payments-platform:dbAppUsername: paymentsadmin\n");
    let Err(error) = common::outcome_of_yaml(&yaml, PlanMode::Preview) else {
        panic!("the application user must not be the master user");
    };
    assert!(error.contains("dbAppUsername"), "{error}");
}

/// Point 16: key policies name the key administrators from config apart from the key users. The
/// administrators manage but never use the keys; the account root keeps only what prevents a
/// lock-out (`kms:GetKeyPolicy`, `kms:PutKeyPolicy`) and delegates key use, never administration,
/// to IAM policies; no statement lets one principal both administer and use a key.
#[test]
fn key_administrators_are_apart_from_key_users() {
    let admins = serde_json::json!([
        "arn:aws:iam::123456789012:role/payments-deployer",
        "arn:aws:iam::123456789012:role/payments-key-admin"
    ]);
    let is_use = |a: &str| {
        [
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncrypt",
            "kms:GenerateDataKey",
        ]
        .iter()
        .any(|u| a.starts_with(u))
            || a == "kms:*"
    };
    for (label, plan) in plans() {
        for key in of_type(&plan, "aws:kms/key:Key") {
            let policy: Value =
                serde_json::from_str(key.inputs["policy"].as_str().expect("known")).expect("json");
            let statements = policy["Statement"].as_array().expect("statements");
            let admin = statements
                .iter()
                .find(|s| s["Principal"]["AWS"] == admins)
                .unwrap_or_else(|| panic!("{label} {}: the administrators", key.name));
            let actions: Vec<&str> = admin["Action"]
                .as_array()
                .expect("actions")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(actions.contains(&"kms:ScheduleKeyDeletion"), "{label}");
            assert!(
                !actions.iter().any(|a| is_use(a)),
                "{label}: admins never use"
            );
            for statement in statements {
                let actions: Vec<String> = match &statement["Action"] {
                    Value::String(a) => vec![a.clone()],
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                };
                let administers = actions.iter().any(|a| {
                    a == "kms:*"
                        || a.starts_with("kms:Put")
                        || a.starts_with("kms:Disable")
                        || a == "kms:ScheduleKeyDeletion"
                });
                let uses = actions.iter().any(|a| is_use(a));
                assert!(
                    !(administers && uses),
                    "{label} {}: one statement administers and uses: {statement}",
                    key.name
                );
                if statement["Principal"]["AWS"]
                    .as_str()
                    .is_some_and(|p| p.ends_with(":root"))
                    && administers
                {
                    assert_eq!(
                        statement["Action"],
                        serde_json::json!(["kms:GetKeyPolicy", "kms:PutKeyPolicy"]),
                        "{label}: the root keeps only what prevents a lock-out"
                    );
                }
            }
        }
    }
    let unset = common::dev_yaml_with(|y| {
        y.lines()
            .filter(|l| !l.contains("keyAdministrators") && !l.contains(":role/payments-"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let outcome = common::outcome_of_yaml(&unset, PlanMode::Preview).expect("valid");
    assert!(
        outcome
            .plan
            .logs
            .iter()
            .any(|l| l.severity == "warning" && l.message.contains("keyAdministrators is not set")),
        "a stack without key administrators is warned"
    );
    let yaml = common::dev_yaml_with(|y| {
        y.replace(
            "    - arn:aws:iam::123456789012:role/payments-key-admin\n",
            "    - payments-key-admin\n",
        )
    });
    let Err(error) = common::outcome_of_yaml(&yaml, PlanMode::Preview) else {
        panic!("a key administrator that is not an ARN is refused");
    };
    assert!(error.contains("keyAdministrators"), "{error}");
}
