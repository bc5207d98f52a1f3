//! The generated argument structs: wire names, nesting, required inputs, constants.

use std::collections::BTreeMap;

use payments_aws::args::{FunctionArgs, ResourceArgs};
use payments_aws::{autoscaling, ec2, index, tls, wafv2};
use pulumi_runtime::property::resolve;
use pulumi_runtime::{Output, OutputData, PropertyValue};
use serde_json::json;

#[tokio::test]
async fn vpc_args_send_only_the_set_fields_by_wire_name() {
    let args = ec2::VpcArgs {
        cidr_block: Some("10.0.0.0/16".into()),
        enable_dns_hostnames: Some(true.into()),
        tags: Some(BTreeMap::from([("Name".to_owned(), "vpc-prod".to_owned())]).into()),
        ..Default::default()
    };
    let map = args.properties();
    assert_eq!(
        map.0.keys().collect::<Vec<_>>(),
        ["cidrBlock", "enableDnsHostnames", "tags"]
    );
    let resolved = resolve(&map).await;
    assert_eq!(
        serde_json::Value::Object(resolved.object),
        json!({
            "cidrBlock": "10.0.0.0/16",
            "enableDnsHostnames": true,
            "tags": {"Name": "vpc-prod"},
        })
    );
    assert!(!resolved.has_unknowns);
    assert!(args.missing_required().is_empty());
    assert_eq!(ec2::VpcArgs::TYPE, "aws:ec2/vpc:Vpc");
    assert_eq!(ec2::VpcArgs::VERSION, "7.51.1");
}

#[tokio::test]
async fn output_inputs_keep_their_dependencies() {
    let vpc_id = Output::from_data(OutputData {
        value: Some("vpc-123".to_owned()),
        secret: false,
        dependencies: ["urn:vpc".to_owned()].into(),
    });
    let args = ec2::SubnetArgs {
        vpc_id: Some(vpc_id.into()),
        cidr_block: Some("10.0.1.0/24".into()),
        ..Default::default()
    };
    let resolved = resolve(&args.properties()).await;
    assert_eq!(resolved.object["vpcId"], json!("vpc-123"));
    assert_eq!(
        resolved.property_dependencies.keys().collect::<Vec<_>>(),
        ["vpcId"]
    );
    assert!(args.missing_required().is_empty());
}

#[test]
fn group_without_sizes_names_max_size_and_min_size() {
    let group = autoscaling::GroupArgs {
        vpc_zone_identifiers: Some(vec!["subnet-a".to_owned()].into()),
        ..Default::default()
    };
    assert_eq!(group.missing_required(), ["maxSize", "minSize"]);
}

#[test]
fn group_tag_without_propagate_at_launch_is_named_by_path() {
    let group = autoscaling::GroupArgs {
        max_size: Some(6.into()),
        min_size: Some(2.into()),
        launch_template: Some(autoscaling::GroupLaunchTemplateArgs {
            id: Some("lt-1".into()),
            version: Some("$Latest".into()),
            ..Default::default()
        }),
        tags: Some(vec![
            autoscaling::GroupTagArgs {
                key: Some("Name".into()),
                value: Some("app".into()),
                ..Default::default()
            },
            autoscaling::GroupTagArgs {
                key: Some("Env".into()),
                value: Some("prod".into()),
                propagate_at_launch: Some(true.into()),
            },
            autoscaling::GroupTagArgs::default(),
        ]),
        ..Default::default()
    };
    assert_eq!(
        group.missing_required(),
        [
            "tags[0].propagateAtLaunch",
            "tags[2].key",
            "tags[2].propagateAtLaunch",
            "tags[2].value",
        ]
    );
}

#[tokio::test]
async fn launch_template_nested_objects_use_camel_case_at_depth() {
    let template = ec2::LaunchTemplateArgs {
        image_id: Some("ami-123".into()),
        block_device_mappings: Some(vec![ec2::LaunchTemplateBlockDeviceMappingArgs {
            device_name: Some("/dev/xvda".into()),
            ebs: Some(ec2::LaunchTemplateBlockDeviceMappingEbsArgs {
                encrypted: Some("true".into()),
                volume_size: Some(20.into()),
                volume_type: Some("gp3".into()),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        metadata_options: Some(ec2::LaunchTemplateMetadataOptionsArgs {
            http_tokens: Some("required".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let resolved = resolve(&template.properties()).await;
    let object = serde_json::Value::Object(resolved.object);
    assert_eq!(object["blockDeviceMappings"][0]["ebs"]["encrypted"], "true");
    assert_eq!(
        object["blockDeviceMappings"],
        json!([{
            "deviceName": "/dev/xvda",
            "ebs": {"encrypted": "true", "volumeSize": 20, "volumeType": "gp3"},
        }])
    );
    assert_eq!(object["metadataOptions"], json!({"httpTokens": "required"}));
    assert!(template.missing_required().is_empty());
}

#[tokio::test]
async fn keyword_fields_keep_their_wire_names() {
    let rule = ec2::SecurityGroupRuleArgs {
        type_: Some("ingress".into()),
        self_: Some(true.into()),
        ..Default::default()
    };
    let resolved = resolve(&rule.properties()).await;
    assert_eq!(resolved.object["type"], "ingress");
    assert_eq!(resolved.object["self"], true);
    assert_eq!(
        rule.missing_required(),
        ["fromPort", "protocol", "securityGroupId", "toPort"]
    );
}

#[tokio::test]
async fn waf_rule_statement_is_sent_raw() {
    let statement = PropertyValue::Plain(json!({
        "managedRuleGroupStatement": {"name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS"},
    }));
    let acl = wafv2::WebAclArgs {
        scope: Some("REGIONAL".into()),
        default_action: Some(wafv2::WebAclDefaultActionArgs {
            allow: Some(wafv2::WebAclDefaultActionAllowArgs::default()),
            ..Default::default()
        }),
        rules: Some(vec![wafv2::WebAclRuleArgs {
            name: Some("common".into()),
            priority: Some(1.into()),
            override_action: Some(wafv2::WebAclRuleOverrideActionArgs {
                none: Some(wafv2::WebAclRuleOverrideActionNoneArgs::default()),
                ..Default::default()
            }),
            statement: Some(statement),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let resolved = resolve(&acl.properties()).await;
    assert_eq!(
        resolved.object["rules"][0]["statement"]["managedRuleGroupStatement"]["vendorName"],
        "AWS"
    );
    assert_eq!(
        resolved.object["rules"][0]["overrideAction"],
        json!({"none": {}})
    );
    assert_eq!(resolved.object["defaultAction"], json!({"allow": {}}));
    assert_eq!(
        acl.missing_required(),
        ["rules[0].visibilityConfig", "visibilityConfig"]
    );
}

#[tokio::test]
async fn function_args_carry_token_and_version() {
    let args = index::GetAvailabilityZonesArgs {
        state: Some("available".into()),
        ..Default::default()
    };
    assert_eq!(
        index::GetAvailabilityZonesArgs::TOKEN,
        "aws:index/getAvailabilityZones:getAvailabilityZones"
    );
    assert_eq!(index::GetAvailabilityZonesArgs::VERSION, "7.51.1");
    let resolved = resolve(&args.properties()).await;
    assert_eq!(
        serde_json::Value::Object(resolved.object),
        json!({"state": "available"})
    );
    assert!(index::GetRegionArgs::default().properties().0.is_empty());
}

#[test]
fn tls_resources_use_the_tls_version() {
    assert_eq!(tls::PrivateKeyArgs::TYPE, "tls:index/privateKey:PrivateKey");
    assert_eq!(tls::PrivateKeyArgs::VERSION, "5.6.2");
    let cert = tls::SelfSignedCertArgs {
        subject: Some(tls::SelfSignedCertSubjectArgs {
            common_name: Some("payments.example.com".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        cert.missing_required(),
        ["allowedUses", "validityPeriodHours"]
    );
}
