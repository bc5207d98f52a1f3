//! The local engine: the [`Monitor`] interface in process, so the whole program runs offline.
//!
//! - URNs follow the engine's rules; ids are derived from the URN (deterministic across runs).
//! - Answers echo the inputs plus the computed outputs a [`Simulator`] supplies; in preview the
//!   computed outputs and ids are unknown, as the real engine reports them.
//! - Malformed requests (unknown parent, bad type token, duplicate URN, registration after
//!   shutdown) are refused with an error, as the real engine would.
//! - Each registration waits the simulator's latency for its type on tokio's clock, so a test with
//!   paused time measures a deployment's makespan exactly and instantly.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::monitor::{EngineError, Monitor, RegisterResourceResponse};
use crate::urn::{self, STACK_TYPE};
use crate::wire;

/// Provider-specific behaviour of the local engine.
pub trait Simulator: Send + Sync {
    /// The outputs a provider computes for a new resource (arn, dnsName, endpoint ...), given its
    /// id, inputs and its provider's configuration (the explicit provider's inputs; empty for a
    /// default provider), all in wire form. Only outputs not already among the inputs are used.
    fn computed_outputs(
        &self,
        ty: &str,
        name: &str,
        id: &str,
        inputs: &Map<String, Value>,
        provider: &Map<String, Value>,
    ) -> Map<String, Value>;
    /// The answer to a provider function, or the reason it fails.
    fn invoke(&self, token: &str, args: &Map<String, Value>) -> Result<Map<String, Value>, String>;
    /// How long creating a resource of type `ty` takes.
    fn latency(&self, ty: &str) -> Duration;
}

/// A simulator with no provider knowledge: no computed outputs, no functions, no latency.
pub struct NoSimulator;

impl Simulator for NoSimulator {
    fn computed_outputs(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &Map<String, Value>,
        _: &Map<String, Value>,
    ) -> Map<String, Value> {
        Map::new()
    }
    fn invoke(&self, token: &str, _: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        Err(format!("the local engine has no answer for {token}"))
    }
    fn latency(&self, _: &str) -> Duration {
        Duration::ZERO
    }
}

#[derive(Default)]
struct State {
    /// URN -> qualified type, for every registered resource.
    registered: BTreeMap<String, String>,
    /// URN -> inputs, for every registered provider (`pulumi:providers:*`): their configuration.
    providers: BTreeMap<String, Map<String, Value>>,
    shutdown: bool,
}

/// The in-process engine.
pub struct LocalEngine {
    project: String,
    stack: String,
    dry_run: bool,
    simulator: Arc<dyn Simulator>,
    state: Mutex<State>,
}

impl LocalEngine {
    /// A local engine for `project`/`stack`, previewing when `dry_run`.
    pub fn new(project: &str, stack: &str, dry_run: bool, simulator: Arc<dyn Simulator>) -> Self {
        Self {
            project: project.to_owned(),
            stack: stack.to_owned(),
            dry_run,
            simulator,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn refuse(message: String) -> EngineError {
        EngineError::new("RegisterResource", message)
    }

    /// Validates a registration and reserves its URN.
    fn admit(&self, request: &rpc::RegisterResourceRequest) -> Result<String, EngineError> {
        let mut state = self.state();
        if state.shutdown {
            return Err(Self::refuse(format!(
                "{} registered after shutdown",
                request.name
            )));
        }
        if request.custom && !urn::is_custom_type_token(&request.r#type) {
            return Err(Self::refuse(format!(
                "custom resource type {:?} is not a pkg:module:Type token",
                request.r#type
            )));
        }
        let parent_type = if request.parent.is_empty() {
            if request.r#type != STACK_TYPE {
                return Err(Self::refuse(format!(
                    "{} {:?} has no parent",
                    request.r#type, request.name
                )));
            }
            None
        } else {
            let known = state.registered.get(&request.parent).ok_or_else(|| {
                Self::refuse(format!(
                    "{:?} names an unknown parent {}",
                    request.name, request.parent
                ))
            })?;
            Some(known.clone())
        };
        let urn = urn::urn(
            &self.stack,
            &self.project,
            parent_type.as_deref(),
            &request.r#type,
            &request.name,
        );
        let qualified = urn::qualified_type(&urn).unwrap_or_default().to_owned();
        if state.registered.insert(urn.clone(), qualified).is_some() {
            return Err(Self::refuse(format!("duplicate resource URN {urn}")));
        }
        Ok(urn)
    }

    fn outputs(&self, request: &rpc::RegisterResourceRequest, id: &str) -> Map<String, Value> {
        let mut outputs = request
            .object
            .as_ref()
            .map(wire::from_struct)
            .unwrap_or_default();
        if request.custom {
            // `urn::id` of an explicit provider; the URN itself contains `::`, the id does not.
            let provider_urn = request
                .provider
                .rsplit_once("::")
                .map_or("", |(urn, _)| urn);
            let provider = self
                .state()
                .providers
                .get(provider_urn)
                .cloned()
                .unwrap_or_default();
            let computed = self.simulator.computed_outputs(
                &request.r#type,
                &request.name,
                id,
                &outputs,
                &provider,
            );
            for (key, value) in computed {
                let value = if self.dry_run {
                    wire::unknown_value()
                } else {
                    value
                };
                outputs.entry(key).or_insert(value);
            }
        }
        for key in &request.additional_secret_outputs {
            if let Some(value) = outputs.remove(key) {
                outputs.insert(key.clone(), wire::secret_envelope(value));
            }
        }
        outputs
    }
}

/// A deterministic id such as `vpc-1a2b3c4d5e6f7a8b9` derived from the URN.
pub fn deterministic_id(ty: &str, urn: &str) -> String {
    let digest = Sha256::digest(urn.as_bytes());
    let hex: String = digest.iter().take(9).map(|b| format!("{b:02x}")).collect();
    let prefix: String = ty
        .rsplit(':')
        .next()
        .unwrap_or(ty)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("{prefix}-{}", &hex[..17])
}

#[async_trait]
impl Monitor for LocalEngine {
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError> {
        Ok(matches!(
            id,
            "secrets" | "resourceReferences" | "outputValues" | "aliasSpecs"
        ))
    }

    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError> {
        let urn = self.admit(&request)?;
        if request.r#type.starts_with("pulumi:providers:") {
            let inputs = request
                .object
                .as_ref()
                .map(wire::from_struct)
                .unwrap_or_default();
            self.state().providers.insert(urn.clone(), inputs);
        }
        let latency = if request.custom {
            self.simulator.latency(&request.r#type)
        } else {
            Duration::ZERO
        };
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let id = if request.custom && !self.dry_run {
            deterministic_id(&request.r#type, &urn)
        } else {
            String::new()
        };
        let mut outputs = self.outputs(&request, &id);
        if request.custom {
            let id_value = if id.is_empty() {
                wire::unknown_value()
            } else {
                Value::String(id.clone())
            };
            outputs.insert("id".to_owned(), id_value);
        }
        Ok(RegisterResourceResponse {
            urn,
            id,
            object: Some(wire::to_struct(&outputs)),
            ..Default::default()
        })
    }

    async fn register_resource_outputs(
        &self,
        request: rpc::RegisterResourceOutputsRequest,
    ) -> Result<(), EngineError> {
        if self.state().registered.contains_key(&request.urn) {
            Ok(())
        } else {
            Err(EngineError::new(
                "RegisterResourceOutputs",
                format!("unknown URN {}", request.urn),
            ))
        }
    }

    async fn invoke(
        &self,
        request: rpc::ResourceInvokeRequest,
    ) -> Result<rpc::InvokeResponse, EngineError> {
        let args = request
            .args
            .as_ref()
            .map(wire::from_struct)
            .unwrap_or_default();
        Ok(match self.simulator.invoke(&request.tok, &args) {
            Ok(result) => rpc::InvokeResponse {
                r#return: Some(wire::to_struct(&result)),
                failures: Vec::new(),
            },
            Err(reason) => rpc::InvokeResponse {
                r#return: None,
                failures: vec![rpc::CheckFailure {
                    property: String::new(),
                    reason,
                }],
            },
        })
    }

    async fn log(&self, _request: rpc::LogRequest) -> Result<(), EngineError> {
        Ok(())
    }

    async fn set_root_resource(&self, _urn: &str) -> Result<(), EngineError> {
        Ok(())
    }

    async fn signal_and_wait_for_shutdown(&self) -> Result<(), EngineError> {
        self.state().shutdown = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ty: &str, name: &str, parent: &str, custom: bool) -> rpc::RegisterResourceRequest {
        rpc::RegisterResourceRequest {
            r#type: ty.to_owned(),
            name: name.to_owned(),
            parent: parent.to_owned(),
            custom,
            ..Default::default()
        }
    }

    fn engine(dry_run: bool) -> LocalEngine {
        LocalEngine::new("proj", "dev", dry_run, Arc::new(NoSimulator))
    }

    #[tokio::test]
    async fn refuses_unknown_parents_bad_tokens_duplicates_and_late_registrations() {
        let engine = engine(false);
        let stack = engine
            .register_resource(request(STACK_TYPE, "proj-dev", "", false))
            .await
            .expect("stack")
            .urn;
        assert!(
            engine
                .register_resource(request("a:b:C", "x", "urn:nope", true))
                .await
                .is_err()
        );
        assert!(
            engine
                .register_resource(request("aws:Vpc", "x", &stack, true))
                .await
                .is_err()
        );
        assert!(
            engine
                .register_resource(request("a:b:C", "x", &stack, true))
                .await
                .is_ok()
        );
        assert!(
            engine
                .register_resource(request("a:b:C", "x", &stack, true))
                .await
                .is_err()
        );
        engine
            .signal_and_wait_for_shutdown()
            .await
            .expect("shutdown");
        assert!(
            engine
                .register_resource(request("a:b:C", "y", &stack, true))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn ids_are_deterministic_and_unknown_in_preview() {
        let deploy = engine(false);
        let preview = engine(true);
        for engine in [&deploy, &preview] {
            engine
                .register_resource(request(STACK_TYPE, "proj-dev", "", false))
                .await
                .expect("stack");
        }
        let parent = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev";
        let a = deploy
            .register_resource(request("aws:ec2/vpc:Vpc", "v", parent, true))
            .await
            .expect("a");
        assert_eq!(a.id, deterministic_id("aws:ec2/vpc:Vpc", &a.urn));
        assert!(a.id.starts_with("vpc-"));
        let b = preview
            .register_resource(request("aws:ec2/vpc:Vpc", "v", parent, true))
            .await
            .expect("b");
        assert_eq!(b.id, "");
    }
}
