from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County political-legal committee")  # 政法委/平安办
    COUNTY_CENTRE = "county_centre", _("County governance centre")  # 县综治中心
    TOWNSHIP_CENTRE = "township_centre", _("Township governance centre")  # 乡镇综治中心
    POLICE = "police", _("Police")  # 派出所/驻村民警/辅警 (一警)
    VILLAGE_STAFF = "village_staff", _("Village staff")  # 村综治中心, 治保主任 (三专)
    GRID_WORKER = "grid_worker", _("Grid worker")  # 网格员
    MEMBER = "member", _("N member")  # N员: information officer, mediator, volunteer…
    INSPECTOR = "inspector", _("Inspector (read-only)")


# The roles that work in the field, on a phone: their pages are a tab bar of their day's
# work (待办, 上报, 事件, 走访任务, 我的), and theirs are the only notices that also go out
# through the outgoing channel (SMS, WeCom); the centres at their desks read the inbox.
FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.MEMBER, Role.POLICE, Role.VILLAGE_STAFF})
