"""--state: restart durability, a torn last record, and SIGKILL during a stream of acknowledged updates."""

import threading

from conftest import make_api


def test_restart_keeps_everything(start_emulator, tmp_path):
    state = tmp_path / "state.log"
    emu = start_emulator("--state", str(state))
    c = emu.client()
    api_id, dep = make_api(c)
    c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        {"op": "replace", "path": "/variables/v", "value": "1"}])
    c.tag_resource(resourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/prod", tags={"k": "v"})
    auth = c.create_authorizer(restApiId=api_id, name="a", type="REQUEST", authorizerResultTtlInSeconds=0,
                               authorizerUri="arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations")
    before = c.get_stage(restApiId=api_id, stageName="prod")
    emu.stop()

    emu2 = start_emulator("--state", str(state))
    c2 = emu2.client()
    after = c2.get_stage(restApiId=api_id, stageName="prod")
    for key in ("methodSettings", "variables", "tags", "deploymentId", "createdDate", "lastUpdatedDate"):
        assert after[key] == before[key]
    assert c2.get_authorizer(restApiId=api_id, authorizerId=auth["id"])["name"] == "a"
    assert [d["id"] for d in c2.get_deployments(restApiId=api_id)["items"]] == [dep]
    emu2.stop()

    # A torn write at the end of the log is dropped with a warning, never a crash.
    with open(state, "ab") as f:
        f.write(b'2a 1234abcd [{"t":"DeleteApi","id":"')
    emu3 = start_emulator("--state", str(state))
    assert emu3.client().get_stage(restApiId=api_id, stageName="prod")["variables"] == {"v": "1"}
    emu3.stop()
    assert any("torn last record" in line for line in emu3.stderr_lines)


def test_sigkill_keeps_acknowledged_updates(start_emulator, tmp_path):
    state = tmp_path / "kill.log"
    emu = start_emulator("--state", str(state))
    c = emu.client()
    api_id, _ = make_api(c)
    acknowledged = []
    stop = threading.Event()

    def writer(worker):
        client = emu.client()
        i = 0
        while not stop.is_set():
            name = f"w{worker}_{i}"
            try:
                client.update_stage(restApiId=api_id, stageName="prod",
                                    patchOperations=[{"op": "replace", "path": f"/~1k{name}/GET/throttling/burstLimit", "value": "7"}])
            except Exception:
                return
            acknowledged.append(name)
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    while len(acknowledged) < 60:
        threading.Event().wait(0.01)
    emu.kill9()
    stop.set()
    for t in threads:
        t.join()

    emu2 = start_emulator("--state", str(state))
    settings = emu2.client().get_stage(restApiId=api_id, stageName="prod")["methodSettings"]
    missing = [n for n in acknowledged if f"~1k{n}/GET" not in settings]
    assert not missing, f"{len(missing)} acknowledged updates lost"
    emu2.stop()
