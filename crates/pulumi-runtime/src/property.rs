//! Resource arguments before they are sent: a tree whose leaves are plain JSON or outputs, and its
//! resolution into the wire form plus the dependencies of each top-level property.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::output::{Input, Output, OutputValue};
use crate::wire;

/// One argument value: plain JSON, an output, or a list/object that may contain outputs.
#[derive(Clone, Debug)]
pub enum PropertyValue {
    /// A value known now.
    Plain(Value),
    /// A value that resolves later (secret, unknown and dependencies come with it).
    Output(Output<Value>),
    /// A list of values.
    Array(Vec<PropertyValue>),
    /// An object, by wire (camelCase) key.
    Object(BTreeMap<String, PropertyValue>),
}

/// Turns a typed argument into a [`PropertyValue`].
pub trait ToProperty {
    /// The argument as a property value.
    fn to_property(&self) -> PropertyValue;
}

fn json_of<T: Serialize>(value: &T) -> Value {
    // Serializing plain data (strings, numbers, maps with string keys) cannot fail; a type that
    // could fail is a programming error caught by the tests, and becomes null rather than a panic.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl<T: OutputValue + Serialize> ToProperty for Input<T> {
    fn to_property(&self) -> PropertyValue {
        match self {
            Input::Value(value) => PropertyValue::Plain(json_of(value)),
            Input::Output(output) => PropertyValue::Output(output.map(|value| json_of(&value))),
        }
    }
}

impl<T: OutputValue + Serialize> ToProperty for Output<T> {
    fn to_property(&self) -> PropertyValue {
        PropertyValue::Output(self.map(|value| json_of(&value)))
    }
}

impl<T: ToProperty> ToProperty for Vec<T> {
    fn to_property(&self) -> PropertyValue {
        PropertyValue::Array(self.iter().map(ToProperty::to_property).collect())
    }
}

impl<T: ToProperty> ToProperty for BTreeMap<String, T> {
    fn to_property(&self) -> PropertyValue {
        PropertyValue::Object(
            self.iter()
                .map(|(key, value)| (key.clone(), value.to_property()))
                .collect(),
        )
    }
}

impl ToProperty for Value {
    fn to_property(&self) -> PropertyValue {
        PropertyValue::Plain(self.clone())
    }
}

impl ToProperty for PropertyValue {
    fn to_property(&self) -> PropertyValue {
        self.clone()
    }
}

/// The top-level arguments of a resource or invoke, by wire name. Absent optional arguments are
/// simply not in the map.
#[derive(Clone, Debug, Default)]
pub struct PropertyMap(pub BTreeMap<String, PropertyValue>);

impl PropertyMap {
    /// An empty argument map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: &str, value: impl ToProperty) {
        self.0.insert(key.to_owned(), value.to_property());
    }

    /// Sets `key` to `value` when it is present.
    pub fn insert_opt(&mut self, key: &str, value: Option<&impl ToProperty>) {
        if let Some(value) = value {
            self.insert(key, value);
        }
    }
}

impl<T: ToProperty + ?Sized> ToProperty for &T {
    fn to_property(&self) -> PropertyValue {
        (**self).to_property()
    }
}

/// Arguments after every output in them has resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResolvedProperties {
    /// The wire object: unknowns as the sentinel, secrets in envelopes.
    pub object: Map<String, Value>,
    /// For each top-level key, the URNs its value depends on (only keys with dependencies).
    pub property_dependencies: BTreeMap<String, BTreeSet<String>>,
    /// Whether any part was unknown.
    pub has_unknowns: bool,
}

impl ResolvedProperties {
    /// The union of every property's dependencies.
    pub fn all_dependencies(&self) -> BTreeSet<String> {
        self.property_dependencies
            .values()
            .flatten()
            .cloned()
            .collect()
    }
}

/// Resolves every output of `map` concurrently and builds the wire object.
pub async fn resolve(map: &PropertyMap) -> ResolvedProperties {
    let entries = futures_util::future::join_all(map.0.iter().map(|(key, value)| async move {
        let mut state = LeafState::default();
        let wire = resolve_value(value, &mut state).await;
        (key.clone(), wire, state)
    }))
    .await;
    let mut resolved = ResolvedProperties::default();
    for (key, wire, state) in entries {
        resolved.has_unknowns |= state.has_unknowns;
        if !state.dependencies.is_empty() {
            resolved
                .property_dependencies
                .insert(key.clone(), state.dependencies);
        }
        resolved.object.insert(key, wire);
    }
    resolved
}

#[derive(Default)]
struct LeafState {
    dependencies: BTreeSet<String>,
    has_unknowns: bool,
}

fn resolve_value<'a>(
    value: &'a PropertyValue,
    state: &'a mut LeafState,
) -> futures_util::future::BoxFuture<'a, Value> {
    use futures_util::FutureExt;
    async move {
        match value {
            PropertyValue::Plain(plain) => plain.clone(),
            PropertyValue::Output(output) => {
                let data = output.resolve().await;
                state.dependencies.extend(data.dependencies);
                let wire = match data.value {
                    Some(value) => value,
                    None => {
                        state.has_unknowns = true;
                        wire::unknown_value()
                    }
                };
                if data.secret {
                    wire::secret_envelope(wire)
                } else {
                    wire
                }
            }
            PropertyValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(resolve_value(item, state).await);
                }
                Value::Array(out)
            }
            PropertyValue::Object(fields) => {
                let mut out = Map::new();
                for (key, item) in fields {
                    out.insert(key.clone(), resolve_value(item, state).await);
                }
                Value::Object(out)
            }
        }
    }
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputData;
    use serde_json::json;

    fn dependent(value: Value, urn: &str, secret: bool) -> Output<Value> {
        Output::from_data(OutputData {
            value: Some(value),
            secret,
            dependencies: [urn.to_owned()].into(),
        })
    }

    #[tokio::test]
    async fn nested_outputs_resolve_with_per_property_dependencies() {
        let mut map = PropertyMap::new();
        map.insert("plain", json!("x"));
        let nested: BTreeMap<String, PropertyValue> = [(
            "inner".to_owned(),
            PropertyValue::Output(dependent(json!("v"), "urn:a", true)),
        )]
        .into();
        map.insert("nested", PropertyValue::Object(nested));
        map.insert(
            "list",
            vec![PropertyValue::Output(
                Output::unknown().with_dependencies(["urn:b".to_owned()]),
            )],
        );
        let resolved = resolve(&map).await;
        assert_eq!(resolved.object["plain"], json!("x"));
        assert_eq!(
            resolved.object["nested"],
            json!({"inner": wire::secret_envelope(json!("v"))})
        );
        assert_eq!(resolved.object["list"], json!([wire::UNKNOWN]));
        assert!(resolved.has_unknowns);
        assert_eq!(
            resolved.property_dependencies,
            BTreeMap::from([
                ("nested".to_owned(), BTreeSet::from(["urn:a".to_owned()])),
                ("list".to_owned(), BTreeSet::from(["urn:b".to_owned()])),
            ])
        );
    }
}
