//! A read-only view of a [`Plan`] for the rules: resources by URN and type, property access that
//! keeps *absent*, *unknown* and *secret* apart, the provider of each resource and its default
//! tags, physical names, and reference resolution across resources.
//!
//! # References
//! Inputs carry resolved values (ids, ARNs) after a deployment, and the unknown sentinel in a
//! preview. A reference is therefore resolved through `propertyDependencies` first (the URNs the
//! value came from, recorded for every top-level property in both modes) and only then by
//! comparing the value with the physical names of candidate resources (a literal bucket name or
//! ARN written into the program). [`PlanView::refs`] does both; every rule uses it.

use std::collections::{BTreeMap, HashMap};

use pulumi_runtime::Plan;
use pulumi_runtime::plan::PlanResource;
use pulumi_runtime::wire;
use serde_json::Value;

use crate::Settings;

/// The type token of AWS provider resources.
pub const AWS_PROVIDER: &str = "pulumi:providers:aws";

/// A value that may be absent, unknown until deployment, or known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Got<T> {
    /// The property is not set (or is `null`).
    Absent,
    /// The value is unknown until the engine creates a resource (preview).
    Unknown,
    /// The value is known.
    Known(T),
}

impl<T> Got<T> {
    /// The known value, if any.
    pub fn known(self) -> Option<T> {
        match self {
            Self::Known(value) => Some(value),
            Self::Absent | Self::Unknown => None,
        }
    }

    /// Whether the value is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// Maps the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Got<U> {
        match self {
            Self::Absent => Got::Absent,
            Self::Unknown => Got::Unknown,
            Self::Known(value) => Got::Known(f(value)),
        }
    }
}

/// A value inside a resource's inputs, seen through the protocol's envelopes: secret envelopes
/// (the value is marked secret), output-value envelopes and resource references. Secrecy is
/// sticky: everything below a secret is secret.
#[derive(Clone, Copy, Debug)]
pub struct Val<'a> {
    raw: Option<&'a Value>,
    secret: bool,
    unknown: bool,
}

impl<'a> Val<'a> {
    /// Views `raw` (`None` for an absent property).
    pub fn new(raw: Option<&'a Value>) -> Self {
        Self::open(raw, false)
    }

    fn open(mut raw: Option<&'a Value>, mut secret: bool) -> Self {
        loop {
            match raw {
                None | Some(Value::Null) => {
                    return Self {
                        raw: None,
                        secret,
                        unknown: false,
                    };
                }
                Some(Value::String(text)) if text == wire::UNKNOWN => {
                    return Self {
                        raw: None,
                        secret,
                        unknown: true,
                    };
                }
                Some(Value::Object(map)) => match map.get(wire::SIG_KEY).and_then(Value::as_str) {
                    Some(wire::SECRET_SIG) => {
                        secret = true;
                        raw = map.get("value");
                    }
                    Some(wire::OUTPUT_VALUE_SIG) => {
                        secret |= map.get("secret").and_then(Value::as_bool) == Some(true);
                        match map.get("value") {
                            Some(inner) => raw = Some(inner),
                            None => {
                                return Self {
                                    raw: None,
                                    secret,
                                    unknown: true,
                                };
                            }
                        }
                    }
                    Some(wire::RESOURCE_REF_SIG) => {
                        raw = map
                            .get("id")
                            .filter(|id| id.as_str() != Some(""))
                            .or_else(|| map.get("urn"));
                    }
                    _ => {
                        return Self {
                            raw,
                            secret,
                            unknown: false,
                        };
                    }
                },
                Some(_) => {
                    return Self {
                        raw,
                        secret,
                        unknown: false,
                    };
                }
            }
        }
    }

    /// Whether the value (or anything around it) is secret.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// Whether the value itself is unknown.
    pub fn is_unknown(&self) -> bool {
        self.unknown
    }

    /// Whether the property is absent.
    pub fn is_absent(&self) -> bool {
        self.raw.is_none() && !self.unknown
    }

    /// The member `key` of an object (absent for anything else; unknown below an unknown).
    pub fn get(&self, key: &str) -> Val<'a> {
        if self.unknown {
            return *self;
        }
        match self.raw {
            Some(Value::Object(map)) => Self::open(map.get(key), self.secret),
            _ => Self::open(None, self.secret),
        }
    }

    /// Follows a dotted path of object members (`metadataOptions.httpTokens`).
    pub fn path(&self, path: &str) -> Val<'a> {
        path.split('.')
            .filter(|part| !part.is_empty())
            .fold(*self, |val, key| val.get(key))
    }

    /// The items of a list; a single non-list value counts as a list of one (IAM `Action`).
    pub fn items(&self) -> Got<Vec<Val<'a>>> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            None => Got::Absent,
            Some(Value::Array(items)) => Got::Known(
                items
                    .iter()
                    .map(|item| Self::open(Some(item), self.secret))
                    .collect(),
            ),
            Some(_) => Got::Known(vec![*self]),
        }
    }

    /// The members of an object.
    pub fn entries(&self) -> Got<Vec<(&'a str, Val<'a>)>> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            None => Got::Absent,
            Some(Value::Object(map)) => Got::Known(
                map.iter()
                    .map(|(key, value)| (key.as_str(), Self::open(Some(value), self.secret)))
                    .collect(),
            ),
            Some(_) => Got::Known(Vec::new()),
        }
    }

    /// The value as a string.
    pub fn str(&self) -> Got<&'a str> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            None => Got::Absent,
            Some(Value::String(text)) => Got::Known(text),
            Some(_) => Got::Absent,
        }
    }

    /// The value as a boolean; the strings `"true"` and `"false"` count (the launch template's
    /// `encrypted` and `associatePublicIpAddress` are strings in the schema).
    pub fn bool(&self) -> Got<bool> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            Some(Value::Bool(b)) => Got::Known(*b),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Got::Known(true),
            Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => Got::Known(false),
            _ => Got::Absent,
        }
    }

    /// The value as an integer; integral numbers and numeric strings count.
    pub fn int(&self) -> Got<i64> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| {
                            // Checked integral and well inside i64 just above.
                            #[allow(clippy::cast_possible_truncation)]
                            let i = f as i64;
                            i
                        })
                })
                .map_or(Got::Absent, Got::Known),
            Some(Value::String(text)) => text.trim().parse().map_or(Got::Absent, Got::Known),
            _ => Got::Absent,
        }
    }

    /// The plain value with every envelope stripped; unknown if anything inside is unknown.
    pub fn plain(&self) -> Got<Value> {
        if self.unknown {
            return Got::Unknown;
        }
        match self.raw {
            None => Got::Absent,
            Some(raw) => wire::decode(raw).value.map_or(Got::Unknown, Got::Known),
        }
    }

    /// Whether anything inside the value is unknown.
    pub fn contains_unknown(&self) -> bool {
        self.unknown
            || self
                .raw
                .is_some_and(|raw| wire::decode(raw).value.is_none())
    }

    /// Every known string inside the value (object keys excluded).
    pub fn strings(&self) -> Vec<&'a str> {
        fn walk<'v>(value: Val<'v>, out: &mut Vec<&'v str>) {
            match value.raw {
                Some(Value::String(text)) => out.push(text),
                Some(Value::Array(_)) => {
                    if let Got::Known(items) = value.items() {
                        for item in items {
                            walk(item, out);
                        }
                    }
                }
                Some(Value::Object(_)) => {
                    if let Got::Known(entries) = value.entries() {
                        for (_, item) in entries {
                            walk(item, out);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(*self, &mut out);
        out
    }

    /// The value for a message: its JSON text, or `[secret]` for a secret so that no secret
    /// ever reaches a report.
    pub fn shown(&self) -> String {
        if self.secret {
            return "[secret]".to_owned();
        }
        if self.unknown {
            return "(unknown until deployment)".to_owned();
        }
        match self.raw {
            None => "(not set)".to_owned(),
            Some(Value::String(text)) => format!("{text:?}"),
            Some(raw) => wire::decode(raw).value.map_or_else(
                || "(unknown until deployment)".to_owned(),
                |v| v.to_string(),
            ),
        }
    }
}

/// The input `path` (dotted) of `resource`.
pub fn input<'a>(resource: &'a PlanResource, path: &str) -> Val<'a> {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default();
    parts.fold(Val::new(resource.inputs.get(first)), |val, key| {
        val.get(key)
    })
}

/// `aws:s3/bucket:Bucket "bucket-logs"`: how findings name a resource.
pub fn label(resource: &PlanResource) -> String {
    format!("{} \"{}\"", resource.ty, resource.name)
}

/// The input that holds the physical name of resources of type `ty`, if it has one that the
/// naming rules govern.
pub fn name_property(ty: &str) -> Option<&'static [&'static str]> {
    if !ty.starts_with("aws:") {
        return None;
    }
    Some(match ty {
        "aws:s3/bucket:Bucket" => &["bucket", "bucketPrefix"],
        "aws:rds/instance:Instance" => &["identifier", "identifierPrefix"],
        "aws:dms/replicationInstance:ReplicationInstance" => &["replicationInstanceId"],
        "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup" => &["replicationSubnetGroupId"],
        "aws:dms/endpoint:Endpoint" => &["endpointId"],
        "aws:dms/replicationTask:ReplicationTask" => &["replicationTaskId"],
        // A DNS record's name is a domain name, not a resource name.
        "aws:route53/record:Record" => return None,
        // A GuardDuty feature's name is GuardDuty's feature id (S3_DATA_EVENTS ...).
        "aws:guardduty/detectorFeature:DetectorFeature" => return None,
        // A recorder status names the recorder it switches on (checked there).
        "aws:cfg/recorderStatus:RecorderStatus" => return None,
        _ => &["name", "namePrefix"],
    })
}

/// The physical name of `resource`: the property it is in and its value, if set.
pub fn physical_name(resource: &PlanResource) -> Option<(&'static str, Val<'_>)> {
    name_property(&resource.ty)?.iter().find_map(|property| {
        let val = input(resource, property);
        (!val.is_absent()).then_some((*property, val))
    })
}

/// The provider a resource is created through.
#[derive(Clone, Copy, Debug)]
pub enum ProviderRef<'p> {
    /// No explicit provider: the engine's default provider (ambient region, no default tags).
    Default,
    /// An explicit provider registered in the plan.
    Registered(&'p PlanResource),
    /// An explicit provider that the plan does not contain.
    Missing,
}

/// Where a reference leads.
#[derive(Clone, Debug)]
pub enum Refs<'p> {
    /// The property is not set.
    Absent,
    /// The value is unknown and no dependency says where it came from.
    Unknown,
    /// The resources of the asked types the value came from; empty when the value is known (or
    /// came from other resources) but leads to none of them.
    Resolved(Vec<&'p PlanResource>),
}

impl<'p> Refs<'p> {
    /// The resolved resources (empty for absent or unknown).
    pub fn resources(&self) -> &[&'p PlanResource] {
        match self {
            Self::Resolved(found) => found,
            Self::Absent | Self::Unknown => &[],
        }
    }

    /// Whether `target` is among the resolved resources.
    pub fn contains(&self, target: &PlanResource) -> bool {
        self.resources().iter().any(|r| r.urn == target.urn)
    }
}

/// Default tags parsed out of a provider's JSON text, and whether they were secret.
type ParsedTags = (BTreeMap<String, Value>, bool);

/// A plan indexed for the rules.
pub struct PlanView<'p> {
    plan: &'p Plan,
    settings: &'p Settings,
    by_urn: HashMap<&'p str, &'p PlanResource>,
    by_type: HashMap<&'p str, Vec<&'p PlanResource>>,
    provider_tags: HashMap<&'p str, Got<ParsedTags>>,
    empty: Vec<&'p PlanResource>,
}

impl<'p> PlanView<'p> {
    /// Indexes `plan`.
    pub fn new(plan: &'p Plan, settings: &'p Settings) -> Self {
        let mut by_urn = HashMap::with_capacity(plan.resources.len());
        let mut by_type: HashMap<&str, Vec<&PlanResource>> = HashMap::new();
        for resource in &plan.resources {
            by_urn.insert(resource.urn.as_str(), resource);
            by_type
                .entry(resource.ty.as_str())
                .or_default()
                .push(resource);
        }
        let provider_tags = by_type
            .get(AWS_PROVIDER)
            .into_iter()
            .flatten()
            .map(|provider| (provider.urn.as_str(), provider_default_tags(provider)))
            .collect();
        Self {
            plan,
            settings,
            by_urn,
            by_type,
            provider_tags,
            empty: Vec::new(),
        }
    }

    /// The plan.
    pub fn plan(&self) -> &'p Plan {
        self.plan
    }

    /// The evaluation settings.
    pub fn settings(&self) -> &'p Settings {
        self.settings
    }

    /// The resource with `urn`.
    pub fn resource(&self, urn: &str) -> Option<&'p PlanResource> {
        self.by_urn.get(urn).copied()
    }

    /// Every resource of type `ty`, in plan order.
    pub fn of_type(&self, ty: &str) -> &[&'p PlanResource] {
        self.by_type.get(ty).unwrap_or(&self.empty)
    }

    /// Every custom resource, in plan order.
    pub fn custom(&self) -> impl Iterator<Item = &'p PlanResource> + 'p {
        self.plan.resources.iter().filter(|r| r.custom)
    }

    /// The provider `resource` is created through.
    pub fn provider_of(&self, resource: &PlanResource) -> ProviderRef<'p> {
        if resource.provider.is_empty() {
            return ProviderRef::Default;
        }
        // `<providerURN>::<id>`; the URN itself contains `::`, the id does not.
        let urn = resource
            .provider
            .rsplit_once("::")
            .map_or(resource.provider.as_str(), |(urn, _)| urn);
        match self
            .resource(urn)
            .or_else(|| self.resource(&resource.provider))
        {
            Some(provider) => ProviderRef::Registered(provider),
            None => ProviderRef::Missing,
        }
    }

    /// The region `resource` deploys to: its own `region` input (pulumi-aws 7), else its
    /// provider's `region`; absent for the default provider or a provider without one.
    pub fn region_of(&self, resource: &'p PlanResource) -> Got<&'p str> {
        let own = input(resource, "region");
        if !own.is_absent() {
            return own.str();
        }
        match self.provider_of(resource) {
            ProviderRef::Default => Got::Absent,
            ProviderRef::Missing => Got::Unknown,
            ProviderRef::Registered(provider) => input(provider, "region").str(),
        }
    }

    /// The default tags of the provider `resource` is created through: absent for the default
    /// provider or a provider without them, unknown if they cannot be read.
    pub fn default_tags(&self, resource: &PlanResource) -> Got<BTreeMap<&str, Val<'_>>> {
        match self.provider_of(resource) {
            ProviderRef::Default => Got::Absent,
            ProviderRef::Missing => Got::Unknown,
            ProviderRef::Registered(provider) => {
                match self.provider_tags.get(provider.urn.as_str()) {
                    None | Some(Got::Absent) => Got::Absent,
                    Some(Got::Unknown) => Got::Unknown,
                    Some(Got::Known((tags, secret))) => Got::Known(
                        tags.iter()
                            .map(|(key, value)| (key.as_str(), Val::open(Some(value), *secret)))
                            .collect(),
                    ),
                }
            }
        }
    }

    /// The resources of one of `types` (any type if empty) that the input `property` of
    /// `resource` refers to. `property` may be a dotted path (`launchTemplate.id`): dependencies
    /// are recorded per top-level property, values are compared at the path.
    pub fn refs(&self, resource: &PlanResource, property: &str, types: &[&str]) -> Refs<'p> {
        let top = property.split('.').next().unwrap_or(property);
        let wanted = |r: &&PlanResource| types.is_empty() || types.contains(&r.ty.as_str());
        let val = input(resource, property);
        if let Some(urns) = resource.property_dependencies.get(top)
            && !urns.is_empty()
        {
            let found: Vec<&PlanResource> = urns
                .iter()
                .filter_map(|urn| self.resource(urn))
                .filter(wanted)
                .collect();
            // A top-level dependency covers the whole property; for a nested path it only
            // counts when the value at the path is not a literal of its own.
            if !found.is_empty() || top == property || val.contains_unknown() {
                return Refs::Resolved(found);
            }
        }
        if val.is_absent() {
            return Refs::Absent;
        }
        if val.contains_unknown() {
            return Refs::Unknown;
        }
        let strings = val.strings();
        let candidates: Vec<&'p PlanResource> = if types.is_empty() {
            self.plan.resources.iter().collect()
        } else {
            types
                .iter()
                .flat_map(|ty| self.of_type(ty).iter().copied())
                .collect()
        };
        let found = candidates
            .into_iter()
            .filter(|candidate| strings.iter().any(|s| value_names(s, candidate)))
            .collect();
        Refs::Resolved(found)
    }

    /// The resources of type `ty` whose input `property` refers to `target`.
    pub fn referrers(
        &self,
        target: &PlanResource,
        ty: &str,
        property: &str,
    ) -> Vec<&'p PlanResource> {
        self.of_type(ty)
            .iter()
            .copied()
            .filter(|r| {
                self.refs(r, property, &[target.ty.as_str()])
                    .contains(target)
            })
            .collect()
    }

    /// Whether the value at `property` of `resource` refers to a resource of one of `types`,
    /// as a three-way answer for rules: `Known(true)` resolved, `Known(false)` not, `Unknown`
    /// cannot tell, `Absent` not set.
    pub fn refers_to(&self, resource: &PlanResource, property: &str, types: &[&str]) -> Got<bool> {
        match self.refs(resource, property, types) {
            Refs::Absent => Got::Absent,
            Refs::Unknown => Got::Unknown,
            Refs::Resolved(found) => Got::Known(!found.is_empty()),
        }
    }
}

/// The default tags of an AWS provider resource, with whether they are secret. On the wire,
/// provider inputs are JSON text: `defaultTags` is the string `{"tags":{...}}` (an object is
/// accepted too).
fn provider_default_tags(provider: &PlanResource) -> Got<ParsedTags> {
    let val = input(provider, "defaultTags");
    let parsed = match val.str() {
        Got::Unknown => return Got::Unknown,
        Got::Known(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed) => parsed,
            Err(_) => return Got::Unknown,
        },
        Got::Absent => match val.plain() {
            Got::Known(object @ Value::Object(_)) => object,
            Got::Unknown => return Got::Unknown,
            Got::Known(_) | Got::Absent => return Got::Absent,
        },
    };
    match parsed.get("tags") {
        Some(Value::Object(tags)) => Got::Known((
            tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            val.is_secret(),
        )),
        _ => Got::Absent,
    }
}

/// Whether the literal `value` names `candidate`: equals its physical name or one of the `:`/`/`
/// separated segments of an ARN is its physical name.
fn value_names(value: &str, candidate: &PlanResource) -> bool {
    let Some((_, name)) = physical_name(candidate) else {
        return false;
    };
    let Got::Known(name) = name.str() else {
        return false;
    };
    !name.is_empty() && (value == name || value.split([':', '/']).any(|segment| segment == name))
}
