//! Project rules from the request: tags, names, destroyability, region, and the migration's DMS
//! instance.

use std::collections::{BTreeMap, BTreeSet};

use payments_aws::schema::{self, Package};
use pulumi_runtime::plan::PlanResource;

use crate::rule::Out;
use crate::rules::backup::COPY_REGION_TYPES;
use crate::tokens::{
    ASG, BACKUP_VAULT, BACKUP_VAULT_LOCK, BUCKET, DMS_INSTANCE, KMS_KEY, LAUNCH_TEMPLATE, LB_TYPES,
    LOG_GROUP, RDS_INSTANCE,
};
use crate::view::{AWS_PROVIDER, Got, PlanView, ProviderRef, Refs, Val, input, physical_name};

/// The tag keys every taggable resource must carry.
pub const REQUIRED_TAGS: [&str; 3] = ["Environment", "CostCenter", "MigrationPhase"];

/// Whether the pinned schema gives `ty` a `tags` input: `Known(bool)`, or `Unknown` when the
/// type is not in the committed schema index.
fn taggable(ty: &str) -> Got<bool> {
    let Ok(index) = schema::index().package(Package::Aws) else {
        return Got::Unknown;
    };
    match index.resources.get(ty) {
        Some(signature) => Got::Known(signature.inputs.contains_key("tags")),
        None => Got::Unknown,
    }
}

/// The state of one required tag.
enum Tag {
    Present,
    Missing,
    Empty,
    Unknown,
}

fn tag_state(value: Option<&Val<'_>>) -> Tag {
    match value.map(Val::str) {
        None | Some(Got::Absent) => Tag::Missing,
        Some(Got::Known("")) => Tag::Empty,
        Some(Got::Known(_)) => Tag::Present,
        Some(Got::Unknown) => Tag::Unknown,
    }
}

/// Reports the required tags missing from `tags` on `resource`.
fn require_tags(
    out: &mut Out,
    resource: &PlanResource,
    tags: &Got<BTreeMap<&str, Val<'_>>>,
    what: &str,
    fix: &str,
) {
    let tags = match tags {
        Got::Known(tags) => tags,
        Got::Unknown => {
            out.undecided(resource, format!("the tags of {what} are unknown"));
            return;
        }
        Got::Absent => &BTreeMap::new(),
    };
    let mut missing = Vec::new();
    let mut unknown = Vec::new();
    for key in REQUIRED_TAGS {
        match tag_state(tags.get(key)) {
            Tag::Present => {}
            Tag::Missing => missing.push(key.to_owned()),
            Tag::Empty => missing.push(format!("{key} (empty)")),
            Tag::Unknown => unknown.push(key),
        }
    }
    if !missing.is_empty() {
        out.fail(
            resource,
            format!(
                "{what} {} the required tag(s) {}",
                if what == "it" { "lacks" } else { "lack" },
                missing.join(", ")
            ),
            fix,
        );
    } else if !unknown.is_empty() {
        out.undecided(
            resource,
            format!(
                "the value of tag(s) {} of {what} is unknown",
                unknown.join(", ")
            ),
        );
    }
}

/// The resource's own `tags` map merged over its provider's default tags.
fn effective_tags<'v>(
    view: &'v PlanView<'_>,
    resource: &'v PlanResource,
) -> Got<BTreeMap<&'v str, Val<'v>>> {
    let mut tags = match view.default_tags(resource) {
        Got::Known(tags) => tags,
        Got::Absent => BTreeMap::new(),
        Got::Unknown => return Got::Unknown,
    };
    match input(resource, "tags").entries() {
        Got::Known(own) => tags.extend(own),
        Got::Unknown => return Got::Unknown,
        Got::Absent => {}
    }
    Got::Known(tags)
}

/// The ASG's `tags` list as a map, keeping only those propagated at launch if asked.
fn asg_tags<'a>(asg: &'a PlanResource, propagated_only: bool) -> Got<BTreeMap<&'a str, Val<'a>>> {
    match input(asg, "tags").items() {
        Got::Known(items) => {
            let mut tags = BTreeMap::new();
            for item in items {
                if propagated_only && item.get("propagateAtLaunch").bool() != Got::Known(true) {
                    continue;
                }
                match item.get("key").str() {
                    Got::Known(key) => {
                        tags.insert(key, item.get("value"));
                    }
                    Got::Unknown => return Got::Unknown,
                    Got::Absent => {}
                }
            }
            Got::Known(tags)
        }
        Got::Absent => Got::Known(BTreeMap::new()),
        Got::Unknown => Got::Unknown,
    }
}

/// The launch template's `tagSpecifications` tags for `resource_type` (`instance`, `volume`).
fn spec_tags<'a>(
    template: &'a PlanResource,
    resource_type: &str,
) -> Got<BTreeMap<&'a str, Val<'a>>> {
    match input(template, "tagSpecifications").items() {
        Got::Known(specs) => {
            let mut tags = BTreeMap::new();
            for spec in specs {
                match spec.get("resourceType").str() {
                    Got::Known(t) if t == resource_type => {}
                    Got::Unknown => return Got::Unknown,
                    _ => continue,
                }
                match spec.get("tags").entries() {
                    Got::Known(entries) => tags.extend(entries),
                    Got::Unknown => return Got::Unknown,
                    Got::Absent => {}
                }
            }
            Got::Known(tags)
        }
        Got::Absent => Got::Known(BTreeMap::new()),
        Got::Unknown => Got::Unknown,
    }
}

fn merge<'a>(
    a: Got<BTreeMap<&'a str, Val<'a>>>,
    b: Got<BTreeMap<&'a str, Val<'a>>>,
) -> Got<BTreeMap<&'a str, Val<'a>>> {
    match (a, b) {
        (Got::Known(mut a), Got::Known(b)) => {
            a.extend(b);
            Got::Known(a)
        }
        (Got::Unknown, _) | (_, Got::Unknown) => Got::Unknown,
        (Got::Known(a), Got::Absent) | (Got::Absent, Got::Known(a)) => Got::Known(a),
        (Got::Absent, Got::Absent) => Got::Absent,
    }
}

/// tags-required.
pub(crate) fn tags_required(view: &PlanView<'_>, out: &mut Out) {
    let fix = "set the tag(s) in the provider's defaultTags or the resource's tags";
    for resource in view.custom() {
        if !resource.ty.starts_with("aws:") {
            continue;
        }
        if resource.ty == ASG {
            // The provider's default tags do not apply to Auto Scaling groups.
            require_tags(
                out,
                resource,
                &asg_tags(resource, false),
                "it",
                "add {key, value, propagateAtLaunch: true} entries to the group's tags (default \
                 tags do not apply to Auto Scaling groups)",
            );
            continue;
        }
        match taggable(&resource.ty) {
            Got::Known(true) => {
                require_tags(out, resource, &effective_tags(view, resource), "it", fix);
            }
            Got::Known(false) => {}
            Got::Unknown | Got::Absent => out.undecided(
                resource,
                format!(
                    "{} is not in the schema index, so whether it takes tags is unknown",
                    resource.ty
                ),
            ),
        }
    }
    for asg in view.of_type(ASG) {
        let templates = match view.refs(asg, "launchTemplate", &[LAUNCH_TEMPLATE]) {
            Refs::Resolved(found) => found,
            Refs::Unknown => {
                out.undecided(asg, "its launch template is unknown");
                continue;
            }
            Refs::Absent => Vec::new(),
        };
        let instance_tags = templates.iter().fold(asg_tags(asg, true), |acc, t| {
            merge(acc, spec_tags(t, "instance"))
        });
        require_tags(
            out,
            asg,
            &instance_tags,
            "the instances it launches",
            "add the tags to the launch template's tagSpecifications (resourceType instance) or \
             as group tags with propagateAtLaunch: true",
        );
        let volume_tags = templates
            .iter()
            .fold(Got::Known(BTreeMap::new()), |acc, t| {
                merge(acc, spec_tags(t, "volume"))
            });
        require_tags(
            out,
            asg,
            &volume_tags,
            "the volumes it launches",
            "add a tagSpecifications entry with resourceType volume to the launch template (group \
             tags never reach volumes)",
        );
    }
}

/// Character rules of a physical name.
#[derive(Clone, Copy)]
enum Charset {
    /// Letters, digits, hyphens; no leading or trailing hyphen.
    AlnumHyphen,
    /// Lowercase letters, digits, hyphens.
    LowerHyphen,
    /// Anything printable (the type's rules are generous).
    Any,
}

/// AWS's limits for the physical names of a type: length range, characters, and extra rules.
fn limits(ty: &str) -> (usize, usize, Charset) {
    match ty {
        "aws:lb/loadBalancer:LoadBalancer"
        | "aws:alb/loadBalancer:LoadBalancer"
        | "aws:lb/targetGroup:TargetGroup"
        | "aws:alb/targetGroup:TargetGroup" => (1, 32, Charset::AlnumHyphen),
        "aws:s3/bucket:Bucket" => (3, 63, Charset::LowerHyphen),
        "aws:rds/instance:Instance" | "aws:dms/replicationInstance:ReplicationInstance" => {
            (1, 63, Charset::LowerHyphen)
        }
        "aws:rds/subnetGroup:SubnetGroup"
        | "aws:rds/parameterGroup:ParameterGroup"
        | "aws:rds/optionGroup:OptionGroup" => (1, 255, Charset::LowerHyphen),
        "aws:iam/role:Role" => (1, 64, Charset::Any),
        "aws:iam/instanceProfile:InstanceProfile" | "aws:iam/policy:Policy" => {
            (1, 128, Charset::Any)
        }
        "aws:ec2/securityGroup:SecurityGroup" | "aws:autoscaling/group:Group" => {
            (1, 255, Charset::Any)
        }
        "aws:ec2/launchTemplate:LaunchTemplate" => (3, 128, Charset::Any),
        "aws:kms/alias:Alias" => (7, 256, Charset::Any),
        _ => (1, 512, Charset::Any),
    }
}

/// The problems of `name` (the whole physical name) for type `ty`.
fn limit_problems(ty: &str, name: &str) -> Vec<String> {
    let (min, max, charset) = limits(ty);
    let mut problems = Vec::new();
    if name.len() < min || name.len() > max {
        problems.push(format!(
            "is {} characters long; AWS allows {min}-{max}",
            name.len()
        ));
    }
    let chars_ok = match charset {
        Charset::AlnumHyphen => name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        Charset::LowerHyphen => name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        Charset::Any => name.chars().all(|c| !c.is_control()),
    };
    if !chars_ok {
        problems.push("has characters AWS does not allow for this type".to_owned());
    }
    if !matches!(charset, Charset::Any) && (name.starts_with('-') || name.ends_with('-')) {
        problems.push("starts or ends with a hyphen".to_owned());
    }
    match ty {
        "aws:lb/targetGroup:TargetGroup" | "aws:alb/targetGroup:TargetGroup"
            if name.starts_with("internal-") =>
        {
            problems.push("starts with internal-".to_owned());
        }
        "aws:s3/bucket:Bucket" if name.starts_with("xn--") || name.ends_with("-s3alias") => {
            problems.push("uses a prefix or suffix S3 reserves (xn--, -s3alias)".to_owned());
        }
        "aws:rds/instance:Instance" | "aws:dms/replicationInstance:ReplicationInstance"
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || name.contains("--") =>
        {
            problems.push("must start with a letter and have no double hyphen".to_owned());
        }
        "aws:ec2/securityGroup:SecurityGroup" if name.starts_with("sg-") => {
            problems.push("starts with sg-".to_owned());
        }
        "aws:kms/alias:Alias" if !name.starts_with("alias/") || name.starts_with("alias/aws/") => {
            problems.push("must start with alias/ and not alias/aws/".to_owned());
        }
        _ => {}
    }
    problems
}

/// The parts of a physical name that may carry the pattern: the `/`-separated segments of a
/// hierarchical name (log groups, KMS aliases), else the whole name; without a name prefix's
/// trailing hyphen.
fn patterned_parts<'a>(name: &'a str, property: &str) -> Vec<&'a str> {
    let name = if property.ends_with("Prefix") {
        name.trim_end_matches('-')
    } else {
        name
    };
    name.split('/').filter(|part| !part.is_empty()).collect()
}

/// The environment of `resource`: configured, else its provider's `Environment` default tag.
fn environment(view: &PlanView<'_>, resource: &PlanResource) -> Got<String> {
    if let Some(env) = &view.settings().environment {
        return Got::Known(env.clone());
    }
    match view.default_tags(resource) {
        Got::Known(tags) => match tags.get("Environment").map(Val::str) {
            Some(Got::Known(env)) => Got::Known(env.to_owned()),
            Some(Got::Unknown) => Got::Unknown,
            _ => Got::Absent,
        },
        Got::Unknown => Got::Unknown,
        Got::Absent => Got::Absent,
    }
}

/// names-suffixed.
pub(crate) fn names_suffixed(view: &PlanView<'_>, out: &mut Out) {
    struct Named<'p> {
        resource: &'p PlanResource,
        property: &'static str,
        name: String,
        env: Got<String>,
    }
    let mut named = Vec::new();
    for resource in view.custom() {
        let Some((property, val)) = physical_name(resource) else {
            continue;
        };
        match val.str() {
            Got::Known(name) => named.push(Named {
                resource,
                property,
                name: name.to_owned(),
                env: environment(view, resource),
            }),
            Got::Unknown => out.undecided(
                resource,
                format!("its physical name ({property}) is unknown"),
            ),
            Got::Absent => {}
        }
    }
    // The suffix: configured, else the one most names end with.
    let suffix = view.settings().suffix.clone().or_else(|| {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for n in &named {
            if let Got::Known(env) = &n.env {
                for part in patterned_parts(&n.name, n.property) {
                    if let Some((head, suffix)) = part.rsplit_once('-')
                        && head.ends_with(&format!("-{env}"))
                    {
                        *counts.entry(suffix).or_default() += 1;
                        break;
                    }
                }
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(suffix, _)| suffix.to_owned())
    });
    for n in named {
        let mut problems = limit_problems(&n.resource.ty, &n.name);
        if n.property.ends_with("Prefix") {
            problems.push(format!(
                "uses {} so AWS appends a random suffix and the name is not <type>-<environment>-<suffix>",
                n.property
            ));
        }
        let parts = patterned_parts(&n.name, n.property);
        match (&n.env, &suffix) {
            (Got::Known(env), Some(suffix)) => {
                let tail = format!("-{env}-{suffix}");
                let follows = parts.iter().any(|part| {
                    part.strip_suffix(tail.as_str())
                        .is_some_and(|head| !head.is_empty())
                });
                if !follows {
                    problems.push(format!("does not follow <resource-type>-{env}-{suffix}"));
                }
            }
            (Got::Known(env), None) => problems.push(format!(
                "does not follow <resource-type>-{env}-<suffix> (no name of the stack does)"
            )),
            (Got::Unknown, _) => {
                out.undecided(n.resource, "the Environment tag of its provider is unknown");
                continue;
            }
            (Got::Absent, _) => {
                out.undecided(
                    n.resource,
                    "no Environment tag says which environment the name must carry",
                );
                continue;
            }
        }
        if !problems.is_empty() {
            out.fail(
                n.resource,
                format!(
                    "physical name {:?} ({}) {}",
                    n.name,
                    n.property,
                    problems.join("; ")
                ),
                "derive the name from the naming scheme (<resource-type>-<environment>-<suffix>) \
                 within the type's AWS limits",
            );
        }
    }
}

/// destroyable.
pub(crate) fn destroyable(view: &PlanView<'_>, out: &mut Out) {
    for resource in &view.plan().resources {
        if resource.options.protect {
            out.fail(
                resource,
                "is protected (protect: true), so the stack cannot be destroyed",
                "drop the protect option",
            );
        }
        if resource.options.retain_on_delete {
            out.fail(
                resource,
                "is retained on delete (retainOnDelete: true), so destroying the stack leaves it behind",
                "drop the retainOnDelete option",
            );
        }
    }
    let flag =
        |out: &mut Out, resource: &PlanResource, key: &str, what: &str| match input(resource, key)
            .bool()
        {
            Got::Known(true) => out.fail(
                resource,
                format!("has {what} on ({key}: true)"),
                format!("set {key}: false"),
            ),
            Got::Unknown => out.undecided(resource, format!("{key} is unknown")),
            _ => {}
        };
    for db in view.of_type(RDS_INSTANCE) {
        flag(out, db, "deletionProtection", "deletion protection");
    }
    for ty in LB_TYPES {
        for lb in view.of_type(ty) {
            flag(out, lb, "enableDeletionProtection", "deletion protection");
        }
    }
    for group in view.of_type(LOG_GROUP) {
        flag(
            out,
            group,
            "deletionProtectionEnabled",
            "deletion protection",
        );
        flag(out, group, "skipDestroy", "skip-destroy");
    }
    for bucket in view.of_type(BUCKET) {
        match input(bucket, "forceDestroy").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(bucket, "forceDestroy is unknown"),
            _ => out.fail(
                bucket,
                "cannot be deleted while it holds objects (forceDestroy is not true)",
                "set forceDestroy: true",
            ),
        }
    }
    // A locked vault is reported once, through its lock.
    let locked: Vec<&PlanResource> = view
        .of_type(BACKUP_VAULT_LOCK)
        .iter()
        .flat_map(|lock| {
            view.refs(lock, "backupVaultName", &[BACKUP_VAULT])
                .resources()
                .to_vec()
        })
        .collect();
    for vault in view.of_type(BACKUP_VAULT) {
        if locked.iter().any(|l| l.urn == vault.urn) {
            continue;
        }
        match input(vault, "forceDestroy").bool() {
            Got::Known(true) => {}
            Got::Unknown => out.undecided(vault, "forceDestroy is unknown"),
            _ => out.fail(
                vault,
                "cannot be deleted while it holds recovery points (forceDestroy is not true)",
                "set forceDestroy: true outside production",
            ),
        }
    }
    for lock in view.of_type(BACKUP_VAULT_LOCK) {
        out.fail(
            lock,
            "locks its vault: recovery points cannot be deleted before their retention ends, so the stack cannot be destroyed until then",
            "lock vaults in production only",
        );
    }
    for key in view.of_type(KMS_KEY) {
        match input(key, "deletionWindowInDays").int() {
            Got::Known(days) if (7..=30).contains(&days) => {}
            Got::Known(days) => out.fail(
                key,
                format!("has deletion window {days}, outside AWS's 7-30 days"),
                "set deletionWindowInDays between 7 and 30",
            ),
            Got::Absent => out.fail(
                key,
                "sets no deletionWindowInDays (AWS waits 30 days)",
                "set deletionWindowInDays explicitly (7 for test stacks)",
            ),
            Got::Unknown => out.undecided(key, "deletionWindowInDays is unknown"),
        }
    }
}

/// Whether every resource created through `provider` is of [`COPY_REGION_TYPES`] (and there is
/// at least one): the provider of the backups' disaster-recovery region.
fn is_backup_copy_provider(view: &PlanView<'_>, provider: &PlanResource) -> bool {
    let users: Vec<&PlanResource> = view
        .custom()
        .filter(|resource| {
            matches!(view.provider_of(resource), ProviderRef::Registered(p) if p.urn == provider.urn)
        })
        .collect();
    !users.is_empty()
        && users
            .iter()
            .all(|resource| COPY_REGION_TYPES.contains(&resource.ty.as_str()))
}

/// region.
pub(crate) fn region(view: &PlanView<'_>, out: &mut Out) {
    let expected = view.settings().region.as_str();
    let fix = format!("set the provider's region to {expected} (the aws:region config)");
    for provider in view.of_type(AWS_PROVIDER) {
        let region = input(provider, "region");
        match region.str() {
            Got::Known(r) if r == expected => {}
            Got::Known(_) if is_backup_copy_provider(view, provider) => {}
            Got::Known(_) => out.fail(
                provider,
                format!(
                    "deploys to region {}, not {expected} (only the backups' copy vault and its key may live elsewhere)",
                    region.shown()
                ),
                fix.clone(),
            ),
            Got::Absent => out.fail(
                provider,
                "sets no region, so it comes from the environment of whoever runs pulumi",
                fix.clone(),
            ),
            Got::Unknown => out.undecided(provider, "region is unknown"),
        }
    }
    let mut missing = BTreeSet::new();
    for resource in view.custom() {
        if !resource.ty.starts_with("aws:") {
            continue;
        }
        match view.provider_of(resource) {
            ProviderRef::Default => out.fail(
                resource,
                "uses the default AWS provider, whose region and tags come from the environment",
                "create it through the stack's explicit aws provider",
            ),
            ProviderRef::Missing => {
                if missing.insert(resource.provider.clone()) {
                    out.undecided(resource, "its provider is not registered in the plan");
                }
            }
            ProviderRef::Registered(_) => {}
        }
        let own = input(resource, "region");
        match own.str() {
            Got::Known(r)
                if r != expected && !COPY_REGION_TYPES.contains(&resource.ty.as_str()) =>
            {
                out.fail(
                    resource,
                    format!("overrides the region with {}", own.shown()),
                    format!("remove the region input (or set it to {expected})"),
                )
            }
            Got::Unknown => out.undecided(resource, "its region input is unknown"),
            _ => {}
        }
    }
}

/// dms-not-public.
pub(crate) fn dms_not_public(view: &PlanView<'_>, out: &mut Out) {
    for dms in view.of_type(DMS_INSTANCE) {
        match input(dms, "publiclyAccessible").bool() {
            Got::Known(false) => {}
            Got::Known(true) => out.fail(
                dms,
                "is publicly accessible",
                "set publiclyAccessible: false",
            ),
            Got::Absent => out.fail(
                dms,
                "does not set publiclyAccessible explicitly",
                "set publiclyAccessible: false",
            ),
            Got::Unknown => out.undecided(dms, "publiclyAccessible is unknown"),
        }
    }
}
