//! The engine's value encoding: JSON values with the special envelopes of the protocol, and their
//! conversion to and from `google.protobuf.Struct`.
//!
//! The rest of the runtime works with `serde_json::Value` in wire form: exactly what goes into a
//! `Struct`, envelopes included, so the plan records "inputs exactly as sent to the engine".

use std::collections::BTreeSet;

use prost_types::value::Kind;
use serde_json::{Map, Value};

/// Key of the signature field of every special value.
pub const SIG_KEY: &str = "4dabf18193072939515e22adb298388d";
/// Signature of a secret envelope (`value` holds the secret).
pub const SECRET_SIG: &str = "1b47061264138c4ac30d75fd1eb44270";
/// Signature of a resource reference (`urn`, optional `id`, `packageVersion`).
pub const RESOURCE_REF_SIG: &str = "5cf8f73096256a8f31e491e813e4eb8e";
/// Signature of an output value (`value`, `secret`, `dependencies`).
pub const OUTPUT_VALUE_SIG: &str = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/// Signature of an asset.
pub const ASSET_SIG: &str = "c44067f5952c0a294b673a41bacd8c17";
/// Signature of an archive.
pub const ARCHIVE_SIG: &str = "0def7320c3a5731c473e5ecbe6d01bc7";
/// The string that stands for an unknown value during preview.
pub const UNKNOWN: &str = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/// What a recorded secret's value is replaced with: the plan keeps the envelope (so readers know
/// the value was sent as a secret) but never the plaintext.
pub const REDACTED: &str = "[secret]";

/// A copy of `value` with the content of every secret envelope replaced by [`REDACTED`].
pub fn redact_secrets(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.get(SIG_KEY).and_then(Value::as_str) == Some(SECRET_SIG) => {
            secret_envelope(Value::String(REDACTED.to_owned()))
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| (key.clone(), redact_secrets(inner)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_secrets).collect()),
        other => other.clone(),
    }
}

/// [`redact_secrets`] over every value of an object.
pub fn redact_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(key, value)| (key.clone(), redact_secrets(value)))
        .collect()
}

/// Wraps a wire value in a secret envelope.
pub fn secret_envelope(value: Value) -> Value {
    let mut map = Map::new();
    map.insert(SIG_KEY.to_owned(), Value::String(SECRET_SIG.to_owned()));
    map.insert("value".to_owned(), value);
    Value::Object(map)
}

/// The unknown sentinel as a wire value.
pub fn unknown_value() -> Value {
    Value::String(UNKNOWN.to_owned())
}

/// A plain value decoded from the wire: envelopes removed, with what they said.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The value without envelopes; `None` if it (or any part of it) is unknown.
    pub value: Option<Value>,
    /// Whether any part of it was secret.
    pub secret: bool,
    /// URNs named by output-value envelopes inside it.
    pub dependencies: BTreeSet<String>,
}

/// Strips the protocol envelopes from a wire value. A resource reference becomes its id (or URN),
/// as the SDKs do for a custom resource read back as a plain value.
pub fn decode(value: &Value) -> Decoded {
    let mut decoded = Decoded {
        value: None,
        secret: false,
        dependencies: BTreeSet::new(),
    };
    decoded.value = strip(value, &mut decoded);
    decoded
}

fn strip(value: &Value, state: &mut Decoded) -> Option<Value> {
    match value {
        Value::String(s) if s == UNKNOWN => None,
        Value::Array(items) => items
            .iter()
            .map(|item| strip(item, state))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(map) => match map.get(SIG_KEY).and_then(Value::as_str) {
            Some(SECRET_SIG) => {
                state.secret = true;
                strip(map.get("value").unwrap_or(&Value::Null), state)
            }
            Some(OUTPUT_VALUE_SIG) => {
                if map.get("secret").and_then(Value::as_bool) == Some(true) {
                    state.secret = true;
                }
                let deps = map.get("dependencies").and_then(Value::as_array);
                state.dependencies.extend(
                    deps.into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
                map.get("value").and_then(|inner| strip(inner, state))
            }
            Some(RESOURCE_REF_SIG) => map
                .get("id")
                .filter(|id| id.as_str() != Some(""))
                .or_else(|| map.get("urn"))
                .and_then(|inner| strip(inner, state)),
            _ => map
                .iter()
                .map(|(key, inner)| strip(inner, state).map(|v| (key.clone(), v)))
                .collect::<Option<Map<_, _>>>()
                .map(Value::Object),
        },
        other => Some(other.clone()),
    }
}

/// Converts a JSON object to a protobuf `Struct`.
pub fn to_struct(map: &Map<String, Value>) -> prost_types::Struct {
    prost_types::Struct {
        fields: map
            .iter()
            .map(|(key, value)| (key.clone(), to_proto_value(value)))
            .collect(),
    }
}

/// Converts a JSON value to a protobuf `Value`.
pub fn to_proto_value(value: &Value) -> prost_types::Value {
    let kind = match value {
        Value::Null => Kind::NullValue(0),
        Value::Bool(b) => Kind::BoolValue(*b),
        Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Kind::StringValue(s.clone()),
        Value::Array(items) => Kind::ListValue(prost_types::ListValue {
            values: items.iter().map(to_proto_value).collect(),
        }),
        Value::Object(map) => Kind::StructValue(to_struct(map)),
    };
    prost_types::Value { kind: Some(kind) }
}

/// Converts a protobuf `Struct` to a JSON object (keys sorted).
pub fn from_struct(value: &prost_types::Struct) -> Map<String, Value> {
    let mut keys: Vec<&String> = value.fields.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|key| (key.clone(), from_proto_value(&value.fields[key])))
        .collect()
}

/// Converts a protobuf `Value` to JSON. Integral numbers become JSON integers, so a value survives
/// a round trip; a non-finite number (which JSON cannot hold) becomes null.
pub fn from_proto_value(value: &prost_types::Value) -> Value {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => Value::Null,
        Some(Kind::BoolValue(b)) => Value::Bool(*b),
        Some(Kind::NumberValue(n)) => number(*n),
        Some(Kind::StringValue(s)) => Value::String(s.clone()),
        Some(Kind::ListValue(list)) => {
            Value::Array(list.values.iter().map(from_proto_value).collect())
        }
        Some(Kind::StructValue(map)) => Value::Object(from_struct(map)),
    }
}

fn number(n: f64) -> Value {
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() <= MAX_EXACT {
        // Exact: |n| <= 2^53 fits an i64 without loss.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(n as i64);
    }
    serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decode_strips_nested_secrets_and_reports_secrecy() {
        let wire = json!({"a": secret_envelope(json!({"b": 1})), "c": [2]});
        let decoded = decode(&wire);
        assert_eq!(decoded.value, Some(json!({"a": {"b": 1}, "c": [2]})));
        assert!(decoded.secret);
    }

    #[test]
    fn decode_of_anything_containing_unknown_is_unknown() {
        let decoded = decode(&json!({"a": [1, UNKNOWN]}));
        assert_eq!(decoded.value, None);
    }

    #[test]
    fn decode_reads_output_value_envelopes() {
        let wire = json!({SIG_KEY: OUTPUT_VALUE_SIG, "value": "x", "secret": true,
                          "dependencies": ["urn:a"]});
        let decoded = decode(&wire);
        assert_eq!(decoded.value, Some(json!("x")));
        assert!(decoded.secret);
        assert!(decoded.dependencies.contains("urn:a"));
    }

    #[test]
    fn redaction_keeps_envelopes_but_drops_plaintext() {
        let wire = json!({"a": secret_envelope(json!({"pw": "hunter2"})), "b": [secret_envelope(json!(1))], "c": 2});
        let redacted = redact_secrets(&wire);
        assert!(!redacted.to_string().contains("hunter2"));
        assert_eq!(redacted["a"], secret_envelope(json!(REDACTED)));
        assert_eq!(redacted["b"][0], secret_envelope(json!(REDACTED)));
        assert_eq!(redacted["c"], 2);
    }

    #[test]
    fn non_finite_numbers_become_null_instead_of_panicking() {
        let value = prost_types::Value {
            kind: Some(Kind::NumberValue(f64::NAN)),
        };
        assert_eq!(from_proto_value(&value), Value::Null);
    }
}
