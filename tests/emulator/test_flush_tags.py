"""FlushStageAuthorizersCache, FlushStageCache and stage tags."""

import pytest
from botocore.exceptions import ClientError

from conftest import error_of


def test_flush(client, api):
    api_id, _ = api
    r = client.flush_stage_authorizers_cache(restApiId=api_id, stageName="prod")
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert client.flush_stage_cache(restApiId=api_id, stageName="prod")["ResponseMetadata"]["HTTPStatusCode"] == 202
    for flush in (client.flush_stage_authorizers_cache, client.flush_stage_cache):
        with pytest.raises(ClientError) as e:
            flush(restApiId=api_id, stageName="nope")
        assert error_of(e) == ("NotFoundException", "Invalid stage identifier specified", 404)


def test_tags(client, api):
    api_id, dep = api
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod"
    assert client.get_tags(resourceArn=arn)["tags"] == {}
    assert client.tag_resource(resourceArn=arn, tags={"team": "pets", "env": "prod"})["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.get_stage(restApiId=api_id, stageName="prod")["tags"] == {"team": "pets", "env": "prod"}
    client.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert client.get_tags(resourceArn=arn)["tags"] == {"team": "pets"}
    s = client.create_stage(restApiId=api_id, stageName="tagged", deploymentId=dep, tags={"a": "b"})
    assert s["tags"] == {"a": "b"}
    with pytest.raises(ClientError) as e:
        client.tag_resource(resourceArn=arn, tags={"aws:x": "1"})
    assert error_of(e)[0] == "BadRequestException"
    with pytest.raises(ClientError) as e:
        client.get_tags(resourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/nope")
    assert error_of(e) == ("NotFoundException", "Invalid stage identifier specified", 404)
