"""Usage plans, usage plan keys and API keys, as far as stages are concerned (boto3 and the AWS CLI)."""

import json
import shutil

import pytest
from botocore.exceptions import ClientError

from conftest import error_of, make_api
from test_cli_and_demo import aws

UNFORMATTED = "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s"


def test_usage_plan_crud(client, api):
    api_id, _ = api
    plan = client.create_usage_plan(name="basic", description="d", apiStages=[
        {"apiId": api_id, "stage": "prod", "throttle": {"/pets/GET": {"burstLimit": 5, "rateLimit": 2.0}}}],
        throttle={"burstLimit": 10, "rateLimit": 5.0}, quota={"limit": 100, "offset": 0, "period": "DAY"})
    assert plan["ResponseMetadata"]["HTTPStatusCode"] == 201
    pid = plan["id"]
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod",
                                  "throttle": {"/pets/GET": {"burstLimit": 5, "rateLimit": 2.0}}}]
    assert (plan["throttle"], plan["quota"]) == ({"burstLimit": 10, "rateLimit": 5.0},
                                                 {"limit": 100, "offset": 0, "period": "DAY"})
    got = client.get_usage_plan(usagePlanId=pid)
    assert (got["name"], got["description"], got["apiStages"]) == ("basic", "d", plan["apiStages"])
    assert pid in [p["id"] for p in client.get_usage_plans()["items"]]
    up = client.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "replace", "path": "/name", "value": "pro"},
        {"op": "replace", "path": "/quota/limit", "value": "5000"},
        {"op": "replace", "path": "/quota/period", "value": "MONTH"},
        {"op": "replace", "path": f"/apiStages/{api_id}:prod/throttle//pets/GET/rateLimit", "value": "9"},
        {"op": "remove", "path": "/throttle"}])
    assert (up["name"], up["quota"], "throttle" in up) == ("pro", {"limit": 5000, "offset": 0, "period": "MONTH"}, False)
    assert up["apiStages"][0]["throttle"] == {"/pets/GET": {"burstLimit": 5, "rateLimit": 9.0}}
    # A plan that still covers a stage cannot be deleted.
    with pytest.raises(ClientError) as e:
        client.delete_usage_plan(usagePlanId=pid)
    assert error_of(e) == ("BadRequestException", f"Cannot delete Usage Plan {pid} because there are API Stages "
                           f"associated with it, including {api_id}:prod", 400)
    client.update_usage_plan(usagePlanId=pid, patchOperations=[
        {"op": "remove", "path": "/apiStages", "value": f"{api_id}:prod"}])
    assert client.delete_usage_plan(usagePlanId=pid)["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.get_usage_plan(usagePlanId=pid)
    assert error_of(e) == ("NotFoundException", "Invalid Usage Plan ID specified", 404)


def test_usage_plan_stage_checks(client, api):
    api_id, _ = api
    for stage in ({"apiId": api_id, "stage": "dev"}, {"apiId": "nope", "stage": "prod"}):
        with pytest.raises(ClientError) as e:
            client.create_usage_plan(name="p", apiStages=[stage])
        assert error_of(e) == ("BadRequestException", UNFORMATTED, 400)
    pid = client.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    with pytest.raises(ClientError) as e:
        client.update_usage_plan(usagePlanId="nope", patchOperations=[{"op": "replace", "path": "/name", "value": "x"}])
    assert error_of(e) == ("NotFoundException", "Invalid Usage Plan ID specified", 404)
    for value in (None, "no-colon"):
        op = {"op": "remove", "path": "/apiStages"}
        if value:
            op["value"] = value
        with pytest.raises(ClientError) as e:
            client.update_usage_plan(usagePlanId=pid, patchOperations=[op])
        assert error_of(e) == ("BadRequestException", "Invalid API Stage specified", 400)
    for api, stage in ((api_id + "b", "prod"), (api_id, "fakestagename")):
        with pytest.raises(ClientError) as e:
            client.update_usage_plan(usagePlanId=pid, patchOperations=[
                {"op": "remove", "path": "/apiStages", "value": f"{api}:{stage}"}])
        assert error_of(e) == ("NotFoundException",
                               f"Invalid API Stage {{api: {api}, stage: {stage}}} specified for usageplan {pid}", 404)
    with pytest.raises(ClientError) as e:
        client.update_usage_plan(usagePlanId=pid, patchOperations=[{"op": "remove", "path": "/bogus"}])
    assert error_of(e)[1] == ("Invalid patch path  '/bogus' specified for op 'remove'. Must be one of: [/apiStages, "
                              "/quota, /throttle, /productCode, /apiStages/<apidId:stageName>/throttle/<resourcePath>/"
                              "<httpMethod>, /apiStages/<apidId:stageName>/throttle]")
    with pytest.raises(ClientError) as e:
        client.create_usage_plan(name="p", quota={"limit": 1, "period": "YEAR"})
    assert error_of(e)[0] == "ValidationException"


def test_deleting_a_stage_drops_it_from_plans(client):
    api_id, dep = make_api(client, stage="s1")
    client.create_stage(restApiId=api_id, stageName="s2", deploymentId=dep)
    pid = client.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "s1"},
                                                        {"apiId": api_id, "stage": "s2"}])["id"]
    client.delete_stage(restApiId=api_id, stageName="s1")
    assert client.get_usage_plan(usagePlanId=pid)["apiStages"] == [{"apiId": api_id, "stage": "s2"}]
    client.delete_rest_api(restApiId=api_id)
    assert client.get_usage_plan(usagePlanId=pid)["apiStages"] == []
    assert client.delete_usage_plan(usagePlanId=pid)["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_api_keys_and_plan_keys(client, api):
    api_id, _ = api
    key = client.create_api_key(name="partner-a", enabled=True, stageKeys=[{"restApiId": api_id, "stageName": "prod"}])
    assert key["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (key["enabled"], key["stageKeys"], len(key["value"])) == (True, [f"{api_id}/prod"], 40)
    kid = key["id"]
    assert "value" not in client.get_api_key(apiKey=kid)
    assert client.get_api_key(apiKey=kid, includeValue=True)["value"] == key["value"]
    fixed = client.create_api_key(name="partner-b", value="v" * 20)
    assert fixed["value"] == "v" * 20 and fixed["enabled"] is False
    listed = client.get_api_keys(nameQuery="partner")["items"]
    assert [k["id"] for k in listed] == [kid, fixed["id"]] and all("value" not in k for k in listed)
    assert [k["value"] for k in client.get_api_keys(nameQuery="partner-b", includeValues=True)["items"]] == ["v" * 20]
    page = client.get_api_keys(limit=1)
    assert len(page["items"]) == 1 and page["position"]
    for bad, text in (({"value": "short"}, "API Key value should be at least 20 characters"),
                      ({"value": "v" * 129}, "API Key value exceeds maximum size of 128 characters"),
                      ({"name": "n" * 1025}, "Invalid API Key name, can be at most 1024 characters.")):
        with pytest.raises(ClientError) as e:
            client.create_api_key(**bad)
        assert error_of(e) == ("BadRequestException", text, 400)

    pid = client.create_usage_plan(name="keys", apiStages=[{"apiId": api_id, "stage": "prod"}])["id"]
    pk = client.create_usage_plan_key(usagePlanId=pid, keyId=kid, keyType="API_KEY")
    assert pk["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert {k: pk[k] for k in ("id", "type", "name", "value")} == {"id": kid, "type": "API_KEY", "name": "partner-a",
                                                                   "value": key["value"]}
    with pytest.raises(ClientError) as e:
        client.create_usage_plan_key(usagePlanId=pid, keyId=kid, keyType="API_KEY")
    assert error_of(e)[0::2] == ("ConflictException", 409)
    with pytest.raises(ClientError) as e:
        client.create_usage_plan_key(usagePlanId=pid, keyId="nope", keyType="API_KEY")
    assert error_of(e) == ("NotFoundException", "Invalid API Key identifier specified", 404)
    client.create_usage_plan_key(usagePlanId=pid, keyId=fixed["id"], keyType="API_KEY")
    assert [k["id"] for k in client.get_usage_plan_keys(usagePlanId=pid)["items"]] == [kid, fixed["id"]]
    assert client.get_usage_plan_key(usagePlanId=pid, keyId=kid)["name"] == "partner-a"
    assert [p["id"] for p in client.get_usage_plans(keyId=kid)["items"]] == [pid]
    assert client.delete_usage_plan_key(usagePlanId=pid, keyId=kid)["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(ClientError) as e:
        client.get_usage_plan_key(usagePlanId=pid, keyId=kid)
    assert error_of(e)[0::2] == ("NotFoundException", 404)
    # Deleting an API key takes it out of its plans.
    assert client.delete_api_key(apiKey=fixed["id"])["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert client.get_usage_plan_keys(usagePlanId=pid)["items"] == []
    with pytest.raises(ClientError) as e:
        client.get_api_key(apiKey=fixed["id"])
    assert error_of(e) == ("NotFoundException", "Invalid API Key identifier specified", 404)


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed (pip install awscli)")
def test_usage_plans_with_the_aws_cli(emulator, api):
    api_id, _ = api
    out = aws(emulator, "create-usage-plan", "--name", "cli", "--api-stages", f"apiId={api_id},stage=prod")
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    out = aws(emulator, "create-api-key", "--name", "cli-key", "--enabled")
    key = json.loads(out.stdout)
    out = aws(emulator, "create-usage-plan-key", "--usage-plan-id", plan["id"], "--key-id", key["id"],
              "--key-type", "API_KEY")
    assert out.returncode == 0, out.stderr
    out = aws(emulator, "get-usage-plan-keys", "--usage-plan-id", plan["id"])
    assert [k["id"] for k in json.loads(out.stdout)["items"]] == [key["id"]]
    out = aws(emulator, "delete-usage-plan", "--usage-plan-id", plan["id"])
    assert out.returncode != 0 and "Cannot delete Usage Plan" in out.stderr
