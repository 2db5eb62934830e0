"""The data plane: deployed APIs served on the emulator's port with the stage's settings in force.

boto3 configures; urllib calls the invoke URLs (path form and Host form). A local HTTP backend counts
its calls, so a cache hit is a response whose count did not move.
"""

import json
import os
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import KEY, REGION, SECRET

MISSING_TOKEN = {"message": "Missing Authentication Token"}
WARNING = "199 Cache-control headers were ignored because the caller was unauthorized."


class Backend:
    """GET/POST anything → {"n": calls so far, "path": ..., "method": ...}."""

    def __init__(self):
        self.calls = 0
        self.lock = threading.Lock()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                with backend.lock:
                    backend.calls += 1
                    n = backend.calls
                data = json.dumps({"n": n, "path": self.path, "method": self.command}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class ProxyLambda:
    """Lambda Invoke API stub for AWS_PROXY: the function name picks the answer."""

    def __init__(self):
        self.events = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                stub.events.append(event)
                name = self.path.split("/functions/")[1].split("/")[0].split("%3A")[-1].split(":")[-1]
                if name == "echo":
                    out = {"statusCode": 201, "headers": {"x-fn": "echo"}, "body": json.dumps({"path": event["path"]})}
                elif name == "slow":
                    time.sleep(3)
                    out = {"statusCode": 200}
                else:
                    out = {"statusCode": "test"}
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    yield b
    b.server.shutdown()


@pytest.fixture(scope="module")
def proxy_lambda():
    s = ProxyLambda()
    yield s
    s.server.shutdown()


@pytest.fixture(scope="module")
def dp(start_emulator, proxy_lambda, tmp_path_factory):
    logs = tmp_path_factory.mktemp("access-logs")
    emu = start_emulator("--lambda-endpoint", proxy_lambda.url, "--seed", "7", "--access-log-dir", str(logs))
    emu.logs = logs
    return emu


@pytest.fixture()
def c(dp):
    return dp.client()


def invoke(emu, api, stage, path="/items", method="GET", headers=None, signed=False, host_form=False, body=None):
    """(status, headers, parsed body or text)."""
    port = emu.url.rsplit(":", 1)[1]
    if host_form:
        url = f"http://127.0.0.1:{port}/{stage}{path}"
        headers = {**(headers or {}), "Host": f"{api}.execute-api.localhost:{port}"}
    else:
        url = f"{emu.url}/restapis/{api}/{stage}/_user_request_{path}"
    headers = dict(headers or {})
    if signed:
        req = AWSRequest(method=method, url=url, headers=headers, data=body or b"")
        SigV4Auth(Credentials(KEY, SECRET), "execute-api", REGION).add_auth(req)
        headers = dict(req.headers.items())
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode()
    return status, hdrs, parsed


def http_method(c, api_id, resource_id, verb, uri, auth="NONE", **integration):
    c.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType=auth)
    c.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, type="HTTP_PROXY",
                      integrationHttpMethod=verb, uri=uri, **integration)


def make(c, backend, ops=(), cluster=False):
    """/items GET, /items/{id} GET, /secure GET (AWS_IAM), /{proxy+} ANY (HTTP_PROXY to the backend);
    stage `s` with `host` pointing at the backend, then `ops` applied."""
    api = c.create_rest_api(name="dp")
    api_id, root = api["id"], api["rootResourceId"]
    items = c.create_resource(restApiId=api_id, parentId=root, pathPart="items")["id"]
    item = c.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    secure = c.create_resource(restApiId=api_id, parentId=root, pathPart="secure")["id"]
    proxy = c.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    base = "http://${stageVariables.host}"
    http_method(c, api_id, items, "GET", f"{base}/items")
    http_method(c, api_id, item, "GET", f"{base}/items/{{id}}")
    http_method(c, api_id, secure, "GET", f"{base}/secure", auth="AWS_IAM")
    http_method(c, api_id, proxy, "ANY", f"{base}/any/{{proxy}}")
    dep = c.create_deployment(restApiId=api_id, stageName="s", variables={"host": backend.host},
                              cacheClusterEnabled=cluster, cacheClusterSize="0.5")["id"]
    if ops:
        c.update_stage(restApiId=api_id, stageName="s", patchOperations=list(ops))
    return api_id, dep, {"items": items, "item": item, "root": root}


def rep(path, value):
    return {"op": "replace", "path": path, "value": value}


def caching(key="~1items/GET", ttl="300", require="true", strategy="SUCCEED_WITH_RESPONSE_HEADER"):
    return [
        rep(f"/{key}/caching/enabled", "true"),
        rep(f"/{key}/caching/ttlInSeconds", ttl),
        rep(f"/{key}/caching/requireAuthorizationForCacheControl", require),
        rep(f"/{key}/caching/unauthorizedCacheControlHeaderStrategy", strategy),
    ]


# ------------------------------------------------------------------ routing and URLs


def test_both_url_forms_route_as_aws(dp, c, backend):
    api_id, _, _ = make(c, backend)
    status, _, body = invoke(dp, api_id, "s", "/items")
    assert status == 200 and body["path"] == "/items"
    status, _, body = invoke(dp, api_id, "s", "/items", host_form=True)
    assert status == 200 and body["path"] == "/items"
    # {param} after literals, {proxy+} last, ANY for any verb
    assert invoke(dp, api_id, "s", "/items/42")[2]["path"] == "/items/42"
    status, _, body = invoke(dp, api_id, "s", "/a/b", method="DELETE")
    assert status == 200 and body["path"] == "/any/a/b" and body["method"] == "DELETE"
    # unmatched: the root has no method and {proxy+} does not serve it; a verb ANY does not cover
    assert invoke(dp, api_id, "s", "/items", method="POST")[2]["path"] == "/any/items"
    for path, verb in (("/", "GET"), ("//", "POST"), ("/items", "TRACE")):
        status, headers, body = invoke(dp, api_id, "s", path, method=verb)
        assert (status, body) == (403, MISSING_TOKEN)
        assert headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert invoke(dp, api_id, "nope", "/items")[:3:2] == (403, {"message": "Forbidden"})


def test_mock_status_from_request_template(dp, c):
    api = c.create_rest_api(name="mock")
    m = {"restApiId": api["id"], "httpMethod": "GET"}
    r = c.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="m")["id"]
    bare = c.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="bare")["id"]
    for rid in (r, bare):
        c.put_method(**m, resourceId=rid, authorizationType="NONE")
        c.put_integration(**m, resourceId=rid, type="MOCK", requestTemplates={"application/json": '{"statusCode": 201}'})
    c.put_integration_response(**m, resourceId=r, statusCode="200", responseTemplates={"application/json": "ok"})
    c.put_integration_response(**m, resourceId=r, statusCode="201", selectionPattern="201",
                               responseTemplates={"application/json": '{"created": true}'})
    c.create_deployment(restApiId=api["id"], stageName="s")
    assert invoke(dp, api["id"], "s", "/m")[:3:2] == (201, {"created": True})
    # AWS: a MOCK without integration responses is a configuration error, 500.
    status, headers, body = invoke(dp, api["id"], "s", "/bare")
    assert (status, body) == (500, {"message": "Internal server error"})
    assert headers["x-amzn-ErrorType"] == "InternalServerErrorException"


def test_aws_iam_method_needs_a_signature(dp, c, backend):
    api_id, _, _ = make(c, backend)
    assert invoke(dp, api_id, "s", "/secure")[:3:2] == (403, MISSING_TOKEN)
    assert invoke(dp, api_id, "s", "/secure", signed=True)[0] == 200
    assert invoke(dp, api_id, "s", "/items", signed=False)[0] == 200


# ------------------------------------------------------------------ deployments and canaries


def test_redeploy_is_served_only_once_the_stage_points_at_it(dp, c, backend):
    api_id, _, ids = make(c, backend)
    new = c.create_resource(restApiId=api_id, parentId=ids["root"], pathPart="new")["id"]
    http_method(c, api_id, new, "GET", "http://${stageVariables.host}/new")
    # the live API has /new, the stage's deployment does not ({proxy+} answers it)
    assert invoke(dp, api_id, "s", "/new")[2]["path"] == "/any/new"
    dep2 = c.create_deployment(restApiId=api_id)["id"]
    assert invoke(dp, api_id, "s", "/new")[2]["path"] == "/any/new"
    c.update_stage(restApiId=api_id, stageName="s", patchOperations=[rep("/deploymentId", dep2)])
    status, headers, body = invoke(dp, api_id, "s", "/new")
    assert body["path"] == "/new" and headers["x-stagecraft-deployment"] == dep2


def test_canary_split_with_variable_overrides(dp, c, backend):
    api_id, dep1, _ = make(c, backend)
    dep2 = c.create_deployment(restApiId=api_id, stageName="s",
                               canarySettings={"percentTraffic": 30.0, "stageVariableOverrides": {"host": "127.0.0.1:9"}})["id"]
    seen = {dep1: 0, dep2: 0}
    for _ in range(200):
        status, headers, _ = invoke(dp, api_id, "s", "/items")
        seen[headers["x-stagecraft-deployment"]] += 1
        if headers["x-stagecraft-deployment"] == dep2:
            assert status == 504  # the override points the canary at a closed port
        else:
            assert status == 200
    assert 30 <= seen[dep2] <= 90, seen
    c.update_stage(restApiId=api_id, stageName="s", patchOperations=[rep("/canarySettings/percentTraffic", "0")])
    assert all(invoke(dp, api_id, "s", "/items")[1]["x-stagecraft-deployment"] == dep1 for _ in range(20))


# ------------------------------------------------------------------ throttling


def test_429_at_burst_limit_plus_one_and_override_differs_from_all_methods(dp, c, backend):
    api_id, _, _ = make(c, backend, [
        rep("/*/*/throttling/burstLimit", "3"), rep("/*/*/throttling/rateLimit", "0"),
        rep("/~1items/GET/throttling/burstLimit", "6"), rep("/~1items/GET/throttling/rateLimit", "0"),
    ])
    for _ in range(3):
        assert invoke(dp, api_id, "s", "/items/1")[0] == 200
    status, headers, body = invoke(dp, api_id, "s", "/items/1")
    assert (status, body) == (429, {"message": "Too Many Requests"})
    assert headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    # /items has its own key: six requests, then 429
    assert [invoke(dp, api_id, "s", "/items")[0] for _ in range(7)] == [200] * 6 + [429]


# ------------------------------------------------------------------ caching


def test_cache_hit_needs_the_cluster_and_the_method_setting(dp, c, backend):
    api_id, _, _ = make(c, backend, caching(), cluster=False)
    a, b = invoke(dp, api_id, "s", "/items")[2], invoke(dp, api_id, "s", "/items")[2]
    assert a["n"] != b["n"], "no cluster: no cache"
    c.update_stage(restApiId=api_id, stageName="s", patchOperations=[rep("/cacheClusterEnabled", "true")])
    a, b = invoke(dp, api_id, "s", "/items")[2], invoke(dp, api_id, "s", "/items")[2]
    assert a["n"] == b["n"], "hit"
    # path parameters are part of the key; /items/{id} does not cache
    assert invoke(dp, api_id, "s", "/items/1")[2]["n"] != invoke(dp, api_id, "s", "/items/1")[2]["n"]


def test_entry_expires_after_its_ttl(dp, c, backend):
    api_id, _, _ = make(c, backend, caching(ttl="1"), cluster=True)
    first = invoke(dp, api_id, "s", "/items")[2]["n"]
    time.sleep(1.5)
    assert invoke(dp, api_id, "s", "/items")[2]["n"] != first


def test_flush_and_resize_empty_the_cache(dp, c, backend):
    api_id, _, _ = make(c, backend, caching(), cluster=True)
    first = invoke(dp, api_id, "s", "/items")[2]["n"]
    assert invoke(dp, api_id, "s", "/items")[2]["n"] == first
    c.flush_stage_cache(restApiId=api_id, stageName="s")
    second = invoke(dp, api_id, "s", "/items")[2]["n"]
    assert second != first
    assert invoke(dp, api_id, "s", "/items")[2]["n"] == second
    c.update_stage(restApiId=api_id, stageName="s", patchOperations=[rep("/cacheClusterSize", "1.6")])
    assert invoke(dp, api_id, "s", "/items")[2]["n"] != second


@pytest.mark.parametrize("strategy", ["FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"])
def test_max_age_zero_with_each_strategy(dp, c, backend, strategy):
    api_id, _, _ = make(c, backend, caching(strategy=strategy), cluster=True)
    cached = invoke(dp, api_id, "s", "/items")[2]["n"]
    status, headers, body = invoke(dp, api_id, "s", "/items", headers={"Cache-Control": "max-age=0"})
    if strategy == "FAIL_WITH_403":
        assert status == 403
    else:
        assert status == 200 and body["n"] == cached
        assert (headers.get("Warning") == WARNING) == (strategy == "SUCCEED_WITH_RESPONSE_HEADER")
    # signed with the emulator's credentials: allowed execute-api:InvalidateCache → refreshed
    status, headers, body = invoke(dp, api_id, "s", "/items", headers={"Cache-Control": "max-age=0"}, signed=True)
    assert status == 200 and body["n"] != cached and "Warning" not in headers
    refreshed = body["n"]
    assert invoke(dp, api_id, "s", "/items")[2]["n"] == refreshed


def test_max_age_zero_without_required_authorization_refreshes(dp, c, backend):
    api_id, _, _ = make(c, backend, caching(require="false", strategy="FAIL_WITH_403"), cluster=True)
    cached = invoke(dp, api_id, "s", "/items")[2]["n"]
    status, _, body = invoke(dp, api_id, "s", "/items", headers={"Cache-Control": "max-age=0"})
    assert status == 200 and body["n"] != cached


# ------------------------------------------------------------------ Lambda proxy, timeouts


def lambda_api(c, function, timeout=None):
    api = c.create_rest_api(name="fn")
    r = c.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="fn")["id"]
    c.put_method(restApiId=api["id"], resourceId=r, httpMethod="GET", authorizationType="NONE")
    extra = {"timeoutInMillis": timeout} if timeout else {}
    c.put_integration(restApiId=api["id"], resourceId=r, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                      uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations",
                      **extra)
    c.create_deployment(restApiId=api["id"], stageName="s", variables={"v": "1"})
    return api["id"]


def test_lambda_proxy_event_and_answers(dp, c, proxy_lambda):
    api_id = lambda_api(c, "echo")
    status, headers, body = invoke(dp, api_id, "s", "/fn?a=1&a=2")
    assert (status, headers["x-fn"], body) == (201, "echo", {"path": "/fn"})
    event = proxy_lambda.events[-1]
    assert event["resource"] == "/fn" and event["stageVariables"] == {"v": "1"}
    assert event["queryStringParameters"] == {"a": "2"} and event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["requestContext"]["path"] == "/s/fn" and event["pathParameters"] is None and event["body"] is None
    assert invoke(dp, lambda_api(c, "bad"), "s", "/fn")[:3:2] == (502, {"message": "Internal server error"})


def test_integration_timeout_is_504(dp, c):
    status, _, body = invoke(dp, lambda_api(c, "slow", timeout=100), "s", "/fn")
    assert (status, body) == (504, {"message": "Endpoint request timed out"})


# ------------------------------------------------------------------ logs and metrics


def test_access_log_and_metrics(dp, c, backend):
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:dp-test"
    api_id, _, _ = make(c, backend, [
        rep("/accessLogSettings/destinationArn", arn),
        rep("/accessLogSettings/format", "$context.requestId $context.httpMethod $context.resourcePath $context.status $context.nope"),
        rep("/~1items/GET/metrics/enabled", "true"),
    ])
    _, headers, _ = invoke(dp, api_id, "s", "/items")
    invoke(dp, api_id, "s", "/items", method="POST")  # {proxy+}: no per-method metrics
    log = (dp.logs / (arn.replace(":", "_").replace("/", "_") + ".log")).read_text().splitlines()
    assert f"{headers['x-amzn-RequestId']} GET /items 200 -" in log
    with urllib.request.urlopen(f"{dp.url}/metrics") as r:
        metrics = r.read().decode()
    assert f'apigateway_count{{api="{api_id}",stage="s"}} 2' in metrics
    assert f'apigateway_count{{api="{api_id}",stage="s",resource="/items",method="GET"}} 1' in metrics
