from django.db import models
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey


class AreaLevel(models.TextChoices):
    # Ordered from the top; a child is always exactly one level below its parent.
    CITY = "city", _("City")  # 地级市: only as the root of a multi-county deployment
    COUNTY = "county", _("County")  # 县/区 (一级网格)
    TOWNSHIP = "township", _("Township / street")  # 乡镇/街道 (二级网格)
    VILLAGE = "village", _("Village / community")  # 村/社区 (三级网格)
    GRID = "grid", _("Grid")  # 网格 (四级网格)
    MICROGRID = "microgrid", _("Micro-grid")  # 微网格: a party member's 10–30 households

    @classmethod
    def order(cls) -> list[str]:
        return [choice.value for choice in cls]

    @classmethod
    def below(cls, level: str) -> str | None:
        order = cls.order()
        index = order.index(level)
        return order[index + 1] if index + 1 < len(order) else None


class AreaKind(models.TextChoices):
    URBAN = "urban", _("Urban community")  # 城市社区
    RURAL = "rural", _("Rural village")  # 农村


class Area(MPTTModel):
    code = models.CharField(
        _("division code"),
        max_length=18,
        unique=True,
        help_text=_(
            "12-digit statistical division code for county, township and village; "
            "grids add 3 digits to their village's code, micro-grids 3 more."
        ),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=AreaKind.choices, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    residents = models.PositiveIntegerField(_("registered residents"), default=0)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    centre_lat = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centre_lng = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class MPTTMeta:
        # Our `level` is the administrative level; the tree library's depth lives apart.
        level_attr = "depth"
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def descendant_total(self) -> int:
        from grids import tree

        return tree.descendant_count(self)
