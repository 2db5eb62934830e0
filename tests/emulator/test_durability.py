"""--state: restart durability, a torn last record, SIGKILL under 64 concurrent writers, and a damaged journal."""

import random
import subprocess
import threading
import time

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


WRITERS = 64
STAGES = ("prod", "beta", "gamma", "delta")
KILL_POINTS = 4


def test_sigkill_keeps_every_acknowledged_update(start_emulator, tmp_path):
    """64 concurrent writers doing UpdateStage on four stages, `kill -9` at a random moment, restart:
    every update that got a 200 is there. Repeated for several kill points on the same state file."""
    state = tmp_path / "kill.log"
    rng = random.Random()
    emu = start_emulator("--state", str(state))
    c = emu.client()
    api_id, dep = make_api(c)
    for name in STAGES[1:]:
        c.create_stage(restApiId=api_id, stageName=name, deploymentId=dep)
    # Each writer sets its own variable to 1, 2, 3, …: after a restart the value must be at least the
    # last acknowledged one, and at most the last one sent.
    acked = [0] * WRITERS
    sent = [0] * WRITERS
    for point in range(KILL_POINTS):
        client = emu.client_pool(WRITERS)
        go = threading.Event()

        def writer(w):
            stage = STAGES[w % len(STAGES)]
            go.wait()
            while True:
                n = sent[w] + 1
                sent[w] = n
                try:
                    client.update_stage(restApiId=api_id, stageName=stage, patchOperations=[
                        {"op": "replace", "path": f"/variables/w{w}", "value": str(n)}])
                except Exception:
                    return
                acked[w] = n

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        # The kill point: after a random number of acknowledged updates, plus a random few milliseconds.
        target = sum(acked) + rng.randint(1, 250)
        go.set()
        deadline = time.time() + 60
        while sum(acked) < target and time.time() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.02))
        before = sum(acked)
        emu.kill9()
        for t in threads:
            t.join()
        assert before >= target, f"kill point {point}: only {before} of {target} updates acknowledged in 60 s"

        emu = start_emulator("--state", str(state))
        c = emu.client()
        for w in range(WRITERS):
            stage = STAGES[w % len(STAGES)]
            if acked[w] == 0:
                continue
            got = c.get_stage(restApiId=api_id, stageName=stage).get("variables", {}).get(f"w{w}")
            assert got is not None and acked[w] <= int(got) <= sent[w], \
                f"kill point {point}: writer {w} acknowledged {acked[w]}, sent {sent[w]}, found {got}"
            # The next round starts from what survived.
            sent[w] = int(got)
            acked[w] = int(got)
    emu.stop()


def test_flipped_bytes_refuse_to_start_until_repair(start_emulator, binary, tmp_path):
    """Bytes flipped in the middle of the journal: the emulator exits non-zero naming the byte offset
    of the damaged record and leaves the file alone; --repair copies it aside and keeps the rest."""
    state = tmp_path / "flip.log"
    emu = start_emulator("--state", str(state))
    c = emu.client()
    api_id, _ = make_api(c)
    emu.stop()
    emu = start_emulator("--state", str(state))  # compacted: one line per API
    c = emu.client()
    for i in range(6):
        c.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": f"/variables/v{i}", "value": "1"}])
    emu.stop()

    data = bytearray(state.read_bytes())
    lines = data.split(b"\n")
    assert len(lines) >= 6
    # Damage the third of the six UpdateStage lines (never a line end).
    start = sum(len(line) + 1 for line in lines[:3])
    for pos in (start + 20, start + 21, start + len(lines[3]) // 2):
        data[pos] ^= 0x21
    state.write_bytes(bytes(data))

    proc = subprocess.run([binary, "emulator", "--addr", "127.0.0.1:0", "--state", str(state)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert f"unreadable record at byte offset {start} (line 4" in proc.stderr, proc.stderr
    assert "--repair" in proc.stderr
    assert state.read_bytes() == bytes(data), "the refused file was changed"

    emu = start_emulator("--state", str(state), "--repair")
    variables = emu.client().get_stage(restApiId=api_id, stageName="prod")["variables"]
    # Each line holds the whole stage, so the later lines bring back what the damaged one set.
    assert sorted(variables) == [f"v{i}" for i in range(6)]
    emu.stop()
    log = "".join(emu.stderr_lines)
    assert "--repair: copied the original to" in log and f"byte offset {start} (line 4" in log, log
    aside = list(tmp_path.glob("flip.log.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == bytes(data)
