"""Prove that a backup restores: `python -m scripts.backup_check [DATABASE_URL]`.

Backs the database up with scripts/backup.sh, restores the file with scripts/restore.sh
into a fresh scratch database (<name>_restore_check, dropped afterwards) and compares the
row count of every table. The source is counted inside the very snapshot that pg_dump
dumps (pg_export_snapshot), so writes during the check cannot make a false difference.
Exits 1, naming each table, if any count differs or a table is missing."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

SCRIPTS = Path(__file__).resolve().parent


def row_counts(cursor) -> dict[str, int]:
    """Rows of every table of every non-system schema, as `schema.table`."""
    cursor.execute(
        """
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE'
          AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2
        """
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def differences(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    return [
        f"{table}: {expected.get(table, 'missing')} in the database, "
        f"{found.get(table, 'missing')} restored"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    admin = psycopg2.connect(with_database(url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            name = urlsplit(url).path.lstrip("/")
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    finally:
        admin.close()


def counts_of(url: str) -> dict[str, int]:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            return row_counts(cursor)
    finally:
        connection.close()


def check(url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Back up, restore into the scratch database, count both; the scratch goes after."""
    scratch = with_database(url, urlsplit(url).path.lstrip("/") + "_restore_check")
    drop_database(scratch)  # what a failed earlier check may have left
    with tempfile.TemporaryDirectory(prefix="backup-check-") as folder:
        dump = Path(folder) / "check.dump"
        source = psycopg2.connect(url)
        try:
            source.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
            with source.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                expected = row_counts(cursor)
                # The snapshot lives while this transaction is open: dump it now.
                run(SCRIPTS / "backup.sh", str(dump), f"--snapshot={snapshot}", url=url)
        finally:
            source.close()
        try:
            run(SCRIPTS / "restore.sh", str(dump), scratch, url=url)
            found = counts_of(scratch)
        finally:
            drop_database(scratch)
    return expected, found


def run(script: Path, *args: str, url: str) -> None:
    subprocess.run(
        [str(script), *args], check=True, env=os.environ | {"DATABASE_URL": url}, timeout=3600
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.backup_check", description=__doc__)
    parser.add_argument("url", nargs="?", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args(argv)
    if not args.url.startswith(("postgres://", "postgresql://")):
        parser.error("give the PostgreSQL database to check (or set DATABASE_URL)")
    expected, found = check(args.url)
    problems = differences(expected, found)
    for table in sorted(expected):
        print(f"{expected[table]:>12,}  {table}")
    if problems:
        print("BACKUP CHECK FAILED: the restored database differs:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"Backup check passed: {len(expected)} tables, {sum(expected.values()):,} rows.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
