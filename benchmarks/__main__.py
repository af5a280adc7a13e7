"""`python -m benchmarks [--scale tiny|county|city] [--only NAME ...] [--runs N] [--rebuild]
[--smoke]`: build (or reuse) the data, run the workloads, print the table and write
benchmarks/RESULTS.md (a smoke run writes var/bench-smoke.md instead)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=["tiny", "county", "city"], default="county")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    parser.add_argument("--runs", type=int, default=None, help="timed runs (default 5; 1 smoke)")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny scale, one run each: keeps them working (CI)"
    )
    parser.add_argument("--out", default=None, help="where to write the results (markdown)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale = "tiny"
    runs = args.runs or (1 if args.smoke else 5)

    sys.path.insert(0, str(HERE.parent))
    from benchmarks import database

    base = os.environ.get("DATABASE_URL", "")
    url = database.bench_url(base, args.scale)
    database.use(url)
    started_at = datetime.now().astimezone()
    with database.build_lock(url):
        fresh = database.ensure_database(url, rebuild=args.rebuild)

        import django

        django.setup()
        from django.db import connections

        from benchmarks.build import build

        info = None if fresh else database.built(args.scale)
        if info is None:
            if not fresh:  # an older or half-built database: start again from empty
                connections.close_all()
                database.ensure_database(url, rebuild=True)
            print(f"Building the {args.scale} data into {url.rsplit('/', 1)[-1]} …", flush=True)
            begun = time.monotonic()
            info = build(args.scale)
            info["seconds"]["total"] = round(time.monotonic() - begun, 1)
            database.record_build(args.scale, info)
            info["cached"] = False
        else:
            from django.core.management import call_command
            from django.db import connection
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connection)
            if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                # A cached database gets new columns and indexes too; what the migrations
                # rewrote is vacuumed and analysed, as the build leaves its data.
                call_command("migrate", verbosity=0)
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            info["cached"] = True
    from benchmarks.harness import Context, results_markdown, table
    from benchmarks.workloads import WORKLOADS

    print(
        f"Data: {info['areas']:,} areas, {info['cases']:,} cases"
        f" ({'cached' if info['cached'] else 'built'}; build {info['seconds']['total']} s)"
    )
    steps = ", ".join(f"{k} {v} s" for k, v in info["seconds"].items() if k != "total")
    info["summary"] = {
        "scale": args.scale,
        "areas": f"{info['areas']:,}",
        "cases": f"{info['cases']:,}",
        "build": f"{info['seconds']['total']} s ({steps})",
    }
    context = Context(
        scale=args.scale, runs=runs, warmup=0 if args.smoke else 1, smoke=args.smoke, info=info
    )
    unknown = set(args.only) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload {sorted(unknown)}; choose from {sorted(WORKLOADS)}")
    rows, failed = [], []
    for name, module in WORKLOADS.items():
        if args.only and name not in args.only:
            continue
        print(f"\n== {name}", flush=True)
        try:
            found = module.run(context)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        rows += found
        print(table(found), flush=True)
    print("\n" + table(rows))
    out = (
        Path(args.out)
        if args.out
        else (HERE.parent / "var" / "bench-smoke.md" if args.smoke else HERE / "RESULTS.md")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    notes = (HERE / "NOTES.md").read_text() if (HERE / "NOTES.md").exists() else ""
    out.write_text(results_markdown(rows=rows, context=context, started=started_at, notes=notes))
    print(f"\nWritten to {out}")
    if failed:
        print(f"Workloads that failed to run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
