from django.core.management.base import BaseCommand, CommandError

from assessment.models import Outcome
from assessment.services.evaluations import (
    evaluation_outcome_counts,
    evaluations_compute,
)
from governance.platform.months import last_month, month_parse


class Command(BaseCommand):
    help = (
        "Compute the monthly evaluations of police officers, auxiliary police and grid "
        "workers (what beat runs on the 1st for the month before). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: last month")

    def handle(self, *args, month=None, **options):
        chosen = month_parse(month) if month else last_month()
        if chosen is None:
            raise CommandError(f"--month {month!r}: give the month as YYYY-MM, e.g. 2025-03.")
        evaluated = evaluations_compute(month=chosen)
        counts = evaluation_outcome_counts(month=chosen)
        outcomes = ", ".join(f"{counts.get(value, 0)} {value}" for value in Outcome.values)
        self.stdout.write(f"{chosen:%Y-%m}: {evaluated} people evaluated ({outcomes}).")
