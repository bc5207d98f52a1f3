//! Property tests of `Output<T>`: unknowns, secrets and dependencies propagate through `map`,
//! `apply`, `zip` and `all`, and closures never run on unknown values.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use pulumi_runtime::{Output, OutputData};

fn data_strategy() -> impl Strategy<Value = OutputData<i64>> {
    (
        proptest::option::of(any::<i64>()),
        any::<bool>(),
        proptest::collection::btree_set("urn:[a-c]{1,3}", 0..3),
    )
        .prop_map(|(value, secret, dependencies)| OutputData {
            value,
            secret,
            dependencies,
        })
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

proptest! {
    #[test]
    fn map_preserves_state_and_skips_unknowns(data in data_strategy()) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let mapped = Output::from_data(data.clone()).map(move |v| {
            counter.fetch_add(1, Ordering::SeqCst);
            v.wrapping_mul(2)
        });
        let result = block_on(mapped.resolve());
        prop_assert_eq!(result.value, data.value.map(|v| v.wrapping_mul(2)));
        prop_assert_eq!(result.secret, data.secret);
        prop_assert_eq!(result.dependencies, data.dependencies);
        prop_assert_eq!(calls.load(Ordering::SeqCst), usize::from(data.value.is_some()));
    }

    #[test]
    fn apply_merges_both_steps(outer in data_strategy(), inner in data_strategy()) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let inner_output = Output::from_data(inner.clone());
        let applied = Output::from_data(outer.clone()).apply(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            inner_output
        });
        let result = block_on(applied.resolve());
        if outer.value.is_some() {
            prop_assert_eq!(result.value, inner.value);
            prop_assert_eq!(result.secret, outer.secret || inner.secret);
            let expected: BTreeSet<String> =
                outer.dependencies.union(&inner.dependencies).cloned().collect();
            prop_assert_eq!(result.dependencies, expected);
            prop_assert_eq!(calls.load(Ordering::SeqCst), 1);
        } else {
            prop_assert_eq!(result.value, None);
            prop_assert_eq!(result.secret, outer.secret);
            prop_assert_eq!(result.dependencies, outer.dependencies);
            prop_assert_eq!(calls.load(Ordering::SeqCst), 0);
        }
    }

    #[test]
    fn all_is_known_only_when_every_part_is(parts in proptest::collection::vec(data_strategy(), 0..6)) {
        let combined = Output::all(parts.iter().cloned().map(Output::from_data));
        let result = block_on(combined.resolve());
        let expected: Option<Vec<i64>> = parts.iter().map(|p| p.value).collect();
        prop_assert_eq!(result.value, expected);
        prop_assert_eq!(result.secret, parts.iter().any(|p| p.secret));
        let deps: BTreeSet<String> = parts.iter().flat_map(|p| p.dependencies.clone()).collect();
        prop_assert_eq!(result.dependencies, deps);
    }

    #[test]
    fn zip_merges_secrecy_and_dependencies(a in data_strategy(), b in data_strategy()) {
        let zipped = Output::from_data(a.clone()).zip(&Output::from_data(b.clone()));
        let result = block_on(zipped.resolve());
        prop_assert_eq!(result.value, a.value.zip(b.value));
        prop_assert_eq!(result.secret, a.secret || b.secret);
        prop_assert_eq!(result.dependencies.len(), a.dependencies.union(&b.dependencies).count());
    }

    #[test]
    fn secrecy_is_sticky_through_chains(data in data_strategy()) {
        let chained = Output::from_data(data)
            .into_secret()
            .map(|v| v.to_string())
            .apply(|s| Output::known(s.len()));
        prop_assert!(block_on(chained.resolve()).secret);
    }
}

#[test]
fn debug_output_never_shows_the_value() {
    let data = OutputData::known("hunter2".to_owned());
    assert!(!format!("{data:?}").contains("hunter2"));
}
