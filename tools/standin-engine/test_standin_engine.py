"""Self-test of the stand-in engine: drive it with a Python gRPC client built
on the same generated stubs, through one good conversation and several bad
ones, and check that each violation is reported.

Run with `python -m unittest -v test_standin_engine` (or pytest) from this
directory, inside the venv described in README.md.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

import grpc
from google.protobuf import empty_pb2, struct_pb2

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import standin_engine  # noqa: E402  (needs the sys.path entry above)

PROTO = standin_engine.PROTO
STACK_NAME = "payments-platform-dev"
STACK_URN = "urn:pulumi:dev::payments-platform::pulumi:pulumi:Stack::payments-platform-dev"
AWS_VERSION = "7.51.1"


def struct(data):
    """A google.protobuf.Struct holding `data`."""
    value = struct_pb2.Struct()
    value.update(data)
    return value


class Session:
    """One stand-in engine process and a gRPC client talking to it."""

    def __init__(self, *args, env=None, grace=0.3, timeout=20):
        """Start the server and connect to the port it prints."""
        self.report_path = pathlib.Path(tempfile.mkdtemp()) / "report.json"
        command = [sys.executable, str(HERE / "standin_engine.py"), "--report", str(self.report_path),
                   "--grace", str(grace), "--timeout", str(timeout), *args]
        full_env = {**os.environ, "PULUMI_STACK": "dev", "PULUMI_PROJECT": "payments-platform",
                    "PULUMI_DRY_RUN": "false", **(env or {})}
        self.process = subprocess.Popen(command, env=full_env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first_line = self.process.stdout.readline().split()
        assert first_line[0] == "PORT", first_line
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first_line[1]}")
        self.monitor = PROTO.resource_grpc.ResourceMonitorStub(self.channel)
        self.engine = PROTO.engine_grpc.EngineStub(self.channel)

    def register(self, type_token, name, parent=STACK_URN, custom=True, obj=None, **fields):
        """RegisterResource with well-formed defaults that `fields` may override."""
        request = {"type": type_token, "name": name, "parent": parent, "custom": custom,
                   "object": struct(obj or {}), "acceptSecrets": True, "supportsPartialValues": True}
        if standin_engine.needs_version(type_token):
            request["version"] = AWS_VERSION
        request.update(fields)
        return self.monitor.RegisterResource(PROTO.resource.RegisterResourceRequest(**request))

    def register_stack(self):
        """Register the Stack resource the way a program must."""
        return self.register("pulumi:pulumi:Stack", STACK_NAME, parent="", custom=False)

    def invoke(self, token, args, **fields):
        """Invoke a data source and return its result as a dict."""
        request = PROTO.resource.ResourceInvokeRequest(tok=token, args=struct(args), **fields)
        return dict(getattr(self.monitor.Invoke(request), "return"))

    def log(self, severity, message, urn=""):
        """Send an Engine.Log entry."""
        self.engine.Log(PROTO.engine.LogRequest(severity=severity, message=message, urn=urn))

    def outputs(self, urn, data):
        """RegisterResourceOutputs for `urn`."""
        self.monitor.RegisterResourceOutputs(
            PROTO.resource.RegisterResourceOutputsRequest(urn=urn, outputs=struct(data)))

    def shutdown(self):
        """SignalAndWaitForShutdown."""
        self.monitor.SignalAndWaitForShutdown(empty_pb2.Empty())

    def finish(self):
        """Wait for the server to exit; return (exit code, report)."""
        self.channel.close()
        self.process.communicate(timeout=60)
        return self.process.returncode, json.loads(self.report_path.read_text())


class StandinEngineTest(unittest.TestCase):
    """Conversations against the real server process."""

    def assertViolation(self, report, *fragments):
        """Some violation mentions every one of `fragments`."""
        matching = [v for v in report["violations"] if all(f in v for f in fragments)]
        self.assertTrue(matching, f"no violation mentions {fragments}; got {report['violations']}")

    def test_stubs_load_without_the_pulumi_sdk(self):
        """Importing the stubs does not execute pulumi/__init__.py."""
        self.assertNotIn("pulumi", sys.modules)

    def test_good_conversation(self):
        """A well-behaved program produces no violations and sensible answers."""
        s = Session()
        self.assertTrue(s.monitor.SupportsFeature(PROTO.resource.SupportsFeatureRequest(id="secrets")).hasSupport)
        self.assertFalse(s.monitor.SupportsFeature(PROTO.resource.SupportsFeatureRequest(id="transforms")).hasSupport)
        stack = s.register_stack()
        self.assertEqual(stack.urn, STACK_URN)
        s.engine.SetRootResource(PROTO.engine.SetRootResourceRequest(urn=stack.urn))
        provider = s.register("pulumi:providers:aws", "aws-provider", obj={"region": "us-east-1"})
        network = s.register("payments:network:Network", "net", custom=False)
        self.assertEqual(network.id, "")
        vpc = s.register("aws:ec2/vpc:Vpc", "main-vpc", parent=network.urn,
                         provider=f"{provider.urn}::{provider.id}",
                         obj={"cidrBlock": "10.0.0.0/16", "tags": {
                             standin_engine.SPECIAL_KEY: "1b47061264138c4ac30d75fd1eb44270", "value": "x"}})
        self.assertEqual(vpc.urn, "urn:pulumi:dev::payments-platform::payments:network:Network$aws:ec2/vpc:Vpc::main-vpc")
        self.assertEqual(vpc.id, "main-vpc-id")
        self.assertEqual(vpc.object["arn"], "arn:aws:ec2:us-east-1:123456789012:main-vpc")
        self.assertEqual(vpc.object["cidrBlock"], "10.0.0.0/16")
        s.register("aws:ec2/subnet:Subnet", "subnet-a", parent=network.urn, obj={"vpcId": vpc.id},
                   dependencies=[vpc.urn],
                   propertyDependencies={"vpcId": PROTO.resource.RegisterResourceRequest.PropertyDependencies(urns=[vpc.urn])})
        zones = s.invoke("aws:index/getAvailabilityZones:getAvailabilityZones", {"state": "available"},
                         version=AWS_VERSION, provider=f"{provider.urn}::{provider.id}")
        self.assertEqual(list(zones["names"]), ["us-east-1a", "us-east-1b", "us-east-1c"])
        ami = s.invoke("aws:ssm/getParameter:getParameter", {"name": "/aws/ami"}, version=AWS_VERSION,
                       provider=f"{provider.urn}::{provider.id}")
        self.assertEqual((ami["name"], ami["value"]), ("/aws/ami", "ami-0123456789abcdef0"))
        self.assertEqual(s.invoke("example:index:unknownFunction", {}), {})
        s.outputs(network.urn, {"vpcId": vpc.id})
        s.log(PROTO.engine.INFO, "all good", vpc.urn)
        s.outputs(stack.urn, {"vpcId": vpc.id})
        s.shutdown()
        code, report = s.finish()
        self.assertEqual(report["violations"], [])
        self.assertEqual(code, 0)
        self.assertEqual(report["stackOutputs"], {"vpcId": "main-vpc-id"})
        self.assertEqual(report["requests"][0]["rpc"], "SupportsFeature")
        self.assertEqual(report["requests"][-1]["rpc"], "SignalAndWaitForShutdown")
        self.assertEqual(report["logs"], [{"severity": "INFO", "message": "all good", "urn": vpc.urn}])

    def test_dry_run_accepts_unknown_provider_id(self):
        """In preview, custom resources get an empty id and providers may be referenced as unknown."""
        s = Session(env={"PULUMI_DRY_RUN": "true"})
        stack = s.register_stack()
        provider = s.register("pulumi:providers:aws", "aws-provider")
        self.assertEqual(provider.id, "")
        bucket = s.register("aws:s3/bucket:Bucket", "logs", provider=f"{provider.urn}::{standin_engine.UNKNOWN}")
        self.assertEqual(bucket.id, "")
        self.assertNotIn("arn", bucket.object)
        s.outputs(stack.urn, {})
        s.shutdown()
        code, report = s.finish()
        self.assertEqual((code, report["violations"]), (0, []))

    def test_first_registration_must_be_the_stack(self):
        """A program that registers something before the Stack is flagged."""
        s = Session()
        s.register("payments:network:Network", "net", parent="", custom=False)
        s.shutdown()
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertViolation(report, "first RegisterResource must be the Stack", "'net'")
        self.assertViolation(report, "the Stack was never registered")

    def test_bad_registrations(self):
        """Each malformed registration or invoke is reported, naming its resource."""
        s = Session()
        stack = s.register_stack()
        provider = s.register("pulumi:providers:aws", "aws-provider")
        good = s.register("aws:s3/bucket:Bucket", "good")
        s.register("aws:s3/bucket:Bucket", "orphan", parent="")
        s.register("aws:s3/bucket:Bucket", "stray", parent="urn:pulumi:dev::payments-platform::x:y:Z::nope")
        s.register("aws:Bucket", "two-part")
        s.register("Component", "one-part", custom=False)
        s.register("aws:s3/bucket:Bucket", "unversioned", version="")
        s.register("aws:s3/bucket:Bucket", "not-a-provider", provider=f"{good.urn}::{good.id}")
        s.register("aws:s3/bucket:Bucket", "wrong-id", provider=f"{provider.urn}::other")
        s.register("aws:s3/bucket:Bucket", "unknown-dep", dependencies=["urn:pulumi:dev::payments-platform::a:b:C::ghost"])
        property_deps = {"policy": PROTO.resource.RegisterResourceRequest.PropertyDependencies(urns=[good.urn])}
        s.register("aws:s3/bucket:Bucket", "undeclared-dep", obj={"policy": "p"}, propertyDependencies=property_deps)
        s.register("aws:s3/bucket:Bucket", "missing-key", dependencies=[good.urn], propertyDependencies=property_deps)
        s.register("aws:s3/bucket:Bucket", "good")
        s.register("aws:s3/bucket:Bucket", "no-flags", acceptSecrets=False, supportsPartialValues=False)
        s.register("aws:s3/bucket:Bucket", "bad-special", obj={"tags": [{standin_engine.SPECIAL_KEY: "0000"}]})
        s.register("aws:s3/bucket:Bucket", "bare-secret",
                   obj={"password": {standin_engine.SPECIAL_KEY: "1b47061264138c4ac30d75fd1eb44270"}})
        s.invoke("aws:index/getRegion:getRegion", {})
        s.register("aws:s3/bucket:Bucket", "explicit-false", deleteBeforeReplace=False,
                   deleteBeforeReplaceDefined=True)
        s.invoke("aws:index/getCallerIdentity:getCallerIdentity", {}, version=AWS_VERSION)
        s.outputs(stack.urn, {})
        s.shutdown()
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertViolation(report, "::orphan", "parent is empty")
        self.assertViolation(report, "::stray", "parent urn:pulumi:dev::payments-platform::x:y:Z::nope was not returned")
        self.assertViolation(report, "::two-part", "not a 3-part token")
        self.assertViolation(report, "::one-part", "component type 'Component'")
        self.assertViolation(report, "::unversioned", "without a provider version")
        self.assertViolation(report, "::not-a-provider", "does not name a registered provider")
        self.assertViolation(report, "::wrong-id", "has id 'other'")
        self.assertViolation(report, "::unknown-dep", "dependency urn:pulumi:dev::payments-platform::a:b:C::ghost")
        self.assertViolation(report, "::undeclared-dep", "missing from dependencies")
        self.assertViolation(report, "::missing-key", "'policy' is not a top-level key of object")
        self.assertViolation(report, "::good", "duplicate registration")
        self.assertViolation(report, "::no-flags", "acceptSecrets is not set")
        self.assertViolation(report, "::no-flags", "supportsPartialValues is not set")
        self.assertViolation(report, "::bad-special", "object.tags[0]", "unknown special-value signature '0000'")
        self.assertViolation(report, "::bare-secret", "object.password", "secret lacks value")
        self.assertViolation(report, "Invoke aws:index/getRegion:getRegion", "without a provider version")
        self.assertViolation(report, "::explicit-false", "deleteBeforeReplaceDefined is true")
        self.assertViolation(report, "Invoke aws:index/getCallerIdentity:getCallerIdentity",
                             "goes to the default provider")
        self.assertEqual(len(report["violations"]), 19, report["violations"])

    def test_end_of_conversation_rules(self):
        """Unknown output URNs, ERROR logs, missing stack outputs and late RPCs are flagged."""
        s = Session(grace=1.0)
        s.register_stack()
        s.outputs("urn:pulumi:dev::payments-platform::a:b:C::ghost", {})
        s.log(PROTO.engine.ERROR, "boom")
        s.shutdown()
        s.register("aws:s3/bucket:Bucket", "late")
        s.log(PROTO.engine.INFO, "a log after shutdown is fine")
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertViolation(report, "RegisterResourceOutputs for unknown URN", "::ghost")
        self.assertViolation(report, "logged an ERROR", "boom")
        self.assertViolation(report, "stack outputs were never registered")
        self.assertViolation(report, "registration after shutdown", "RegisterResource")
        self.assertEqual(len(report["violations"]), 4, report["violations"])

    def test_unexpected_rpc(self):
        """An RPC the stand-in does not implement answers UNIMPLEMENTED and is flagged."""
        s = Session()
        s.register_stack()
        with self.assertRaises(grpc.RpcError) as caught:
            s.monitor.ReadResource(PROTO.resource.ReadResourceRequest(type="aws:s3/bucket:Bucket", name="b"))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        s.outputs(STACK_URN, {})
        s.shutdown()
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertEqual(report["violations"], ["unexpected RPC ReadResource"])

    def test_timeout_without_shutdown(self):
        """A program that never signals shutdown is flagged once --timeout passes."""
        s = Session(timeout=1)
        s.register_stack()
        s.outputs(STACK_URN, {})
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertViolation(report, "timed out after 1.0 s")
        self.assertViolation(report, "SignalAndWaitForShutdown was never received")

    def test_fail_register_expected_behaviour(self):
        """With --fail-register, an ERROR log naming the resource is all that is required."""
        s = Session("--fail-register", "bucket")
        s.register_stack()
        with self.assertRaises(grpc.RpcError) as caught:
            s.register("aws:s3/bucket:Bucket", "bucket")
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INTERNAL)
        self.assertEqual(caught.exception.details(), "injected failure for bucket")
        s.log(PROTO.engine.ERROR, "registering bucket failed: injected failure for bucket")
        code, report = s.finish()
        self.assertEqual((code, report["violations"]), (0, []))
        self.assertIsNone(report["stackOutputs"])

    def test_fail_register_without_error_log(self):
        """With --fail-register, swallowing the error is a violation."""
        s = Session("--fail-register", "bucket")
        s.register_stack()
        with self.assertRaises(grpc.RpcError):
            s.register("aws:s3/bucket:Bucket", "bucket")
        s.log(PROTO.engine.WARNING, "bucket failed")
        s.shutdown()
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertEqual(report["violations"], ["no Engine.Log with severity ERROR mentioning 'bucket' was received"])

    def test_fail_create_behaves_like_the_real_engine(self):
        """With --fail-create, the failed and every later registration get UNAVAILABLE, and the
        program must not log an ERROR of its own (the engine reported the cause)."""
        s = Session("--fail-create", "bucket")
        s.register_stack()
        for name in ("bucket", "later"):
            with self.assertRaises(grpc.RpcError) as caught:
                s.register("aws:s3/bucket:Bucket", name)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
        s.log(PROTO.engine.DEBUG, "registering later: the engine stopped")
        code, report = s.finish()
        self.assertEqual((code, report["violations"]), (0, []))
        self.assertEqual(report["engineDiagnostics"], ["error: injected create failure for bucket"])

    def test_fail_create_with_an_error_log(self):
        """With --fail-create, an ERROR from the program buries the engine's own report."""
        s = Session("--fail-create", "bucket", grace=1.0)
        s.register_stack()
        with self.assertRaises(grpc.RpcError):
            s.register("aws:s3/bucket:Bucket", "bucket")
        s.log(PROTO.engine.ERROR, "registering bucket failed")
        code, report = s.finish()
        self.assertEqual(code, 1)
        self.assertViolation(report, "logged an ERROR after the engine reported the failed step")


if __name__ == "__main__":
    unittest.main()
