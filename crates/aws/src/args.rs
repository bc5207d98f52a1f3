//! What every typed resource and function argument struct provides, and registering one.

use pulumi_runtime::{
    Context, PropertyMap, PropertyValue, Registration, Resource, ResourceOptions,
};

/// Typed inputs of one provider resource type.
pub trait ResourceArgs {
    /// The type token, e.g. `aws:ec2/vpc:Vpc`.
    const TYPE: &'static str;
    /// The provider plugin version the token belongs to.
    const VERSION: &'static str;
    /// The inputs by wire name (unset optional inputs are absent).
    fn properties(&self) -> PropertyMap;
    /// Wire names of required inputs left unset, at the top level and in nested objects that are set.
    fn missing_required(&self) -> Vec<String>;
}

/// Typed arguments of one provider function.
pub trait FunctionArgs {
    /// The function token, e.g. `aws:index/getAvailabilityZones:getAvailabilityZones`.
    const TOKEN: &'static str;
    /// The provider plugin version the token belongs to.
    const VERSION: &'static str;
    /// The arguments by wire name.
    fn properties(&self) -> PropertyMap;
}

/// Converts an object-valued [`PropertyValue`] into a [`PropertyMap`] (other values give an empty
/// map; generated code only passes objects).
pub fn object_to_map(value: PropertyValue) -> PropertyMap {
    match value {
        PropertyValue::Object(fields) => PropertyMap(fields),
        _ => PropertyMap::new(),
    }
}

/// Registers a provider resource. A required input left unset is reported as a program error naming
/// the resource and the input, so the run fails before the engine is asked to shut down.
pub fn register<A: ResourceArgs>(
    ctx: &Context,
    name: &str,
    args: &A,
    options: ResourceOptions,
) -> Resource {
    let missing = args.missing_required();
    if !missing.is_empty() {
        ctx.errors().push(format!(
            "{} `{name}`: required input(s) not set: {}",
            A::TYPE,
            missing.join(", ")
        ));
    }
    ctx.register(Registration {
        ty: A::TYPE.to_owned(),
        name: name.to_owned(),
        custom: true,
        args: args.properties(),
        version: A::VERSION.to_owned(),
        options,
    })
}

/// Calls a provider function with typed arguments through `provider`, the stack's explicit
/// provider: the answer then comes from the same region and account as the resources (the
/// engine's default provider could be configured differently, or disabled).
pub async fn invoke<A: FunctionArgs>(
    ctx: &Context,
    args: &A,
    provider: &Resource,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    ctx.invoke(A::TOKEN, &args.properties(), A::VERSION, Some(provider))
        .await
}
