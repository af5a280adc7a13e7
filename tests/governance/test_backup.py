"""Backup and restore (README "Backup and restore"): scripts/backup.sh, scripts/restore.sh
and the check that restores a backup into a fresh database and compares every table's rows,
run against the test database holding the demo county and some cases."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from grids.models import Area
from personnel.models import User
from scripts.backup_check import counts_of, differences, drop_database, with_database
from tests.factories import build_demo, report
from tests.support import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_url() -> str:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        reason = "needs the PostgreSQL client programs (pg_dump, pg_restore, psql)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    given = connection.settings_dict
    password = f":{given['PASSWORD']}" if given["PASSWORD"] else ""
    host = given["HOST"] or "127.0.0.1"
    port = given["PORT"] or 5432
    return f"postgres://{given['USER']}{password}@{host}:{port}/{given['NAME']}"


@pytest.fixture
def county_with_cases(database_url):
    demo = build_demo()
    for _ in range(3):
        report(demo)
    connection.close()  # pg_dump must not wait for anything of ours
    return demo


def run(*command, url: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_backup_restores_into_a_fresh_database_with_every_row_of_every_table(
    database_url, county_with_cases
):
    checked = run(sys.executable, "-m", "scripts.backup_check", url=database_url)
    assert checked.returncode == 0, checked.stderr
    assert "Backup check passed" in checked.stdout
    counted = {
        line.split()[1]: int(line.split()[0].replace(",", ""))
        for line in checked.stdout.splitlines()
        if line.strip() and line.split()[0].replace(",", "").isdigit()
    }
    assert counted["public.disputes_case"] == 3
    assert counted["public.disputes_caseevent"] == 3
    assert counted["public.grids_area"] == Area.objects.count() > 50
    assert counted["public.personnel_user"] == User.objects.count() > 5
    assert counted["public.django_migrations"] > 50


def test_a_restore_missing_rows_is_named_table_by_table(database_url, county_with_cases, tmp_path):
    dump = tmp_path / "county.dump"
    backup = run(SCRIPTS / "backup.sh", dump, url=database_url)
    assert backup.returncode == 0, backup.stderr
    restored = with_database(database_url, connection.settings_dict["NAME"] + "_restored")
    drop_database(restored)
    try:
        restore = run(SCRIPTS / "restore.sh", dump, restored, url=database_url)
        assert restore.returncode == 0, restore.stderr
        assert differences(counts_of(database_url), counts_of(restored)) == []
        run("psql", restored, "-qc", "DELETE FROM disputes_caseevent", url=database_url)
        assert differences(counts_of(database_url), counts_of(restored)) == [
            "public.disputes_caseevent: 3 in the database, 0 restored"
        ]
    finally:
        drop_database(restored)


def test_a_restore_never_writes_over_an_existing_database(
    database_url, county_with_cases, tmp_path
):
    dump = tmp_path / "county.dump"
    assert run(SCRIPTS / "backup.sh", dump, url=database_url).returncode == 0
    refused = run(SCRIPTS / "restore.sh", dump, database_url, url=database_url)
    assert refused.returncode == 1
    assert "exists" in refused.stderr
    assert counts_of(database_url)["public.disputes_case"] == 3
