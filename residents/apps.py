from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = _("Residents of concern")

    def ready(self) -> None:
        from residents import exporting  # noqa: F401  (registers its background exports)
