#!/usr/bin/env python3
"""Assertions of the end-to-end test (scripts/e2e.sh) over what the real Pulumi CLI printed.

Each subcommand reads JSON files the CLI or the program wrote, prints what it checked, and exits 1
with the reason when an assertion fails. Standard library only.
"""

import argparse
import json
import sys

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"

# The stateful resources a phase change must never replace (issue 9; migration runbook).
STATEFUL_TYPES = {
    "aws:rds/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:autoscaling/group:Group",
    "aws:lb/loadBalancer:LoadBalancer",
}
# Inputs a phase change may change on a stateful resource: its tags only.
TAG_KEYS = {"tags", "tagsAll"}
REPLACING_OPS = {"replace", "create-replacement", "delete-replaced", "discard-replaced"}


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def ok(message):
    print(f"ok: {message}")


def resource_type(urn):
    return urn.split("::")[2].split("$")[-1]


def export_resources(path):
    return load(path)["deployment"].get("resources") or []


def provider_urn(reference):
    """`urn::id` of a provider reference -> the URN."""
    return reference.rsplit("::", 1)[0] if reference else ""


def cmd_same_urns(args):
    plan = {r["urn"] for r in load(args.plan)["resources"]}
    steps = {s["urn"] for s in load(args.preview)["steps"]}
    missing, extra = sorted(plan - steps), sorted(steps - plan)
    if missing or extra:
        fail(f"pulumi preview and the offline plan differ: only offline {missing}, only in pulumi {extra}")
    ok(f"pulumi preview has the offline plan's {len(plan)} URNs, no more, no fewer")


def cmd_outputs(args):
    outputs = load(args.outputs)
    missing = [name for name in args.names if name not in outputs]
    if missing:
        fail(f"stack outputs lack {missing}")
    for name in args.secret:
        if outputs.get(name) != "[secret]":
            fail(f"output {name} is not shown as a secret: {outputs.get(name)!r}")
    ok(f"stack outputs have all {len(args.names)} documented outputs; {args.secret} shown as [secret]")


def cmd_export_secret(args):
    with open(args.export, encoding="utf-8") as handle:
        text = handle.read()
    if args.plaintext in text:
        fail("the secret's plaintext appears in the stack export")
    envelopes = text.count(SECRET_SIG)
    ciphertexts = text.count('"ciphertext"')
    if envelopes == 0 or ciphertexts == 0:
        fail("the stack export has no encrypted secret (no secret envelope with ciphertext)")
    ok(f"stack export: plaintext absent, {ciphertexts} ciphertext values")


def cmd_export_matches_plan(args):
    exported = {r["urn"]: r for r in export_resources(args.export)}
    planned = load(args.plan)["resources"]
    for resource in planned:
        urn = resource["urn"]
        state = exported.get(urn)
        if state is None:
            fail(f"{urn} of the plan is not in the state")
        if (state.get("parent") or "") != (resource.get("parent") or ""):
            fail(f"{urn}: parent {state.get('parent')!r} in the state, {resource.get('parent')!r} in the plan")
        if provider_urn(state.get("provider")) != provider_urn(resource.get("provider")):
            fail(f"{urn}: provider {state.get('provider')!r} in the state, {resource.get('provider')!r} in the plan")
        if sorted(set(state.get("dependencies") or [])) != sorted(set(resource.get("dependencies") or [])):
            fail(f"{urn}: dependencies differ: state {state.get('dependencies')}, plan {resource.get('dependencies')}")
    ok(f"all {len(planned)} planned resources are in the state with the plan's parent, provider, dependencies")


def cmd_phase_diff(args):
    steps = load(args.preview)["steps"]
    counts = {}
    for step in steps:
        op, urn = step["op"], step["urn"]
        counts[op] = counts.get(op, 0) + 1
        ty = resource_type(urn)
        if op in REPLACING_OPS:
            fail(f"the phase change replaces {urn} ({op})")
        if ty in STATEFUL_TYPES:
            if op in ("create", "delete"):
                fail(f"the phase change would {op} the stateful resource {urn}")
            if op == "update":
                changed = set(step.get("diffs") or [])
                if not changed <= TAG_KEYS:
                    fail(f"the phase change updates {sorted(changed - TAG_KEYS)} of the stateful resource {urn}")
    created = {resource_type(s["urn"]) for s in steps if s["op"] == "create"}
    for expected in args.expect_created:
        if expected not in created:
            fail(f"the phase change creates no {expected} (the runbook says it does)")
    ok(f"phase change: {counts}; no replacement; stateful resources change only tags; creates {sorted(args.expect_created)}")


def journal(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def cmd_created_once(args):
    created = {}
    for entry in journal(args.journal):
        if entry["op"] == "create" and not entry["preview"] and entry["outcome"] == "ok":
            created[entry["urn"]] = created.get(entry["urn"], 0) + 1
    twice = sorted(urn for urn, count in created.items() if count > 1)
    if twice:
        fail(f"created more than once: {twice}")
    urns = [r["urn"] for r in export_resources(args.export)]
    if len(urns) != len(set(urns)):
        fail("the state holds duplicate URNs")
    ok(f"{len(created)} resources created exactly once; {len(urns)} unique URNs in the state")


def cmd_partial_state(args):
    urns = {r["urn"] for r in export_resources(args.export)}
    failed = [u for u in urns if resource_type(u) == args.failed_type]
    if failed:
        fail(f"the failed resource is in the state: {failed}")
    custom = [r for r in export_resources(args.export) if r.get("custom") and not r["type"].startswith("pulumi:providers:")]
    if len(custom) < args.at_least:
        fail(f"the state keeps only {len(custom)} resources after the failed update")
    ok(f"after the failed update the state keeps {len(custom)} created resources and no {args.failed_type}")


def cmd_destroy_order(args):
    before = export_resources(args.export)
    deleted = [e["urn"] for e in journal(args.journal) if e["op"] == "delete" and e["outcome"] == "ok"]
    position = {urn: i for i, urn in enumerate(deleted)}
    custom = [r for r in before if r.get("custom") and not r["type"].startswith("pulumi:providers:")]
    not_deleted = sorted(r["urn"] for r in custom if r["urn"] not in position)
    if not_deleted:
        fail(f"destroy did not delete {not_deleted}")
    for resource in custom:
        for dependency in resource.get("dependencies") or []:
            if dependency in position and position[dependency] < position[resource["urn"]]:
                fail(f"{dependency} was deleted before {resource['urn']}, which depends on it")
    after = export_resources(args.after)
    if after:
        fail(f"the state still holds {len(after)} resources after destroy")
    ok(f"destroy deleted all {len(custom)} resources, dependents first; the state is empty")


def cmd_cli_output(args):
    with open(args.output, encoding="utf-8") as handle:
        text = handle.read()
    if args.after:
        if args.after not in text:
            fail(f"the CLI output has no {args.after!r}")
        text = text.split(args.after, 1)[1]
    for expected in args.expect:
        if expected not in text:
            fail(f"the CLI output does not show {expected!r}")
    for unexpected in args.absent:
        if unexpected in text:
            fail(f"the CLI output shows {unexpected!r}")
    absent = f"; not {args.absent}" if args.absent else ""
    ok(f"the CLI output shows {args.expect}{absent}")


def cmd_drop_resource(args):
    """Removes one resource block from a Pulumi YAML program (a test variant of it)."""
    with open(args.program, encoding="utf-8") as handle:
        lines = handle.read().splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line == f"  {args.name}:\n"), None)
    if start is None:
        fail(f"{args.program} has no resource {args.name}")
    end = start + 1
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    with open(args.program, "w", encoding="utf-8") as handle:
        handle.writelines(lines[:start] + lines[end:])
    ok(f"dropped {args.name} from {args.program}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("same-urns"); p.add_argument("plan"); p.add_argument("preview")
    p.set_defaults(run=cmd_same_urns)
    p = sub.add_parser("outputs"); p.add_argument("outputs"); p.add_argument("--secret", nargs="*", default=[])
    p.add_argument("--names", nargs="+", required=True); p.set_defaults(run=cmd_outputs)
    p = sub.add_parser("export-secret"); p.add_argument("export"); p.add_argument("plaintext")
    p.set_defaults(run=cmd_export_secret)
    p = sub.add_parser("export-matches-plan"); p.add_argument("export"); p.add_argument("plan")
    p.set_defaults(run=cmd_export_matches_plan)
    p = sub.add_parser("phase-diff"); p.add_argument("preview")
    p.add_argument("--expect-created", nargs="*", default=[]); p.set_defaults(run=cmd_phase_diff)
    p = sub.add_parser("created-once"); p.add_argument("journal"); p.add_argument("export")
    p.set_defaults(run=cmd_created_once)
    p = sub.add_parser("partial-state"); p.add_argument("export"); p.add_argument("failed_type")
    p.add_argument("--at-least", type=int, default=1); p.set_defaults(run=cmd_partial_state)
    p = sub.add_parser("destroy-order"); p.add_argument("journal"); p.add_argument("export"); p.add_argument("after")
    p.set_defaults(run=cmd_destroy_order)
    p = sub.add_parser("cli-output"); p.add_argument("output"); p.add_argument("--expect", nargs="+", required=True)
    p.add_argument("--absent", nargs="*", default=[])
    p.add_argument("--after", help="check only the output after this text"); p.set_defaults(run=cmd_cli_output)
    p = sub.add_parser("drop-resource"); p.add_argument("program"); p.add_argument("name")
    p.set_defaults(run=cmd_drop_resource)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
