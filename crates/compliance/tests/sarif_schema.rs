//! The SARIF output validates against the SARIF 2.1.0 JSON schema bundled in `schema/`, with the
//! Python `jsonschema` package of the test venv (`crates/compliance/tests/requirements.txt`,
//! installed by `scripts/test.sh`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use payments_compliance::{Report, evaluate, rules};
use serde_json::{Value, json};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("COMPLIANCE_PYTHON") {
        return PathBuf::from(python);
    }
    let python = crate_dir().join("../../.venv-test/bin/python");
    assert!(
        python.exists(),
        "the SARIF schema test needs the test venv with jsonschema: run scripts/test.sh, or \
         .venv-test/bin/pip install -r crates/compliance/tests/requirements.txt"
    );
    python
}

/// Validates `log`; returns whether it is valid and the validator's output.
fn validate(log: &Value, name: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("payments-compliance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(log).expect("json")).expect("write log");
    let output = Command::new(python())
        .arg(crate_dir().join("tests/validate_sarif.py"))
        .arg(crate_dir().join("schema/sarif-2.1.0-rtm.5.json"))
        .arg(&path)
        .output()
        .expect("run the validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("No module named"),
        "jsonschema is missing from the test venv: {text}"
    );
    let _ = std::fs::remove_file(&path);
    (output.status.success(), text)
}

/// A report with violations of both severities, a waived finding and undecided checks.
fn full_report() -> Report {
    let mut plan = fixture();
    set(&mut plan, "alb-in-443-0", "cidrIpv4", json!("0.0.0.0/0"));
    set(&mut plan, "lt-app", "monitoring.enabled", json!(false));
    make_unknown(&mut plan, "db", "storageEncrypted");
    let report = evaluate(&plan);
    assert!(report.mandatory_violations() > 0 && report.advisory_violations() > 0);
    assert!(!report.waived.is_empty() && !report.undecided.is_empty());
    report
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    for (name, report) in [
        ("full.sarif", full_report()),
        ("clean.sarif", evaluate(&fixture())),
    ] {
        let (valid, output) = validate(&report.to_sarif(), name);
        assert!(valid, "{name} does not validate:\n{output}");
    }
}

#[test]
fn the_validator_rejects_invalid_sarif() {
    let mut log = full_report().to_sarif();
    log["version"] = json!("2.0.0");
    log["runs"][0]["results"][0]["level"] = json!("fatal");
    let (valid, output) = validate(&log, "broken.sarif");
    assert!(!valid, "a broken log validated:\n{output}");
    assert!(
        output.contains("version") && output.contains("level"),
        "{output}"
    );
}

#[test]
fn sarif_lists_the_rule_table_and_names_resources_by_urn() {
    let report = full_report();
    let sarif = report.to_sarif();
    assert_eq!(sarif["version"], "2.1.0");
    let driver = &sarif["runs"][0]["tool"]["driver"];
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, rules().iter().map(|r| r.id).collect::<Vec<_>>());
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        report.violations.len() + report.waived.len() + report.undecided.len()
    );
    let world = results
        .iter()
        .find(|r| r["ruleId"] == "sg-no-world-ingress")
        .expect("mandatory result");
    assert_eq!(world["level"], "error");
    assert_eq!(
        world["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        json!(urn_of(&fixture(), "alb-in-443-0"))
    );
    let index = world["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(ids[index], "sg-no-world-ingress");
    let advisory = results
        .iter()
        .find(|r| r["ruleId"] == "lt-detailed-monitoring")
        .expect("advisory result");
    assert_eq!(advisory["level"], "warning");
    let waived = results
        .iter()
        .find(|r| r["suppressions"].is_array())
        .expect("waived result");
    assert_eq!(waived["suppressions"][0]["kind"], "inSource");
    let open = results
        .iter()
        .find(|r| r["kind"] == "open")
        .expect("undecided result");
    assert_eq!(open["level"], "none");
    assert!(Path::new(&crate_dir().join("schema/README.md")).exists());
}
