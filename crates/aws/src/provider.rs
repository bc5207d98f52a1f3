//! Explicit provider resources (`pulumi:providers:aws`, `pulumi:providers:tls`).
//!
//! Provider inputs travel differently from resource inputs: every non-string value is sent as JSON
//! text (as the official SDKs do), e.g. `defaultTags: "{\"tags\":{...}}"`.

use std::collections::BTreeMap;

use pulumi_runtime::{Context, PropertyMap, Registration, Resource, ResourceOptions};
use serde_json::json;

use crate::schema::{AWS_VERSION, TLS_VERSION};

/// Registers an AWS provider for `region` whose `defaultTags` apply `tags` to every taggable
/// resource created through it.
pub fn aws(
    ctx: &Context,
    name: &str,
    region: &str,
    tags: &BTreeMap<String, String>,
    options: ResourceOptions,
) -> Resource {
    let mut args = PropertyMap::new();
    args.insert("region", json!(region));
    args.insert("defaultTags", json!(json!({ "tags": tags }).to_string()));
    ctx.register(Registration {
        ty: "pulumi:providers:aws".to_owned(),
        name: name.to_owned(),
        custom: true,
        args,
        version: AWS_VERSION.to_owned(),
        options,
    })
}

/// Registers a TLS provider (used only for self-signed test certificates).
pub fn tls(ctx: &Context, name: &str, options: ResourceOptions) -> Resource {
    ctx.register(Registration {
        ty: "pulumi:providers:tls".to_owned(),
        name: name.to_owned(),
        custom: true,
        args: PropertyMap::new(),
        version: TLS_VERSION.to_owned(),
        options,
    })
}
