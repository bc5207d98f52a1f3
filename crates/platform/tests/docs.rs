//! The documents stay in step with the code: every key the config loader reads is documented in the
//! README, and every documented key is read; ARCHITECTURE.md names the file of every resource type
//! the program creates.

use std::collections::{BTreeMap, BTreeSet};

mod common;

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

/// Every source file of `crates/platform/src`, by its path from the workspace root.
fn source_files() -> BTreeMap<String, String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let shown = format!(
                "crates/platform/src/{}",
                path.strip_prefix(&src).expect("under src").display()
            );
            files.insert(shown, std::fs::read_to_string(&path).expect("source file"));
        }
    }
    files
}

/// The file that declares each component type (`scope.component("payments:network:Network"`).
fn component_files(sources: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for (file, code) in sources {
        for piece in code.split("scope.component(\"").skip(1) {
            if let Some(ty) = piece.split('"').next() {
                files.insert(ty.to_owned(), file.clone());
            }
        }
    }
    files
}

/// The `...Args` struct a resource type is registered through (`aws:ec2/vpc:Vpc`: `VpcArgs`).
fn args_of(ty: &str) -> String {
    format!("{}Args", ty.rsplit(':').next().expect("type name"))
}

/// Every AWS and TLS resource type of the example stacks and of every migration phase, with the
/// files that register it (the file of the component each resource is a child of, or the helper
/// it calls).
fn resource_type_files() -> BTreeMap<String, BTreeSet<String>> {
    use payments_platform::preview::PlanMode;
    let sources = source_files();
    let components = component_files(&sources);
    let mut plans = vec![
        common::outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Preview).plan,
        common::outcome_of("prod", "Pulumi.prod.yaml", PlanMode::Preview).plan,
    ];
    for (phase, weight) in [
        ("prepare", 0),
        ("parallel", 5),
        ("shift", 50),
        ("cutover", 100),
        ("decommission", 100),
    ] {
        for file in ["Pulumi.dev.yaml", "Pulumi.prod.yaml"] {
            let yaml = common::phase_yaml_of(file, phase, weight);
            let outcome = common::outcome_of_yaml(&yaml, PlanMode::Deploy).expect("valid config");
            assert!(outcome.succeeded(), "{phase}: {:?}", outcome.errors);
            plans.push(outcome.plan);
        }
    }
    let mut table: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for resource in plans.iter().flat_map(|plan| &plan.resources) {
        if !(resource.ty.starts_with("aws:") || resource.ty.starts_with("tls:")) {
            continue;
        }
        // urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>
        let qualified = resource.urn.split("::").nth(2).expect("URN type");
        let parent = qualified.rsplit('$').nth(1).unwrap_or("the stack");
        let args = args_of(&resource.ty);
        let entry = table.entry(resource.ty.clone()).or_default();
        // The component's own file, unless it registers the resource through a helper of another
        // tier (a security group rule, an endpoint rule): then the files that use the type's
        // `...Args`.
        match components.get(parent) {
            Some(file) if sources[file].contains(&args) => {
                entry.insert(file.clone());
            }
            _ => entry.extend(
                sources
                    .iter()
                    .filter(|(_, code)| code.contains(&args))
                    .map(|(file, _)| file.clone()),
            ),
        }
    }
    table
}

/// The rows of the resource-type table of ARCHITECTURE.md: type -> files.
fn resource_type_rows_in_doc() -> BTreeMap<String, BTreeSet<String>> {
    let doc = root_file("ARCHITECTURE.md");
    let section = doc
        .split("## AWS resource types and where they are defined")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the resource type section of ARCHITECTURE.md");
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| {
            let (ty, files) = rest.split_once("` | ")?;
            let files = files
                .trim_end_matches('|')
                .split(", ")
                .map(|file| file.trim().trim_matches('`').to_owned())
                .collect();
            Some((ty.to_owned(), files))
        })
        .collect()
}

#[test]
fn architecture_names_the_file_of_every_resource_type() {
    let table = resource_type_files();
    assert!(table.len() > 50, "only {} resource types", table.len());
    let rendered: Vec<String> = table
        .iter()
        .map(|(ty, files)| {
            let files: Vec<String> = files.iter().map(|f| format!("`{f}`")).collect();
            format!("| `{ty}` | {} |", files.join(", "))
        })
        .collect();
    assert_eq!(
        resource_type_rows_in_doc(),
        table,
        "ARCHITECTURE.md's resource type table should be:\n{}",
        rendered.join("\n")
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (ty, files) in &table {
        let args = args_of(ty);
        for file in files {
            let code = std::fs::read_to_string(root.join(file)).expect("file in the table");
            assert!(
                code.contains(&args),
                "{file} registers {ty} but has no {args}"
            );
        }
    }
}

/// The README's cost table (issue 12): its totals are the sums of its lines, the endpoint line
/// prices the interface endpoints the program creates (in both zones, 730 hours, $0.01), and every
/// service the controls add has a line.
#[test]
fn the_cost_table_adds_up_and_prices_what_the_stack_creates() {
    let readme = root_file("README.md");
    let section = readme
        .split("## What the PCI DSS controls cost")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the cost section");
    let rows: Vec<Vec<&str>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| line") && !l.starts_with("|---"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let number = |cell: &str| -> f64 {
        cell.trim_matches('*')
            .parse()
            .unwrap_or_else(|_| panic!("{cell:?} is not an amount"))
    };
    let (lines, total): (Vec<&Vec<&str>>, Vec<&Vec<&str>>) =
        rows.iter().partition(|row| row[0] != "**total**");
    for (column, stack) in [(3, "dev"), (5, "prod")] {
        let sum: f64 = lines.iter().map(|row| number(row[column])).sum();
        let stated = number(total[0][column]);
        assert!(
            (sum - stated).abs() < 0.005,
            "{stack}: lines sum to {sum:.2}, total says {stated}"
        );
    }
    let plan = common::dev_plan();
    let interface = plan
        .resources
        .iter()
        .filter(|r| {
            r.ty == "aws:ec2/vpcEndpoint:VpcEndpoint" && r.inputs["vpcEndpointType"] == "Interface"
        })
        .count();
    let hourly = lines
        .iter()
        .find(|row| row[0].starts_with("Interface endpoints: "))
        .expect("the endpoint line");
    assert_eq!(
        hourly[0],
        format!("Interface endpoints: {interface} in 2 zones"),
        "the table prices the endpoints the program creates"
    );
    let expected = interface as f64 * 2.0 * 730.0 * 0.01;
    for column in [3, 5] {
        assert!(
            (number(hourly[column]) - expected).abs() < 0.005,
            "{hourly:?}"
        );
    }
    for service in [
        "S3 gateway endpoint",
        "NAT gateways removed",
        "CloudTrail",
        "CloudWatch",
        "GuardDuty",
        "AWS Config",
        "Security Hub",
        "KMS",
        "AWS Backup",
        "Audit bucket",
    ] {
        assert!(
            lines.iter().any(|row| row[0].starts_with(service)),
            "no cost line for {service}"
        );
    }
    assert!(
        section.contains("read on 2026-12-02"),
        "the table dates its prices"
    );
}
