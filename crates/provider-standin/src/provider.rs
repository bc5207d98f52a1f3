//! The `pulumirpc.ResourceProvider` service of the stand-in.
//!
//! What it models: the plugin handshake and configuration the engine performs; `Check` against the
//! pinned schema index (unknown properties, wrong shapes, missing required ones become check
//! failures, as a real provider reports them); `Diff` by top-level property with the
//! replacements of [`crate::diff::FORCE_NEW`]; `Create`/`Update` answering the inputs plus the
//! computed outputs of the project's AWS simulator (unknown in preview) with ids derived from the
//! URN; `Read` echoing the state; `Delete`; `Invoke` for the functions the simulator answers;
//! `GetSchema` from the schema index ([`crate::schema_doc`]).
//!
//! What it does not model: AWS itself (no API call, no eventual consistency, no service limits),
//! provider defaults and normalisation of values, conflicts between properties, the real
//! `ForceNew` set beyond the table, refresh drift, import, and the partial-create state a real
//! provider can return after a failed create.

use std::path::PathBuf;

use payments_aws::schema::{self, Package};
use payments_aws::simulator::AwsSimulator;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use pulumi_runtime::local::{Simulator, deterministic_id};
use pulumi_runtime::{urn, wire};
use rpc::diff_response::DiffChanges;
use rpc::resource_provider_server::ResourceProvider;
use serde_json::{Map, Value};
use tonic::{Request, Response, Status};

use crate::diff::{self, contains_unknown};
use crate::faults::Faults;
use crate::journal::{Entry, Journal};
use crate::schema_doc;

/// The stand-in provider for one package.
pub struct StandinProvider {
    package: Package,
    simulator: AwsSimulator,
    journal: Journal,
    faults: Faults,
    /// The configuration the engine sent (`Configure` args: region, default tags ...).
    configuration: std::sync::Mutex<Map<String, Value>>,
}

impl StandinProvider {
    /// The provider for `package`, with the journal and faults the environment names.
    pub fn from_env(package: Package) -> Result<Self, String> {
        let journal_path = std::env::var_os("PULUMI_PROVIDER_STANDIN_JOURNAL").map(PathBuf::from);
        let journal = Journal::open(journal_path.as_deref())
            .map_err(|error| format!("cannot open the journal: {error}"))?;
        let faults =
            Faults::new(std::env::var_os("PULUMI_PROVIDER_STANDIN_FAULTS").map(PathBuf::from));
        Ok(Self {
            package,
            simulator: AwsSimulator::default(),
            journal,
            faults,
            configuration: std::sync::Mutex::default(),
        })
    }

    fn record(&self, op: &str, urn: &str, id: &str, preview: bool, outcome: &str) {
        let ty = urn::resource_type(urn).unwrap_or_default();
        self.journal.record(&Entry {
            op,
            urn,
            ty,
            id,
            preview,
            outcome,
        });
    }

    /// Fails the call when a fault for it is armed.
    fn fault(&self, op: &str, urn: &str, id: &str) -> Result<(), Status> {
        let ty = urn::resource_type(urn).unwrap_or_default();
        match self.faults.take(ty, op) {
            Ok(false) => Ok(()),
            Ok(true) => {
                let reason = format!("injected fault: {op} of {ty} fails (provider stand-in)");
                self.record(op, urn, id, false, &format!("failed: {reason}"));
                Err(Status::unknown(reason))
            }
            Err(error) => Err(Status::failed_precondition(error)),
        }
    }

    /// The inputs plus the simulator's computed outputs; in preview the computed ones are unknown.
    fn outputs(
        &self,
        urn: &str,
        id: &str,
        inputs: &Map<String, Value>,
        preview: bool,
    ) -> Map<String, Value> {
        let ty = urn::resource_type(urn).unwrap_or_default();
        let name = urn.rsplit("::").next().unwrap_or_default();
        let mut outputs = inputs.clone();
        let configuration = self
            .configuration
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for (key, value) in self
            .simulator
            .computed_outputs(ty, name, id, inputs, &configuration)
        {
            if !outputs.contains_key(&key) {
                let value = if preview {
                    wire::unknown_value()
                } else {
                    value
                };
                outputs.insert(key, value);
            }
        }
        outputs
    }
}

fn object(value: Option<&prost_types::Struct>) -> Map<String, Value> {
    value.map(wire::from_struct).unwrap_or_default()
}

fn check_failures(violations: Vec<schema::SchemaViolation>) -> Vec<rpc::CheckFailure> {
    violations
        .into_iter()
        .map(|violation| rpc::CheckFailure {
            property: violation.path,
            reason: violation.message,
        })
        .collect()
}

fn diff_response(changes: diff::Changes) -> rpc::DiffResponse {
    let kind = if changes.changed.is_empty() {
        DiffChanges::DiffNone
    } else {
        DiffChanges::DiffSome
    };
    rpc::DiffResponse {
        replaces: changes.replaces,
        delete_before_replace: changes.delete_before_replace,
        changes: kind as i32,
        diffs: changes.changed,
        ..Default::default()
    }
}

/// The old inputs of a diff: `old_inputs` when the engine sends them, else the old state.
fn old_inputs(
    old_inputs: Option<&prost_types::Struct>,
    olds: Option<&prost_types::Struct>,
) -> Map<String, Value> {
    match old_inputs {
        Some(inputs) if !inputs.fields.is_empty() => wire::from_struct(inputs),
        _ => object(olds),
    }
}

#[tonic::async_trait]
impl ResourceProvider for StandinProvider {
    async fn handshake(
        &self,
        _: Request<rpc::ProviderHandshakeRequest>,
    ) -> Result<Response<rpc::ProviderHandshakeResponse>, Status> {
        Ok(Response::new(rpc::ProviderHandshakeResponse {
            accept_secrets: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: false,
        }))
    }

    async fn parameterize(
        &self,
        _: Request<rpc::ParameterizeRequest>,
    ) -> Result<Response<rpc::ParameterizeResponse>, Status> {
        Err(Status::unimplemented(
            "the provider stand-in is not parameterizable",
        ))
    }

    async fn get_schema(
        &self,
        _: Request<rpc::GetSchemaRequest>,
    ) -> Result<Response<rpc::GetSchemaResponse>, Status> {
        let schema = schema_doc::schema(self.package).map_err(Status::internal)?;
        Ok(Response::new(rpc::GetSchemaResponse {
            schema: schema.to_string(),
        }))
    }

    async fn check_config(
        &self,
        request: Request<rpc::CheckRequest>,
    ) -> Result<Response<rpc::CheckResponse>, Status> {
        let request = request.into_inner();
        let news = object(request.news.as_ref());
        let ty = format!("pulumi:providers:{}", self.package.name());
        // The engine sends the default provider's config with internal keys (`version`); only the
        // explicit provider resources of the program are checked against the schema.
        let user: Map<String, Value> = news
            .iter()
            .filter(|(key, _)| !key.starts_with("__") && key.as_str() != "version")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let failures = check_failures(schema::check_resource_inputs(&request.urn, &ty, &user));
        self.record("checkConfig", &request.urn, "", false, "ok");
        Ok(Response::new(rpc::CheckResponse {
            inputs: request.news,
            failures,
        }))
    }

    async fn diff_config(
        &self,
        request: Request<rpc::DiffRequest>,
    ) -> Result<Response<rpc::DiffResponse>, Status> {
        let request = request.into_inner();
        let olds = old_inputs(request.old_inputs.as_ref(), request.olds.as_ref());
        let news = object(request.news.as_ref());
        let ty = format!("pulumi:providers:{}", self.package.name());
        // Provider types have no entry in `FORCE_NEW`: a config change is an update, never a
        // replacement (which would replace every resource of the provider too).
        let changes = diff::compare(&ty, &olds, &news, &request.ignore_changes);
        Ok(Response::new(diff_response(changes)))
    }

    async fn configure(
        &self,
        request: Request<rpc::ConfigureRequest>,
    ) -> Result<Response<rpc::ConfigureResponse>, Status> {
        *self
            .configuration
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            object(request.into_inner().args.as_ref());
        Ok(Response::new(rpc::ConfigureResponse {
            accept_secrets: true,
            supports_preview: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: false,
        }))
    }

    async fn invoke(
        &self,
        request: Request<rpc::InvokeRequest>,
    ) -> Result<Response<rpc::InvokeResponse>, Status> {
        let request = request.into_inner();
        let args = object(request.args.as_ref());
        let violations = schema::check_function_args(&request.tok, &args);
        if !violations.is_empty() {
            self.record(
                "invoke",
                &request.tok,
                "",
                request.preview,
                "failed: schema",
            );
            return Ok(Response::new(rpc::InvokeResponse {
                r#return: None,
                failures: check_failures(violations),
            }));
        }
        match self.simulator.invoke(&request.tok, &args) {
            Ok(answer) => {
                self.record("invoke", &request.tok, "", request.preview, "ok");
                Ok(Response::new(rpc::InvokeResponse {
                    r#return: Some(wire::to_struct(&answer)),
                    failures: Vec::new(),
                }))
            }
            Err(reason) => {
                self.record("invoke", &request.tok, "", request.preview, "failed");
                Err(Status::invalid_argument(reason))
            }
        }
    }

    async fn call(
        &self,
        _: Request<rpc::CallRequest>,
    ) -> Result<Response<rpc::CallResponse>, Status> {
        Err(Status::unimplemented(
            "the provider stand-in has no methods",
        ))
    }

    async fn check(
        &self,
        request: Request<rpc::CheckRequest>,
    ) -> Result<Response<rpc::CheckResponse>, Status> {
        let request = request.into_inner();
        let news = object(request.news.as_ref());
        let ty = urn::resource_type(&request.urn).unwrap_or_default();
        let failures = check_failures(schema::check_resource_inputs(&request.urn, ty, &news));
        let outcome = if failures.is_empty() {
            "ok"
        } else {
            "failed: schema"
        };
        self.record("check", &request.urn, "", false, outcome);
        Ok(Response::new(rpc::CheckResponse {
            inputs: request.news,
            failures,
        }))
    }

    async fn diff(
        &self,
        request: Request<rpc::DiffRequest>,
    ) -> Result<Response<rpc::DiffResponse>, Status> {
        let request = request.into_inner();
        let olds = old_inputs(request.old_inputs.as_ref(), request.olds.as_ref());
        let news = object(request.news.as_ref());
        let ty = urn::resource_type(&request.urn).unwrap_or_default();
        let changes = diff::compare(ty, &olds, &news, &request.ignore_changes);
        self.record("diff", &request.urn, &request.id, false, "ok");
        Ok(Response::new(diff_response(changes)))
    }

    async fn create(
        &self,
        request: Request<rpc::CreateRequest>,
    ) -> Result<Response<rpc::CreateResponse>, Status> {
        let request = request.into_inner();
        let inputs = object(request.properties.as_ref());
        let ty = urn::resource_type(&request.urn).unwrap_or_default();
        if !request.preview {
            self.fault("create", &request.urn, "")?;
            if inputs.values().any(contains_unknown) {
                return Err(Status::invalid_argument(format!(
                    "{}: an input is still unknown at create time",
                    request.urn
                )));
            }
        }
        let id = if request.preview {
            String::new()
        } else {
            deterministic_id(ty, &request.urn)
        };
        let outputs = self.outputs(&request.urn, &id, &inputs, request.preview);
        self.record("create", &request.urn, &id, request.preview, "ok");
        Ok(Response::new(rpc::CreateResponse {
            id,
            properties: Some(wire::to_struct(&outputs)),
            refresh_before_update: false,
        }))
    }

    async fn read(
        &self,
        request: Request<rpc::ReadRequest>,
    ) -> Result<Response<rpc::ReadResponse>, Status> {
        let request = request.into_inner();
        self.fault("read", &request.urn, &request.id)?;
        self.record("read", &request.urn, &request.id, false, "ok");
        Ok(Response::new(rpc::ReadResponse {
            id: request.id,
            properties: request.properties,
            inputs: request.inputs,
            refresh_before_update: false,
        }))
    }

    async fn update(
        &self,
        request: Request<rpc::UpdateRequest>,
    ) -> Result<Response<rpc::UpdateResponse>, Status> {
        let request = request.into_inner();
        if !request.preview {
            self.fault("update", &request.urn, &request.id)?;
        }
        let news = object(request.news.as_ref());
        let outputs = self.outputs(&request.urn, &request.id, &news, false);
        self.record("update", &request.urn, &request.id, request.preview, "ok");
        Ok(Response::new(rpc::UpdateResponse {
            properties: Some(wire::to_struct(&outputs)),
            refresh_before_update: false,
        }))
    }

    async fn delete(&self, request: Request<rpc::DeleteRequest>) -> Result<Response<()>, Status> {
        let request = request.into_inner();
        self.fault("delete", &request.urn, &request.id)?;
        self.record("delete", &request.urn, &request.id, false, "ok");
        Ok(Response::new(()))
    }

    async fn construct(
        &self,
        _: Request<rpc::ConstructRequest>,
    ) -> Result<Response<rpc::ConstructResponse>, Status> {
        Err(Status::unimplemented(
            "the provider stand-in has no components",
        ))
    }

    async fn cancel(&self, _: Request<()>) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }

    async fn get_plugin_info(&self, _: Request<()>) -> Result<Response<rpc::PluginInfo>, Status> {
        Ok(Response::new(rpc::PluginInfo {
            version: self.package.version().to_owned(),
        }))
    }

    async fn attach(&self, _: Request<rpc::PluginAttach>) -> Result<Response<()>, Status> {
        Ok(Response::new(()))
    }

    async fn get_mapping(
        &self,
        _: Request<rpc::GetMappingRequest>,
    ) -> Result<Response<rpc::GetMappingResponse>, Status> {
        Ok(Response::new(rpc::GetMappingResponse::default()))
    }

    async fn get_mappings(
        &self,
        _: Request<rpc::GetMappingsRequest>,
    ) -> Result<Response<rpc::GetMappingsResponse>, Status> {
        Ok(Response::new(rpc::GetMappingsResponse::default()))
    }
}
