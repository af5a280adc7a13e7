import time
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils import timezone

from assessment.models import Outcome
from demo.seed import (
    DEMO_PASSWORD,
    SHAPES,
    DemoSeed,
    case_counts,
    case_summary,
    seed_demo,
)
from disputes.models import CaseLevel
from grids.models import Area
from personnel.models import PostKind


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
            "--no-cases",
            action="store_true",
            help="only the places, accounts and roster, without the year of cases",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even with DEBUG off (demo passwords are public!)",
        )

    def handle(self, *args, scale, seed, if_empty, no_cases, force, **options):
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
        progress = MonthlyProgress(self.stdout)
        result = seed_demo(scale=scale, seed=seed, cases=not no_cases, progress=progress)
        progress.done()
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo {scale} loaded: {counts['areas']:,} areas, {counts['users']} accounts "
                f"(password {DEMO_PASSWORD}), {counts.get('cases', 0):,} cases "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        self.write_roster(result)
        if not no_cases:
            self.write_case_summary()

    def write_roster(self, result: DemoSeed) -> None:
        roster, counts = result.roster, result.counts
        posts = ", ".join(
            f"{kind.replace('_', ' ')} {roster.posts[kind]:,}"
            for kind in PostKind.values
            if roster.posts[kind]
        )
        gaps = Counter(code for _area, code in roster.gaps)
        self.stdout.write(
            f"Roster: {roster.people:,} people ({roster.logins:,} logins), open posts: {posts}; "
            f"{roster.ended} posts ended this year ({roster.replaced} grid workers replaced); "
            f"{len(roster.gaps)} gaps ("
            + ", ".join(f"{code.replace('_', ' ')} {n}" for code, n in sorted(gaps.items()))
            + f") in {result.seconds['roster']:.1f} s."
        )
        if "evaluations" in counts:
            outcomes = ", ".join(
                f"{outcome} {counts.get(f'evaluations_{outcome}', 0):,}"
                for outcome in Outcome.values
            )
            self.stdout.write(
                f"  {counts['trainings']:,} trainings ({counts['attendances']:,} attendances), "
                f"{counts['spot_checks']:,} phone spot checks, "
                f"{counts['coverage_records']:,} coverage records; "
                f"{counts['evaluations']:,} evaluations ({outcomes}; "
                f"{counts.get('evaluations_reviewed', 0):,} reviewed by the township, "
                f"{counts.get('evaluations_followed_up', 0):,} followed up) "
                f"in {result.seconds['roster_year']:.1f} s."
            )
        if "key_persons" in counts:
            self.stdout.write(
                f"Residents of concern: {counts['key_persons']:,} key persons, "
                f"{counts['care_residents']:,} in care groups ({counts['residents_left']} left "
                f"management this year), {counts['visits_in_year']:,} visits in the year, "
                f"{counts['visits_overdue']:,} visits overdue today "
                f"in {result.seconds['residents']:.1f} s."
            )
        if "rankings" in counts:
            self.stdout.write(
                f"Assessment: {counts['rankings']} monthly rankings published, "
                f"{counts['vetoed']} village-months vetoed by {counts['incidents']} "
                f'"three-zero" incidents, {counts["entered_values"]:,} entered values '
                f"in {result.seconds['assessment']:.1f} s."
            )
        if "inspections" in counts:
            self.stdout.write(
                f"Inspections: {counts['inspections']:,} ({counts['inspection_problems']:,} "
                f"problems found, {counts['inspection_problems_overdue']} open past their date) "
                f"in {result.seconds['inspections']:.1f} s."
            )
        if "campaigns" in counts:
            self.stdout.write(
                f"Campaigns: {counts['campaigns']} ({counts['campaign_tasks']:,} tasks); "
                f"summer home visits {counts['summer_campaign_done']:,} of "
                f"{counts['summer_campaign_targets']:,} done, launched in "
                f"{result.seconds['campaign_launch']:.2f} s; {counts.get('instructions', 0)} "
                f"urgent instructions to {counts.get('instruction_receipts', 0):,} recipients "
                f"({counts.get('instruction_receipts_read', 0):,} read) "
                f"in {result.seconds['campaigns']:.1f} s."
            )
        if "meetings" in counts:
            self.stdout.write(
                f"Analysis meetings: {counts['meetings']:,} ({counts['meeting_cases']:,} cases "
                f"discussed, {counts['meeting_decisions']:,} assigned or supervised) "
                f"in {result.seconds['meetings']:.1f} s."
            )

    def write_case_summary(self) -> None:
        counts = case_counts()
        for level in CaseLevel.values:
            at_level = {status: n for (lvl, status), n in counts.items() if lvl == level}
            statuses = ", ".join(
                f"{status.replace('_', ' ')} {n:,}"
                for status, n in sorted(at_level.items(), key=lambda item: -item[1])
            )
            self.stdout.write(f"  {level:8} {sum(at_level.values()):7,}  {statuses}")
        summary = case_summary()
        self.stdout.write(
            f"  open {summary['open']:,} ({summary['past_deadline']:,} past their deadline, "
            f"awaiting the overdue sweep), flagged overdue at county level "
            f"{summary['flagged_overdue']:,}, supervised {summary['supervised']:,}"
        )


class MonthlyProgress:
    """The replay's progress, month by month on one line: it takes a few minutes."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.months: list[str] = []

    def __call__(self, moment: datetime) -> None:
        month = timezone.localtime(moment).strftime("%Y-%m")
        if not self.months:
            self.out.write("Replaying a year of cases:", ending="")
        if month not in self.months:
            self.months.append(month)
            self.out.write(f" {month}", ending="")
            self.out.flush()

    def done(self) -> None:
        if self.months:
            self.out.write("")
