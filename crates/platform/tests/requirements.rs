//! One test per point of the request (issue "The payment platform"), each on the plan the program
//! sends to the local engine. Every assertion names what the request asks for, so removing the
//! feature makes the test fail.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{deps, dev_plan, dev_yaml_with, named, of_type, outcome_of, outcome_of_yaml};
use payments_platform::preview::PlanMode;
use pulumi_runtime::plan::{Plan, PlanResource};
use pulumi_runtime::wire;
use serde_json::{Value, json};

/// The value at a dotted path such as `healthCheck.path` or `rules[0].id` (secrets unwrapped).
fn at<'a>(resource: &'a PlanResource, path: &str) -> &'a Value {
    let mut value = resource
        .inputs
        .get(path.split(['.', '[']).next().unwrap_or(path))
        .unwrap_or(&Value::Null);
    let mut rest = &path[path.find(['.', '[']).unwrap_or(path.len())..];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').expect("]");
            let index: usize = after[..end].parse().expect("index");
            value = value.get(index).unwrap_or(&Value::Null);
            rest = &after[end + 1..];
        } else {
            let after = &rest[1..];
            let end = after.find(['.', '[']).unwrap_or(after.len());
            value = value.get(&after[..end]).unwrap_or(&Value::Null);
            rest = &after[end..];
        }
        if value.get(wire::SIG_KEY).is_some() {
            value = value.get("value").unwrap_or(&Value::Null);
        }
    }
    value
}

fn urns_of<'a>(resources: &[&'a PlanResource]) -> BTreeSet<&'a str> {
    resources.iter().map(|r| r.urn.as_str()).collect()
}

fn subnets<'a>(plan: &'a Plan, tier: &str) -> Vec<&'a PlanResource> {
    of_type(plan, "aws:ec2/subnet:Subnet")
        .into_iter()
        .filter(|s| s.name.starts_with(&format!("subnet-{tier}-")))
        .collect()
}

fn policy_document(resource: &PlanResource) -> Value {
    serde_json::from_str(at(resource, "policy").as_str().expect("policy text"))
        .expect("policy json")
}

// 1. Network -----------------------------------------------------------------------------------

#[test]
fn network_spans_two_zones_with_three_tiers_and_closed_defaults() {
    let plan = dev_plan();
    let vpc = named(&plan, "aws:ec2/vpc:Vpc", "vpc-dev-a1b2");
    assert_eq!(
        at(vpc, "cidrBlock"),
        "10.20.0.0/16",
        "VPC CIDR comes from config"
    );
    for tier in ["public", "app", "db"] {
        let tier_subnets = subnets(&plan, tier);
        assert_eq!(tier_subnets.len(), 2, "{tier}: one subnet per AZ");
        let zones: BTreeSet<String> = tier_subnets
            .iter()
            .map(|s| at(s, "availabilityZone").to_string())
            .collect();
        assert_eq!(zones.len(), 2, "{tier}: two different AZs");
        for subnet in tier_subnets {
            assert_eq!(
                at(subnet, "mapPublicIpOnLaunch"),
                false,
                "{} maps public IPs",
                subnet.name
            );
        }
    }
    assert_eq!(
        of_type(&plan, "aws:ec2/internetGateway:InternetGateway").len(),
        1
    );
    let tables = of_type(&plan, "aws:ec2/routeTable:RouteTable");
    assert_eq!(tables.len(), 6, "a route table per tier and AZ");
    let associations = of_type(&plan, "aws:ec2/routeTableAssociation:RouteTableAssociation");
    for table in &tables {
        let associated = associations
            .iter()
            .filter(|a| deps(a, "routeTableId").contains(table.urn.as_str()));
        assert_eq!(
            associated.count(),
            1,
            "{} is associated with exactly one subnet",
            table.name
        );
    }
    let default_sg = named(
        &plan,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "default-sg-closed-dev-a1b2",
    );
    assert_eq!(at(default_sg, "ingress"), &json!([]));
    assert_eq!(at(default_sg, "egress"), &json!([]));
    let flow_log = named(&plan, "aws:ec2/flowLog:FlowLog", "flowlog-dev-a1b2");
    assert_eq!(at(flow_log, "trafficType"), "ALL");
    assert_eq!(at(flow_log, "logDestinationType"), "s3");
    let log_bucket = named(&plan, "aws:s3/bucket:Bucket", "payments-logs-dev-a1b2");
    assert!(deps(flow_log, "logDestination").contains(log_bucket.urn.as_str()));
}

#[test]
fn only_the_public_tables_have_a_default_route_and_there_is_no_nat_gateway() {
    let prod = outcome_of("prod", "Pulumi.prod.yaml", PlanMode::Preview).plan;
    for plan in [dev_plan(), prod] {
        let igw = of_type(&plan, "aws:ec2/internetGateway:InternetGateway")[0];
        for route in of_type(&plan, "aws:ec2/route:Route") {
            if at(route, "destinationCidrBlock") == "0.0.0.0/0" {
                assert!(route.name.starts_with("route-public-"), "{}", route.name);
                assert!(deps(route, "gatewayId").contains(igw.urn.as_str()));
            }
        }
        for ty in ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"] {
            assert!(of_type(&plan, ty).is_empty(), "{ty} in {}", plan.stack);
        }
    }
}

// 2. Load balancing ------------------------------------------------------------------------------

#[test]
fn alb_is_internet_facing_with_https_redirect_waf_and_logs() {
    let plan = dev_plan();
    let alb = named(&plan, "aws:lb/loadBalancer:LoadBalancer", "alb-dev-a1b2");
    assert_eq!(at(alb, "internal"), false);
    assert_eq!(
        deps(alb, "subnets"),
        urns_of(&subnets(&plan, "public")),
        "ALB in the public subnets"
    );
    assert_eq!(at(alb, "dropInvalidHeaderFields"), true);
    assert_eq!(at(alb, "enableDeletionProtection"), false);
    assert_eq!(at(alb, "accessLogs.enabled"), true);
    let alb_logs = named(&plan, "aws:s3/bucket:Bucket", "payments-alb-logs-dev-a1b2");
    assert!(deps(alb, "accessLogs").contains(alb_logs.urn.as_str()));
    let https = named(&plan, "aws:lb/listener:Listener", "listener-https-dev-a1b2");
    assert_eq!(at(https, "protocol"), "HTTPS");
    assert_eq!(at(https, "port"), 443);
    assert_eq!(
        at(https, "sslPolicy"),
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    );
    assert!(
        !deps(https, "certificateArn").is_empty(),
        "listener uses the ACM certificate"
    );
    assert_eq!(at(https, "defaultActions[0].type"), "forward");
    let http = named(&plan, "aws:lb/listener:Listener", "listener-http-dev-a1b2");
    assert_eq!(
        at(http, "defaultActions").as_array().map(Vec::len),
        Some(1),
        "only the redirect"
    );
    assert_eq!(at(http, "defaultActions[0].type"), "redirect");
    assert_eq!(at(http, "defaultActions[0].redirect.protocol"), "HTTPS");
    assert_eq!(
        at(http, "defaultActions[0].redirect.statusCode"),
        "HTTP_301"
    );
    let tg = named(&plan, "aws:lb/targetGroup:TargetGroup", "tg-app-dev-a1b2");
    assert_eq!(at(tg, "healthCheck.protocol"), "HTTP");
    assert_eq!(at(tg, "healthCheck.path"), "/health");
    assert_eq!(at(tg, "healthCheck.matcher"), "200");
    assert_eq!(at(tg, "healthCheck.interval"), 15);
    let acl = named(&plan, "aws:wafv2/webAcl:WebAcl", "waf-alb-dev-a1b2");
    let groups: Vec<&Value> = at(acl, "rules")
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| &r["statement"]["managedRuleGroupStatement"]["vendorName"])
        .collect();
    assert!(
        groups.len() >= 3 && groups.iter().all(|v| *v == "AWS"),
        "AWS managed rule groups"
    );
    let association = of_type(&plan, "aws:wafv2/webAclAssociation:WebAclAssociation")[0];
    assert!(deps(association, "resourceArn").contains(alb.urn.as_str()));
    let logging = of_type(
        &plan,
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    )[0];
    assert!(deps(logging, "resourceArn").contains(acl.urn.as_str()));
}

#[test]
fn tls_policy_and_health_check_come_from_config() {
    let yaml = dev_yaml_with(|y| {
        y + "  payments-platform:tlsPolicy: ELBSecurityPolicy-TLS13-1-3-2021-06\n  payments-platform:healthCheckPath: /ready\n"
    });
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let https = named(&plan, "aws:lb/listener:Listener", "listener-https-dev-a1b2");
    assert_eq!(
        at(https, "sslPolicy"),
        "ELBSecurityPolicy-TLS13-1-3-2021-06"
    );
    let tg = named(&plan, "aws:lb/targetGroup:TargetGroup", "tg-app-dev-a1b2");
    assert_eq!(at(tg, "healthCheck.path"), "/ready");
    let weak = dev_yaml_with(|y| y + "  payments-platform:tlsPolicy: ELBSecurityPolicy-2016-08\n");
    assert!(
        outcome_of_yaml(&weak, PlanMode::Preview)
            .expect_err("weak policy")
            .contains("tlsPolicy")
    );
}

// 3. Certificate -----------------------------------------------------------------------------------

#[test]
fn certificate_modes_follow_config() {
    let existing = dev_yaml_with(|y| {
        y + "  payments-platform:certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n"
    });
    let plan = outcome_of_yaml(&existing, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert!(
        of_type(&plan, "aws:acm/certificate:Certificate").is_empty(),
        "existing ARN: nothing created"
    );
    let https = named(&plan, "aws:lb/listener:Listener", "listener-https-dev-a1b2");
    assert_eq!(
        at(https, "certificateArn"),
        "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    );

    let dns = dev_yaml_with(|y| {
        y + "  payments-platform:domainName: pay.example.com\n  payments-platform:hostedZoneId: Z123\n"
    });
    let plan = outcome_of_yaml(&dns, PlanMode::Deploy).expect("valid").plan;
    let certificate = named(&plan, "aws:acm/certificate:Certificate", "cert-dev-a1b2");
    assert_eq!(at(certificate, "validationMethod"), "DNS");
    assert_eq!(at(certificate, "domainName"), "pay.example.com");
    let record = named(
        &plan,
        "aws:route53/record:Record",
        "cert-validation-record-dev-a1b2",
    );
    assert_eq!(at(record, "zoneId"), "Z123");
    assert_eq!(at(record, "type"), "CNAME");
    let validation = named(
        &plan,
        "aws:acm/certificateValidation:CertificateValidation",
        "cert-validation-dev-a1b2",
    );
    let https = named(&plan, "aws:lb/listener:Listener", "listener-https-dev-a1b2");
    assert!(
        deps(https, "certificateArn").contains(validation.urn.as_str()),
        "listener waits for validation"
    );

    let plan = dev_plan();
    let imported = named(
        &plan,
        "aws:acm/certificate:Certificate",
        "cert-self-signed-dev-a1b2",
    );
    assert!(
        imported.inputs["privateKey"].get(wire::SIG_KEY).is_some(),
        "private key sent as a secret"
    );
    assert_eq!(
        of_type(&plan, "tls:index/selfSignedCert:SelfSignedCert").len(),
        1
    );
    assert!(
        plan.logs
            .iter()
            .any(|l| l.severity == "warning" && l.message.contains("self-signed"))
    );
}

// 4. Compute -------------------------------------------------------------------------------------

#[test]
fn launch_template_is_hardened() {
    let plan = dev_plan();
    let lt = named(
        &plan,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt-app-dev-a1b2",
    );
    assert_eq!(
        at(lt, "imageId"),
        "ami-0123456789abcdef0",
        "AMI from the SSM public parameter"
    );
    assert!(
        plan.invokes
            .iter()
            .any(|i| i.token == "aws:ssm/getParameter:getParameter"
                && i.args["name"]
                    == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
    );
    assert_eq!(at(lt, "instanceType"), "t3.medium");
    assert_eq!(at(lt, "metadataOptions.httpTokens"), "required");
    assert_eq!(at(lt, "metadataOptions.httpPutResponseHopLimit"), 1);
    assert_eq!(
        at(lt, "networkInterfaces[0].associatePublicIpAddress"),
        "false"
    );
    assert_eq!(at(lt, "blockDeviceMappings[0].ebs.encrypted"), "true");
    assert_eq!(at(lt, "blockDeviceMappings[0].ebs.volumeType"), "gp3");
    let compute_key = named(&plan, "aws:kms/key:Key", "kms-compute-dev-a1b2");
    assert!(
        deps(lt, "blockDeviceMappings").contains(compute_key.urn.as_str()),
        "root volume under the CMK"
    );
    assert!(!deps(lt, "iamInstanceProfile").is_empty());
    assert_eq!(at(lt, "monitoring.enabled"), true);
    let types: BTreeSet<&str> = at(lt, "tagSpecifications")
        .as_array()
        .expect("tag specifications")
        .iter()
        .filter_map(|t| t["resourceType"].as_str())
        .collect();
    assert!(types.contains("instance") && types.contains("volume"));
    let user_data = at(lt, "userData").as_str().expect("user data");
    let script = String::from_utf8(base64_decode(user_data)).expect("utf8");
    assert!(
        script.contains("/health") && script.contains("amazon-cloudwatch-agent"),
        "{script}"
    );
}

/// The user data script of the launch template in `plan`.
fn user_data_script(plan: &Plan) -> String {
    let lt = named(
        plan,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt-app-dev-a1b2",
    );
    let user_data = at(lt, "userData").as_str().expect("user data");
    String::from_utf8(base64_decode(user_data)).expect("utf8")
}

/// The lines of the `[Service]` section of the app's systemd unit.
fn service_section(script: &str) -> Vec<&str> {
    let unit = script
        .split("payments-app.service <<'UNIT'\n")
        .nth(1)
        .and_then(|rest| rest.split("\nUNIT\n").next())
        .expect("the app's systemd unit");
    unit.lines()
        .skip_while(|line| *line != "[Service]")
        .skip(1)
        .take_while(|line| !line.starts_with('['))
        .collect()
}

#[test]
fn the_application_runs_as_a_dedicated_system_user_without_a_shell() {
    let user = payments_platform::compute::APP_USER;
    assert!(!["root", "nobody", "ec2-user"].contains(&user));
    let script = user_data_script(&dev_plan());
    let creates: Vec<&str> = script
        .lines()
        .filter(|line| line.contains("useradd"))
        .collect();
    assert_eq!(creates.len(), 1, "{script}");
    for flag in [
        "--system",
        "--shell /sbin/nologin",
        "--no-create-home",
        &format!(" {user}"),
    ] {
        assert!(
            creates[0].contains(flag),
            "{flag:?} missing: {}",
            creates[0]
        );
    }
    let service = service_section(&script);
    let users: Vec<&&str> = service
        .iter()
        .filter(|line| line.starts_with("User="))
        .collect();
    assert_eq!(users, [&format!("User={user}").as_str()], "{service:?}");
    assert!(
        service.contains(&format!("Group={user}").as_str()),
        "{service:?}"
    );
    assert!(service.contains(&"NoNewPrivileges=true"), "{service:?}");
    // Port 8080 needs no privilege at all.
    assert!(service.contains(&"CapabilityBoundingSet="), "{service:?}");
    assert!(
        !service.iter().any(|l| l.starts_with("AmbientCapabilities")),
        "{service:?}"
    );
    assert!(
        script.contains(&format!("chown {user}:{user} /var/log/payments")),
        "the app writes its log as {user}"
    );

    // A privileged port gets the one capability to bind it, still not root.
    let yaml = dev_yaml_with(|y| y + "  payments-platform:appPort: 443\n");
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let script = user_data_script(&plan);
    let service = service_section(&script);
    assert!(
        service.contains(&format!("User={user}").as_str()),
        "{service:?}"
    );
    assert!(
        service.contains(&"AmbientCapabilities=CAP_NET_BIND_SERVICE"),
        "{service:?}"
    );
    assert!(
        service.contains(&"CapabilityBoundingSet=CAP_NET_BIND_SERVICE"),
        "{service:?}"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

#[test]
fn configured_ami_skips_the_ssm_lookup() {
    let yaml = dev_yaml_with(|y| y + "  payments-platform:amiId: ami-0fedcba9876543210\n");
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let lt = named(
        &plan,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt-app-dev-a1b2",
    );
    assert_eq!(at(lt, "imageId"), "ami-0fedcba9876543210");
    assert!(
        !plan
            .invokes
            .iter()
            .any(|i| i.token == "aws:ssm/getParameter:getParameter")
    );
}

#[test]
fn auto_scaling_group_spans_private_subnets_with_zero_downtime_refresh() {
    let plan = dev_plan();
    let asg = named(&plan, "aws:autoscaling/group:Group", "asg-app-dev-a1b2");
    assert_eq!(
        (
            at(asg, "minSize"),
            at(asg, "maxSize"),
            at(asg, "desiredCapacity")
        ),
        (&json!(2), &json!(6), &json!(2))
    );
    assert_eq!(
        deps(asg, "vpcZoneIdentifiers"),
        urns_of(&subnets(&plan, "app"))
    );
    assert_eq!(at(asg, "healthCheckType"), "ELB");
    assert!(
        at(asg, "healthCheckGracePeriod")
            .as_i64()
            .is_some_and(|g| g > 0)
    );
    let tg = named(&plan, "aws:lb/targetGroup:TargetGroup", "tg-app-dev-a1b2");
    assert!(deps(asg, "targetGroupArns").contains(tg.urn.as_str()));
    assert_eq!(at(asg, "instanceRefresh.strategy"), "Rolling");
    assert!(
        at(asg, "instanceRefresh.preferences.minHealthyPercentage")
            .as_i64()
            .is_some_and(|p| p >= 50)
    );
    let lt = named(
        &plan,
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt-app-dev-a1b2",
    );
    assert!(deps(asg, "launchTemplate").contains(lt.urn.as_str()));
    assert!(of_type(&plan, "aws:ec2/launchConfiguration:LaunchConfiguration").is_empty());
    let policy = named(
        &plan,
        "aws:autoscaling/policy:Policy",
        "asg-cpu-target-dev-a1b2",
    );
    assert_eq!(at(policy, "policyType"), "TargetTrackingScaling");
}

#[test]
fn both_example_stacks_run_two_to_six_instances() {
    for (stack, file, asg_name) in [
        ("dev", "Pulumi.dev.yaml", "asg-app-dev-a1b2"),
        ("prod", "Pulumi.prod.yaml", "asg-app-prod-p01"),
    ] {
        let outcome = outcome_of(stack, file, PlanMode::Preview);
        assert!(outcome.succeeded(), "{stack}: {:?}", outcome.errors);
        let asg = named(&outcome.plan, "aws:autoscaling/group:Group", asg_name);
        assert_eq!(
            (at(asg, "minSize"), at(asg, "maxSize")),
            (&json!(2), &json!(6)),
            "{file}: the request asks for 2 to 6 instances"
        );
    }
}

#[test]
fn asg_size_outside_two_to_six_is_rejected() {
    for (key, value) in [("asgMinSize", "1"), ("asgMaxSize", "7")] {
        let yaml = dev_yaml_with(|y| {
            y.replace(
                &format!("payments-platform:{key}: "),
                &format!("payments-platform:{key}: {value} #"),
            )
        });
        let err = outcome_of_yaml(&yaml, PlanMode::Preview).expect_err("out of range");
        assert!(
            err.contains(key) && err.contains("between 2 and 6"),
            "{err}"
        );
    }
}

// 5. Database ------------------------------------------------------------------------------------

#[test]
fn database_is_multi_az_encrypted_private_and_audited() {
    let plan = dev_plan();
    let db = named(&plan, "aws:rds/instance:Instance", "mysql-dev-a1b2");
    assert_eq!(at(db, "engine"), "mysql");
    assert_eq!(at(db, "engineVersion"), "8.4.6");
    assert_eq!(at(db, "multiAz"), true);
    assert_eq!(at(db, "storageEncrypted"), true);
    assert_eq!(at(db, "storageType"), "gp3");
    let data_key = named(&plan, "aws:kms/key:Key", "kms-data-dev-a1b2");
    for property in [
        "kmsKeyId",
        "performanceInsightsKmsKeyId",
        "masterUserSecretKmsKeyId",
    ] {
        assert!(
            deps(db, property).contains(data_key.urn.as_str()),
            "{property} is the data CMK"
        );
    }
    assert_eq!(at(db, "publiclyAccessible"), false);
    assert!(
        at(db, "backupRetentionPeriod")
            .as_i64()
            .is_some_and(|d| d >= 7)
    );
    assert!(at(db, "backupWindow").is_string() && at(db, "maintenanceWindow").is_string());
    assert_eq!(
        at(db, "enabledCloudwatchLogsExports"),
        &json!(["audit", "error", "slowquery"])
    );
    assert_eq!(at(db, "performanceInsightsEnabled"), true);
    assert_eq!(at(db, "monitoringInterval"), 60);
    assert_eq!(at(db, "iamDatabaseAuthenticationEnabled"), true);
    assert_eq!(at(db, "deletionProtection"), false);
    assert_eq!(
        at(db, "manageMasterUserPassword"),
        true,
        "RDS-managed password by default"
    );
    assert!(db.inputs.get("password").is_none());
    assert_eq!(deps(db, "dbSubnetGroupName").len(), 1);
    let subnet_group = named(
        &plan,
        "aws:rds/subnetGroup:SubnetGroup",
        "dbsubnets-dev-a1b2",
    );
    assert_eq!(
        deps(subnet_group, "subnetIds"),
        urns_of(&subnets(&plan, "db"))
    );
    let params = named(
        &plan,
        "aws:rds/parameterGroup:ParameterGroup",
        "dbparams-dev-a1b2",
    );
    let pairs: BTreeMap<&str, &str> = at(params, "parameters")
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["value"].as_str()?)))
        .collect();
    assert_eq!(pairs.get("require_secure_transport"), Some(&"ON"));
    assert_eq!(pairs.get("binlog_format"), Some(&"ROW"));
    assert_eq!(at(params, "family"), "mysql8.4");
    let options = named(
        &plan,
        "aws:rds/optionGroup:OptionGroup",
        "dboptions-dev-a1b2",
    );
    assert_eq!(at(options, "options[0].optionName"), "MARIADB_AUDIT_PLUGIN");
    assert!(deps(db, "parameterGroupName").contains(params.urn.as_str()));
    assert!(deps(db, "optionGroupName").contains(options.urn.as_str()));
}

#[test]
fn final_snapshot_is_configurable() {
    let keep = dev_yaml_with(|y| y.replace("skipFinalSnapshot: true", "skipFinalSnapshot: false"));
    let plan = outcome_of_yaml(&keep, PlanMode::Preview)
        .expect("valid")
        .plan;
    let db = named(&plan, "aws:rds/instance:Instance", "mysql-dev-a1b2");
    assert_eq!(at(db, "skipFinalSnapshot"), false);
    assert_eq!(at(db, "finalSnapshotIdentifier"), "mysql-dev-a1b2-final");
    let db = named(&dev_plan(), "aws:rds/instance:Instance", "mysql-dev-a1b2").clone();
    assert_eq!(at(&db, "skipFinalSnapshot"), true);
}

// 6. Storage -------------------------------------------------------------------------------------

fn bucket_config<'a>(plan: &'a Plan, ty: &str, bucket: &PlanResource) -> &'a PlanResource {
    of_type(plan, ty)
        .into_iter()
        .find(|r| deps(r, "bucket").contains(bucket.urn.as_str()))
        .unwrap_or_else(|| panic!("{} has no {ty}", bucket.name))
}

#[test]
fn buckets_are_versioned_private_encrypted_tls_only_and_lifecycled() {
    let plan = dev_plan();
    let data_key = named(&plan, "aws:kms/key:Key", "kms-data-dev-a1b2");
    for name in [
        "payments-logs-dev-a1b2",
        "payments-static-dev-a1b2",
        "payments-alb-logs-dev-a1b2",
    ] {
        let bucket = named(&plan, "aws:s3/bucket:Bucket", name);
        assert_eq!(at(bucket, "forceDestroy"), true, "{name}");
        let versioning = bucket_config(&plan, "aws:s3/bucketVersioning:BucketVersioning", bucket);
        assert_eq!(
            at(versioning, "versioningConfiguration.status"),
            "Enabled",
            "{name}"
        );
        let block = bucket_config(
            &plan,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            bucket,
        );
        for flag in [
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ] {
            assert_eq!(at(block, flag), true, "{name} {flag}");
        }
        let sse = bucket_config(
            &plan,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            bucket,
        );
        assert_eq!(at(sse, "rules[0].bucketKeyEnabled"), true);
        let algorithm = at(
            sse,
            "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        );
        if name == "payments-alb-logs-dev-a1b2" {
            assert_eq!(
                algorithm, "AES256",
                "ALB log delivery requires SSE-S3 (documented exception)"
            );
        } else {
            assert_eq!(algorithm, "aws:kms", "{name}");
            assert!(
                deps(sse, "rules").contains(data_key.urn.as_str()),
                "{name} uses the CMK"
            );
        }
        let policy = policy_document(bucket_config(
            &plan,
            "aws:s3/bucketPolicy:BucketPolicy",
            bucket,
        ));
        let deny = policy["Statement"]
            .as_array()
            .expect("statements")
            .iter()
            .find(|s| s["Effect"] == "Deny")
            .expect("a deny statement");
        assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
        assert_eq!(
            deny["Resource"].as_array().map(Vec::len),
            Some(2),
            "bucket and objects"
        );
        let lifecycle = bucket_config(
            &plan,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            bucket,
        );
        assert_eq!(at(lifecycle, "rules[0].transitions[0].days"), 30);
        assert_eq!(
            at(
                lifecycle,
                "rules[0].noncurrentVersionExpiration.noncurrentDays"
            ),
            90
        );
        let ownership = bucket_config(
            &plan,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            bucket,
        );
        assert_eq!(at(ownership, "rule.objectOwnership"), "BucketOwnerEnforced");
    }
    let static_bucket = named(&plan, "aws:s3/bucket:Bucket", "payments-static-dev-a1b2");
    let logging = bucket_config(&plan, "aws:s3/bucketLogging:BucketLogging", static_bucket);
    // Server access logs go to the SSE-S3 bucket: S3 does not deliver them to SSE-KMS buckets.
    let sse_s3_bucket = named(&plan, "aws:s3/bucket:Bucket", "payments-alb-logs-dev-a1b2");
    assert!(deps(logging, "targetBucket").contains(sse_s3_bucket.urn.as_str()));
}

#[test]
fn lifecycle_days_come_from_config() {
    let yaml = dev_yaml_with(|y| {
        y + "  payments-platform:lifecycleTransitionDays: 45\n  payments-platform:noncurrentVersionExpirationDays: 120\n"
    });
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let bucket = named(&plan, "aws:s3/bucket:Bucket", "payments-static-dev-a1b2");
    let lifecycle = bucket_config(
        &plan,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        bucket,
    );
    assert_eq!(at(lifecycle, "rules[0].transitions[0].days"), 45);
    assert_eq!(
        at(
            lifecycle,
            "rules[0].noncurrentVersionExpiration.noncurrentDays"
        ),
        120
    );
}

// 7. Security groups -----------------------------------------------------------------------------

#[test]
fn security_groups_form_a_least_privilege_chain() {
    let plan = dev_plan();
    let group = |name: &str| {
        named(&plan, "aws:ec2/securityGroup:SecurityGroup", name)
            .urn
            .clone()
    };
    let (alb, app, db) = (
        group("secgroup-alb-dev-a1b2"),
        group("secgroup-app-dev-a1b2"),
        group("secgroup-db-dev-a1b2"),
    );
    let dms = group("secgroup-dms-dev-a1b2");
    let endpoints = group("secgroup-endpoints-dev-a1b2");
    let rules = of_type(
        &plan,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    );
    for rule in &rules {
        let port = at(rule, "fromPort").as_i64().expect("port");
        assert_eq!(
            at(rule, "fromPort"),
            at(rule, "toPort"),
            "single ports only"
        );
        assert!(port != 22 && port != 3389, "no SSH/RDP: {}", rule.name);
        assert_ne!(at(rule, "cidrIpv4"), "0.0.0.0/0");
        assert!(at(rule, "cidrIpv6").is_null());
        let target = deps(rule, "securityGroupId");
        if target.contains(alb.as_str()) {
            assert!([443, 80].contains(&port), "{}", rule.name);
            let cidr = at(rule, "cidrIpv4").as_str().expect("cidr");
            assert!(
                ["198.51.100.0/24", "203.0.113.0/24"].contains(&cidr),
                "{cidr}"
            );
        } else if target.contains(app.as_str()) {
            assert_eq!(port, 8080);
            assert_eq!(
                deps(rule, "referencedSecurityGroupId"),
                BTreeSet::from([alb.as_str()])
            );
        } else if target.contains(db.as_str()) {
            assert_eq!(port, 3306);
            // The app tier, and during the migration the DMS replication instance.
            let source = if rule.name == "ingress-db-from-dms-dev-a1b2" {
                &dms
            } else {
                &app
            };
            assert_eq!(
                deps(rule, "referencedSecurityGroupId"),
                BTreeSet::from([source.as_str()])
            );
        } else if target.contains(endpoints.as_str()) {
            // The interface endpoints: HTTPS from the app tier and, during the migration, DMS.
            assert_eq!(port, 443);
            let source = deps(rule, "referencedSecurityGroupId");
            assert!(
                source == BTreeSet::from([app.as_str()])
                    || source == BTreeSet::from([dms.as_str()]),
                "{}",
                rule.name
            );
        } else {
            panic!("unexpected ingress rule {}", rule.name);
        }
    }
    assert_eq!(
        rules.len(),
        9,
        "2 CIDRs x (443, 80) + app + db from app + db from DMS + endpoints from app and DMS"
    );
    let egress = of_type(
        &plan,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    );
    assert!(
        !egress
            .iter()
            .any(|r| deps(r, "securityGroupId").contains(db.as_str())),
        "database has no egress"
    );
    // The app tier: out only to the endpoints, S3 (the gateway's prefix list) and the database.
    let s3 = named(&plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "vpce-s3-dev-a1b2");
    let app_egress: BTreeMap<&str, (i64, BTreeSet<&str>)> = egress
        .iter()
        .filter(|r| deps(r, "securityGroupId").contains(app.as_str()))
        .map(|r| {
            let peer = deps(r, "referencedSecurityGroupId")
                .union(&deps(r, "prefixListId"))
                .copied()
                .collect();
            assert!(
                at(r, "cidrIpv4").is_null() && at(r, "cidrIpv6").is_null(),
                "{}",
                r.name
            );
            (
                r.name.as_str(),
                (at(r, "fromPort").as_i64().unwrap_or(0), peer),
            )
        })
        .collect();
    assert_eq!(
        app_egress,
        BTreeMap::from([
            (
                "egress-app-to-db-dev-a1b2",
                (3306, BTreeSet::from([db.as_str()]))
            ),
            (
                "egress-app-to-endpoints-dev-a1b2",
                (443, BTreeSet::from([endpoints.as_str()]))
            ),
            (
                "egress-app-to-s3-dev-a1b2",
                (443, BTreeSet::from([s3.urn.as_str()]))
            ),
        ])
    );
}

#[test]
fn world_open_ingress_is_rejected_with_a_clear_message() {
    for cidr in ["0.0.0.0/0", "::/0"] {
        let yaml = dev_yaml_with(|y| y.replace("- 203.0.113.0/24", &format!("- \"{cidr}\"")));
        let err = outcome_of_yaml(&yaml, PlanMode::Preview).expect_err("world open");
        assert!(
            err.contains("allowedIngressCidrs")
                && err.contains(cidr)
                && err.contains("whole internet"),
            "{err}"
        );
    }
}

#[test]
fn prefix_lists_are_admitted_on_https_and_http_only() {
    let yaml = dev_yaml_with(|y| y + "  payments-platform:allowedPrefixListIds: [pl-0abc]\n");
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    let from_list: Vec<i64> = of_type(
        &plan,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    )
    .iter()
    .filter(|r| at(r, "prefixListId") == "pl-0abc")
    .filter_map(|r| at(r, "fromPort").as_i64())
    .collect();
    assert_eq!(from_list.len(), 2);
    assert!(from_list.contains(&443) && from_list.contains(&80));
}

// 8. KMS -----------------------------------------------------------------------------------------

#[test]
fn keys_rotate_have_aliases_and_name_exactly_their_users() {
    let plan = dev_plan();
    let keys = of_type(&plan, "aws:kms/key:Key");
    // Data, compute, (accountControls create, issue 12) the audit key, and the key of the
    // backups' copy vault in the copy region.
    assert_eq!(keys.len(), 4);
    for key in &keys {
        assert_eq!(at(key, "enableKeyRotation"), true);
        assert_eq!(at(key, "deletionWindowInDays"), 7);
        let alias = of_type(&plan, "aws:kms/alias:Alias")
            .into_iter()
            .find(|a| deps(a, "targetKeyId").contains(key.urn.as_str()))
            .expect("alias");
        assert!(
            at(alias, "name")
                .as_str()
                .is_some_and(|n| n.starts_with("alias/") && !n.starts_with("alias/aws/"))
        );
    }
    let compute = policy_document(named(&plan, "aws:kms/key:Key", "kms-compute-dev-a1b2"));
    let principals: Vec<String> = compute["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| s["Principal"].to_string())
        .collect();
    assert!(
        principals
            .iter()
            .any(|p| p.contains("AWSServiceRoleForAutoScaling")),
        "ASG role for EBS"
    );
    assert!(
        principals
            .iter()
            .any(|p| p.contains("logs.us-east-1.amazonaws.com")),
        "CloudWatch Logs"
    );
}

// 9. IAM -----------------------------------------------------------------------------------------

#[test]
fn instance_role_has_managed_policies_and_a_scoped_customer_policy_only() {
    let plan = dev_plan();
    let attached: BTreeSet<&str> =
        of_type(&plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .iter()
            .filter_map(|a| at(a, "policyArn").as_str())
            .collect();
    assert!(attached.contains("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"));
    assert!(attached.contains("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"));
    for role in of_type(&plan, "aws:iam/role:Role") {
        assert!(
            role.inputs.get("inlinePolicies").is_none(),
            "no inline policy on {}",
            role.name
        );
    }
    let policy = of_type(&plan, "aws:iam/policy:Policy")[0];
    let deployed = outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    let document = policy_document(named(&deployed, "aws:iam/policy:Policy", &policy.name));
    for statement in document["Statement"].as_array().expect("statements") {
        let resources = statement["Resource"].as_array().expect("resource list");
        assert!(
            resources.iter().all(|r| r
                .as_str()
                .is_some_and(|r| r != "*" && r.starts_with("arn:"))),
            "{statement}"
        );
        let actions = statement["Action"].as_array().expect("actions");
        assert!(
            actions
                .iter()
                .all(|a| a.as_str().is_some_and(|a| !a.ends_with(":*") && a != "*")),
            "{statement}"
        );
    }
}

/// Issue 11 point 2: a reviewer reads every IAM policy in `pulumi preview`. The documents are
/// plain known strings in the preview plan of both example stacks, the preview prints them, and
/// the KMS grants reach only the stack's keys: the account's keys in the region narrowed by
/// `kms:ResourceAliases` to the stack's own aliases (a key ARN is not known before the key exists).
#[test]
fn iam_policy_documents_are_known_and_printed_in_preview() {
    for (stack, file) in [("dev", "Pulumi.dev.yaml"), ("prod", "Pulumi.prod.yaml")] {
        let plan = outcome_of(stack, file, PlanMode::Preview).plan;
        let aliases: BTreeSet<&str> = of_type(&plan, "aws:kms/alias:Alias")
            .iter()
            .filter_map(|a| at(a, "name").as_str())
            .collect();
        // The data and compute keys, the audit key of the account controls (created by both
        // example stacks) and the backups' copy key.
        assert_eq!(aliases.len(), 4, "{stack}: {aliases:?}");
        let rendered = payments_platform::preview::render(&plan, false);
        assert!(rendered.contains("IAM policies:"), "{stack}");
        let policies = of_type(&plan, "aws:iam/policy:Policy");
        assert!(!policies.is_empty());
        for policy in policies {
            let text = policy.inputs["policy"]
                .as_str()
                .unwrap_or_else(|| panic!("{stack} {}: a known string", policy.name));
            let document: Value = serde_json::from_str(text).expect("policy json");
            assert!(
                rendered.contains(&format!("  {}:\n", policy.name)),
                "{stack}: the preview prints {}",
                policy.name
            );
            for statement in document["Statement"].as_array().expect("statements") {
                let actions = statement["Action"].as_array().expect("actions");
                if !actions
                    .iter()
                    .any(|a| a.as_str().is_some_and(|a| a.starts_with("kms:")))
                {
                    continue;
                }
                assert_eq!(
                    statement["Resource"],
                    json!(["arn:aws:kms:us-east-1:123456789012:key/*"]),
                    "{statement}"
                );
                let named =
                    statement["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"]
                        .as_array()
                        .expect("narrowed to aliases");
                assert!(
                    !named.is_empty()
                        && named
                            .iter()
                            .all(|a| a.as_str().is_some_and(|a| aliases.contains(a))),
                    "{stack}: {statement}"
                );
                // Each grant is for the service that uses the key on the caller's behalf,
                // except the admin sessions, which the SSM agent decrypts itself.
                assert!(
                    statement["Condition"]["StringEquals"]["kms:ViaService"].is_string()
                        || statement["Sid"] == "DecryptAdminSessions",
                    "{statement}"
                );
                let pretty = serde_json::to_string_pretty(statement).expect("json");
                let first = pretty.lines().nth(1).expect("a line");
                assert!(rendered.contains(first.trim()), "{stack}: {first}");
            }
        }
    }
}

// 10. Tags ---------------------------------------------------------------------------------------

/// The default tags of `provider`.
fn tags_of(provider: &PlanResource) -> BTreeMap<String, String> {
    let encoded: Value =
        serde_json::from_str(at(provider, "defaultTags").as_str().expect("JSON text"))
            .expect("json");
    serde_json::from_value(encoded["tags"].clone()).expect("tags map")
}

/// The stack's own aws provider (the other one serves the backups' copy region).
fn home_provider(plan: &Plan) -> &PlanResource {
    of_type(plan, "pulumi:providers:aws")
        .into_iter()
        .find(|p| !p.name.starts_with("aws-backup-copy-"))
        .expect("the stack's aws provider")
}

/// The default tags of the stack's provider, which every aws provider of the stack shares.
fn default_tags(plan: &Plan) -> BTreeMap<String, String> {
    let defaults = tags_of(home_provider(plan));
    for provider in of_type(plan, "pulumi:providers:aws") {
        assert_eq!(tags_of(provider), defaults, "{}", provider.name);
    }
    defaults
}

#[test]
fn every_taggable_resource_carries_the_required_tags() {
    let plan = dev_plan();
    let defaults = default_tags(&plan);
    let index = payments_aws::schema::index();
    let aws = index
        .package(payments_aws::schema::Package::Aws)
        .expect("index");
    let mut checked = 0;
    for resource in plan.resources.iter().filter(|r| r.ty.starts_with("aws:")) {
        let taggable = aws
            .resources
            .get(&resource.ty)
            .is_some_and(|s| s.inputs.contains_key("tags"));
        if !taggable {
            continue;
        }
        assert!(
            of_type(&plan, "pulumi:providers:aws")
                .iter()
                .any(|p| resource.provider.starts_with(&p.urn)),
            "{} uses a tagged provider",
            resource.name
        );
        let mut effective = defaults.clone();
        if let Some(Value::Object(own)) = resource.inputs.get("tags") {
            effective.extend(
                own.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))),
            );
        }
        for key in payments_platform::tags::REQUIRED_TAGS {
            assert!(effective.contains_key(key), "{} lacks {key}", resource.name);
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} taggable resources checked");
    assert_eq!(defaults["Environment"], "dev");
    assert_eq!(defaults["CostCenter"], "cc-payments-1001");
    assert_eq!(defaults["MigrationPhase"], "prepare");
    let asg = named(&plan, "aws:autoscaling/group:Group", "asg-app-dev-a1b2");
    for key in payments_platform::tags::REQUIRED_TAGS {
        let tag = at(asg, "tags")
            .as_array()
            .expect("asg tags")
            .iter()
            .find(|t| t["key"] == key)
            .expect("tag");
        assert_eq!(
            tag["propagateAtLaunch"], true,
            "{key} propagates to instances"
        );
    }
}

// 11. Names --------------------------------------------------------------------------------------

#[test]
fn physical_names_follow_the_pattern() {
    let plan = dev_plan();
    let physical = |r: &PlanResource| -> Option<String> {
        let key = match r.ty.as_str() {
            "aws:s3/bucket:Bucket" => "bucket",
            "aws:rds/instance:Instance" => "identifier",
            ty if ty.starts_with("aws:route53/") || !ty.starts_with("aws:") => return None,
            // A GuardDuty feature's name is GuardDuty's feature id, not a name the stack gives.
            "aws:guardduty/detectorFeature:DetectorFeature" => return None,
            _ => "name",
        };
        r.inputs.get(key).and_then(Value::as_str).map(str::to_owned)
    };
    let names: Vec<(String, String)> = plan
        .resources
        .iter()
        .filter_map(|r| Some((r.ty.clone(), physical(r)?)))
        .collect();
    assert!(names.len() > 20, "only {} physical names", names.len());
    // AWS requires these account-wide names exactly (DMS roles, Session Manager preferences).
    let mandated = payments_platform::naming::AWS_FIXED_NAMES;
    let names: Vec<(String, String)> = names
        .into_iter()
        .filter(|(_, name)| !mandated.contains(&name.as_str()))
        .collect();
    for (ty, name) in &names {
        assert!(
            name.contains("-dev-a1b2"),
            "{ty}: {name} lacks -<environment>-<suffix>"
        );
    }
    // The names AWS limits most tightly end exactly with the suffix and fit their limits.
    for (ty, limit) in [
        ("aws:lb/loadBalancer:LoadBalancer", 32),
        ("aws:lb/targetGroup:TargetGroup", 32),
        ("aws:s3/bucket:Bucket", 63),
        ("aws:rds/instance:Instance", 63),
        ("aws:iam/role:Role", 64),
    ] {
        for (_, name) in names.iter().filter(|(t, _)| t == ty) {
            assert!(
                name.ends_with("-dev-a1b2") && name.len() <= limit,
                "{ty}: {name}"
            );
            assert!(
                !name.contains("--") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{name}"
            );
        }
    }
}

#[test]
fn a_suffix_that_cannot_fit_is_rejected() {
    let yaml = dev_yaml_with(|y| {
        y.replace(
            "environmentSuffix: a1b2",
            "environmentSuffix: abcdefghijklmnopqrstu",
        )
    });
    let err = outcome_of_yaml(&yaml, PlanMode::Preview).expect_err("too long");
    assert!(
        err.contains("environmentSuffix") && err.contains("AWS allows 32"),
        "{err}"
    );
}

// 12. Config -------------------------------------------------------------------------------------

#[test]
fn all_config_errors_are_reported_together() {
    let yaml = "config:\n  payments-platform:environment: dev\n  payments-platform:asgMaxSize: 9\n  payments-platform:vpcCidr: nonsense\n";
    let err = outcome_of_yaml(yaml, PlanMode::Preview).expect_err("invalid");
    for key in [
        "environmentSuffix",
        "costCenter",
        "allowedIngressCidrs",
        "asgMaxSize",
        "vpcCidr",
    ] {
        assert!(
            err.contains(&format!("payments-platform:{key}")),
            "{key} missing from:\n{err}"
        );
    }
}

#[test]
fn region_defaults_to_us_east_1() {
    let yaml = dev_yaml_with(|y| y.replace("  aws:region: us-east-1\n", ""));
    let plan = outcome_of_yaml(&yaml, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert_eq!(at(home_provider(&plan), "region"), "us-east-1");
    let west = dev_yaml_with(|y| y.replace("aws:region: us-east-1", "aws:region: eu-west-1"));
    let plan = outcome_of_yaml(&west, PlanMode::Preview)
        .expect("valid")
        .plan;
    assert_eq!(at(home_provider(&plan), "region"), "eu-west-1");
}

#[test]
fn example_stacks_hold_no_plaintext_secret() {
    for file in ["Pulumi.dev.yaml", "Pulumi.prod.yaml"] {
        let text = std::fs::read_to_string(common::root().join(file)).expect("stack file");
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            assert!(!line.contains("dbPassword"), "{file}: {line}");
        }
        outcome_of(
            file.trim_start_matches("Pulumi.").trim_end_matches(".yaml"),
            file,
            PlanMode::Preview,
        );
    }
}

// 13. Destroyable --------------------------------------------------------------------------------

#[test]
fn everything_is_destroyable() {
    let plan = dev_plan();
    for resource in &plan.resources {
        assert!(
            !resource.options.protect && !resource.options.retain_on_delete,
            "{}",
            resource.name
        );
    }
    for bucket in of_type(&plan, "aws:s3/bucket:Bucket") {
        assert_eq!(at(bucket, "forceDestroy"), true);
    }
    assert_eq!(
        at(
            of_type(&plan, "aws:rds/instance:Instance")[0],
            "deletionProtection"
        ),
        false
    );
    assert_eq!(
        at(
            of_type(&plan, "aws:lb/loadBalancer:LoadBalancer")[0],
            "enableDeletionProtection"
        ),
        false
    );
}

// 14. Exports ------------------------------------------------------------------------------------

#[test]
fn stack_exports_the_operational_values() {
    let plan = outcome_of("dev", "Pulumi.dev.yaml", PlanMode::Deploy).plan;
    for key in [
        "albDnsName",
        "rdsEndpoint",
        "logBucketName",
        "staticBucketName",
        "vpcId",
        "publicSubnetIds",
        "appSubnetIds",
        "databaseSubnetIds",
        "targetGroupArn",
        "dataKeyArn",
        "computeKeyArn",
        "certificateArn",
    ] {
        let value = plan
            .outputs
            .get(key)
            .unwrap_or_else(|| panic!("missing export {key}"));
        assert!(
            !value.is_null() && value != &json!(wire::UNKNOWN),
            "{key} = {value}"
        );
    }
    assert!(
        plan.outputs["dbMasterUserSecrets"]
            .get(wire::SIG_KEY)
            .is_some(),
        "secret export is marked secret"
    );
    assert_eq!(
        plan.outputs["appSubnetIds"].as_array().map(Vec::len),
        Some(2)
    );
}

// 15. Components ---------------------------------------------------------------------------------

#[test]
fn every_resource_lives_in_a_tier_component() {
    let plan = dev_plan();
    let stack = of_type(&plan, "pulumi:pulumi:Stack")[0].urn.clone();
    let components: BTreeMap<&str, &PlanResource> = plan
        .resources
        .iter()
        .filter(|r| !r.custom && r.ty.starts_with("payments:"))
        .map(|r| (r.urn.as_str(), r))
        .collect();
    assert!(components.len() >= 8, "{} components", components.len());
    for component in components.values() {
        assert_eq!(component.parent, stack);
    }
    for resource in plan
        .resources
        .iter()
        .filter(|r| r.custom && r.ty != "pulumi:providers:aws")
    {
        assert!(
            components.contains_key(resource.parent.as_str()),
            "{} {} is not in a component",
            resource.ty,
            resource.name
        );
    }
}

#[test]
fn log_retention_must_be_a_cloudwatch_value_and_a_year_in_production() {
    let odd = dev_yaml_with(|y| y.replace("logRetentionDays: 90", "logRetentionDays: 100"));
    let err = outcome_of_yaml(&odd, PlanMode::Preview).expect_err("not a CloudWatch value");
    assert!(
        err.contains("logRetentionDays") && err.contains("\"100\""),
        "{err}"
    );
    let prod = std::fs::read_to_string(common::root().join("Pulumi.prod.yaml"))
        .expect("prod")
        .replace("logRetentionDays: 365", "logRetentionDays: 90");
    let Err(err) = outcome_of_yaml(&prod, PlanMode::Preview) else {
        panic!("prod keeps a year")
    };
    assert!(err.contains("at least a year"), "{err}");
}
