//! Schema conformance: checks a recorded [`Plan`] against the input schemas of the pinned
//! providers, pulumi-aws [`AWS_VERSION`] and pulumi-tls [`TLS_VERSION`].
//!
//! The schemas come from the index fixtures in `crates/aws/schema/`, written by
//! `tools/schema/build_index.py` (see `tools/schema/README.md` for their format). [`check_plan`]
//! reports every AWS or TLS registration and invoke whose version, type token, property names,
//! value shapes or required properties disagree with them.
//!
//! Values are read in wire form: a secret envelope is checked by its inner value, and the unknown
//! sentinel of a preview fits any shape. A `null` counts as an absent property. Provider resources
//! (`pulumi:providers:<pkg>`) carry every non-string top-level input as a JSON-encoded string, as
//! the official SDKs send them; such strings are decoded before they are checked.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use pulumi_runtime::Plan;
use pulumi_runtime::plan::{PlanInvoke, PlanResource};
use pulumi_runtime::wire;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The pinned pulumi-aws version: sent on every AWS registration.
pub const AWS_VERSION: &str = "7.51.1";
/// The pinned pulumi-tls version: sent on every TLS registration.
pub const TLS_VERSION: &str = "5.6.2";

const AWS_FIXTURE: &str = include_str!("../schema/pulumi-aws-7.51.1.json");
const TLS_FIXTURE: &str = include_str!("../schema/pulumi-tls-5.6.2.json");

/// Type token prefix of provider resources.
const PROVIDER_PREFIX: &str = "pulumi:providers:";

/// A provider package with a pinned version and a committed schema index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Package {
    /// pulumi-aws.
    Aws,
    /// pulumi-tls.
    Tls,
}

impl Package {
    /// The package name, as in `pulumi:providers:<name>` and the tokens' first part.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Tls => "tls",
        }
    }

    /// The pinned version.
    pub const fn version(self) -> &'static str {
        match self {
            Self::Aws => AWS_VERSION,
            Self::Tls => TLS_VERSION,
        }
    }

    /// The index fixture's path in the repository and its committed text.
    const fn fixture(self) -> (&'static str, &'static str) {
        match self {
            Self::Aws => ("crates/aws/schema/pulumi-aws-7.51.1.json", AWS_FIXTURE),
            Self::Tls => ("crates/aws/schema/pulumi-tls-5.6.2.json", TLS_FIXTURE),
        }
    }

    /// The package of a function token (`aws:...`, `tls:...`), if it is one of ours.
    fn of_token(token: &str) -> Option<Self> {
        match token.split_once(':') {
            Some(("aws", _)) => Some(Self::Aws),
            Some(("tls", _)) => Some(Self::Tls),
            _ => None,
        }
    }

    /// The package of a resource type: a package token or `pulumi:providers:<name>`.
    fn of_resource_type(ty: &str) -> Option<Self> {
        match ty.strip_prefix(PROVIDER_PREFIX) {
            Some("aws") => Some(Self::Aws),
            Some("tls") => Some(Self::Tls),
            Some(_) => None,
            None => Self::of_token(ty),
        }
    }
}

/// The shape of a property value, as the index describes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeRef {
    /// A string (enums included).
    String,
    /// A JSON integer.
    Integer,
    /// Any JSON number.
    Number,
    /// A boolean.
    Boolean,
    /// Any value.
    Any,
    /// An asset (an object on the wire).
    Asset,
    /// An archive (an object on the wire).
    Archive,
    /// A list.
    Array {
        /// The shape of every item.
        items: Box<TypeRef>,
    },
    /// A map with string keys.
    Map {
        /// The shape of every value.
        values: Box<TypeRef>,
    },
    /// An object of a named type.
    Object {
        /// The type key in [`PackageIndex::types`], e.g. `ec2/LaunchTemplateMetadataOptionsArgs`.
        #[serde(rename = "ref")]
        reference: String,
    },
}

/// One input property.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Property {
    /// Whether the property must be present.
    pub required: bool,
    /// Its shape.
    #[serde(rename = "type")]
    pub ty: TypeRef,
}

/// The inputs of one resource or function, by wire name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Signature {
    /// Input properties by wire (camelCase) name.
    pub inputs: BTreeMap<String, Property>,
}

/// A nested object type.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ObjectType {
    /// Properties by wire (camelCase) name.
    pub properties: BTreeMap<String, Property>,
}

/// One package's schema index, as `tools/schema/build_index.py` writes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageIndex {
    /// Package name (`aws`, `tls`).
    pub package: String,
    /// Package version.
    pub version: String,
    /// Every resource and function token the package defines.
    pub all_tokens: BTreeSet<String>,
    /// The indexed resources (those listed in `crates/aws/schema/tokens.txt`).
    pub resources: BTreeMap<String, Signature>,
    /// The indexed functions.
    pub functions: BTreeMap<String, Signature>,
    /// Every nested object type the indexed tokens reach, by type key.
    pub types: BTreeMap<String, ObjectType>,
}

/// The schema indexes of both pinned packages, each parsed from its committed fixture (or the
/// reason it could not be).
#[derive(Clone, Debug)]
pub struct SchemaIndex {
    aws: Result<PackageIndex, String>,
    tls: Result<PackageIndex, String>,
}

impl SchemaIndex {
    /// Parses the committed fixtures.
    fn load() -> Self {
        Self {
            aws: load_package(Package::Aws, Package::Aws.fixture().1),
            tls: load_package(Package::Tls, Package::Tls.fixture().1),
        }
    }

    /// The index of `package`, or why its fixture could not be loaded.
    pub fn package(&self, package: Package) -> Result<&PackageIndex, &str> {
        let loaded = match package {
            Package::Aws => &self.aws,
            Package::Tls => &self.tls,
        };
        loaded.as_ref().map_err(String::as_str)
    }

    /// One violation per fixture that could not be loaded.
    fn load_errors(&self) -> Vec<SchemaViolation> {
        [Package::Aws, Package::Tls]
            .into_iter()
            .filter_map(|package| {
                let error = self.package(package).err()?;
                Some(SchemaViolation::new(
                    package.fixture().0,
                    "",
                    error.to_owned(),
                ))
            })
            .collect()
    }
}

/// Parses one fixture and checks that it is the pinned package and version.
fn load_package(package: Package, text: &str) -> Result<PackageIndex, String> {
    let index: PackageIndex =
        serde_json::from_str(text).map_err(|error| format!("cannot parse the index: {error}"))?;
    if index.package != package.name() || index.version != package.version() {
        return Err(format!(
            "the index is {} {}, not the pinned {} {}",
            index.package,
            index.version,
            package.name(),
            package.version()
        ));
    }
    Ok(index)
}

/// The schema index, parsed once from the committed fixtures.
pub fn index() -> &'static SchemaIndex {
    static INDEX: OnceLock<SchemaIndex> = OnceLock::new();
    INDEX.get_or_init(SchemaIndex::load)
}

/// One disagreement between a plan and the schema.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaViolation {
    /// The resource URN, the function token, or the fixture path for an index that did not load.
    pub urn_or_token: String,
    /// The property path (`tags[0].propagateAtLaunch`, `tags["Name"]`); empty for the resource
    /// or invoke as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl SchemaViolation {
    fn new(urn_or_token: &str, path: &str, message: String) -> Self {
        Self {
            urn_or_token: urn_or_token.to_owned(),
            path: path.to_owned(),
            message,
        }
    }
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.urn_or_token, self.message)
        } else {
            write!(f, "{} {}: {}", self.urn_or_token, self.path, self.message)
        }
    }
}

/// Checks every AWS and TLS custom resource and invoke of `plan` against the pinned schemas.
/// Components, the stack and other packages are skipped. The result is sorted by subject, path
/// and message; it is empty when the plan conforms.
pub fn check_plan(plan: &Plan) -> Vec<SchemaViolation> {
    check_plan_with(index(), plan)
}

fn check_plan_with(index: &SchemaIndex, plan: &Plan) -> Vec<SchemaViolation> {
    let mut found = index.load_errors();
    for resource in plan.resources.iter().filter(|r| r.custom) {
        if let Some(package) = Package::of_resource_type(&resource.ty)
            && let Ok(schema) = index.package(package)
        {
            check_resource(schema, package, resource, &mut found);
        }
    }
    for invoke in &plan.invokes {
        if let Some(package) = Package::of_token(&invoke.token)
            && let Ok(schema) = index.package(package)
        {
            check_invoke(schema, invoke, &mut found);
        }
    }
    found.sort();
    found
}

fn check_resource(
    schema: &PackageIndex,
    package: Package,
    resource: &PlanResource,
    found: &mut Vec<SchemaViolation>,
) {
    if resource.version != package.version() {
        found.push(SchemaViolation::new(
            &resource.urn,
            "",
            format!(
                "version {:?} is not the pinned {} {}",
                resource.version,
                package.name(),
                package.version()
            ),
        ));
    }
    check_inputs_with(schema, &resource.urn, &resource.ty, &resource.inputs, found);
}

fn check_inputs_with(
    schema: &PackageIndex,
    subject: &str,
    ty: &str,
    inputs: &Map<String, Value>,
    found: &mut Vec<SchemaViolation>,
) {
    let mut checker = Checker::new(schema, subject, found);
    let Some(signature) = checker.signature(&schema.resources, ty, "resource") else {
        return;
    };
    let encoding = if ty.starts_with(PROVIDER_PREFIX) {
        Encoding::JsonStrings
    } else {
        Encoding::Plain
    };
    checker.check_properties(ty, &signature.inputs, inputs, "", encoding);
}

fn check_invoke(schema: &PackageIndex, invoke: &PlanInvoke, found: &mut Vec<SchemaViolation>) {
    check_args_with(schema, &invoke.token, &invoke.args, found);
}

fn check_args_with(
    schema: &PackageIndex,
    token: &str,
    args: &Map<String, Value>,
    found: &mut Vec<SchemaViolation>,
) {
    let mut checker = Checker::new(schema, token, found);
    if let Some(signature) = checker.signature(&schema.functions, token, "function") {
        checker.check_properties(token, &signature.inputs, args, "", Encoding::Plain);
    }
}

/// Checks the inputs (wire form) of one resource of type `ty` against its package's schema, as a
/// provider's `Check` does; `subject` names the resource in the violations (its URN). A type of
/// neither pinned package is one violation.
pub fn check_resource_inputs(
    subject: &str,
    ty: &str,
    inputs: &Map<String, Value>,
) -> Vec<SchemaViolation> {
    let mut found = Vec::new();
    match Package::of_resource_type(ty).map(|package| index().package(package)) {
        Some(Ok(schema)) => check_inputs_with(schema, subject, ty, inputs, &mut found),
        Some(Err(error)) => found.push(SchemaViolation::new(subject, "", error.to_owned())),
        None => found.push(SchemaViolation::new(
            subject,
            "",
            format!("{ty} belongs to neither pinned package"),
        )),
    }
    found
}

/// Checks the arguments of one call of the function `token` against its package's schema.
pub fn check_function_args(token: &str, args: &Map<String, Value>) -> Vec<SchemaViolation> {
    let mut found = Vec::new();
    match Package::of_token(token).map(|package| index().package(package)) {
        Some(Ok(schema)) => check_args_with(schema, token, args, &mut found),
        Some(Err(error)) => found.push(SchemaViolation::new(token, "", error.to_owned())),
        None => found.push(SchemaViolation::new(
            token,
            "",
            format!("{token} belongs to neither pinned package"),
        )),
    }
    found
}

/// How top-level input values are carried.
#[derive(Clone, Copy)]
enum Encoding {
    /// As they are.
    Plain,
    /// Every value whose schema is neither a string nor `any` may be a JSON-encoded string
    /// (provider resources).
    JsonStrings,
}

impl Encoding {
    /// The value to check for a property of shape `ty`, or why it cannot be decoded.
    fn decode<'v>(self, ty: &TypeRef, value: &'v Value) -> Result<Cow<'v, Value>, String> {
        let inner = unwrap_secret(value);
        let encoded = match (self, inner) {
            (Self::JsonStrings, Value::String(text)) if text != wire::UNKNOWN => text,
            _ => return Ok(Cow::Borrowed(value)),
        };
        if matches!(ty, TypeRef::String | TypeRef::Any) {
            return Ok(Cow::Borrowed(value));
        }
        serde_json::from_str(encoded)
            .map(Cow::Owned)
            .map_err(|error| {
                format!(
                    "expected {} as a JSON-encoded string, which does not parse: {error}",
                    describe_type(ty)
                )
            })
    }
}

/// Walks values against one package's schema and collects violations for one subject.
struct Checker<'a> {
    schema: &'a PackageIndex,
    subject: &'a str,
    found: &'a mut Vec<SchemaViolation>,
}

impl<'a> Checker<'a> {
    fn new(
        schema: &'a PackageIndex,
        subject: &'a str,
        found: &'a mut Vec<SchemaViolation>,
    ) -> Self {
        Self {
            schema,
            subject,
            found,
        }
    }

    fn report(&mut self, path: &str, message: String) {
        self.found
            .push(SchemaViolation::new(self.subject, path, message));
    }

    /// The indexed signature of `token`, or a report of why there is none.
    fn signature(
        &mut self,
        indexed: &'a BTreeMap<String, Signature>,
        token: &str,
        what: &str,
    ) -> Option<&'a Signature> {
        if let Some(signature) = indexed.get(token) {
            return Some(signature);
        }
        let message = if self.schema.all_tokens.contains(token) {
            format!(
                "{what} {token} is not indexed: add it to crates/aws/schema/tokens.txt and \
                 regenerate with `python3 tools/schema/build_index.py`"
            )
        } else {
            format!(
                "unknown {what} token {token} in {} {}",
                self.schema.package, self.schema.version
            )
        };
        self.report("", message);
        None
    }

    /// Checks the properties of `object` against `properties` of the type or token `owner`.
    fn check_properties(
        &mut self,
        owner: &str,
        properties: &BTreeMap<String, Property>,
        object: &Map<String, Value>,
        path: &str,
        encoding: Encoding,
    ) {
        for (key, value) in object {
            let at = property_path(path, key);
            let Some(property) = properties.get(key) else {
                self.report(&at, format!("not an input of {owner}"));
                continue;
            };
            match encoding.decode(&property.ty, value) {
                Ok(decoded) => self.check_value(&property.ty, &decoded, &at),
                Err(message) => self.report(&at, message),
            }
        }
        for (key, property) in properties {
            if property.required && is_absent(object.get(key)) {
                self.report(
                    &property_path(path, key),
                    format!("required by {owner} but missing"),
                );
            }
        }
    }

    /// Checks one value against its shape.
    fn check_value(&mut self, ty: &TypeRef, value: &Value, path: &str) {
        let secret = value.get(wire::SIG_KEY).is_some();
        let value = unwrap_secret(value);
        // A recorded plan replaces secret contents with a placeholder: its shape is not known.
        let redacted = secret && value.as_str() == Some(wire::REDACTED);
        if redacted || value.is_null() || value.as_str() == Some(wire::UNKNOWN) {
            return;
        }
        match (ty, value) {
            (TypeRef::Array { items }, Value::Array(list)) => {
                for (position, item) in list.iter().enumerate() {
                    self.check_value(items, item, &format!("{path}[{position}]"));
                }
            }
            (TypeRef::Map { values }, Value::Object(map)) => {
                for (key, item) in map {
                    self.check_value(values, item, &map_path(path, key));
                }
            }
            (TypeRef::Object { reference }, Value::Object(map)) => {
                self.check_object(reference, map, path);
            }
            _ if fits_scalar(ty, value) => {}
            _ => self.report(
                path,
                format!(
                    "expected {}, found {}",
                    describe_type(ty),
                    describe_value(value)
                ),
            ),
        }
    }

    /// Checks an object against the nested type `reference`.
    fn check_object(&mut self, reference: &str, map: &Map<String, Value>, path: &str) {
        let schema = self.schema;
        match schema.types.get(reference) {
            Some(object_type) => {
                self.check_properties(
                    reference,
                    &object_type.properties,
                    map,
                    path,
                    Encoding::Plain,
                );
            }
            None => self.report(path, format!("type {reference} is missing from the index")),
        }
    }
}

/// Whether `value` has the non-container shape `ty` (containers are walked by the checker).
fn fits_scalar(ty: &TypeRef, value: &Value) -> bool {
    match ty {
        TypeRef::String => value.is_string(),
        TypeRef::Integer => value.is_i64() || value.is_u64(),
        TypeRef::Number => value.is_number(),
        TypeRef::Boolean => value.is_boolean(),
        TypeRef::Any => true,
        TypeRef::Asset | TypeRef::Archive => value.is_object(),
        TypeRef::Array { .. } | TypeRef::Map { .. } | TypeRef::Object { .. } => false,
    }
}

/// The value inside any secret envelopes around `value`.
fn unwrap_secret(mut value: &Value) -> &Value {
    while let Some(map) = value.as_object()
        && map.get(wire::SIG_KEY).and_then(Value::as_str) == Some(wire::SECRET_SIG)
    {
        value = map.get("value").unwrap_or(&Value::Null);
    }
    value
}

/// Whether a property counts as not set: missing, or `null` (possibly inside a secret).
fn is_absent(value: Option<&Value>) -> bool {
    value.is_none_or(|value| unwrap_secret(value).is_null())
}

fn property_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn map_path(parent: &str, key: &str) -> String {
    format!("{parent}[{}]", Value::String(key.to_owned()))
}

fn describe_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "a string".to_owned(),
        TypeRef::Integer => "an integer".to_owned(),
        TypeRef::Number => "a number".to_owned(),
        TypeRef::Boolean => "a boolean".to_owned(),
        TypeRef::Any => "any value".to_owned(),
        TypeRef::Asset => "an asset".to_owned(),
        TypeRef::Archive => "an archive".to_owned(),
        TypeRef::Array { items } => format!("a list of {}", describe_type(items)),
        TypeRef::Map { values } => format!("a map of {}", describe_type(values)),
        TypeRef::Object { reference } => format!("an object ({reference})"),
    }
}

fn describe_value(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ASG: &str = "aws:autoscaling/group:Group";
    const LAUNCH_TEMPLATE: &str = "aws:ec2/launchTemplate:LaunchTemplate";

    fn urn(ty: &str, name: &str) -> String {
        format!("urn:pulumi:dev::payments::{ty}::{name}")
    }

    fn resource(ty: &str, version: &str, inputs: Value) -> PlanResource {
        PlanResource {
            urn: urn(ty, "r"),
            ty: ty.to_owned(),
            name: "r".to_owned(),
            custom: true,
            version: version.to_owned(),
            inputs: inputs.as_object().cloned().expect("inputs are an object"),
            ..PlanResource::default()
        }
    }

    fn aws(ty: &str, inputs: Value) -> PlanResource {
        resource(ty, AWS_VERSION, inputs)
    }

    fn plan(resources: Vec<PlanResource>) -> Plan {
        Plan {
            resources,
            ..Plan::default()
        }
    }

    fn secret(value: Value) -> Value {
        wire::secret_envelope(value)
    }

    /// The (path, message) pairs reported for a single-subject plan.
    fn paths_and_messages(plan: &Plan) -> Vec<(String, String)> {
        check_plan(plan)
            .into_iter()
            .map(|v| (v.path, v.message))
            .collect()
    }

    fn asg(inputs: Value) -> Plan {
        plan(vec![aws(ASG, inputs)])
    }

    #[test]
    fn committed_fixtures_load_as_the_pinned_versions() {
        let index = index();
        let aws = index.package(Package::Aws).expect("aws index loads");
        let tls = index.package(Package::Tls).expect("tls index loads");
        assert_eq!(
            (aws.package.as_str(), aws.version.as_str()),
            ("aws", AWS_VERSION)
        );
        assert_eq!(
            (tls.package.as_str(), tls.version.as_str()),
            ("tls", TLS_VERSION)
        );
    }

    #[test]
    fn correct_vpc_passes() {
        let vpc = aws(
            "aws:ec2/vpc:Vpc",
            json!({"cidrBlock": "10.0.0.0/16", "enableDnsHostnames": true,
                   "tags": {"Name": "vpc-dev", "Environment": "dev"}}),
        );
        assert_eq!(check_plan(&plan(vec![vpc])), vec![]);
    }

    #[test]
    fn unknown_type_token_is_reported() {
        let found = check_plan(&plan(vec![aws("aws:ec2/vpcc:Vpcc", json!({}))]));
        assert_eq!(
            found,
            vec![SchemaViolation::new(
                &urn("aws:ec2/vpcc:Vpcc", "r"),
                "",
                "unknown resource token aws:ec2/vpcc:Vpcc in aws 7.51.1".to_owned()
            )]
        );
    }

    #[test]
    fn defined_but_unindexed_token_points_to_tokens_txt() {
        let found = paths_and_messages(&plan(vec![aws("aws:ec2/instance:Instance", json!({}))]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "");
        assert!(
            found[0]
                .1
                .contains("add it to crates/aws/schema/tokens.txt")
                && found[0].1.contains("python3 tools/schema/build_index.py"),
            "{found:?}"
        );
    }

    #[test]
    fn unknown_nested_property_is_reported_with_its_path() {
        let template = aws(
            LAUNCH_TEMPLATE,
            json!({"metadataOptions": {"httpEndpoint": "enabled", "httpTokenz": "required"}}),
        );
        assert_eq!(
            paths_and_messages(&plan(vec![template])),
            vec![(
                "metadataOptions.httpTokenz".to_owned(),
                "not an input of ec2/LaunchTemplateMetadataOptionsArgs".to_owned()
            )]
        );
    }

    #[test]
    fn map_given_for_a_list_of_objects_is_a_shape_violation() {
        let found = paths_and_messages(&asg(
            json!({"minSize": 2, "maxSize": 6, "tags": {"Name": "web"}}),
        ));
        assert_eq!(
            found,
            vec![(
                "tags".to_owned(),
                "expected a list of an object (autoscaling/GroupTagArgs), found an object"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn boolean_given_for_a_string_flag_is_a_shape_violation() {
        let template = aws(
            LAUNCH_TEMPLATE,
            json!({"blockDeviceMappings": [
                {"deviceName": "/dev/xvda", "ebs": {"encrypted": true, "volumeSize": 20}}
            ]}),
        );
        assert_eq!(
            paths_and_messages(&plan(vec![template])),
            vec![(
                "blockDeviceMappings[0].ebs.encrypted".to_owned(),
                "expected a string, found a boolean".to_owned()
            )]
        );
    }

    #[test]
    fn fractional_number_for_an_integer_is_a_shape_violation() {
        let found = paths_and_messages(&asg(json!({"minSize": 2, "maxSize": 6.5})));
        assert_eq!(
            found,
            vec![(
                "maxSize".to_owned(),
                "expected an integer, found a number".to_owned()
            )]
        );
    }

    #[test]
    fn missing_required_property_is_reported() {
        assert_eq!(
            paths_and_messages(&asg(json!({"minSize": 2}))),
            vec![(
                "maxSize".to_owned(),
                "required by aws:autoscaling/group:Group but missing".to_owned()
            )]
        );
    }

    #[test]
    fn null_does_not_satisfy_a_required_property() {
        let found = paths_and_messages(&asg(json!({"minSize": 2, "maxSize": null})));
        assert_eq!(
            found,
            vec![(
                "maxSize".to_owned(),
                "required by aws:autoscaling/group:Group but missing".to_owned()
            )]
        );
    }

    #[test]
    fn missing_required_nested_property_is_reported() {
        let found = paths_and_messages(&asg(json!({
            "minSize": 2, "maxSize": 6,
            "tags": [
                {"key": "Name", "value": "web", "propagateAtLaunch": true},
                {"key": "Tier", "value": "app"}
            ]
        })));
        assert_eq!(
            found,
            vec![(
                "tags[1].propagateAtLaunch".to_owned(),
                "required by autoscaling/GroupTagArgs but missing".to_owned()
            )]
        );
    }

    #[test]
    fn missing_and_wrong_versions_are_reported() {
        let vpc = resource("aws:ec2/vpc:Vpc", "", json!({}));
        let key = resource(
            "tls:index/privateKey:PrivateKey",
            AWS_VERSION,
            json!({"algorithm": "RSA"}),
        );
        let found: Vec<String> = check_plan(&plan(vec![vpc, key]))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            vec![
                format!(
                    "{}: version \"\" is not the pinned aws 7.51.1",
                    urn("aws:ec2/vpc:Vpc", "r")
                ),
                format!(
                    "{}: version \"7.51.1\" is not the pinned tls 5.6.2",
                    urn("tls:index/privateKey:PrivateKey", "r")
                ),
            ]
        );
    }

    #[test]
    fn unknown_sentinel_and_secret_envelope_are_accepted() {
        let group = aws(
            ASG,
            json!({
                "minSize": secret(json!(2)),
                "maxSize": wire::UNKNOWN,
                "vpcZoneIdentifiers": [wire::UNKNOWN, "subnet-1"],
                "tags": [{"key": "Name", "value": secret(json!("web")),
                          "propagateAtLaunch": wire::UNKNOWN}],
                "launchTemplate": wire::UNKNOWN
            }),
        );
        assert_eq!(check_plan(&plan(vec![group])), vec![]);
    }

    #[test]
    fn secret_wrapped_wrong_shape_is_reported() {
        let vpc = aws(
            "aws:ec2/vpc:Vpc",
            json!({"cidrBlock": secret(json!(10)), "tags": secret(json!({"Name": ["x"]}))}),
        );
        assert_eq!(
            paths_and_messages(&plan(vec![vpc])),
            vec![
                (
                    "cidrBlock".to_owned(),
                    "expected a string, found an integer".to_owned()
                ),
                (
                    "tags[\"Name\"]".to_owned(),
                    "expected a string, found a list".to_owned()
                ),
            ]
        );
    }

    fn aws_provider(inputs: Value) -> Plan {
        plan(vec![aws("pulumi:providers:aws", inputs)])
    }

    #[test]
    fn provider_with_json_encoded_default_tags_passes() {
        let provider = aws_provider(json!({
            "region": "us-east-1",
            "defaultTags": "{\"tags\":{\"Environment\":\"dev\"}}",
            "maxRetries": "5",
            "skipMetadataApiCheck": secret(json!("true")),
            "allowedAccountIds": wire::UNKNOWN
        }));
        assert_eq!(check_plan(&provider), vec![]);
    }

    #[test]
    fn provider_with_unknown_key_inside_encoded_value_is_reported() {
        let provider = aws_provider(json!({"defaultTags": "{\"tagz\":{\"Environment\":\"dev\"}}"}));
        assert_eq!(
            paths_and_messages(&provider),
            vec![(
                "defaultTags.tagz".to_owned(),
                "not an input of index/ProviderDefaultTagsArgs".to_owned()
            )]
        );
    }

    #[test]
    fn provider_value_that_is_not_json_is_reported() {
        let found = paths_and_messages(&aws_provider(json!({"insecure": "yes"})));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "insecure");
        assert!(
            found[0]
                .1
                .starts_with("expected a boolean as a JSON-encoded string, which does not parse"),
            "{found:?}"
        );
    }

    #[test]
    fn invoke_with_unknown_argument_is_reported() {
        let token = "aws:index/getAvailabilityZones:getAvailabilityZones";
        let plan = Plan {
            invokes: vec![PlanInvoke {
                token: token.to_owned(),
                args: json!({"state": "available", "zoneType": "availability-zone"})
                    .as_object()
                    .cloned()
                    .expect("args are an object"),
                provider: String::new(),
            }],
            ..Plan::default()
        };
        assert_eq!(
            check_plan(&plan),
            vec![SchemaViolation::new(
                token,
                "zoneType",
                format!("not an input of {token}")
            )]
        );
    }

    #[test]
    fn components_stack_and_other_packages_are_skipped() {
        let mut component = aws("payments:network:Network", json!({"anything": 1}));
        component.custom = false;
        let mut stack = aws("pulumi:pulumi:Stack", json!({}));
        stack.custom = false;
        let random = resource("random:index/randomId:RandomId", "4.0.0", json!({"x": 1}));
        let other_provider = resource("pulumi:providers:random", "", json!({"x": 1}));
        let invoke = PlanInvoke {
            token: "random:index/get:get".to_owned(),
            args: Map::new(),
            provider: String::new(),
        };
        let plan = Plan {
            resources: vec![component, stack, random, other_provider],
            invokes: vec![invoke],
            ..Plan::default()
        };
        assert_eq!(check_plan(&plan), vec![]);
    }

    #[test]
    fn unloadable_fixture_is_reported_not_a_panic() {
        let broken = SchemaIndex {
            aws: load_package(Package::Aws, "{\"package\": "),
            tls: load_package(Package::Tls, TLS_FIXTURE),
        };
        let found = check_plan_with(&broken, &plan(vec![aws("aws:ec2/vpc:Vpc", json!({}))]));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].urn_or_token,
            "crates/aws/schema/pulumi-aws-7.51.1.json"
        );
        assert!(
            found[0].message.starts_with("cannot parse the index"),
            "{found:?}"
        );
    }

    #[test]
    fn fixture_of_another_version_is_rejected() {
        let error = load_package(Package::Tls, AWS_FIXTURE).expect_err("aws fixture is not tls");
        assert_eq!(error, "the index is aws 7.51.1, not the pinned tls 5.6.2");
    }

    #[test]
    fn violations_are_sorted() {
        let second = aws("aws:ec2/vpc:Vpc", json!({"b": 1, "a": 1}));
        let mut first = aws("aws:ec2/vpc:Vpc", json!({"z": 1}));
        first.urn = urn("aws:ec2/vpc:Vpc", "a");
        let found: Vec<(String, String)> = check_plan(&plan(vec![second, first]))
            .into_iter()
            .map(|v| (v.urn_or_token, v.path))
            .collect();
        let vpc_a = urn("aws:ec2/vpc:Vpc", "a");
        let vpc_r = urn("aws:ec2/vpc:Vpc", "r");
        assert_eq!(
            found,
            vec![
                (vpc_a, "z".to_owned()),
                (vpc_r.clone(), "a".to_owned()),
                (vpc_r, "b".to_owned()),
            ]
        );
    }
}
