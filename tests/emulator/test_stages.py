"""Stages: CreateStage defaults, GetStage(s), UpdateStage semantics and every error of docs/aws-behaviour.md §3.6, DeleteStage."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import ACCOUNT, error_of, make_api

PATHS = "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"

NEW_KEY_DEFAULTS = {
    "cacheDataEncrypted": False, "cacheTtlInSeconds": 300, "cachingEnabled": False, "dataTraceEnabled": False,
    "metricsEnabled": False, "requireAuthorizationForCacheControl": True, "throttlingBurstLimit": 5000,
    "throttlingRateLimit": 10000.0, "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}


def strip(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def update(client, api_id, *ops, stage="prod"):
    return client.update_stage(restApiId=api_id, stageName=stage, patchOperations=list(ops))


def rep(path, value):
    return {"op": "replace", "path": path, "value": value}


def test_create_stage_defaults(client):
    api_id, dep = make_api(client, stage=None)
    client.create_documentation_version(restApiId=api_id, documentationVersion="v123")
    s = client.create_stage(restApiId=api_id, stageName="s1", deploymentId=dep, description="my stage",
                            documentationVersion="v123")
    assert s["ResponseMetadata"]["HTTPStatusCode"] == 201
    body = strip(s)
    assert set(body) == {"cacheClusterEnabled", "cacheClusterStatus", "createdDate", "deploymentId", "description",
                         "documentationVersion", "lastUpdatedDate", "methodSettings", "stageName", "tracingEnabled"}
    assert (body["cacheClusterEnabled"], body["cacheClusterStatus"], body["methodSettings"], body["tracingEnabled"]) == (
        False, "NOT_AVAILABLE", {}, False)
    assert strip(client.get_stage(restApiId=api_id, stageName="s1")) == body


def test_create_stage_errors(client, api):
    api_id, dep = api
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId=api_id, stageName="prod", deploymentId=dep)
    assert error_of(e) == ("ConflictException", "Stage already exists", 409)
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId=api_id, stageName="bad name", deploymentId=dep)
    assert error_of(e) == ("BadRequestException", "Stage name only allows a-zA-Z0-9_", 400)
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId=api_id, stageName="x", deploymentId="nope")
    assert error_of(e)[1] == "Deployment id does not exist"
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId=api_id, stageName="x", deploymentId=dep, variables={"a": ""})
    assert error_of(e)[1].startswith("Invalid stage variable value: .  Please use values")
    with pytest.raises(ClientError) as e:
        client.create_stage(restApiId="nope", stageName="x", deploymentId=dep)
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:nope", 404)


def test_get_stages_filter(client, api):
    api_id, dep = api
    dep2 = client.create_deployment(restApiId=api_id, stageName="beta")["id"]
    assert [s["stageName"] for s in client.get_stages(restApiId=api_id)["item"]] == ["beta", "prod"]
    assert [s["stageName"] for s in client.get_stages(restApiId=api_id, deploymentId=dep)["item"]] == ["prod"]
    assert [s["stageName"] for s in client.get_stages(restApiId=api_id, deploymentId=dep2)["item"]] == ["beta"]


def test_new_key_defaults_and_star_copy(client, api):
    api_id, _ = api
    s = update(client, api_id, rep("/~1pets/GET/caching/enabled", "true"))
    assert s["methodSettings"] == {"~1pets/GET": {**NEW_KEY_DEFAULTS, "cachingEnabled": True}}
    # */* set first in the same request is copied into a new key; a later */* change is not.
    s = update(client, api_id, rep("/*/*/throttling/burstLimit", "123"), rep("/*/*/logging/loglevel", "INFO"),
               rep("/test/GET/throttling/burstLimit", "124"), rep("/*/*/throttling/burstLimit", "100"))
    assert s["methodSettings"]["*/*"]["throttlingBurstLimit"] == 100
    assert s["methodSettings"]["test/GET"]["throttlingBurstLimit"] == 124
    assert s["methodSettings"]["test/GET"]["loggingLevel"] == "INFO"
    assert s["methodSettings"]["~1pets/GET"]["throttlingBurstLimit"] == 5000


def test_remove_whole_key(client, api):
    api_id, _ = api
    update(client, api_id, rep("/*/*/caching/enabled", "true"), rep("/~1pets/GET/metrics/enabled", "true"))
    s = update(client, api_id, {"op": "remove", "path": "/*/*"})
    assert list(s["methodSettings"]) == ["~1pets/GET"]
    with pytest.raises(ClientError) as e:
        update(client, api_id, {"op": "remove", "path": "/~1pets/GET/metrics/enabled"})
    assert error_of(e)[1] == "Cannot remove method setting ~1pets/GET/metrics/enabled because there is no method setting for this method "
    s = update(client, api_id, {"op": "remove", "path": "/~1pets/GET"})
    assert s["methodSettings"] == {}


def test_stage_fields_variables_access_log_tracing(client, api):
    api_id, _ = api
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api-logs"
    s = update(client, api_id, rep("/description", "stage new"), rep("/variables/var1", "test"),
               rep("/tracingEnabled", "true"), {"op": "add", "path": "/accessLogSettings/destinationArn", "value": arn},
               rep("/accessLogSettings/format", "$context.requestId $context.status"),
               rep("/cacheClusterEnabled", "true"), rep("/cacheClusterSize", "0.5"))
    assert (s["description"], s["variables"], s["tracingEnabled"]) == ("stage new", {"var1": "test"}, True)
    assert s["accessLogSettings"] == {"destinationArn": arn, "format": "$context.requestId $context.status"}
    assert (s["cacheClusterEnabled"], s["cacheClusterStatus"], s["cacheClusterSize"]) == (True, "AVAILABLE", "0.5")
    s = update(client, api_id, {"op": "remove", "path": "/accessLogSettings"}, {"op": "remove", "path": "/variables/var1"},
               rep("/cacheClusterEnabled", "false"))
    assert "accessLogSettings" not in s and "variables" not in s
    assert s["cacheClusterStatus"] == "NOT_AVAILABLE"
    assert s["lastUpdatedDate"] >= s["createdDate"]


ERRORS = [
    ([rep("/documentation_version", "v")], f"Invalid method setting path: /documentation_version. Must be one of: {PATHS}"),
    ([rep("/tags/tag1", "v")], f"Invalid method setting path: /tags/tag1. Must be one of: {PATHS}"),
    ([rep("/canarySettings", "test")], f"Invalid method setting path: /canarySettings. Must be one of: {PATHS}"),
    ([rep("/canarySettings/badPath", "x")], f"Invalid method setting path: /canarySettings/badPath. Must be one of: {PATHS}"),
    ([{"op": "remove", "path": "/*/*"}], "Cannot remove method setting */* because there is no method setting for this method "),
    ([{"op": "remove", "path": "/canarySettings/badPath"}], "Cannot remove method setting canarySettings/badPath because there is no method setting for this method "),
    ([{"op": "remove", "path": "/accessLogSettings/randomValue"}], "Cannot remove method setting accessLogSettings/randomValue because there is no method setting for this method "),
    ([{"op": "add", "path": "/accessLogSettings/randomValue", "value": "x"}], "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"),
    ([rep("/accessLogSettings/*", "x")], "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"),
    ([rep("/accessLogSettings", "test")], "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]"),
    ([rep("/accessLogSettings/destinationArn", "")], "Access Log value must not be empty"),
    ([rep("/accessLogSettings/format", "")], "Access Log value must not be empty"),
    ([{"op": "add", "path": "/canarySettings/deploymentId", "value": "x"}], "Invalid add operation with path: /canarySettings/deploymentId"),
    ([rep("/canarySettings/deploymentId", "deploy")], "Deployment id does not exist"),
    ([{"op": "copy", "from": "/variables", "path": "/canarySettings/stageVariableOverrides"}],
     "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from /variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"),
    ([{"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"}], "Promotion not available. Canary does not exist."),
    ([rep("/variables/owner:application-name", "x")], "Invalid stage variable name: owner:application-name.  Please use names with only word characters."),
    ([rep("/variables/ok", "bad\tvalue")], "Invalid stage variable value: bad\tvalue.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."),
    ([rep("/*/*/caching/ttlInSeconds", "3601")], "Invalid time-to-live setting, must be an integer no greater than 3600"),
]


@pytest.mark.parametrize("ops,message", ERRORS, ids=[e[1][:48] for e in ERRORS])
def test_update_stage_errors(client, api, ops, message):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        update(client, api_id, *ops)
    assert error_of(e) == ("BadRequestException", message, 400)


def test_access_log_destination_rule(client, api):
    api_id, _ = api
    with pytest.raises(ClientError) as e:
        update(client, api_id, rep("/accessLogSettings/destinationArn", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:x:*"))
    assert error_of(e)[1].startswith("Access log destination must only contain characters a-z, A-Z, 0-9")


def test_missing_stage_and_api(client, api):
    api_id, _ = api
    for call in (lambda: client.get_stage(restApiId=api_id, stageName="nope"),
                 lambda: update(client, api_id, rep("/description", "x"), stage="nope"),
                 lambda: client.delete_stage(restApiId=api_id, stageName="nope")):
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("NotFoundException", "Invalid stage identifier specified", 404)
    with pytest.raises(ClientError) as e:
        client.get_stages(restApiId="missing")
    assert error_of(e) == ("NotFoundException", f"Invalid API identifier specified {ACCOUNT}:missing", 404)


def raw_stage(client, api_id):
    """GetStage's body bytes as sent by the emulator."""
    captured = {}

    def grab(response_dict, **kwargs):
        captured["body"] = response_dict["body"]

    client.meta.events.register("before-parse.api-gateway.GetStage", grab)
    client.get_stage(restApiId=api_id, stageName="prod")
    client.meta.events.unregister("before-parse.api-gateway.GetStage", grab)
    return captured["body"]


def test_atomicity_byte_identical(client, api):
    api_id, _ = api
    update(client, api_id, rep("/*/*/metrics/enabled", "true"), rep("/variables/a", "1"))
    before = raw_stage(client, api_id)
    with pytest.raises(ClientError):
        update(client, api_id, rep("/description", "changed"), rep("/variables/b", "2"),
               rep("/*/*/caching/ttlInSeconds", "99999"), rep("/tracingEnabled", "true"))
    assert raw_stage(client, api_id) == before
    assert json.loads(before)["variables"] == {"a": "1"}


def test_delete_stage(client, api):
    api_id, _ = api
    assert client.delete_stage(restApiId=api_id, stageName="prod")["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert client.get_stages(restApiId=api_id)["item"] == []
