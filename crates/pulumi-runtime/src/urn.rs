//! URN construction: `urn:pulumi:<stack>::<project>::<qualifiedType>::<name>`.

/// The type token of the stack resource.
pub const STACK_TYPE: &str = "pulumi:pulumi:Stack";

/// The URN of a resource of type `ty` named `name`, under a parent of type `parent_type`
/// (`None` or the stack type for a top-level resource).
pub fn urn(stack: &str, project: &str, parent_type: Option<&str>, ty: &str, name: &str) -> String {
    let qualified = match parent_type {
        Some(parent) if parent != STACK_TYPE => format!("{parent}${ty}"),
        _ => ty.to_owned(),
    };
    format!("urn:pulumi:{stack}::{project}::{qualified}::{name}")
}

/// The qualified type part of a URN (`parentType$type`), if the URN is well-formed.
pub fn qualified_type(urn: &str) -> Option<&str> {
    let rest = urn.strip_prefix("urn:pulumi:")?;
    let mut parts = rest.splitn(4, "::");
    let _stack = parts.next()?;
    let _project = parts.next()?;
    let qualified = parts.next()?;
    parts.next()?;
    Some(qualified)
}

/// The resource type of a URN: the last segment of its qualified type.
pub fn resource_type(urn: &str) -> Option<&str> {
    qualified_type(urn).and_then(|q| q.rsplit('$').next())
}

/// Whether `token` is a valid custom-resource type token: `pkg:module:Type` with three non-empty
/// parts (provider resources are `pulumi:providers:<pkg>`, which has that shape too).
pub fn is_custom_type_token(token: &str) -> bool {
    let parts: Vec<&str> = token.split(':').collect();
    parts.len() == 3 && parts.iter().all(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_children_are_not_qualified_by_the_stack_type() {
        assert_eq!(
            urn("dev", "proj", Some(STACK_TYPE), "aws:ec2/vpc:Vpc", "vpc"),
            "urn:pulumi:dev::proj::aws:ec2/vpc:Vpc::vpc"
        );
    }

    #[test]
    fn component_children_are_qualified_by_the_parent_type() {
        let child = urn(
            "dev",
            "proj",
            Some("payments:network:Network"),
            "aws:ec2/vpc:Vpc",
            "v",
        );
        assert_eq!(
            child,
            "urn:pulumi:dev::proj::payments:network:Network$aws:ec2/vpc:Vpc::v"
        );
        assert_eq!(resource_type(&child), Some("aws:ec2/vpc:Vpc"));
    }

    #[test]
    fn names_may_contain_double_colons() {
        let u = urn("dev", "proj", None, "a:b:C", "x::y");
        assert_eq!(qualified_type(&u), Some("a:b:C"));
    }

    #[test]
    fn custom_type_tokens_need_three_parts() {
        assert!(is_custom_type_token("aws:ec2/vpc:Vpc"));
        assert!(is_custom_type_token("pulumi:providers:aws"));
        assert!(!is_custom_type_token("aws:Vpc"));
        assert!(!is_custom_type_token("aws::Vpc"));
        assert!(!is_custom_type_token("a:b:c:d"));
    }
}
