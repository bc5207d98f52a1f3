//! The call journal: one JSON line per provider call, appended to a file the test names, so a test
//! can assert what the engine asked for and in which order (e.g. deletes in reverse dependency
//! order). Secret values never reach it: only operation, URN, type and id are written.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

/// One journal line.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// The provider call (`check`, `diff`, `create`, `read`, `update`, `delete`, `invoke`,
    /// `configure`).
    pub op: &'a str,
    /// The resource URN, or the function token of an invoke.
    pub urn: &'a str,
    /// The resource type (empty for invokes).
    #[serde(rename = "type")]
    pub ty: &'a str,
    /// The resource id, when the call has one.
    pub id: &'a str,
    /// Whether the call was a preview.
    pub preview: bool,
    /// `ok`, or `failed: <reason>`.
    pub outcome: &'a str,
}

/// An append-only journal; without a file it records nothing.
pub struct Journal {
    file: Option<Mutex<File>>,
}

impl Journal {
    /// A journal appending to `path`, or none.
    pub fn open(path: Option<&Path>) -> std::io::Result<Self> {
        let file = match path {
            Some(path) => Some(Mutex::new(
                OpenOptions::new().create(true).append(true).open(path)?,
            )),
            None => None,
        };
        Ok(Self { file })
    }

    /// Appends one entry. A write error is reported on stderr (the engine shows it) and does not
    /// fail the call.
    pub fn record(&self, entry: &Entry<'_>) {
        let Some(file) = &self.file else { return };
        let Ok(mut line) = serde_json::to_string(entry) else {
            return;
        };
        line.push('\n');
        let written = match file.lock() {
            Ok(mut file) => file.write_all(line.as_bytes()),
            Err(_) => return,
        };
        if let Err(error) = written {
            eprintln!("pulumi-provider-standin: cannot write the journal: {error}");
        }
    }
}
