//! The application tier (`payments:compute:AppTier`): a launch template (IMDSv2 only with hop
//! limit 1, no public IP, encrypted gp3 root volume under the compute key, instance profile,
//! detailed monitoring, user data that installs the app with its health endpoint, run by systemd as
//! a dedicated system user with no login shell, and the CloudWatch agent, tags on instances and
//! volumes that do not change between migration phases) and an Auto Scaling group of 2 to 6
//! instances across the private app subnets, ELB health checks, rolling instance refresh keeping at
//! least half the capacity healthy, a CPU target-tracking policy, and the tags (the migration phase
//! included) propagated to the instances at launch. A phase change leaves the template as it is,
//! so it never refreshes the fleet; an AMI, instance type or user data change makes a new version
//! and does.
//!
//! Launch *configurations* are deprecated (and unavailable to new accounts): not used.

use std::collections::BTreeMap;

use base64::Engine as _;
use payments_aws::args::{invoke, register};
use payments_aws::autoscaling::{
    GroupArgs, GroupInstanceRefreshArgs, GroupInstanceRefreshPreferencesArgs,
    GroupLaunchTemplateArgs, GroupTagArgs, PolicyArgs, PolicyTargetTrackingConfigurationArgs,
    PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs,
};
use payments_aws::cloudwatch::LogGroupArgs;
use payments_aws::ec2::{
    LaunchTemplateArgs, LaunchTemplateBlockDeviceMappingArgs,
    LaunchTemplateBlockDeviceMappingEbsArgs, LaunchTemplateIamInstanceProfileArgs,
    LaunchTemplateMetadataOptionsArgs, LaunchTemplateMonitoringArgs,
    LaunchTemplateNetworkInterfaceArgs, LaunchTemplateTagSpecificationArgs,
};
use payments_aws::ssm::{DocumentArgs, GetParameterArgs};
use pulumi_runtime::{Output, Resource};

use crate::config::AccountLevel;
use crate::naming::{NameKind, SESSION_MANAGER_DOCUMENT};
use crate::scope::{Scope, set};
use crate::tags;
use crate::tiers::iam::Identity;
use crate::tiers::kms::Keys;
use crate::tiers::loadbalancer::Edge;
use crate::tiers::network::{Network, Tier};
use crate::tiers::security::SecurityGroups;

/// The SSM public parameter naming the latest Amazon Linux 2023 AMI.
pub const AL2023_PARAMETER: &str =
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/// The application tier's handles.
#[derive(Clone)]
pub struct AppTier {
    /// The Auto Scaling group.
    pub group: Resource,
}

/// The CloudWatch log group the application ships to.
pub fn app_log_group_name(scope: &Scope) -> String {
    format!("/payments/{}/app", scope.config.naming.label("payments"))
}

/// The log group of the Session Manager sessions.
pub fn session_log_group_name(scope: &Scope) -> String {
    format!(
        "/payments/{}/ssm-sessions",
        scope.config.naming.label("payments")
    )
}

/// The account's Session Manager preferences: every admin session (the only way onto the
/// instances: no SSH) encrypted with the compute key and streamed to an encrypted log group.
fn session_preferences(scope: &Scope, parent: &Resource, keys: &Keys) {
    let config = &scope.config;
    if config.session_manager_preferences == AccountLevel::Existing {
        return;
    }
    let group = session_log_group_name(scope);
    let group_label = config.naming.label("ssm-session-logs");
    let log_group = register(
        &scope.ctx,
        &group_label,
        &LogGroupArgs {
            name: set(group.clone()),
            retention_in_days: set(config.log_retention_days),
            kms_key_id: set(keys.compute.output::<String>("arn")),
            tags: set(tags::named(config, &group_label)),
            ..Default::default()
        },
        scope.child_of(parent),
    );
    let content = keys.compute.output::<String>("arn").map(move |key| {
        serde_json::json!({
            "schemaVersion": "1.0",
            "description": "Payments platform: encrypted, logged Session Manager sessions",
            "sessionType": "Standard_Stream",
            "inputs": {
                "kmsKeyId": key,
                "cloudWatchLogGroupName": group,
                "cloudWatchEncryptionEnabled": true,
                "cloudWatchStreamingEnabled": true,
                "s3BucketName": "",
                "s3KeyPrefix": "",
                "s3EncryptionEnabled": true,
                "runAsEnabled": false,
                "runAsDefaultUser": "",
                "idleSessionTimeout": "20",
                "shellProfile": {"linux": "", "windows": ""}
            }
        })
        .to_string()
    });
    let label = config.naming.label("ssm-session-preferences");
    register(
        &scope.ctx,
        &label,
        &DocumentArgs {
            name: set(SESSION_MANAGER_DOCUMENT.to_owned()),
            document_type: set("Session".to_owned()),
            document_format: set("JSON".to_owned()),
            content: set(content),
            tags: set(tags::named(config, &label)),
            ..Default::default()
        },
        scope.child_of(parent).with_depends_on([&log_group]),
    );
}

/// The dedicated system user the application runs as: no login shell, no home directory, owner of
/// nothing but its log directory.
pub const APP_USER: &str = "payments-app";

/// The instance user data: installs a minimal app serving the health endpoint, run by systemd as
/// [`APP_USER`] (never root; a port below 1024 gets only `CAP_NET_BIND_SERVICE`), and the
/// CloudWatch agent shipping the app log.
pub fn user_data(port: i64, health_path: &str, log_group: &str) -> String {
    let capabilities = if port < 1024 {
        "AmbientCapabilities=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE"
    } else {
        "CapabilityBoundingSet="
    };
    format!(
        r#"#!/bin/bash
set -euo pipefail
dnf install -y python3 amazon-cloudwatch-agent
id -u {APP_USER} >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /sbin/nologin {APP_USER}
mkdir -p /opt/payments /var/log/payments
cat > /opt/payments/app.py <<'APP'
import http.server, json
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200 if self.path in ("{health_path}", "/") else 404
        body = json.dumps({{"status": "ok" if status == 200 else "not found"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, fmt, *args):
        with open("/var/log/payments/access.log", "a") as log:
            log.write((fmt % args) + "\n")
http.server.ThreadingHTTPServer(("0.0.0.0", {port}), Handler).serve_forever()
APP
cat > /etc/systemd/system/payments-app.service <<'UNIT'
[Unit]
Description=Payments application
After=network-online.target
[Service]
ExecStart=/usr/bin/python3 /opt/payments/app.py
Restart=always
User={APP_USER}
Group={APP_USER}
NoNewPrivileges=true
{capabilities}
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true
ReadWritePaths=/var/log/payments
[Install]
WantedBy=multi-user.target
UNIT
cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'CWA'
{{"logs": {{"logs_collected": {{"files": {{"collect_list": [
  {{"file_path": "/var/log/payments/access.log", "log_group_name": "{log_group}", "log_stream_name": "{{instance_id}}"}}
]}}}}}},
 "metrics": {{"metrics_collected": {{"mem": {{"measurement": ["mem_used_percent"]}}, "disk": {{"measurement": ["used_percent"], "resources": ["/"]}}}}}}}}
CWA
chown {APP_USER}:{APP_USER} /var/log/payments
chmod 0750 /var/log/payments
systemctl daemon-reload
systemctl enable --now payments-app
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
"#
    )
}

/// The warning of a production stack that reads the AMI from SSM on every run.
pub const UNPINNED_AMI_WARNING: &str = "amiId is not set: the AMI is read from the SSM public \
     parameter on every run, so a new Amazon Linux release replaces the whole fleet at the next \
     unrelated update. Pin it: pulumi config set amiId <the parameter's current value>";

async fn image_id(scope: &Scope) -> Result<String, String> {
    if let Some(ami) = &scope.config.ami_id {
        return Ok(ami.clone());
    }
    if crate::config::is_production(&scope.config.environment) {
        scope.ctx.warn(UNPINNED_AMI_WARNING);
    }
    let args = GetParameterArgs {
        name: set(AL2023_PARAMETER),
        ..Default::default()
    };
    let answer = invoke(&scope.ctx, &args, &scope.provider).await?;
    // pulumi-aws marks `value` secret for every parameter; the AMI parameter is a plain String
    // parameter, which the provider also returns as `insecureValue`.
    answer
        .get("insecureValue")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("SSM parameter {AL2023_PARAMETER} has no insecureValue"))
}

/// Builds the application tier.
pub async fn build(
    scope: &Scope,
    network: &Network,
    groups: &SecurityGroups,
    identity: &Identity,
    keys: &Keys,
    edge: &Edge,
) -> Result<AppTier, String> {
    let config = &scope.config;
    let component = scope.component("payments:compute:AppTier", "app-tier");
    let log_group = app_log_group_name(scope);
    app_log_group(scope, &component, &log_group, keys);
    session_preferences(scope, &component, keys);
    let image = image_id(scope).await?;
    // The group propagates every tag, the phase included, to its instances; the template carries
    // only what never changes between phases (see `tags`), so a phase change neither makes a new
    // template version nor refreshes the instances.
    let launched_tags = tags::named(config, &config.naming.label("app"));
    let instance = Launch {
        image,
        log_group,
        tags: launched_tags,
    };
    let launch_template = launch_template(scope, &component, &instance, groups, identity, keys);
    let group = auto_scaling_group(
        scope,
        &component,
        &instance.tags,
        &launch_template,
        network,
        edge,
    );
    scaling_policy(scope, &component, &group);
    Ok(AppTier { group })
}

/// What the instances are launched with: the image, the log group the agent ships to, the tags.
struct Launch {
    image: String,
    log_group: String,
    tags: BTreeMap<String, String>,
}

/// The application's log group, encrypted with the compute key, with retention.
fn app_log_group(scope: &Scope, parent: &Resource, log_group: &str, keys: &Keys) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let log_group_label = config.naming.label("app-logs");
    register(
        &scope.ctx,
        &log_group_label,
        &LogGroupArgs {
            name: set(log_group.to_owned()),
            retention_in_days: set(config.log_retention_days),
            kms_key_id: set(keys.compute.output::<String>("arn")),
            tags: set(tags::named(config, &log_group_label)),
            ..Default::default()
        },
        opts(),
    );
}

/// The hardened launch template: IMDSv2 only, no public address, encrypted gp3 root volume,
/// detailed monitoring, the instance profile, the user data; tags without the phase.
fn launch_template(
    scope: &Scope,
    parent: &Resource,
    instance: &Launch,
    groups: &SecurityGroups,
    identity: &Identity,
    keys: &Keys,
) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let lt_name = config.naming.name(NameKind::LaunchTemplate);
    let launched_tags = &instance.tags;
    let tag_specification = |resource_type: &str, tags| LaunchTemplateTagSpecificationArgs {
        resource_type: set(resource_type.to_owned()),
        tags: set(tags),
    };
    let instance_tags = tags::without_phase(launched_tags.clone());
    let attached_tags = tags::phase_on_instance(launched_tags.clone());
    let script = user_data(
        config.app_port,
        &config.health_check.path,
        &instance.log_group,
    );
    register(
        &scope.ctx,
        &lt_name,
        &LaunchTemplateArgs {
            name: set(lt_name.clone()),
            description: set("Payments application instances".to_owned()),
            image_id: set(instance.image.clone()),
            instance_type: set(config.instance_type.clone()),
            update_default_version: set(true),
            metadata_options: Some(LaunchTemplateMetadataOptionsArgs {
                http_endpoint: set("enabled"),
                http_tokens: set("required"),
                http_put_response_hop_limit: set(1),
                instance_metadata_tags: set("enabled"),
                ..Default::default()
            }),
            network_interfaces: Some(vec![LaunchTemplateNetworkInterfaceArgs {
                device_index: set(0),
                associate_public_ip_address: set("false"),
                delete_on_termination: set("true"),
                security_groups: set(Output::all([groups.app.id()])),
                ..Default::default()
            }]),
            block_device_mappings: Some(vec![LaunchTemplateBlockDeviceMappingArgs {
                device_name: set("/dev/xvda"),
                ebs: Some(LaunchTemplateBlockDeviceMappingEbsArgs {
                    encrypted: set("true"),
                    kms_key_id: set(keys.compute.output::<String>("arn")),
                    volume_type: set("gp3"),
                    volume_size: set(30),
                    delete_on_termination: set("true"),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            iam_instance_profile: Some(LaunchTemplateIamInstanceProfileArgs {
                arn: set(identity.instance_profile.output::<String>("arn")),
                ..Default::default()
            }),
            monitoring: Some(LaunchTemplateMonitoringArgs { enabled: set(true) }),
            user_data: set(base64::engine::general_purpose::STANDARD.encode(script)),
            tag_specifications: Some(vec![
                tag_specification("instance", instance_tags),
                tag_specification("volume", attached_tags.clone()),
                tag_specification("network-interface", attached_tags),
            ]),
            tags: set(tags::without_phase(tags::named(config, &lt_name))),
            ..Default::default()
        },
        opts(),
    )
}

/// The Auto Scaling group over the app subnets: ELB health checks, rolling instance refresh,
/// every tag propagated to the instances.
fn auto_scaling_group(
    scope: &Scope,
    parent: &Resource,
    launched_tags: &BTreeMap<String, String>,
    launch_template: &Resource,
    network: &Network,
    edge: &Edge,
) -> Resource {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let asg_name = config.naming.name(NameKind::AutoScalingGroup);
    let group_tags = launched_tags
        .iter()
        .map(|(key, value)| GroupTagArgs {
            key: set(key.clone()),
            value: set(value.clone()),
            propagate_at_launch: set(true),
        })
        .collect();
    register(
        &scope.ctx,
        &asg_name,
        &GroupArgs {
            name: set(asg_name.clone()),
            min_size: set(config.asg_min_size),
            max_size: set(config.asg_max_size),
            desired_capacity: set(config.asg_desired_capacity),
            vpc_zone_identifiers: set(Output::all(network.subnet_ids(Tier::App))),
            health_check_type: set("ELB"),
            health_check_grace_period: set(300),
            default_instance_warmup: set(120),
            target_group_arns: set(Output::all([edge.target_group.output::<String>("arn")])),
            launch_template: Some(GroupLaunchTemplateArgs {
                id: set(launch_template.id()),
                version: set(launch_template
                    .output::<i64>("latestVersion")
                    .map(|v| v.to_string())),
                ..Default::default()
            }),
            instance_refresh: Some(GroupInstanceRefreshArgs {
                strategy: set("Rolling"),
                preferences: Some(GroupInstanceRefreshPreferencesArgs {
                    // Launch before terminate: the group never drops below its capacity
                    // while instances are replaced (100% healthy, up to 50% extra).
                    min_healthy_percentage: set(100),
                    max_healthy_percentage: set(150),
                    instance_warmup: set("120"),
                    auto_rollback: set(true),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            enabled_metrics: set(vec![
                "GroupDesiredCapacity".to_owned(),
                "GroupInServiceInstances".to_owned(),
                "GroupMinSize".to_owned(),
                "GroupMaxSize".to_owned(),
            ]),
            tags: Some(group_tags),
            ..Default::default()
        },
        opts(),
    )
}

/// CPU target tracking on the group.
fn scaling_policy(scope: &Scope, parent: &Resource, group: &Resource) {
    let config = &scope.config;
    let opts = || scope.child_of(parent);
    let policy_name = config.naming.label("asg-cpu-target");
    register(
        &scope.ctx,
        &policy_name,
        &PolicyArgs {
            name: set(policy_name.clone()),
            autoscaling_group_name: set(group.output::<String>("name")),
            policy_type: set("TargetTrackingScaling"),
            target_tracking_configuration: Some(PolicyTargetTrackingConfigurationArgs {
                predefined_metric_specification: Some(
                    PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs {
                        predefined_metric_type: set("ASGAverageCPUUtilization"),
                        ..Default::default()
                    },
                ),
                target_value: set(config.cpu_target_percent),
                ..Default::default()
            }),
            ..Default::default()
        },
        opts(),
    );
}
