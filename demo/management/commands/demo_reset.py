"""Start the demo afresh (`make demo-reset`): an empty database, the migrations, the demo.

SQLite: the file is deleted and made again. PostgreSQL: every table is emptied (TRUNCATE,
identities restarted), keeping the schema. Refused with DEBUG off unless --force: on a
real system this would delete everything."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Empty the database and load the demo again (development and demo machines only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="county")
        parser.add_argument("--url", default="")
        parser.add_argument(
            "--force", action="store_true", help="even with DEBUG off: deletes every row!"
        )

    def handle(self, *args, scale, url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this deletes the whole database. Pass --force on a demo machine."
            )
        if connection.vendor == "sqlite":
            path = Path(connection.settings_dict["NAME"])
            connection.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.stdout.write(f"Deleted {path}.")
        else:
            self.stdout.write("Emptying every table…")
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        call_command("seed_demo", scale=scale, url=url, force=force, stdout=self.stdout)
