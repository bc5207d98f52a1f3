//! `docs/compliance.md` lists every rule with its severity and anchor, explains every advisory
//! rule, and lists every exception with its reason.

use payments_compliance::{EXCEPTIONS, Severity, rules};

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/compliance.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn the_control_table_lists_every_rule_as_the_code_defines_it() {
    let doc = doc();
    for rule in rules() {
        let row = format!(
            "| `{}` | {} | {} | {} |",
            rule.id, rule.title, rule.severity, rule.anchor
        );
        assert!(doc.contains(&row), "docs/compliance.md lacks the row {row}");
    }
}

#[test]
fn every_advisory_rule_has_a_section_and_every_exception_its_reason() {
    let doc = doc();
    for rule in rules().iter().filter(|r| r.severity == Severity::Advisory) {
        let heading = format!("### `{}`", rule.id);
        assert!(doc.contains(&heading), "no section {heading}");
    }
    for exception in EXCEPTIONS {
        let row = format!(
            "| `{}` | `{}` | `{}` | {} |",
            exception.rule,
            exception.resource_type,
            exception.name_pattern,
            exception
                .reason
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(
            doc.contains(&row),
            "docs/compliance.md lacks the exception row {row}"
        );
    }
    // The platform's results live in the "Platform status" section, which
    // crates/platform/tests/docs.rs recomputes from the example stacks.
    assert!(
        doc.contains("## Platform status"),
        "the platform status section exists"
    );
}
