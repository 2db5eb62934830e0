"""UpdateResource: new path parts and parents, with AWS's texts."""

import pytest
from botocore.exceptions import ClientError

from conftest import error_of


def test_update_resource(client):
    api = client.create_rest_api(name="update-resource")
    api_id, root = api["id"], api["rootResourceId"]
    pets = client.create_resource(restApiId=api_id, parentId=root, pathPart="pets")["id"]
    sub = client.create_resource(restApiId=api_id, parentId=root, pathPart="subpets")["id"]
    child = client.create_resource(restApiId=api_id, parentId=sub, pathPart="pets")["id"]

    def fail(rid, *ops):
        with pytest.raises(ClientError) as e:
            client.update_resource(restApiId=api_id, resourceId=rid, patchOperations=list(ops))
        return error_of(e)

    renamed = client.update_resource(restApiId=api_id, resourceId=sub, patchOperations=[
        {"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert (renamed["path"], renamed["pathPart"]) == ("/animals", "animals")
    assert client.get_resource(restApiId=api_id, resourceId=child)["path"] == "/animals/pets"
    assert fail("nope", {"op": "replace", "path": "/pathPart", "value": "x"}) == (
        "NotFoundException", "Invalid Resource identifier specified", 404)
    assert fail(sub, {"op": "replace", "path": "/invalid", "value": "x"}) == (
        "BadRequestException",
        "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]", 400)
    assert fail(sub, {"op": "remove", "path": "/pathPart"}) == (
        "BadRequestException",
        "Invalid patch path  '/pathPart' specified for op 'remove'. Please choose supported operations", 400)
    assert fail(sub, {"op": "replace", "path": "/parentId", "value": "nope"}) == (
        "NotFoundException", "Invalid Resource identifier specified", 404)
    assert fail(sub, {"op": "replace", "path": "/parentId", "value": child}) == (
        "BadRequestException", "Resources cannot be cyclical.", 400)
    assert fail(child, {"op": "replace", "path": "/parentId", "value": root}) == (
        "ConflictException", "Another resource with the same parent already has this name: pets", 409)
    assert fail(root, {"op": "replace", "path": "/pathPart", "value": "x"}) == (
        "BadRequestException", "Root resource cannot update its pathPart.", 400)
    assert fail(root, {"op": "replace", "path": "/parentId", "value": pets}) == (
        "BadRequestException", "Root resource cannot update its parentId.", 400)
    moved = client.update_resource(restApiId=api_id, resourceId=child, patchOperations=[
        {"op": "replace", "path": "/parentId", "value": pets}, {"op": "replace", "path": "/pathPart", "value": "kin"}])
    assert (moved["parentId"], moved["path"]) == (pets, "/pets/kin")
