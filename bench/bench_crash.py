"""Recordings survive `kill -9`: every workflow save the server acknowledged is there after restart.

A person's recordings cannot be made again. `--kills` times: a real `scribeagent serve --scripted`
starts on the same data dir, a client saves workflows as fast as it can (`POST /v1/workflows`,
noting each one answered 200), and after a random moment the server is killed with SIGKILL in
the middle of the stream of saves. Then a fresh server must list every acknowledged id, each
workflow must read back whole, and SQLite's `integrity_check` must pass (WAL journal +
`synchronous=FULL`, `backend/workflows/store.py`).

    python bench/bench_crash.py [--kills 50] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.workflows.store import DB_FILENAME  # noqa: E402
from bench.common import cpu_model  # noqa: E402
from bench.common import print_table, write_json  # noqa: E402
from tests.server_process import ORIGIN, running_server, server_env, write_rules  # noqa: E402

STEP_HTML = '<html node="1"><body node="2"><button node="3">New invoice</button></body></html>'


def workflow(wid: str) -> dict[str, Any]:
    return {"version": 1, "id": wid, "objective": f"Create invoice {wid}", "site": "example.test",
            "steps": [{"url": "http://example.test/", "html": STEP_HTML * 20, "action": {"kind": "click", "text": None},
                       "target": {"node": "3", "selector": "button"}, "description": "Click 'New invoice'"}]}


def save_until_killed(url: str, token: str, prefix: str, acked: list[str], stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}", "Origin": ORIGIN}
    with httpx.Client(timeout=5) as client:
        i = 0
        while not stop.is_set():
            wid = f"{prefix}-{i}"
            i += 1
            try:
                res = client.post(f"{url}/v1/workflows", json=workflow(wid), headers=headers)
            except httpx.HTTPError:
                return  # the server is gone: whatever was in flight was never acknowledged
            if res.status_code == 200:
                acked.append(wid)


def run(kills: int, seed: int, home: Path) -> dict[str, Any]:
    rng = random.Random(seed)
    rules = write_rules(home / "rules.json", [{"step": {"description": "x", "action": "click", "find": ""}}])
    env = server_env(home)  # one data dir for every run: the store must survive all of them
    acked: list[str] = []
    missing: list[str] = []
    per_round: list[int] = []
    for round_ in range(kills):
        with running_server(home, "--scripted", str(rules), env=env) as srv:
            listed = {w["id"] for w in httpx.get(f"{srv.url}/v1/workflows", headers=_auth(srv.token), timeout=30).json()}
            missing += [w for w in acked if w not in listed]
            before = len(acked)
            stop = threading.Event()
            saver = threading.Thread(target=save_until_killed, args=(srv.url, srv.token, f"r{round_}", acked, stop))
            saver.start()
            time.sleep(rng.uniform(0.2, 1.0))
            srv.proc.send_signal(signal.SIGKILL)  # mid-stream: saves are being written right now
            srv.proc.wait()
            stop.set()
            saver.join()
            per_round.append(len(acked) - before)
    with running_server(home, "--scripted", str(rules), env=env) as srv:
        listed = {w["id"] for w in httpx.get(f"{srv.url}/v1/workflows", headers=_auth(srv.token), timeout=30).json()}
        missing += [w for w in acked if w not in listed]
        sample = rng.sample(acked, min(20, len(acked)))
        whole = all(httpx.get(f"{srv.url}/v1/workflows/{w}", headers=_auth(srv.token), timeout=30).json()["steps"][0]["html"]
                    == STEP_HTML * 20 for w in sample)
    db = sqlite3.connect(home / "data" / DB_FILENAME)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    return {"kills": kills, "acknowledged": len(acked), "missing_after_restart": len(set(missing)),
            "saves_per_round_min": min(per_round), "saves_per_round_max": max(per_round),
            "sample_read_back_whole": whole, "integrity_check": integrity, "stored": len(listed)}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Origin": ORIGIN}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        result = run(args.kills, args.seed, Path(home))
    cpu = cpu_model()
    print_table([result], title=f"Workflow saves under kill -9 ({cpu})")
    print(f"wrote {write_json('crash', {'cpu': cpu, **result})}")
    ok = result["missing_after_restart"] == 0 and result["integrity_check"] == "ok" and result["sample_read_back_whole"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
