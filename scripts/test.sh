#!/usr/bin/env bash
# Runs every test of the project: the Python test venv is created if missing (stand-in engine,
# SARIF schema validation), the schema index and generated inputs are checked against their
# generators, the whole Rust workspace is tested, the README's main command is run as written, and
# the end-to-end test runs under the real Pulumi CLI (scripts/e2e.sh; it builds the CLI from its Go
# module on first use, a few minutes, then reuses it from ~/.cache/payments-platform).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-test
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r tools/standin-engine/requirements.txt
  "$venv/bin/pip" install --quiet --no-deps -r tools/standin-engine/requirements-nodeps.txt
fi
# Outside the `if`, so an existing venv gets it too (a no-op when already installed).
"$venv/bin/pip" install --quiet -r crates/compliance/tests/requirements.txt

echo "== stand-in engine self-test"
(cd tools/standin-engine && "../../$venv/bin/python" -m unittest -q test_standin_engine)

echo "== schema index and generated inputs are current"
python3 tools/schema/build_index.py --check
python3 tools/schema/gen_rust.py --check

echo "== Rust tests"
cargo test --workspace --quiet

echo "== the README's main command, as a new user runs it"
scripts/check-readme-main-command.sh

echo "== the README's deploy commands are the ones the end-to-end test runs"
scripts/check-readme-deploy-commands.sh

echo "== the language host pulumi-language-rust (Go unit tests)"
(cd tools/pulumi && go test ./language-host)

echo "== end to end under the real Pulumi CLI"
scripts/e2e.sh
