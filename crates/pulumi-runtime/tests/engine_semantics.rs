//! What the real engine does that our own engines did not show, each pinned here (issue: the real
//! Pulumi engine end to end). Read from pulumi/pulumi: sdk/go/pulumi/context.go (result and
//! unknown handling, dependsOn expansion), pkg/resource/deploy/source_eval.go and
//! step_generator.go (deleteBeforeReplace, provider selection for invokes, monitor shutdown).

mod common;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use pulumi_runtime::monitor::{EngineError, Monitor, RegisterResourceResponse};
use pulumi_runtime::run::{RunOutcome, run};
use pulumi_runtime::{Context, PropertyMap, ResourceOptions, wire};
use serde_json::json;

/// How the scripted engine answers the registration of one resource name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// As the local engine does.
    Normal,
    /// `result: FAIL` (a failed create under `--continue-on-error`).
    Fail,
    /// `result: SKIP` (a dependency failed under `--continue-on-error`).
    Skip,
    /// `unknown: true` (an elided create).
    Unknown,
    /// A failed step: the engine reports it itself and stops the monitor, so this and every later
    /// registration fail with UNAVAILABLE.
    StopsEngine,
}

/// The local engine behind a script, recording every request.
struct Scripted {
    inner: Arc<dyn Monitor>,
    script: Vec<(&'static str, Answer)>,
    stopped: Mutex<bool>,
    registrations: Mutex<Vec<rpc::RegisterResourceRequest>>,
    invokes: Mutex<Vec<rpc::ResourceInvokeRequest>>,
}

impl Scripted {
    fn new(script: Vec<(&'static str, Answer)>) -> Arc<Self> {
        Arc::new(Self {
            inner: common::engine(false, Duration::ZERO),
            script,
            stopped: Mutex::new(false),
            registrations: Mutex::new(Vec::new()),
            invokes: Mutex::new(Vec::new()),
        })
    }

    fn registration(&self, name: &str) -> rpc::RegisterResourceRequest {
        self.registrations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|r| r.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} was never registered"))
    }
}

#[async_trait]
impl Monitor for Scripted {
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError> {
        self.inner.supports_feature(id).await
    }
    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError> {
        self.registrations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request.clone());
        let answer = self
            .script
            .iter()
            .find(|(name, _)| *name == request.name)
            .map_or(Answer::Normal, |(_, answer)| *answer);
        {
            let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
            if answer == Answer::StopsEngine {
                *stopped = true;
            }
            if *stopped {
                return Err(EngineError::engine_stopped(
                    "RegisterResource",
                    "Unavailable: resource monitor shut down while sending resource registration",
                ));
            }
        }
        let mut response = self.inner.register_resource(request).await?;
        match answer {
            Answer::Fail => response.result = rpc::Result::Fail as i32,
            Answer::Skip => response.result = rpc::Result::Skip as i32,
            Answer::Unknown => response.unknown = true,
            Answer::Normal | Answer::StopsEngine => {}
        }
        Ok(response)
    }
    async fn register_resource_outputs(
        &self,
        request: rpc::RegisterResourceOutputsRequest,
    ) -> Result<(), EngineError> {
        self.inner.register_resource_outputs(request).await
    }
    async fn invoke(
        &self,
        request: rpc::ResourceInvokeRequest,
    ) -> Result<rpc::InvokeResponse, EngineError> {
        self.invokes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request.clone());
        let mut response = self.inner.invoke(request).await?;
        // The provider marks one output secret, as e.g. aws:secretsmanager/getSecretVersion does.
        if let Some(result) = response.r#return.as_mut() {
            let secret = wire::secret_envelope(json!("s3cret-from-provider"));
            result
                .fields
                .insert("password".to_owned(), wire::to_proto_value(&secret));
        }
        Ok(response)
    }
    async fn log(&self, request: rpc::LogRequest) -> Result<(), EngineError> {
        self.inner.log(request).await
    }
    async fn set_root_resource(&self, urn: &str) -> Result<(), EngineError> {
        self.inner.set_root_resource(urn).await
    }
    async fn signal_and_wait_for_shutdown(&self) -> Result<(), EngineError> {
        self.inner.signal_and_wait_for_shutdown().await
    }
}

async fn run_on(
    engine: Arc<Scripted>,
    program: impl FnOnce(Context) -> Result<PropertyMap, String>,
) -> RunOutcome {
    run(
        common::info(false, None),
        engine,
        |ctx| async move { program(ctx) },
        None,
    )
    .await
}

fn urn(qualified: &str, name: &str) -> String {
    format!("urn:pulumi:test::proj::{qualified}::{name}")
}

#[tokio::test]
async fn delete_before_replace_is_defined_only_when_set() {
    let engine = Scripted::new(Vec::new());
    let outcome = run_on(engine.clone(), |ctx| {
        common::register(&ctx, "plain", PropertyMap::new());
        let options = ResourceOptions {
            delete_before_replace: true,
            ..ResourceOptions::default()
        };
        ctx.register(common::thing("dbr", PropertyMap::new(), options));
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let plain = engine.registration("plain");
    assert!(
        !plain.delete_before_replace_defined,
        "an explicit false would override the provider's delete-before-replace"
    );
    let dbr = engine.registration("dbr");
    assert!(dbr.delete_before_replace && dbr.delete_before_replace_defined);
}

#[tokio::test]
async fn invokes_name_the_explicit_provider_and_keep_secrets_secret() {
    let engine = Scripted::new(Vec::new());
    let answers = Arc::new(Mutex::new(None));
    let seen = answers.clone();
    let outcome = run_on(engine.clone(), move |ctx| {
        let provider = ctx.register(pulumi_runtime::Registration {
            ty: "pulumi:providers:test".to_owned(),
            name: "explicit".to_owned(),
            custom: true,
            args: PropertyMap::new(),
            version: "1.0.0".to_owned(),
            options: ResourceOptions::default(),
        });
        let context = ctx.clone();
        ctx.spawn(async move {
            let answer = context
                .invoke(
                    "test:index:echo",
                    &PropertyMap::new(),
                    "1.0.0",
                    Some(&provider),
                )
                .await;
            *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(answer);
        });
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let invokes = engine
        .invokes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let provider_urn = urn("pulumi:providers:test", "explicit");
    assert_eq!(invokes.len(), 1);
    assert!(
        invokes[0]
            .provider
            .starts_with(&format!("{provider_urn}::")),
        "the invoke goes to {:?}, not the explicit provider",
        invokes[0].provider
    );
    assert_eq!(outcome.plan.invokes[0].provider, invokes[0].provider);
    let answer = answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .expect("the invoke ran")
        .expect("the invoke succeeded");
    assert_eq!(
        answer["password"],
        wire::secret_envelope(json!("s3cret-from-provider")),
        "a secret in an invoke result must stay enveloped"
    );
}

#[tokio::test]
async fn failed_skipped_and_elided_registrations_resolve_unknown_without_program_errors() {
    let engine = Scripted::new(vec![
        ("failed", Answer::Fail),
        ("skipped", Answer::Skip),
        ("elided", Answer::Unknown),
    ]);
    let outcome = run_on(engine.clone(), |ctx| {
        for name in ["failed", "skipped", "elided"] {
            let source = common::register(&ctx, name, PropertyMap::new());
            let mut args = PropertyMap::new();
            args.insert("fromSource", source.output::<String>("arn"));
            args.insert("sourceId", source.id());
            ctx.register(common::thing(
                &format!("after-{name}"),
                args,
                ResourceOptions::default(),
            ));
        }
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    for name in ["failed", "skipped", "elided"] {
        let dependent = engine.registration(&format!("after-{name}"));
        let inputs = wire::from_struct(dependent.object.as_ref().expect("inputs"));
        assert_eq!(inputs["fromSource"], json!(wire::UNKNOWN), "{name}");
        assert_eq!(inputs["sourceId"], json!(wire::UNKNOWN), "{name}");
        assert_eq!(dependent.dependencies, vec![urn("test:index:Thing", name)]);
    }
}

#[tokio::test]
async fn after_the_engine_stops_only_the_first_cause_is_an_error() {
    let engine = Scripted::new(vec![("database", Answer::StopsEngine)]);
    let outcome = run_on(engine, |ctx| {
        let database = common::register(&ctx, "database", PropertyMap::new());
        for n in 0..5 {
            let mut args = PropertyMap::new();
            args.insert("endpoint", database.output::<String>("arn"));
            ctx.register(common::thing(
                &format!("late-{n}"),
                PropertyMap::new(),
                ResourceOptions::default(),
            ));
            ctx.register(common::thing(
                &format!("user-{n}"),
                args,
                ResourceOptions::default(),
            ));
        }
        Ok(PropertyMap::new())
    })
    .await;
    assert!(!outcome.succeeded());
    assert!(
        outcome.errors.is_empty(),
        "the engine reported the failed step itself; the program must not bury it: {:?}",
        outcome.errors
    );
    assert!(!outcome.engine_stopped.is_empty());
    let errors: Vec<_> = outcome
        .plan
        .logs
        .iter()
        .filter(|l| l.severity == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let debug = outcome
        .plan
        .logs
        .iter()
        .filter(|l| l.severity == "debug")
        .count();
    assert_eq!(debug, outcome.engine_stopped.len());
}

#[tokio::test]
async fn depends_on_a_component_waits_for_its_children() {
    let engine = Scripted::new(Vec::new());
    let outcome = run_on(engine.clone(), |ctx| {
        let component = ctx.component("proj:demo:Tier", "tier", ResourceOptions::default());
        let inner = ctx.component(
            "proj:demo:Part",
            "part",
            ResourceOptions::parent(&component),
        );
        ctx.register(common::thing(
            "a",
            PropertyMap::new(),
            ResourceOptions::parent(&component),
        ));
        ctx.register(common::thing(
            "b",
            PropertyMap::new(),
            ResourceOptions::parent(&inner),
        ));
        let options = ResourceOptions::default().with_depends_on([&component]);
        ctx.register(common::thing("after", PropertyMap::new(), options));
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let mut dependencies = engine.registration("after").dependencies;
    dependencies.sort();
    let mut expected = vec![
        urn("proj:demo:Tier", "tier"),
        urn("proj:demo:Tier$proj:demo:Part", "part"),
        urn("proj:demo:Tier$test:index:Thing", "a"),
        urn("proj:demo:Tier$proj:demo:Part$test:index:Thing", "b"),
    ];
    expected.sort();
    assert_eq!(dependencies, expected);
}

#[tokio::test]
async fn the_plan_check_runs_in_an_update_too() {
    let outcome = run(
        common::info(false, None),
        common::engine(false, Duration::ZERO),
        |ctx| async move {
            common::register(&ctx, "a", PropertyMap::new());
            Ok(PropertyMap::new())
        },
        Some(Box::new(|_: &pulumi_runtime::Plan| {
            vec!["policy says no".to_owned()]
        })),
    )
    .await;
    assert_eq!(outcome.errors, vec!["policy says no".to_owned()]);
}
