#!/usr/bin/env python3
"""Build the provider schema index used by the Rust crates.

The Pulumi provider JSON schemas are not published as a package, but the
Python SDK wheels on PyPI are generated from them.  This script reads the
wheel sources with ``zipfile`` and ``ast`` (it never imports the SDK) and
writes one JSON index per package into ``crates/aws/schema/``:

* every resource and function token of the package (``allTokens``);
* for the tokens listed in ``crates/aws/schema/tokens.txt``: each input's
  wire name, whether it is required, and its type;
* every nested input type reachable from those tokens (``types``).

See ``tools/schema/README.md`` for the format and its limits.

Usage::

    python3 tools/schema/build_index.py [--wheel-dir DIR] [--check]

Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "crates" / "aws" / "schema"
TOKENS_FILE = SCHEMA_DIR / "tokens.txt"


@dataclass(frozen=True)
class Package:
    name: str          # Pulumi package name, the first part of its tokens
    dist: str          # PyPI distribution name
    root: str          # top-level Python package inside the wheel
    version: str
    sha256: str        # of the wheel file, as published on PyPI

    @property
    def wheel_name(self) -> str:
        return f"{self.dist.replace('-', '_')}-{self.version}-py3-none-any.whl"

    @property
    def output(self) -> Path:
        return SCHEMA_DIR / f"{self.dist}-{self.version}.json"

    @property
    def provider_token(self) -> str:
        return f"pulumi:providers:{self.name}"


PACKAGES = [
    Package("aws", "pulumi-aws", "pulumi_aws", "7.51.1",
            "bffc7fb6ce352e9019302498571799a771f7a84234b19ff8b1710a6250b31024"),
    Package("tls", "pulumi-tls", "pulumi_tls", "5.6.2",
            "d36f5114f33c07101e6221162f781adc3867e6261f3d8e4a2dfb3d707b33b329"),
]

# Files of a module that hold types rather than resources or functions.
TYPE_FILES = ("_inputs.py", "outputs.py", "_enums.py")
SKIP_FILES = TYPE_FILES + ("__init__.py", "_utilities.py", "vars.py")

PRIMITIVES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}

INVOKE_RE = re.compile(r"pulumi\.runtime\.(invoke|invoke_output|call)\(\s*'([^']+)'")
TYPE_TOKEN_RE = re.compile(r'@pulumi\.type_token\("([^"]+)"\)')


class SchemaError(Exception):
    """An annotation or source shape this script does not know how to map."""


# --------------------------------------------------------------------------
# Wheels


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "pulumi-schema-wheels"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_wheels(wheel_dir: Path) -> dict[str, Path]:
    """Return the wheel path per package, downloading missing wheels with pip."""
    missing = [p for p in PACKAGES if not (wheel_dir / p.wheel_name).is_file()]
    if missing:
        wheel_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps",
               "--disable-pip-version-check", "--dest", str(wheel_dir)]
        cmd += [f"{p.dist}=={p.version}" for p in missing]
        print("downloading: " + " ".join(cmd), file=sys.stderr)
        result = subprocess.run(cmd, stdout=sys.stderr)
        if result.returncode != 0:
            raise SchemaError(f"pip download failed (exit {result.returncode})")
    paths = {}
    for p in PACKAGES:
        path = wheel_dir / p.wheel_name
        if not path.is_file():
            raise SchemaError(f"{path} not found after download")
        actual = sha256_of(path)
        if actual != p.sha256:
            raise SchemaError(f"{path}: sha256 {actual}, expected {p.sha256}")
        paths[p.name] = path
    return paths


# --------------------------------------------------------------------------
# Token list


def read_token_list(path: Path) -> list[str]:
    tokens = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line.split()) != 1:
            raise SchemaError(f"{path}:{lineno}: one token per line expected, got {line!r}")
        tokens.append(line)
    if len(set(tokens)) != len(tokens):
        dups = sorted({t for t in tokens if tokens.count(t) > 1})
        raise SchemaError(f"{path}: duplicate tokens {dups}")
    return tokens


def package_of_token(token: str) -> str:
    parts = token.split(":")
    if parts[0] == "pulumi" and len(parts) == 3 and parts[1] == "providers":
        return parts[2].split("/")[0]
    return parts[0]


# --------------------------------------------------------------------------
# AST helpers


def dotted(node: ast.AST) -> str | None:
    """'a.b.c' for Name/Attribute chains, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def show(node: ast.AST) -> str:
    return ast.unparse(node)


def subscript_parts(node: ast.AST) -> tuple[str, list[ast.AST]] | None:
    """For X[a, b] return ('X', [a, b])."""
    if not isinstance(node, ast.Subscript):
        return None
    head = dotted(node.value)
    if head is None:
        return None
    sl = node.slice
    args = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
    return head, args


def decorator_names(fn: ast.AST) -> list[tuple[str, ast.AST]]:
    out = []
    for dec in fn.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        out.append((dotted(target) or "", dec))
    return out


def call_str_arg(dec: ast.AST) -> str | None:
    if isinstance(dec, ast.Call) and dec.args and isinstance(dec.args[0], ast.Constant):
        value = dec.args[0].value
        return value if isinstance(value, str) else None
    return None


def function_params(fn: ast.FunctionDef) -> list[tuple[str, ast.AST | None, bool]]:
    """(name, annotation, has_default) for every parameter except a method's
    leading __self__ and a function's trailing opts."""
    a = fn.args
    positional = a.posonlyargs + a.args
    pos_defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    params = [(arg, d is not None) for arg, d in zip(positional, pos_defaults)]
    params += [(arg, d is not None) for arg, d in zip(a.kwonlyargs, a.kw_defaults)]
    if a.vararg or a.kwarg:
        raise SchemaError(f"{fn.name}: unexpected *args/**kwargs")
    if params and params[0][0].arg == "__self__":
        params = params[1:]
    if params and params[-1][0].arg == "opts":
        params = params[:-1]
    return [(arg.arg, arg.annotation, has_default) for arg, has_default in params]


# --------------------------------------------------------------------------
# The wheel as a set of parsed modules


@dataclass
class ModuleTypes:
    """The classes of one SDK module (e.g. pulumi_aws.ec2) that types can name."""
    key: str                                   # 'ec2', or 'index' for the root
    inputs: dict[str, ast.ClassDef] = field(default_factory=dict)
    enums: dict[str, ast.ClassDef] = field(default_factory=dict)
    typed_dicts: set[str] = field(default_factory=set)
    imports: dict[str, str] = field(default_factory=dict)  # alias -> module dir


class Wheel:
    def __init__(self, package: Package, path: Path):
        self.package = package
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self._ast: dict[str, ast.Module] = {}
        self._modules: dict[str, ModuleTypes] = {}
        self._imports: dict[str, dict[str, str]] = {}

    def text(self, name: str) -> str:
        return self.zip.read(name).decode("utf-8")

    def parse(self, name: str) -> ast.Module:
        if name not in self._ast:
            try:
                self._ast[name] = ast.parse(self.text(name), filename=name)
            except SyntaxError as e:
                raise SchemaError(f"{name}: cannot parse: {e}") from e
        return self._ast[name]

    # ---- module directories and keys

    def module_dir(self, filename: str) -> str:
        return filename.rsplit("/", 1)[0]

    def module_key(self, mod_dir: str) -> str:
        root = self.package.root
        if mod_dir == root:
            return "index"
        if not mod_dir.startswith(root + "/"):
            raise SchemaError(f"{mod_dir}: outside {root}")
        return mod_dir[len(root) + 1:]

    def file_imports(self, filename: str) -> dict[str, str]:
        """Aliases bound by 'from .. import x [as y]' -> module dir."""
        if filename in self._imports:
            return self._imports[filename]
        mod_dir = self.module_dir(filename)
        out = self._imports[filename] = {}
        for node in self.parse(filename).body:
            if isinstance(node, ast.ImportFrom) and node.level > 0 and node.module is None:
                base = mod_dir
                for _ in range(node.level - 1):
                    base = base.rsplit("/", 1)[0]
                for alias in node.names:
                    target = f"{base}/{alias.name}"
                    if f"{target}/__init__.py" in self.names:
                        out[alias.asname or alias.name] = target
        return out

    def module_types(self, mod_dir: str) -> ModuleTypes:
        if mod_dir in self._modules:
            return self._modules[mod_dir]
        mt = ModuleTypes(self.module_key(mod_dir))
        for fname, bucket in (("_inputs.py", mt.inputs), ("_enums.py", mt.enums)):
            name = f"{mod_dir}/{fname}"
            if name not in self.names:
                continue
            mt.imports.update(self.file_imports(name))
            for node in self.parse(name).body:
                if not isinstance(node, ast.ClassDef):
                    continue
                decs = [d for d, _ in decorator_names(node)]
                bases = [dotted(b) for b in node.bases]
                if fname == "_enums.py":
                    if "Enum" in bases:
                        if bases != ["_builtins.str", "Enum"]:
                            raise SchemaError(f"{name}: enum {node.name} has bases {bases}, "
                                              "only str enums are mapped")
                        bucket[node.name] = node
                elif "pulumi.input_type" in decs:
                    bucket[node.name] = node
                elif "TypedDict" in bases:
                    mt.typed_dicts.add(node.name)
        self._modules[mod_dir] = mt
        return mt

    # ---- token discovery

    def register_map(self) -> dict[str, tuple[str, str]]:
        """token -> (module dir, class name) from the root __init__.py register call."""
        init = f"{self.package.root}/__init__.py"
        found: dict[str, tuple[str, str]] = {}
        for node in ast.walk(self.parse(init)):
            if not (isinstance(node, ast.Call) and dotted(node.func) == "_utilities.register"):
                continue
            for kw in node.keywords:
                if not isinstance(kw.value, ast.Constant):
                    raise SchemaError(f"{init}: register({kw.arg}=...) is not a literal")
                for entry in json.loads(kw.value.value):
                    mod_dir = entry["fqn"].replace(".", "/")
                    if kw.arg == "resource_modules":
                        for token, cls in entry["classes"].items():
                            found[token] = (mod_dir, cls)
                    elif kw.arg == "resource_packages":
                        found[entry["token"]] = (mod_dir, entry["class"])
                    else:
                        raise SchemaError(f"{init}: unknown register argument {kw.arg}")
        if not found:
            raise SchemaError(f"{init}: no _utilities.register(...) call found")
        return found

    def scan_tokens(self):
        """Resource tokens (from type_token decorators) and function tokens
        (from invoke/call sites), each mapped to the file that defines it."""
        resources: dict[str, str] = {}
        functions: dict[str, str] = {}
        prefix = self.package.root + "/"
        for name in sorted(self.names):
            if not (name.startswith(prefix) and name.endswith(".py")):
                continue
            if name.rsplit("/", 1)[1] in SKIP_FILES:
                continue
            text = self.text(name)
            for token in TYPE_TOKEN_RE.findall(text):
                if token in resources:
                    raise SchemaError(f"{token}: defined in {resources[token]} and {name}")
                resources[token] = name
            for _kind, token in INVOKE_RE.findall(text):
                if functions.setdefault(token, name) != name:
                    raise SchemaError(f"{token}: invoked in {functions[token]} and {name}")
        return resources, functions


# --------------------------------------------------------------------------
# Type mapping


class Indexer:
    def __init__(self, wheel: Wheel):
        self.wheel = wheel
        self.types: dict[str, dict] = {}
        self._pending: list[tuple[str, str]] = []   # (module dir, class name)
        self.string_or_object: set[str] = set()     # where Union[str, XArgs] became string

    # ---- name resolution

    def resolve(self, name: str, filename: str, where: str):
        """Resolve a forward-reference string to ('object', mod_dir, cls) or ('enum', ...)
        or ('typeddict'|'output', ...)."""
        mod_dir = self.wheel.module_dir(filename)
        parts = name.split(".")
        if len(parts) == 2:
            alias, cls = parts
            if alias == "outputs":
                return ("output", mod_dir, cls)
            imports = self.wheel.file_imports(filename)
            if alias not in imports:
                raise SchemaError(f"{where}: cannot resolve module alias in {name!r}")
            candidates = [imports[alias]]
        elif len(parts) == 1:
            cls = name
            candidates = [mod_dir]
        else:
            raise SchemaError(f"{where}: cannot resolve {name!r}")
        hits = self._lookup(candidates, cls)
        if not hits and len(parts) == 1:
            # The SDK generator sometimes names a type of another module without
            # qualifying it (e.g. 'PolicyDocumentArgs' from iam in s3 files);
            # try the sibling modules this file imports.
            others = sorted(set(self.wheel.file_imports(filename).values()) - {mod_dir})
            hits = self._lookup(others, cls)
        if len(hits) != 1:
            raise SchemaError(f"{where}: {name!r} resolves to {len(hits)} classes {hits}")
        return hits[0]

    def _lookup(self, mod_dirs, cls):
        hits = []
        for d in mod_dirs:
            mt = self.wheel.module_types(d)
            if cls in mt.inputs:
                hits.append(("object", d, cls))
            if cls in mt.enums:
                hits.append(("enum", d, cls))
            if cls in mt.typed_dicts:
                hits.append(("typeddict", d, cls))
        return hits

    def type_key(self, mod_dir: str, cls: str) -> str:
        return f"{self.wheel.module_key(mod_dir)}/{cls}"

    # ---- annotation mapping

    def map_type(self, node: ast.AST, filename: str, where: str) -> dict:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", text):
                return self.map_named(text, filename, where)
            try:
                inner = ast.parse(text, mode="eval").body
            except SyntaxError as e:
                raise SchemaError(f"{where}: unparsable annotation string {text!r}") from e
            return self.map_type(inner, filename, where)

        name = dotted(node)
        if name is not None:
            base = name.split(".")[-1]
            if name in ("str", "_builtins.str", "int", "_builtins.int", "float",
                        "_builtins.float", "bool", "_builtins.bool"):
                return {"kind": PRIMITIVES[base]}
            if name in ("Any", "typing.Any"):
                return {"kind": "any"}
            if name == "pulumi.Archive":
                return {"kind": "archive"}
            if name in ("pulumi.Asset", "pulumi.AssetOrArchive"):
                return {"kind": "asset"}
            raise SchemaError(f"{where}: cannot map annotation {show(node)!r}")

        sub = subscript_parts(node)
        if sub is None:
            raise SchemaError(f"{where}: cannot map annotation {show(node)!r}")
        head, args = sub
        if head in ("pulumi.Input", "Optional") and len(args) == 1:
            return self.map_type(args[0], filename, where)
        if head == "Sequence" and len(args) == 1:
            return {"kind": "array", "items": self.map_type(args[0], filename, where)}
        if head == "Mapping" and len(args) == 2:
            if dotted(args[0]) not in ("str", "_builtins.str"):
                raise SchemaError(f"{where}: map key is not str in {show(node)!r}")
            return {"kind": "map", "values": self.map_type(args[1], filename, where)}
        if head == "Union":
            return self.map_union(node, args, filename, where)
        raise SchemaError(f"{where}: cannot map annotation {show(node)!r}")

    def map_named(self, text: str, filename: str, where: str) -> dict:
        kind, mod_dir, cls = self.resolve(text, filename, where)
        if kind == "enum":
            return {"kind": "string"}
        if kind == "object":
            key = self.type_key(mod_dir, cls)
            if key not in self.types:
                self.types[key] = None  # placeholder until indexed
                self._pending.append((mod_dir, cls))
            return {"kind": "object", "ref": key}
        raise SchemaError(f"{where}: {text!r} is a {kind} type, not an input type")

    def map_union(self, node, args, filename, where) -> dict:
        members = []
        for arg in args:
            # Flatten nested Union[...] members.
            sub = subscript_parts(arg)
            if sub and sub[0] == "Union":
                members.extend(sub[1])
            else:
                members.append(arg)
        kept = []
        for m in members:
            if isinstance(m, ast.Constant) and isinstance(m.value, str):
                if m.value.startswith("outputs."):
                    continue          # output class offered to function callers
                kind = self.resolve(m.value, filename, where)[0] \
                    if re.fullmatch(r"[\w.]+", m.value) else None
                if kind == "typeddict":
                    continue          # the ...ArgsDict twin of an Args class
            kept.append(m)
        mark = len(self._pending)
        mapped = [self.map_type(m, filename, where) for m in kept]
        kinds = sorted({t["kind"] for t in mapped})
        if len(mapped) == 1:
            return mapped[0]                       # 'XArgs' with its Dict/output twins
        if kinds == ["string"]:
            return {"kind": "string"}              # Union[str, 'SomeEnum']
        if kinds == ["object", "string"] and len(mapped) == 2:
            # Union[str, 'PolicyDocumentArgs']: the provider's wire value is the
            # JSON string (outputs are typed str); the SDK only offers the object
            # as a convenience.  Documented in README.md.  Forget the object type
            # if this union is what queued it.
            for mod_dir, cls in self._pending[mark:]:
                del self.types[self.type_key(mod_dir, cls)]
            del self._pending[mark:]
            self.string_or_object.add(where)
            return {"kind": "string"}
        if kinds == ["archive", "asset"] and len(mapped) == 2:
            return {"kind": "asset"}               # Union[pulumi.Asset, pulumi.Archive]
        raise SchemaError(f"{where}: cannot map union {show(node)!r}")

    # ---- classes

    def properties_of(self, cls_node: ast.ClassDef, filename: str, where: str) -> dict:
        """Wire name -> {required, type} for an @pulumi.input_type class."""
        init = None
        wire_names: dict[str, str] = {}
        for item in cls_node.body:
            if not isinstance(item, ast.FunctionDef):
                continue
            if item.name == "__init__":
                init = item
                continue
            for dec_name, dec in decorator_names(item):
                if dec_name == "pulumi.getter":
                    wire = item.name
                    if isinstance(dec, ast.Call):
                        for kw in dec.keywords:
                            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                                wire = kw.value.value
                            else:
                                raise SchemaError(f"{where}.{item.name}: unexpected getter "
                                                  f"argument {show(dec)!r}")
                        if dec.args:
                            raise SchemaError(f"{where}.{item.name}: unexpected getter "
                                              f"argument {show(dec)!r}")
                    if item.name in wire_names:
                        raise SchemaError(f"{where}.{item.name}: two getters")
                    wire_names[item.name] = wire
        if init is None:
            raise SchemaError(f"{where}: no __init__")
        params = function_params(init)
        if sorted(p for p, _, _ in params) != sorted(wire_names):
            raise SchemaError(f"{where}: __init__ parameters {sorted(p for p, _, _ in params)} "
                              f"differ from getters {sorted(wire_names)}")
        props = {}
        for py_name, ann, has_default in params:
            if ann is None:
                raise SchemaError(f"{where}.{py_name}: no annotation")
            loc = f"{where}.{py_name}"
            required = not has_default
            if required == contains_optional(ann):
                raise SchemaError(f"{loc}: required={required} but annotation is {show(ann)!r}")
            wire = wire_names[py_name]
            if wire in props:
                raise SchemaError(f"{loc}: duplicate wire name {wire!r}")
            props[wire] = {"required": required,
                           "type": self.map_type(ann, filename, loc)}
        return props

    def drain(self):
        while self._pending:
            mod_dir, cls = self._pending.pop()
            key = self.type_key(mod_dir, cls)
            mt = self.wheel.module_types(mod_dir)
            filename = f"{mod_dir}/_inputs.py"
            self.types[key] = {"properties": self.properties_of(mt.inputs[cls], filename, key)}

    def find_class(self, filename: str, name: str, where: str) -> ast.ClassDef:
        hits = [n for n in self.wheel.parse(filename).body
                if isinstance(n, ast.ClassDef) and n.name == name]
        if len(hits) != 1:
            raise SchemaError(f"{where}: {len(hits)} classes named {name} in {filename}")
        return hits[0]

    def resource(self, token: str, filename: str, class_name: str) -> dict:
        cls = self.find_class(filename, class_name, token)
        decs = dict(decorator_names(cls))
        if call_str_arg(decs.get("pulumi.type_token")) != token:
            raise SchemaError(f"{token}: class {class_name} in {filename} lacks its type_token")
        # The Args class is the annotation of the 'args' parameter of __init__.
        args_names = set()
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                for arg in item.args.args + item.args.kwonlyargs:
                    if arg.arg == "args" and arg.annotation is not None:
                        ann = arg.annotation
                        sub = subscript_parts(ann)
                        if sub and sub[0] == "Optional":
                            ann = sub[1][0]
                        if isinstance(ann, ast.Constant):
                            args_names.add(ann.value)
                        else:
                            args_names.add(dotted(ann))
        if len(args_names) != 1 or None in args_names:
            raise SchemaError(f"{token}: cannot find the Args class of {class_name} "
                              f"(found {sorted(map(str, args_names))})")
        args_name = args_names.pop()
        args_cls = self.find_class(filename, args_name, token)
        if "pulumi.input_type" not in dict(decorator_names(args_cls)):
            raise SchemaError(f"{token}: {args_name} is not an @pulumi.input_type class")
        return {"inputs": self.properties_of(args_cls, filename, f"{token} {args_name}")}

    def function(self, token: str, filename: str) -> dict:
        """Inputs of a function, from its *_output variant: there a required
        argument is pulumi.Input[Optional[X]] and an optional one
        pulumi.Input[Optional[Optional[X]]] (the plain variant declares every
        argument Optional with a None default)."""
        tree = self.wheel.parse(filename)
        variants = {}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if (isinstance(call, ast.Call)
                        and dotted(call.func) in ("pulumi.runtime.invoke",
                                                  "pulumi.runtime.invoke_output")
                        and call_str_arg(call) == token):
                    variants.setdefault(dotted(call.func), []).append(node)
        if sorted(variants) != ["pulumi.runtime.invoke", "pulumi.runtime.invoke_output"] or \
                any(len(v) != 1 for v in variants.values()):
            raise SchemaError(f"{token}: expected one plain and one output function in "
                              f"{filename}, found {{{', '.join(f'{k}: {[f.name for f in v]}' for k, v in sorted(variants.items()))}}}")
        plain = variants["pulumi.runtime.invoke"][0]
        output = variants["pulumi.runtime.invoke_output"][0]
        plain_params = {n: a for n, a, _ in function_params(plain)}
        inputs = {}
        wire_of = wire_names_from_args_dict(output, token)
        if wire_names_from_args_dict(plain, token) != wire_of:
            raise SchemaError(f"{token}: {plain.name} and {output.name} send different args")
        out_params = function_params(output)
        if sorted(n for n, _, _ in out_params) != sorted(wire_of) or \
                sorted(plain_params) != sorted(wire_of):
            raise SchemaError(f"{token}: parameters and __args__ keys differ")
        for py_name, ann, has_default in out_params:
            loc = f"{token} {output.name}({py_name})"
            if ann is None or not has_default:
                raise SchemaError(f"{loc}: expected an annotated parameter with a default")
            sub = subscript_parts(ann)
            if not (sub and sub[0] == "pulumi.Input"):
                raise SchemaError(f"{loc}: expected pulumi.Input[...], got {show(ann)!r}")
            inner = sub[1][0]
            sub = subscript_parts(inner)
            if not (sub and sub[0] == "Optional"):
                raise SchemaError(f"{loc}: expected pulumi.Input[Optional[...]], got {show(ann)!r}")
            value = sub[1][0]
            sub2 = subscript_parts(value)
            required = not (sub2 and sub2[0] == "Optional")
            if not required:
                value = sub2[1][0]
            # Cross-check against the plain variant: Optional[<same type>].
            p_ann = plain_params[py_name]
            p_sub = subscript_parts(p_ann) if p_ann is not None else None
            if not (p_sub and p_sub[0] == "Optional"
                    and ast.dump(p_sub[1][0]) == ast.dump(value)):
                raise SchemaError(f"{loc}: plain variant annotation {show(p_ann)!r} "
                                  f"differs from {show(value)!r}")
            inputs[wire_of[py_name]] = {"required": required,
                                        "type": self.map_type(value, filename, loc)}
        return {"inputs": inputs}


def contains_optional(ann: ast.AST) -> bool:
    """True when the outer layers (pulumi.Input / Optional) include Optional."""
    while True:
        sub = subscript_parts(ann)
        if not sub or len(sub[1]) != 1:
            return False
        if sub[0] == "Optional":
            return True
        if sub[0] != "pulumi.Input":
            return False
        ann = sub[1][0]


def wire_names_from_args_dict(fn: ast.FunctionDef, token: str) -> dict[str, str]:
    """python name -> wire name from the "__args__['wireName'] = py_name" lines."""
    out = {}
    for node in ast.walk(fn):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)
                and dotted(node.targets[0].value) == "__args__"):
            key = node.targets[0].slice
            if not (isinstance(key, ast.Constant) and isinstance(node.value, ast.Name)):
                raise SchemaError(f"{token} {fn.name}: unexpected {show(node)!r}")
            if node.value.id in out:
                raise SchemaError(f"{token} {fn.name}: {node.value.id} sent twice")
            out[node.value.id] = key.value
    return out


# --------------------------------------------------------------------------
# Building


def build_index(package: Package, wheel_path: Path, wanted: list[str],
                smoke_all: bool = False) -> tuple[dict, list[str]]:
    wheel = Wheel(package, wheel_path)
    plugin = json.loads(wheel.text(f"{package.root}/pulumi-plugin.json"))
    if plugin.get("name") != package.name or plugin.get("version") != package.version:
        raise SchemaError(f"{wheel_path}: pulumi-plugin.json says {plugin}, expected "
                          f"{package.name} {package.version}")

    registered = wheel.register_map()
    decorated, functions = wheel.scan_tokens()
    if set(registered) != set(decorated):
        only_reg = sorted(set(registered) - set(decorated))
        only_dec = sorted(set(decorated) - set(registered))
        raise SchemaError(f"{package.name}: register map and type_token decorators disagree: "
                          f"only registered {only_reg[:10]}, only decorated {only_dec[:10]}")
    for token, (mod_dir, _cls) in registered.items():
        if wheel.module_dir(decorated[token]) != mod_dir:
            raise SchemaError(f"{token}: registered in {mod_dir}, defined in {decorated[token]}")
    overlap = set(registered) & set(functions)
    if overlap:
        raise SchemaError(f"tokens both resource and function: {sorted(overlap)}")

    indexer = Indexer(wheel)
    resources, funcs = {}, {}
    if smoke_all:
        wanted = sorted(registered) + sorted(t for t in functions if "/" not in t.split(":")[-1])
    failures = []
    for token in wanted:
        try:
            if token in registered:
                resources[token] = indexer.resource(token, decorated[token],
                                                    registered[token][1])
            elif token in functions:
                funcs[token] = indexer.function(token, functions[token])
            else:
                raise SchemaError(f"{token}: not a resource or function token of "
                                  f"{package.dist} {package.version}")
            indexer.drain()
        except SchemaError as e:
            if not smoke_all:
                raise
            failures.append(str(e))
            indexer = Indexer(wheel)     # drop the half-done state
    if smoke_all:
        for failure in failures:
            print(f"  cannot map: {failure}", file=sys.stderr)
        print(f"{package.name}: {len(wanted) - len(failures)} of {len(wanted)} tokens mapped",
              file=sys.stderr)

    index = {
        "package": package.name,
        "version": package.version,
        "allTokens": sorted(set(registered) | set(functions)),
        "resources": resources,
        "functions": funcs,
        "types": indexer.types,
    }
    return index, sorted(indexer.string_or_object)


def render(index: dict) -> str:
    return json.dumps(index, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel-dir", type=Path,
                        help="directory holding (or receiving) the SDK wheels; "
                             f"default {default_cache_dir()}")
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory; exit 1 if the committed files differ")
    parser.add_argument("--smoke-all", action="store_true",
                        help="index every resource and function of each package to test the "
                             "annotation mapping; writes nothing")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)

    start = time.monotonic()
    try:
        wheels = ensure_wheels(args.wheel_dir or default_cache_dir())
        wanted = read_token_list(TOKENS_FILE)
        by_pkg: dict[str, list[str]] = {p.name: [] for p in PACKAGES}
        for token in wanted:
            pkg = package_of_token(token)
            if pkg not in by_pkg:
                raise SchemaError(f"{TOKENS_FILE}: {token}: unknown package {pkg!r}")
            by_pkg[pkg].append(token)
        stale = []
        for package in PACKAGES:
            index, str_or_obj = build_index(package, wheels[package.name], by_pkg[package.name],
                                            smoke_all=args.smoke_all)
            text = render(index)
            if args.verbose or args.smoke_all:
                print(f"{package.name}: {len(index['allTokens'])} tokens, "
                      f"{len(index['resources'])} resources, {len(index['functions'])} "
                      f"functions, {len(index['types'])} types, {len(text)} bytes",
                      file=sys.stderr)
                for where in str_or_obj:
                    print(f"  string-or-object input mapped to string: {where}",
                          file=sys.stderr)
            if args.smoke_all:
                continue
            rel = package.output.relative_to(REPO_ROOT)
            if args.check:
                current = package.output.read_bytes() if package.output.exists() else None
                if current != text.encode("utf-8"):
                    stale.append(str(rel))
            else:
                package.output.parent.mkdir(parents=True, exist_ok=True)
                package.output.write_bytes(text.encode("utf-8"))
                print(f"wrote {rel} ({len(text)} bytes)", file=sys.stderr)
    except SchemaError as e:
        print(f"build_index: error: {e}", file=sys.stderr)
        return 2
    if stale:
        print("build_index: out of date (run python3 tools/schema/build_index.py): "
              + ", ".join(stale), file=sys.stderr)
        return 1
    if args.verbose:
        print(f"done in {time.monotonic() - start:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
