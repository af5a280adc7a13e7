from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.services.rankings import MonthPublished, rankings_compute
from governance.platform.months import last_month, month_parse
from grids.models import Area, AreaLevel


class Command(BaseCommand):
    help = (
        "Compute the monthly ranking of every township and village (what beat runs on the "
        "1st at 02:00 for the month before) into the month's draft. A published month is "
        "frozen: recompute it with --new-version --reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM; default: last month")
        parser.add_argument("--county", help="the county's area code; default: every county")
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="compute a published month again as a new version (needs --reason)",
        )
        parser.add_argument("--reason", default="", help="why the month is computed again")

    def handle(self, *args, month=None, county=None, new_version=False, reason="", **options):
        chosen = month_parse(month) if month else last_month()
        if chosen is None:
            raise CommandError(f"--month {month!r}: give the month as YYYY-MM, e.g. 2025-03.")
        counties = Area.objects.filter(level=AreaLevel.COUNTY).order_by("code")
        if county:
            counties = counties.filter(code=county)
            if not counties.exists():
                raise CommandError(f"--county {county!r}: no county has this code.")
        for area in counties:
            try:
                snapshot = rankings_compute(
                    county=area, month=chosen, new_version=new_version, reason=reason
                )
            except MonthPublished as published:
                self.stdout.write(
                    f"{area.name} {chosen:%Y-%m}: version {published.snapshot.version} is "
                    "published and frozen; use --new-version --reason to compute it again."
                )
                continue
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            vetoed = snapshot.rows.filter(veto=True).count()
            self.stdout.write(
                f"{area.name} {chosen:%Y-%m}: version {snapshot.version} ({snapshot.status}), "
                f"{snapshot.rows.count()} areas ranked, {vetoed} vetoed."
            )
