#!/usr/bin/env bash
# Runs every test of the project: the Python test venv is created if missing (stand-in engine,
# SARIF schema validation), the schema index and generated inputs are checked against their
# generators, the whole Rust workspace is tested, and the README's main command is run as written.
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
