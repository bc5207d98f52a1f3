//! Every provider function the platform calls goes to the stack's explicit AWS provider, never to
//! the engine's default provider: otherwise the availability zones, the ELB account and the AMI
//! could come from another region than the resources, and a stack with default providers disabled
//! would fail (the engine routes an invoke without `provider` to the default provider:
//! pulumi/pulumi pkg/resource/deploy/source_eval.go).

mod common;

use payments_platform::preview::PlanMode;

#[test]
fn every_invoke_of_both_example_stacks_names_the_explicit_aws_provider() {
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        let plan = common::outcome_of(stack, file, PlanMode::Preview).plan;
        // The stack's provider, and the one of the backups' copy region (which serves no invoke).
        let providers: Vec<&str> = common::of_type(&plan, "pulumi:providers:aws")
            .iter()
            .filter(|p| !p.name.starts_with("aws-backup-copy-"))
            .map(|p| p.urn.as_str())
            .collect();
        assert_eq!(
            providers.len(),
            1,
            "{stack}: one explicit AWS provider of the stack"
        );
        assert!(
            !plan.invokes.is_empty(),
            "{stack}: the program calls functions"
        );
        for invoke in &plan.invokes {
            assert!(
                invoke.provider.starts_with(&format!("{}::", providers[0])),
                "{stack}: {} goes to {:?}, not the stack's provider",
                invoke.token,
                invoke.provider
            );
        }
    }
}
