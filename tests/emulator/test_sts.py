"""STS GetCallerIdentity on the emulator's port (what `stagecraft serve --endpoint` asks for the audit log)."""

import json
import os
import subprocess

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import KEY, REGION, SECRET


def sts(emulator, secret=SECRET):
    return boto3.client("sts", endpoint_url=emulator.url, region_name=REGION, aws_access_key_id=KEY,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def test_boto3_learns_the_account(emulator):
    me = sts(emulator).get_caller_identity()
    assert me["Account"] == "123456789012"
    assert me["Arn"] == "arn:aws:iam::123456789012:root"
    assert me["UserId"] == "123456789012"
    assert me["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_cli_learns_the_account(emulator):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_DEFAULT_REGION": REGION,
           "AWS_PAGER": ""}
    done = subprocess.run(["aws", "sts", "get-caller-identity", "--endpoint-url", emulator.url, "--output", "json"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Account"] == "123456789012"


def test_a_wrong_secret_is_refused(emulator):
    with pytest.raises(ClientError) as e:
        sts(emulator, secret="wrong").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_other_actions_are_invalid(emulator):
    with pytest.raises(ClientError) as e:
        sts(emulator).get_session_token()
    err = e.value.response["Error"]
    assert err["Code"] == "InvalidAction"
    assert err["Message"] == "Could not find operation GetSessionToken for version 2011-06-15"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
