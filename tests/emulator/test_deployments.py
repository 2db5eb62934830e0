"""Deployments and their interplay with stages: stageName, canaries, promotion, delete refusal, paging."""

import pytest
from botocore.exceptions import ClientError

from conftest import error_of


def test_deployment_crud_and_paging(client, api):
    api_id, dep = api
    d = client.create_deployment(restApiId=api_id, description="second")
    assert d["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert set(d) - {"ResponseMetadata"} == {"id", "createdDate", "description"}
    got = client.get_deployment(restApiId=api_id, deploymentId=d["id"])
    assert (got["id"], got["description"]) == (d["id"], "second")
    summary = client.get_deployment(restApiId=api_id, deploymentId=d["id"], embed=["apisummary"])
    assert summary["apiSummary"] == {"/pets": {"GET": {"authorizationType": "NONE", "apiKeyRequired": False}}}
    client.create_deployment(restApiId=api_id)
    first = client.get_deployments(restApiId=api_id, limit=2)
    assert len(first["items"]) == 2 and "position" in first
    rest = client.get_deployments(restApiId=api_id, limit=2, position=first["position"])
    assert len(rest["items"]) == 1 and "position" not in rest
    assert [x["id"] for x in first["items"] + rest["items"]][0] == dep
    assert client.delete_deployment(restApiId=api_id, deploymentId=d["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.get_deployment(restApiId=api_id, deploymentId=d["id"])
    assert error_of(e) == ("NotFoundException", "Invalid Deployment identifier specified", 404)


def test_delete_refused_while_used(client, api):
    api_id, dep = api
    with pytest.raises(ClientError) as e:
        client.delete_deployment(restApiId=api_id, deploymentId=dep)
    assert error_of(e) == ("BadRequestException", "Active stages pointing to this deployment must be moved or deleted", 400)
    canary = client.create_deployment(restApiId=api_id, stageName="prod", canarySettings={"percentTraffic": 10})["id"]
    with pytest.raises(ClientError) as e:
        client.delete_deployment(restApiId=api_id, deploymentId=canary)
    assert error_of(e)[1] == "Active stages pointing to this deployment must be moved or deleted"


def test_stage_name_creates_or_repoints(client, api):
    api_id, dep = api
    d2 = client.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "2"})["id"]
    s = client.get_stage(restApiId=api_id, stageName="prod")
    assert (s["deploymentId"], s["variables"]) == (d2, {"v": "2"})
    d3 = client.create_deployment(restApiId=api_id, stageName="new", stageDescription="made by deploy")["id"]
    s = client.get_stage(restApiId=api_id, stageName="new")
    assert (s["deploymentId"], s["description"], s["methodSettings"], s["cacheClusterStatus"]) == (d3, "made by deploy", {}, "NOT_AVAILABLE")


def test_canary_errors(client, api):
    api_id, _ = api
    cases = [
        ({"canarySettings": {"percentTraffic": 50}},
         "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null"),
        ({"stageName": "", "canarySettings": {"percentTraffic": 50}},
         "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is "),
        ({"stageName": "non-existing", "canarySettings": {"percentTraffic": 50}},
         "Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as e:
            client.create_deployment(restApiId=api_id, **kwargs)
        assert error_of(e) == ("BadRequestException", message, 400)


def test_canary_and_promotion(client, api):
    api_id, dep = api
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/testVar", "value": "stage"},
        {"op": "replace", "path": "/variables/testVar2", "value": "kept"}])
    canary = client.create_deployment(restApiId=api_id, stageName="prod", canarySettings={
        "percentTraffic": 50, "stageVariableOverrides": {"testVar": "canary"}})["id"]
    s = client.get_stage(restApiId=api_id, stageName="prod")
    assert s["deploymentId"] == dep
    assert s["canarySettings"] == {"deploymentId": canary, "percentTraffic": 50.0,
                                   "stageVariableOverrides": {"testVar": "canary"}, "useStageCache": False}
    s = client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "0.0"},
        {"op": "copy", "from": "/canarySettings/deploymentId", "path": "/deploymentId"},
        {"op": "copy", "from": "/canarySettings/stageVariableOverrides", "path": "/variables"}])
    assert s["deploymentId"] == canary
    assert s["variables"] == {"testVar": "canary", "testVar2": "kept"}
    assert s["canarySettings"]["percentTraffic"] == 0.0
    s = client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[{"op": "remove", "path": "/canarySettings"}])
    assert "canarySettings" not in s
