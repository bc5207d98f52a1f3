//! The plan: every registration, invoke and log the program sent, in the stable JSON format of
//! DESIGN.md. [`Recorder`] wraps any [`Monitor`] and records what passes through it, so the plan
//! is the same whether the engine is the real one or the local one.
//!
//! Invariant: the plan never holds a secret in plaintext. Secret envelopes are kept (a reader can
//! see a value was sent as a secret) with their content replaced by [`wire::REDACTED`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::monitor::{EngineError, Monitor, RegisterResourceResponse};
use crate::wire;

/// The recorded plan of one program run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Pulumi project name.
    pub project: String,
    /// Stack name.
    pub stack: String,
    /// Whether this was a preview.
    pub dry_run: bool,
    /// Every registered resource, sorted by URN.
    pub resources: Vec<PlanResource>,
    /// Every invoke, sorted by token then arguments.
    pub invokes: Vec<PlanInvoke>,
    /// The stack outputs in wire form (secrets in envelopes).
    pub outputs: Map<String, Value>,
    /// Messages the program logged through the engine, in order (severity name, message, URN).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<PlanLog>,
    /// The compliance report, attached by the policy layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
}

/// One registration, as sent to the engine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanResource {
    /// The URN the engine answered.
    pub urn: String,
    /// Type token.
    #[serde(rename = "type")]
    pub ty: String,
    /// Logical name.
    pub name: String,
    /// Custom (true) or component (false).
    pub custom: bool,
    /// Parent URN (empty for the stack).
    pub parent: String,
    /// Provider reference `urn::id`, or empty for the default provider.
    pub provider: String,
    /// Provider version sent.
    pub version: String,
    /// Inputs exactly as sent (wire form).
    pub inputs: Map<String, Value>,
    /// All URNs this resource depends on (sorted).
    pub dependencies: Vec<String>,
    /// Per-property dependencies (sorted).
    pub property_dependencies: BTreeMap<String, Vec<String>>,
    /// Resource options.
    pub options: PlanOptions,
    /// Outputs the component registered (components only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Map<String, Value>>,
}

/// Resource options as sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// `protect`.
    pub protect: bool,
    /// `retainOnDelete`.
    pub retain_on_delete: bool,
    /// `deleteBeforeReplace`.
    pub delete_before_replace: bool,
    /// `ignoreChanges`.
    pub ignore_changes: Vec<String>,
    /// `replaceOnChanges`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_on_changes: Vec<String>,
    /// `additionalSecretOutputs`.
    pub additional_secret_outputs: Vec<String>,
    /// `customTimeouts` (create, update, delete), when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_timeouts: Option<BTreeMap<String, String>>,
    /// Alias URNs or specs, when set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// One invoke as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInvoke {
    /// Function token.
    pub token: String,
    /// Arguments (wire form).
    pub args: Map<String, Value>,
    /// The provider reference the call names (`<urn>::<id>`); empty for the default provider.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub provider: String,
}

/// One engine log message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanLog {
    /// `debug`, `info`, `warning` or `error`.
    pub severity: String,
    /// The message.
    pub message: String,
    /// The resource it is about, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub urn: String,
}

impl Plan {
    /// The resource with `urn`, if registered.
    pub fn resource(&self, urn: &str) -> Option<&PlanResource> {
        self.resources.iter().find(|r| r.urn == urn)
    }

    /// Every resource of type `ty`.
    pub fn of_type<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a PlanResource> + 'a {
        self.resources.iter().filter(move |r| r.ty == ty)
    }

    /// The plan as pretty JSON with a trailing newline (the `--json` file format).
    pub fn to_json_pretty(&self) -> String {
        // A Plan is plain data with string keys: serialization cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn severity_name(severity: i32) -> &'static str {
    match rpc::LogSeverity::try_from(severity) {
        Ok(rpc::LogSeverity::Debug) => "debug",
        Ok(rpc::LogSeverity::Info) => "info",
        Ok(rpc::LogSeverity::Warning) => "warning",
        Ok(rpc::LogSeverity::Error) | Err(_) => "error",
    }
}

fn sorted(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut items: Vec<String> = items.into_iter().collect();
    items.sort();
    items.dedup();
    items
}

fn plan_resource(request: &rpc::RegisterResourceRequest, urn: String) -> PlanResource {
    let timeouts = request.custom_timeouts.as_ref().map(|t| {
        [
            ("create", &t.create),
            ("update", &t.update),
            ("delete", &t.delete),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    });
    let aliases = request
        .aliases
        .iter()
        .filter_map(|alias| match &alias.alias {
            Some(rpc::alias::Alias::Urn(urn)) => Some(urn.clone()),
            Some(rpc::alias::Alias::Spec(spec)) => Some(format!("name={}", spec.name)),
            None => None,
        })
        .collect();
    PlanResource {
        urn,
        ty: request.r#type.clone(),
        name: request.name.clone(),
        custom: request.custom,
        parent: request.parent.clone(),
        provider: request.provider.clone(),
        version: request.version.clone(),
        inputs: request
            .object
            .as_ref()
            .map(|object| wire::redact_map(&wire::from_struct(object)))
            .unwrap_or_default(),
        dependencies: sorted(request.dependencies.iter().cloned()),
        property_dependencies: request
            .property_dependencies
            .iter()
            .map(|(k, v)| (k.clone(), sorted(v.urns.iter().cloned())))
            .collect(),
        options: PlanOptions {
            protect: request.protect.unwrap_or(false),
            retain_on_delete: request.retain_on_delete.unwrap_or(false),
            delete_before_replace: request.delete_before_replace,
            ignore_changes: request.ignore_changes.clone(),
            replace_on_changes: request.replace_on_changes.clone(),
            additional_secret_outputs: request.additional_secret_outputs.clone(),
            custom_timeouts: timeouts,
            aliases,
        },
        outputs: None,
    }
}

/// A [`Monitor`] wrapper that records every call into a [`Plan`].
pub struct Recorder {
    inner: Arc<dyn Monitor>,
    plan: Mutex<Plan>,
    stack_urn: Mutex<Option<String>>,
}

impl Recorder {
    /// Records the calls made to `inner` for the given project and stack.
    pub fn new(inner: Arc<dyn Monitor>, project: &str, stack: &str, dry_run: bool) -> Self {
        Self {
            inner,
            plan: Mutex::new(Plan {
                project: project.to_owned(),
                stack: stack.to_owned(),
                dry_run,
                ..Plan::default()
            }),
            stack_urn: Mutex::new(None),
        }
    }

    fn with_plan<R>(&self, f: impl FnOnce(&mut Plan) -> R) -> R {
        f(&mut self.plan.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The plan recorded so far, resources sorted by URN and invokes by token and arguments.
    pub fn plan(&self) -> Plan {
        let mut plan = self.with_plan(|plan| plan.clone());
        plan.resources.sort_by(|a, b| a.urn.cmp(&b.urn));
        plan.invokes
            .sort_by_cached_key(|i| (i.token.clone(), Value::Object(i.args.clone()).to_string()));
        plan
    }
}

#[async_trait]
impl Monitor for Recorder {
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError> {
        self.inner.supports_feature(id).await
    }

    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError> {
        let response = self.inner.register_resource(request.clone()).await?;
        if request.r#type == crate::urn::STACK_TYPE && request.parent.is_empty() {
            *self
                .stack_urn
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(response.urn.clone());
        }
        let entry = plan_resource(&request, response.urn.clone());
        self.with_plan(|plan| plan.resources.push(entry));
        Ok(response)
    }

    async fn register_resource_outputs(
        &self,
        request: rpc::RegisterResourceOutputsRequest,
    ) -> Result<(), EngineError> {
        self.inner
            .register_resource_outputs(request.clone())
            .await?;
        let outputs = request
            .outputs
            .as_ref()
            .map(|outputs| wire::redact_map(&wire::from_struct(outputs)))
            .unwrap_or_default();
        let is_stack = self
            .stack_urn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_deref()
            == Some(request.urn.as_str());
        self.with_plan(|plan| {
            if is_stack {
                plan.outputs = outputs;
            } else if let Some(resource) = plan.resources.iter_mut().find(|r| r.urn == request.urn)
            {
                resource.outputs = Some(outputs);
            }
        });
        Ok(())
    }

    async fn invoke(
        &self,
        request: rpc::ResourceInvokeRequest,
    ) -> Result<rpc::InvokeResponse, EngineError> {
        let entry = PlanInvoke {
            token: request.tok.clone(),
            args: request
                .args
                .as_ref()
                .map(|args| wire::redact_map(&wire::from_struct(args)))
                .unwrap_or_default(),
            provider: request.provider.clone(),
        };
        let response = self.inner.invoke(request).await?;
        self.with_plan(|plan| plan.invokes.push(entry));
        Ok(response)
    }

    async fn log(&self, request: rpc::LogRequest) -> Result<(), EngineError> {
        let entry = PlanLog {
            severity: severity_name(request.severity).to_owned(),
            message: request.message.clone(),
            urn: request.urn.clone(),
        };
        self.with_plan(|plan| plan.logs.push(entry));
        self.inner.log(request).await
    }

    async fn set_root_resource(&self, urn: &str) -> Result<(), EngineError> {
        self.inner.set_root_resource(urn).await
    }

    async fn signal_and_wait_for_shutdown(&self) -> Result<(), EngineError> {
        self.inner.signal_and_wait_for_shutdown().await
    }
}
