//! The binary as a user runs it: `preview` on the bundled dev stack (the README's main command),
//! `get-packages`, config errors (one clear message each, non-zero exit, nothing registered),
//! determinism of the plan, and secrets never in plaintext.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_payments-platform"));
    command.current_dir(common::root());
    command
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = binary();
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("payments-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn preview_prints_the_component_tree_and_the_resource_count() {
    let output = run(&["preview"], &[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("pulumi:pulumi:Stack payments-platform-dev"),
        "{stdout}"
    );
    for component in [
        "payments:network:Network",
        "payments:data:Database",
        "payments:edge:LoadBalancer",
        "payments:compute:AppTier",
    ] {
        assert!(
            stdout.contains(&format!("├─ {component}"))
                || stdout.contains(&format!("└─ {component}")),
            "{component}"
        );
    }
    let count_line = stdout
        .lines()
        .find(|l| l.starts_with("Resources:"))
        .expect("count line");
    let count: usize = count_line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("number");
    assert!(count > 100, "{count_line}");
    assert!(!stdout.contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn get_packages_lists_the_pinned_providers() {
    let file = temp("packages.json");
    let output = run(&["get-packages", file.to_str().expect("path")], &[]);
    assert!(output.status.success());
    let packages: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("json");
    assert_eq!(packages[0]["name"], "aws");
    assert_eq!(packages[0]["version"], "7.51.1");
    assert_eq!(packages[1]["name"], "tls");
    assert_eq!(packages[1]["version"], "5.6.2");
}

fn preview_with(yaml: &str, env: &[(&str, &str)]) -> (Output, std::path::PathBuf) {
    // A file per call: tests run in parallel and two of them may write configs of equal length.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let config = temp(&format!("stack-{call}-{}.yaml", yaml.len()));
    std::fs::write(&config, yaml).expect("write config");
    let plan = config.with_extension("plan.json");
    let _ = std::fs::remove_file(&plan);
    let output = run(
        &[
            "preview",
            "--config",
            config.to_str().expect("path"),
            "--json",
            plan.to_str().expect("path"),
        ],
        env,
    );
    (output, plan)
}

fn assert_config_error(yaml: &str, env: &[(&str, &str)], expected: &[&str]) -> String {
    let (output, plan) = preview_with(yaml, env);
    assert_eq!(output.status.code(), Some(2), "config errors exit 2");
    let stderr = text(&output.stderr);
    for needle in expected {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(
        !Path::new(&plan).exists(),
        "a plan was written although the config is invalid"
    );
    assert!(
        !text(&output.stdout).contains("pulumi:pulumi:Stack"),
        "something was registered"
    );
    stderr
}

#[test]
fn a_missing_required_key_is_one_clear_message() {
    let yaml = common::dev_yaml_with(|y| {
        y.replace("  payments-platform:costCenter: cc-payments-1001\n", "")
    });
    let stderr = assert_config_error(
        &yaml,
        &[],
        &[
            "payments-platform:costCenter",
            "is required",
            "pulumi config set costCenter",
        ],
    );
    assert_eq!(
        stderr.matches("costCenter").count(),
        2,
        "one message (key and fix):\n{stderr}"
    );
}

#[test]
fn a_wrong_type_names_key_value_and_fix() {
    let yaml =
        common::dev_yaml_with(|y| y.replace("asgDesiredCapacity: 2", "asgDesiredCapacity: two"));
    assert_config_error(
        &yaml,
        &[],
        &[
            "payments-platform:asgDesiredCapacity",
            "\"two\"",
            "pulumi config set asgDesiredCapacity",
        ],
    );
}

#[test]
fn a_wrong_type_says_what_is_expected_in_plain_words() {
    let yaml = common::dev_yaml_with(|y| {
        y.replace("asgDesiredCapacity: 2", "asgDesiredCapacity: two")
            .replace("skipFinalSnapshot: true", "skipFinalSnapshot: yes please")
            .replace(
                "  payments-platform:allowedIngressCidrs:\n    - 198.51.100.0/24\n    - 203.0.113.0/24\n",
                "  payments-platform:allowedIngressCidrs: 198.51.100.0/24\n",
            )
            .replace("bgpAsn: 65010", "bgpAsn: private")
    });
    let stderr = assert_config_error(
        &yaml,
        &[],
        &[
            "`payments-platform:asgDesiredCapacity` = \"two\": must be a whole number",
            "`payments-platform:skipFinalSnapshot` = \"yes please\": must be true or false",
            "`payments-platform:allowedIngressCidrs` = \"198.51.100.0/24\": must be a list of text values",
            "`payments-platform:migration.bgpAsn` = \"private\": must be a whole number",
            "4 configuration error(s)",
        ],
    );
    for rust_name in ["i64", "bool", "sequence", "invalid type"] {
        assert!(!stderr.contains(rust_name), "{rust_name} in:\n{stderr}");
    }
}

#[test]
fn a_retired_key_says_why_it_is_gone_and_how_to_remove_it() {
    let yaml = common::dev_yaml_with(|y| {
        y.replace(
            "  payments-platform:instanceType:",
            "  payments-platform:singleNatGateway: true\n  payments-platform:instanceType:",
        )
    });
    assert_config_error(
        &yaml,
        &[],
        &[
            "`payments-platform:singleNatGateway` = \"true\": no longer exists: the stack has no NAT gateways",
            "pulumi config rm singleNatGateway",
            "1 configuration error(s)",
        ],
    );
}

#[test]
fn typos_at_any_depth_are_refused_with_the_closest_key_and_every_other_error() {
    let yaml = common::dev_yaml_with(|y| {
        y.replace("asgMaxSize: 6", "asgMaxSixe: 4")
            .replace("    database:\n      host:", "    databse:\n      host:")
            .replace("      publicIps:", "      publicIp:")
            .replace("  payments-platform:costCenter: cc-payments-1001\n", "")
            + "  payments-platform:dbPasword:\n    secure: AAAAsecret\n"
    });
    let stderr = assert_config_error(
        &yaml,
        &[(
            "PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASWORD",
            "Typo-Secret-Sentinel",
        )],
        &[
            "`payments-platform:asgMaxSixe` = \"4\": is not a setting of this program; did you mean `asgMaxSize`?",
            "`payments-platform:dbPasword`: is not a setting of this program; did you mean `dbPassword`?",
            "`payments-platform:migration.databse`",
            "did you mean `migration.database`?",
            "`payments-platform:migration.appServers.publicIp`",
            "did you mean `migration.appServers.publicIps`?",
            "`payments-platform:costCenter`: is required but not set",
            "5 configuration error(s)",
        ],
    );
    assert!(!stderr.contains("Typo-Secret-Sentinel"), "{stderr}");
    assert!(!stderr.contains("AAAAsecret"), "{stderr}");
}

#[test]
fn a_plaintext_secret_in_the_file_is_refused_without_echoing_it() {
    let yaml =
        common::dev_yaml_with(|y| y + "  payments-platform:dbPassword: Plaintext-Sentinel-42\n");
    let stderr = assert_config_error(
        &yaml,
        &[],
        &["payments-platform:dbPassword", "plaintext", "--secret"],
    );
    assert!(!stderr.contains("Plaintext-Sentinel-42"));
}

#[test]
fn an_encrypted_secret_without_its_variable_names_the_variable() {
    let yaml = common::dev_yaml_with(|y| {
        y + "  payments-platform:dbPassword:\n    secure: AAABAKm9ciphertext\n"
    });
    assert_config_error(
        &yaml,
        &[],
        &[
            "payments-platform:dbPassword",
            "PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD",
        ],
    );
}

#[test]
fn a_secret_password_never_appears_in_plaintext() {
    const SENTINEL: &str = "Sentinel-Password-7f3a9c";
    let yaml = common::dev_yaml_with(|y| {
        y + "  payments-platform:dbPassword:\n    secure: AAABAKm9ciphertext\n"
    });
    let (output, plan_path) = preview_with(
        &yaml,
        &[("PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD", SENTINEL)],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        !text(&output.stdout).contains(SENTINEL),
        "stdout leaks the secret"
    );
    assert!(
        !text(&output.stderr).contains(SENTINEL),
        "stderr leaks the secret"
    );
    let plan_text = std::fs::read_to_string(&plan_path).expect("plan");
    assert!(!plan_text.contains(SENTINEL), "the plan leaks the secret");
    let plan: pulumi_runtime::Plan = serde_json::from_str(&plan_text).expect("plan json");
    let db = plan
        .of_type("aws:rds/instance:Instance")
        .next()
        .expect("db");
    assert!(
        db.inputs["password"]
            .get(pulumi_runtime::wire::SIG_KEY)
            .is_some(),
        "password sent as a secret"
    );
    assert!(db.inputs.get("manageMasterUserPassword").is_none());
    // A broken run with the secret set must not leak it either.
    let broken = yaml.replace("asgDesiredCapacity: 2", "asgDesiredCapacity: 9");
    let (output, _) = preview_with(
        &broken,
        &[("PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD", SENTINEL)],
    );
    assert!(!output.status.success());
    assert!(!text(&output.stderr).contains(SENTINEL) && !text(&output.stdout).contains(SENTINEL));
}

#[test]
fn two_previews_write_byte_identical_plans() {
    let plans: Vec<String> = (0..2)
        .map(|i| {
            let path = temp(&format!("determinism-{i}.json"));
            let output = run(&["preview", "--json", path.to_str().expect("path")], &[]);
            assert!(output.status.success());
            std::fs::read_to_string(&path).expect("plan")
        })
        .collect();
    assert!(plans[0].len() > 10_000);
    assert!(plans[0] == plans[1], "plans differ between runs");
}

#[test]
fn without_an_engine_the_binary_explains_itself_and_never_panics() {
    let output = run(&[], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("PULUMI_MONITOR is not set"));
    // Port 1 on loopback: nothing listens there.
    let output = run(&[], &[("PULUMI_MONITOR", "127.0.0.1:1")]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an unreachable engine is an error the host shows"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("cannot connect to 127.0.0.1:1") && !stderr.contains("panicked"),
        "{stderr}"
    );
}
