import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.demo import DEMO_PASSWORD, SHAPES, seed_demo
from grids.models import Area


class Command(BaseCommand):
    help = "Load the demo county (or city) with demo accounts for every role."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SHAPES), default="county")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when areas exist already",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (demo passwords are public!)",
        )

    def handle(self, *args, scale, seed, if_empty, force, **options):
        if Area.objects.exists():
            if if_empty:
                self.stdout.write("Areas exist already; demo data not loaded.")
                return
            raise CommandError(
                "The database has areas already. The demo loads into an empty "
                "database only (run `manage.py flush` first on a demo machine)."
            )
        if not settings.DEBUG and not force:
            raise CommandError(
                f"DEBUG is off: the demo accounts' password ({DEMO_PASSWORD}) is public, so they "
                "are refused on a production system. Pass --force to load them anyway."
            )
        started = time.monotonic()
        counts = seed_demo(scale=scale, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo {scale} loaded: {counts['areas']:,} areas, {counts['users']} accounts "
                f"(password {DEMO_PASSWORD}) in {time.monotonic() - started:.1f} s."
            )
        )
