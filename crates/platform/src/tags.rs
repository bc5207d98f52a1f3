//! Tags: the required set (Environment, CostCenter, MigrationPhase) plus ownership tags. The AWS
//! provider applies them to every taggable resource through `defaultTags`; resources AWS creates
//! on the platform's behalf (instances and volumes launched by the ASG) get them explicitly.
//!
//! The phase tag changes at every phase change, so it stays out of the launch template (where it
//! would make a new template version and an instance refresh of the whole group): instances get
//! it from the group's tags propagated at launch, and the volumes and network interfaces they
//! launch with, which group tags never reach, carry [`PHASE_ON_INSTANCE`].

use std::collections::BTreeMap;

use crate::config::{PROJECT, PlatformConfig};

/// The tag keys every taggable resource must carry.
pub const REQUIRED_TAGS: [&str; 3] = ["Environment", "CostCenter", "MigrationPhase"];

/// The tag key of the migration phase.
pub const PHASE_TAG: &str = "MigrationPhase";

/// The `MigrationPhase` value of the volumes and network interfaces the group launches: the phase
/// is on the instance they are attached to (a phase value in the launch template would roll the
/// fleet at every phase change).
pub const PHASE_ON_INSTANCE: &str = "see-instance";

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

/// `tags` without the phase: what does not change between migration phases.
pub fn without_phase(mut tags: BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.remove(PHASE_TAG);
    tags
}

/// `tags` with the phase replaced by [`PHASE_ON_INSTANCE`] (volumes, network interfaces).
pub fn phase_on_instance(mut tags: BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.insert(PHASE_TAG.to_owned(), PHASE_ON_INSTANCE.to_owned());
    tags
}
