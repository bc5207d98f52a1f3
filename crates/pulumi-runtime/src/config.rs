//! Stack configuration: `PULUMI_CONFIG` under the engine, the `config:` map of
//! `Pulumi.<stack>.yaml` offline. Keys are namespaced (`payments-platform:vpcCidr`, `aws:region`).
//!
//! Secrets: a key listed in `PULUMI_CONFIG_SECRET_KEYS` (engine) or stored as `secure:` (file) can
//! only be read with the secret getters, which return a secret [`Output`]. Offline, a `secure:`
//! value cannot be decrypted; it is taken from an environment variable named in the error message.
//! A key read as a secret but stored in plaintext is an error: no plaintext secret on disk.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::output::{Output, OutputValue};

/// One configuration problem, naming the key, the value (unless secret) and the fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The full key, e.g. `payments-platform:vpcCidr`.
    pub key: String,
    /// The offending value, or `None` for a missing or secret one.
    pub value: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "config `{}` = {value:?}: {}", self.key, self.problem)?,
            None => write!(f, "config `{}`: {}", self.key, self.problem)?,
        }
        write!(f, " (fix: {})", self.fix)
    }
}

/// Every configuration problem found, reported together.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} configuration error(s):", self.0.len())?;
        for error in &self.0 {
            writeln!(f, "  - {error}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stored {
    /// The value as text (structured values as JSON text).
    Text(String),
    /// Encrypted in the stack file; the plaintext may come from this environment variable.
    Encrypted { env_var: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    stored: Stored,
    secret: bool,
}

/// Where the configuration came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Origin {
    Engine,
    File(String),
}

/// The whole stack configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    entries: BTreeMap<String, Entry>,
    origin: Origin,
}

/// The environment variable that supplies the plaintext of an encrypted key offline, e.g.
/// `PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD` for `payments-platform:dbPassword`.
pub fn secret_env_var(full_key: &str) -> String {
    let mut name = String::from("PULUMI_SECRET_");
    let mut previous_lower = false;
    for c in full_key.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            name.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else {
            name.push('_');
        }
    }
    name
}

impl Config {
    /// Configuration from the engine's `PULUMI_CONFIG` (JSON object of strings) and
    /// `PULUMI_CONFIG_SECRET_KEYS` (JSON array). Missing variables mean empty.
    pub fn from_engine(
        config: Option<&str>,
        secret_keys: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let invalid = |what: &str, problem: String| ConfigError {
            key: what.to_owned(),
            value: None,
            problem,
            fix:
                "this variable is set by the Pulumi language host; run the program with `pulumi up`"
                    .to_owned(),
        };
        let values: BTreeMap<String, Value> = match config.filter(|s| !s.trim().is_empty()) {
            Some(text) => serde_json::from_str(text)
                .map_err(|e| invalid("PULUMI_CONFIG", format!("not a JSON object: {e}")))?,
            None => BTreeMap::new(),
        };
        let secret: Vec<String> = match secret_keys.filter(|s| !s.trim().is_empty()) {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                invalid(
                    "PULUMI_CONFIG_SECRET_KEYS",
                    format!("not a JSON array of strings: {e}"),
                )
            })?,
            None => Vec::new(),
        };
        let entries = values
            .into_iter()
            .map(|(key, value)| {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let entry = Entry {
                    stored: Stored::Text(text),
                    secret: secret.contains(&key),
                };
                (key, entry)
            })
            .collect();
        Ok(Self {
            entries,
            origin: Origin::Engine,
        })
    }

    /// Configuration from the `config:` map of a stack file's text. Keys without a namespace belong
    /// to `project`. `secure:` values are recorded as encrypted (see [`secret_env_var`]); `lookup`
    /// reads an environment variable.
    pub fn from_stack_yaml(
        text: &str,
        file_name: &str,
        project: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file_error = |problem: String| ConfigError {
            key: file_name.to_owned(),
            value: None,
            problem,
            fix: format!("make {file_name} a YAML mapping with a `config:` mapping inside"),
        };
        let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)
            .map_err(|e| file_error(format!("not valid YAML: {e}")))?;
        let config = match document.get("config") {
            None | Some(serde_yaml_ng::Value::Null) => serde_yaml_ng::Mapping::new(),
            Some(serde_yaml_ng::Value::Mapping(map)) => map.clone(),
            Some(_) => return Err(file_error("`config` is not a mapping".to_owned())),
        };
        let mut entries = BTreeMap::new();
        for (key, value) in config {
            let key = match key {
                serde_yaml_ng::Value::String(key) if key.contains(':') => key,
                serde_yaml_ng::Value::String(key) => format!("{project}:{key}"),
                other => {
                    return Err(file_error(format!("config key {other:?} is not a string")));
                }
            };
            let entry = yaml_entry(&key, value, &lookup).map_err(|problem| ConfigError {
                key: key.clone(),
                value: None,
                problem,
                fix: format!("set it with `pulumi config set {key} <value>`"),
            })?;
            entries.insert(key, entry);
        }
        Ok(Self {
            entries,
            origin: Origin::File(file_name.to_owned()),
        })
    }

    /// Reads the stack file at `path` (see [`Config::from_stack_yaml`]).
    pub fn from_stack_file(
        path: &Path,
        project: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            key: name.clone(),
            value: None,
            problem: format!("cannot read the stack configuration file: {e}"),
            fix: "run from the project directory, or pass --config FILE".to_owned(),
        })?;
        Self::from_stack_yaml(&text, &name, project, lookup)
    }

    /// The keys of namespace `namespace` present in the configuration (without the namespace).
    pub fn keys_in(&self, namespace: &str) -> Vec<String> {
        let prefix = format!("{namespace}:");
        self.entries
            .keys()
            .filter_map(|key| key.strip_prefix(&prefix).map(str::to_owned))
            .collect()
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    fn set_hint(&self, key: &str, secret: bool) -> String {
        let secret_flag = if secret { "--secret " } else { "" };
        let (namespace, short) = key.split_once(':').unwrap_or(("", key));
        let shown = if namespace == "aws" { key } else { short };
        format!("run `pulumi config set {secret_flag}{shown} <value>`")
    }

    /// A plain value, if set. Fails if it does not parse as `T` or is a secret.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ConfigError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        if entry.secret {
            return Err(ConfigError {
                key: key.to_owned(),
                value: None,
                problem: "is a secret and must be read as one".to_owned(),
                fix: "the program reads this key with the secret getter".to_owned(),
            });
        }
        match &entry.stored {
            Stored::Text(text) => parse(text).map(Some).map_err(|problem| ConfigError {
                key: key.to_owned(),
                value: Some(text.clone()),
                problem,
                fix: self.set_hint(key, false),
            }),
            Stored::Encrypted { .. } => unreachable_encrypted(key),
        }
    }

    /// A plain value that must be set.
    pub fn require<T: DeserializeOwned>(&self, key: &str) -> Result<T, ConfigError> {
        self.get(key)?.ok_or_else(|| ConfigError {
            key: key.to_owned(),
            value: None,
            problem: "is required but not set".to_owned(),
            fix: self.set_hint(key, false),
        })
    }

    /// A secret value, if set, as a secret output. Fails if the value is stored in plaintext, if it
    /// cannot be decrypted offline and its environment variable is unset, or if it does not parse.
    /// Error messages never contain the value.
    pub fn get_secret<T: DeserializeOwned + OutputValue>(
        &self,
        key: &str,
    ) -> Result<Option<Output<T>>, ConfigError> {
        let Some(entry) = self.entry(key) else {
            return Ok(None);
        };
        let error = |problem: String, fix: String| ConfigError {
            key: key.to_owned(),
            value: None,
            problem,
            fix,
        };
        if !entry.secret {
            let place = match &self.origin {
                Origin::Engine => "the stack configuration".to_owned(),
                Origin::File(name) => name.clone(),
            };
            return Err(error(
                format!("is a secret but is stored in plaintext in {place}"),
                format!(
                    "remove it and {}, so it is stored encrypted",
                    self.set_hint(key, true)
                ),
            ));
        }
        let text = match &entry.stored {
            Stored::Text(text) => text,
            Stored::Encrypted { env_var } => {
                return Err(error(
                    "is encrypted in the stack file and cannot be decrypted offline".to_owned(),
                    format!(
                        "set the environment variable {env_var} to its value for a local preview"
                    ),
                ));
            }
        };
        let value = parse::<T>(text).map_err(|_| {
            error(
                "has the wrong type (value not shown: it is secret)".to_owned(),
                self.set_hint(key, true),
            )
        })?;
        Ok(Some(Output::secret(value)))
    }

    /// A secret value that must be set.
    pub fn require_secret<T: DeserializeOwned + OutputValue>(
        &self,
        key: &str,
    ) -> Result<Output<T>, ConfigError> {
        self.get_secret(key)?.ok_or_else(|| ConfigError {
            key: key.to_owned(),
            value: None,
            problem: "is required but not set".to_owned(),
            fix: self.set_hint(key, true),
        })
    }
}

fn unreachable_encrypted<T>(key: &str) -> Result<T, ConfigError> {
    // Encrypted entries are always secret; `get` rejects secrets before reaching here.
    Err(ConfigError {
        key: key.to_owned(),
        value: None,
        problem: "is encrypted".to_owned(),
        fix: "read it as a secret".to_owned(),
    })
}

fn yaml_entry(
    key: &str,
    value: serde_yaml_ng::Value,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Entry, String> {
    use serde_yaml_ng::Value as Y;
    if let Y::Mapping(map) = &value
        && let Some(secure) = map.get("secure")
    {
        if map.len() != 1 || !secure.is_string() {
            return Err("a `secure:` value must be the only key and a string".to_owned());
        }
        let env_var = secret_env_var(key);
        let stored = match lookup(&env_var) {
            Some(plaintext) => Stored::Text(plaintext),
            None => Stored::Encrypted { env_var },
        };
        return Ok(Entry {
            stored,
            secret: true,
        });
    }
    let text = match value {
        Y::String(s) => s,
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Null => String::new(),
        structured => {
            let json: Value = serde_yaml_ng::from_value(structured)
                .map_err(|e| format!("cannot be converted to JSON: {e}"))?;
            json.to_string()
        }
    };
    Ok(Entry {
        stored: Stored::Text(text),
        secret: false,
    })
}

/// Parses config text as `T`: JSON first (numbers, booleans, lists, objects), then as a plain
/// string.
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    if let Ok(value) = serde_json::from_str::<T>(text) {
        return Ok(value);
    }
    serde_json::from_value::<T>(Value::String(text.to_owned())).map_err(|err| {
        match err.to_string().split_once(", expected ") {
            Some((_, expected)) => format!("expected {expected}"),
            None => err.to_string(),
        }
    })
}

/// Reads many keys and collects every problem, so all of them are reported together.
pub struct ConfigReader<'a> {
    config: &'a Config,
    namespace: String,
    errors: Vec<ConfigError>,
}

impl<'a> ConfigReader<'a> {
    /// A reader over `namespace` (e.g. the project name).
    pub fn new(config: &'a Config, namespace: &str) -> Self {
        Self {
            config,
            namespace: namespace.to_owned(),
            errors: Vec::new(),
        }
    }

    /// The full key for `key` in this reader's namespace.
    pub fn full_key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    /// Records `result`'s error, returning its value.
    fn keep<T>(&mut self, result: Result<T, ConfigError>) -> Option<T> {
        result.map_err(|e| self.errors.push(e)).ok()
    }

    /// An optional plain value (`None` when unset or invalid; invalid is recorded).
    pub fn get<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let key = self.full_key(key);
        self.keep(self.config.get(&key)).flatten()
    }

    /// A plain value with a default.
    pub fn get_or<T: DeserializeOwned>(&mut self, key: &str, default: T) -> T {
        let key = self.full_key(key);
        self.keep(self.config.get(&key))
            .flatten()
            .unwrap_or(default)
    }

    /// A required plain value (`None` when missing or invalid; recorded).
    pub fn require<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let key = self.full_key(key);
        self.keep(self.config.require(&key))
    }

    /// An optional secret value.
    pub fn get_secret<T: DeserializeOwned + OutputValue>(
        &mut self,
        key: &str,
    ) -> Option<Output<T>> {
        let key = self.full_key(key);
        self.keep(self.config.get_secret(&key)).flatten()
    }

    /// A value from another namespace (e.g. `aws:region`), with a default.
    pub fn get_other_or<T: DeserializeOwned>(&mut self, full_key: &str, default: T) -> T {
        self.keep(self.config.get(full_key))
            .flatten()
            .unwrap_or(default)
    }

    /// Records a validation problem found by the program.
    pub fn invalid(&mut self, key: &str, value: Option<String>, problem: &str, fix: &str) {
        self.errors.push(ConfigError {
            key: self.full_key(key),
            value,
            problem: problem.to_owned(),
            fix: fix.to_owned(),
        });
    }

    /// Ends reading: every recorded problem, or `Ok` if there were none.
    pub fn finish(self) -> Result<(), ConfigErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Config {
        Config::from_stack_yaml(text, "Pulumi.test.yaml", "proj", |_| None).expect("valid")
    }

    #[test]
    fn typed_getters_parse_numbers_strings_and_structures() {
        let config = file(
            "config:\n  proj:count: 3\n  proj:name: web\n  proj:cidrs: [\"10.0.0.0/8\"]\n  flag: true\n",
        );
        assert_eq!(config.require::<u32>("proj:count"), Ok(3));
        assert_eq!(config.require::<String>("proj:name"), Ok("web".to_owned()));
        assert_eq!(
            config.require::<Vec<String>>("proj:cidrs"),
            Ok(vec!["10.0.0.0/8".to_owned()])
        );
        assert_eq!(config.require::<bool>("proj:flag"), Ok(true));
        assert_eq!(config.get::<String>("proj:absent"), Ok(None));
    }

    #[test]
    fn a_number_kept_as_text_reads_as_a_string() {
        let config = file("config:\n  proj:suffix: \"123\"\n");
        assert_eq!(
            config.require::<String>("proj:suffix"),
            Ok("123".to_owned())
        );
    }

    #[test]
    fn wrong_type_names_key_value_and_fix() {
        let config = file("config:\n  proj:count: many\n");
        let err = config
            .require::<u32>("proj:count")
            .expect_err("not a number");
        let text = err.to_string();
        assert!(text.contains("proj:count"), "{text}");
        assert!(text.contains("\"many\""), "{text}");
        assert!(text.contains("pulumi config set count"), "{text}");
    }

    #[test]
    fn missing_required_key_says_how_to_set_it() {
        let err = file("config: {}\n")
            .require::<String>("proj:vpcCidr")
            .expect_err("missing");
        assert_eq!(err.problem, "is required but not set");
        assert!(err.fix.contains("pulumi config set vpcCidr"));
    }

    #[test]
    fn secure_values_come_from_the_named_environment_variable() {
        let text = "config:\n  proj:dbPassword:\n    secure: AAABAxyz\n";
        let without = Config::from_stack_yaml(text, "f", "proj", |_| None).expect("valid");
        let err = without
            .require_secret::<String>("proj:dbPassword")
            .expect_err("cannot decrypt");
        assert!(err.fix.contains("PULUMI_SECRET_PROJ_DB_PASSWORD"), "{err}");
        let with = Config::from_stack_yaml(text, "f", "proj", |name| {
            (name == "PULUMI_SECRET_PROJ_DB_PASSWORD").then(|| "s3cret".to_owned())
        })
        .expect("valid");
        assert!(with.require_secret::<String>("proj:dbPassword").is_ok());
        assert!(
            with.get::<String>("proj:dbPassword").is_err(),
            "plain read of a secret"
        );
    }

    #[test]
    fn a_plaintext_secret_is_refused_without_echoing_it() {
        let config = file("config:\n  proj:dbPassword: hunter2\n");
        let err = config
            .require_secret::<String>("proj:dbPassword")
            .expect_err("plaintext");
        assert!(err.problem.contains("plaintext"));
        assert!(!err.to_string().contains("hunter2"));
        assert!(err.fix.contains("--secret"));
    }

    #[test]
    fn engine_config_honours_secret_keys() {
        let config = Config::from_engine(
            Some(r#"{"proj:dbPassword":"x","proj:size":"2","proj:list":"[1,2]"}"#),
            Some(r#"["proj:dbPassword"]"#),
        )
        .expect("valid");
        assert!(config.get_secret::<String>("proj:dbPassword").is_ok());
        assert!(config.get::<String>("proj:dbPassword").is_err());
        assert_eq!(config.require::<u8>("proj:size"), Ok(2));
        assert_eq!(config.require::<Vec<u8>>("proj:list"), Ok(vec![1, 2]));
    }

    #[test]
    fn secret_env_var_names_are_screaming_snake_case() {
        assert_eq!(
            secret_env_var("payments-platform:dbPassword"),
            "PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD"
        );
    }
}
