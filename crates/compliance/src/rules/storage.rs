//! Storage, keys and identity rules: buckets and their configuration resources, KMS keys, IAM
//! policies and CloudWatch log groups.

use std::collections::BTreeSet;

use pulumi_runtime::plan::PlanResource;
use serde_json::Value;

use crate::policy_doc::{self, Statement};
use crate::rule::Out;
use crate::tokens::{
    BUCKET, BUCKET_LIFECYCLE, BUCKET_LOGGING, BUCKET_PAB, BUCKET_POLICY, BUCKET_SSE,
    BUCKET_VERSIONING, FLOW_LOG, IAM_ATTACHMENTS, IAM_DOCUMENTS, KMS_ALIAS, KMS_KEY, LB_TYPES,
    LOG_GROUP, WEB_ACL_LOGGING,
};
use crate::view::{Got, PlanView, Refs, Val, input};

fn buckets<'v, 'p>(view: &'v PlanView<'p>) -> &'v [&'p PlanResource] {
    view.of_type(BUCKET)
}

/// The configuration resources of type `ty` of `bucket`, and whether some resource of that type
/// names an unknown bucket (then a missing configuration is undecided, not a violation).
fn configs<'p>(
    view: &PlanView<'p>,
    bucket: &PlanResource,
    ty: &str,
) -> (Vec<&'p PlanResource>, bool) {
    let found = view.referrers(bucket, ty, "bucket");
    let unplaced = found.is_empty()
        && view
            .of_type(ty)
            .iter()
            .any(|c| matches!(view.refs(c, "bucket", &[BUCKET]), Refs::Unknown));
    (found, unplaced)
}

/// The bucket's physical name, if known.
fn bucket_name(bucket: &PlanResource) -> Option<&str> {
    input(bucket, "bucket").str().known()
}

/// s3-versioning.
pub(crate) fn s3_versioning(view: &PlanView<'_>, out: &mut Out) {
    let fix = "register aws:s3/bucketVersioning:BucketVersioning for the bucket with \
               versioningConfiguration.status Enabled";
    for bucket in buckets(view) {
        let (found, unplaced) = configs(view, bucket, BUCKET_VERSIONING);
        let mut statuses: Vec<Got<&str>> = found
            .iter()
            .map(|c| input(c, "versioningConfiguration.status").str())
            .collect();
        if let Got::Known(enabled) = input(bucket, "versioning.enabled").bool() {
            statuses.push(Got::Known(if enabled { "Enabled" } else { "Disabled" }));
        }
        if statuses.contains(&Got::Known("Enabled")) {
            continue;
        }
        if statuses.iter().any(Got::is_unknown) || (statuses.is_empty() && unplaced) {
            out.undecided(bucket, "its versioning configuration is unknown");
        } else if let Some(Got::Known(status)) = statuses.first() {
            out.fail(bucket, format!("versioning is {status}"), fix);
        } else {
            out.fail(bucket, "is not versioned", fix);
        }
    }
}

/// s3-block-public.
pub(crate) fn s3_block_public(view: &PlanView<'_>, out: &mut Out) {
    const FLAGS: [&str; 4] = [
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ];
    let fix = "register aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock for the bucket with \
               all four flags true";
    for bucket in buckets(view) {
        let (found, unplaced) = configs(view, bucket, BUCKET_PAB);
        if found.is_empty() {
            if unplaced {
                out.undecided(bucket, "a public access block names an unknown bucket");
            } else {
                out.fail(bucket, "has no public access block", fix);
            }
            continue;
        }
        let mut best: Option<Vec<&str>> = None;
        let mut unknown = false;
        for block in &found {
            let mut off = Vec::new();
            for flag in FLAGS {
                match input(block, flag).bool() {
                    Got::Known(true) => {}
                    Got::Unknown => unknown = true,
                    _ => off.push(flag),
                }
            }
            if best.as_ref().is_none_or(|b| off.len() < b.len()) {
                best = Some(off);
            }
        }
        match best {
            Some(off) if !off.is_empty() => out.fail(
                bucket,
                format!("its public access block leaves {} off", off.join(", ")),
                fix,
            ),
            _ if unknown => out.undecided(bucket, "a public access block flag is unknown"),
            _ => {}
        }
    }
}

/// The outcome of one default-encryption rule.
fn encryption_problem(
    view: &PlanView<'_>,
    config: &PlanResource,
    rule: &Val<'_>,
) -> Got<Option<String>> {
    let default = rule.get("applyServerSideEncryptionByDefault");
    match default.get("sseAlgorithm").str() {
        Got::Known("aws:kms" | "aws:kms:dsse") => {}
        Got::Known(other) => {
            return Got::Known(Some(format!(
                "default encryption is {other} (SSE-S3), not SSE-KMS with the project's key"
            )));
        }
        Got::Absent => return Got::Known(Some("sets no default encryption algorithm".to_owned())),
        Got::Unknown => return Got::Unknown,
    }
    if default.get("kmsMasterKeyId").is_absent() {
        return Got::Known(Some(
            "default encryption uses the AWS managed key aws/s3, not the project's key".to_owned(),
        ));
    }
    if view
        .refs(config, "rules", &[KMS_KEY])
        .resources()
        .is_empty()
    {
        if default.get("kmsMasterKeyId").contains_unknown() {
            return Got::Unknown;
        }
        return Got::Known(Some(
            "default encryption uses a key that is not a KMS key of this stack".to_owned(),
        ));
    }
    match rule.get("bucketKeyEnabled").bool() {
        Got::Known(true) => Got::Known(None),
        Got::Unknown => Got::Unknown,
        _ => Got::Known(Some("S3 bucket keys are off (bucketKeyEnabled)".to_owned())),
    }
}

/// s3-kms-default-encryption.
pub(crate) fn s3_kms_default_encryption(view: &PlanView<'_>, out: &mut Out) {
    let fix = "register aws:s3/bucketServerSideEncryptionConfiguration for the bucket with \
               sseAlgorithm aws:kms, kmsMasterKeyId the data key and bucketKeyEnabled true";
    for bucket in buckets(view) {
        let (found, unplaced) = configs(view, bucket, BUCKET_SSE);
        if found.is_empty() {
            if unplaced {
                out.undecided(
                    bucket,
                    "an encryption configuration names an unknown bucket",
                );
            } else {
                out.fail(
                    bucket,
                    "has no default encryption configuration, so AWS applies SSE-S3",
                    fix,
                );
            }
            continue;
        }
        let mut problems = Vec::new();
        let mut unknown = false;
        let mut ok = false;
        for config in found {
            match input(config, "rules").items() {
                Got::Known(rules) => {
                    for rule in rules {
                        match encryption_problem(view, config, &rule) {
                            Got::Known(None) => ok = true,
                            Got::Known(Some(problem)) => problems.push(problem),
                            _ => unknown = true,
                        }
                    }
                }
                Got::Unknown => unknown = true,
                Got::Absent => {
                    problems.push("its encryption configuration has no rules".to_owned())
                }
            }
        }
        if ok {
            continue;
        }
        if unknown {
            out.undecided(bucket, "its default encryption is unknown");
        } else {
            problems.dedup();
            out.fail(bucket, problems.join("; "), fix);
        }
    }
}

fn principal_is_everyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(map)) => map.get("AWS").is_some_and(|aws| match aws {
            Value::String(p) => p == "*",
            Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
            _ => false,
        }),
        _ => false,
    }
}

fn denies_insecure_transport(condition: Option<&Value>) -> bool {
    let Some(bool_block) = condition.and_then(|c| c.get("Bool")) else {
        return false;
    };
    match bool_block.get("aws:SecureTransport") {
        Some(Value::String(v)) => v.eq_ignore_ascii_case("false"),
        Some(Value::Bool(v)) => !v,
        Some(Value::Array(items)) => items.iter().any(|i| {
            i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
                || i.as_bool() == Some(false)
        }),
        _ => false,
    }
}

/// Whether the statement denies every S3 action on the bucket and its objects without TLS.
fn is_tls_statement(statement: &Statement, name: Option<&str>) -> bool {
    if statement.allow || statement.not_action || statement.not_resource {
        return false;
    }
    let all_s3 = statement
        .actions
        .iter()
        .any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"));
    if !all_s3
        || !principal_is_everyone(statement.principal.as_ref())
        || !denies_insecure_transport(statement.condition.as_ref())
    {
        return false;
    }
    let resources = &statement.resources;
    match name {
        Some(name) => {
            let bucket = format!(":::{name}");
            let objects = format!(":::{name}/*");
            resources.iter().any(|r| r.ends_with(&bucket))
                && resources.iter().any(|r| r.ends_with(&objects))
        }
        None => resources
            .iter()
            .any(|r| resources.iter().any(|o| *o == format!("{r}/*"))),
    }
}

/// s3-tls-only.
pub(crate) fn s3_tls_only(view: &PlanView<'_>, out: &mut Out) {
    let fix = "add a bucket policy statement: Effect Deny, Principal *, Action s3:*, Resource [the \
               bucket ARN, the bucket ARN/*], Condition {Bool: {aws:SecureTransport: false}}";
    for bucket in buckets(view) {
        let (mut holders, unplaced) = configs(view, bucket, BUCKET_POLICY);
        let inline = !input(bucket, "policy").is_absent();
        if inline {
            holders.push(bucket);
        }
        if holders.is_empty() {
            if unplaced {
                out.undecided(bucket, "a bucket policy names an unknown bucket");
            } else {
                out.fail(
                    bucket,
                    "has no bucket policy, so plain-HTTP requests are served",
                    fix,
                );
            }
            continue;
        }
        let mut unknown = false;
        let mut problem = "its bucket policy does not deny requests without TLS".to_owned();
        let mut ok = false;
        for holder in holders {
            match policy_doc::parse(&input(holder, "policy")) {
                Got::Known(Ok(document)) => {
                    if policy_doc::statements(&document)
                        .iter()
                        .any(|s| is_tls_statement(s, bucket_name(bucket)))
                    {
                        ok = true;
                    }
                }
                Got::Known(Err(why)) => problem = why,
                Got::Unknown => unknown = true,
                Got::Absent => {}
            }
        }
        if ok {
            continue;
        }
        if unknown {
            out.undecided(bucket, "its bucket policy is unknown");
        } else {
            out.fail(bucket, problem, fix);
        }
    }
}

/// s3-lifecycle.
pub(crate) fn s3_lifecycle(view: &PlanView<'_>, out: &mut Out) {
    let fix = "register aws:s3/bucketLifecycleConfiguration for the bucket with an Enabled rule \
               that has transitions and noncurrentVersionExpiration";
    for bucket in buckets(view) {
        let (found, unplaced) = configs(view, bucket, BUCKET_LIFECYCLE);
        if found.is_empty() {
            if unplaced {
                out.undecided(bucket, "a lifecycle configuration names an unknown bucket");
            } else {
                out.fail(bucket, "has no lifecycle configuration", fix);
            }
            continue;
        }
        let (mut transition, mut expiry, mut unknown) = (false, false, false);
        for config in found {
            match input(config, "rules").items() {
                Got::Known(rules) => {
                    for rule in rules {
                        match rule.get("status").str() {
                            Got::Known("Enabled") => {}
                            Got::Unknown => {
                                unknown = true;
                                continue;
                            }
                            _ => continue,
                        }
                        match rule.get("transitions").items() {
                            Got::Known(items) if !items.is_empty() => transition = true,
                            Got::Unknown => unknown = true,
                            _ => {}
                        }
                        match rule
                            .path("noncurrentVersionExpiration.noncurrentDays")
                            .int()
                        {
                            Got::Known(days) if days > 0 => expiry = true,
                            Got::Unknown => unknown = true,
                            _ => {}
                        }
                    }
                }
                Got::Unknown => unknown = true,
                Got::Absent => {}
            }
        }
        if transition && expiry {
            continue;
        }
        if unknown {
            out.undecided(bucket, "its lifecycle rules are unknown");
            continue;
        }
        let mut missing = Vec::new();
        if !transition {
            missing.push("a storage-class transition");
        }
        if !expiry {
            missing.push("noncurrent version expiry");
        }
        out.fail(
            bucket,
            format!(
                "its enabled lifecycle rules have no {}",
                missing.join(" and no ")
            ),
            fix,
        );
    }
}

/// The buckets that receive logs: access-log targets, flow log, load balancer and WAF
/// destinations.
fn log_buckets(view: &PlanView<'_>) -> (BTreeSet<String>, bool) {
    let mut targets = BTreeSet::new();
    let mut unknown = false;
    let mut add = |refs: Refs<'_>| match refs {
        Refs::Resolved(found) => targets.extend(found.iter().map(|b| b.urn.clone())),
        Refs::Unknown => unknown = true,
        Refs::Absent => {}
    };
    for logging in view.of_type(BUCKET_LOGGING) {
        // A bucket that logs to itself does not make itself a log bucket.
        let sources: BTreeSet<String> = view
            .refs(logging, "bucket", &[BUCKET])
            .resources()
            .iter()
            .map(|b| b.urn.clone())
            .collect();
        let refs = match view.refs(logging, "targetBucket", &[BUCKET]) {
            Refs::Resolved(found) => Refs::Resolved(
                found
                    .into_iter()
                    .filter(|b| !sources.contains(&b.urn))
                    .collect(),
            ),
            other => other,
        };
        add(refs);
    }
    for log in view.of_type(FLOW_LOG) {
        add(view.refs(log, "logDestination", &[BUCKET]));
    }
    for ty in LB_TYPES {
        for lb in view.of_type(ty) {
            add(view.refs(lb, "accessLogs.bucket", &[BUCKET]));
        }
    }
    for config in view.of_type(WEB_ACL_LOGGING) {
        add(view.refs(config, "logDestinationConfigs", &[BUCKET]));
    }
    (targets, unknown)
}

/// Whether `bucket`'s default encryption is SSE-KMS (no configuration means SSE-S3).
fn encrypted_with_kms(view: &PlanView<'_>, bucket: &PlanResource) -> Got<bool> {
    let (found, unplaced) = configs(view, bucket, BUCKET_SSE);
    if found.is_empty() {
        return if unplaced {
            Got::Unknown
        } else {
            Got::Known(false)
        };
    }
    let mut unknown = false;
    for config in found {
        match input(config, "rules").items() {
            Got::Known(rules) => {
                for rule in rules {
                    match rule
                        .get("applyServerSideEncryptionByDefault")
                        .get("sseAlgorithm")
                        .str()
                    {
                        Got::Known(algorithm) if algorithm.starts_with("aws:kms") => {
                            return Got::Known(true);
                        }
                        Got::Unknown => unknown = true,
                        _ => {}
                    }
                }
            }
            Got::Unknown => unknown = true,
            Got::Absent => {}
        }
    }
    if unknown {
        Got::Unknown
    } else {
        Got::Known(false)
    }
}

/// s3-access-logging.
pub(crate) fn s3_access_logging(view: &PlanView<'_>, out: &mut Out) {
    let fix = "register aws:s3/bucketLogging:BucketLogging for the bucket with targetBucket the \
               log bucket";
    let (targets, targets_unknown) = log_buckets(view);
    for bucket in buckets(view) {
        if targets.contains(&bucket.urn) {
            continue;
        }
        let (found, unplaced) = configs(view, bucket, BUCKET_LOGGING);
        let logs_elsewhere = found.iter().any(|logging| {
            view.refs(logging, "targetBucket", &[BUCKET])
                .resources()
                .iter()
                .any(|t| t.urn != bucket.urn)
        });
        let inline = !input(bucket, "logging.targetBucket").is_absent();
        if logs_elsewhere {
            for logging in &found {
                for target in view.refs(logging, "targetBucket", &[BUCKET]).resources() {
                    match encrypted_with_kms(view, target) {
                        Got::Known(false) => {}
                        Got::Known(true) => out.fail(
                            bucket,
                            format!(
                                "sends its access logs to \"{}\", whose default encryption is \
                                 SSE-KMS: S3 does not deliver server access logs there, so they \
                                 are silently lost",
                                target.name
                            ),
                            "send server access logs to a bucket of the stack encrypted with \
                             SSE-S3 (AES256), e.g. the ALB log bucket",
                        ),
                        _ => out.undecided(
                            bucket,
                            format!("the default encryption of \"{}\" is unknown", target.name),
                        ),
                    }
                }
            }
        }
        if logs_elsewhere || inline {
            continue;
        }
        if unplaced || targets_unknown {
            out.undecided(
                bucket,
                "a logging configuration or log destination is unknown",
            );
        } else if found.is_empty() {
            out.fail(bucket, "has no server access logging", fix);
        } else {
            out.fail(
                bucket,
                "logs its access to itself or to a bucket outside this stack",
                fix,
            );
        }
    }
}

/// kms-rotation.
pub(crate) fn kms_rotation(view: &PlanView<'_>, out: &mut Out) {
    for key in view.of_type(KMS_KEY) {
        let symmetric = matches!(
            input(key, "customerMasterKeySpec").str(),
            Got::Absent | Got::Known("SYMMETRIC_DEFAULT")
        ) && matches!(
            input(key, "keyUsage").str(),
            Got::Absent | Got::Known("ENCRYPT_DECRYPT")
        );
        if !symmetric {
            continue;
        }
        match input(key, "enableKeyRotation").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(key, "enableKeyRotation is unknown"),
            _ => out.fail(
                key,
                "is a symmetric customer-managed key without automatic rotation",
                "set enableKeyRotation: true",
            ),
        }
    }
}

/// One IAM policy document of the plan: where it is and its (parsed) text.
struct Document<'p> {
    holder: &'p PlanResource,
    property: &'static str,
    where_: String,
    parsed: Got<Result<Value, String>>,
}

fn documents<'p>(view: &PlanView<'p>) -> Vec<Document<'p>> {
    let mut out = Vec::new();
    for (ty, property) in IAM_DOCUMENTS {
        for holder in view.of_type(ty) {
            let val = input(holder, property);
            if property == "inlinePolicies" {
                match val.items() {
                    Got::Known(items) => {
                        for item in items {
                            let name = item.get("name").str().known().unwrap_or("(unnamed)");
                            out.push(Document {
                                holder,
                                property,
                                where_: format!("inline policy {name:?}: "),
                                parsed: policy_doc::parse(&item.get("policy")),
                            });
                        }
                    }
                    Got::Unknown => out.push(Document {
                        holder,
                        property,
                        where_: String::new(),
                        parsed: Got::Unknown,
                    }),
                    Got::Absent => {}
                }
            } else {
                out.push(Document {
                    holder,
                    property,
                    where_: String::new(),
                    parsed: policy_doc::parse(&val),
                });
            }
        }
    }
    out
}

/// Whether a managed policy ARN grants administrator or full-service access.
fn is_admin_managed_policy(arn: &str) -> bool {
    let Some((_, name)) = arn.split_once(":policy/") else {
        return false;
    };
    let aws_managed = arn.contains(":iam::aws:policy/");
    let name = name.rsplit('/').next().unwrap_or(name);
    aws_managed
        && (name == "AdministratorAccess"
            || name == "PowerUserAccess"
            || name.ends_with("FullAccess"))
}

/// iam-no-admin.
pub(crate) fn iam_no_admin(view: &PlanView<'_>, out: &mut Out) {
    let fix = "list the specific actions the workload needs";
    for document in documents(view) {
        let parsed = match document.parsed {
            Got::Known(Ok(parsed)) => parsed,
            Got::Known(Err(why)) => {
                out.fail(
                    document.holder,
                    format!("{}{why}", document.where_),
                    "send valid policy JSON",
                );
                continue;
            }
            Got::Unknown => {
                out.undecided(
                    document.holder,
                    format!("{}the policy document is unknown", document.where_),
                );
                continue;
            }
            Got::Absent => continue,
        };
        for (index, statement) in policy_doc::statements(&parsed).iter().enumerate() {
            if !statement.allow {
                continue;
            }
            if statement.not_action {
                out.fail(
                    document.holder,
                    format!(
                        "{}{} allows everything except the listed actions (Allow with NotAction)",
                        document.where_,
                        statement.describe(index)
                    ),
                    fix,
                );
                continue;
            }
            let broad: Vec<&str> = statement
                .actions
                .iter()
                .map(String::as_str)
                .filter(|a| policy_doc::is_admin_action(a))
                .collect();
            if !broad.is_empty() {
                out.fail(
                    document.holder,
                    format!(
                        "{}{} allows {}",
                        document.where_,
                        statement.describe(index),
                        broad.join(", ")
                    ),
                    fix,
                );
            }
        }
    }
    for (ty, property) in IAM_ATTACHMENTS {
        for holder in view.of_type(ty) {
            match input(holder, property).items() {
                Got::Known(arns) => {
                    for arn in arns {
                        if let Got::Known(arn) = arn.str()
                            && is_admin_managed_policy(arn)
                        {
                            out.fail(
                                holder,
                                format!("attaches the AWS managed policy {arn}, which grants full access"),
                                "attach a customer-managed policy with the specific actions instead",
                            );
                        }
                    }
                }
                Got::Unknown => {
                    // A reference to a policy of this stack is checked as a document.
                    if view
                        .refs(holder, property, &["aws:iam/policy:Policy"])
                        .resources()
                        .is_empty()
                    {
                        out.undecided(holder, format!("{property} is unknown"));
                    }
                }
                Got::Absent => {}
            }
        }
    }
}

/// The bucket an S3 ARN names, if it names one without wildcards.
fn arn_bucket(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix("arn:")?.split(":s3:::").nth(1)?;
    let bucket = rest.split('/').next().unwrap_or(rest);
    (!bucket.is_empty() && !bucket.contains('*') && !bucket.contains('?')).then_some(bucket)
}

/// Whether a KMS resource is one specific key (or alias) ARN.
fn is_specific_key(resource: &str) -> bool {
    resource.starts_with("arn:")
        && resource.contains(":kms:")
        && (resource.contains(":key/") || resource.contains(":alias/"))
        && !resource.contains('*')
        && !resource.contains('?')
}

/// The key ARNs of the stack's keys as they appear in other resources' inputs: strings that look
/// like key ARNs in properties that depend on an `aws:kms/key` of the plan. Policy documents are
/// left out, so a policy cannot vouch for its own keys.
fn stack_key_arns<'p>(view: &PlanView<'p>) -> BTreeSet<&'p str> {
    fn strings<'v>(value: &'v serde_json::Value, found: &mut BTreeSet<&'v str>) {
        match value {
            serde_json::Value::String(s) if is_specific_key(s) && s.contains(":key/") => {
                found.insert(s.as_str());
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, found)),
            serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, found)),
            _ => {}
        }
    }
    let keys: BTreeSet<&str> = view
        .of_type(KMS_KEY)
        .iter()
        .map(|k| k.urn.as_str())
        .collect();
    let mut found = BTreeSet::new();
    for resource in &view.plan().resources {
        if resource.ty == "aws:iam/policy:Policy"
            || resource.ty == "aws:s3/bucketPolicy:BucketPolicy"
        {
            continue;
        }
        for (property, urns) in &resource.property_dependencies {
            if urns.iter().any(|urn| keys.contains(urn.as_str()))
                && let Some(value) = resource.inputs.get(property)
            {
                strings(value, &mut found);
            }
        }
    }
    found
}

/// The names of the stack's key aliases: `aws:kms/alias` names whose `targetKeyId` is a key of
/// the plan.
fn stack_key_aliases<'p>(view: &PlanView<'p>) -> BTreeSet<&'p str> {
    view.of_type(KMS_ALIAS)
        .iter()
        .filter(|alias| {
            !view
                .refs(alias, "targetKeyId", &[KMS_KEY])
                .resources()
                .is_empty()
        })
        .filter_map(|alias| input(alias, "name").str().known())
        .collect()
}

/// The accounts that own the stack's keys, as their key policies name them
/// (`arn:<partition>:iam::<account>:root`).
fn stack_key_accounts(view: &PlanView<'_>) -> BTreeSet<String> {
    let mut accounts = BTreeSet::new();
    for key in view.of_type(KMS_KEY) {
        if let Got::Known(policy) = input(key, "policy").str() {
            for part in policy.split(":iam::").skip(1) {
                if let Some((account, rest)) = part.split_once(':')
                    && rest.starts_with("root")
                    && is_account_id(account)
                {
                    accounts.insert(account.to_owned());
                }
            }
        }
    }
    accounts
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The account of `arn:<partition>:kms:<region>:<account>:key/*`, the one wildcard an alias-scoped
/// KMS grant may use (every key of one account in one region).
fn account_key_wildcard(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix("arn:")?;
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    match parts.as_slice() {
        [partition, "kms", region, account, "key/*"]
            if !partition.is_empty()
                && !region.is_empty()
                && !partition.contains(['*', '?'])
                && !region.contains(['*', '?'])
                && is_account_id(account) =>
        {
            Some(account)
        }
        _ => None,
    }
}

/// The aliases a statement narrows its keys to: the values of `kms:ResourceAliases` under
/// `ForAnyValue:StringEquals` (`ForAllValues` would also match a key without any alias).
/// `None` when the statement has no such condition.
fn resource_aliases(statement: &Statement) -> Option<Vec<&str>> {
    let operator = statement
        .condition
        .as_ref()?
        .as_object()?
        .iter()
        .find(|(op, _)| op.eq_ignore_ascii_case("ForAnyValue:StringEquals"))?
        .1
        .as_object()?;
    let values = operator
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("kms:ResourceAliases"))?
        .1;
    match values {
        Value::String(alias) => Some(vec![alias.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// How an alias-scoped KMS grant (keys of an account narrowed by `kms:ResourceAliases`) fails,
/// or `None` when it names only the stack's aliases in the stack's account.
fn alias_grant_problem(
    statement: &Statement,
    resource: &str,
    aliases: &BTreeSet<&str>,
    accounts: &BTreeSet<String>,
) -> Option<String> {
    let account = account_key_wildcard(resource)?;
    if !accounts.is_empty() && !accounts.contains(account) {
        return Some(format!(
            "grants kms actions on the keys of account {account}, not the stack's"
        ));
    }
    let Some(named) = resource_aliases(statement).filter(|named| !named.is_empty()) else {
        return Some(format!(
            "grants kms actions on {resource:?} without narrowing it to the stack's aliases \
             (ForAnyValue:StringEquals kms:ResourceAliases)"
        ));
    };
    let foreign: Vec<&str> = named
        .into_iter()
        .filter(|alias| !aliases.contains(alias))
        .collect();
    (!foreign.is_empty()).then(|| {
        format!(
            "narrows its kms grant to aliases that are not the stack's: {}",
            foreign.join(", ")
        )
    })
}

/// iam-scoped-resources.
pub(crate) fn iam_scoped_resources(view: &PlanView<'_>, out: &mut Out) {
    let names: BTreeSet<&str> = buckets(view)
        .iter()
        .filter_map(|b| bucket_name(b))
        .collect();
    let names_unknown = buckets(view).iter().any(|b| bucket_name(b).is_none());
    for document in documents(view) {
        let parsed = match document.parsed {
            Got::Known(Ok(parsed)) => parsed,
            Got::Unknown => {
                out.undecided(
                    document.holder,
                    format!("{}the policy document is unknown", document.where_),
                );
                continue;
            }
            Got::Known(Err(_)) | Got::Absent => continue,
        };
        let keys_from_stack = !view
            .refs(document.holder, document.property, &[KMS_KEY])
            .resources()
            .is_empty();
        let known_keys = stack_key_arns(view);
        let aliases = stack_key_aliases(view);
        let accounts = stack_key_accounts(view);
        for (index, statement) in policy_doc::statements(&parsed).iter().enumerate() {
            if !statement.allow {
                continue;
            }
            let at = format!("{}{}", document.where_, statement.describe(index));
            for (service, what) in [("s3", "buckets"), ("kms", "keys")] {
                if !statement
                    .actions
                    .iter()
                    .any(|a| policy_doc::touches_service(a, service))
                {
                    continue;
                }
                let fix = format!("name the project's {what} by ARN in Resource, never *");
                if statement.not_resource {
                    out.fail(
                        document.holder,
                        format!("{at} grants {service} actions with NotResource"),
                        fix,
                    );
                    continue;
                }
                for resource in &statement.resources {
                    if service == "kms" && account_key_wildcard(resource).is_some() {
                        if let Some(problem) =
                            alias_grant_problem(statement, resource, &aliases, &accounts)
                        {
                            out.fail(
                                document.holder,
                                format!("{at} {problem}"),
                                "name the stack's keys by ARN, or the account's keys narrowed \
                                 by ForAnyValue:StringEquals kms:ResourceAliases to the stack's \
                                 aliases; never *",
                            );
                        }
                        continue;
                    }
                    let bucket = arn_bucket(resource);
                    let ok = match service {
                        "s3" => bucket.is_some_and(|b| names.contains(b)),
                        // Each key ARN must be one the stack's keys are known by; where no
                        // other resource reveals them, the document's dependencies decide.
                        _ => {
                            is_specific_key(resource)
                                && keys_from_stack
                                && (known_keys.is_empty() || known_keys.contains(resource.as_str()))
                        }
                    };
                    if ok {
                        continue;
                    }
                    if service == "s3" && names_unknown && bucket.is_some() {
                        out.undecided(
                            document.holder,
                            format!("{at}: a bucket name of the stack is unknown"),
                        );
                    } else if service == "kms" && is_specific_key(resource) {
                        out.fail(
                            document.holder,
                            format!("{at} grants kms actions on a key that does not come from this stack"),
                            "reference the stack's aws:kms/key ARN",
                        );
                    } else {
                        out.fail(
                            document.holder,
                            format!("{at} grants {service} actions on {resource:?}"),
                            fix.clone(),
                        );
                    }
                }
            }
        }
    }
}

/// logs-encrypted-retained.
pub(crate) fn logs_encrypted_retained(view: &PlanView<'_>, out: &mut Out) {
    for group in view.of_type(LOG_GROUP) {
        let mut problems = Vec::new();
        let key = input(group, "kmsKeyId");
        if key.is_absent() {
            problems.push("is not encrypted with a KMS key (kmsKeyId)".to_owned());
        } else if key.contains_unknown()
            && matches!(view.refs(group, "kmsKeyId", &[]), Refs::Unknown)
        {
            out.undecided(group, "kmsKeyId is unknown and has no recorded dependency");
        }
        match input(group, "retentionInDays").int() {
            Got::Known(days) if days > 0 => {}
            Got::Known(_) => problems.push("keeps events forever (retentionInDays 0)".to_owned()),
            Got::Absent => {
                problems.push("has no explicit retention, so events never expire".to_owned())
            }
            Got::Unknown => out.undecided(group, "retentionInDays is unknown"),
        }
        if !problems.is_empty() {
            out.fail(
                group,
                problems.join("; "),
                "set kmsKeyId to the compute key's ARN and retentionInDays explicitly (PCI DSS \
                 10.5.1: at least 365 days of audit history)",
            );
        }
    }
}
