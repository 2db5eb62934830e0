"""Authorizers in force on the data plane, seen from real clients: boto3 configures and flushes, urllib calls
the invoke URL, the session's Lambda stub (conftest.LambdaStub) answers by token and records its calls.
"""

import urllib.request

import pytest

from conftest import ACCOUNT, REGION
from test_dataplane import invoke, rep

EXPLICIT_DENY = {"Message": "User is not authorized to access this resource with an explicit deny"}
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:authz"


@pytest.fixture(scope="module")
def authz(start_emulator, lambda_stub, tmp_path_factory):
    logs = tmp_path_factory.mktemp("authz-logs")
    emu = start_emulator("--lambda-endpoint", lambda_stub.url, "--access-log-dir", str(logs))
    emu.logs = logs
    return emu


def make(c, ttl=300):
    """/pets GET (MOCK) behind a TOKEN authorizer; stage `s` with an access log of the authorizer variables."""
    api = c.create_rest_api(name="authz")
    api_id = api["id"]
    pets = c.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")["id"]
    uri = (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
           f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth/invocations")
    auth = c.create_authorizer(restApiId=api_id, name="a", type="TOKEN", authorizerUri=uri,
                               identitySource="method.request.header.Authorization",
                               authorizerResultTtlInSeconds=ttl)["id"]
    c.put_method(restApiId=api_id, resourceId=pets, httpMethod="GET", authorizationType="CUSTOM", authorizerId=auth)
    c.put_integration(restApiId=api_id, resourceId=pets, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    c.put_integration_response(restApiId=api_id, resourceId=pets, httpMethod="GET", statusCode="200",
                               responseTemplates={"application/json": ""})
    c.create_deployment(restApiId=api_id, stageName="s")
    c.update_stage(restApiId=api_id, stageName="s", patchOperations=[
        rep("/accessLogSettings/destinationArn", ARN),
        rep("/accessLogSettings/format",
            "$context.requestId $context.authorizer.principalId $context.authorizer.k "
            "$context.authorize.status $context.status"),
    ])
    return api_id


def calls_for(stub, api_id):
    return sum(1 for call in stub.calls if f":{api_id}/" in call["event"].get("methodArn", ""))


def test_cache_flush_and_aws_answers(authz, lambda_stub):
    c = authz.client()
    api_id = make(c)
    status, headers, _ = invoke(authz, api_id, "s", "/pets", headers={"Authorization": "allow"})
    assert status == 200 and headers["x-stagecraft-authorizer"] == "invoked"
    assert calls_for(lambda_stub, api_id) == 1
    status, headers, _ = invoke(authz, api_id, "s", "/pets", headers={"Authorization": "allow"})
    assert status == 200 and headers["x-stagecraft-authorizer"] == "cached"
    assert calls_for(lambda_stub, api_id) == 1
    c.flush_stage_authorizers_cache(restApiId=api_id, stageName="s")
    assert invoke(authz, api_id, "s", "/pets", headers={"Authorization": "allow"})[0] == 200
    assert calls_for(lambda_stub, api_id) == 2

    status, headers, body = invoke(authz, api_id, "s", "/pets", headers={"Authorization": "deny"})
    assert (status, body) == (403, EXPLICIT_DENY)
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert invoke(authz, api_id, "s", "/pets")[:3:2] == (401, {"message": "Unauthorized"})
    assert invoke(authz, api_id, "s", "/pets", headers={"Authorization": "unauthorized"})[0] == 401
    assert invoke(authz, api_id, "s", "/pets", headers={"Authorization": "malformed"})[:3:2] == (500, {"message": None})

    log = (authz.logs / (ARN.replace(":", "_").replace("/", "_") + ".log")).read_text().splitlines()
    assert log[0].split(" ")[1:] == ["user-1", "v", "200", "200"]
    assert log[4].split(" ")[1:] == ["-", "-", "401", "401"]
    with urllib.request.urlopen(f"{authz.url}/metrics") as r:
        metrics = r.read().decode()
    assert f'apigateway_authorizer_invocations{{api="{api_id}",stage="s"}} 5' in metrics
    assert f'apigateway_authorizer_cache_hits{{api="{api_id}",stage="s"}} 1' in metrics
    assert f'apigateway_authorizer_denials{{api="{api_id}",stage="s"}} 4' in metrics


def test_ttl_zero_calls_every_time(authz, lambda_stub):
    c = authz.client()
    api_id = make(c, ttl=0)
    for n in range(1, 4):
        assert invoke(authz, api_id, "s", "/pets", headers={"Authorization": "allow"})[0] == 200
        assert calls_for(lambda_stub, api_id) == n
