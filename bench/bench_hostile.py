"""Hostile pages against the pruner and the grammar builder: no crash, no hang, the budget holds,
and time and memory grow linearly with the page.

Part 1 feeds `--pages` seeded pages from `bench/hostile_pages.py` through `prune` and both
grammars (`hostile_pages.check`), alternating budgets 300 and 2000, each under a time limit.
Part 2 builds the large shapes (nesting up to 100K deep, up to 1M elements, attributes up to
10 MB, tag soup) at growing sizes, prunes each in a fresh process, and fits time ∝ size^k and
peak RSS ∝ size^k between the two largest sizes (k ≈ 1 is linear; the smallest size is mostly the
interpreter's fixed cost).

    python bench/bench_hostile.py [--pages 10000] [--limit-s 20]
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model  # noqa: E402
from bench.common import percentile, print_table, write_json  # noqa: E402
from bench.hostile_pages import check, page  # noqa: E402

SIZES = {
    "deep": (1_000, 10_000, 100_000),
    "wide": (10_000, 100_000, 1_000_000),
    "fat attribute": (100_000, 1_000_000, 10_000_000),
    "soup": (3_000, 30_000, 300_000),
}


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise Hang()


def fuzz(n: int, limit_s: float) -> dict[str, Any]:
    signal.signal(signal.SIGALRM, _alarm)
    failures: list[dict[str, Any]] = []
    times: list[float] = []
    refused = 0
    for seed in range(n):
        html = page(seed)
        budget = 300 if seed % 2 else 2000
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, limit_s)
        try:
            refused += check(html, budget)["refused"]
        except Hang:
            failures.append({"seed": seed, "error": f"no answer within {limit_s} s"})
        except Exception as exc:  # noqa: BLE001 — anything but PageError is a finding
            failures.append({"seed": seed, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        times.append(time.perf_counter() - start)
    return {"pages": n, "failures": failures, "refused_with_page_error": refused,
            "ms_p50": round(1000 * percentile(times, 50), 2), "ms_p99": round(1000 * percentile(times, 99), 1),
            "ms_max": round(1000 * max(times), 1)}


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from bench.hostile_pages import SCALED, check
from backend.model.tokens import default_counter
default_counter()
html = SCALED[{kind!r}]({size})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
counts = check(html, 2000)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "input_bytes": len(html), "rss_mb": after / 1024, "rss_before_mb": before / 1024,
                  **counts}}))
"""


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares exponent k of y ∝ x^k."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def scaling(limit_s: float) -> list[dict[str, Any]]:
    rows = []
    for kind, sizes in SIZES.items():
        runs = []
        for size in sizes:
            code = _CHILD.format(root=str(ROOT), kind=kind, size=size)
            try:
                done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      timeout=limit_s * 10, check=False)
            except subprocess.TimeoutExpired:
                runs.append({"size": size, "error": "timeout"})
                continue
            if done.returncode != 0:
                runs.append({"size": size, "error": done.stderr.strip().splitlines()[-1][:200]})
                continue
            runs.append({"size": size, **json.loads(done.stdout.strip().splitlines()[-1])})
        ok = [r for r in runs if "error" not in r]
        grown = [r["rss_mb"] - r["rss_before_mb"] + 1.0 for r in ok]
        rows.append({
            "shape": kind,
            "sizes": "/".join(f"{s:,}" for s in sizes),
            "largest_input_mb": round(max((r["input_bytes"] for r in ok), default=0) / 2**20, 1),
            "seconds": "/".join(f"{r['seconds']:.3f}" for r in ok),
            "time_exponent": round(_slope([r["size"] for r in ok][-2:], [r["seconds"] for r in ok][-2:]), 2)
            if len(ok) > 1 else None,
            "peak_rss_mb": round(max((r["rss_mb"] for r in ok), default=0)),
            "rss_exponent": round(_slope([r["size"] for r in ok][-2:], grown[-2:]), 2) if len(ok) > 1 else None,
            "errors": "; ".join(f"{r['size']}: {r['error']}" for r in runs if "error" in r) or "-",
        })
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--limit-s", type=float, default=20.0, help="time limit per fuzzed page (a hang is a failure)")
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    fuzzed = fuzz(args.pages, args.limit_s)
    cpu = cpu_model()
    print_table([{k: v for k, v in fuzzed.items() if k != "failures"} | {"failures": len(fuzzed["failures"])}],
                title=f"Fuzzed pages through prune + grammars ({cpu})")
    for failure in fuzzed["failures"][:20]:
        print(f"  seed {failure['seed']}: {failure['error']}")
    rows = [] if args.no_scaling else scaling(args.limit_s)
    if rows:
        print_table(rows, title="\nTime and memory against page size (exponent 1 = linear)")
    path = write_json("hostile_pages", {"cpu": cpu, "fuzz": fuzzed, "scaling": rows})
    print(f"wrote {path}")
    return 1 if fuzzed["failures"] or any(r["errors"] != "-" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
