"""Village points 积分管理: households, each village's rules 村规民约 in versions, the items
recorded for households (approved, published on a notice 公示, objected to), and the
happiness fund 幸福基金 (donations in, redemptions out)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Household(models.Model):
    """A household of the minimal list kept until the 一标三实 register holds households."""

    village = models.ForeignKey(
        "grids.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    head_name = models.CharField(_("head of household"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    members = models.PositiveSmallIntegerField(_("members"), default=1)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["address", "pk"]
        indexes = [models.Index(fields=["village", "head_name"], name="household_village")]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.address}）"


class ItemKind(models.TextChoices):
    POSITIVE = "positive", _("Positive")  # 加分项
    NEGATIVE = "negative", _("Negative")  # 减分项
    VETO = "veto", _("Veto")  # 一票否决项


class RuleSet(models.Model):
    """One version of an area's rules: the county's defaults, or a village's own 村规民约.
    Editing makes a new version; recorded items keep the item of the version they used."""

    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("village rules")  # 村规民约
        verbose_name_plural = _("village rules")
        ordering = ["area", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["area", "version"], name="ruleset_area_version")
        ]

    def __str__(self) -> str:
        return f"{self.area} v{self.version}"


class RuleItem(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("item"), max_length=200)
    # Points as recorded: positive for positive items, negative for negative ones, 0 for vetoes.
    points = models.IntegerField(_("points"))
    evidence = models.CharField(_("evidence required"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rule item")
        verbose_name_plural = _("rule items")
        ordering = ["rule_set", "kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # 待审核
    PUBLISHED = "published", _("On notice")  # 公示中
    COUNTED = "counted", _("Counted")  # 已生效
    REJECTED = "rejected", _("Not approved")  # 未通过
    VOIDED = "voided", _("Voided on objection")  # 异议成立


class PointRecord(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="records"
    )
    village = models.ForeignKey(
        "grids.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        RuleItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    points = models.IntegerField(_("points"))
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    photo = models.FileField(_("photo"), upload_to="points/%Y/%m/", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    notice_ends_at = models.DateTimeField(_("notice ends"), null=True, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("points record")
        verbose_name_plural = _("points records")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["village", "status"], name="pointrecord_village_status"),
            models.Index(fields=["household", "status"], name="pointrecord_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.points:+d}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("To be decided")  # 待处理
    UPHELD = "upheld", _("Upheld")  # 异议成立
    DISMISSED = "dismissed", _("Dismissed")  # 异议不成立


class Objection(models.Model):
    """An objection raised during the notice 公示; an open one holds the item back."""

    record = models.ForeignKey(PointRecord, on_delete=models.CASCADE, related_name="objections")
    text = models.CharField(_("objection"), max_length=500)
    raised_by_name = models.CharField(_("raised by"), max_length=50)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decision = models.CharField(_("decision"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:30]


class Donation(models.Model):
    village = models.ForeignKey(
        "grids.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    donor = models.CharField(_("donor"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    receipt = models.CharField(_("receipt No."), max_length=50)
    received_on = models.DateField(_("date"))
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["village", "received_on"], name="donation_village")]

    def __str__(self) -> str:
        return f"{self.donor} {self.amount_fen / 100:.2f}"


class Redemption(models.Model):
    village = models.ForeignKey(
        "grids.Area", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="redemptions"
    )
    points = models.PositiveIntegerField(_("points spent"))
    goods = models.CharField(_("goods or services"), max_length=200)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    redeemed_on = models.DateField(_("date"))
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_on", "-pk"]
        indexes = [models.Index(fields=["village", "redeemed_on"], name="redemption_village")]

    def __str__(self) -> str:
        return f"{self.household} −{self.points}"
