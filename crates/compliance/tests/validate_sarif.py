"""Validates a SARIF log against the bundled SARIF 2.1.0 JSON schema.

Usage: validate_sarif.py SCHEMA LOG
Exit 0 when LOG is valid; otherwise prints one line per error and exits 1.
"""

import json
import sys

import jsonschema


def main() -> int:
    schema_path, log_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    with open(log_path, encoding="utf-8") as handle:
        log = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(
        validator_class(schema).iter_errors(log), key=lambda e: list(e.absolute_path)
    )
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        print(f"{where}: {error.message}")
    print(f"{validator_class.__name__}: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
