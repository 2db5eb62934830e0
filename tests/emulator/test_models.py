"""Models: the two defaults of every API, CreateModel / GetModel(s) / DeleteModel, and references to them."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of

SCHEMA = json.dumps({"title": "Pet", "type": "object", "properties": {"name": {"type": "string"}}})


def test_every_api_has_empty_and_error(client):
    api_id = client.create_rest_api(name="models")["id"]
    models = {m["name"]: m for m in client.get_models(restApiId=api_id)["items"]}
    assert set(models) == {"Empty", "Error"}
    assert models["Empty"]["description"] == "This is a default empty schema model"
    assert models["Error"]["description"] == "This is a default error schema model"
    assert json.loads(models["Empty"]["schema"]) == {"$schema": "http://json-schema.org/draft-04/schema#",
                                                      "title": "Empty Schema", "type": "object"}
    assert json.loads(models["Error"]["schema"])["properties"] == {"message": {"type": "string"}}
    assert all(m["contentType"] == "application/json" and m["id"] for m in models.values())


def test_model_lifecycle_and_errors(client):
    api_id = client.create_rest_api(name="models")["id"]
    made = client.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA,
                               description="a pet")
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (made["name"], made["schema"], made["description"]) == ("Pet", SCHEMA, "a pet")
    assert client.get_model(restApiId=api_id, modelName="Pet")["id"] == made["id"]
    names = [m["name"] for m in client.get_models(restApiId=api_id)["items"]]
    assert names == ["Empty", "Error", "Pet"]
    page = client.get_models(restApiId=api_id, limit=2)
    assert len(page["items"]) == 2 and page["position"]
    with pytest.raises(ClientError) as e:
        client.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    assert error_of(e) == ("ConflictException", "Model name already exists for this REST API", 409)
    with pytest.raises(ClientError) as e:
        client.create_model(restApiId=api_id, name="", contentType="application/json", schema=SCHEMA)
    assert error_of(e) == ("BadRequestException", "Model name must be non-empty", 400)
    with pytest.raises(ClientError) as e:
        client.create_model(restApiId=api_id, name="NoSchema", contentType="application/json")
    assert error_of(e) == ("BadRequestException",
                           "Model schema must have at least 1 property or array items defined", 400)
    with pytest.raises(ClientError) as e:
        client.create_model(restApiId="nope", name="X", contentType="application/json", schema=SCHEMA)
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)
    with pytest.raises(ClientError) as e:
        client.get_model(restApiId="nope", modelName="MySchema")
    assert error_of(e) == ("NotFoundException", "Invalid model name specified: MySchema", 404)
    assert client.delete_model(restApiId=api_id, modelName="Pet")["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(e) == ("NotFoundException", "Invalid model name specified: Pet", 404)


def test_references_are_checked(client):
    api = client.create_rest_api(name="refs")
    api_id, root = api["id"], api["rootResourceId"]
    with pytest.raises(ClientError) as e:
        client.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                          requestModels={"application/json": "petModel"})
    assert error_of(e) == ("BadRequestException", "Invalid model identifier specified: petModel", 400)
    client.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema=SCHEMA)
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="ANY", authorizationType="NONE",
                      requestModels={"application/json": "Pet"})
    with pytest.raises(ClientError) as e:
        client.delete_model(restApiId=api_id, modelName="Pet")
    assert error_of(e) == ("ConflictException", "Cannot delete model 'Pet', is referenced in method request: //ANY", 409)
    m = {"restApiId": api_id, "resourceId": root, "httpMethod": "ANY"}
    with pytest.raises(ClientError) as e:
        client.put_method_response(**m, statusCode="200", responseModels={"application/json": "Nope"})
    assert error_of(e) == ("BadRequestException", "Invalid model identifier specified: Nope", 400)
    client.put_method_response(**m, statusCode="200", responseModels={"application/json": "Error"})
    with pytest.raises(ClientError) as e:
        client.update_method_response(**m, statusCode="200", patchOperations=[
            {"op": "add", "path": "/responseModels/text~1plain", "value": "Nope"}])
    assert error_of(e)[1] == "Invalid model identifier specified: Nope"
    with pytest.raises(ClientError) as e:
        client.delete_model(restApiId=api_id, modelName="Error")
    assert error_of(e)[0] == "ConflictException"
