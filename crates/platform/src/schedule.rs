//! The critical path of a plan's dependency graph: the longest chain of creation latencies, which
//! bounds how fast any engine can deploy the plan. A resource can start once everything it
//! depends on exists: its data dependencies and `dependsOn` (`dependencies`), its parent and its
//! provider.

use std::collections::BTreeMap;
use std::time::Duration;

use pulumi_runtime::plan::Plan;

/// The critical path: its total duration and the resources on it, first to last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    /// Sum of the latencies along the path.
    pub duration: Duration,
    /// `type name` of each resource on the path, in creation order.
    pub resources: Vec<String>,
}

/// Computes the critical path of `plan` with per-type creation `latency` (components and the
/// stack take no time).
pub fn critical_path(plan: &Plan, latency: impl Fn(&str) -> Duration) -> CriticalPath {
    let by_urn: BTreeMap<&str, usize> = plan
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.urn.as_str(), i))
        .collect();
    let predecessors: Vec<Vec<usize>> = plan
        .resources
        .iter()
        .map(|r| {
            let provider = r
                .provider
                .split("::")
                .take(4)
                .collect::<Vec<_>>()
                .join("::");
            r.dependencies
                .iter()
                .map(String::as_str)
                .chain([r.parent.as_str(), provider.as_str()])
                .filter_map(|urn| by_urn.get(urn).copied())
                .collect()
        })
        .collect();
    let mut finish: Vec<Option<(Duration, Option<usize>)>> = vec![None; plan.resources.len()];
    for index in 0..plan.resources.len() {
        finish_time(index, plan, &predecessors, &latency, &mut finish, 0);
    }
    let end = (0..plan.resources.len()).max_by_key(|i| finish[*i].map(|f| f.0));
    let mut resources = Vec::new();
    let mut cursor = end;
    while let Some(index) = cursor {
        let resource = &plan.resources[index];
        if resource.custom {
            resources.push(format!("{} {}", resource.ty, resource.name));
        }
        cursor = finish[index].and_then(|f| f.1);
    }
    resources.reverse();
    CriticalPath {
        duration: end.and_then(|i| finish[i]).map(|f| f.0).unwrap_or_default(),
        resources,
    }
}

/// Earliest finish of resource `index` and the predecessor that determines it (memoised; a cycle,
/// which a plan cannot have, is cut by the depth bound).
fn finish_time(
    index: usize,
    plan: &Plan,
    predecessors: &[Vec<usize>],
    latency: &impl Fn(&str) -> Duration,
    finish: &mut [Option<(Duration, Option<usize>)>],
    depth: usize,
) -> Duration {
    if let Some((time, _)) = finish[index] {
        return time;
    }
    let mut start = Duration::ZERO;
    let mut via = None;
    if depth < plan.resources.len() {
        for &before in &predecessors[index] {
            let time = finish_time(before, plan, predecessors, latency, finish, depth + 1);
            if time > start || via.is_none() {
                start = start.max(time);
                via = Some(before);
            }
        }
    }
    let resource = &plan.resources[index];
    let own = if resource.custom {
        latency(&resource.ty)
    } else {
        Duration::ZERO
    };
    finish[index] = Some((start + own, via));
    start + own
}
