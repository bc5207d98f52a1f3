//! Resource handles and options.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::{BoxFuture, Shared};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::errors::ErrorSink;
use crate::output::{Output, OutputData, OutputValue};
use crate::wire;

/// What the engine answered for a registration.
#[derive(Clone, Debug)]
pub struct Registered {
    /// The resource's URN.
    pub urn: String,
    /// Its provider id; empty when unknown (preview) or for components.
    pub id: String,
    /// Output properties in wire form.
    pub outputs: Map<String, Value>,
    /// Whether the engine said the outputs are not to be trusted (a failed or skipped
    /// registration, an elided create): the id and every output then resolve as unknown.
    pub outputs_unknown: bool,
}

/// The registration's eventual result: `None` when it failed (the error is in the error sink).
pub(crate) type Registration = Shared<BoxFuture<'static, Option<Arc<Registered>>>>;

/// A registered resource: cheap to clone, usable at once, resolved when the engine answers.
#[derive(Clone)]
pub struct Resource {
    ty: String,
    name: String,
    custom: bool,
    registration: Registration,
    errors: ErrorSink,
    dry_run: bool,
    /// The resources registered with this one as their parent, in registration order.
    children: Arc<Mutex<Vec<Resource>>>,
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Resource({} {})", self.ty, self.name)
    }
}

impl Resource {
    pub(crate) fn new(
        ty: String,
        name: String,
        custom: bool,
        registration: Registration,
        errors: ErrorSink,
        dry_run: bool,
    ) -> Self {
        Self {
            ty,
            name,
            custom,
            registration,
            errors,
            dry_run,
            children: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Records `child` as registered with this resource as its parent.
    pub(crate) fn adopt(&self, child: Resource) {
        self.children
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(child);
    }

    /// The children registered so far.
    pub(crate) fn children(&self) -> Vec<Resource> {
        self.children
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether this is a custom resource (false for components and the stack).
    pub fn is_custom(&self) -> bool {
        self.custom
    }

    /// The type token.
    pub fn type_token(&self) -> &str {
        &self.ty
    }

    /// The logical name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the engine's answer (`None` if the registration failed).
    pub async fn registered(&self) -> Option<Arc<Registered>> {
        self.registration.clone().await
    }

    fn derive<T: OutputValue>(
        &self,
        f: impl FnOnce(&Registered) -> OutputData<T> + Send + 'static,
    ) -> Output<T> {
        let registration = self.registration.clone();
        Output::from_future(async move {
            match registration.await {
                Some(registered) => {
                    let mut data = f(&registered);
                    data.dependencies.insert(registered.urn.clone());
                    data
                }
                None => OutputData::unknown(),
            }
        })
    }

    /// The URN, as an output that depends on this resource.
    pub fn urn(&self) -> Output<String> {
        self.derive(|r| OutputData::known(r.urn.clone()))
    }

    /// The provider id (unknown during preview until the resource exists).
    pub fn id(&self) -> Output<String> {
        self.derive(|r| match r.id.as_str() {
            _ if r.outputs_unknown => OutputData::unknown(),
            "" | wire::UNKNOWN => OutputData::unknown(),
            id => OutputData::known(id.to_owned()),
        })
    }

    /// An output property decoded into `T`. Unknown while the engine reports it unknown; secret when
    /// the engine marks it secret. A value that does not decode is reported as a program error.
    pub fn output<T: OutputValue + DeserializeOwned>(&self, property: &str) -> Output<T> {
        let property = property.to_owned();
        let (errors, dry_run) = (self.errors.clone(), self.dry_run);
        let resource = format!("{} {}", self.ty, self.name);
        self.derive(move |registered| {
            if registered.outputs_unknown {
                return OutputData::unknown();
            }
            let raw = registered
                .outputs
                .get(&property)
                .cloned()
                .unwrap_or(Value::Null);
            let decoded = wire::decode(&raw);
            let value = decoded.value.and_then(|value| {
                match serde_json::from_value::<T>(value) {
                    Ok(typed) => Some(typed),
                    // During preview a computed output may be absent: unknown, not an error.
                    Err(_) if dry_run && raw.is_null() => None,
                    Err(err) => {
                        errors.push(format!(
                            "{resource}: output `{property}` has an unexpected shape: {err}"
                        ));
                        None
                    }
                }
            });
            OutputData {
                value,
                secret: decoded.secret,
                dependencies: decoded.dependencies,
            }
        })
    }

    /// The reference string the engine expects in `provider`: `urn::id` (id unknown in preview).
    pub(crate) async fn provider_reference(&self) -> Option<String> {
        self.registered().await.map(|r| {
            let id = if r.id.is_empty() {
                wire::UNKNOWN
            } else {
                &r.id
            };
            format!("{}::{}", r.urn, id)
        })
    }
}

/// Custom create/update/delete timeouts, e.g. `"40m"`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomTimeouts {
    /// Create timeout.
    pub create: Option<String>,
    /// Update timeout.
    pub update: Option<String>,
    /// Delete timeout.
    pub delete: Option<String>,
}

/// A former identity of a resource, so a rename or re-parent is not a replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alias {
    /// The full former URN.
    Urn(String),
    /// The former logical name (same type and parent).
    Name(String),
}

/// Options of a registration. `protect` and `retainOnDelete` are deliberately absent: every
/// resource of this project must stay destroyable, so they are always sent as false.
#[derive(Clone, Debug, Default)]
pub struct ResourceOptions {
    /// The parent component (default: the stack).
    pub parent: Option<Resource>,
    /// Extra dependencies beyond the data dependencies of the inputs.
    pub depends_on: Vec<Resource>,
    /// An explicit provider resource.
    pub provider: Option<Resource>,
    /// Delete the old resource before creating its replacement.
    pub delete_before_replace: bool,
    /// Input properties whose changes are ignored.
    pub ignore_changes: Vec<String>,
    /// Input properties whose change forces a replacement.
    pub replace_on_changes: Vec<String>,
    /// Output properties the engine must treat as secret.
    pub additional_secret_outputs: Vec<String>,
    /// Operation timeouts.
    pub custom_timeouts: Option<CustomTimeouts>,
    /// Former identities.
    pub aliases: Vec<Alias>,
}

impl ResourceOptions {
    /// Options with only a parent set.
    pub fn parent(parent: &Resource) -> Self {
        Self {
            parent: Some(parent.clone()),
            ..Self::default()
        }
    }

    /// Adds a provider.
    #[must_use]
    pub fn with_provider(mut self, provider: &Resource) -> Self {
        self.provider = Some(provider.clone());
        self
    }

    /// Adds explicit dependencies.
    #[must_use]
    pub fn with_depends_on<'a>(
        mut self,
        resources: impl IntoIterator<Item = &'a Resource>,
    ) -> Self {
        self.depends_on.extend(resources.into_iter().cloned());
        self
    }
}
