#!/usr/bin/env bash
# Benchmark: wall time of `pulumi preview` of the dev stack under the real Pulumi CLI, against the
# same CLI previewing a program that registers only the same providers (the engine's floor: CLI
# start, plugin start, language host, provider configuration). One warm-up run each, then the
# median of RUNS (default 5). The providers are the provider stand-in (crates/provider-standin),
# so the figures measure the engine and the program, not AWS.
#
#   scripts/bench-engine.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}

eval "$(scripts/pulumi-tools.sh)"
cargo build --release --quiet -p payments-platform -p pulumi-provider-standin --bins
cargo build --release --quiet -p payments-platform --example engine_probe

work=$(mktemp -d /tmp/payments-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export PULUMI_HOME=$work/home PULUMI_CONFIG_PASSPHRASE=bench PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$work/state"
pulumi login --non-interactive "file://$work/state" >/dev/null

setup() { # DIR BINARY NAME
  local dir=$1
  mkdir -p "$dir/plugins/aws" "$dir/plugins/tls"
  cp target/release/pulumi-provider-standin "$dir/plugins/aws/pulumi-resource-aws"
  cp target/release/pulumi-provider-standin "$dir/plugins/tls/pulumi-resource-tls"
  sed -e "s|^name: .*|name: $3|" -e "s|binary: .*|binary: $2|" Pulumi.yaml >"$dir/Pulumi.yaml"
  printf 'plugins:\n  providers:\n    - {name: aws, path: ./plugins/aws, version: 7.51.1}\n    - {name: tls, path: ./plugins/tls, version: 5.6.2}\n' >>"$dir/Pulumi.yaml"
}
setup "$work/platform" "$root/target/release/payments-platform" payments-platform
cp Pulumi.dev.yaml "$work/platform/Pulumi.dev.yaml"
setup "$work/floor" "$root/target/release/examples/engine_probe" engine-probe
(cd "$work/platform" && pulumi stack init dev >/dev/null 2>&1)
(cd "$work/floor" && pulumi stack init dev >/dev/null 2>&1 && pulumi config set engine-probe:mode providers-only)

# median_of DIR: prints the median wall time (seconds) of RUNS previews in DIR.
median_of() {
  local dir=$1 times=()
  (cd "$dir" && pulumi preview >/dev/null 2>&1) # warm-up
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && pulumi preview >/dev/null 2>&1)
    end=$(date +%s.%N)
    times+=("$(python3 -c "print($end - $start)")")
  done
  python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "${times[@]}"
}

resources=$(cd "$work/platform" && pulumi preview --json 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['steps']))")
platform=$(median_of "$work/platform")
floor=$(median_of "$work/floor")
echo "pulumi $(pulumi version), $runs runs each, median wall time:"
echo "  dev stack preview ($resources steps): ${platform} s"
echo "  providers-only preview (floor):    ${floor} s"
python3 -c "print(f'  ratio: {$platform / $floor:.2f}x the floor, {($platform - $floor) * 1000:.0f} ms above it')"
