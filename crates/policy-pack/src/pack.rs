//! The pack's behaviour, apart from the transport: what it tells the engine about itself, how it
//! reads `--policy-pack-config`, and how it judges a stack.
//!
//! Every rule of the compliance crate is a stack policy: rules follow references across resources
//! (a bucket to its versioning resource, a security group rule to its group), so they are decided
//! in `AnalyzeStack`, on the whole stack. Under `pulumi preview` the engine sends values it does
//! not know yet as unknowns: a rule that needs one reports an ADVISORY "cannot decide until
//! deployment" diagnostic, and decides at the `AnalyzeStack` of `pulumi up`, which sees the
//! outputs.

use std::collections::{BTreeMap, HashMap};

use payments_compliance::rules::RULES;
use payments_compliance::{EXCEPTIONS, Exception, Rule, Settings, Severity, evaluate_selected};
use pulumi_runtime::plan::{PlanOptions, PlanResource};
use pulumi_runtime::{Plan, wire};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::proto::{
    self, AnalyzeDiagnostic, AnalyzeResponse, AnalyzerInfo, AnalyzerResource, PolicyConfigSchema,
    PolicyInfo, enforcement,
};

/// The pack's name, as `pulumi preview` shows it.
pub const PACK_NAME: &str = "payments-pci-dss";
/// The pack's version.
pub const PACK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a rule is enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Reported, does not block.
    Advisory,
    /// Fails the preview or update.
    Mandatory,
    /// Not run.
    Disabled,
}

impl Level {
    fn of(severity: Severity) -> Self {
        match severity {
            Severity::Mandatory => Self::Mandatory,
            Severity::Advisory => Self::Advisory,
        }
    }

    fn wire(self) -> i32 {
        match self {
            Self::Advisory => enforcement::ADVISORY,
            Self::Mandatory => enforcement::MANDATORY,
            Self::Disabled => enforcement::DISABLED,
        }
    }
}

/// An exception from the policy config.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfiguredException {
    /// The type token of the resources it covers.
    pub resource_type: String,
    /// A pattern (`*` matches any run) on the physical name, or the logical name.
    pub name_pattern: String,
    /// Why the rule cannot hold for them.
    pub reason: String,
}

/// The pack's configuration: an enforcement level and exceptions per rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackConfig {
    levels: HashMap<String, Level>,
    exceptions: Vec<(String, ConfiguredException)>,
}

impl PackConfig {
    /// The level of `rule`: configured, or its severity.
    pub fn level(&self, rule: &Rule) -> Level {
        self.levels
            .get(rule.id)
            .copied()
            .unwrap_or(Level::of(rule.severity))
    }

    /// The pack's own exceptions followed by the configured ones.
    fn exceptions(&self) -> Vec<Exception<'_>> {
        let configured = self.exceptions.iter().map(|(rule, e)| Exception {
            rule,
            resource_type: &e.resource_type,
            name_pattern: &e.name_pattern,
            reason: &e.reason,
        });
        EXCEPTIONS.iter().copied().chain(configured).collect()
    }
}

/// The engine's view of the pack: every rule with its default level and config schema.
pub fn analyzer_info() -> AnalyzerInfo {
    AnalyzerInfo {
        name: PACK_NAME.to_owned(),
        display_name: "Payments platform PCI DSS pack".to_owned(),
        policies: RULES.iter().map(policy_info).collect(),
        version: PACK_VERSION.to_owned(),
        supports_config: true,
        description: "PCI DSS controls for AWS resources (network, TLS, compute, database, \
                      storage, keys, identity, tagging), from the payments platform's compliance \
                      pack."
            .to_owned(),
    }
}

fn policy_info(rule: &Rule) -> PolicyInfo {
    let severity = match rule.severity {
        Severity::Mandatory => proto::SEVERITY_HIGH,
        Severity::Advisory => proto::SEVERITY_MEDIUM,
    };
    PolicyInfo {
        name: rule.id.to_owned(),
        display_name: rule.title.to_owned(),
        description: format!("{} (anchor: {})", rule.checks, rule.anchor),
        message: rule.checks.to_owned(),
        enforcement_level: Level::of(rule.severity).wire(),
        config_schema: Some(config_schema()),
        policy_type: proto::POLICY_TYPE_STACK,
        severity,
    }
}

/// The JSON schema of a rule's config: `exceptions`, a list of `{resourceType, namePattern,
/// reason}`.
fn config_schema() -> PolicyConfigSchema {
    let exception = json!({
        "type": "object",
        "properties": {
            "resourceType": {"type": "string"},
            "namePattern": {"type": "string"},
            "reason": {"type": "string", "minLength": 1},
        },
        "required": ["resourceType", "namePattern", "reason"],
        "additionalProperties": false,
    });
    let properties = json!({"exceptions": {"type": "array", "items": exception}});
    PolicyConfigSchema {
        properties: properties.as_object().map(wire::to_struct),
        required: Vec::new(),
    }
}

/// Reads the `--policy-pack-config` the engine passes: every problem is reported, each naming
/// the rule; an unknown rule name names the closest known one.
pub fn configure(request: &proto::ConfigureAnalyzerRequest) -> Result<PackConfig, String> {
    let mut config = PackConfig::default();
    let mut problems = Vec::new();
    let mut names: Vec<&String> = request.policy_config.keys().collect();
    names.sort();
    for name in names {
        let entry = &request.policy_config[name];
        let Some(rule) = RULES.iter().find(|rule| rule.id == name) else {
            problems.push(unknown_rule(name));
            continue;
        };
        let level = match entry.enforcement_level {
            enforcement::ADVISORY => Level::Advisory,
            enforcement::MANDATORY => Level::Mandatory,
            enforcement::DISABLED => Level::Disabled,
            other => {
                problems.push(format!(
                    "policy `{name}`: enforcement level {other} is not supported \
                     (use advisory, mandatory or disabled)"
                ));
                continue;
            }
        };
        config.levels.insert(rule.id.to_owned(), level);
        let properties = entry
            .properties
            .as_ref()
            .map(wire::from_struct)
            .unwrap_or_default();
        match exceptions_of(name, &properties) {
            Ok(found) => config
                .exceptions
                .extend(found.into_iter().map(|e| (rule.id.to_owned(), e))),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems.join("\n"))
    }
}

fn unknown_rule(name: &str) -> String {
    let closest = RULES
        .iter()
        .map(|rule| rule.id)
        .min_by_key(|id| (strsim::damerau_levenshtein(&name.to_lowercase(), id), *id));
    match closest {
        Some(id) => format!(
            "policy config names `{name}`, which is not a policy of {PACK_NAME}: did you mean `{id}`?"
        ),
        None => format!("policy config names `{name}`, which is not a policy of {PACK_NAME}"),
    }
}

fn exceptions_of(
    rule: &str,
    properties: &Map<String, Value>,
) -> Result<Vec<ConfiguredException>, String> {
    if let Some(other) = properties.keys().find(|key| *key != "exceptions") {
        return Err(format!(
            "policy `{rule}`: unknown config property `{other}` (the only one is `exceptions`)"
        ));
    }
    let Some(list) = properties.get("exceptions") else {
        return Ok(Vec::new());
    };
    let found: Vec<ConfiguredException> =
        serde_json::from_value(list.clone()).map_err(|error| {
            format!(
                "policy `{rule}`: `exceptions` must be a list of {{resourceType, namePattern, \
             reason}}: {error}"
            )
        })?;
    if let Some(empty) = found.iter().find(|e| e.reason.trim().is_empty()) {
        return Err(format!(
            "policy `{rule}`: the exception for {} `{}` has no reason; every waiver needs one",
            empty.resource_type, empty.name_pattern
        ));
    }
    Ok(found)
}

/// What the rules need from the stack config the engine passes (`ConfigureStack`): the region
/// (`aws:region`, default us-east-1) and, for the payment platform, its allowed ingress CIDRs.
pub fn settings_from_stack_config(config: &HashMap<String, String>) -> Settings {
    let mut settings = Settings::default();
    if let Some(region) = config.get("aws:region") {
        settings.region = region.clone();
    }
    settings.allowed_ingress_cidrs = config
        .iter()
        .find(|(key, _)| key.ends_with(":allowedIngressCidrs"))
        .and_then(|(_, value)| serde_json::from_str(value).ok());
    settings.organization_evidence = organization_evidence(config);
    settings
}

/// The evidence of organization-provided account controls in the stack config
/// (`accountControls: organization` with `organizationTrailArn` and `securityAdminAccountId`),
/// worded as the platform words it ([`payments_compliance::organization_evidence_text`]).
fn organization_evidence(config: &HashMap<String, String>) -> Option<String> {
    let value = |suffix: &str| {
        config
            .iter()
            .find(|(key, _)| key.ends_with(suffix))
            .map(|(_, value)| value.trim_matches('"').to_owned())
    };
    (value(":accountControls")? == "organization").then(|| {
        payments_compliance::organization_evidence_text(
            &value(":organizationTrailArn").unwrap_or_default(),
            &value(":securityAdminAccountId").unwrap_or_default(),
        )
    })
}

/// The stack as the pack's plan: each resource with its properties as inputs. Custom resources
/// are those with a provider (the engine gives every custom resource one) and providers themselves.
pub fn plan_of(resources: &[AnalyzerResource], project: &str, stack: &str, dry_run: bool) -> Plan {
    let resources = resources
        .iter()
        .map(|resource| PlanResource {
            urn: resource.urn.clone(),
            ty: resource.r#type.clone(),
            name: resource.name.clone(),
            custom: resource.provider.is_some() || resource.r#type.starts_with("pulumi:providers:"),
            parent: resource.parent.clone(),
            provider: resource
                .provider
                .as_ref()
                .map(|p| p.urn.clone())
                .unwrap_or_default(),
            version: String::new(),
            inputs: resource
                .properties
                .as_ref()
                .map(wire::from_struct)
                .unwrap_or_default(),
            dependencies: resource.dependencies.clone(),
            property_dependencies: resource
                .property_dependencies
                .iter()
                .map(|(key, deps)| (key.clone(), deps.urns.clone()))
                .collect::<BTreeMap<_, _>>(),
            options: PlanOptions::default(),
            outputs: None,
        })
        .collect();
    Plan {
        project: project.to_owned(),
        stack: stack.to_owned(),
        dry_run,
        resources,
        ..Plan::default()
    }
}

/// Judges the stack: a diagnostic per violation at the rule's level; an ADVISORY one per waived
/// finding (naming the exception's reason) and per check that cannot be decided yet.
pub fn analyze_stack(plan: &Plan, settings: &Settings, config: &PackConfig) -> AnalyzeResponse {
    let exceptions = config.exceptions();
    let report = evaluate_selected(plan, settings, &exceptions, |rule| {
        config.level(rule) != Level::Disabled
    });
    let rule_of = |id: &str| RULES.iter().find(|rule| rule.id == id);
    let diagnostic = |rule: &Rule, urn: &str, message: String, level: Level| AnalyzeDiagnostic {
        policy_name: rule.id.to_owned(),
        policy_pack_name: PACK_NAME.to_owned(),
        policy_pack_version: PACK_VERSION.to_owned(),
        description: rule.checks.to_owned(),
        message,
        enforcement_level: level.wire(),
        urn: urn.to_owned(),
        severity: policy_info(rule).severity,
    };
    let mut diagnostics = Vec::new();
    for finding in &report.violations {
        if let Some(rule) = rule_of(&finding.rule) {
            diagnostics.push(diagnostic(
                rule,
                &finding.urn,
                finding.message.clone(),
                config.level(rule),
            ));
        }
    }
    for waived in &report.waived {
        if let Some(rule) = rule_of(&waived.finding.rule) {
            let message = format!(
                "waived: {} Exception: {}",
                waived.finding.message, waived.reason
            );
            diagnostics.push(diagnostic(
                rule,
                &waived.finding.urn,
                message,
                Level::Advisory,
            ));
        }
    }
    let later = if plan.dry_run {
        " It is decided when the values are known (the analysis after `pulumi up`)."
    } else {
        ""
    };
    for finding in &report.undecided {
        if let Some(rule) = rule_of(&finding.rule) {
            let message = format!("{}{later}", finding.message);
            diagnostics.push(diagnostic(rule, &finding.urn, message, Level::Advisory));
        }
    }
    AnalyzeResponse {
        diagnostics,
        not_applicable: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{AnalyzerProviderResource, ConfigureAnalyzerRequest, PolicyConfig};

    fn bucket_stack() -> Vec<AnalyzerResource> {
        let provider = AnalyzerProviderResource {
            r#type: "pulumi:providers:aws".to_owned(),
            urn: "urn:pulumi:dev::team::pulumi:providers:aws::aws".to_owned(),
        };
        let properties = json!({"bucket": "bucket-team-dev-t1", "forceDestroy": true,
                                "tags": {"Environment": "dev"}});
        vec![AnalyzerResource {
            r#type: "aws:s3/bucket:Bucket".to_owned(),
            properties: properties.as_object().map(wire::to_struct),
            urn: "urn:pulumi:dev::team::aws:s3/bucket:Bucket::assets".to_owned(),
            name: "assets".to_owned(),
            provider: Some(provider),
            parent: "urn:pulumi:dev::team::pulumi:pulumi:Stack::team-dev".to_owned(),
            ..AnalyzerResource::default()
        }]
    }

    fn config(entries: &[(&str, i32, Value)]) -> Result<PackConfig, String> {
        let policy_config = entries
            .iter()
            .map(|(name, level, properties)| {
                let entry = PolicyConfig {
                    enforcement_level: *level,
                    properties: properties.as_object().map(wire::to_struct),
                };
                ((*name).to_owned(), entry)
            })
            .collect();
        configure(&ConfigureAnalyzerRequest { policy_config })
    }

    fn levels_of(response: &AnalyzeResponse, rule: &str) -> Vec<i32> {
        response
            .diagnostics
            .iter()
            .filter(|d| d.policy_name == rule)
            .map(|d| d.enforcement_level)
            .collect()
    }

    #[test]
    fn every_rule_is_a_stack_policy_at_its_severity() {
        let info = analyzer_info();
        assert_eq!(info.policies.len(), RULES.len());
        assert!(info.supports_config);
        for (policy, rule) in info.policies.iter().zip(RULES) {
            assert_eq!(policy.name, rule.id);
            assert_eq!(policy.policy_type, proto::POLICY_TYPE_STACK);
            assert_eq!(policy.enforcement_level, Level::of(rule.severity).wire());
        }
    }

    #[test]
    fn a_custom_resource_is_one_with_a_provider() {
        let plan = plan_of(&bucket_stack(), "team", "dev", true);
        assert!(plan.resources[0].custom);
        assert_eq!(
            plan.resources[0].inputs["bucket"],
            json!("bucket-team-dev-t1")
        );
    }

    #[test]
    fn violations_take_the_configured_level_and_disabled_rules_do_not_run() {
        let plan = plan_of(&bucket_stack(), "team", "dev", false);
        let settings = Settings::default();
        let default = analyze_stack(&plan, &settings, &PackConfig::default());
        assert_eq!(
            levels_of(&default, "s3-versioning"),
            vec![enforcement::MANDATORY]
        );
        let advisory =
            config(&[("s3-versioning", enforcement::ADVISORY, json!({}))]).expect("valid");
        let relaxed = analyze_stack(&plan, &settings, &advisory);
        assert_eq!(
            levels_of(&relaxed, "s3-versioning"),
            vec![enforcement::ADVISORY]
        );
        let disabled =
            config(&[("s3-versioning", enforcement::DISABLED, json!({}))]).expect("valid");
        let off = analyze_stack(&plan, &settings, &disabled);
        assert!(levels_of(&off, "s3-versioning").is_empty());
        assert!(
            off.diagnostics
                .iter()
                .all(|d| d.enforcement_level != enforcement::DISABLED)
        );
    }

    #[test]
    fn a_configured_exception_waives_with_its_reason_visible() {
        let plan = plan_of(&bucket_stack(), "team", "dev", false);
        let exceptions = json!({"exceptions": [{"resourceType": "aws:s3/bucket:Bucket",
            "namePattern": "bucket-team-*", "reason": "immutable artefacts, replaced not edited"}]});
        let waiving =
            config(&[("s3-versioning", enforcement::MANDATORY, exceptions)]).expect("valid");
        let response = analyze_stack(&plan, &Settings::default(), &waiving);
        let waived: Vec<&AnalyzeDiagnostic> = response
            .diagnostics
            .iter()
            .filter(|d| d.policy_name == "s3-versioning")
            .collect();
        assert_eq!(waived.len(), 1);
        assert_eq!(waived[0].enforcement_level, enforcement::ADVISORY);
        assert!(waived[0].message.starts_with("waived: "));
        assert!(
            waived[0]
                .message
                .contains("immutable artefacts, replaced not edited")
        );
    }

    #[test]
    fn bad_config_is_refused_naming_the_rule_and_the_fix() {
        let typo =
            config(&[("s3-versioningg", enforcement::ADVISORY, json!({}))]).expect_err("refused");
        assert!(
            typo.contains("`s3-versioningg`") && typo.contains("did you mean `s3-versioning`?"),
            "{typo}"
        );
        let remediate = config(&[("s3-versioning", 3, json!({}))]).expect_err("refused");
        assert!(
            remediate.contains("use advisory, mandatory or disabled"),
            "{remediate}"
        );
        let no_reason =
            json!({"exceptions": [{"resourceType": "t", "namePattern": "*", "reason": " "}]});
        let reasonless =
            config(&[("s3-versioning", enforcement::MANDATORY, no_reason)]).expect_err("refused");
        assert!(reasonless.contains("needs one"), "{reasonless}");
        let unknown = config(&[(
            "s3-versioning",
            enforcement::MANDATORY,
            json!({"waivers": []}),
        )])
        .expect_err("refused");
        assert!(
            unknown.contains("unknown config property `waivers`"),
            "{unknown}"
        );
    }

    #[test]
    fn an_undecided_check_says_when_it_is_decided_only_in_a_preview() {
        let mut stack = bucket_stack();
        let unknown = json!({"bucket": wire::UNKNOWN, "forceDestroy": true});
        stack[0].properties = unknown.as_object().map(wire::to_struct);
        let preview = analyze_stack(
            &plan_of(&stack, "team", "dev", true),
            &Settings::default(),
            &PackConfig::default(),
        );
        let update = analyze_stack(
            &plan_of(&stack, "team", "dev", false),
            &Settings::default(),
            &PackConfig::default(),
        );
        let later = |response: &AnalyzeResponse| {
            response
                .diagnostics
                .iter()
                .any(|d| d.message.contains("after `pulumi up`"))
        };
        assert!(later(&preview));
        assert!(!later(&update));
    }

    #[test]
    fn organization_mode_in_the_stack_config_gives_the_evidence() {
        let mut config = HashMap::from([(
            "payments-platform:allowedIngressCidrs".to_owned(),
            "[\"198.51.100.0/24\"]".to_owned(),
        )]);
        assert_eq!(
            settings_from_stack_config(&config).organization_evidence,
            None
        );
        config.insert(
            "payments-platform:accountControls".to_owned(),
            "organization".to_owned(),
        );
        config.insert(
            "payments-platform:organizationTrailArn".to_owned(),
            "arn:aws:cloudtrail:us-east-1:111122223333:trail/org".to_owned(),
        );
        config.insert(
            "payments-platform:securityAdminAccountId".to_owned(),
            "\"444455556666\"".to_owned(),
        );
        let evidence = settings_from_stack_config(&config)
            .organization_evidence
            .expect("evidence");
        assert_eq!(
            evidence,
            payments_compliance::organization_evidence_text(
                "arn:aws:cloudtrail:us-east-1:111122223333:trail/org",
                "444455556666"
            ),
            "the same wording as the platform's (AccountControls::describe)"
        );
    }
}
