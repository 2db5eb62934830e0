"""ImportRestApi, PutRestApi, GetExport and `stagecraft emulator --import` with a real-world OpenAPI file
(tests/fixtures/openapi/petstore.json: all three x-amazon-apigateway extensions)."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from botocore.exceptions import ClientError

from conftest import ROOT, error_of
from test_cli_and_demo import aws

PETSTORE = ROOT / "tests" / "fixtures" / "openapi" / "petstore.json"


def by_path(client, api_id):
    items = client.get_resources(restApiId=api_id, embed=["methods"], limit=500)["items"]
    return {r["path"]: r for r in items}


def summary(client, api_id):
    """path → verb → (authorizationType, authorizer name, apiKeyRequired, integration type, response codes)."""
    names = {a["id"]: a["name"] for a in client.get_authorizers(restApiId=api_id)["items"]}
    out = {}
    for path, r in by_path(client, api_id).items():
        for verb in r.get("resourceMethods", {}):
            m = client.get_method(restApiId=api_id, resourceId=r["id"], httpMethod=verb)
            i = m.get("methodIntegration", {})
            out.setdefault(path, {})[verb] = (m["authorizationType"], names.get(m.get("authorizerId")),
                                              m["apiKeyRequired"], i.get("type"),
                                              sorted(i.get("integrationResponses", {})))
    return out


def test_import_rest_api(client):
    api = client.import_rest_api(body=PETSTORE.read_bytes())
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (api["name"], api["version"], api["binaryMediaTypes"]) == ("PetStore", "2024-05-01", ["image/png"])
    api_id = api["id"]
    paths = by_path(client, api_id)
    assert sorted(paths) == ["/", "/pets", "/pets/{petId}", "/proxy", "/proxy/{proxy+}"]
    auths = client.get_authorizers(restApiId=api_id)["items"]
    assert [(a["name"], a["type"], a["identitySource"], a["authorizerResultTtlInSeconds"]) for a in auths] == [
        ("token-auth", "TOKEN", "method.request.header.Authorization", 60)]
    get = client.get_method(restApiId=api_id, resourceId=paths["/pets"]["id"], httpMethod="GET")
    assert (get["authorizationType"], get["authorizerId"], get["operationName"]) == ("CUSTOM", auths[0]["id"], "ListPets")
    assert get["requestParameters"] == {"method.request.querystring.type": False, "method.request.querystring.page": False}
    integ = get["methodIntegration"]
    assert (integ["type"], integ["httpMethod"], integ["uri"], integ["timeoutInMillis"], integ["passthroughBehavior"]) == (
        "HTTP", "GET", "http://petstore.example.com/petstore/pets", 5000, "WHEN_NO_MATCH")
    assert integ["cacheKeyParameters"] == ["method.request.querystring.type"]
    assert integ["integrationResponses"]["500"] == {"statusCode": "500", "selectionPattern": "5\\d{2}",
                                                    "responseParameters": {"method.response.header.X-Error": "'backend'"}}
    post = client.get_method(restApiId=api_id, resourceId=paths["/pets"]["id"], httpMethod="POST")
    assert (post["apiKeyRequired"], post["methodIntegration"]["type"]) == (True, "MOCK")
    pet = client.get_method(restApiId=api_id, resourceId=paths["/pets/{petId}"]["id"], httpMethod="GET")
    assert pet["authorizationType"] == "AWS_IAM"
    assert pet["requestParameters"] == {"method.request.path.petId": True, "method.request.header.X-Request-Id": True}
    proxy = client.get_method(restApiId=api_id, resourceId=paths["/proxy/{proxy+}"]["id"], httpMethod="ANY")
    assert proxy["methodIntegration"]["type"] == "AWS_PROXY"
    # The document's schemas are the API's models, and methods name them.
    models = {m["name"]: json.loads(m["schema"]) for m in client.get_models(restApiId=api_id)["items"]}
    assert {"Pet", "Pets", "Empty", "Error"} <= set(models) and models["Pets"]["type"] == "array"
    assert get["methodResponses"]["200"]["responseModels"] == {"application/json": "Pets"}
    assert post["requestModels"] == {"application/json": "Pet"}
    # The imported API deploys like any other.
    dep = client.create_deployment(restApiId=api_id, stageName="prod")
    assert dep["ResponseMetadata"]["HTTPStatusCode"] == 201


def test_import_yaml_and_bad_input(client):
    doc = json.loads(PETSTORE.read_text())
    api = client.import_rest_api(body=yaml.safe_dump(doc).encode())
    assert api["name"] == "PetStore" and "/proxy/{proxy+}" in by_path(client, api["id"])
    for bad in (b"not: [an, openapi, doc]", b"{\"swagger\": \"1.2\"}", b"- a\n- b\n", b"\x00\x01"):
        with pytest.raises(ClientError) as e:
            client.import_rest_api(body=bad)
        assert error_of(e) == ("BadRequestException", "Invalid OpenAPI input.", 400)
    # Without mode=import, POST /restapis is still CreateRestApi.
    assert client.create_rest_api(name="plain")["name"] == "plain"


def test_export_and_round_trip(client):
    api_id = client.import_rest_api(body=PETSTORE.read_bytes())["id"]
    client.create_deployment(restApiId=api_id, stageName="prod")
    plain = json.loads(client.get_export(restApiId=api_id, stageName="prod", exportType="oas30")["body"].read())
    assert plain["openapi"] == "3.0.1" and plain["info"]["title"] == "PetStore"
    assert plain["servers"][0]["variables"]["basePath"]["default"] == "prod"
    assert set(plain["paths"]) == {"/pets", "/pets/{petId}", "/proxy/{proxy+}"}
    assert "x-amazon-apigateway-any-method" in plain["paths"]["/proxy/{proxy+}"]
    assert "x-amazon-apigateway-integration" not in json.dumps(plain)
    assert "x-amazon-apigateway-authorizer" not in json.dumps(plain)
    full = client.get_export(restApiId=api_id, stageName="prod", exportType="oas30",
                             parameters={"extensions": "integrations,authorizers"}, accepts="application/yaml")
    assert full["contentType"] == "application/yaml"
    exported = yaml.safe_load(full["body"].read())
    assert exported["components"]["securitySchemes"]["token-auth"]["x-amazon-apigateway-authorizer"]["type"] == "token"
    assert exported["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["type"] == "http"
    # Only the models the methods use are exported, with their references in the document's form.
    assert set(exported["components"]["schemas"]) == {"Pet", "Pets"}
    assert exported["components"]["schemas"]["Pets"]["items"]["$ref"] == "#/components/schemas/Pet"
    assert exported["paths"]["/pets"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Pet"}
    again = client.import_rest_api(body=json.dumps(exported, default=str).encode())["id"]  # PyYAML reads dates
    assert summary(client, again) == summary(client, api_id)
    assert client.get_model(restApiId=again, modelName="Pets")["schema"] is not None
    swagger = json.loads(client.get_export(restApiId=api_id, stageName="prod", exportType="swagger",
                                           parameters={"extensions": "integrations,authorizers"})["body"].read())
    assert swagger["swagger"] == "2.0" and swagger["basePath"] == "/prod"
    assert swagger["definitions"]["Pets"]["items"]["$ref"] == "#/definitions/Pet"
    assert swagger["paths"]["/pets"]["get"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/Pets"}
    third = client.import_rest_api(body=json.dumps(swagger).encode())["id"]
    assert summary(client, third) == summary(client, api_id)
    with pytest.raises(ClientError) as e:
        client.get_export(restApiId=api_id, stageName="nope", exportType="oas30")
    assert error_of(e) == ("NotFoundException", "Invalid stage identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.get_export(restApiId=api_id, stageName="prod", exportType="postman")
    assert error_of(e)[0] == "BadRequestException"


def test_put_rest_api_merge_and_overwrite(client):
    api = client.create_rest_api(name="target")
    api_id = api["id"]
    keep = client.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="keep")
    client.put_method(restApiId=api_id, resourceId=keep["id"], httpMethod="GET", authorizationType="NONE")
    merged = client.put_rest_api(restApiId=api_id, mode="merge", body=PETSTORE.read_bytes())
    assert merged["ResponseMetadata"]["HTTPStatusCode"] == 200 and merged["name"] == "target"
    assert {"/keep", "/pets", "/proxy/{proxy+}"} <= set(by_path(client, api_id))
    client.put_rest_api(restApiId=api_id, mode="overwrite", body=PETSTORE.read_bytes())
    paths = by_path(client, api_id)
    assert "/keep" not in paths and "/pets/{petId}" in paths
    assert len(client.get_authorizers(restApiId=api_id)["items"]) == 1
    with pytest.raises(ClientError) as e:
        client.put_rest_api(restApiId="nope", mode="overwrite", body=PETSTORE.read_bytes())
    assert error_of(e)[0::2] == ("NotFoundException", 404)
    with pytest.raises(ClientError) as e:
        client.put_rest_api(restApiId=api_id, body=b"{}")
    assert error_of(e) == ("BadRequestException", "Invalid OpenAPI input.", 400)


def test_import_at_start_up(start_emulator, tmp_path):
    doc = json.loads(PETSTORE.read_text())
    doc["info"]["title"] = "FromYaml"
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(doc))
    emu = start_emulator("--import", str(PETSTORE), "--import", str(path))
    names = sorted(a["name"] for a in emu.client().get_rest_apis()["items"])
    assert names == ["FromYaml", "PetStore"]


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_import_with_the_aws_cli(emulator, tmp_path):
    out = aws(emulator, "import-rest-api", "--body", f"fileb://{PETSTORE}")
    assert out.returncode == 0, out.stderr
    api_id = json.loads(out.stdout)["id"]
    out = aws(emulator, "create-deployment", "--rest-api-id", api_id, "--stage-name", "v1")
    assert out.returncode == 0, out.stderr
    target = Path(tmp_path) / "export.json"
    out = aws(emulator, "get-export", "--rest-api-id", api_id, "--stage-name", "v1", "--export-type", "oas30",
              "--parameters", "extensions=integrations", str(target))
    assert out.returncode == 0, out.stderr
    assert "x-amazon-apigateway-integration" in target.read_text()
