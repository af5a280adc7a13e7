"""The demo's build time: `manage.py seed_demo` of the run's scale into a fresh, migrated
database, on SQLite (the newcomer's `make run`) and on PostgreSQL (a database of its own
beside the benchmark's, dropped afterwards). Each in its own process, as `make run` runs it.

`make run` must answer within five minutes of a clean clone, install included, so the
county demo has a budget; the smoke run (CI) builds the tiny demo and FAILS when it takes
longer than TINY_LIMIT, so that no change makes the demo slow unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.harness import Context, Row

ROOT = Path(__file__).resolve().parents[2]
# The budgets, in seconds of `seed_demo` alone (the migration is not counted).
COUNTY_TARGET = 180  # with the install (~1 min) and migration, make run stays under 5 min
TINY_LIMIT = 30  # the smoke run fails above this


def _seed(env: dict[str, str], scale: str) -> float:
    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    manage("migrate", "--noinput", "-v", "0")
    started = time.monotonic()
    manage("seed_demo", "--scale", scale, "--force")
    return time.monotonic() - started


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings", **extra}
    env.setdefault("DEBUG", "true")
    return env


def run(context: Context) -> list[Row]:
    from benchmarks import database

    scale = "tiny" if context.smoke else "county"  # the demo a newcomer gets
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = _seed(_env(DATABASE_URL="", SQLITE_PATH=f"{folder}/demo.sqlite3"), scale)
    rows.append(_row(context, scale, "SQLite", sqlite))
    bench = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(bench)
    url = urlunsplit(parts._replace(path=parts.path.replace("_bench_", "_demo_")))
    if url != bench:
        database.ensure_database(url, rebuild=True)
        try:
            postgres = _seed(_env(DATABASE_URL=url), scale)
        finally:
            database.drop_database(url)
        rows.append(_row(context, scale, "PostgreSQL", postgres))
    if context.smoke and (slow := [row for row in rows if row.passed is False]):
        raise RuntimeError(
            "The tiny demo took longer than its limit: "
            + ", ".join(f"{row.case} {row.value}" for row in slow)
        )
    return rows


def _row(context: Context, scale: str, engine: str, seconds: float) -> Row:
    limit = TINY_LIMIT if scale == "tiny" else COUNTY_TARGET
    return Row(
        workload="demo_build",
        case=f"{scale} demo on {engine} (seed_demo)",
        value=f"{seconds:.1f} s",
        target=f"≤ {limit} s",
        passed=seconds <= limit,
        note="the smoke run fails above it" if scale == "tiny" else "make run ≤ 5 min cold",
    )
