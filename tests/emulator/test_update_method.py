"""UpdateMethod, with AWS's texts."""

import pytest
from botocore.exceptions import ClientError

from conftest import error_of


def test_update_method(client):
    api = client.create_rest_api(name="update-method")
    api_id, root = api["id"], api["rootResourceId"]
    m = {"restApiId": api_id, "resourceId": root, "httpMethod": "ANY"}
    client.put_method(**m, authorizationType="NONE", apiKeyRequired=True)

    def fail(*ops, **target):
        with pytest.raises(ClientError) as e:
            client.update_method(**{**m, **target}, patchOperations=list(ops))
        return error_of(e)

    out = client.update_method(**m, patchOperations=[
        {"op": "replace", "path": "/apiKeyRequired", "value": "whatever"},
        {"op": "replace", "path": "/operationName", "value": "ListThings"},
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "true"},
        {"op": "add", "path": "/requestModels/application~1json", "value": "Empty"}])
    assert out["apiKeyRequired"] is False and out["operationName"] == "ListThings"
    assert out["requestParameters"] == {"method.request.querystring.q": True}
    assert out["requestModels"] == {"application/json": "Empty"}
    assert client.get_method(**m)["operationName"] == "ListThings"
    assert fail({"op": "replace", "path": "/operationName", "value": "x"}, restApiId="nope") == (
        "NotFoundException", "Invalid Resource identifier specified", 404)
    assert fail({"op": "replace", "path": "/operationName", "value": "x"}, httpMethod="GET") == (
        "NotFoundException", "Invalid Method identifier specified", 404)
    assert fail({"op": "add", "path": "/operationName", "value": "x"}) == (
        "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]", 400)
    assert fail({"op": "add", "path": "/httpMethod", "value": "PUT"}) == (
        "BadRequestException", "Invalid patch path /httpMethod", 400)
    assert fail({"op": "add", "path": "/requestModels/application/json", "value": "Empty"}) == (
        "BadRequestException", "Invalid patch path /requestModels/application/json", 400)
    needs = ("BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
             "COGNITO_USER_POOLS requires a valid authorizer.", 400)
    assert fail({"op": "replace", "path": "/authorizationType", "value": "CUSTOM"}) == needs
    assert fail({"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
                {"op": "replace", "path": "/authorizerId", "value": "abc123"}) == needs
    assert fail({"op": "replace", "path": "/requestValidatorId", "value": "wrong-id"}) == (
        "BadRequestException", "Invalid Request Validator identifier specified", 400)
    with pytest.raises(ClientError) as e:
        client.update_method(**m, patchOperations=[{"op": "bogus", "path": "/operationName"}])
    assert "'updateMethodInput.patchOperations.1.member.op'" in error_of(e)[1]
