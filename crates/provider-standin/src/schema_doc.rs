//! `GetSchema`: a Pulumi package schema built from the pinned schema index, for the languages that
//! type-check a program against its provider's schema before running it (Pulumi YAML). It holds
//! the indexed resources and functions with their inputs (also listed as outputs, with `arn` for
//! AWS resources) and every nested type; it is not the provider's full schema (no descriptions,
//! no enums, no outputs beyond the inputs).

use payments_aws::schema::{Package, Property, Signature, TypeRef, index};
use serde_json::{Map, Value, json};

/// The schema document of `package`, or why there is none.
pub fn schema(package: Package) -> Result<Value, String> {
    let index = index().package(package).map_err(|error| {
        format!(
            "the schema index of {} is unusable: {error}",
            package.name()
        )
    })?;
    let resources: Map<String, Value> = index
        .resources
        .iter()
        .filter(|(token, _)| !token.starts_with("pulumi:providers:"))
        .map(|(token, signature)| (token.clone(), resource(package, signature)))
        .collect();
    let functions: Map<String, Value> = index
        .functions
        .iter()
        .map(|(token, signature)| {
            let inputs = object_spec(package, &signature.inputs);
            (
                token.clone(),
                json!({"inputs": inputs, "outputs": {"properties": {}}}),
            )
        })
        .collect();
    let types: Map<String, Value> = index
        .types
        .iter()
        .map(|(key, object)| {
            let mut spec = object_spec(package, &object.properties);
            spec["type"] = json!("object");
            (type_token(package, key), spec)
        })
        .collect();
    let provider = index
        .resources
        .get(&format!("pulumi:providers:{}", package.name()))
        .map(|signature| object_spec(package, &signature.inputs))
        .map(|spec| json!({"inputProperties": spec["properties"]}))
        .unwrap_or_else(|| json!({}));
    Ok(json!({
        "name": package.name(),
        "version": package.version(),
        "provider": provider,
        "resources": resources,
        "functions": functions,
        "types": types,
    }))
}

fn resource(package: Package, signature: &Signature) -> Value {
    let inputs = object_spec(package, &signature.inputs);
    let mut outputs = inputs["properties"].clone();
    if package == Package::Aws
        && let Value::Object(outputs) = &mut outputs
    {
        outputs
            .entry("arn")
            .or_insert_with(|| json!({"type": "string"}));
    }
    json!({
        "inputProperties": inputs["properties"],
        "requiredInputs": inputs["required"],
        "properties": outputs,
    })
}

/// `{properties, required}` of an object with `properties`.
fn object_spec(
    package: Package,
    properties: &std::collections::BTreeMap<String, Property>,
) -> Value {
    let specs: Map<String, Value> = properties
        .iter()
        .map(|(name, property)| (name.clone(), type_spec(package, &property.ty)))
        .collect();
    let required: Vec<&String> = properties
        .iter()
        .filter(|(_, property)| property.required)
        .map(|(name, _)| name)
        .collect();
    json!({"properties": specs, "required": required})
}

fn type_spec(package: Package, ty: &TypeRef) -> Value {
    match ty {
        TypeRef::String => json!({"type": "string"}),
        TypeRef::Integer => json!({"type": "integer"}),
        TypeRef::Number => json!({"type": "number"}),
        TypeRef::Boolean => json!({"type": "boolean"}),
        TypeRef::Any => json!({"$ref": "pulumi.json#/Any"}),
        TypeRef::Asset => json!({"$ref": "pulumi.json#/Asset"}),
        TypeRef::Archive => json!({"$ref": "pulumi.json#/Archive"}),
        TypeRef::Array { items } => json!({"type": "array", "items": type_spec(package, items)}),
        TypeRef::Map { values } => {
            json!({"type": "object", "additionalProperties": type_spec(package, values)})
        }
        TypeRef::Object { reference } => {
            json!({"$ref": format!("#/types/{}", type_token(package, reference))})
        }
    }
}

/// The schema token of an index type key such as `ec2/LaunchTemplateMetadataOptionsArgs`.
fn type_token(package: Package, key: &str) -> String {
    let (module, name) = key.rsplit_once('/').unwrap_or(("index", key));
    format!("{}:{module}/{name}:{name}", package.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_reference_resolves_and_required_inputs_are_listed() {
        let doc = schema(Package::Aws).expect("schema");
        let types = doc["types"].as_object().expect("types");
        let text = doc.to_string();
        for reference in text.split("\"$ref\":\"#/types/").skip(1) {
            let token = reference.split('"').next().unwrap_or_default();
            assert!(
                types.contains_key(token),
                "{token} is referenced but not defined"
            );
        }
        let group = &doc["resources"]["aws:autoscaling/group:Group"];
        let required: Vec<&str> = group["requiredInputs"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(required.contains(&"maxSize") && required.contains(&"minSize"));
        assert_eq!(
            doc["resources"]["aws:s3/bucket:Bucket"]["properties"]["arn"],
            json!({"type": "string"})
        );
    }
}
