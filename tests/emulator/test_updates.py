"""UpdateRestApi, UpdateIntegration, UpdateModel, UpdateApiKey, UpdateDeployment and
UpdateDocumentationVersion, with AWS's texts (LocalStack's AWS-validated snapshots where AWS recorded them)."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, aws_cli, error_of, make_api


def fail(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return error_of(e)


def test_update_rest_api(client, emulator):
    api_id = client.create_rest_api(name="update-api", description="this is my api")["id"]
    up = lambda *ops: client.update_rest_api(restApiId=api_id, patchOperations=list(ops))  # noqa: E731

    out = up({"op": "add", "path": "/binaryMediaTypes/image~1png"}, {"op": "add", "path": "/binaryMediaTypes/image~1jpeg"})
    assert out["binaryMediaTypes"] == ["image/png", "image/jpeg"] and out["description"] == "this is my api"
    assert out["tags"] == {}
    out = up({"op": "replace", "path": "/binaryMediaTypes/image~1png", "value": "image/gif"})
    assert out["binaryMediaTypes"] == ["image/jpeg", "image/gif"]
    out = up({"op": "remove", "path": "/binaryMediaTypes/image~1gif"}, {"op": "remove", "path": "/description"})
    assert out["binaryMediaTypes"] == ["image/jpeg"] and "description" not in out

    assert up({"op": "replace", "path": "/minimumCompressionSize", "value": "10"})["minimumCompressionSize"] == 10
    assert client.get_rest_api(restApiId=api_id)["minimumCompressionSize"] == 10
    assert "minimumCompressionSize" not in up({"op": "replace", "path": "/minimumCompressionSize", "value": ""})
    bad_size = ("BadRequestException", "Invalid minimum compression size, must be between 0 and 10485760", 400)
    for value in ["-1", "test"]:
        assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
            {"op": "replace", "path": "/minimumCompressionSize", "value": value}]) == bad_size
    assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/minimumCompressionSize", "value": "10"}]) == (
        "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)
    assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "add", "path": "/binaryMediaTypes", "value": "image/gif"}]) == (
        "BadRequestException", "Invalid patch path /binaryMediaTypes", 400)

    out = up(*({"op": "replace", "path": "/endpointConfiguration/types/0", "value": t}
               for t in ["EDGE", "REGIONAL", "PRIVATE"]))
    assert out["endpointConfiguration"] == {"types": ["PRIVATE"], "ipAddressType": "dualstack"}
    assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/endpointConfiguration/ipAddressType", "value": "ipv4"}]) == (
        "BadRequestException", "Only dualstack ipAddressType is supported for Private APIs.", 400)
    assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/endpointConfiguration/types/0", "value": "wrong"}]) == (
        "BadRequestException", "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE", 400)

    # A failed update changes nothing, even when its first operation was fine.
    def current():
        out = client.get_rest_api(restApiId=api_id)
        del out["ResponseMetadata"]
        return out

    before = current()
    assert fail(client.update_rest_api, restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "replace", "path": "/wrongPath", "value": "x"}]) == (
        "BadRequestException", "Invalid patch path /wrongPath", 400)
    assert current() == before

    with pytest.raises(ClientError) as e:
        client.update_rest_api(restApiId=api_id, patchOperations=[
            {"op": "wrong", "path": "/endpointConfiguration/ipAddressType", "value": "dualstack"},
            {"op": "wrong", "path": "/endpointConfiguration/types/0", "value": "EDGE"}])
    assert error_of(e)[0] == "ValidationException"
    assert error_of(e)[1].startswith("2 validation errors detected: Value 'wrong' at "
                                     "'updateRestApiInput.patchOperations.1.member.op'")
    assert fail(client.update_rest_api, restApiId="api_id", patchOperations=[
        {"op": "replace", "path": "/apiKeySource", "value": "AUTHORIZER"}]) == (
        "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:api_id", 404)

    # The AWS CLI sends the same request.
    cli = aws_cli(emulator, "update-rest-api", "--rest-api-id", api_id, "--patch-operations",
                  "op=replace,path=/name,value=from-cli")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["name"] == "from-cli"


def test_update_integration(client):
    api = client.create_rest_api(name="update-integration")
    api_id, root = api["id"], api["rootResourceId"]
    m = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    client.put_method(**m, authorizationType="NONE")
    assert fail(client.update_integration, **m, patchOperations=[
        {"op": "replace", "path": "/connectionId", "value": "x"}]) == (
        "NotFoundException", "Invalid Integration identifier specified", 404)
    client.put_integration(**m, type="HTTP_PROXY", integrationHttpMethod="GET", uri="http://vpc.example",
                           connectionType="VPC_LINK", connectionId="${stageVariables.vpcLinkId}")
    out = client.update_integration(**m, patchOperations=[
        {"op": "replace", "path": "/connectionId", "value": "${stageVariables.vpcLinkIdBeta}"},
        {"op": "add", "path": "/requestTemplates/application~1json", "value": json.dumps({"data": "$input.body"})},
        {"op": "add", "path": "/requestParameters/integration.request.header.Accept", "value": "'application/xml'"},
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"}])
    assert out["connectionId"] == "${stageVariables.vpcLinkIdBeta}" and out["timeoutInMillis"] == 5000
    assert out["requestTemplates"] == {"application/json": '{"data": "$input.body"}'}
    assert out["requestParameters"] == {"integration.request.header.Accept": "'application/xml'"}
    assert out["passthroughBehavior"] == "WHEN_NO_MATCH" and out["cacheKeyParameters"] == []
    assert client.get_integration(**m)["connectionId"] == "${stageVariables.vpcLinkIdBeta}"

    for ops, expected in [
        ([{"op": "replace", "path": "/timeoutInMillis", "value": "30000"}],
         ("BadRequestException", "Timeout should be between 50 ms and 29000 ms", 400)),
        ([{"op": "replace", "path": "/type", "value": "MOCK"}],
         ("BadRequestException", "Invalid patch path /type", 400)),
        ([{"op": "add", "path": "/uri", "value": "http://b.example"}],
         ("BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)),
        ([{"op": "replace", "path": "/uri", "value": "ftp://b.example"}],
         ("BadRequestException", "Invalid HTTP endpoint specified for URI", 400)),
    ]:
        assert fail(client.update_integration, **m, patchOperations=ops) == expected
    assert client.get_integration(**m)["timeoutInMillis"] == 5000
    # An API that does not exist reads as an unknown resource, as AWS answers.
    for call in [client.get_integration, client.get_method]:
        assert fail(call, **{**m, "restApiId": "nope"}) == (
            "NotFoundException", "Invalid Resource identifier specified", 404)


def test_update_model(client):
    api_id = client.create_rest_api(name="update-model")["id"]
    ops = [{"op": "replace", "path": "/schema", "value": json.dumps({"title": "Updated schema", "type": "object"})},
           {"op": "replace", "path": "/description", "value": ""}]
    assert fail(client.update_model, restApiId="abcde0", modelName="mySchema", patchOperations=ops) == (
        "NotFoundException", "Invalid model name specified: mySchema", 404)
    client.create_model(restApiId=api_id, name="MySchema", contentType="application/json", description="d",
                        schema=json.dumps({"title": "MySchema", "type": "object"}))
    out = client.update_model(restApiId=api_id, modelName="MySchema", patchOperations=ops)
    assert json.loads(out["schema"])["title"] == "Updated schema" and "description" not in out
    assert client.get_model(restApiId=api_id, modelName="MySchema")["schema"] == out["schema"]
    for ops, message in [
        ([{"op": "add", "path": "/wrong-path", "value": "x"}],
         "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations"),
        ([{"op": "replace", "path": "/name", "value": "invalid"}],
         "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]"),
        ([{"op": "replace", "path": "/schema", "value": ""}],
         "Model schema must have at least 1 property or array items defined"),
    ]:
        assert fail(client.update_model, restApiId=api_id, modelName="MySchema", patchOperations=ops) == (
            "BadRequestException", message, 400)


def test_update_api_key(client):
    key = client.create_api_key(name="key-enabled-false", enabled=False)
    out = client.update_api_key(apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": "new-name"},
        {"op": "replace", "path": "/enabled", "value": "not-a-boolean"}])
    assert out["name"] == "new-name" and out["enabled"] is False and out["tags"] == {} and "value" not in out
    assert client.get_api_key(apiKey=key["id"])["name"] == "new-name"
    out = client.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "true"}])
    assert out["enabled"] is True
    assert fail(client.update_api_key, apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/id", "value": "new-id"}]) == (
        "BadRequestException", "Invalid patch path  '/id' specified for op 'replace'. Must be one of: "
        "[/description, /enabled, /name, /customerId]", 400)
    assert fail(client.update_api_key, apiKey=key["id"], patchOperations=[
        {"op": "replace", "path": "/description", "value": "a" * 125001}]) == (
        "BadRequestException", "Invalid API Key description specified.", 400)
    assert fail(client.update_api_key, apiKey="nope", patchOperations=[
        {"op": "replace", "path": "/name", "value": "x"}])[0] == "NotFoundException"


def test_update_deployment_and_documentation_version(client):
    api_id, dep = make_api(client, name="update-descriptions", stage=None)
    out = client.update_deployment(restApiId=api_id, deploymentId=dep, patchOperations=[
        {"op": "replace", "path": "/description", "value": "first release"}])
    assert out["description"] == "first release"
    assert client.get_deployment(restApiId=api_id, deploymentId=dep)["description"] == "first release"
    assert fail(client.update_deployment, restApiId=api_id, deploymentId=dep, patchOperations=[
        {"op": "replace", "path": "/stageName", "value": "x"}]) == (
        "BadRequestException", "Invalid patch path  '/stageName' specified for op 'replace'. Must be one of: "
        "[/description]", 400)
    assert fail(client.update_deployment, restApiId=api_id, deploymentId="nope", patchOperations=[])[0] == (
        "NotFoundException")

    client.create_documentation_version(restApiId=api_id, documentationVersion="1.0", description="old")
    out = client.update_documentation_version(restApiId=api_id, documentationVersion="1.0", patchOperations=[
        {"op": "replace", "path": "/description", "value": "new"}])
    assert out["description"] == "new" and out["version"] == "1.0"
    out = client.update_documentation_version(restApiId=api_id, documentationVersion="1.0", patchOperations=[
        {"op": "replace", "path": "/description", "value": ""}])
    assert "description" not in out
    assert fail(client.update_documentation_version, restApiId=api_id, documentationVersion="1.0",
                patchOperations=[{"op": "remove", "path": "/description"}]) == (
        "BadRequestException", "Invalid patch path  '/description' specified for op 'remove'. "
        "Please choose supported operations", 400)
