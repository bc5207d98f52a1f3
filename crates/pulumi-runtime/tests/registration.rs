//! Registration semantics on the local engine: dependencies are exactly the outputs used plus
//! `depends_on`, options reach the engine, preview answers are unknown, secrets stay enveloped,
//! engine errors fail the run with a message, and invokes return the provider's answer.

mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pulumi_gestalt_proto::pulumi::pulumirpc as rpc;
use pulumi_runtime::monitor::{EngineError, Monitor, RegisterResourceResponse};
use pulumi_runtime::run::{RunOutcome, run};
use pulumi_runtime::{Context, CustomTimeouts, Input, Output, PropertyMap, ResourceOptions, wire};
use serde_json::json;

async fn run_local(
    dry_run: bool,
    program: impl FnOnce(Context) -> Result<PropertyMap, String>,
) -> RunOutcome {
    run(
        common::info(dry_run, None),
        common::engine(dry_run, Duration::ZERO),
        |ctx| async move { program(ctx) },
        None,
    )
    .await
}

fn urn(name: &str) -> String {
    format!("urn:pulumi:test::proj::test:index:Thing::{name}")
}

#[tokio::test]
async fn dependencies_are_exactly_the_outputs_used_plus_depends_on() {
    let outcome = run_local(false, |ctx| {
        let a = common::register(&ctx, "a", PropertyMap::new());
        let b = common::register(&ctx, "b", PropertyMap::new());
        let unrelated = common::register(&ctx, "unrelated", PropertyMap::new());
        let mut args = PropertyMap::new();
        args.insert("fromA", a.output::<String>("arn"));
        args.insert("plain", Input::<String>::from("x"));
        let options = ResourceOptions::default().with_depends_on([&b]);
        ctx.register(common::thing("c", args, options));
        drop(unrelated);
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let c = outcome.plan.resource(&urn("c")).expect("c registered");
    assert_eq!(c.dependencies, vec![urn("a"), urn("b")]);
    assert_eq!(c.property_dependencies.len(), 1);
    assert_eq!(c.property_dependencies["fromA"], vec![urn("a")]);
    assert_eq!(c.inputs["fromA"], json!("arn:test:a"));
}

#[tokio::test]
async fn options_reach_the_engine_and_protect_is_never_set() {
    let outcome = run_local(false, |ctx| {
        let options = ResourceOptions {
            delete_before_replace: true,
            ignore_changes: vec!["tags".to_owned()],
            replace_on_changes: vec!["name".to_owned()],
            additional_secret_outputs: vec!["secretOut".to_owned()],
            custom_timeouts: Some(CustomTimeouts {
                create: Some("40m".to_owned()),
                ..CustomTimeouts::default()
            }),
            aliases: vec![pulumi_runtime::Alias::Name("old".to_owned())],
            ..ResourceOptions::default()
        };
        ctx.register(common::thing("r", PropertyMap::new(), options));
        Ok(PropertyMap::new())
    })
    .await;
    let r = outcome.plan.resource(&urn("r")).expect("registered");
    assert!(r.options.delete_before_replace);
    assert!(!r.options.protect && !r.options.retain_on_delete);
    assert_eq!(r.options.ignore_changes, vec!["tags"]);
    assert_eq!(r.options.replace_on_changes, vec!["name"]);
    assert_eq!(r.options.additional_secret_outputs, vec!["secretOut"]);
    assert_eq!(r.options.aliases, vec!["name=old"]);
    let timeouts = r.options.custom_timeouts.as_ref().expect("timeouts");
    assert_eq!(timeouts["create"], "40m");
}

#[tokio::test]
async fn components_parent_their_children_and_register_outputs() {
    let outcome = run_local(false, |ctx| {
        let component = ctx.component("proj:demo:Group", "group", ResourceOptions::default());
        let child = ctx.register(common::thing(
            "child",
            PropertyMap::new(),
            ResourceOptions::parent(&component),
        ));
        let mut outputs = PropertyMap::new();
        outputs.insert("childArn", child.output::<String>("arn"));
        ctx.register_outputs(&component, outputs);
        let mut exports = PropertyMap::new();
        exports.insert("childId", child.id());
        Ok(exports)
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let child_urn = "urn:pulumi:test::proj::proj:demo:Group$test:index:Thing::child";
    let child = outcome.plan.resource(child_urn).expect("child");
    assert_eq!(
        child.parent,
        "urn:pulumi:test::proj::proj:demo:Group::group"
    );
    let group = outcome.plan.resource(&child.parent).expect("group");
    assert_eq!(
        group.outputs.as_ref().expect("outputs")["childArn"],
        json!("arn:test:child")
    );
    assert!(
        outcome.plan.outputs["childId"]
            .as_str()
            .expect("id")
            .starts_with("thing-")
    );
}

#[tokio::test]
async fn preview_answers_computed_outputs_as_unknown_and_never_runs_closures_on_them() {
    let outcome = run_local(true, |ctx| {
        let a = common::register(&ctx, "a", PropertyMap::new());
        let derived = a
            .output::<String>("arn")
            .map(|_| -> String { panic!("map ran on an unknown value") });
        let mut args = PropertyMap::new();
        args.insert("derived", derived);
        common::register(&ctx, "b", args);
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    let b = outcome.plan.resource(&urn("b")).expect("b");
    assert_eq!(b.inputs["derived"], json!(wire::UNKNOWN));
    assert_eq!(b.property_dependencies["derived"], vec![urn("a")]);
}

#[tokio::test]
async fn secrets_are_recorded_as_redacted_envelopes() {
    let outcome = run_local(false, |ctx| {
        let password = Output::secret("hunter2-sentinel".to_owned());
        let mut args = PropertyMap::new();
        args.insert("password", password.clone());
        common::register(&ctx, "db", args);
        let mut exports = PropertyMap::new();
        exports.insert("password", password);
        Ok(exports)
    })
    .await;
    // The plan records that a secret was sent, never its plaintext.
    let db = outcome.plan.resource(&urn("db")).expect("db");
    let redacted = wire::secret_envelope(json!(wire::REDACTED));
    assert_eq!(db.inputs["password"], redacted);
    assert_eq!(outcome.plan.outputs["password"], redacted);
    assert!(!outcome.plan.to_json_pretty().contains("hunter2-sentinel"));
}

#[tokio::test]
async fn invokes_return_the_provider_answer_or_its_failure() {
    let outcome = run_local(false, |ctx| {
        let context = ctx.clone();
        ctx.spawn(async move {
            let mut args = PropertyMap::new();
            args.insert("k", json!("v"));
            let answer = context
                .invoke("test:index:echo", &args, "1.0.0", None)
                .await;
            assert_eq!(answer.expect("echo")["k"], json!("v"));
            let failure = context
                .invoke("test:index:missing", &args, "1.0.0", None)
                .await;
            assert!(failure.expect_err("fails").contains("test:index:missing"));
        });
        Ok(PropertyMap::new())
    })
    .await;
    assert!(outcome.succeeded(), "{:?}", outcome.errors);
    assert_eq!(outcome.plan.invokes.len(), 2);
}

/// An engine that refuses one resource by name.
struct Refusing {
    inner: Arc<dyn Monitor>,
    name: &'static str,
}

#[async_trait]
impl Monitor for Refusing {
    async fn supports_feature(&self, id: &str) -> Result<bool, EngineError> {
        self.inner.supports_feature(id).await
    }
    async fn register_resource(
        &self,
        request: rpc::RegisterResourceRequest,
    ) -> Result<RegisterResourceResponse, EngineError> {
        if request.name == self.name {
            return Err(EngineError::new("RegisterResource", "injected failure"));
        }
        self.inner.register_resource(request).await
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
        self.inner.invoke(request).await
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

#[tokio::test]
async fn an_engine_error_fails_the_run_and_is_logged_while_dependents_are_skipped() {
    let engine = Arc::new(Refusing {
        inner: common::engine(false, Duration::ZERO),
        name: "broken",
    });
    let outcome = run(
        common::info(false, None),
        engine,
        |ctx| async move {
            let broken = common::register(&ctx, "broken", PropertyMap::new());
            let mut args = PropertyMap::new();
            args.insert("x", broken.output::<String>("arn"));
            ctx.register(common::thing(
                "child",
                args,
                ResourceOptions::parent(&ctx.component(
                    "proj:demo:G",
                    "g",
                    ResourceOptions::default(),
                )),
            ));
            Ok(PropertyMap::new())
        },
        None,
    )
    .await;
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert!(outcome.errors[0].contains("broken") && outcome.errors[0].contains("injected failure"));
    assert!(
        outcome
            .plan
            .logs
            .iter()
            .any(|l| l.severity == "error" && l.message.contains("broken"))
    );
}

#[tokio::test]
async fn a_failing_plan_check_fails_the_run_before_shutdown() {
    let engine = common::engine(true, Duration::ZERO);
    let outcome = run(
        common::info(true, None),
        engine.clone(),
        |ctx| async move {
            common::register(&ctx, "a", PropertyMap::new());
            Ok(PropertyMap::new())
        },
        Some(Box::new(|plan: &pulumi_runtime::Plan| {
            assert!(
                plan.resource(&urn("a")).is_some(),
                "the check sees the recorded plan"
            );
            vec!["policy says no".to_owned()]
        })),
    )
    .await;
    assert_eq!(outcome.errors, vec!["policy says no".to_owned()]);
    assert!(
        outcome
            .plan
            .logs
            .iter()
            .any(|l| l.severity == "error" && l.message == "policy says no")
    );
    // No shutdown was signalled: the local engine still accepts registrations.
    let late = pulumi_gestalt_proto::pulumi::pulumirpc::RegisterResourceRequest {
        r#type: "test:index:Thing".to_owned(),
        name: "late".to_owned(),
        parent: "urn:pulumi:test::proj::pulumi:pulumi:Stack::proj-test".to_owned(),
        custom: true,
        ..Default::default()
    };
    assert!(engine.register_resource(late).await.is_ok());
}
