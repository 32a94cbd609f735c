"""The bench's results for people: a table, and a report folder (JSON, every episode, a chart)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from training.miniwob.run import Episode

SUMMARY_FILE = "summary.json"
EPISODES_FILE = "episodes.jsonl"
CHART_FILE = "success.png"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _errors(counts: Mapping[str, int], max_steps: int) -> str:
    parts = [f"{code} {n}" for code, n in counts.items()]
    if max_steps:
        parts.append(f"max_steps {max_steps}")
    return ", ".join(parts) or "-"


def table(summary: Mapping[str, Any], floor: Mapping[str, Any] | None = None) -> str:
    """A plain-text table of `summary` (as `run.summarize` makes it), with the floor's rate per
    task beside it when given."""
    head = ["task", "success", "rate", "mean steps", "step s p50", "p90", "ended by"]
    if floor is not None:
        head.append(f"{floor['model']} rate")
    rows = []
    for task, t in summary["tasks"].items():
        row = [task, f"{t['successes']}/{t['episodes']}", f"{t['success_rate']:.2f}", f"{t['mean_steps']:.1f}",
               _seconds(t["step_s_p50"]), _seconds(t["step_s_p90"]), _errors(t["errors"], t["max_steps"])]
        if floor is not None:
            other = floor["tasks"].get(task)
            row.append("-" if other is None else f"{other['success_rate']:.2f}")
        rows.append(row)
    wins = sum(t["successes"] for t in summary["tasks"].values())
    total = [f"all ({summary['model']})", f"{wins}/{summary['episodes']}", f"{summary['success_rate']:.2f}",
             "", "", "", ""]
    if floor is not None:
        total.append(f"{floor['success_rate']:.2f}")
    rows.append(total)
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])])


def write_report(out: Path, summary: Mapping[str, Any], played: Iterable[Episode],
                 floor: Mapping[str, Any] | None = None, floor_played: Iterable[Episode] = ()) -> list[Path]:
    """`out`/summary.json (the `--json` object, the floor's under "floor"), episodes.jsonl (every
    episode with its steps, each line naming its agent) and success.png; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    combined = {**summary, "floor": floor} if floor is not None else dict(summary)
    summary_path = out / SUMMARY_FILE
    summary_path.write_text(json.dumps(combined, indent=2) + "\n", encoding="utf-8")
    episodes_path = out / EPISODES_FILE
    with episodes_path.open("w", encoding="utf-8") as f:
        for label, episodes in ((summary["model"], played), (floor["model"] if floor else "", floor_played)):
            for episode in episodes:
                f.write(json.dumps({"agent": label, **episode.to_dict()}, ensure_ascii=False) + "\n")
    chart_path = out / CHART_FILE
    chart(chart_path, [s for s in (summary, floor) if s is not None])
    return [summary_path, episodes_path, chart_path]


def chart(path: Path, summaries: list[Mapping[str, Any]]) -> None:
    """Grouped bars: success rate per task, one bar per agent."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    tasks = list(summaries[0]["tasks"])
    width = 0.8 / len(summaries)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(tasks) + 2), 4))
    for i, summary in enumerate(summaries):
        rates = [summary["tasks"].get(t, {}).get("success_rate", 0.0) for t in tasks]
        xs = [x + (i - (len(summaries) - 1) / 2) * width for x in range(len(tasks))]
        ax.bar(xs, rates, width, label=f"{summary['model']} ({summary['success_rate']:.2f})")
    ax.set_xticks(range(len(tasks)), tasks, rotation=45, ha="right")
    ax.set_ylim(0, 1)
    ax.set_ylabel("success rate")
    episodes = summaries[0]["episodes"] // max(1, len(tasks))
    ax.set_title(f"MiniWoB++, {episodes} episodes per task, seed {summaries[0]['seed']}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
