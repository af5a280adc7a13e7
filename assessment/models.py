from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from personnel.models import PostKind


class IncidentKind(models.TextChoices):
    # "三零" creation 三零创建: zero of each of these in a month.
    PETITION = "petition", _("Petition to higher levels")  # 越级上访
    ACCIDENT = "accident", _("Major safety accident")  # 重大安全事故
    CRIMINAL_CASE = "criminal_case", _("Criminal case")  # 刑事案件


class Incident(models.Model):
    """An event recorded by county staff that fails "三零" for its village and township."""

    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "governance_incident"
        verbose_name = _("incident")  # "三零" 事件
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["area", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


# Scoring scheme 考核方案 of the monthly assessment 一月一排名: weighted indicators per year.


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class FormulaKind(models.TextChoices):
    RATE = "rate", _("Rate (percent, from the data)")
    PER_THOUSAND = "per_thousand", _("Count per 1,000 households")
    ENTERED = "entered", _("Value entered by the committee")


class Source(models.TextChoices):
    RESOLUTION_RATE = "resolution_rate", _("Resolution rate")  # 化解率
    ON_TIME_RATE = "on_time_rate", _("On-time resolution rate")  # 到期化解率
    SETTLED_IN_VILLAGE = "settled_in_village", _("Settled in the village")  # 小事不出村
    SETTLED_IN_TOWNSHIP = "settled_in_township", _("Settled in the township")  # 大事不出镇
    OVERDUE_CASES = "overdue_cases", _("Overdue cases")  # 超期事件
    OVERDUE_ESCALATIONS = "overdue_escalations", _("Escalations caused by overdue")  # 超期上交
    SUPERVISED_ON_TIME = "supervised_on_time", _("Supervised cases closed on time")  # 督办按期办结
    # 重点人员走访: residents of concern whose visits were up to date at the month's end.
    VISIT_COMPLETION = "visit_completion", _("Key-person visit completion")
    STAFFING_COVERAGE = "staffing_coverage", _("Staffing coverage")  # 人员配备率
    EVALUATION_SCORE = "evaluation_score", _("Evaluation score")  # 考评得分
    INSPECTION_SCORE = "inspection_score", _("Supervision inspection score")  # 督导检查得分
    # 视频监控在线率: computed from the camera register where an area has one, typed (and
    # marked as typed) where it has none; so its formula stays "entered".
    CAMERA_ONLINE_RATE = "camera_online_rate", _("Camera online rate")
    ENTERED = "entered", _("Entered by the committee")


class BelowMinimumRule(models.TextChoices):
    AVERAGE = "average", _("Level average")
    FULL = "full", _("Full marks")
    ZERO = "zero", _("Zero")


class ScoringScheme(models.Model):
    county = models.ForeignKey(
        "grids.Area",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="scoring_schemes",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    min_cases = models.PositiveSmallIntegerField(
        _("minimum cases"),
        default=5,
        help_text=_("Below this many cases in the month a rate indicator does not count."),
    )
    below_min_rule = models.CharField(
        _("rule below the minimum"),
        max_length=8,
        choices=BelowMinimumRule.choices,
        default=BelowMinimumRule.AVERAGE,
        help_text=_(
            "An area with fewer cases than the minimum gets, for each rate indicator: the "
            "average points of its level (townships or villages), full marks, or zero."
        ),
    )
    # 平安村: a village not vetoed whose score reaches this is a safe-village candidate.
    safe_village_score = models.DecimalField(
        _("safe-village score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(90),
        help_text=_(
            'A village whose score reaches this and that has no "three-zero" incident in '
            "the month is a safe-village candidate."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "governance_scoringscheme"
        verbose_name = _("scoring scheme")  # 考核方案
        verbose_name_plural = _("scoring schemes")
        ordering = ["-year", "county_id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="scoring_scheme_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}"


class Indicator(models.Model):
    """One weighted indicator. Points are linear between `zero_at` (nothing) and
    `full_marks_at` (the whole weight), clamped to [0, weight]; for "lower is better"
    `full_marks_at` is the smaller of the two."""

    scheme = models.ForeignKey(
        ScoringScheme,
        verbose_name=_("scoring scheme"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    formula = models.CharField(_("formula"), max_length=16, choices=FormulaKind.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    full_marks_at = models.DecimalField(
        _("full marks at"),
        max_digits=9,
        decimal_places=2,
        help_text=_("The value that earns the whole weight."),
    )
    zero_at = models.DecimalField(
        _("zero at"),
        max_digits=9,
        decimal_places=2,
        help_text=_("The value that earns nothing; points are linear in between."),
    )
    # Entered values have formula "entered" whatever they measure; this says they are
    # percentages (or scores out of 100) so a camera online rate of 120 is refused.
    is_percentage = models.BooleanField(
        _("percentage"),
        default=False,
        help_text=_("The value is a percentage or a score out of 100: it lies between 0 and 100."),
    )
    # The unit printed after a value: "%" for rates, "每千户" for counts per 1,000 households,
    # "分" for scores; blank for a plain number.
    unit = models.CharField(
        _("unit"),
        max_length=12,
        blank=True,
        help_text=_('Printed after the value, e.g. "%", "每千户" or "分".'),
    )
    applies_to_township = models.BooleanField(_("applies to townships"), default=True)
    applies_to_village = models.BooleanField(_("applies to villages"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        db_table = "governance_indicator"
        verbose_name = _("indicator")  # 考核指标
        verbose_name_plural = _("indicators")
        ordering = ["scheme_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_scheme_code"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="indicator_weight_gt_0"),
        ]

    def __str__(self) -> str:
        return self.name


class EnteredValue(models.Model):
    """A monthly value the committee enters for what the system does not see
    (督导检查, 视频监控在线率, 信访)."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="entered_values",
    )
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        db_table = "governance_enteredvalue"
        verbose_name = _("entered value")  # 录入值
        verbose_name_plural = _("entered values")
        ordering = ["-month", "indicator_id", "area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "month"], name="entered_value_indicator_area_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.area} {self.month:%Y-%m}"


# Monthly ranking 一月一排名: a snapshot of every township's and village's score.


class SnapshotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # 草稿: the committee reviews it
    PUBLISHED = "published", _("Published")  # 已发布: frozen, the monthly bulletin 通报


class RankingSnapshot(models.Model):
    """One computation of one county's month. Version 1 is the monthly run's; a published
    version never changes, and a correction is a new version with its reason."""

    county = models.ForeignKey(
        "grids.Area", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=SnapshotStatus.choices, default=SnapshotStatus.DRAFT
    )
    reason = models.CharField(_("reason for the new version"), max_length=500, blank=True)
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="+"
    )
    # The indicators as they were when computed: a later edit of the scheme leaves a
    # snapshot's columns, weights and thresholds as published.
    indicators = models.JSONField(_("indicators"), default=list)
    min_cases = models.PositiveSmallIntegerField(_("minimum cases"))
    below_min_rule = models.CharField(
        _("rule below the minimum"), max_length=8, choices=BelowMinimumRule.choices
    )
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )  # none: the monthly task
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 文号: the bulletin's document number, "X政法〔2026〕3号", given once when published
    # (BulletinSequence) and never changed.
    document_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    document_number = models.PositiveIntegerField(_("document number"), null=True, blank=True)

    class Meta:
        db_table = "governance_rankingsnapshot"
        verbose_name = _("ranking snapshot")  # 月度排名
        verbose_name_plural = _("ranking snapshots")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month", "version"], name="ranking_snapshot_version"
            ),
            # At most one draft of a month at a time: the next version waits for publishing.
            models.UniqueConstraint(
                fields=["county", "month"],
                condition=models.Q(status="draft"),
                name="ranking_snapshot_one_draft",
            ),
            models.UniqueConstraint(
                fields=["county", "document_year", "document_number"],
                condition=models.Q(document_number__isnull=False),
                name="ranking_snapshot_document_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.month:%Y-%m} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == SnapshotStatus.PUBLISHED


class BulletinSequence(models.Model):
    """The last document number 文号 a county gave its bulletins in a year: the next bulletin
    published takes the following one (taken under a row lock, so never twice)."""

    county = models.ForeignKey(
        "grids.Area", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("bulletin number sequence")
        verbose_name_plural = _("bulletin number sequences")
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="bulletin_sequence_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}: {self.last_number}"


class RankingRow(models.Model):
    """One area's line of a snapshot."""

    snapshot = models.ForeignKey(
        RankingSnapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="rows"
    )
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16)
    township = models.ForeignKey(
        "grids.Area",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )  # a village's township; a township's own row has none
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    # None for a vetoed area 一票否决: it is listed after the ranked ones, with no place.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    rank_in_township = models.PositiveIntegerField(_("rank in township"), null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("last month's rank"), null=True, blank=True)
    score_change = models.DecimalField(
        _("change in score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    veto = models.BooleanField(_("vetoed"), default=False)  # 一票否决: failed "三零"
    veto_kinds = models.JSONField(_("incident kinds"), default=list, blank=True)
    safe_candidate = models.BooleanField(_("safe-village candidate"), default=False)  # 平安村
    cases = models.PositiveIntegerField(_("cases"), default=0)
    below_minimum = models.BooleanField(_("below the minimum number of cases"), default=False)
    # {indicator code: {"value", "points", "numerator", "denominator"}}; the case figures
    # behind the numbers are in `figures`.
    values = models.JSONField(_("indicator values"), default=dict)
    figures = models.JSONField(_("case figures"), default=dict)

    class Meta:
        db_table = "governance_rankingrow"
        verbose_name = _("ranking row")
        verbose_name_plural = _("ranking rows")
        ordering = ["snapshot_id", "level", "rank", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "area"], name="ranking_row_area")
        ]
        indexes = [models.Index(fields=["snapshot", "level", "rank"], name="ranking_row_rank")]

    def __str__(self) -> str:
        return f"{self.area_id} #{self.rank}"

    @property
    def rank_change(self) -> int | None:
        """Places gained since last month (negative: places lost)."""
        if self.previous_rank is None or self.rank is None:
            return None
        return self.previous_rank - self.rank


class Outcome(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")  # 优秀
    COMPETENT = "competent", _("Competent")  # 称职
    BASIC = "basic", _("Basically competent")  # 基本称职
    UNFIT = "unfit", _("Unfit")  # 不称职


class FollowUp(models.TextChoices):
    NONE = "", _("None needed")
    RECOMMENDED = "recommended", _("Recommended to the village committee")  # 推荐进村两委
    REASSIGNED = "reassigned", _("Reassigned")
    DISMISSED = "dismissed", _("Dismissed")
    KEPT = "kept", _("Kept on after review")


class Evaluation(models.Model):
    """A month's evaluation of one police officer, auxiliary police or grid worker: the
    work figures are computed from the cases; the supervisor adds a score and comment."""

    staff = models.ForeignKey(
        "personnel.Staff", on_delete=models.CASCADE, related_name="evaluations"
    )
    month = models.DateField(_("month"))  # the first day of the month
    kind = models.CharField(_("post"), max_length=20, choices=PostKind.choices)
    # Where the person served that month (their post's village): the pay sheet and the
    # results page group by it, and jurisdiction scopes by it.
    area = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    cases_reported = models.PositiveIntegerField(_("cases reported"), default=0)
    cases_handled = models.PositiveIntegerField(_("cases handled"), default=0)
    cases_on_time = models.PositiveIntegerField(_("handled on time"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)
    returns = models.PositiveIntegerField(_("returned"), default=0)
    delay_escalations = models.PositiveIntegerField(_("escalated for their delay"), default=0)
    work_score = models.DecimalField(_("work score"), max_digits=5, decimal_places=1)
    supervisor_score = models.PositiveSmallIntegerField(_("supervisor's score"), null=True)
    supervisor_comment = models.CharField(_("supervisor's comment"), max_length=500, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    follow_up = models.CharField(
        _("follow-up"), max_length=12, choices=FollowUp.choices, blank=True
    )
    follow_up_note = models.CharField(_("follow-up note"), max_length=500, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "personnel_evaluation"
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [models.Index(fields=["month", "area"], name="evaluation_month_area")]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "month", "kind"], name="one_evaluation_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.month:%Y-%m}: {self.score}"


class PayRate(models.Model):
    """A village's annual performance pay (default 3000 yuan), paid quarterly."""

    area = models.ForeignKey("grids.Area", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    annual_amount = models.DecimalField(_("annual amount (yuan)"), max_digits=10, decimal_places=2)

    class Meta:
        db_table = "personnel_payrate"
        verbose_name = _("performance pay rate")
        verbose_name_plural = _("performance pay rates")
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="one_pay_rate")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year}: {self.annual_amount}"
