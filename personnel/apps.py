from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = _("Staff and accounts")

    def ready(self) -> None:
        from personnel import exporting  # noqa: F401  (registers its background exports)
