//! The `pulumirpc.Analyzer` gRPC service: routes each call to the pack. Written by hand (the
//! generated protocol crate in use has no analyzer service); every handler is synchronous and
//! answers from [`crate::pack`].

use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use payments_compliance::Settings;
use pulumi_gestalt_proto::pulumi::pulumirpc::PluginInfo;
use tonic::codegen::{Body, BoxFuture, StdError, http};
use tonic::{Request, Response, Status};

use crate::pack::{self, PACK_VERSION, PackConfig};
use crate::proto;

/// What the engine told the pack about the stack and its configuration.
#[derive(Default)]
struct State {
    config: PackConfig,
    settings: Settings,
    project: String,
    stack: String,
    dry_run: bool,
}

/// The analyzer service.
#[derive(Clone, Default)]
pub struct AnalyzerService {
    state: Arc<Mutex<State>>,
}

impl tonic::server::NamedService for AnalyzerService {
    const NAME: &'static str = "pulumirpc.Analyzer";
}

/// A synchronous handler as a tonic unary service.
struct Unary<F>(F);

impl<Req, Resp, F> tonic::server::UnaryService<Req> for Unary<F>
where
    F: FnMut(Req) -> Result<Resp, Status>,
{
    type Response = Resp;
    type Future = std::future::Ready<Result<Response<Resp>, Status>>;

    fn call(&mut self, request: Request<Req>) -> Self::Future {
        std::future::ready((self.0)(request.into_inner()).map(Response::new))
    }
}

/// Decodes `request` as `Req`, runs `handler`, encodes its answer.
fn unary<B, Req, Resp>(
    request: http::Request<B>,
    handler: impl FnMut(Req) -> Result<Resp, Status> + Send + 'static,
) -> BoxFuture<http::Response<tonic::body::Body>, std::convert::Infallible>
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
    Req: prost::Message + Default + Send + 'static,
    Resp: prost::Message + Send + 'static,
{
    Box::pin(async move {
        let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::<Resp, Req>::default());
        Ok(grpc.unary(Unary(handler), request).await)
    })
}

/// The answer to a method the pack does not implement (the engine treats it as optional).
fn unimplemented() -> BoxFuture<http::Response<tonic::body::Body>, std::convert::Infallible> {
    Box::pin(async move {
        let mut response = http::Response::new(tonic::body::Body::default());
        let headers = response.headers_mut();
        headers.insert(
            Status::GRPC_STATUS,
            (tonic::Code::Unimplemented as i32).into(),
        );
        headers.insert(
            http::header::CONTENT_TYPE,
            tonic::metadata::GRPC_CONTENT_TYPE,
        );
        Ok(response)
    })
}

impl AnalyzerService {
    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl<B> tonic::codegen::Service<http::Request<B>> for AnalyzerService
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let service = self.clone();
        match request.uri().path() {
            "/pulumirpc.Analyzer/Handshake" => {
                unary(request, |_: proto::AnalyzerHandshakeRequest| {
                    Ok(proto::AnalyzerHandshakeResponse {})
                })
            }
            "/pulumirpc.Analyzer/GetPluginInfo" => unary(request, |(): ()| {
                Ok(PluginInfo {
                    version: PACK_VERSION.to_owned(),
                })
            }),
            "/pulumirpc.Analyzer/GetAnalyzerInfo" => {
                unary(request, |(): ()| Ok(pack::analyzer_info()))
            }
            "/pulumirpc.Analyzer/ConfigureStack" => unary(
                request,
                move |stack: proto::AnalyzerStackConfigureRequest| {
                    service.with_state(|state| {
                        state.settings = pack::settings_from_stack_config(&stack.config);
                        state.project = stack.project;
                        state.stack = stack.stack;
                        state.dry_run = stack.dry_run;
                    });
                    Ok(proto::AnalyzerStackConfigureResponse {})
                },
            ),
            "/pulumirpc.Analyzer/Configure" => {
                unary(request, move |config: proto::ConfigureAnalyzerRequest| {
                    let config = pack::configure(&config).map_err(Status::invalid_argument)?;
                    service.with_state(|state| state.config = config);
                    Ok(())
                })
            }
            // Every rule is a stack policy: nothing is decided per resource.
            "/pulumirpc.Analyzer/Analyze" => unary(request, |_: proto::AnalyzeRequest| {
                Ok(proto::AnalyzeResponse::default())
            }),
            "/pulumirpc.Analyzer/AnalyzeStack" => {
                unary(request, move |stack: proto::AnalyzeStackRequest| {
                    Ok(service.with_state(|state| {
                        let plan = pack::plan_of(
                            &stack.resources,
                            &state.project,
                            &state.stack,
                            state.dry_run,
                        );
                        pack::analyze_stack(&plan, &state.settings, &state.config)
                    }))
                })
            }
            "/pulumirpc.Analyzer/Cancel" => unary(request, |(): ()| Ok(())),
            _ => unimplemented(),
        }
    }
}
