//! The engine interface the program talks to: the resource monitor and engine services of the
//! Pulumi protocol, as one trait with two implementations (gRPC in `grpc`, in-process in `local`).
//!
//! The trait uses the real protocol messages from `pulumi_gestalt_proto`, so the local engine sees
//! exactly what the real engine would.

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;

/// A failed engine call, with the call that failed.
#[derive(Debug, thiserror::Error)]
#[error("{call} failed: {message}")]
pub struct EngineError {
    /// The RPC name, e.g. `RegisterResource`.
    pub call: &'static str,
    /// What the engine or transport said.
    pub message: String,
    /// Whether the engine had stopped serving the program (gRPC `UNAVAILABLE` or `CANCELLED`):
    /// after a failed step of `pulumi up` the engine reports that failure itself and shuts the
    /// monitor down, so every registration still in flight fails this way as a consequence.
    pub engine_stopped: bool,
}

impl EngineError {
    /// An error for `call` with `message`.
    pub fn new(call: &'static str, message: impl Into<String>) -> Self {
        Self {
            call,
            message: message.into(),
            engine_stopped: false,
        }
    }

    /// An error for `call` because the engine stopped serving the program.
    pub fn engine_stopped(call: &'static str, message: impl Into<String>) -> Self {
        Self {
            engine_stopped: true,
            ..Self::new(call, message)
        }
    }
}

/// `pulumirpc.RegisterResourceResponse` as engines send it today. The generated protocol crate in
/// use predates field 8 (`unknown`), so the runtime decodes the answer with this definition: the
/// same wire format, one field more.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RegisterResourceResponse {
    /// The URN assigned by the engine.
    #[prost(string, tag = "1")]
    pub urn: String,
    /// The id assigned by the provider (empty in a preview for a resource not yet created).
    #[prost(string, tag = "2")]
    pub id: String,
    /// The resulting properties.
    #[prost(message, optional, tag = "3")]
    pub object: Option<prost_types::Struct>,
    /// Whether the state is stable.
    #[prost(bool, tag = "4")]
    pub stable: bool,
    /// Guaranteed-stable properties.
    #[prost(string, repeated, tag = "5")]
    pub stables: Vec<String>,
    /// Property dependencies of the outputs.
    #[prost(map = "string, message", tag = "6")]
    pub property_dependencies:
        std::collections::HashMap<String, rpc::register_resource_response::PropertyDependencies>,
    /// `pulumirpc.Result`: SUCCESS (0), FAIL (1) or SKIP (2); FAIL and SKIP are sent only to a
    /// program that sets `supportsResultReporting` (e.g. under `pulumi up --continue-on-error`).
    #[prost(int32, tag = "7")]
    pub result: i32,
    /// True when the create was elided (a skipped create, a targeted update): the outputs must
    /// be treated as unknown.
    #[prost(bool, tag = "8")]
    pub unknown: bool,
}

impl RegisterResourceResponse {
    /// Whether the outputs are not to be trusted: a failed or skipped registration, or an elided
    /// create. The runtime then resolves every output as unknown, as the official SDKs do.
    pub fn outputs_unknown(&self) -> bool {
        self.result != rpc::Result::Success as i32 || self.unknown
    }
}

/// The calls a Pulumi program makes to the engine.
#[async_trait]
pub trait Monitor: Send + Sync {
    /// `ResourceMonitor.SupportsFeature`.
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError>;
    /// `ResourceMonitor.RegisterResource`.
    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError>;
    /// `ResourceMonitor.RegisterResourceOutputs`.
    async fn register_resource_outputs(
        &self,
        request: rpc::RegisterResourceOutputsRequest,
    ) -> Result<(), EngineError>;
    /// `ResourceMonitor.Invoke`.
    async fn invoke(
        &self,
        request: rpc::ResourceInvokeRequest,
    ) -> Result<rpc::InvokeResponse, EngineError>;
    /// `Engine.Log`.
    async fn log(&self, request: rpc::LogRequest) -> Result<(), EngineError>;
    /// `Engine.SetRootResource`.
    async fn set_root_resource(&self, urn: &str) -> Result<(), EngineError>;
    /// `ResourceMonitor.SignalAndWaitForShutdown` (an engine without it counts as success).
    async fn signal_and_wait_for_shutdown(&self) -> Result<(), EngineError>;
}
