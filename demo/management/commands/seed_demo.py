import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

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

# How long the demo takes to build on a 2-core machine with SQLite (benchmarks/RESULTS.md).
ROUGHLY = {"county": "2–3 分钟", "tiny": "10 秒", "city": "3 分钟"}


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
        parser.add_argument(
            "--url", default="", help="at the end, say where the site is and how to start"
        )

    def handle(self, *args, scale, seed, if_empty, no_cases, force, url, **options):
        if Area.objects.exists():
            if if_empty:
                self.stdout.write("Areas exist already; demo data not loaded.")
                if url:
                    self.stdout.write(next_steps(url))
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
        self.stdout.write(
            f"正在生成演示{'县' if scale != 'city' else '市'}（约 {ROUGHLY.get(scale, '')}）："
        )
        result = seed_demo(
            scale=scale, seed=seed, cases=not no_cases, progress=Progress(self.stdout)
        )
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
        if url:
            self.stdout.write(next_steps(url))

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
        if "point_records" in counts:
            self.stdout.write(
                f"Village points: {counts['households']:,} households, "
                f"{counts['point_records']:,} items ({counts['objections']} objected to), "
                f"{counts['donations']} donations, {counts['redemptions']} redemptions "
                f"in {result.seconds['points']:.1f} s."
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


PARTS = {
    "places": "地区树与演示账号",
    "roster": "花名册（一警三专N员）",
    "cases": "案件（近一年）",
    "assignments": "写入交办记录",
    "events": "写入案件日志",
    "notifications": "写入消息",
    "audit": "写入审计日志",
    "roster_year": "全年培训、电话抽查、在岗记录与月度考评",
    "residents": "重点人员、关爱对象与走访",
    "inspections": "督导检查",
    "assessment": "“三零”事件与 12 个月考核排名",
    "campaigns": "专项行动与紧急指令",
    "meetings": "研判会议",
    "points": "村级积分与幸福基金",
}


class Progress:
    """Each part of the demo as it begins, and the counted ones as they go, with the time
    left at their pace so far: "案件（近一年） 3,200/12,000 · 约 40 秒"."""

    EVERY = 2.0  # seconds between two lines of the same part

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.part = ""
        self.began = self.shown = 0.0
        self.first = 0  # the count when this stretch of the part began

    def __call__(self, part: str, done: int, total: int) -> None:
        now = time.monotonic()
        label = PARTS.get(part, part)
        if part != self.part:
            self.part, self.began, self.shown, self.first = part, now, 0.0, done
            if not total:
                self.out.write(f"· {label}…")
                self.out.flush()
                return
        if not total or (now - self.shown < self.EVERY and done < total):
            return
        self.shown = now
        line = f"· {label} {done:,}/{total:,}"
        rate = (done - self.first) / (now - self.began) if now > self.began else 0
        if done < total and rate > 0 and now - self.began > 1:
            line += f" · 约 {_duration((total - done) / rate)}"
        self.out.write(line)
        self.out.flush()


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} 秒"
    return f"{int(seconds // 60)} 分 {round(seconds % 60)} 秒"


def next_steps(url: str) -> str:
    """What a newcomer does once the demo is there."""
    return "\n".join(
        [
            "",
            f"演示县已就绪。打开 {url} ，用下列演示账号登录（密码均为 {DEMO_PASSWORD}）：",
            "  county     县委政法委/平安办：全县驾驶舱、12 个乡镇一年的数据、考核排名",
            "  centre     县综治中心：研判、交办、督办全县案件",
            "  township1  乡镇综治中心：本镇案件、研判会议、专项行动进度",
            "  village1   村干部；police1 驻村民警；inspector 督查员（只读）",
            "  grid1      网格员（建议用手机打开）：本网格的案件、走访和任务",
            "从 county 开始看全县驾驶舱，再用 grid1 在手机上走一遍网格员的一天。",
            "重新开始演示：make demo-reset（不重新安装）。停止：Ctrl+C。",
        ]
    )
