"""The AWS CLI against the emulator, and the --demo seed."""

import json
import shutil

import pytest

from conftest import aws_cli as aws
from conftest import make_api


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_aws_cli_create_and_update_stage(emulator, client):
    api_id, dep = make_api(client, stage=None)
    created = aws(emulator, "create-stage", "--rest-api-id", api_id, "--stage-name", "cli", "--deployment-id", dep)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["stageName"] == "cli"
    updated = aws(emulator, "update-stage", "--rest-api-id", api_id, "--stage-name", "cli", "--patch-operations",
                  "op=replace,path=/*/*/logging/loglevel,value=INFO", "op=replace,path=/variables/v,value=1")
    assert updated.returncode == 0, updated.stderr
    body = json.loads(updated.stdout)
    assert body["methodSettings"]["*/*"]["loggingLevel"] == "INFO" and body["variables"] == {"v": "1"}
    listed = aws(emulator, "get-stages", "--rest-api-id", api_id)
    assert listed.returncode == 0, listed.stderr
    assert [s["stageName"] for s in json.loads(listed.stdout)["item"]] == ["cli"]
    bad = aws(emulator, "get-stage", "--rest-api-id", api_id, "--stage-name", "nope")
    assert bad.returncode != 0 and "NotFoundException" in bad.stderr and "Invalid stage identifier specified" in bad.stderr


def test_demo_seed(start_emulator):
    emu = start_emulator("--demo")
    c = emu.client()
    apis = [a for a in c.get_rest_apis()["items"] if a["name"] == "petstore-demo"]
    assert len(apis) == 1
    api_id = apis[0]["id"]
    paths = sorted(r["path"] for r in c.get_resources(restApiId=api_id)["items"])
    assert paths == ["/", "/orders", "/pets", "/pets/{petId}"]
    stages = {s["stageName"]: s for s in c.get_stages(restApiId=api_id)["item"]}
    assert set(stages) == {"dev", "prod"}
    prod = stages["prod"]
    assert "*/*" in prod["methodSettings"]
    assert prod["methodSettings"]["~1pets/GET"]["unauthorizedCacheControlHeaderStrategy"] == "FAIL_WITH_403"
    assert prod["methodSettings"]["~1pets~1{petId}/GET"]["requireAuthorizationForCacheControl"] is False
    assert prod["variables"] and prod["accessLogSettings"]["destinationArn"]
    assert len(c.get_deployments(restApiId=api_id)["items"]) == 3
    auth = c.get_authorizers(restApiId=api_id)["items"][0]
    assert auth["type"] == "TOKEN"
    for token, status in (("allow", 0), ("deny", 0), ("unauthorized", 401), ("other", 500)):
        r = c.test_invoke_authorizer(restApiId=api_id, authorizerId=auth["id"], headers={"Authorization": token})
        assert r["clientStatus"] == status, token
