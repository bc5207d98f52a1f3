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
}

impl EngineError {
    /// An error for `call` with `message`.
    pub fn new(call: &'static str, message: impl Into<String>) -> Self {
        Self {
            call,
            message: message.into(),
        }
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
    ) -> Result<rpc::RegisterResourceResponse, EngineError>;
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
