from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.personal_data import EncryptedTextField
from governance.platform.roles import Role
from governance.platform.validators import validate_username_not_personal


class User(AbstractUser):
    # AbstractUser's username, refusing a phone or ID number (every form built on the model:
    # the admin's, createsuperuser's; the roster's login service checks it too).
    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_(
            "Letters, digits and @/./+/-/_ only; never a mobile or ID number (e.g. staff1234)."
        ),
        validators=[AbstractUser.username_validator, validate_username_not_personal],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The user sees this area's whole subtree, and nothing outside it."),
    )
    phone = EncryptedTextField(_("mobile phone"), blank=True)  # encrypted at rest
    # When the password was last set: API tokens issued before it no longer authenticate
    # (governance.platform.api), as sessions end with the password too.
    password_changed_at = models.DateTimeField(
        _("password changed"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}"
        return full or self.username

    # Every way of setting a password goes through these two: the user's own change, an
    # administrator's reset or disabling, changepassword, the roster's login service. The
    # rehash of an older hash at login saves the password field alone (Django: "hash
    # upgrades shouldn't be considered password changes"), so its time is not saved.
    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed_at = timezone.now()


# --- The roster 一警三专N员 ------------------------------------------------------------


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Staff(models.Model):
    """A person of the network, with or without a login; their duties are their posts."""

    name = models.CharField(_("name"), max_length=50)
    # Encrypted at rest (governance.platform.personal_data); found by their keyed hashes.
    phone = EncryptedTextField(_("mobile phone"))
    phone_hash = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    # Unique within each centre's roster, not across the county (personnel.services.staff: a
    # clash with someone the centre may not see must not answer differently).
    id_number = EncryptedTextField(_("ID number"))
    id_number_hash = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    employer = models.CharField(_("employer / unit"), max_length=100, blank=True)
    # The unit that manages the person (a village, or the township for police covering
    # several villages): jurisdiction scopes the roster by it, and every post lies under it.
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("managed by"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        indexes = [models.Index(fields=["area", "name"])]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    # 一警
    POLICE_OFFICER = "police_officer", _("Village police officer")  # 驻村民警
    AUXILIARY_POLICE = "auxiliary_police", _("Auxiliary police")  # 辅警
    # 三专
    SECURITY_DIRECTOR = "security_director", _("Security director")  # 治保主任
    TRAFFIC_CHIEF = "traffic_chief", _("Traffic road chief")  # 交管路长
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    # N员
    MEMBER = "member", _("N member")


class MemberType(models.TextChoices):
    INFORMATION_OFFICER = "information_officer", _("Information officer")  # 信息员
    MEDIATOR = "mediator", _("Mediator")  # 调解员
    VOLUNTEER = "volunteer", _("Volunteer")  # 志愿者
    BUILDING_HEAD = "building_head", _("Building head")  # 楼栋长
    RESPECTED_ELDER = "respected_elder", _("Respected elder")  # 乡贤
    PARTY_MEMBER = "party_member", _("Party member linking households")  # 党员联户
    OTHER = "other", _("Other")


class EndReason(models.TextChoices):
    RESIGNED = "resigned", _("Resigned")
    REASSIGNED = "reassigned", _("Reassigned")  # 调岗
    DISMISSED = "dismissed", _("Dismissed")  # 辞退
    TERM_ENDED = "term_ended", _("Term ended")
    OTHER = "other", _("Other")


class Post(models.Model):
    """One duty a person holds in one area, from `start` to `end` (open while `end` is
    empty). Ending a post keeps it: the roster's history is its ended posts."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="posts"
    )
    kind = models.CharField(_("post"), max_length=20, choices=PostKind.choices)
    member_type = models.CharField(
        _("member type"), max_length=24, choices=MemberType.choices, blank=True
    )
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="posts"
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=16, choices=EndReason.choices, blank=True
    )
    end_note = models.CharField(_("note on ending"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["area", "kind", "end"], name="post_area_kind_end")]
        constraints = [
            # Every grid has exactly one named grid worker: never two at once.
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(kind="grid_worker", end__isnull=True),
                name="one_grid_worker_per_grid",
            ),
            models.UniqueConstraint(
                fields=["staff", "kind", "member_type", "area"],
                condition=models.Q(end__isnull=True),
                name="one_open_post_per_duty",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_member_type_display() if self.member_type else self.get_kind_display()
        return f"{label} · {self.area}"

    @property
    def is_active(self) -> bool:
        return self.end is None

    @property
    def label(self) -> str:
        return str(self.get_member_type_display() or self.get_kind_display())


class CoverageRecord(models.Model):
    """A day's staffing coverage of one village or township, recorded by the daily task so
    that the assessment can average a month."""

    day = models.DateField()
    area = models.ForeignKey("grids.Area", on_delete=models.CASCADE, related_name="+")
    required = models.PositiveIntegerField()
    filled = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("coverage record")
        verbose_name_plural = _("coverage records")
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="one_coverage_record_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day}: {self.filled}/{self.required}"


class Training(models.Model):
    """A training session 培训 for the network."""

    area = models.ForeignKey(
        "grids.Area", verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("training hours"), max_digits=4, decimal_places=1, default=2)
    attendees = models.ManyToManyField(Staff, verbose_name=_("attendees"), related_name="trainings")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return self.topic


class SpotCheck(models.Model):
    """A phone spot check 电话访问: a supervisor calls a staff member to see they serve."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="spot_checks"
    )
    area = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("date"))
    reached = models.BooleanField(_("reached"))
    problems = models.CharField(_("problems found"), max_length=500, blank=True)
    fix = models.CharField(_("fix"), max_length=500, blank=True)
    checked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phone spot check")
        verbose_name_plural = _("phone spot checks")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day}"
