"""Documentation parts and versions, and a stage's documentationVersion (boto3 and the AWS CLI)."""

import json
import shutil

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of
from test_cli_and_demo import aws

TYPES = ("[RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, "
         "REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]")


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def test_documentation_part_lifecycle(client, api):
    api_id, _ = api
    props = json.dumps({"description": "Sample API description"})
    created = client.create_documentation_part(restApiId=api_id, location={"type": "API"}, properties=props)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert body(created) == {"id": created["id"], "location": {"type": "API"}, "properties": props}
    pid = created["id"]
    assert body(client.get_documentation_part(restApiId=api_id, documentationPartId=pid)) == body(created)
    method = client.create_documentation_part(restApiId=api_id, location={"type": "METHOD", "path": "/pets"},
                                              properties='{"summary": "List pets"}')
    assert method["location"] == {"type": "METHOD", "path": "/pets", "method": "*"}
    items = client.get_documentation_parts(restApiId=api_id)["items"]
    assert [p["id"] for p in items] == [pid, method["id"]]
    only = client.get_documentation_parts(restApiId=api_id, type="METHOD")["items"]
    assert [p["id"] for p in only] == [method["id"]]
    updated = client.update_documentation_part(restApiId=api_id, documentationPartId=pid, patchOperations=[
        {"op": "replace", "path": "/properties", "value": '{"description": "Updated"}'}])
    assert updated["properties"] == '{"description": "Updated"}'
    assert client.delete_documentation_part(restApiId=api_id, documentationPartId=pid)["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.delete_documentation_part(restApiId=api_id, documentationPartId=pid)
    assert error_of(e) == ("NotFoundException", "Invalid Documentation part identifier specified", 404)


def test_documentation_part_errors(client, api):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        client.create_documentation_part(restApiId="nope", location={"type": "API"}, properties="{}")
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    with pytest.raises(ClientError) as e:
        client.get_documentation_parts(restApiId="nope")
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    # AWS names the part, not the API, for Get and Update.
    with pytest.raises(ClientError) as e:
        client.get_documentation_part(restApiId="nope", documentationPartId="x")
    assert error_of(e) == ("NotFoundException", "Invalid Documentation part identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.create_documentation_part(restApiId=api_id, location={"type": "INVALID"}, properties="{}")
    assert error_of(e) == ("ValidationException", "1 validation error detected: Value 'INVALID' at "
                           "'createDocumentationPartInput.location.type' failed to satisfy constraint: "
                           f"Member must satisfy enum value set: {TYPES}", 400)
    client.create_documentation_part(restApiId=api_id, location={"type": "RESOURCE", "path": "/pets"}, properties="{}")
    with pytest.raises(ClientError) as e:
        client.create_documentation_part(restApiId=api_id, location={"type": "RESOURCE", "path": "/pets"}, properties="{}")
    assert error_of(e) == ("ConflictException",
                           "Documentation part already exists for the specified location: type 'RESOURCE', path '/pets'.", 409)
    with pytest.raises(ClientError) as e:
        client.create_documentation_part(restApiId=api_id, location={"type": "API", "method": "GET"}, properties="{}")
    assert error_of(e)[0] == "BadRequestException"
    with pytest.raises(ClientError) as e:
        client.create_documentation_part(restApiId=api_id, location={"type": "MODEL"}, properties="{}")
    assert error_of(e)[0] == "BadRequestException"
    part = client.create_documentation_part(restApiId=api_id, location={"type": "API"}, properties="{}")["id"]
    with pytest.raises(ClientError) as e:
        client.update_documentation_part(restApiId=api_id, documentationPartId=part, patchOperations=[
            {"op": "add", "path": "/properties", "value": "{}"}])
    assert error_of(e) == ("BadRequestException", "Invalid patch path  '/properties' specified for op 'add'. "
                           "Please choose supported operations", 400)
    with pytest.raises(ClientError) as e:
        client.update_documentation_part(restApiId=api_id, documentationPartId=part, patchOperations=[
            {"op": "replace", "path": "/invalidPath", "value": "{}"}])
    assert error_of(e) == ("BadRequestException", "Invalid patch path  '/invalidPath' specified for op 'replace'. "
                           "Must be one of: [/properties]", 400)


def test_documentation_parts_paging(client, api):
    api_id, _ = api
    ids = [client.create_documentation_part(restApiId=api_id, location={"type": "MODEL", "name": f"M{i}"},
                                            properties="{}")["id"] for i in range(5)]
    first = client.get_documentation_parts(restApiId=api_id, limit=2)
    assert [p["id"] for p in first["items"]] == ids[:2] and first["position"]
    rest = client.get_documentation_parts(restApiId=api_id, limit=10, position=first["position"])
    assert [p["id"] for p in rest["items"]] == ids[2:] and "position" not in rest
    named = client.get_documentation_parts(restApiId=api_id, nameQuery="m3")["items"]
    assert [p["id"] for p in named] == [ids[3]]


def test_documentation_versions_and_stage(client, api):
    api_id, dep = api
    v1 = client.create_documentation_version(restApiId=api_id, documentationVersion="v1", description="first")
    assert v1["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (v1["version"], v1["description"]) == ("v1", "first") and "createdDate" in v1
    with pytest.raises(ClientError) as e:
        client.create_documentation_version(restApiId=api_id, documentationVersion="v1")
    assert error_of(e)[0::2] == ("ConflictException", 409)
    v2 = client.create_documentation_version(restApiId=api_id, documentationVersion="v2", stageName="prod")
    assert client.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "v2"
    assert client.get_documentation_version(restApiId=api_id, documentationVersion="v2")["version"] == v2["version"]
    listed = client.get_documentation_versions(restApiId=api_id, limit=1)
    assert [v["version"] for v in listed["items"]] == ["v1"] and listed["position"]
    with pytest.raises(ClientError) as e:
        client.get_documentation_version(restApiId=api_id, documentationVersion="v9")
    assert error_of(e) == ("NotFoundException", "Invalid Documentation version specified", 404)
    with pytest.raises(ClientError) as e:
        client.create_documentation_version(restApiId=api_id, documentationVersion="v3", stageName="nope")
    assert error_of(e) == ("NotFoundException", "Invalid stage identifier specified", 404)
    # A stage's documentationVersion must name a version of the API.
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId=api_id, stageName="docs", deploymentId=dep, documentationVersion="v9")
    assert error_of(e) == ("BadRequestException", "Invalid Documentation version specified", 400)
    st = client.create_stage(restApiId=api_id, stageName="docs", deploymentId=dep, documentationVersion="v1")
    assert st["documentationVersion"] == "v1"
    with pytest.raises(ClientError) as e:
        client.update_stage(restApiId=api_id, stageName="docs", patchOperations=[
            {"op": "replace", "path": "/documentationVersion", "value": "v9"}])
    assert error_of(e) == ("BadRequestException", "Invalid Documentation version specified", 400)
    assert client.get_stage(restApiId=api_id, stageName="docs")["documentationVersion"] == "v1"
    up = client.update_stage(restApiId=api_id, stageName="docs", patchOperations=[
        {"op": "replace", "path": "/documentationVersion", "value": "v2"}])
    assert up["documentationVersion"] == "v2"
    assert client.delete_documentation_version(restApiId=api_id, documentationVersion="v1")["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.delete_documentation_version(restApiId=api_id, documentationVersion="v1")
    assert error_of(e) == ("NotFoundException", "Invalid Documentation version specified", 404)


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_documentation_with_the_aws_cli(emulator, api):
    api_id, _ = api
    out = aws(emulator, "create-documentation-part", "--rest-api-id", api_id, "--location", "type=API",
              "--properties", '{"description": "cli"}')
    assert out.returncode == 0, out.stderr
    part = json.loads(out.stdout)
    assert part["location"] == {"type": "API"}
    out = aws(emulator, "get-documentation-parts", "--rest-api-id", api_id)
    assert [p["id"] for p in json.loads(out.stdout)["items"]] == [part["id"]]
    out = aws(emulator, "create-documentation-version", "--rest-api-id", api_id, "--documentation-version", "1.0")
    assert out.returncode == 0, out.stderr
    out = aws(emulator, "get-documentation-version", "--rest-api-id", api_id, "--documentation-version", "2.0")
    assert out.returncode != 0 and "Invalid Documentation version specified" in out.stderr
