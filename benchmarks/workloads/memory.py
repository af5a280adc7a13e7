"""Memory: the peak RSS of the monthly ranking (`rankings_compute` of last month for every
county, as the beat task runs it) in a fresh process, rolled back afterwards; and the peak
RSS of a gunicorn worker while it answers the stats endpoint for the county, a township and
the root. Both read VmHWM from /proc, the peak of the process's own memory: getrusage's
ru_maxrss would also count the parent's memory at the fork (Linux keeps it across exec).

A worker's peak over its life is a login's: Argon2 (Django's parameters) takes 100 MiB for
each password it checks. The benchmark logs in to get its token, so the worker's peak is
reset (/proc/PID/clear_refs) after the login and the minimal view, and the row says what
the login's peak was."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks.harness import Context, Row, ratio
from benchmarks.server import ROOT, memory_kib, reset_peak, serve

RANKING_TARGET_MB = 500
WORKER_TARGET_MB = 200
CLIENTS = 8

# Run in its own process, so that its peak is the ranking's and nothing else's.
RANKING_SCRIPT = """
import json, re, time
from pathlib import Path


def peak_kib():
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))


import django

django.setup()
from django.db import transaction

from assessment.services.rankings import rankings_compute_all
from governance.platform.months import last_month

idle = peak_kib()
started = time.perf_counter()
with transaction.atomic():
    snapshots = rankings_compute_all(month=last_month())
    seconds = time.perf_counter() - started
    rows = sum(snapshot.rows.count() for snapshot in snapshots)
    transaction.set_rollback(True)  # the cached data stays as built
peak = peak_kib()
print(json.dumps({"idle_kib": idle, "peak_kib": peak, "seconds": seconds,
                  "counties": len(snapshots), "rows": rows}))
"""


def mb(kib: float) -> str:
    return f"{kib / 1024:.0f} MB"


def run(context: Context) -> list[Row]:
    return [ranking_row(context), worker_row(context)]


def ranking_row(context: Context) -> Row:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", RANKING_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the ranking process failed:\n{done.stderr[-4000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    peak, idle = found["peak_kib"], found["idle_kib"]
    return Row(
        workload="memory",
        case=f"rankings_compute, last month, every county ({found['counties']}): peak RSS",
        value=mb(peak),
        baseline=f"the process after django.setup() {mb(idle)}",
        ratio=ratio(peak, idle),
        target=f"< {RANKING_TARGET_MB} MB",
        passed=peak < RANKING_TARGET_MB * 1024,
        note=f"{found['rows']:,} ranking rows in {found['seconds']:.1f} s (rolled back)",
    )


def worker_row(context: Context) -> Row:
    from personnel.models import User

    admin = User.objects.get(pk=context.info["county_admin"])
    areas = {context.info["county"], context.info["township"], context.info["root"]}
    requests = CLIENTS * (2 if context.smoke else 5)
    with serve() as server, server.tokens([admin]) as tokens:
        token = tokens[admin.pk]
        server.load("/bench/minimal/", clients=CLIENTS, requests=requests, token=token)
        login_peak = max(memory_kib(pid)["VmHWM"] for pid in server.worker_pids)
        idle = max(memory_kib(pid)["VmRSS"] for pid in server.worker_pids)
        for pid in server.worker_pids:
            reset_peak(pid)
        for area in sorted(areas):
            server.load(
                f"/api/v1/areas/{area}/stats/",
                clients=CLIENTS,
                requests=requests,
                duration=30,
                token=token,
            )
        memory = [memory_kib(pid) for pid in server.worker_pids]
    peak = max(found["VmHWM"] for found in memory)
    now = max(found["VmRSS"] for found in memory)
    return Row(
        workload="memory",
        case=f"gunicorn worker serving the stats endpoint ({len(areas)} areas): peak RSS",
        value=mb(peak),
        baseline=f"after the minimal view {mb(idle)}",
        ratio=ratio(peak, idle),
        target=f"< {WORKER_TARGET_MB} MB",
        passed=peak < WORKER_TARGET_MB * 1024,
        note=f"RSS now {mb(now)}; workers: "
        + ", ".join(f"{mb(found['VmHWM'])} peak" for found in memory)
        + f"; before, the login's Argon2 check peaked a worker at {mb(login_peak)}",
    )
