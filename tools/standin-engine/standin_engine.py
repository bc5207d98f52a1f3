#!/usr/bin/env python3
"""A stand-in Pulumi engine for wire-conformance tests.

Serves pulumirpc.ResourceMonitor and pulumirpc.Engine on one port of
127.0.0.1, answers a Pulumi program the way the engine would (URNs, ids,
canned invoke results), checks every message against the protocol rules and
writes a JSON report. See README.md next to this file.
"""

import argparse
import importlib
import importlib.util
import json
import os
import pathlib
import signal
import sys
import threading
import time
import types
from concurrent import futures
from dataclasses import dataclass

import grpc
from google.protobuf import empty_pb2, struct_pb2
from google.protobuf.json_format import MessageToDict


def load_pulumi_protos():
    """Import the generated stubs shipped in the `pulumi` wheel.

    The wheel's pulumi/runtime/proto directory is registered as a bare
    package named `pulumi_proto`, so neither pulumi/__init__.py (which pulls
    in the whole SDK and its dependencies) nor the proto package's own
    __init__.py runs. The stubs import each other relatively, so this works.
    """
    spec = importlib.util.find_spec("pulumi")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the pulumi wheel is not installed (see README.md)")
    proto_dir = pathlib.Path(spec.submodule_search_locations[0]) / "runtime" / "proto"
    package = types.ModuleType("pulumi_proto")
    package.__path__ = [str(proto_dir)]
    sys.modules.setdefault("pulumi_proto", package)
    return types.SimpleNamespace(
        resource=importlib.import_module("pulumi_proto.resource_pb2"),
        resource_grpc=importlib.import_module("pulumi_proto.resource_pb2_grpc"),
        engine=importlib.import_module("pulumi_proto.engine_pb2"),
        engine_grpc=importlib.import_module("pulumi_proto.engine_pb2_grpc"),
    )


PROTO = load_pulumi_protos()

STACK_TYPE = "pulumi:pulumi:Stack"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SPECIAL_KEY = "4dabf18193072939515e22adb298388d"
# signature -> (kind, keys of which at least one must be present)
SIGNATURES = {
    "1b47061264138c4ac30d75fd1eb44270": ("secret", {"value"}),
    "5cf8f73096256a8f31e491e813e4eb8e": ("resource reference", {"urn"}),
    "d0e6a833031e9bbcd3f4e8bde6ca49a4": ("output value", set()),
    "c44067f5952c0a294b673a41bacd8c17": ("asset", {"text", "path", "uri"}),
    "0def7320c3a5731c473e5ecbe6d01bc7": ("archive", {"assets", "path", "uri"}),
}
SUPPORTED_FEATURES = {"secrets", "resourceReferences", "outputValues", "aliasSpecs", "deletedWith"}
VERSIONED_PROVIDERS = ("pulumi:providers:aws", "pulumi:providers:tls")
ACCOUNT = "123456789012"
REGION = "us-east-1"
MAX_MESSAGE = 400 * 1024 * 1024


def ssm_parameter(args):
    """Canned result of aws:ssm/getParameter:getParameter."""
    name = args.get("name", "")
    return {"name": name, "value": "ami-0123456789abcdef0", "type": "String",
            "arn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter{name}", "id": name,
            "version": 1, "insecureValue": "ami-0123456789abcdef0", "withDecryption": True}


def managed_prefix_list(args):
    """Canned result of aws:ec2/getManagedPrefixList:getManagedPrefixList."""
    list_id = args.get("id") or "pl-0123456789abcdef0"
    return {"id": list_id, "name": args.get("name") or "test",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:prefix-list/{list_id}",
            "addressFamily": "IPv4", "maxEntries": 10, "entries": [], "ownerId": ACCOUNT,
            "tags": {}, "version": 1}


INVOKE_RESULTS = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda args: {
        "names": ["us-east-1a", "us-east-1b", "us-east-1c"],
        "zoneIds": ["use1-az1", "use1-az2", "use1-az4"], "id": REGION, "state": "available"},
    "aws:ssm/getParameter:getParameter": ssm_parameter,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args: {
        "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/test", "id": ACCOUNT,
        "userId": "AIDTEST"},
    "aws:index/getPartition:getPartition": lambda args: {
        "partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws",
        "reverseDnsPrefix": "com.amazonaws"},
    "aws:index/getRegion:getRegion": lambda args: {
        "name": REGION, "region": REGION, "id": REGION,
        "endpoint": "ec2.us-east-1.amazonaws.com", "description": "US East (N. Virginia)"},
    "aws:elb/getServiceAccount:getServiceAccount": lambda args: {
        "id": "127311923021", "arn": "arn:aws:iam::127311923021:root"},
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": managed_prefix_list,
    "aws:secretsmanager/getRandomPassword:getRandomPassword": lambda args: {
        "id": REGION, "randomPassword": "StandinEngineGeneratedPassword01"},
}


@dataclass
class Registered:
    """What the engine remembers about a resource it returned a URN for."""
    type: str
    qualified_type: str
    id: str


def to_struct(data):
    """Build a google.protobuf.Struct from a plain dict."""
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


def type_token_problem(type_token, custom):
    """Describe what is wrong with a resource type token, or return None."""
    parts = type_token.split(":")
    if custom and (len(parts) != 3 or not all(parts)):
        return f"custom resource type {type_token!r} is not a 3-part token pkg:module:Type"
    if not custom and (len(parts) < 2 or not all(parts)):
        return f"component type {type_token!r} needs at least two non-empty ':'-separated parts"
    return None


def needs_version(token):
    """Whether a resource type or invoke token must carry a provider version."""
    return token.startswith(("aws:", "tls:")) or token in VERSIONED_PROVIDERS


def special_value_problems(value, path):
    """Walk a decoded Struct value and describe every malformed special value."""
    problems = []
    if isinstance(value, dict):
        if SPECIAL_KEY in value:
            problems.extend(signature_problems(value, path))
        for key, item in value.items():
            problems.extend(special_value_problems(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(special_value_problems(item, f"{path}[{index}]"))
    return problems


def signature_problems(value, path):
    """Check one object carrying the special-value signature key."""
    signature = value[SPECIAL_KEY]
    if signature not in SIGNATURES:
        return [f"{path}: unknown special-value signature {signature!r}"]
    kind, keys = SIGNATURES[signature]
    if keys and not keys & value.keys():
        return [f"{path}: {kind} lacks {' or '.join(sorted(keys))}"]
    return []


def arn_for(type_token, name):
    """A fake but well-formed ARN for a custom resource."""
    parts = type_token.split(":")
    module = parts[1].split("/")[0] if len(parts) == 3 else "unknown"
    return f"arn:aws:{module}:{REGION}:{ACCOUNT}:{name}"


def reject_unimplemented_rpcs(cls):
    """Class decorator: every servicer method not defined by `cls` answers
    UNIMPLEMENTED and records the violation "unexpected RPC <name>"."""
    for base in cls.__bases__:
        for name, member in vars(base).items():
            if callable(member) and not name.startswith("_") and name not in vars(cls):
                setattr(cls, name, unexpected_rpc(name))
    return cls


def unexpected_rpc(name):
    """Build a handler for an RPC the stand-in does not implement."""
    def handler(self, request, context):
        """Record the call as a violation and answer UNIMPLEMENTED."""
        with self.lock:
            self.record(name, request)
            self.violations.append(f"unexpected RPC {name}")
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{name} is not implemented by the stand-in engine")
    return handler


@reject_unimplemented_rpcs
class StandinEngine(PROTO.resource_grpc.ResourceMonitorServicer, PROTO.engine_grpc.EngineServicer):
    """Both services in one object, with the conversation's state and checks."""

    def __init__(self, stack, project, dry_run, fail_register=None, computed=None, fail_create=None):
        """Start with an empty conversation. `computed` maps a type token, or `type::name` for
        one resource, to the outputs its provider computes (the program's own provider
        knowledge, given by the test)."""
        self.stack, self.project, self.dry_run = stack, project, dry_run
        self.fail_register = fail_register
        self.fail_create = fail_create
        self.monitor_stopped = False
        self.engine_diagnostics = []
        self.computed = computed or {}
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.requests, self.violations, self.logs = [], [], []
        self.resources = {}
        self.registrations = 0
        self.stack_urn = None
        self.stack_outputs = None
        self.root_urn = ""
        self.shutdown_received = False
        self.failed_resource_seen = False

    # ---- bookkeeping -------------------------------------------------

    def record(self, rpc, request):
        """Append a request to the log; flag any RPC but Log after shutdown."""
        self.requests.append({"rpc": rpc, "request": MessageToDict(request, preserving_proto_field_name=False)})
        if self.shutdown_received and rpc != "Log":
            self.violations.append(f"registration after shutdown: {rpc} arrived after SignalAndWaitForShutdown")

    def urn(self, type_token, name, parent):
        """Compute a URN the way the engine does: the parent's qualified type
        is prefixed with '$', except when the parent is the Stack."""
        qualified = self.qualified_type(type_token, parent)
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{name}"

    def qualified_type(self, type_token, parent):
        """The type part of a URN for a resource of `type_token` under `parent`."""
        parent_resource = self.resources.get(parent)
        if parent_resource is None or parent_resource.type == STACK_TYPE:
            return type_token
        return f"{parent_resource.qualified_type}${type_token}"

    # ---- checks ------------------------------------------------------

    def check_stack(self, request):
        """Rule 1: the first registration is the Stack."""
        expected_name = f"{self.project}-{self.stack}"
        if (request.type != STACK_TYPE or request.custom or request.parent
                or request.name != expected_name):
            self.violations.append(
                f"the first RegisterResource must be the Stack (type {STACK_TYPE}, custom false, "
                f"no parent, name {expected_name!r}); got type {request.type!r} name {request.name!r} "
                f"custom {request.custom} parent {request.parent!r}")

    def check_registration(self, request, urn):
        """Rules 2-7, 9 and 10 for one RegisterResource request."""
        problems = []
        if self.registrations > 0:
            problems.extend(self.parent_problems(request))
        problem = type_token_problem(request.type, request.custom)
        if problem:
            problems.append(problem)
        if needs_version(request.type) and not request.version:
            problems.append(f"type {request.type} is registered without a provider version")
        if request.provider:
            problems.extend(self.provider_problems(request.provider))
        problems.extend(self.dependency_problems(request))
        if urn in self.resources:
            problems.append("duplicate registration of this URN")
        if not request.acceptSecrets:
            problems.append("acceptSecrets is not set")
        if not request.supportsPartialValues:
            problems.append("supportsPartialValues is not set")
        if request.deleteBeforeReplaceDefined and not request.deleteBeforeReplace:
            # The engine takes a defined false over the provider's request to delete first
            # (pkg/resource/deploy/step_generator.go): the first replacement of a named
            # resource would then fail with "already exists".
            problems.append("deleteBeforeReplaceDefined is true with deleteBeforeReplace false")
        problems.extend(special_value_problems(MessageToDict(request.object), "object"))
        self.violations.extend(f"RegisterResource {urn}: {problem}" for problem in problems)

    def parent_problems(self, request):
        """Rule 2: a non-Stack resource names a parent this engine returned."""
        if not request.parent:
            return ["parent is empty (only the Stack may have no parent)"]
        if request.parent not in self.resources:
            return [f"parent {request.parent} was not returned by this engine"]
        return []

    def provider_problems(self, reference):
        """Rule 5: a provider reference is '<provider URN>::<id>'."""
        urn, separator, provider_id = reference.rpartition("::")
        provider = self.resources.get(urn)
        if not separator or provider is None or not provider.type.startswith("pulumi:providers:"):
            return [f"provider {reference!r} does not name a registered provider as <urn>::<id>"]
        allowed = {provider.id} - {""}
        if self.dry_run:
            allowed.add(UNKNOWN)
        if provider_id not in allowed:
            return [f"provider {reference!r} has id {provider_id!r}, expected one of {sorted(allowed)}"]
        return []

    def explicit_provider_of(self, token):
        """The URN of a registered explicit provider for the package of `token`, if any."""
        package = token.split(":", 1)[0]
        for urn, resource in self.resources.items():
            if resource.type == f"pulumi:providers:{package}":
                return urn
        return None

    def dependency_problems(self, request):
        """Rule 6: dependencies and propertyDependencies are consistent."""
        problems = [f"dependency {urn} was not returned by this engine"
                    for urn in request.dependencies if urn not in self.resources]
        declared = set(request.dependencies)
        for key, entry in request.propertyDependencies.items():
            if key not in request.object.fields:
                problems.append(f"propertyDependencies key {key!r} is not a top-level key of object")
            for urn in entry.urns:
                if urn not in self.resources:
                    problems.append(f"propertyDependencies[{key!r}] URN {urn} was not returned by this engine")
                if urn not in declared:
                    problems.append(f"propertyDependencies[{key!r}] URN {urn} is missing from dependencies")
        return problems

    def final_checks(self):
        """Rules 11 and 12, run once the conversation is over."""
        if self.stack_urn is None:
            self.violations.append("the Stack was never registered")
        errors = [log for log in self.logs if log["severity"] == "ERROR"]
        if self.fail_register is not None:
            self.final_checks_fail_mode(errors)
            return
        if self.fail_create is not None:
            self.final_checks_fail_create_mode(errors)
            return
        if self.stack_urn is not None and self.stack_outputs is None:
            self.violations.append(f"stack outputs were never registered (no RegisterResourceOutputs for {self.stack_urn})")
        if not self.shutdown_received:
            self.violations.append("SignalAndWaitForShutdown was never received")
        for log in errors:
            self.violations.append(f"the program logged an ERROR: {log['message']!r} (urn {log['urn']!r})")

    def final_checks_fail_mode(self, errors):
        """Rule 12: the injected failure was hit and logged at severity ERROR."""
        name = self.fail_register
        if not self.failed_resource_seen:
            self.violations.append(f"no RegisterResource named {name!r} arrived, so the injected failure was never exercised")
        if not any(name in log["message"] for log in errors):
            self.violations.append(f"no Engine.Log with severity ERROR mentioning {name!r} was received")

    def final_checks_fail_create_mode(self, errors):
        """Rule 13: after a failed step the engine has reported the cause itself, so the program
        must not bury it under errors of its own (the calls cut off by the shutdown are consequences)."""
        if not self.failed_resource_seen:
            self.violations.append(f"no RegisterResource named {self.fail_create!r} arrived, so the create failure was never exercised")
        for log in errors:
            self.violations.append(f"the program logged an ERROR after the engine reported the failed step: {log['message']!r}")
        if self.shutdown_received:
            self.violations.append("SignalAndWaitForShutdown after a failed step")

    # ---- ResourceMonitor ---------------------------------------------

    def SupportsFeature(self, request, context):
        """Answer true for the features this stand-in understands."""
        with self.lock:
            self.record("SupportsFeature", request)
        return PROTO.resource.SupportsFeatureResponse(hasSupport=request.id in SUPPORTED_FEATURES)

    def RegisterResource(self, request, context):
        """Check a registration and answer its URN, id and echoed object."""
        with self.lock:
            self.record("RegisterResource", request)
            urn = self.urn(request.type, request.name, request.parent)
            if self.registrations == 0:
                self.check_stack(request)
            self.check_registration(request, urn)
            self.registrations += 1
            if request.name == self.fail_create and not self.monitor_stopped:
                # As the real engine under `pulumi up`: the failed step is reported by the engine
                # itself, and the monitor shuts down for every registration still to come.
                self.failed_resource_seen = True
                self.monitor_stopped = True
                self.engine_diagnostics.append(f"error: injected create failure for {request.name}")
                self.finished.set()
            if self.monitor_stopped:
                response = "stopped"
            elif request.name == self.fail_register:
                self.failed_resource_seen = True
                response = None
            else:
                response = self.register(request, urn)
        if response == "stopped":
            context.abort(grpc.StatusCode.UNAVAILABLE,
                          "resource monitor shut down while waiting on step's done channel")
        if response is None:
            context.abort(grpc.StatusCode.INTERNAL, f"injected failure for {request.name}")
        return response

    def register(self, request, urn):
        """Remember a resource and build the engine's answer for it."""
        resource_id = f"{request.name}-id" if request.custom and not self.dry_run else ""
        self.resources[urn] = Registered(request.type, self.qualified_type(request.type, request.parent),
                                         resource_id)
        if request.type == STACK_TYPE and self.stack_urn is None:
            self.stack_urn = urn
        response = PROTO.resource.RegisterResourceResponse(urn=urn, id=resource_id)
        response.object.CopyFrom(request.object)
        if resource_id:
            response.object.update({"id": resource_id, "arn": arn_for(request.type, request.name)})
        inputs = MessageToDict(request.object)
        computed = self.computed.get(f"{request.type}::{request.name}",
                                     self.computed.get(request.type, {}))
        extra = {key: (UNKNOWN if self.dry_run else value)
                 for key, value in computed.items() if key not in inputs}
        if request.custom and extra:
            response.object.update(extra)
        return response

    def RegisterResourceOutputs(self, request, context):
        """Record a resource's outputs; remember the Stack's."""
        with self.lock:
            self.record("RegisterResourceOutputs", request)
            outputs = MessageToDict(request.outputs)
            if request.urn not in self.resources:
                self.violations.append(f"RegisterResourceOutputs for unknown URN {request.urn!r}")
            self.violations.extend(f"RegisterResourceOutputs {request.urn}: {problem}"
                                   for problem in special_value_problems(outputs, "outputs"))
            if request.urn and request.urn == self.stack_urn:
                self.stack_outputs = outputs
        return empty_pb2.Empty()

    def Invoke(self, request, context):
        """Answer a data-source call with a canned result (empty when unknown)."""
        with self.lock:
            self.record("Invoke", request)
            args = MessageToDict(request.args)
            problems = special_value_problems(args, "args")
            if needs_version(request.tok) and not request.version:
                problems.append("invoked without a provider version")
            if request.provider:
                problems.extend(self.provider_problems(request.provider))
            elif self.explicit_provider_of(request.tok):
                # The engine sends an invoke without `provider` to the default provider, which may
                # be configured differently (another region) or disabled.
                problems.append(f"invoked without a provider although {self.explicit_provider_of(request.tok)} "
                                "was registered: it goes to the default provider")
            self.violations.extend(f"Invoke {request.tok}: {problem}" for problem in problems)
        result = INVOKE_RESULTS.get(request.tok)
        if result is None:
            print(f"stand-in engine: no canned result for {request.tok}; answering an empty return",
                  file=sys.stderr, flush=True)
        return PROTO.resource.ResourceInvokeResponse(**{"return": to_struct(result(args) if result else {})})

    def SignalAndWaitForShutdown(self, request, context):
        """Note that the program is done; the main thread then winds down."""
        with self.lock:
            self.record("SignalAndWaitForShutdown", request)
            self.shutdown_received = True
        self.finished.set()
        return empty_pb2.Empty()

    # ---- Engine ------------------------------------------------------

    def Log(self, request, context):
        """Record a log entry; in --fail-register mode the expected ERROR ends the run."""
        severity = PROTO.engine.LogSeverity.Name(request.severity)
        with self.lock:
            self.record("Log", request)
            self.logs.append({"severity": severity, "message": request.message, "urn": request.urn})
        if self.fail_register is not None and severity == "ERROR" and self.fail_register in request.message:
            self.finished.set()
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):
        """Return the URN last given to SetRootResource."""
        with self.lock:
            self.record("GetRootResource", request)
            return PROTO.engine.GetRootResourceResponse(urn=self.root_urn)

    def SetRootResource(self, request, context):
        """Remember the root resource URN; it must be one this engine returned."""
        with self.lock:
            self.record("SetRootResource", request)
            if request.urn not in self.resources:
                self.violations.append(f"SetRootResource with unknown URN {request.urn!r}")
            self.root_urn = request.urn
        return PROTO.engine.SetRootResourceResponse()

    # ---- report ------------------------------------------------------

    def report(self):
        """The JSON-ready report of the whole conversation."""
        return {"requests": self.requests, "violations": self.violations,
                "logs": self.logs, "stackOutputs": self.stack_outputs,
                "engineDiagnostics": self.engine_diagnostics}


def parse_args(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", required=True, help="where to write the JSON report")
    parser.add_argument("--fail-register", metavar="NAME",
                        help="answer the RegisterResource named NAME with an INTERNAL error")
    parser.add_argument("--fail-create", metavar="NAME",
                        help="behave as the real engine when the create of NAME fails under `pulumi up`: "
                             "report it as the engine's own error and answer NAME and every later "
                             "RegisterResource with UNAVAILABLE (monitor shut down)")
    parser.add_argument("--grace", type=float, default=1.0,
                        help="seconds to keep serving after shutdown (default 1.0)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for the program to finish (default 60)")
    parser.add_argument("--computed", metavar="FILE",
                        help="JSON object: type token (or type::name for one resource) -> outputs "
                             "the provider computes (added to answers; unknown in a dry run)")
    return parser.parse_args(argv)


def start_server(engine):
    """Serve both services on an ephemeral port of 127.0.0.1; return (server, port)."""
    options = [("grpc.max_receive_message_length", MAX_MESSAGE),
               ("grpc.max_send_message_length", MAX_MESSAGE)]
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=options)
    PROTO.resource_grpc.add_ResourceMonitorServicer_to_server(engine, server)
    PROTO.engine_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def main(argv=None):
    """Run one conversation and write its report; exit 1 on any violation."""
    args = parse_args(argv)
    engine = StandinEngine(stack=os.environ.get("PULUMI_STACK") or "dev",
                           project=os.environ.get("PULUMI_PROJECT") or "payments-platform",
                           dry_run=os.environ.get("PULUMI_DRY_RUN") == "true",
                           fail_register=args.fail_register,
                           fail_create=args.fail_create,
                           computed=json.loads(pathlib.Path(args.computed).read_text()) if args.computed else None)
    server, port = start_server(engine)
    signal.signal(signal.SIGTERM, lambda *_: engine.finished.set())
    print(f"PORT {port}", flush=True)
    if engine.finished.wait(args.timeout):
        time.sleep(args.grace)
    else:
        with engine.lock:
            engine.violations.append(f"timed out after {args.timeout} s: the program never finished")
    server.stop(None).wait()
    with engine.lock:
        engine.final_checks()
        report = engine.report()
    pathlib.Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    for violation in report["violations"]:
        print(f"VIOLATION {violation}", file=sys.stderr)
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
