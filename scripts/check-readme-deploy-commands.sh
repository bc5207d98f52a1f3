#!/usr/bin/env bash
# Checks that every `pulumi` command of the README's "Deploying for real" block is run, as written,
# by scripts/e2e.sh (so the documented sequence is the tested one). Trailing comments are ignored;
# the secret placeholder '...' stands for the test's own value; `pulumi login` is the one line the
# test changes (it logs in to a throwaway local backend).
set -euo pipefail
cd "$(dirname "$0")/.."
commands=$(awk '/^## Deploying for real/ {section=1} section && /^```sh/ {block=1; next}
                block && /^```/ {exit} block {print}' README.md \
  | sed 's/[[:space:]]*#.*$//' | grep '^pulumi ' | grep -v '^pulumi login')
if [ -z "$commands" ]; then
  echo "README: no pulumi commands found in the 'Deploying for real' block" >&2
  exit 1
fi
missing=0
while IFS= read -r command; do
  expected=${command//"'...'"/'"$db_password"'}
  if ! grep -qF -- "run config 0 $expected" scripts/e2e.sh && ! grep -qF -- " 0 $expected" scripts/e2e.sh; then
    echo "README command not run by scripts/e2e.sh: $command" >&2
    missing=1
  fi
done <<<"$commands"
[ "$missing" -eq 0 ] || exit 1
echo "README deploy commands: all $(wc -l <<<"$commands") run by scripts/e2e.sh"
