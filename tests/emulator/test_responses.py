"""Method responses, integration responses and DeleteIntegration, with AWS's texts."""

import shutil

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli, error_of

STATUS_PATTERN = ("1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: "
                  "Member must satisfy regular expression pattern: [1-5]\\d\\d")


@pytest.fixture()
def method(client):
    api = client.create_rest_api(name="responses")
    api_id, root = api["id"], api["rootResourceId"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    return {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}


def test_method_response_lifecycle(client, method):
    put = client.put_method_response(**method, statusCode="200", responseParameters={}, responseModels={})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (put["statusCode"], put["responseParameters"], put["responseModels"]) == ("200", {}, {})
    got = client.get_method_response(**method, statusCode="200")
    assert got["statusCode"] == "200"
    added = client.update_method_response(**method, statusCode="200", patchOperations=[
        {"op": "add", "path": "/responseParameters/method.response.header.my-header", "value": "true"},
        {"op": "add", "path": "/responseModels/application~1json", "value": "Empty"}])
    assert added["responseParameters"] == {"method.response.header.my-header": True}
    assert added["responseModels"] == {"application/json": "Empty"}
    m = client.get_method(**method)
    assert m["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    listed = client.get_resources(restApiId=method["restApiId"], embed=["methods"])["items"]
    assert listed[0]["resourceMethods"]["GET"]["methodResponses"]["200"]["statusCode"] == "200"
    removed = client.update_method_response(**method, statusCode="200", patchOperations=[
        {"op": "remove", "path": "/responseParameters/method.response.header.my-header"},
        {"op": "remove", "path": "/responseModels/application~1json"}])
    assert "responseParameters" not in removed and "responseModels" not in removed
    deleted = client.delete_method_response(**method, statusCode="200")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "methodResponses" not in client.get_method(**method)
    with pytest.raises(ClientError) as e:
        client.get_method_response(**method, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Response status code specified", 404)


def test_method_response_errors(client, method):
    client.put_method_response(**method, statusCode="200",
                               responseParameters={"method.response.header.my-header": False},
                               responseModels={"application/json": "Empty"})
    cases = [
        ({"op": "replace", "path": "/responseParameters/wrong", "value": "true"},
         ("NotFoundException", "Invalid parameter name specified", 404)),
        ({"op": "remove", "path": "/responseModels/wrong"},
         ("NotFoundException", "Content-Type specified was not found", 404)),
        ({"op": "remove", "path": "/wrong/method.response.header.my-header"},
         ("BadRequestException", "Invalid patch path /wrong/method.response.header.my-header", 400)),
    ]
    for op, expected in cases:
        with pytest.raises(ClientError) as e:
            client.update_method_response(**method, statusCode="200", patchOperations=[op])
        assert error_of(e) == expected, op
    with pytest.raises(ClientError) as e:
        client.update_method_response(**method, statusCode="201", patchOperations=[
            {"op": "replace", "path": "/responseParameters/method.response.header.my-header", "value": "true"}])
    assert error_of(e) == ("NotFoundException", "Invalid Response status code specified", 404)
    with pytest.raises(ClientError) as e:
        client.update_method_response(**method, statusCode="wrong", patchOperations=[
            {"op": "wrong_op", "path": "/responseParameters/method.response.header.my-header", "value": "true"}])
    assert error_of(e) == ("ValidationException", "2 validation errors detected: Value 'wrong_op' at "
                           "'updateMethodResponseInput.patchOperations.1.member.op' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [add, remove, move, test, replace, copy]; Value "
                           "'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular "
                           "expression pattern: [1-5]\\d\\d", 400)
    with pytest.raises(ClientError) as e:
        client.put_method_response(**method, statusCode="wrong")
    assert error_of(e) == ("ValidationException", STATUS_PATTERN, 400)
    with pytest.raises(ClientError) as e:
        client.get_method_response(**{**method, "resourceId": "nope"}, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.get_method_response(**{**method, "restApiId": "nope"}, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Resource identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.delete_method_response(**{**method, "httpMethod": "POST"}, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Method identifier specified", 404)


def test_integration_response_lifecycle(client, method):
    with pytest.raises(ClientError) as e:
        client.get_integration_response(**method, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Integration identifier specified", 404)
    client.put_integration(**method, type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    put = client.put_integration_response(**method, statusCode="200", selectionPattern="",
                                          responseTemplates={"application/json": '"created"'})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert put["selectionPattern"] == "" and put["responseTemplates"] == {"application/json": '"created"'}
    assert client.get_integration_response(**method, statusCode="200")["statusCode"] == "200"
    updated = client.update_integration_response(**method, statusCode="200", patchOperations=[
        {"op": "replace", "path": "/selectionPattern", "value": "updated-pattern"}])
    assert updated["selectionPattern"] == "updated-pattern"
    over = client.put_integration_response(**method, statusCode="200", selectionPattern="overwrite-pattern",
                                           responseTemplates={"application/json": "overwrite"})
    assert over["selectionPattern"] == "overwrite-pattern"
    integration = client.get_method(**method)["methodIntegration"]
    assert integration["integrationResponses"]["200"]["responseTemplates"] == {"application/json": "overwrite"}
    assert client.get_integration(**method)["integrationResponses"]["200"]["statusCode"] == "200"
    empty = client.put_integration_response(**method, statusCode="400", selectionPattern="",
                                            responseTemplates={"application/json": ""})
    assert empty["responseTemplates"] == {"application/json": None}
    with pytest.raises(ClientError) as e:
        client.put_integration_response(**method, statusCode="200", responseTemplates={"123": "x"})
    assert error_of(e) == ("BadRequestException",
                           "Validation Result: warnings : [], errors : [Invalid content type specified: 123]", 400)
    assert client.delete_integration_response(**method, statusCode="200")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        client.delete_integration_response(**method, statusCode="200")
    assert error_of(e) == ("NotFoundException", "Invalid Response status code specified", 404)
    with pytest.raises(ClientError) as e:
        client.delete_integration_response(**{**method, "httpMethod": "POST"}, statusCode="400")
    assert error_of(e) == ("NotFoundException", "Invalid Integration identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.get_integration_response(**method, statusCode="wrong")
    assert error_of(e) == ("ValidationException", STATUS_PATTERN, 400)
    assert client.delete_integration(**method)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        client.get_integration(**method)
    assert error_of(e) == ("NotFoundException", "Invalid Integration identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.delete_integration(**method)
    assert error_of(e) == ("NotFoundException", "Invalid Integration identifier specified", 404)


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_aws_cli_method_and_integration_responses(emulator, client, method):
    args = ["--rest-api-id", method["restApiId"], "--resource-id", method["resourceId"], "--http-method", "GET"]
    out = aws_cli(emulator, "put-method-response", *args, "--status-code", "200",
                  "--response-models", '{"application/json": "Empty"}')
    assert out.returncode == 0, out.stderr
    client.put_integration(**method, type="MOCK")
    out = aws_cli(emulator, "put-integration-response", *args, "--status-code", "200", "--selection-pattern", "")
    assert out.returncode == 0, out.stderr
    out = aws_cli(emulator, "get-integration-response", *args, "--status-code", "404")
    assert out.returncode != 0 and "Invalid Response status code specified" in out.stderr
