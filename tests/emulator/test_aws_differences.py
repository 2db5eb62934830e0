"""Answers that once differed from AWS (issue #15): texts and codes as AWS records them."""

import json
import shutil

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli, error_of

OP_ENUM = "[add, remove, move, test, replace, copy]"


def test_op_outside_the_enum_is_a_validation_error(client, api):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/description", "value": "d"}, {"op": "wrong_op", "path": "/description"}])
    assert error_of(e) == ("ValidationException", "1 validation error detected: Value 'wrong_op' at "
                           "'updateStageInput.patchOperations.2.member.op' failed to satisfy constraint: "
                           f"Member must satisfy enum value set: {OP_ENUM}", 400)
    assert "description" not in client.get_stage(restApiId=api_id, stageName="prod")
    with pytest.raises(ClientError) as e:
        client.update_stage(restApiId=api_id, stageName="prod",
                            patchOperations=[{"op": "a", "path": "/x"}, {"op": "b", "path": "/y"}])
    code, message, status = error_of(e)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("2 validation errors detected: Value 'a' at 'updateStageInput.patchOperations.1.member.op'")
    assert "; Value 'b' at 'updateStageInput.patchOperations.2.member.op'" in message
    # Request validation comes before the lookup, as on AWS.
    with pytest.raises(ClientError) as e:
        client.update_authorizer(restApiId="nope", authorizerId="x", patchOperations=[{"op": "put", "path": "/name"}])
    assert error_of(e)[0] == "ValidationException"
    assert "'updateAuthorizerInput.patchOperations.1.member.op'" in error_of(e)[1]


def test_cache_cluster_without_size_is_half_a_gigabyte(client, api):
    api_id, dep = api
    stage = client.create_stage(restApiId=api_id, stageName="cached", deploymentId=dep, cacheClusterEnabled=True)
    assert stage["cacheClusterSize"] == "0.5" and stage["cacheClusterEnabled"] is True
    plain = client.get_stage(restApiId=api_id, stageName="prod")
    assert "cacheClusterSize" not in plain
    updated = client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}])
    assert updated["cacheClusterSize"] == "0.5"
    assert client.get_stage(restApiId=api_id, stageName="prod")["cacheClusterSize"] == "0.5"


def test_create_authorizer_on_a_missing_api_is_a_conflict(client):
    with pytest.raises(ClientError) as e:
        client.create_authorizer(restApiId="nope", name="a", type="TOKEN", identitySource="method.request.header.A",
                                 authorizerUri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                                 "arn:aws:lambda:us-east-1:123456789012:function:f/invocations")
    assert error_of(e) == ("ConflictException",
                           "Unable to complete operation due to concurrent modification. Please try again later.", 409)
    with pytest.raises(ClientError) as e:
        client.get_authorizers(restApiId="nope")
    assert error_of(e)[0] == "NotFoundException"


def test_create_rest_api_enums_before_description(client):
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", description="", apiKeySource="BODY")
    assert error_of(e) == ("ValidationException", "1 validation error detected: Value 'BODY' at "
                           "'createRestApiInput.apiKeySource' failed to satisfy constraint: Member must satisfy enum "
                           "value set: [HEADER, AUTHORIZER]", 400)
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", endpointConfiguration={"types": ["wrong"], "ipAddressType": "wrong"})
    assert error_of(e) == ("ValidationException", "2 validation errors detected: Value '[wrong]' at "
                           "'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must "
                           "satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]; Value "
                           "'wrong' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy "
                           "constraint: Member must satisfy enum value set: [ipv4, dualstack]", 400)
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", endpointConfiguration={"types": []})
    assert error_of(e) == ("BadRequestException",
                           "REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.", 400)
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", endpointConfiguration={"types": ["PRIVATE"], "ipAddressType": "ipv4"})
    assert error_of(e) == ("BadRequestException", "Only dualstack ipAddressType is supported for Private APIs.", 400)


def test_create_rest_api_keeps_the_policy(client):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]})
    api = client.create_rest_api(name="with-policy", policy=policy, apiKeySource="AUTHORIZER")
    assert api["policy"] == policy and api["apiKeySource"] == "AUTHORIZER"
    assert client.get_rest_api(restApiId=api["id"])["policy"] == policy


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_aws_cli_sees_the_validation_error(emulator, client, api):
    api_id, _ = api
    out = aws_cli(emulator, "update-stage", "--rest-api-id", api_id, "--stage-name", "prod",
                  "--patch-operations", "op=wrong,path=/description,value=x")
    assert out.returncode != 0
    assert "ValidationException" in out.stderr and "updateStageInput.patchOperations.1.member.op" in out.stderr
