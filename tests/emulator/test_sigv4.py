"""SigV4: unsigned, wrong secret, wrong key, skewed clock; unknown routes."""

import datetime
import json
import urllib.error
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import error_of

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            "Access Key and signing method. Consult the service documentation for details.")


def raw(method, url, headers=None, data=None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def signed(emulator, method, path, when=None, secret="test"):
    req = AWSRequest(method=method, url=emulator.url + path, headers={"Content-Type": "application/json"})
    auth = SigV4Auth(Credentials("test", secret), "apigateway", "eu-west-1")
    if when is None:
        auth.add_auth(req)
    else:
        import botocore.auth as ba
        original = ba.get_current_datetime
        ba.get_current_datetime = lambda: when
        try:
            auth.add_auth(req)
        finally:
            ba.get_current_datetime = original
    return raw(method, req.url, dict(req.headers))


def test_unsigned_is_missing_token(emulator):
    status, headers, body = raw("GET", emulator.url + "/restapis")
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert json.loads(body) == {"message": "Missing Authentication Token"}


def test_wrong_secret_and_key(emulator):
    with pytest.raises(ClientError) as e:
        emulator.client(secret="wrong").get_rest_apis()
    assert error_of(e) == ("InvalidSignatureException", MISMATCH, 403)
    with pytest.raises(ClientError) as e:
        emulator.client(key="other").get_rest_apis()
    assert error_of(e) == ("UnrecognizedClientException", "The security token included in the request is invalid.", 403)


def test_any_region_is_accepted(emulator):
    status, _, body = signed(emulator, "GET", "/restapis")
    assert status == 200 and "item" in json.loads(body)


def test_skewed_clock(emulator):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    status, headers, body = signed(emulator, "GET", "/restapis", when=now - datetime.timedelta(minutes=20))
    assert status == 403 and headers["x-amzn-errortype"] == "InvalidSignatureException"
    message = json.loads(body)["message"]
    assert message.startswith("Signature expired: ") and " is now earlier than " in message and message.endswith(" - 15 min.)")
    status, _, body = signed(emulator, "GET", "/restapis", when=now + datetime.timedelta(minutes=20))
    message = json.loads(body)["message"]
    assert status == 403 and message.startswith("Signature not yet current: ") and message.endswith(" + 15 min.)")


def test_unknown_route(emulator):
    status, headers, body = signed(emulator, "GET", "/restapis/x/unknown")
    assert status == 404 and headers["x-amzn-errortype"] == "UnknownOperationException"
    assert json.loads(body)["message"] == "Unknown operation: GET /restapis/x/unknown"
