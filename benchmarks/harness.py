"""Timing, the result rows, the printed table and benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass
class Timing:
    """Several runs of one thing, in milliseconds."""

    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def spread(self) -> str:
        """The fastest and slowest run: how much the machine's noise moved it."""
        return f"{min(self.runs):.1f}–{max(self.runs):.1f}"


def measure(
    fn: Callable[[], Any],
    *,
    runs: int,
    warmup: int = 1,
    before: Callable[[], Any] | None = None,
    after: Callable[[], Any] | None = None,
) -> Timing:
    """Time `fn` `runs` times after `warmup` untimed runs. `before` and `after` run around
    every call, untimed (to set up and undo what a workload changes)."""
    times = []
    for index in range(warmup + runs):
        if before:
            before()
        started = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - started) * 1000
        if after:
            after()
        if index >= warmup:
            times.append(elapsed)
    return Timing(times)


def measure_side_by_side(
    fns: dict[str, Callable[[], Any]],
    *,
    runs: int,
    warmup: int = 1,
    before: dict[str, Callable[[], Any]] | None = None,
    after: dict[str, Callable[[], Any]] | None = None,
) -> dict[str, Timing]:
    """measure() of several things in turns (a, b, a, b …), so that a workload and its
    baseline see the same machine: a shared machine's speed drifts by tens of per cent
    within minutes (a Python loop of 20 million additions took 1.8 s, then 2.6 s, in one
    session), which would move a ratio of runs taken one after the other."""
    before, after = before or {}, after or {}
    times: dict[str, list[float]] = {name: [] for name in fns}
    for index in range(warmup + runs):
        for name, fn in fns.items():
            if name in before:
                before[name]()
            started = time.perf_counter()
            fn()
            elapsed = (time.perf_counter() - started) * 1000
            if name in after:
                after[name]()
            if index >= warmup:
                times[name].append(elapsed)
    return {name: Timing(found) for name, found in times.items()}


@dataclass
class Row:
    """One line of the results: a workload (and its case), its figure, the baseline it is
    compared with, and whether the target holds."""

    workload: str
    case: str
    value: str  # the absolute figure as read, e.g. "212 ms", "340 req/s"
    spread: str = ""
    baseline: str = ""  # what it is compared with, and its figure
    ratio: str = ""
    target: str = ""
    passed: bool | None = None  # None: no target
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "MISS", None: "—"}[self.passed]


@dataclass
class Context:
    """What every workload gets: the scale, how many runs, and the built data's facts."""

    scale: str
    runs: int
    warmup: int
    smoke: bool
    info: dict  # from the build: counts, ids of the chosen areas and users, build times
    extra: dict[str, Any] = field(default_factory=dict)


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}×" if baseline else "—"


COLUMNS = ("workload", "case", "value", "spread", "baseline", "ratio", "target", "verdict")


def table(rows: list[Row]) -> str:
    cells = [COLUMNS] + [tuple(str(getattr(row, c)) for c in COLUMNS) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) for line in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory}


def versions() -> dict[str, str]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    found = {
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
    }
    try:
        import redis
        from django.conf import settings

        if settings.REDIS_URL:
            found["redis"] = redis.Redis.from_url(settings.REDIS_URL).info()["redis_version"]
    except Exception:  # the broker is not part of every workload
        found["redis"] = "not reachable"
    return found


def results_markdown(
    *, rows: list[Row], context: Context, started: datetime, notes: str = ""
) -> str:
    head = machine() | versions()
    lines = [
        "# Benchmark results",
        "",
        f"Run `python -m benchmarks --scale {context.scale}` on {started:%Y-%m-%d %H:%M}"
        f" ({context.runs} timed runs after {context.warmup} warm-up; median and the"
        " fastest–slowest spread).",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in head.items()],
        *[f"| {key} | {value} |" for key, value in context.info.get("summary", {}).items()],
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
        *[
            "| " + " | ".join(str(getattr(row, c)).replace("|", "/") for c in COLUMNS) + " |"
            for row in rows
        ],
        "",
    ]
    notes_for_rows = [f"- **{r.workload} · {r.case}**: {r.note}" for r in rows if r.note]
    if notes_for_rows:
        lines += ["## Notes", "", *notes_for_rows, ""]
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines)
