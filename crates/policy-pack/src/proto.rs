//! The messages of `pulumirpc.Analyzer` (pulumi/pulumi `proto/pulumi/analyzer.proto`) that the
//! pack uses, defined here because the generated protocol crate in use has no analyzer service.
//! Field numbers and types follow the proto file; fields the pack never reads are left out (prost
//! skips unknown fields when decoding), fields it sends are all here.

use std::collections::HashMap;

/// `pulumirpc.EnforcementLevel`.
pub mod enforcement {
    /// Displayed, does not block the deployment.
    pub const ADVISORY: i32 = 0;
    /// Stops the deployment.
    pub const MANDATORY: i32 = 1;
    /// Not run (never sent on a diagnostic: the engine aborts on it).
    pub const DISABLED: i32 = 2;
}

/// `pulumirpc.PolicyType`: every rule of the pack judges the whole stack.
pub const POLICY_TYPE_STACK: i32 = 2;
/// `pulumirpc.PolicySeverity` HIGH, for mandatory rules.
pub const SEVERITY_HIGH: i32 = 3;
/// `pulumirpc.PolicySeverity` MEDIUM, for advisory rules.
pub const SEVERITY_MEDIUM: i32 = 2;

/// `AnalyzerHandshakeRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerHandshakeRequest {
    /// The engine's address.
    #[prost(string, tag = "1")]
    pub engine_address: String,
}

/// `AnalyzerHandshakeResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerHandshakeResponse {}

/// `AnalyzerStackConfigureRequest`: the stack the pack runs for, with its config.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerStackConfigureRequest {
    /// Stack name.
    #[prost(string, tag = "1")]
    pub stack: String,
    /// Project name.
    #[prost(string, tag = "2")]
    pub project: String,
    /// Whether this is a preview.
    #[prost(bool, tag = "4")]
    pub dry_run: bool,
    /// The stack config, `namespace:key` -> value (structured values as JSON text).
    #[prost(map = "string, string", tag = "7")]
    pub config: HashMap<String, String>,
}

/// `AnalyzerStackConfigureResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerStackConfigureResponse {}

/// `AnalyzerPropertyDependencies`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerPropertyDependencies {
    /// The URNs a property depends on.
    #[prost(string, repeated, tag = "1")]
    pub urns: Vec<String>,
}

/// `AnalyzerProviderResource`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerProviderResource {
    /// The provider's type token.
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// Its URN.
    #[prost(string, tag = "3")]
    pub urn: String,
}

/// `AnalyzerResource`: one resource of the stack, with its final properties.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerResource {
    /// Type token.
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// Properties (outputs; unknowns and secrets in their wire forms).
    #[prost(message, optional, tag = "2")]
    pub properties: Option<prost_types::Struct>,
    /// URN.
    #[prost(string, tag = "3")]
    pub urn: String,
    /// Logical name.
    #[prost(string, tag = "4")]
    pub name: String,
    /// The provider, for custom resources.
    #[prost(message, optional, tag = "6")]
    pub provider: Option<AnalyzerProviderResource>,
    /// Parent URN.
    #[prost(string, tag = "7")]
    pub parent: String,
    /// URNs it depends on.
    #[prost(string, repeated, tag = "8")]
    pub dependencies: Vec<String>,
    /// Dependencies per property.
    #[prost(map = "string, message", tag = "9")]
    pub property_dependencies: HashMap<String, AnalyzerPropertyDependencies>,
}

/// `AnalyzeRequest`: one resource before it is created or updated.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzeRequest {
    /// Type token.
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// URN.
    #[prost(string, tag = "3")]
    pub urn: String,
}

/// `AnalyzeStackRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzeStackRequest {
    /// Every resource of the stack.
    #[prost(message, repeated, tag = "1")]
    pub resources: Vec<AnalyzerResource>,
}

/// `AnalyzeDiagnostic`: one finding.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzeDiagnostic {
    /// The rule id.
    #[prost(string, tag = "1")]
    pub policy_name: String,
    /// The pack's name.
    #[prost(string, tag = "2")]
    pub policy_pack_name: String,
    /// The pack's version.
    #[prost(string, tag = "3")]
    pub policy_pack_version: String,
    /// What the rule checks.
    #[prost(string, tag = "4")]
    pub description: String,
    /// The finding: resource, problem, fix.
    #[prost(string, tag = "5")]
    pub message: String,
    /// [`enforcement`] level.
    #[prost(int32, tag = "7")]
    pub enforcement_level: i32,
    /// The resource's URN.
    #[prost(string, tag = "8")]
    pub urn: String,
    /// `PolicySeverity`.
    #[prost(int32, tag = "9")]
    pub severity: i32,
}

/// `PolicyNotApplicable`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PolicyNotApplicable {
    /// The rule id.
    #[prost(string, tag = "1")]
    pub policy_name: String,
    /// Why.
    #[prost(string, tag = "2")]
    pub reason: String,
}

/// `AnalyzeResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzeResponse {
    /// Findings.
    #[prost(message, repeated, tag = "2")]
    pub diagnostics: Vec<AnalyzeDiagnostic>,
    /// Rules that did not apply.
    #[prost(message, repeated, tag = "3")]
    pub not_applicable: Vec<PolicyNotApplicable>,
}

/// `PolicyConfigSchema`: the JSON schema of a rule's config properties.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PolicyConfigSchema {
    /// JSON schema per property.
    #[prost(message, optional, tag = "1")]
    pub properties: Option<prost_types::Struct>,
    /// Required properties.
    #[prost(string, repeated, tag = "2")]
    pub required: Vec<String>,
}

/// `PolicyInfo`: one rule as the engine lists it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PolicyInfo {
    /// Rule id.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Title.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// What it checks.
    #[prost(string, tag = "3")]
    pub description: String,
    /// Default message.
    #[prost(string, tag = "4")]
    pub message: String,
    /// Default [`enforcement`] level.
    #[prost(int32, tag = "5")]
    pub enforcement_level: i32,
    /// Its config schema.
    #[prost(message, optional, tag = "6")]
    pub config_schema: Option<PolicyConfigSchema>,
    /// `PolicyType`.
    #[prost(int32, tag = "7")]
    pub policy_type: i32,
    /// `PolicySeverity`.
    #[prost(int32, tag = "8")]
    pub severity: i32,
}

/// `AnalyzerInfo`: the pack.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnalyzerInfo {
    /// Pack name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Display name.
    #[prost(string, tag = "2")]
    pub display_name: String,
    /// Every rule.
    #[prost(message, repeated, tag = "3")]
    pub policies: Vec<PolicyInfo>,
    /// Pack version.
    #[prost(string, tag = "4")]
    pub version: String,
    /// Whether the pack takes config (`--policy-pack-config`).
    #[prost(bool, tag = "5")]
    pub supports_config: bool,
    /// Description.
    #[prost(string, tag = "7")]
    pub description: String,
}

/// `PolicyConfig`: a rule's config from `--policy-pack-config`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PolicyConfig {
    /// [`enforcement`] level.
    #[prost(int32, tag = "1")]
    pub enforcement_level: i32,
    /// Config properties (`exceptions`).
    #[prost(message, optional, tag = "2")]
    pub properties: Option<prost_types::Struct>,
}

/// `ConfigureAnalyzerRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigureAnalyzerRequest {
    /// Rule id -> config.
    #[prost(map = "string, message", tag = "1")]
    pub policy_config: HashMap<String, PolicyConfig>,
}
