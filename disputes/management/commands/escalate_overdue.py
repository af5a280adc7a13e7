from django.core.management.base import BaseCommand

from disputes.services.sweeps import escalate_overdue


class Command(BaseCommand):
    help = "Escalate every open case past its deadline one level up (what beat runs every 5 min)."

    def handle(self, *args, **options):
        counts = escalate_overdue()
        self.stdout.write(
            f"{counts['escalated']} escalated, {counts['flagged']} flagged overdue at county level."
        )
