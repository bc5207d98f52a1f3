//! IAM and bucket policy documents: parsed from the JSON text the program sends, statements
//! normalised (a single `Action`/`Resource` string counts as a list of one).

use serde_json::Value;

use crate::view::{Got, Val};

/// One statement of a policy document.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Statement {
    /// `Sid`, if any.
    pub sid: Option<String>,
    /// `Effect` is `Allow`.
    pub allow: bool,
    /// `Action` entries.
    pub actions: Vec<String>,
    /// Whether `NotAction` is used instead of `Action`.
    pub not_action: bool,
    /// `Resource` entries.
    pub resources: Vec<String>,
    /// Whether `NotResource` is used instead of `Resource`.
    pub not_resource: bool,
    /// `Principal` as written.
    pub principal: Option<Value>,
    /// `Condition` as written.
    pub condition: Option<Value>,
}

impl Statement {
    /// `Sid "x"` or `statement 3`, for messages.
    pub fn describe(&self, index: usize) -> String {
        match &self.sid {
            Some(sid) => format!("statement {sid:?}"),
            None => format!("statement {}", index + 1),
        }
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The statements of a parsed document.
pub(crate) fn statements(document: &Value) -> Vec<Statement> {
    let items: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .map(|s| Statement {
            sid: s.get("Sid").and_then(Value::as_str).map(str::to_owned),
            allow: s.get("Effect").and_then(Value::as_str) == Some("Allow"),
            actions: strings(s.get("Action").or_else(|| s.get("NotAction"))),
            not_action: s.get("NotAction").is_some(),
            resources: strings(s.get("Resource").or_else(|| s.get("NotResource"))),
            not_resource: s.get("NotResource").is_some(),
            principal: s.get("Principal").cloned(),
            condition: s.get("Condition").cloned(),
        })
        .collect()
}

/// A policy document from an input: JSON text (or an object). `Err` when the text does not
/// parse.
pub(crate) fn parse(val: &Val<'_>) -> Got<Result<Value, String>> {
    match val.str() {
        Got::Known(text) => Got::Known(
            serde_json::from_str(text).map_err(|e| format!("the policy is not valid JSON ({e})")),
        ),
        Got::Unknown => Got::Unknown,
        Got::Absent => match val.plain() {
            Got::Known(object @ Value::Object(_)) => Got::Known(Ok(object)),
            Got::Known(_) => {
                Got::Known(Err("the policy is neither JSON text nor an object".into()))
            }
            Got::Unknown => Got::Unknown,
            Got::Absent => Got::Absent,
        },
    }
}

/// Whether an IAM action pattern grants every action (`*`) or every action of a service
/// (`s3:*`).
pub(crate) fn is_admin_action(action: &str) -> bool {
    action == "*"
        || action
            .split_once(':')
            .is_some_and(|(service, verb)| verb == "*" && !service.contains('*'))
}

/// Whether the action pattern `action` can match some action of `service` (`s3`, `kms`).
pub(crate) fn touches_service(action: &str, service: &str) -> bool {
    action == "*"
        || action
            .split_once(':')
            .is_some_and(|(s, _)| s.eq_ignore_ascii_case(service) || s == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_strings_count_as_lists() {
        let doc =
            json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}});
        let parsed = statements(&doc);
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].allow);
        assert_eq!(parsed[0].actions, vec!["s3:GetObject"]);
        assert_eq!(parsed[0].resources, vec!["*"]);
    }

    #[test]
    fn admin_actions_are_star_and_service_star() {
        assert!(is_admin_action("*"));
        assert!(is_admin_action("s3:*"));
        assert!(!is_admin_action("s3:Get*"));
        assert!(!is_admin_action("s3:GetObject"));
    }

    #[test]
    fn service_matching_is_case_insensitive_and_knows_wildcards() {
        assert!(touches_service("S3:GetObject", "s3"));
        assert!(touches_service("*", "kms"));
        assert!(!touches_service("logs:PutLogEvents", "kms"));
    }
}
