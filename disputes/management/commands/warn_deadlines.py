from django.core.management.base import BaseCommand

from disputes.services.sweeps import warn_deadlines


class Command(BaseCommand):
    help = (
        "Warn the handlers of every open case past 75 % of its time at its level, once "
        "(what beat runs every hour)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{warn_deadlines()} cases close to their deadline warned.")
