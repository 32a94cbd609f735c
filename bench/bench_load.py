"""The server under load: many tabs, cancels, duplicate sessions, clients that vanish, floods.

A real `scribeagent serve --scripted` (the whole pipeline — pruning of real pages, prompt,
grammar, streaming — with a deterministic engine, so the model's speed is not what is measured)
gets `--tabs` concurrent WebSocket connections × `--observations` observations of pages from
`../shared/pages`. Tabs re-ask before an answer is done (latest wins), cancel, share a session
name with another connection, and one tab closes its socket mid-stream now and then. Checked:
every observation ends in exactly one terminal frame (`step`, `error` or `cancelled`) of its own
session on its own connection; only a superseded one may end `cancelled` (an `error` is an answer:
some saved pages have nothing to act on); the wait of the others (fair turns); the server's
threads, file descriptors and RSS before and after a second, measured round of the same load.
Then two floods: 1,000 observations of one session as fast as the socket takes them (coalesced: the latest wins) and
200 sessions at once (refused past the worker's cap with `busy`, never queued without bound).

    python bench/bench_load.py [--tabs 8] [--observations 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model  # noqa: E402
from bench.common import percentile, print_table, write_json  # noqa: E402
from tests.server_process import ORIGIN, running_server, write_rules  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
TERMINAL = {"step", "error", "cancelled"}
RULES = [{"step": {"description": "Click the first element", "action": "click", "find": ""}}]


@dataclass
class Sent:
    session: str
    at: float
    superseded: bool = False
    frames: list[dict[str, Any]] = field(default_factory=list)
    ended_at: float | None = None


@dataclass
class Findings:
    observations: int = 0
    problems: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    def problem(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)


def server_resources(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split(":")[1].split() for line in status.splitlines()}
    return {"threads": int(fields["Threads"][0]), "fds": len(list(Path(f"/proc/{pid}/fd").iterdir())),
            "rss_mb": round(int(fields["VmRSS"][0]) / 1024, 1)}


async def _hello(url: str, token: str) -> Any:
    from websockets.asyncio.client import connect

    ws = await connect(url, origin=ORIGIN, max_size=None)
    await ws.send(json.dumps({"type": "hello", "token": token}))
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready", ready
    return ws


class Tab:
    """One connection: sends observations and checks every frame that comes back."""

    def __init__(self, name: str, session: str, url: str, token: str, found: Findings) -> None:
        self.name, self.session, self.url, self.token, self.found = name, session, url, token, found
        self.sent: dict[int, Sent] = {}
        self.next_id = 1  # the server numbers observe and cancel frames per connection, from 1

    async def open(self) -> None:
        self.ws = await _hello(self.url, self.token)
        self.sent, self.next_id = {}, 1

    async def observe(self, page: str) -> int:
        rid = self.next_id
        self.next_id += 1
        for earlier in self.sent.values():
            if earlier.ended_at is None:
                earlier.superseded = True  # same session: this one wins
        self.sent[rid] = Sent(self.session, time.perf_counter())
        await self.ws.send(json.dumps({"type": "observe", "session": self.session, "objective": "Open the first link",
                                       "url": "https://example.org/", "html": page}))
        return rid

    async def cancel(self) -> None:
        self.next_id += 1
        for earlier in self.sent.values():
            if earlier.ended_at is None:
                earlier.superseded = True
        await self.ws.send(json.dumps({"type": "cancel", "session": self.session}))

    async def until_done(self, rid: int, timeout: float = 120) -> None:
        """Read frames until observation `rid` (and every earlier one) has its terminal frame."""
        deadline = time.perf_counter() + timeout
        while any(s.ended_at is None for i, s in self.sent.items() if i <= rid):
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), deadline - time.perf_counter()))
            self.take(frame)

    def take(self, frame: dict[str, Any]) -> None:
        sent = self.sent.get(frame.get("id"))
        if sent is None:
            self.found.problem(f"{self.name}: frame for unknown id {frame.get('id')}: {frame.get('type')}")
            return
        if frame.get("session") != sent.session:
            self.found.problem(f"{self.name}: frame of session {frame.get('session')!r} for {sent.session!r}")
        if sent.ended_at is not None:
            self.found.problem(f"{self.name}: frame {frame['type']} after the terminal frame of id {frame['id']}")
        sent.frames.append(frame)
        if frame["type"] in TERMINAL:
            sent.ended_at = time.perf_counter()

    def settle(self, vanishing: bool = False) -> None:
        """Judge every observation of this connection; called once all have ended, or before the
        connection is dropped on purpose (`vanishing`: the one in flight is the server's to cancel)."""
        for rid, sent in self.sent.items():
            if vanishing and sent.ended_at is None:
                self.found.outcomes["vanished"] = self.found.outcomes.get("vanished", 0) + 1
                continue
            self.found.observations += 1
            ends = [f["type"] for f in sent.frames if f["type"] in TERMINAL]
            if len(ends) != 1:
                self.found.problem(f"{self.name} id {rid}: {len(ends)} terminal frames {ends}")
                continue
            self.found.outcomes[ends[0]] = self.found.outcomes.get(ends[0], 0) + 1
            if not sent.superseded and ends[0] == "cancelled":  # an error (a page with nothing to act on) is an answer
                self.found.problem(f"{self.name} id {rid}: the latest observation was cancelled: {sent.frames[-1]}")
            if not sent.superseded and sent.ended_at is not None:
                self.found.waits.append(sent.ended_at - sent.at)

    async def close(self) -> None:
        await self.ws.close()


async def play_tab(index: int, args: argparse.Namespace, url: str, token: str, pages: list[str], found: Findings) -> None:
    rng = random.Random(f"{args.seed}/{index}")
    session = "tab-dup" if index < 2 else f"tab-{index}"  # tabs 0 and 1 share a session name
    tab = Tab(f"tab{index}", session, url, token, found)
    await tab.open()
    for _ in range(args.observations):
        roll = rng.random()
        rid = await tab.observe(rng.choice(pages))
        if roll < 0.25:  # re-asks before the answer is done: the first must end cancelled
            rid = await tab.observe(rng.choice(pages))
        elif roll < 0.4:
            await tab.cancel()
        elif index == args.tabs - 1 and rng.random() < 0.3:  # vanishes mid-stream, comes back
            await asyncio.sleep(rng.random() * 0.05)
            tab.settle(vanishing=True)
            await tab.close()
            await tab.open()
            continue
        await tab.until_done(rid)
    tab.settle()
    await tab.close()


async def flood_one_session(url: str, token: str, page: str, n: int) -> dict[str, Any]:
    found = Findings()
    tab = Tab("flood", "flood", url, token, found)
    await tab.open()
    start = time.perf_counter()
    last = 0
    for _ in range(n):
        last = await tab.observe(page)
    await tab.until_done(last, timeout=300)
    seconds = time.perf_counter() - start
    tab.settle()
    await tab.close()
    return {"case": f"{n} observations, one session", "seconds": round(seconds, 1), **found.outcomes,
            "problems": len(found.problems), "detail": found.problems[:3]}


async def flood_many_sessions(url: str, token: str, page: str, n: int) -> dict[str, Any]:
    ws = await _hello(url, token)
    for i in range(n):
        await ws.send(json.dumps({"type": "observe", "session": f"s{i}", "objective": "Open the first link",
                                  "url": "https://example.org/", "html": page}))
    ends: dict[str, str] = {}
    codes: dict[str, int] = {}
    while len(ends) < n:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 300))
        if frame["type"] in TERMINAL:
            ends[frame["session"]] = frame["type"]
            if frame["type"] == "error":
                codes[frame["code"]] = codes.get(frame["code"], 0) + 1
    await ws.close()
    counted = {t: list(ends.values()).count(t) for t in TERMINAL}
    return {"case": f"{n} sessions at once", **counted, "error_codes": codes}


async def run(args: argparse.Namespace, url: str, token: str, pid: int) -> dict[str, Any]:
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(PAGES.glob("*.html"))]
    warm = Findings()
    tab = Tab("warm-up", "warm", url, token, warm)
    await tab.open()
    await tab.until_done(await tab.observe(pages[0]))
    await tab.close()
    # Round 1 fills the server's memos and thread pool; round 2, the same load again, is measured:
    # a leak shows as growth between its start and its end.
    await asyncio.gather(*(play_tab(i, args, url, token, pages, Findings()) for i in range(args.tabs)))
    await asyncio.sleep(1.0)
    before = server_resources(pid)
    found = Findings()
    start = time.perf_counter()
    await asyncio.gather(*(play_tab(i, args, url, token, pages, found) for i in range(args.tabs)))
    seconds = time.perf_counter() - start
    await asyncio.sleep(1.0)  # let the server finish closing what the vanished tabs left
    after = server_resources(pid)
    # Floods are about the number of messages, not their bytes: a small form page.
    form = "<form><label for=q>Search</label><input id=q><button>Go</button></form><a href='/help'>Help</a>"
    floods = [await flood_one_session(url, token, form, 1000), await flood_many_sessions(url, token, form, 200)]
    return {"tabs": args.tabs, "observations": found.observations, "seconds": round(seconds, 1),
            "outcomes": found.outcomes, "problems": found.problems,
            "wait_p50_s": round(percentile(found.waits, 50), 3), "wait_max_s": round(max(found.waits), 3),
            "before": before, "after": after, "floods": floods, "after_floods": server_resources(pid)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tabs", type=int, default=8)
    ap.add_argument("--observations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        rules = write_rules(Path(home) / "rules.json", RULES, token_delay_ms=5)
        with running_server(Path(home) / "srv", "--scripted", str(rules)) as srv:
            result = asyncio.run(run(args, srv.ws_url, srv.token, srv.proc.pid))
    cpu = cpu_model()
    print_table([{"tabs": result["tabs"], "observations": result["observations"], "seconds": result["seconds"],
                  **result["outcomes"], "problems": len(result["problems"]), "wait_p50_s": result["wait_p50_s"],
                  "wait_max_s": result["wait_max_s"]}], title=f"Concurrent tabs through the real server ({cpu})")
    for problem in result["problems"][:10]:
        print("  problem:", problem)
    print_table([{"when": k, **result[k]} for k in ("before", "after", "after_floods")],
                title="\nServer threads, file descriptors and RSS (the measured round: before, after; then the floods)")
    print("\nFloods")
    for flood in result["floods"]:
        print_table([{k: v for k, v in flood.items() if k != "detail"}])
    path = write_json("load", {"cpu": cpu, **result})
    print(f"wrote {path}")
    return 1 if result["problems"] or any(f.get("problems") for f in result["floods"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
