//! The program's handle on the engine: registrations, invokes, logs, and the bookkeeping that lets
//! the run wait for every outstanding call and report every error.
//!
//! Invariant: `register` never blocks. It spawns a task that waits for the inputs, then sends the
//! RPC; independent registrations are therefore in flight together, bounded by `parallel`.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

/// The run's error sink, at its former path (`context::ErrorSink`).
pub use crate::errors::ErrorSink;
use crate::monitor::{EngineError, Monitor};
use crate::property::{PropertyMap, resolve};
use crate::resource::{Alias, Registered, Resource, ResourceOptions};
use crate::wire;

/// Static facts about the run.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// Pulumi project name.
    pub project: String,
    /// Stack name.
    pub stack: String,
    /// Whether this is a preview.
    pub dry_run: bool,
    /// Maximum registrations in flight at once (`PULUMI_PARALLEL`); `None` means unbounded.
    pub parallel: Option<usize>,
}

struct Inner {
    info: RunInfo,
    monitor: Arc<dyn Monitor>,
    stack: Resource,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    errors: ErrorSink,
    permits: Option<Semaphore>,
}

/// The handle a program uses to register resources. Cheap to clone.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

/// Everything that describes one registration.
#[derive(Clone, Debug)]
pub struct Registration {
    /// Type token (`aws:ec2/vpc:Vpc`, or a component type such as `payments:network:Network`).
    pub ty: String,
    /// Logical name, unique per type and parent.
    pub name: String,
    /// Custom resource (true) or component (false).
    pub custom: bool,
    /// Input properties by wire name.
    pub args: PropertyMap,
    /// Provider plugin version (empty for components).
    pub version: String,
    /// Options.
    pub options: ResourceOptions,
}

impl Context {
    /// Registers the stack resource and returns the context for the program. Fails if the engine
    /// refuses the stack.
    pub async fn start(info: RunInfo, monitor: Arc<dyn Monitor>) -> Result<Self, EngineError> {
        let request = rpc::RegisterResourceRequest {
            r#type: crate::urn::STACK_TYPE.to_owned(),
            name: format!("{}-{}", info.project, info.stack),
            accept_secrets: true,
            accept_resources: true,
            supports_partial_values: true,
            ..Default::default()
        };
        let response = monitor.register_resource(request).await?;
        let registered = Arc::new(Registered {
            urn: response.urn,
            id: String::new(),
            outputs: Map::new(),
            outputs_unknown: false,
        });
        let errors = ErrorSink::default();
        let stack = Resource::new(
            crate::urn::STACK_TYPE.to_owned(),
            format!("{}-{}", info.project, info.stack),
            false,
            futures_util::future::ready(Some(registered))
                .boxed()
                .shared(),
            errors.clone(),
            info.dry_run,
        );
        let permits = info.parallel.filter(|n| *n > 0).map(Semaphore::new);
        Ok(Self {
            inner: Arc::new(Inner {
                info,
                monitor,
                stack,
                tasks: Mutex::new(Vec::new()),
                errors,
                permits,
            }),
        })
    }

    /// Facts about the run (project, stack, preview or not).
    pub fn info(&self) -> &RunInfo {
        &self.inner.info
    }

    /// Whether this run is a preview.
    pub fn dry_run(&self) -> bool {
        self.inner.info.dry_run
    }

    /// The stack resource.
    pub fn stack(&self) -> &Resource {
        &self.inner.stack
    }

    /// The errors recorded by background work so far.
    pub fn errors(&self) -> &ErrorSink {
        &self.inner.errors
    }

    /// Runs `future` in the background; the run waits for it before finishing.
    pub fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(future);
        self.inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
    }

    /// Waits until no background work is left (work may start more work).
    pub async fn wait_for_tasks(&self) {
        loop {
            let batch: Vec<JoinHandle<()>> = std::mem::take(
                &mut *self
                    .inner
                    .tasks
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            if batch.is_empty() {
                return;
            }
            for handle in batch {
                if let Err(err) = handle.await {
                    self.inner
                        .errors
                        .push(format!("a background task failed: {err}"));
                }
            }
        }
    }

    /// Registers a resource. Returns at once; the RPC goes out when every input has resolved.
    pub fn register(&self, registration: Registration) -> Resource {
        let (sender, receiver) = oneshot::channel();
        let shared = receiver
            .map(|result| result.ok().flatten())
            .boxed()
            .shared();
        let resource = Resource::new(
            registration.ty.clone(),
            registration.name.clone(),
            registration.custom,
            shared,
            self.inner.errors.clone(),
            self.dry_run(),
        );
        registration
            .options
            .parent
            .as_ref()
            .unwrap_or(&self.inner.stack)
            .adopt(resource.clone());
        let context = self.clone();
        self.spawn(async move {
            let result = context.send_registration(registration).await;
            // The receiver lives as long as any handle; a send error only means nobody listens.
            let _ = sender.send(result);
        });
        resource
    }

    async fn send_registration(&self, registration: Registration) -> Option<Arc<Registered>> {
        let Registration {
            ty,
            name,
            custom,
            args,
            version,
            options,
        } = registration;
        let parent = options.parent.as_ref().unwrap_or(&self.inner.stack);
        // A failed parent, provider or dependency has already reported its error: stop quietly.
        let parent_urn = parent.registered().await?.urn.clone();
        let provider = match &options.provider {
            Some(provider) => provider.provider_reference().await?,
            None => String::new(),
        };
        let mut depends_on = BTreeSet::new();
        for resource in &options.depends_on {
            expand_dependency(resource, &mut depends_on).await?;
        }
        let resolved = resolve(&args).await;
        let mut dependencies = resolved.all_dependencies();
        dependencies.extend(depends_on);
        let request = rpc::RegisterResourceRequest {
            r#type: ty.clone(),
            name: name.clone(),
            parent: parent_urn,
            custom,
            object: Some(wire::to_struct(&resolved.object)),
            protect: Some(false),
            retain_on_delete: Some(false),
            dependencies: dependencies.into_iter().collect(),
            provider,
            property_dependencies: property_dependencies(resolved.property_dependencies),
            delete_before_replace: options.delete_before_replace,
            // Defined only when set: an explicit `false` would override a provider's request to
            // delete before replacing (e.g. a resource whose physical name is fixed).
            delete_before_replace_defined: options.delete_before_replace,
            version,
            ignore_changes: options.ignore_changes,
            replace_on_changes: options.replace_on_changes,
            accept_secrets: true,
            accept_resources: true,
            supports_partial_values: true,
            supports_result_reporting: true,
            additional_secret_outputs: options.additional_secret_outputs,
            custom_timeouts: options.custom_timeouts.map(|t| {
                rpc::register_resource_request::CustomTimeouts {
                    create: t.create.unwrap_or_default(),
                    update: t.update.unwrap_or_default(),
                    delete: t.delete.unwrap_or_default(),
                }
            }),
            aliases: options.aliases.into_iter().map(alias_message).collect(),
            alias_specs: true,
            ..Default::default()
        };
        let _permit = match &self.inner.permits {
            Some(permits) => permits.acquire().await.ok(),
            None => None,
        };
        match self.inner.monitor.register_resource(request).await {
            Ok(response) => Some(Arc::new(Registered {
                outputs_unknown: response.outputs_unknown(),
                urn: response.urn,
                id: response.id,
                outputs: response
                    .object
                    .as_ref()
                    .map(wire::from_struct)
                    .unwrap_or_default(),
            })),
            Err(err) => {
                self.inner
                    .errors
                    .push_engine_error(&format!("registering {ty} `{name}`"), &err);
                None
            }
        }
    }

    /// Registers a component resource: a node of the resource tree whose children name it as
    /// their parent.
    pub fn component(&self, ty: &str, name: &str, options: ResourceOptions) -> Resource {
        self.register(Registration {
            ty: ty.to_owned(),
            name: name.to_owned(),
            custom: false,
            args: PropertyMap::new(),
            version: String::new(),
            options,
        })
    }

    /// Registers the outputs of `resource` (a component or the stack) once they resolve.
    pub fn register_outputs(&self, resource: &Resource, outputs: PropertyMap) {
        let (context, resource) = (self.clone(), resource.clone());
        self.spawn(async move {
            let Some(registered) = resource.registered().await else {
                return;
            };
            let resolved = resolve(&outputs).await;
            let request = rpc::RegisterResourceOutputsRequest {
                urn: registered.urn.clone(),
                outputs: Some(wire::to_struct(&resolved.object)),
            };
            if let Err(err) = context
                .inner
                .monitor
                .register_resource_outputs(request)
                .await
            {
                context
                    .inner
                    .errors
                    .push_engine_error("registering outputs", &err);
            }
        });
    }

    /// Calls a provider function (through `provider` when given, else the engine's default
    /// provider) and returns its result. Envelopes are removed except secrets: a secret value
    /// stays wrapped in the secret envelope so it cannot be mistaken for a plain one. Fails on an
    /// engine error or when the provider reports failures.
    pub async fn invoke(
        &self,
        token: &str,
        args: &PropertyMap,
        version: &str,
        provider: Option<&Resource>,
    ) -> Result<Map<String, Value>, String> {
        let resolved = resolve(args).await;
        let provider = match provider {
            Some(p) => p.provider_reference().await.unwrap_or_default(),
            None => String::new(),
        };
        let request = rpc::ResourceInvokeRequest {
            tok: token.to_owned(),
            args: Some(wire::to_struct(&resolved.object)),
            provider,
            version: version.to_owned(),
            accept_resources: true,
            ..Default::default()
        };
        let response = self
            .inner
            .monitor
            .invoke(request)
            .await
            .map_err(|err| format!("invoking {token}: {err}"))?;
        if !response.failures.is_empty() {
            let reasons: Vec<String> = response
                .failures
                .iter()
                .map(|f| format!("{}: {}", f.property, f.reason))
                .collect();
            return Err(format!("invoking {token}: {}", reasons.join("; ")));
        }
        let result = response
            .r#return
            .as_ref()
            .map(wire::from_struct)
            .unwrap_or_default();
        Ok(result
            .into_iter()
            .filter_map(|(key, value)| {
                let decoded = wire::decode(&value);
                let plain = decoded.value?;
                let kept = if decoded.secret {
                    wire::secret_envelope(plain)
                } else {
                    plain
                };
                Some((key, kept))
            })
            .collect())
    }

    /// Sends a warning through the engine (shown by `pulumi preview` and recorded in the plan).
    pub fn warn(&self, message: impl Into<String>) {
        self.log(rpc::LogSeverity::Warning, message.into());
    }

    /// Sends an informational message through the engine.
    pub fn info_message(&self, message: impl Into<String>) {
        self.log(rpc::LogSeverity::Info, message.into());
    }

    fn log(&self, severity: rpc::LogSeverity, message: String) {
        let context = self.clone();
        self.spawn(async move {
            let request = rpc::LogRequest {
                severity: severity.into(),
                message,
                ..Default::default()
            };
            if let Err(err) = context.inner.monitor.log(request).await {
                context.inner.errors.push(err.to_string());
            }
        });
    }
}

fn property_dependencies(
    map: BTreeMap<String, BTreeSet<String>>,
) -> std::collections::HashMap<String, rpc::register_resource_request::PropertyDependencies> {
    map.into_iter()
        .map(|(key, urns)| {
            (
                key,
                rpc::register_resource_request::PropertyDependencies {
                    urns: urns.into_iter().collect(),
                },
            )
        })
        .collect()
}

/// Adds the URN of `resource` to `urns` and, for a component, the URNs of its children
/// (recursively), as the official SDKs expand a `dependsOn` on a component: the dependent then
/// waits for everything the component contains. Returns `None` when a registration failed (its
/// error is already recorded).
fn expand_dependency<'a>(
    resource: &'a Resource,
    urns: &'a mut BTreeSet<String>,
) -> futures_util::future::BoxFuture<'a, Option<()>> {
    Box::pin(async move {
        urns.insert(resource.registered().await?.urn.clone());
        if !resource.is_custom() {
            for child in resource.children() {
                expand_dependency(&child, urns).await?;
            }
        }
        Some(())
    })
}

fn alias_message(alias: Alias) -> rpc::Alias {
    let inner = match alias {
        Alias::Urn(urn) => rpc::alias::Alias::Urn(urn),
        Alias::Name(name) => rpc::alias::Alias::Spec(rpc::alias::Spec {
            name,
            ..Default::default()
        }),
    };
    rpc::Alias { alias: Some(inner) }
}
