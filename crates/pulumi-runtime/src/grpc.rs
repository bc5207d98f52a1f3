//! The engine client: the [`Monitor`] interface over gRPC (tonic with `pulumi_gestalt_proto`).
//!
//! Every transport or status error becomes an [`EngineError`]; nothing here panics.

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use rpc::engine_client::EngineClient;
use rpc::resource_monitor_client::ResourceMonitorClient;
use tonic::transport::Channel;

use crate::monitor::{EngineError, Monitor, RegisterResourceResponse};

/// Largest message accepted from the engine (the engine itself accepts up to 400 MiB).
const MAX_MESSAGE_BYTES: usize = 400 * 1024 * 1024;

/// gRPC clients for the resource monitor and, when its address is known, the engine.
pub struct GrpcMonitor {
    monitor: ResourceMonitorClient<Channel>,
    /// The monitor's channel, for the call whose answer the generated client cannot decode whole.
    monitor_channel: Channel,
    engine: Option<EngineClient<Channel>>,
}

/// The gRPC path of `ResourceMonitor.RegisterResource`.
const REGISTER_RESOURCE_PATH: &str = "/pulumirpc.ResourceMonitor/RegisterResource";

async fn channel(call: &'static str, address: &str) -> Result<Channel, EngineError> {
    let uri = if address.starts_with("http://") || address.starts_with("https://") {
        address.to_owned()
    } else {
        format!("http://{address}")
    };
    Channel::from_shared(uri)
        .map_err(|e| EngineError::new(call, format!("invalid address {address:?}: {e}")))?
        .connect()
        .await
        .map_err(|e| EngineError::new(call, format!("cannot connect to {address}: {e}")))
}

impl GrpcMonitor {
    /// Connects to the monitor at `monitor_address` (`host:port`) and the engine at
    /// `engine_address`, if given.
    pub async fn connect(
        monitor_address: &str,
        engine_address: Option<&str>,
    ) -> Result<Self, EngineError> {
        let monitor_channel = channel("connect", monitor_address).await?;
        let monitor = ResourceMonitorClient::new(monitor_channel.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let engine = match engine_address {
            Some(address) => Some(
                EngineClient::new(channel("connect", address).await?)
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(MAX_MESSAGE_BYTES),
            ),
            None => None,
        };
        Ok(Self {
            monitor,
            monitor_channel,
            engine,
        })
    }
}

fn status(call: &'static str) -> impl Fn(tonic::Status) -> EngineError {
    move |status| {
        let message = format!("{:?}: {}", status.code(), status.message());
        match status.code() {
            tonic::Code::Unavailable | tonic::Code::Cancelled => {
                EngineError::engine_stopped(call, message)
            }
            _ => EngineError::new(call, message),
        }
    }
}

#[async_trait]
impl Monitor for GrpcMonitor {
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError> {
        let request = rpc::SupportsFeatureRequest { id: id.to_owned() };
        let response = self
            .monitor
            .clone()
            .supports_feature(request)
            .await
            .map_err(status("SupportsFeature"))?;
        Ok(response.into_inner().has_support)
    }

    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError> {
        // The generated client would drop the answer's field 8 (`unknown`): decode it with the
        // runtime's own definition of the message over the same channel.
        let mut client = tonic::client::Grpc::new(self.monitor_channel.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        client.ready().await.map_err(|error| {
            EngineError::engine_stopped(
                "RegisterResource",
                format!("the engine is not reachable: {error}"),
            )
        })?;
        let codec =
            tonic_prost::ProstCodec::<rpc::RegisterResourceRequest, RegisterResourceResponse>::default();
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(REGISTER_RESOURCE_PATH);
        let response = client
            .unary(tonic::Request::new(request), path, codec)
            .await
            .map_err(status("RegisterResource"))?;
        Ok(response.into_inner())
    }

    async fn register_resource_outputs(
        &self,
        request: rpc::RegisterResourceOutputsRequest,
    ) -> Result<(), EngineError> {
        self.monitor
            .clone()
            .register_resource_outputs(request)
            .await
            .map_err(status("RegisterResourceOutputs"))?;
        Ok(())
    }

    async fn invoke(
        &self,
        request: rpc::ResourceInvokeRequest,
    ) -> Result<rpc::InvokeResponse, EngineError> {
        let response = self
            .monitor
            .clone()
            .invoke(request)
            .await
            .map_err(status("Invoke"))?;
        Ok(response.into_inner())
    }

    async fn log(&self, request: rpc::LogRequest) -> Result<(), EngineError> {
        match &self.engine {
            Some(engine) => {
                engine.clone().log(request).await.map_err(status("Log"))?;
            }
            // Without an engine address the message still reaches the user.
            None => eprintln!("{}", request.message),
        }
        Ok(())
    }

    async fn set_root_resource(&self, urn: &str) -> Result<(), EngineError> {
        let Some(engine) = &self.engine else {
            return Ok(());
        };
        let request = rpc::SetRootResourceRequest {
            urn: urn.to_owned(),
        };
        match engine.clone().set_root_resource(request).await {
            Ok(_) => Ok(()),
            Err(s) if s.code() == tonic::Code::Unimplemented => Ok(()),
            Err(s) => Err(status("SetRootResource")(s)),
        }
    }

    async fn signal_and_wait_for_shutdown(&self) -> Result<(), EngineError> {
        match self.monitor.clone().signal_and_wait_for_shutdown(()).await {
            Ok(_) => Ok(()),
            Err(s) if s.code() == tonic::Code::Unimplemented => Ok(()),
            Err(s) => Err(status("SignalAndWaitForShutdown")(s)),
        }
    }
}
