//! Injected faults: a JSON file `[{"type": "aws:rds/instance:Instance", "operation": "create",
//! "count": 1}]`. A matching call fails and the count in the file goes down by one, so a fault
//! survives the provider's restart between two `pulumi` commands and fires exactly `count` times.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The resource type it applies to.
    #[serde(rename = "type")]
    pub ty: String,
    /// The operation (`create`, `update`, `delete`, `read`).
    pub operation: String,
    /// How many more times it fires.
    pub count: u32,
}

/// The fault file, read and rewritten under a lock at every call.
pub struct Faults {
    path: Option<Mutex<PathBuf>>,
}

impl Faults {
    /// Faults from the file at `path`, or none.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path: path.map(Mutex::new),
        }
    }

    /// Whether the call `operation` on a resource of type `ty` must fail now; consumes one count.
    /// An unreadable or malformed file is an error for the call (a test set it up wrong).
    pub fn take(&self, ty: &str, operation: &str) -> Result<bool, String> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        let path = path.lock().map_err(|_| "the fault file lock is poisoned")?;
        let text = match std::fs::read_to_string(&*path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
        };
        let mut faults: Vec<Fault> = serde_json::from_str(&text)
            .map_err(|error| format!("{} is not a fault list: {error}", path.display()))?;
        let Some(fault) = faults
            .iter_mut()
            .find(|f| f.ty == ty && f.operation == operation && f.count > 0)
        else {
            return Ok(false);
        };
        fault.count -= 1;
        let text = serde_json::to_string_pretty(&faults).map_err(|error| error.to_string())?;
        std::fs::write(&*path, text)
            .map_err(|error| format!("cannot update {}: {error}", path.display()))?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_fires_exactly_count_times_and_only_for_its_type_and_operation() {
        let dir = std::env::temp_dir().join(format!("standin-faults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("faults.json");
        std::fs::write(
            &file,
            r#"[{"type": "aws:rds/instance:Instance", "operation": "create", "count": 2}]"#,
        )
        .expect("write");
        let faults = Faults::new(Some(file.clone()));
        assert_eq!(faults.take("aws:ec2/vpc:Vpc", "create"), Ok(false));
        assert_eq!(
            faults.take("aws:rds/instance:Instance", "update"),
            Ok(false)
        );
        assert_eq!(faults.take("aws:rds/instance:Instance", "create"), Ok(true));
        // A second process reading the same file sees the decremented count.
        let again = Faults::new(Some(file.clone()));
        assert_eq!(again.take("aws:rds/instance:Instance", "create"), Ok(true));
        assert_eq!(again.take("aws:rds/instance:Instance", "create"), Ok(false));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_malformed_file_is_an_error_not_a_panic() {
        let dir = std::env::temp_dir().join(format!("standin-faults-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("faults.json");
        std::fs::write(&file, "{not json").expect("write");
        let faults = Faults::new(Some(file));
        assert!(faults.take("t", "create").is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
