"""Request validators, with AWS's texts (LocalStack's AWS-validated snapshots), and methods that name them."""

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, aws_cli, error_of

UNKNOWN = ("NotFoundException", "Invalid Request Validator identifier specified", 404)


def fail(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return error_of(e)


def test_request_validator_lifecycle(client):
    api = client.create_rest_api(name="validators")
    api_id = api["id"]
    v = client.create_request_validator(restApiId=api_id, name="body-only")
    assert (v["name"], v["validateRequestBody"], v["validateRequestParameters"]) == ("body-only", False, False)
    assert client.get_request_validator(restApiId=api_id, requestValidatorId=v["id"])["name"] == "body-only"
    assert [x["id"] for x in client.get_request_validators(restApiId=api_id)["items"]] == [v["id"]]
    on = client.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        {"op": "replace", "path": "/validateRequestBody", "value": "true"}])
    assert on["validateRequestBody"] is True
    off = client.update_request_validator(restApiId=api_id, requestValidatorId=v["id"], patchOperations=[
        {"op": "replace", "path": "/validateRequestBody"}])
    assert off["validateRequestBody"] is False

    # A method names a validator that exists, and only such.
    root = api["rootResourceId"]
    m = {"restApiId": api_id, "resourceId": root, "httpMethod": "POST"}
    assert fail(client.put_method, **m, authorizationType="NONE", requestValidatorId="nope") == (
        "BadRequestException", "Invalid Request Validator identifier specified", 400)
    client.put_method(**m, authorizationType="NONE", requestValidatorId=v["id"])
    assert client.get_method(**m)["requestValidatorId"] == v["id"]
    out = client.update_method(**m, patchOperations=[{"op": "replace", "path": "/requestValidatorId", "value": ""}])
    assert "requestValidatorId" not in out
    out = client.update_method(**m, patchOperations=[
        {"op": "replace", "path": "/requestValidatorId", "value": v["id"]}])
    assert out["requestValidatorId"] == v["id"]

    for ops, message in [
        ([{"op": "add", "path": "/validateRequestBody", "value": "true"}],
         "Invalid patch path  '/validateRequestBody' specified for op 'add'. Please choose supported operations"),
        ([{"op": "replace", "path": "/invalidPath", "value": "true"}],
         "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: "
         "[/name, /validateRequestParameters, /validateRequestBody]"),
        ([{"op": "replace", "path": "/name", "value": ""}], "Request Validator name cannot be blank"),
    ]:
        assert fail(client.update_request_validator, restApiId=api_id, requestValidatorId=v["id"],
                    patchOperations=ops) == ("BadRequestException", message, 400)

    assert client.delete_request_validator(restApiId=api_id, requestValidatorId=v["id"])[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    assert fail(client.get_request_validator, restApiId=api_id, requestValidatorId=v["id"]) == UNKNOWN
    assert client.get_request_validators(restApiId=api_id)["items"] == []


def test_request_validators_of_an_unknown_api(client, emulator):
    assert fail(client.create_request_validator, restApiId="test-fake-rest-id", name="x") == (
        "BadRequestException", "Invalid REST API identifier specified", 400)
    assert fail(client.get_request_validators, restApiId="test-fake-rest-id") == (
        "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:test-fake-rest-id", 404)
    for call in [client.get_request_validator, client.delete_request_validator]:
        assert fail(call, restApiId="api_id", requestValidatorId="v1") == UNKNOWN
    cli = aws_cli(emulator, "get-request-validator", "--rest-api-id", "api_id", "--request-validator-id", "v1")
    assert cli.returncode != 0 and "Invalid Request Validator identifier specified" in cli.stderr
