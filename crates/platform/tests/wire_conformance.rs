//! Wire conformance: the binary in engine mode against the stand-in engine
//! (tools/standin-engine, built on the official generated stubs of the `pulumi` wheel). The
//! stand-in records every request and reports anything malformed; these tests require a clean
//! report, in preview and in update, and check the failure path (an engine error makes the binary
//! log through Engine.Log and exit 32 without panicking).
//!
//! Needs the test venv (`.venv-test`), which `scripts/test.sh` creates.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use payments_platform::preview::PlanMode;
use pulumi_runtime::local::Simulator;
use serde_json::{Map, Value};

mod common;

/// The provider-computed outputs per resource (`type::name`) and per type, from the AWS
/// simulator given each resource's provider, for the stand-in to answer with (it knows no
/// provider itself).
fn computed_outputs_file(dir: &Path) -> PathBuf {
    let plan = common::outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    let simulator = payments_aws::simulator::AwsSimulator::default();
    let mut by_type = Map::new();
    for resource in plan.resources.iter().filter(|r| r.custom) {
        let provider = resource
            .provider
            .rsplit_once("::")
            .and_then(|(urn, _)| plan.resource(urn))
            .map(|p| p.inputs.clone())
            .unwrap_or_default();
        let outputs = simulator.computed_outputs(
            &resource.ty,
            &resource.name,
            "standin-id",
            &resource.inputs,
            &provider,
        );
        by_type.insert(
            format!("{}::{}", resource.ty, resource.name),
            Value::Object(outputs.clone()),
        );
        // The union over the type's resources (a gateway VPC endpoint has a prefix list, an
        // interface one does not).
        if let Value::Object(known) = by_type
            .entry(resource.ty.clone())
            .or_insert_with(|| Value::Object(Map::new()))
        {
            for (key, value) in outputs {
                known.entry(key).or_insert(value);
            }
        }
    }
    let path = dir.join("computed.json");
    std::fs::write(&path, Value::Object(by_type).to_string()).expect("computed outputs");
    path
}

fn python() -> PathBuf {
    let python = common::root().join(".venv-test/bin/python");
    assert!(
        python.exists(),
        "the stand-in engine needs the test venv: run scripts/test.sh (it creates .venv-test)"
    );
    python
}

/// The dev stack's config as the language host passes it (`PULUMI_CONFIG`).
pub fn engine_config(stack_file: &str) -> String {
    let text = std::fs::read_to_string(common::root().join(stack_file)).expect("stack file");
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("yaml");
    let config = yaml.get("config").expect("config").clone();
    let config: Map<String, Value> = serde_yaml_ng::from_value(config).expect("mapping");
    let as_strings: Map<String, Value> = config
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (key, Value::String(text))
        })
        .collect();
    Value::Object(as_strings).to_string()
}

struct Conversation {
    exit_code: Option<i32>,
    stderr: String,
    report: Value,
    engine_ok: bool,
}

/// An injected engine failure: `--fail-register NAME` (the engine refuses the registration) or
/// `--fail-create NAME` (a failed create under `pulumi up`: the engine reports it and stops).
type Failure<'a> = Option<(&'a str, &'a str)>;

fn converse(
    dry_run: bool,
    failure: Failure<'_>,
    extra_env: &[(&str, &str)],
    timeout_seconds: u32,
) -> Conversation {
    let dir = std::env::temp_dir().join(format!(
        "standin-{}-{dry_run}-{}",
        std::process::id(),
        failure.map_or("none".to_owned(), |(mode, name)| format!("{mode}{name}"))
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report_path = dir.join("report.json");
    let computed = computed_outputs_file(&dir);
    let dry = if dry_run { "true" } else { "false" };
    let mut server = Command::new(python());
    server
        .arg(common::root().join("tools/standin-engine/standin_engine.py"))
        .arg("--report")
        .arg(&report_path)
        .arg("--computed")
        .arg(&computed)
        .args(["--grace", "0.5", "--timeout", &timeout_seconds.to_string()])
        .env("PULUMI_STACK", "dev")
        .env("PULUMI_PROJECT", "payments-platform")
        .env("PULUMI_DRY_RUN", dry)
        .stdout(Stdio::piped());
    if let Some((mode, name)) = failure {
        server.args([mode, name]);
    }
    let mut server = server.spawn().expect("start the stand-in engine");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("PORT line");
    let port = line
        .trim()
        .strip_prefix("PORT ")
        .expect("PORT <n>")
        .to_owned();
    let address = format!("127.0.0.1:{port}");
    let mut program = Command::new(env!("CARGO_BIN_EXE_payments-platform"));
    program
        .env("PULUMI_MONITOR", &address)
        .env("PULUMI_ENGINE", &address)
        .env("PULUMI_PROJECT", "payments-platform")
        .env("PULUMI_STACK", "dev")
        .env("PULUMI_DRY_RUN", dry)
        .env("PULUMI_CONFIG", engine_config("Pulumi.dev.yaml"))
        .env("PULUMI_CONFIG_SECRET_KEYS", "[]");
    for (key, value) in extra_env {
        program.env(key, value);
    }
    let output = program.output().expect("run the program");
    let status = server.wait().expect("stand-in exit");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report"))
            .expect("json");
    Conversation {
        exit_code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        report,
        engine_ok: status.success(),
    }
}

fn violations(report: &Value) -> Vec<String> {
    report["violations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn registrations(report: &Value) -> Vec<&Value> {
    report["requests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["rpc"] == "RegisterResource")
        .map(|r| &r["request"])
        .collect()
}

fn assert_clean(dry_run: bool) {
    let run = converse(dry_run, None, &[], 60);
    assert_eq!(
        run.exit_code,
        Some(0),
        "program failed: {}\nengine logs: {}",
        run.stderr,
        run.report["logs"]
    );
    assert_eq!(violations(&run.report), Vec::<String>::new());
    assert!(run.engine_ok, "the stand-in engine reported a failure");
    let registered = registrations(&run.report);
    assert!(
        registered.len() > 50,
        "only {} registrations",
        registered.len()
    );
    assert!(
        run.report["stackOutputs"].get("vpcId").is_some(),
        "stack outputs missing vpcId"
    );
    for request in registered {
        let ty = request["type"].as_str().unwrap_or_default();
        if ty.starts_with("aws:") || ty == "pulumi:providers:aws" {
            assert_eq!(
                request["version"], "7.51.1",
                "{ty} without the pinned version"
            );
        }
    }
}

#[test]
fn preview_conversation_is_well_formed() {
    assert_clean(true);
}

#[test]
fn update_conversation_is_well_formed() {
    assert_clean(false);
}

#[test]
fn an_engine_error_is_logged_through_the_engine_and_exits_32() {
    let run = converse(false, Some(("--fail-register", "vpc-dev-a1b2")), &[], 60);
    assert_eq!(run.exit_code, Some(32), "stderr: {}", run.stderr);
    assert!(
        !run.stderr.contains("panicked"),
        "the binary panicked: {}",
        run.stderr
    );
    assert_eq!(violations(&run.report), Vec::<String>::new());
    let logs = run.report["logs"].as_array().expect("logs");
    assert!(
        logs.iter()
            .any(|l| l["severity"] == "ERROR" || l["severity"] == 3),
        "no ERROR log: {logs:?}"
    );
}

#[test]
fn after_a_failed_create_the_program_does_not_bury_the_engine_error() {
    let run = converse(false, Some(("--fail-create", "vpc-dev-a1b2")), &[], 60);
    assert_eq!(run.exit_code, Some(32), "stderr: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(violations(&run.report), Vec::<String>::new());
    let logs = run.report["logs"].as_array().expect("logs");
    assert!(
        !logs.iter().any(|l| l["severity"] == "ERROR"),
        "the program logged errors of its own: {logs:?}"
    );
}

#[test]
fn a_bad_config_is_logged_and_nothing_is_registered() {
    // The program stops before the stack registration, so the stand-in waits for a shutdown that
    // never comes: a short timeout ends it (its timeout violations are expected here).
    let run = converse(
        true,
        None,
        &[(
            "PULUMI_CONFIG",
            r#"{"payments-platform:environment":"dev"}"#,
        )],
        3,
    );
    assert_eq!(run.exit_code, Some(32), "stderr: {}", run.stderr);
    assert!(
        registrations(&run.report).is_empty(),
        "registered despite bad config"
    );
    let logs = run.report["logs"].as_array().expect("logs");
    let messages: Vec<&str> = logs.iter().filter_map(|l| l["message"].as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("payments-platform:allowedIngressCidrs")),
        "{messages:?}"
    );
}
