#!/usr/bin/env bash
# Runs the README's main command exactly as it is written (the first command of its quick start)
# and checks what a new user should see: the component tree, the resource count, the policy
# summary, and exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
command=$(awk '/^## Quick start/ {in_section=1} in_section && /^```sh/ {getline; print; exit}' README.md \
  | sed 's/[[:space:]]*#.*$//')
if [ -z "$command" ]; then
  echo "README has no command in its quick start" >&2
  exit 1
fi
echo "running: $command"
output=$(bash -c "$command")
for expected in "pulumi:pulumi:Stack payments-platform-dev" "├─ payments:network:Network network" \
                "Resources: " "Policy (PCI DSS pack): 56 rules" "0 mandatory"; do
  if ! grep -qF -- "$expected" <<<"$output"; then
    echo "README main command: expected \"$expected\" in its output:" >&2
    echo "$output" >&2
    exit 1
  fi
done
echo "README main command: ok ($(grep '^Resources:' <<<"$output"))"
