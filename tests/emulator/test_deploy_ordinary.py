"""An API deployed the ordinary way, in the order a Terraform configuration makes the calls: rest API →
resource → method → method response → integration → integration response → deployment → stage →
method settings (UpdateStage), then invoked through the data plane."""

import json
import urllib.error
import urllib.request


def invoke(emu, api, stage, path):
    url = f"{emu.url}/restapis/{api}/{stage}/_user_request_{path}"
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_deploy_the_ordinary_way(emulator, client):
    api = client.create_rest_api(name="terraform-shaped", endpointConfiguration={"types": ["REGIONAL"]})
    api_id = api["id"]
    pets = client.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="pets")["id"]
    missing = client.create_resource(restApiId=api_id, parentId=api["rootResourceId"], pathPart="missing")["id"]
    for rid, status in ((pets, 200), (missing, 404)):
        m = {"restApiId": api_id, "resourceId": rid, "httpMethod": "GET"}
        client.put_method(**m, authorizationType="NONE")
        client.put_method_response(**m, statusCode="200", responseModels={"application/json": "Empty"},
                                   responseParameters={"method.response.header.X-Kind": False})
        client.put_method_response(**m, statusCode="404", responseModels={"application/json": "Error"})
        client.put_integration(**m, type="MOCK", requestTemplates={"application/json": json.dumps({"statusCode": status})})
        client.put_integration_response(**m, statusCode="200",
                                        responseTemplates={"application/json": '{"pets": ["rex"]}'})
        client.put_integration_response(**m, statusCode="404", selectionPattern="404",
                                        responseTemplates={"application/json": '{"message": "no such thing"}'})
    got = client.get_method(restApiId=api_id, resourceId=pets, httpMethod="GET")
    assert set(got["methodResponses"]) == {"200", "404"}
    assert set(got["methodIntegration"]["integrationResponses"]) == {"200", "404"}
    dep = client.create_deployment(restApiId=api_id, description="v1")["id"]
    client.create_stage(restApiId=api_id, stageName="prod", deploymentId=dep)
    stage = client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/~1pets/GET/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/~1pets/GET/throttling/burstLimit", "value": "50"}])
    assert stage["methodSettings"]["~1pets/GET"]["throttlingRateLimit"] == 100.0
    assert invoke(emulator, api_id, "prod", "/pets") == (200, '{"pets": ["rex"]}')
    assert invoke(emulator, api_id, "prod", "/missing") == (404, '{"message": "no such thing"}')
    # The stage serves its deployment's snapshot: a later change shows only after a redeploy.
    client.update_integration_response(restApiId=api_id, resourceId=pets, httpMethod="GET", statusCode="200",
                                       patchOperations=[{"op": "replace", "path": "/responseTemplates/application~1json",
                                                         "value": '{"pets": []}'}])
    assert invoke(emulator, api_id, "prod", "/pets") == (200, '{"pets": ["rex"]}')
    client.create_deployment(restApiId=api_id, stageName="prod")
    assert invoke(emulator, api_id, "prod", "/pets") == (200, '{"pets": []}')
