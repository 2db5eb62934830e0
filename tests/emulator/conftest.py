"""Fixtures for the emulator suite: the real `stagecraft emulator` binary on a free port, boto3 clients,
and a small AWS Lambda Invoke API stub.

The binary comes from $STAGECRAFT_BIN, else `cargo build -p stagecraft` and target/debug/stagecraft.
"""

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
KEY = "test"
SECRET = "test"
REGION = "us-east-1"
ACCOUNT = "123456789012"


def _binary():
    env = os.environ.get("STAGECRAFT_BIN")
    if env:
        return env
    subprocess.run(["cargo", "build", "-q", "-p", "stagecraft"], cwd=ROOT, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "stagecraft")


@pytest.fixture(scope="session")
def binary():
    return _binary()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """One `stagecraft emulator` process."""

    def __init__(self, binary, *args):
        self.binary = binary
        self.args = list(args)
        self.proc = None
        self.url = None
        self.stderr_lines = []

    def start(self, timeout=60):
        port = free_port()
        cmd = [self.binary, "emulator", "--addr", f"127.0.0.1:{port}", *self.args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in self.proc.stdout], daemon=True).start()
        threading.Thread(target=lambda: [self.stderr_lines.append(l) for l in self.proc.stderr], daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"emulator exited: {''.join(self.stderr_lines)}")
                continue
            if line.startswith("listening on "):
                self.url = line.split()[-1]
                return self
        raise RuntimeError("emulator did not print 'listening on'")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def client(self, secret=SECRET, key=KEY):
        return boto3.client(
            "apigateway",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )

    def client_pool(self, connections):
        """One client for many threads (boto3 clients are thread-safe), with a connection each."""
        return boto3.client(
            "apigateway",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            config=Config(retries={"max_attempts": 1}, max_pool_connections=connections),
        )


@pytest.fixture(scope="session")
def start_emulator(binary):
    started = []

    def start(*args):
        emu = Emulator(binary, *args).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture(scope="session")
def emulator(start_emulator, lambda_stub):
    return start_emulator("--lambda-endpoint", lambda_stub.url)


@pytest.fixture()
def client(emulator):
    return emulator.client()


def make_api(client, name="t", stage="prod"):
    """An API with /pets GET (MOCK), one deployment and (unless stage is None) a stage."""
    api = client.create_rest_api(name=name)
    api_id = api["id"]
    pets = client.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")
    client.put_method(restApiId=api_id, resourceId=pets["id"], httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=pets["id"], httpMethod="GET", type="MOCK")
    dep = client.create_deployment(restApiId=api_id)["id"]
    if stage:
        client.create_stage(restApiId=api_id, stageName=stage, deploymentId=dep)
    return api_id, dep


@pytest.fixture()
def api(client):
    return make_api(client)


def aws_cli(emulator, *args):
    """`aws apigateway ARGS` against the emulator (JSON output); the completed process."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": REGION,
           "AWS_PAGER": ""}
    return subprocess.run(["aws", "apigateway", *args, "--endpoint-url", emulator.url, "--output", "json"],
                          env=env, capture_output=True, text=True, timeout=120)


def error_of(excinfo):
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


# ------------------------------------------------------------------ Lambda Invoke API stub


class LambdaStub:
    """POST /2015-03-31/functions/{name}/invocations. The answer depends on the event's token:
    allow/deny → a policy, unauthorized → function error "Unauthorized", boom → another function
    error, malformed → output without a policy; anything else → 404 ResourceNotFoundException."""

    def __init__(self):
        self.calls = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                event = json.loads(body)
                stub.calls.append({"path": self.path, "headers": dict(self.headers), "event": event})
                token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization", "")
                resource = event["methodArn"].split("/")[0] + "/*/*"
                if token in ("allow", "deny"):
                    effect = "Allow" if token == "allow" else "Deny"
                    out = {"principalId": "user-1", "context": {"k": "v"}, "policyDocument": {"Version": "2012-10-17",
                           "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}}
                    self._send(200, out)
                elif token == "unauthorized":
                    self._send(200, {"errorMessage": "Unauthorized", "errorType": "Error"}, function_error=True)
                elif token == "boom":
                    self._send(200, {"errorMessage": "boom", "errorType": "Error"}, function_error=True)
                elif token == "malformed":
                    self._send(200, {"hello": "world"})
                else:
                    self._send(404, {"Type": "User", "message": "Function not found"})

            def _send(self, status, obj, function_error=False):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                if function_error:
                    self.send_header("X-Amz-Function-Error", "Unhandled")
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="session")
def lambda_stub():
    stub = LambdaStub()
    yield stub
    stub.close()
