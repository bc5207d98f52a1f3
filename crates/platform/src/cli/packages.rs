//! The `get-packages` answer: the provider plugins the program needs, with pinned versions.

use std::path::Path;

use payments_aws::schema::{AWS_VERSION, TLS_VERSION};
use serde_json::json;

/// The packages as the rust language host expects them.
pub fn packages() -> serde_json::Value {
    json!([
        {"name": "aws", "version": AWS_VERSION, "kind": "resource"},
        {"name": "tls", "version": TLS_VERSION, "kind": "resource"},
    ])
}

/// Writes the package list to `file`; returns the process exit code.
pub fn write(file: &Path) -> u8 {
    match std::fs::write(file, format!("{:#}\n", packages())) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", file.display());
            1
        }
    }
}
