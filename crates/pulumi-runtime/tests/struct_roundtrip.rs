//! Struct encoding round trips: any JSON value, including nested secret envelopes, output values and
//! unknowns, survives `to_struct` then `from_struct` unchanged.

use proptest::prelude::*;
use pulumi_runtime::wire;
use serde_json::{Map, Value, json};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1_000_000_000i64..1_000_000_000).prop_map(Value::from),
        // Integral floats come back as integers (documented in `wire`), so only fractional ones here.
        (-1.0e6f64..1.0e6)
            .prop_filter("fractional", |f| f.fract() != 0.0)
            .prop_map(|f| json!(f)),
        "[a-zA-Z0-9 :/._-]{0,12}".prop_map(Value::String),
        Just(wire::unknown_value()),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner.clone(), 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            inner.clone().prop_map(wire::secret_envelope),
        ]
    })
}

proptest! {
    #[test]
    fn struct_round_trip_is_lossless(fields in proptest::collection::btree_map("[a-zA-Z]{1,8}", value(), 0..6)) {
        let map: Map<String, Value> = fields.into_iter().collect();
        let back = wire::from_struct(&wire::to_struct(&map));
        prop_assert_eq!(back, map);
    }
}

#[test]
fn nested_secrets_and_unknowns_round_trip() {
    let map = json!({
        "password": wire::secret_envelope(json!("s3cret")),
        "nested": {"list": [1, wire::unknown_value(), {"deep": wire::secret_envelope(json!({"k": 2.5}))}]},
        "output": {wire::SIG_KEY: wire::OUTPUT_VALUE_SIG, "value": "v", "secret": false, "dependencies": ["urn:x"]}
    });
    let Value::Object(map) = map else {
        unreachable!()
    };
    assert_eq!(wire::from_struct(&wire::to_struct(&map)), map);
}
