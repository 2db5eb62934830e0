"""Authorizers: CRUD and validation; TestInvokeAuthorizer through a Lambda Invoke API stub."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of

FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:auth"
URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations"


def token_authorizer(client, api_id, **extra):
    return client.create_authorizer(restApiId=api_id, name="tok", type="TOKEN", authorizerUri=URI,
                                    identitySource="method.request.header.Authorization", **extra)


def test_authorizer_crud(client, api):
    api_id, _ = api
    a = token_authorizer(client, api_id)
    assert a["ResponseMetadata"]["HTTPStatusCode"] == 201
    body = {k: v for k, v in a.items() if k != "ResponseMetadata"}
    assert body == {"authType": "custom", "authorizerUri": URI, "id": a["id"], "identitySource": "method.request.header.Authorization",
                    "name": "tok", "type": "TOKEN"}
    assert client.get_authorizer(restApiId=api_id, authorizerId=a["id"])["name"] == "tok"
    assert [x["id"] for x in client.get_authorizers(restApiId=api_id)["items"]] == [a["id"]]
    u = client.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
        {"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"},
        {"op": "replace", "path": "/name", "value": "renamed"}])
    assert (u["authorizerResultTtlInSeconds"], u["name"]) == (60, "renamed")
    with pytest.raises(ClientError) as e:
        client.update_authorizer(restApiId=api_id, authorizerId=a["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "x"}, {"op": "replace", "path": "/bogus", "value": "1"}])
    assert error_of(e) == ("BadRequestException", "Invalid patch path /bogus", 400)
    assert client.get_authorizer(restApiId=api_id, authorizerId=a["id"])["name"] == "renamed"
    assert client.delete_authorizer(restApiId=api_id, authorizerId=a["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.get_authorizer(restApiId=api_id, authorizerId=a["id"])
    assert error_of(e) == ("NotFoundException", "Invalid Authorizer identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.get_authorizers(restApiId="nope")
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)


def test_authorizer_validation(client, api):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        client.create_authorizer(restApiId=api_id, name="t", type="TOKEN", authorizerUri=URI,
                                 identitySource="method.request.querystring.key")
    assert error_of(e)[1] == "Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'."
    with pytest.raises(ClientError) as e:
        client.create_authorizer(restApiId=api_id, name="t", type="TOKEN", authorizerUri="arn:aws:lambda:x",
                                 identitySource="method.request.header.A")
    assert error_of(e)[1] == "Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation."
    with pytest.raises(ClientError) as e:
        token_authorizer(client, api_id, authorizerResultTtlInSeconds=3601)
    assert error_of(e)[0] == "BadRequestException" and "3601" in error_of(e)[1]
    with pytest.raises(ClientError) as e:
        client.create_authorizer(restApiId=api_id, name="r", type="REQUEST", authorizerUri=URI)
    assert error_of(e)[1].startswith("Invalid identity source specified.")
    r = client.create_authorizer(restApiId=api_id, name="r", type="REQUEST", authorizerUri=URI, authorizerResultTtlInSeconds=0)
    assert r["authorizerResultTtlInSeconds"] == 0
    with pytest.raises(ClientError) as e:
        client.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                 identitySource="method.request.header.Authorization")
    assert error_of(e)[1].startswith("Invalid providerARNs specified.")
    c = client.create_authorizer(restApiId=api_id, name="c", type="COGNITO_USER_POOLS",
                                 identitySource="method.request.header.Authorization",
                                 providerARNs=[f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_ABC"])
    assert c["authType"] == "cognito_user_pools"
    assert client.get_authorizers(restApiId=api_id, limit=1)["position"]


def invoke(client, api_id, auth_id, **kwargs):
    return client.test_invoke_authorizer(restApiId=api_id, authorizerId=auth_id, **kwargs)


def test_invoke_token_through_lambda_stub(client, api, lambda_stub):
    api_id, _ = api
    a = token_authorizer(client, api_id, identityValidationExpression="[a-z]+")["id"]
    lambda_stub.calls.clear()
    ok = invoke(client, api_id, a, headers={"Authorization": "allow"})
    assert ok["clientStatus"] == 0 and ok["principalId"] == "user-1"
    policy = json.loads(ok["policy"])
    assert policy["Statement"][0]["Effect"] == "Allow"
    assert isinstance(ok["latency"], int)
    assert ok["log"].startswith("Execution log for request test-request\n")
    assert "Successfully completed authorizer execution" in ok["log"]
    call = lambda_stub.calls[-1]
    assert call["path"] == f"/2015-03-31/functions/{FN.replace(':', '%3A')}/invocations"
    assert call["event"] == {"type": "TOKEN", "authorizationToken": "allow",
                             "methodArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/null/GET/"}
    auth_header = {k.lower(): v for k, v in call["headers"].items()}["authorization"]
    assert auth_header.startswith("AWS4-HMAC-SHA256 Credential=test/") and "/us-east-1/lambda/aws4_request" in auth_header

    deny = invoke(client, api_id, a, headers={"Authorization": "deny"})
    assert deny["clientStatus"] == 0 and json.loads(deny["policy"])["Statement"][0]["Effect"] == "Deny"
    assert invoke(client, api_id, a, headers={"Authorization": "unauthorized"})["clientStatus"] == 401
    assert invoke(client, api_id, a, headers={"Authorization": "boom"})["clientStatus"] == 500
    assert invoke(client, api_id, a, headers={"Authorization": "malformed"})["clientStatus"] == 500
    assert invoke(client, api_id, a, headers={"Authorization": "missingfn"})["clientStatus"] == 500
    # No invoke for a missing identity or a failed validation expression.
    n = len(lambda_stub.calls)
    assert invoke(client, api_id, a)["clientStatus"] == 401
    assert invoke(client, api_id, a, headers={"Authorization": ""})["clientStatus"] == 401
    assert invoke(client, api_id, a, headers={"Authorization": "NOT-LOWER"})["clientStatus"] == 401
    assert len(lambda_stub.calls) == n


def test_invoke_request_event(client, api, lambda_stub):
    api_id, _ = api
    r = client.create_authorizer(restApiId=api_id, name="req", type="REQUEST", authorizerUri=URI,
                                 identitySource="method.request.header.Authorization,method.request.querystring.user,stageVariables.env")["id"]
    missing = invoke(client, api_id, r, headers={"Authorization": "allow"}, pathWithQueryString="/pets?user=u1")
    assert missing["clientStatus"] == 401
    ok = invoke(client, api_id, r, headers={"Authorization": "allow"}, pathWithQueryString="/pets?user=u1",
                stageVariables={"env": "test"})
    assert ok["clientStatus"] == 0
    assert ok["authorization"] == {"Authorization": ["allow"], "env": ["test"], "user": ["u1"]}
    event = lambda_stub.calls[-1]["event"]
    assert event["type"] == "REQUEST" and event["path"] == "/pets"
    assert event["queryStringParameters"] == {"user": "u1"} and event["stageVariables"] == {"env": "test"}
    assert event["headers"] == {"Authorization": "allow"}
    assert event["requestContext"]["apiId"] == api_id


def test_invoke_without_endpoint_names_the_flag(start_emulator):
    emu = start_emulator()
    c = emu.client()
    from conftest import make_api
    api_id, _ = make_api(c)
    a = token_authorizer(c, api_id)["id"]
    with pytest.raises(ClientError) as e:
        invoke(c, api_id, a, headers={"Authorization": "allow"})
    code, message, status = error_of(e)
    assert (code, status) == ("BadRequestException", 400) and "--lambda-endpoint" in message
