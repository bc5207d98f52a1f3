//! What every component needs: the context, the validated config and the AWS provider, plus
//! small helpers for optional typed inputs.

use pulumi_runtime::{Context, Input, OutputValue, Resource, ResourceOptions};

use crate::config::PlatformConfig;

/// The shared handles of one program run.
#[derive(Clone)]
pub struct Scope {
    /// The engine context.
    pub ctx: Context,
    /// The validated configuration.
    pub config: PlatformConfig,
    /// The explicit AWS provider (region and default tags).
    pub provider: Resource,
}

impl Scope {
    /// Registers a component of type `ty` under the stack.
    pub fn component(&self, ty: &str, name: &str) -> Resource {
        self.ctx.component(ty, name, ResourceOptions::default())
    }

    /// Options for an AWS resource inside `parent`: that parent and the explicit provider.
    pub fn child_of(&self, parent: &Resource) -> ResourceOptions {
        ResourceOptions::parent(parent).with_provider(&self.provider)
    }
}

/// `Some(value.into())`: an optional typed input that is set.
pub fn set<T: OutputValue>(value: impl Into<Input<T>>) -> Option<Input<T>> {
    Some(value.into())
}
