"""REST APIs, resources, methods and integrations."""

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of


def test_rest_api_crud(client):
    api = client.create_rest_api(name="crud", description="d")
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"] == {"types": ["EDGE"], "ipAddressType": "ipv4"}
    assert api["disableExecuteApiEndpoint"] is False
    got = client.get_rest_api(restApiId=api["id"])
    assert got["name"] == "crud" and got["rootResourceId"] == api["rootResourceId"]
    assert api["id"] in [a["id"] for a in client.get_rest_apis(limit=500)["items"]]
    assert client.delete_rest_api(restApiId=api["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.get_rest_api(restApiId=api["id"])
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:{api['id']}", 404)


def test_rest_api_validation(client):
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", description="")
    assert error_of(e) == ("BadRequestException", "Description cannot be an empty string", 400)
    with pytest.raises(ClientError) as e:
        client.create_rest_api(name="x", endpointConfiguration={"types": ["EDGE", "REGIONAL"]})
    assert error_of(e)[1] == "Cannot create an api with multiple Endpoint Types."
    private = client.create_rest_api(name="p", endpointConfiguration={"types": ["PRIVATE"]})
    assert private["endpointConfiguration"]["ipAddressType"] == "dualstack"


def test_paging_rest_apis(client):
    for i in range(3):
        client.create_rest_api(name=f"page-{i}")
    pages = list(client.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 2}))
    names = [a["name"] for p in pages for a in p["items"]]
    assert len(pages) >= 2 and len(names) == len(set(a["id"] for p in pages for a in p["items"]))
    assert {"page-0", "page-1", "page-2"} <= set(names)


def test_resources_and_methods(client):
    api = client.create_rest_api(name="res")
    api_id, root = api["id"], api["rootResourceId"]
    assert client.get_resources(restApiId=api_id)["items"] == [{"id": root, "path": "/"}]
    pets = client.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert pets["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (pets["parentId"], pets["pathPart"], pets["path"]) == (root, "pets", "/pets")
    pet = client.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}"
    assert client.get_resource(restApiId=api_id, resourceId=pet["id"])["path"] == "/pets/{petId}"

    with pytest.raises(ClientError) as e:
        client.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    assert error_of(e) == ("ConflictException", "Another resource with the same parent already has this name: pets", 409)
    with pytest.raises(ClientError) as e:
        client.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{other}")
    assert error_of(e)[1] == "A sibling ({petId}) of this resource already has a variable path part -- only one is allowed"
    with pytest.raises(ClientError) as e:
        client.get_resource(restApiId=api_id, resourceId="nope")
    assert error_of(e) == ("NotFoundException", "Invalid Resource identifier specified", 404)

    m = client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", authorizationType="NONE")
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert {k: m[k] for k in ("httpMethod", "authorizationType", "apiKeyRequired")} == {
        "httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": False}
    with pytest.raises(ClientError) as e:
        client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="FETCH", authorizationType="NONE")
    assert error_of(e)[1] == "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
    with pytest.raises(ClientError) as e:
        client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="POST", authorizationType="CUSTOM")
    assert error_of(e)[1].startswith("Invalid authorizer ID specified.")

    integ = client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="HTTP",
                                   integrationHttpMethod="GET", uri="http://example.com/pets")
    assert integ["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (integ["connectionType"], integ["passthroughBehavior"], integ["timeoutInMillis"]) == ("INTERNET", "WHEN_NO_MATCH", 29000)
    with pytest.raises(ClientError) as e:
        client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="HTTP", uri="http://x")
    assert error_of(e)[1] == "Enumeration value for HttpMethod must be non-empty"
    got = client.get_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")
    assert got["methodIntegration"]["uri"] == "http://example.com/pets"
    assert client.get_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")["type"] == "HTTP"
    listed = client.get_resources(restApiId=api_id)["items"]
    assert next(r for r in listed if r["id"] == pet["id"])["resourceMethods"] == {"GET": {}}

    assert client.delete_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        client.get_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")
    assert error_of(e) == ("NotFoundException", "Invalid Method identifier specified", 404)
    assert client.delete_resource(restApiId=api_id, resourceId=pets["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert [r["path"] for r in client.get_resources(restApiId=api_id)["items"]] == ["/"]


def test_deployment_needs_methods(client):
    api = client.create_rest_api(name="empty")
    with pytest.raises(ClientError) as e:
        client.create_deployment(restApiId=api["id"])
    assert error_of(e) == ("BadRequestException", "The REST API doesn't contain any methods", 400)
