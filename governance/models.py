from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # 重点人员走访: computed once key residents are recorded.
    VISIT_COMPLETION = "visit_completion", _("Key-person visit completion")
    STAFFING_COVERAGE = "staffing_coverage", _("Staffing coverage")  # 人员配备率
    EVALUATION_SCORE = "evaluation_score", _("Evaluation score")  # 考评得分
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
    note = models.TextField(_("note"), blank=True)

    class Meta:
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
    applies_to_township = models.BooleanField(_("applies to townships"), default=True)
    applies_to_village = models.BooleanField(_("applies to villages"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
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
