//! The README's configuration reference stays in step with the code: every key the config loader
//! reads is documented, and every documented key is read.

use std::collections::BTreeSet;

fn root_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(path).expect("file")
}

/// Keys read in `src/config.rs` and `src/account.rs` (the `accountControls` keys) through the
/// reader (`r.get_or("key"`, `r.require("key"` ...).
fn keys_in_code() -> BTreeSet<String> {
    let code = ["src/config.rs", "src/account.rs"]
        .iter()
        .map(|file| {
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
                .expect("config source")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut keys = BTreeSet::new();
    for call in [
        "r.get_or(",
        "r.require(",
        "r.get(",
        "r.get_secret::<String>(",
        "r.get_other_or(",
    ] {
        for piece in code.split(call).skip(1) {
            if let Some(key) = piece
                .strip_prefix('"')
                .and_then(|rest| rest.split('"').next())
            {
                keys.insert(key.to_owned());
            }
        }
    }
    keys
}

/// Keys in the first column of the README's configuration reference table.
fn keys_in_readme() -> BTreeSet<String> {
    let readme = root_file("README.md");
    let section = readme
        .split("## Configuration reference")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("configuration reference section");
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_config_key_is_documented_and_every_documented_key_exists() {
    let code = keys_in_code();
    let readme = keys_in_readme();
    assert!(
        code.len() > 30,
        "found only {} keys in the code",
        code.len()
    );
    assert_eq!(
        code, readme,
        "README configuration reference and src/config.rs differ"
    );
}

#[test]
fn the_readme_says_which_user_the_application_runs_as() {
    let readme = root_file("README.md");
    let compute = readme
        .split("- **Compute**:")
        .nth(1)
        .and_then(|rest| rest.split("\n- **").next())
        .expect("the Compute bullet");
    let compute = compute.split_whitespace().collect::<Vec<_>>().join(" ");
    let user = payments_platform::compute::APP_USER;
    assert!(
        compute.contains(&format!("`{user}`")) && compute.contains("no login shell"),
        "the Compute bullet names the app user {user} and its missing shell:\n{compute}"
    );
}

/// The status row of `docs/compliance.md` for a stack and mode, as the code computes it.
fn status_row(
    stack: &str,
    file: &str,
    mode: payments_platform::preview::PlanMode,
    label: &str,
) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (_, report) = runtime
        .block_on(payments_platform::preview::plan_stack_with_report(
            stack,
            &root.join(file),
            mode,
        ))
        .expect("valid config");
    let c = report.counts;
    format!(
        "| {stack} | {label} | {} | {}/{} | {} | {} | {} | {} |",
        c.resources, c.rules_passed, c.rules, c.mandatory, c.advisory, c.waived, c.undecided
    )
}

#[test]
fn the_compliance_status_table_matches_the_pack_on_the_example_stacks() {
    use payments_platform::preview::PlanMode;
    let doc = root_file("docs/compliance.md");
    let mut rows = Vec::new();
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        for (mode, label) in [
            (PlanMode::Preview, "preview"),
            (PlanMode::Deploy, "deployed"),
        ] {
            rows.push(status_row(stack, file, mode, label));
        }
    }
    let missing: Vec<&String> = rows
        .iter()
        .filter(|row| !doc.contains(row.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/compliance.md status table should hold:\n{}",
        rows.join("\n")
    );
}
