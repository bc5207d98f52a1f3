#!/usr/bin/env bash
# Builds (or reuses from a cache outside the repository) the real Pulumi CLI, this project's
# language host for prebuilt Rust programs, and the Pulumi YAML language host (for the policy
# pack's test on a program in another language), from their Go modules, at pinned versions:
#   pulumi                 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi  (PULUMI_VERSION below)
#   pulumi-language-rust   tools/pulumi/language-host                  (keyed by its source)
#   pulumi-language-yaml   github.com/pulumi/pulumi-yaml               (YAML_VERSION below)
# The first two are built in the consumer module tools/pulumi, the YAML host in tools/pulumi-yaml
# (it pins an older Pulumi SDK); go.mod/go.sum pin every dependency.
#
# Usage: eval "$(scripts/pulumi-tools.sh)"   # puts both first on PATH
# Progress goes to stderr; stdout carries only the `export` lines. The first build takes a few
# minutes (about 4 on 2 cores); with the cache it takes well under a second.
# Cache: $PAYMENTS_TOOLS_CACHE, default ~/.cache/payments-platform.
set -euo pipefail
cd "$(dirname "$0")/.."

PULUMI_VERSION=v3.274.1
YAML_VERSION=v1.25.0
cache=${PAYMENTS_TOOLS_CACHE:-$HOME/.cache/payments-platform}
module=tools/pulumi

# The CLI, once per version.
cli_dir="$cache/pulumi-$PULUMI_VERSION"
if [ ! -x "$cli_dir/pulumi" ]; then
  echo "pulumi-tools: building the Pulumi CLI $PULUMI_VERSION (first time only, a few minutes)" >&2
  mkdir -p "$cli_dir"
  (cd "$module" && go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$cli_dir/pulumi.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$cli_dir/pulumi.partial" "$cli_dir/pulumi"
fi

# The language host, once per content of its module (source, go.mod, go.sum).
host_key=$(cat "$module/go.mod" "$module/go.sum" "$module"/language-host/*.go | sha256sum | cut -c1-16)
host_dir="$cache/language-rust-$host_key"
if [ ! -x "$host_dir/pulumi-language-rust" ]; then
  echo "pulumi-tools: building pulumi-language-rust ($host_key)" >&2
  mkdir -p "$host_dir"
  (cd "$module" && go build -trimpath -o "$host_dir/pulumi-language-rust.partial" ./language-host)
  mv "$host_dir/pulumi-language-rust.partial" "$host_dir/pulumi-language-rust"
fi

# The Pulumi YAML host, once per version.
yaml_dir="$cache/language-yaml-$YAML_VERSION"
if [ ! -x "$yaml_dir/pulumi-language-yaml" ]; then
  echo "pulumi-tools: building pulumi-language-yaml $YAML_VERSION (first time only, about a minute)" >&2
  mkdir -p "$yaml_dir"
  (cd tools/pulumi-yaml && go build -trimpath -o "$yaml_dir/pulumi-language-yaml.partial" \
      github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
  mv "$yaml_dir/pulumi-language-yaml.partial" "$yaml_dir/pulumi-language-yaml"
fi

actual=$("$cli_dir/pulumi" version)
if [ "$actual" != "$PULUMI_VERSION" ]; then
  echo "pulumi-tools: $cli_dir/pulumi reports $actual, expected $PULUMI_VERSION" >&2
  exit 1
fi
echo "export PATH=\"$host_dir:$yaml_dir:$cli_dir:\$PATH\""
echo "export PULUMI_SKIP_UPDATE_CHECK=1"
