//! The platform's configuration reader: reads typed values from the stack config, collects every
//! problem so they are reported together, and refuses what a person gets wrong without noticing:
//!
//! - a key of the namespace that the program does not read (a typo such as `asgMaxSixe`) is an
//!   error naming the key and the closest known key ("did you mean `asgMaxSize`?");
//! - a value of the wrong type is an error saying what is expected in words a person uses ("a
//!   whole number", "true or false", "a list of text values"), never a Rust type name.
//!
//! Structured values check their own keys at every depth through [`Expected::read`] (the
//! `migration` object, see `migration::settings`). Built on the runtime's public [`Config`]
//! getters only; secret values are never copied into a message.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use pulumi_runtime::{Config, ConfigError, ConfigErrors, Output, OutputValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One problem found while reading a value, with its key relative to the namespace (a dotted path
/// inside structured values, e.g. `migration.database.host`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The key, without the namespace.
    pub key: String,
    /// The offending value, if it may be shown.
    pub value: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

/// A type read from config, with what its values must be in words a person uses.
pub trait Expected: DeserializeOwned {
    /// What a value must be, e.g. "a whole number".
    fn expected() -> String;

    /// The values allowed, when the type is a choice (for "did you mean" hints).
    fn choices() -> &'static [&'static str] {
        &[]
    }

    /// Reads `key` (without the namespace; `full_key` with it). The default reads through the
    /// runtime's typed getter and rewords a type error with [`Expected::expected`].
    fn read(config: &Config, key: &str, full_key: &str) -> Result<Option<Self>, Vec<Problem>> {
        read_typed(config, key, full_key)
    }
}

/// [`Expected::read`]'s default: the runtime's typed getter, its type error reworded.
fn read_typed<T: Expected>(
    config: &Config,
    key: &str,
    full_key: &str,
) -> Result<Option<T>, Vec<Problem>> {
    config.get::<T>(full_key).map_err(|error| {
        let problem = match &error.value {
            // A value that does not parse as `T` (secrets never carry their value).
            Some(_) => format!("must be {}", T::expected()),
            None => error.problem.clone(),
        };
        let fix = match (error.value.as_deref(), T::choices()) {
            (Some(value), choices) if !choices.is_empty() => {
                let suggestion = closest(value, choices.iter().copied()).unwrap_or_default();
                format!("did you mean `{suggestion}`? run `pulumi config set {key} {suggestion}`")
            }
            _ => error.fix.clone(),
        };
        vec![Problem {
            key: key.to_owned(),
            value: error.value,
            problem,
            fix,
        }]
    })
}

impl Expected for String {
    fn expected() -> String {
        "text".to_owned()
    }

    /// Numbers and booleans read as their text (`costCenter: 1001`); a list or a mapping is
    /// refused rather than taken as its JSON text.
    fn read(config: &Config, key: &str, full_key: &str) -> Result<Option<Self>, Vec<Problem>> {
        match config.get::<Value>(full_key) {
            Ok(Some(value @ (Value::Array(_) | Value::Object(_)))) => Err(vec![Problem {
                key: key.to_owned(),
                value: Some(shown(&value)),
                problem: "must be text, not a list or a mapping".to_owned(),
                fix: format!("run `pulumi config set {key} <value>` with a single value"),
            }]),
            _ => read_typed(config, key, full_key),
        }
    }
}

impl Expected for i64 {
    fn expected() -> String {
        "a whole number".to_owned()
    }
}

impl Expected for f64 {
    fn expected() -> String {
        "a number".to_owned()
    }
}

impl Expected for bool {
    fn expected() -> String {
        "true or false".to_owned()
    }
}

impl Expected for Vec<String> {
    fn expected() -> String {
        "a list of text values".to_owned()
    }
}

impl Expected for Value {
    fn expected() -> String {
        "any value".to_owned()
    }
}

/// Reads many keys of one namespace and collects every problem; see the module docs.
pub struct Reader<'a> {
    config: &'a Config,
    namespace: String,
    known: BTreeSet<String>,
    errors: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    /// A reader over `namespace` (the project name).
    pub fn new(config: &'a Config, namespace: &str) -> Self {
        Self {
            config,
            namespace: namespace.to_owned(),
            known: BTreeSet::new(),
            errors: Vec::new(),
        }
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    fn record(&mut self, problems: Vec<Problem>) {
        for problem in problems {
            self.invalid(&problem.key, problem.value, &problem.problem, &problem.fix);
        }
    }

    /// An optional value (`None` when unset or invalid; invalid is recorded).
    pub fn get<T: Expected>(&mut self, key: &str) -> Option<T> {
        self.known.insert(key.to_owned());
        match T::read(self.config, key, &self.full_key(key)) {
            Ok(value) => value,
            Err(problems) => {
                self.record(problems);
                None
            }
        }
    }

    /// A value with a default (the default also when the value is invalid, which is recorded).
    pub fn get_or<T: Expected>(&mut self, key: &str, default: T) -> T {
        self.get(key).unwrap_or(default)
    }

    /// A required value (`None` when missing or invalid; both recorded).
    pub fn require<T: Expected>(&mut self, key: &str) -> Option<T> {
        let present = self
            .config
            .keys_in(&self.namespace)
            .iter()
            .any(|k| k == key);
        let value = self.get(key);
        if !present {
            self.invalid(
                key,
                None,
                "is required but not set",
                &format!("run `pulumi config set {key} <value>`"),
            );
        }
        value
    }

    /// An optional secret value; a type error says what is expected without showing the value.
    pub fn get_secret<T: Expected + OutputValue>(&mut self, key: &str) -> Option<Output<T>> {
        self.known.insert(key.to_owned());
        match self.config.get_secret::<T>(&self.full_key(key)) {
            Ok(value) => value,
            Err(mut error) => {
                if error.problem.starts_with("has the wrong type") {
                    error.problem =
                        format!("must be {} (value not shown: it is secret)", T::expected());
                }
                self.errors.push(error);
                None
            }
        }
    }

    /// A value from another namespace (e.g. `aws:region`), with a default.
    pub fn get_other_or<T: Expected>(&mut self, full_key: &str, default: T) -> T {
        match T::read(self.config, full_key, full_key) {
            Ok(value) => value.unwrap_or(default),
            Err(problems) => {
                for problem in problems {
                    self.errors.push(ConfigError {
                        key: full_key.to_owned(),
                        value: problem.value,
                        problem: problem.problem,
                        fix: problem.fix,
                    });
                }
                default
            }
        }
    }

    /// Records a validation problem found by the program (`key` without the namespace).
    pub fn invalid(&mut self, key: &str, value: Option<String>, problem: &str, fix: &str) {
        self.errors.push(ConfigError {
            key: self.full_key(key),
            value,
            problem: problem.to_owned(),
            fix: fix.to_owned(),
        });
    }

    /// Ends reading: every key of the namespace that was not read is an error naming the closest
    /// known key (listed first), then every other problem; `Ok` if there were none.
    pub fn finish(self) -> Result<(), ConfigErrors> {
        let mut errors = Vec::new();
        let mut suggested = Vec::new();
        for key in self.config.keys_in(&self.namespace) {
            if self.known.contains(&key) {
                continue;
            }
            let full_key = self.full_key(&key);
            // Secrets cannot be read as plain values, so their value is never shown.
            let value = self
                .config
                .get::<Value>(&full_key)
                .ok()
                .flatten()
                .map(|value| shown(&value));
            let suggestion =
                closest(&key, self.known.iter().map(String::as_str)).unwrap_or_default();
            suggested.push(self.full_key(suggestion));
            errors.push(ConfigError {
                key: full_key,
                value,
                problem: format!(
                    "is not a setting of this program; did you mean `{suggestion}`?"
                ),
                fix: format!(
                    "rename it: `pulumi config rm {key}`, then `pulumi config set {suggestion} <value>` (every key is in the README's configuration reference)"
                ),
            });
        }
        // A required key that a misspelt one stands for is reported once, as the misspelling.
        errors.extend(self.errors.into_iter().filter(|error| {
            !(error.problem == "is required but not set" && suggested.contains(&error.key))
        }));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

/// A value as shown in a message: text as is, anything else as compact JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The known key closest to `key` (edit distance, ignoring case; ties go to the nearer length,
/// then alphabetical order), or `None` when nothing is known.
pub fn closest<'k>(key: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let lower = key.to_lowercase();
    known.into_iter().min_by_key(|candidate| {
        (
            distance(&lower, &candidate.to_lowercase()),
            candidate.len().abs_diff(key.len()),
            *candidate,
        )
    })
}

/// The edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of two
/// neighbouring characters each count one.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

/// Parses `a.b.c.d/n` into its address and prefix length.
pub fn parse_cidr(text: &str) -> Option<(Ipv4Addr, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let address: Ipv4Addr = address.parse().ok()?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
    Some((address, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Config {
        Config::from_stack_yaml(text, "Pulumi.test.yaml", "proj", |_| None).expect("valid")
    }

    #[test]
    fn the_closest_key_wins() {
        let known = ["asgMinSize", "asgMaxSize", "asgDesiredCapacity", "appPort"];
        assert_eq!(closest("asgMaxSixe", known), Some("asgMaxSize"));
        assert_eq!(closest("asgmaxsize", known), Some("asgMaxSize"));
        assert_eq!(closest("asgMxaSize", known), Some("asgMaxSize"));
        assert_eq!(closest("appport", known), Some("appPort"));
        assert_eq!(closest("x", []), None);
        assert_eq!(distance("abc", "acb"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn an_unread_key_is_refused_with_the_closest_known_one() {
        let config = file("config:\n  proj:asgMaxSize: 4\n  proj:asgMaxSixe: 5\n");
        let mut r = Reader::new(&config, "proj");
        assert_eq!(r.get_or("asgMaxSize", 6_i64), 4);
        let errors = r.finish().expect_err("typo").0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key, "proj:asgMaxSixe");
        assert_eq!(errors[0].value.as_deref(), Some("5"));
        assert!(
            errors[0].problem.contains("did you mean `asgMaxSize`?"),
            "{errors:?}"
        );
    }

    #[test]
    fn type_errors_say_what_is_expected_in_plain_words() {
        let config = file(
            "config:\n  proj:count: many\n  proj:flag: maybe\n  proj:list: one\n  proj:ratio: x\n  proj:name: [1]\n",
        );
        let mut r = Reader::new(&config, "proj");
        let _: Option<i64> = r.get("count");
        let _: Option<bool> = r.get("flag");
        let _: Option<Vec<String>> = r.get("list");
        let _: Option<f64> = r.get("ratio");
        let _: Option<String> = r.get("name");
        let text = r.finish().expect_err("wrong types").to_string();
        for needle in [
            "`proj:count` = \"many\": must be a whole number",
            "`proj:flag` = \"maybe\": must be true or false",
            "`proj:list` = \"one\": must be a list of text values",
            "`proj:ratio` = \"x\": must be a number",
            "`proj:name` = \"[1]\": must be text",
        ] {
            assert!(text.contains(needle), "{needle:?} not in {text}");
        }
        for rust_name in ["i64", "f64", "bool", "sequence", "string"] {
            assert!(!text.contains(rust_name), "{rust_name} in {text}");
        }
    }

    #[test]
    fn a_misspelt_required_key_is_reported_as_the_misspelling_only() {
        let config = file("config:\n  proj:costCentre: cc-1\n");
        let mut r = Reader::new(&config, "proj");
        let _: Option<String> = r.require("costCenter");
        let errors = r.finish().expect_err("typo").0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].problem.contains("did you mean `costCenter`?"));
    }

    #[test]
    fn a_missing_required_key_is_reported_once() {
        let config = file("config: {}\n");
        let mut r = Reader::new(&config, "proj");
        let value: Option<String> = r.require("costCenter");
        assert_eq!(value, None);
        let errors = r.finish().expect_err("missing").0;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].problem, "is required but not set");
        assert!(errors[0].fix.contains("pulumi config set costCenter"));
    }

    #[test]
    fn an_unknown_secret_key_never_shows_its_value() {
        let config = Config::from_stack_yaml(
            "config:\n  proj:dbPasword:\n    secure: AAAA\n",
            "f",
            "proj",
            |_| Some("Sentinel-Secret-7".to_owned()),
        )
        .expect("valid");
        let mut r = Reader::new(&config, "proj");
        let _ = r.get_secret::<String>("dbPassword");
        let text = r.finish().expect_err("typo").to_string();
        assert!(text.contains("did you mean `dbPassword`?"), "{text}");
        assert!(!text.contains("Sentinel-Secret-7"), "{text}");
    }
}
