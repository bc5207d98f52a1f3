//! `Output<T>`: a value that becomes known later, carrying secrecy and the URNs it depends on.
//!
//! Invariants (property-tested in `tests/output_props.rs`):
//! - `map`/`apply` never run their closure on an unknown value; the result is unknown.
//! - secrecy is sticky: anything derived from a secret is secret.
//! - dependencies only grow: a derived output depends on every URN its sources depend on.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

/// Bound for the values an [`Output`] can carry.
pub trait OutputValue: Clone + Send + Sync + 'static {}
impl<T: Clone + Send + Sync + 'static> OutputValue for T {}

/// The resolved state of an output: its value (absent when unknown), secrecy and dependencies.
#[derive(Clone, PartialEq)]
pub struct OutputData<T> {
    /// The value, or `None` while it is unknown (a computed value during preview).
    pub value: Option<T>,
    /// Whether the value must be treated as a secret.
    pub secret: bool,
    /// URNs of the resources this value comes from.
    pub dependencies: BTreeSet<String>,
}

impl<T> OutputData<T> {
    /// A known, non-secret value with no dependencies.
    pub fn known(value: T) -> Self {
        Self {
            value: Some(value),
            secret: false,
            dependencies: BTreeSet::new(),
        }
    }

    /// An unknown value with no dependencies.
    pub fn unknown() -> Self {
        Self {
            value: None,
            secret: false,
            dependencies: BTreeSet::new(),
        }
    }

    /// Whether the value is known.
    pub fn is_known(&self) -> bool {
        self.value.is_some()
    }
}

impl<T> fmt::Debug for OutputData<T> {
    /// Never prints the value: outputs may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputData")
            .field("known", &self.value.is_some())
            .field("secret", &self.secret)
            .field("dependencies", &self.dependencies)
            .finish()
    }
}

/// A value that resolves asynchronously. Cloning is cheap; every clone sees the same resolution.
#[derive(Clone)]
pub struct Output<T: OutputValue> {
    inner: Shared<BoxFuture<'static, OutputData<T>>>,
}

impl<T: OutputValue> fmt::Debug for Output<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Output(..)")
    }
}

impl<T: OutputValue> Output<T> {
    /// An output that resolves to `data`.
    pub fn from_data(data: OutputData<T>) -> Self {
        Self::from_future(std::future::ready(data))
    }

    /// An output resolved by `future` (polled by whoever awaits it first).
    pub fn from_future(future: impl Future<Output = OutputData<T>> + Send + 'static) -> Self {
        Self {
            inner: future.boxed().shared(),
        }
    }

    /// A known, non-secret value.
    pub fn known(value: T) -> Self {
        Self::from_data(OutputData::known(value))
    }

    /// An unknown value (what a computed property is during preview).
    pub fn unknown() -> Self {
        Self::from_data(OutputData::unknown())
    }

    /// A known secret value.
    pub fn secret(value: T) -> Self {
        Self::known(value).into_secret()
    }

    /// Waits for the output and returns its state.
    pub async fn resolve(&self) -> OutputData<T> {
        self.inner.clone().await
    }

    /// The same value, marked secret.
    pub fn into_secret(self) -> Self {
        self.map_data(|mut data| {
            data.secret = true;
            data
        })
    }

    /// The same value, additionally depending on `urns`.
    pub fn with_dependencies(self, urns: impl IntoIterator<Item = String>) -> Self {
        let extra: BTreeSet<String> = urns.into_iter().collect();
        self.map_data(move |mut data| {
            data.dependencies.extend(extra);
            data
        })
    }

    fn map_data<U: OutputValue>(
        &self,
        f: impl FnOnce(OutputData<T>) -> OutputData<U> + Send + 'static,
    ) -> Output<U> {
        let source = self.clone();
        Output::from_future(async move { f(source.resolve().await) })
    }

    /// Transforms the value once known. `f` never runs on an unknown value.
    pub fn map<U: OutputValue>(&self, f: impl FnOnce(T) -> U + Send + 'static) -> Output<U> {
        self.map_data(move |data| OutputData {
            value: data.value.map(f),
            secret: data.secret,
            dependencies: data.dependencies,
        })
    }

    /// Chains an output-producing step. `f` never runs on an unknown value; the result carries the
    /// secrecy and dependencies of both steps.
    pub fn apply<U: OutputValue>(
        &self,
        f: impl FnOnce(T) -> Output<U> + Send + 'static,
    ) -> Output<U> {
        let source = self.clone();
        Output::from_future(async move {
            let outer = source.resolve().await;
            match outer.value {
                None => OutputData {
                    value: None,
                    secret: outer.secret,
                    dependencies: outer.dependencies,
                },
                Some(value) => {
                    let mut inner = f(value).resolve().await;
                    inner.secret |= outer.secret;
                    inner.dependencies.extend(outer.dependencies);
                    inner
                }
            }
        })
    }

    /// Combines two outputs: known when both are, secret when either is, with both dependency sets.
    pub fn zip<U: OutputValue>(&self, other: &Output<U>) -> Output<(T, U)> {
        let (a, b) = (self.clone(), other.clone());
        Output::from_future(async move {
            let (a, b) = futures_util::future::join(a.resolve(), b.resolve()).await;
            let mut dependencies = a.dependencies;
            dependencies.extend(b.dependencies);
            OutputData {
                value: a.value.zip(b.value),
                secret: a.secret || b.secret,
                dependencies,
            }
        })
    }

    /// Combines many outputs into one list, with the same rules as [`Output::zip`].
    pub fn all(outputs: impl IntoIterator<Item = Output<T>>) -> Output<Vec<T>> {
        let outputs: Vec<Output<T>> = outputs.into_iter().collect();
        Output::from_future(async move {
            let resolved =
                futures_util::future::join_all(outputs.iter().map(Output::resolve)).await;
            let mut combined = OutputData {
                value: Some(Vec::with_capacity(resolved.len())),
                secret: false,
                dependencies: BTreeSet::new(),
            };
            for data in resolved {
                combined.secret |= data.secret;
                combined.dependencies.extend(data.dependencies);
                combined.value = combined.value.zip(data.value).map(|(mut list, value)| {
                    list.push(value);
                    list
                });
            }
            combined
        })
    }
}

/// A resource argument: a plain value or an [`Output`].
#[derive(Clone, Debug)]
pub enum Input<T: OutputValue> {
    /// A value known when the program is written.
    Value(T),
    /// A value that comes from another resource or an invoke.
    Output(Output<T>),
}

impl<T: OutputValue> Input<T> {
    /// The input as an output (a plain value becomes a known output with no dependencies).
    pub fn into_output(self) -> Output<T> {
        match self {
            Input::Value(value) => Output::known(value),
            Input::Output(output) => output,
        }
    }
}

impl<T: OutputValue> From<T> for Input<T> {
    fn from(value: T) -> Self {
        Input::Value(value)
    }
}

impl<T: OutputValue> From<Output<T>> for Input<T> {
    fn from(output: Output<T>) -> Self {
        Input::Output(output)
    }
}

impl<T: OutputValue> From<&Output<T>> for Input<T> {
    fn from(output: &Output<T>) -> Self {
        Input::Output(output.clone())
    }
}

impl From<&str> for Input<String> {
    fn from(value: &str) -> Self {
        Input::Value(value.to_owned())
    }
}
