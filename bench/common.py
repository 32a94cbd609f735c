"""Shared benchmark helpers: percentiles, a plain-text table, and the JSON result file.

Benchmarks print a table for people and write JSON for tools; both come from the same rows so
they cannot disagree.
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows of dicts as an aligned text table (columns default to the first row's keys)."""
    if not rows:
        return "(no rows)"
    cols = list(columns or rows[0].keys())
    cells = [[_cell(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join([line, sep, *body])


def print_table(rows: Sequence[Mapping[str, Any]], *, title: str | None = None,
                columns: Sequence[str] | None = None) -> None:
    """Print `rows` as a table, under `title` if given."""
    if title:
        print(title)
    print(format_table(rows, columns))


def cpu_model() -> str:
    """The CPU's model name, reported with every timing (the workplace's Intel and AMD machines differ)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_flags() -> str:
    """The instruction sets the loaded llama.cpp was built for ("AVX2 AVX512 AMX_INT8 …"): a timing
    belongs to a build as much as to a CPU (the Makefile builds one per instruction-set level)."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode(errors="replace").removeprefix("CPU :")
    return " ".join(part.split("=")[0].strip() for part in info.split("|") if part.strip().endswith("= 1"))


def write_json(name: str, payload: Mapping[str, Any]) -> Path:
    """Write `payload` (plus when/where it ran) to bench/results/<name>.json; returns the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    data = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        **payload,
    }
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
