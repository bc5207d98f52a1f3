//! Tags: the required set (Environment, CostCenter, MigrationPhase) plus ownership tags. The AWS
//! provider applies them to every taggable resource through `defaultTags`; resources AWS creates
//! on the platform's behalf (instances and volumes launched by the ASG) get them explicitly.

use std::collections::BTreeMap;

use crate::config::{PROJECT, PlatformConfig};

/// The tag keys every taggable resource must carry.
pub const REQUIRED_TAGS: [&str; 3] = ["Environment", "CostCenter", "MigrationPhase"];

/// The default tags of the stack.
pub fn default_tags(config: &PlatformConfig) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("Environment".to_owned(), config.environment.clone()),
        ("CostCenter".to_owned(), config.cost_center.clone()),
        (
            "MigrationPhase".to_owned(),
            config.migration_phase.as_str().to_owned(),
        ),
        ("Project".to_owned(), PROJECT.to_owned()),
        ("ManagedBy".to_owned(), "pulumi".to_owned()),
    ])
}

/// The default tags plus a `Name` tag.
pub fn named(config: &PlatformConfig, name: &str) -> BTreeMap<String, String> {
    let mut tags = default_tags(config);
    tags.insert("Name".to_owned(), name.to_owned());
    tags
}
