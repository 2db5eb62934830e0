"""Gateway responses, with AWS's defaults and texts (LocalStack's AWS-validated snapshots)."""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCOUNT, KEY, REGION, SECRET, error_of

TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}


def fail(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return error_of(e)


def test_gateway_response_defaults_put_and_delete(client):
    api_id = client.create_rest_api(name="gateway-responses")["id"]
    default = client.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert (default["statusCode"], default["defaultResponse"], default["responseParameters"],
            default["responseTemplates"]) == ("403", True, {}, TEMPLATE)
    items = client.get_gateway_responses(restApiId=api_id)["items"]
    assert len(items) == 21 and items[0]["responseType"] == "ACCESS_DENIED"
    assert "statusCode" not in {i["responseType"]: i for i in items}["DEFAULT_4XX"]

    put = client.put_gateway_response(restApiId=api_id, responseType="DEFAULT_5XX", statusCode="599",
                                      responseParameters={"gatewayresponse.header.x-request-header":
                                                          "method.request.header.Accept"})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 201 and put["defaultResponse"] is False
    assert put["responseTemplates"] == TEMPLATE
    # The 5XX types without their own response follow DEFAULT_5XX; the 4XX ones do not.
    config = client.get_gateway_response(restApiId=api_id, responseType="API_CONFIGURATION_ERROR")
    assert (config["statusCode"], config["defaultResponse"]) == ("599", True)
    assert config["responseParameters"] == {"gatewayresponse.header.x-request-header": "method.request.header.Accept"}
    assert client.get_gateway_response(restApiId=api_id, responseType="THROTTLED")["statusCode"] == "429"

    assert client.delete_gateway_response(restApiId=api_id, responseType="DEFAULT_5XX")[
        "ResponseMetadata"]["HTTPStatusCode"] == 202
    assert client.get_gateway_response(restApiId=api_id, responseType="API_CONFIGURATION_ERROR")["statusCode"] == "500"
    assert fail(client.delete_gateway_response, restApiId=api_id, responseType="DEFAULT_5XX") == (
        "NotFoundException", "Gateway response type not defined on api", 404)


def test_update_gateway_response(client):
    api_id = client.create_rest_api(name="gateway-responses-update")["id"]
    out = client.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
        {"op": "replace", "path": "/statusCode", "value": "444"},
        {"op": "add", "path": "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin",
         "value": "'example.com'"},
        {"op": "add", "path": "/responseTemplates/application~1xml", "value": "<m>$context.error.messageString</m>"}])
    assert (out["statusCode"], out["defaultResponse"]) == ("444", False)
    assert out["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'example.com'"}
    assert set(out["responseTemplates"]) == {"application/json", "application/xml"}
    stored = client.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert {k: v for k, v in stored.items() if k != "ResponseMetadata"} == {
        k: v for k, v in out.items() if k != "ResponseMetadata"}

    for ops, expected in [
        ([{"op": "add", "path": "/statusCode", "value": "444"}],
         ("BadRequestException", "Invalid patch path /statusCode", 400)),
        ([{"op": "remove", "path": "/statusCode"}], ("BadRequestException", "Invalid patch path /statusCode", 400)),
        ([{"op": "add", "path": "/wrongPath", "value": "'example.com'"}],
         ("BadRequestException", "Invalid patch path /wrongPath", 400)),
        ([{"op": "replace", "path": "/responseParameters/gatewayresponse.header.x-missing", "value": "'x'"}],
         ("NotFoundException", "Invalid parameter name specified", 404)),
    ]:
        assert fail(client.update_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX",
                    patchOperations=ops) == expected


def test_gateway_response_validation(client, emulator):
    lax = boto3.client("apigateway", endpoint_url=emulator.url, region_name=REGION,
                                     aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                                     config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    api_id = client.create_rest_api(name="gateway-responses-validation")["id"]
    code, message, status = fail(lax.get_gateway_response, restApiId=api_id, responseType="FAKE_RESPONSE_TYPE")
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to "
                              "satisfy constraint: Member must satisfy enum value set: [REQUEST_TOO_LARGE, ")
    for call in [client.get_gateway_responses]:
        assert fail(call, restApiId="fake-api-id") == (
            "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:fake-api-id", 404)
    assert fail(client.get_gateway_response, restApiId="fake-api-id", responseType="DEFAULT_4XX") == (
        "NotFoundException", f"Invalid API identifier specified {ACCOUNT}:fake-api-id", 404)
