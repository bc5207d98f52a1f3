#!/usr/bin/env bash
# The end-to-end test under the real Pulumi CLI and engine (built by scripts/pulumi-tools.sh), on a
# throwaway local backend with the passphrase secrets provider. The aws and tls providers are the
# PROVIDER STAND-IN (crates/provider-standin): the real plugins cannot be downloaded here.
#
#   scripts/e2e.sh [--keep DIR]
#
# With --keep, DIR receives what every CLI command printed (NN-name.log), the JSON the checks read
# and the `pulumi stack export` taken after the first `pulumi up` (stack-export-after-up.json).
# The sequence: the README's "Deploying for real" commands and a preview matching the offline plan;
# up; outputs and secrets; a no-change preview; a migration phase change; a failed create and its
# resume; the policy gate on a non-compliant probe program; destroy in reverse dependency order.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    *) echo "usage: scripts/e2e.sh [--keep DIR]" >&2; exit 2 ;;
  esac
done

eval "$(scripts/pulumi-tools.sh)"
echo "== e2e: $(pulumi version), pulumi-language-rust, provider stand-in"
cargo build --release --quiet -p payments-platform -p pulumi-provider-standin -p payments-policy-pack --bins
cargo build --release --quiet -p payments-platform --example engine_probe

work=$(mktemp -d /tmp/payments-e2e.XXXXXX)
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  out=$(cd "$keep" && pwd)
else
  out=$work/out
  mkdir -p "$out"
  trap 'rm -rf "$work"' EXIT
fi
checks() { python3 "$root/tools/e2e/checks.py" "$@"; }

# A test copy of the project: the real Pulumi.yaml with the program's absolute path and the
# provider stand-in as local plugins (never in the Pulumi.yaml users deploy with).
add_standin_plugins() { # DIR: the provider stand-in as the project's local aws and tls plugins
  local dir=$1
  mkdir -p "$dir/plugins/aws" "$dir/plugins/tls"
  cp "$root/target/release/pulumi-provider-standin" "$dir/plugins/aws/pulumi-resource-aws"
  cp "$root/target/release/pulumi-provider-standin" "$dir/plugins/tls/pulumi-resource-tls"
  cat >>"$dir/Pulumi.yaml" <<'EOF'
plugins:
  providers:
    - name: aws
      path: ./plugins/aws
      version: 7.51.1
    - name: tls
      path: ./plugins/tls
      version: 5.6.2
EOF
}
make_project() { # DIR BINARY NAME
  local dir=$1 binary=$2 name=$3
  mkdir -p "$dir"
  sed -e "s|^name: .*|name: $name|" -e "s|binary: .*|binary: $binary|" "$root/Pulumi.yaml" >"$dir/Pulumi.yaml"
  add_standin_plugins "$dir"
}
# A copy of one of the Pulumi YAML programs of tools/e2e (another team's stack, another language).
yaml_project() { # DIR SOURCE
  mkdir -p "$1"
  cp "$root/tools/e2e/$2/Pulumi.yaml" "$1/Pulumi.yaml"
  add_standin_plugins "$1"
}
pack=$root/target/release/payments-policy-pack
project=$work/project
make_project "$project" "$root/target/release/payments-platform" payments-platform
probe=$work/probe
make_project "$probe" "$root/target/release/examples/engine_probe" engine-probe

export PULUMI_HOME=$work/home
export PULUMI_CONFIG_PASSPHRASE=e2e-passphrase
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_PROVIDER_STANDIN_JOURNAL=$out/journal-staging.jsonl
rm -f "$out"/journal-*.jsonl "$out"/*.log

db_password='e2e-Passw0rd-never-in-plaintext'
step=0
# The command line as shown in logs: the test secret masked.
shown() { local text="$*"; echo "${text//"$db_password"/[secret]}"; }
# run NAME EXPECT CMD...: runs CMD in the current directory, its output in $out/NN-NAME.log;
# EXPECT is 0 (must succeed) or fail (must exit non-zero).
run() {
  local name=$1 expect=$2 status=0
  shift 2
  step=$((step + 1))
  log=$(printf '%s/%02d-%s.log' "$out" "$step" "$name")
  echo "\$ $(shown "$@")" >"$log"
  "$@" >>"$log" 2>&1 || status=$?
  if { [ "$expect" = 0 ] && [ "$status" -ne 0 ]; } || { [ "$expect" = fail ] && [ "$status" -eq 0 ]; }; then
    echo "FAIL: \`$(shown "$@")\` exited $status (expected $expect); its output:"
    tail -n 60 "$log"
    exit 1
  fi
  echo "ok: $(shown "$@") (exit $status)"
}
# json NAME FILE CMD...: like run (must succeed), stdout to FILE.
json() {
  local name=$1 file=$2 status=0
  shift 2
  step=$((step + 1))
  log=$(printf '%s/%02d-%s.log' "$out" "$step" "$name")
  echo "\$ $(shown "$@")" >"$log"
  "$@" >"$file" 2>>"$log" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL: \`$*\` exited $status; its output:"
    tail -n 60 "$log" "$file"
    exit 1
  fi
  echo "ok: $* > $(basename "$file")"
}

cd "$project"
mkdir -p "$work/state"
run login 0 pulumi login "file://$work/state"

# --- The README's "Deploying for real", step 4 and 5 (the secret's value is the test's own).
run stack-init 0 pulumi stack init staging
run config 0 pulumi config set aws:region us-east-1
run config 0 pulumi config set environment staging
run config 0 pulumi config set environmentSuffix s01
run config 0 pulumi config set costCenter cc-payments-1001
run config 0 pulumi config set --path 'allowedIngressCidrs[0]' 198.51.100.0/24
run config 0 pulumi config set domainName payments.example.com
run config 0 pulumi config set hostedZoneId Z0123456789ABCDEFGHIJ
run config 0 pulumi config set --secret dbPassword "$db_password"

# The offline preview of the same config (the stack file the CLI wrote, secret from the env).
PULUMI_SECRET_PAYMENTS_PLATFORM_DB_PASSWORD=$db_password \
  run offline-preview 0 "$root/target/release/payments-platform" preview --stack staging \
  --config "$project/Pulumi.staging.yaml" --json "$out/offline-plan.json"

run preview 0 pulumi preview
json preview-json "$out/preview.json" pulumi preview --json
checks same-urns "$out/offline-plan.json" "$out/preview.json"

# --- up, outputs, secrets, state.
run up 0 pulumi up --yes
json outputs "$out/outputs.json" pulumi stack output --json
checks outputs "$out/outputs.json" --secret dbMasterUserSecrets --names albDnsName rdsEndpoint \
  logBucketName staticBucketName albLogBucketName vpcId publicSubnetIds appSubnetIds \
  databaseSubnetIds targetGroupArn autoScalingGroupName dataKeyArn computeKeyArn certificateArn \
  dbMasterUserSecrets
json export "$out/stack-export-after-up.json" pulumi stack export
checks export-secret "$out/stack-export-after-up.json" "$db_password"
checks export-matches-plan "$out/stack-export-after-up.json" "$out/offline-plan.json"
for file in "$out"/*.log "$out"/*.json; do
  if grep -q -- "$db_password" "$file"; then echo "FAIL: the secret's plaintext is in $file"; exit 1; fi
done
echo "ok: the secret's plaintext is in no CLI output, plan or state"

# --- The program is idempotent under the real diff.
run preview-no-changes 0 pulumi preview --expect-no-changes

# --- The PCI DSS pack as a real policy pack on the platform itself: no mandatory violation.
run policy-pack-platform 0 pulumi preview --policy-pack "$pack"
checks cli-output "$log" --expect "payments-pci-dss@v" --absent "[mandatory]"

# --- A phase change: only routing, replication and connectivity appear; no stateful replacement.
run phase 0 pulumi config set migrationPhase parallel
run phase 0 pulumi config set --path 'migration.onPremCidrs[0]' 172.16.0.0/16
run phase 0 pulumi config set --path migration.customerGatewayIp 198.51.100.10
run phase 0 pulumi config set --path migration.bgpAsn 65010
run phase 0 pulumi config set --path migration.staticRoutes true
run phase 0 pulumi config set --path migration.database.host 172.16.10.5
run phase 0 pulumi config set --path migration.database.port 3306
run phase 0 pulumi config set --plaintext --path migration.database.secretArn \
  arn:aws:secretsmanager:us-east-1:123456789012:secret:onprem-mysql-replication-AbCdEf
run phase 0 pulumi config set --path 'migration.appServers.ips[0]' 172.16.20.10
run phase 0 pulumi config set --path migration.appServers.port 443
run phase 0 pulumi config set --path 'migration.appServers.publicIps[0]' 198.51.100.20
run phase 0 pulumi config set --path migration.publicRecord.name pay.staging.example.com
run phase 0 pulumi config set --path migration.publicRecord.hostedZoneId Z0123456789ABCDEFGHIJ
# The provider stand-in has no live record to take over, so the runbook's change batch and
# `pulumi import` are skipped: the adopted on-prem record is simply created here.
run phase 0 pulumi config set --path migration.publicRecord.adopted true
run phase 0 pulumi config set --path migration.frontDoor alb
run phase 0 pulumi config set --path migration.awsTrafficWeight 5
run phase 0 pulumi config set --path migration.dmsRoles create
run preview-phase-diff 0 pulumi preview --diff
json preview-phase-json "$out/preview-phase.json" pulumi preview --json
checks phase-diff "$out/preview-phase.json" --expect-created aws:lb/targetGroup:TargetGroup \
  aws:route53/record:Record aws:route53/healthCheck:HealthCheck aws:ec2/vpnConnection:VpnConnection \
  aws:dms/replicationTask:ReplicationTask

# --- Failure and resume, on a second stack with the README's config.
run stack-init 0 pulumi stack init resume
run config-cp 0 pulumi config cp --stack staging --dest resume
run config 0 pulumi config set migrationPhase prepare --stack resume
run config 0 pulumi config rm migration --stack resume
export PULUMI_PROVIDER_STANDIN_JOURNAL=$out/journal-resume.jsonl
export PULUMI_PROVIDER_STANDIN_FAULTS=$work/faults.json
echo '[{"type": "aws:rds/instance:Instance", "operation": "create", "count": 2}]' >"$work/faults.json"
run up-fails fail pulumi up --yes --stack resume
# One error, the engine's: the registrations the engine cut off are not reported as errors.
checks cli-output "$log" --expect "aws:rds/instance:Instance" "injected fault: create of aws:rds/instance:Instance fails" \
  --absent "resource monitor shut down" "RegisterResource failed"
# Under --continue-on-error the engine answers FAIL for the database and SKIP for what depends
# on it; the program resolves those outputs as unknown and reports nothing of its own.
run up-continue-on-error fail pulumi up --yes --continue-on-error --stack resume
checks cli-output "$log" --expect "injected fault: create of aws:rds/instance:Instance fails" \
  --absent "RegisterResource failed" "unexpected shape" "panicked"
json export-partial "$out/export-after-failure.json" pulumi stack export --stack resume
checks partial-state "$out/export-after-failure.json" aws:rds/instance:Instance --at-least 20
run up-resume 0 pulumi up --yes --stack resume
json export-resumed "$out/export-resumed.json" pulumi stack export --stack resume
checks created-once "$out/journal-resume.jsonl" "$out/export-resumed.json"
run preview-resumed 0 pulumi preview --expect-no-changes --stack resume
run destroy-resume 0 pulumi destroy --yes --stack resume
run stack-rm 0 pulumi stack rm resume --yes
unset PULUMI_PROVIDER_STANDIN_FAULTS

# --- The policy gate under the real engine: a non-compliant program fails preview and up.
export PULUMI_PROVIDER_STANDIN_JOURNAL=$out/journal-probe.jsonl
cd "$probe"
run probe-init 0 pulumi stack init probe
run probe-preview fail pulumi preview
checks cli-output "$log" --expect "PCI DSS policy s3-versioning" "bucket-probe-p1"
run probe-up fail pulumi up --yes --skip-preview
checks cli-output "$log" --expect "PCI DSS policy s3-versioning"
run probe-destroy 0 pulumi destroy --yes
cd "$project"

# --- The policy pack on other teams' programs, in Pulumi YAML.
yaml_project "$work/yaml-bad" noncompliant-yaml
cd "$work/yaml-bad"
export PULUMI_PROVIDER_STANDIN_JOURNAL=$out/journal-yaml.jsonl
run yaml-bad-init 0 pulumi stack init bad
run yaml-bad-preview fail pulumi preview --policy-pack "$pack"
checks cli-output "$log" --expect \
  "sg-no-world-ingress  (aws:vpc:SecurityGroupIngressRule: checkout-https-world)" \
  "rds-encrypted-cmk  (aws:rds:Instance: checkout-db)" \
  "s3-versioning  (aws:s3:Bucket: checkout-assets)" \
  "iam-no-admin  (aws:iam:Policy: checkout-admin)" \
  "db-backup-cross-region  (aws:rds:Instance: checkout-db)" \
  "tags-required  (aws:ec2:SecurityGroup: checkout-sg)" "lacks the required tag(s) MigrationPhase"
yaml_project "$work/yaml-good" compliant-yaml
cd "$work/yaml-good"
run yaml-good-init 0 pulumi stack init good
# The team's account-level controls come from the organization: it names the evidence.
org_evidence() {
  run org 0 pulumi config set accountControls organization
  run org 0 pulumi config set --plaintext organizationTrailArn \
    arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail
  run org 0 pulumi config set securityAdminAccountId 444455556666
}
org_evidence
team_config=$root/tools/e2e/compliant-yaml/pci-policy.json
run yaml-good-preview 0 pulumi preview --policy-pack "$pack" --policy-pack-config "$team_config"
checks cli-output "$log" --expect "payments-pci-dss@v" "waived: " "delivered only to buckets with SSE-S3" \
  "provided by the AWS Organization" "trail/org-trail" --absent "[mandatory]"
# After the update the outputs are known: the checks a preview could not decide are decided.
run yaml-good-up 0 pulumi up --yes --policy-pack "$pack" --policy-pack-config "$team_config"
checks cli-output "$log" --after "Updating (good)" --expect "payments-pci-dss@v" "waived: " \
  --absent "[mandatory]" "cannot decide"
run yaml-good-destroy 0 pulumi destroy --yes
# One violation left (no versioning on the bucket): mandatory fails, advisory by config warns.
yaml_project "$work/yaml-one" compliant-yaml
checks drop-resource "$work/yaml-one/Pulumi.yaml" checkout-assets-versioning
cd "$work/yaml-one"
run yaml-one-init 0 pulumi stack init one
org_evidence
run yaml-one-preview fail pulumi preview --policy-pack "$pack" --policy-pack-config "$team_config"
checks cli-output "$log" --expect "[mandatory]" "s3-versioning  (aws:s3:Bucket: checkout-assets)"
python3 - "$team_config" "$work/advisory.json" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["s3-versioning"] = {"enforcementLevel": "advisory"}
json.dump(config, open(sys.argv[2], "w"))
EOF
run yaml-one-advisory 0 pulumi preview --policy-pack "$pack" --policy-pack-config "$work/advisory.json"
checks cli-output "$log" --expect "[advisory]" "s3-versioning  (aws:s3:Bucket: checkout-assets)" --absent "[mandatory]"
echo '{"s3-versioningg": {"enforcementLevel": "advisory"}}' >"$work/typo.json"
run yaml-one-typo fail pulumi preview --policy-pack "$pack" --policy-pack-config "$work/typo.json"
checks cli-output "$log" --expect "s3-versioningg" "did you mean \`s3-versioning\`?"
cd "$project"

# --- Destroy: everything goes, dependents first.
export PULUMI_PROVIDER_STANDIN_JOURNAL=$out/journal-staging.jsonl
json export-before-destroy "$out/export-before-destroy.json" pulumi stack export --stack staging
: >"$out/journal-staging.jsonl"
run destroy 0 pulumi destroy --yes --stack staging
json export-after-destroy "$out/export-after-destroy.json" pulumi stack export --stack staging
checks destroy-order "$out/journal-staging.jsonl" "$out/export-before-destroy.json" \
  "$out/export-after-destroy.json"

echo "== e2e: passed ($step CLI commands; logs in ${keep:-a temporary directory})"
