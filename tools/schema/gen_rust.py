#!/usr/bin/env python3
"""Generate the typed Rust input structs of the `payments-aws` crate.

Reads the schema index files written by ``build_index.py``:

* ``crates/aws/schema/pulumi-aws-7.51.1.json``
* ``crates/aws/schema/pulumi-tls-5.6.2.json``

and writes ``crates/aws/src/generated/mod.rs`` plus one file per module
(``ec2.rs``, ``lb.rs``, ..., ``index.rs`` for the aws package root and
``tls.rs`` for every tls token).  For each resource token ``aws:ec2/vpc:Vpc``
it writes ``VpcArgs`` implementing ``crate::args::ResourceArgs``; for each
function token ``getRegion`` it writes ``GetRegionArgs`` implementing
``crate::args::FunctionArgs``; for each nested input type reachable from those
tokens it writes a struct implementing ``pulumi_runtime::ToProperty``.
Provider tokens (``pulumi:providers:*``) are skipped: they are hand-written.

Naming: a field is the snake_case of its wire name (``cidrBlock`` ->
``cidr_block``, ``enableDns64`` -> ``enable_dns64``; Rust keywords get a
trailing underscore, ``type_``).  A nested type is named after its SDK class
(``ec2/LaunchTemplateMetadataOptionsArgs`` -> ``LaunchTemplateMetadataOptionsArgs``);
when that name is already taken in the module by a resource or function struct
(``s3/BucketLoggingArgs`` vs the ``BucketLogging`` resource) it becomes
``...TypeArgs`` (``BucketLoggingTypeArgs``).

The properties listed in ``CUT`` are generated as raw ``PropertyValue`` fields,
and types reachable only through them are left out (``-v`` lists them).

The output is deterministic (tokens, types and fields are sorted) and is
formatted with ``rustfmt --edition 2024``.

Usage::

    python3 tools/schema/gen_rust.py           # write the generated files
    python3 tools/schema/gen_rust.py --check   # exit 1 if they are out of date

Standard library only (plus the ``rustfmt`` binary on ``PATH``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import textwrap
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "crates" / "aws" / "schema"
OUT_DIR = REPO_ROOT / "crates" / "aws" / "src" / "generated"

# (index file, package name, module for the package root, version constant)
PACKAGES = [
    ("pulumi-aws-7.51.1.json", "aws", "index", "crate::schema::AWS_VERSION"),
    ("pulumi-tls-5.6.2.json", "tls", "tls", "crate::schema::TLS_VERSION"),
]

# Properties whose object type is not generated: the field becomes a raw
# `PropertyValue`, and types reachable only through it are left out.
# (type key or token, wire name) -> reason, written into the field's doc.
CUT = {
    ("aws", "wafv2/WebAclRuleArgs", "statement"): (
        "The rule statement tree (about 600 nested types in the schema) is not "
        "generated: build it as a raw `PropertyValue` object with camelCase keys."
    ),
    ("aws", "aws:autoscaling/policy:Policy", "predictiveScalingConfiguration"): (
        "Predictive scaling (about 20 nested types) is not generated: build it as a raw "
        "`PropertyValue` object with camelCase keys."
    ),
}

RUST_KEYWORDS = set(
    """as break const continue crate else enum extern false fn for if impl in let
    loop match mod move mut pub ref return self Self static struct super trait true
    type unsafe use where while async await dyn abstract become box do final macro
    override priv typeof unsized virtual yield try gen""".split()
)

SCALARS = {
    "string": "String",
    "integer": "i64",
    "number": "f64",
    "boolean": "bool",
    "any": "serde_json::Value",
}


def snake_case(name: str) -> str:
    """`cidrBlock` -> `cidr_block`, `enableDns64` -> `enable_dns64`,
    `dnsARecord` -> `dns_a_record`; digits never start a new word."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper():
            prev = name[i - 1] if i else ""
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if i and (prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower())):
                out.append("_")
            out.append(ch.lower())
        elif ch.isalnum() or ch == "_":
            out.append(ch)
        else:
            out.append("_")
    ident = "".join(out)
    if ident[0].isdigit():
        ident = "_" + ident
    if ident in RUST_KEYWORDS:
        ident += "_"
    return ident


def upper_first(name: str) -> str:
    return name[0].upper() + name[1:]


@dataclass
class Field:
    wire: str
    ident: str
    required: bool
    rust_type: str
    # input | raw | nested | nested_box | nested_list | nested_map
    shape: str
    nested: str = ""  # Rust path of the nested struct, for nested shapes
    note: str = ""


@dataclass
class Struct:
    name: str
    kind: str  # resource | function | type
    source: str  # token or type key
    fields: list[Field] = field(default_factory=list)


@dataclass
class Module:
    name: str
    package: str
    index_file: str
    version_const: str
    resources: list[Struct] = field(default_factory=list)
    functions: list[Struct] = field(default_factory=list)
    types: list[Struct] = field(default_factory=list)


def refs_of(ty: dict):
    kind = ty["kind"]
    if kind == "array":
        yield from refs_of(ty["items"])
    elif kind == "map":
        yield from refs_of(ty["values"])
    elif kind == "object":
        yield ty["ref"]


def token_module(token: str) -> str:
    # aws:ec2/vpc:Vpc -> ec2
    return token.split(":")[1].split("/")[0]


class Generator:
    def __init__(self) -> None:
        self.modules: dict[str, Module] = {}
        self.cut_report: list[str] = []
        self.skipped_types: list[str] = []
        self.uses: set[str] = set()  # helper functions used from mod.rs

    # --- model -----------------------------------------------------------

    def load(self) -> None:
        for index_file, package, root_module, version_const in PACKAGES:
            data = json.loads((SCHEMA_DIR / index_file).read_text())
            if data.get("package") != package:
                raise SystemExit(f"{index_file}: package is {data.get('package')!r}, expected {package!r}")
            self.load_package(data, package, root_module, index_file, version_const)

    def module_for(self, package: str, module: str, root_module: str, index_file: str, version_const: str) -> Module:
        # aws: the token's module (`index` for the package root); tls: everything in `tls`.
        name = root_module if package == "tls" or module == "index" else module
        if name not in self.modules:
            self.modules[name] = Module(name, package, index_file, version_const)
        mod = self.modules[name]
        if mod.package != package:
            raise SystemExit(f"module {name} would mix packages {mod.package} and {package}")
        return mod

    def load_package(self, data: dict, package: str, root_module: str, index_file: str, version_const: str) -> None:
        types = data["types"]
        tokens = []
        for section in ("resources", "functions"):
            for token in sorted(data[section]):
                if token.startswith("pulumi:providers:"):
                    continue
                tokens.append((section, token))

        # Types reachable from the tokens, honouring the cut-offs.
        reachable: set[str] = set()
        stack = []
        for section, token in tokens:
            for wire, prop in data[section][token]["inputs"].items():
                if (package, token, wire) in CUT:
                    continue
                stack.extend(refs_of(prop["type"]))
        while stack:
            key = stack.pop()
            if key in reachable:
                continue
            if key not in types:
                raise SystemExit(f"{index_file}: type {key} is referenced but not defined")
            reachable.add(key)
            for wire, prop in types[key]["properties"].items():
                if (package, key, wire) in CUT:
                    continue
                stack.extend(refs_of(prop["type"]))
        self.skipped_types.extend(f"{package}:{key}" for key in sorted(set(types) - reachable))

        # Struct names: token structs first, then nested types (sorted by key).
        taken: dict[str, set[str]] = {}
        token_names: dict[str, str] = {}
        type_names: dict[str, tuple[str, str]] = {}  # key -> (module, struct)
        for section, token in tokens:
            mod = self.module_for(package, token_module(token), root_module, index_file, version_const)
            name = self.unique(taken.setdefault(mod.name, set()), upper_first(token.split(":")[-1]) + "Args")
            token_names[token] = name
        for key in sorted(reachable):
            mod_part, class_name = key.split("/", 1)
            mod = self.module_for(package, mod_part, root_module, index_file, version_const)
            names = taken.setdefault(mod.name, set())
            name = class_name
            if name in names and name.endswith("Args"):
                name = name[: -len("Args")] + "TypeArgs"
            name = self.unique(names, name)
            type_names[key] = (mod.name, name)

        boxed = self.recursive_edges(types, reachable, package)

        def build(struct: Struct, module: str, owner: str, props: dict) -> None:
            for wire in sorted(props):
                prop = props[wire]
                struct.fields.append(
                    self.field(package, module, owner, wire, prop, type_names, boxed)
                )

        for section, token in tokens:
            mod = self.module_for(package, token_module(token), root_module, index_file, version_const)
            kind = "resource" if section == "resources" else "function"
            struct = Struct(token_names[token], kind, token)
            build(struct, mod.name, token, data[section][token]["inputs"])
            (mod.resources if kind == "resource" else mod.functions).append(struct)
        for key in sorted(reachable):
            module, name = type_names[key]
            struct = Struct(name, "type", key)
            build(struct, module, key, types[key]["properties"])
            self.modules[module].types.append(struct)

    @staticmethod
    def unique(names: set[str], name: str) -> str:
        candidate, n = name, 2
        while candidate in names:
            candidate = f"{name}{n}"
            n += 1
        names.add(candidate)
        return candidate

    @staticmethod
    def recursive_edges(types: dict, reachable: set[str], package: str) -> set[tuple[str, str]]:
        """(type key, wire) pairs whose direct object field closes a cycle and needs a Box."""
        graph = {}
        for key in reachable:
            edges = []
            for wire, prop in types[key]["properties"].items():
                if (package, key, wire) in CUT:
                    continue
                if prop["type"]["kind"] == "object":
                    edges.append((wire, prop["type"]["ref"]))
            graph[key] = edges

        def reaches(start: str, goal: str) -> bool:
            seen, stack = set(), [start]
            while stack:
                key = stack.pop()
                if key == goal:
                    return True
                if key in seen:
                    continue
                seen.add(key)
                stack.extend(target for _, target in graph.get(key, []))
            return False

        return {
            (key, wire)
            for key in reachable
            for wire, target in graph[key]
            if reaches(target, key)
        }

    def field(self, package, module, owner, wire, prop, type_names, boxed) -> Field:
        ident = snake_case(wire)
        required = bool(prop["required"])
        ty = prop["type"]
        kind = ty["kind"]

        def nested_path(key: str) -> str:
            target_module, name = type_names[key]
            return name if target_module == module else f"super::{target_module}::{name}"

        cut = CUT.get((package, owner, wire))
        if cut is not None:
            self.cut_report.append(f"{owner}.{wire}" if ":" in owner else f"{package}:{owner}.{wire}")
            return Field(wire, ident, required, "PropertyValue", "raw", note=cut)
        if kind in SCALARS:
            return Field(wire, ident, required, f"Input<{SCALARS[kind]}>", "input")
        if kind in ("asset", "archive"):
            return Field(wire, ident, required, "PropertyValue", "raw")
        if kind == "object":
            path = nested_path(ty["ref"])
            if (owner, wire) in boxed:
                return Field(wire, ident, required, f"Box<{path}>", "nested_box", path)
            return Field(wire, ident, required, path, "nested", path)
        if kind in ("array", "map"):
            inner = ty["items"] if kind == "array" else ty["values"]
            inner_kind = inner["kind"]
            if inner_kind in SCALARS:
                scalar = SCALARS[inner_kind]
                rust = f"Vec<{scalar}>" if kind == "array" else f"BTreeMap<String, {scalar}>"
                return Field(wire, ident, required, f"Input<{rust}>", "input")
            if inner_kind == "object":
                path = nested_path(inner["ref"])
                if kind == "array":
                    return Field(wire, ident, required, f"Vec<{path}>", "nested_list", path)
                return Field(wire, ident, required, f"BTreeMap<String, {path}>", "nested_map", path)
            self.cut_report.append(f"{package}:{owner}.{wire} ({kind} of {inner_kind}: raw)")
            return Field(wire, ident, required, "PropertyValue", "raw")
        raise SystemExit(f"{package}:{owner}.{wire}: unknown type kind {kind!r}")

    # --- rendering ---------------------------------------------------------

    def render_fields(self, struct: Struct) -> list[str]:
        lines = []
        for f in struct.fields:
            doc = f"/// `{f.wire}` (required)" if f.required else f"/// `{f.wire}`"
            lines.append(doc)
            if f.note:
                lines.append("///")
                lines.extend(f"/// {line}" for line in textwrap.wrap(f.note, 88))
            lines.append(f"pub {f.ident}: Option<{f.rust_type}>,")
        return lines

    def render_inserts(self, struct: Struct) -> list[str]:
        lines = []
        for f in struct.fields:
            if f.shape == "nested_box":
                lines.append(f'map.insert_opt("{f.wire}", self.{f.ident}.as_deref());')
            else:
                self.uses.add("SetOpt")
                lines.append(f'map.set_opt("{f.wire}", &self.{f.ident});')
        return lines

    def render_checks(self, struct: Struct, path: str) -> list[str]:
        lines = []
        for f in struct.fields:
            if f.required:
                self.uses.add("Require")
                lines.append(f'missing.require(&self.{f.ident}, {path}, "{f.wire}");')
            top = path == '""'
            here = f'"{f.wire}"' if top else f'&field_path({path}, "{f.wire}")'
            if f.shape.startswith("nested") and not top:
                self.uses.add("field_path")
            if f.shape in ("nested", "nested_box"):
                lines += [
                    f"if let Some(value) = &self.{f.ident} {{",
                    f"missing.extend(value.missing_required({here}));",
                    "}",
                ]
            elif f.shape == "nested_list":
                at = f'format!("{f.wire}[{{index}}]")' if top else f'format!("{{}}[{{index}}]", {here[1:]})'
                lines += [
                    f"for (index, value) in self.{f.ident}.iter().flatten().enumerate() {{",
                    f"missing.extend(value.missing_required(&{at}));",
                    "}",
                ]
            elif f.shape == "nested_map":
                at = f'format!("{f.wire}[{{key:?}}]")' if top else f'format!("{{}}[{{key:?}}]", {here[1:]})'
                lines += [
                    f"for (key, value) in self.{f.ident}.iter().flatten() {{",
                    f"missing.extend(value.missing_required(&{at}));",
                    "}",
                ]
        return lines

    def render_missing_body(self, struct: Struct, path: str) -> list[str]:
        checks = self.render_checks(struct, path)
        if not checks:
            return ["Vec::new()"]
        return ["let mut missing = Vec::new();", *checks, "missing"]

    def render_map_body(self, struct: Struct, tail: str) -> list[str]:
        inserts = self.render_inserts(struct)
        if not inserts:
            return ["let map = PropertyMap::new();", tail]
        return ["let mut map = PropertyMap::new();", *inserts, tail]

    def render_struct(self, mod: Module, struct: Struct) -> list[str]:
        lines = []
        if struct.kind == "resource":
            lines.append(f"/// Inputs of the `{struct.source}` resource.")
        elif struct.kind == "function":
            lines.append(f"/// Arguments of the `{struct.source}` function.")
        else:
            lines.append(f"/// The `{struct.source}` input object.")
        lines.append("#[derive(Clone, Debug, Default)]")
        lines.append(f"pub struct {struct.name} {{")
        lines.extend(self.render_fields(struct))
        lines.append("}")
        lines.append("")
        if struct.kind == "resource":
            lines.append(f"impl ResourceArgs for {struct.name} {{")
            lines.append(f'const TYPE: &\'static str = "{struct.source}";')
            lines.append(f"const VERSION: &'static str = {mod.version_const};")
            lines.append("")
            lines.append("fn properties(&self) -> PropertyMap {")
            lines.extend(self.render_map_body(struct, "map"))
            lines.append("}")
            lines.append("")
            lines.append("fn missing_required(&self) -> Vec<String> {")
            lines.extend(self.render_missing_body(struct, '""'))
            lines.append("}")
            lines.append("}")
        elif struct.kind == "function":
            lines.append(f"impl {struct.name} {{")
            lines.append("/// Wire names of required arguments left unset, at the top level and in nested objects")
            lines.append("/// that are set.")
            lines.append("pub fn missing_required(&self) -> Vec<String> {")
            lines.extend(self.render_missing_body(struct, '""'))
            lines.append("}")
            lines.append("}")
            lines.append("")
            lines.append(f"impl FunctionArgs for {struct.name} {{")
            lines.append(f'const TOKEN: &\'static str = "{struct.source}";')
            lines.append(f"const VERSION: &'static str = {mod.version_const};")
            lines.append("")
            lines.append("fn properties(&self) -> PropertyMap {")
            lines.extend(self.render_map_body(struct, "map"))
            lines.append("}")
            lines.append("}")
        else:
            has_checks = any(
                f.required or f.shape.startswith("nested") for f in struct.fields
            )
            param = "path" if has_checks else "_path"
            lines.append(f"impl {struct.name} {{")
            lines.append("/// Paths (`parent.child`, `list[0].child`) of required inputs left unset, here and in")
            lines.append("/// nested objects that are set; `path` is this object's own path.")
            lines.append(f"pub fn missing_required(&self, {param}: &str) -> Vec<String> {{")
            lines.extend(self.render_missing_body(struct, "path"))
            lines.append("}")
            lines.append("}")
            lines.append("")
            lines.append(f"impl ToProperty for {struct.name} {{")
            lines.append("fn to_property(&self) -> PropertyValue {")
            lines.extend(self.render_map_body(struct, "PropertyValue::Object(map.0)"))
            lines.append("}")
            lines.append("}")
        lines.append("")
        return lines

    def render_module(self, mod: Module) -> str:
        body: list[str] = []
        for struct in mod.resources + mod.functions + mod.types:
            body.extend(self.render_struct(mod, struct))
        text = "\n".join(body)
        structs = mod.resources + mod.functions + mod.types
        all_fields = [f for s in structs for f in s.fields]

        runtime = {"PropertyMap"}
        if any(f.shape == "input" for f in all_fields):
            runtime.add("Input")
        if mod.types or any(f.rust_type == "PropertyValue" for f in all_fields):
            runtime.add("PropertyValue")
        if mod.types:
            runtime.add("ToProperty")
        args = []
        if mod.functions:
            args.append("FunctionArgs")
        if mod.resources:
            args.append("ResourceArgs")
        helpers = sorted(
            name
            for name, marker in (("field_path", "field_path("), ("Require", ".require("), ("SetOpt", ".set_opt("))
            if marker in text
        )

        index_path = f"crates/aws/schema/{mod.index_file}"
        head = [
            f"//! Generated by tools/schema/gen_rust.py from {index_path}; do not edit.",
            "//!",
            f"//! Typed inputs of the `{mod.package}` package's `{mod.name}` tokens."
            if mod.name != "tls"
            else "//! Typed inputs of the `tls` package's tokens.",
            "",
        ]
        if "BTreeMap<" in text:
            head.append("use std::collections::BTreeMap;")
            head.append("")
        head.append(f"use pulumi_runtime::{{{', '.join(sorted(runtime))}}};")
        head.append("")
        if args:
            head.append(f"use crate::args::{{{', '.join(args)}}};")
        if helpers:
            head.append(f"use super::{{{', '.join(helpers)}}};")
        head.append("")
        return "\n".join(head + body) + "\n"

    def render_mod_rs(self) -> str:
        lines = [
            "//! Generated by tools/schema/gen_rust.py from "
            + " and ".join(f"crates/aws/schema/{p[0]}" for p in PACKAGES)
            + "; do not edit.",
            "//!",
            "//! One module per provider module: a `<Name>Args` struct per resource (implementing",
            "//! [`ResourceArgs`](crate::args::ResourceArgs)) and per function (implementing",
            "//! [`FunctionArgs`](crate::args::FunctionArgs)), and a struct per nested input object",
            "//! (implementing `pulumi_runtime::ToProperty`). Every field is optional; required inputs",
            "//! are reported by `missing_required`.",
            "",
        ]
        if "SetOpt" in self.uses:
            lines += ["use pulumi_runtime::{PropertyMap, ToProperty};", ""]
        for name in sorted(self.modules):
            mod = self.modules[name]
            if name == "tls":
                doc = "/// Resources and functions of the `tls` package."
            elif name == "index":
                doc = f"/// Resources and functions at the root (`index`) of the `{mod.package}` package."
            else:
                doc = f"/// Resources and functions of the `{name}` module of the `{mod.package}` package."
            lines += [doc, f"pub mod {name};"]
        lines.append("")
        if "field_path" in self.uses or "Require" in self.uses:
            lines += [
                "/// `name` under `path` (`path.name`, or `name` at the top level).",
                "fn field_path(path: &str, name: &str) -> String {",
                "if path.is_empty() { name.to_owned() } else { format!(\"{path}.{name}\") }",
                "}",
                "",
            ]
        if "Require" in self.uses:
            lines += [
                "/// Records the required inputs left unset.",
                "trait Require {",
                "/// Records `path.name` when the required input `value` is unset.",
                "fn require<T>(&mut self, value: &Option<T>, path: &str, name: &str);",
                "}",
                "",
                "impl Require for Vec<String> {",
                "fn require<T>(&mut self, value: &Option<T>, path: &str, name: &str) {",
                "if value.is_none() { self.push(field_path(path, name)); }",
                "}",
                "}",
                "",
            ]
        if "SetOpt" in self.uses:
            lines += [
                "/// Sets the inputs that are set.",
                "trait SetOpt {",
                "/// Sets `key` to `value` when `value` is set.",
                "fn set_opt<T: ToProperty>(&mut self, key: &str, value: &Option<T>);",
                "}",
                "",
                "impl SetOpt for PropertyMap {",
                "fn set_opt<T: ToProperty>(&mut self, key: &str, value: &Option<T>) {",
                "self.insert_opt(key, value.as_ref());",
                "}",
                "}",
                "",
            ]
        return "\n".join(lines) + "\n"

    def render(self) -> dict[str, str]:
        files = {}
        for name in sorted(self.modules):
            files[f"{name}.rs"] = self.render_module(self.modules[name])
        files["mod.rs"] = self.render_mod_rs()  # after the modules: it needs self.uses
        return {name: rustfmt(text, name) for name, text in sorted(files.items())}


def rustfmt(text: str, name: str) -> str:
    result = subprocess.run(
        ["rustfmt", "--edition", "2024", "--emit", "stdout"],
        input=text,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"rustfmt failed on {name}:\n{result.stderr}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the cut-offs and skipped types")
    args = parser.parse_args()

    gen = Generator()
    gen.load()
    files = gen.render()

    if args.verbose:
        for item in gen.cut_report:
            print(f"cut: {item}")
        for item in gen.skipped_types:
            print(f"not generated: {item}")

    existing = {p.name for p in OUT_DIR.glob("*.rs")} if OUT_DIR.is_dir() else set()
    if args.check:
        stale = sorted(
            name
            for name, text in files.items()
            if not (OUT_DIR / name).is_file() or (OUT_DIR / name).read_text() != text
        )
        extra = sorted(existing - set(files))
        for name in stale:
            print(f"out of date: {OUT_DIR.relative_to(REPO_ROOT) / name}", file=sys.stderr)
        for name in extra:
            print(f"not generated: {OUT_DIR.relative_to(REPO_ROOT) / name}", file=sys.stderr)
        if stale or extra:
            print("run: python3 tools/schema/gen_rust.py", file=sys.stderr)
            return 1
        return 0

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in sorted(existing - set(files)):
        (OUT_DIR / name).unlink()
    for name, text in files.items():
        path = OUT_DIR / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
    lines = sum(text.count("\n") for text in files.values())
    print(f"wrote {len(files)} files, {lines} lines, to {OUT_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
